#!/usr/bin/env bash
# test_arguments.sh: the command line of every subcommand, and of gbtm
# itself, takes each single-valued option (one with one value, or a flag)
# once and no argument beyond those it documents: a repeated option
# ("--groups given twice") and an extra argument are usage errors, exit
# status 2, with a message naming them. The options documented as
# repeatable (--risk, --tcov) still repeat. Also: a gbtm executable without
# its commands module says so, exit status 2.
# Usage: bash test_arguments.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_arguments.sh path/to/gbtm}
binary=$gbtm
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

# usage NAME TEXT -- ARGS...: runs gbtm ARGS, asserts exit status 2, nothing
# on stdout, and TEXT (a fixed string) on stderr.
usage() {
  local name=$1 text=$2
  shift 3
  "$gbtm" "$@" >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  if [ "$status" -ne 2 ]; then
    fail "$name" "exit status $status, expected 2"
  elif [ -s "$dir/stdout" ]; then
    fail "$name" "printed on stdout"
  elif ! grep -qF -- "$text" "$dir/stderr"; then
    fail "$name" "stderr lacks: $text"
  else
    pass "$name"
  fi
}

# A small panel, with a risk factor and a time-varying covariate.
data=$dir/p.csv
{
  echo "id,age,count,r,e"
  for id in 1 2 3 4 5 6; do
    for age in 1 2 3 4; do echo "$id,$age,$(((id * age) % 3)),$((id % 2)),$((age % 2))"; done
  done
} >"$data"
model=$dir/m.h5
"$gbtm" fit "$data" --groups 1 --quiet -o "$model" >/dev/null 2>"$dir/stderr" || fail "fit the model used below" "exit status $?"

# gbtm itself.
usage "gbtm --version extra" 'unexpected argument "extra"' -- --version extra
usage "gbtm version extra" 'unexpected argument "extra"' -- version extra
usage "gbtm --help extra" 'unexpected argument "extra"' -- --help extra
usage "gbtm -h extra" 'unexpected argument "extra"' -- -h extra
usage "gbtm help show extra" 'unexpected argument "extra"' -- help show extra
usage "gbtm help nothing" 'unknown command "nothing"' -- help nothing
usage "gbtm without a command" 'missing command' --

