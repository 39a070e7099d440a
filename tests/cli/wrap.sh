# wrap.sh: sourced by the command tests (tests/cli/test_*.sh) once they have
# set $gbtm (the binary) and $dir (their scratch folder). When GBTM_WRAP
# holds a command prefix, e.g.
#   GBTM_WRAP="valgrind --error-exitcode=99 --leak-check=full"
# it points $gbtm at a two-line script in $dir that runs the real binary
# under that prefix, so that every "$gbtm" call of the test runs wrapped;
# when GBTM_WRAP is unset or empty it does nothing. scripts/test.sh runs a
# subset of the tests this way under valgrind.
if [ -n "${GBTM_WRAP:-}" ]; then
  case $gbtm in
  /*) ;;
  *) gbtm=$PWD/$gbtm ;;
  esac
  mkdir -p "$dir/.wrap"
  printf '#!/bin/sh\nexec %s %s "$@"\n' "$GBTM_WRAP" "'$gbtm'" >"$dir/.wrap/gbtm"
  chmod +x "$dir/.wrap/gbtm"
  gbtm=$dir/.wrap/gbtm
fi
