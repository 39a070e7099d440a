#!/usr/bin/env python3
"""profile_sim.py: the simulation study of `gbtm profile` (bench/RESULTS.md,
"Profiles of the groups"). Each replication draws a panel from the
rapporteur-2024 cohort with many missing years (entropy about 0.7), person
variables with known group-specific means, fits four groups, profiles, and
records each method's estimate and standard error against the truth.

usage: profile_sim.py GBTM REPLICATIONS [--persons N] [--gaps P] [--check]
With --check it fails (exit 1) when the BCH or ML3 coverage leaves the
binomial range around 95% that REPLICATIONS allow, or the modal assignment
shows no bias on z."""
import argparse, csv, json, math, os, random, subprocess, sys, tempfile

MU_Z = [0.0, 0.5, 1.0, 1.5]   # profile variable z ~ N(mu_z[g], 1)
MU_Y = [1.0, 0.0, 0.5, 2.0]   # distal outcome y ~ N(mu_y[g], 1)
P_D = [0.1, 0.4, 0.3, 0.7]    # distal binary d ~ Bernoulli(p_d[g])

def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

def replication(gbtm, seed, n, gaps, work):
    panel, truth = os.path.join(work, "panel.csv"), os.path.join(work, "truth.csv")
    model, persons = os.path.join(work, "model.h5"), os.path.join(work, "persons.csv")
    run([gbtm, "simulate", "--preset", "rapporteur-2024", "--n", str(n), "--seed", str(seed),
         "--gaps", str(gaps), "-o", panel, "--truth", truth])
    fit = json.loads(run([gbtm, "fit", panel, "--groups", "4", "--starts", "4", "--seed", str(seed),
                          "-o", model, "--json"]))
    rng = random.Random(seed)
    true_group = {}
    with open(truth) as f, open(persons, "w") as out:
        out.write("id,z,y,d\n")
        for r in csv.DictReader(f):
            g = int(r["group"]) - 1
            true_group[r["id"]] = g
            out.write("%s,%.6f,%.6f,%d\n" % (r["id"], rng.gauss(MU_Z[g], 1), rng.gauss(MU_Y[g], 1),
                                             rng.random() < P_D[g]))
    prof = json.loads(run([gbtm, "profile", model, persons, "--vars", "z", "--distal", "y",
                           "--distal", "d", "--type", "d=binary", "--json"]))
    # fitted group -> true group: the modal cross-table, greedily
    post = run([gbtm, "classify", model, panel])
    table = [[0] * 4 for _ in range(4)]
    for r in csv.DictReader(post.splitlines()):
        table[int(r["group"]) - 1][true_group[r["id"]]] += 1
    match, used = {}, set()
    cells = sorted(((table[a][b], a, b) for a in range(4) for b in range(4)), reverse=True)
    for c, a, b in cells:
        if a not in match and b not in used:
            match[a] = b
            used.add(b)
    return fit["entropy"], prof, match

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gbtm")
    ap.add_argument("replications", type=int)
    ap.add_argument("--persons", type=int, default=1000)
    ap.add_argument("--gaps", type=float, default=0.6)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    truth = {"z": MU_Z, "y": MU_Y, "d": P_D}
    stats = {}  # (var, method) -> [sum err, sum cover, count]
    entropies = []
    with tempfile.TemporaryDirectory() as work:
        for rep in range(a.replications):
            ent, prof, match = replication(a.gbtm, 1000 + rep, a.persons, a.gaps, work)
            entropies.append(ent)
            for v in prof["variables"] + prof["distal"]:
                for g in v["groups"]:
                    t = truth[v["name"]][match[g["group"] - 1]]
                    for m in ("modal", "proportional", "bch", "ml3"):
                        if m not in g or g[m]["estimate"] is None or g[m]["se"] is None:
                            continue
                        e, s = g[m]["estimate"], g[m]["se"]
                        st = stats.setdefault((v["name"], m, match[g["group"] - 1]), [0.0, 0, 0])
                        st[0] += e - t
                        st[1] += abs(e - t) <= 1.959964 * s
                        st[2] += 1
    print("replications %d, persons %d, gaps %g, entropy mean %.3f (min %.3f, max %.3f)" %
          (a.replications, a.persons, a.gaps, sum(entropies) / len(entropies), min(entropies), max(entropies)))
    print("bias per true group (mean over replications) and coverage of the 95% intervals")
    print("%-4s %-13s %9s %9s %9s %9s %9s %9s" % ("var", "method", "bias g1", "bias g2", "bias g3", "bias g4",
                                                    "max|bias|", "coverage"))
    ok = True
    for v in ("z", "y", "d"):
        for m in ("modal", "proportional", "bch", "ml3"):
            cells = [stats.get((v, m, g)) for g in range(4)]
            if not all(cells):
                continue
            bias = [c[0] / c[2] for c in cells]
            n = sum(c[2] for c in cells)
            cov = sum(c[1] for c in cells) / n
            print("%-4s %-13s %9.4f %9.4f %9.4f %9.4f %9.4f %9.3f" % (v, m, *bias, max(map(abs, bias)), cov))
            if a.check and m in ("bch", "ml3"):
                half = 3 * math.sqrt(0.95 * 0.05 / n)  # 3 binomial SEs
                if abs(cov - 0.95) > half:
                    print("FAIL: coverage of %s by %s is %.3f, outside 0.95 +- %.3f" % (v, m, cov, half))
                    ok = False
            if a.check and v == "z" and m == "modal" and max(map(abs, bias)) < 0.05:
                print("FAIL: the modal assignment shows no bias on z")
                ok = False
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