# A repeated option, for every subcommand: one with a value (long, short
# and mixed spellings) and a flag.
usage "fit --groups twice" 'gbtm fit: error: --groups given twice' -- fit "$data" --groups 2 --groups 3
usage "fit --groups=2 --groups=2" '--groups given twice' -- fit "$data" --groups=2 --groups=2
usage "fit -o twice" 'gbtm fit: error: -o given twice' -- fit "$data" -o "$dir/a.h5" -o "$dir/b.h5"
usage "fit -o and --output" '--output given twice' -- fit "$data" -o "$dir/a.h5" --output "$dir/b.h5"
usage "fit --refgroup twice" 'gbtm fit: error: --refgroup given twice' -- fit "$data" --groups 2 --refgroup 1 --refgroup 1
usage "fit --tcov-fixed twice" 'gbtm fit: error: --tcov-fixed given twice' -- fit "$data" --groups 2 --tcov-fixed 0 --tcov-fixed 1
usage "select --refgroup twice" 'gbtm select: error: --refgroup given twice' -- select "$data" --groups 2 --refgroup 1 --refgroup 2
usage "fit --centre 0x10: hexadecimal refused" 'gbtm fit: error: --centre: "0x10" is not a decimal number' -- fit "$data" --centre 0x10
usage "fit --tol 0x1p-20: hexadecimal refused" '"0x1p-20" is not a decimal number' -- fit "$data" --tol 0x1p-20
usage "fit --tcov-fixed 0x1: hexadecimal refused" 'is not a list of finite decimal numbers' -- fit "$data" --tcov-fixed 0x1
usage "test 'beta[1][0] = 0x10': hexadecimal refused" 'a hexadecimal number (expected a decimal number)' -- test "$model" 'beta[1][0] = 0x10'
usage "fit --id age: one column for two things" 'the column "age" is named by --id and by --age: one column cannot be both' -- fit "$data" --id age
usage "fit --age count" 'the column "count" is named by --age and by --count' -- fit "$data" --age count
usage "fit --exposure age" 'the column "age" is named by --age and by --exposure' -- fit "$data" --exposure age
"$gbtm" convert "$data" -o "$dir/wide.csv" --to-wide >/dev/null 2>&1 || fail "convert --to-wide" "exit status $?"
usage "fit --wide --count-cols count1,count1" 'the column "count1" is named twice by --count-cols' -- fit "$dir/wide.csv" --wide --count-cols count1,count1 --age-cols age1,age2
usage "an unknown command's name is echoed escaped" 'gbtm: error: unknown command "x\x1b[2J"' -- "$(printf 'x\033[2J')"
usage "fit --family and --model" '--model given twice' -- fit "$data" --family zip --model poisson
usage "fit --json twice" '--json given twice' -- fit "$data" --json --json
usage "fit -q twice" '-q given twice' -- fit "$data" -q -q
usage "fit --id twice" '--id given twice' -- fit "$data" --id id --id id
usage "select --groups twice" 'gbtm select: error: --groups given twice' -- select "$data" --groups 1:2 --groups 2
usage "select --cv twice" '--cv given twice' -- select "$data" --cv 3 --cv 4
usage "select --quiet twice" '--quiet given twice' -- select "$data" --quiet --quiet
usage "show --json twice" 'gbtm show: error: --json given twice' -- show "$model" --json --json
usage "classify -o twice" 'gbtm classify: error: -o given twice' -- classify "$model" "$data" -o "$dir/a.csv" -o "$dir/b.csv"
usage "classify --json twice" '--json given twice' -- classify "$model" "$data" --json --json
usage "convert -o twice" 'gbtm convert: error: -o given twice' -- convert "$data" -o "$dir/a.h5" -o "$dir/b.h5"
usage "convert --to-wide twice" '--to-wide given twice' -- convert "$data" -o "$dir/a.csv" --to-wide --to-wide
usage "simulate --n twice" 'gbtm simulate: error: --n given twice' -- simulate --preset rapporteur-2024 -o "$dir/s.csv" --n 10 --n 20
usage "simulate --preset twice" '--preset given twice' -- simulate --preset rapporteur-2024 --preset rapporteur-2024 -o "$dir/s.csv"
usage "plot --title twice" 'gbtm plot: error: --title given twice' -- plot "$model" -o "$dir/p.svg" --title a --title b
usage "plot -o twice" '-o given twice' -- plot "$model" -o "$dir/p.svg" -o "$dir/q.svg"
usage "test --se twice" 'gbtm test: error: --se given twice' -- test "$model" 'g1.b0 = 0' --se model --se robust
usage "test --json twice" '--json given twice' -- test "$model" 'g1.b0 = 0' --json --json

# An extra argument, for every subcommand.
usage "fit DATA extra" 'unexpected argument "extra"' -- fit "$data" extra
usage "select DATA extra" 'unexpected argument "extra"' -- select "$data" extra
usage "show MODEL extra" 'unexpected argument "extra"' -- show "$model" extra
usage "classify MODEL DATA extra" 'unexpected argument "extra"' -- classify "$model" "$data" extra
usage "convert DATA extra" 'unexpected argument "extra"' -- convert "$data" extra -o "$dir/a.h5"
usage "simulate extra" 'unexpected argument "extra"' -- simulate --preset rapporteur-2024 -o "$dir/s.csv" extra
usage "plot MODEL extra" 'unexpected argument "extra"' -- plot "$model" extra -o "$dir/p.svg"
usage "test MODEL EXPR extra" 'gbtm test: error:' -- test "$model" 'g1.b0 = 0' extra

# --risk and --tcov may be repeated.
name="--risk and --tcov repeated"
"$gbtm" fit "$data" --groups 2 --starts 2 --quiet --risk r --risk r2 --tcov e --tcov e2 >/dev/null 2>"$dir/stderr"
if grep -q "given twice" "$dir/stderr"; then
  fail "$name" "refused as given twice"
elif ! grep -q "r2" "$dir/stderr"; then
  fail "$name" "the second --risk was not read"
else
  pass "$name"
fi

# Without its commands module, gbtm still answers --version, and a
# subcommand says what is missing.
mkdir "$dir/alone"
cp "$binary" "$dir/alone/gbtm"
name="gbtm without its commands module"
if ! "$dir/alone/gbtm" --version >/dev/null 2>&1; then
  fail "$name" "--version failed"
else
  "$dir/alone/gbtm" show "$model" >"$dir/stdout" 2>"$dir/stderr"
  status=$?
  if [ "$status" -ne 2 ]; then
    fail "$name" "exit status $status, expected 2"
  elif ! grep -qF "gbtm: error: cannot load the commands module: $dir/alone/gbtm-commands.so" "$dir/stderr"; then
    fail "$name" "no message naming the module"
  else
    pass "$name"
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
