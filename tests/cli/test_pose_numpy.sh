# Every cell of pose.csv (sequences, actions, ALL) equals what numpy computes from the spec's
# definitions on the same file (pose_numpy_check.py), to 1e-9 relative, through the CLI.
source "$(dirname "$0")/lib.sh"
"$SB_BIN" gen pose --output data --seed 15 --sequences 7 --frames 64 --hyps 3 >/dev/null
mpirun -n 2 "$SB_BIN" pose eval --input data/pose.h5 --output out --clip 27 --pck-threshold 120 --quiet >/dev/null
$PY "$SB_SOURCE_DIR/tests/cli/pose_numpy_check.py" data/pose.h5 out/pose.csv 27 120 && ok "pose.csv equals numpy" || bad "pose.csv differs from numpy"
finish
