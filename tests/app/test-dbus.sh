#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The real `distillery` binary driven from outside, as a script or another
# program would: over D-Bus, with org.gtk.Actions.Activate on the actions
# GtkApplication exports (the window's at .../window/1). It opens a
# project given on the command line, trains the selected experiment on
# `run` and quits on `quit`; the project file holds the finished run.
# TAP output. Needs a display and a session bus (build-aux/test gives both).
app="$1" cli="$2" id="$3"
path="/$(echo "$id" | tr . /)"
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
n=0
check () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
# Polls a command for up to $1 seconds.
wait_for () {
  limit=$(( $1 * 10 )); shift
  i=0
  while [ $i -lt $limit ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
activate () { gdbus call --session --dest "$id" --object-path "$1" --method org.gtk.Actions.Activate "$2" '[]' '{}'; }
run_enabled () {
  gdbus call --session --dest "$id" --object-path "$path/window/1" --method org.gtk.Actions.Describe run \
    | grep -q "^((true,"
}
run_finished () { "$cli" list "$tmp/demo.distillery" | grep -q "experiment 1 .*finished"; }
gone () { ! kill -0 "$pid" 2>/dev/null; }

if [ -z "${DISPLAY:-}" ] || [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] || ! command -v gdbus >/dev/null; then
  echo "1..0 # SKIP needs a display, a session bus and gdbus"
  exit 0
fi

"$cli" new "$tmp/demo.distillery" --demo >/dev/null 2>&1; check $? "a demo project to open"
"$app" "$tmp/demo.distillery" >"$tmp/app.log" 2>&1 &
pid=$!
wait_for 30 run_enabled; check $? "the window opened the project and offers run on D-Bus"
activate "$path/window/1" run >/dev/null; check $? "run is activated over D-Bus"
wait_for 120 run_finished; check $? "the run finished and the project file says so"
activate "$path" quit >/dev/null; check $? "quit is activated over D-Bus"
wait_for 20 gone; check $? "the application ended"
wait "$pid"; check $? "with exit status 0"
echo "1..$n"
