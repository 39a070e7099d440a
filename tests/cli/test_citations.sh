#!/usr/bin/env bash
# test_citations.sh: the sources' citations of the design document resolve.
# Comments in engine/, cli/, include/, tests/, bench/ and scripts/ cite
# docs/DESIGN.md as "eq. X" (an equation), "DESIGN §n" or "DESIGN.md §n" (a
# section) and "DESIGN §n Word" (a subsection of §n). Each must resolve:
#   eq. X           DESIGN.md has the bold label **eq. X**
#   DESIGN §n       DESIGN.md has a heading "## §n ..."
#   DESIGN §n Word  that section has a "### ..." heading with the word Word
# A citation of the old brief's path (shared/DESIGN.md) fails too. Every
# failure is named with its file and line. The relative links of README.md
# and docs/*.md must lead to files, and the front README.md must stay at
# most 12288 bytes (its details live in docs/).
# $1 is the gbtm binary (unused); GBTM_SOURCE is the source root.
set -u
src=${GBTM_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
design=$src/docs/DESIGN.md
readme=$src/README.md
readme_max=12288
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

if [ ! -f "$design" ]; then
  echo "FAIL $design is missing"
  exit 1
fi
dirs=()
for d in engine cli include tests bench scripts; do [ -d "$src/$d" ] && dirs+=("$d"); done

# The labels, sections and subsection headings DESIGN.md defines.
labels=$(grep -oE '\*\*eq\. [A-Z][A-Za-z0-9]*\*\*' "$design" | sed 's/\*\*//g' | sort -u)
sections=$(sed -nE 's/^## §([0-9]+)( .*)?$/\1/p' "$design" | sort -u)
subheads=$(awk '/^## / { n = ""; if (match($0, /^## §[0-9]+/)) n = substr($0, 6, RLENGTH - 5) }
                /^### / && n != "" { print n "\t" substr($0, 5) }' "$design")

# Every citation, as FILE:LINE:TEXT. This file names the forms only in its
# comments and patterns, and is left out.
cite() { # extended regex
  (cd "$src" && grep -rnoIE --exclude=test_citations.sh "$1" "${dirs[@]}")
}

n_eq=0 bad_eq=0
while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  where=${hit%:*} label=${hit##*:}
  n_eq=$((n_eq + 1))
  if ! grep -qxF "$label" <<<"$labels"; then
    bad "$where: \"$label\" is not a label of docs/DESIGN.md (**$label**)"
    bad_eq=$((bad_eq + 1))
  fi
done < <(cite 'eq\. [A-Z][A-Za-z0-9]*')
((bad_eq == 0)) && ok "$n_eq equation citations resolve in docs/DESIGN.md"

# Sections, with an optional subsection word ("§3 Starts", "§3, Starts",
# '§3 "Degenerate'), and lists of sections ("§3, §4").
n_sec=0 bad_sec=0
while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  file=${hit%%:*} rest=${hit#*:}
  line=${rest%%:*} text=${rest#*:}
  where="$file:$line"
  word=$(sed -nE 's/.*§ ?[0-9]+,? "?([A-Z][a-z]+)$/\1/p' <<<"$text")
  nums=$(grep -oE '§ ?[0-9]+' <<<"$text" | tr -d '§ ')
  for n in $nums; do
    n_sec=$((n_sec + 1))
    if ! grep -qxF "$n" <<<"$sections"; then
      bad "$where: \"$text\": docs/DESIGN.md has no section \"## §$n\""
      bad_sec=$((bad_sec + 1))
    fi
  done
  if [ -n "$word" ]; then
    last=$(tail -n 1 <<<"$nums")
    if ! awk -F '\t' -v n="$last" -v w="$word" '$1 == n && (" " $2 " ") ~ ("[^A-Za-z]" w "[^A-Za-z]") { f = 1 } END { exit !f }' <<<"$subheads"; then
      bad "$where: \"$text\": section §$last of docs/DESIGN.md has no \"### ...$word...\" heading"
      bad_sec=$((bad_sec + 1))
    fi
  fi
done < <(cite 'DESIGN(\.md)? ?§ ?[0-9]+((, ?| and )§ ?[0-9]+)*(,? "?[A-Z][a-z]+)?')
((bad_sec == 0)) && ok "$n_sec section citations resolve in docs/DESIGN.md"

# The old brief's path.
n_old=0
while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  n_old=$((n_old + 1))
  bad "${hit%:*}: cites shared/DESIGN.md, which is not part of the project; cite docs/DESIGN.md (\"DESIGN §n\")"
done < <(cite 'shared/DESIGN(\.md)?')
((n_old == 0)) && ok "no citation of shared/DESIGN.md"

# The links between README.md and docs/ lead to files that exist.
n_link=0 bad_link=0
for md in "$readme" "$src"/docs/*.md; do
  while IFS= read -r hit; do
    line=${hit%%:*} target=${hit#*](}
    target=${target%)} target=${target%%#*}
    case "$target" in "" | http://* | https://* | mailto:*) continue ;; esac
    n_link=$((n_link + 1))
    if [ ! -e "$(dirname "$md")/$target" ]; then
      bad "${md#"$src"/}:$line: the link to $target leads nowhere"
      bad_link=$((bad_link + 1))
    fi
  done < <(grep -noE '\]\([^) ]+\)' "$md")
done
((bad_link == 0)) && ok "$n_link links of README.md and docs/ lead to files"

# The front page stays a front page.
size=$(wc -c <"$readme")
if ((size <= readme_max)); then
  ok "README.md is $size bytes (at most $readme_max)"
else
  bad "README.md is $size bytes, more than $readme_max: move the details to docs/"
fi

echo "test_citations: $pass passed, $fail failed"
((fail == 0))
