#!/usr/bin/env bash
# test.sh: installs what running and testing gbtm need
# (scripts/install-deps.sh --test), builds gbtm twice and runs every test
# on both builds:
#   build/       Release, as users run it
#   build-asan/  Debug with AddressSanitizer (leak checking on) and
#                UndefinedBehaviorSanitizer (any report fails the test)
# then a subset of the command tests under valgrind (on build/) and each
# fuzz target for 60 seconds (scripts/fuzz.sh, in build-fuzz/).
# It runs every step it can even after a failure, then prints one final line
# "gbtm tests: PASSED ..." or "gbtm tests: FAILED ..." and exits non-zero on
# any failure. Run it from anywhere, as root on a fresh Debian 12 machine.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

jobs=${JOBS:-2}
failed=()
start=$(date +%s)

step() { printf '\n==> %s\n' "$*"; }

step "installing the run and test dependencies"
if ! bash scripts/install-deps.sh --test; then
  echo "gbtm tests: FAILED (could not install the dependencies)"
  exit 1
fi

# Release build and its tests.
step "building build/ (Release)"
if JOBS=$jobs bash scripts/build.sh; then
  step "testing build/"
  ctest --test-dir build --output-on-failure --no-tests=error -j "$jobs" || failed+=("tests of build/")
else
  failed+=("build of build/")
fi

# Sanitizer build and its tests. UBSan halts at the first report, so that
# undefined behaviour fails the test that reaches it.
step "building build-asan/ (Debug, address and undefined-behaviour sanitizers)"
if JOBS=$jobs bash scripts/build.sh --sanitize; then
  step "testing build-asan/"
  ASAN_OPTIONS=detect_leaks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure --no-tests=error -j "$jobs" || failed+=("tests of build-asan/")
else
  failed+=("build of build-asan/")
fi

# The command tests again under valgrind's memcheck, on the optimised
# build: a subset that takes about 3 minutes on 2 cores (the malformed-input
# corpus, bad usage, model files, Wald tests and --max-memory; the tests
# that fit larger data, draw plots or run Chromium would take far longer).
# Any memory error or definite leak fails the run: valgrind exits 99, which
# no test expects, and every report it writes is shown here. One OpenMP and
# one OpenBLAS thread: memcheck runs the threads one at a time anyway, and
# the pools' idle threads only slow it. No suppressions are needed; only
# definite leaks are shown, since glibc's dlopen (the commands module) keeps
# its object map through interior pointers, which memcheck may report as
# "possibly lost".
VALGRIND_TESTS='^cli_test_(corpus|fit_errors|model_files|wald|max_memory)$'
if [[ " ${failed[*]} " != *" build of build/ "* ]]; then
  step "valgrind: command tests on build/ ($VALGRIND_TESTS)"
  vglogs=$(mktemp -d)
  GBTM_WRAP="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --log-file=$vglogs/valgrind.%p.log" \
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    ctest --test-dir build --output-on-failure --no-tests=error -j "$jobs" -R "$VALGRIND_TESTS" ||
    failed+=("valgrind tests of build/")
  for log in "$vglogs"/*.log; do
    if [ -s "$log" ]; then
      echo "valgrind report ($log):"
      head -n 60 "$log"
      [[ " ${failed[*]} " == *" valgrind tests of build/ "* ]] || failed+=("valgrind tests of build/")
    fi
  done
  rm -rf "$vglogs"
fi

# Fuzzing: each libFuzzer target (the CSV reader, the model-file reader, the
# option parsers) for 60 seconds, built with clang in build-fuzz/.
step "fuzzing (scripts/fuzz.sh 60)"
JOBS=$jobs bash scripts/fuzz.sh 60 || failed+=("fuzzing")

elapsed=$(($(date +%s) - start))
echo
if ((${#failed[@]} == 0)); then
  echo "gbtm tests: PASSED (build/, build-asan/, valgrind and fuzzing, ${elapsed}s)"
  exit 0
fi
msg=$(printf '%s, ' "${failed[@]}")
echo "gbtm tests: FAILED (${msg%, }; ${elapsed}s)"
exit 1
