#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# distillery-cli as a script would use it: exit codes and what it prints.
# TAP output, one case per check.
cli="$1"
teacher_program="$2"
tmp=$(mktemp -d)
# Consents to run programs go to the configuration folder: a private one.
export XDG_CONFIG_HOME="$tmp/config"
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


# Project files.
p="$tmp/demo.distillery"
"$cli" new --demo "$p" >"$tmp/out" 2>&1; check $? "new --demo exits 0"
"$cli" new "$p" >"$tmp/out" 2>&1; test $? = 1; check $? "new refuses an existing file"
"$cli" list "$p" >"$tmp/list" 2>&1; check $? "list exits 0"
check "$(contains "$tmp/list" "Distilled student")" "list shows the distilled experiment"
check "$(contains "$tmp/list" "Plain student")" "list shows the plain experiment"
check "$(contains "$tmp/list" "finished")" "list shows the teacher's finished run"
"$cli" run "$p" "Distilled student" >"$tmp/run" 2>&1; check $? "run an experiment by name"
check "$(contains "$tmp/run" "test accuracy 9[0-9]")" "the distilled student is above 90 %"
"$cli" run "$p" 2 --seed 5 >"$tmp/run" 2>&1; check $? "run an experiment by id with a seed"
"$cli" run "$p" "No such" >"$tmp/out" 2>&1; test $? = 1; check $? "run refuses an unknown experiment"
# Every experiment when none is named, a run for each of its seeds.
"$cli" new --demo "$tmp/all.distillery" >"$tmp/out" 2>&1
"$cli" experiment "$tmp/all.distillery" --name "Three seeds" --teacher 1 --seeds 4,5,6 >"$tmp/out" 2>&1
"$cli" run "$tmp/all.distillery" --parallel 2 >"$tmp/run" 2>&1; check $? "run with no experiment named runs them all"
test "$(grep -c "^Run [0-9]* finished" "$tmp/run")" = 5; check $? "a run for each seed of each experiment"
"$cli" list "$tmp/all.distillery" >"$tmp/list" 2>&1
check "$(contains "$tmp/list" "seed 6 ")" "with the experiment's own seeds"

