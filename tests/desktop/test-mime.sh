#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The project file's MIME type, as a file manager sees it: the type is
# installed into a MIME database of its own in a temporary data folder
# (beside the system's, so that plain SQLite competes), and GIO, started
# with XDG_DATA_DIRS pointing there, names the type of a real project
# file: by its extension, by its content when renamed, and not for an
# SQLite database that is not ours.
#
# Usage: test-mime.sh MIME-XML DISTILLERY-CLI
set -u
mime_xml=$1
cli=$2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data/mime/packages" "$tmp/home"
cp "$mime_xml" "$tmp/data/mime/packages/"
echo "1..4"

if update-mime-database "$tmp/data/mime" >"$tmp/update.log" 2>&1 && [ -f "$tmp/data/mime/mime.cache" ]; then
  echo "ok 1 - update-mime-database accepts $(basename "$mime_xml")"
else
  echo "not ok 1 - update-mime-database failed:"
  sed 's/^/# /' "$tmp/update.log"
fi

"$cli" new "$tmp/Project.distillery" >/dev/null || { echo "Bail out! distillery-cli new failed"; exit 1; }
cp "$tmp/Project.distillery" "$tmp/project-renamed"
/usr/bin/python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("CREATE TABLE t (x)")' "$tmp/other-database" ||
  { echo "Bail out! could not make a plain SQLite file"; exit 1; }

n=1
expect () {
  n=$((n + 1))
  type=$(XDG_DATA_DIRS="$tmp/data:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" XDG_DATA_HOME="$tmp/home" \
         gio info --attributes=standard::content-type "$tmp/$1" 2>&1 | sed -n 's/^ *standard::content-type: //p')
  if [ "$type" = "$2" ]; then
    echo "ok $n - $1 is $2 ($3)"
  else
    echo "not ok $n - $1 is \"$type\", expected $2 ($3)"
  fi
}

expect Project.distillery application/x-distillery-project "by extension"
expect project-renamed application/x-distillery-project "by content: SQLite header and application_id"
expect other-database application/vnd.sqlite3 "another SQLite database is not a project"
