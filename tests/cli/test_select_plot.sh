#!/usr/bin/env bash
# test_select_plot.sh: end-to-end tests of `gbtm select` and `gbtm plot` on a
# small cohort drawn with `gbtm simulate`:
# - select --json prints {"models": [...], "best_bic": i} whose models carry
#   the keys of `gbtm fit --json` and the cross-validation figures;
# - select -o DIR writes DIR/select.csv, DIR/select.json and one model file
#   DIR/model_K<K>_D<d>.h5 per model, which gbtm show reads back with the
#   table's log L; --refine reports its steps; bad usage exits 2 with a message;
# - plot writes well-formed SVG (xmllint) with one trajectory path per group
#   and one criterion line per order and panel; from a model file also a band
#   per group and the observed means as points; bad input exits 2;
# - headless Chromium renders the figures to PNGs that are not blank: many
#   distinct colours, and the palette colour of every group's line.
# Usage: bash test_select_plot.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_select_plot.sh path/to/gbtm}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
python=/usr/bin/python3

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

# check NAME COMMAND...: passes when the command succeeds.
check() {
  local name=$1
  shift
  if "$@" >"$dir/check.out" 2>&1; then pass "$name"; else fail "$name" "$(head -c 600 "$dir/check.out")"; fi
}

# expect_error NAME TEXT -- ARGS...: gbtm ARGS exits 2 and stderr holds TEXT.
expect_error() {
  local name=$1 text=$2
  shift 3
  "$gbtm" "$@" >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  if [ "$status" -ne 2 ]; then
    fail "$name" "exit status $status, expected 2"
  elif ! grep -qF -- "$text" "$dir/stderr"; then
    fail "$name" "stderr lacks: $text"
  else
    pass "$name"
  fi
}

cohort=$dir/cohort.csv
"$gbtm" simulate --preset rapporteur-2024 --n 300 --seed 3 -o "$cohort" >/dev/null 2>"$dir/stderr" ||
  fail "simulate" "gbtm simulate failed"

# ---- select --json ------------------------------------------------------------
"$gbtm" select "$cohort" --groups 1:4 --starts 6 --cv 3 --json >"$dir/select.json" 2>"$dir/stderr"
status=$?
if [ "$status" -ne 0 ]; then
  fail "select --json" "exit status $status"
else
  check "select --json: models with the fit keys" "$python" - "$dir/select.json" <<'EOF'
import json, math, sys
d = json.load(open(sys.argv[1]))
models = d["models"]
assert len(models) == 4, len(models)
fit_keys = ["model", "groups", "n_persons", "n_obs", "n_params", "loglik", "bic", "bic_obs",
            "bic_traj", "bic_traj_obs", "aic", "entropy", "converged", "iterations",
            "starts", "best_replicated", "basis", "age_range", "data", "group"]
extra = ["order", "min_avepp", "min_occ", "min_share", "cv_loglik", "cve", "flags", "best_bic"]
for i, m in enumerate(models):
    for k in fit_keys + extra:
        assert k in m, "model %d lacks %s" % (i, k)
    assert m["groups"] == i + 1 and m["order"] == 2
    assert len(m["group"]) == m["groups"]
    assert m["n_persons"] == 300
    p, ll, n = m["n_params"], m["loglik"], m["n_persons"]
    assert abs(m["bic"] - (-2 * ll + p * math.log(n))) < 1e-6 * abs(m["bic"])
    assert isinstance(m["cv_loglik"], float) and m["cv_loglik"] < ll
    assert isinstance(m["cve"], float) and m["cve"] > 0
    assert isinstance(m["flags"], list)
b = d["best_bic"]
assert b == min(range(4), key=lambda i: models[i]["bic"])
assert models[b]["best_bic"] is True and sum(m["best_bic"] for m in models) == 1
EOF
fi

