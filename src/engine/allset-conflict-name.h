/* allset-conflict-name.h — names of the copies that keep both versions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When both sides changed a file differently, the local version is renamed
 * and uploaded as a new file, and the remote one takes the original name
 * (DESIGN.md §4, invariant 1). The copy is named
 *
 *     name (conflit DEVICE AAAA-MM-JJ HHMMSS).ext
 *
 * "dir/report.pdf" → "dir/report (conflit laptop 2026-11-26 134500).pdf".
 * The extension is what follows the last dot of the name when that dot is
 * not the first character and the rest is short and has no space:
 * ".bashrc" → ".bashrc (conflit …)", "a.tar.gz" → "a.tar (conflit …).gz".
 * Directories get the suffix at the very end. The word stays French in
 * every locale so that every device names copies alike.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The device name as it appears in a copy's name: NFC, characters that
 * are not portable (docs/protocol.md "Names") or are parentheses become
 * "_", blanks are squeezed, at most 40 characters; "appareil" when
 * nothing is left. */
char     *allset_conflict_device_name (const char  *device);

/* path: NFC, relative; when: the time of the conflict, as the user reads
 * it (local time). n = 1 gives the plain name, n ≥ 2 adds " n" inside the
 * parentheses: "report (conflit laptop 2026-11-26 134500 2).pdf". The
 * result is always a valid portable name (the stem is shortened if the
 * name would pass 255 bytes). */
char     *allset_conflict_name_full   (const char  *path,
                                       const char  *device,
                                       GDateTime   *when,
                                       gboolean     is_dir,
                                       guint        n);
/* allset_conflict_name_full (path, device, when, FALSE, 1). */
char     *allset_conflict_name        (const char  *path,
                                       const char  *device,
                                       GDateTime   *when);

/* TRUE if path is taken (by anything: a file, a directory, a name that
 * differs only by case…). */
typedef gboolean (*AllsetPathTakenFunc) (const char *path,
                                         gpointer    user_data);

/* The first of n = 1, 2, 3… whose name is not taken. */
char     *allset_conflict_name_unique (const char          *path,
                                       const char          *device,
                                       GDateTime           *when,
                                       gboolean             is_dir,
                                       AllsetPathTakenFunc  taken,
                                       gpointer             user_data);

G_END_DECLS
