/* allset-journal.c — what one synced folder remembers: connection, schema,
 * transactions, meta and base
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "allset-journal-private.h"

G_DEFINE_FINAL_TYPE (AllsetJournal, allset_journal, G_TYPE_OBJECT)

/* Each entry moves the schema from user_version N to N + 1. Never edit a
 * shipped entry: add one. */
static const char * const migrations[] = {
  /* 1 */
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"

  /* Types and states are words, not numbers: the journal is the first
   * thing one opens with sqlite3 when a sync goes wrong. */
  "CREATE TABLE base ("
  "  path        TEXT PRIMARY KEY,"
  "  type        TEXT NOT NULL CHECK (type IN ('file', 'dir')),"
  "  file_id     TEXT,"
  "  size        INTEGER NOT NULL DEFAULT 0,"
  "  mtime_ns    INTEGER NOT NULL DEFAULT 0,"
  "  executable  INTEGER NOT NULL DEFAULT 0,"
  "  revision    INTEGER NOT NULL DEFAULT 0,"
  "  inode       INTEGER NOT NULL DEFAULT 0,"
  "  dev         INTEGER NOT NULL DEFAULT 0,"
  "  state       TEXT NOT NULL CHECK (state IN ('pending', 'uploaded', 'verified')),"
  "  receipt     TEXT,"
  "  verified_at INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"

  "CREATE TABLE remote ("
  "  path       TEXT PRIMARY KEY,"
  "  type       TEXT NOT NULL CHECK (type IN ('file', 'dir')),"
  "  revision   INTEGER NOT NULL,"
  "  file_id    TEXT,"
  "  size       INTEGER NOT NULL DEFAULT 0,"
  "  mtime      INTEGER NOT NULL DEFAULT 0,"
  "  executable INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"

  "CREATE TABLE remote_moves ("
  "  seq       INTEGER PRIMARY KEY,"
  "  from_path TEXT NOT NULL,"
  "  to_path   TEXT NOT NULL"
  ");"

  "CREATE TABLE local ("
  "  path       TEXT PRIMARY KEY,"
  "  disk_path  TEXT,"
  "  type       TEXT NOT NULL CHECK (type IN ('file', 'dir', 'other')),"
  "  size       INTEGER NOT NULL DEFAULT 0,"
  "  mtime_ns   INTEGER NOT NULL DEFAULT 0,"
  "  executable INTEGER NOT NULL DEFAULT 0,"
  "  inode      INTEGER NOT NULL DEFAULT 0,"
  "  dev        INTEGER NOT NULL DEFAULT 0,"
  "  file_id    TEXT,"
  "  flags      INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"

  /* Clustered by path so that replacing a file's chunks is one range;
   * the index answers "where is this chunk" for downloads. Binary ids:
   * half the size of hex in both. */
  "CREATE TABLE local_chunks ("
  "  path          TEXT NOT NULL,"
  "  offset        INTEGER NOT NULL,"
  "  chunk_id      BLOB NOT NULL,"
  "  size          INTEGER NOT NULL,"
  "  file_size     INTEGER NOT NULL,"
  "  file_mtime_ns INTEGER NOT NULL,"
  "  PRIMARY KEY (path, offset)"
  ") WITHOUT ROWID;"
  "CREATE INDEX local_chunks_id ON local_chunks (chunk_id);"

  "CREATE TABLE issues ("
  "  origin  TEXT NOT NULL,"
  "  path    TEXT NOT NULL,"
  "  kind    TEXT NOT NULL,"
  "  message TEXT NOT NULL,"
  "  seen_at INTEGER NOT NULL,"
  "  PRIMARY KEY (origin, path, kind)"
  ") WITHOUT ROWID;",

  /* 2: receipts (~1.3 KB of JSON each) in a table of their own. Inline,
   * they made base rows ten times their size, and every pass reads the
   * whole base without them: 13 MB of pages for 10 000 files. */
  "CREATE TABLE receipts ("
  "  path    TEXT PRIMARY KEY,"
  "  receipt TEXT NOT NULL"
  ") WITHOUT ROWID;"
  "INSERT INTO receipts (path, receipt) SELECT path, receipt FROM base WHERE receipt IS NOT NULL;"
  "ALTER TABLE base DROP COLUMN receipt;",

  /* 3: receipts in a rowid table. A WITHOUT ROWID row larger than about
   * a quarter of a page (~1 000 bytes of 4 KiB) spills into an overflow
   * page of its own, and a receipt is ~1 030 bytes: 10 000 of them took
   * 45 MB of pages (and of writes) for 10 MB of text. A rowid table keeps
   * rows of up to ~4 000 bytes in its leaves. */
  "CREATE TABLE receipts_by_rowid ("
  "  path    TEXT PRIMARY KEY,"
  "  receipt TEXT NOT NULL"
  ");"
  "INSERT INTO receipts_by_rowid (path, receipt) SELECT path, receipt FROM receipts;"
  "DROP TABLE receipts;"
  "ALTER TABLE receipts_by_rowid RENAME TO receipts;",
};

