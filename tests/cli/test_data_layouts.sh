#!/usr/bin/env bash
# test_data_layouts.sh: the data layouts of the gbtm command end to end.
# A simulated cohort, with a risk factor and a time-varying covariate drawn
# by a fixed seed, is written as long CSV, as wide CSV (PROC TRAJ's layout)
# and, by `gbtm convert`, as an HDF5 panel; `gbtm fit` must give the same
# fit from each (every number of the JSON report equal, only the file name
# and the timing differ), with and without covariates. --drop-missing must
# report the rows and persons that an independent count finds; the options
# of the layouts must refuse bad lists with their messages; select and
# classify must read every layout; and `gbtm convert` must leave no file
# behind on bad input.
# Usage: bash test_data_layouts.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_data_layouts.sh path/to/gbtm}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
py=/usr/bin/python3

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

if ! "$gbtm" simulate --preset rapporteur-2024 --n 300 --seed 7 --custody 0.1 -o "$dir/sim.csv" >/dev/null 2>"$dir/stderr"; then
  fail "simulate" "exit status $?"
  echo "$passed passed, $failed failed"
  exit 1
fi

# long.csv: the cohort with sex (per person) and emp (per row); wide.csv:
# the same in PROC TRAJ's layout, waves = ages 12..45, "." where a year is
# not observed (with junk in its exposure and covariate cells); na.csv:
# long.csv with some values missing, and na.counts the rows and persons
# that --drop-missing must drop, counted here.
"$py" - "$dir" <<'PY' || { echo "FAIL data: cannot write the data files"; exit 1; }
import csv, random, sys
d = sys.argv[1]
rng = random.Random(11)
rows = list(csv.DictReader(open(d + "/sim.csv")))
sex, ages = {}, list(range(12, 46))
for r in rows:
    r["sex"] = sex.setdefault(r["id"], str(rng.randint(0, 1)))
    r["emp"] = repr(round(rng.random(), 3))
with open(d + "/long.csv", "w") as f:
    f.write("id,age,count,exposure,sex,emp\n")
    for r in rows:
        f.write("%s,%s,%s,%s,%s,%s\n" % (r["id"], r["age"], r["count"], r["exposure"], r["sex"], r["emp"]))
by = {}
for r in rows:
    by.setdefault(r["id"], {})[int(r["age"])] = r
with open(d + "/wide.csv", "w") as f:
    head = ["id", "sex"] + ["y%d" % w for w in range(1, 35)] + ["t%d" % w for w in range(1, 35)]
    head += ["e%d" % w for w in range(1, 35)] + ["w%d" % w for w in range(1, 35)]
    f.write(",".join(head) + "\n")
    for pid, cells in by.items():
        get = lambda key, blank: [cells[a][key] if a in cells else blank for a in ages]
        ys, es, ws = get("count", "."), get("exposure", "junk"), get("emp", "x")
        ts = [str(a) if a in cells else "" for a in ages]
        f.write(",".join([pid, cells[min(cells)]["sex"]] + ys + ts + es + ws) + "\n")
# missing values: sex of every 10th person on one of its rows, emp on every 25th row
dropped_persons, dropped_rows, seen, kept = set(), 0, [], {}
with open(d + "/na.csv", "w") as f:
    f.write("id,age,count,exposure,sex,emp\n")
    for j, r in enumerate(rows):
        s, e = r["sex"], r["emp"]
        if r["id"] not in kept:
            kept[r["id"]] = 0
            seen.append(r["id"])
        if len(seen) % 10 == 0 and kept[r["id"]] == 0:
            s = rng.choice(["", ".", "NA"])
            dropped_persons.add(r["id"])
        if j % 25 == 7:
            e = rng.choice(["", ".", "NA"])
        elif r["id"] not in dropped_persons:
            kept[r["id"]] += 1
        f.write("%s,%s,%s,%s,%s,%s\n" % (r["id"], r["age"], r["count"], r["exposure"], s, e))
# a person is dropped with its risk factor missing, or with no row left
gone = set(p for p in kept if kept[p] == 0 or p in dropped_persons)
left = sum(1 for r in rows if r["id"] not in gone) - sum(
    1 for j, r in enumerate(rows) if j % 25 == 7 and r["id"] not in gone)
open(d + "/na.counts", "w").write("%d %d\n" % (len(rows) - left, len(gone)))
PY

