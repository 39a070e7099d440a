#!/usr/bin/env bash
# flexmix_compare.sh: fits one Poisson group-based trajectory model with gbtm
# and with R's flexmix on the same data, and prints both maximum
# log-likelihoods and both wall times.
#
#   bash bench/flexmix_compare.sh [options] [FILE.csv]
#
# Without FILE it draws the built-in synthetic cohort
# (`gbtm simulate --preset rapporteur-2024 --n N --seed SEED`). Both programs
# fit K groups with a degree-D polynomial in age over STARTS random starts:
#   flexmix: Rscript bench/flexmix_fit.R FILE K D STARTS (best of STARTS
#            single flexmix runs; its seconds cover reading the file and the
#            fits, not R's start-up, which flexmix_cmd_s includes)
#   gbtm:    build/gbtm fit FILE --groups K --order D --starts STARTS --json
#            (timed as the whole command, reading the file included), run
#            REPEAT times (--repeat, default 11): the median times, with the
#            fastest fit, and the log-likelihood all runs share
# The last line is machine-readable:
#   case=... n=... K=... D=... starts=... gbtm_loglik=... gbtm_s=...
#   gbtm_fit_s=... flexmix_loglik=... flexmix_s=... speedup=... speedup_fit=...
#   [flexmix_cmd_s=... threads=... repeats=... gbtm_fit_min_s=...]
# where speedup = flexmix_s / gbtm_s (the whole gbtm command), speedup_fit =
# flexmix_s / gbtm_fit_s (gbtm_fit alone, as reported in its JSON), and n is
# the number of persons.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bash bench/flexmix_compare.sh [options] [FILE.csv]

Fits the same Poisson trajectory model with gbtm and with R's flexmix.
  FILE.csv        long CSV id,age,count[,exposure] (default: simulate the
                  built-in rapporteur-2024 cohort)
  --groups K      number of groups (default 4)
  --order D       polynomial order in age (default 2)
  --starts S      random starts of each program (default 10)
  --n N           persons in the simulated cohort (default 630)
  --seed SEED     seed of the simulated cohort (default 1)
  --case NAME     name printed as case= (default: preset or file name)
  --threads T     threads for gbtm (default: gbtm's default)
  --repeat R      gbtm runs, whose median times are reported (default 11)
  --no-install    do not run scripts/install-deps.sh --bench first
  --help          show this help
EOF
}

die() { echo "flexmix_compare.sh: error: $*" >&2; exit 2; }

K=4 D=2 STARTS=10 N=630 SEED=1 CASE="" THREADS="" FILE="" install=1 REPEAT=11
while (($# > 0)); do
  case "$1" in
    --groups) K=${2:?--groups needs a value}; shift ;;
    --order) D=${2:?--order needs a value}; shift ;;
    --starts) STARTS=${2:?--starts needs a value}; shift ;;
    --n) N=${2:?--n needs a value}; shift ;;
    --seed) SEED=${2:?--seed needs a value}; shift ;;
    --case) CASE=${2:?--case needs a value}; shift ;;
    --threads) THREADS=${2:?--threads needs a value}; shift ;;
    --repeat) REPEAT=${2:?--repeat needs a value}; shift ;;
    --no-install) install=0 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option \"$1\"" ;;
    *) [[ -z "$FILE" ]] || die "only one data file may be given"; FILE=$1 ;;
  esac
  shift
done
for v in K D STARTS N SEED; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not \"${!v}\""
done
[[ -z "$THREADS" || "$THREADS" =~ ^[0-9]+$ ]] || die "--threads must be an integer"
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive integer"
if [[ -n "$FILE" ]]; then
  [[ -r "$FILE" ]] || die "cannot read \"$FILE\""
  FILE=$(cd "$(dirname "$FILE")" && pwd)/$(basename "$FILE")
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ((install)); then bash scripts/install-deps.sh --bench; fi
command -v Rscript >/dev/null 2>&1 ||
  die "Rscript not found; run 'bash scripts/install-deps.sh --bench' (as root)"
bash scripts/build.sh >/dev/null # always: quick when up to date, never a stale binary

