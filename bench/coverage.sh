#!/usr/bin/env bash
# coverage.sh: the full coverage study of gbtm's 95% intervals (DESIGN §4):
# 200 replications of tests/stats/check_coverage.c (the CI test runs 40 with
# a wider bound). Prints the coverage and the robust/model standard-error
# ratio; the test asserts 92-98% coverage at 200 replications.
#   bash bench/coverage.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-200}
[ -x build/tests/check_coverage ] || bash scripts/build.sh
GBTM_COVERAGE_REPS=$reps build/tests/check_coverage
