#!/usr/bin/env bash
# test_profile_hostile.sh: `gbtm profile` (and fit --profile) on person
# data a careless user writes. A variable with no value reports the share
# of 1 (not a stray number); a variable with one value has no tests, the
# pairs included; values of +-1e308 (or 1e-300) give finite estimates and
# the tests of the same variable as binary (a mean is affine in the share);
# a count above 2147483647 is refused, and detected as continuous; "inf",
# "nan" or "1e999" in a number column is refused with FILE:LINE:COLUMN,
# while "Nan" among names is text; when the classification-error matrix
# is singular (a group nobody is assigned to) ML3 is not given either;
# fit --profile checks the person data before the fit and writes no file
# when the profile fails; an empty -o name is refused as such. Every
# refusal exits 2 and writes nothing.
# $1 is the gbtm binary.
. "$(dirname "$0")/lib.sh" # gbtm, dir, py, check (tests/cli/lib.sh)

"$gbtm" simulate --preset rapporteur-2024-profiles --n 300 --seed 3 -o "$dir/panel.csv" --persons "$dir/persons.csv" \
  >/dev/null 2>&1 &&
  "$gbtm" fit "$dir/panel.csv" --groups 3 --starts 4 --seed 1 --quiet -o "$dir/m.h5" >/dev/null 2>&1
check "a fit to profile" $?
"$py" - "$dir" <<'PY'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/persons.csv")))
def write(name, header, cell):
    with open(f"{d}/{name}", "w") as f:
        f.write(",".join(header) + "\n")
        for i, r in enumerate(rows):
            f.write(",".join([r["id"]] + [cell(i, r, h) for h in header[1:]]) + "\n")
write("empty_var.csv", ["id", "x"], lambda i, r, h: "")
write("const.csv", ["id", "y"], lambda i, r, h: "0.1")
write("huge.csv", ["id", "h", "b", "t"],
      lambda i, r, h: {"h": "1e308" if r["sex"] == "male" else "-1e308", "b": "1" if r["sex"] == "male" else "0",
                       "t": "1e-300" if r["sex"] == "male" else "-1e-300"}[h])
write("bigcount.csv", ["id", "c"], lambda i, r, h: "3000000000" if i % 2 else "0")
write("inf.csv", ["id", "x"], lambda i, r, h: "inf" if i == 6 else r["income"])
write("nan.csv", ["id", "x"], lambda i, r, h: "nan" if i == 6 else r["income"])
write("names.csv", ["id", "name"], lambda i, r, h: "Nan" if i % 2 else "Bob")
PY
check "the person files are written" $?

# no value at all: the share of 1, with a note; the CSV's quantity is "1"
"$gbtm" profile "$dir/m.h5" "$dir/empty_var.csv" --vars x -o "$dir/e.csv" >"$dir/e.txt" &&
  grep -q "^  share of 1$" "$dir/e.txt" && grep -q "note: no person has a value" "$dir/e.txt" &&
  "$py" -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["quantity"] == "1" and r["n_used"] == "0" and r["estimate"] == "" for r in rows), rows[:2]' \
    "$dir/e.csv"
check "a variable without values: the share of 1, no estimate" $?

# one value: no Wald test and no test of any pair (rounding noise is not a difference)
"$gbtm" profile "$dir/m.h5" "$dir/const.csv" --distal y --type y=continuous --json >"$dir/c.json" &&
  "$py" -c 'import json, sys
v = json.load(open(sys.argv[1]))["distal"][0]
assert v["wald"]["chi2"] is None and v["wald_ml3"]["chi2"] is None, v["wald"]
assert len(v["pairs"]) == 3 and all(p["chi2"] is None and p["p"] is None for p in v["pairs"] + v["pairs_ml3"]), v["pairs"]
assert all(abs(g["bch"]["estimate"] - 0.1) < 1e-12 for g in v["groups"])' "$dir/c.json"
check "a one-valued variable has no pair tests" $?
"$gbtm" profile "$dir/m.h5" "$dir/const.csv" --distal y --type y=continuous >"$dir/c.txt" &&
  grep -q "^  1  *0.1 (0)  *0.1 (0)  *0.1 (0)" "$dir/c.txt"
check "a one-valued variable's text: its value, SE (0), no digits of rounding noise" $?
"$gbtm" profile "$dir/m.h5" "$dir/persons.csv" --vars id >/dev/null 2>"$dir/id.err"
[ $? -eq 2 ] && grep -q '"id" is the id column (--id), not a person variable' "$dir/id.err"
check "--vars naming the id column: exit 2, said so" $?

# +-1e308 and +-1e-300: a two-valued variable; its means are affine in the
# share, so its tests are the binary variable's, and the estimates finite
"$gbtm" profile "$dir/m.h5" "$dir/huge.csv" --vars b --distal h,t --type h=continuous,t=continuous --json \
  >"$dir/h.json" &&
  "$py" -c 'import json, math, sys
d = json.load(open(sys.argv[1]))
b = d["variables"][0]
for v in d["distal"]:
    for g in v["groups"]:
        for m in ("modal", "proportional", "bch", "ml3"):
            assert g[m]["estimate"] is not None and math.isfinite(g[m]["estimate"]), (v["name"], m, g)
            assert g[m]["se"] is not None and g[m]["se"] > 0, (v["name"], m, g)
    assert abs(v["wald"]["chi2"] - b["wald"]["chi2"]) <= 1e-8 * b["wald"]["chi2"], (v["wald"], b["wald"])
    for p, q in zip(v["pairs"], b["pairs"]):
        assert abs(p["chi2"] - q["chi2"]) <= 1e-8 * q["chi2"], (p, q)
    assert v["wald_ml3"]["chi2"] is not None and "converge" not in v["note"], v["note"]
    s = 1e308 if v["name"] == "h" else 1e-300
    for g, gb in zip(v["groups"], b["groups"]):
        assert abs(g["bch"]["estimate"] - s * (2 * gb["bch"]["estimate"] - 1)) <= 1e-9 * s, (g, gb)' "$dir/h.json"
