#!/usr/bin/env bash
# run.sh: the scaling benchmark suite. One command builds what it needs,
# simulates the rapporteur-2024 cohort at each size, fits it, times the
# E-step against its floor, and writes one machine-readable line per case:
#
#   bash bench/run.sh                  630, 10k, 100k and 1M persons
#   bash bench/run.sh --large          also 10M persons (needs ~8 GB and time)
#   bash bench/run.sh --sizes "630 10000" --no-flexmix
#
# Each size N: `gbtm simulate --preset rapporteur-2024 --n N --seed 1`, then
# (when the build has `gbtm convert`) the same panel as an HDF5 panel, which
# is what the fit reads; then
#   gbtm fit DATA --family zip --groups 4 --order 3 --iorder 0 --starts 10 --json
# timed by /usr/bin/time -v (wall seconds and peak resident memory of the
# whole command, reading the data included), and bench/floor at N (the
# E-step's time per iteration at the fitted model, and the floor of its
# unavoidable work; see bench/floor.c). R's flexmix fits the Poisson model
# of bench/flexmix_compare.sh (K = 4, quadratic, 10 starts) at the sizes of
# --flexmix-sizes (default 630: larger ones take flexmix many minutes).
#
# Output, under --out (default bench/out/):
#   results.tsv  one row per case, tab-separated, with a header:
#     case       gbtm-zip, or flexmix-poisson / gbtm-poisson (the pair from
#                flexmix_compare.sh)
#     n          persons
#     wall_s     seconds of the whole command (reading the data included)
#     fit_s      seconds of the fit alone (gbtm's fit_seconds; flexmix: its
#                fits, R's start-up excluded)
#     iterations E-steps of the best start (gbtm's "iterations")
#     s_per_iter seconds per E-step at N on all threads (bench/floor's
#                estep_ms, median), the time one EM iteration costs
#     peak_rss_mb  peak resident memory of the command (MiB; NA without
#                /usr/bin/time)
#     loglik     the maximum log-likelihood found
#     input      the data file read (csv or h5)
#   read.tsv     reading speed (bench/read.c) of the CSV and the HDF5 panel
#                at each size up to 1M: case (read-csv, read-h5), n, bytes,
#                s (median of 3 reads, from memory), mb_per_s (10^6 bytes/s)
#   floor.txt    bench/floor's report at the largest size (ratio E-step / floor)
#   scaling.svg  wall seconds against N on log-log axes (bench/scaling_svg.awk)
#   logs/        every command's output
# and on stdout one line per case: "bench case=... n=... wall_s=... ...".
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bash bench/run.sh [options]

  --large               also 10,000,000 persons
  --sizes "N1 N2 ..."   sizes to run (default "630 10000 100000 1000000")
  --flexmix-sizes "..." sizes at which R's flexmix runs too (default "630")
  --no-flexmix          no flexmix cases
  --threads T           threads for gbtm (default: all cores)
  --build DIR           the CMake build to use, made (Release) if missing
                        (default: build)
  --out DIR             where results go (default: bench/out)
  --no-install          do not run scripts/install-deps.sh first (it installs
                        the build dependencies, and R and flexmix when
                        flexmix runs; as root)
  --help                show this help
EOF
}

die() { echo "run.sh: error: $*" >&2; exit 2; }

sizes="630 10000 100000 1000000" flexmix_sizes="630" large=0 threads="" build="" out="" install=1
while (($# > 0)); do
  case "$1" in
    --large) large=1 ;;
    --sizes) sizes=${2:?--sizes needs a value}; shift ;;
    --flexmix-sizes) flexmix_sizes=${2:?--flexmix-sizes needs a value}; shift ;;
    --no-flexmix) flexmix_sizes="" ;;
    --threads) threads=${2:?--threads needs a value}; shift ;;
    --build) build=${2:?--build needs a value}; shift ;;
    --out) out=${2:?--out needs a value}; shift ;;
    --no-install) install=0 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option \"$1\"" ;;
  esac
  shift
