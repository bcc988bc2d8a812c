# Python bridge: every writer refuses bad shapes, dtypes, ranges and names with a FormatError that
# names the writer, the array and the first bad index, and leaves no file behind; a sample of the
# same defects written raw with h5py is refused by shardbench too (python_bad.py).
source "$(dirname "$0")/lib.sh"
if ! $PY -c "import numpy, h5py" 2>/dev/null; then
  echo "SKIPPED: $PY has no numpy or h5py (apt-get install python3-numpy python3-h5py)"; exit 77
fi
export PYTHONPATH="$SB_SOURCE_DIR/python${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p work
$PY "$SB_SOURCE_DIR/tests/cli/python_bad.py" "$SB_BIN" work && ok "bad inputs refused by the bridge and by shardbench" \
  || bad "a bad input was accepted or refused unclearly (see above)"
finish
