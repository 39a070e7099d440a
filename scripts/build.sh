#!/usr/bin/env bash
# build.sh: configures and builds gbtm with CMake.
#
#   bash scripts/build.sh              optimised build in build/ (Release)
#   bash scripts/build.sh --sanitize   build-asan/: Debug, AddressSanitizer
#                                      and UndefinedBehaviorSanitizer
#
# Both leave the `gbtm` command and the test programs in their folder; run
# the tests with `ctest --test-dir build` (or build-asan). Extra arguments
# after `--` go to the CMake configure step. JOBS sets the parallel build
# jobs (default: the number of cores).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bash scripts/build.sh [--sanitize] [-- CMAKE_ARGS...]

  (default)    Release build in build/
  --sanitize   Debug build with -fsanitize=address,undefined in build-asan/
  --help       show this help
Environment: JOBS = parallel build jobs (default: number of cores).
EOF
}

sanitize=0
extra=()
while (($# > 0)); do
  case "$1" in
    --sanitize) sanitize=1 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "build.sh: error: unknown option \"$1\"" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v cmake >/dev/null 2>&1; then
  echo "build.sh: error: cmake not found; run 'bash scripts/install-deps.sh' first" >&2
  exit 1
fi

if ((sanitize)); then
  dir=build-asan
  # Without MPI: Open MPI's start-up allocations would read as leaks, and
  # the distributed paths are tested under mpirun in build/.
  config=(-DCMAKE_BUILD_TYPE=Debug -DGBTM_SANITIZE=ON -DGBTM_MPI=OFF)
else
  dir=build
  config=(-DCMAKE_BUILD_TYPE=Release -DGBTM_SANITIZE=OFF)
fi
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

echo "build: configuring $dir/ (${config[*]})"
cmake -S . -B "$dir" "${config[@]}" ${extra[@]+"${extra[@]}"} >/dev/null
echo "build: compiling in $dir/ with $jobs jobs"
cmake --build "$dir" -j "$jobs"
echo "build: $dir/gbtm is ready"
