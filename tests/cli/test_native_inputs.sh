#!/usr/bin/env bash
# test_native_inputs.sh: one answer from every input format. A simulated
# cohort (fixed seed) with a risk factor and some missing counts is written
# as long CSV, semicolon CSV with decimal commas, tab-separated CSV with
# counts written as reals (3.0), wide CSV in PROC TRAJ's layout (every
# wave's age filled, the counts of unobserved waves "."), an HDF5 panel
# (gbtm convert), and, by R's haven, Stata .dta (a labelled numeric id, a
# labelled risk factor, missing counts as . and .a), SPSS .sav (missing
# counts as system missing and as the user-defined missing value -9), SAS
# .sas7bdat and SAS transport .xpt, long and wide. `gbtm fit` must give the
# same report from each (every JSON number equal to the last digit; only
# the file name and the timing differ), the same posterior file (the same
# person ids), and report the same number of missing responses dropped.
# Bad input in every format (a non-numeric age, a negative count, a missing
# id column, a truncated file) must exit with status 2, name the file and
# the row or variable, and write nothing.
# Needs R with haven (scripts/install-deps.sh --test): without them the
# test says SKIP and exits 77, ctest's skip code.
# Usage: bash test_native_inputs.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_native_inputs.sh path/to/gbtm}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
py=/usr/bin/python3

if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(haven)' >/dev/null 2>&1; then
  echo "SKIP native inputs: R with haven is not installed (scripts/install-deps.sh --test installs it)"
  exit 77
fi

passed=0
failed=0
pass() {
  echo "ok   $1"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL $1: $2"
  [ -s "$dir/stderr" ] && sed 's/^/       stderr: /' "$dir/stderr" | head -n 5
  failed=$((failed + 1))
}

# ---- the data ----------------------------------------------------------------

if ! "$gbtm" simulate --preset rapporteur-2024 --n 250 --seed 17 -o "$dir/sim.csv" >/dev/null 2>"$dir/stderr"; then
  fail "simulate" "exit status $?"
  echo "$passed passed, $failed failed"
  exit 1
fi

# base.csv: the cohort with sex (0/1 per person), x (a real per person) and
# a missing count ("NA") on every 23rd row, for R; long.csv the same with
# the missing counts written ".", "NA" and "" in turn; semi.csv with ';'
# and decimal commas; tab.csv tab-separated with every count written as a
# real; wide.csv in PROC TRAJ's layout, ages 12..45 filled for every wave.
"$py" - "$dir" <<'PY' || { echo "FAIL data: cannot write the data files"; exit 1; }
import csv, random, sys
d = sys.argv[1]
rng = random.Random(5)
rows = list(csv.DictReader(open(d + "/sim.csv")))
sex, x = {}, {}
for r in rows:
    sex.setdefault(r["id"], rng.randint(0, 1))
    x.setdefault(r["id"], "%.3f" % rng.uniform(-1, 1))
missing = [i % 23 == 5 for i in range(len(rows))]
spell = [".", "NA", ""]
with open(d + "/base.csv", "w") as b, open(d + "/long.csv", "w") as l, open(d + "/semi.csv", "w") as s, \
        open(d + "/tab.csv", "w") as t:
    b.write("id,age,count,sex,x\n")
    l.write("id,age,count,sex,x\n")
    s.write("id;age;count;sex;x\n")
    t.write("id\tage\tcount\tsex\tx\n")
    for i, r in enumerate(rows):
        c = "NA" if missing[i] else r["count"]
        b.write("%s,%s,%s,%d,%s\n" % (r["id"], r["age"], c, sex[r["id"]], x[r["id"]]))
        c = spell[i % 3] if missing[i] else r["count"]
        l.write("%s,%s,%s,%d,%s\n" % (r["id"], r["age"], c, sex[r["id"]], x[r["id"]]))
        s.write("%s;%s;%s;%d;%s\n" % (r["id"], r["age"], c, sex[r["id"]], x[r["id"]].replace(".", ",")))
        c = "" if missing[i] else r["count"] + ".0"
        t.write("%s\t%s\t%s\t%d\t%s\n" % (r["id"], r["age"], c, sex[r["id"]], x[r["id"]]))