wide_opts=(--wide --count-cols y1-y34 --age-cols t1-t34 --exposure-cols e1-e34)
fit_opts=(--groups 3 --starts 6 --seed 5 --json --quiet)

# same_fit NAME A.json B.json: every key of the two reports equal but the
# data file's name and the timing.
same_fit() {
  if "$py" - "$2" "$3" <<'PY' 2>"$dir/pyerr"; then pass "$1"; else fail "$1" "$(tail -n 1 "$dir/pyerr")"; fi
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("fit_seconds", None)
    d["data"].pop("file", None)
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
assert a["loglik"] < 0 and a["converged"] in (True, False)
PY
}

# run NAME OUT -- ARGS: gbtm ARGS with stdout to OUT; fails NAME on a nonzero status.
run() {
  local name=$1 out=$2
  shift 3
  if "$gbtm" "$@" >"$out" 2>"$dir/stderr"; then return 0; fi
  fail "$name" "exit status $? from gbtm $*"
  return 1
}

# ---- the same fit from every layout -------------------------------------------

run "fit long" "$dir/long.json" -- fit "$dir/long.csv" --exposure exposure "${fit_opts[@]}" &&
  run "fit wide" "$dir/wide.json" -- fit "$dir/wide.csv" "${wide_opts[@]}" "${fit_opts[@]}" &&
  same_fit "wide and long CSV give the same fit" "$dir/long.json" "$dir/wide.json"

run "convert long to HDF5" "$dir/convert.out" -- convert "$dir/long.csv" --exposure exposure --risk sex --tcov emp -o "$dir/panel.h5" &&
  run "fit HDF5" "$dir/h5.json" -- fit "$dir/panel.h5" "${fit_opts[@]}" &&
  same_fit "an HDF5 panel gives the same fit as its CSV" "$dir/long.json" "$dir/h5.json"
if grep -qx "wrote $dir/panel.h5: 300 persons, [0-9]* observations, 1 risk factor, 1 time-varying covariate" "$dir/convert.out"; then
  pass "convert reports what it wrote"
else
  fail "convert reports what it wrote" "stdout: $(cat "$dir/convert.out")"
fi

covariates_long=(--exposure exposure --risk sex --tcov emp)
run "fit long, covariates" "$dir/long_covariates.json" -- fit "$dir/long.csv" "${covariates_long[@]}" "${fit_opts[@]}" &&
  run "fit wide, covariates" "$dir/wide_cov.json" -- fit "$dir/wide.csv" "${wide_opts[@]}" --risk sex --tcov 'emp=w1-w34' "${fit_opts[@]}" &&
  same_fit "wide and long CSV give the same fit with covariates" "$dir/long_covariates.json" "$dir/wide_cov.json"
run "fit HDF5, covariates" "$dir/h5_cov.json" -- fit "$dir/panel.h5" --risk sex --tcov emp "${fit_opts[@]}" &&
  same_fit "an HDF5 panel gives the same fit with covariates" "$dir/long_covariates.json" "$dir/h5_cov.json"
"$py" - "$dir/long.json" "$dir/long_covariates.json" <<'PY' 2>"$dir/pyerr" && pass "the covariates change the fit" || fail "the covariates change the fit" "$(tail -n 1 "$dir/pyerr")"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["n_params"] + 2 + 3 == b["n_params"], (a["n_params"], b["n_params"])
assert a["loglik"] != b["loglik"]
PY

# Back from HDF5 to long CSV, and again to HDF5: the same panel, the same fit.
run "convert HDF5 to CSV" /dev/null -- convert "$dir/panel.h5" --risk sex --tcov emp -o "$dir/back.csv" &&
  run "fit the CSV from HDF5" "$dir/back.json" -- fit "$dir/back.csv" "${covariates_long[@]}" "${fit_opts[@]}" &&
  same_fit "long CSV written from HDF5 gives the same fit" "$dir/long_covariates.json" "$dir/back.json"
if [ "$(head -n 1 "$dir/back.csv")" = "id,age,count,exposure,sex,emp" ]; then
  pass "the CSV written names the covariates"
else
  fail "the CSV written names the covariates" "header: $(head -n 1 "$dir/back.csv")"
fi

