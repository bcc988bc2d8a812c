# `run --shard i/n` then `merge` gives the files of one unsharded run, byte for byte.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen pose --output data --seed 13 --sequences 10 --frames 50 >/dev/null
cat > suite.ini <<INI
[suite]
name = shards
seed = 1
[pose]
input = data/pose.h5
[pose.rr]
input = data/pose.h5
root_relative = true
INI
mpirun -n 2 "$SB_BIN" run suite.ini --output whole --quiet >/dev/null
for i in 1 2 3; do
  "$SB_BIN" run suite.ini --shard $i/3 --output shard$i --quiet >/dev/null
done
[ ! -e shard1/pose.csv ] && ok "a shard writes no partial tables" || bad "shard wrote pose.csv"
"$SB_BIN" merge shard1 shard2 --output merged >merge.log 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 2 ] && grep -q "no record" merge.log && ok "merge of 2 of 3 shards is refused" || { bad "incomplete merge rc=$rc"; cat merge.log; }
"$SB_BIN" merge shard1 shard2 shard3 --output merged --quiet >/dev/null
for f in pose.csv pose-rr.csv failures.csv; do
  same_files whole/$f merged/$f "merged $f equals the unsharded run"
done
cmp -s whole/pose.csv whole/pose-rr.csv && bad "root_relative changed nothing" || ok "labelled instance [pose.rr] has its own table"
finish
