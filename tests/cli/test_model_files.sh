#!/usr/bin/env bash
# test_model_files.sh: model files end to end, as a new user meets them:
# fit -o saves a model; show prints the same report (show --json equals the
# fit's --json, fit_seconds included, since it is stored); classify places
# the training persons as the fit did and new persons from a CSV;
# simulate --model draws a cohort from the file; Python's h5py (Debian's
# python3-h5py, under /usr/bin/python3) reads the file with no gbtm code and
# finds log L and the shares of the --json report. Bad model files and
# failed runs give exit status 2 with a message naming the file, and a
# failed fit leaves an existing model file as it was.
# Usage: bash test_model_files.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_model_files.sh path/to/gbtm}
py=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
cd "$dir" || exit 1

passed=0
failed=0
pass() {
  echo "ok   $1"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL $1: $2"
  [ -s stderr ] && sed 's/^/       stderr: /' stderr | head -n 5
  failed=$((failed + 1))
}
# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
  local name=$1
  shift
  if "$@" >check.out 2>&1; then pass "$name"; else fail "$name" "$(head -c 600 check.out)"; fi
}
# expect_error NAME TEXT -- ARGS...: gbtm ARGS exits 2 with TEXT on stderr.
expect_error() {
  local name=$1 text=$2
  shift 3
  "$gbtm" "$@" >stdout 2>stderr
  local status=$?
  if [ "$status" -ne 2 ]; then
    fail "$name" "exit status $status, expected 2"
  elif ! grep -qF -- "$text" stderr; then
    fail "$name" "stderr lacks: $text"
  else
    pass "$name"
  fi
}

"$gbtm" simulate --preset rapporteur-2024 --n 300 --seed 1 -o data.csv >/dev/null || {
  echo "FAIL simulate the data"
  exit 1
}

# ---- fit -o, show ------------------------------------------------------------
if "$gbtm" fit data.csv --groups 3 --starts 6 --seed 5 -q --json --posterior post.csv -o model.h5 \
  >fit.json 2>stderr; then
  pass "fit -o model.h5"
else
  fail "fit -o model.h5" "exit status $?"
fi
check "model.h5 written, no temporary file left" test -s model.h5 -a "$(ls | grep -c '^model\.h5\.')" = 0

"$gbtm" show model.h5 --json >show.json 2>stderr
check "show --json exits 0" test $? -eq 0
check "show --json equals fit --json (json.load)" "$py" - <<'EOF'
import json, math
fit = json.load(open("fit.json"))
show = json.load(open("show.json"))
assert fit == show, [k for k in fit if fit.get(k) != show.get(k)]
assert "fit_seconds" in show and show["fit_seconds"] == fit["fit_seconds"]
assert show["data"]["file"] == "data.csv"
EOF
check "show --json is byte-identical to fit --json" cmp fit.json show.json

"$gbtm" fit data.csv --groups 3 --starts 6 --seed 5 -q -o text.h5 >fit.txt 2>stderr
"$gbtm" show text.h5 >show.txt 2>stderr
check "show prints the fit's text report after the file's origin" \
  cmp <(tail -n +7 show.txt) fit.txt
sha=$(sha256sum data.csv | cut -d' ' -f1)
origin() {
  grep -q "^Model file: text.h5$" show.txt &&
    grep -q "^  command  *gbtm fit data.csv --groups 3 --starts 6 --seed 5 -q -o text.h5$" show.txt &&
    grep -q "^  data SHA-256  *$sha$" show.txt
}
check "show names the file, the command as typed and the data's SHA-256" origin
"$gbtm" convert data.csv -o data.h5 >/dev/null 2>stderr &&
  "$gbtm" fit data.h5 --groups 2 --starts 2 -q -o h5model.h5 >/dev/null 2>stderr &&
  "$gbtm" show h5model.h5 >show_h5.txt 2>stderr
sha_h5=$(sha256sum data.h5 | cut -d' ' -f1)
check "a fit of an HDF5 panel records the panel file's SHA-256" grep -q "^  data SHA-256  *$sha_h5$" show_h5.txt

