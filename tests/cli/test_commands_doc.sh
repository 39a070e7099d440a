#!/usr/bin/env bash
# test_commands_doc.sh: docs/commands.md is what the binary's --help texts
# print (scripts/commands_doc.sh), so that the reference never drifts from
# the program. $1 is the gbtm binary; GBTM_SOURCE is the source root.
set -u
bin=$1
src=${GBTM_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
bash "$src/scripts/commands_doc.sh" "$bin" > "$tmp"
if diff -u "$src/docs/commands.md" "$tmp"; then
  echo "ok   docs/commands.md is the binary's --help"
  echo "1 passed, 0 failed"
else
  echo "FAIL docs/commands.md differs from the binary's --help: run scripts/commands_doc.sh build/gbtm > docs/commands.md"
  echo "0 passed, 1 failed"
  exit 1
fi
