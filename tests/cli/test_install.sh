#!/usr/bin/env bash
# test_install.sh: the installed library. `cmake --install` of the build
# into a temporary prefix gives libgbtm.so.0 (a link to libgbtm.so.0.1.0,
# soname libgbtm.so.0) and libgbtm.a, the headers, the gbtm command, gbtm.pc
# and the CMake package; libgbtm.so exports the functions of the public
# headers and no other gbtm_ function; a program (tests/cli/install/) built
# through pkg-config, through pkg-config --static and through
# find_package(gbtm) simulates the built-in cohort, fits it, and prints the
# log-likelihood the installed gbtm command finds on the same cohort.
# $1 is the gbtm binary (its folder is the build).
set -u
gbtm=$1
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac
build=$(dirname "$gbtm")
src=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
# a sanitized build's library needs the sanitizers' runtimes in the program
san=
grep -q '^GBTM_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && san="-fsanitize=address,undefined"
check() { # name, condition (exit status of the previous command)
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
prefix=$dir/prefix
cmake --install "$build" --prefix "$prefix" >"$dir/install.log" 2>&1
check "cmake --install into a temporary prefix" $?
lib=$prefix/lib
[ -f "$lib/libgbtm.a" ] && [ -f "$lib/libgbtm.so.0.1.0" ] && [ "$(readlink "$lib/libgbtm.so.0")" = libgbtm.so.0.1.0 ] &&
  [ "$(readlink "$lib/libgbtm.so")" = libgbtm.so.0 ]
check "libgbtm.a, libgbtm.so -> libgbtm.so.0 -> libgbtm.so.0.1.0" $?
readelf -d "$lib/libgbtm.so.0.1.0" | grep -q 'soname: \[libgbtm.so.0\]'
check "soname libgbtm.so.0" $?
[ -f "$prefix/include/gbtm.h" ] && [ -f "$prefix/include/gbtm_presets.h" ] && [ -f "$lib/pkgconfig/gbtm.pc" ] &&
  [ -f "$lib/cmake/gbtm/gbtmConfig.cmake" ] && [ -f "$lib/cmake/gbtm/gbtmConfigVersion.cmake" ]
check "headers, gbtm.pc, gbtmConfig.cmake and its version file" $?

! ldd "$lib/libgbtm.so.0" | grep -q "not found"
check "libgbtm.so.0 finds its libraries (GSL, OpenBLAS, HDF5, ReadStat, OpenMP)" $?
if [ -f "$build/gbtm-mpi.so" ]; then # built with MPI: the plugin beside the library and the command
  [ -f "$lib/gbtm-mpi.so" ] && [ -f "$prefix/libexec/gbtm/gbtm-mpi.so" ]
  check "the MPI plugin installed beside libgbtm.so and the command" $?
fi

# the exports: exactly the functions declared in the public headers
nm -D --defined-only "$lib/libgbtm.so" | awk '$2 == "T" {print $3}' | sort >"$dir/exported"
sed -n 's/^[^ #/*].*[ *]\(gbtm_[a-z0-9_]*\)(.*/\1/p' "$src/include/gbtm.h" "$src/include/gbtm_presets.h" | sort -u >"$dir/declared"
[ -s "$dir/declared" ] && diff "$dir/declared" "$dir/exported" >"$dir/exports.diff"
check "libgbtm.so exports the public functions and no others" $?
[ "$fail" -eq 0 ] || cat "$dir/exports.diff"

# the command, from the prefix (bin/gbtm, a link into libexec/gbtm)
"$prefix/bin/gbtm" simulate --preset rapporteur-2024 --n 300 --seed 7 -o "$dir/cohort.csv" >/dev/null 2>&1 &&
  "$prefix/bin/gbtm" fit "$dir/cohort.csv" --groups 2 --order 2 --starts 10 --seed 1 --quiet --json >"$dir/fit.json"
check "the installed gbtm command simulates and fits" $?
want=$(/usr/bin/python3 -c 'import json, sys; print(repr(json.load(open(sys.argv[1]))["loglik"]))' "$dir/fit.json")

same() { # the program's output against the command's log L, to 1e-9 relative
  /usr/bin/python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-9 * abs(b))' \
    "$1" "$want"
}
export PKG_CONFIG_PATH=$lib/pkgconfig
cc -std=c11 -Wall -Wextra -Werror $san -o "$dir/pc" "$src/tests/cli/install/fit_preset.c" \
  $(pkg-config --cflags --libs gbtm gsl) -Wl,-rpath,"$lib" 2>"$dir/cc.log"
check "built through pkg-config" $?
got=$("$dir/pc" 300 7)
same "$got"
check "through pkg-config: log L $got = the command's $want" $?
readelf -d "$dir/pc" | grep -q 'NEEDED.*libgbtm.so.0'
check "linked to libgbtm.so.0" $?

# a static link: libgbtm.a, then the libraries it uses (Libs.private)
cc -std=c11 $san -o "$dir/static" "$src/tests/cli/install/fit_preset.c" $(pkg-config --cflags gbtm) "$lib/libgbtm.a" \
  $(pkg-config --static --libs gbtm | sed 's/-lgbtm//') $(pkg-config --libs gsl) 2>"$dir/cc_static.log"
check "built against libgbtm.a through pkg-config --static" $?
got=$("$dir/static" 300 7)
same "$got"
check "statically linked: log L $got" $?

cmake -S "$src/tests/cli/install" -B "$dir/cm" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="$san" \
  >"$dir/cm.log" 2>&1 && cmake --build "$dir/cm" >>"$dir/cm.log" 2>&1
check "built through find_package(gbtm)" $?
[ "$fail" -eq 0 ] || cat "$dir/cm.log" "$dir/cc.log" "$dir/cc_static.log"
got=$("$dir/cm/fit_preset" 300 7)
same "$got"
check "through find_package: log L $got" $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
