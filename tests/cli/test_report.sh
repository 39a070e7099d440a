#!/usr/bin/env bash
# test_report.sh: `gbtm report MODEL.h5 -o REPORT.html`, end to end. The
# page is well-formed (every tag closed in order), self-contained (no
# http:// or https:// anywhere but in text the user gave: --title), escapes
# a group label such as <b>&"mid, and holds the numbers of `gbtm show`
# (coefficients, standard errors, log L, BIC, AvePP); --labels names this
# page's groups and leaves the model file as it was; writing over the model,
# a name that is not .html, labels for another number of groups are refused
# with exit 2 and nothing written (an existing page left as it was).
# --profile on the rapporteur-2024-profiles cohort: a table per variable
# (each named), one row per group (a block per category), whose modal,
# proportional, BCH and ML3 estimates and SEs are those of `gbtm profile
# --json` to the decimals the page shows; the Wald tests; the counts of
# unmatched ids and missing values; a hostile variable name, category and
# label escaped; a --vars column the file lacks: exit 2, nothing written;
# a model of gbtm select: refused without --data, with --data PANEL the
# numbers of gbtm profile --data.
# Rendered in headless Chromium: a screenshot that is not blank, --dump-dom
# text with the labels and log L (four decimals of the loglik of gbtm fit
# --json) and the profile's variables and BCH estimates, and
# --print-to-pdf pages of A4 (MediaBox 595 x 842 points).
# Exit 77 (skipped) only when every other check passed and Chromium is
# missing.
# $1 is the gbtm binary.
. "$(dirname "$0")/lib.sh" # gbtm, dir, py, check (tests/cli/lib.sh)

"$gbtm" simulate --preset rapporteur-2024 --n 300 --seed 4 -o "$dir/c.csv" >/dev/null &&
  "$gbtm" fit "$dir/c.csv" --groups 3 --order 2 --starts 6 --labels 'low,<b>&"mid,high' --quiet --json \
    -o "$dir/m.h5" >"$dir/fit.json"
check "a fit with a label that needs escaping" $?
sum=$(sha256sum <"$dir/m.h5")

"$gbtm" report "$dir/m.h5" -o "$dir/r.html" >"$dir/out" 2>"$dir/err"
check "report writes the page" $?

# well-formed: every element closed in order (void elements and SVG's <x/> excepted)
wellformed() {
  "$py" - "$1" <<'EOF'
import html.parser, sys
VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.stack, self.bad, self.doctype = [], [], False
    def handle_decl(self, d): self.doctype |= d.lower() == "doctype html"
    def handle_starttag(self, t, a):
        if t not in VOID: self.stack.append(t)
    def handle_endtag(self, t):
        if not self.stack or self.stack[-1] != t: self.bad.append((t, self.stack[-3:]))
        else: self.stack.pop()
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read()); p.close()
assert p.doctype, "no <!DOCTYPE html>"
assert not p.bad and not p.stack, (p.bad[:3], p.stack)
EOF
}
wellformed "$dir/r.html"
check "the page is well-formed HTML" $?

! grep -Eiq 'https?://|<link|<script|<img|@import|url\([^#]' "$dir/r.html"
check "self-contained: no http(s):// reference, no linked stylesheet, script, image or url() but the figure's own #ids" $?
grep -q '@page { size: A4' "$dir/r.html" && grep -q 'break-inside: avoid' "$dir/r.html" &&
  grep -q '<svg role="img"' "$dir/r.html"
check "A4 page rules, tables kept whole, the figure inline" $?

grep -q '&lt;b&gt;&amp;&quot;mid' "$dir/r.html" && ! grep -q '<b>&"mid' "$dir/r.html" && ! grep -q '<b>' "$dir/r.html"
check "the label <b>&\"mid escaped everywhere (tables and figure)" $?

