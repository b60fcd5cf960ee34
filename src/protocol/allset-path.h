/* allset-path.h — portable path rules (docs/protocol.md, "Names")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Validates a relative path and returns its NFC form, or NULL with an
 * ALLSET_ERROR_INVALID_NAME error whose message names the broken rule.
 * "" (the root) is accepted only when allow_root is TRUE. */
char     *allset_path_normalize (const char  *path,
                                 gboolean     allow_root,
                                 GError     **error);
/* Same rules for one component. */
gboolean  allset_name_check     (const char  *name,
                                 GError     **error);
/* Key for case-insensitive comparison: NFC then Unicode case folding. */
char     *allset_path_fold      (const char  *path);
/* "a/b/c" -> "a/b"; "c" -> "". */
char     *allset_path_parent    (const char  *path);
/* "a/b/c" -> "c". */
const char *allset_path_basename (const char *path);
/* TRUE if path is ancestor itself or lies below it ("" is everyone's). */
gboolean  allset_path_has_prefix (const char *path,
                                  const char *ancestor);

G_END_DECLS