check "values of +-1e308 and +-1e-300: finite estimates, the binary variable's tests" $?

# counts: at most 2147483647, else continuous when detected, refused when declared
"$gbtm" profile "$dir/m.h5" "$dir/bigcount.csv" --distal c --json >"$dir/bc.json" &&
  "$py" -c 'import json, sys; assert json.load(open(sys.argv[1]))["distal"][0]["type"] == "continuous"' "$dir/bc.json"
check "a whole number above 2147483647 is not detected as a count" $?
"$gbtm" profile "$dir/m.h5" "$dir/bigcount.csv" --distal c --type c=count -o "$dir/bc.csv" >/dev/null 2>"$dir/bc.err"
[ $? -eq 2 ] && [ ! -e "$dir/bc.csv" ] && grep -q 'count variable "c" has a value that is not a whole number from 0 to 2147483647' "$dir/bc.err"
check "--type c=count above 2147483647: refused, nothing written" $?

# "inf" and "nan" in a number column: the cell named; "Nan" among names is text
for f in inf nan; do
  "$gbtm" profile "$dir/m.h5" "$dir/$f.csv" --vars x -o "$dir/$f.out" >/dev/null 2>"$dir/$f.err"
  [ $? -eq 2 ] && [ ! -e "$dir/$f.out" ] &&
    grep -q "$dir/$f.csv:8:2: variable \"x\" is \"$f\", not a finite number (expected a number, or empty" "$dir/$f.err"
  check "\"$f\" in a number column: FILE:LINE:COLUMN, exit 2" $?
done
"$gbtm" profile "$dir/m.h5" "$dir/names.csv" --vars name >"$dir/n.txt" && grep -q "^  share of Nan$" "$dir/n.txt"
check "\"Nan\" among names is a text value" $?

# a group nobody is assigned to: D singular, neither BCH nor ML3
cp "$dir/m.h5" "$dir/empty_group.h5"
"$py" -c 'import h5py, sys
with h5py.File(sys.argv[1], "r+") as f:
    t = f["posterior/tau"][:]
    t[:, 2] = 1e-300
    f["posterior/tau"][...] = t / t.sum(axis=1, keepdims=True)' "$dir/empty_group.h5" &&
  "$gbtm" profile "$dir/empty_group.h5" "$dir/persons.csv" --distal age_first_trafficking --json >"$dir/eg.json" &&
  "$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["bch_available"] is False
v = d["distal"][0]
assert v["wald_ml3"]["chi2"] is None and all(g["ml3"]["estimate"] is None for g in v["groups"]), v
assert "ML3: the classification-error matrix is singular" in v["note"], v["note"]' "$dir/eg.json"
check "a singular classification-error matrix: no ML3 either" $?

# fit --profile: the person data checked before the fit; no file when the profile fails
"$gbtm" fit "$dir/panel.csv" --groups 2 --quiet --profile "$dir/persons.csv" --vars nope -o "$dir/f1.h5" \
  --posterior "$dir/f1.csv" >/dev/null 2>"$dir/f1.err"
[ $? -eq 2 ] && [ ! -e "$dir/f1.h5" ] && [ ! -e "$dir/f1.csv" ] && grep -q 'missing column "nope"' "$dir/f1.err" &&
  ! grep -q "^Model" "$dir/f1.err"
check "fit --profile with a missing column: refused before the fit, nothing written" $?
"$gbtm" fit "$dir/panel.csv" --groups 2 --quiet --profile "$dir/persons.csv" --vars group --type group=binary \
  -o "$dir/f2.h5" --posterior "$dir/f2.csv" >/dev/null 2>"$dir/f2.err"
[ $? -eq 2 ] && [ ! -e "$dir/f2.h5" ] && [ ! -e "$dir/f2.csv" ] && grep -q 'binary variable "group" has more than two values' "$dir/f2.err"
check "fit --profile that fails after the fit: exit 2, neither the model nor the posteriors written" $?
"$gbtm" fit "$dir/panel.csv" --groups 2 --quiet --profile "$dir/nan.csv" --vars x >/dev/null 2>"$dir/f3.err"
[ $? -eq 2 ] && grep -q "nan.csv:8:2: variable \"x\" is \"nan\"" "$dir/f3.err"
check "fit --profile with \"nan\" in a number column: FILE:LINE:COLUMN before the fit" $?

# outputs: an empty name; over an input
"$gbtm" profile "$dir/m.h5" "$dir/persons.csv" --vars sex -o "" >/dev/null 2>"$dir/o1.err"
[ $? -eq 2 ] && grep -q "an empty file name (expected the name of a file to write)" "$dir/o1.err"
check "-o \"\": an empty file name, exit 2" $?
cp "$dir/persons.csv" "$dir/persons.bak"
"$gbtm" profile "$dir/m.h5" "$dir/persons.csv" --vars sex -o "$dir/persons.csv" >/dev/null 2>"$dir/o2.err"
[ $? -eq 2 ] && cmp -s "$dir/persons.csv" "$dir/persons.bak" && grep -q "an output never replaces an input" "$dir/o2.err"
check "-o over the person data: refused, the file untouched" $?

echo "test_profile_hostile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