ages = list(range(12, 46))
by = {}
for i, r in enumerate(rows):
    by.setdefault(r["id"], {})[int(r["age"])] = "." if missing[i] else r["count"]
with open(d + "/wide.csv", "w") as w:
    w.write("id,sex,x," + ",".join("y%d" % a for a in ages) + "," + ",".join("t%d" % a for a in ages) + "\n")
    for pid, cells in by.items():
        w.write("%s,%d,%s,%s,%s\n" % (pid, sex[pid], x[pid], ",".join(cells.get(a, ".") for a in ages),
                                     ",".join(str(a) for a in ages)))
with open(d + "/missing.count", "w") as f:
    f.write("%d\n" % sum(missing))
with open(d + "/wide_missing.count", "w") as f: # every "." with its age filled
    f.write("%d\n" % sum(list(c.get(a, ".") for a in ages).count(".") for c in by.values()))
PY

if ! Rscript - "$dir" >"$dir/r.out" 2>&1 <<'R'; then
suppressMessages(library(haven))
d <- commandArgs(TRUE)[1]
l <- read.csv(file.path(d, "base.csv"), colClasses = c(id = "character"))
miss <- which(is.na(l$count))
# Stata: the id a number labelled with the person's name, sex labelled,
# half the missing counts .a (tagged), half . (system)
ids <- unique(l$id)
s <- l
s$id <- labelled(as.double(match(l$id, ids)), setNames(as.double(seq_along(ids)), ids))
s$sex <- labelled(as.double(l$sex), c(male = 0, female = 1))
cnt <- as.double(l$count)
cnt[miss[seq(1, length(miss), 2)]] <- tagged_na("a")
s$count <- cnt
write_dta(s, file.path(d, "long.dta"))
# SPSS: the missing counts -9, a user-defined missing value, or system missing
p <- l
cnt <- as.double(l$count)
cnt[miss[seq(1, length(miss), 2)]] <- -9
p$count <- labelled_spss(cnt, na_values = -9)
write_sav(p, file.path(d, "long.sav"))
# SAS: system missing
suppressWarnings(write_sas(l, file.path(d, "long.sas7bdat")))
write_xpt(l, file.path(d, "long.xpt"))
# the wide layout, from wide.csv
w <- read.csv(file.path(d, "wide.csv"), colClasses = c(id = "character"), na.strings = ".")
write_dta(w, file.path(d, "wide.dta"))
write_sav(w, file.path(d, "wide.sav"))
# bad input: a non-numeric age (age a string variable), a negative count
b <- l
b$age <- as.character(b$age)
b$age[7] <- "x"
write_dta(b, file.path(d, "badage.dta"))
write_sav(b, file.path(d, "badage.sav"))
suppressWarnings(write_sas(b, file.path(d, "badage.sas7bdat")))
b <- l
b$count[9] <- -1
write_dta(b, file.path(d, "negcount.dta"))
write_sav(b, file.path(d, "negcount.sav"))
suppressWarnings(write_sas(b, file.path(d, "negcount.sas7bdat")))
R
  fail "haven writes the files" "$(tail -n 3 "$dir/r.out")"
  echo "$passed passed, $failed failed"
  exit 1
fi
pass "haven writes .dta, .sav, .sas7bdat and .xpt"

# ---- one answer from every format ----------------------------------------------

fit_opts=(--groups 3 --order 2 --risk sex,x --starts 6 --seed 3 --json --quiet)
wide_opts=(--wide --count-cols y12-y45 --age-cols t12-t45)

# same_fit NAME A.json B.json: every key of the two reports equal but the
# data file's name and the timing.
same_fit() {
  if "$py" - "$2" "$3" <<'PY' 2>"$dir/pyerr"; then pass "$1"; else fail "$1" "$(tail -n 1 "$dir/pyerr")"; fi
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("fit_seconds", None)
    d["data"].pop("file", None)
    d["data"].pop("missing_responses", None)  # checked apart: HDF5 holds the observed cells only
def diff(x, y, path):
    if type(x) != type(y): return path
    if isinstance(x, dict):
        if x.keys() != y.keys(): return path + " keys"
        for k in x:
            r = diff(x[k], y[k], path + "." + k)
            if r: return r
    elif isinstance(x, list):
        if len(x) != len(y): return path + " length"
        for i, (u, v) in enumerate(zip(x, y)):
            r = diff(u, v, "%s[%d]" % (path, i))
            if r: return r
    elif x != y:
        return "%s: %r != %r" % (path, x, y)
    return None
where = diff(a, b, "report")
assert where is None, "reports differ at " + where
assert a["loglik"] < 0
PY
}

