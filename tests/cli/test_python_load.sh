# Python bridge: shardbench.load() returns every table of a suite run (pose, forecast, explain and
# splitcomp, under 2 ranks) as a pandas DataFrame, the CSV and results.h5 readings agree, and the
# provenance is attached (python_load.py).
source "$(dirname "$0")/lib.sh"
if ! $PY -c "import numpy, h5py, pandas" 2>/dev/null; then
  echo "SKIPPED: $PY has no pandas (apt-get install python3-pandas; scripts/setup.sh installs it)"; exit 77
fi
export PYTHONPATH="$SB_SOURCE_DIR/python${PYTHONPATH:+:$PYTHONPATH}"
"$SB_BIN" gen pose --output data --seed 2 --sequences 3 --frames 20 --hyps 2 >/dev/null
"$SB_BIN" gen forecast --output data --seed 2 --size demo >/dev/null
"$SB_BIN" gen explain --output data --seed 2 --images 100 --concepts 2 --outputs 2 >/dev/null
"$SB_BIN" gen splitcomp --output data --seed 2 --samples 100 --traces 1 --trace-seconds 20 >/dev/null
cat > suite.ini <<'INI'
[suite]
name = python-load
seed = 4

[pose]
input = data/pose.h5

[forecast]
input = data/forecast.h5

[explain]
input = data/explain.h5
bootstrap = 20

[splitcomp]
input = data/splitcomp.h5
traces = data/traces.h5
seeds = 1
INI
mpirun -n 2 "$SB_BIN" run suite.ini --output out --quiet >/dev/null && ok "suite ran" || bad "suite run failed"
$PY "$SB_SOURCE_DIR/tests/cli/python_load.py" out 2 && ok "load() returns every table with provenance" \
  || bad "load() missed or changed a table (see above)"
finish
