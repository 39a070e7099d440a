#!/usr/bin/env bash
# test_multi.sh: `gbtm fit --count y1,y2,y3`, the multi-trajectory model
# (docs/DESIGN.md §10), end to end on drawn data of two Poisson outcomes and
# a binary one with missing cells: the JSON report has one entry per outcome
# in "outcomes" with its family and its own observed cells (a missing value
# drops that outcome's cell only), parameters named by outcome, the shares
# and every coefficient within 4 standard errors of the truth; the text
# report names each outcome; a single outcome's report has no "outcomes"
# key; what several outcomes do not take yet (risk factors, weights, the
# bootstrap, HDF5 panels, a pipe, a list of the wrong length, and gbtm
# select or classify with a list) is refused with exit 2 and a message;
# --posterior writes the shared posteriors. -o writes a model file of format
# version 11 (docs/model-file.md): gbtm show prints where the file came
# from, then the fit's text and JSON reports byte for byte, gbtm classify on the fitted data gives the
# --posterior file's posteriors to 1e-12 (warning of ages past the
# model's), and plot, test, report, profile
# and simulate --model refuse it with exit 2; a single outcome's file stays
# below version 11.
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

# Truth: shares 0.6 / 0.4; s = (age - 15) / 5 over ages 10..20.
cat >"$dir/truth.json" <<'JSON'
{"share": [0.6, 0.4],
 "y1": [[-1.0, 0.5, -0.5], [0.5, 0.8, -0.8]],
 "y2": [[-2.0, 0.3], [0.0, -0.5]],
 "y3": [[-1.5, 0.0, 0.0], [0.5, 1.0, -1.0]]}
JSON
"$py" - "$dir/truth.json" 1500 >"$dir/d.csv" <<'PY'
import json, math, random, sys
t = json.load(open(sys.argv[1])); N = int(sys.argv[2]); random.seed(5)
def pois(l):
    L, k, p = math.exp(-l), 0, 1.0
    while True:
        p *= random.random()
        if p < L: return k
        k += 1
def lin(b, s): return sum(c * s ** j for j, c in enumerate(b))
print("id,age,y1,y2,y3")
for i in range(N):
    g = 0 if random.random() < t["share"][0] else 1
    for a in range(10, 21):
        s = (a - 15) / 5
        y1 = pois(math.exp(lin(t["y1"][g], s))); y2 = pois(math.exp(lin(t["y2"][g], s)))
        y3 = int(random.random() < 1 / (1 + math.exp(-lin(t["y3"][g], s))))
        r = random.random()
        print(f"p{i},{a},{'' if r < 0.05 else y1},{'' if 0.05 <= r < 0.1 else y2},{y3}")
PY

"$gbtm" fit "$dir/d.csv" --count y1,y2,y3 --family "poisson;poisson;logit" --order "2;1;2" --groups 2 --json \
  >"$dir/m.json" 2>"$dir/m.err"
check "a three-outcome fit" $?
"$py" - "$dir/m.json" "$dir/d.csv" <<'PY'
import csv, json, sys
r = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert [o["name"] for o in r["outcomes"]] == ["y1", "y2", "y3"], r["outcomes"]
assert [o["family"] for o in r["outcomes"]] == ["poisson", "poisson", "logit"]
for o in r["outcomes"]:
    assert o["cells"] == sum(1 for x in rows if x[o["name"]] != ""), (o["name"], o["cells"])
assert r["persons"] == 1500 and r["converged"] and r["groups"] == 2
assert abs(sum(r["shares"]) - 1) < 1e-12
names = [p["name"] for p in r["parameters"]]
assert names[0] == "theta[2]" and "y2:beta[2][1]" in names and "y3:beta[1][2]" in names, names
assert r["n_params"] == len(names) == 1 + 6 + 4 + 6
PY
check "one entry per outcome with its own cells; parameters named by outcome" $?
"$py" - "$dir/m.json" "$dir/truth.json" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))
p = {x["name"]: x for x in r["parameters"]}
g0 = 0 if p["y1:beta[1][0]"]["estimate"] < p["y1:beta[2][0]"]["estimate"] else 1  # truth's group 1
pi = r["shares"][g0]
se = pi * (1 - pi) * p["theta[2]"]["se"]  # delta method
assert abs(pi - t["share"][0]) <= 4 * se, (pi, se)
for y in ("y1", "y2", "y3"):
    for k in (0, 1):
        for j, want in enumerate(t[y][k][: {"y1": 3, "y2": 2, "y3": 3}[y]]):
            q = p[f"{y}:beta[{(k if g0 == 0 else 1 - k) + 1}][{j}]"]
            assert math.isfinite(q["se"]) and abs(q["estimate"] - want) <= 4 * q["se"], (y, k, j, q, want)
