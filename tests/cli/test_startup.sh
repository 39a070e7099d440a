#!/usr/bin/env bash
# test_startup.sh: what gbtm loads. The gbtm executable links none of the
# libraries of the engine (GSL, OpenBLAS, HDF5, MPI), which it loads with
# the commands module for a subcommand only; and a command run without
# mpirun never loads Open MPI (the MPI plugin is for mpirun's processes).
# Usage: bash test_startup.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_startup.sh path/to/gbtm}
passed=0
failed=0
pass() {
  echo "ok   $1"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL $1: $2"
  failed=$((failed + 1))
}

engine_libs='libgsl|libopenblas|libblas|liblapack|libhdf5|libmpi|libgomp'
name="the gbtm executable links no engine library"
linked=$(ldd "$gbtm" | grep -E "$engine_libs")
if [ -z "$linked" ]; then pass "$name"; else fail "$name" "$(echo $linked)"; fi

# glibc's loader names each library it loads (LD_DEBUG=libs).
loaded() { env -u OMPI_COMM_WORLD_SIZE -u PMIX_RANK -u PMI_SIZE LD_DEBUG=libs "$gbtm" "$@" 2>&1 >/dev/null | grep -Eo 'calling init: [^ ]+'; }

name="gbtm --version loads no engine library"
if loaded --version | grep -qE "$engine_libs"; then fail "$name" "$(loaded --version | grep -E "$engine_libs")"; else pass "$name"; fi

name="gbtm show --help loads the engine's libraries but not MPI"
libs=$(loaded show --help)
if ! grep -q libgsl <<<"$libs"; then
  fail "$name" "the commands module was not loaded"
elif grep -q libmpi <<<"$libs"; then
  fail "$name" "libmpi loaded"
else
  pass "$name"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
