#!/usr/bin/env bash
# test_plot_inputs.sh: gbtm plot's input is read once and bounded (a pipe
# works; /dev/zero and a NUL byte end at once with exit 2), and values that
# overflow an axis or are missing (null) never print nan or inf in the
# figure; select's report echoes its data's name with control characters
# escaped. Usage: bash test_plot_inputs.sh path/to/gbtm
set -u
gbtm=${1:?usage: test_plot_inputs.sh path/to/gbtm}
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh"
cd "$dir" || exit 1
passed=0 failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    [ -s stderr ] && sed 's/^/       stderr: /' stderr | head -n 3
    failed=$((failed + 1))
  fi
}
no_nonfinite() { ! grep -qiE '(^|[^a-z])(nan|-?inf)([^a-z]|$)' "$1"; }

"$gbtm" simulate --preset rapporteur-2024 --n 300 --seed 1 -o d.csv >/dev/null 2>&1 &&
  "$gbtm" select d.csv --groups 1:3 --order 2 --starts 3 -q -o sel >/dev/null 2>&1 &&
  "$gbtm" fit d.csv --groups 3 --order 2 --starts 3 -q --json >f.json 2>/dev/null ||
  { echo "FAIL setup"; echo "0 passed, 1 failed"; exit 1; }

# ---- read once, bounded ----
timeout 20 "$gbtm" plot /dev/zero -o z.svg >/dev/null 2>stderr
status=$?
check "plot /dev/zero: exit 2 at once, binary input named, nothing written" \
  test "$status" -eq 2 -a ! -e z.svg -a -n "$(grep -F '/dev/zero: the byte \x00 at offset 0' stderr)"
cat sel/select.json | timeout 60 "$gbtm" plot /dev/stdin -o pipe.svg >/dev/null 2>stderr
check "plot of select.json from a pipe" test $? -eq 0 -a -s pipe.svg
cat f.json | timeout 60 "$gbtm" plot /dev/stdin -o pipefit.svg >/dev/null 2>stderr
check "plot of fit --json from a pipe" test $? -eq 0 -a -s pipefit.svg

# ---- values an axis cannot hold, values missing ----
python3 - <<'PY' || { echo "FAIL setup (python3)"; exit 1; }
import json
j = json.load(open("sel/select.json"))
for i, m in enumerate(j["models"]):
    if "bic" in m:
        m["bic"] = 1e308 if i % 2 else -1e308
json.dump(j, open("huge.json", "w"))
f = json.load(open("f.json"))
f["loglik"] = None
f["bic"] = None
json.dump(f, open("null.json", "w"))
PY
"$gbtm" plot huge.json -o huge.svg >/dev/null 2>stderr
check "BICs of +-1e308: the figure holds no nan or inf" test -s huge.svg -a -z "$(no_nonfinite huge.svg || echo bad)"
"$gbtm" plot null.json -o null.svg >/dev/null 2>stderr
check "log L and BIC null: printed as '-', no nan" \
  test -n "$(grep -F 'log L -, BIC -' null.svg)" -a -z "$(no_nonfinite null.svg || echo bad)"

# ---- select's report names its data escaped ----
esc=$(printf 'e\033]0;T\007.csv')
cp d.csv "$esc"
"$gbtm" select "$esc" --groups 1 --order 1 --starts 2 -q >stdout 2>stderr
check "select: the data's name with ESC and BEL echoed as \\xHH" \
  test -n "$(grep -F 'Data: e\x1b]0;T\x07.csv' stdout)" -a -z "$(tr -d '\n' <stdout | tr -d '[:print:]')"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
