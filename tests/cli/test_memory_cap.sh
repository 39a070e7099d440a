#!/usr/bin/env bash
# test_memory_cap.sh: the memory of `gbtm fit` grows linearly with the data.
# It fits 200,000 persons (the rapporteur-2024 cohort, about 4.6 million
# person-years, read from CSV) under a `ulimit -v` cap proportional to the
# data:
#
#   cap = base + 1536 bytes x persons
#
# base  the least address space in which a fit of the 630-person cohort
#       runs, measured here by bisection (to 4 MiB): the program, its
#       libraries, stacks, the malloc arena and OpenBLAS's buffer (128 MiB,
#       reserved whatever the data), none of which grows with the data;
# 1536  the budget per person: on the 2-core development machine the fit of
#       200,000 persons needed 156 MiB beyond the base (about 800 bytes per
#       person: the CSV reader's rows and file, the panel, the E-step's
#       compact copy of it, the posteriors), and the budget is about twice
#       that, so that allocation rounding and arrays grown by doubling fit.
#
# A fit whose memory grows faster than the data (an array of N^2, or twice
# the bytes per person) fails under that cap, and the fit must not run in
# the base alone, which shows that the cap binds. One thread and one malloc
# arena (MALLOC_ARENA_MAX=1) make the address space the same from run to
# run: with more, whether a thread gets its own 64 MiB arena or OpenBLAS
# buffer depends on timing. The model is small (Poisson, 2 groups,
# quadratic, 2 starts, no standard errors): the test is about memory, and
# takes some seconds on two cores.
#
# AddressSanitizer reserves terabytes of address space for its shadow
# memory, so under it `ulimit -v` means nothing: the test then says so and
# passes without running.
#   bash tests/cli/test_memory_cap.sh path/to/gbtm
set -uo pipefail

gbtm=${1:?usage: test_memory_cap.sh path/to/gbtm}
if grep -aq "__asan_init" "$gbtm"; then
  echo "SKIP memory cap: $gbtm is built with AddressSanitizer, under which ulimit -v does not apply"
  exit 0
fi
export MALLOC_ARENA_MAX=1
BUDGET=1536 # bytes per person, see above
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
fail() {
  echo "FAIL $1: $2"
  failures=$((failures + 1))
}
pass() { echo "ok   $1"; }

fit=(fit --family poisson --groups 2 --order 2 --starts 2 --se none --threads 1 --quiet --json)
for n in 630 200000; do
  if ! "$gbtm" simulate --preset rapporteur-2024 --n "$n" --seed 3 -o "$dir/c$n.csv" >/dev/null 2>"$dir/err"; then
    echo "FAIL simulate $n persons: $(cat "$dir/err")"
    exit 1
  fi
done

# Whether the fit of FILE succeeds within KB kibibytes of address space in
# SECONDS seconds. (When OpenBLAS cannot get its buffer it retries forever
# instead of failing, so a fit that runs out of time ran out of memory.)
fits_under() {
  (ulimit -v "$2" && exec timeout -s KILL "${3:-60}" "$gbtm" "${fit[@]}" "$1" >"$dir/out.json" 2>"$dir/err")
}

# The least cap (KiB) in [LO, HI] under which the fit of FILE succeeds, to
# 4 MiB, each try at most SECONDS seconds.
least_cap() {
  local file=$1 lo=$2 hi=$3 seconds=$4 mid
  fits_under "$file" "$hi" "$seconds" || return 1
  while ((hi - lo > 4096)); do
    mid=$(((lo + hi) / 2))
    if fits_under "$file" "$mid" "$seconds"; then hi=$mid; else lo=$mid; fi
  done
  echo "$hi"
}

if ! base=$(least_cap "$dir/c630.csv" 131072 1048576 3); then
  fail "fit of 630 persons" "fails even with 1 GiB of address space: $(cat "$dir/err")"
  exit 1
fi
cap=$((base + BUDGET * 200000 / 1024))
echo "     address space: 630 persons need $((base / 1024)) MiB; cap for 200000: $((cap / 1024)) MiB"

if fits_under "$dir/c200000.csv" "$cap"; then
  if python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); sys.exit(0 if d["n_persons"] == 200000 and d["loglik"] < 0 else 1)' "$dir/out.json"; then
    pass "200000 persons fit under a cap linear in the data ($((cap / 1024)) MiB)"
  else
    fail "200000 persons under the cap" "unexpected report: $(head -c 300 "$dir/out.json")"
  fi
else
  fail "200000 persons under the cap" "the fit failed within $((cap / 1024)) MiB: $(tail -n 3 "$dir/err")"
fi

# The test can fail: 200,000 persons do not fit in what 630 needed.
if fits_under "$dir/c200000.csv" "$base" 20; then
  fail "the cap is a real bound" "the fit of 200000 persons also ran within $((base / 1024)) MiB, the 630-person need"
else
  pass "200000 persons do not fit in the 630-person address space ($((base / 1024)) MiB)"
fi

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all memory-cap checks passed"
