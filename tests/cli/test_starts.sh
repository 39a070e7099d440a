#!/usr/bin/env bash
# test_starts.sh: end-to-end tests of the starts of `gbtm fit` (DESIGN §3,
# eq. ROUNDS): --starts auto, the default, reaches the highest maximum
# known on crimCV's Toronto data (found with 20,000 starts, bench/starts.sh)
# for a few seeds, gives the same fit on 1 and 2 threads, and flags a budget
# or a time limit that ends it before the best is replicated; --start-from
# starts at a saved model; bad values exit 2 with a message.
# Usage: bash test_starts.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_starts.sh path/to/gbtm}
here=$(cd "$(dirname "$0")" && pwd)
refdata=${GBTM_REFDATA:-$here/../../datasets/refdata}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
py=${PYTHON:-python3}

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

# expect NAME TEXT -- ARGS...: gbtm fit ARGS exits 2 with TEXT on stderr.
expect() {
  local name=$1 text=$2
  shift 3
  "$gbtm" fit "$@" >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  if [ "$status" -ne 2 ]; then fail "$name" "exit status $status, expected 2"
  elif ! grep -qF -- "$text" "$dir/stderr"; then fail "$name" "stderr lacks: $text"
  else pass "$name"; fi
}

# key FILE EXPR: the value of a Python expression on the JSON object d.
key() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

to1=$refdata/crimcv_TO1adj.csv
zip2=(--model zip --groups 2 --order 3 --iorder 3)

# ---- bad values ----------------------------------------------------------------
expect "--starts autox" '--starts: "autox" is not auto or a number of starts' -- "$to1" --starts autox
expect "--starts 0" '--starts: 0 is out of range' -- "$to1" --starts 0
expect "--max-starts 0" '--max-starts: 0 is out of range' -- "$to1" --max-starts 0
expect "--replications 0" '--replications: 0 is out of range' -- "$to1" --replications 0
expect "--time-limit 0" '--time-limit: 0 is not a number of seconds > 0' -- "$to1" --time-limit 0
expect "--max-starts with a fixed number" '--max-starts applies only to --starts auto' -- "$to1" --starts 20 --max-starts 100
expect "--start-from a missing file" "--start-from $dir/none.h5" -- "$to1" --start-from "$dir/none.h5"

# ---- the default reaches the best maximum known ------------------------------------
# ZIP cubic/cubic, K = 2: -11759.117831 (bench/RESULTS.md, 20,000 starts).
for seed in 1 2 3; do
  name="auto, zip K=2 on TO1adj, seed $seed, reaches -11759.1178"
  if ! "$gbtm" fit "$to1" "${zip2[@]}" --seed "$seed" --json -q >"$dir/s$seed.json" 2>"$dir/stderr"; then
    fail "$name" "exit status $?"
  elif [ "$(key "$dir/s$seed.json" 'abs(d["loglik"] + 11759.117831) < 1e-4 and d["starts_mode"] == "auto" and not d["best_not_replicated"] and d["replications"] == 10')" != True ]; then
    fail "$name" "log L $(key "$dir/s$seed.json" 'd["loglik"]'), mode $(key "$dir/s$seed.json" 'd.get("starts_mode")')"
  else pass "$name"; fi
done
name="auto: the next-best maxima lie below the best, highest first"
if [ "$(key "$dir/s1.json" 'all(m["loglik"] < d["loglik"] - 1e-6 and m["long_runs"] >= 1 for m in d["other_maxima"]) and [m["loglik"] for m in d["other_maxima"]] == sorted([m["loglik"] for m in d["other_maxima"]], reverse=True)')" = True ]; then
  pass "$name"
else fail "$name" "$(key "$dir/s1.json" 'd["other_maxima"]')"; fi

# Poisson cubic, K = 3: -13981.970576.
name="auto, poisson K=3 on TO1adj reaches -13981.9706"
if ! "$gbtm" fit "$to1" --groups 3 --order 3 --seed 4 --json -q >"$dir/p.json" 2>"$dir/stderr"; then
  fail "$name" "exit status $?"
elif [ "$(key "$dir/p.json" 'abs(d["loglik"] + 13981.970576) < 1e-4')" != True ]; then
  fail "$name" "log L $(key "$dir/p.json" 'd["loglik"]')"
else pass "$name"; fi

