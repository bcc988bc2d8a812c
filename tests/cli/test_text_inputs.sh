# Text inputs end to end: a suite with a 320-character input path runs; a NUL byte, a FIFO
# and out-of-range or overflowing numbers are refused with exit 2 and one line naming them.
source "$(dirname "$0")/lib.sh"
refused() { # what pattern cmd...: exit 2 and a one-line message matching pattern
  local what=$1 pat=$2; shift 2
  local out rc
  out=$(timeout 60 "$@" 2>&1) && rc=0 || rc=$?
  if [ "$rc" -eq 2 ] && grep -q -- "$pat" <<<"$out" && [ "$(grep -c . <<<"$out")" -eq 1 ]; then
    ok "$what"
  else
    bad "$what: rc=$rc: $out"
  fi
}

# A 320-character path (the old inih reader split lines at 199 characters).
long=d/$(printf 'x%.0s' $(seq 1 100))/$(printf 'y%.0s' $(seq 1 100))/$(printf 'z%.0s' $(seq 1 100))/$(printf "w%.0s" $(seq 1 20))
mkdir -p "$long"
"$SB_BIN" gen pose --output "$long" --seed 3 --sequences 2 --frames 12 --hyps 0 >/dev/null
[ $(( ${#long} + 9 )) -ge 320 ] && ok "input value of $(( ${#long} + 9 )) characters" || bad "path too short"
printf '[suite]\nseed = 1\n[pose]\ninput = %s/pose.h5\n' "$long" > long.ini
if "$SB_BIN" run long.ini --output olong --quiet >/dev/null 2>err.txt; then
  ok "suite with a ${#long}-character input path runs"
else
  bad "long path suite: $(cat err.txt)"
fi

printf '[suite]\nseed = 1\n[pose]\ninput = x.h5\0\n[judge]\n' > nul.ini
refused "NUL byte in a suite" "nul.ini line 4: a NUL byte" "$SB_BIN" run nul.ini --output onul
mkfifo fifo.ini
refused "FIFO as a suite" "fifo.ini: not a regular file (a FIFO)" "$SB_BIN" run fifo.ini --output ofifo
mkfifo fifo.csv
refused "FIFO as a CSV" "fifo.csv: not a regular file (a FIFO)" "$SB_BIN" show fifo.csv
printf 'a,b\n1,2,3\n' > ragged.csv
refused "ragged CSV row" "ragged.csv line 2 (row 1), field 3: 3 fields, but the header has 2" "$SB_BIN" show ragged.csv

refused "--seed beyond 2^64-1" "--seed must be an integer from 0 to 18446744073709551615" \
  "$SB_BIN" pose eval --input "$long/pose.h5" --output o1 --seed 18446744073709551616
refused "--seed negative" "--seed must be an integer" "$SB_BIN" pose eval --input "$long/pose.h5" --output o2 --seed -1
refused "--shard 1/99999999999" "--shard takes i/n with 1 <= i <= n <= 100000" \
  "$SB_BIN" pose eval --input "$long/pose.h5" --output o3 --shard 1/99999999999
refused "show --rows -1" "--rows must be an integer from 0" "$SB_BIN" show ragged.csv --rows -1
refused "gen pose --sequences 1e12" "'sequences' must be an integer from 1 to 10000, not '1e12'" \
  "$SB_BIN" gen pose --output o4 --sequences 1e12
refused "gen pose --sequences 1000000000000" "'sequences' must be an integer from 1 to 10000" \
  "$SB_BIN" gen pose --output o5 --sequences 1000000000000
refused "quantify --samples 100000000" "'samples' must be an integer from 1 to 1000000" \
  "$SB_BIN" distshift quantify --input x.h5 --output o6 --samples 100000000
# (into a file: `| grep -q` closes the pipe at the first match, and under pipefail the writer's
# SIGPIPE on the rest of the help would fail the check at random)
"$SB_BIN" gen pose --help >help.txt && grep -q -- "--sequences .*(1..10000)" help.txt && ok "--help shows the range" || bad "--help range"
finish