# convert --to-wide writes the wide layout and the options that read it
# back; those options give the same fit.
run "convert to wide CSV" "$dir/towide.out" -- convert "$dir/long.csv" "${covariates_long[@]}" -o "$dir/towide.csv" --to-wide
read_back=$(sed -n 's/^read it with: //p' "$dir/towide.out")
if [[ "$(head -n 1 "$dir/towide.csv")" == "id,sex,age1,count1,exposure1,emp1,age2,count2,exposure2,emp2,"* ]] &&
  [ -n "$read_back" ]; then
  pass "--to-wide writes the wide layout and the options that read it"
else
  fail "--to-wide writes the wide layout and the options that read it" "header $(head -c 70 "$dir/towide.csv"), stdout $(cat "$dir/towide.out")"
fi
eval "towide_opts=($read_back)"
run "fit the wide CSV from convert" "$dir/towide.json" -- fit "$dir/towide.csv" "${towide_opts[@]}" "${fit_opts[@]}" &&
  same_fit "wide CSV written by convert --to-wide gives the same fit" "$dir/long_covariates.json" "$dir/towide.json"
"$gbtm" convert "$dir/long.csv" -o "$dir/towide.h5" --to-wide >/dev/null 2>"$dir/stderr"
status=$?
if [ "$status" -eq 2 ] && grep -qx "gbtm convert: error: --to-wide writes CSV: -o must name a .csv file" "$dir/stderr" &&
  [ ! -e "$dir/towide.h5" ]; then
  pass "--to-wide refuses an HDF5 name"
else
  fail "--to-wide refuses an HDF5 name" "exit status $status"
fi

# simulate -o NAME.h5 writes an HDF5 panel: the same fit as its CSV twin.
run "simulate to HDF5" /dev/null -- simulate --preset rapporteur-2024 --n 300 --seed 7 --custody 0.1 -o "$dir/sim.h5" &&
  run "fit the simulated CSV" "$dir/sim_csv.json" -- fit "$dir/sim.csv" --exposure exposure "${fit_opts[@]}" &&
  run "fit the simulated HDF5" "$dir/sim_h5.json" -- fit "$dir/sim.h5" "${fit_opts[@]}" &&
  same_fit "simulate -o .h5 writes the panel its CSV holds" "$dir/sim_csv.json" "$dir/sim_h5.json"

# The HDF5 panel as h5py sees it.
"$py" - "$dir/panel.h5" <<'PY' 2>"$dir/pyerr" && pass "h5py reads the documented layout" || fail "h5py reads the documented layout" "$(tail -n 1 "$dir/pyerr")"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
g = f["panel"]
assert int(g.attrs["format_version"]) == 1
n = g["id"].shape[0]
assert g["id"].dtype.kind == "S" and g["id"][0] == b"P000001"
assert g["age"].dtype == np.float64 and g["count"].dtype == np.int32 and g["exposure"].dtype == np.float64
assert g["risk/sex"].dtype == np.float64 and g["tcov/emp"].dtype == np.float64
for k in ("age", "count", "exposure", "risk/sex", "tcov/emp"):
    assert g[k].shape == (n,), k
ids = g["id"][:]
assert (ids[1:] >= ids[:-1]).all()  # grouped by person, in panel order
PY

# Zero-padded ranges and repeated --tcov options read the same file.
sed -e '1s/\by\([1-9]\)\b/y0\1/g' -e '1s/\bt\([1-9]\)\b/t0\1/g' "$dir/wide.csv" >"$dir/wide0.csv"
run "fit wide, padded ranges" "$dir/wide0.json" -- fit "$dir/wide0.csv" --wide --count-cols y01-y34 --age-cols t01-t09,t10-t34 \
  --exposure-cols e1-e34 --risk sex --tcov 'emp=w1-w34' "${fit_opts[@]}" &&
  same_fit "ranges with leading zeros" "$dir/long_covariates.json" "$dir/wide0.json"

# ---- --drop-missing ----------------------------------------------------------------

read -r want_rows want_persons <"$dir/na.counts"
"$gbtm" fit "$dir/na.csv" "${covariates_long[@]}" "${fit_opts[@]}" >/dev/null 2>"$dir/stderr"
status=$?
if [ "$status" -eq 2 ] && grep -qE "^gbtm fit: error: $dir/na.csv:[0-9]+:[56]: missing value of (risk factor \"sex\"|time-varying covariate \"emp\")" "$dir/stderr"; then
  pass "a missing covariate is an error without --drop-missing"
else
  fail "a missing covariate is an error without --drop-missing" "exit status $status"
