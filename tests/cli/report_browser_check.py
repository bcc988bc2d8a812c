"""Opens a shardbench report.html in headless Chromium (Debian's chromium, chromium-driver and
python3-selenium) and checks what a reader needs from it (tests/cli/test_report.sh):

  every CSV table of the run folder (and of its sub-runs) is on the page and visible, with the
  filter box of the table script; every plot image is visible and decoded, and each task named on
  the command line has one; clicking a column header reorders the rows into sorted order, and a
  second click reverses them; typing in a filter box hides rows; the failures section lists each
  failed unit with its stage; provenance names the commit and the input files; the page loads no
  resource (offline) and the browser console holds no error. Saves a full-page screenshot.

usage: report_browser_check.py RUN_DIR REPORT.html SCREENSHOT.png TASK[,TASK...]
Prints one 'ok:' or 'FAIL:' line per check; exits 1 when any check failed."""
import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

run_dir, html, shot, tasks = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
fails = 0


def check(cond, what):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    fails += 0 if cond else 1


def expected_tables():
    names = []
    for sub in [""] + sorted(os.listdir(run_dir)):
        d = os.path.join(run_dir, sub)
        if sub in ("journal",) or sub.startswith("previous-") or not os.path.isdir(d):
            continue
        prefix = sub + "/" if sub else ""
        names += [prefix + f[:-4] for f in sorted(os.listdir(d)) if f.endswith(".csv")]
    return names


def as_key(cells):
    """Numbers compare as numbers when the whole column is numeric, else as text."""
    try:
        return [float(c) for c in cells]
    except ValueError:
        return cells


def column(driver, table, j):
    return [r.find_elements(By.TAG_NAME, "td")[j].text for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]


def sortable_column(driver, table):
    """A column whose shown values are not already in order, so a sort must move rows."""
    heads = table.find_elements(By.CSS_SELECTOR, "thead th")
    cols = [as_key(column(driver, table, j)) for j in range(len(heads))]
    for numeric in (True, False):  # a numeric column first: the sort must then be by value
        for j, vals in enumerate(cols):
            if (vals and isinstance(vals[0], float) == numeric and len(set(vals)) > 2
                    and vals != sorted(vals) and vals != sorted(vals, reverse=True)):
                return j, heads[j]
    return None, None


opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
    opts.add_argument(a)
profile = tempfile.mkdtemp(prefix="sb-chromium-")
opts.add_argument(f"--user-data-dir={profile}")
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
try:
    driver.get("file://" + os.path.abspath(html))
    driver.implicitly_wait(2)

    # Tables: each present, visible, turned into a sortable table by the inline script.
    for name in expected_tables():
        found = driver.find_elements(By.CSS_SELECTOR, f'table[data-table="{name}"]')
        check(found and all(t.is_displayed() for t in found), f"table {name} is on the page and visible")
    wrapped = driver.find_elements(By.CSS_SELECTOR, "table.sb-table")
    filters = driver.find_elements(By.CSS_SELECTOR, ".dataTables_filter input")
    check(len(wrapped) > 0 and len(filters) == len(wrapped), f"{len(wrapped)} tables, each with a filter box")

    # Plots: visible and decoded (naturalWidth > 0), one or more per task asked for.
    imgs = driver.find_elements(By.CSS_SELECTOR, "img.sb-plot")
    check(len(imgs) > 0 and all(i.is_displayed() for i in imgs), f"{len(imgs)} plots visible")
    check(all(driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i) for i in imgs),
          "every plot image decodes")
    shown = {f.get_attribute("data-task") for f in driver.find_elements(By.CSS_SELECTOR, "figure.plot")
             if f.find_elements(By.CSS_SELECTOR, "img.sb-plot")}
    for t in tasks:
        check(t in shown, f"a plot of task {t}")

    # Sorting: the first table with an unordered column, sorted by a click on its header.
    target = None
    for t in sorted(wrapped, key=lambda t: t.get_attribute("data-table") != "pose"):
        j, head = sortable_column(driver, t)
        if head is not None:
            target = (t, j, head)
            break
    check(target is not None, "a table with an unsorted column to sort")
    if target:
        t, j, head = target
        before = column(driver, t, j)
        head.click()
        after = column(driver, t, j)
        check(after != before and as_key(after) == sorted(as_key(after)),
              f"clicking header '{head.text}' of {t.get_attribute('data-table')} sorts its rows ascending")
        head.click()
        again = column(driver, t, j)
        check(as_key(again) == sorted(as_key(again), reverse=True), "a second click sorts them descending")

    # Filtering: the pose table's filter box, given an action name, hides other rows.
    pose = driver.find_elements(By.CSS_SELECTOR, 'table[data-table="pose"]')
    if pose:
        n0 = len(pose[0].find_elements(By.CSS_SELECTOR, "tbody tr"))
        box = driver.find_element(By.CSS_SELECTOR, 'div[id$="_filter"] input[aria-controls="' + pose[0].get_attribute("id") + '"]')
        word = column(driver, pose[0], 1)[0]
        box.send_keys(word)
        n1 = len(pose[0].find_elements(By.CSS_SELECTOR, "tbody tr"))
        check(0 < n1 < n0, f"filtering pose by '{word}' keeps {n1} of {n0} rows")
        box.clear()

    # Failures with their stage; provenance.
    fail_rows = driver.find_elements(By.CSS_SELECTOR, '#failures table[data-table="failures"] tbody tr')
    with open(os.path.join(run_dir, "failures.csv")) as f:
        n_failed = sum(1 for _ in f) - 1
    check(len(fail_rows) == n_failed, f"the failures section lists the {n_failed} failed units")
    if fail_rows:
        check("compute" in fail_rows[0].text, "a failure row names its stage")
    prov = driver.find_element(By.ID, "provenance").text
    check("git_commit" in prov and "n_ranks" in prov, "provenance names the commit and the ranks")
    check(len(driver.find_elements(By.CSS_SELECTOR, "table.sb-inputs tbody tr")) > 0, "input files are listed")

    # Offline: no file, image or script loaded besides the page itself.
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    check(loaded == [], f"the page loads no resource ({loaded[:3]})")

    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    check(not errors, "no error in the browser console" + (f": {errors[:2]}" if errors else ""))

    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1400, min(max(height, 1000), 16000))
    driver.execute_script("window.scrollTo(0, 0)")
    check(driver.save_screenshot(shot) and os.path.getsize(shot) > 0, f"screenshot saved in {shot}")
finally:
    driver.quit()
sys.exit(1 if fails else 0)
