#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# distillery-cli as a script would use it: exit codes and what it prints.
# TAP output, one case per check.
cli="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
check () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
contains () { grep -q -- "$2" "$1"; echo $?; }

"$cli" --help >"$tmp/help" 2>&1; check $? "--help exits 0"
check "$(contains "$tmp/help" "train")" "--help lists train"
check "$(contains "$tmp/help" "bench")" "--help lists bench"
"$cli" --version >"$tmp/version" 2>&1; check $? "--version exits 0"
check "$(contains "$tmp/version" "distillery-cli [0-9]")" "--version prints the version"
"$cli" train --help >"$tmp/train-help" 2>&1; check $? "train --help exits 0"
check "$(contains "$tmp/train-help" "--temperature")" "train --help lists --temperature"

"$cli" frobnicate >"$tmp/out" 2>&1; test $? = 2; check $? "an unknown command exits 2"
check "$(contains "$tmp/out" "unknown command")" "and says so"

"$cli" train --csv "$tmp/missing.csv" >"$tmp/out" 2>&1; test $? = 1; check $? "a missing CSV exits 1"
check "$(contains "$tmp/out" "missing.csv")" "and names the file"

echo '{"student": {"distillation": {"alpha": 3}}}' >"$tmp/bad.json"
"$cli" train --experiment "$tmp/bad.json" >"$tmp/out" 2>&1; test $? = 1; check $? "a bad experiment exits 1"
check "$(contains "$tmp/out" "student.distillation.alpha")" "and names the setting"

"$cli" train --data demo --teacher-epochs 10 --epochs 10 --dump-experiment "$tmp/used.json" >"$tmp/out" 2>"$tmp/err"
check $? "train on the demo exits 0"
check "$(contains "$tmp/out" "Student, distilled")" "the table has the distilled student"
check "$(contains "$tmp/out" "Student, plain")" "the table has the plain student"
check "$(contains "$tmp/used.json" '"epochs" : 10')" "--dump-experiment writes the settings used"
"$cli" train --experiment "$tmp/used.json" >"$tmp/again" 2>/dev/null
# Same settings, same seed, one thread: the same numbers (timings aside).
cut -c1-80 "$tmp/out" >"$tmp/a"; cut -c1-80 "$tmp/again" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b"; check $? "the dumped experiment reproduces the run"

echo "1..$n"
