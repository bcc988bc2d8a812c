# Bad input: one line naming file, dataset or key; exit 2 and no results files when the
# whole input is unusable; exit 1 with failures.csv when one sequence is bad and the rest
# is evaluated.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen pose --output data --seed 14 --sequences 4 --frames 20 --hyps 0 >/dev/null
one_line_error() { # what pattern rc_expected output_dir cmd...
  local what=$1 pat=$2 want=$3 dir=$4; shift 4
  local out rc
  out=$("$@" 2>&1) && rc=0 || rc=$?
  if [ "$rc" -eq "$want" ] && grep -q -- "$pat" <<<"$out"; then ok "$what"; else bad "$what: rc=$rc: $out"; fi
  if [ "$want" -eq 2 ]; then
    if ls "$dir"/*.csv "$dir"/results.h5 >/dev/null 2>&1; then bad "$what: results files left behind"; else ok "$what: no results files"; fi
  fi
}
one_line_error "missing file" "nope.h5: cannot open" 2 o1 "$SB_BIN" pose eval --input nope.h5 --output o1
echo "not hdf5" > junk.h5
one_line_error "unreadable HDF5" "junk.h5: not an HDF5 file" 2 o2 "$SB_BIN" pose eval --input junk.h5 --output o2
printf '[suite]\nseed = 1\n[pose]\ninput = data/pose.h5\ncolour = red\n' > badkey.ini
one_line_error "unknown suite key" "badkey.ini \[pose\] line 5: unknown key 'colour'" 2 o3 "$SB_BIN" run badkey.ini --output o3
printf '[suite]\nseed = 1\n[posse]\n' > badsec.ini
one_line_error "unknown suite section" "unknown section \[posse\]" 2 o4 "$SB_BIN" run badsec.ini --output o4

# Per-sequence faults: each makes its own file from the good one.
mk() { cp data/pose.h5 "$1.h5"; $PY - "$1.h5" "$2" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r+"); what = sys.argv[2]
s = f["sequences/S01_Walking"]
if what == "nan":
    a = s["pred"][...]; a[3, 5, 1] = np.nan; del s["pred"]; s["pred"] = a
elif what == "shape":
    a = s["pred"][...]; del s["pred"]; s["pred"] = a[:, :, :2]
elif what == "joints":
    a = s["gt"][...]; del s["gt"]; s["gt"] = a[:, :16, :]
elif what == "empty":
    del s["gt"]; del s["pred"]; s["gt"] = np.zeros((0, 17, 3)); s["pred"] = np.zeros((0, 17, 3))
elif what == "frames":
    a = s["pred"][...]; del s["pred"]; s["pred"] = a[:-1]
f.close()
PY
}
mk nan nan
one_line_error "NaN in pred" "sequences/S01_Walking/pred holds NaN at flat index 169" 1 - "$SB_BIN" pose eval --input nan.h5 --output o5
grep -q "pose/S01_Walking,read," o5/failures.csv && ok "NaN: failures.csv names unit and stage" || bad "NaN: failures.csv: $(cat o5/failures.csv)"
[ "$(grep -c '^S0' o5/pose.csv)" -eq 3 ] && ok "NaN: the other 3 sequences are evaluated" || bad "NaN: pose.csv: $(cat o5/pose.csv)"
mk shape shape
one_line_error "wrong shape" "S01_Walking/pred has shape (20x17x2) but gt has (20x17x3)" 1 - "$SB_BIN" pose eval --input shape.h5 --output o6
mk joints joints
one_line_error "J mismatch" "S01_Walking/gt has 16 joints but the skeleton (root attribute parents) has 17" 1 - "$SB_BIN" pose eval --input joints.h5 --output o7
mk empty empty
one_line_error "empty sequence" "S01_Walking/gt is an empty sequence" 1 - "$SB_BIN" pose eval --input empty.h5 --output o8
mk frames frames
one_line_error "frame count mismatch" "S01_Walking/pred has shape (19x17x3) but gt has (20x17x3)" 1 - "$SB_BIN" pose eval --input frames.h5 --output o9
finish