# ---- select, text and -o DIR ------------------------------------------------------
out=$dir/out
"$gbtm" select "$cohort" --groups 2:3 --order 1:2 --starts 4 -o "$out" >"$dir/table.txt" 2>"$dir/stderr"
status=$?
if [ "$status" -ne 0 ]; then
  fail "select -o DIR" "exit status $status"
else
  check "select -o DIR writes select.csv and select.json" "$python" - "$out" <<'EOF'
import csv, json, sys, os
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "select.csv"))))
assert len(rows) == 4, len(rows)
assert [(r["groups"], r["order"]) for r in rows] == [("2", "1"), ("3", "1"), ("2", "2"), ("3", "2")]
j = json.load(open(os.path.join(d, "select.json")))
assert len(j["models"]) == 4
for r, m in zip(rows, j["models"]):
    assert abs(float(r["bic"]) - m["bic"]) <= 1e-9 * abs(m["bic"])
    assert r["cv_loglik"] == "" and m["cv_loglik"] is None
assert sum(r["best_bic"] == "TRUE" for r in rows) == 1
assert all(r["best_bic"] in ("TRUE", "FALSE") and r["converged"] in ("TRUE", "FALSE") for r in rows)
EOF
  files=$(cd "$out" && ls model_*.h5 2>/dev/null | tr '\n' ' ')
  if [ "$files" = "model_K2_D1.h5 model_K2_D2.h5 model_K3_D1.h5 model_K3_D2.h5 " ]; then
    pass "select -o DIR writes a model file per model"
  else
    fail "select -o DIR writes a model file per model" "found: $files"
  fi
  if "$gbtm" show "$out/model_K3_D2.h5" >"$dir/show.txt" 2>"$dir/stderr" &&
    "$gbtm" show "$out/model_K3_D2.h5" --json >"$dir/show.json" 2>"$dir/stderr"; then
    check "show DIR/model_K3_D2.h5: the select command, the table's model" "$python" - \
      "$dir/show.txt" "$dir/show.json" "$out/select.json" "$cohort" <<'EOF'
import hashlib, json, sys
text, data = open(sys.argv[1]).read(), sys.argv[4]
shown, sel = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
assert "gbtm select " in text and " -o " in text, "no select command line in the report"
assert hashlib.sha256(open(data, "rb").read()).hexdigest() in text, "no data SHA-256"
m = [m for m in sel["models"] if m["groups"] == 3 and m["order"] == 2][0]
assert shown["groups"] == 3 and [g["order"] for g in shown["group"]] == [2, 2, 2]
assert shown["loglik"] == m["loglik"], (shown["loglik"], m["loglik"])
assert shown["bic"] == m["bic"] and shown["n_params"] == m["n_params"]
EOF
  else
    fail "show DIR/model_K3_D2.h5" "non-zero exit"
  fi
  if grep -q '^\* ' "$dir/table.txt" && grep -q 'BIC(Nobs)' "$dir/table.txt"; then
    pass "select text table marks the best model"
  else
    fail "select text table marks the best model" "no row starting with '*'"
  fi
fi

# ---- refine ---------------------------------------------------------------------
"$gbtm" select "$cohort" --groups 4 --order 3 --starts 4 --refine --json >"$dir/refine.json" 2>"$dir/stderr"
if [ $? -ne 0 ]; then
  fail "select --refine" "non-zero exit"
else
  check "select --refine reports its steps" "$python" - "$dir/refine.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["refine"]
assert len(r["steps"]) >= 1
for s in r["steps"]:
    assert sum(s["reduced"]) == sum(s["order"]) - 1
    if s["dropped"]:
        assert s["lr"] < 3.8415
final = r["model"]
assert final["groups"] == 4
assert sum(g["order"] for g in final["group"]) == 12 - sum(s["dropped"] for s in r["steps"])
EOF
fi

