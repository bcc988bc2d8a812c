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
one_line_error "NaN in pred" "sequences/S01_Walking/pred\\[3, 5, 1\\] holds NaN" 1 - "$SB_BIN" pose eval --input nan.h5 --output o5
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

# Hostile files: a FIFO or a folder as the input is refused at once (no reader blocks).
mkfifo fifo.h5
one_line_error "FIFO input" "fifo.h5: not a regular file (a FIFO)" 2 o10 timeout 60 "$SB_BIN" pose eval --input fifo.h5 --output o10
mkdir folder.h5
one_line_error "folder input" "folder.h5: not a regular file (a directory)" 2 o11 "$SB_BIN" pose eval --input folder.h5 --output o11

# Declared shapes: an extendible dataset grown far past what was written (2^40 x 17 x 3 doubles
# overflow the size limit; 1000 frames leave unwritten chunks that would read as zeros).
grow() { cp data/pose.h5 "$1.h5"; $PY - "$1.h5" "$2" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r+"); s = f["sequences/S01_Walking"]
a = s["gt"][...]; del s["gt"]
d = s.create_dataset("gt", data=a, maxshape=(None, 17, 3), chunks=(1, 17, 3))
d.resize((int(sys.argv[2]), 17, 3)); f.close()
PY
}
grow huge $((1 << 40))
one_line_error "declared shape past the limit" "S01_Walking/gt declares shape (1099511627776x17x3) of 8-byte elements" 1 - "$SB_BIN" pose eval --input huge.h5 --output o12
[ "$(grep -c '^S0' o12/pose.csv)" -eq 3 ] && ok "huge shape: the other 3 sequences are evaluated" || bad "huge shape: pose.csv: $(cat o12/pose.csv)"
grow partly 1000
one_line_error "partly written dataset" "S01_Walking/gt is only partly written (20 of 1000 chunks stored)" 1 - "$SB_BIN" pose eval --input partly.h5 --output o13

# The skeleton: each fault is refused before any unit runs, naming the attribute and index.
skel() { cp data/pose.h5 "$1.h5"; $PY - "$1.h5" "$2" "$3" <<'PY'
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r+"); v = np.array(json.loads(sys.argv[3]), dtype=np.int64)
f.attrs[sys.argv[2]] = v.reshape(-1, 2) if sys.argv[2] == "lr_pairs" else v
f.close()
PY
}
chain='[-1,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]'
skel range parents "${chain/15]/99]}"
one_line_error "parent out of range" "root attribute parents\[16\] = 99: not -1 (a root) or a joint 0..16" 2 o14 "$SB_BIN" pose eval --input range.h5 --output o14
skel negative parents "${chain/15]/-7]}"
one_line_error "negative parent" "root attribute parents\[16\] = -7" 2 o15 "$SB_BIN" pose eval --input negative.h5 --output o15
skel cycle parents "${chain/-1,0,1,2/-1,0,3,2}"
one_line_error "cycle of parents" "root attribute parents\[2\]: the chain of parents from joint 2 loops" 2 o16 "$SB_BIN" pose eval --input cycle.h5 --output o16
skel noskel parents '[]'
one_line_error "empty skeleton" "root attribute parents holds 0 values" 2 o17 "$SB_BIN" pose eval --input noskel.h5 --output o17
skel lr lr_pairs '[1,4,2,-5]'
one_line_error "negative lr_pairs joint" "root attribute lr_pairs\[1\]\[1\] = -5: not a joint 0..16" 2 o18 "$SB_BIN" pose eval --input lr.h5 --output o18
finish
