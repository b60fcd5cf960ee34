/* allset-size.h — sizes on the command line: 10G, 500M, 1.5T, 123
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* K M G T (and KiB MiB GiB TiB) are powers of 1024; KB MB GB TB powers of
 * 1000, as coreutils reads them. Case-insensitive suffix, optional "B". */
gboolean allset_size_parse  (const char *text,
                             guint64    *out,
                             GError    **error);
/* Also accepts "s", "m", "h", "d" suffixes: 90s, 15m, 12h, 30d → seconds. */
gboolean allset_duration_parse (const char *text,
                                guint64    *seconds,
                                GError    **error);

G_END_DECLS
