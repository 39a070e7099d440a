#!/usr/bin/env bash
# test_real_families.sh: the families of real responses end to end
# (--family cnorm, the censored normal, and --family beta) on
# synthetic_cnorm1.csv (censored at 0 and 10) and synthetic_beta1.csv: one
# group reaches survival::survreg's and R optim's maxima
# (computed_survival_3.5-3_cnorm1_survreg.txt,
# computed_R_4.2.2_beta1_optim.txt) with their sigma and precision; the
# censoring points default to the data's range, and censoring points
# beyond it give the plain normal likelihood; --dispersion common; the
# model file (format version 6) read back by show, classify, test,
# simulate --model and plot; select, convert --family, the bootstrap.
# Refused with exit 2 and one line: a beta response of 0, 1 or outside
# (0, 1), a cnorm response beyond --min/--max, --min >= --max, --min with
# another family, a response that is not a finite decimal real, an
# exposure other than 1 (file:line:col, no output file); and model files
# whose sigma, precision or censoring points are missing or impossible, or
# whose family was changed.
# $1 is the gbtm binary.
. "$(dirname "$0")/lib.sh" # gbtm, dir, py, check (tests/cli/lib.sh)
ref=$(cd "${GBTM_REFDATA:-$(dirname "$0")/../../datasets/refdata}" && pwd)
cn=$ref/synthetic_cnorm1.csv
be=$ref/synthetic_beta1.csv

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

# ---- one group: the references ---------------------------------------------------
"$gbtm" fit "$cn" --family cnorm --order 2 --json --quiet >"$dir/c1.json"
check "fit --family cnorm, one group" $?
jq "$dir/c1.json" 'j["model"] == "cnorm" and j["n_params"] == 4 and abs(j["loglik"] - (-17860.780211095156)) < 1e-6'
check "cnorm: log L is survreg's (computed_survival_3.5-3_cnorm1_survreg.txt) to 1e-6" $?
jq "$dir/c1.json" "abs(g[0]['sigma'] / 3.0002312726109568 - 1) < 1e-6 and $fin(g[0]['sigma_se']) and g[0]['sigma_se'] > 0"
check "cnorm: sigma is survreg's to 1e-6 (relative), with a standard error" $?
jq "$dir/c1.json" 'j["censoring"] == [0, 10] and j["sigma_common"] is False and "precision_common" not in j'
check "cnorm without --min/--max: censoring [0, 10], the data's range; sigma_common false" $?

"$gbtm" fit "$be" --family beta --order 2 --json --quiet >"$dir/b1.json"
check "fit --family beta, one group" $?
jq "$dir/b1.json" 'j["model"] == "beta" and j["n_params"] == 4 and abs(j["loglik"] - 4096.0160985464645) < 1e-6'
check "beta: log L is R optim's (computed_R_4.2.2_beta1_optim.txt) to 1e-6" $?
jq "$dir/b1.json" "abs(g[0]['precision'] / 8.0550889979053011 - 1) < 1e-6 and $fin(g[0]['precision_se']) and \
g[0]['precision_se'] > 0"
check "beta: the precision is optim's to 1e-6 (relative), with a standard error" $?
jq "$dir/b1.json" 'j["precision_common"] is False and "censoring" not in j and "sigma" not in g[0]'
check "beta: precision_common false, no censoring points" $?

# ---- the censoring points ----------------------------------------------------------
"$gbtm" fit "$cn" --family cnorm --order 2 --min 0 --max 10 --json --quiet >"$dir/c1b.json" &&
  "$py" - "$dir/c1.json" "$dir/c1b.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["loglik"] == b["loglik"] and b["censoring"] == [0, 10], (a["loglik"], b["loglik"], b["censoring"])
PY
check "--min 0 --max 10 gives the default's log L" $?
"$gbtm" fit "$cn" --family cnorm --order 2 --min -1 --max 12 --json --quiet >"$dir/cu.json" &&
  jq "$dir/cu.json" 'j["censoring"] == [-1, 12] and j["loglik"] < -17860.780211095156 - 1'
