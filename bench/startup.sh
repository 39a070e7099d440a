#!/usr/bin/env bash
# startup.sh: how long gbtm takes to start, against an empty C program built
# the same way (the compiler and the Release flags of the build, dynamically
# linked), all timed by hyperfine in one run so that the machine's load
# weighs on all alike:
#
#   bash bench/startup.sh                    build/gbtm
#   bash bench/startup.sh build/gbtm OTHER/gbtm   two builds side by side
#   bash bench/startup.sh --no-install ...   skip scripts/install-deps.sh --bench
#
# For each gbtm it times `gbtm --version`, `gbtm --help` and (a command that
# loads the commands module) `gbtm show --help`, with
# `hyperfine --warmup 20 -N`. It prints the number of shared libraries each
# gbtm executable lists (ldd), then one line per command: its mean, median
# and minimum in milliseconds, and its mean and median over the empty
# program's (x_mean, x_median).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
install=1
bins=()
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "startup.sh: error: unknown option \"$arg\"" >&2; exit 2 ;;
    *) bins+=("$arg") ;;
  esac
done
((${#bins[@]})) || bins=(build/gbtm)
if ((install)); then bash scripts/install-deps.sh --bench; fi
for bin in "${bins[@]}"; do
  if [ ! -x "$bin" ]; then
    echo "startup.sh: error: $bin is not an executable (build it first: cmake --build build)" >&2
    exit 2
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/gbtm-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The empty program: the compiler and flags of a Release build (CMake's
# -O3 -DNDEBUG, C11).
printf 'int main(void) { return 0; }\n' >"$work/empty.c"
${CC:-cc} -std=c11 -O3 -DNDEBUG -o "$work/empty" "$work/empty.c"

commands=(-n empty "$work/empty")
for bin in "${bins[@]}"; do
  commands+=(-n "$bin --version" "$bin --version")
  commands+=(-n "$bin --help" "$bin --help")
  commands+=(-n "$bin show --help" "$bin show --help")
done
echo "startup: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
for bin in "${bins[@]}"; do
  echo "startup: $bin lists $(ldd "$bin" | wc -l) shared libraries (ldd)"
done
hyperfine --warmup 20 -N --style none --export-csv "$work/times.csv" "${commands[@]}" >/dev/null
# times.csv: command,mean,stddev,median,user,system,min,max (seconds); the
# empty program is the first row.
awk -F, 'NR == 1 { next }
  NR == 2 { mean0 = $2; median0 = $4 }
  { printf "%-45s mean %6.2f ms  median %6.2f ms  min %6.2f ms  x_mean %5.2f  x_median %5.2f\n",
           $1, 1000 * $2, 1000 * $4, 1000 * $7, $2 / mean0, $4 / median0 }' "$work/times.csv"
