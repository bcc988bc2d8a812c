#!/usr/bin/env bash
# The main job: install what is missing, build, generate the bundled default data and run the
# default suite on 2 MPI ranks; then say where the results are and show the summary rows.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh
bash scripts/build.sh
source scripts/env.sh
sb=build/shardbench
out=results/default
mkdir -p "$out"
"$sb" gen pose --output results/default-data --seed 20261125 --sequences 12 --frames 600 >/dev/null
"$sb" gen transfer --output results/default-data/zoo --seed 20261125 >/dev/null
mpirun -n 2 "$sb" run suites/default.ini --output "$out"
echo
echo "Pose metrics (per action and over all frames; mm):"
"$sb" show "$out/pose.csv" --where sequence=ALL --columns action,frames,mpjpe,p_mpjpe,n_mpjpe,mpjve,pck,auc,min_mpjpe,bone_std
echo
echo "Transferability scores (first pair; all pairs in $out/scores.csv):"
"$sb" show "$out/scores.csv" --where model=model000 --columns dataset,model,scorer,value --rows 12
echo
echo "Distribution shift: accuracy by training bias and test diversity (means over seeds):"
"$sb" show "$out/distshift_summary.csv" --columns rho_train,diversity,anti_aligned_accuracy,balanced_accuracy,aligned_accuracy,spurious_weight_share,bias_gap
"$sb" show "$out/distshift_findings.csv" --columns finding,shown,evidence
echo
echo "All files: $(ls "$out" | tr '\n' ' ')"