# the numbers of gbtm show: every coefficient row's estimate and se, log L, BIC, AvePP
"$gbtm" show "$dir/m.h5" >"$dir/show.txt" &&
  "$py" - "$dir/show.txt" "$dir/r.html" <<'EOF'
import html, re, sys
show = open(sys.argv[1]).read()
page = html.unescape(re.sub(r"<[^>]+>", " ", open(sys.argv[2]).read()))
cells = set(page.split())
rows = re.findall(r"^  log rate \S+\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$", show, re.M)
assert len(rows) == 9, rows
for row in rows:
    for x in row: assert x in cells, (x, row)
for key in ("log L", "BIC = -2 log L \\+ p ln N persons", "AIC = -2 log L \\+ 2 p", "entropy"):
    v = re.search(r"^  %s\s+(\S+)$" % key, show, re.M).group(1)
    assert v in cells, (key, v)
groups = re.findall(r"^  \d[^\n]*?\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.-]+)$", show.split("Group shares")[0], re.M)
assert len(groups) == 3, groups
for g in groups:
    for x in g: assert x in cells, (x, g)
assert "best log-likelihood replicated" in page and "Poisson" in page
EOF
check "the page holds gbtm show's coefficients, standard errors, criteria and group table" $?

"$gbtm" report "$dir/m.h5" -o "$dir/l.html" --labels 'A one,B two,C three' --title 'Study <x> see https://example.org/a' \
  >/dev/null && [ "$(sha256sum <"$dir/m.h5")" = "$sum" ] && grep -q '>1 A one<' "$dir/l.html" &&
  grep -q '2 B two: ' "$dir/l.html" && ! grep -q '>2 &lt;b&gt;' "$dir/l.html" &&
  grep -q '<title>Study &lt;x&gt; see https://example.org/a</title>' "$dir/l.html" &&
  [ "$(grep -o 'https://' "$dir/l.html" | wc -l)" -eq 2 ]
check "--labels and --title in the page only (escaped; the model file unchanged; http only in the title given)" $?
wellformed "$dir/l.html"
check "that page is well-formed too" $?

"$gbtm" report "$dir/m.h5" -o "$dir/b.html" --report-basis s >/dev/null && grep -q '>log rate s^2<' "$dir/b.html" &&
  grep -q '>log rate age^2<' "$dir/r.html"
check "coefficients on the age scale by default, on the basis with --report-basis s" $?

cp "$dir/r.html" "$dir/keep.html"
"$gbtm" report "$dir/m.h5" -o "$dir/keep.html" --labels 'a,b' 2>"$dir/e1"; r=$?
[ $r -eq 2 ] && cmp -s "$dir/r.html" "$dir/keep.html" && grep -q -- "--labels names 2 groups" "$dir/e1" &&
  [ -z "$(ls -A "$dir" | grep gbtm-tmp)" ]
check "--labels for another number of groups: refused, the existing page unchanged, no temporary file" $?
"$gbtm" report "$dir/m.h5" -o "$dir/m.h5" 2>/dev/null; r=$?
[ $r -eq 2 ] && [ "$(sha256sum <"$dir/m.h5")" = "$sum" ]
check "-o naming the model file: refused, the model unchanged" $?
"$gbtm" report "$dir/m.h5" -o "$dir/x.pdf" 2>"$dir/e2"; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/x.pdf" ] && grep -q "\.html" "$dir/e2"
check "-o x.pdf: refused (an HTML page's name), nothing written" $?
"$gbtm" report "$dir/c.csv" -o "$dir/y.html" 2>/dev/null; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/y.html" ]
check "a file that is not a model: exit 2, nothing written" $?
"$gbtm" report "$dir/m.h5" -o "$dir/R.HTM" >/dev/null && cmp -s "$dir/R.HTM" "$dir/r.html" &&
  "$gbtm" report "$dir/m.h5" -o "$dir/page" >/dev/null && cmp -s "$dir/page" "$dir/r.html"
check "-o .HTM and a name without an extension: the same page" $?

