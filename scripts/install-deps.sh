#!/usr/bin/env bash
# install-deps.sh: installs what gbtm needs from Debian 12's own packages (no
# vendored code, no other registry), in two parts:
#
#   bash scripts/install-deps.sh           what building and running gbtm needs
#   bash scripts/install-deps.sh --test    also what the tests need (scripts/test.sh,
#                                          and R for datasets/refdata/scripts/)
#   bash scripts/install-deps.sh --bench   also R, flexmix and hyperfine, for bench/
#
# (--test and --bench may be given together.) Run it as root. It is
# idempotent: when every package is already installed it does nothing (no
# network needed); otherwise it runs apt-get update and apt-get install
# non-interactively. Its output is quiet; on failure it prints apt's log and
# exits non-zero.
set -euo pipefail

# ---- running gbtm: build and run ---------------------------------------------
# Compiler (with OpenMP), build system and the libraries the engine links.
RUN_PACKAGES=(
  build-essential
  cmake
  pkg-config
  libgsl-dev
  libopenblas-dev
  libhdf5-dev
  # ReadStat: Stata .dta, SPSS .sav and SAS .sas7bdat files
  # (engine/formats/native_table.c).
  libreadstat-dev
  # cairo: gbtm plot's PNG and PDF figures (cli/svg_cairo.c).
  libcairo2-dev
  # Open MPI: the build links it whenever it finds it (cmake -DGBTM_MPI=OFF
  # builds without), for the MPI reduction of DESIGN §3; mpirun runs gbtm
  # fit and select on many processes.
  libopenmpi-dev
  openmpi-bin
)

# ---- testing gbtm ------------------------------------------------------------
TEST_PACKAGES=(
  # Check: the unit tests (CMake builds them only where it finds Check).
  check
  # The tests that write HDF5 panels and read model files from Python.
  python3
  python3-h5py
  # The tests of `gbtm plot`: xmllint checks the SVG, headless Chromium
  # renders it.
  libxml2-utils
  chromium
  # scripts/fuzz.sh: clang with libFuzzer (Debian 12 ships libFuzzer's
  # runtime, libclang_rt.fuzzer, in libclang-rt-14-dev, and clang's OpenMP
  # runtime in libomp-dev).
  clang
  libclang-rt-14-dev
  libomp-dev
  # scripts/test.sh runs the command tests under valgrind's memcheck.
  valgrind
  # The R scripts of datasets/refdata/scripts/ that compute the reference
  # values the families are checked against (flexmix for the binomial
  # mixtures, MASS::glm.nb for NB2, survival::survreg for the censored
  # normal; R itself comes with them).
  r-cran-flexmix
  r-cran-mass
  r-cran-survival
  # tests/cli/test_native_inputs.sh writes its Stata, SPSS and SAS files
  # with R's haven.
  r-cran-haven
  # tests/cli/test_r_package.sh: the R package r/gbtm (R CMD INSTALL and
  # R CMD check need R with its headers, r-base-core, and the compiler and
  # make above; r-base-dev is not needed), its testthat tests, and jsonlite,
  # which reads gbtm's --json reports there.
  r-base-core
  r-cran-testthat
  r-cran-jsonlite
)

# ---- benchmarks --------------------------------------------------------------
# The side-by-side comparison with R's flexmix (bench/flexmix_compare.sh);
# hyperfine times the start-up of gbtm (bench/startup.sh).
BENCH_PACKAGES=(
  r-base-core
  r-cran-flexmix
  hyperfine
)

usage() {
  cat <<'EOF'
usage: bash scripts/install-deps.sh [--test] [--bench]

Installs from Debian 12 packages what gbtm needs to build and run.
  --test    also install what the tests need (scripts/test.sh, and R with
            flexmix, MASS and survival for datasets/refdata/scripts/)
  --bench   also install R, flexmix and hyperfine (for bench/)
  --help    show this help
EOF
}

test=0
bench=0
for arg in "$@"; do
  case "$arg" in
    --test) test=1 ;;
    --bench) bench=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-deps.sh: error: unknown option \"$arg\"" >&2; usage >&2; exit 2 ;;
  esac
done

packages=("${RUN_PACKAGES[@]}")
if ((test)); then packages+=("${TEST_PACKAGES[@]}"); fi
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