# ---- select usage errors -------------------------------------------------------------
expect_error "select: empty range" "the range 3:2 is empty" -- select "$cohort" --groups 3:2
expect_error "select: one fold" "--cv" -- select "$cohort" --cv 1
expect_error "select: iorder without zip" "--iorder applies only to --family zip" -- select "$cohort" --iorder 1
expect_error "select: missing file" "$dir/none.csv" -- select "$dir/none.csv"
printf 'id,age,count\n1,1,0\n1,2,1\n1,3,2\n2,1,1\n2,2,0\n2,3,3\n' >"$dir/three_ages.csv"
expect_error "select: order above the ages" "order of group 1 (3) must be below the number of distinct ages (3)" -- select "$dir/three_ages.csv" --groups 1:2 --order 2:3

# ---- plot -------------------------------------------------------------------------
svg_ok() { # FILE CLASS COUNT: well-formed, with COUNT elements of that class
  xmllint --noout "$1" && [ "$(grep -o "class=\"$2\"" "$1" | wc -l)" -eq "$3" ]
}
if "$gbtm" plot "$out/select.json" -o "$dir/criteria.svg" 2>"$dir/stderr"; then
  check "plot select.json: criteria, one line per order" svg_ok "$dir/criteria.svg" criterion 2
else
  fail "plot select.json" "non-zero exit"
fi
if "$gbtm" plot "$dir/select.json" -o "$dir/criteria_cv.svg" 2>"$dir/stderr"; then
  check "plot select.json with cv: two panels" svg_ok "$dir/criteria_cv.svg" criterion 2
else
  fail "plot select.json with cv" "non-zero exit"