check "--min -1 --max 12: censoring [-1, 12], another log L" $?
# No cell is censored: log L is the normal log-likelihood at gbtm's estimates.
"$py" - "$dir/cu.json" "$cn" <<'PY'
import json, math, sys
j = json.load(open(sys.argv[1]))
b, s = j["group"][0]["beta"], j["group"][0]["sigma"]
c, h = j["basis"]["centre"], j["basis"]["scale"]
ll = 0.0
for line in list(open(sys.argv[2]))[1:]:
    _, age, y = line.strip().split(",")
    x = (float(age) - c) / h
    z = (float(y) - (b[0] + b[1] * x + b[2] * x * x)) / s
    ll += -math.log(s) - 0.5 * math.log(2 * math.pi) - 0.5 * z * z
assert abs(ll - j["loglik"]) < 1e-6, (ll, j["loglik"])
PY
check "--min -1 --max 12: log L is the normal log-likelihood at the estimates (to 1e-6)" $?

# ---- two groups, the model file ------------------------------------------------------
"$gbtm" fit "$cn" --family cnorm --groups 2 --order 2 --json --quiet -o "$dir/c2.h5" \
  --posterior "$dir/c2post.csv" >"$dir/c2.json" &&
  jq "$dir/c2.json" "j['n_params'] == 9 and j['loglik'] >= -17860.780211095156 - 1e-6 and \
all(x['sigma'] > 0 and $fin(x['sigma_se']) for x in g)"
check "fit --family cnorm --groups 2 -o --posterior: a sigma per group" $?
"$gbtm" fit "$be" --family beta --groups 2 --order 2 --starts 5 --json --quiet -o "$dir/b2.h5" \
  --posterior "$dir/b2post.csv" >"$dir/b2.json" &&
  jq "$dir/b2.json" "j['n_params'] == 9 and j['loglik'] >= 4096.0160985464645 - 1e-6 and \
all(x['precision'] > 0 and $fin(x['precision_se']) for x in g)"
check "fit --family beta --groups 2 -o --posterior: a precision per group" $?
"$gbtm" fit "$cn" --family cnorm --dispersion common --groups 2 --order 2 --json --quiet -o "$dir/cc.h5" \
  >"$dir/cc.json" && jq "$dir/cc.json" 'j["n_params"] == 8 and j["sigma_common"] is True and g[0]["sigma"] == g[1]["sigma"] > 0'
check "cnorm --dispersion common: 8 parameters, one sigma" $?
"$gbtm" fit "$be" --family beta --dispersion common --groups 2 --order 2 --starts 5 --json --quiet -o "$dir/bc.h5" \
  >"$dir/bc.json" &&
  jq "$dir/bc.json" 'j["n_params"] == 8 and j["precision_common"] is True and g[0]["precision"] == g[1]["precision"] > 0'
check "beta --dispersion common: 8 parameters, one precision" $?
"$gbtm" fit "$cn" --family cnorm --groups 2 --order 2 --quiet >"$dir/c2.txt" &&
  grep -q "censored normal (cnorm)" "$dir/c2.txt" && grep -q "censored at  *0 and 10" "$dir/c2.txt"
check "the text report names the family and its censoring points" $?

for f in c2 b2; do
  "$gbtm" show "$dir/$f.h5" --json >"$dir/${f}show.json" && "$py" - "$dir/$f.json" "$dir/${f}show.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["loglik"] == b["loglik"], (a["loglik"], b["loglik"])
k = "sigma" if a["model"] == "cnorm" else "precision"
for x, y in zip(a["group"], b["group"]):
    assert x[k] == y[k] and x[k + "_se"] == y[k + "_se"], (x, y)
assert a.get("censoring") == b.get("censoring")
PY
  check "show $f.h5 --json: the fit's log L, sigma or precision and censoring points" $?
done
if "$py" -c "import h5py" 2>/dev/null; then
  "$py" - "$dir/c2.h5" "$dir/b2.h5" <<'PY'
import sys, h5py
c, b = (h5py.File(f, "r") for f in sys.argv[1:3])
for h in (c, b):
    assert int(h.attrs["format_version"]) == 6, h.attrs["format_version"]
assert c["model/family"][()] == b"cnorm" and b["model/family"][()] == b"beta"
assert c["params/sigma"].shape == (2,) and "precision" not in c["params"] and "dispersion" not in c["params"]
assert c["model/ymin"][()] == 0.0 and c["model/ymax"][()] == 10.0
assert b["params/precision"].shape == (2,) and "sigma" not in b["params"] and "ymin" not in b["model"]
PY
else
  "$gbtm" show "$dir/c2.h5" | grep -q "format version *6," && "$gbtm" show "$dir/b2.h5" | grep -q "format version *6,"
