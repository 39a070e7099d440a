#!/usr/bin/env bash
# flexmix_logit.sh: gbtm fit --family logit against R's flexmix binomial
# mixture (bench/flexmix_logit.R) on the same 0/1 panel, K = 2..4 groups,
# quadratic in age, 10 starts each (gbtm --starts 10, flexmix's stepFlexmix
# nrep = 10).
#
#   bash bench/flexmix_logit.sh [--repeat R] [--groups "2 3 4"] [FILE.csv]
#
# Without FILE it draws 630 persons from the four-group cubic logit model of
# bench/simfamily.c (seed 1). Each program runs R times per K (default 3,
# taking turns); the medians are compared. gbtm's time is the whole command
# (reading the CSV included; `gbtm_s`) and its report's fit_seconds
# (`gbtm_fit_s`); flexmix's is reading the CSV and stepFlexmix inside R
# (`flexmix_s`; R's start-up and loading flexmix excluded). One line per K:
#   flexmix_logit n=... K=... gbtm_loglik=... flexmix_loglik=... gbtm_s=...
#   gbtm_fit_s=... flexmix_s=... speedup=... speedup_fit=... repeats=...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
repeat=3
groups="2 3 4"
file=
while (($#)); do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --groups) groups=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) file=$1; shift ;;
  esac
done
cmake --build "$build" -j "$(nproc)" --target gbtm bench_simfamily >/dev/null
out=$root/bench/out/flexmix_logit
mkdir -p "$out"
if [[ -z $file ]]; then
  file=$out/logit_630.csv
  "$build/bench/simfamily" --family logit --design g4c3 --n 630 --seed 1 -o "$file"
fi
n=$(tail -n +2 "$file" | cut -d, -f1 | sort -u | wc -l)
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "flexmix_logit.sh: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for K in $groups; do
  : >"$out/g$K.gbtm" && : >"$out/g$K.fit" && : >"$out/g$K.flexmix"
  for ((r = 1; r <= repeat; r++)); do
    t0=$(date +%s.%N)
    "$build/gbtm" fit "$file" --family logit --groups "$K" --order 2 --starts 10 --json -q >"$out/g$K.json"
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >>"$out/g$K.gbtm"
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['fit_seconds'])" "$out/g$K.json" >>"$out/g$K.fit"
    Rscript "$root/bench/flexmix_logit.R" "$file" "$K" 10 "$r" >"$out/g$K.R.$r"
    sed -n 's/.*seconds=\([^ ]*\).*/\1/p' "$out/g$K.R.$r" >>"$out/g$K.flexmix"
  done
  gl=$(python3 -c "import json,sys; print(repr(json.load(open(sys.argv[1]))['loglik']))" "$out/g$K.json")
  fl=$(sed -n 's/.*loglik=\([^ ]*\).*/\1/p' "$out"/g$K.R.* | sort -g | tail -n 1)
  gs=$(median <"$out/g$K.gbtm") gf=$(median <"$out/g$K.fit") fs=$(median <"$out/g$K.flexmix")
  echo "flexmix_logit n=$n K=$K gbtm_loglik=$gl flexmix_loglik=$fl gbtm_s=$gs gbtm_fit_s=$gf flexmix_s=$fs" \
    "speedup=$(awk -v a="$fs" -v b="$gs" 'BEGIN { printf "%.0f", a / b }')" \
    "speedup_fit=$(awk -v a="$fs" -v b="$gf" 'BEGIN { printf "%.0f", a / b }') repeats=$repeat" \
    "gbtm_runs=$(paste -sd, "$out/g$K.gbtm") flexmix_runs=$(paste -sd, "$out/g$K.flexmix")"
done
