#!/usr/bin/env bash
# test_model_values.sh: impossible numbers and control characters. A model
# file damaged with h5py to hold NaN or inf (in beta, theta, gamma, delta,
# alpha, the covariance, log L, a criterion, the posteriors, the trajectory
# table), shares outside [0, 1] or not summing to 1, estimates that disagree
# with /params, or a rate that overflows over the model's ages, is refused
# by every command that reads a model (show, classify, simulate --model,
# plot, test) with exit status 2 and a message naming the file and the
# dataset. gbtm test refuses a non-finite number (1e999) or sum. No output
# holds NaN or inf, and control characters from the data's name, the model's
# command line, ids and the hypothesis are printed escaped (\x1b), never raw.
# Usage: bash test_model_values.sh path/to/gbtm (GBTM_SOURCE: the sources)
set -u

gbtm=${1:?usage: test_model_values.sh path/to/gbtm}
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
# NaN or inf printed as a number: nan, -nan, inf, -inf, NaN, Infinity.
nonfinite='(^|[^[:alpha:]])(nan|inf|infinity)([^[:alpha:]]|$)'
# refused NAME TEXT -- ARGS...: gbtm ARGS exits 2 with TEXT on stderr, on
# one line, and prints no NaN or inf.
refused() {
  local name=$1 text=$2
  shift 3
  "$gbtm" "$@" >stdout 2>stderr
  local status=$?
  if [ "$status" -ne 2 ]; then
    fail "$name" "exit status $status, expected 2"
  elif ! grep -qF -- "$text" stderr; then
    fail "$name" "stderr lacks: $text"
  elif [ "$(wc -l <stderr)" -ne 1 ]; then
    fail "$name" "stderr holds more than one line"
  elif grep -qiE "$nonfinite" stdout; then
    fail "$name" "stdout holds NaN or inf"
  else
    pass "$name"
  fi
}

"$gbtm" simulate --preset rapporteur-2024 --n 30 --seed 4 -o plain.csv >/dev/null &&
  "$gbtm" simulate --preset rapporteur-2024-covariates --n 30 --seed 4 -o cov.csv >/dev/null || {
  echo "FAIL simulate the data"
  exit 1
}

# damage NAME SOURCE DATASET INDEX VALUE: NAME.h5, a copy of SOURCE with
# DATASET[INDEX] set to VALUE (a Python expression; INDEX "()" for a scalar).
damage() {
  cp "$2" "$1.h5" && chmod u+w "$1.h5" &&
    "$py" -c "
import h5py, numpy as np
with h5py.File('$1.h5', 'r+') as f:
    d = f['$3']
    x = d[()]
    if '$4' == '()':
        d[()] = $5
    else:
        x[$4] = $5
        d[...] = x"
}

# every_command NAME FILE DATA TEXT: all five commands refuse FILE with TEXT.
every_command() {
  local name=$1 file=$2 data=$3 text=$4
  refused "show: $name" "gbtm show: error: $file: $text" -- show "$file"
  refused "show --json: $name" "gbtm show: error: $file: $text" -- show "$file" --json
  refused "classify: $name" "gbtm classify: error: $file: $text" -- classify "$file" "$data" -o cls.csv
  refused "simulate --model: $name" "gbtm simulate: error: $file: $text" -- simulate --model "$file" --n 3 -o sim.csv
  refused "plot: $name" "gbtm plot: error: $file: $text" -- plot "$file" -o fig.svg
  refused "test: $name" "gbtm test: error: $file: $text" -- test "$file" 'beta[1][0] = 0'
}

v1=$src/tests/data/model_v1.h5
v2=$src/tests/data/model_v2.h5
while IFS='|' read -r name source dataset index value text; do
  [ -z "$name" ] && continue
  model=$v1 data=plain.csv
  [ "$source" = v2 ] && model=$v2 data=cov.csv
  if damage "$name" "$model" "$dataset" "$index" "$value"; then
    every_command "$name" "$name.h5" "$data" "$text"
  else
    fail "$name" "h5py could not damage $dataset"
  fi
