# Python bridge (python/shardbench): every input format written by the bridge from the arrays of a
# `shardbench gen` file is read by shardbench with the same values: each task's output CSVs are
# byte-identical to those of the generated file (timing columns aside), and single metrics equal
# numpy on the bridge's inputs (python_roundtrip.py).
source "$(dirname "$0")/lib.sh"
if ! $PY -c "import numpy, h5py" 2>/dev/null; then
  echo "SKIPPED: $PY has no numpy or h5py (apt-get install python3-numpy python3-h5py)"; exit 77
fi
export PYTHONPATH="$SB_SOURCE_DIR/python${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p work
$PY "$SB_SOURCE_DIR/tests/cli/python_roundtrip.py" "$SB_BIN" work && ok "bridge files read with the same values" \
  || bad "a bridge-written file gave different results (see above)"
finish
