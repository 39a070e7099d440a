#!/usr/bin/env bash
# floor_families.sh: each family's E-step against its own compute floor.
#
# For each case FAMILY:N, takes the panel bench/families.sh draws (N
# persons of its four-group cubic model of that family, seed 1; drawn here
# when missing) and runs
#
#   build/bench/floor --family FAMILY --data PANEL --groups 4 --order 3 \
#                     [--iorder 0 | --min 0 --max 10] --seconds S
#
# which fits the model to the first 20,000 persons and then times, in
# alternating rounds at those parameters, one E-step on all N persons and
# the floor of the work any E-step must do for that family (bench/floor.c:
# for Poisson, ZIP and logit N K exponentials, N logarithms and nnz K
# multiply-adds; for nb, zinb, cnorm and beta each nonzero cell's features
# once and its log f and statistics in every group), on one thread and on
# all. Appends one line per case to bench/out/floor_families.tsv:
#   family n nnz estep_ms_1 floor_ms_1 ratio_1 estep_ms floor_ms ratio threads
# (medians over the rounds; ratio = E-step / floor, the median of the
# rounds' ratios).
#
#   bash bench/floor_families.sh [--seconds S] [CASE...]
#
# Default cases: every family at 1,000,000 persons.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
seconds=2
cases=()
while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) cases+=("$1"); shift ;;
  esac
done
if ((${#cases[@]} == 0)); then
  for f in poisson zip logit nb zinb cnorm beta; do cases+=("$f:1000000"); done
fi
cmake --build "$build" -j "$(nproc)" --target bench_floor bench_simfamily >/dev/null
data_dir=$root/bench/out/families/data
out=$root/bench/out/floor_families.tsv
mkdir -p "$data_dir"
[[ -s $out ]] || printf 'family\tn\tnnz\testep_ms_1\tfloor_ms_1\tratio_1\testep_ms\tfloor_ms\tratio\tthreads\n' >"$out"
echo "floor_families.sh: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for c in "${cases[@]}"; do
  f=${c%%:*} n=${c#*:}
  data=$data_dir/${f}_$n.h5
  [[ -s $data ]] || "$build/bench/simfamily" --family "$f" --design g4c3 --n "$n" --seed 1 -o "$data" \
    --truth "${data%.h5}.truth.json"
  extra=()
  case $f in
    zip|zinb) extra=(--iorder 0) ;;
    cnorm) extra=(--min 0 --max 10) ;;
  esac
  line=$("$build/bench/floor" --family "$f" --data "$data" --groups 4 --order 3 "${extra[@]}" --seconds "$seconds" | tail -1)
  get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$f" "$n" "$(get nnz)" "$(get estep_ms_1)" "$(get floor_ms_1)" \
    "$(get ratio_1)" "$(get estep_ms)" "$(get floor_ms)" "$(get ratio)" "$(get threads)" >>"$out"
  echo "floor $f n=$n $(tail -1 "$out" | cut -f3- | tr '\t' ' ') load=$(cut -d' ' -f1 /proc/loadavg)"
done
