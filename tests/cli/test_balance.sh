# Dynamic balance on any transport (issue 11): one long unit and many short ones, run with
# Open MPI forced onto TCP as between nodes, with Debian's stock one-sided setting (no
# window at all) and with osc pt2pt, and on shared memory. The rank that runs the long unit
# must not hold the short ones back: the long unit takes twice all the short ones together,
# so the other rank runs nearly all of them (>= 90%). The journal
# says which rank ran what; no wall time is asserted. Results equal for every rank count.
source "$(dirname "$0")/lib.sh"
cat > long.ini <<INI
[suite]
name = balance
[noop]
long = 1
long_ms = 3000
units = 150
short_ms = 10
INI
check_long() { # check_long OUTDIR WHAT: the ranks without the long unit ran >= 90% of the short ones
  $PY - "$1" "$2" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["SB_SOURCE_DIR"], "tests", "cli"))
from journal_ranks import units_by_rank
ranks = units_by_rank(sys.argv[1])
holder = [r for r, ids in ranks.items() if 0 in ids]
short_total = sum(len([u for u in ids if u != 0]) for ids in ranks.values())
others = sum(len(ids) for r, ids in ranks.items() if r not in holder)
share = others / 150
print(f"{sys.argv[2]}: long unit on rank {holder}, the other ranks ran {others} of {short_total} short units")
sys.exit(0 if len(holder) == 1 and short_total == 150 and share >= 0.9 else 1)
PY
}
TCP="--mca btl tcp,self"
for cfg in "stock:$TCP --mca osc ^sm,ucx,pt2pt" "pt2pt:$TCP --mca osc pt2pt" "shm:"; do
  name=${cfg%%:*}; mca=${cfg#*:}
  # shellcheck disable=SC2086
  if mpirun -n 2 $mca "$SB_BIN" run long.ini --output "long_$name" --quiet >"long_$name.log" 2>&1; then
    ok "$name: the run completes"
  else
    bad "$name: the run failed"; cat "long_$name.log"
  fi
  check_long "long_$name" "$name" && ok "$name: the long unit does not hold back the short ones" \
    || bad "$name: the short units waited for the long one"
done

# An uneven zoo on 2 ranks: every rank does its share (the slower rank's summed unit time
# is at most 1/0.9 of the ideal half), with rank 0 a full worker (no idle dispatcher).
cat > uneven.ini <<INI
[suite]
name = uneven
[noop]
long = 3
long_ms = 300
units = 120
short_ms = 20
INI
mpirun -n 2 $TCP --mca osc ^sm,ucx,pt2pt "$SB_BIN" run uneven.ini --output uneven --quiet >/dev/null 2>&1 \
  && ok "uneven zoo runs over TCP" || bad "uneven zoo failed"
$PY - uneven <<'PY' && ok "2-rank balance efficiency >= 90%" || bad "2-rank balance efficiency < 90%"
import os, sys
sys.path.insert(0, os.path.join(os.environ["SB_SOURCE_DIR"], "tests", "cli"))
from journal_ranks import units_by_rank
ms = lambda u: 300 if u < 3 else 20
load = {r: sum(ms(u) for u in ids) for r, ids in units_by_rank(sys.argv[1]).items()}
total = 3 * 300 + 120 * 20
eff = total / (len(load) * max(load.values())) if load else 0
print(f"per-rank unit time (ms): {load}; efficiency {eff:.3f}")
sys.exit(0 if len(load) == 2 and eff >= 0.9 else 1)
PY

# The same results whatever the number of ranks or transport.
mpirun -n 1 "$SB_BIN" run long.ini --output long_1 --quiet >long_1.log 2>&1 || { bad "1-rank run failed"; cat long_1.log; }
mpirun -n 3 $TCP "$SB_BIN" run long.ini --output long_3 --quiet >long_3.log 2>&1 || { bad "3-rank run failed"; cat long_3.log; }
for d in long_stock long_pt2pt long_shm long_3; do
  same_files long_1/noop.csv "$d/noop.csv" "noop.csv of $d equals the 1-rank run"
done
finish