done <<'CASES'
beta_nan|v1|params/beta|1, 0|np.nan|/params/beta[1][0] is NaN, expected a finite number
beta_unused_inf|v1|params/beta|0, 5|np.inf|/params/beta[0][5] is infinite, expected a finite number
theta_inf|v1|params/theta|1|np.inf|/params/theta[1] is infinite, expected a finite number
theta_ref|v1|params/theta|0|0.5|/params/theta[0] is 0.5, expected 0 in the reference group
alpha_nan|v1|params/alpha|0, 0|np.nan|/params/alpha[0][0] is NaN, expected a finite number
gamma_inf|v2|params/gamma|1, 0|-np.inf|/params/gamma[1][0] is minus infinite, expected a finite number
delta_nan|v2|params/delta|0, 0|np.nan|/params/delta[0][0] is NaN, expected a finite number
tcov_fixed_inf|v2|params/tcov_fixed|0|np.inf|/params/tcov_fixed[0] is infinite, expected a finite number
beta_overflow|v1|params/beta|0, 0|800.0|/params/beta[0] (with /params/alpha and /params/delta) gives group 1 an expected count of infinity (it overflows)
cov_nan|v1|cov/model|2, 3|np.nan|/cov/model[2][3] is NaN, expected a finite number
cov_negative_variance|v1|cov/model|1, 1|-1.0|/cov/model[1][1] is out of range, expected a variance >= 0
estimate_differs|v1|cov/estimates|2|x[2] + 1|/cov/estimates[2] (beta[1][1]) is
loglik_inf|v1|fit/loglik|()|np.inf|/fit/loglik is infinite, expected a finite number
bic_nan|v1|fit/bic|()|np.nan|/fit/bic is NaN, expected a finite number
entropy_out|v1|fit/entropy|()|2.0|/fit/entropy is out of range, expected a number in [0, 1]
share_out|v1|groups/share|slice(None)|[1.5, -0.5]|/groups/share[0] is out of range, expected a share in [0, 1]
share_sum|v1|groups/share|slice(None)|[0.3, 0.3]|/groups/share sums to 0.59999999999999998, expected 1
share_theta|v1|groups/share|slice(None)|[0.5, 0.5]|/groups/share[0] is 0.5, but /params/theta gives
avepp_out|v1|groups/avepp|0|1.5|/groups/avepp[0] is out of range, expected a probability in [0, 1] or NaN
tau_nan|v1|posterior/tau|3, 1|np.nan|/posterior/tau[3][1] is NaN, expected a share in [0, 1]
expected_inf|v1|trajectory/expected|1, 4|np.inf|/trajectory/expected[1][4] is infinite, expected a finite count >= 0
CASES

# Version 3's ids: offsets that run past the bytes, and a NUL byte in an id.
"$py" -c "
import sys
sys.stdout.write(open('plain.csv').read())
sys.stdout.write('L' * 100 + ',20,1\n')" >long.csv
if "$gbtm" fit long.csv --groups 2 --starts 2 -q -o long.h5 >/dev/null 2>stderr; then
  damage id_offsets long.h5 posterior/id_offsets 1 "10**9" &&
    every_command "id_offsets" id_offsets.h5 plain.csv \
      "/posterior/id_offsets must run from 0 up to the"
  damage id_nul long.h5 posterior/id_bytes 2 0 &&
    every_command "id_nul" id_nul.h5 plain.csv "/posterior/id_bytes holds a NUL byte in the id of person 1"
else
  fail "fit a version 3 model" "exit status $?"
fi

# ---- gbtm test: the right-hand side -----------------------------------------
for expr in 'beta[1][0] = 1e999' 'beta[1][0] = -1e999' '1e999 * beta[1][0] = 0'; do
  refused "test '$expr'" "the number is too large for a double (expected a finite number)" -- test "$v1" "$expr"
done
refused "test 'beta[1][0] = 0x1p2000'" "a hexadecimal number (expected a decimal number)" -- test "$v1" 'beta[1][0] = 0x1p2000'
refused "test 'beta[1][0] = 1e308 + 1e308'" "equation 1: its numbers add up past the largest double" \
  -- test "$v1" 'beta[1][0] = 1e308 + 1e308'
refused "test 'beta[1][0] = 1e300'" "the chi-square statistic overflows" -- test "$v1" 'beta[1][0] = 1e300'
for expr in 'beta[1][0] = inf' 'beta[1][0] = nan' 'beta[1][0] = -inf'; do
  refused "test '$expr'" "expected a number or a parameter name" -- test "$v1" "$expr"
done
refused "test --json 'beta[1][0] = 1e999'" "too large for a double" -- test "$v1" 'beta[1][0] = 1e999' --json

# ---- control characters ------------------------------------------------------
esc=$(printf '\033')
bel=$(printf '\007')
# raw NAME FILE...: none of the files holds an ESC or BEL byte.
raw() {
  local name=$1
  shift
  if grep -q "[$esc$bel]" "$@"; then fail "$name" "a raw control character"; else pass "$name"; fi
}
data=$(printf 'a\033]0;title\007\033[2J.csv')
cp plain.csv "$data"
"$gbtm" fit "$data" --groups 2 --starts 2 -q -o esc.h5 >fit.txt 2>stderr
raw "fit's report escapes the data's name" fit.txt stderr
check_escaped() {
  if grep -qF 'a\x1b]0;title\x07\x1b[2J.csv' "$1"; then pass "$2"; else fail "$2" "no \\x1b escape"; fi
}
check_escaped fit.txt "fit's report shows the data's name escaped"
"$gbtm" show esc.h5 >show.txt 2>stderr
raw "show escapes the command line and the data's name" show.txt stderr
check_escaped show.txt "show shows them escaped"
"$gbtm" show esc.h5 --json >show.json 2>stderr
raw "show --json escapes them" show.json
{
  echo "id,age,count"
  printf 'x\033[2Jy,5,1\n'
} >esc_ids.csv
"$gbtm" classify esc.h5 esc_ids.csv -o esc_cls.csv >stdout 2>stderr
raw "classify's warning escapes an id" stdout stderr
if grep -qF 'x\x1b[2Jy' stderr; then pass "classify's warning names the id escaped"; else fail "classify's warning names the id escaped" "no \\x1b"; fi
"$gbtm" test esc.h5 "$(printf 'beta[1][0] = 0\033[2J')" >stdout 2>stderr
raw "test's error escapes the hypothesis" stdout stderr
"$gbtm" show "$data" >stdout 2>stderr
raw "an error naming a file escapes its name" stdout stderr

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
