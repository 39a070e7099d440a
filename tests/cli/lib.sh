# lib.sh: the common start of a command test, sourced by tests/cli/test_*.sh
# with the gbtm binary as the script's $1. It sets
#   gbtm   the binary, as an absolute path (the tests change directory)
#   dir    a fresh temporary folder, removed when the script exits
#   py     the Python with h5py
#   check NAME STATUS   counts and prints "ok   NAME" or "FAIL NAME"
#   pass, fail          the counts
# and runs gbtm under GBTM_WRAP when it is set (wrap.sh).
set -u
gbtm=$1
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind
py=/usr/bin/python3
pass=0 fail=0
check() { # name, condition (exit status of the previous command)
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
