#!/usr/bin/env bash
# profile_sim.sh: the simulation study of gbtm profile (profile_sim.py):
# bias and coverage of the modal, proportional, BCH and ML three-step
# estimates over R replications (default 200) of a 1000-person cohort with
# entropy about 0.7. bench/RESULTS.md records a run. With --check (e.g.
# `profile_sim.sh build/gbtm 20 --check`, about 5 s) it fails when the BCH
# or ML3 coverage leaves 95% +- 3 binomial SEs, or the modal assignment
# shows no bias. Not run by ctest.
set -eu
gbtm=${1:?usage: profile_sim.sh GBTM [REPLICATIONS] [--check]}
reps=${2:-200}
shift $(($# < 2 ? $# : 2))
exec /usr/bin/python3 "$(dirname "$0")/profile_sim.py" "$gbtm" "$reps" "$@"
