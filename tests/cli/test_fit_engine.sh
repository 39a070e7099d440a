#!/usr/bin/env bash
# test_fit_engine.sh: end-to-end tests of how `gbtm fit` ends on panels and
# options that strain the fitting engine: --threads far beyond the machine
# (with --bootstrap), a small panel on which SQUAREM's steps make every
# start's M-step singular while plain EM fits it (data/squarem_singular.csv:
# 16 persons, ages 1 to 5, 84% zeros; Poisson, 2 groups, order 2), a pilot
# subsample whose every-m-th persons see one age only, the warning on a fit
# that stopped for a reason other than the iteration limit, and the exit
# status of a run out of memory.
# Usage: bash test_fit_engine.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_fit_engine.sh path/to/gbtm}
here=$(cd "$(dirname "$0")" && pwd)
refdata=${GBTM_REFDATA:-$here/../../datasets/refdata}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind

passed=0
failed=0
pass() {
  echo "ok   $1"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL $1: $2"
  [ -s "$dir/stderr" ] && sed 's/^/       stderr: /' "$dir/stderr" | head -n 5
  failed=$((failed + 1))
}

# run NAME STATUS -- ARGS...: runs gbtm fit ARGS into $dir/stdout and
# $dir/stderr; true when it exits with STATUS (else reported as failed).
run() {
  local name=$1 want=$2
  shift 3
  "$gbtm" fit "$@" >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  [ "$status" -eq "$want" ] && return 0
  fail "$name" "exit status $status, expected $want"
  return 1
}

pois=$refdata/trajer_POIS2gr.csv
crim=$refdata/crimcv_TO1.csv
for f in "$pois" "$crim"; do
  [ -f "$f" ] || { echo "reference data $f not found (set GBTM_REFDATA)"; exit 1; }
done

# Threads: more than any machine has are capped, in the fit and in the
# bootstrap's parallel replicates (libgomp refused 40000, and 100000 crashed).
for t in 40000 100000; do
  name="--threads $t with --bootstrap"
  if run "$name" 0 -- "$pois" --groups 2 --starts 4 --bootstrap 4 --threads "$t" --quiet --json; then
    if grep -q libgomp "$dir/stderr"; then fail "$name" "OpenMP's runtime complained"
    elif ! grep -q '"bootstrap"' "$dir/stdout"; then fail "$name" "no bootstrap intervals in the report"
    else pass "$name"; fi
  fi
done

# SQUAREM: its steps end every start in a singular M-step here; each start
# then runs plain EM, which fits the panel (as --no-accel does).
squarem=$here/data/squarem_singular.csv
for accel in "" --no-accel; do
  name="the SQUAREM panel fits ${accel:-with SQUAREM falling back to plain EM}"
  if run "$name" 0 -- "$squarem" --groups 2 --order 2 --quiet --json $accel; then
    if grep -q '"loglik": *-' "$dir/stdout"; then pass "$name"; else fail "$name" "no log-likelihood in the report"; fi
  fi
done

# The pilot: 2000 one-row persons, person i observed at age 20 + (i mod 20)
# only, so every 40th person (a pilot of 50) is always 20. The pilot must
# see every age, or the order-3 fit is refused for its one distinct age.
pilot=$dir/one_row.csv
awk 'BEGIN { print "id,age,count"; for (i = 0; i < 2000; i++) print i + 1 "," 20 + i % 20 "," (i * 7 + int(i / 40)) % 5 }' >"$pilot"
name="a pilot that sees every age"
if run "$name" 0 -- "$pilot" --groups 2 --order 3 --pilot 50 --starts 4 --se none --quiet --json; then
  persons=$(sed -n 's/.*"pilot_persons": *\([0-9]*\).*/\1/p' "$dir/stdout")
  if [ "${persons:-0}" -gt 50 ]; then pass "$name"; else fail "$name" "pilot_persons ${persons:-missing}, expected more than 50"; fi
fi

# The reason a fit stopped: on this ZIP fit without standard errors EM stalls
# (log L stops rising, a zero inflation runs to 0) long before --max-iter,
# so the warning must not ask for a larger --max-iter; with --max-iter 20 it
# is the limit that stops it, and the warning says so.
name="a stalled fit is not blamed on --max-iter"
if run "$name" 0 -- "$crim" --family zip --groups 4 --iorder 1 --se none --starts 20 --quiet; then
  if grep -q -- "--max-iter" "$dir/stderr"; then fail "$name" "the warning asks for a larger --max-iter"
  elif ! grep -q "the log-likelihood stopped rising" "$dir/stderr"; then fail "$name" "the warning lacks the reason"
  else pass "$name"; fi
fi
name="a fit stopped by --max-iter says so"
if run "$name" 0 -- "$crim" --family zip --groups 4 --iorder 1 --se none --starts 20 --max-iter 20 --quiet; then
  if grep -q "did not converge in [0-9]* iterations, the limit.*try a larger --max-iter" "$dir/stderr"; then pass "$name"
  else fail "$name" "the warning does not name the iteration limit"; fi
fi

# Out of memory: exit status 2, and the message names what was allocated.
# Under a 600 MB address space the million replicates' draws (1 GB) cannot
# be had. Skipped where the binary does not start under the limit (the
# sanitizers reserve terabytes of address space; valgrind too).
if (ulimit -v 600000 && "$gbtm" fit --help >/dev/null 2>&1) 2>/dev/null; then
  name="out of memory exits 2"
  if (ulimit -v 600000 && exec "$gbtm" fit "$refdata/crimcv_TO1adj.csv" --groups 4 --starts 2 --se none \
      --bootstrap 1000000 --max-memory 1T --quiet) >"$dir/stdout" 2>"$dir/stderr"; then
    fail "$name" "the run succeeded"
  else
    status=$?
    if [ "$status" -ne 2 ]; then fail "$name" "exit status $status, expected 2"
    elif ! grep -q "out of memory for 1000000 bootstrap replicates" "$dir/stderr"; then fail "$name" "the message does not name the replicates"
    else pass "$name"; fi
  fi
  # A small address space must not hang a command: OpenBLAS's thread pool,
  # whose threads retry a failed allocation for ever, is never started.
  name="fit --help under ulimit -v 150000 ends"
  (ulimit -v 150000 && exec timeout 20 "$gbtm" fit --help) >"$dir/stdout" 2>"$dir/stderr"
  status=$?
  if [ "$status" -eq 124 ]; then fail "$name" "it hung (stopped after 20 s)"
  elif [ "$status" -ne 0 ] || ! grep -q "usage: gbtm fit" "$dir/stdout"; then fail "$name" "exit status $status"
  else pass "$name"; fi
else
  echo "skip out of memory exits 2: gbtm does not start under ulimit -v 600000"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
