#!/usr/bin/env bash
# test_extremes.sh: `gbtm fit --json` at numerical extremes (counts of 10^6,
# exposures of 1e-9, ages 0-120 with order 5, more groups than the data
# hold, zero inflation on pure Poisson data). Each run must either succeed
# with a JSON report that parses and holds no NaN or infinity (undefined
# figures are null), or fail with exit status 1 or 2 and a message, and
# print no report. The data are drawn with a fixed seed.
# Usage: bash test_extremes.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_extremes.sh path/to/gbtm}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind

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

# The data files: long CSV, drawn with Python's generator from fixed seeds.
python3 - "$dir" <<'PY' || { echo "FAIL data: cannot write the data files"; exit 1; }
import math, os, random, sys
d = sys.argv[1]
def poisson(rng, mu):
    if mu > 50:  # normal approximation, enough for a test of extremes
        return max(0, int(round(rng.gauss(mu, math.sqrt(mu)))))
    l, k, p = math.exp(-mu), 0, 1.0
    while True:
        p *= rng.random()
        if p <= l: return k
        k += 1
def write(name, rows, exposure=False):
    with open(os.path.join(d, name), "w") as f:
        f.write("id,age,count,exposure\n" if exposure else "id,age,count\n")
        for r in rows: f.write(",".join(str(v) for v in r) + "\n")
rng = random.Random(9)
write("huge.csv", [(i, a, poisson(rng, 1e6 * math.exp(0.5 * (i % 2) + 0.02 * (a - 15))))
                   for i in range(30) for a in range(12, 20)])
write("tiny_exposure.csv", [(i, a, poisson(rng, e * math.exp(-0.5 + (i % 2))), e)
                            for i in range(40) for a in range(12, 20)
                            for e in [1e-9 if (i + a) % 3 == 0 else 1.0]], exposure=True)
write("wide_ages.csv", [(i, a, poisson(rng, math.exp((1.0 if i % 2 else -0.5) - 0.5 * ((a - 18) / 15.0) ** 2)))
                        for i in range(40) for a in range(0, 121, 2)])
write("two_groups.csv", [(i, a, poisson(rng, math.exp(-1.5 if i < 6 else 1.0 + 0.1 * (a - 15))))
                         for i in range(12) for a in range(12, 20)])
pattern = [[0, 0, 0, 0, 0, 1], [0, 1, 2, 2, 1, 0], [3, 5, 6, 6, 4, 2]]
write("patterns.csv", [(i, 14 + a, pattern[i % 3][a]) for i in range(40) for a in range(6)])
write("poisson.csv", [(i, a, poisson(rng, math.exp((1.2 if i % 2 else -0.5) + 0.05 * (a - 16))))
                      for i in range(90) for a in range(12, 22)])
write("zeros.csv", [(i, a, 0) for i in range(10) for a in range(12, 16)])
PY

# run NAME ARGS...: gbtm fit ARGS --json --quiet --starts 8 --seed 3.
run() {
  local name=$1
  shift
  "$gbtm" fit "$@" --json --quiet --starts 8 --seed 3 >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  if [ "$status" -eq 0 ]; then
    if grep -qiE '(^|[^a-z_])-?(nan|inf(inity)?)([^a-z_]|$)' "$dir/stdout"; then
      fail "$name" "NaN or infinity in the report: $(grep -iE '(^|[^a-z_])-?(nan|inf(inity)?)([^a-z_]|$)' "$dir/stdout" | head -n 1)"
    elif ! python3 -c '
import json, math, sys
def reject(token): raise ValueError("non-finite number " + token)
d = json.load(sys.stdin, parse_constant=reject)
assert math.isfinite(d["loglik"]) and d["loglik"] <= 0, d["loglik"]
assert abs(sum(g["share"] for g in d["group"]) - 1) < 1e-9
' <"$dir/stdout" 2>"$dir/pyerr"; then
      fail "$name" "the report is not valid finite JSON: $(tail -n 1 "$dir/pyerr")"
    else
      pass "$name (fit)"
    fi
  elif [ "$status" -eq 1 ] || [ "$status" -eq 2 ]; then
    if [ -s "$dir/stdout" ]; then
      fail "$name" "exit status $status with a report on stdout"
    elif ! grep -q '^gbtm fit: error: .' "$dir/stderr"; then
      fail "$name" "exit status $status without a message"
    else
      pass "$name (clear error, exit $status)"
    fi
  else
    fail "$name" "exit status $status"
  fi
}

# expect_status NAME STATUS TEXT ARGS...: gbtm fit ARGS ends with STATUS and
# TEXT on stderr.
expect_status() {
  "$gbtm" fit "${@:4}" --json --quiet --starts 4 >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  if [ "$status" -ne "$2" ]; then
    fail "$1" "exit status $status, expected $2"
  elif ! grep -qF -- "$3" "$dir/stderr"; then
    fail "$1" "stderr lacks: $3"
  else
    pass "$1"
  fi
}

run "counts of 10^6" "$dir/huge.csv" --groups 2 --order 2
run "counts of 10^6, zip" "$dir/huge.csv" --groups 2 --order 1 --family zip
run "exposure 1e-9" "$dir/tiny_exposure.csv" --exposure exposure --groups 2 --order 1
run "ages 0-120, order 5" "$dir/wide_ages.csv" --groups 2 --order 5
run "ages 0-120, order 5, zip" "$dir/wide_ages.csv" --groups 2 --order 5 --family zip --iorder 1
run "K = 6 on 2 groups" "$dir/two_groups.csv" --groups 6 --order 2
run "K = 5 on 3 patterns" "$dir/patterns.csv" --groups 5 --order 1
run "zip K = 3 on Poisson data" "$dir/poisson.csv" --groups 3 --order 1 --family zip
run "zip K = 3, iorder 2, on Poisson data" "$dir/poisson.csv" --groups 3 --order 2 --family zip --iorder 2
run "robust SE, K = 5 on 3 patterns" "$dir/patterns.csv" --groups 5 --order 1 --se robust
expect_status "all counts zero" 2 "every count in the data is zero" "$dir/zeros.csv" --groups 1 --order 1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
