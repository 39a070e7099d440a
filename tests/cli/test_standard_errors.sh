#!/usr/bin/env bash
# test_standard_errors.sh: standard errors at a boundary and in any basis,
# and coefficients reported on the age scale, end to end. On the built-in cohort (630 persons, seed 1) a ZIP cubic with
# constant zero inflation ends with two zero inflations at 0: those two
# intercepts, and only they, are reported on the boundary (text "boundary",
# JSON "boundary" and null alpha_se); every other coefficient has a
# standard error; the model file is format version 7 with /cov/boundary, and
# show reads it back; `gbtm test` runs on free parameters and refuses a
# boundary one with exit 2. A Poisson cubic on raw age (--centre 0 --scale 1)
# has standard errors (its information was once judged singular for its
# scale alone), and they are the default basis's mapped to raw age (JSON
# beta_age, beta_age_se; eq. AB): estimates within 1e-3 and standard errors
# within 1e-3 relative. The text shows coefficients on age by default, on
# (age - C) with --report-centre C, on s with --report-basis s; show takes
# the same options; bad values exit 2.
# $1 is the gbtm binary.
. "$(dirname "$0")/lib.sh" # gbtm, dir, py, check (tests/cli/lib.sh)
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

"$gbtm" fit "$dir/c.csv" --groups 4 --order 3 --starts 20 --json --quiet -o "$dir/d.h5" >"$dir/def.json"
"$py" -c 'import json, sys
a = json.load(open(sys.argv[1]))["group"]; b = json.load(open(sys.argv[2]))["group"]
for x, y in zip(a, b):
    for c, s, c0, s0 in zip(x["beta_age"], x["beta_age_se"], y["beta"], y["beta_se"]):
        assert abs(c - c0) <= 1e-3 * s0 and abs(s - s0) <= 1e-3 * s0, (c, c0, s, s0)' "$dir/def.json" "$dir/raw.json"
check "the default basis mapped to raw age is the raw-age fit (beta_age, beta_age_se)" $?
"$gbtm" show "$dir/d.h5" >"$dir/show.txt"
grep -q "Group 1 coefficients (age scale)" "$dir/show.txt" && grep -q "log rate age^3" "$dir/show.txt"
check "the text shows the age scale by default" $?
"$gbtm" show "$dir/d.h5" --report-basis s >"$dir/show_s.txt"
grep -q "log rate s^3" "$dir/show_s.txt" && ! grep -q "age scale" "$dir/show_s.txt"
check "--report-basis s shows the basis" $?
"$gbtm" show "$dir/d.h5" --report-centre 30 --json >"$dir/show30.json"
grep -q "log rate (age - 30)^2" <("$gbtm" show "$dir/d.h5" --report-centre 30) &&
  jq "$dir/show30.json" 'j["report_centre"] == 30 and len(g[0]["beta_age"]) == 4'
check "--report-centre 30: powers of (age - 30)" $?
"$gbtm" show "$dir/d.h5" --report-basis x >/dev/null 2>"$dir/e1" ; r1=$?
"$gbtm" fit "$dir/c.csv" --report-centre abc -o "$dir/never.h5" >/dev/null 2>"$dir/e2"; r2=$?
[ $r1 -eq 2 ] && [ $r2 -eq 2 ] && grep -q "report-basis" "$dir/e1" && grep -q "report-centre" "$dir/e2" && [ ! -e "$dir/never.h5" ]
check "bad --report-basis and --report-centre: exit 2, nothing written" $?

echo "test_standard_errors: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
