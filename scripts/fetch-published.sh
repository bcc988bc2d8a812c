#!/usr/bin/env bash
# The published tables some tests and README examples read, fetched from their authors' public
# repositories at pinned commits and checked against pinned sha256 sums. They are not bundled:
# their repositories state no licence.
#
#   scripts/fetch-published.sh [DEST]            download into DEST (default datasets/published)
#   scripts/fetch-published.sh --from DIR [DEST] copy from a folder that already holds them
#   scripts/fetch-published.sh --check DIR       only verify the files under DIR
# Each set lands in DEST/<set>/; point SHARDBENCH_DATA at DEST (datasets/published is found
# without it). A file whose sum differs is removed and the script exits 1.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# set/file  sha256  repository@commit:path
FILES="
medical-transferability/task_performances.csv 60ac9d4dbb2cb5153ebd5478626122b34c4ee63d3fed456bb08057f723f4027c VirtualSpaceman/transfer-estimation-medical@ffe4d42ade8ac782dd7fb0356d07934e26c563e0:results/task_performances.csv
medical-transferability/transf_metrics_values.csv 383a3aeaa7b840dc2cd6760b61eba05d2ed9862fe42fa2c7913352f9963715af VirtualSpaceman/transfer-estimation-medical@ffe4d42ade8ac782dd7fb0356d07934e26c563e0:results/transf_metrics_values.csv
tmlr-transferability-benchmark/transf_scores.csv 31544c7383d3e9adb121e490a4cfca3a57054b7bc3de83988effd7a03a9bb354 VirtualSpaceman/tmlr-transferability-benchmark@a78087003652a9b13b7f689f08fb6ef751ee82fd:inputs/transf_scores.csv
"
mode=fetch from=
case "${1:-}" in
  --check) mode=check; dest=${2:?--check needs a folder}; ;;
  --from) mode=copy; from=${2:?--from needs a folder}; dest=${3:-$top/datasets/published} ;;
  -h|--help) sed -n 2,10p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) dest=${1:-$top/datasets/published} ;;
esac

verify() { # verify FILE SUM: 0 when FILE exists with that sha256
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

bad=0
while read -r rel sum src; do
  [ -n "$rel" ] || continue
  out="$dest/$rel"
  if [ "$mode" != check ] && ! verify "$out" "$sum"; then
    mkdir -p "$(dirname "$out")"
    if [ "$mode" = copy ]; then
      cp "$from/$rel" "$out.part" 2>/dev/null || { echo "fetch-published: $from/$rel: not found" >&2; bad=1; continue; }
    else
      command -v curl >/dev/null || { echo "fetch-published: needs curl (apt-get install curl)" >&2; exit 1; }
      repo=${src%%@*} rest=${src#*@}
      url="https://raw.githubusercontent.com/$repo/${rest%%:*}/${rest#*:}"
      curl -fsSL --retry 2 -o "$out.part" "$url" || { echo "fetch-published: $url: download failed" >&2; rm -f "$out.part"; bad=1; continue; }
    fi
    mv "$out.part" "$out"
  fi
  if verify "$out" "$sum"; then
    echo "ok  $rel"
  else
    echo "fetch-published: $out: missing or sha256 differs from the pinned $src" >&2
    [ "$mode" = check ] || rm -f "$out"
    bad=1
  fi
done <<<"$FILES"
exit $bad
