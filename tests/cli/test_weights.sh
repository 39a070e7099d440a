#!/usr/bin/env bash
# test_weights.sh: person-level sampling weights (--weight, DESIGN eq. W),
# end to end. Integer weights are frequency weights: a fit with weight w_i
# reaches the estimates of the unweighted fit of the data where person i
# appears w_i times, and its log L is that fit's times N / sum w (the
# weights are rescaled to mean 1). Weights all equal give the unweighted
# fit. flexmix with case weights reaches the same maximum (skipped with
# exit 77 when R or flexmix is missing, after the other checks pass). A
# weight that varies within a person, is 0, negative, not a number or
# missing is refused with exit 2, file:line:column and nothing written;
# with --drop-missing the person is dropped. The wide layout, an HDF5
# panel and a Stata file take the weight too; select --weight reports it; a weighted model
# file is format version 10 and an unweighted one stays below. Equal
# weights of 1e300 or 1e-320 give the unweighted fit; weights whose sum
# overflows, and a weight column that is also --tcov, are refused.
# $1 is the gbtm binary.
. "$(dirname "$0")/lib.sh" # gbtm, dir, py, check (tests/cli/lib.sh)

"$gbtm" simulate --preset rapporteur-2024 --n 240 --seed 5 -o "$dir/sim.csv" >/dev/null 2>&1
# w.csv: a weight 1, 2 or 3 per person (repeated on their rows); dup.csv:
# person i written w_i times under new ids; c.csv: every weight 2.5;
# wide.csv: w.csv in the wide layout.
"$py" - "$dir" <<'PY'
import csv, random, sys
d = sys.argv[1]
random.seed(7)
rows = list(csv.DictReader(open(d + "/sim.csv")))
w = {}
for r in rows:
    w.setdefault(r["id"], random.choice([1, 2, 3]))
with open(d + "/w.csv", "w") as f, open(d + "/c.csv", "w") as g, open(d + "/dup.csv", "w") as h:
    f.write("id,age,count,w\n"); g.write("id,age,count,w\n"); h.write("id,age,count\n")
    for r in rows:
        f.write(f"{r['id']},{r['age']},{r['count']},{w[r['id']]}\n")
        g.write(f"{r['id']},{r['age']},{r['count']},2.5\n")
        for c in range(w[r["id"]]):
            h.write(f"{r['id']}_{c},{r['age']},{r['count']}\n")
by = {}
for r in rows:
    by.setdefault(r["id"], []).append(r)
W = max(len(v) for v in by.values())
with open(d + "/wide.csv", "w") as f:
    f.write("id,w," + ",".join(f"t{j},y{j}" for j in range(1, W + 1)) + "\n")
    for i, v in by.items():
        cells = [f"{r['age']},{r['count']}" for r in v] + [","] * (W - len(v))
        f.write(f"{i},{w[i]}," + ",".join(cells) + "\n")
PY
check "the weighted panels are written" $?

fit() { "$gbtm" fit "$@" --groups 3 --order 2 --seed 1 --quiet --json; }
fit "$dir/w.csv" --weight w -o "$dir/w.h5" >"$dir/w.json" && fit "$dir/dup.csv" >"$dir/dup.json"
check "a weighted fit and the fit of the duplicated persons" $?
# the duplicated fit's log L is on sum w persons; the weighted one on N
"$py" - "$dir/w.json" "$dir/dup.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
wt = a["data"]["weight"]
assert wt == {"column": "w", "sum": wt["sum"], "min": 1, "max": 3, "scaling": "mean 1"}, wt
N = a["data"]["persons"]
assert abs(a["loglik"] - b["loglik"] * N / wt["sum"]) <= 1e-7 * abs(a["loglik"]), (a["loglik"], b["loglik"])
for ga, gb in zip(a["group"], b["group"]):
    assert abs(ga["share"] - gb["share"]) <= 1e-6 * gb["share"], (ga["share"], gb["share"])
    for x, y in zip(ga["beta"], gb["beta"]):
        assert abs(x - y) <= 1e-6 * max(1.0, abs(y)), (ga["beta"], gb["beta"])
