#!/usr/bin/env bash
# families.sh: the speed of gbtm fit for each family at large N.
#
# For each case FAMILY:N, draws N persons from a known four-group cubic model
# of that family (build/bench/simfamily, bench/simfamily.c: ages 12..45, end
# ages 24..45, seed 1, as an HDF5 panel) and times
#
#   gbtm fit DATA --family FAMILY --groups 4 --order 3 --starts 10 [EXTRA] --json -q
#
# with EXTRA --iorder 0 for zip and zinb and --min 0 --max 10 for cnorm,
# under `timeout` (default 900 s: a run stopped there is recorded as
# "timeout") and /usr/bin/time -v. Writes one line per case to
# bench/out/families/results.tsv (appending; the columns are printed first
# when the file is new):
#   family n status wall_s fit_s iterations fit_s_per_iter peak_rss_mb loglik
#   converged starts_failed pilot_persons kernel
# status: ok, timeout (killed at the limit) or failed (exit status); wall_s
# the whole command (reading the HDF5 panel included); fit_s the report's
# fit_seconds; iterations the E-steps of the best run (the report's
# iterations); fit_s_per_iter = fit_s / iterations, an upper bound of one
# E-step's cost (the starts' E-steps and the Newton polish are in fit_s too).
#
#   bash bench/families.sh [--timeout S] [--threads T] [--estep] [CASE...]
#
# --estep: instead, the cost of one E-step at N, from two short fits of one
# start on all persons without standard errors (--starts 1 --pilot none
# --se none, --max-iter 5 and --max-iter 15): the difference of their
# fit_seconds over the difference of their iterations, written to
# bench/out/families/estep.tsv (family n estep_s it_lo it_hi fit_s_lo fit_s_hi).
#
# Default cases: every family at 100,000 persons, then poisson, logit, nb,
# cnorm and beta at 1,000,000.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
limit=900
threads=
estep=0
cases=()
while (($#)); do
  case "$1" in
    --timeout) limit=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --estep) estep=1; shift ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    *) cases+=("$1"); shift ;;
  esac
done
if ((${#cases[@]} == 0)); then
  for f in poisson zip logit nb zinb cnorm beta; do cases+=("$f:100000"); done
  for f in poisson logit nb cnorm beta; do cases+=("$f:1000000"); done
fi

cmake --build "$build" -j "$(nproc)" --target gbtm bench_simfamily >/dev/null
gbtm=$build/gbtm
sim=$build/bench/simfamily
out=$root/bench/out/families
mkdir -p "$out/data" "$out/logs"
results=$out/results.tsv
[[ -s $results ]] || printf 'family\tn\tstatus\twall_s\tfit_s\titerations\tfit_s_per_iter\tpeak_rss_mb\tloglik\tconverged\tstarts_failed\tpilot_persons\tkernel\n' >"$results"

echo "families.sh: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for c in "${cases[@]}"; do
  f=${c%%:*} n=${c#*:}
  data=$out/data/${f}_$n.h5
  [[ -s $data ]] || "$sim" --family "$f" --design g4c3 --n "$n" --seed 1 -o "$data" --truth "${data%.h5}.truth.json"
  extra=()
  case $f in
    zip|zinb) extra=(--iorder 0) ;;
    cnorm) extra=(--min 0 --max 10) ;;
  esac
  [[ -n $threads ]] && extra+=(--threads "$threads")
  log=$out/logs/${f}_$n
  if ((estep)); then
    est=$out/estep.tsv
    [[ -s $est ]] || printf 'family\tn\testep_s\tit_lo\tit_hi\tfit_s_lo\tfit_s_hi\n' >"$est"
    for m in 5 15; do
      timeout "$limit" "$gbtm" fit "$data" --family "$f" --groups 4 --order 3 --starts 1 --pilot none --se none \
        --max-iter "$m" "${extra[@]}" --json -q >"$log.estep$m.json" 2>"$log.estep$m.err" || true
    done
    line=$(python3 - "$f" "$n" "$log.estep5.json" "$log.estep15.json" <<'PY'
import json, sys
a, b = (json.load(open(x)) for x in sys.argv[3:5])
print("\t".join([sys.argv[1], sys.argv[2],
                 f"{(b['fit_seconds'] - a['fit_seconds']) / (b['iterations'] - a['iterations']):.4f}",
                 str(a["iterations"]), str(b["iterations"]), f"{a['fit_seconds']:.3f}", f"{b['fit_seconds']:.3f}"]))
PY
)
    echo "$line" >>"$est"
    echo "estep $(tr '\t' ' ' <<<"$line") load=$(cut -d' ' -f1 /proc/loadavg)"
    continue
  fi
  status=ok
  /usr/bin/time -v timeout "$limit" "$gbtm" fit "$data" --family "$f" --groups 4 --order 3 --starts 10 \
    "${extra[@]}" --json -q >"$log.json" 2>"$log.err" || status=$?
  case $status in ok) ;; 124) status=timeout ;; *) status="failed($status)" ;; esac
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.3f", s }' "$log.err")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$log.err")
  if [[ $status == ok ]]; then
    fields=$(python3 - "$log.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
it = d["iterations"]; fs = d["fit_seconds"]
print("\t".join([f"{fs:.3f}", str(it), f"{fs / it:.4f}" if it else "NA", repr(d["loglik"]),
                 str(d["converged"]).lower(), str(d["starts_failed"]), str(d["pilot_persons"]), d["kernel"]]))
PY
)
  else
    fields=$(printf 'NA\tNA\tNA\tNA\tNA\tNA\tNA\tNA')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$f" "$n" "$status" "$wall" "$(cut -f1-3 <<<"$fields")" "$rss	$(cut -f4- <<<"$fields")" >>"$results"
  echo "families $f n=$n status=$status wall_s=$wall $(tr '\t' ' ' <<<"$fields") rss_mb=$rss load=$(cut -d' ' -f1 /proc/loadavg)"
done
