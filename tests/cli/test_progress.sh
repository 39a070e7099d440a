#!/usr/bin/env bash
# test_progress.sh: progress of long fits on stderr (docs/manual.md: "Progress goes
# to stderr, results to stdout"). Off a terminal, a fit that has run 2
# seconds or more writes one line per start,
#   gbtm fit: short phase, start 3 of 40: 30 iterations, log L -1234.5678 (2.4 s)
# quick fits write none, and --quiet silences it. The long fit here is a
# 100,000-person cohort run for many short starts on one thread (one thread:
# with several, small panels run whole starts in parallel, and each start
# reports only when it ends, in the order they end); if it ends in under 2.5 seconds (a fast machine), the starts
# are doubled, up to three times.
#   bash tests/cli/test_progress.sh path/to/gbtm
set -uo pipefail

gbtm=${1:?usage: test_progress.sh path/to/gbtm}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
fail() {
  echo "FAIL $1: $2"
  failures=$((failures + 1))
}
pass() { echo "ok   $1"; }

line_re='^gbtm fit: (short|long|newton) phase, start [0-9]+ of [0-9]+: [0-9]+ iterations, log L -?[0-9]+\.[0-9]{4} \([0-9]+\.[0-9] s\)$'

for n in 630 100000; do
  if ! "$gbtm" simulate --preset rapporteur-2024 --n "$n" --seed 5 -o "$dir/c$n.csv" >/dev/null 2>"$dir/err"; then
    echo "FAIL simulate $n persons: $(cat "$dir/err")"
    exit 1
  fi
done

fit_seconds() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["fit_seconds"])' "$1"; }

# ---- a long fit reports its starts ---------------------------------------------
starts=20 seconds=0
for _ in 1 2 3; do
  "$gbtm" fit "$dir/c100000.csv" --groups 3 --order 2 --starts "$starts" --max-iter 30 --se none --threads 1 \
    --json >"$dir/long.json" 2>"$dir/long.err" || { fail "long fit" "exit status $?: $(tail -n 3 "$dir/long.err")"; break; }
  seconds=$(fit_seconds "$dir/long.json")
  awk -v s="$seconds" 'BEGIN { exit !(s >= 2.5) }' && break
  starts=$((starts * 2))
done
grep -E "$line_re" "$dir/long.err" >"$dir/lines" || true
if ! awk -v s="$seconds" 'BEGIN { exit !(s >= 2.5) }'; then
  fail "long fit" "the fit took only $seconds s with $starts starts: too fast to see progress"
elif [[ ! -s "$dir/lines" ]]; then
  fail "a fit of $seconds s reports progress" "no progress line on stderr: $(head -c 400 "$dir/long.err")"
else
  pass "a fit of $seconds s reports progress ($(wc -l <"$dir/lines") lines)"
  # the starts are reported in order, each once, with finite log L and
  # elapsed seconds that do not decrease
  if awk -v S="$starts" '
      { match($0, /start [0-9]+ of [0-9]+/); split(substr($0, RSTART + 6, RLENGTH - 6), a, " of ")
        if ($3 == "short" && (a[2] != S || a[1] <= last)) bad = 1
        if ($3 == "short") last = a[1] + 0
        match($0, /\([0-9.]+ s\)/); t = substr($0, RSTART + 1, RLENGTH - 4) + 0
        if (t < prev) bad = 1; prev = t }
      END { exit bad }' "$dir/lines"; then
    pass "progress lines name the starts in order, with time that grows"
  else
    fail "progress lines in order" "$(cat "$dir/lines")"
  fi
  last_ll=$(tail -n 1 "$dir/lines" | sed -n 's/.*log L \(-\{0,1\}[0-9.]*\) .*/\1/p')
  if [[ -n "$last_ll" ]] && awk -v l="$last_ll" 'BEGIN { exit !(l < 0) }'; then
    pass "progress shows the log-likelihood ($last_ll)"
  else
    fail "progress shows the log-likelihood" "$(tail -n 1 "$dir/lines")"
  fi
fi

# ---- --quiet, and quick fits, write none ---------------------------------------
"$gbtm" fit "$dir/c100000.csv" --groups 3 --order 2 --starts "$starts" --max-iter 30 --se none --threads 1 \
  --quiet --json >/dev/null 2>"$dir/quiet.err"
if grep -qE "$line_re" "$dir/quiet.err"; then
  fail "--quiet silences progress" "$(head -n 3 "$dir/quiet.err")"
else
  pass "--quiet silences progress"
fi
"$gbtm" fit "$dir/c630.csv" --groups 2 --starts 4 --threads 1 --json >"$dir/quick.json" 2>"$dir/quick.err"
if grep -qE "$line_re" "$dir/quick.err" && awk -v s="$(fit_seconds "$dir/quick.json")" 'BEGIN { exit !(s < 2) }'; then
  fail "a quick fit writes no progress" "$(head -n 3 "$dir/quick.err")"
else
  pass "a quick fit writes no progress"
fi

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all progress checks passed"
