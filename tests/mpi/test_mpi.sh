#!/usr/bin/env bash
# test_mpi.sh: gbtm fit and gbtm select under mpirun give one process's
# answer. For Poisson and ZIP, with and without exposure, from CSV and from
# HDF5, on 2 processes and on 3 (uneven blocks): log L, every parameter,
# standard error, criterion and trajectory of the JSON report agree with
# the single-process run to 1e-9 relative (the iteration counts and the
# size of the final gradient, which measure the path, are not compared).
# The negative binomial, a dispersion per group and one shared, on 1, 2
# and 3 processes: the same log L (1e-8) and dispersions (1e-6). Also: the
# posterior and model files written by rank 0 only; a malformed line in
# one process's block stops every process with the file's own
# line number; a person whose rows are not consecutive is refused; the
# commands that run alone refuse mpirun.
# Usage: bash test_mpi.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_mpi.sh path/to/gbtm}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The tests run as root in CI: Open MPI asks for both variables then.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 # more processes than cores
mpi() { timeout 300 mpirun --oversubscribe -np "$@"; }

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

# JSON reports equal to rtol, but for the fields that describe the path
# or the machine.
cat >"$dir/same.py" <<'PY'
import json, math, sys
rtol = 1e-9
skip = {"fit_seconds", "seconds", "threads", "processes", "kernel", "iterations",
        "gradient_norm", "newton_decrement", "data"}
bad = []
def cmp(a, b, path):
    if isinstance(a, dict):
        for k in a:
            if k in skip: continue
            if k not in b: bad.append(path + "/" + k + " missing"); continue
            cmp(a[k], b[k], path + "/" + k)
    elif isinstance(a, list):
        if len(a) != len(b): bad.append(path + ": lengths"); return
        for i, (x, y) in enumerate(zip(a, b)): cmp(x, y, "%s[%d]" % (path, i))
    elif isinstance(a, (int, float)) and not isinstance(a, bool) and isinstance(b, (int, float)):
        if not (abs(a - b) <= rtol * max(abs(a), abs(b)) or (math.isnan(a) and math.isnan(b))):
            bad.append("%s: %r vs %r" % (path, a, b))
    elif a != b:
        bad.append("%s: %r vs %r" % (path, a, b))
cmp(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), "")
print("; ".join(bad[:4]))
sys.exit(1 if bad else 0)
PY

"$gbtm" simulate --preset rapporteur-2024 --seed 3 -o "$dir/p.csv" >/dev/null &&
  "$gbtm" simulate --preset rapporteur-2024 --seed 5 --n 2000 --custody 0.3 -o "$dir/e.csv" >/dev/null &&
  "$gbtm" convert "$dir/e.csv" --exposure exposure -o "$dir/e.h5" >/dev/null 2>&1 ||
  { echo "FAIL data: cannot draw the cohorts"; exit 1; }

# same_on NAME NP FRAGMENT ARGS...: gbtm ARGS on NP processes succeeds, its
# report holds FRAGMENT (none when "") and equals $dir/one.json (same.py).
same_on() {
  local name=$1 np=$2 fragment=$3
  shift 3
  if ! mpi "$np" "$gbtm" "$@" >"$dir/many.json" 2>"$dir/stderr"; then
    fail "$name" "exit status"
  elif [ -n "$fragment" ] && ! grep -q "$fragment" "$dir/many.json"; then
    fail "$name" "the report does not hold $fragment"
  elif diff=$(python3 "$dir/same.py" "$dir/one.json" "$dir/many.json"); then
    pass "$name"
  else
    fail "$name" "$diff"
  fi
}

# ---- the same answer ------------------------------------------------------
for data in p.csv e.csv e.h5; do
  opts=(--groups 3 --order 2 --json --quiet)
  [ "$data" != p.csv ] && opts+=(--exposure exposure)
  for model in poisson zip; do
    "$gbtm" fit "$dir/$data" --model "$model" "${opts[@]}" >"$dir/one.json" 2>"$dir/stderr" ||
      { fail "$data $model alone" "exit $?"; continue; }
    for np in 2 3; do
      same_on "fit $data $model on $np processes" "$np" "\"processes\": $np" fit "$dir/$data" --model "$model" \
        "${opts[@]}"
    done
  done
done

