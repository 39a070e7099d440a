#!/usr/bin/env bash
# test_multi_flexmix.sh: the multi-trajectory model of two Poisson outcomes
# (docs/DESIGN.md §10, eq. MT) reaches at least the best maximum of R's
# flexmix on the same data, flexmix's multivariate mixture (one FLXMRglm
# per response in a model list, `| id` keeping a person in one component
# for both outcomes) from 5 random starts; both include the full Poisson
# constant. flexmix is a reference here only. Exit 77 (skipped) when R or
# flexmix is missing.
# $1 is the gbtm binary.
set -u
gbtm=$1
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
py=/usr/bin/python3
if ! command -v Rscript >/dev/null || ! Rscript -e 'suppressPackageStartupMessages(library(flexmix))' >/dev/null 2>&1; then
  echo "skip: R with flexmix is not installed (scripts/install-deps.sh --test)"
  exit 77
fi
pass=0 fail=0
check() { # name, condition (exit status of the previous command)
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}

"$py" - >"$dir/d.csv" <<'PY'
import math, random
random.seed(3)
def pois(l):
    L, k, p = math.exp(-l), 0, 1.0
    while True:
        p *= random.random()
        if p < L: return k
        k += 1
print("id,age,y1,y2")
for i in range(400):
    g = 0 if random.random() < 0.6 else 1
    b1 = [[-1, 0.5, -0.5], [0.5, 0.8, -0.8]][g]; b2 = [[-1.5, 0.3], [0, -0.5]][g]
    for a in range(10, 21):
        s = (a - 15) / 5
        print(f"p{i},{a},{pois(math.exp(b1[0] + b1[1] * s + b1[2] * s * s))},{pois(math.exp(b2[0] + b2[1] * s))}")
PY
cat >"$dir/fx.R" <<'R'
suppressPackageStartupMessages(library(flexmix))
a <- commandArgs(TRUE)
d <- read.csv(a[[1]], colClasses = c(id = "character"))
d$id <- factor(d$id, levels = unique(d$id))
d$s <- (d$age - (min(d$age) + max(d$age)) / 2) / ((max(d$age) - min(d$age)) / 2)
best <- -Inf
for (r in 1:5) {
  set.seed(r)
  f <- try(flexmix(~ 1 | id, data = d, k = 2, control = list(minprior = 0),
                   model = list(FLXMRglm(y1 ~ poly(s, 2, raw = TRUE), family = "poisson"),
                                FLXMRglm(y2 ~ s, family = "poisson"))), silent = TRUE)
  if (!inherits(f, "try-error") && f@k == 2) best <- max(best, as.numeric(logLik(f)))
}
cat(sprintf("%.10f\n", best))
R
fx=$(Rscript "$dir/fx.R" "$dir/d.csv")
"$gbtm" fit "$dir/d.csv" --count y1,y2 --order "2;1" --groups 2 --json >"$dir/m.json"
check "the two-outcome Poisson fit" $?
"$py" -c 'import json, math, sys
r = json.load(open(sys.argv[1])); fx = float(sys.argv[2])
assert math.isfinite(fx), "no flexmix fit with 2 components"
print("gbtm log L %.6f, flexmix %.6f" % (r["loglik"], fx))
assert r["loglik"] >= fx - 1e-6 * abs(fx), (r["loglik"], fx)' "$dir/m.json" "$fx"
check "gbtm's log L is at least flexmix's best ($fx)" $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