# Recipes.
"$cli" new --recipe hinton-2016 "$tmp/r.distillery" >"$tmp/out" 2>&1; test $? = 1; check $? "new refuses an unknown recipe"
check "$(contains "$tmp/out" "hinton-2015")" "and names the recipes there are"
"$cli" new --recipe hinton-2015 --mnist "$tmp/nowhere" "$tmp/r.distillery" >"$tmp/out" 2>&1; test $? = 1
check $? "a recipe without its data exits 1"
check "$(contains "$tmp/out" "train-images-idx3-ubyte")" "and names the missing file"
test ! -e "$tmp/r.distillery"; check $? "and leaves no file"
"$cli" new --mnist "$tmp" "$tmp/r.distillery" >"$tmp/out" 2>&1; test $? = 2; check $? "--mnist without --recipe is a usage error"
if [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  "$cli" new --recipe hinton-2015 --epochs 1 --seeds 1 "$tmp/r.distillery" >"$tmp/out" 2>&1
  check $? "new --recipe hinton-2015 builds its project on Fashion-MNIST"
  "$cli" list "$tmp/r.distillery" >"$tmp/list" 2>&1
  check "$(contains "$tmp/list" "distilled at T = 20, without class 3 (Dress)")" "with the left-out experiment"
  test "$(grep -c "distilled at T = " "$tmp/list")" = 6; check $? "and a student for each temperature"
  rm -f "$tmp/r.distillery"
else
  echo "ok $((n + 1)) # SKIP dataset-fashion-mnist is not installed"; n=$((n + 1))
  echo "ok $((n + 1)) # SKIP"; n=$((n + 1))
  echo "ok $((n + 1)) # SKIP"; n=$((n + 1))
fi
"$cli" report "$p" --format csv >"$tmp/report.csv" 2>&1; check $? "report --format csv"
test "$(grep -c ',finished,' "$tmp/report.csv")" = 3; check $? "the CSV has the teacher's and both students' runs"
"$cli" report "$p" --format json >"$tmp/report.json" 2>&1; check $? "report --format json"
check "$(contains "$tmp/report.json" '"agreement"')" "the JSON carries agreement"
"$cli" report "$p" >"$tmp/report.txt" 2>&1; check $? "report as text"
"$cli" export "$p" --run 2 --metrics "$tmp/m.csv" --student "$tmp/s.bin" >"$tmp/out" 2>&1; check $? "export metrics and student"
test "$(grep -c '^epoch,' "$tmp/m.csv")" = 30; check $? "the metrics CSV has every epoch"
test -s "$tmp/s.bin"; check $? "the student was written"
env -u DISPLAY -u WAYLAND_DISPLAY "$cli" export "$p" --run 2 --charts "$tmp/charts" >"$tmp/out" 2>&1; check $? "export charts without a display"
test "$(ls "$tmp/charts" | wc -l)" = 25; check $? "five charts in five formats"
head -c 8 "$tmp/charts/run-2-loss.png" | grep -q PNG; check $? "the loss chart is a PNG"
head -c 8 "$tmp/charts/run-2-matrix@2x.png" | grep -q PNG; check $? "the matrix is a PNG at 2x too"
head -c 5 "$tmp/charts/run-2-accuracy.pdf" | grep -q '%PDF-'; check $? "the accuracy chart is a PDF"
tail -c 7 "$tmp/charts/run-2-accuracy.pdf" | grep -q '%%EOF'; check $? "and the PDF is complete"
check "$(contains "$tmp/charts/run-2-agreement.svg" "<svg")" "the agreement chart is an SVG"
check "$(contains "$tmp/charts/run-2-comparison.csv" "^Distilled student (1 run),")" "the comparison CSV has the distilled runs"
"$cli" export "$p" --run 2 --charts "$tmp/gif" --format gif >"$tmp/out" 2>&1; test $? = 1; check $? "an unknown chart format exits 1"
check "$(contains "$tmp/out" "png, png2x, svg, pdf or csv")" "and names the formats"
"$cli" resume "$p" >"$tmp/out" 2>&1; test $? = 2; check $? "resume with nothing interrupted exits 2"
"$cli" resume "$p" 2 >"$tmp/out" 2>&1; test $? = 1; check $? "resume refuses a finished run"
check "$(contains "$tmp/out" "finished")" "and says why"

printf 'a,b,label\n1,2,x\n2,1,y\n3,3,x\n0,1,y\n1,1,x\n2,2,y\n3,1,x\n1,3,y\n' >"$tmp/t.csv"
"$cli" import "$p" --csv "$tmp/t.csv" --label-column label --with-experiments >"$tmp/out" 2>&1; check $? "import a CSV with experiments"
"$cli" list "$p" >"$tmp/list" 2>&1
check "$(contains "$tmp/list" "t.csv: distilled student")" "the import added its own experiments"

# Teachers from elsewhere, and what students are shown of them.
"$cli" teacher "$p" --name "One-teacher ensemble" --ensemble 1 >"$tmp/out" 2>&1; check $? "an ensemble of the demo's teacher"
ens=$(grep -o "teacher [0-9]*" "$tmp/out" | grep -o "[0-9]*")
"$cli" experiment "$p" --name "API student" --teacher "$ens" --reveals top-k:3 --budget 200 >"$tmp/out" 2>&1
check $? "an experiment shown top-3 for 200 questions"
"$cli" run "$p" "API student" >"$tmp/out" 2>&1; check $? "it runs"
"$cli" report "$p" --format json >"$tmp/report.json" 2>&1
check "$(contains "$tmp/report.json" '"queries_asked" *: *200')" "and asked the teacher 200 questions"
"$cli" experiment "$p" --name "Labels only" --teacher 1 --reveals labels >"$tmp/out" 2>&1
"$cli" sweep "$p" "Labels only" --budgets 40,600 >"$tmp/sweep" 2>&1; check $? "a budget sweep trains a student per budget"
few=$(awk '$1 == 40 {print $4}' "$tmp/sweep"); many=$(awk '$1 == 600 {print $4}' "$tmp/sweep")
awk -v a="$few" -v b="$many" 'BEGIN { exit !(b > a + 5) }'; check $? "600 questions buy more agreement than 40 ($few % against $many %)"
"$cli" experiment "$p" --name "Uncertain labels" --teacher 1 --reveals labels --budget 100 --select uncertain >"$tmp/out" 2>&1
check $? "an experiment that asks the most uncertain first"
"$cli" run "$p" "Uncertain labels" >"$tmp/out" 2>&1; check $? "it runs"
"$cli" report "$p" --format json >"$tmp/report.json" 2>&1
grep -o '"queries_[a-z]*" *: *[0-9.]*' "$tmp/report.json" | tail -2 | awk -F: '{ s += $2 } END { exit !(s == 100) }'
check $? "and is shown exactly 100 answers"
"$cli" experiment "$p" --name "Sometimes" --teacher 1 --budget 100 --select sometimes >"$tmp/out" 2>&1; test $? = 2
check $? "an unknown selection is a usage error"
"$cli" list "$p" >"$tmp/list" 2>&1
check "$(contains "$tmp/list" "One-teacher ensemble .*200 answers cached")" "list counts the ensemble's cached answers"
"$cli" teacher "$p" --change "$ens" --weights 2 >"$tmp/out" 2>&1; check $? "an ensemble's weights change"
check "$(contains "$tmp/out" "0 answers stay cached")" "and its cached answers are forgotten"
"$cli" teacher "$p" --change 1 --weights 2 >"$tmp/out" 2>&1; test $? = 1; check $? "a network has no weights to change"
check "$(contains "$tmp/out" "is not an ensemble")" "and the message says so"
"$cli" teacher "$p" --change "$ens" >"$tmp/out" 2>&1; test $? = 2; check $? "--change with nothing to change is a usage error"
"$cli" teacher "$p" --name nothing >"$tmp/out" 2>&1; test $? = 2; check $? "a teacher of no kind is a usage error"

# A teacher that is a program: whoever adds it lets it run in that
# project; the same project copied elsewhere needs --allow-external.
"$cli" teacher "$p" --name Program --dataset 1 \
  --program "$teacher_program --features 64 --classes 10 --returns probabilities" >"$tmp/out" 2>&1
check $? "a program teacher is added"
prog=$(grep -o "teacher [0-9]*" "$tmp/out" | grep -o "[0-9]*")
"$cli" experiment "$p" --name "Program student" --teacher "$prog" --reveals probabilities >"$tmp/out" 2>&1
"$cli" run "$p" "Program student" >"$tmp/out" 2>&1; check $? "its student runs in the project that added it"
cp "$p" "$tmp/received.distillery"
"$cli" run "$tmp/received.distillery" "Program student" >"$tmp/out" 2>&1; test $? = 1
check $? "a project from elsewhere does not start the program"
check "$(contains "$tmp/out" "allow-external")" "and says how to allow it"
"$cli" run "$tmp/received.distillery" "Program student" --allow-external >"$tmp/out" 2>&1
check $? "with --allow-external it runs"
"$cli" teacher "$p" --change "$prog" --program "$teacher_program --features 64 --classes 10 --returns logits" >"$tmp/out" 2>&1
check $? "a program teacher's command changes"
"$cli" run "$p" "Program student" >"$tmp/out" 2>&1; check $? "and the new command runs without asking again"
"$cli" teacher "$p" --change "$prog" --timeout 20000 >"$tmp/out" 2>&1; check $? "its time-out changes"
check "$(contains "$tmp/out" " [1-9][0-9]* answers stay cached")" "and a new time-out keeps its answers"
"$cli" experiment "$p" --name "Odd" --teacher "$ens" --reveals everything >"$tmp/out" 2>&1; test $? = 1
check $? "an unknown policy is refused"
check "$(contains "$tmp/out" "not a disclosure policy")" "and says what policies there are"
tds=$(grep "t.csv" "$tmp/list" | head -1 | awk '{print $1}')
printf 'p_x,p_y\n0.9,0.1\n0.2,0.8\n0.7,0.3\n0.1,0.9\n0.6,0.4\n0.3,0.7\n0.8,0.2\n0.4,0.6\n' >"$tmp/answers.csv"
"$cli" teacher "$p" --name Recorded --answers "$tmp/answers.csv" --kind probabilities --dataset "$tds" >"$tmp/out" 2>&1
check $? "recorded answers for the CSV's eight samples"
head -7 "$tmp/answers.csv" >"$tmp/short.csv"
"$cli" teacher "$p" --name Short --answers "$tmp/short.csv" --kind probabilities --dataset "$tds" >"$tmp/out" 2>&1
test $? = 1; check $? "answers for too few samples are refused"
check "$(contains "$tmp/out" "short.csv answers 6 samples; the data set has 8")" "and the message says how many"
"$cli" import "$p" --csv "$tmp/missing.csv" >"$tmp/out" 2>&1; test $? = 1; check $? "import refuses a missing file"

echo '{"student": {"optimizer": {"learning_rate": 90}}, "teacher": {"epochs": 2}}' >"$tmp/wild.json"
"$cli" import "$p" --csv "$tmp/t.csv" --label-column label --name wild --with-experiments --experiment "$tmp/wild.json" >"$tmp/out" 2>&1
"$cli" run "$p" "wild: plain student" >"$tmp/out" 2>&1; test $? = 1; check $? "a diverging run exits 1"
check "$(contains "$tmp/out" "lower learning rate")" "and says what to try"
"$cli" list "$p" >"$tmp/list" 2>&1
check "$(contains "$tmp/list" "failed .*diverged at step")" "the run reads as failed, with its reason"
# Retrying a failed run goes on from its last checkpoint: the same
# numbers, so it diverges again at the very same step.
failed=$(grep "failed .*diverged at step" "$tmp/list" | awk '{print $1}')
first_step=$(grep -o "diverged at step [0-9]*" "$tmp/out")
"$cli" resume "$p" "$failed" >"$tmp/retry" 2>&1; test $? = 1; check $? "retrying the failed run runs it again"
test -n "$first_step" && grep -q "$first_step" "$tmp/retry"; check $? "and it diverges at the same step"

# A model larger than memory fails its run, not the program.
echo '{"student": {"hidden": [65536, 65536, 65536]}}' >"$tmp/huge.json"
"$cli" import "$p" --csv "$tmp/t.csv" --label-column label --name huge --with-experiments --experiment "$tmp/huge.json" >"$tmp/out" 2>&1
"$cli" run "$p" "huge: plain student" >"$tmp/out" 2>&1; test $? = 1; check $? "a model too large for memory exits 1"
check "$(contains "$tmp/out" "not enough memory")" "and says so"
"$cli" list "$p" >"$tmp/list" 2>&1
check "$(contains "$tmp/list" "failed .*not enough memory")" "the run reads as failed, with its reason"

# Refusals leave the file as it was.
printf 'just some text\n' >"$tmp/text.distillery"
cp "$tmp/text.distillery" "$tmp/text.copy"
"$cli" list "$tmp/text.distillery" >"$tmp/out" 2>&1; test $? = 1; check $? "a text file is refused"
check "$(contains "$tmp/out" "text.distillery")" "the refusal names the file"
cmp -s "$tmp/text.distillery" "$tmp/text.copy"; check $? "and leaves it unchanged"
: >"$tmp/empty.distillery"
"$cli" run "$tmp/empty.distillery" 1 >"$tmp/out" 2>&1; test $? = 1; check $? "an empty file is refused"
test ! -s "$tmp/empty.distillery" && test ! -e "$tmp/empty.distillery-wal"; check $? "and stays empty"

echo "1..$n"