# ---- --profile: the profiles of the groups ---------------------------------------------
vars=sex,age_first_trafficking,starts_with_trafficking,mental_health,unstable_family,criminal_environment,no_qualification,income
"$gbtm" simulate --preset rapporteur-2024-profiles --seed 2 -o "$dir/pp.csv" --persons "$dir/persons.csv" >/dev/null &&
  "$gbtm" fit "$dir/pp.csv" --groups 4 --order 2 --labels 'incidental,early peak,late peak,continuous' --quiet \
    -o "$dir/pm.h5" >/dev/null
check "the rapporteur-2024-profiles cohort, fitted with K = 4" $?
"$gbtm" report "$dir/pm.h5" -o "$dir/p.html" --profile "$dir/persons.csv" --vars "$vars" --distal reoffend_5y \
  >/dev/null 2>"$dir/perr" && [ ! -s "$dir/perr" ]
check "report --profile --vars (8 variables) --distal reoffend_5y writes the page, no warning" $?
"$gbtm" profile "$dir/pm.h5" "$dir/persons.csv" --vars "$vars" --distal reoffend_5y --json >"$dir/p.json"
check "gbtm profile --json of the same" $?
wellformed "$dir/p.html"
check "the page with profiles is well-formed HTML" $?

# The page's profile tables against gbtm profile --json: every estimate and
# SE of every method, group and category, to the decimals the page shows.
cat >"$dir/profile_check.py" <<'PYEOF'
import html.parser, json, sys
class T(html.parser.HTMLParser):
    """The tables of class profile: caption, and rows (category, cells)."""
    def __init__(self):
        super().__init__(); self.tables, self.cur, self.cell, self.cat, self.row = [], None, None, None, None
    def handle_starttag(self, t, a):
        a = dict(a)
        if t == "table" and a.get("class") == "profile": self.cur = {"caption": "", "rows": []}; self.tables.append(self.cur)
        elif self.cur is None: return
        elif t == "caption": self.cell = ""
        elif t == "tr": self.row = {"sub": "sub" in (a.get("class") or ""), "cells": []}
        elif t in ("td", "th") and self.row is not None: self.cell = ""
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
    def handle_endtag(self, t):
        if self.cur is None: return
        if t == "caption": self.cur["caption"], self.cell = self.cell, None
        elif t in ("td", "th") and self.row is not None: self.row["cells"].append(self.cell); self.cell = None
        elif t == "tr" and self.row is not None:
            if self.row["sub"]: self.cat = self.row["cells"][0][len("category "):]
            elif self.row["cells"][0] != "group": self.cur["rows"].append((self.cat, self.row["cells"]))
            self.row = None
        elif t == "table": self.cur, self.cat = None, None
p = T(); p.feed(open(sys.argv[1], encoding="utf-8").read())
prof = json.load(open(sys.argv[2]))
labels = sys.argv[3].split(",")
variables = prof["variables"] + prof["distal"]
assert len(p.tables) == len(variables), (len(p.tables), len(variables))
def same(cell, x):
    if x is None: return cell == "-"
    d = len(cell.split(".")[1]) if "." in cell else 0
    return cell == "%.*f" % (d, x)
checked = bch = 0
for t, v in zip(p.tables, variables):
    assert t["caption"].startswith(v["name"] + " (" + v["type"]), (t["caption"], v["name"])
    assert "%d persons, %d missing" % (v["n_used"], v["n_missing"]) in t["caption"], t["caption"]
    blocks = [(c["category"], c["groups"]) for c in v["categories"]] if "categories" in v else [(None, v["groups"])]
    rows = iter(t["rows"])
    for cat, groups in blocks:
        for g in groups:
            rcat, cells = next(rows)
            assert rcat == cat, (rcat, cat)
            assert cells[0] == ("%d %s" % (g["group"], labels[g["group"] - 1])).rstrip(), cells[0]
            methods = ["modal", "proportional", "bch"] + (["ml3"] if "ml3" in g else [])
            assert len(cells) == 1 + 2 * len(methods), cells
            for j, m in enumerate(methods):
                assert same(cells[1 + 2 * j], g[m]["estimate"]), (v["name"], cat, g["group"], m, cells[1 + 2 * j], g[m])
                assert same(cells[2 + 2 * j], g[m]["se"]), (v["name"], cat, g["group"], m, "se", cells[2 + 2 * j], g[m])
                checked += 2
                bch += m == "bch" and g[m]["estimate"] is not None
    assert next(rows, None) is None, "more rows than groups"
