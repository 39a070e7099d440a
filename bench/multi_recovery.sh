#!/usr/bin/env bash
# multi_recovery.sh: recovery of a drawn truth by the multi-trajectory model
# (docs/DESIGN.md §10): N persons (default 20,000) in 3 groups (shares 0.5,
# 0.3, 0.2), four outcomes on ages 12..24 with 5% of each outcome's cells
# missing at random: trafficking (logit, order 2), violence (nb, order 2,
# r = 1.5), property (poisson, order 2), drugs (zip, order 1, omega 0.25).
# Prints the fitted shares against the truth (they must be within 1 point),
# the largest |estimate - truth| / se over the coefficients, and the wall
# time of the fit. Usage: bash bench/multi_recovery.sh GBTM [N] [SEED]
set -eu
gbtm=$1
n=${2:-20000}
seed=${3:-1}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/truth.json" <<'JSON'
{"share": [0.5, 0.3, 0.2],
 "trafficking": [[-3.0, 0.2, -0.3], [-1.5, 1.0, -0.8], [-0.5, 0.5, -1.0]],
 "violence": [[-2.0, 0.0, -0.2], [-0.3, 0.8, -0.6], [0.4, -0.2, -0.8]],
 "property": [[-1.5, 0.3, -0.3], [0.0, 0.6, -0.9], [0.8, 0.1, -0.5]],
 "drugs": [[-1.8, 0.2], [-0.2, 0.7], [0.6, -0.4]]}
JSON
/usr/bin/python3 - "$dir/truth.json" "$n" "$seed" >"$dir/d.csv" <<'PY'
import json, math, random, sys
t = json.load(open(sys.argv[1])); N = int(sys.argv[2]); random.seed(int(sys.argv[3]))
def pois(l):
    L, k, p = math.exp(-l), 0, 1.0
    while True:
        p *= random.random()
        if p < L: return k
        k += 1
def nb(mu, r):  # gamma-Poisson mixture, Var = mu + mu^2 / r
    return pois(random.gammavariate(r, mu / r))
def lin(b, s): return sum(c * s ** j for j, c in enumerate(b))
print("id,age,trafficking,violence,property,drugs")
for i in range(N):
    u = random.random(); g = 0 if u < 0.5 else 1 if u < 0.8 else 2
    for a in range(12, 25):
        s = (a - 18) / 6
        v = [int(random.random() < 1 / (1 + math.exp(-lin(t["trafficking"][g], s)))),
             nb(math.exp(lin(t["violence"][g], s)), 1.5),
             pois(math.exp(lin(t["property"][g], s))),
             0 if random.random() < 0.25 else pois(math.exp(lin(t["drugs"][g], s)))]
        print("p%d,%d,%s" % (i, a, ",".join("" if random.random() < 0.05 else str(x) for x in v)))
PY
start=$(date +%s.%N)
"$gbtm" fit "$dir/d.csv" --count trafficking,violence,property,drugs --family "logit;nb;poisson;zip" \
  --order "2;2;2;1" --iorder "-1;-1;-1;0" --groups 3 --json >"$dir/m.json"
end=$(date +%s.%N)
/usr/bin/python3 - "$dir/m.json" "$dir/truth.json" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))
p = {x["name"]: x for x in r["parameters"]}
# match the fitted groups to the truth's by the property intercept
b = [p["property:beta[%d][0]" % (k + 1)]["estimate"] for k in range(3)]
order = sorted(range(3), key=lambda k: b[k])  # truth's groups have rising intercepts
worst = 0.0
for tk, fk in enumerate(order):
    print("group %d: share %.4f, truth %.4f" % (tk + 1, r["shares"][fk], t["share"][tk]))
    assert abs(r["shares"][fk] - t["share"][tk]) < 0.01
    for y in ("trafficking", "violence", "property", "drugs"):
        for j, want in enumerate(t[y][tk]):
            q = p["%s:beta[%d][%d]" % (y, fk + 1, j)]
            worst = max(worst, abs(q["estimate"] - want) / q["se"])
print("persons %d, log L %.4f, converged %s, max |estimate - truth| / se %.2f" % (r["persons"], r["loglik"], r["converged"], worst))
print("fit seconds %.1f" % (float(sys.argv[4]) - float(sys.argv[3])))
PY