fi
if "$gbtm" fit "$dir/na.csv" "${covariates_long[@]}" --drop-missing "${fit_opts[@]}" >"$dir/na.json" 2>"$dir/stderr" &&
  grep -qx "gbtm fit: dropped $want_rows rows and $want_persons persons with missing covariates" "$dir/stderr"; then
  pass "--drop-missing drops $want_rows rows and $want_persons persons"
else
  fail "--drop-missing drops $want_rows rows and $want_persons persons" "stderr: $(head -n 2 "$dir/stderr")"
fi
n_persons=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["n_persons"])' "$dir/na.json" 2>/dev/null)
if [ "$n_persons" = $((300 - want_persons)) ]; then pass "the dropped persons are not fitted"; else fail "the dropped persons are not fitted" "n_persons $n_persons"; fi
for cmd in convert select; do
  case $cmd in
  convert) args=(convert "$dir/na.csv" "${covariates_long[@]}" --drop-missing -o "$dir/na.h5") ;;
  select) args=(select "$dir/na.csv" "${covariates_long[@]}" --drop-missing --groups 1 --starts 2 --quiet) ;;
  esac
  if "$gbtm" "${args[@]}" >/dev/null 2>"$dir/stderr" &&
    grep -qx "gbtm $cmd: dropped $want_rows rows and $want_persons persons with missing covariates" "$dir/stderr"; then
    pass "$cmd reports the dropped rows"
  else
    fail "$cmd reports the dropped rows" "stderr: $(head -n 2 "$dir/stderr")"
  fi
done

# ---- bad options -------------------------------------------------------------------

# refuse NAME TEXT -- ARGS: gbtm ARGS exits 2 with "gbtm CMD: error: TEXT".
refuse() {
  local name=$1 text=$2
  shift 3 # then $1 is the command
  "$gbtm" "$@" >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  if [ "$status" -ne 2 ]; then
    fail "$name" "exit status $status, expected 2"
  elif ! grep -qF -- "gbtm $1: error: $text" "$dir/stderr"; then
    fail "$name" "stderr lacks: $text"
  else
    pass "$name"
  fi
}
w=$dir/wide.csv
refuse "count and age lists of different lengths" "--count-cols lists 20 columns, --age-cols 19" -- \
  fit "$w" --wide --count-cols y1-y20 --age-cols t1-t19
refuse "exposure list of another length" "--exposure-cols lists 3 columns, --count-cols 2" -- \
  fit "$w" --wide --count-cols y1,y2 --age-cols t1,t2 --exposure-cols e1-e3
refuse "a time-varying covariate of another length" "--tcov emp lists 2 columns, --count-cols 3" -- \
  select "$w" --wide --count-cols y1-y3 --age-cols t1-t3 --tcov 'emp=w1-w2'
refuse "--count-cols without --wide" "--count-cols applies only to the wide layout (--wide)" -- \
  fit "$w" --count-cols y1-y3
refuse "--wide without lists" "--wide needs --count-cols and --age-cols" -- fit "$w" --wide --count-cols y1-y3
refuse "--age with --wide" "--age, --count and --exposure name columns of the long layout" -- \
  fit "$w" --wide --count-cols y1-y3 --age-cols t1-t3 --age t1
refuse "wide --tcov without NAME=" "--tcov: \"emp\" is not NAME=COLUMNS" -- \
  fit "$w" --wide --count-cols y1-y3 --age-cols t1-t3 --tcov emp
refuse "long --tcov with NAME=" "--tcov: \"emp=w1-w3\": NAME=COLUMNS entries are for the wide layout (--wide)" -- \
  fit "$dir/long.csv" --tcov 'emp=w1-w3'
refuse "a range that runs backwards" "--risk: the range \"r3-r1\" runs backwards" -- fit "$dir/long.csv" --risk r3-r1
refuse "an empty column name" "--risk: an empty column name in \"sex,,emp\"" -- classify "$dir/m.h5" "$dir/long.csv" --risk sex,,emp
refuse "too many risk factors" "--risk: more than 8 risk factors" -- fit "$dir/long.csv" --risk r1-r9
refuse "too many time-varying covariates" "--tcov: more than 4 time-varying covariates" -- \
  fit "$w" --wide --count-cols y1 --age-cols t1 --tcov 'a=w1;b=w1;c=w1' --tcov 'd=w1;e=w1'
refuse "a covariate column that is not there" "$dir/long.csv:1:1: missing column \"iq\" in header (found: id,age,count,exposure,sex,emp)" -- \
  fit "$dir/long.csv" --risk iq
