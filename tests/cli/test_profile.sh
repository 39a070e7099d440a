#!/usr/bin/env bash
# test_profile.sh: `gbtm profile` end to end. The proportional and BCH
# estimates equal those recomputed here from the posterior file (eq. D,
# eq. BCH, eq. PW); the JSON has its documented shape; persons of the
# person data not in the model (and the reverse) are counted; a text value
# of a continuous variable and a duplicate id are refused with exit 2 and
# FILE:LINE:COL; a one-valued variable is reported without a test; missing
# values are counted; -o writes the CSV; --keep copies person columns into
# the posterior file (and refuses one not constant within a person); fit
# --profile; a model without posteriors (gbtm select's) with --data; a Stata
# file with a value-labelled variable (when R's haven is installed).
# $1 is the gbtm binary.
. "$(dirname "$0")/lib.sh" # gbtm, dir, py, check (tests/cli/lib.sh)

"$gbtm" simulate --preset rapporteur-2024 --n 600 --seed 4 --gaps 0.5 -o "$dir/panel.csv" --truth "$dir/truth.csv" >/dev/null 2>&1
"$gbtm" fit "$dir/panel.csv" --groups 3 --starts 6 --quiet -o "$dir/m.h5" --posterior "$dir/post.csv" >/dev/null 2>&1
check "a fit to profile" $?
# person data: z continuous, b binary, c categorical (text), y distal, one-valued u,
# w with missing values; persons P000001..P000005 left out, two persons not in the model
"$py" - "$dir" <<'EOF'
import csv, random, sys
d = sys.argv[1]
rng = random.Random(3)
truth = {r["id"]: int(r["group"]) for r in csv.DictReader(open(d + "/truth.csv"))}
with open(d + "/persons.csv", "w") as f:
    f.write("id,z,b,c,y,u,w\n")
    for i, (pid, g) in enumerate(sorted(truth.items())):
        if i < 5:
            continue
        w = "" if i % 10 == 0 else "%.3f" % rng.random()
        f.write("%s,%.4f,%d,%s,%.4f,7,%s\n" % (pid, rng.gauss(g, 1), rng.random() < 0.2 * g, "xyz"[rng.randrange(min(g, 3))],
                                                 rng.gauss(2 * g, 1), w))
    f.write("NEW1,1,0,x,1,7,1\nNEW2,2,1,y,2,7,\n")
EOF
"$gbtm" profile "$dir/m.h5" "$dir/persons.csv" --vars z,b,c,u,w --distal y --json >"$dir/p.json" 2>"$dir/p.err"
check "profile --json runs" $?

"$py" - "$dir" <<'EOF'
import csv, json, sys
d = sys.argv[1]
p = json.load(open(d + "/p.json"))
post = {r["id"]: [float(r[k]) for k in r if k.startswith("p")] for r in csv.DictReader(open(d + "/post.csv"))}
pers = {r["id"]: r for r in csv.DictReader(open(d + "/persons.csv"))}
K = 3
ids = list(post)
modal = {i: max(range(K), key=lambda k: (post[i][k], -k)) for i in ids}
# eq. D over all the model's persons
D = [[sum(post[i][k] for i in ids if modal[i] == s) / sum(post[i][k] for i in ids) for s in range(K)] for k in range(K)]
for k in range(K):
    for s in range(K):
        assert abs(D[k][s] - p["classification_error"][k][s]) < 1e-12, (k, s)
# inverse by Gauss-Jordan
A = [row[:] + [float(i == j) for j in range(K)] for i, row in enumerate(D)]
for c in range(K):
    piv = max(range(c, K), key=lambda r: abs(A[r][c])); A[c], A[piv] = A[piv], A[c]
    f = A[c][c]; A[c] = [x / f for x in A[c]]
    for r in range(K):
        if r != c:
            g = A[r][c]; A[r] = [x - g * y for x, y in zip(A[r], A[c])]
Dinv = [row[K:] for row in A]
def est(name, z):
    v = [x for x in p["variables"] + p["distal"] if x["name"] == name][0]
    use = [i for i in ids if i in pers and pers[i][name] != ""]
    for k in range(K):
        for m, w in (("proportional", lambda i: post[i][k]), ("bch", lambda i: Dinv[modal[i]][k]),
                     ("modal", lambda i: float(modal[i] == k))):
            sw = sum(w(i) for i in use)
            mu = sum(w(i) * z(i) for i in use) / sw
            se = sum((w(i) * (z(i) - mu)) ** 2 for i in use) ** 0.5 / abs(sw)
            g = v["groups"][k] if "groups" in v else None
            got = g[m]
            assert abs(got["estimate"] - mu) < 1e-10 * max(1, abs(mu)), (name, k, m, got, mu)
            if m != "modal":
                assert abs(got["se"] - se) < 1e-9 * se, (name, k, m, got, se)
    return v
