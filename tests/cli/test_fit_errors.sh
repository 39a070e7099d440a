#!/usr/bin/env bash
# test_fit_errors.sh: end-to-end tests of `gbtm fit` on bad input. Each case
# runs the command on a small file made for it and asserts exit status 2 and
# the message, which for malformed data must name the file, line and column.
# One success case checks exit status 0, that --json prints valid JSON with
# the documented keys, and the --posterior file.
# Usage: bash test_fit_errors.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_fit_errors.sh path/to/gbtm}
here=$(cd "$(dirname "$0")" && pwd)
refdata=${GBTM_REFDATA:-$here/../../datasets/refdata}
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

# expect NAME STATUS TEXT -- ARGS...: runs gbtm fit ARGS, asserts the exit
# status and that stderr contains TEXT (a fixed string).
expect() {
  local name=$1 want_status=$2 text=$3
  shift 4
  "$gbtm" fit "$@" >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  if [ "$status" -ne "$want_status" ]; then
    fail "$name" "exit status $status, expected $want_status"
  elif ! grep -qF -- "$text" "$dir/stderr"; then
    fail "$name" "stderr lacks: $text"
  elif ! grep -q '^gbtm fit: error: ' "$dir/stderr"; then
    fail "$name" "stderr lacks the 'gbtm fit: error: ' prefix"
  else
    pass "$name"
  fi
}

# A small valid panel: 4 persons, ages 1..4.
good=$dir/good.csv
{
  echo "id,age,count"
  for id in 1 2 3 4; do
    for age in 1 2 3 4; do echo "$id,$age,$(((id * age) % 3))"; done
  done
} >"$good"

f=$dir/empty.csv
: >"$f"
expect "empty file" 2 "$f:1:1: empty file" -- "$f"

f=$dir/nocount.csv
printf 'id,age,cnt\n1,1,0\n' >"$f"
expect "missing column" 2 "$f:1:1: missing column \"count\" in header (found:" -- "$f"

f=$dir/count_text.csv
printf 'id,age,count\n1,1,0\n1,2,x\n' >"$f"
expect "non-numeric count" 2 "$f:3:3: count \"x\" is not a non-negative integer" -- "$f"

f=$dir/count_negative.csv
printf 'id,age,count\n1,1,0\n1,2,-1\n' >"$f"
expect "negative count" 2 "$f:3:3: count \"-1\" is not a non-negative integer" -- "$f"

f=$dir/count_fraction.csv
printf 'id,age,count\n1,1,0\n1,2,1.5\n' >"$f"
expect "non-integer count" 2 "$f:3:3: count \"1.5\" is not a non-negative integer" -- "$f"

f=$dir/age_nan.csv
printf 'id,age,count\n1,1,0\n1,nan,1\n' >"$f"
expect "age nan" 2 "$f:3:2: age \"nan\" is not a finite number" -- "$f"

f=$dir/age_inf.csv
printf 'id,age,count\n1,1,0\n1,inf,1\n' >"$f"
expect "age inf" 2 "$f:3:2: age \"inf\" is not a finite number" -- "$f"

f=$dir/exposure_zero.csv
printf 'id,age,count,exposure\n1,1,0,1\n1,2,1,0\n' >"$f"
expect "exposure 0" 2 "$f:3:4: exposure \"0\" is not a finite number > 0" -- "$f" --exposure exposure

f=$dir/exposure_negative.csv
printf 'id,age,count,exposure\n1,1,0,1\n1,2,1,-0.5\n' >"$f"
expect "exposure < 0" 2 "$f:3:4: exposure \"-0.5\" is not a finite number > 0" -- "$f" --exposure exposure

f=$dir/duplicate.csv
printf 'id,age,count\n1,1,0\n1,2,1\n2,1,0\n1,2,3\n' >"$f"
expect "duplicate (id, age)" 2 "$f:5:2: duplicate (id, age) = (1, 2); first seen on line 3" -- "$f"

expect "groups 0" 2 "groups" -- "$good" --groups 0
expect "order above 5" 2 "order" -- "$good" --order 6
expect "order >= distinct ages" 2 "order" -- "$good" --order 4
expect "groups > persons" 2 "groups" -- "$good" --groups 5
expect "unknown option" 2 "unknown option \"--no-such-option\"" -- "$good" --no-such-option
expect "order list length" 2 "--order: 2 values given for 3 groups" -- "$good" --groups 3 --order 1,2
expect "malformed number" 2 "--starts: \"3x\" is not auto or a number of starts" -- "$good" --starts 3x
expect "missing file" 2 "$dir/no_such_file.csv" -- "$dir/no_such_file.csv"
expect "missing DATA argument" 2 "missing DATA argument" -- --groups 2