refuse "a wide column that is not there" "$w:1:1: missing column \"y35\" in header" -- \
  fit "$w" --wide --count-cols y1-y35 --age-cols t1-t35

# ---- select and classify read every layout ------------------------------------------

run "fit for classify" /dev/null -- fit "$dir/long.csv" --exposure exposure --groups 3 --starts 6 --seed 5 --quiet -o "$dir/m.h5" &&
  run "classify CSV" "$dir/c_csv.txt" -- classify "$dir/m.h5" "$dir/long.csv" --exposure exposure &&
  run "classify HDF5" "$dir/c_h5.txt" -- classify "$dir/m.h5" "$dir/panel.h5" &&
  run "classify wide" "$dir/c_wide.txt" -- classify "$dir/m.h5" "$dir/wide.csv" "${wide_opts[@]}" &&
  if cmp -s "$dir/c_csv.txt" "$dir/c_h5.txt" && cmp -s "$dir/c_csv.txt" "$dir/c_wide.txt"; then
    pass "classify gives the same posteriors from each layout"
  else
    fail "classify gives the same posteriors from each layout" "outputs differ"
  fi
run "select CSV" "$dir/s_csv.json" -- select "$dir/long.csv" --exposure exposure --groups 1:2 --starts 3 --json --quiet &&
  run "select HDF5" "$dir/s_h5.json" -- select "$dir/panel.h5" --groups 1:2 --starts 3 --json --quiet &&
  if "$py" - "$dir/s_csv.json" "$dir/s_h5.json" <<'PY' 2>"$dir/pyerr"; then pass "select gives the same table from HDF5"; else fail "select gives the same table from HDF5" "$(tail -n 1 "$dir/pyerr")"; fi
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def strip(x):
    if isinstance(x, dict): return {k: strip(v) for k, v in x.items() if k not in ("seconds", "fit_seconds", "file", "data")}
    if isinstance(x, list): return [strip(v) for v in x]
    return x
assert strip(a) == strip(b)
PY

# ---- gbtm convert on bad input ---------------------------------------------------------

printf 'id,age,count\na,12,1\na,x,2\n' >"$dir/bad.csv"
mkdir -p "$dir/out"
"$gbtm" convert "$dir/bad.csv" -o "$dir/out/bad.h5" >/dev/null 2>"$dir/stderr"
status=$?
if [ "$status" -eq 2 ] && grep -qxF "gbtm convert: error: $dir/bad.csv:3:2: age \"x\" is not a finite number" "$dir/stderr" &&
  [ -z "$(ls -A "$dir/out")" ]; then
  pass "convert: bad input, exit 2, no file left behind"
else
  fail "convert: bad input, exit 2, no file left behind" "exit status $status; left: $(ls -A "$dir/out")"
fi
printf 'not an HDF5 panel' >"$dir/out/keep.h5"
cp "$dir/panel.h5" "$dir/trunc.h5"
truncate -s 4096 "$dir/trunc.h5"
"$gbtm" convert "$dir/trunc.h5" -o "$dir/out/keep.h5" >/dev/null 2>"$dir/stderr"
status=$?
if [ "$status" -eq 2 ] && grep -qxF "gbtm convert: error: $dir/trunc.h5: the HDF5 file is damaged or truncated" "$dir/stderr" &&
  [ "$(cat "$dir/out/keep.h5")" = "not an HDF5 panel" ] && [ "$(ls -A "$dir/out")" = "keep.h5" ]; then
  pass "convert: a truncated panel, the earlier output kept"
else
  fail "convert: a truncated panel, the earlier output kept" "exit status $status; left: $(ls -A "$dir/out")"
fi
refuse "convert without -o" "missing -o OUT" -- convert "$dir/long.csv"
refuse "convert to an unknown format" "-o $dir/x.txt: the name must end in .h5 or .hdf5 (an HDF5 panel) or .csv (long CSV)" -- \
  convert "$dir/long.csv" -o "$dir/x.txt"
refuse "convert onto its input" "-o $dir/long.csv is the same file as the data $dir/long.csv" -- convert "$dir/long.csv" -o "$dir/long.csv"
if "$gbtm" convert --help | grep -q "usage: gbtm convert DATA -o OUT.h5" && "$gbtm" --help | grep -q "^  convert "; then
  pass "convert has help and is listed"
else
  fail "convert has help and is listed" "no usage line"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