work=$(mktemp -d "${TMPDIR:-/tmp}/gbtm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ -z "$FILE" ]]; then
  FILE=$work/cohort.csv
  CASE=${CASE:-rapporteur-2024}
  build/gbtm simulate --preset rapporteur-2024 --n "$N" --seed "$SEED" -o "$FILE"
else
  CASE=${CASE:-$(basename "$FILE" .csv)}
fi

# Persons in the file (distinct ids) and whether it has an exposure column.
n_persons=$(awk -F, 'NR > 1 && !seen[$1]++ { n++ } END { print n + 0 }' "$FILE")
exposure=()
if head -n 1 "$FILE" | tr -d '\r' | tr ',' '\n' | grep -qx exposure; then
  exposure=(--exposure exposure)
fi
threads=()
if [[ -n "$THREADS" ]]; then threads=(--threads "$THREADS"); fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

echo "== $CASE: $n_persons persons, K=$K, D=$D, $STARTS starts"

# (a) flexmix
t0=$(now)
if ! Rscript bench/flexmix_fit.R "$FILE" "$K" "$D" "$STARTS" >"$work/flexmix.out"; then
  cat "$work/flexmix.out" >&2
  echo "flexmix_compare.sh: error: the flexmix fit failed" >&2
  exit 1
fi
t1=$(now)
flexmix_cmd_s=$(elapsed "$t0" "$t1")
cat "$work/flexmix.out"
flexmix_loglik=$(sed -n 's/^flexmix loglik=\([^ ]*\) .*/\1/p' "$work/flexmix.out")
flexmix_s=$(sed -n 's/^flexmix .*seconds=\([^ ]*\).*/\1/p' "$work/flexmix.out")
[[ -n "$flexmix_loglik" && -n "$flexmix_s" ]] || die "could not read flexmix's result"

# (b) gbtm, REPEAT times: a fit of some 30 ms on a 2-core machine varies
# by 2-3x from run to run (thread wake-ups, OpenBLAS's idle threads), so
# its median is reported, with the fastest; every run must give the same
# log-likelihood.
: >"$work/gbtm_times"
for ((r = 0; r < REPEAT; r++)); do
  t0=$(now)
  if ! build/gbtm fit "$FILE" --groups "$K" --order "$D" --starts "$STARTS" \
    ${exposure[@]+"${exposure[@]}"} ${threads[@]+"${threads[@]}"} --json >"$work/gbtm.json"; then
    echo "flexmix_compare.sh: error: gbtm fit failed" >&2
    exit 1
  fi
  t1=$(now)
  python3 -c '
import json, sys
fit = json.load(open(sys.argv[1]))
if fit.get("loglik") is None:
    sys.exit("gbtm reported no log-likelihood")
print("%s %.6f %.10f" % (sys.argv[2], fit["fit_seconds"], fit["loglik"]))
' "$work/gbtm.json" "$(elapsed "$t0" "$t1")" >>"$work/gbtm_times"
done
read -r gbtm_s gbtm_fit_s gbtm_fit_min_s gbtm_loglik < <(python3 -c '
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
if len({r[2] for r in rows}) != 1:
    sys.exit("gbtm runs disagree on the log-likelihood: %s" % sorted({r[2] for r in rows}))
cmd = statistics.median(float(r[0]) for r in rows)
fit = statistics.median(float(r[1]) for r in rows)
print("%.3f %.6f %.6f %s" % (cmd, fit, min(float(r[1]) for r in rows), rows[0][2]))
' "$work/gbtm_times")
echo "gbtm loglik=$gbtm_loglik seconds=$gbtm_s (command, process start included) fit_seconds=$gbtm_fit_s (the fit alone; medians of $REPEAT runs, fastest fit $gbtm_fit_min_s)"

speedup=$(awk -v f="$flexmix_s" -v g="$gbtm_s" 'BEGIN { if (g > 0) printf "%.2f", f / g; else print "inf" }')
speedup_fit=$(awk -v f="$flexmix_s" -v g="$gbtm_fit_s" 'BEGIN { if (g > 0) printf "%.2f", f / g; else print "inf" }')
diff=$(awk -v a="$gbtm_loglik" -v b="$flexmix_loglik" 'BEGIN { printf "%.6f", a - b }')
echo "log-likelihood difference (gbtm - flexmix): $diff"
echo "case=$CASE n=$n_persons K=$K D=$D starts=$STARTS gbtm_loglik=$gbtm_loglik gbtm_s=$gbtm_s" \
  "gbtm_fit_s=$gbtm_fit_s flexmix_loglik=$flexmix_loglik flexmix_s=$flexmix_s speedup=$speedup speedup_fit=$speedup_fit" \
  "flexmix_cmd_s=$flexmix_cmd_s threads=${THREADS:-default} repeats=$REPEAT gbtm_fit_min_s=$gbtm_fit_min_s"