assert a["se"] == "robust" and b["se"] == "model"
assert a["n_persons"] == N and b["n_persons"] == wt["sum"]
PY
check "integer weights are frequency weights: same estimates, log L times N / sum w" $?

# the same with risk factors and a time-varying covariate (the membership
# logit's Newton ascent), and for nb (a dispersion per group, the cell path)
"$gbtm" simulate --preset rapporteur-2024-covariates --n 200 --seed 3 -o "$dir/cov.csv" >/dev/null 2>&1
"$py" - "$dir" <<'PY'
import csv, random, sys
d = sys.argv[1]
random.seed(2)
rows = list(csv.DictReader(open(d + "/cov.csv")))
cols = list(rows[0].keys())
w = {}
for r in rows:
    w.setdefault(r["id"], random.choice([1, 2, 3]))
with open(d + "/covw.csv", "w") as f, open(d + "/covd.csv", "w") as g:
    f.write(",".join(cols) + ",w\n"); g.write(",".join(cols) + "\n")
    for r in rows:
        f.write(",".join(r[c] for c in cols) + f",{w[r['id']]}\n")
        for c in range(w[r["id"]]):
            g.write(",".join(r[x] + f"_{c}" if x == "id" else r[x] for x in cols) + "\n")
PY
same_as_dup() { # the JSON of the weighted fit and of the duplicated one
  "$py" - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
N, S = a["data"]["persons"], a["data"]["weight"]["sum"]
assert abs(a["loglik"] - b["loglik"] * N / S) <= 1e-7 * abs(a["loglik"]), (a["loglik"], b["loglik"] * N / S)
for ga, gb in zip(a["group"], b["group"]):
    assert abs(ga["share"] - gb["share"]) <= 1e-6 * gb["share"], (ga["share"], gb["share"])
    for x, y in zip(ga["beta"], gb["beta"]):
        assert abs(x - y) <= 1e-6 * max(1.0, abs(y)), (ga["beta"], gb["beta"])
PY
}
fit "$dir/covw.csv" --weight w --risk unstable_family,no_qualification --tcov employed >"$dir/cw.json" &&
  fit "$dir/covd.csv" --risk unstable_family,no_qualification --tcov employed >"$dir/cd.json" &&
  same_as_dup "$dir/cw.json" "$dir/cd.json"
check "frequency weights with risk factors and a time-varying covariate" $?
fit "$dir/covw.csv" --weight w --family nb >"$dir/nw.json" && fit "$dir/covd.csv" --family nb >"$dir/nd.json" &&
  same_as_dup "$dir/nw.json" "$dir/nd.json"
check "frequency weights with the negative binomial" $?

# a pilot of the weighted panel (its persons keep their weights) ends at
# the maximum of the fit without one; a bootstrap of a weighted fit runs
fit "$dir/w.csv" --weight w --pilot 100 >"$dir/pilot.json" && "$py" - "$dir/pilot.json" "$dir/w.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["pilot_persons"] > 0 and abs(a["loglik"] - b["loglik"]) <= 1e-7 * abs(b["loglik"]), (a["pilot_persons"], a["loglik"], b["loglik"])
PY
check "a weighted fit from a pilot reaches the same maximum" $?
"$gbtm" fit "$dir/w.csv" --weight w --groups 2 --order 1 --seed 1 --quiet --bootstrap 4 >"$dir/boot.txt" &&
  grep -qi "bootstrap" "$dir/boot.txt"
check "a weighted fit's bootstrap runs" $?

fit "$dir/c.csv" --weight w >"$dir/c.json" && fit "$dir/sim.csv" >"$dir/u.json" &&
  fit "$dir/c.csv" --weight w --se model >"$dir/cm.json"
