#!/usr/bin/env bash
# profile_speed.sh: how long gbtm profile takes on a large model: a
# 1,000,000-person cohort drawn from the built-in preset, fitted with 4
# groups and 2 starts (-o keeps the posteriors), profiled by a continuous,
# a binary and a categorical variable and a continuous distal outcome (ML
# three-step). Prints the wall-clock seconds of each step (bench/RESULTS.md).
# usage: profile_speed.sh GBTM [PERSONS]
set -eu
gbtm=${1:?usage: profile_speed.sh GBTM [PERSONS]}
n=${2:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
t() { local s=$(date +%s.%N); "$@"; echo "  $(echo "$(date +%s.%N) - $s" | bc) s: ${*:1:2}" >&2; }
t "$gbtm" simulate --preset rapporteur-2024 --n "$n" --seed 1 -o "$dir/panel.h5" --truth "$dir/truth.csv" >/dev/null
t "$gbtm" fit "$dir/panel.h5" --groups 4 --starts 2 --quiet -o "$dir/model.h5" >/dev/null
/usr/bin/python3 - "$dir" <<'PY'
import csv, random, sys
d = sys.argv[1]
rng = random.Random(1)
with open(d + "/truth.csv") as f, open(d + "/persons.csv", "w") as out:
    out.write("id,z,b,c,y\n")
    for r in csv.DictReader(f):
        g = int(r["group"])
        out.write("%s,%.4f,%d,%s,%.4f\n" % (r["id"], rng.gauss(g, 1), rng.random() < 0.2 * g, "abc"[rng.randrange(3)],
                                              rng.gauss(2 * g, 1)))
PY
t "$gbtm" profile "$dir/model.h5" "$dir/persons.csv" --vars z,b,c -o "$dir/p.csv" >/dev/null
t "$gbtm" profile "$dir/model.h5" "$dir/persons.csv" --vars z,b,c --distal y -o "$dir/p.csv" >/dev/null
