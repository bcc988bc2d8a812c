# splitcomp eval against the independent numpy replay (tests/reference/splitcomp_ref.py): every
# cell of splitcomp_configs, splitcomp_fronts, splitcomp_runs and splitcomp.csv, to 1e-9
# relative (counts, switches, flags exactly), on random inputs with zero-capacity segments, switch
# costs, loop and hold, warm-up, header overhead, propagation delay and --auc-range; then the
# same CSVs from 1 and 2 ranks and from a suite section, byte for byte, with the shuffled order
# and several seeds.
source "$(dirname "$0")/lib.sh"
REF="$SB_SOURCE_DIR/tests/reference/splitcomp_ref.py"
mkdir -p data
$PY "$REF" make data 11
cmp_ref() { # cmp_ref NAME INPUT TRACES "CLI OPTIONS" "REF OPTIONS"
  if "$SB_BIN" splitcomp eval --input "$2" --traces "$3" --output "$1" --order file $4 --quiet >/dev/null &&
     $PY "$REF" check "$1" "$2" "$3" $5; then ok "$1: every cell equals numpy"; else bad "$1 differs from numpy"; fi
}
cmp_ref loop data/sc_a.h5 data/tr_a.h5 "--deadlines 0.3,0.8 --fps 2 --seconds 40 --warmup 3 --header-overhead 0.05 --prop-delay 0.01 --auc-range 3000,50000" \
  "deadlines=0.3,0.8 fps=2 seconds=40 warmup=3 header=0.05 prop=0.01 auc_range=3000,50000"
cmp_ref busy data/sc_a.h5 data/tr_a.h5 "--deadlines 0.25,0.5 --fps 6 --seconds 25 --warmup 2 --auc-range 100,8000" \
  "deadlines=0.25,0.5 fps=6 seconds=25 warmup=2 auc_range=100,8000"
cmp_ref hold data/sc_b.h5 data/tr_b.h5 "--deadlines 0.2,0.5,1 --fps 3 --trace-end hold --seconds 20" \
  "deadlines=0.2,0.5,1 fps=3 trace_end=hold seconds=20"
cmp_ref default data/sc_b.h5 data/tr_b.h5 "--policies oracle,static:c2,ewma-srv" "policies=oracle,static:c2,ewma-srv"
# Traces inside the input (--traces defaults to it), added there by the converter: a 2-row CSV
# of 800 and 400 kbit/s on 1-s rows becomes a 2-s trace.
cp data/sc_b.h5 inside.h5
printf 'time kbps\n5 800\n6 400\n' > rate.txt
"$SB_BIN" splitcomp convert --csv rate.txt --name csv1 --output inside.h5 >/dev/null
cmp_ref inside inside.h5 inside.h5 "--fps 2 --seconds 10" "fps=2 seconds=10"
if "$SB_BIN" splitcomp eval --input inside.h5 --output inside2 --order file --fps 2 --seconds 10 --quiet >/dev/null &&
   cmp -s inside/splitcomp.csv inside2/splitcomp.csv; then ok "--traces defaults to the input"; else bad "--traces default"; fi
# The spec's figures are not all degenerate: some runs miss some deadlines, some switch.
if awk -F, 'NR > 1 && $8 > 0 && $8 < 1 { m = 1 } NR > 1 && $14 > 0 { s = 1 } END { exit !(m && s) }' loop/splitcomp_runs.csv
then ok "loop: runs with 0 < miss_rate < 1 and with switches"; else bad "loop: the runs are degenerate"; fi

# Rank invariance, shuffled orders.
run2() { "$SB_BIN" gen splitcomp --output gen --seed 4 --samples 300 --traces 2 --trace-seconds 40 >/dev/null; }
run2
opts="--input gen/splitcomp.h5 --traces gen/traces.h5 --seeds 3 --seed 9 --quiet"
"$SB_BIN" splitcomp eval $opts --output r1 >/dev/null
mpirun -n 2 "$SB_BIN" splitcomp eval $opts --output r2 >/dev/null
for t in splitcomp splitcomp_runs splitcomp_configs splitcomp_fronts; do same_files r1/$t.csv r2/$t.csv "$t.csv: 1 and 2 ranks"; done
# The same as a suite section.
printf '[suite]\nseed = 9\n[splitcomp]\ninput = gen/splitcomp.h5\ntraces = gen/traces.h5\nseeds = 3\n' > sc.ini
"$SB_BIN" run sc.ini --output r4 --quiet >/dev/null
for t in splitcomp splitcomp_runs; do same_files r1/$t.csv r4/$t.csv "$t.csv: suite section [splitcomp] = command line"; done
"$SB_BIN" splitcomp eval ${opts/--seed 9/--seed 10} --output r3 >/dev/null
if cmp -s r1/splitcomp_runs.csv r3/splitcomp_runs.csv; then bad "another --seed gives the same shuffled runs"; else ok "--seed changes the shuffle"; fi
# The analysis plots: both PNGs written and not trivially small; a table without rows refused.
$PY "$SB_SOURCE_DIR/analysis/plot_splitcomp.py" r1 plots >/dev/null && ok "plot script ran" || bad "plot script failed"
for f in pareto policies; do
  p=plots/$f.png
  if [ -f "$p" ] && [ "$(head -c 8 "$p" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s "$p")" -gt 10000 ]; then
    ok "$f.png is a non-empty PNG"; else bad "$f.png missing or not a PNG"; fi
done
mkdir -p empty && head -1 r1/splitcomp_configs.csv > empty/splitcomp_configs.csv
$PY "$SB_SOURCE_DIR/analysis/plot_splitcomp.py" empty p2 2>/dev/null && bad "empty table accepted" || ok "empty table refused"
finish