static void
allset_journal_finalize (GObject *object)
{
  AllsetJournal *self = (AllsetJournal *)object;

  if (self->tx_depth > 0)
    g_critical ("Journal %s finalized inside a transaction", self->path);

  /* Statements first: sqlite3_close() refuses while any is alive. */
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (allset_journal_parent_class)->finalize (object);
}

static void
allset_journal_class_init (AllsetJournalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = allset_journal_finalize;
}

static void
stmt_finalize (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
allset_journal_init (AllsetJournal *self)
{
  g_rec_mutex_init (&self->lock);
  self->stmts = g_hash_table_new_full (NULL, NULL, NULL, stmt_finalize);
}

gboolean
allset_journal_sqlite_error (AllsetJournal  *self,
                             int             rc,
                             const char     *what,
                             GError        **error)
{
  /* A full disk is the one failure the user can fix; say it plainly. */
  int code = (rc & 0xff) == SQLITE_FULL ? G_IO_ERROR_NO_SPACE : G_IO_ERROR_FAILED;

  g_set_error (error, G_IO_ERROR, code, "Journal %s: %s: %s (%d)",
               self->path, what,
               self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc), rc);
  return FALSE;
}

void
allset_journal_stmt_release (JournalStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

JournalStmt *
allset_journal_stmt (AllsetJournal  *self,
                     const char     *sql,
                     GError        **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->stmts, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      allset_journal_sqlite_error (self, rc, "prepare", error);
      return NULL;
    }
  g_hash_table_insert (self->stmts, (gpointer) sql, stmt);
  return stmt;
}

