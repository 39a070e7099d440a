#!/usr/bin/env bash
# starts.sh: does the default `gbtm fit` (--starts auto, DESIGN §3 eq.
# ROUNDS) reach the highest maximum on crimCV's Toronto data, and how fast?
#
# Cases are NAME:DATA:K:MODEL with MODEL zip (--model zip --order 3
# --iorder 3) or poisson (--order 3), DATA a file of datasets/refdata
# without .csv. For each case:
#   1. the reference: `gbtm fit DATA --groups K ... --starts 20000 --seed 7`
#      (the highest maximum found with 20,000 starts), kept in
#      bench/out/starts/NAME.ref.json and reused when present;
#   2. the default command `gbtm fit DATA --groups K ... --seed S` for
#      S = 1..SEEDS, timed.
# Writes one line per run to bench/out/starts/results.tsv (appending; the
# columns first when the file is new):
#   case seed loglik ref_loglik reached starts long_runs best_replicated
#   best_not_replicated wall_s
# reached: 1 when the run's log L is within 1e-4 of the reference's (or
# above it: then the reference was not the highest). And prints per case
# how many seeds reached it, and the median and largest wall time.
#
#   bash bench/starts.sh [--seeds N] [--threads T] [--ref-starts S] [CASE...]
#
# Defaults: 20 seeds, 2 threads (the 2-core machine of the targets), 20000
# reference starts (run on --threads too), and the cases of issue 18:
# TO1adj and TO2adj ZIP K = 2..5, TO1adj Poisson K = 2..6.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
gbtm=${GBTM:-$here/build/gbtm}
seeds=20
threads=2
ref_starts=20000
cases=()
while [ $# -gt 0 ]; do
  case $1 in
  --seeds) seeds=$2; shift 2 ;;
  --threads) threads=$2; shift 2 ;;
  --ref-starts) ref_starts=$2; shift 2 ;;
  *) cases+=("$1"); shift ;;
  esac
done
if [ ${#cases[@]} -eq 0 ]; then
  for K in 2 3 4 5; do cases+=("zip1_K$K:crimcv_TO1adj:$K:zip"); done
  for K in 2 3 4 5; do cases+=("zip2_K$K:crimcv_TO2adj:$K:zip"); done
  for K in 2 3 4 5 6; do cases+=("pois1_K$K:crimcv_TO1adj:$K:poisson"); done
fi
out=$here/bench/out/starts
mkdir -p "$out"
tsv=$out/results.tsv
[ -s "$tsv" ] || printf 'case\tseed\tloglik\tref_loglik\treached\tstarts\tlong_runs\tbest_replicated\tbest_not_replicated\twall_s\n' >"$tsv"

field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d.get('$2', ''))" "$1"; }

for c in "${cases[@]}"; do
  IFS=: read -r name data K model <<<"$c"
  args=(--groups "$K" --order 3)
  [ "$model" = zip ] && args+=(--model zip --iorder 3)
  file=$here/datasets/refdata/$data.csv
  ref=$out/$name.ref.json
  if [ ! -s "$ref" ]; then
    OMP_NUM_THREADS=$threads "$gbtm" fit "$file" "${args[@]}" --starts "$ref_starts" --seed 7 --threads "$threads" \
      --json -q >"$ref" 2>/dev/null || { echo "$name: the reference fit failed"; rm -f "$ref"; continue; }
  fi
  ref_ll=$(field "$ref" loglik)
  for s in $(seq 1 "$seeds"); do
    t0=$(date +%s.%N)
    OMP_NUM_THREADS=$threads "$gbtm" fit "$file" "${args[@]}" --seed "$s" --threads "$threads" --json -q \
      >"$out/run.json" 2>/dev/null || { echo "$name seed $s: failed"; continue; }
    t1=$(date +%s.%N)
    python3 - "$out/run.json" "$name" "$s" "$ref_ll" "$t0" "$t1" >>"$tsv" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
name, seed, ref, t0, t1 = sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
reached = int(d["loglik"] >= ref - 1e-4)
print("\t".join(map(str, [name, seed, repr(d["loglik"]), repr(ref), reached, d["starts"], d["starts_long"],
                          d["best_replicated"], int(d.get("best_not_replicated", False)), "%.2f" % (t1 - t0)])))
EOF
  done
  python3 - "$tsv" "$name" <<'EOF'
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
rows = [r for r in rows if r[0] == sys.argv[2]]
if rows:
    t = [float(r[9]) for r in rows]
    print("%-9s reached %d of %d seeds; wall median %.2f s, max %.2f s; starts median %d" % (
        sys.argv[2], sum(int(r[4]) for r in rows), len(rows), statistics.median(t), max(t),
        statistics.median(int(r[5]) for r in rows)))
EOF
done