# Success: a real two-group Poisson fit, JSON report and posterior file.
data=$refdata/trajer_POIS2gr.csv
post=$dir/posterior.csv
if [ ! -r "$data" ]; then
  fail "json report" "reference data $data not found (set GBTM_REFDATA)"
else
  "$gbtm" fit "$data" --groups 2 --order 2 --starts 4 --json --quiet --posterior "$post" \
    >"$dir/stdout" 2>"$dir/stderr"
  status=$?
  if [ "$status" -ne 0 ]; then
    fail "json report" "exit status $status, expected 0"
  elif ! python3 -c '
import json, sys
d = json.load(sys.stdin)
keys = """model groups n_persons n_obs n_params loglik bic bic_obs bic_traj bic_traj_obs
aic entropy converged iterations gradient_norm starts starts_converged starts_failed
best_replicated pilot_persons kernel threads basis age_range data group""".split()
missing = [k for k in keys if k not in d]
assert not missing, "missing keys: %s" % missing
assert d["model"] == "poisson" and d["groups"] == 2, d["model"]
assert isinstance(d["converged"], bool)
assert set(d["basis"]) >= {"centre", "scale"}
assert len(d["age_range"]) == 2
assert set(d["data"]) >= {"file", "persons", "observations", "ages", "zero_share",
                          "total_count", "exposure"}
assert len(d["group"]) == 2
for k, g in enumerate(d["group"]):
    assert g["group"] == k + 1
    assert set(g) >= {"share", "assigned_share", "avepp", "occ", "order", "beta"}
    assert len(g["beta"]) == g["order"] + 1 == 3
assert abs(sum(g["share"] for g in d["group"]) - 1) < 1e-9
' <"$dir/stdout" 2>"$dir/stderr"; then
    fail "json report" "the JSON does not parse or lacks keys"
  else
    pass "json report"
  fi

  persons=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["n_persons"])' <"$dir/stdout" 2>/dev/null)
  if [ ! -s "$post" ]; then
    fail "posterior file" "$post not written"
  elif [ "$(head -n 1 "$post")" != "id,group,p1,p2" ]; then
    fail "posterior file" "header is '$(head -n 1 "$post")'"
  elif [ "$(($(wc -l <"$post") - 1))" != "$persons" ]; then
    fail "posterior file" "$(($(wc -l <"$post") - 1)) rows for $persons persons"
  elif ! awk -F, 'NR > 1 { s = $3 + $4; if (s < 1 - 1e-9 || s > 1 + 1e-9) bad = 1
                           if ($2 != ($3 >= $4 ? 1 : 2)) bad = 1 }
                  END { exit bad }' "$post"; then
    fail "posterior file" "rows do not sum to 1 or the modal group is wrong"
  else
    pass "posterior file"
  fi
fi

# --family names the family; --model is its earlier spelling and must fit the
# same model (the same JSON but for the timings and the command line).
fam=$dir/family.csv
"$gbtm" simulate --preset rapporteur-2024 --n 150 --seed 4 -o "$fam" >/dev/null 2>&1
strip_json() { python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in [k for k in d if k.endswith("seconds")]: del d[k]
print(json.dumps(d, sort_keys=True))'; }
if ! "$gbtm" fit "$fam" --family zip --groups 2 --order 2 --starts 4 --json -q 2>"$dir/stderr" |
  strip_json >"$dir/family.json"; then
  fail "--family zip" "the fit failed"
elif ! "$gbtm" fit "$fam" --model zip --groups 2 --order 2 --starts 4 --json -q 2>"$dir/stderr" |
  strip_json >"$dir/model.json"; then
  fail "--model zip" "the fit failed"
elif ! grep -q '"model": "zip"' "$dir/family.json"; then
  fail "--family zip" "the JSON does not say model zip (the family's key)"
elif ! cmp -s "$dir/family.json" "$dir/model.json"; then
  fail "--family zip" "--family and --model fitted different models"
else
  pass "--family zip, and --model zip the same"
fi
expect "--family unknown" 2 '--family: "negbin" is not a family (poisson, zip, logit, nb, zinb, cnorm or beta)' -- "$good" --family negbin
expect "--iorder without zip" 2 "--iorder applies only to --family zip" -- "$good" --iorder 1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
