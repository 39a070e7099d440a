#!/usr/bin/env bash
# test_model_damage.sh: bit flips in a model file. Each of many copies of
# tests/data/model_v1.h5 with one byte flipped (every 17th byte of the first
# 4 KiB, where HDF5 keeps the superblock and most object headers, then every
# 997th) is handed to show, classify, simulate --model, plot and test. Each
# run either succeeds or exits 1 or 2 with one line of gbtm's own on stderr,
# "gbtm CMD: error: FILE: ...": never HDF5's error stack ("HDF5-DIAG",
# H5Dread, ...) nor "HDF5: infinite loop closing library", which HDF5 prints
# at exit after it leaked on a damaged file; and no run prints NaN or inf.
# HDF5 panels go through the same HDF5 library: gbtm fit on copies of a
# panel written by gbtm convert, with one byte flipped, is held to the same.
# Usage: bash test_model_damage.sh path/to/gbtm (GBTM_SOURCE: the sources)
set -u

gbtm=${1:?usage: test_model_damage.sh path/to/gbtm}
src=${GBTM_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh"
cd "$dir" || exit 1

"$gbtm" simulate --preset rapporteur-2024 --n 20 --seed 4 -o data.csv >/dev/null &&
  "$gbtm" convert data.csv -o panel.h5 >/dev/null || {
  echo "FAIL simulate the data"
  echo "0 passed, 1 failed"
  exit 1
}

# Under LeakSanitizer, the blocks Debian's HDF5 1.10 leaks of its own on a
# damaged file are not counted (tests/fuzz/lsan.supp says which and why);
# gbtm's own leaks still are.
GBTM="$gbtm" MODEL="$src/tests/data/model_v1.h5" \
  LSAN_OPTIONS="suppressions=$src/tests/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
  "$py" - <<'PY'
import os, re, subprocess, sys

gbtm, model = os.environ["GBTM"], os.environ["MODEL"]
files = {"flip.h5": open(model, "rb").read(), "panel_flip.h5": open("panel.h5", "rb").read()}
commands = {
    "fit of an HDF5 panel": ["fit", "panel_flip.h5", "--groups", "1", "--starts", "1", "-q"],
    "show": ["show", "flip.h5"],
    "classify": ["classify", "flip.h5", "data.csv", "-o", "cls.csv"],
    "simulate --model": ["simulate", "--model", "flip.h5", "--n", "3", "-o", "sim.csv"],
    "plot": ["plot", "flip.h5", "-o", "fig.svg"],
    "test": ["test", "flip.h5", "beta[1][0] = 0"],
}
internals = re.compile(r"HDF5-DIAG|infinite loop|\bH5[A-Z][A-Za-z_]*\b|#0[0-9][0-9]:")
nonfinite = re.compile(r"(?i)(^|[^a-z])(nan|inf|infinity)([^a-z]|$)")
passed = failed = 0
for name, args in commands.items():
    path = args[1] if args[1] in files else args[2]
    good = files[path]
    positions = list(range(0, min(4096, len(good)), 17)) + list(range(4096, len(good), 997))
    bad = []
    for pos in positions:
        flipped = bytearray(good)
        flipped[pos] ^= 0x5A
        with open(path, "wb") as f:
            f.write(flipped)
        run = subprocess.run([gbtm] + args, capture_output=True, timeout=120)
        err = run.stderr.decode("utf-8", "replace")
        out = run.stdout.decode("utf-8", "replace")
        lines = err.splitlines()
        own = all(l.startswith("gbtm %s: " % args[0]) for l in lines)
        if run.returncode not in (0, 1, 2):
            bad.append((pos, "exit status %d" % run.returncode, err))
        elif internals.search(err) or not own:
            bad.append((pos, "HDF5's internals or foreign lines on stderr", err))
        elif run.returncode != 0 and not (len(lines) == 1 and lines[0].startswith("gbtm %s: error: %s:" % (args[0], path))):
            bad.append((pos, "not one line of gbtm's naming the file", err))
        elif nonfinite.search(out):
            bad.append((pos, "NaN or inf on stdout", out[:300]))
    label = "%s: %d files with one byte flipped" % (name, len(positions))
    if bad:
        failed += 1
        pos, why, text = bad[0]
        print("FAIL %s: %d bad, the first at byte %d: %s" % (label, len(bad), pos, why))
        for line in text.splitlines()[:5]:
            print("       " + line[:200])
    else:
        passed += 1
        print("ok   " + label)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