v = est("z", lambda i: float(pers[i]["z"]))
assert v["type"] == "continuous" and v["n_used"] == 595 and v["n_missing"] == 0
assert set(v["wald"]) == {"chi2", "df", "p"} and v["wald"]["df"] == 2 and v["wald"]["p"] < 1e-6
assert [g["group"] for g in v["groups"]] == [1, 2, 3]
v = est("b", lambda i: float(pers[i]["b"] == "1"))
assert v["type"] == "binary" and v["level"] == "1"
v = est("w", lambda i: float(pers[i]["w"]))
assert v["n_missing"] == 59 and v["n_used"] == 536, (v["n_missing"], v["n_used"])
c = [x for x in p["variables"] if x["name"] == "c"][0]
assert c["type"] == "categorical" and [q["category"] for q in c["categories"]] == ["x", "y", "z"]
assert c["wald"]["df"] == 4 and len(c["categories"][0]["groups"]) == 3
u = [x for x in p["variables"] if x["name"] == "u"][0]
assert u["wald"]["chi2"] is None and "one value" in u["note"], u
y = p["distal"][0]
assert y["name"] == "y" and all(set(g) >= {"ml3", "bch"} for g in y["groups"]) and y["wald_ml3"]["df"] == 2
assert all(g["ml3"]["se"] > 0 for g in y["groups"])
assert p["persons"] == {"model": 600, "matched": 595, "not_in_model": 2, "not_in_data": 5}, p["persons"]
EOF
check "D, proportional, BCH and modal estimates and SEs as recomputed from the posterior file; JSON shape; counts" $?
grep -q "2 persons of .*persons.csv are not in the model" "$dir/p.err" && grep -q "5 persons of the model are not in" "$dir/p.err"
check "unmatched persons reported on stderr" $?

printf 'id,z\nP000001,1.5\nP000002,abc\n' >"$dir/bad.csv"
"$gbtm" profile "$dir/m.h5" "$dir/bad.csv" --vars z --type z=continuous 2>"$dir/e1"; r=$?
[ $r -eq 2 ] && grep -q "bad.csv:3:2: continuous variable \"z\" is \"abc\", not a number" "$dir/e1"
check "a text value of a continuous variable: exit 2 with file:line:col" $?
printf 'id,z\nP000001,1.5\nP000002,2\nP000001,3\n' >"$dir/dup.csv"
"$gbtm" profile "$dir/m.h5" "$dir/dup.csv" --vars z 2>"$dir/e2"; r=$?
[ $r -eq 2 ] && grep -q "dup.csv:4:1: person id \"P000001\" is on two rows" "$dir/e2"
check "a duplicate id: exit 2 with file:line:col" $?
printf 'id,z\nX1,1\nX2,2\n' >"$dir/none.csv"
"$gbtm" profile "$dir/m.h5" "$dir/none.csv" --vars z 2>"$dir/e3"; r=$?
[ $r -eq 2 ] && grep -q "no person of" "$dir/e3"
check "no id matching: exit 2" $?
"$gbtm" profile "$dir/m.h5" "$dir/persons.csv" --vars nosuch 2>"$dir/e4"; [ $? -eq 2 ] && grep -q "nosuch" "$dir/e4"
check "a variable the file lacks: exit 2 naming it" $?
"$gbtm" profile "$dir/m.h5" "$dir/persons.csv" --vars z --type q=binary 2>/dev/null; [ $? -eq 2 ]
check "--type naming no variable: exit 2" $?

"$gbtm" profile "$dir/m.h5" "$dir/persons.csv" --vars z,c --labels "low,mid,high" -o "$dir/out.csv" >"$dir/p.txt" 2>/dev/null &&
  head -1 "$dir/out.csv" | grep -qx "variable,type,quantity,group,label,method,estimate,se,n_used,n_missing" &&
  [ "$(grep -c '^z,continuous,,' "$dir/out.csv")" -eq 9 ] && [ "$(grep -c '^c,categorical,' "$dir/out.csv")" -eq 27 ] &&
  grep -q "^z,continuous,,2,mid,bch," "$dir/out.csv" && grep -q "equal in all groups (BCH, Wald): chi2" "$dir/p.txt" &&
  grep -q "2 mid" "$dir/p.txt"
check "-o OUT.csv and the text tables, with --labels" $?
"$gbtm" profile "$dir/m.h5" "$dir/bad.csv" --vars z --type z=continuous -o "$dir/never.csv" 2>/dev/null; [ ! -e "$dir/never.csv" ]
check "nothing written on failure" $?

