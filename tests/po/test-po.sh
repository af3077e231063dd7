#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The translations are complete: POTFILES.in lists every source file with
# translatable strings, and each language in LINGUAS passes `msgfmt
# --check` and translates every message of the sources as they are now
# (a template made afresh with xgettext, merged into the .po), none left
# fuzzy. A failure lists the messages to translate; `meson compile
# distillery-update-po` brings them into the .po files.
#
# Usage: test-po.sh SOURCE-ROOT
set -u
root=$1
po=$root/po
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$2"; }

# Prints the messages of a .po file, one a line: [context] "msgid".
msgids () {
  awk '
    /^msgctxt / { ctx = "[" substr($0, 10, length($0) - 10) "] "; field = "ctx"; next }
    /^msgid /   { id = substr($0, 7); field = "id"; next }
    /^"/        { if (field == "id") id = substr(id, 1, length(id) - 1) substr($0, 2); next }
    /^msgstr/   { if (field == "id" && id != "\"\"") print "  " ctx id; ctx = ""; field = "" }
  ' "$1"
}

langs=$(sed -e 's/#.*//' "$po/LINGUAS" | tr -s ' \t' '\n\n' | sed '/^$/d')
echo "1..$((1 + 3 * $(echo "$langs" | grep -c .)))"

# The same markers as xgettext's keywords below, and translatable="yes"
# in templates; data files are listed by hand (their markup is the
# translatable part).
(cd "$root" && grep -rlE '\<(_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2)\(|translatable="yes"' \
   src ui --include='*.c' --include='*.ui') | sort > "$tmp/marked"
sed -e 's/#.*//' -e '/^ *$/d' "$po/POTFILES.in" | sort > "$tmp/listed"
comm -23 "$tmp/marked" "$tmp/listed" > "$tmp/unlisted"
while read -r f; do [ -f "$root/$f" ] || echo "$f (listed, but there is no such file)"; done < "$tmp/listed" >> "$tmp/unlisted"
if [ -s "$tmp/unlisted" ]; then
  not_ok "po/POTFILES.in lists every file with translatable strings; add (or remove):" "$tmp/unlisted"
else
  ok "po/POTFILES.in lists every file with translatable strings"
fi

# meson's 'glib' preset of i18n.gettext, which makes distillery.pot.
(cd "$root" && xgettext --package-name=distillery -f po/POTFILES.in -o "$tmp/distillery.pot" \
   --from-code=UTF-8 --add-comments \
   --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
   --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
   --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
   --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
   --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
   --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
   --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
   --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
   --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format) \
   2> "$tmp/xgettext.log" || { echo "Bail out! xgettext failed:"; sed 's/^/# /' "$tmp/xgettext.log"; exit 1; }

for lang in $langs; do
  file=$po/$lang.po
  if msgfmt --check --statistics -o /dev/null "$file" > "$tmp/msgfmt.log" 2>&1; then
    ok "po/$lang.po passes msgfmt --check ($(cat "$tmp/msgfmt.log"))"
  else
    not_ok "po/$lang.po fails msgfmt --check:" "$tmp/msgfmt.log"
  fi

  msgattrib --no-wrap --untranslated --no-obsolete "$file" > "$tmp/untranslated.po" 2>&1
  msgattrib --no-wrap --only-fuzzy --no-obsolete "$file" > "$tmp/fuzzy.po" 2>&1
  { msgids "$tmp/untranslated.po" | sed 's/^/untranslated: /'; msgids "$tmp/fuzzy.po" | sed 's/^/fuzzy: /'; } > "$tmp/open"
  if [ -s "$tmp/open" ]; then
    not_ok "po/$lang.po has untranslated or fuzzy messages:" "$tmp/open"
  else
    ok "po/$lang.po has no untranslated or fuzzy messages"
  fi

  # New strings in the sources arrive untranslated, or fuzzy when msgmerge
  # guesses from a similar one; a merged file with neither is complete.
  msgmerge --quiet --no-wrap "$file" "$tmp/distillery.pot" -o "$tmp/merged.po" 2> "$tmp/msgmerge.log" ||
    { not_ok "msgmerge po/$lang.po failed:" "$tmp/msgmerge.log"; continue; }
  msgattrib --no-wrap --untranslated --no-obsolete "$tmp/merged.po" > "$tmp/untranslated.po"
  msgattrib --no-wrap --only-fuzzy --no-obsolete "$tmp/merged.po" > "$tmp/fuzzy.po"
  { msgids "$tmp/untranslated.po"; msgids "$tmp/fuzzy.po"; } > "$tmp/missing"
  if [ -s "$tmp/missing" ]; then
    not_ok "po/$lang.po lacks $(wc -l < "$tmp/missing") message(s) of the sources; run 'meson compile -C build distillery-update-po' and translate:" "$tmp/missing"
  elif ! msgfmt --check -o /dev/null "$tmp/merged.po" > "$tmp/msgfmt.log" 2>&1; then
    not_ok "po/$lang.po merged with the sources fails msgfmt --check:" "$tmp/msgfmt.log"
  else
    ok "po/$lang.po translates every message of the sources"
  fi
done