gboolean
allset_journal_step_done (AllsetJournal  *self,
                          JournalStmt    *stmt,
                          const char     *what,
                          GError        **error)
{
  int rc = sqlite3_step (stmt);

  allset_journal_stmt_release (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return allset_journal_sqlite_error (self, rc, what, error);
  return TRUE;
}

static gboolean
exec (AllsetJournal  *self,
      const char     *sql,
      GError        **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return allset_journal_sqlite_error (self, rc, sql, error);
  return TRUE;
}

/* ─── Transactions ─────────────────────────────────────────────────── */

/* Savepoints are taken once per row written in a batch (a base row and
 * its receipt, a change of the feed): prepared once, not parsed by
 * sqlite3_exec() each time. Deeper nesting than this falls back to it. */
static const char * const savepoint_sql[] = {
  "SAVEPOINT s1", "SAVEPOINT s2", "SAVEPOINT s3", "SAVEPOINT s4",
  "SAVEPOINT s5", "SAVEPOINT s6", "SAVEPOINT s7", "SAVEPOINT s8",
};
static const char * const release_sql[] = {
  "RELEASE s1", "RELEASE s2", "RELEASE s3", "RELEASE s4",
  "RELEASE s5", "RELEASE s6", "RELEASE s7", "RELEASE s8",
};

static gboolean
exec_prepared (AllsetJournal  *self,
               const char     *sql,
               GError        **error)
{
  JournalStmt *stmt = allset_journal_stmt (self, sql, error);

  return stmt != NULL && allset_journal_step_done (self, stmt, sql, error);
}

gboolean
allset_journal_begin (AllsetJournal  *self,
                      GError        **error)
{
  g_autofree char *sql = NULL;
  gboolean ok;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  /* IMMEDIATE: take the write lock now, so a second process on the same
   * journal (the CLI while the app runs) waits in busy_timeout instead of
   * failing with SQLITE_BUSY halfway through a batch. */
  if (self->tx_depth == 0)
    ok = exec (self, "BEGIN IMMEDIATE", error);
  else if (self->tx_depth <= G_N_ELEMENTS (savepoint_sql))
    ok = exec_prepared (self, savepoint_sql[self->tx_depth - 1], error);
  else
    {
      sql = g_strdup_printf ("SAVEPOINT s%u", self->tx_depth);
      ok = exec (self, sql, error);
    }

  if (!ok)
    {
      g_rec_mutex_unlock (&self->lock);
      return FALSE;
    }
  self->tx_depth++;
  return TRUE;
}

gboolean
allset_journal_commit (AllsetJournal  *self,
                       GError        **error)
{
  g_autofree char *sql = NULL;
  gboolean ok;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  if (self->tx_depth == 1)
    ok = exec (self, "COMMIT", error);
  else if (self->tx_depth - 1 <= G_N_ELEMENTS (release_sql))
    ok = exec_prepared (self, release_sql[self->tx_depth - 2], error);
  else
    {
      sql = g_strdup_printf ("RELEASE s%u", self->tx_depth - 1);
      ok = exec (self, sql, error);
    }
  if (!ok)
    {
      /* The lock is released either way: a failed commit is rolled back
       * so the caller's view of "nothing happened" holds. */
      allset_journal_rollback (self);
      return FALSE;
    }
  self->tx_depth--;
  g_rec_mutex_unlock (&self->lock);
  return TRUE;
}

void
allset_journal_rollback (AllsetJournal *self)
{
  g_return_if_fail (ALLSET_IS_JOURNAL (self));
  g_return_if_fail (self->tx_depth > 0);

  if (self->tx_depth == 1)
    {
      /* SQLite may already have rolled back by itself (FULL, IOERR). */
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    }
  else if (!sqlite3_get_autocommit (self->db))
    {
      g_autofree char *sql = g_strdup_printf ("ROLLBACK TO s%u; RELEASE s%u",
                                              self->tx_depth - 1, self->tx_depth - 1);

      sqlite3_exec (self->db, sql, NULL, NULL, NULL);
    }
  self->tx_depth--;
  g_rec_mutex_unlock (&self->lock);
}

/* ─── Opening ──────────────────────────────────────────────────────── */

static gboolean
query_int (AllsetJournal  *self,
           const char     *sql,
           gint64         *out,
           GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return allset_journal_sqlite_error (self, rc, sql, error);
  return TRUE;
}

static gboolean
configure (AllsetJournal  *self,
           GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *mode;
  gboolean wal;

  sqlite3_busy_timeout (self->db, 10000);

  /* journal_mode answers with the mode it ended up in; a file system that
   * cannot do WAL (some network mounts) silently keeps DELETE, which is
   * still correct, only slower: say so and go on. */
  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      return allset_journal_sqlite_error (self, sqlite3_errcode (self->db), "journal_mode", error);
    }
  mode = (const char *) sqlite3_column_text (stmt, 0);
  wal = mode != NULL && g_ascii_strcasecmp (mode, "wal") == 0;
  sqlite3_finalize (stmt);
  if (!wal)
    g_warning ("Journal %s: no write-ahead logging on this file system", self->path);

  /* synchronous=NORMAL, and why it is safe here although the server uses
   * FULL. In WAL mode NORMAL keeps every transaction atomic and the file
   * consistent, even through power loss; what it may lose is the last few
   * commits (not yet fsynced when the power went). That is acceptable
   * only because of how the journal is written:
   *
   *  - every row records a fact after it happened and is durable (the
   *    server answered 200, the rename is done): a lost tail makes the
   *    journal forget a fact, never claim one that is false. A forgotten
   *    upload or download leaves both sides equal and different from
   *    base; the reconciler then only records them (RECORD_BASE), with no
   *    transfer and no conflict copy; a forgotten move, trash or delete
   *    likewise ends as "both sides agree". A forgotten verification
   *    puts the file back to "uploaded" and it is checked again;
   *  - the feed cursor is stored in the same transaction as the changes it
   *    covers (allset_journal_apply_changes()), so both are lost together
   *    and the feed is read again from a point that matches the tree;
   *  - the local cache and chunk table are hints: losing them costs a
   *    rehash.
   *
   * In exchange no commit waits for an fsync, which keeps a scan or a
   * 10 000-entry feed batch from costing a disk flush each.
   *
   * The page cache stays at SQLite's default 2 MiB: a pass reads each
   * table once, front to back, so 8 MiB only added 6 MB to the peak RSS
   * of a pass over 100 000 files (105 → 99 MB) and saved no time
   * (first upload 28.0 / 26.5 s, no-change pass 2.1–2.4 / 1.9–2.6 s). */
  return exec (self,
               "PRAGMA synchronous=NORMAL;"
               "PRAGMA temp_store=MEMORY;"
               "PRAGMA cache_size=-" G_STRINGIFY (JOURNAL_CACHE_KIB) ";",
               error);
}