PY
check "shares and coefficients within 4 standard errors of the truth" $?

"$gbtm" fit "$dir/d.csv" --count y1,y2,y3 --family "poisson;poisson;logit" --order "2;1;2" --groups 2 >"$dir/m.txt" \
  --posterior "$dir/post.csv"
grep -q "^Outcome y2: poisson" "$dir/m.txt" && grep -q "^Outcome y3: logit" "$dir/m.txt" && grep -q "theta\[2\]" "$dir/m.txt"
check "the text report names each outcome" $?

"$py" - "$dir/post.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0].keys()) == ["id", "group", "p1", "p2"], rows[0].keys()
assert len(rows) == 1500 and len({r["id"] for r in rows}) == 1500
for r in rows:
    p = [float(r["p1"]), float(r["p2"])]
    assert abs(sum(p) - 1) < 1e-12 and int(r["group"]) == 1 + p.index(max(p))
PY
check "--posterior: one row per person, the modal group and the shared posteriors" $?
"$gbtm" fit "$dir/d.csv" --count y1,y2 --groups 2 --posterior "$dir/d.csv" >"$dir/out" 2>"$dir/err"
[ $? -eq 2 ] && cmp -s "$dir/d.csv" "$dir/d.csv" && head -1 "$dir/d.csv" | grep -q "^id,age,y1"
check "--posterior naming the data: exit 2, the data unchanged" $?

if [ -w /dev/full ]; then # one output that cannot be written: neither is left
  for pair in "$dir/pf.csv /dev/full" "/dev/full $dir/pf.h5"; do
    read -r pf_post pf_model <<<"$pair"
    rm -f "$dir/pf.csv" "$dir/pf.h5"
    "$gbtm" fit "$dir/d.csv" --count y1,y2 --order 1 --groups 2 --posterior "$pf_post" -o "$pf_model" >"$dir/out" 2>"$dir/err"
    [ $? -eq 2 ] && [ ! -e "$dir/pf.csv" ] && [ ! -e "$dir/pf.h5" ] && grep -q "/dev/full: cannot write" "$dir/err"
    check "--posterior $pf_post -o $pf_model: exit 2, neither output left" $?
  done
fi
"$gbtm" fit "$dir/d.csv" --count y1 --groups 2 --order 2 --json --quiet >"$dir/one.json" &&
  "$py" -c 'import json, sys; r = json.load(open(sys.argv[1])); assert "outcomes" not in r' "$dir/one.json"
check "one outcome: the single-outcome report" $?

refuse() { # name, args...
  local name=$1
  shift
  "$gbtm" fit "$dir/d.csv" "$@" >"$dir/out" 2>"$dir/err"
  local rc=$?
  [ $rc -eq 2 ] && [ ! -s "$dir/out" ] && grep -q "error" "$dir/err"
  check "$name: exit 2 ($rc): $(head -c 150 "$dir/err")" $?
}
refuse "risk factors with several outcomes" --count y1,y2 --risk y3 --groups 2
refuse "a weight with several outcomes" --count y1,y2 --weight y3 --groups 2
refuse "the bootstrap with several outcomes" --count y1,y2 --groups 2 --bootstrap 10
refuse "a family list of the wrong length" --count y1,y2,y3 --family "poisson;logit" --groups 2
refuse "an order list of the wrong length" --count y1,y2 --order "2;2;2" --groups 2
refuse "a ';' list with one outcome" --count y1 --family "poisson;logit"
long=$("$py" -c 'print("x" * 1100)')
refuse "a --count list longer than 1023 characters (not cut short)" --count "y1,y2,$long" --groups 2
refuse "an --order list longer than 1023 characters" --count y1,y2 --order "2;2$long" --groups 2
refuse "a count above 1 for a logit outcome" --count y1,y3 --family "logit;logit" --groups 2

awk -F, -v OFS=, '{ print $0, (NR == 1 ? "e,z" : ",0") }' "$dir/d.csv" >"$dir/ez.csv"
named() { # name, want (grep -F on the error), args...
  local name=$1 want=$2
  shift 2
  "$gbtm" fit "$dir/ez.csv" "$@" >"$dir/out" 2>"$dir/err"
  local rc=$?
  [ $rc -eq 2 ] && [ ! -s "$dir/out" ] && grep -qF -- "$want" "$dir/err"
  check "$name: exit 2 ($rc), naming the outcome: $(head -c 150 "$dir/err")" $?
}
named "an outcome column all empty" "no data rows with a response (16500 missing) (outcome e)" --count y1,e --groups 2
named "an outcome of zeros only" "every count in the data is zero: there is no trajectory to fit (outcome z)" \
  --count y1,z --groups 2
named "an order out of range for one outcome" "must be between 0 and 5 (got 9) (outcome y2)" --count y1,y2 --order "2;9" \
  --groups 2

