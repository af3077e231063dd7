#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The hinton-2015 recipe, ours and then PyTorch's, one after the other,
# with the machine's load before and after each: the numbers of
# docs/results.md. A benchmark, not a test.
#
#   bench/hinton-2015.sh [--reduced] [--no-torch] [--mnist DIR] OUTDIR
#
# --reduced runs one seed of two epochs (teacher and students), a few
# minutes; without it, the whole recipe (three seeds). OUTDIR receives
# the project, torch.json, the table (table.md) and a log of times and
# loads (log.txt). Needs a build in build/ (or DISTILLERY_CLI) and, for
# the peer, /usr/bin/python3 with python3-torch.
set -eu
here=$(dirname "$0")
cli=${DISTILLERY_CLI:-$here/../build/src/cli/distillery-cli}
recipe_args=""
torch=yes
while [ $# -gt 1 ]; do
  case $1 in
    --reduced) recipe_args="$recipe_args --seeds 1 --epochs 2"; shift ;;
    --no-torch) torch=no; shift ;;
    --mnist) recipe_args="$recipe_args --mnist $2"; shift 2 ;;
    *) echo "usage: $0 [--reduced] [--no-torch] [--mnist DIR] OUTDIR" >&2; exit 2 ;;
  esac
done
[ $# = 1 ] || { echo "usage: $0 [--reduced] [--no-torch] [--mnist DIR] OUTDIR" >&2; exit 2; }
out=$1
mkdir -p "$out"
project=$out/hinton-2015.distillery
log=$out/log.txt
rm -f "$project" "$project-wal" "$project-shm"

# shellcheck disable=SC2086
"$cli" new --recipe hinton-2015 $recipe_args "$project"
{
  echo "machine: $(nproc) cores, $(uname -m), $("$cli" --version)"
  echo "ours: start $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$log"
start=$(date +%s)
"$cli" run "$project" --parallel 2
end=$(date +%s)
echo "ours: end $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg), wall $((end - start)) s" | tee -a "$log"

if [ $torch = yes ]; then
  echo "torch: start $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
  start=$(date +%s)
  /usr/bin/python3 "$here/hinton-2015.py" "$project" --threads 2 --out "$out/torch.json"
  end=$(date +%s)
  echo "torch: end $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg), wall $((end - start)) s" | tee -a "$log"
  /usr/bin/python3 "$here/hinton-2015-table.py" "$project" "$out/torch.json" >"$out/table.md"
else
  /usr/bin/python3 "$here/hinton-2015-table.py" "$project" >"$out/table.md"
fi
cat "$out/table.md"
