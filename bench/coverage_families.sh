#!/usr/bin/env bash
# coverage_families.sh: coverage of gbtm's 95% Wald intervals for the
# families logit, nb, cnorm and beta.
#
# For each family, REPS replications (default 200): a panel of N persons
# drawn from a known two-group quadratic model of that family
# (build/bench/simfamily --design g2c2, bench/simfamily.c; the panel's seed is
# 100000 + r), fitted with the default starts and seed r:
#
#   gbtm fit DATA --family F --groups 2 --order 2 --seed r --threads 1 --json -q
#
# (cnorm: --min 0 --max 10). Fitted groups are matched to the true ones by
# their order: gbtm reports groups by increasing mean expected response
# over the age grid, and simfamily's truth file lists them so. For every
# coefficient (beta, beta_se) and the family's own parameter (dispersion,
# sigma or precision, with its "_se"), the interval estimate +- 1.96 SE
# (model-based) either covers the true value or not; the share of group 2 is
# checked against the report's share_ci (delta method on the logit scale)
# and counted apart. A replication whose fit fails (exit status not 0),
# does not converge or has no standard errors is left out and counted.
# Fits run two at a time (--jobs), one thread each.
#
#   bash bench/coverage_families.sh [--reps R] [--jobs J] [--n "logit=N nb=N cnorm=N beta=N"] [FAMILY...]
#
# Writes bench/out/coverage_families/FAMILY.tsv (one line per replication and
# parameter) and prints per family the coverage of each parameter, the
# pooled coverage, its range over the parameters and the failures.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
reps=200
jobs=2
sizes="logit=1000 nb=1000 cnorm=1000 beta=500"
families=()
while (($#)); do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --n) sizes=$2; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) families+=("$1"); shift ;;
  esac
done
((${#families[@]})) || families=(logit nb cnorm beta)
cmake --build "$build" -j "$(nproc)" --target gbtm bench_simfamily >/dev/null
out=$root/bench/out/coverage_families
mkdir -p "$out/work"

python3 - "$build" "$out" "$reps" "$jobs" "$sizes" "${families[@]}" <<'PY'
import json, os, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor

build, out, reps, jobs, sizes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
families = sys.argv[6:]
size = dict(s.split("=") for s in sizes.split())
gbtm, sim = f"{build}/gbtm", f"{build}/bench/simfamily"
PHI = {"nb": "dispersion", "cnorm": "sigma", "beta": "precision"}

def one(fam, n, r):
    """One replication: [(parameter, true, estimate, se, covered)] or a failure reason."""
    base = f"{out}/work/{fam}_{r}"
    subprocess.run([sim, "--family", fam, "--design", "g2c2", "--n", str(n), "--seed", str(100000 + r),
                    "-o", base + ".csv", "--truth", base + ".truth.json"], check=True)
    truth = json.load(open(base + ".truth.json"))
    cmd = [gbtm, "fit", base + ".csv", "--family", fam, "--groups", "2", "--order", "2",
           "--seed", str(r), "--threads", "1", "--json", "-q"]
    if fam == "cnorm":
        cmd += ["--min", "0", "--max", "10"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    os.remove(base + ".csv")
    if p.returncode != 0:
        return f"exit {p.returncode}: {p.stderr.strip()[:200]}"
    d = json.loads(p.stdout)
    if not d["converged"]:
        return "not converged"
    rows = []
    for k, (g, t) in enumerate(zip(d["group"], truth["groups"]), 1):
        if g.get("beta_se") is None or any(s is None for s in g["beta_se"]):
            return "no standard errors"
        for j, (b, s, tb) in enumerate(zip(g["beta"], g["beta_se"], t["beta"])):
            rows.append((f"beta{k}_{j}", tb, b, s, abs(b - tb) <= 1.96 * s))
        if fam in PHI:
            name = PHI[fam]
            est, se, tv = g[name], g.get(name + "_se"), t[name]
            if se is None:
                return "no standard error of " + name
            rows.append((f"{name}{k}", tv, est, se, abs(est - tv) <= 1.96 * se))
    g2, t2 = d["group"][1], truth["groups"][1]
    lo, hi = g2["share_ci"]
    rows.append(("share2(ci)", t2["share"], g2["share"], float("nan"), lo <= t2["share"] <= hi))
    return rows

for fam in families:
    n = int(size[fam])
    t0 = time.time()
    with ThreadPoolExecutor(jobs) as ex:
        res = list(ex.map(lambda r: one(fam, n, r), range(1, reps + 1)))
    wall = time.time() - t0
    failed = {}
    per = {}
    with open(f"{out}/{fam}.tsv", "w") as f:
        f.write("rep\tparameter\ttrue\testimate\tse\tcovered\n")
        for r, rows in enumerate(res, 1):
            if isinstance(rows, str):
                failed[rows] = failed.get(rows, 0) + 1
                f.write(f"{r}\tFAILED\t\t\t\t{rows}\n")
                continue
            for name, tv, est, se, cov in rows:
                f.write(f"{r}\t{name}\t{tv!r}\t{est!r}\t{se!r}\t{int(cov)}\n")
                per.setdefault(name, []).append(cov)
    wald = {k: v for k, v in per.items() if k != "share2(ci)"}
    pooled = sum(sum(v) for v in wald.values()) / sum(len(v) for v in wald.values())
    cov = {k: sum(v) / len(v) for k, v in per.items()}
    wc = [cov[k] for k in wald]
    ok = reps - sum(failed.values())
    print(f"coverage family={fam} n={n} reps={reps} used={ok} failed={sum(failed.values())} "
          f"pooled={100 * pooled:.1f}% wald_intervals={sum(len(v) for v in wald.values())} "
          f"min={100 * min(wc):.1f}% max={100 * max(wc):.1f}% share2_ci={100 * cov['share2(ci)']:.1f}% wall_s={wall:.0f}")
    print("  " + "  ".join(f"{k}={100 * v:.1f}%" for k, v in cov.items()))
    for why, c in failed.items():
        print(f"  failed {c}: {why}")
    sys.stdout.flush()
PY