# Model files of several outcomes (format version 11).
"$gbtm" fit "$dir/d.csv" --count y1,y2,y3 --family "poisson;poisson;logit" --order "2;1;2" --groups 2 \
  -o "$dir/m.h5" >"$dir/o.txt" 2>"$dir/o.err" && cmp -s "$dir/o.txt" "$dir/m.txt"
check "fit -o: the model file written, the report unchanged" $?
"$gbtm" show "$dir/m.h5" >"$dir/show.txt" 2>"$dir/show.err" && tail -n +7 "$dir/show.txt" | cmp - "$dir/m.txt" &&
  head -1 "$dir/show.txt" | grep -q "^Model file: .*m.h5" && sed -n 2p "$dir/show.txt" | grep -q "format version *11, written by gbtm" &&
  sed -n 3p "$dir/show.txt" | grep -q -- "--count y1,y2,y3 .* -o"
check "show: where the file came from, then the fit's text report byte for byte" $?
"$gbtm" show --json "$dir/m.h5" >"$dir/show.json" 2>"$dir/show.err" && cmp "$dir/show.json" "$dir/m.json"
check "show --json: the fit's JSON report, byte for byte" $?
"$py" -c '
import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert f.attrs["format_version"] == 11
assert [n.decode() for n in f["multi/names"][()]] == ["y1", "y2", "y3"]
assert f["outcomes/3/model/family"][()].decode() == "logit" and f["posterior/tau"].shape == (1500, 2)
assert f["cov/model"].shape == (f["multi/n_params"][()],) * 2' "$dir/m.h5"
check "the file: version 11, /multi, /outcomes/3, /cov, /posterior" $?
"$gbtm" classify "$dir/m.h5" "$dir/d.csv" -o "$dir/cl.csv" >"$dir/out" 2>"$dir/err" &&
  "$py" - "$dir/cl.csv" "$dir/post.csv" <<'PY'
import csv, sys
a = list(csv.DictReader(open(sys.argv[1]))); b = list(csv.DictReader(open(sys.argv[2])))
assert [r["id"] for r in a] == [r["id"] for r in b] and len(a) == 1500
for x, y in zip(a, b):
    assert x["group"] == y["group"]
    for k in ("p1", "p2"): assert abs(float(x[k]) - float(y[k])) <= 1e-12, (x, y)
PY
check "classify on the fitted data: the fit's posteriors to 1e-12" $?
awk -F, 'NR == 1 || $1 != "p0"' "$dir/d.csv" >"$dir/d1.csv" && sed -i 's/^p1,\([0-9]*\),[0-9]*,/p1,\1,,/' "$dir/d1.csv" &&
  "$gbtm" classify "$dir/m.h5" "$dir/d1.csv" >"$dir/cl1.csv" 2>"$dir/err" &&
  [ "$(grep -c . "$dir/cl1.csv")" -eq 1500 ] && ! grep -q "^p0," "$dir/cl1.csv" && grep -q "^p1," "$dir/cl1.csv"
check "classify: a person left out is left out, one without y1 is classified by the rest" $?
{ cat "$dir/d.csv"; echo "p2,30,1,0,1"; } >"$dir/d30.csv"
"$gbtm" classify "$dir/m.h5" "$dir/d30.csv" >"$dir/out" 2>"$dir/err" && grep -q "outside the model's range.*: p2" "$dir/err"
check "classify: a person observed past the model's ages is named in a warning" $?
for opt in "--count y1" "--exposure y2" "--risk y3"; do
  # shellcheck disable=SC2086
  "$gbtm" classify "$dir/m.h5" "$dir/d.csv" -o "$dir/clx.csv" $opt >"$dir/out" 2>"$dir/err"
  [ $? -eq 2 ] && [ ! -e "$dir/clx.csv" ] && grep -q "reads each outcome from the column of its name" "$dir/err"
  check "classify $opt with a model of several outcomes: exit 2, not ignored" $?
done
for c in "plot $dir/m.h5 -o $dir/x.svg" "test $dir/m.h5 theta[2]=0" "report $dir/m.h5 -o $dir/r.html" \
  "profile $dir/m.h5 $dir/d.csv --vars y1" "simulate --model $dir/m.h5 --n 10 -o $dir/s.csv"; do
  # shellcheck disable=SC2086
  "$gbtm" $c >"$dir/out" 2>"$dir/err"
  rc=$?
  [ $rc -eq 2 ] && grep -q "a model with several outcomes" "$dir/err" && [ ! -e "$dir/x.svg" ] && [ ! -e "$dir/s.csv" ]
  check "gbtm ${c%% *} with a model of several outcomes: exit 2 ($rc), saying so" $?
