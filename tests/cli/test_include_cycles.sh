#!/usr/bin/env bash
# test_include_cycles.sh: the modules of engine/ depend on each other one
# way only: no file-level include cycle (scripts/include_graph.sh). $1 (the
# gbtm binary) is unused; GBTM_SOURCE is the source root.
set -u
root=${GBTM_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
if bash "$root/scripts/include_graph.sh" "$root"; then
  echo "ok   engine/ has no include cycle"
else
  echo "FAIL engine/ has an include cycle (above)"
  exit 1
fi