missing=$(cat "$dir/missing.count")
wide_missing=$(cat "$dir/wide_missing.count")
# fit NAME FILE [OPTIONS]: the report into $dir/NAME.json, the posterior
# into $dir/NAME.post.csv, stderr into $dir/NAME.err.
fit() {
  local name=$1 file=$2
  shift 2
  if "$gbtm" fit "$file" "${fit_opts[@]}" --posterior "$dir/$name.post.csv" "$@" >"$dir/$name.json" 2>"$dir/stderr"; then
    cp "$dir/stderr" "$dir/$name.err"
    return 0
  fi
  fail "fit $name" "exit status $? from gbtm fit $file $*"
  return 1
}

fit long "$dir/long.csv" || { echo "$passed passed, $failed failed"; exit 1; }
if grep -qx "gbtm fit: $missing missing responses dropped" "$dir/long.err"; then
  pass "long CSV: the $missing missing counts (., NA, empty) are dropped and counted"
else
  fail "long CSV: missing counts counted" "stderr: $(cat "$dir/long.err")"
fi

"$gbtm" convert "$dir/long.csv" --risk sex,x -o "$dir/panel.h5" >/dev/null 2>"$dir/stderr" ||
  fail "convert to HDF5" "exit status $?"

check() { # check NAME FILE [OPTIONS]: the same report, posteriors and missing count as long.csv
  local name=$1
  fit "$@" || return
  same_fit "$name gives the same fit as long CSV" "$dir/long.json" "$dir/$name.json"
  if cmp -s "$dir/long.post.csv" "$dir/$name.post.csv"; then
    pass "$name: the same posteriors and person ids"
  else
    fail "$name: the same posteriors and person ids" "$(diff "$dir/long.post.csv" "$dir/$name.post.csv" | head -n 3)"
  fi
  if [ "$name" = h5 ]; then return; fi # HDF5 holds the observed cells only
  local want=$missing # the wide files: every wave with an age and no count
  case $name in wide*) want=$wide_missing ;; esac
  if grep -qx "gbtm fit: $want missing responses dropped" "$dir/$name.err" &&
    "$py" -c 'import json, sys; assert json.load(open(sys.argv[1]))["data"]["missing_responses"] == int(sys.argv[2])' \
      "$dir/$name.json" "$want"; then
    pass "$name: $want missing counts dropped and counted (stderr and JSON)"
  else
    fail "$name: $want missing counts dropped and counted" "stderr: $(cat "$dir/$name.err")"
  fi
}

check semi "$dir/semi.csv" --decimal ,
check tab "$dir/tab.csv"
check wide "$dir/wide.csv" "${wide_opts[@]}"
check h5 "$dir/panel.h5"
check dta "$dir/long.dta"
check sav "$dir/long.sav"
check sas7bdat "$dir/long.sas7bdat"
check xpt "$dir/long.xpt"
check wide_dta "$dir/wide.dta" "${wide_opts[@]}"
check wide_sav "$dir/wide.sav" "${wide_opts[@]}"

# The format is found by its signature too: a .dta under another name.
cp "$dir/long.dta" "$dir/renamed.data"
check renamed_dta "$dir/renamed.data"

# The labels were used: the Stata file's ids are numbers labelled with the
# names, and the posteriors name the persons by the labels.
if grep -q '^P000001,' "$dir/dta.post.csv" || grep -q '^"P000001",' "$dir/dta.post.csv"; then
  pass "a labelled numeric id is the person's label"
else
  fail "a labelled numeric id is the person's label" "$(head -n 2 "$dir/dta.post.csv")"
fi

# ---- bad input in every format ---------------------------------------------------

