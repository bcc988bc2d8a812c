#!/usr/bin/env bash
# Configures and builds shardbench into BUILD_DIR (default: build/). Extra arguments go to cmake.
# This is the dev and CI build (scripts/test.sh and scripts/main.sh use it): warnings are errors.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSB_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
