/* allset-journal-private.h — internals shared by the allset-journal*.c files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <string.h>

#include <sqlite3.h>

#include "allset-journal.h"

G_BEGIN_DECLS

struct _AllsetJournal
{
  GObject     parent_instance;

  /* One connection opened without SQLite's own mutex. Every entry point
   * takes this lock; a transaction keeps it from begin() to commit(), so
   * no other thread's writes slip into someone else's batch. Recursive
   * because entry points call each other and run inside begin(). */
  GRecMutex   lock;
  sqlite3    *db;
  char       *path;
  GHashTable *stmts;     /* SQL text → sqlite3_stmt, prepared once */
  guint       tx_depth;  /* 0: no transaction; n > 1: savepoints */
};

/* A borrowed cached statement; g_autoptr(JournalStmt) resets it on scope
 * exit so no read snapshot stays open behind our back. */
typedef sqlite3_stmt JournalStmt;
void         allset_journal_stmt_release (JournalStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JournalStmt, allset_journal_stmt_release)

/* Locks for the scope of the calling block. */
typedef AllsetJournal JournalLocker;
static inline JournalLocker *
journal_locker_new (AllsetJournal *self)
{
  g_rec_mutex_lock (&self->lock);
  return self;
}
static inline void
journal_locker_free (JournalLocker *self)
{
  g_rec_mutex_unlock (&self->lock);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JournalLocker, journal_locker_free)

/* Lock held. sql must be a string literal: its address is the cache key. */
JournalStmt *allset_journal_stmt         (AllsetJournal  *self,
                                          const char     *sql,
                                          GError        **error);
/* Sets error from the connection's last error; returns FALSE. */
typedef gpointer (*JournalRowFunc) (JournalStmt *stmt);
/* Runs sql, whose one parameter is bound to path, under the lock and
 * returns row_func's entry for its row; NULL when there is none, or on an
 * SQLite failure (error set, naming what). */
gpointer     allset_journal_get_by_path  (AllsetJournal  *self,
                                          const char     *sql,
                                          const char     *path,
                                          JournalRowFunc  row_func,
                                          const char     *what,
                                          GError        **error);
gboolean     allset_journal_sqlite_error (AllsetJournal  *self,
                                          int             rc,
                                          const char     *what,
                                          GError        **error);
/* Steps a statement that returns no rows, then resets it. */
gboolean     allset_journal_step_done    (AllsetJournal  *self,
                                          JournalStmt    *stmt,
                                          const char     *what,
                                          GError        **error);

/* Subtree matching on a TEXT primary key, as one index range: the
 * descendants of P are the keys in (P || '/', P || '0'), since '0' is the
 * byte after '/'. The wider range [P, P || '0') also holds siblings such
 * as "P.txt" (bytes below '0'), which the last term drops. ?N is the
 * path, never "" (the root: leave the condition out). An OR with a term
 * on ?N alone would be simpler but stops SQLite from using the index. */
#define JOURNAL_SUBTREE(col, n) \
  "(" col " >= ?" n " AND " col " < ?" n " || '0' AND " \
  "(" col " = ?" n " OR " col " > ?" n " || '/'))"
/* Strictly below ?N. */
#define JOURNAL_BELOW(col, n) \
  "(" col " > ?" n " || '/' AND " col " < ?" n " || '0')"

/* Binds text that outlives the statement's step (SQLITE_STATIC). */
static inline void
journal_bind_text (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

static inline char *
journal_column_strdup (sqlite3_stmt *stmt,
                       int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* SQLite's page cache, per connection. */
#define JOURNAL_CACHE_KIB 2048
#define JOURNAL_SNAPSHOT_CACHE_KIB 64

/* A snapshot reads each page of a table once, so the cache gains nothing
 * from keeping them: while one runs (reading TRUE), the cache is cut to
 * a few pages. A pass over 100 000 files peaks as its last snapshot
 * ends, when 2 MB of pages were 5 % of its memory. Lock held, outside
 * a write transaction. */
void         journal_snapshot_cache     (AllsetJournal  *self,
                                         gboolean        reading);

/* The column's text as an entry string (allset-journal-entry.h): another
 * reference to shared when that holds the same text, which is how the
 * views of one path come to share their strings; NULL for NULL. */
static inline char *
journal_column_entry_string (sqlite3_stmt *stmt,
                             int           column,
                             char         *shared)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);
  gsize len = (gsize) sqlite3_column_bytes (stmt, column);

  if (text == NULL)
    return NULL;
  if (shared != NULL && strncmp (shared, text, len) == 0 && shared[len] == '\0')
    return allset_entry_string_acquire (shared);
  return allset_entry_string_new_len (text, len);
}

/* Deletes then renames rows of table (path column "path") from → to.
 * Lock held, inside a transaction. */
gboolean     allset_journal_rename_rows  (AllsetJournal  *self,
                                          const char     *table,
                                          const char     *from,
                                          const char     *to,
                                          GError        **error);

G_END_DECLS
