#!/usr/bin/env bash
# test_outputs.sh: end-to-end tests of how every writing command treats its
# outputs: an output that is an input by another path (./name, a symbolic
# link, a hard link) or another output is refused before any work; a device
# is written, never replaced; a symbolic link is written through and stays a
# link; a folder or an impossible output stops the command before anything
# is written; temporary files are named .NAME.gbtm-tmp-PID and a stale one
# is removed; a file-size limit, a full device and a failed standard output
# are reported with the file and the reason. Signals: test_signals.sh.
# Usage: bash test_outputs.sh path/to/gbtm
set -u

gbtm=${1:?usage: test_outputs.sh path/to/gbtm}
case $gbtm in /*) ;; *) gbtm=$PWD/$gbtm ;; esac # the tests run in their folder
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
  [ -s "$dir/stderr" ] && sed 's/^/       stderr: /' "$dir/stderr" | head -n 5
  failed=$((failed + 1))
}

# check NAME CONDITION...: passes when the command CONDITION succeeds.
check() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name" "not: $*"; fi
}

# refuse NAME KEEP TEXT -- CMD ARGS...: runs gbtm CMD ARGS and asserts exit
# status 2, the message "gbtm CMD: error: TEXT" and that the file KEEP is
# byte for byte as it was (put back if not, for the cases that follow).
refuse() {
  local name=$1 keep=$2 text=$3
  shift 4
  cp "$keep" "$dir/before"
  "$gbtm" "$@" >"$dir/stdout" 2>"$dir/stderr"
  local status=$?
  if [ "$status" -ne 2 ]; then
    fail "$name" "exit status $status, expected 2"
  elif ! grep -qF -- "gbtm $1: error: $text" "$dir/stderr"; then
    fail "$name" "stderr lacks: gbtm $1: error: $text"
  elif ! cmp -s "$keep" "$dir/before"; then
    fail "$name" "$keep was changed"
  else
    pass "$name"
  fi
  cmp -s "$keep" "$dir/before" || { rm -f "$keep" && cp "$dir/before" "$keep"; }
}

# no_temp FOLDER: no .*.gbtm-tmp-* file is left in FOLDER.
no_temp() { [ -z "$(find "$1" -maxdepth 1 -name '.*.gbtm-tmp-*')" ]; }

w=$dir/w
mkdir "$w"
cd "$w" || exit 1
"$gbtm" simulate --preset rapporteur-2024 --n 300 --seed 3 -o in.csv >/dev/null 2>&1 &&
  "$gbtm" fit in.csv -q --groups 2 --starts 2 -o m.h5 >/dev/null 2>&1 ||
  { echo "FAIL setup: cannot simulate and fit"; exit 1; }

# ---- an output that is an input, by another path ----
ln -s in.csv link.csv
ln in.csv hard.csv
refuse "fit -o ./in.csv" in.csv "-o ./in.csv is the same file as the data in.csv" -- \
  fit in.csv -q --groups 2 -o ./in.csv
refuse "fit -o a symbolic link to the data" in.csv "-o link.csv is the same file as the data in.csv" -- \
  fit in.csv -q --groups 2 -o link.csv
refuse "fit -o a hard link to the data" in.csv "-o hard.csv is the same file as the data in.csv" -- \
  fit in.csv -q --groups 2 -o hard.csv
refuse "fit --posterior the data" in.csv "--posterior in.csv is the same file as the data in.csv" -- \
  fit in.csv -q --groups 2 --posterior in.csv
refuse "fit --posterior and -o one file" in.csv "--posterior p.csv and -o ./p.csv are the same file" -- \
  fit in.csv -q --groups 2 --posterior p.csv -o ./p.csv
check "fit wrote nothing when refused" test ! -e p.csv
refuse "classify -o ./in.csv" in.csv "-o ./in.csv is the same file as the data in.csv" -- \
  classify m.h5 in.csv -o ./in.csv
refuse "classify -o the model" m.h5 "-o $w/m.h5 is the same file as the model m.h5" -- \
  classify m.h5 in.csv -o "$w/m.h5"
refuse "simulate --model m.h5 -o m.h5" m.h5 "-o m.h5 is the same file as --model m.h5" -- \
  simulate --model m.h5 -o m.h5
refuse "simulate -o and --truth one file" in.csv "-o x.csv and --truth ./x.csv are the same file" -- \
  simulate --model m.h5 -o x.csv --truth ./x.csv
refuse "plot m.h5 -o m.h5" m.h5 "-o ./m.h5 is the same file as the input m.h5" -- plot m.h5 -o ./m.h5
refuse "convert -o a hard link to the data" in.csv "-o hard.csv is the same file as the data in.csv" -- \
  convert in.csv -o hard.csv
mkdir sel
cp in.csv sel/select.csv
refuse "select whose data is one of its outputs" sel/select.csv \
  "-o sel/select.csv is the same file as the data sel/select.csv" -- select sel/select.csv -q --groups 1:2 -o sel
rm hard.csv

# ---- a hard-linked output is refused, not split ----
cp in.csv other.csv
ln other.csv other2.csv
refuse "a hard-linked output" other.csv "other.csv: the file has 2 hard links" -- fit in.csv -q --groups 2 --posterior other.csv
check "the hard links stay one file" test other.csv -ef other2.csv

# ---- devices are written, never replaced ----
# Device nodes of this folder (root, as in CI), so that a gbtm that replaced
# them would damage nothing outside it; otherwise /dev's, which a user other
# than root cannot replace.
if mknod null c 1 3 2>/dev/null && mknod full c 1 7 && echo >null 2>/dev/null; then
  null=$w/null full=$w/full
elif [ "$(id -u)" -ne 0 ]; then
  null=/dev/null full=/dev/full
else
  null= full=
  echo "skip the device outputs: no device node can be made and written here"
fi
if [ -n "$null" ]; then
  "$gbtm" fit in.csv -q --groups 2 -o "$null" --posterior "$null" >/dev/null 2>"$dir/stderr"
  status=$?
  check "fit -o NULL --posterior NULL succeeds" test "$status" -eq 0
  check "NULL is still a character device" test -c "$null"
  ln -s "$null" null.csv
  "$gbtm" convert in.csv -o null.csv >/dev/null 2>"$dir/stderr"
  status=$?
  check "convert -o a link to NULL succeeds" test "$status" -eq 0
  check "the link to NULL stays a link to a character device" test -L null.csv -a -c null.csv
  "$gbtm" classify m.h5 in.csv -o "$full" >/dev/null 2>"$dir/stderr"
  status=$?
  check "classify -o FULL: exit 2, ENOSPC named" \
    test "$status" -eq 2 -a -n "$(grep -xF "gbtm classify: error: $full: cannot write the file: No space left on device" "$dir/stderr")"
  "$gbtm" fit in.csv -q --groups 2 -o "$full" >/dev/null 2>"$dir/stderr"
  status=$?
  check "fit -o FULL: exit 2, ENOSPC named" \
    test "$status" -eq 2 -a -n "$(grep -xF "gbtm fit: error: $full: cannot write the file: No space left on device" "$dir/stderr")"
  check "FULL is still a character device" test -c "$full"
fi
ln -s /proc/self/fd/1 stdout # what /dev/stdout is
"$gbtm" classify m.h5 in.csv -o stdout >"$dir/stdout" 2>"$dir/stderr"
check "classify -o a link to standard output writes it" grep -q '^id,group,p1,p2' "$dir/stdout"
check "the link to standard output stays a link" test -L stdout
mkfifo fifo
timeout 60 cat fifo >"$dir/from_fifo" & # ends if nothing opens the FIFO
reader=$!
"$gbtm" plot m.h5 -o fifo >/dev/null 2>"$dir/stderr"
status=$?
wait "$reader"
check "plot -o a FIFO writes into it" test "$status" -eq 0 -a -p fifo
check "the FIFO's reader got the figure" grep -q '</svg>' "$dir/from_fifo"
if python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' sock 2>/dev/null; then
  refuse "an output that is a socket" in.csv "sock: is a socket, not a file that can be written" -- \
    fit in.csv -q --groups 2 --posterior sock
  check "the socket is untouched" test -S sock
fi

# ---- a symbolic link is written through to its target ----
mkdir target
echo old >target/fig.svg
ln -s target/fig.svg fig.svg
"$gbtm" plot m.h5 -o fig.svg >/dev/null 2>"$dir/stderr"
status=$?
check "plot -o a symbolic link succeeds" test "$status" -eq 0
check "the symbolic link stays a link" test -L fig.svg
check "the link's target holds the figure" grep -q '</svg>' target/fig.svg
check "no temporary file beside the link or the target" no_temp . && no_temp target
ln -s target/new.csv dangling.csv
"$gbtm" fit in.csv -q --groups 2 --posterior dangling.csv >/dev/null 2>"$dir/stderr"
check "a dangling link's target is created" test -L dangling.csv -a -f target/new.csv

# ---- impossible outputs stop the command before anything is written ----
mkdir folder
refuse "fit -o a folder" in.csv "folder: is a folder, not a file that can be written" -- \
  fit in.csv -q --groups 2 --posterior post.csv -o folder
check "the posterior was not written" test ! -e post.csv
refuse "simulate -o into a missing folder" in.csv "nowhere/s.csv: cannot create the file: No such file or directory" -- \
  simulate --preset rapporteur-2024 --n 50 --truth truth.csv -o nowhere/s.csv
check "the truth was not written" test ! -e truth.csv
refuse "select -o a file" in.csv "-o in.csv: not a folder" -- select in.csv -q --groups 1:2 -o in.csv

# ---- temporary files ----
echo stale >.p.csv.gbtm-tmp-999999999
echo stale >.p.csv.gbtm-tmp-999999999.2
echo other >.q.csv.gbtm-tmp-999999999
"$gbtm" fit in.csv -q --groups 2 --posterior p.csv >/dev/null 2>"$dir/stderr"
check "a stale temporary file of a dead process is removed" test ! -e .p.csv.gbtm-tmp-999999999 -a ! -e .p.csv.gbtm-tmp-999999999.2
check "another target's temporary file is kept" test -e .q.csv.gbtm-tmp-999999999
rm -f .q.csv.gbtm-tmp-999999999
sleep 60 &
alive=$!
echo live >".p.csv.gbtm-tmp-$alive"
"$gbtm" fit in.csv -q --groups 2 --posterior p.csv >/dev/null 2>"$dir/stderr"
check "a living process's temporary file is kept" test -e ".p.csv.gbtm-tmp-$alive"
kill "$alive"
wait "$alive" 2>/dev/null
rm -f ".p.csv.gbtm-tmp-$alive"

# ---- size limits, full devices, standard output ----
echo old >big.csv
echo old >big.h5
for out in big.csv big.h5; do
  (ulimit -f 8 && exec "$gbtm" simulate --preset rapporteur-2024 --n 5000 -o "$out") >/dev/null 2>"$dir/stderr"
  status=$?
  check "simulate -o $out beyond ulimit -f: exit 2" test "$status" -eq 2
  check "simulate -o $out beyond ulimit -f: the file and the reason" \
    grep -qxF "gbtm simulate: error: $out: cannot write the file: File too large" "$dir/stderr"
  check "simulate -o $out beyond ulimit -f: the earlier file kept" grep -qx old "$out"
done
(ulimit -f 8 && exec "$gbtm" select "$w/in.csv" -q --groups 1:2 -o limited) >/dev/null 2>"$dir/stderr"
status=$?
check "select beyond ulimit -f: exit 2 with the file and the reason" \
  test "$status" -eq 2 -a -n "$(grep 'gbtm select: error: limited/.*: cannot write the file: File too large' "$dir/stderr")"
check "no temporary file left by the size limits" no_temp .
check "select beyond ulimit -f: no partial output, the folder it made removed" test ! -e limited
mkdir kept && echo x >kept/other.txt
(ulimit -f 8 && exec "$gbtm" select "$w/in.csv" -q --groups 1:2 -o kept) >/dev/null 2>"$dir/stderr"
check "select beyond ulimit -f into a folder that was there: nothing of the run left in it" \
  test "$?" -eq 2 -a "$(ls -A kept)" = other.txt
"$gbtm" fit in.csv -q --groups 2 --json >/dev/full 2>"$dir/stderr"
status=$?
check "fit --json > /dev/full: exit 2, the command and the reason named" \
  test "$status" -eq 2 -a -n "$(grep -xF 'gbtm fit: error: could not write the output: No space left on device' "$dir/stderr")"

# ---- the data's SHA-256 is that of the data read ----
cat in.csv | "$gbtm" fit /dev/stdin -q --groups 2 -o stdin.h5 >/dev/null 2>"$dir/stderr" # hashed as read, not reopened
want=$(sha256sum in.csv | cut -d' ' -f1)
check "fit /dev/stdin (a pipe) -o: the model holds the data's SHA-256" \
  test -n "$("$gbtm" show stdin.h5 2>/dev/null | grep -F "$want")"

# ---- a path with control characters is echoed escaped ----
esc=$(printf 'e\033]0;title\007.csv')
"$gbtm" simulate --preset rapporteur-2024 --n 5 --seed 3 -o "$esc" >"$dir/stdout" 2>"$dir/stderr"
check "simulate -o NAME with ESC and BEL: written, the name echoed as \\xHH" \
  test -f "$esc" -a -n "$(grep -F 'wrote e\x1b]0;title\x07.csv' "$dir/stdout")" -a -z "$(tr -d '\n' <"$dir/stdout" | tr -d '[:print:]')"
"$gbtm" convert "$esc" -o "$esc.h5" >"$dir/stdout" 2>"$dir/stderr"
check "convert -o NAME with ESC and BEL: the name echoed as \\xHH" \
  test -n "$(grep -F 'wrote e\x1b]0;title\x07.csv.h5' "$dir/stdout")" -a -z "$(tr -d '\n' <"$dir/stdout" | tr -d '[:print:]')"
"$gbtm" classify m.h5 in.csv -o "$esc.post.csv" >"$dir/stdout" 2>"$dir/stderr"
check "classify -o NAME with ESC and BEL: the name echoed as \\xHH" \
  test -n "$(grep -F 'wrote e\x1b]0;title\x07.csv.post.csv' "$dir/stdout")" -a -z "$(tr -d '\n' <"$dir/stdout" | tr -d '[:print:]')"

cd "$dir" || exit 1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
