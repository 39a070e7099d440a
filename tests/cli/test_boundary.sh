#!/usr/bin/env bash
# test_boundary.sh: standard errors at a boundary and in any basis, end to
# end. On the built-in cohort (630 persons, seed 1) a ZIP cubic with
# constant zero inflation ends with two zero inflations at 0: those two
# intercepts, and only they, are reported on the boundary (text "boundary",
# JSON "boundary" and null alpha_se); every other coefficient has a
# standard error; the model file is format version 7 with /cov/boundary, and
# show reads it back; `gbtm test` runs on free parameters and refuses a
# boundary one with exit 2. A Poisson cubic on raw age (--centre 0 --scale 1)
# has standard errors (its information was once judged singular for its
# scale alone).
# $1 is the gbtm binary.
set -u
gbtm=$1
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
py=/usr/bin/python3
pass=0 fail=0
check() { # name, condition (exit status of the previous command)
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
jq() { # FILE EXPR: the Python expression EXPR is true of j, the parsed JSON file
  "$py" -c 'import json, sys
j = json.load(open(sys.argv[1])); g = j.get("group", [])
v = eval(sys.argv[2])
if v is not True: print("       not true: %s" % sys.argv[2]); sys.exit(1)' "$1" "$2"
}

"$gbtm" simulate --preset rapporteur-2024 --n 630 --seed 1 -o "$dir/c.csv" >/dev/null 2>&1
"$gbtm" fit "$dir/c.csv" --model zip --groups 4 --order 3 --iorder 0 --starts 20 --json --quiet -o "$dir/z.h5" \
  >"$dir/z.json"
check "the zip fit runs" $?
jq "$dir/z.json" 'sorted(j["boundary"]) == ["alpha[1][0]", "alpha[2][0]"]'
check "two zero-inflation intercepts on the boundary, named" $?
jq "$dir/z.json" '[x["alpha"][0] <= -40 for x in g] == [True, True, False, False] and [x["alpha_se"][0] is None for x in g] == [True, True, False, False]'
check "their alpha_se null, the others' given" $?
jq "$dir/z.json" 'all(s is not None and s > 0 for x in g for s in x["beta_se"]) and all(x["share_se"] > 0 for x in g)'
check "every beta and share has a standard error" $?
"$gbtm" fit "$dir/c.csv" --model zip --groups 4 --order 3 --iorder 0 --starts 20 --quiet >"$dir/z.txt"
grep -q "logit zero intercept *-40.000000 *boundary" "$dir/z.txt" &&
  grep -q "on the boundary, without standard errors: alpha\[1\]\[0\] alpha\[2\]\[0\]" "$dir/z.txt"
check "the text report marks them" $?
"$py" -c "import h5py, sys
f = h5py.File(sys.argv[1], 'r')
assert int(f.attrs['format_version']) == 7, f.attrs['format_version']
b = list(f['cov/boundary'][()]); names = [n.decode() for n in f['cov/names'][()]]
assert sorted(n for n, x in zip(names, b) if x) == ['alpha[1][0]', 'alpha[2][0]'], b" "$dir/z.h5"
check "the model file: version 7, /cov/boundary" $?
"$gbtm" show "$dir/z.h5" --json >"$dir/show.json"
jq "$dir/show.json" 'sorted(j["boundary"]) == ["alpha[1][0]", "alpha[2][0]"]'
check "show reads the boundary back" $?
"$gbtm" test "$dir/z.h5" 'beta[1][1] = beta[2][1]' >"$dir/t.txt"
check "a Wald test of free parameters runs" $?
"$gbtm" test "$dir/z.h5" 'alpha[1][0] = 0' >"$dir/t2.txt" 2>"$dir/t2.err"
[ $? -eq 2 ] && grep -q "alpha\[1\]\[0\] is on the boundary" "$dir/t2.err" && [ ! -s "$dir/t2.txt" ]
check "a Wald test of a boundary parameter: exit 2, said why" $?

"$gbtm" fit "$dir/c.csv" --groups 4 --order 3 --centre 0 --scale 1 --starts 20 --json --quiet >"$dir/raw.json"
jq "$dir/raw.json" 'j["inference_note"] == "" and all(s is not None and s > 0 for x in g for s in x["beta_se"])'
check "raw age: standard errors for every coefficient" $?

echo "test_boundary: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