fi
check "the model files: format_version 6, /params/sigma and /model/ymin, ymax (cnorm), /params/precision (beta)" $?

# ---- classify, simulate, plot ------------------------------------------------------------
for f in c2:cn b2:be; do
  m=${f%%:*}
  [ "${f#*:}" = cn ] && data=$cn || data=$be
  "$gbtm" classify "$dir/$m.h5" "$data" -o "$dir/${m}class.csv" >/dev/null &&
    diff <(cut -d, -f1,2 "$dir/${m}post.csv") <(cut -d, -f1,2 "$dir/${m}class.csv") >/dev/null
  check "classify $m.h5: the fit's own modal groups" $?
done

"$gbtm" simulate --model "$dir/c2.h5" --n 500 --seed 2 -o "$dir/csim.csv" >/dev/null &&
  "$py" - "$dir/csim.csv" <<'PY'
import sys
y = [float(l.split(",")[2]) for l in list(open(sys.argv[1]))[1:]]
assert all(0 <= x <= 10 for x in y), (min(y), max(y))
assert sum(x == 0 for x in y) > 0 and sum(x == 10 for x in y) > 0
assert sum(0 < x < 10 and x != int(x) for x in y) > len(y) / 2
PY
check "simulate --model c2.h5: reals within [0, 10], some at each censoring point" $?
"$gbtm" simulate --model "$dir/b2.h5" --n 500 --seed 2 -o "$dir/bsim.csv" >/dev/null &&
  "$py" - "$dir/bsim.csv" <<'PY'
import sys
y = [float(l.split(",")[2]) for l in list(open(sys.argv[1]))[1:]]
assert len(y) > 500 and all(0 < x < 1 for x in y), (min(y), max(y))
PY
check "simulate --model b2.h5: reals strictly inside (0, 1)" $?
"$gbtm" fit "$dir/csim.csv" --family cnorm --groups 2 --order 2 --starts 5 --json --quiet >"$dir/csimfit.json" &&
  jq "$dir/csimfit.json" "$fin(j['loglik']) and j['censoring'] == [0, 10]"
check "refit of the simulated cnorm file" $?
"$gbtm" fit "$dir/bsim.csv" --family beta --groups 2 --order 2 --starts 5 --json --quiet >"$dir/bsimfit.json" &&
  jq "$dir/bsimfit.json" "$fin(j['loglik']) and all(x['precision'] > 0 for x in g)"
check "refit of the simulated beta file" $?

for f in c2.json b2.json c2.h5 b2.h5; do
  "$gbtm" plot "$dir/$f" -o "$dir/plot.svg" >/dev/null && grep -q "<svg" "$dir/plot.svg" &&
    grep -q ">Mean per age</text>" "$dir/plot.svg"
  check "plot $f: the y axis names the mean" $?
done

# ---- test ------------------------------------------------------------------------------
"$gbtm" test "$dir/c2.h5" 'sigma[1] = sigma[2]' --json >"$dir/t.json" &&
  jq "$dir/t.json" "j['df'] == 1 and $fin(j['chi2']) and j['chi2'] >= 0"
check "test 'sigma[1] = sigma[2]': df 1" $?
"$gbtm" test "$dir/b2.h5" 'precision[1] = precision[2]' --json >"$dir/t.json" &&
  jq "$dir/t.json" "j['df'] == 1 and $fin(j['chi2']) and j['chi2'] >= 0"
check "test 'precision[1] = precision[2]': df 1" $?
"$gbtm" test "$dir/cc.h5" 'sigma = 3' --json >"$dir/t.json" && jq "$dir/t.json" "j['df'] == 1"
check "test 'sigma = 3' on the shared sigma: df 1" $?
"$gbtm" test "$dir/bc.h5" 'precision = 8' --json >"$dir/t.json" && jq "$dir/t.json" "j['df'] == 1"
check "test 'precision = 8' on the shared precision: df 1" $?
for c in "cc.h5:sigma[1] = 3" "c2.h5:sigma = 3" "bc.h5:precision[2] = 8" "b2.h5:precision = 8" "b2.h5:sigma[1] = 1"; do
  "$gbtm" test "$dir/${c%%:*}" "${c#*:}" >/dev/null 2>"$dir/err.txt"
  rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l <"$dir/err.txt")" -eq 1 ]
  check "test ${c%%:*} '${c#*:}' is refused (exit $rc)" $?
