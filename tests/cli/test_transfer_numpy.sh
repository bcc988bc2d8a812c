# The demo zoo's scores.csv (float32 features) against numpy/sklearn implementations of the
# spec's definitions (transfer_numpy_check.py) for logme, leep, nce, hscore, hscore_reg,
# transrate, gbc and knn, 1e-6 relative, through the CLI.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen transfer --output zoo --seed 22 --datasets 2 --models 3 >/dev/null
mpirun -n 2 "$SB_BIN" transfer score --manifest zoo/manifest.csv --output out --quiet >/dev/null
$PY "$SB_SOURCE_DIR/tests/cli/transfer_numpy_check.py" zoo/manifest.csv out/scores.csv && ok "scores equal numpy" || bad "scores differ from numpy"
finish
