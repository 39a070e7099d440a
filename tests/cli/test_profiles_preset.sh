#!/usr/bin/env bash
# test_profiles_preset.sh: the built-in cohort "rapporteur-2024-profiles".
# Its panel is rapporteur-2024's: for a seed the panel and the true groups
# are byte for byte those of `--preset rapporteur-2024`, and the same with
# or without --persons (the characteristics come from a stream of their
# own), so the older presets' counts are untouched by them. The persons
# file has one row per person of the panel, in panel order, with the true
# groups of --truth. At n = 20000 the published figures the cohort is
# calibrated to are met within 4 binomial standard errors, and the
# assumed contrasts between the groups hold. --persons with another preset
# is refused, nothing written.
# $1 is the gbtm binary.
. "$(dirname "$0")/lib.sh" # gbtm, dir, py, check (tests/cli/lib.sh)

for seed in 1 5; do
  "$gbtm" simulate --preset rapporteur-2024 --seed $seed -o "$dir/base$seed.csv" --truth "$dir/bt$seed.csv" >/dev/null &&
    "$gbtm" simulate --preset rapporteur-2024-profiles --seed $seed -o "$dir/plain$seed.csv" \
      --truth "$dir/pt$seed.csv" >/dev/null &&
    "$gbtm" simulate --preset rapporteur-2024-profiles --seed $seed -o "$dir/prof$seed.csv" \
      --truth "$dir/qt$seed.csv" --persons "$dir/persons$seed.csv" >/dev/null &&
    cmp -s "$dir/base$seed.csv" "$dir/plain$seed.csv" && cmp -s "$dir/plain$seed.csv" "$dir/prof$seed.csv" &&
    cmp -s "$dir/bt$seed.csv" "$dir/pt$seed.csv" && cmp -s "$dir/pt$seed.csv" "$dir/qt$seed.csv"
  check "seed $seed: the panel and groups of rapporteur-2024, with and without --persons" $?
done
! cmp -s "$dir/persons1.csv" "$dir/persons5.csv"
check "another seed draws other characteristics" $?
"$gbtm" simulate --preset rapporteur-2024-profiles --seed 1 -o "$dir/again.csv" --persons "$dir/again_p.csv" \
  >/dev/null && cmp -s "$dir/persons1.csv" "$dir/again_p.csv"
check "the same seed draws the same characteristics" $?

"$py" - "$dir/prof1.csv" "$dir/qt1.csv" "$dir/persons1.csv" <<'EOF'
import csv, sys
panel_ids = []
for r in csv.DictReader(open(sys.argv[1])):
    if not panel_ids or panel_ids[-1] != r["id"]: panel_ids.append(r["id"])
truth = [(r["id"], r["group"]) for r in csv.DictReader(open(sys.argv[2]))]
rows = list(csv.DictReader(open(sys.argv[3])))
assert [r["id"] for r in rows] == panel_ids, "not one row per person of the panel, in its order"
assert [(r["id"], r["group"]) for r in rows] == truth, "groups differ from --truth"
cols = ("id,group,sex,age_first_trafficking,starts_with_trafficking,first_offence_minor,mental_health,"
        "unstable_family,criminal_environment,no_qualification,income,reoffend_5y").split(",")
assert list(rows[0].keys()) == cols, list(rows[0].keys())
for r in rows:
    assert r["sex"] in ("female", "male")
    for c in cols[4:10] + cols[11:]: assert r[c] in ("0", "1"), (c, r[c])
    assert 12 <= float(r["age_first_trafficking"]) < 46 and float(r["income"]) > 0
    # consistency: a first trafficking offence before 18 is a first offence as a minor;
    # a career that starts with an adult trafficking offence is not
    a = float(r["age_first_trafficking"])
    if a < 18: assert r["first_offence_minor"] == "1"
    elif r["starts_with_trafficking"] == "1": assert r["first_offence_minor"] == "0"
EOF
check "persons file: one row per person of the panel, the true groups, the columns, consistent flags" $?