done
"$gbtm" fit "$dir/d.csv" --count y1 --groups 2 --order 2 -o "$dir/one.h5" >/dev/null 2>&1 &&
  "$py" -c 'import h5py, sys; assert h5py.File(sys.argv[1], "r").attrs["format_version"] < 11' "$dir/one.h5"
check "one outcome's model file stays below version 11" $?
"$gbtm" simulate --preset rapporteur-2024 --n 50 --seed 1 -o "$dir/p.csv" >/dev/null 2>&1
"$gbtm" convert "$dir/p.csv" -o "$dir/p.h5" >/dev/null 2>&1 || cp "$dir/d.csv" "$dir/p.h5"
"$gbtm" fit "$dir/p.h5" --count count,count2 >"$dir/out" 2>"$dir/err"
[ $? -eq 2 ] && grep -q "long CSV" "$dir/err"
check "an HDF5 panel with several outcomes: exit 2" $?

# A damaged or doctored file of several outcomes: exit 2 naming what is
# wrong, nothing allocated for persons the file does not hold, no "nan"
# printed as a standard error.
damage() { # name, python statements on f (the copy, open r+), want (grep -E on the error)
  cp "$dir/m.h5" "$dir/bad.h5"
  "$py" -c "import h5py, numpy as np, sys; f = h5py.File(sys.argv[1], 'r+'); $2; f.close()" "$dir/bad.h5" || return 1
  local c ok=0
  for c in "show" "show --json" "classify"; do
    rm -f "$dir/bad.csv"
    # shellcheck disable=SC2086
    if [ "$c" = classify ]; then "$gbtm" classify "$dir/bad.h5" "$dir/d.csv" -o "$dir/bad.csv" >"$dir/out" 2>"$dir/err"
    else "$gbtm" $c "$dir/bad.h5" >"$dir/out" 2>"$dir/err"; fi
    [ $? -eq 2 ] && [ ! -s "$dir/out" ] && [ ! -e "$dir/bad.csv" ] && grep -qE "$3" "$dir/err" || ok=1
  done
  check "$1: exit 2 from show, show --json and classify: $(head -c 150 "$dir/err")" $ok
}
damage "/multi/persons past the posteriors held" 'del f["multi/persons"]; f["multi/persons"] = np.int64(10**15)' \
  "/posterior/tau has shape 1500x2, expected 1000000000000000x2"
damage "/multi/gradient_norm not a number" 'del f["multi/gradient_norm"]; f["multi/gradient_norm"] = float("nan")' \
  "/multi/gradient_norm is nan"
damage "an outcome named twice in /multi/names" 'f["multi/names"][1] = b"y1"' '/multi/names\[1\] is "y1", as /multi/names\[0\]'
damage "a parameter name of another outcome in /cov/names" 'n = f["cov/names"][()]; n[1], n[-1] = n[-1], n[1]; f["cov/names"][...] = n' \
  '/cov/names\[1\] is "y3:beta\[2\]\[2\]", expected a parameter of outcome y1'
damage "an empty name in /cov/names" 'n = f["cov/names"][()]; n[0] = b""; f["cov/names"][...] = n' \
  '/cov/names\[0\] is "", expected "theta\[2\]"'
cp "$dir/m.h5" "$dir/nose.h5" && "$py" -c 'import h5py, sys
f = h5py.File(sys.argv[1], "r+"); c = f["cov/model"][()]; c[0, 0] = -1.0; c[3, 3] = float("inf"); f["cov/model"][...] = c' \
  "$dir/nose.h5" && "$gbtm" show "$dir/nose.h5" >"$dir/nose.txt" 2>"$dir/err" && ! grep -qiwE "nan|inf" "$dir/nose.txt" &&
  grep -qE "^  theta\[2\] +-?[0-9.]+ +-$" "$dir/nose.txt" && grep -qE "^  beta\[1\]\[2\] +-?[0-9.]+ +-$" "$dir/nose.txt"
check "show: a standard error without a number (variance below 0 or infinite) printed as -, not nan" $?

for cmd in select classify; do
  if [ $cmd = select ]; then "$gbtm" select "$dir/d.csv" --count y1,y2 --groups 1:2 >"$dir/out" 2>"$dir/err"
  else "$gbtm" classify "$dir/none.h5" "$dir/d.csv" --count y1,y2 >"$dir/out" 2>"$dir/err"; fi
  [ $? -eq 2 ] && grep -q "only gbtm fit fits several outcomes" "$dir/err"
  check "gbtm $cmd with several outcomes: exit 2, saying so" $?
done
cat "$dir/d.csv" | "$gbtm" fit /dev/stdin --count y1,y2 --groups 2 >"$dir/out" 2>"$dir/err"
[ $? -eq 2 ] && grep -q "regular file" "$dir/err"
check "several outcomes from a pipe: exit 2" $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
