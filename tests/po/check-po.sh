#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# meson test 'po-complete' (suite unit): French is complete, always.
#
#   1. po/fr.po compiles (msgfmt --check) and has no untranslated or fuzzy
#      message;
#   2. every message of the sources listed in po/POTFILES.in (extracted
#      again with xgettext) is translated in po/fr.po;
#   3. every file under src/, server/ and data/ that marks a string for
#      translation is listed in po/POTFILES.in.
#
# Usage: tests/po/check-po.sh [SOURCE_ROOT]
# How to fix a failure is printed with it.

set -uo pipefail
# msgfmt's statistics are parsed below: keep them in English.
export LC_ALL=C.UTF-8

root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || { echo "check-po: no such directory: $root" >&2; exit 1; }

po=po/fr.po
potfiles=po/POTFILES.in
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
    printf 'FAIL: %s\n' "$1"
    shift
    local arg
    for arg in "$@"; do
        [ -n "$arg" ] || continue
        printf '%s\n' "$arg" | sed 's/^/      /'
    done
    failed=1
}

# cap: print at most 40 lines of stdin, then how many more there were.
cap() {
    awk 'NR <= 40 { print } END { if (NR > 40) printf "... and %d more\n", NR - 40 }'
}

for tool in msgfmt xgettext msgmerge msgattrib; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "check-po: $tool not found (Debian package: gettext; run make deps)" >&2
        exit 1
    fi
done

# --- 1. fr.po is valid and fully translated --------------------------------
if [ ! -f "$po" ]; then
    fail "$po does not exist" "create it: msginit -l fr_FR.UTF-8 --no-translator -i allset.pot -o $po"
else
    if ! stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
        fail "msgfmt --check rejects $po:" "$stats"
    else
        echo "fr.po: $stats"
        # msgfmt prints e.g. "12 translated messages, 1 fuzzy translation,
        # 2 untranslated messages." (the last two only when not zero).
        if grep -qE '[0-9]+ (fuzzy|untranslated)' <<<"$stats"; then
            fail "$po is not 100 % translated: $stats" \
                 "untranslated or fuzzy messages:" \
                 "$( { msgattrib --only-fuzzy --no-wrap "$po" 2>/dev/null | sed -n 's/^msgid /fuzzy:        /p'
                       msgattrib --untranslated --no-wrap "$po" 2>/dev/null | sed -n 's/^msgid /untranslated: /p'
                     } | grep -vxE '(fuzzy|untranslated): +""' | cap)" \
                 "translate them, and remove the '#, fuzzy' flag once a fuzzy one is checked."
        fi
    fi
fi

# --- 2. every message in the sources is in fr.po ---------------------------
sources=()
missing_files=()
if [ -f "$potfiles" ]; then
    while IFS= read -r f; do
        f=${f%%#*}
        f=$(printf '%s' "$f" | tr -d '[:space:]')
        [ -n "$f" ] || continue
        if [ -f "$f" ]; then
            sources+=("$f")
        else
            missing_files+=("$f")
        fi
    done < "$potfiles"
else
    fail "$potfiles does not exist" "run build-aux/update-potfiles.sh"
fi
if [ ${#missing_files[@]} -gt 0 ]; then
    fail "$potfiles lists files that do not exist:" "${missing_files[@]}" \
         "run build-aux/update-potfiles.sh"
fi

if [ ${#sources[@]} -gt 0 ] && [ -f "$po" ]; then
    if ! out=$(xgettext --from-code=UTF-8 --add-comments=TRANSLATORS \
            --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
            --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
            --package-name=allset -o "$tmp/allset.pot" "${sources[@]}" 2>&1); then
        fail "xgettext failed on the files of $potfiles:" "$out"
    elif [ -f "$tmp/allset.pot" ]; then
        # Merge without fuzzy matching: a message of the sources that fr.po
        # lacks comes out untranslated.
        if ! out=$(msgmerge --quiet --no-fuzzy-matching --no-wrap -o "$tmp/merged.po" \
                "$po" "$tmp/allset.pot" 2>&1); then
            fail "msgmerge $po allset.pot failed:" "$out"
        else
            missing=$(msgattrib --untranslated --no-obsolete --no-wrap "$tmp/merged.po" \
                      | grep -E '^(msgctxt|msgid) ' | grep -vxF 'msgid ""' || true)
            if [ -n "$missing" ]; then
                fail "messages of the sources are missing from (or untranslated in) $po:" \
                     "$(printf '%s\n' "$missing" | cap)" \
                     "update it: meson compile -C _build allset-update-po  (or: build-aux/update-po.sh)," \
                     "then translate every new message."
            fi
        fi
    fi
fi

# --- 3. POTFILES.in lists every file with translatable strings -------------
expected=$(build-aux/update-potfiles.sh --print)
listed=$(printf '%s\n' "${sources[@]+"${sources[@]}"}" "${missing_files[@]+"${missing_files[@]}"}")
not_listed=$(comm -23 <(printf '%s\n' "$expected" | LC_ALL=C sort -u | sed '/^$/d') \
                     <(printf '%s\n' "$listed" | LC_ALL=C sort -u))
if [ -n "$not_listed" ]; then
    # shellcheck disable=SC2086
    fail "files with translatable strings are missing from $potfiles:" $not_listed \
         "run build-aux/update-potfiles.sh"
fi

if [ $failed -ne 0 ]; then
    exit 1
fi
echo "po: fr.po complete; POTFILES.in lists ${#sources[@]} file(s)."