check "weights all 2.5, and no weights" $?
"$py" - "$dir/c.json" "$dir/u.json" "$dir/cm.json" <<'PY'
import json, sys
c, u, cm = (json.load(open(p)) for p in sys.argv[1:4])
assert abs(c["loglik"] - u["loglik"]) <= 1e-9 * abs(u["loglik"])
for gc, gu, gm in zip(c["group"], u["group"], cm["group"]):
    assert abs(gc["share"] - gu["share"]) <= 1e-9
    assert all(abs(x - y) <= 1e-9 * max(1, abs(y)) for x, y in zip(gc["beta"], gu["beta"]))
    # --se model on equal weights: the unweighted model-based errors
    assert all(abs(x - y) <= 1e-6 * y for x, y in zip(gm["beta_se"], gu["beta_se"])), (gm["beta_se"], gu["beta_se"])
assert c["se"] == "robust" and cm["se"] == "model" and u["data"]["weight"] is None
PY
check "equal weights give the unweighted estimates and model-based errors" $?

"$gbtm" fit "$dir/w.csv" --weight w --groups 3 --order 2 --seed 1 --quiet >"$dir/w.txt" &&
  grep -q "weight .*w (sum [0-9]*, from 1 to 3; rescaled to mean 1)" "$dir/w.txt" &&
  grep -q "robust (sandwich), as the fit is weighted" "$dir/w.txt"
check "the text report names the weight and the robust errors" $?

"$py" -c 'import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert f.attrs["format_version"] == 10
assert f["data/weight_column"][()].decode() == "w" and f["data/weight_min"][()] == 1 and f["data/weight_max"][()] == 3' "$dir/w.h5" &&
  fit "$dir/sim.csv" -o "$dir/u.h5" >/dev/null && "$py" -c 'import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert f.attrs["format_version"] < 10 and "weight_column" not in f["data"]' "$dir/u.h5" &&
  "$gbtm" show "$dir/w.h5" | grep -q "weight .*w (sum"
check "a weighted model file is version 10 with its weight; an unweighted one stays below" $?

fit "$dir/wide.csv" --wide --count-cols y1-y34 --age-cols t1-t34 --weight w >"$dir/wide.json" 2>"$dir/wide.err" ||
  "$py" -c 'import sys; sys.exit(1)'
"$py" - "$dir/wide.json" "$dir/w.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert abs(a["loglik"] - b["loglik"]) <= 1e-9 * abs(b["loglik"]), (a["loglik"], b["loglik"])
PY
check "the wide layout's weight column gives the long file's fit" $?

"$gbtm" convert "$dir/w.csv" --risk w -o "$dir/w_panel.h5" >/dev/null 2>&1 &&
  fit "$dir/w_panel.h5" --weight w >"$dir/h5.json" && "$py" - "$dir/h5.json" "$dir/w.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert abs(a["loglik"] - b["loglik"]) <= 1e-9 * abs(b["loglik"]) and a["data"]["weight"]["sum"] == b["data"]["weight"]["sum"]
PY
check "an HDF5 panel's /panel/risk/w weights the fit alike" $?
awk -F, -v OFS=, '$1 == "P000003" { $4 = 0 } 1' "$dir/w.csv" >"$dir/w0.csv"
"$gbtm" convert "$dir/w0.csv" --risk w -o "$dir/w0.h5" >/dev/null 2>&1 &&
  { "$gbtm" fit "$dir/w0.h5" --weight w --groups 2 --quiet -o "$dir/never.h5" >/dev/null 2>"$dir/h5.err"; [ $? -eq 2 ]; } &&
  [ ! -e "$dir/never.h5" ] && grep -Eq 'w0\.h5:[0-9]+(:[0-9]+)?: weight "w" is 0; a weight must be finite and > 0' "$dir/h5.err"
