# --help at every level, --version, and usage errors exit 2 with one line naming the problem.
source "$(dirname "$0")/lib.sh"
grep -q "^shardbench [0-9]" <("$SB_BIN" --version) && ok "--version" || bad "--version"
grep -q "pose eval" <("$SB_BIN" --help) && ok "top --help lists commands" || bad "top --help"
grep -q "eval" <("$SB_BIN" pose --help) && ok "group --help lists verbs" || bad "pose --help"
grep -q -- "--pck-threshold" <("$SB_BIN" pose eval --help) && ok "command --help lists task options" || bad "pose eval --help"
grep -q "\[pose\]" <("$SB_BIN" run --help) && ok "run --help lists suite tasks" || bad "run --help"
grep -q "sequences" <("$SB_BIN" gen --help) && ok "gen --help lists generator options" || bad "gen --help"
# Under mpirun every rank must exit 0 on --help (else mpirun fails the run) and only rank 0
# prints. The commands come from the top --help, so a new command is checked without an edit.
cmds=$("$SB_BIN" --help | sed -n '/^commands:/,/^$/p' | sed '1d;$d' | cut -c3-22 | sed 's/ *$//')
[ "$(wc -l <<<"$cmds")" -ge 10 ] && ok "top --help lists $(wc -l <<<"$cmds") commands" || bad "command list: $cmds"
groups=$(cut -d' ' -f1 <<<"$cmds" | sort -u)
while read -r c; do
  # shellcheck disable=SC2086  # "pose eval" is two words on purpose
  out=$(mpirun -n 2 "$SB_BIN" $c --help 2>&1 </dev/null) && rc=0 || rc=$?
  if [ "$rc" -eq 0 ] && [ "$(grep -c '^usage:' <<<"$out")" -eq 1 ]; then ok "mpirun -n 2: $c --help"
  else bad "mpirun -n 2: $c --help: rc=$rc, $(grep -c '^usage:' <<<"$out") usage lines"; fi
done < <(printf '%s\n%s\n' "$cmds" "$groups" | sort -u)
expect_usage() { # expect_usage "what" "pattern" cmd...
  local what=$1 pat=$2; shift 2
  local out rc
  out=$("$@" 2>&1) && rc=0 || rc=$?
  if [ "$rc" -eq 2 ] && grep -q -- "$pat" <<<"$out" && [ "$(grep -c 'error' <<<"$out")" -eq 1 ]; then ok "$what"; else bad "$what: rc=$rc: $out"; fi
}
expect_usage "unknown command" "unknown command 'frobnicate'" "$SB_BIN" frobnicate
expect_usage "unknown option" "unknown option --colour" "$SB_BIN" pose eval --input x.h5 --output o --colour red
expect_usage "missing --output" "output DIR is required" "$SB_BIN" pose eval --input x.h5
expect_usage "bad --shard" "shard takes i/n" "$SB_BIN" run s.ini --shard 4/3
expect_usage "bad option value" "pck_threshold' must be a finite number" "$SB_BIN" pose eval --input x.h5 --output o --pck-threshold abc
printf 'a,b,c\nx,1,0.5\ny,1,0.25\nx,2,0.125\n' > t.csv
out=$("$SB_BIN" show t.csv --where a=x,b=2 --columns c)
[ "$(echo "$out" | tail -1 | tr -d ' ')" = "0.125" ] && [ "$(echo "$out" | wc -l)" -eq 2 ] && ok "show --where with two conditions" || bad "show: $out"
finish
