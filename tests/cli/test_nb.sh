#!/usr/bin/env bash
# test_nb.sh: the negative binomial families end to end (--family nb and
# zinb, --dispersion group|common) on synthetic_nb2groups.csv and
# synthetic_nb1.csv: fit reaches the direct maximisation of
# computed_R_4.2.2_nb2_mixture_optim.txt and reports each group's
# dispersion with its standard error; a shared dispersion; the model file
# (format version 5) read back by show, test, classify, simulate --model
# and plot; select picks K = 2; zinb without zero inflation is nb; the
# bootstrap runs. Refused with exit 2 and one line: a count that is not a
# non-negative integer (file:line:col, no output file), --dispersion with
# another family or another value, --family in capitals, --dispersion
# twice, and model files whose dispersion is missing, not positive, not
# finite, of the wrong shape or type, or unequal where /model/phi_common
# says the groups share it.
# $1 is the gbtm binary.
. "$(dirname "$0")/lib.sh" # gbtm, dir, py, check (tests/cli/lib.sh)
ref=$(cd "${GBTM_REFDATA:-$(dirname "$0")/../../datasets/refdata}" && pwd)
data="$ref/synthetic_nb2groups.csv"
nb1="$ref/synthetic_nb1.csv"

# jcheck.py FILE EXPR: evaluates the Python expression EXPR with j the parsed
# JSON file and g its "group" array; exit 0 when it is true, else prints it.
cat >"$dir/jcheck.py" <<'PY'
import json, math, sys
j = json.load(open(sys.argv[1]))
g = j.get("group", [])
v = eval(sys.argv[2])
if v is not True:
    print("       not true: %s" % sys.argv[2])
    sys.exit(1)
PY
jq() { "$py" "$dir/jcheck.py" "$@"; }
fin='(lambda x: isinstance(x, (int, float)) and math.isfinite(x))'

# ---- fit, a dispersion per group -------------------------------------------
"$gbtm" fit "$data" --family nb --groups 2 --order 2 --exposure exposure --json --quiet -o "$dir/m.h5" \
  --posterior "$dir/post_fit.csv" >"$dir/fit.json"
check "fit --family nb --groups 2 -o --posterior" $?
jq "$dir/fit.json" 'abs(j["loglik"] - (-11176.274417131393)) < 1e-6'
check "log L is the direct maximisation's (computed_R_4.2.2_nb2_mixture_optim.txt) to 1e-6" $?
jq "$dir/fit.json" "j['n_params'] == 9 and len(g) == 2 and all($fin(x['dispersion']) and x['dispersion'] > 0 and \
$fin(x['dispersion_se']) and x['dispersion_se'] > 0 for x in g)"
check "the JSON groups carry dispersion and dispersion_se, positive and finite" $?
jq "$dir/fit.json" 'abs(g[0]["dispersion"] - 1.4366085344740724) < 1e-5 and abs(g[1]["dispersion"] - 4.1723174757495842) < 1e-5'
check "the dispersions are the direct maximisation's (1e-5)" $?
"$gbtm" fit "$data" --family nb --groups 2 --order 2 --exposure exposure --quiet >"$dir/fit.txt"
[ "$(grep -c '^  dispersion  ' "$dir/fit.txt")" -eq 2 ] && grep -q "negative binomial (nb)" "$dir/fit.txt"
check "the text report has a dispersion row per group" $?

# ---- a shared dispersion -----------------------------------------------------
"$gbtm" fit "$data" --family nb --dispersion common --groups 2 --order 2 --exposure exposure --json --quiet \
  -o "$dir/mc.h5" >"$dir/fitc.json"
check "fit --dispersion common -o" $?
jq "$dir/fitc.json" 'j["n_params"] == 8 and g[0]["dispersion"] == g[1]["dispersion"] > 0'
check "--dispersion common: 8 parameters, both groups' dispersion equal" $?
# The value was checked once against R 4.2.2: the log-likelihood of
# computed_R_4.2.2_nb2_mixture_optim.txt with one log r for both groups
# (dnbinom, full constants) is -11202.5612083392 at gbtm's estimate, and
# optim (BFGS, reltol 1e-14) started there ends at the same value.
jq "$dir/fitc.json" 'abs(j["loglik"] - (-11202.5612083)) < 1e-6'
check "--dispersion common: log L -11202.5612083 (R optim) to 1e-6" $?

