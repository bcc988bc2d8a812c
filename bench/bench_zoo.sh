#!/usr/bin/env bash
# bench_zoo.sh — zoo throughput of `shardbench transfer score`: pairs per second with 1 and 2
# MPI ranks, for the seven Gram-bounded scorers and for all scorers.
#
# usage: bench/bench_zoo.sh [DATASETS [MODELS [REPS]]]     (default 3 datasets x 6 models, 2 reps)
#        SB_ZOO_SETS="gram7 all" (default) chooses the scorer sets; "all" includes nleep, whose EM
#        can take minutes per pair.
# The zoo is `shardbench gen transfer --size large` cut down with --datasets/--models: dataset d
# has the large preset's N and C (1000/10, 2000/20, 4000/37, 8000/47, 12000/100, 20000/200),
# and the models' D grow geometrically from 64 to 2048. Generated once into $SB_ZOO_DIR
# (default /tmp/sb-bench-zoo-DxM) and reused. Each rank runs with OPENBLAS_NUM_THREADS=1, as
# the CLI does. Best of REPS runs is reported; the machine's load is printed beside it.
# SB_ZOO_SETS=ratio (alone or with the others) runs instead `bench_transfer --zoo` on
# SB_ZOO_PAIRS (default 4) pairs of N=20000 D=1024 C=20: the seven scorers' whole-process CPU
# time against "read each pair once + one dsyrk" (issue 11's 1.5x target).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/scripts/env.sh"
nd=${1:-3}
nm=${2:-6}
reps=${3:-2}
sb=${SB_BIN:-$top/build/shardbench}
[ -x "$sb" ] || { echo "bench_zoo: $sb not built (bash scripts/build.sh, or set SB_BIN)" >&2; exit 2; }
case " ${SB_ZOO_SETS:-} " in
  *" ratio "*)
    OPENBLAS_NUM_THREADS=1 "${SB_BENCH_BIN:-$top/build/bench/bench_transfer}" 20000 1024 20 50 --zoo "${SB_ZOO_PAIRS:-4}" \
      --shardbench "$sb" --reps "$reps" --no-numpy
    SB_ZOO_SETS=$(echo " $SB_ZOO_SETS " | sed 's/ ratio / /')
    [ -n "${SB_ZOO_SETS// /}" ] || exit 0 ;;
esac
zoo=${SB_ZOO_DIR:-/tmp/sb-bench-zoo-${nd}x${nm}}
if [ ! -s "$zoo/manifest.csv" ]; then
  echo "generating the zoo in $zoo ($nd datasets x $nm models; linear probes included)"
  "$sb" gen transfer --output "$zoo" --size large --datasets "$nd" --models "$nm" >/dev/null
fi
pairs=$(($(wc -l <"$zoo/manifest.csv") - 1))
gram7=logme,leep,nce,hscore,hscore_reg,gbc,transrate
export OPENBLAS_NUM_THREADS=1

now() { date +%s.%N; }
echo "zoo: $zoo, $pairs pairs; load before: $(uptime | sed 's/.*load average: //')"
printf '%-34s %6s %10s %10s\n' "scorers" "ranks" "best s" "pairs/s"
for set in ${SB_ZOO_SETS:-gram7 all}; do
  [ "$set" = gram7 ] && scorers=$gram7 || scorers=all
  for n in 1 2; do
    best=
    for r in $(seq "$reps"); do
      out=$(mktemp -d /tmp/sb-bench-zoo-out.XXXXXX)
      t0=$(now)
      mpirun -n "$n" "$sb" transfer score --manifest "$zoo/manifest.csv" --scorers "$scorers" \
        --output "$out" --quiet >/dev/null
      t=$(echo "$(now) - $t0" | bc -l)
      rm -rf "$out"
      if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    done
    label=$([ "$set" = gram7 ] && echo "7 Gram-bounded (logme..transrate)" || echo "all")
    printf '%-34s %6d %10.2f %10.3f\n' "$label" "$n" "$best" "$(echo "$pairs / $best" | bc -l)"
  done
done
echo "load after: $(uptime | sed 's/.*load average: //')"
