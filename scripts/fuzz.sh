#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets of tests/fuzz with clang in
# build-fuzz/ (Debug, -fsanitize=fuzzer-no-link,address,undefined on the
# whole library) and runs each of them for SECONDS seconds:
#   fuzz_csv      the CSV panel reader (long layout with and without
#                 exposure and covariate columns, wide layout)
#   fuzz_native   the reader of Stata, SPSS and SAS files (long and wide)
#   fuzz_model    the model-file reader and the commands that read model
#                 files (show, classify, simulate --model, plot, report, test) on
#                 a file it accepts, whose outputs must hold no NaN or inf
#   fuzz_options  the option parsers of fit, select and classify
#
#   bash scripts/fuzz.sh [SECONDS]      default 60 seconds per target
#
# Each target starts from its seeds (tests/fuzz/corpus/<target>/, plus the
# malformed-input corpus tests/corpus/csv for fuzz_csv and model files that
# the fuzz build's gbtm writes for fuzz_model) and keeps what it finds in
# build-fuzz/fuzz/corpus/<target>/, so that later runs go on from there.
# An input that crashes a target, trips a sanitizer or leaks is saved as
# build-fuzz/fuzz/crashes/<target>-crash-<sha1> (or leak-, timeout-, oom-);
# the script then prints how to reproduce it and exits non-zero. It ends
# with one line per target: executions, executions per second, coverage.
# Environment: JOBS = build jobs (default 2), FUZZ_TARGETS = the targets to
# run (default all four), FUZZ_BUILD = the build folder (default
# build-fuzz). tests/fuzz/README.md says how to fuzz longer.
set -uo pipefail

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: error: SECONDS must be a positive integer (got \"$seconds\")" >&2
  exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
jobs=${JOBS:-2}
build=${FUZZ_BUILD:-build-fuzz}
targets=(${FUZZ_TARGETS:-fuzz_csv fuzz_native fuzz_model fuzz_options})

if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz.sh: error: clang not found; run 'bash scripts/install-deps.sh --test' first" >&2
  exit 1
fi

echo "fuzz: configuring $build/ (clang, GBTM_FUZZ=ON)"
if ! CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DGBTM_FUZZ=ON -DGBTM_MPI=OFF >/dev/null; then
  echo "fuzz.sh: error: configuring $build/ failed" >&2
  exit 1
fi
echo "fuzz: building ${targets[*]} and gbtm with $jobs jobs"
if ! cmake --build "$build" -j "$jobs" --target gbtm "${targets[@]}" >"$build/fuzz-build.log" 2>&1; then
  tail -n 30 "$build/fuzz-build.log" >&2
  echo "fuzz.sh: error: building the fuzz targets failed ($build/fuzz-build.log)" >&2
  exit 1
fi

work=$build/fuzz
mkdir -p "$work/crashes" "$work/seeds/model"

# Seeds of fuzz_model: small valid model files, written now so that they
# follow the current format (a two-group Poisson fit with covariances and
# posteriors, a ZIP fit without standard errors, a fit with covariates and
# another reference group: version 2, and one with a long id: version 3),
# and the version 1 and 2 files of tests/data.
# The seeds are written with leak checking off: LeakSanitizer's own tracer
# can crash at the exit of a process that loaded the commands module with
# dlopen (clang's runtime); the ASan build and valgrind check gbtm's leaks.
gbtm() { ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$build/gbtm" "$@"; }
if ! {
  gbtm simulate --preset rapporteur-2024 --n 30 --seed 4 -o "$work/seeds/cohort.csv" >/dev/null &&
    gbtm simulate --preset rapporteur-2024-covariates --n 30 --seed 4 -o "$work/seeds/cov.csv" >/dev/null &&
    { cat "$work/seeds/cohort.csv" && printf '%s,20,1\n' "$(printf 'L%.0s' {1..100})"; } >"$work/seeds/long.csv" &&
    gbtm fit "$work/seeds/cohort.csv" --groups 2 --order 1 --starts 2 -q \
      -o "$work/seeds/model/poisson_k2.h5" >/dev/null &&
    gbtm fit "$work/seeds/cohort.csv" --family zip --groups 1 --order 1 --starts 2 --se none -q \
      -o "$work/seeds/model/zip_k1.h5" >/dev/null &&
    gbtm fit "$work/seeds/cov.csv" --groups 2 --order 1 --risk unstable_family --tcov employed \
      --refgroup 2 --starts 2 -q -o "$work/seeds/model/covariates_v2.h5" >/dev/null &&
    gbtm fit "$work/seeds/long.csv" --groups 2 --order 1 --starts 2 -q \
      -o "$work/seeds/model/long_id_v3.h5" >/dev/null &&
    cp tests/data/model_v1.h5 tests/data/model_v2.h5 "$work/seeds/model/"
} 2>"$work/seeds.log"; then
  cat "$work/seeds.log" >&2
  echo "fuzz.sh: error: could not write the model-file seeds" >&2
  exit 1
fi

failed=()
summary=()
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  seeds=("tests/fuzz/corpus/$name")
  dict=
  case $name in
  csv) seeds+=(tests/corpus/csv); dict=tests/fuzz/csv.dict ;;
  model) seeds+=("$work/seeds/model") ;;
  options) dict=tests/fuzz/options.dict ;;
  esac
  mkdir -p "$work/corpus/$name"
  log=$work/$target.log
  # The target's input file lives in a folder of this run, in memory where
  # /dev/shm exists, removed afterwards (libFuzzer does not always exit
  # through exit(), which would remove it).
  shm=/tmp
  [ -d /dev/shm ] && [ -w /dev/shm ] && shm=/dev/shm
  inputs=$(mktemp -d "$shm/gbtm-fuzz.XXXXXX")
  echo "fuzz: running $target for ${seconds}s (log: $log)"
  # -close_fd_mask=3: the targets' own stdout/stderr (help texts, error
  # messages) are dropped; libFuzzer and the sanitizers still report.
  # -timeout: an input that runs longer is a hang, saved and reported.
  # tests/fuzz/asan.supp, lsan.supp: reads past its own blocks and leaks
  # inside Debian's HDF5 on damaged files (the files say why).
  # allocator_may_return_null and -malloc_limit_mb (2 TB): a huge malloc
  # returns NULL, as it does outside the sanitizer, and the code must cope;
  # -rss_limit_mb still stops a run that really uses more than 4 GB.
  TMPDIR=$inputs ASAN_OPTIONS=allocator_may_return_null=1:suppressions=$PWD/tests/fuzz/asan.supp${ASAN_OPTIONS:+:$ASAN_OPTIONS} \
    LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS} \
    "$build/tests/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -close_fd_mask=3 -timeout=25 -rss_limit_mb=4096 -malloc_limit_mb=2097152 ${dict:+-dict="$dict"} \
    -artifact_prefix="$work/crashes/$target-" "$work/corpus/$name" "${seeds[@]}" >"$log" 2>&1
  status=$?
  rm -rf "$inputs"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
  summary+=("$(printf '%-13s %10s runs in %ss, %6s per second, %s' "$target" "${runs:-?}" "$seconds" "${speed:-?}" "${cov:-cov: ?}")")
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit status $status); the end of $log:"
    grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -n 20
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ -n "$artifact" ]; then
      echo "fuzz: reproduce with: $build/tests/fuzz/$target $artifact"
    fi
  fi
done

echo
for line in "${summary[@]}"; do echo "fuzz: $line"; done
if ((${#failed[@]} > 0)); then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $work/crashes/)"
  exit 1
fi
echo "fuzz: no crash, sanitizer report or leak in ${#targets[@]} targets"