assert bch > 0
print("  %d estimates and SEs of %d variables compared, %d of them BCH estimates" % (checked, len(variables), bch))
PYEOF
"$py" "$dir/profile_check.py" "$dir/p.html" "$dir/p.json" 'incidental,early peak,late peak,continuous'
check "each variable's table holds gbtm profile --json's estimates and SEs (modal, proportional, BCH, ML3) to the decimals shown" $?

"$py" - "$dir/p.html" "$dir/p.json" <<'PYEOF'
import html, json, re, sys
page = html.unescape(re.sub(r"<[^>]+>", " ", open(sys.argv[1], encoding="utf-8").read()))
page = re.sub(r"\s+", " ", page)
prof = json.load(open(sys.argv[2]))
for v in prof["variables"] + prof["distal"]:
    w = v["wald"]
    want = "Equal in all groups (BCH, Wald): chi2 = %.2f, df = %d, " % (w["chi2"], w["df"])
    assert want in page, want
    if "wald_ml3" in v:
        assert "Equal in all groups (ML3, Wald): chi2 = %.2f" % v["wald_ml3"]["chi2"] in page, v["name"]
assert "630 persons of " in page and " matched to the model's 630." in page
assert "Profiles of the groups" in page and "Distal outcomes" in page
PYEOF
check "the Wald tests (BCH; ML3 for the distal outcome) and the matched persons" $?

# a hostile variable name and categories (a column <i>&"x'), a hostile
# label, a one-valued variable, missing values, two persons missing and one
# stranger
"$py" - "$dir/persons.csv" "$dir/hostile.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
out = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
out.writerow(["id", "<i>&\"x'", "const"])
cats = ["a<b", "c&d", "e\"f"]
for i, r in enumerate(rows[2:]):
    out.writerow([r["id"], "" if i % 50 == 0 else cats[i % 3], "1"])
out.writerow(["STRANGER", "a<b", "1"])
PYEOF
"$gbtm" report "$dir/pm.h5" -o "$dir/h.html" --profile "$dir/hostile.csv" --vars "<i>&\"x',const" \
  --labels 'one,<b>&"two,three,four' >/dev/null 2>"$dir/herr" &&
  "$gbtm" profile "$dir/pm.h5" "$dir/hostile.csv" --vars "<i>&\"x',const" --labels 'one,<b>&"two,three,four' \
    --json >"$dir/h.json" 2>/dev/null
check "report --profile with a hostile variable name, categories and label" $?
! grep -q '<i>\|<b>\|a<b\|e"f' "$dir/h.html" && grep -q '<caption>&lt;i&gt;&amp;&quot;x&#39; (categorical' "$dir/h.html" &&
  grep -q '>category a&lt;b<' "$dir/h.html" && grep -q '>category c&amp;d<' "$dir/h.html" &&
  grep -q '>category e&quot;f<' "$dir/h.html" && grep -q '>2 &lt;b&gt;&amp;&quot;two<' "$dir/h.html"
