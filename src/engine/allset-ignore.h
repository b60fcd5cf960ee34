/* allset-ignore.h — which local names are never synced
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three layers, checked in this order:
 *
 *  1. Reserved (cannot be overridden): every name starting with ".allset-"
 *     belongs to the engine — partial downloads are written as
 *     ".allset-part-XXXXXX" next to their target and renamed into place.
 *  2. Built-in rules for obvious temporary, lock and partial files: Office
 *     "~$*" and "~*.tmp", LibreOffice ".~lock.*#", ".DS_Store", "Thumbs.db",
 *     "desktop.ini", Emacs ".#*", Vim ".*.sw[px]", browser partial
 *     downloads ("*.crdownload", "*.part", "*.partial"), volume trash
 *     directories. Matched without regard to ASCII case, as the systems
 *     that make them do.
 *  3. The user's patterns, one per line (allset_ignore_add_pattern()), read
 *     from the folder's ALLSET_IGNORE_FILE at its root. That file is
 *     synced like any other, so every device of the account applies the
 *     same rules (as Syncthing's .stignore would if it were shared):
 *       # comment          blank lines and lines starting with # are skipped
 *       *.log              no slash: matches a name at any depth
 *       build/             trailing slash: directories only
 *       docs/draft-*.md    a slash inside: the path from the folder root
 *       /todo.txt          leading slash: at the root only
 *       **                 any depth: a leading double star, one between
 *                          two slashes or a trailing one spans directories
 *       ? [a-z] [!0-9] \*  one character, classes, escapes
 *       !keep.log          negation: the last matching rule wins, and may
 *                          re-include what a built-in rule ignores
 *     As in gitignore, a path below an ignored directory stays ignored
 *     whatever a later "!" says, since the directory is never read. User
 *     patterns are case-sensitive.
 *
 * An ignored path is invisible to the engine on every side: not uploaded,
 * not downloaded, never deleted. The journal is not in the folder at all
 * (allset_journal_path_for_folder()). A pass that brings a new
 * ALLSET_IGNORE_FILE applies it in that same pass (allset-sync-rules.c).
 *
 * An AllsetIgnore is built once, then only read: matching is thread-safe.
 * It is reference counted.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every name starting with this is the engine's. */
#define ALLSET_RESERVED_PREFIX  ".allset-"
/* Partial downloads: ALLSET_PARTIAL_PREFIX + random suffix, in the
 * target's directory (so the final rename is atomic). */
#define ALLSET_PARTIAL_PREFIX   ".allset-part-"

/* The user's pattern file, at the root of a synced folder. */
#define ALLSET_IGNORE_FILE      ".allsetignore"

typedef struct _AllsetIgnore AllsetIgnore;

/* Reserved and built-in rules only. */
AllsetIgnore *allset_ignore_new          (void);
/* The rules of the folder at root: built-in ones plus its
 * ALLSET_IGNORE_FILE (missing: none; unreadable: a warning). Reads the
 * disk: worker threads only. */
AllsetIgnore *allset_ignore_new_for_folder (const char *root);
AllsetIgnore *allset_ignore_ref          (AllsetIgnore  *self);
void          allset_ignore_unref        (AllsetIgnore  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetIgnore, allset_ignore_unref)

/* Adds one line of a pattern file; blank lines and comments are accepted
 * and ignored. FALSE with G_IO_ERROR_INVALID_ARGUMENT for a line that
 * cannot match anything (an unterminated class, a lone "!", "/"). */
gboolean      allset_ignore_add_pattern  (AllsetIgnore  *self,
                                          const char    *line,
                                          GError       **error);
/* Adds every line of text. Bad lines are skipped with a warning naming
 * origin (a file name, for the log) and the line number: one typo must
 * not stop the folder from syncing. */
void          allset_ignore_add_text     (AllsetIgnore  *self,
                                          const char    *text,
                                          const char    *origin);
/* Reads a pattern file (UTF-8). A missing file is not an error. */
gboolean      allset_ignore_load_file    (AllsetIgnore  *self,
                                          const char    *filename,
                                          GError       **error);

/* Is path (NFC, relative to the folder root) ignored? Every ancestor is
 * checked as a directory first. */
gboolean      allset_ignore_match        (const AllsetIgnore *self,
                                          const char         *path,
                                          gboolean            is_dir);
/* The same for one entry whose ancestors are known not to be ignored
 * (the scanner checks them on the way down): cheaper, one level only. */
gboolean      allset_ignore_match_entry  (const AllsetIgnore *self,
                                          const char         *path,
                                          gboolean            is_dir);
/* Tests: match every rule through the general glob matcher, without the
 * shortcuts for names, "*.ext" and "prefix*" (they must agree). */
void          allset_ignore_set_glob_only (AllsetIgnore *self,
                                           gboolean      glob_only);

G_END_DECLS
