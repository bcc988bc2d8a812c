# splitcomp bad input (specs/splitcomp.md "Inputs"): each fault is one line naming the file, the
# dataset and the first bad index; exit 2 before any unit, no results files; the same from 2
# ranks. The converters refuse bad logs and an existing trace name the same way.
source "$(dirname "$0")/lib.sh"
REF="$SB_SOURCE_DIR/tests/reference/splitcomp_ref.py"
mkdir -p data
$PY "$REF" make data 3
one_line_error() { # what pattern output_dir cmd...
  local what=$1 pat=$2 dir=$3; shift 3
  local out rc
  out=$("$@" 2>&1) && rc=0 || rc=$?
  if [ "$rc" -eq 2 ] && grep -q -- "$pat" <<<"$out" && [ "$(grep -c "error:" <<<"$out")" -eq 1 ]; then ok "$what"
  else bad "$what: rc=$rc: $out"; fi
  if ls "$dir"/*.csv "$dir"/results.h5 >/dev/null 2>&1 || ls "$dir"/journal/*.sbj >/dev/null 2>&1 &&
     grep -q -a KRBS "$dir"/journal/*.sbj; then bad "$what: a unit ran or results were written"; fi
}
# mk NAME:WHAT ...: copies of the good input (sc_a.h5 + tr_a.h5) as NAME.h5, NAME_tr.h5, each
# with one fault (one python run for all: each start costs a second)
mk() { $PY - "$@" <<'PY'
import shutil, sys, h5py, numpy as np
for arg in sys.argv[1:]:
  name, what = arg.split(":")
  shutil.copy("data/sc_a.h5", f"{name}.h5"); shutil.copy("data/tr_a.h5", f"{name}_tr.h5")
  f = h5py.File(f"{name}.h5", "r+"); t = h5py.File(f"{name}_tr.h5", "r+")
  g = f["splitcomp"]
  def put(grp, name, a):
      del grp[name]; grp[name] = a
  if what == "time":
      a = t["traces/t1a/time_s"][...]; a[2] = a[1]; put(t["traces/t1a"], "time_s", a)
  elif what == "first":
      a = t["traces/t0a/time_s"][...]; a[0] = 0.5; put(t["traces/t0a"], "time_s", a)
  elif what == "cap":
      a = t["traces/t2a/bps"][...]; a[1] = -5; put(t["traces/t2a"], "bps", a)
  elif what == "nobits":
      a = t["traces/t2a/bps"][...]; a[:] = 0; put(t["traces/t2a"], "bps", a)
  elif what == "dur":
      t["traces/t0a"].attrs["duration_s"] = t["traces/t0a/time_s"][-1]
  elif what == "notrace":
      for n in list(t["traces"].keys()): del t["traces"][n]
  elif what == "bytes":
      a = g["payload_bytes"][...]; a[2, 4] = -3; put(g, "payload_bytes", a)
  elif what == "bytes0":
      a = g["payload_bytes"][...]; a[1, 0] = 0; put(g, "payload_bytes", a)
  elif what == "secs":
      a = g["t_enc"][...]; a[3, 2] = -0.01; put(g, "t_enc", a)
  elif what == "srvnan":
      a = g["t_srv"][...]; a[0, 5] = np.nan; put(g, "t_srv", a)
  elif what == "missing":
      a = g["t_srv"][...]; put(g, "t_srv", a[:, :-1])
  elif what == "rows":
      a = g["payload_bytes"][...]; put(g, "payload_bytes", a[:-1])
  elif what == "names":
      n = [s.decode() for s in g["configs/name"][...]]; n[4] = n[1]
      put(g["configs"], "name", np.array(n, dtype=h5py.string_dtype()))
  elif what == "both":
      g["score"] = g["correct"][...].astype(float)
  elif what == "two":
      a = g["correct"][...]; a[1, 1] = 2; put(g, "correct", a)
  elif what == "lastzero":
      a = t["traces/t1a/bps"][...]; a[-1] = 0; put(t["traces/t1a"], "bps", a)
  elif what == "switch":
      a = g["switch_s"][...]; a[2, 3] = -1; put(g, "switch_s", a)
  f.close(); t.close()
PY
}
mk time:time first:first cap:cap nobits:nobits dur:dur notrace:notrace bytes:bytes bytes0:bytes0 secs:secs \
   srvnan:srvnan missing:missing rows:rows names:names both:both two:two switch:switch hold:lastzero \
   warm:none pol:none stat:none r2:time
check() { # check WHAT PATTERN [extra options]
  local w=$1 pat=$2; shift 2
  one_line_error "$w" "$pat" "o_$w" "$SB_BIN" splitcomp eval --input "$w.h5" --traces "${w}_tr.h5" --output "o_$w" "$@"
}
check time "time_tr.h5: /traces/t1a/time_s\[2\] = .* is not after time_s\[1\]"
check first "first_tr.h5: /traces/t0a/time_s\[0\] = 0.5: the first time must be 0"
check cap "cap_tr.h5: /traces/t2a/bps\[1\] = -5: a capacity must be >= 0"
check nobits "nobits_tr.h5: /traces/t2a carries no bits"
check dur "dur_tr.h5: /traces/t0a attribute duration_s"
check notrace "notrace_tr.h5: /traces holds no trace"
check bytes "bytes.h5: /splitcomp/payload_bytes\[2, 4\] = -3: must be >= 1"
check bytes0 "bytes0.h5: /splitcomp/payload_bytes\[1, 0\] = 0: must be >= 1"
check secs "secs.h5: /splitcomp/t_enc\[3, 2\] = -0.01: must be >= 0"
check srvnan "srvnan.h5.*/splitcomp/t_srv.*\[0, 5\]"
check missing "missing.h5: /splitcomp/t_srv has shape (6x8) but correct has (6x9)"
check rows "rows.h5: /splitcomp/payload_bytes has shape (5x9) but correct has (6x9)"
check names "names.h5: /splitcomp/configs/name\[4\] repeats name\[1\]"
check both "both.h5: /splitcomp needs exactly one of correct and score"
check two "two.h5: /splitcomp/correct\[1, 1\] = 2: must be 0 or 1"
check switch "switch.h5: /splitcomp/switch_s\[2, 3\] = -1: must be >= 0"
one_line_error hold "hold_tr.h5: /traces/t1a/bps\[[0-9]*\] = 0: with trace_end hold" o_hold "$SB_BIN" splitcomp eval --input hold.h5 --traces hold_tr.h5 --output o_hold --trace-end hold
check warm "gives [0-9]* frames, all of them warm-up (100000)" --warmup 100000
check pol "unknown policy 'fastest'" --policies static,fastest
check stat "has no configuration named 'zz'" --policies static:zz
one_line_error "2 ranks" "r2_tr.h5: /traces/t1a/time_s\[2\]" o_r2 mpirun -n 2 "$SB_BIN" splitcomp eval --input r2.h5 --traces r2_tr.h5 --output o_r2

# Converters.
printf '0\n3\n2\n9\n' > back.up
one_line_error "mahimahi going back" "back.up: line 3: 2 ms comes before" o_c1 "$SB_BIN" splitcomp convert --mahimahi back.up --name x --output c.h5
printf '0\n1.5\n' > frac.up
one_line_error "mahimahi fraction" "frac.up: line 2: '1.5' is not a time in whole milliseconds" o_c2 "$SB_BIN" splitcomp convert --mahimahi frac.up --name x --output c.h5
printf 't,kbps\n0,100\n' > one.csv
one_line_error "csv one row" "one.csv: 1 data rows" o_c3 "$SB_BIN" splitcomp convert --csv one.csv --name x --output c.h5
printf '0,100\n1,-4\n' > neg.csv
one_line_error "csv negative rate" "neg.csv: line 2" o_c4 "$SB_BIN" splitcomp convert --csv neg.csv --name x --output c.h5
printf '0,100\n1,200\n' > ok.csv
"$SB_BIN" splitcomp convert --csv ok.csv --name x --output c.h5 >/dev/null && ok "convert writes c.h5" || bad "convert ok.csv"
one_line_error "existing trace" "c.h5: /traces/x already exists" o_c5 "$SB_BIN" splitcomp convert --csv ok.csv --name x --output c.h5
if [ -e o_c1 ]; then bad "converter made an output folder"; fi
finish