fi
if "$gbtm" plot "$dir/select.json" --model best -o "$dir/best.svg" 2>"$dir/stderr"; then
  best_k=$("$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["models"][d["best_bic"]]["groups"])' "$dir/select.json")
  check "plot --model best: one trajectory per group" svg_ok "$dir/best.svg" trajectory "$best_k"
else
  fail "plot --model best" "non-zero exit"
fi
"$gbtm" fit "$cohort" --groups 3 --starts 4 --json -q >"$dir/fit.json" 2>"$dir/stderr"
if "$gbtm" plot "$dir/fit.json" -o "$dir/traj.svg" --title 'Three groups & <more>' 2>"$dir/stderr"; then
  check "plot fit.json: three trajectories, title escaped" svg_ok "$dir/traj.svg" trajectory 3
  check "plot fit.json: a 95% band per group" svg_ok "$dir/traj.svg" band 3
  check "plot fit.json: the title as given" grep -qF '<title>Three groups &amp; &lt;more&gt;</title>' "$dir/traj.svg"
else
  fail "plot fit.json" "non-zero exit"
fi
# From a model file: lines, bands and the observed means, one hollow marker
# per group and age where the group has persons (at most 3 x the ages).
ages=$(tail -n +2 "$cohort" | cut -d, -f2 | sort -u | wc -l)
observed_ok() { # SVG: between 2 and 3 points per age, in each group's colour
  local n
  n=$(grep -c 'class="observed"' "$1")
  [ "$n" -ge $((2 * ages)) ] && [ "$n" -le $((3 * ages)) ] &&
    for c in 0072B2 D55E00 009E73; do
      grep 'class="observed"' "$1" | grep -qi "stroke=\"#$c\"" || return 1
    done
}
if "$gbtm" plot "$out/model_K3_D2.h5" -o "$dir/model.svg" 2>"$dir/stderr"; then
  check "plot model.h5: three trajectories" svg_ok "$dir/model.svg" trajectory 3
  check "plot model.h5: a 95% band per group" svg_ok "$dir/model.svg" band 3
  check "plot model.h5: observed means as points" observed_ok "$dir/model.svg"
  check "plot model.h5: legend names the points" grep -qF '>observed mean<' "$dir/model.svg"
  check "plot model.h5: the data in the title" grep -qF "<title>Trajectories of 3 groups: $cohort</title>" "$dir/model.svg"
else
  fail "plot model.h5" "non-zero exit"
fi
expect_error "plot model.h5: --model refused" "--model applies to select.json" -- plot "$out/model_K3_D2.h5" --model 2 -o "$dir/x.svg"
head -c 3000 "$out/model_K3_D2.h5" >"$dir/cut.h5"
expect_error "plot: truncated model file" "cut.h5: the HDF5 file is damaged or truncated" -- plot "$dir/cut.h5" -o "$dir/x.svg"
printf '{"models": [\n  {"groups": 1,, }\n]}\n' >"$dir/bad.json"
expect_error "plot: malformed JSON names line and column" "$dir/bad.json:2:16: expected a member name in double quotes" -- plot "$dir/bad.json" -o "$dir/x.svg"
expect_error "plot: missing -o" "missing -o" -- plot "$dir/fit.json"
printf '%0.s[' $(seq 1 100) >"$dir/deep.json"
expect_error "plot: nesting too deep" "deep.json:1:66: nested too deeply" -- plot "$dir/deep.json" -o "$dir/x.svg"
printf '{"models": "\\x"}' >"$dir/escape.json"
expect_error "plot: bad escape" "escape.json:1:14: unknown escape in a string" -- plot "$dir/escape.json" -o "$dir/x.svg"
printf '{"models": [1, 2' >"$dir/cut.json"
expect_error "plot: cut-off file" "cut.json:1:17: expected ',' or ']' in an array" -- plot "$dir/cut.json" -o "$dir/x.svg"
echo '{"a": 1}' >"$dir/other.json"
expect_error "plot: other JSON" "neither a select.json" -- plot "$dir/other.json" -o "$dir/x.svg"
expect_error "plot: --model not in file" "no such model" -- plot "$dir/select.json" --model 9 -o "$dir/x.svg"

# ---- rendering in headless Chromium ---------------------------------------------------
# render SVG PNG WIDTH HEIGHT
render() {
  local profile
  profile=$(mktemp -d)
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot="$2" --window-size="$3,$4" "file://$1" >/dev/null 2>&1
  rm -rf "$profile"
  [ -s "$2" ]
}
# A PNG with many colours and at least MIN pixels of each given colour.
png_check() { # PNG MIN COLOUR...
  "$python" - "$@" <<'EOF'
import struct, sys, zlib
path, need, colours = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IHDR": ihdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + n])
    elif kind == b"IDAT": idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, count = bytearray(stride), {}
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):  # undo the PNG filters
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        count[px] = count.get(px, 0) + 1
    prev = line
assert len(count) > 100, "only %d distinct colours" % len(count)
white = count.get(b"\xff\xff\xff", 0)
assert white < 0.97 * w * h, "almost blank: %d of %d pixels white" % (white, w * h)
for c in colours:
    n = count.get(bytes.fromhex(c), 0)
    assert n >= need, "colour #%s: %d pixels, expected >= %d" % (c, n, need)
EOF
}
if ! command -v chromium >/dev/null 2>&1; then
  fail "render in Chromium" "chromium is not installed (bash scripts/install-deps.sh --test installs it)"
else
  if render "$dir/traj.svg" "$dir/traj.png" 860 540; then
    check "render trajectories: three palette lines" png_check "$dir/traj.png" 100 0072B2 D55E00 009E73
  else
    fail "render trajectories" "no PNG"
  fi
  if render "$dir/model.svg" "$dir/model.png" 860 540; then
    check "render model.h5 trajectories: three palette lines" png_check "$dir/model.png" 100 0072B2 D55E00 009E73
  else
    fail "render model.h5 trajectories" "no PNG"
  fi
  if render "$dir/criteria_cv.svg" "$dir/criteria.png" 860 760; then
    check "render criteria: a palette line" png_check "$dir/criteria.png" 100 0072B2
  else
    fail "render criteria" "no PNG"
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
