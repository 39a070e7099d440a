#!/usr/bin/env bash
# test_wald.sh: end-to-end checks of `gbtm test`, Wald tests on a saved
# model: "do the early- and late-peak groups share a shape?" on the built-in
# cohort (they do not: the test must reject), a single zero term equals the
# squared z of the report, and bad expressions and files exit 2 with a
# message. $1 is the gbtm binary.
set -u
gbtm=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
pass=0 fail=0
check() { # name, condition (exit status of the previous command)
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}

"$gbtm" simulate --preset rapporteur-2024 -o "$dir/cohort.csv" >/dev/null
"$gbtm" fit "$dir/cohort.csv" --groups 4 --order 2 --starts 6 --quiet --json -o "$dir/m.h5" >"$dir/fit.json"
check "fit -o" $?

# early peak (group 2) and late peak (group 3): same linear and quadratic terms?
"$gbtm" test "$dir/m.h5" 'beta[2][1] = beta[3][1], beta[2][2] = beta[3][2]' --json >"$dir/t.json"
check "test runs" $?
/usr/bin/python3 - "$dir/t.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
assert t["df"] == 2, t
assert t["chi2"] > 20 and t["p"] < 1e-4, t  # the shapes differ by construction
PY
check "shapes of early and late peak differ (df 2, p < 1e-4)" $?

# one coefficient: chi2 = z^2 with z from the report's beta and beta_se
"$gbtm" test "$dir/m.h5" 'beta[4][2] = 0' --json >"$dir/z.json"
/usr/bin/python3 - "$dir/fit.json" "$dir/z.json" <<'PY'
import json, sys
fit, t = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
g = fit["group"][3]
z = g["beta"][2] / g["beta_se"][2]
assert abs(t["chi2"] - z * z) <= 1e-9 * z * z, (t["chi2"], z * z)
PY
check "single term: chi2 equals z squared" $?

"$gbtm" test "$dir/m.h5" 'beta[2][1] beta[3][1]' 2>"$dir/err" >/dev/null
[ $? -eq 2 ] && grep -q "at column 12: expected '='" "$dir/err"
check "malformed expression: exit 2 and column" $?

"$gbtm" test "$dir/missing.h5" 'beta[1][0] = 0' 2>"$dir/err" >/dev/null
[ $? -eq 2 ] && grep -q "missing.h5" "$dir/err"
check "missing model file: exit 2 naming it" $?

"$gbtm" fit "$dir/cohort.csv" --groups 2 --starts 2 --quiet --se none -o "$dir/nose.h5" >/dev/null
"$gbtm" test "$dir/nose.h5" 'beta[1][0] = 0' 2>"$dir/err" >/dev/null
[ $? -ne 0 ] && grep -q "standard errors were not computed" "$dir/err"
check "no covariance: refused with the reason" $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