# A pilot (every fourth of the 2000 persons, over all processes): the
# same subsample, the same maxima, the same answer.
opts=(--family zip --groups 3 --order 2 --exposure exposure --pilot 500 --json --quiet)
name="fit e.h5 zip with a pilot of 500 on 2 processes"
if ! "$gbtm" fit "$dir/e.h5" "${opts[@]}" >"$dir/one.json" 2>"$dir/stderr"; then
  fail "$name" "exit status alone"
else
  same_on "$name" 2 '"pilot_persons": 500' fit "$dir/e.h5" "${opts[@]}"
fi

# Blocks with different ages: the first persons are seen at 12-20, the
# last at 30-45 and at 25.5, so each process's block lacks ages of the
# other's and is rebuilt on the union of the age grids.
python3 - "$dir/ages.csv" <<'PY' || { echo "FAIL data: ages.csv"; exit 1; }
import math, random, sys
rng = random.Random(11)
with open(sys.argv[1], "w") as f:
    f.write("id,age,count\n")
    for i in range(600):
        ages = list(range(12, 21)) if i < 300 else [25.5] + list(range(30, 46))
        hi = i % 2
        for a in ages:
            mu = math.exp((0.8 if hi else -0.7) - 0.002 * (a - 28) ** 2)
            l, k, p = math.exp(-mu), 0, 1.0
            while True:
                p *= rng.random()
                if p <= l: break
                k += 1
            f.write("P%04d,%s,%d\n" % (i, a, k))
PY
for np in 2 3; do
  "$gbtm" fit "$dir/ages.csv" --groups 2 --order 2 --json --quiet >"$dir/one.json" 2>"$dir/stderr"
  same_on "fit ages.csv (blocks with different ages) on $np processes" "$np" "" fit "$dir/ages.csv" --groups 2 \
    --order 2 --json --quiet
done

# The families with a parameter of their own (a dispersion, sigma or
# precision per group, and one shared) and the binomial logit: 1, 2 and 3
# processes give the same log L (1e-8) and own parameters (1e-6 relative):
# nb on synthetic_nb2groups.csv with its exposures, cnorm on
# synthetic_cnorm1.csv (censored at 0 and 10), beta on synthetic_beta1.csv,
# logit with --trials on synthetic_binomial1.csv.
refdata="${GBTM_REFDATA:-$(dirname "$0")/../../datasets/refdata}"
cat >"$dir/own_same.py" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
key = sys.argv[4]
bad = []
if b["processes"] != int(sys.argv[3]): bad.append("processes %r" % b["processes"])
if not abs(a["loglik"] - b["loglik"]) <= 1e-8: bad.append("log L %r vs %r" % (a["loglik"], b["loglik"]))
for x, y in zip(a["group"], b["group"]):
    if key != "-" and not abs(x[key] - y[key]) <= 1e-6 * x[key]:
        bad.append("%s %r vs %r" % (key, x[key], y[key]))
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
own_fit() { # NAME KEY DATA OPTIONS...
  local what=$1 key=$2 data=$3
  shift 3
  local opts=("$@" --json --quiet)
  "$gbtm" fit "$data" "${opts[@]}" >"$dir/own_alone.json" 2>"$dir/stderr" || { fail "$what alone" "exit $?"; return; }
  for np in 1 2 3; do
    name="fit $what on $np processes"
    if ! mpi "$np" "$gbtm" fit "$data" "${opts[@]}" >"$dir/own_many.json" 2>"$dir/stderr"; then
      fail "$name" "exit status"
    elif diff=$(python3 "$dir/own_same.py" "$dir/own_alone.json" "$dir/own_many.json" "$np" "$key"); then
      pass "$name"
    else
      fail "$name" "$diff"
    fi
  done
}
for disp in group common; do
  own_fit "nb --dispersion $disp" dispersion "$refdata/synthetic_nb2groups.csv" --family nb --dispersion "$disp" \
    --groups 2 --order 2 --exposure exposure
done
own_fit "cnorm" sigma "$refdata/synthetic_cnorm1.csv" --family cnorm --min 0 --max 10 --groups 2 --order 2 --starts 5
own_fit "beta --dispersion common" precision "$refdata/synthetic_beta1.csv" --family beta --dispersion common \
  --groups 2 --order 2 --starts 5