# ---- classify ----------------------------------------------------------------
"$gbtm" classify model.h5 data.csv -o train.csv >stdout 2>stderr
check "classify the training data exits 0, no warning" test $? -eq 0 -a ! -s stderr
check "classify reproduces the fit's posteriors (1e-12)" "$py" - <<'EOF'
import csv
a = list(csv.reader(open("post.csv")))
b = list(csv.reader(open("train.csv")))
assert a[0] == b[0] == ["id", "group", "p1", "p2", "p3"], (a[0], b[0])
assert len(a) == len(b) == 301
for x, y in zip(a[1:], b[1:]):
    assert x[0] == y[0] and x[1] == y[1], (x, y)
    assert max(abs(float(u) - float(v)) for u, v in zip(x[2:], y[2:])) <= 1e-12, (x, y)
EOF

"$gbtm" simulate --preset rapporteur-2024 --n 40 --seed 9 -o new.csv >/dev/null
"$gbtm" classify model.h5 new.csv >new_cls.csv 2>stderr
check "classify new persons: CSV on stdout" "$py" - <<'EOF'
import csv
rows = list(csv.reader(open("new_cls.csv")))
assert rows[0] == ["id", "group", "p1", "p2", "p3"]
assert len(rows) == 41
for r in rows[1:]:
    p = [float(v) for v in r[2:]]
    assert abs(sum(p) - 1) < 1e-12 and min(p) >= 0
    assert int(r[1]) == 1 + p.index(max(p))
EOF
"$gbtm" classify model.h5 new.csv --json >new_cls.json 2>stderr
check "classify --json agrees with the CSV" "$py" - <<'EOF'
import csv, json
j = json.load(open("new_cls.json"))
rows = list(csv.reader(open("new_cls.csv")))[1:]
assert j["model"] == "model.h5" and len(j["persons"]) == len(rows) == 40
for p, r in zip(j["persons"], rows):
    assert p["id"] == r[0] and p["group"] == int(r[1])
    assert p["p"] == [float(v) for v in r[2:]]
EOF
{
  echo "id,age,count"
  echo "young,8,0"
  echo "young,13,1"
  echo "inside,20,2"
  echo "old,44,1"
  echo "old,61,0"
} >outside.csv
"$gbtm" classify model.h5 outside.csv -o outside_cls.csv >stdout 2>stderr
status=$?
check "classify warns about ages outside the model's range, naming the persons" \
  test $status -eq 0 -a -n "$(grep 'gbtm classify: warning: 2 persons are observed at ages outside' stderr | grep young | grep old)" \
  -a -z "$(grep inside stderr)"

# ---- simulate --model --------------------------------------------------------
"$gbtm" simulate --model model.h5 --n 120 --seed 3 -o sim.csv >stdout 2>stderr
check "simulate --model exits 0" test $? -eq 0
check "simulate --model draws 120 persons inside the model's age range" "$py" - <<'EOF'
import csv, json
rows = list(csv.DictReader(open("sim.csv")))
fit = json.load(open("fit.json"))
lo, hi = fit["age_range"]
assert len({r["id"] for r in rows}) == 120
ages = [float(r["age"]) for r in rows]
assert min(ages) == lo and max(ages) <= hi, (min(ages), max(ages), lo, hi)
assert all(int(r["count"]) >= 0 for r in rows)
EOF
"$gbtm" simulate --model model.h5 --n 120 --seed 3 -o sim2.csv >/dev/null 2>&1
check "simulate --model: the same seed gives the same file" cmp sim.csv sim2.csv

# ---- h5py --------------------------------------------------------------------
if ! "$py" -c "import h5py" 2>/dev/null; then
  fail "h5py reads the model file" "$py cannot import h5py (bash scripts/install-deps.sh --test installs python3-h5py)"
else
  check "h5py reads log L, shares and more, as --json reports them" env SHA="$sha" "$py" - <<'EOF'
