#!/usr/bin/env bash
# test_logit.sh: the binary logit family end to end (--family logit): fit on
# cambridge_binary.csv, then show, classify, simulate --model, plot and test
# on the saved model; fit and select refuse a response other than 0 or 1 and
# an exposure other than 1 with exit 2 and the file, line and column.
# $1 is the gbtm binary.
set -u
gbtm=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
pass=0 fail=0
check() { # name, condition (exit status of the previous command)
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
data="${GBTM_REFDATA:-$(dirname "$0")/../../datasets/refdata}/cambridge_binary.csv"

"$gbtm" fit "$data" --family logit --groups 2 --order 2 --starts 10 --quiet --json -o "$dir/m.h5" >"$dir/fit.json"
check "fit --family logit -o" $?
/usr/bin/python3 - "$dir/fit.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
s = json.dumps(j)
assert '"logit"' in s, s[:300]
def find(o, key):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == key: return v
            r = find(v, key)
            if r is not None: return r
    if isinstance(o, list):
        for v in o:
            r = find(v, key)
            if r is not None: return r
ll = find(j, "loglik")
assert ll is not None and abs(ll - (-788.81271791918743)) < 1e-3, ll  # flexmix's maximum
PY
check "fit reaches flexmix's maximum (K = 2, d = 2)" $?

"$gbtm" show "$dir/m.h5" >"$dir/show.txt" && grep -q "logit" "$dir/show.txt" && grep -qi "probability" "$dir/show.txt"
check "show names the family and the probability" $?
grep -q "format version *4," "$dir/show.txt"
check "a logit model file is format version 4 (the first that names logit)" $?
"$gbtm" classify "$dir/m.h5" "$data" -o "$dir/post.csv" >/dev/null && [ "$(wc -l <"$dir/post.csv")" -eq 196 ]
check "classify: one row per person" $?
"$gbtm" simulate --model "$dir/m.h5" --n 300 --seed 3 -o "$dir/sim.csv" >/dev/null
check "simulate --model" $?
tail -n +2 "$dir/sim.csv" | cut -d, -f3 | sort -u | tr '\n' ' ' | grep -qx "0 1 \|0 \|1 "
check "simulated responses are 0 or 1" $?
"$gbtm" fit "$dir/sim.csv" --family logit --groups 2 --order 2 --starts 4 --quiet >/dev/null
check "simulated data fit" $?
"$gbtm" plot "$dir/m.h5" -o "$dir/m.svg" >/dev/null && grep -q "<svg" "$dir/m.svg"
check "plot" $?
"$gbtm" test "$dir/m.h5" 'beta[1][2] = beta[2][2]' >/dev/null
check "test" $?

awk -F, 'NR == 5 {$3 = 2} {print}' OFS=, "$data" >"$dir/two.csv"
for cmd in fit select; do
  "$gbtm" $cmd "$dir/two.csv" --family logit --groups 2 --quiet -o "$dir/x.out" 2>"$dir/err.txt" >/dev/null
  rc=$?
  [ $rc -eq 2 ] && grep -q "two.csv:5:3: count \"2\" is not 0 or 1" "$dir/err.txt"
  check "$cmd refuses a 2 (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
done
"$gbtm" fit "$dir/two.csv" --groups 1 --quiet >/dev/null
check "the same data fit as Poisson counts" $?
awk -F, 'NR == 1 {print $0 ",e"; next} {print $0 "," (NR == 7 ? 2 : 1)}' "$data" >"$dir/exp.csv"
"$gbtm" fit "$dir/exp.csv" --family logit --exposure e --quiet 2>"$dir/err.txt" >/dev/null
rc=$?
[ $rc -eq 2 ] && grep -q "the logit family has no exposure: --trials names" "$dir/err.txt"
check "--exposure is refused: the family takes --trials (exit $rc)" $?

# --trials: counts out of n (binomial). One group is R's glm binomial fit
# (datasets/refdata/computed_R_4.2.2_binomial1_glm.txt, log L with dbinom's
# constant log choose(n, y)).
bin="$(dirname "$data")/synthetic_binomial1.csv"
ll=$("$gbtm" fit "$bin" --family logit --trials trials --groups 1 --order 2 --json 2>/dev/null |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["loglik"])')
python3 -c "import sys; sys.exit(0 if abs($ll - (-5517.3951737891839)) <= 1e-6 else 1)" 2>/dev/null
check "binomial with --trials: glm's log L (got $ll)" $?
awk -F, 'NR == 9 {$3 = $4 + 1} {print}' OFS=, "$bin" >"$dir/over.csv"
"$gbtm" fit "$dir/over.csv" --family logit --trials trials --quiet -o "$dir/over.h5" 2>"$dir/err.txt" >/dev/null
rc=$?
[ $rc -eq 2 ] && grep -q "over.csv:9:3: count .* is more than its number of trials" "$dir/err.txt" && [ ! -e "$dir/over.h5" ]
check "a count above its trials is refused (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
awk -F, 'NR == 9 {$4 = 2.5} {print}' OFS=, "$bin" >"$dir/half.csv"
"$gbtm" fit "$dir/half.csv" --family logit --trials trials --quiet 2>"$dir/err.txt" >/dev/null
rc=$?
[ $rc -eq 2 ] && grep -q "half.csv:9:4: trials \"2.5\" is not a whole number, 1 or more" "$dir/err.txt"
check "a fractional number of trials is refused (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
"$gbtm" fit "$bin" --trials trials --quiet 2>"$dir/err.txt" >/dev/null
rc=$?
[ $rc -eq 2 ] && grep -q "\-\-trials applies only to --family logit" "$dir/err.txt"
check "--trials with the Poisson family is refused (exit $rc)" $?

echo "passed $pass, failed $fail"
[ "$fail" -eq 0 ]
