#!/usr/bin/env bash
# commands_doc.sh: prints docs/commands.md from a gbtm binary's own --help
# texts, so that the page is the program's text and not a second copy of
# it. Usage: scripts/commands_doc.sh build/gbtm > docs/commands.md
# (tests/cli/test_commands_doc.sh fails when the page and the binary differ).
set -eu
bin=${1:?usage: commands_doc.sh GBTM_BINARY}
block() { printf '```\n'; "$@" 2>&1 || true; printf '```\n'; }
cat <<'INTRO'
# gbtm commands

Every command and option, as `build/gbtm <command> --help` prints them (this build). The [manual](manual.md) explains them with examples. This page is generated: after changing an option, run `scripts/commands_doc.sh build/gbtm > docs/commands.md` (the test `cli_test_commands_doc` fails while the page and the program differ). Exit statuses are 0 (success), 1 (a failed fit) and 2 (bad usage or input).

INTRO
block "$bin" --help
for cmd in fit select show report classify simulate convert plot test profile; do
  printf '\n## gbtm %s\n\n' "$cmd"
  block "$bin" "$cmd" --help
done
