# Python bridge: the documented PyTorch example (python/examples/export_zoo.py) exports a zoo from
# tiny random torchvision-style networks on random images; the files hold what an independent
# forward pass gives, shardbench scores the zoo, and its LEEP equals numpy's (python_torch_zoo.py).
# Skipped (exit 77) without Debian's python3-torch, which CI does not install.
source "$(dirname "$0")/lib.sh"
if ! $PY -c "import torch" 2>/dev/null; then
  echo "SKIPPED: $PY has no torch: apt-get install python3-torch to run the PyTorch export example"; exit 77
fi
if ! $PY -c "import numpy, h5py" 2>/dev/null; then
  echo "SKIPPED: $PY has no numpy or h5py"; exit 77
fi
export PYTHONPATH="$SB_SOURCE_DIR/python${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p work
$PY "$SB_SOURCE_DIR/tests/cli/python_torch_zoo.py" "$SB_BIN" work && ok "PyTorch zoo export read by shardbench" \
  || bad "the PyTorch export example gave wrong files or scores (see above)"
finish
