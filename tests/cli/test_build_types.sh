# A Release build (-O3, where gcc's flow analysis warns most) with SB_WERROR=ON configures and
# builds the program warning-free; SB_WERROR really adds -Werror and is off by default.
# Builds the library and shardbench only (not the unit tests and benches): about a minute at -j2.
source "$(dirname "$0")/lib.sh"
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$SB_BUILD_DIR/CMakeCache.txt")
tree=$SB_TEST_TMP/release
if cmake -S "$SB_SOURCE_DIR" -B "$tree" -DCMAKE_BUILD_TYPE=Release -DSB_WERROR=ON \
     -DCMAKE_C_COMPILER="$cc" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >configure.log 2>&1; then
  ok "Release tree configures"
else
  bad "Release configure"; tail -20 configure.log
fi
grep -q -- '-Werror' "$tree/compile_commands.json" && grep -q -- '-O3' "$tree/compile_commands.json" &&
  ok "SB_WERROR=ON compiles with -Werror at -O3" || bad "no -Werror or -O3 in $tree/compile_commands.json"
if cmake --build "$tree" -j2 --target shardbench >build.log 2>&1; then
  ok "Release build with -Werror"
else
  bad "Release build with -Werror"; grep -E -A3 'error|warning' build.log | head -40
fi
# The default is off: a user's newer compiler must not stop the build over a new warning.
cmake -S "$SB_SOURCE_DIR" -B default -DCMAKE_C_COMPILER="$cc" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null 2>&1
grep -q -- '-Wextra' default/compile_commands.json && ! grep -q -- '-Werror' default/compile_commands.json &&
  ok "SB_WERROR is off by default (-Wall -Wextra stay)" || bad "default flags: $(grep -m1 command default/compile_commands.json)"
rm -rf "$tree" default
finish