import json, os
import h5py
import numpy as np
fit = json.load(open("fit.json"))
with h5py.File("model.h5", "r") as f:
    assert f.attrs["format_version"] == 1
    assert f.attrs["data_sha256"].decode() == os.environ["SHA"]
    assert f.attrs["data_name"].decode() == "data.csv"
    assert f.attrs["command_line"].decode().startswith("gbtm fit data.csv --groups 3")
    assert f["fit/loglik"][()] == fit["loglik"], (f["fit/loglik"][()], fit["loglik"])
    share = f["groups/share"][:]
    assert list(share) == [g["share"] for g in fit["group"]], (share, fit["group"])
    assert f["model/family"].asstr()[()] == fit["model"]
    assert f["model/groups"][()] == fit["groups"] == 3
    beta = f["params/beta"][:]
    for k, g in enumerate(fit["group"]):
        assert list(beta[k, : g["order"] + 1]) == g["beta"]
    tau = f["posterior/tau"][:]
    assert tau.shape == (300, 3) and np.allclose(tau.sum(axis=1), 1, atol=1e-12)
    assert list(f["posterior/ids"].asstr()[:2]) == ["P000001", "P000002"]
    T = f["trajectory/age"].shape[0]
    assert f["trajectory/expected"].shape == (3, T) == f["trajectory/observed"].shape
    P = fit["n_params"]
    assert f["cov/model"].shape == (P, P)
    assert list(f["cov/names"].asstr()[:2]) == ["theta[2]", "theta[3]"]
EOF
fi

# R's hdf5r reads the file too, where it is installed (Debian's r-cran-hdf5r;
# not among the test dependencies). It reverses the order of dimensions.
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(hdf5r)' >/dev/null 2>&1; then
  loglik=$("$py" -c 'import json; print(repr(json.load(open("fit.json"))["loglik"]))')
  check "hdf5r reads log L, the shares and the posteriors" Rscript -e "
    suppressMessages(library(hdf5r))
    f <- H5File\$new('model.h5', mode = 'r')
    stopifnot(h5attr(f, 'data_sha256') == '$sha')
    stopifnot(f[['fit/loglik']]\$read() == $loglik)
    stopifnot(abs(sum(f[['groups/share']]\$read()) - 1) < 1e-12)
    stopifnot(all(dim(t(f[['posterior/tau']]\$read())) == c(300, 3)))
    stopifnot(all(dim(t(f[['params/beta']]\$read())) == c(3, 6)))
    f\$close_all()"
else
  echo "skip hdf5r reads the file (R's hdf5r is not installed)"
fi

# ---- bad files and failed runs ------------------------------------------------
expect_error "show a missing file" "gbtm show: error: missing.h5: cannot open the file" -- show missing.h5
expect_error "show a CSV file" "gbtm show: error: data.csv: not an HDF5 file" -- show data.csv
cp model.h5 cut.h5
truncate -s 5000 cut.h5
expect_error "show a truncated file" "gbtm show: error: cut.h5: the HDF5 file is damaged or truncated" -- show cut.h5
# An HDF5 file of the old format (superblock version 0, h5py's default):
# no model file of gbtm's, refused before HDF5 decodes its unchecked metadata.
"$py" -c 'import h5py; h5py.File("old.h5", "w")["x"] = 1.0' &&
  expect_error "show an HDF5 file of the old format" \
    "old.h5: an HDF5 file with a version 0 superblock, not a gbtm model file (gbtm writes version 2 or later)" \
    -- show old.h5
expect_error "classify with a truncated model" "gbtm classify: error: cut.h5: the HDF5 file is damaged or truncated" \
  -- classify cut.h5 new.csv
expect_error "simulate from a missing model" "gbtm simulate: error: missing.h5: cannot open the file" \
  -- simulate --model missing.h5 -o x.csv
expect_error "show needs a file" "missing MODEL argument" -- show
expect_error "classify needs the data" "missing DATA argument" -- classify model.h5
expect_error "fit -o into a missing folder fails before fitting" "nofolder/m.h5: cannot create the file" \
  -- fit data.csv --groups 3 -q -o nofolder/m.h5
cp model.h5 before.h5
printf 'id,age,count\nP1,12,x\n' >bad.csv
expect_error "a failed fit" "bad.csv:2:3: count" -- fit bad.csv -q -o model.h5
check "a failed fit leaves the earlier model file as it was" cmp model.h5 before.h5
check "and no temporary file" test "$(ls | grep -c '^model\.h5\.')" = 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