check "the name <i>&\"x', the categories a<b c&d e\"f and the label <b>&\"two escaped" $?
wellformed "$dir/h.html" && "$py" "$dir/profile_check.py" "$dir/h.html" "$dir/h.json" 'one,<b>&"two,three,four'
check "that page is well-formed, a block of rows per category, the numbers of gbtm profile --json" $?
"$py" - "$dir/h.html" <<'PYEOF'
import html, re, sys
page = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", open(sys.argv[1], encoding="utf-8").read())))
for want in ("628 persons of ", "1 person of the person data not in the model (left out)",
             "2 persons of the model not in the person data",
             "(categorical; the share of each category): 615 persons, 13 missing",
             "const (binary; the share of 1): 628 persons, 0 missing",
             "Equal in all groups (BCH, Wald): not available. Note: one value only"):
    assert want in page, want
PYEOF
check "notes: unmatched ids counted both ways, missing values counted, a one-valued variable without a test" $?
grep -q "1 person of .*hostile.csv is not in the model" "$dir/herr" && grep -q "2 persons of the model are not in" "$dir/herr"
check "the unmatched ids warned about on stderr, as gbtm profile warns" $?

cp "$dir/p.html" "$dir/keep2.html"
"$gbtm" report "$dir/pm.h5" -o "$dir/keep2.html" --profile "$dir/persons.csv" --vars sex,no_such_column 2>"$dir/e3"; r=$?
[ $r -eq 2 ] && cmp -s "$dir/p.html" "$dir/keep2.html" && grep -q 'missing column "no_such_column"' "$dir/e3" &&
  [ -z "$(ls -A "$dir" | grep gbtm-tmp)" ]
check "a --vars column the person data lacks: exit 2, the existing page unchanged, no temporary file" $?
"$gbtm" report "$dir/pm.h5" -o "$dir/n1.html" --profile "$dir/persons.csv" --vars sex,no_such_column 2>/dev/null; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/n1.html" ]
check "the same to a new name: exit 2, nothing written" $?
"$gbtm" report "$dir/pm.h5" -o "$dir/n2.html" --vars sex 2>"$dir/e4"; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/n2.html" ] && grep -q -- "go with --profile PERSONS" "$dir/e4"
check "--vars without --profile: exit 2, nothing written" $?
"$gbtm" report "$dir/pm.h5" -o "$dir/n3.html" --profile "$dir/persons.csv" 2>"$dir/e5"; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/n3.html" ] && grep -q -- "--vars" "$dir/e5"
check "--profile without variables: exit 2, nothing written" $?

# a model without posteriors (gbtm select's): --data PANEL classifies its persons, as gbtm profile --data does
"$gbtm" select "$dir/pp.csv" --groups 4 --order 2 -q -o "$dir/sel" >/dev/null 2>&1
"$gbtm" report "$dir/sel/model_K4_D2.h5" -o "$dir/s0.html" --profile "$dir/persons.csv" --vars sex 2>"$dir/e6"; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/s0.html" ] && grep -q "no posterior probabilities" "$dir/e6"
check "a model without posteriors and no --data: exit 2 saying so, nothing written" $?
"$gbtm" report "$dir/sel/model_K4_D2.h5" -o "$dir/s.html" --profile "$dir/persons.csv" --vars sex,income \
  --data "$dir/pp.csv" >/dev/null 2>&1 &&
  "$gbtm" profile "$dir/sel/model_K4_D2.h5" "$dir/persons.csv" --vars sex,income --data "$dir/pp.csv" --json \
    >"$dir/s.json" 2>/dev/null && "$py" "$dir/profile_check.py" "$dir/s.html" "$dir/s.json" ",,,"
check "a model without posteriors with --data PANEL: the numbers of gbtm profile --data" $?

# ---- rendering in headless Chromium ---------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
  echo "test_report: $pass passed, $fail failed; rendering skipped: chromium is not installed" \
    "(bash scripts/install-deps.sh --test installs it)"
  [ "$fail" -eq 0 ] && exit 77
  exit 1
