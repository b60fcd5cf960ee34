#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Brings po/ up to date with the sources, without a build directory:
#   1. regenerates po/POTFILES.in (build-aux/update-potfiles.sh);
#   2. extracts the messages into po/allset.pot (not kept in git);
#   3. merges them into every language of po/LINGUAS (msgmerge), or creates
#      the .po file (msginit) when it does not exist yet.
# Then translate what is new ("#, fuzzy" or empty msgstr) and run
# tests/po/check-po.sh. With a build directory, `meson compile -C _build
# allset-pot allset-update-po` does steps 2 and 3 the same way.

set -euo pipefail
cd "$(dirname "$0")/.."

build-aux/update-potfiles.sh

sources=()
while IFS= read -r f; do
    f=${f%%#*}
    f=$(printf '%s' "$f" | tr -d '[:space:]')
    [ -n "$f" ] && sources+=("$f")
done < po/POTFILES.in

pot=po/allset.pot
if [ ${#sources[@]} -eq 0 ]; then
    echo "update-po: no translatable file yet; nothing to extract."
    exit 0
fi
xgettext --from-code=UTF-8 --add-comments=TRANSLATORS \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
    --package-name=allset --msgid-bugs-address=https://allset.invalid/issues \
    -o "$pot" "${sources[@]}"
echo "update-po: $pot: $(grep -c '^msgid ' "$pot") entries (with header)"

while IFS= read -r lang; do
    lang=${lang%%#*}
    lang=$(printf '%s' "$lang" | tr -d '[:space:]')
    [ -n "$lang" ] || continue
    if [ -f "po/$lang.po" ]; then
        msgmerge --quiet --update --backup=none "po/$lang.po" "$pot"
    else
        msginit --no-translator -l "$lang" -i "$pot" -o "po/$lang.po"
    fi
    printf 'update-po: po/%s.po: ' "$lang"
    msgfmt --check --statistics -o /dev/null "po/$lang.po"
done < po/LINGUAS
