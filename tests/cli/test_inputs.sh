#!/usr/bin/env bash
# test_inputs.sh: end-to-end tests of the inputs gbtm fit reads. A CSV file
# through a pipe, /dev/stdin or a FIFO is read once and fitted, and its
# fingerprint in the model file is the file's SHA-256, rows in any order
# included; binary data (/dev/zero, /dev/urandom) ends at once with exit
# status 2; an endless stream ends at --max-memory; an HDF5 panel from a
# pipe is refused; a repeated column name, a hexadecimal age, an age
# beyond 1e300 and a NUL in a count are errors naming file, line and
# column. Every run is under timeout, so that a regression cannot hang.
# Usage: bash test_inputs.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_inputs.sh path/to/gbtm}
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

# expect NAME STATUS TEXT -- ARGS...: gbtm fit ARGS within 60 s; asserts
# the exit status and that stderr holds TEXT.
expect() {
  local name=$1 want_status=$2 text=$3
  shift 4
  timeout 60 "$gbtm" fit "$@" </dev/null >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  if [ "$status" -ne "$want_status" ]; then
    fail "$name" "exit status $status, expected $want_status"
  elif ! grep -qF -- "$text" "$dir/stderr"; then
    fail "$name" "stderr lacks: $text"
  else
    pass "$name"
  fi
}

# The fingerprint a model file records (gbtm show).
sha_of_model() { "$gbtm" show "$1" | awk '/data SHA-256/ {print $3}'; }

# A panel whose rows are not grouped by person: the reader reads its rows
# in a second pass over the same text, which a pipe cannot give twice.
data=$dir/data.csv
{
  echo "id,age,count"
  for age in 1 2 3 4 5; do
    for id in $(seq 1 20); do echo "$id,$age,$(((id * age) % 4))"; done
  done
} >"$data"
want=$(sha256sum "$data" | cut -d' ' -f1)

for how in pipe stdin fifo; do
  model=$dir/$how.h5
  case $how in
  pipe) cat "$data" | timeout 60 "$gbtm" fit /dev/stdin -o "$model" >/dev/null 2>"$dir/stderr" ;;
  stdin) timeout 60 "$gbtm" fit /dev/stdin -o "$model" <"$data" >/dev/null 2>"$dir/stderr" ;;
  fifo)
    mkfifo "$dir/fifo"
    cat "$data" >"$dir/fifo" &
    timeout 60 "$gbtm" fit "$dir/fifo" -o "$model" >/dev/null 2>"$dir/stderr"
    ;;
  esac
  status=$?
  got=$([ -f "$model" ] && sha_of_model "$model")
  if [ "$status" -ne 0 ]; then
    fail "csv from a $how" "exit status $status"
  elif [ "$got" != "$want" ]; then
    fail "csv from a $how" "data SHA-256 $got, the file's is $want"
  else
    pass "csv from a $how"
  fi
done
wait

# Binary data: refused at its first line, not read to its end.
expect "/dev/zero" 2 "/dev/zero:1:1: the header holds the byte \\x00, a control character" -- /dev/zero
expect "/dev/urandom" 2 "a control character (expected a header row naming the columns" -- /dev/urandom
head -c 2000000 /dev/zero | tr '\0' 'a' >"$dir/long"
expect "no line end" 2 "long:1:1: no line end in the header's first 1048576 bytes" -- "$dir/long"

# An endless stream of text ends at the memory limit.
yes 'id,age,count' | timeout 60 "$gbtm" fit /dev/stdin --max-memory 4M >/dev/null 2>"$dir/stderr"
status=$?
if [ "$status" -eq 2 ] && grep -qF "more than 4194304 bytes of data, the memory limit of the read (--max-memory)" "$dir/stderr"; then
  pass "endless stream"
else
  fail "endless stream" "exit status $status"
fi

# HDF5 must be read out of order: not from a pipe.
if timeout 60 "$gbtm" convert "$data" -o "$dir/data.h5" >/dev/null 2>"$dir/stderr"; then
  cat "$dir/data.h5" | timeout 60 "$gbtm" fit /dev/stdin >/dev/null 2>"$dir/stderr"
  status=$?
  if [ "$status" -eq 2 ] && grep -qF "an HDF5 panel read from a pipe or a device" "$dir/stderr"; then
    pass "hdf5 from a pipe"
  else
    fail "hdf5 from a pipe" "exit status $status"
  fi
  timeout 60 "$gbtm" fit "$dir/data.h5" -o "$dir/h5model.h5" >/dev/null 2>"$dir/stderr"
  got=$(sha_of_model "$dir/h5model.h5")
  if [ "$got" = "$(sha256sum "$dir/data.h5" | cut -d' ' -f1)" ]; then pass "hdf5 fingerprint"; else fail "hdf5 fingerprint" "$got"; fi
else
  fail "convert" "could not write the HDF5 panel"
fi

# Impossible or ambiguous content, with file, line and column.
f=$dir/dup.csv
printf 'id,age,count,age\n1,2,3,4\n' >"$f"
expect "repeated column" 2 "$f:1:4: column \"age\" again, first at column 2" -- "$f"
for age in 0x10 0x1p4; do
  f=$dir/hex.csv
  printf 'id,age,count\n1,1,0\n1,%s,1\n' "$age" >"$f"
  expect "hexadecimal age $age" 2 "$f:3:2: age \"$age\" is not a finite number" -- "$f"
done
f=$dir/range.csv
printf 'id,age,count\n1,-1e308,0\n1,1e308,1\n' >"$f"
expect "ages whose range overflows" 2 "$f:2:2: age \"-1e308\" is beyond -1e300 to 1e300" -- "$f"
printf 'id,age,count\n1,1,0\n1,1e308,1\n' >"$f"
expect "age 1e308" 2 "$f:3:2: age \"1e308\" is beyond -1e300 to 1e300" -- "$f"
f=$dir/nul.csv
printf 'id,age,count\n1,1,0\n1,2,1\0\n' >"$f"
expect "NUL in a count" 2 "$f:3:3: count \"1\\x00\" is not a non-negative integer" -- "$f"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