done

# ---- select, convert, bootstrap ------------------------------------------------------------
"$gbtm" select "$cn" --family cnorm --groups 1:2 --min 0 --max 10 --starts 5 --quiet -o "$dir/selc" >"$dir/selc.txt" &&
  "$py" - "$dir/selc" <<'PY'
import csv, json, os, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "select.csv"))))
j = json.load(open(os.path.join(d, "select.json")))
assert [int(r["groups"]) for r in rows] == [1, 2] and len(j["models"]) == 2
assert abs(float(rows[0]["loglik"]) - (-17860.780211095156)) < 1e-6, rows[0]["loglik"]
assert os.path.exists(os.path.join(d, "model_K2_D2.h5"))
PY
check "select --family cnorm --groups 1:2 --min 0 --max 10 -o: the tables, K = 1 at survreg's log L" $?
"$gbtm" select "$be" --family beta --groups 1:2 --starts 5 --quiet -o "$dir/selb" >"$dir/selb.txt" &&
  "$py" - "$dir/selb" <<'PY'
import csv, json, os, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "select.csv"))))
j = json.load(open(os.path.join(d, "select.json")))
assert [int(r["groups"]) for r in rows] == [1, 2] and len(j["models"]) == 2
assert abs(float(rows[0]["loglik"]) - 4096.0160985464645) < 1e-6, rows[0]["loglik"]
PY
check "select --family beta --groups 1:2 -o: the tables, K = 1 at optim's log L" $?

for c in be:beta cn:cnorm; do
  fam=${c#*:}
  [ "${c%%:*}" = cn ] && data=$cn || data=$be
  "$gbtm" convert "$data" --family $fam -o "$dir/p_$fam.h5" >/dev/null &&
    "$gbtm" fit "$dir/p_$fam.h5" --family $fam --order 2 --json --quiet >"$dir/p_$fam.json" &&
    "$py" - "$dir/p_$fam.json" "$dir/${fam:0:1}1.json" <<'PY'
import json, sys
a, b = (json.load(open(f))["loglik"] for f in sys.argv[1:3])
assert abs(a - b) < 1e-9, (a, b)
PY
  check "convert --family $fam, then fit the panel: the CSV fit's log L to 1e-9" $?
  rm -f "$dir/x.h5"
  "$gbtm" convert "$data" -o "$dir/x.h5" >/dev/null 2>"$dir/err.txt"
  rc=$?
  [ $rc -eq 2 ] && grep -qE "^gbtm convert: error: .*synthetic_${fam}1\.csv:[0-9]+:3: count \"[0-9.]+\" is not a non-negative integer$" \
    "$dir/err.txt" && [ ! -e "$dir/x.h5" ]
  check "convert without --family refuses the real values of synthetic_${fam}1.csv (exit $rc, file:line:col)" $?
done

"$gbtm" fit "$cn" --family cnorm --groups 2 --order 2 --starts 5 --bootstrap 10 --json --quiet >"$dir/boot.json" &&
  jq "$dir/boot.json" '(j["bootstrap"]["replicates"] == 10 and
all(x["share_ci"][0] <= x["share_ci"][1] for x in j["bootstrap"]["group"]))'
check "--bootstrap 10 with cnorm: 10 refits, share intervals" $?

# ---- bad input ------------------------------------------------------------------------------
# refused WORDS ARGS...: gbtm fit ARGS -o x.h5 exits 2 with one line on
# stderr holding WORDS and writes no model file.
refused() {
  local words=$1
  shift
  rm -f "$dir/x.h5"
  "$gbtm" fit "$@" --quiet -o "$dir/x.h5" >/dev/null 2>"$dir/err.txt"
  rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l <"$dir/err.txt")" -eq 1 ] && grep -qF -- "$words" "$dir/err.txt" && [ ! -e "$dir/x.h5" ]
}
for v in 0 1 1.5 -0.2; do
  awk -F, -v OFS=, -v v="$v" 'NR == 5 {$3 = v} {print}' "$be" >"$dir/bad.csv"
  refused "bad.csv:5:3: count \"$v\" is not strictly between 0 and 1" "$dir/bad.csv" --family beta
  check "beta response $v (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