# bad NAME FILE PATTERN [OPTIONS]: fit and convert exit 2 with stderr
# matching PATTERN (grep -E), and write nothing.
bad() {
  local name=$1 file=$2 pattern=$3
  shift 3
  local ok=1
  rm -f "$dir/out.post.csv" "$dir/out.h5" "$dir/out.model.h5"
  "$gbtm" fit "$file" --groups 2 --starts 2 --quiet --posterior "$dir/out.post.csv" -o "$dir/out.model.h5" "$@" \
    >/dev/null 2>"$dir/stderr"
  local st=$?
  [ "$st" -eq 2 ] || { fail "$name: fit exits 2" "exit status $st"; ok=0; }
  grep -Eq -- "$pattern" "$dir/stderr" || { fail "$name: fit names the place" "stderr lacks /$pattern/"; ok=0; }
  if [ -e "$dir/out.post.csv" ] || [ -e "$dir/out.model.h5" ]; then fail "$name: fit writes nothing" "an output exists"; ok=0; fi
  "$gbtm" convert "$file" -o "$dir/out.h5" "$@" >/dev/null 2>"$dir/stderr"
  st=$?
  [ "$st" -eq 2 ] || { fail "$name: convert exits 2" "exit status $st"; ok=0; }
  if [ -e "$dir/out.h5" ]; then fail "$name: convert writes nothing" "out.h5 exists"; ok=0; fi
  ((ok)) && pass "$name: exit status 2, $(head -n 1 "$dir/stderr" | cut -c1-150)"
}

printf 'id,age,count\n1,12,0\n1,x,2\n1,14,1\n' >"$dir/badage.csv"
printf 'id;age;count\n1;12;0\n1;x;2\n1;14;1\n' >"$dir/badage_semi.csv"
printf 'id,age,count\n1,12,0\n1,13,-1\n1,14,1\n' >"$dir/negcount.csv"
printf 'id,y1,y2,t1,t2\n1,0,1,12,x\n' >"$dir/badage_wide.csv"
printf 'id,y1,y2,t1,t2\n1,0,-1,12,13\n' >"$dir/negcount_wide.csv"
head -c 200 "$dir/long.csv" >"$dir/truncated.csv"

bad "CSV, a non-numeric age" "$dir/badage.csv" 'badage\.csv:3:2: age "x" is not a finite number'
bad "semicolon CSV, a non-numeric age" "$dir/badage_semi.csv" 'badage_semi\.csv:3:2: age "x" is not a finite number'
bad "CSV, a negative count" "$dir/negcount.csv" 'negcount\.csv:3:3: count "-1" is not a non-negative integer'
bad "wide CSV, a non-numeric age" "$dir/badage_wide.csv" 'badage_wide\.csv:2:5: age "x"' --wide --count-cols y1-y2 --age-cols t1-t2
bad "wide CSV, a negative count" "$dir/negcount_wide.csv" 'negcount_wide\.csv:2:3: count "-1"' --wide --count-cols y1-y2 --age-cols t1-t2
bad "CSV, no id column" "$dir/long.csv" 'long\.csv:1:1: missing column "person"' --id person
bad "CSV, a truncated file" "$dir/truncated.csv" 'truncated\.csv:[0-9]+:[0-9]+: expected 5 fields'
for ext in dta sav sas7bdat; do
  bad "$ext, a non-numeric age" "$dir/badage.$ext" "badage\\.$ext: row 7, variable \"age\": age \"x\" is not a finite number"
  bad "$ext, a negative count" "$dir/negcount.$ext" "negcount\\.$ext: row 9, variable \"count\": count \"-1\" is not a non-negative integer"
  bad "$ext, no id column" "$dir/long.$ext" "long\\.$ext: no variable \"person\" in this .* file \\(found: id, age, count, sex, x\\)" --id person
  size=$(wc -c <"$dir/long.$ext")
  head -c $((size / 2)) "$dir/long.$ext" >"$dir/truncated.$ext"
  bad "$ext, a truncated file" "$dir/truncated.$ext" "truncated\\.$ext: cannot read this .* file"
done
bad "wide dta, no age column" "$dir/wide.dta" 'wide\.dta: no variable "a12"' --wide --count-cols y12-y45 --age-cols a12-a45
bad "dta, a missing risk factor" "$dir/long.dta" 'long\.dta: no variable "income"' --risk income

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