static gboolean
migrate (AllsetJournal  *self,
         GError        **error)
{
  gint64 version = 0;

  if (!allset_journal_begin (self, error))
    return FALSE;

  /* Read inside the write transaction: another process may be creating
   * the same fresh journal at this very moment. */
  if (!query_int (self, "PRAGMA user_version", &version, error))
    goto fail;

  if (version > (gint64) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "Journal %s has schema version %" G_GINT64_FORMAT ", newer than "
                   "this version of ALLSET understands (%u)", self->path, version,
                   (guint) G_N_ELEMENTS (migrations));
      goto fail;
    }

  for (gint64 v = version; v < (gint64) G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version=%" G_GINT64_FORMAT, v + 1);

      if (!exec (self, migrations[v], error) || !exec (self, bump, error))
        goto fail;
    }

  return allset_journal_commit (self, error);

fail:
  allset_journal_rollback (self);
  return FALSE;
}

char *
allset_journal_path_for_folder (const char *folder_path)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *absolute = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (folder_path != NULL, NULL);

  /* GFile makes it absolute and drops "." and ".." without touching the
   * disk, so the same folder always maps to the same journal. */
  file = g_file_new_for_path (folder_path);
  absolute = g_file_get_path (file);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, absolute, -1);
  basename = g_path_get_basename (absolute);

  /* The name is only there for a human reading the directory. */
  name = g_utf8_make_valid (basename, -1);
  for (char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && (guchar) *p < 0x80)
        *p = '_';
    }
  if (strlen (name) > 32)
    name[g_utf8_find_prev_char (name, name + 33) - name] = '\0';

  digest[16] = '\0';
  return g_strdup_printf ("%s/allset/journals/%s-%s.db",
                          g_get_user_state_dir (), name, digest);
}

