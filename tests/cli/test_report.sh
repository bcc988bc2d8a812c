# shardbench report DIR (docs/report.md): a tiny suite over generated data (every task with a
# plot, and a noop task whose units 2 and 5 fail), a transfer evaluate run under it, then the
# report: written, usage errors exit 2, long tables truncated with a note, the same page from 1
# and 2 ranks, and the page checked in headless Chromium by report_browser_check.py (tables and
# plots visible, sorting by a header click, filtering, failures, provenance, no resource loaded,
# no console error). The screenshot stays in $SB_BUILD_DIR/report-screenshot.png.
source "$(dirname "$0")/lib.sh"

missing=""
[ -x /usr/bin/chromium ] || missing+=" chromium"
[ -x /usr/bin/chromedriver ] || missing+=" chromium-driver"
$PY -c "import selenium" 2>/dev/null || missing+=" python3-selenium"
$PY -c "import jinja2" 2>/dev/null || missing+=" python3-jinja2"
[ -r /usr/share/javascript/jquery-datatables/jquery.dataTables.min.js ] || missing+=" libjs-jquery-datatables"
if [ -n "$missing" ]; then
  echo "SKIPPED: the report test needs Debian's$missing (scripts/setup.sh installs them)"
  exit 77
fi

"$SB_BIN" gen pose --output data --seed 3 --sequences 4 --frames 40 --hyps 0 >/dev/null
"$SB_BIN" gen transfer --output data/zoo --seed 21 >/dev/null
"$SB_BIN" gen forecast --output data --seed 4 --size demo --logs 3 >/dev/null
"$SB_BIN" gen explain --output data --seed 3 --images 3000 --concepts 3 --outputs 2 >/dev/null
"$SB_BIN" gen splitcomp --output data --seed 5 >/dev/null
cat >tiny.ini <<'INI'
[suite]
name = tiny
seed = 7

[pose]
input = data/pose.h5

[transfer]
manifest = data/zoo/manifest.csv

[distshift]
rho_train = 0.5,0.9
test_sets = aligned,anti_aligned
diversity = 0,1
seeds = 2

[forecast]
input = data/forecast.h5

[explain]
input = data/explain.h5
bootstrap = 50

[splitcomp]
input = data/splitcomp.h5
traces = data/traces.h5
policies = static:44,ewma
seeds = 1

[noop]
units = 6
fail_every = 3
INI
rc=0
"$SB_BIN" run tiny.ini --output run --quiet >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] && ok "tiny suite ran, 2 noop units failed on purpose" || bad "tiny suite exit $rc (want 1)"
"$SB_BIN" transfer evaluate --scores run/scores.csv --truth run/truth.csv --output run/leaderboard --quiet >/dev/null

"$SB_BIN" report run >report.out && [ -s run/report.html ] && grep -q "run/report.html" report.out \
  && ok "report written, path printed" || bad "shardbench report run"

# Usage: no folder, a missing folder, a folder without tables: exit 2, one line saying why.
for args in "" "nosuch" "data/zoo/pairs"; do
  rc=0
  "$SB_BIN" report $args >/dev/null 2>err.txt || rc=$?
  [ "$rc" -eq 2 ] && [ -s err.txt ] && ok "report '$args' exits 2: $(tail -1 err.txt)" || bad "report '$args' exit $rc (want 2)"
done

# A long table is cut at --max-rows with a note naming the row count.
"$SB_BIN" report run --max-rows 5 --output short.html >/dev/null
n=$(($(wc -l <run/scores.csv) - 1))
grep -q "Showing the first 5 of $n rows" short.html && ok "scores cut at 5 of $n rows, said" \
  || bad "no truncation note in short.html"

# Under mpirun only rank 0 writes: the same page as alone, but for the time it was written.
mpirun -n 2 "$SB_BIN" report run --output two.html >/dev/null
same_page() { grep -v "page written" "$1"; }
cmp -s <(same_page run/report.html) <(same_page two.html) && ok "2 ranks write the same page" \
  || bad "the page from 2 ranks differs"

shot="$SB_BUILD_DIR/report-screenshot.png"
rm -f "$shot"
if $PY "$SB_SOURCE_DIR/tests/cli/report_browser_check.py" run run/report.html "$shot" \
     pose,forecast,transfer,distshift,explain,splitcomp >browser.out 2>&1; then
  ok "the page in headless Chromium ($(grep -c '^ok:' browser.out) checks)"
else
  bad "the page in headless Chromium:"; grep -v '^ok:' browser.out | head -20
fi
finish