done
for fam in beta cnorm; do
  [ $fam = cnorm ] && data=$cn || data=$be
  for v in nan inf 0x1p-2; do
    awk -F, -v OFS=, -v v="$v" 'NR == 6 {$3 = v} {print}' "$data" >"$dir/bad.csv"
    refused "bad.csv:6:3: count \"$v\" is not a finite number" "$dir/bad.csv" --family $fam
    check "$fam response $v (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
  done
  awk -F, -v OFS=, 'NR == 1 {print $0, "exposure"; next} NR == 7 {print $0, 2; next} {print $0, 1}' "$data" >"$dir/exp.csv"
  refused "exp.csv:7:4: exposure \"2\" is not 1 (the $fam family has no exposure)" "$dir/exp.csv" --family $fam \
    --exposure exposure
  check "$fam with an exposure of 2 (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
done
refused "synthetic_cnorm1.csv:5:3: count \"8.2481\" is outside the censoring points" "$cn" --family cnorm --max 5
check "cnorm --max 5: a response above it (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
refused "synthetic_cnorm1.csv:2:3: count \"0\" is outside the censoring points" "$cn" --family cnorm --min 0.5
check "cnorm --min 0.5: a response below it (exit $rc)" $?
refused "--min (3) must be below --max (3)" "$cn" --family cnorm --min 3 --max 3
check "--min 3 --max 3 (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
refused "--min (4) must be below --max (2)" "$cn" --family cnorm --min 4 --max 2
check "--min 4 --max 2 (exit $rc)" $?
for fam in poisson beta; do
  refused "--min and --max apply only to --family cnorm" "$cn" --family $fam --min 0
  check "--min with --family $fam (exit $rc: $(head -c 200 "$dir/err.txt"))" $?
done
refused "--min and --max apply only to --family cnorm" "$cn" --max 10
check "--max without --family (exit $rc)" $?

# ---- damaged model files -------------------------------------------------------------------
# Each copy of a model file is damaged with h5py and handed to show,
# classify, test, simulate --model and plot: exit 2, one line naming the
# file and the dataset, no output file.
if ! "$py" -c "import h5py" 2>/dev/null; then
  echo "skip damaged model files: $py has no h5py"
else
  "$gbtm" fit "$ref/trajer_POIS2gr.csv" --groups 2 --order 2 --starts 2 --quiet -o "$dir/p2.h5" >/dev/null 2>&1
  cd "$dir" || exit 1
  GBTM="$gbtm" CN="$cn" BE="$be" PO="$ref/trajer_POIS2gr.csv" "$py" - <<'PY'
import os, shutil, subprocess
import h5py, numpy as np
gbtm = os.environ["GBTM"]
def put(path, value):
    def f(h):
        del h[path]
        h.create_dataset(path, data=value)
    return f
def at(path, i, value):
    def f(h):
        a = h[path][()]
        a[i] = value
        h[path][...] = a
    return f
def rm(path):
    return lambda h: h.__delitem__(path)
