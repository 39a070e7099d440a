#!/usr/bin/env bash
# install-deps.sh: installs what gbtm needs to build and test on Debian 12,
# from Debian's own packages (no vendored code, no other registry).
#
#   bash scripts/install-deps.sh           build and test dependencies
#   bash scripts/install-deps.sh --bench   also R and flexmix, for bench/
#
# Run it as root. It is idempotent: when every package is already installed
# it does nothing (no network needed); otherwise it runs apt-get update and
# apt-get install non-interactively. Its output is quiet; on failure it prints
# apt's log and exits non-zero.
set -euo pipefail

# Compiler, build system and the libraries the engine links.
BUILD_PACKAGES=(
  build-essential
  cmake
  pkg-config
  libgsl-dev
  libopenblas-dev
  libhdf5-dev
)

# Unit tests (Check), the tests that read model files from Python, and the
# tests of `gbtm plot` (xmllint checks the SVG, headless Chromium renders it).
TEST_PACKAGES=(
  check
  python3
  python3-h5py
  libxml2-utils
  chromium
)

# The fuzzing and memory checks of scripts/test.sh: clang with libFuzzer
# (scripts/fuzz.sh; Debian 12 ships libFuzzer's runtime, libclang_rt.fuzzer,
# in libclang-rt-14-dev, and clang's OpenMP runtime in libomp-dev) and
# valgrind (the command tests run under it).
CHECK_PACKAGES=(
  clang
  libclang-rt-14-dev
  libomp-dev
  valgrind
)

# ---- MPI -------------------------------------------------------------------
# The MPI reduction (DESIGN.md §3) needs an MPI implementation. Add its
# packages here (e.g. libopenmpi-dev openmpi-bin) when it is built; the list
# is installed with the others.
MPI_PACKAGES=(libopenmpi-dev openmpi-bin)
# -----------------------------------------------------------------------------

# The side-by-side comparison with R's flexmix (bench/flexmix_compare.sh).
BENCH_PACKAGES=(
  r-base-core
  r-cran-flexmix
)

usage() {
  cat <<'EOF'
usage: bash scripts/install-deps.sh [--bench]

Installs gbtm's build and test dependencies from Debian 12 packages.
  --bench   also install R and flexmix (for bench/flexmix_compare.sh)
  --help    show this help
EOF
}

bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-deps.sh: error: unknown option \"$arg\"" >&2; usage >&2; exit 2 ;;
  esac
done

packages=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${CHECK_PACKAGES[@]}")
if ((${#MPI_PACKAGES[@]} > 0)); then packages+=("${MPI_PACKAGES[@]}"); fi
if ((bench)); then packages+=("${BENCH_PACKAGES[@]}"); fi

# The packages of the list that are not installed yet.
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then missing+=("$p"); fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

if ((EUID != 0)); then
  echo "install-deps.sh: error: run as root to install: ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps.sh: error: apt-get not found (this script is for Debian 12)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp "${TMPDIR:-/tmp}/gbtm-install-deps.XXXXXX")
trap 'rm -f "$log"' EXIT

# Runs one apt-get step quietly; on failure shows its log and stops.
run_apt() {
  if ! apt-get "$@" >"$log" 2>&1; then
    echo "install-deps.sh: error: 'apt-get $*' failed:" >&2
    cat "$log" >&2
    exit 1
  fi
}

echo "install-deps: installing ${missing[*]}"
run_apt -q update
run_apt -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  install --no-install-recommends "${missing[@]}"

# Check that apt really left every package installed.
for p in "${missing[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    echo "install-deps.sh: error: package $p is not installed after apt-get install" >&2
    exit 1
  fi
done
echo "install-deps: done"
