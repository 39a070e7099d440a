#!/usr/bin/env bash
# test_signals.sh: a fit interrupted by SIGINT, SIGTERM, SIGHUP or SIGQUIT
# while its model and posterior files are being made ends with the signal's
# exit status (128 + its number), leaves no temporary file
# (.NAME.gbtm-tmp-PID) and the earlier outputs as they were.
# Usage: bash test_signals.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_signals.sh path/to/gbtm}
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/wrap.sh" # GBTM_WRAP: run gbtm under a wrapper such as valgrind

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

cd "$dir" || exit 1
ulimit -c 0 # SIGQUIT's default action dumps core
"$gbtm" simulate --preset rapporteur-2024 --n 20000 --seed 5 -o data.csv >/dev/null 2>&1 ||
  { echo "FAIL setup: cannot simulate"; exit 1; }
echo earlier model >m.h5
echo earlier posterior >p.csv

for sig in INT TERM HUP QUIT; do
  # A shell starts background jobs with SIGINT and SIGQUIT ignored, which
  # gbtm keeps; env gives them their default action back.
  env --default-signal "$gbtm" fit data.csv -q --groups 4 --starts 500 --threads 1 --pilot none \
    -o m.h5 --posterior p.csv >/dev/null 2>stderr &
  pid=$!
  for _ in $(seq 200); do # until both temporary files exist (the fit has begun)
    [ -e ".m.h5.gbtm-tmp-$pid" ] && [ -e ".p.csv.gbtm-tmp-$pid" ] && break
    sleep 0.05
  done
  kill -s "$sig" "$pid"
  wait "$pid"
  status=$?
  want=$((128 + $(kill -l "$sig")))
  left=$(find . -maxdepth 1 -name '.*.gbtm-tmp-*')
  if [ "$status" -ne "$want" ]; then
    fail "SIG$sig during a fit" "exit status $status, expected $want"
  elif [ -n "$left" ]; then
    fail "SIG$sig during a fit" "temporary files left: $left"
  elif [ "$(cat m.h5)" != "earlier model" ] || [ "$(cat p.csv)" != "earlier posterior" ]; then
    fail "SIG$sig during a fit" "the earlier outputs were changed"
  else
    pass "SIG$sig during a fit: exit status $want, no temporary file, earlier outputs kept"
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