# ---- the model file ----------------------------------------------------------
"$gbtm" show "$dir/m.h5" --json >"$dir/show.json"
check "show m.h5 --json" $?
"$py" - "$dir/fit.json" "$dir/show.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["loglik"] == b["loglik"], (a["loglik"], b["loglik"])
for x, y in zip(a["group"], b["group"]):
    assert x["dispersion"] == y["dispersion"] and x["dispersion_se"] == y["dispersion_se"], (x, y)
PY
check "show gives the fit's log L and dispersions" $?
if command -v h5dump >/dev/null; then
  h5dump -a /format_version "$dir/m.h5" | grep -q "(0): 5$"
elif "$py" -c "import h5py" 2>/dev/null; then
  "$py" -c "import h5py, sys; sys.exit(int(h5py.File(sys.argv[1], 'r').attrs['format_version']) != 5)" "$dir/m.h5"
else
  "$gbtm" show "$dir/m.h5" | grep -q "format version *5,"
fi
check "the model file's format_version is 5" $?

"$gbtm" test "$dir/m.h5" 'dispersion[1] = dispersion[2]' --json >"$dir/test.json" &&
  jq "$dir/test.json" "j['df'] == 1 and $fin(j['chi2']) and j['chi2'] > 0"
check "test 'dispersion[1] = dispersion[2]': df 1" $?
"$gbtm" test "$dir/mc.h5" 'dispersion = 2' --json >"$dir/testc.json" && jq "$dir/testc.json" "j['df'] == 1"
check "test 'dispersion = 2' on the shared dispersion" $?
"$gbtm" test "$dir/mc.h5" 'dispersion[1] = 2' >/dev/null 2>"$dir/err.txt"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$dir/err.txt")" -eq 1 ] && grep -q "the groups share one dispersion: name it dispersion" "$dir/err.txt"
check "test 'dispersion[1] = 2' on the shared dispersion is refused, naming the form (exit $rc)" $?
"$gbtm" test "$dir/m.h5" 'dispersion = 2' >/dev/null 2>"$dir/err.txt"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$dir/err.txt")" -eq 1 ] && grep -q "each group has its own dispersion: name it dispersion\[k\]" "$dir/err.txt"
check "test 'dispersion = 2' with a dispersion per group is refused, naming the form (exit $rc)" $?

"$gbtm" classify "$dir/m.h5" "$data" --exposure exposure -o "$dir/post.csv" >/dev/null &&
  diff <(cut -d, -f1,2 "$dir/post_fit.csv") <(cut -d, -f1,2 "$dir/post.csv") >/dev/null &&
  [ "$(wc -l <"$dir/post.csv")" -eq 501 ]
check "classify: the fit's own modal groups" $?

"$gbtm" simulate --model "$dir/m.h5" --n 2000 --seed 3 -o "$dir/sim.csv" >/dev/null
check "simulate --model --n 2000" $?
"$py" - "$dir/sim.csv" <<'PY'
import sys
y = [float(l.split(",")[2]) for l in list(open(sys.argv[1]))[1:]]
m = sum(y) / len(y)
v = sum((x - m) ** 2 for x in y) / (len(y) - 1)
assert all(x >= 0 and x == int(x) for x in y)
assert v / m > 1.5, (m, v)
PY
check "the simulated counts are overdispersed (variance / mean > 1.5)" $?
"$gbtm" fit "$dir/sim.csv" --family nb --groups 2 --order 2 --json --quiet >"$dir/simfit.json" &&
  "$py" - "$dir/fit.json" "$dir/simfit.json" <<'PY'
import json, sys
a, b = (sorted(x["dispersion"] for x in json.load(open(f))["group"]) for f in sys.argv[1:3])
assert all(abs(y / x - 1) < 0.4 for x, y in zip(a, b)), (a, b)
PY
check "the simulated cohort's refit: dispersions within 40% of the model's" $?

"$gbtm" plot "$dir/fit.json" -o "$dir/fit.svg" >/dev/null && grep -q "<svg" "$dir/fit.svg" &&
  grep -q ">Expected count per age</text>" "$dir/fit.svg"
check "plot fit.json: the y axis names the expected count" $?
"$gbtm" plot "$dir/m.h5" -o "$dir/m.svg" >/dev/null && grep -q ">Expected count per age</text>" "$dir/m.svg"
check "plot m.h5" $?

# ---- select, zinb, bootstrap, one group ----------------------------------------
"$gbtm" select "$data" --family nb --groups 1:3 --order 2 --exposure exposure --cv 3 --json --quiet >"$dir/sel.json" &&
  jq "$dir/sel.json" '[x["groups"] for x in j["models"] if x["best_bic"]] == [2] and len(j["models"]) == 3'