AllsetJournal *
allset_journal_open (const char  *path,
                     GError     **error)
{
  g_autoptr(AllsetJournal) self = NULL;
  g_autofree char *dir = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create %s: %s", dir, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (ALLSET_TYPE_JOURNAL, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      allset_journal_sqlite_error (self, rc, "open", error);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, TRUE);

  /* Before WAL is on: SQLite gives the -wal and -shm files the mode of
   * the database file. The journal lists every file name of the folder. */
  if (g_chmod (path, 0600) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot protect %s: %s", path, g_strerror (saved));
      return NULL;
    }

  if (!configure (self, error) || !migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
allset_journal_get_path (AllsetJournal *self)
{
  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  return self->path;
}

/* ─── meta ─────────────────────────────────────────────────────────── */

char *
allset_journal_get_meta (AllsetJournal *self,
                         const char    *key)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  locker = journal_locker_new (self);
  stmt = allset_journal_stmt (self, "SELECT value FROM meta WHERE key = ?", &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return NULL;
    }
  journal_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return journal_column_strdup (stmt, 0);
  if (rc != SQLITE_DONE)
    {
      allset_journal_sqlite_error (self, rc, "meta", &error);
      g_warning ("%s", error->message);
    }
  return NULL;
}

gboolean
allset_journal_set_meta (AllsetJournal  *self,
                         const char     *key,
                         const char     *value,
                         GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  JournalStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  locker = journal_locker_new (self);
  if (value == NULL)
    stmt = allset_journal_stmt (self, "DELETE FROM meta WHERE key = ?1", error);
  else
    stmt = allset_journal_stmt (self,
                                "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                error);
  if (stmt == NULL)
    return FALSE;
  journal_bind_text (stmt, 1, key);
  if (value != NULL)
    journal_bind_text (stmt, 2, value);
  return allset_journal_step_done (self, stmt, "meta", error);
}

void
journal_snapshot_cache (AllsetJournal *self,
                        gboolean       reading)
{
  sqlite3_exec (self->db, reading ? "PRAGMA cache_size=-" G_STRINGIFY (JOURNAL_SNAPSHOT_CACHE_KIB)
                                  : "PRAGMA cache_size=-" G_STRINGIFY (JOURNAL_CACHE_KIB),
                NULL, NULL, NULL);
}

gint64
allset_journal_get_cursor (AllsetJournal *self)
{
  g_autofree char *value = allset_journal_get_meta (self, ALLSET_JOURNAL_META_CURSOR);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
}

gboolean
allset_journal_set_cursor (AllsetJournal  *self,
                           gint64          cursor,
                           GError        **error)
{
  char value[24];

  g_snprintf (value, sizeof value, "%" G_GINT64_FORMAT, cursor);
  return allset_journal_set_meta (self, ALLSET_JOURNAL_META_CURSOR, value, error);
}

/* ─── Renaming subtrees ────────────────────────────────────────────── */

typedef struct
{
  const char *table;
  const char *remove;
  const char *rename;
} RenameSql;

/* substr() and length() both count characters on TEXT, so the suffix
 * after "from" is cut right for any name, ASCII or not. */
#define RENAME_SQL(t) \
  { t, \
    "DELETE FROM " t " WHERE " JOURNAL_SUBTREE ("path", "2"), \
    "UPDATE " t " SET path = ?2 || substr (path, length (?1) + 1) " \
    "WHERE " JOURNAL_SUBTREE ("path", "1") }

static const RenameSql rename_sql[] = {
  RENAME_SQL ("base"),
  RENAME_SQL ("receipts"),
  RENAME_SQL ("remote"),
  RENAME_SQL ("local"),
  RENAME_SQL ("local_chunks"),
};

gboolean
allset_journal_rename_rows (AllsetJournal  *self,
                            const char     *table,
                            const char     *from,
                            const char     *to,
                            GError        **error)
{
  const RenameSql *sql = NULL;

  g_return_val_if_fail (from[0] != '\0' && to[0] != '\0', FALSE);
  g_return_val_if_fail (!allset_path_has_prefix (to, from), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (rename_sql); i++)
    {
      if (strcmp (rename_sql[i].table, table) == 0)
        sql = &rename_sql[i];
    }
  g_return_val_if_fail (sql != NULL, FALSE);

  for (guint i = 0; i < 2; i++)
    {
      JournalStmt *stmt = allset_journal_stmt (self, i == 0 ? sql->remove : sql->rename, error);

      if (stmt == NULL)
        return FALSE;
      journal_bind_text (stmt, 1, from);
      journal_bind_text (stmt, 2, to);
      if (!allset_journal_step_done (self, stmt, "rename", error))
        return FALSE;
    }
  return TRUE;
}

/* ─── rows by path ─────────────────────────────────────────────────── */

gpointer
allset_journal_get_by_path (AllsetJournal   *self,
                            const char      *sql,
                            const char      *path,
                            JournalRowFunc   row_func,
                            const char      *what,
                            GError         **error)
{
  g_autoptr(JournalLocker) locker = journal_locker_new (self);
  g_autoptr(JournalStmt) stmt = allset_journal_stmt (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  journal_bind_text (stmt, 1, path);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return row_func (stmt);
  if (rc != SQLITE_DONE)
    allset_journal_sqlite_error (self, rc, what, error);
  return NULL;
}
