#!/usr/bin/env bash
# test_model_versions.sh: the model-file format versions (docs/model-file.md).
# Files of versions 1 and 2 written by gbtm 0.1.0 before version 3 existed
# (tests/data/model_v1.h5, model_v2.h5) still load in every command that
# reads a model: show, classify, simulate --model, plot and test, with the
# values h5py reads from them. Version 3 stores person ids by their own
# length: a 5 MB id among 109 persons gives a model file about the size of
# the data (fixed-length ids made it 109 x 5 MB) and the fit stays within a
# bounded address space; short ids still give versions 1 and 2.
# Usage: bash test_model_versions.sh path/to/gbtm (GBTM_SOURCE: the sources)
set -u

gbtm=${1:?usage: test_model_versions.sh path/to/gbtm}
src=${GBTM_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh"
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
# runs NAME ARGS...: gbtm ARGS exits 0.
runs() {
  local name=$1
  shift
  if "$gbtm" "$@" >stdout 2>stderr; then pass "$name"; else fail "$name" "exit status $?"; fi
}

"$gbtm" simulate --preset rapporteur-2024 --n 30 --seed 4 -o plain.csv >/dev/null &&
  "$gbtm" simulate --preset rapporteur-2024-covariates --n 30 --seed 4 -o cov.csv >/dev/null || {
  echo "FAIL simulate the data"
  exit 1
}

# ---- versions 1 and 2 of gbtm 0.1.0 -------------------------------------------
for v in 1 2; do
  model=$src/tests/data/model_v$v.h5
  data=plain.csv
  [ "$v" = 2 ] && data=cov.csv
  runs "show a version $v file" show "$model"
  check "show names format version $v" grep -q "^  format version  *$v, written by gbtm 0.1.0" stdout
  runs "show --json a version $v file" show "$model" --json
  check "show --json of version $v gives h5py's log L, shares and beta" env MODEL="$model" "$py" - <<'PY'
import json, os
import h5py
j = json.load(open("stdout"))
with h5py.File(os.environ["MODEL"], "r") as f:
    assert j["loglik"] == f["fit/loglik"][()]
    assert [g["share"] for g in j["group"]] == list(f["groups/share"][:])
    for k, g in enumerate(j["group"]):
        assert g["beta"] == list(f["params/beta"][k, : g["order"] + 1])
PY
  runs "classify with a version $v file" classify "$model" "$data" -o classified_$v.csv
  check "classify with version $v gives a probability row per person" "$py" -c "
import csv
rows = list(csv.reader(open('classified_$v.csv')))
assert len(rows) == 31 and rows[0][:2] == ['id', 'group']
assert all(abs(sum(map(float, r[2:])) - 1) < 1e-9 for r in rows[1:])"
  runs "test a version $v file" test "$model" 'beta[1][0] = beta[2][0]'
  check "test of version $v prints a chi-square" grep -q "chi-square = [0-9]" stdout
  runs "plot a version $v file" plot "$model" -o plot_$v.svg
  check "plot of version $v draws the groups" grep -q "<path" plot_$v.svg
  runs "simulate --model a version $v file" simulate --model "$model" --n 5 --seed 1 -o sim_$v.csv
done

# ---- version 3: one long id ----------------------------------------------------
"$gbtm" simulate --preset rapporteur-2024 --n 108 --seed 2 -o base.csv >/dev/null
"$py" -c "
import sys
sys.stdout.write(open('base.csv').read())
sys.stdout.write('L' * (5 << 20) + ',20,1\n')" >long.csv
# The fit, show and classify in 600 MB of address space (the fixed-length ids
# of versions 1 and 2 took 109 x 5 MB to write). Sanitizer and valgrind runs
# reserve more than that for themselves: there the limit is left out.
limit=600000
if [ -n "${GBTM_WRAP:-}" ] || ! (ulimit -v $limit && "$gbtm" --version >/dev/null 2>&1) 2>/dev/null; then
  limit=unlimited
  echo "skip the address-space limit ($gbtm does not run under ulimit -v)"
fi
(ulimit -v $limit && "$gbtm" fit long.csv --groups 2 --starts 2 --threads 1 -q -o long.h5) >/dev/null 2>stderr
check "fit with a 5 MB id writes the model file" test $? -eq 0 -a -s long.h5
size=$(stat -c %s long.h5 2>/dev/null || echo 0)
data_size=$(stat -c %s long.csv)
check "the model file is about the data's size ($size bytes for $data_size)" test "$size" -gt 0 -a "$size" -lt $((2 * data_size))
check "a long id takes format version 3, stored by its own length" "$py" - <<'PY'
import h5py
with h5py.File("long.h5", "r") as f:
    assert f.attrs["format_version"] == 3
    assert "ids" not in f["posterior"]
    off = f["posterior/id_offsets"][:]
    ids = f["posterior/id_bytes"][:].tobytes()
    assert len(off) == 110 and off[0] == 0 and off[-1] == len(ids)
    assert ids[off[108]:off[109]] == b"L" * (5 << 20)
    assert ids[off[0]:off[1]] == b"P000001"
PY
(ulimit -v $limit && "$gbtm" show long.h5) >show.txt 2>stderr
check "show a version 3 file" grep -q "^  format version  *3," show.txt
(ulimit -v $limit && "$gbtm" classify long.h5 long.csv -o long_cls.csv) >/dev/null 2>stderr
check "classify with a version 3 file keeps the long id" "$py" -c "
import csv
csv.field_size_limit(1 << 24)
rows = list(csv.reader(open('long_cls.csv')))
assert len(rows) == 110 and rows[-1][0] == 'L' * (5 << 20), len(rows)"
runs "test a version 3 file" test long.h5 'beta[1][0] = 0'
runs "plot a version 3 file" plot long.h5 -o long.svg
runs "simulate --model a version 3 file" simulate --model long.h5 --n 5 -o long_sim.csv

# ---- short ids keep the lowest version -----------------------------------------
"$gbtm" fit plain.csv --groups 2 --starts 2 -q -o short.h5 >/dev/null 2>stderr
check "short ids and no covariates: version 1" "$py" -c "
import h5py; assert h5py.File('short.h5', 'r').attrs['format_version'] == 1"
"$py" -c "
import sys
sys.stdout.write(open('plain.csv').read())
sys.stdout.write('M' * 64 + ',20,1\n')" >id64.csv
"$gbtm" fit id64.csv --groups 2 --starts 2 -q -o id64.h5 >/dev/null 2>stderr
check "an id of 64 bytes: still version 1" "$py" -c "
import h5py; assert h5py.File('id64.h5', 'r').attrs['format_version'] == 1"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
