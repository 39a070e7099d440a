#!/usr/bin/env bash
# include_graph.sh [SOURCE_ROOT]: the file-level dependency graph of
# engine/, and a check that it has no cycle.
#
# A module is a .c file with the header of the same name (engine/fit/em.c
# and engine/fit/em.h are the module engine/fit/em); a header without a .c
# is a module by itself. Module A depends on module B when a file of A
# includes a header of B ("fit/em.h", path-qualified from engine/). Headers
# outside engine/ (include/gbtm.h, system headers) are not modules.
#
# Prints each edge "A -> B" with --edges; exits 1 and prints the cycle when
# the modules depend on each other in a circle, else 0.
set -euo pipefail
edges=0
if [ "${1:-}" = --edges ]; then edges=1; shift; fi
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root/engine"
find . -name '*.[ch]' | sed 's|^\./||' | sort | while read -r f; do
  sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
    while read -r h; do
      if [ -f "$h" ]; then printf '%s %s\n' "${f%.[ch]}" "${h%.h}"; fi
    done
done | awk -v show="$edges" '
  $1 != $2 && !seen[$1 SUBSEP $2]++ {
    n[$1]++; to[$1, n[$1]] = $2; node[$1]; node[$2]
    if (show) print $1 " -> " $2
  }
  function visit(u,   i, v, k, path) {
    color[u] = 1; stack[++depth] = u
    for (i = 1; i <= n[u]; i++) {
      v = to[u, i]
      if (color[v] == 1) {
        path = v
        for (k = depth; k >= 1 && stack[k] != v; k--) path = stack[k] " -> " path
        print "include cycle: " v " -> " path
        found = 1
      } else if (!color[v]) visit(v)
    }
    depth--; color[u] = 2
  }
  END {
    for (u in node) if (!color[u]) visit(u)
    exit found
  }'