check "an HDF5 panel's weight of 0: exit 2 naming the entry, nothing written" $?

# bad weights: exit 2, file:line:column, nothing written
bad() { # name, awk program that rewrites w.csv, expected message pattern
  awk -F, -v OFS=, "$2" "$dir/w.csv" >"$dir/bad.csv"
  "$gbtm" fit "$dir/bad.csv" --weight w --groups 2 --quiet -o "$dir/never.h5" >/dev/null 2>"$dir/bad.err"
  r=$?
  [ $r -eq 2 ] && [ ! -e "$dir/never.h5" ] && grep -Eq "$3" "$dir/bad.err"
  check "$1: exit 2 with file:line:column, nothing written" $?
}
bad "a weight that varies within a person" 'NR == 3 { $4 = 9 } 1' 'bad\.csv:3:4: weight "w" of person P000001 varies within the person'
bad "a weight of 0" 'NR == 5 { $4 = 0 } 1' 'bad\.csv:[0-9]+:4: weight "w" is 0; a weight must be finite and > 0'
bad "a negative weight" 'NR == 2 { $4 = -1 } 1' 'bad\.csv:2:4: weight "w" is -1; a weight must be finite and > 0'
bad "a weight that is not a number" 'NR == 4 { $4 = "abc" } 1' 'bad\.csv:4:4: weight "abc" is not a finite number > 0'
bad "a missing weight" 'NR == 6 { $4 = "" } 1' 'bad\.csv:6:4: missing value of weight "w" \(or drop such persons with --drop-missing\)'
"$gbtm" fit "$dir/w.csv" --weight nosuch --groups 2 --quiet -o "$dir/never.h5" >/dev/null 2>"$dir/bad.err"
[ $? -eq 2 ] && [ ! -e "$dir/never.h5" ] && grep -q "nosuch" "$dir/bad.err"
check "a weight column that is not in the file: exit 2" $?
"$gbtm" fit "$dir/w.csv" --weight w --risk w --groups 2 --quiet -o "$dir/never.h5" >/dev/null 2>"$dir/bad.err"
[ $? -eq 2 ] && [ ! -e "$dir/never.h5" ] && grep -q 'the column "w" is named by --risk and by --weight' "$dir/bad.err"
check "a column named by --risk and --weight: exit 2" $?
awk -F, -v OFS=, '$1 == "P000002" { $4 = "NA" } 1' "$dir/w.csv" >"$dir/miss.csv"
"$gbtm" fit "$dir/miss.csv" --weight w --drop-missing --groups 2 --order 1 --seed 1 --quiet --json >"$dir/miss.json" 2>"$dir/miss.err" &&
  "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["data"]["persons"] == 239, d["data"]["persons"]' "$dir/miss.json" &&
  grep -q "1 person" "$dir/miss.err"
check "--drop-missing drops a person without a weight, and counts them" $?

"$gbtm" select "$dir/w.csv" --weight w --groups 1:2 --order 1 --cv 3 --seed 1 --quiet --json >"$dir/sel.json" &&
  "$py" - "$dir/sel.json" "$dir/dup.csv" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
w = d["weight"]
assert w["column"] == "w" and w["min"] == 1 and w["max"] == 3 and w["scaling"] == "mean 1", w
assert len(d["models"]) == 2 and all("loglik" in m and "cv_loglik" in m for m in d["models"]), d["models"][0].keys()
PY
check "select --weight reports the weight and weighted models (JSON)" $?
"$gbtm" select "$dir/c.csv" --weight w --groups 2 --order 1 --cv 3 --seed 1 --quiet --json >"$dir/selc.json" &&
  "$gbtm" select "$dir/sim.csv" --groups 2 --order 1 --cv 3 --seed 1 --quiet --json >"$dir/selu.json" &&
  "$py" - "$dir/selc.json" "$dir/selu.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["models"][0] for p in sys.argv[1:3])