# --keep: person columns of the data into the posterior file
"$py" - "$dir" <<'EOF'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/panel.csv")))
with open(d + "/panel2.csv", "w") as f, open(d + "/panel3.csv", "w") as g:
    f.write("id,age,count,sex\n"); g.write("id,age,count,sex\n")
    for j, r in enumerate(rows):
        sex = "m" if int(r["id"][1:]) % 2 else "f"
        f.write("%s,%s,%s,%s\n" % (r["id"], r["age"], r["count"], sex))
        g.write("%s,%s,%s,%s\n" % (r["id"], r["age"], r["count"], sex if j != 7 else "x"))
EOF
"$gbtm" fit "$dir/panel2.csv" --groups 3 --starts 6 --quiet --posterior "$dir/post2.csv" --keep sex >/dev/null 2>&1 &&
  head -1 "$dir/post2.csv" | grep -qx "id,group,p1,p2,p3,sex" && grep -q "^P000001,.*,m$" "$dir/post2.csv" &&
  grep -q "^P000002,.*,f$" "$dir/post2.csv"
check "fit --posterior --keep sex" $?
"$gbtm" classify "$dir/m.h5" "$dir/panel2.csv" --keep sex -o "$dir/cl.csv" >/dev/null &&
  head -1 "$dir/cl.csv" | grep -qx "id,group,p1,p2,p3,sex" && grep -q "^P000003,.*,m$" "$dir/cl.csv"
check "classify --keep sex" $?
"$gbtm" classify "$dir/m.h5" "$dir/panel3.csv" --keep sex -o "$dir/cl3.csv" 2>"$dir/e5"; r=$?
[ $r -eq 2 ] && grep -q "panel3.csv:9:4: variable \"sex\" of person" "$dir/e5" && [ ! -e "$dir/cl3.csv" ]
check "--keep of a column not constant within a person: exit 2 with file:line:col" $?
"$gbtm" fit "$dir/panel2.csv" --groups 3 --keep sex 2>/dev/null; [ $? -eq 2 ]
check "--keep without --posterior: exit 2" $?

"$gbtm" fit "$dir/panel.csv" --groups 3 --starts 6 --quiet --profile "$dir/persons.csv" --vars z --distal y >"$dir/fp.txt" 2>/dev/null &&
  grep -q "Profile of the groups: 595 persons" "$dir/fp.txt" && grep -q "distal outcome y" "$dir/fp.txt" && grep -q "ML3" "$dir/fp.txt"
check "fit --profile" $?

"$gbtm" select "$dir/panel.csv" --groups 3 --order 2 -q -o "$dir/sel" >/dev/null 2>&1
"$gbtm" profile "$dir/sel/model_K3_D2.h5" "$dir/persons.csv" --vars z 2>"$dir/e6"; r=$?
[ $r -eq 2 ] && grep -q "no posterior probabilities" "$dir/e6"
check "a model without posteriors and no --data: exit 2 saying so" $?
"$gbtm" profile "$dir/sel/model_K3_D2.h5" "$dir/persons.csv" --vars z --data "$dir/panel.csv" --json >"$dir/s.json" 2>/dev/null &&
  "$py" -c 'import json, sys
p = json.load(open(sys.argv[1]))
assert p["persons"]["matched"] == 595 and len(p["variables"][0]["groups"]) == 3' "$dir/s.json"
check "a model without posteriors with --data PANEL" $?

# a Stata file with a labelled numeric variable (R's haven; skipped without it)
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(haven)' >/dev/null 2>&1; then
  Rscript -e 'suppressMessages(library(haven)); a <- commandArgs(TRUE)
p <- read.csv(a[1], stringsAsFactors = FALSE)
d <- data.frame(id = p$id, sex = labelled(ifelse(p$b == 1, 2, 1), c(male = 1, female = 2)), z = p$z)
write_dta(d, a[2])' "$dir/persons.csv" "$dir/persons.dta" &&
    "$gbtm" profile "$dir/m.h5" "$dir/persons.dta" --vars sex,z --json >"$dir/dta.json" 2>/dev/null &&
    "$py" - "$dir" <<'EOF'
import json, sys
d = sys.argv[1]
a, b = json.load(open(d + "/dta.json")), json.load(open(d + "/p.json"))
s = a["variables"][0]
assert s["type"] == "binary" and s["level"] == "female", s
for g, h in zip(s["groups"], b["variables"][1]["groups"]):  # the share of 2 (female) is the share of b = 1
    assert abs(g["bch"]["estimate"] - h["bch"]["estimate"]) < 1e-12
z = a["variables"][1]
for g, h in zip(z["groups"], b["variables"][0]["groups"]):
    assert abs(g["bch"]["estimate"] - h["bch"]["estimate"]) < 1e-9
EOF
  check "a Stata file: a value-labelled variable binary, its share by its label; the same estimates as from CSV" $?
else
  echo "skip a Stata file: R with haven is not installed"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
