#!/usr/bin/env bash
# test_plot_options.sh: what a trajectory figure says, end to end. The
# legend gives the fitted (population) shares, also for a model with risk
# factors (not the shares of a person whose factors are all 0); no "95%
# band" entry without a band (a fit without standard errors); --xlabel,
# --ylabel, --ymin and --ymax set the axes, the curves clipped to the plot
# area; a figure name whose extension is not .svg, or --ymin not below
# --ymax, is refused with exit 2 and nothing written.
# $1 is the gbtm binary.
. "$(dirname "$0")/lib.sh" # gbtm, dir, py, check (tests/cli/lib.sh)

"$gbtm" simulate --preset rapporteur-2024-covariates --n 800 --seed 2 -o "$dir/cc.csv" >/dev/null 2>&1
"$gbtm" fit "$dir/cc.csv" --groups 4 --order 3 --risk unstable_family,no_qualification --starts 10 --quiet \
  --json -o "$dir/risk.h5" >"$dir/risk.json"
check "a fit with risk factors" $?
"$gbtm" plot "$dir/risk.h5" -o "$dir/risk.svg"
"$py" -c 'import json, re, sys
shares = [g["share"] for g in json.load(open(sys.argv[1]))["group"]]
legend = [float(x) / 100 for x in re.findall(r">\d+: ([0-9.]+)%<", open(sys.argv[2]).read())]
assert len(legend) == 4 and all(abs(a - b) < 0.0006 for a, b in zip(legend, shares)), (legend, shares)' \
  "$dir/risk.json" "$dir/risk.svg"
check "the legend gives the fitted shares of a model with risk factors" $?

"$gbtm" simulate --preset rapporteur-2024 --n 630 --seed 1 -o "$dir/c.csv" >/dev/null 2>&1
"$gbtm" fit "$dir/c.csv" --groups 3 --order 2 --se none --quiet -o "$dir/nose.h5" >/dev/null
"$gbtm" plot "$dir/nose.h5" -o "$dir/nose.svg" && ! grep -q "95% band" "$dir/nose.svg" && ! grep -q 'class="band"' "$dir/nose.svg"
check "no band, no band entry in the legend" $?
"$gbtm" fit "$dir/c.csv" --groups 3 --order 2 --quiet -o "$dir/se.h5" >/dev/null
"$gbtm" plot "$dir/se.h5" -o "$dir/se.svg" --xlabel "Leeftijd" --ylabel "Delicten per jaar" --ymin 0 --ymax 0.5 &&
  grep -q ">Leeftijd<" "$dir/se.svg" && grep -q ">Delicten per jaar<" "$dir/se.svg" &&
  grep -q ">0.5<" "$dir/se.svg" && grep -q 'clip-path="url(#plot-area)"' "$dir/se.svg" && grep -q "95% band" "$dir/se.svg"
check "--xlabel, --ylabel, --ymin, --ymax; curves clipped to the plot area" $?

"$gbtm" plot "$dir/se.h5" -o "$dir/x.png" && "$gbtm" plot "$dir/se.h5" -o "$dir/x.PDF" --labels "a,b,c" &&
  "$gbtm" select "$dir/c.csv" --groups 1:3 --order 2 -q -o "$dir/selp" >/dev/null &&
  "$gbtm" plot "$dir/selp/select.json" -o "$dir/crit.png" &&
  "$py" -c 'import struct, sys
for f in (sys.argv[1], sys.argv[3]):
    b = open(f, "rb").read()
    assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR", f  # a PNG opens as a PNG
    w, h = struct.unpack(">II", b[16:24])
    assert w == 1720 and h in (1080, 940), (w, h)  # the figure at twice its size
    assert b.rstrip(b"\0")[-8:-4] == b"IEND", f
p = open(sys.argv[2], "rb").read()
assert p[:5] == b"%PDF-" and b"%%EOF" in p[-32:] and p.count(b"/Type /Page") >= 1, p[:16]' \
    "$dir/x.png" "$dir/x.PDF" "$dir/crit.png"
check "-o x.png and x.PDF: a PNG and a PDF drawn by cairo (trajectories, criteria)" $?
"$gbtm" plot "$dir/se.h5" -o "$dir/x.jpg" 2>"$dir/e1"; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/x.jpg" ] && grep -q "extension" "$dir/e1"
check "-o x.jpg: an unknown extension refused, nothing written" $?
"$gbtm" plot "$dir/se.h5" -o "$dir/y.svg" --ymin 2 --ymax 1 2>"$dir/e2"; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/y.svg" ] && grep -q "ymin" "$dir/e2"
check "--ymin not below --ymax: refused" $?
"$gbtm" plot "$dir/se.h5" -o "$dir/z.svg" --ymax abc 2>"$dir/e3"; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/z.svg" ] && grep -q -- "--ymax" "$dir/e3"
check "--ymax not a number: refused, nothing written" $?

"$gbtm" fit "$dir/c.csv" --groups 3 --order 2 --labels "incidental,early peak,continuous" --quiet --json \
  -o "$dir/lab.h5" >"$dir/lab.json" &&
  "$py" -c 'import json, sys
assert [g["label"] for g in json.load(open(sys.argv[1]))["group"]] == ["incidental", "early peak", "continuous"]' "$dir/lab.json" &&
  "$py" -c 'import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert int(f.attrs["format_version"]) == 8 and [x.decode() for x in f["model/labels"][()]] == ["incidental", "early peak", "continuous"]' "$dir/lab.h5" &&
  "$gbtm" show "$dir/lab.h5" | grep -q "^  2 early peak "
check "fit --labels: report, JSON and model file (version 8)" $?
sum=$(sha256sum <"$dir/lab.h5")
"$gbtm" plot "$dir/lab.h5" -o "$dir/lab.svg" && grep -q ">2 early peak: " "$dir/lab.svg" &&
  "$gbtm" plot "$dir/lab.h5" -o "$dir/lab2.svg" --labels "A,B,C" && grep -q ">2 B: " "$dir/lab2.svg" &&
  [ "$(sha256sum <"$dir/lab.h5")" = "$sum" ]
check "plot shows the labels; plot --labels names the figure's groups, the model file unchanged" $?
"$gbtm" plot "$dir/lab.h5" -o "$dir/lab3.svg" --labels "A,B" 2>/dev/null; r1=$?
"$gbtm" fit "$dir/c.csv" --groups 3 --labels "a,b" -q -o "$dir/never.h5" 2>/dev/null; r2=$?
[ $r1 -eq 2 ] && [ $r2 -eq 2 ] && [ ! -e "$dir/lab3.svg" ] && [ ! -e "$dir/never.h5" ]
check "--labels for another number of groups: refused" $?
"$gbtm" fit "$dir/c.csv" --groups 3 --labels "a,,b" -q -o "$dir/never2.h5" 2>"$dir/e4"; r=$?
[ $r -eq 2 ] && [ ! -e "$dir/never2.h5" ] && grep -q "label 2 is empty" "$dir/e4"
check "--labels with an empty label: refused, nothing written" $?
"$gbtm" select "$dir/c.csv" --groups 2:3 --order 2 --labels "low,high" -q -o "$dir/sel" >/dev/null &&
  "$py" -c 'import h5py, sys
a = h5py.File(sys.argv[1] + "/model_K2_D2.h5", "r"); b = h5py.File(sys.argv[1] + "/model_K3_D2.h5", "r")
assert [x.decode() for x in a["model/labels"][()]] == ["low", "high"] and "labels" not in b["model"]' "$dir/sel"
check "select --labels names the models with as many groups" $?

echo "test_plot_options: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
