#!/usr/bin/env bash
# test_corpus.sh: `gbtm fit` on the corpus of malformed and awkward CSV
# files in tests/corpus/csv, and of HDF5 panels that tests/corpus/make_h5.py
# writes at test time, against tests/corpus/expected.txt (its header says
# the format). A rejected file must end with the expected exit status
# and message (FILE:LINE:COLUMN and what was expected) and leave no output
# file behind; an accepted one (byte order mark, CRLF, quotes, ...) must be
# read correctly: the JSON report's observation count, total count and
# persons are checked, and no number in it may be NaN or infinite.
# Usage: bash test_corpus.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_corpus.sh path/to/gbtm}
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/../corpus
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

# Strips the blanks around a field.
strip() {
  local s=$1
  s=${s#"${s%%[![:space:]]*}"}
  s=${s%"${s##*[![:space:]]}"}
  printf '%s' "$s"
}

# check_report NAME EXPECTED: the JSON report in $dir/stdout holds the
# key=value pairs of EXPECTED and no NaN or infinity (null stands for an
# undefined figure).
check_script=$(
  cat <<'PY'
import json, math, sys
def reject(token):
    raise ValueError("non-finite number in the JSON: " + token)
d = json.load(sys.stdin, parse_constant=reject)
got = {"n_obs": d["n_obs"], "total": d["data"]["total_count"], "persons": d["n_persons"]}
for pair in sys.argv[1].split():
    key, value = pair.split("=")
    assert float(got[key]) == float(value), "%s = %s, expected %s" % (key, got[key], value)
def walk(x):
    if isinstance(x, float): assert math.isfinite(x), x
    elif isinstance(x, dict): [walk(v) for v in x.values()]
    elif isinstance(x, list): [walk(v) for v in x]
walk(d)
PY
)
check_report() {
  python3 -c "$check_script" "$2" <"$dir/stdout" 2>"$dir/pyerr"
}

# The HDF5 cases are made here (h5py), not kept as binary files.
mkdir -p "$dir/h5"
if ! /usr/bin/python3 "$corpus/make_h5.py" "$dir/h5" 2>"$dir/stderr"; then
  fail "make_h5.py" "cannot write the HDF5 cases (bash scripts/install-deps.sh --test installs python3-h5py)"
fi

cases=0
while IFS= read -r line; do
  case $line in '' | '#'*) continue ;; esac
  IFS='|' read -r file want opts expected <<<"$line"
  file=$(strip "$file")
  want=$(strip "$want")
  opts=$(strip "$opts")
  expected=$(strip "$expected")
  [ "$opts" = "-" ] && opts=
  cases=$((cases + 1))
  path=$corpus/csv/$file
  [ -e "$path" ] || path=$dir/h5/$file
  out=$dir/out
  rm -rf "$out"
  mkdir "$out"
  # shellcheck disable=SC2086 # opts holds separate words
  "$gbtm" fit "$path" --groups 1 --starts 2 --quiet --json --posterior "$out/posterior.csv" $opts \
    >"$dir/stdout" 2>"$dir/stderr"
  status=$?
  if [ ! -r "$path" ]; then
    fail "$file" "missing from the corpus"
  elif [ "$status" -ne "$want" ]; then
    fail "$file" "exit status $status, expected $want"
  elif [ "$want" -eq 0 ]; then
    if ! check_report "$file" "$expected"; then
      fail "$file" "report: $(tail -n 1 "$dir/pyerr")"
    elif [ ! -s "$out/posterior.csv" ]; then
      fail "$file" "no posterior file written"
    else
      pass "$file"
    fi
  else
    message=${expected//\{file\}/$path}
    if ! grep -qF -- "gbtm fit: error: $message" "$dir/stderr"; then
      fail "$file" "stderr lacks: gbtm fit: error: $message"
    elif [ -n "$(ls -A "$out")" ]; then
      fail "$file" "left behind: $(ls -A "$out" | tr '\n' ' ')"
    elif [ -s "$dir/stdout" ]; then
      fail "$file" "printed a report on stdout"
    else
      pass "$file"
    fi
  fi
done <"$corpus/expected.txt"

# Every file in the corpus has a case.
for path in "$corpus"/csv/*.csv "$dir"/h5/*.h5; do
  name=$(basename "$path")
  if ! grep -q "^$name |" "$corpus/expected.txt"; then
    fail "$name" "no line in expected.txt"
  fi
done
[ "$cases" -ge 35 ] || fail "corpus" "only $cases cases"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
