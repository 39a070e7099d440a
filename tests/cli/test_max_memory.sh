#!/usr/bin/env bash
# test_max_memory.sh: --max-memory SIZE of `gbtm fit` and `gbtm select`. A
# limit below what the data and the fit need is refused before anything is
# read or written: exit status 2, a message giving the estimate and the
# limit, and no output file, posterior file or output folder left behind
# (an earlier model file stays as it was); a limit above the need lets the
# run go on; data from a pipe is read whole; a malformed SIZE is a usage
# error naming the option.
# Usage: bash test_max_memory.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_max_memory.sh path/to/gbtm}
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

# A small panel: 40 persons, ages 12..19.
data=$dir/data.csv
{
  echo "id,age,count"
  for id in $(seq 1 40); do
    for age in $(seq 12 19); do echo "P$id,$age,$(((id * age) % 4))"; done
  done
} >"$data"

# refused NAME ARGS...: gbtm ARGS exits 2, names the estimate and the limit,
# prints nothing on stdout and leaves $dir/out empty.
refused() {
  local name=$1
  shift
  rm -rf "$dir/out"
  mkdir "$dir/out"
  "$gbtm" "$@" >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  local cmd=$1
  if [ "$status" -ne 2 ]; then
    fail "$name" "exit status $status, expected 2"
  elif ! grep -qE "^gbtm $cmd: error: the data and the fit would need about [0-9.]+ (KB|MB), more than --max-memory 1.0 KB \($data: [0-9.]+ KB, up to 320 rows and 40 persons, [0-9]+ groups?\)" "$dir/stderr"; then
    fail "$name" "stderr lacks the estimate and the limit"
  elif [ -s "$dir/stdout" ]; then
    fail "$name" "printed on stdout"
  elif [ -n "$(ls -A "$dir/out")" ]; then
    fail "$name" "left behind: $(ls -A "$dir/out" | tr '\n' ' ')"
  else
    pass "$name"
  fi
}

refused "fit --max-memory 1K" fit "$data" --groups 2 --max-memory 1K -q \
  -o "$dir/out/model.h5" --posterior "$dir/out/post.csv"
refused "select --max-memory 1K" select "$data" --groups 1:2 --max-memory 1K -q -o "$dir/out/sel"

# An earlier model file survives a refused run.
if "$gbtm" fit "$data" --groups 1 --starts 2 -q -o "$dir/keep.h5" >/dev/null 2>"$dir/stderr"; then
  cp "$dir/keep.h5" "$dir/before.h5"
  "$gbtm" fit "$data" --groups 2 --max-memory 1K -q -o "$dir/keep.h5" >/dev/null 2>"$dir/stderr"
  if [ $? -eq 2 ] && cmp -s "$dir/keep.h5" "$dir/before.h5" &&
    [ -z "$(ls "$dir" | grep '^keep\.h5\.')" ]; then
    pass "a refused run leaves the earlier model file as it was"
  else
    fail "a refused run leaves the earlier model file as it was" "changed or temporary file left"
  fi
else
  fail "fit -o keep.h5" "non-zero exit"
fi

# Enough memory: the run goes on.
if "$gbtm" fit "$data" --groups 2 --starts 2 --max-memory 8G -q --json >"$dir/stdout" 2>"$dir/stderr" &&
  grep -q '"loglik"' "$dir/stdout"; then
  pass "fit --max-memory 8G fits"
else
  fail "fit --max-memory 8G fits" "no report"
fi
if "$gbtm" select "$data" --groups 1:2 --starts 2 --max-memory 1.5GiB -q >"$dir/stdout" 2>"$dir/stderr"; then
  pass "select --max-memory 1.5GiB runs"
else
  fail "select --max-memory 1.5GiB runs" "non-zero exit"
fi

# Data from a pipe is not estimated (the estimate would use it up): it is
# read and fitted whole.
if "$gbtm" fit <(cat "$data") --groups 1 --starts 2 -q --json >"$dir/stdout" 2>"$dir/stderr" &&
  grep -q '"n_obs": 320' "$dir/stdout"; then
  pass "fit from a pipe reads every row"
else
  fail "fit from a pipe reads every row" "no report with 320 observations"
fi

# Malformed sizes.
for size in 12Q -1 0 ""; do
  "$gbtm" fit "$data" --max-memory "$size" >"$dir/stdout" 2>"$dir/stderr"
  status=$?
  if [ "$status" -eq 2 ] && grep -qF "gbtm fit: error: --max-memory: \"$size\" is not a size (e.g. 512M, 8G)" "$dir/stderr"; then
    pass "fit --max-memory '$size' is refused"
  else
    fail "fit --max-memory '$size' is refused" "exit status $status"
  fi
done
"$gbtm" select "$data" --max-memory 5X >"$dir/stdout" 2>"$dir/stderr"
if [ $? -eq 2 ] && grep -qF 'gbtm select: error: --max-memory: "5X" is not a size' "$dir/stderr"; then
  pass "select --max-memory 5X is refused"
else
  fail "select --max-memory 5X is refused" "wrong status or message"
fi

# --help names the option and its default.
if "$gbtm" fit --help | grep -q -- '--max-memory SIZE' && "$gbtm" select --help | grep -q 'MemAvailable'; then
  pass "--help documents --max-memory"
else
  fail "--help documents --max-memory" "not in the help"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
