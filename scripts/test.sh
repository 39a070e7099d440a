#!/usr/bin/env bash
# test.sh: installs the dependencies, builds gbtm twice and runs every test
# on both builds:
#   build/       Release, as users run it
#   build-asan/  Debug with AddressSanitizer (leak checking on) and
#                UndefinedBehaviorSanitizer (any report fails the test)
# It runs every step it can even after a failure, then prints one final line
# "gbtm tests: PASSED ..." or "gbtm tests: FAILED ..." and exits non-zero on
# any failure. Run it from anywhere, as root on a fresh Debian 12 machine.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

jobs=${JOBS:-2}
failed=()
start=$(date +%s)

step() { printf '\n==> %s\n' "$*"; }

step "installing dependencies"
if ! bash scripts/install-deps.sh; then
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

elapsed=$(($(date +%s) - start))
echo
if ((${#failed[@]} == 0)); then
  echo "gbtm tests: PASSED (build/ and build-asan/, ${elapsed}s)"
  exit 0
fi
msg=$(printf '%s, ' "${failed[@]}")
echo "gbtm tests: FAILED (${msg%, }; ${elapsed}s)"
exit 1