fi
chrome() { # chromium arguments...
  local profile rc
  profile=$(mktemp -d)
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" "$@" 2>/dev/null
  rc=$?
  rm -rf "$profile"
  return $rc
}
chrome --screenshot="$dir/shot.png" --window-size=900,1400 "file://$dir/r.html" >/dev/null &&
  "$py" - "$dir/shot.png" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
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
white = count.get(b"\xff\xff\xff", 0)
assert len(count) > 100, "only %d distinct colours" % len(count)
assert white < 0.97 * w * h, "almost blank: %d of %d pixels white" % (white, w * h)
for c in ("0072B2", "D55E00", "009E73"):  # the figure's three lines, in the palette
    assert count.get(bytes.fromhex(c), 0) >= 50, c
EOF
check "Chromium screenshot: not blank, the figure's three palette colours" $?

chrome --dump-dom "file://$dir/r.html" >"$dir/dom.html" &&
  "$py" - "$dir/dom.html" "$dir/fit.json" <<'EOF'
import html, json, re, sys
dom = open(sys.argv[1]).read()
text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
fit = json.load(open(sys.argv[2]))
ll = "%.4f" % fit["loglik"]
assert ll in text.split(), ll
for g in fit["group"]:
    assert g["label"] in text, g["label"]
assert '<b>&"mid' in text
EOF
check "Chromium --dump-dom: the labels and log L ($("$py" -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["loglik"])' "$dir/fit.json"))" $?

chrome --dump-dom "file://$dir/p.html" >"$dir/pdom.html" &&
  "$py" - "$dir/pdom.html" "$dir/p.html" "$dir/p.json" <<'EOF'
import html, json, re, sys
text = html.unescape(re.sub(r"<[^>]+>", " ", open(sys.argv[1]).read()))
words = set(text.split())
page = open(sys.argv[2], encoding="utf-8").read()
prof = json.load(open(sys.argv[3]))
n = 0
for v in prof["variables"] + prof["distal"]:
    assert v["name"] in words, v["name"]
    # the decimals the page shows for this variable (its first BCH cell)
    row = re.search(r"<caption>%s \(.*?<tr><th[^>]*>1 [^<]*</th>(?:<td[^>]*>[^<]*</td>){4}<td>([^<]*)</td>"
                    % re.escape(v["name"]), page, re.S).group(1)
    d = len(row.split(".")[1]) if "." in row else 0
    for g in v["groups"]:
        x = g["bch"]["estimate"]
        assert "%.*f" % (d, x) in words, (v["name"], g["group"], x, d)
        n += 1
assert "Profiles of the groups" in text and "4 continuous" in text
print("  %d BCH estimates found in the rendered page" % n)
EOF
check "Chromium --dump-dom of the report with profiles: each variable and its BCH estimates" $?

chrome --no-pdf-header-footer --print-to-pdf="$dir/p.pdf" "file://$dir/p.html" >/dev/null 2>&1 &&
  "$py" - "$dir/p.pdf" <<'EOF'
import re, sys
pdf = open(sys.argv[1], "rb").read()
boxes = [tuple(float(x) for x in m.split()) for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)]
pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
assert boxes and all(abs(b[2] - b[0] - 595) < 2 and abs(b[3] - b[1] - 842) < 2 for b in boxes), boxes
assert 2 <= pages <= 12, pages
print("  %d A4 pages" % pages)
EOF
check "Chromium --print-to-pdf of the report with profiles: A4 pages" $?

chrome --no-pdf-header-footer --print-to-pdf="$dir/r.pdf" "file://$dir/r.html" >/dev/null 2>&1 &&
  "$py" - "$dir/r.pdf" <<'EOF'
import re, sys
pdf = open(sys.argv[1], "rb").read()
assert pdf[:5] == b"%PDF-", "not a PDF"
boxes = [tuple(float(x) for x in m.split()) for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)]
pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
assert boxes and all(abs(b[2] - b[0] - 595) < 2 and abs(b[3] - b[1] - 842) < 2 for b in boxes), boxes
assert 1 <= pages <= 8, pages
print("  %d A4 pages" % pages)
EOF
check "Chromium --print-to-pdf: A4 pages (595 x 842), a sane count" $?

echo "test_report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