assert abs(a["cv_loglik"] - b["cv_loglik"]) <= 1e-7 * abs(b["cv_loglik"]), (a["cv_loglik"], b["cv_loglik"])
PY
check "select --cv with equal weights gives the unweighted cross-validated log L" $?
if command -v mpirun >/dev/null 2>&1 && [ -e "$(dirname "$gbtm")/gbtm-mpi.so" ]; then
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
    timeout 120 mpirun --oversubscribe -np 2 "$gbtm" fit "$dir/w.csv" --weight w --groups 2 --quiet -o "$dir/never.h5" \
    >/dev/null 2>"$dir/mpi.err"
  [ $? -eq 2 ] && [ ! -e "$dir/never.h5" ] && grep -q "a weighted panel (--weight) is read by one process" "$dir/mpi.err"
  check "mpirun with --weight is refused" $?
fi
"$gbtm" select "$dir/w.csv" --weight w --groups 2 --order 1 --seed 1 --quiet >"$dir/sel.txt" &&
  grep -q "^Weight: w (sum" "$dir/sel.txt"
check "select --weight names the weight in its table" $?

# Extreme weights: equal weights of 1e300 or 1e-320 (subnormal) are the
# unweighted fit (only ratios count: the sum is taken of w_i / max w);
# weights whose sum passes the largest double are refused by name; a weight
# column that is also --tcov is refused as such.
"$py" - "$dir" <<'PY'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/sim.csv")))
for name, v in (("big", "1e300"), ("sub", "1e-320"), ("over", "1e308")):
    with open(f"{d}/{name}.csv", "w") as f:
        f.write("id,age,count,w\n")
        for r in rows:
            f.write(f"{r['id']},{r['age']},{r['count']},{v}\n")
PY
fit "$dir/sim.csv" >"$dir/plain.json" && fit "$dir/big.csv" --weight w >"$dir/big.json" &&
  fit "$dir/sub.csv" --weight w >"$dir/sub.json" &&
  "$py" -c 'import json, sys
a, b, c = (json.load(open(f)) for f in sys.argv[1:])
for x in (b, c):
    assert abs(x["loglik"] - a["loglik"]) <= 1e-9 * abs(a["loglik"]), (x["loglik"], a["loglik"])
    assert x["data"]["weight"]["min"] == x["data"]["weight"]["max"] > 0' "$dir/plain.json" "$dir/big.json" "$dir/sub.json"
check "equal weights of 1e300 and of 1e-320 give the unweighted fit" $?
fit "$dir/over.csv" --weight w -o "$dir/over.h5" >/dev/null 2>"$dir/over.err"
[ $? -eq 2 ] && [ ! -e "$dir/over.h5" ] && grep -q 'weight "w": the weights sum to more than' "$dir/over.err" &&
  grep -q "divide them all by one constant" "$dir/over.err"
check "weights whose sum overflows: refused with exit 2, nothing written" $?
"$gbtm" fit "$dir/w.csv" --groups 1 --weight w --tcov w --quiet >/dev/null 2>"$dir/tcov.err"
[ $? -eq 2 ] && grep -q 'the column "w" is named by --tcov and by --weight' "$dir/tcov.err"
check "a weight column that is also --tcov: refused as such" $?

# flexmix with case weights (one per row, the person's) reaches our maximum
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'suppressPackageStartupMessages({library(flexmix); library(haven)})' >/dev/null 2>&1; then
  echo "SKIP flexmix comparison and Stata file: R, flexmix or haven missing"
  echo "test_weights: $pass passed, $fail failed"
  [ "$fail" -eq 0 ] || exit 1
  exit 77
fi
Rscript -e 'd <- read.csv(commandArgs(TRUE)[[1]], colClasses = c(id = "character")); haven::write_dta(d, commandArgs(TRUE)[[2]])' \
  "$dir/w.csv" "$dir/w.dta" >/dev/null 2>&1 && fit "$dir/w.dta" --weight w >"$dir/dta.json" && "$py" - "$dir/dta.json" "$dir/w.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert abs(a["loglik"] - b["loglik"]) <= 1e-9 * abs(b["loglik"]) and a["data"]["weight"] == b["data"]["weight"]