"$gbtm" simulate --preset rapporteur-2024-profiles --n 20000 --seed 11 -o "$dir/big.csv" \
  --persons "$dir/big_p.csv" >/dev/null
check "n = 20000 drawn" $?
"$py" - "$dir/big_p.csv" <<'EOF'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
bad = []
def prop(name, sel, pred, target):
    s = [r for r in rows if sel(r)]
    n = len(s); p = sum(1 for r in s if pred(r)) / n
    se = math.sqrt(target * (1 - target) / n)
    ok = abs(p - target) <= 4 * se
    print("  %-48s %.4f (target %.2f, n %d, 4 SE %.4f)%s" % (name, p, target, n, 4 * se, "" if ok else "  <- OFF"))
    if not ok: bad.append(name)
age = lambda r: float(r["age_first_trafficking"])
inc = lambda r: r["group"] == "1"
prop("first offence as a minor", lambda r: True, lambda r: r["first_offence_minor"] == "1", 0.65)
prop("adult at the first trafficking offence", lambda r: True, lambda r: age(r) >= 18, 0.94)
prop("of those adults, under 25", lambda r: age(r) >= 18, lambda r: age(r) < 25, 0.52)
prop("incidental: women", inc, lambda r: r["sex"] == "female", 0.24)
prop("incidental: career starts with trafficking", inc, lambda r: r["starts_with_trafficking"] == "1", 0.29)
prop("reoffending within five years", lambda r: True, lambda r: r["reoffend_5y"] == "1", 0.09)
ages = [age(r) for r in rows if inc(r)]
m = sum(ages) / len(ages)
sd = math.sqrt(sum((a - m) ** 2 for a in ages) / (len(ages) - 1))
se = sd / math.sqrt(len(ages))
ok = abs(m - 30.4) <= 4 * se
print("  %-48s %.3f (target 30.4, 4 SE %.3f)%s" % ("incidental: mean age at first trafficking", m, 4 * se, "" if ok else "  <- OFF"))
if not ok: bad.append("incidental mean age")
# the contrasts between the groups (assumed shares, far apart at this n)
def mean(g, f): s = [f(r) for r in rows if r["group"] == g]; return sum(s) / len(s)
risks = ("mental_health", "unstable_family", "criminal_environment", "no_qualification")
count = {g: mean(g, lambda r: sum(int(r[c]) for c in risks)) for g in "1234"}
reo = {g: mean(g, lambda r: int(r["reoffend_5y"])) for g in "1234"}
inc_ = {g: mean(g, lambda r: math.log(float(r["income"]))) for g in "1234"}
fam = {g: mean(g, lambda r: int(r["unstable_family"])) for g in "1234"}
qual = {g: mean(g, lambda r: int(r["no_qualification"])) for g in "1234"}
print("  risk factors per person by group", count, "reoffending", reo)
if not (count["4"] > max(count["2"], count["3"]) and min(count["2"], count["3"]) > count["1"]): bad.append("risk factor order")
if not (reo["4"] > max(reo["1"], reo["2"], reo["3"]) + 0.05): bad.append("reoffending highest in continuous")
if not (fam["2"] == max(fam.values()) and qual["2"] == max(qual.values())): bad.append("early peak: family and school")
if not (inc_["4"] < min(inc_["1"], inc_["2"], inc_["3"]) and inc_["1"] == max(inc_.values())): bad.append("income order")
assert not bad, bad
EOF
check "n = 20000: the published figures within 4 SE, the groups' contrasts" $?

"$gbtm" simulate --preset rapporteur-2024 -o "$dir/no.csv" --persons "$dir/no_p.csv" 2>"$dir/e1"; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/no.csv" ] && [ ! -e "$dir/no_p.csv" ] && grep -q "no person characteristics" "$dir/e1"
check "--persons with rapporteur-2024: refused, nothing written" $?
"$gbtm" simulate --preset rapporteur-2024-profiles -o "$dir/same.csv" --persons "$dir/same.csv" 2>/dev/null; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/same.csv" ]
check "--persons naming the panel's file: refused" $?

echo "test_profiles_preset: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