own_fit "logit --trials" - "$refdata/synthetic_binomial1.csv" --family logit --trials trials --groups 2 --order 2

# ---- files from rank 0 ------------------------------------------------------
name="posterior and model files on 3 processes"
"$gbtm" fit "$dir/e.h5" --family zip --groups 3 --order 2 --exposure exposure --quiet \
  --posterior "$dir/post1.csv" -o "$dir/m1.h5" >/dev/null 2>"$dir/stderr"
mkdir "$dir/many"
if ! (cd "$dir/many" && mpi 3 "$gbtm" fit "$dir/e.h5" --family zip --groups 3 --order 2 --exposure exposure \
  --quiet --posterior post.csv -o m.h5 >/dev/null 2>"$dir/stderr"); then
  fail "$name" "exit status"
elif [ "$(ls "$dir/many" | tr '\n' ' ')" != "m.h5 post.csv " ]; then
  fail "$name" "the folder holds: $(ls "$dir/many" | tr '\n' ' ')"
elif ! python3 - "$dir/post1.csv" "$dir/many/post.csv" <<'PY'; then
import sys
a = [l.rstrip("\n").split(",") for l in open(sys.argv[1])]
b = [l.rstrip("\n").split(",") for l in open(sys.argv[2])]
assert len(a) == len(b) == 2001, (len(a), len(b))
for x, y in zip(a[1:], b[1:]):
    assert x[:2] == y[:2], (x, y)
    for u, v in zip(x[2:], y[2:]):
        assert abs(float(u) - float(v)) <= 1e-9 * max(abs(float(u)), 1e-300) + 1e-15, (x, y)
PY
  fail "$name" "the posteriors differ"
elif ! "$gbtm" show "$dir/many/m.h5" --json >"$dir/show_many.json" 2>"$dir/stderr" ||
  ! "$gbtm" show "$dir/m1.h5" --json >"$dir/show_one.json" 2>>"$dir/stderr" ||
  ! diff=$(python3 "$dir/same.py" "$dir/show_one.json" "$dir/show_many.json"); then
  fail "$name" "the model files differ: ${diff:-}"
else
  pass "$name"
fi

# ---- select with cross-validation -------------------------------------------
"$gbtm" select "$dir/p.csv" --groups 1:3 --order 2 --cv 5 --json --quiet >"$dir/one.json" 2>"$dir/stderr"
same_on "select --groups 1:3 --cv 5 on 2 processes" 2 "" select "$dir/p.csv" --groups 1:3 --order 2 --cv 5 --json \
  --quiet

# ---- a bad block stops everyone --------------------------------------------
# Line 12000 of 14520 (process 2's block) gets a count that is not a number.
name="a malformed line in the second block"
awk -F, -v OFS=, 'NR == 12000 { $3 = "x" } { print }' "$dir/p.csv" >"$dir/bad.csv"
start=$(date +%s)
mpi 2 "$gbtm" fit "$dir/bad.csv" --groups 2 --quiet >/dev/null 2>"$dir/stderr"
rc=$?
if [ "$rc" != 2 ]; then
  fail "$name" "exit status $rc, expected 2"
elif ! grep -q "bad.csv:12000:3: " "$dir/stderr"; then
  fail "$name" "no message naming bad.csv:12000:3"
elif [ $(($(date +%s) - start)) -gt 60 ]; then
  fail "$name" "took more than 60 s"
else
  pass "$name"
fi

name="a person whose rows are not consecutive"
{ head -n 1 "$dir/p.csv"; tail -n +2 "$dir/p.csv" | sort -t, -k2,2n -k1,1; } >"$dir/shuffled.csv"
mpi 2 "$gbtm" fit "$dir/shuffled.csv" --groups 2 --quiet >/dev/null 2>"$dir/stderr"
rc=$?
if [ "$rc" = 2 ] && grep -q "not consecutive" "$dir/stderr"; then
  pass "$name"
else
  fail "$name" "exit status $rc"
fi

name="a command that runs alone"
mpi 2 "$gbtm" classify "$dir/many/m.h5" "$dir/e.csv" >/dev/null 2>"$dir/stderr"
rc=$?
if [ "$rc" = 2 ] && grep -q "only gbtm fit and gbtm select" "$dir/stderr"; then
  pass "$name"
else
  fail "$name" "exit status $rc"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