PY
check "a Stata file's weight variable weights the fit alike" $?
Rscript -e 'a <- commandArgs(TRUE); d <- read.csv(a[[1]], colClasses = c(id = "character")); d$w[5] <- NA
  haven::write_dta(d, a[[2]]); d$w[5] <- d$w[4]; d$w[7] <- 0; haven::write_dta(d, a[[3]])' \
  "$dir/w.csv" "$dir/wna.dta" "$dir/w0.dta" >/dev/null 2>&1 &&
  { "$gbtm" fit "$dir/wna.dta" --weight w --groups 2 --quiet -o "$dir/never.h5" >/dev/null 2>"$dir/na.err"; [ $? -eq 2 ]; } &&
  { "$gbtm" fit "$dir/w0.dta" --weight w --groups 2 --quiet -o "$dir/never.h5" >/dev/null 2>"$dir/z.err"; [ $? -eq 2 ]; } &&
  [ ! -e "$dir/never.h5" ] && grep -q 'wna\.dta: row 5, variable "w": missing value of weight' "$dir/na.err" &&
  grep -q 'w0\.dta:7:4: weight "w" is 0; a weight must be finite and > 0' "$dir/z.err"
check "a Stata file's missing or zero weight: exit 2 naming the row, nothing written" $?

"$gbtm" simulate --preset rapporteur-2024 --n 120 --seed 11 -o "$dir/small.csv" >/dev/null 2>&1
"$py" - "$dir" <<'PY'
import csv, random, sys
d = sys.argv[1]
random.seed(3)
rows = list(csv.DictReader(open(d + "/small.csv")))
w = {}
for r in rows:
    w.setdefault(r["id"], random.choice([1, 2, 4]))
with open(d + "/small_w.csv", "w") as f:
    f.write("id,age,count,w\n")
    for r in rows:
        f.write(f"{r['id']},{r['age']},{r['count']},{w[r['id']]}\n")
PY
"$gbtm" fit "$dir/small_w.csv" --weight w --groups 2 --order 1 --seed 1 --quiet --json >"$dir/small.json"
check "a weighted Poisson K=2 fit for flexmix" $?
Rscript - "$dir" >"$dir/r.out" 2>&1 <<'R'
suppressPackageStartupMessages(library(flexmix))
d <- commandArgs(trailingOnly = TRUE)[[1]]
p <- read.csv(file.path(d, "small_w.csv"), colClasses = c(id = "character"))
p$id <- factor(p$id, levels = unique(p$id))
lo <- min(p$age); hi <- max(p$age)
p$s <- (p$age - (lo + hi) / 2) / ((hi - lo) / 2)
best <- -Inf
for (r in 1:20) {
  set.seed(r)
  f <- try(flexmix(count ~ s | id, data = p, k = 2, model = FLXMRglm(family = "poisson"),
                   weights = as.integer(p$w), control = list(minprior = 0, tolerance = 1e-12, iter.max = 5000)),
           silent = TRUE)
  if (!inherits(f, "try-error") && length(f@prior) == 2) best <- max(best, as.numeric(logLik(f)))
}
cat(sprintf("%.10f\n", best))
R
check "flexmix fits the weighted panel" $?
"$py" - "$dir/small.json" "$dir/r.out" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
fm = float(open(sys.argv[2]).read().split()[-1])
ours = a["loglik"] * a["data"]["weight"]["sum"] / a["data"]["persons"]  # on flexmix's scale, sum w_i log f_i
assert abs(ours - fm) <= 1e-5 * abs(fm), (ours, fm)
PY
check "flexmix with case weights reaches the same maximum" $?

echo "test_weights: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
