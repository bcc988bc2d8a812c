# Python bridge: python/ installs with pip (Debian's pip and setuptools, nothing downloaded:
# --no-deps --no-build-isolation) into a target folder, and the installed package, imported from
# there alone, writes a file shardbench reads. Built from a copy so the source tree stays clean.
# Skipped (exit 77) when python3-pip or python3-setuptools is absent.
source "$(dirname "$0")/lib.sh"
if ! $PY -m pip --version >/dev/null 2>&1 || ! $PY -c "import setuptools" 2>/dev/null; then
  echo "SKIPPED: $PY has no pip or setuptools (apt-get install python3-pip python3-setuptools)"; exit 77
fi
cp -r "$SB_SOURCE_DIR/python" src
rm -rf src/build src/*.egg-info
if PIP_NO_INDEX=1 $PY -m pip install --quiet --no-deps --no-build-isolation --target site ./src >pip.log 2>&1; then
  ok "pip install --target site python/"
else
  bad "pip install failed"; cat pip.log
fi
mkdir -p elsewhere && cd elsewhere
PYTHONPATH="$SB_TEST_TMP/site" $PY -c '
import os, sys, numpy as np, shardbench as sb
assert os.path.realpath(sb.__file__).startswith(os.path.realpath(sys.argv[1])), sb.__file__
sb.write_distshift_sets("p.h5", {"s": {"score": np.array([0.9, 0.2, 0.7, 0.4]), "label": [1, 0, 0, 0]}})
print(sb.__version__, sb.__file__)
' "$SB_TEST_TMP/site" && ok "installed package imports from the target folder and writes" || bad "installed package unusable"
"$SB_BIN" distshift eval --input p.h5 --output out --quiet >/dev/null && grep -q '^s,4,0.75,' out/distshift.csv \
  && ok "shardbench reads the installed bridge's file (accuracy 0.75)" || { bad "distshift eval of the installed bridge's file"; cat out/distshift.csv; }
finish
