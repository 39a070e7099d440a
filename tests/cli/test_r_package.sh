#!/usr/bin/env bash
# test_r_package.sh: the R package r/gbtm against an installed libgbtm.
# The build is installed (cmake --install) into a temporary prefix; the
# package, configured through that prefix's gbtm.pc, is installed into a
# temporary library with R CMD INSTALL; its testthat tests run, comparing
# it with the installed gbtm command (GBTM_BIN) to 1e-10 (fits, weighted
# fits, profiles of the groups); and R CMD check --no-manual of its source
# package says Status: OK (no ERROR, WARNING or NOTE).
# Exit 77 (skipped) when R is missing, and in a sanitized build (R cannot
# load its libgbtm). $1 is the gbtm binary (its folder is
# the build).
set -u
gbtm=$1
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac
build=$(dirname "$gbtm")
src=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v R >/dev/null 2>&1 || ! command -v Rscript >/dev/null 2>&1; then
  echo "skipped: R is not installed (bash scripts/install-deps.sh --test)"
  exit 77
fi
# R (not itself built with the sanitizers) cannot load a sanitized build's
# libgbtm: that build's library is checked by test_install.sh and the unit
# tests; the package is checked against the optimised build.
if grep -q '^GBTM_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "skipped: a sanitized build (R cannot load its libgbtm)"
  exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
check() { # name, condition (exit status of the previous command)
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
prefix=$dir/prefix
cmake --install "$build" --prefix "$prefix" >"$dir/install.log" 2>&1
check "libgbtm installed into a temporary prefix" $?
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export GBTM_BIN=$prefix/bin/gbtm
# the package is built from a copy: configure writes src/Makevars
cp -r "$src/r/gbtm" "$dir/gbtm"
mkdir "$dir/lib"
R CMD INSTALL --no-multiarch -l "$dir/lib" "$dir/gbtm" >"$dir/r-install.log" 2>&1
check "R CMD INSTALL against the installed libgbtm" $?
[ "$fail" -eq 0 ] || cat "$dir/r-install.log"

(cd "$dir/gbtm/tests" && R_LIBS="$dir/lib" Rscript -e \
  'library(testthat); library(gbtm); r <- as.data.frame(test_dir("testthat", reporter = "summary", stop_on_failure = TRUE)); cat(sprintf("testthat: %d tests, %d skipped\n", sum(r$nb), sum(r$skipped)))' \
  >"$dir/testthat.log" 2>&1)
check "the testthat tests (the package against the gbtm command)" $?
tail -3 "$dir/testthat.log"
grep -q "tests, 0 skipped" "$dir/testthat.log"
check "no test skipped (the comparisons with the command ran)" $?

# Ctrl-C: SIGINT to R during a long fit (2000 starts on 5000 persons, one
# thread) ends it within seconds as an interrupt condition
cat >"$dir/interrupt.R" <<'RSCRIPT'
library(gbtm)
d <- gbtm_simulate_cohort(5000, 3)
file.create(commandArgs(TRUE)[1])
r <- tryCatch(gbtm(d, groups = 5, starts = 2000, threads = 1), interrupt = function(e) "interrupted")
cat(if (is.character(r)) r else "finished", "\n")
RSCRIPT
R_LIBS="$dir/lib" Rscript "$dir/interrupt.R" "$dir/started" >"$dir/interrupt.log" 2>&1 &
rpid=$!
for _ in $(seq 1 300); do [ -f "$dir/started" ] && break; sleep 0.2; done
sleep 1
t0=$(date +%s)
kill -INT "$rpid"
wait "$rpid"
t1=$(date +%s)
grep -q "^interrupted" "$dir/interrupt.log" && [ $((t1 - t0)) -le 30 ]
check "SIGINT during a fit: an interrupt condition in R after $((t1 - t0)) s" $?

rm -f "$dir/gbtm/src/"*.o "$dir/gbtm/src/"*.so "$dir/gbtm/src/Makevars"
(cd "$dir" && R CMD build --no-build-vignettes gbtm >"$dir/build.log" 2>&1)
check "R CMD build" $?
(cd "$dir" && _R_CHECK_FORCE_SUGGESTS_=false R_LIBS="$dir/lib" R CMD check --no-manual -o "$dir" gbtm_*.tar.gz \
  >"$dir/check.log" 2>&1)
check "R CMD check --no-manual ran" $?
grep -E "^Status:" "$dir/check.log"
grep -qE "^Status: OK$" "$dir/check.log"
check "R CMD check: Status: OK (no ERROR, WARNING or NOTE)" $?
[ "$fail" -eq 0 ] || cat "$dir/check.log"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