cases = [  # name, source, its data, damage, words of the message
    ("sigma removed", "c2.h5", "CN", rm("params/sigma"), "/params/sigma is missing"),
    ("sigma negative", "c2.h5", "CN", at("params/sigma", 0, -1.0), "/params/sigma[0] is -1, expected a finite number > 0"),
    ("sigma 0", "c2.h5", "CN", at("params/sigma", 1, 0.0), "/params/sigma[1] is 0, expected a finite number > 0"),
    ("sigma NaN", "c2.h5", "CN", at("params/sigma", 1, np.nan), "/params/sigma[1] is nan, expected a finite number > 0"),
    ("sigma inf", "c2.h5", "CN", at("params/sigma", 0, np.inf), "/params/sigma[0] is inf, expected a finite number > 0"),
    ("one sigma for two groups", "c2.h5", "CN", put("params/sigma", np.array([3.0])), "/params/sigma has shape 1"),
    ("sigma a scalar", "c2.h5", "CN", put("params/sigma", 3.0), "/params/sigma is a scalar"),
    ("sigma integers", "c2.h5", "CN", put("params/sigma", np.array([3, 2], dtype="int32")), "/params/sigma is an integer"),
    ("shared sigma unequal", "cc.h5", "CN", at("params/sigma", 0, 2.0), "/model/phi_common says the groups share it"),
    ("ymin = ymax", "c2.h5", "CN", put("model/ymin", 10.0), "censoring points 10 and 10, expected finite numbers in order"),
    ("ymin > ymax", "c2.h5", "CN", put("model/ymin", 11.0), "censoring points 11 and 10, expected finite numbers in order"),
    ("ymin removed", "c2.h5", "CN", rm("model/ymin"), "/model/ymin is missing"),
    ("ymax removed", "c2.h5", "CN", rm("model/ymax"), "/model/ymax is missing"),
    ("ymin NaN", "c2.h5", "CN", put("model/ymin", np.nan), "censoring points nan and 10"),
    ("ymax inf", "c2.h5", "CN", put("model/ymax", np.inf), "censoring points 0 and inf"),
    ("ymin a string", "c2.h5", "CN", put("model/ymin", b"0"), "/model/ymin is a string"),
    ("ymin of shape 2", "c2.h5", "CN", put("model/ymin", np.array([0.0, 1.0])), "/model/ymin has shape 2"),
    ("precision removed", "b2.h5", "BE", rm("params/precision"), "/params/precision is missing"),
    ("precision negative", "b2.h5", "BE", at("params/precision", 0, -1.0),
     "/params/precision[0] is -1, expected a finite number > 0"),
    ("precision NaN", "b2.h5", "BE", at("params/precision", 1, np.nan), "/params/precision[1] is nan"),
    ("precision inf", "b2.h5", "BE", at("params/precision", 1, np.inf), "/params/precision[1] is inf"),
    ("shared precision unequal", "bc.h5", "BE", at("params/precision", 0, 2.0), "/model/phi_common says the groups share it"),
    ("poisson file as cnorm", "p2.h5", "PO", put("model/family", b"cnorm"), "/model/ymin is missing"),
    ("poisson file as beta", "p2.h5", "PO", put("model/family", b"beta"), "/params/precision is missing"),
    ("cnorm file as beta", "c2.h5", "CN", put("model/family", b"beta"), "/params/precision is missing"),
    ("beta file as cnorm", "b2.h5", "BE", put("model/family", b"cnorm"), "/model/ymin is missing"),
    ("beta file as nb", "b2.h5", "BE", put("model/family", b"nb"), "/params/dispersion is missing"),
    ("cnorm file as poisson", "c2.h5", "CN", put("model/family", b"poisson"), "/fit/n_params is 9"),
]
failed = 0
for name, src, data, damage, words in cases:
    shutil.copy(src, "bad.h5")
    with h5py.File("bad.h5", "r+") as h:
        damage(h)
    commands = {
        "show": ["show", "bad.h5", "--json"],
        "classify": ["classify", "bad.h5", os.environ[data], "-o", "out.csv"],
        "test": ["test", "bad.h5", "beta[1][0] = 0"],
        "simulate": ["simulate", "--model", "bad.h5", "--n", "20", "-o", "out.csv"],
        "plot": ["plot", "bad.h5", "-o", "out.svg"],
    }
    for cmd, args in commands.items():
        for out in ("out.csv", "out.svg"):
            if os.path.exists(out):
                os.remove(out)
        r = subprocess.run([gbtm] + args, capture_output=True, text=True)
        err = r.stderr.strip().splitlines()
        ok = (r.returncode == 2 and len(err) == 1 and err[0].startswith("gbtm %s: error: bad.h5: " % cmd)
              and words in err[0] and r.stdout == "" and not os.path.exists("out.csv") and not os.path.exists("out.svg"))
        if not ok:
            failed += 1
            print("       %s, %s: exit %d: %s" % (name, cmd, r.returncode, " / ".join(err)[:300]))
raise SystemExit(1 if failed else 0)
PY
  check "damaged cnorm and beta model files: exit 2, one line each" $?
  cd - >/dev/null || exit 1
fi

echo "passed $pass, failed $fail"
[ "$fail" -eq 0 ]