check "select --family nb --groups 1:3 --cv 3 picks K = 2 by BIC" $?

"$gbtm" fit "$data" --family zinb --iorder -1 --groups 2 --order 2 --exposure exposure --json --quiet >"$dir/z1.json" &&
  jq "$dir/z1.json" 'j["model"] == "zinb" and abs(j["loglik"] - (-11176.274417131393)) < 1e-6'
check "zinb --iorder -1 is nb (log L to 1e-6)" $?
"$gbtm" fit "$data" --family zinb --iorder 0 --groups 2 --order 2 --exposure exposure --json --quiet >"$dir/z0.json" &&
  jq "$dir/z0.json" "j['n_params'] == 11 and all(len(x['alpha']) == 1 and $fin(x['alpha'][0]) and \
x['dispersion'] > 0 for x in g) and j['loglik'] >= -11176.274417131393 - 1e-6"
check "zinb --iorder 0 reports alpha and a dispersion per group" $?

"$gbtm" fit "$data" --family nb --groups 2 --order 2 --exposure exposure --bootstrap 20 --json --quiet \
  >"$dir/boot.json" && jq "$dir/boot.json" '(j["bootstrap"]["replicates"] == 20 and
all(x["share_ci"][0] < x["share_ci"][1] for x in j["bootstrap"]["group"]) and
all(b["dispersion_ci"][0] < g["dispersion"] < b["dispersion_ci"][1] for b, g in zip(j["bootstrap"]["group"], j["group"])))'
check "--bootstrap 20 with nb: 20 refits, share intervals, dispersion intervals around the estimates" $?

"$gbtm" fit "$nb1" --family nb --order 2 --exposure exposure --json --quiet >"$dir/nb1.json" &&
  jq "$dir/nb1.json" "j['groups'] == 1 and $fin(j['loglik']) and g[0]['dispersion'] > 0"
check "fit synthetic_nb1.csv with one group" $?

# ---- bad input -----------------------------------------------------------------
awk -F, -v OFS=, 'NR == 7 {$3 = -1} {print}' "$data" >"$dir/neg.csv"
awk -F, -v OFS=, 'NR == 9 {$3 = 1.5} {print}' "$data" >"$dir/frac.csv"
for c in "neg.csv:7:3: count \"-1\"" "frac.csv:9:3: count \"1.5\""; do
  f=${c%%:*}
  for fam in nb zinb; do
    rm -f "$dir/x.h5"
    "$gbtm" fit "$dir/$f" --family $fam --groups 2 --exposure exposure --quiet -o "$dir/x.h5" >/dev/null 2>"$dir/err.txt"
    rc=$?
    [ $rc -eq 2 ] && grep -qF "$c is not a non-negative integer" "$dir/err.txt" && [ ! -e "$dir/x.h5" ]
    check "fit --family $fam refuses $f (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
  done
done

# refused ARGS...: gbtm fit on synthetic_nb1.csv with ARGS exits 2 with one
# line on stderr and writes no model file.
refused() {
  rm -f "$dir/x.h5"
  "$gbtm" fit "$nb1" --exposure exposure --quiet -o "$dir/x.h5" "$@" >/dev/null 2>"$dir/err.txt"
  rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l <"$dir/err.txt")" -eq 1 ] && [ ! -e "$dir/x.h5" ]
}
refused --family poisson --dispersion common && grep -q "applies only to --family nb, zinb, cnorm or beta" "$dir/err.txt"
check "--dispersion common with --family poisson (exit $rc: $(cat "$dir/err.txt"))" $?
refused --dispersion common && grep -q "applies only to --family nb, zinb, cnorm or beta" "$dir/err.txt"
check "--dispersion without --family (exit $rc)" $?
for v in other "" Common " common"; do
  refused --family nb --dispersion "$v" && grep -qF "\"$v\" is not group or common" "$dir/err.txt"
  check "--dispersion '$v' (exit $rc)" $?
done
refused --family nb --dispersion common --dispersion group && grep -q "given twice" "$dir/err.txt"
check "--dispersion twice (exit $rc)" $?
for v in NB Zinb; do
  refused --family $v && grep -qF "\"$v\" is not a family" "$dir/err.txt"
  check "--family $v (exit $rc)" $?
