#!/usr/bin/env bash
# test_tutorial_profile.sh: docs/tutorial-profiles.md held to the program.
# Its ```sh commands are run as written (build/gbtm standing for the
# binary under test), in order, in a scratch folder; each must succeed.
# Every line of the output it shows (``` blocks after a command; "..."
# marks a cut) must be a line of that command's output, in the same order.
# Its table of BCH estimates must be gbtm profile --json's, rounded as
# shown (shares as whole percentages), with the Wald p; and what the text
# says of the numbers must hold: D's diagonal in 0.91 to 0.99, the modal
# and BCH estimates less than a standard error apart, 95 to 218 persons
# assigned to a group, the shares' standard errors 1.5 to 5.3 points.
# The report it writes holds the profiles.
# $1 is the gbtm binary.
set -u
gbtm=$1
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac
src=${GBTM_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
doc=$src/docs/tutorial-profiles.md
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
py=/usr/bin/python3
pass=0 fail=0
check() { # name, condition (exit status of the previous command)
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}

# The page's commands (one file each) and shown outputs (expect_N after command N).
"$py" - "$doc" "$dir" <<'EOF'
import os, re, sys
text, out = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
n = 0
for lang, body in re.findall(r"^```(\w*)\n(.*?)^```$", text, re.M | re.S):
    if lang == "sh":
        for line in body.splitlines():
            if line.strip():
                n += 1
                open(os.path.join(out, "cmd_%d" % n), "w").write(line + "\n")
    elif n > 0:
        with open(os.path.join(out, "expect_%d" % n), "a") as f: f.write(body)
assert n >= 4, n
EOF
check "the page's commands and outputs read" $?

mkdir -p "$dir/work"
ran=0 bad=0
for c in $(ls "$dir"/cmd_* | sort -t_ -k2 -n); do
  i=${c##*_}
  line=$(cat "$c")
  case $line in build/gbtm\ *) ;; *) echo "  not a gbtm command: $line"; bad=1; continue ;; esac
  args=${line#build/gbtm }
  (cd "$dir/work" && eval "set -- $args" && "$gbtm" "$@") >"$dir/out_$i" 2>&1
  r=$?
  ran=$((ran + 1))
  if [ $r -ne 0 ]; then echo "  exit $r: $line"; sed 's/^/    /' "$dir/out_$i" | tail -5; bad=1; fi
done
[ $bad -eq 0 ] && [ $ran -ge 4 ]
check "the page's $ran commands run as written, each with exit 0" $?

"$py" - "$dir" <<'EOF'
import glob, os, sys
d, shown = sys.argv[1], 0
for e in sorted(glob.glob(os.path.join(d, "expect_*"))):
    i = e.rsplit("_", 1)[1]
    got = [l.rstrip() for l in open(os.path.join(d, "out_" + i))]
    pos = 0
    for want in open(e):
        want = want.rstrip()
        if want == "..." or not want: continue
        while pos < len(got) and got[pos] != want: pos += 1
        assert pos < len(got), "command %s: %r not in its output (in order)" % (i, want)
        pos += 1
        shown += 1
print("  %d shown lines found in the output" % shown)
EOF
check "every output line the page shows is the program's, in order" $?

vars=sex,age_first_trafficking,starts_with_trafficking,mental_health,unstable_family,criminal_environment,no_qualification,income
(cd "$dir/work" && "$gbtm" profile model.h5 persons.csv --vars "$vars" --distal reoffend_5y --json) >"$dir/p.json"
check "gbtm profile --json of the page's variables" $?

"$py" - "$doc" "$dir/p.json" <<'EOF'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
prof = json.load(open(sys.argv[2]))
variables = prof["variables"] + prof["distal"]
table = re.search(r"^\| BCH estimates \|.*?\n\|[-|]+\|\n((?:\|.*\|\n)+)", text, re.M).group(1)
rows = [[c.strip() for c in r.strip().strip("|").split("|")] for r in table.splitlines()]
assert len(rows) == len(variables), (len(rows), len(variables))
for row, v in zip(rows, variables):
    assert len(row) == 6, row
    for cell, g in zip(row[1:5], v["groups"]):
        x = g["bch"]["estimate"]
        if v["type"] == "binary":
            want = "%.0f%%" % (100 * x)
        else:
            d = len(cell.split(".")[1]) if "." in cell else 0
            want = "%.*f" % (d, x)
        assert cell == want, (row[0], cell, want)
    p = v["wald"]["p"]
    assert row[5] == ("<0.001" if p < 0.001 else "%.3f" % p), (row[0], row[5], p)
# what the text says of these numbers
D, K = prof["classification_error"], len(prof["classification_error"])
diag = [D[k][k] for k in range(K)]
assert 0.91 <= min(diag) and max(diag) <= 0.99, diag
for v in variables:
    for g in v["groups"]:
        assert abs(g["modal"]["estimate"] - g["bch"]["estimate"]) < g["bch"]["se"], (v["name"], g["group"])
ses = [g["bch"]["se"] for v in variables if v["type"] == "binary" for g in v["groups"]]
assert round(100 * min(ses), 1) == 1.5 and round(100 * max(ses), 1) == 5.3, (min(ses), max(ses))
assert "is the estimate to report" in text and "synthetic" in text
print("  %d rows of the table match; D's diagonal %.4f to %.4f; BCH SEs of shares %.4f to %.4f"
      % (len(rows), min(diag), max(diag), min(ses), max(ses)))
EOF
check "the page's table is gbtm profile's BCH estimates and Wald p, and its statements about them hold" $?

"$py" - "$dir/work/model.h5" <<'EOF'
import h5py, numpy, sys
with h5py.File(sys.argv[1], "r") as f: tau = f["posterior/tau"][()]
assert tau.shape[0] == 630, tau.shape
n = numpy.bincount(tau.argmax(axis=1), minlength=tau.shape[1])
assert n.min() == 95 and n.max() == 218, n
EOF
check "95 to 218 persons assigned to a group (the model file's posteriors)" $?

grep -q '<h2>Profiles of the groups</h2>' "$dir/work/report.html" &&
  (for v in ${vars//,/ } reoffend_5y; do grep -q "<caption>$v (" "$dir/work/report.html" || exit 1; done)
check "the page's report holds a profile table of each variable" $?

echo "test_tutorial_profile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