# ---- the same on 1 and 2 threads ---------------------------------------------------
name="auto: the same fit on 1 and 2 threads"
"$gbtm" fit "$to1" "${zip2[@]}" --seed 2 --threads 1 --json -q 2>/dev/null | grep -v '"fit_seconds"\|"threads"' >"$dir/t1.json"
"$gbtm" fit "$to1" "${zip2[@]}" --seed 2 --threads 2 --json -q 2>/dev/null | grep -v '"fit_seconds"\|"threads"' >"$dir/t2.json"
if [ -s "$dir/t1.json" ] && cmp -s "$dir/t1.json" "$dir/t2.json"; then pass "$name"
else fail "$name" "$(diff "$dir/t1.json" "$dir/t2.json" | head -n 4)"; fi

# ---- flags: the budget, the time limit -----------------------------------------------
name="a budget too small to replicate the best is flagged"
if ! "$gbtm" fit "$to1" "${zip2[@]}" --max-starts 20 --json -q >"$dir/b.json" 2>"$dir/stderr"; then
  fail "$name" "exit status $?"
elif [ "$(key "$dir/b.json" 'd["best_not_replicated"] and not d["time_limited"] and d["starts"] == 20')" != True ]; then
  fail "$name" "$(key "$dir/b.json" '[d["best_not_replicated"], d["time_limited"], d["starts"]]')"
elif ! grep -q "warning: the best log-likelihood was reached by [0-9]* long runs\?, not the 10 asked for, within the budget of starts" "$dir/stderr"; then
  fail "$name" "no warning on stderr"
else pass "$name"; fi
name="a time limit that ends the rounds is flagged"
if ! "$gbtm" fit "$to1" "${zip2[@]}" --time-limit 0.001 --json -q >"$dir/l.json" 2>"$dir/stderr"; then
  fail "$name" "exit status $?"
elif [ "$(key "$dir/l.json" 'd["best_not_replicated"] and d["time_limited"] and d["starts"] == 20')" != True ]; then
  fail "$name" "$(key "$dir/l.json" '[d["best_not_replicated"], d["time_limited"], d["starts"]]')"
elif ! grep -q "when the time limit ended the rounds" "$dir/stderr"; then fail "$name" "no warning on stderr"
else pass "$name"; fi
name="a fixed number of starts reports as before (no automatic keys)"
if "$gbtm" fit "$to1" "${zip2[@]}" --starts 8 --json -q >"$dir/f.json" 2>/dev/null &&
  [ "$(key "$dir/f.json" '"starts_mode" not in d and "other_maxima" not in d and d["starts"] == 8')" = True ]; then
  pass "$name"
else fail "$name" "$(head -c 200 "$dir/f.json")"; fi

# ---- --start-from ----------------------------------------------------------------------
name="--start-from a saved model returns to its maximum"
if ! "$gbtm" fit "$to1" "${zip2[@]}" --starts 8 -q -o "$dir/m2.h5" >/dev/null 2>"$dir/stderr" ||
  ! "$gbtm" fit "$to1" "${zip2[@]}" --starts 8 --json -q >"$dir/m2.json" 2>"$dir/stderr"; then
  fail "$name" "the fit to save failed"
elif ! "$gbtm" fit "$to1" "${zip2[@]}" --start-from "$dir/m2.h5" --starts 1 --seed 9 --json -q >"$dir/from.json" 2>"$dir/stderr"; then
  fail "$name" "exit status $?"
elif [ "$(key "$dir/from.json" "abs(d['loglik'] - $(key "$dir/m2.json" 'd["loglik"]')) < 1e-6")" != True ]; then
  fail "$name" "log L $(key "$dir/from.json" 'd["loglik"]'), the model's $(key "$dir/m2.json" 'd["loglik"]')"
else pass "$name"; fi
expect "--start-from a model with another K" "the model's number of groups differs from the fit's (it has zip, 2 groups)" \
  -- "$to1" --model zip --groups 3 --order 3 --iorder 3 --start-from "$dir/m2.h5"
expect "--start-from a model with other orders" "the model's orders differ from the fit's" \
  -- "$to1" --model zip --groups 2 --order 2 --iorder 3 --start-from "$dir/m2.h5"
expect "--start-from a model of another family" "the model's family differs from the fit's" \
  -- "$to1" --groups 2 --order 3 --start-from "$dir/m2.h5"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