done
"$gbtm" select "$nb1" --family poisson --dispersion common --groups 1:2 --quiet >/dev/null 2>"$dir/err.txt"
rc=$?
[ $rc -eq 2 ] && grep -q "applies only to --family nb, zinb, cnorm or beta" "$dir/err.txt"
check "select --dispersion common with --family poisson (exit $rc)" $?

# ---- damaged model files -------------------------------------------------------
# Each copy of m.h5 (or of mc.h5, the shared dispersion) is damaged with
# h5py and handed to show, classify, test, simulate --model and plot: exit
# 2, one line naming the file and the dataset, no output file.
if ! "$py" -c "import h5py" 2>/dev/null; then
  echo "skip damaged model files: $py has no h5py"
else
  cd "$dir" || exit 1
  GBTM="$gbtm" DATA="$data" "$py" - <<'PY'
import os, subprocess
import h5py, numpy as np
gbtm, data = os.environ["GBTM"], os.environ["DATA"]
def put(path, value):
    def f(h):
        del h[path]
        h.create_dataset(path, data=value)
    return f
def at(i, value):
    def f(h):
        a = h["params/dispersion"][()]
        a[i] = value
        h["params/dispersion"][...] = a
    return f
cases = [  # name, source, damage, words of the message
    ("dispersion removed", "m.h5", lambda h: h.__delitem__("params/dispersion"), "/params/dispersion is missing"),
    ("dispersion negative", "m.h5", at(0, -1.0), "/params/dispersion[0] is -1, expected a finite number > 0"),
    ("dispersion 0", "m.h5", at(1, 0.0), "/params/dispersion[1] is 0, expected a finite number > 0"),
    ("dispersion NaN", "m.h5", at(1, np.nan), "/params/dispersion[1] is nan, expected a finite number > 0"),
    ("dispersion inf", "m.h5", at(0, np.inf), "/params/dispersion[0] is inf, expected a finite number > 0"),
    ("one dispersion for two groups", "m.h5", put("params/dispersion", np.array([1.5])), "/params/dispersion has shape 1"),
    ("dispersion a scalar", "m.h5", put("params/dispersion", 1.5), "/params/dispersion is a scalar"),
    ("dispersion integers", "m.h5", put("params/dispersion", np.array([1, 4], dtype="int32")),
     "/params/dispersion is an integer"),
    ("dispersion strings", "m.h5", put("params/dispersion", np.array([b"1.5", b"4"])), "/params/dispersion is a string"),
    ("shared dispersion unequal", "mc.h5", at(0, 2.0), "/model/phi_common says the groups share it"),
    ("shared dispersion NaN", "mc.h5", put("params/dispersion", np.array([np.nan, np.nan])), "is nan"),
    ("phi_common 2", "mc.h5", put("model/phi_common", np.int32(2)), "/model/phi_common holds 2"),
    ("phi_common removed", "mc.h5", lambda h: h.__delitem__("model/phi_common"), "/fit/n_params is 8"),
    ("family NB", "m.h5", put("model/family", b"NB"), "/model/family is \"NB\""),
]
commands = {
    "show": ["show", "X", "--json"],
    "classify": ["classify", "X", data, "--exposure", "exposure", "-o", "out.csv"],
    "test": ["test", "X", "beta[1][0] = 0"],
    "simulate": ["simulate", "--model", "X", "--n", "20", "-o", "out.csv"],
    "plot": ["plot", "X", "-o", "out.svg"],
}
passed = failed = 0
for name, src, damage, words in cases:
    with open(src, "rb") as f, open("bad.h5", "wb") as g:
        g.write(f.read())
    with h5py.File("bad.h5", "r+") as h:
        damage(h)
    for cmd, args in commands.items():
        for out in ("out.csv", "out.svg"):
            if os.path.exists(out): os.remove(out)
        r = subprocess.run([gbtm] + [a if a != "X" else "bad.h5" for a in args], capture_output=True, text=True)
        err = r.stderr.strip().splitlines()
        ok = (r.returncode == 2 and len(err) == 1 and err[0].startswith("gbtm %s: error: bad.h5: " % cmd)
              and words in err[0] and r.stdout == "" and not os.path.exists("out.csv") and not os.path.exists("out.svg"))
        if ok:
            passed += 1
        else:
            failed += 1
            print("       %s, %s: exit %d: %s" % (name, cmd, r.returncode, " / ".join(err)[:300]))
raise SystemExit(1 if failed else 0)
PY
  check "damaged model files" $?
  cd - >/dev/null || exit 1
fi

echo "passed $pass, failed $fail"
[ "$fail" -eq 0 ]
