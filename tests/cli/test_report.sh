#!/usr/bin/env bash
# test_report.sh: `gbtm report MODEL.h5 -o REPORT.html`, end to end. The
# page is well-formed (every tag closed in order), self-contained (no
# http:// or https:// anywhere but in text the user gave: --title), escapes
# a group label such as <b>&"mid, and holds the numbers of `gbtm show`
# (coefficients, standard errors, log L, BIC, AvePP); --labels names this
# page's groups and leaves the model file as it was; writing over the model,
# a name that is not .html, labels for another number of groups are refused
# with exit 2 and nothing written (an existing page left as it was).
# Rendered in headless Chromium: a screenshot that is not blank, --dump-dom
# text with the labels and log L (four decimals of the loglik of gbtm fit
# --json), and --print-to-pdf pages of A4 (MediaBox 595 x 842 points).
# Exit 77 (skipped) only when every other check passed and Chromium is
# missing.
# $1 is the gbtm binary.
set -u
gbtm=$1
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
py=/usr/bin/python3
pass=0 fail=0
check() { # name, condition (exit status of the previous command)
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}

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
