#!/usr/bin/env bash
# bench_forecast.sh — `shardbench forecast eval` on the two workloads of docs/forecasting.md,
# each against the floor (reading the input once) and the Argoverse 2 reference:
#   long:  gen forecast --size av2 --seed 1                           150 logs x 150 frames x ~60
#   short: gen forecast --size small --logs 6000 --frames 6 --seed 1  6,000 logs x 6 frames x ~30
# (1.36 M and 1.16 M ground-truth agents). `gen forecast` sizes a file by --logs, --frames (per
# log) and --agents (per frame, about); --size sets all three.
#
# usage: bench/bench_forecast.sh [AV2_API_GITDIR [long|short|both]]
# Without AV2_API_GITDIR (a clone or the bare git dir of github.com/argoverse/av2-api) the
# reference is left out. The reference runs on the first logs holding about 30,000 agents and
# its rate is scaled per agent to the whole file (bench_forecast.c says why that holds).
# The inputs are generated once into $SB_FC_BENCH_DIR (default /tmp/sb-bench-forecast) and
# reused; the machine's load is printed before each workload. SB_BIN and SB_BENCH_BIN name
# other builds of shardbench and bench_forecast (to measure an older commit).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/scripts/env.sh"
build=${BUILD_DIR:-$top/build}
sb=${SB_BIN:-$build/shardbench}
bench=${SB_BENCH_BIN:-$build/bench/bench_forecast}
[ -x "$sb" ] && [ -x "$bench" ] || { echo "bench_forecast.sh: build first (bash scripts/build.sh)" >&2; exit 2; }
dir=${SB_FC_BENCH_DIR:-/tmp/sb-bench-forecast}
ref=${1:-}
which=${2:-both}
mkdir -p "$dir"
run() { # run NAME GEN-OPTIONS...
  local name=$1; shift
  if [ ! -s "$dir/$name/forecast.h5" ]; then
    echo "generating $name: gen forecast $* --seed 1"
    "$sb" gen forecast --output "$dir/$name" --seed 1 "$@"
  fi
  echo "== $name (gen forecast $*); load: $(uptime | sed 's/.*load average: //')"
  SB_BIN=$sb "$bench" "$dir/$name/forecast.h5" ${ref:+"$ref"}
}
[ "$which" = short ] || run long --size av2
[ "$which" = long ] || run short --size small --logs 6000 --frames 6