done
for n in $sizes $flexmix_sizes; do [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]] || die "a size must be a positive integer, not \"$n\""; done
[[ -z "$threads" || "$threads" =~ ^[0-9]+$ ]] || die "--threads must be an integer"
((large)) && sizes="$sizes 10000000"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${build:-$root/build}
out=${out:-$root/bench/out}
[[ "$build" = /* ]] || build=$PWD/$build
[[ "$out" = /* ]] || out=$PWD/$out
mkdir -p "$out/data" "$out/logs"
echo '*' >"$out/.gitignore" # results are not sources

# ---- dependencies and build -----------------------------------------------------
if ((install)); then
  if [[ -n "$flexmix_sizes" ]]; then bash "$root/scripts/install-deps.sh" --bench || die "could not install the dependencies"
  else bash "$root/scripts/install-deps.sh" || die "could not install the dependencies"; fi
fi
# Always built (make's own check: quick when up to date), so that the suite
# never times a binary older than the sources.
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  echo "run.sh: configuring $build (Release)" >&2
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null || die "cmake failed"
else # configured again: a target added since (bench_read) is unknown to the old makefiles
  cmake "$build" >/dev/null || die "cmake failed"
fi
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target gbtm bench_floor bench_read >/dev/null || die "the build failed"
gbtm=$build/gbtm
floor=$build/bench/floor
reader=$build/bench/read
have_convert=0
if "$gbtm" convert --help >/dev/null 2>&1; then have_convert=1; fi
timer=()
if [[ -x /usr/bin/time ]]; then timer=(/usr/bin/time -v); fi
thr=()
[[ -n "$threads" ]] && thr=(--threads "$threads")

# ---- helpers -------------------------------------------------------------------
json_get() { # FILE KEY...: the values, space-separated (null as NA)
  python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("NA" if d.get(k) is None else repr(d[k]) if isinstance(d[k], float) else str(d[k]) for k in sys.argv[2:]))
PY
}
time_field() { # LOG FIELD: from /usr/bin/time -v's report
  case "$2" in
    wall) awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.3f", s }' "$1" ;;
    rss) awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1" ;;
  esac
}
now() { date +%s.%N; }

results=$out/results.tsv
printf 'case\tn\twall_s\tfit_s\titerations\ts_per_iter\tpeak_rss_mb\tloglik\tinput\n' >"$results"
printf 'case\tn\tbytes\ts\tmb_per_s\n' >"$out/read.tsv"
emit() { # case n wall fit iterations s_per_iter rss loglik input
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"
  echo "bench case=$1 n=$2 wall_s=$3 fit_s=$4 iterations=$5 s_per_iter=$6 peak_rss_mb=$7 loglik=$8 input=$9"
}

# ---- the gbtm cases ------------------------------------------------------------
largest=0
for n in $sizes; do
  csv=$out/data/cohort_$n.csv
  h5=$out/data/cohort_$n.h5
  log=$out/logs/n$n
  [[ -s "$csv" ]] || "$gbtm" simulate --preset rapporteur-2024 --n "$n" --seed 1 -o "$csv" >"$log.simulate" 2>&1
  data=$csv
  if ((have_convert)); then
    [[ -s "$h5" ]] || "$gbtm" convert "$csv" -o "$h5" >"$log.convert" 2>&1
    data=$h5
  fi
  t0=$(now)
  ${timer[@]+"${timer[@]}"} "$gbtm" fit "$data" --family zip --groups 4 --order 3 --iorder 0 --starts 10 \
    ${thr[@]+"${thr[@]}"} --json >"$log.fit.json" 2>"$log.fit.err" ||
    die "gbtm fit of $n persons failed (see $log.fit.err)"
  t1=$(now)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  rss=NA
  if ((${#timer[@]})); then rss=$(time_field "$log.fit.err" rss); fi
  read -r loglik fit_s iterations <<<"$(json_get "$log.fit.json" loglik fit_seconds iterations)"
  # the E-step at N (and its floor): median ms per iteration on all threads
  "$floor" --n "$n" --seed 1 --seconds 1 ${threads:+--threads "$threads"} >"$log.floor" 2>&1 ||
    die "bench/floor at $n persons failed (see $log.floor)"
  estep_ms=$(sed -n 's/^floor .* estep_ms=\([^ ]*\) .*/\1/p' "$log.floor")
  s_per_iter=$(awk -v m="$estep_ms" 'BEGIN { printf "%.6f", m / 1000 }')
  emit gbtm-zip "$n" "$wall" "$(printf '%.3f' "$fit_s")" "$iterations" "$s_per_iter" "$rss" "$loglik" "${data##*.}"
  ((n > largest)) && largest=$n && cp "$log.floor" "$out/floor.txt"
  # reading speed, up to 1M persons (at 10M one read of each file takes 10-30 s)
  files=()
  if ((n <= 1000000)); then
    files=("$csv")
    if ((have_convert)); then files+=("$h5"); fi
  fi
  for f in ${files[@]+"${files[@]}"}; do
    "$reader" "$f" --repeat 3 >"$log.read.${f##*.}" 2>&1 || die "bench/read of $f failed (see $log.read.${f##*.})"
    line=$(tail -n 1 "$log.read.${f##*.}")
    get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    printf 'read-%s\t%s\t%s\t%s\t%s\n' "${f##*.}" "$n" "$(get bytes)" "$(get s)" "$(get mb_per_s)" >>"$out/read.tsv"
    echo "bench case=read-${f##*.} n=$n bytes=$(get bytes) s=$(get s) mb_per_s=$(get mb_per_s)"
  done
done

# ---- flexmix (Poisson, the model of flexmix_compare.sh) ------------------------------
for n in $flexmix_sizes; do
  log=$out/logs/flexmix_n$n
  if ! bash "$root/bench/flexmix_compare.sh" --no-install --n "$n" --seed 1 ${threads:+--threads "$threads"} >"$log" 2>&1; then
    echo "run.sh: flexmix at $n persons did not run (see $log); skipped" >&2
    continue
  fi
  line=$(tail -n 1 "$log")
  get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  emit flexmix-poisson "$n" "$(get flexmix_cmd_s)" "$(get flexmix_s)" NA NA NA "$(get flexmix_loglik)" csv
  emit gbtm-poisson "$n" "$(get gbtm_s)" "$(get gbtm_fit_s)" NA NA NA "$(get gbtm_loglik)" csv
done

awk -f "$root/bench/scaling_svg.awk" "$results" >"$out/scaling.svg"
if command -v xmllint >/dev/null 2>&1; then xmllint --noout "$out/scaling.svg"; fi
echo "bench floor $(tail -n 1 "$out/floor.txt")"
echo "run.sh: wrote $results and $out/scaling.svg" >&2
