/* allset-store.c — the metadata database: connection, schema, settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-store-private.h"

G_DEFINE_FINAL_TYPE (AllsetStore, allset_store, G_TYPE_OBJECT)

/* Each entry moves the schema from user_version N to N + 1. Never edit a
 * shipped entry: add one. */
static const char * const migrations[] = {
  /* 1 */
  "CREATE TABLE settings ("
  "  key   TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"

  /* cursor and used are kept here so a commit needs neither MAX(seq) nor a
   * SUM over the tree; every write batch updates them in its transaction. */
  "CREATE TABLE accounts ("
  "  id            INTEGER PRIMARY KEY,"
  "  username      TEXT NOT NULL UNIQUE,"
  "  name          TEXT NOT NULL DEFAULT '',"
  "  email         TEXT NOT NULL DEFAULT '',"
  "  password_hash TEXT NOT NULL DEFAULT '',"
  "  quota         INTEGER NOT NULL DEFAULT 0,"
  "  suspended     INTEGER NOT NULL DEFAULT 0,"
  "  created_at    INTEGER NOT NULL,"
  "  cursor        INTEGER NOT NULL DEFAULT 0,"
  "  used          INTEGER NOT NULL DEFAULT 0"
  ");"

  "CREATE TABLE devices ("
  "  device_id    TEXT PRIMARY KEY,"
  "  account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  name         TEXT NOT NULL DEFAULT '',"
  "  token_hash   BLOB NOT NULL UNIQUE,"
  "  created_at   INTEGER NOT NULL,"
  "  last_seen_at INTEGER NOT NULL,"
  "  expires_at   INTEGER NOT NULL DEFAULT 0,"
  "  revoked      INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"
  "CREATE INDEX devices_account ON devices (account_id);"

  /* A rowid table rather than WITHOUT ROWID: inline data reaches 64 KiB,
   * far past the row size where clustered b-trees pay off. data is last
   * so lookups of size never touch its overflow pages. */
  "CREATE TABLE chunks ("
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  id         BLOB NOT NULL,"
  "  size       INTEGER NOT NULL,"
  "  added_at   INTEGER NOT NULL,"
  "  data       BLOB,"
  "  UNIQUE (account_id, id)"
  ");"

  /* Live entries only; the root is implicit. Clustered by directory:
   * fold is the case-folded name, so one key lookup answers both "does
   * this path exist" and "does a name differing only by case", a listing
   * is one range, and a subtree is one range of parent. */
  "CREATE TABLE nodes ("
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  parent     TEXT NOT NULL,"
  "  fold       TEXT NOT NULL,"
  "  name       TEXT NOT NULL,"
  "  type       INTEGER NOT NULL,"
  "  revision   INTEGER NOT NULL,"
  "  file_id    BLOB,"
  "  size       INTEGER NOT NULL DEFAULT 0,"
  "  mtime      INTEGER NOT NULL DEFAULT 0,"
  "  executable INTEGER NOT NULL DEFAULT 0,"
  "  version_id INTEGER,"
  "  PRIMARY KEY (account_id, parent, fold)"
  ") WITHOUT ROWID;"

  /* Every committed file version, the live ones included. path follows the
   * file through moves; receipt_path is where it was committed, as signed,
   * when that differs (NULL: path). */
  "CREATE TABLE versions ("
  "  id           INTEGER PRIMARY KEY,"
  "  account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  path         TEXT NOT NULL,"
  "  revision     INTEGER NOT NULL,"
  "  file_id      BLOB NOT NULL,"
  "  size         INTEGER NOT NULL,"
  "  mtime        INTEGER NOT NULL,"
  "  executable   INTEGER NOT NULL,"
  "  created_at   INTEGER NOT NULL,"
  "  receipt_path TEXT,"
  "  key_id       TEXT,"
  "  signature    TEXT"
  ");"
  "CREATE INDEX versions_path ON versions (account_id, path, revision);"

  /* Keyed by content, so every version of the same bytes shares rows. */
  "CREATE TABLE file_chunks ("
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  file_id    BLOB NOT NULL,"
  "  idx        INTEGER NOT NULL,"
  "  chunk_id   BLOB NOT NULL,"
  "  size       INTEGER NOT NULL,"
  "  PRIMARY KEY (account_id, file_id, idx)"
  ") WITHOUT ROWID;"

  /* AUTOINCREMENT: a trash id is never handed out twice, so a stale id in a
   * client cannot restore some later entry. */
  "CREATE TABLE trash ("
  "  id         INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  path       TEXT NOT NULL,"
  "  type       INTEGER NOT NULL,"
  "  size       INTEGER NOT NULL,"
  "  deleted_at INTEGER NOT NULL,"
  "  revision   INTEGER NOT NULL"
  ");"
  "CREATE INDEX trash_account ON trash (account_id, deleted_at);"
  "CREATE INDEX trash_deleted ON trash (deleted_at);"

  "CREATE TABLE trash_items ("
  "  trash_id   INTEGER NOT NULL REFERENCES trash (id) ON DELETE CASCADE,"
  "  account_id INTEGER NOT NULL,"
  "  path       TEXT NOT NULL,"
  "  type       INTEGER NOT NULL,"
  "  version_id INTEGER,"
  "  PRIMARY KEY (trash_id, path)"
  ") WITHOUT ROWID;"
  "CREATE INDEX trash_items_path ON trash_items (account_id, path);"

  "CREATE TABLE changes ("
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  seq        INTEGER NOT NULL,"
  "  op         INTEGER NOT NULL,"
  "  path       TEXT NOT NULL,"
  "  to_path    TEXT,"
  "  file_id    BLOB,"
  "  size       INTEGER,"
  "  mtime      INTEGER,"
  "  executable INTEGER,"
  "  PRIMARY KEY (account_id, seq)"
  ") WITHOUT ROWID;",

  /* 2: public share links (terms R2, R16). Only the SHA-256 of a token is
   * kept, so a database leak gives no usable link; token_prefix lets the
   * owner tell links apart. expires_at NULL: never. A revoked link stays
   * so that its URL answers 410 rather than 404. */
  "CREATE TABLE shares ("
  "  id            INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  path          TEXT NOT NULL,"
  "  kind          INTEGER NOT NULL,"
  "  token_hash    BLOB NOT NULL UNIQUE,"
  "  token_prefix  TEXT NOT NULL,"
  "  created_at    INTEGER NOT NULL,"
  "  expires_at    INTEGER,"
  "  password_hash TEXT,"
  "  max_downloads INTEGER NOT NULL DEFAULT 0,"
  "  downloads     INTEGER NOT NULL DEFAULT 0,"
  "  revoked       INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX shares_account ON shares (account_id, id);",

  /* 3: abuse reports on share links and their suspension by an admin
   * (terms R16). A suspended link keeps its row and its reason so that the
   * owner sees why; only an admin clears suspended_at. A report keeps the
   * reporter's address (terms R17) and the token's prefix, never the token. */
  "ALTER TABLE shares ADD COLUMN suspended_at INTEGER;"
  "ALTER TABLE shares ADD COLUMN suspended_reason TEXT;"
  "CREATE TABLE share_reports ("
  "  id           INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  share_id     INTEGER NOT NULL REFERENCES shares (id) ON DELETE CASCADE,"
  "  token_prefix TEXT NOT NULL,"
  "  reason       TEXT NOT NULL,"
  "  details      TEXT NOT NULL,"
  "  email        TEXT,"
  "  reporter_ip  TEXT,"
  "  created_at   INTEGER NOT NULL"
  ");"
  "CREATE INDEX share_reports_created ON share_reports (created_at, id);"
  "CREATE INDEX share_reports_share ON share_reports (share_id);",

  /* 4: receipts v2, one signature per commit over a Merkle tree of its
   * receipts (docs/protocol.md, "Receipts"). signature then signs the
   * batch; batch_root (32 bytes), batch_size, batch_index and batch_proof
   * (the inclusion proof's hashes back to back) rebuild the receipt. Rows
   * without batch_root keep their v1 signature. */
  "ALTER TABLE versions ADD COLUMN batch_root BLOB;"
  "ALTER TABLE versions ADD COLUMN batch_size INTEGER;"
  "ALTER TABLE versions ADD COLUMN batch_index INTEGER;"
  "ALTER TABLE versions ADD COLUMN batch_proof BLOB;",

  /* 5: pack files (DESIGN.md §3). A pack request's records go, as they
   * came, into one file of the chunk store, and a chunk's row says where
   * its bytes start. Inline BLOBs were written twice (WAL, then the
   * database) on two pages each, under the store's lock: a pack of 4 000
   * files held it for ~250 ms. The row of a pack is made before its file,
   * so a crash leaves at worst an empty pack row for collection, never a
   * file no row names. AUTOINCREMENT: a pack id, hence a file name, is
   * never handed out twice. */
  "CREATE TABLE packs ("
  "  id         INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  size       INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL"
  ");"
  "ALTER TABLE chunks ADD COLUMN pack_id INTEGER REFERENCES packs (id);"
  "ALTER TABLE chunks ADD COLUMN pack_offset INTEGER;"
  "CREATE INDEX chunks_pack ON chunks (pack_id) WHERE pack_id IS NOT NULL;",

  /* 6: segments, packs that large chunks are appended to one by one
   * (allset-segments.c). Their records start on align-byte boundaries so
   * that they can be written around the page cache; the gap after a
   * record is padding, not a dead record, when the collector weighs a
   * pack. Packs of small chunks are align 1: records back to back. */
  "ALTER TABLE packs ADD COLUMN align INTEGER NOT NULL DEFAULT 1;",
};

void
allset_account_free (AllsetAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->username);
  g_free (account->name);
  g_free (account->email);
  g_free (account->password_hash);
  g_free (account);
}

void
allset_device_free (AllsetDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->device_id);
  g_free (device->name);
  g_free (device);
}

void
allset_op_free (AllsetOp *op)
{
  if (op == NULL)
    return;
  g_free (op->path);
  g_free (op->to);
  g_clear_pointer (&op->chunks, g_array_unref);
  g_free (op);
}

void
allset_op_result_free (AllsetOpResult *result)
{
  if (result == NULL)
    return;
  g_free (result->error_message);
  g_free (result->file_id);
  g_free (result->path);
  g_clear_pointer (&result->receipt, allset_receipt_free);
  g_free (result);
}

void
allset_node_free (AllsetNode *node)
{
  if (node == NULL)
    return;
  g_free (node->path);
  g_free (node->name);
  g_free (node->file_id);
  g_clear_pointer (&node->chunks, g_array_unref);
  g_clear_pointer (&node->receipt, allset_receipt_free);
  g_free (node);
}

void
allset_change_free (AllsetChange *change)
{
  if (change == NULL)
    return;
  g_free (change->path);
  g_free (change->to);
  g_free (change->file_id);
  g_free (change);
}

void
allset_trash_entry_free (AllsetTrashEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->path);
  g_free (entry);
}

static void
allset_store_finalize (GObject *object)
{
  AllsetStore *self = (AllsetStore *)object;

  /* Statements first: sqlite3_close() refuses while any is alive. */
  g_clear_pointer (&self->read_stmts, g_hash_table_unref);
  if (self->read_db != NULL)
    sqlite3_close (self->read_db);
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);
  g_mutex_clear (&self->read_mutex);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (allset_store_parent_class)->finalize (object);
}

static void
allset_store_class_init (AllsetStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = allset_store_finalize;
}

static void
stmt_finalize (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
allset_store_init (AllsetStore *self)
{
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->read_mutex);
  /* Keyed by the address of the SQL text: every call site passes the same
   * literal, and hashing a pointer is cheaper than hashing the query. */
  self->stmts = g_hash_table_new_full (NULL, NULL, NULL, stmt_finalize);
  self->read_stmts = g_hash_table_new_full (NULL, NULL, NULL, stmt_finalize);
}

gint64
allset_store_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

gboolean
allset_store_sqlite_error (AllsetStore  *self,
                           int           rc,
                           const char   *what,
                           GError      **error)
{
  int primary = rc & 0xff;
  AllsetErrorCode code = ALLSET_ERROR_INTERNAL;

  if (primary == SQLITE_FULL)
    code = ALLSET_ERROR_STORAGE_FULL;

  g_set_error (error, ALLSET_PROTOCOL_ERROR, code, "%s: %s (%d)",
               what, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc), rc);
  return FALSE;
}

void
allset_store_stmt_release (StoreStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static StoreStmt *
cached_stmt (sqlite3      *db,
             GHashTable   *cache,
             const char   *sql,
             GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = g_hash_table_lookup (cache, sql);
  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL, "prepare: %s (%d)",
                   sqlite3_errmsg (db), rc);
      return NULL;
    }

  g_hash_table_insert (cache, (gpointer) sql, stmt);
  return stmt;
}

StoreStmt *
allset_store_stmt (AllsetStore  *self,
                   const char   *sql,
                   GError      **error)
{
  return cached_stmt (self->db, self->stmts, sql, error);
}

StoreStmt *
allset_store_read_stmt (AllsetStore  *self,
                        const char   *sql,
                        GError      **error)
{
  return cached_stmt (self->read_db, self->read_stmts, sql, error);
}

gboolean
allset_store_step_done (AllsetStore  *self,
                        StoreStmt    *stmt,
                        const char   *what,
                        GError      **error)
{
  int rc = sqlite3_step (stmt);

  allset_store_stmt_release (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return allset_store_sqlite_error (self, rc, what, error);
  return TRUE;
}

gboolean
allset_store_exec (AllsetStore  *self,
                   const char   *sql,
                   GError      **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return allset_store_sqlite_error (self, rc, sql, error);
  return TRUE;
}

gboolean
allset_store_begin (AllsetStore  *self,
                    GError      **error)
{
  return allset_store_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
allset_store_commit_tx (AllsetStore  *self,
                        GError      **error)
{
  if (!allset_store_exec (self, "COMMIT", error))
    {
      allset_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

void
allset_store_rollback (AllsetStore *self)
{
  /* SQLite may already have rolled back by itself (SQLITE_FULL, IOERR). */
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
allset_store_column_hash (sqlite3_stmt *stmt,
                          int           column,
                          AllsetHash   *out)
{
  const void *blob = sqlite3_column_blob (stmt, column);

  if (blob == NULL || sqlite3_column_bytes (stmt, column) != ALLSET_HASH_LEN)
    return FALSE;
  memcpy (out->bytes, blob, ALLSET_HASH_LEN);
  return TRUE;
}

char *
allset_store_column_hex (sqlite3_stmt *stmt,
                         int           column)
{
  AllsetHash hash;

  if (!allset_store_column_hash (stmt, column, &hash))
    return NULL;
  return allset_hash_to_hex (&hash);
}

char *
allset_store_column_strdup (sqlite3_stmt *stmt,
                            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
query_int (AllsetStore  *self,
           const char   *sql,
           gint64       *out,
           GError      **error)
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
    return allset_store_sqlite_error (self, rc, sql, error);
  return TRUE;
}

static gboolean
configure (AllsetStore  *self,
           GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *mode = NULL;
  gboolean wal;

  sqlite3_busy_timeout (self->db, 5000);

  /* journal_mode answers with the mode it ended up in; a filesystem that
   * cannot do WAL would silently keep DELETE, which we want to know. */
  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      return allset_store_sqlite_error (self, sqlite3_errcode (self->db), "journal_mode", error);
    }
  mode = (const char *) sqlite3_column_text (stmt, 0);
  wal = mode != NULL && g_ascii_strcasecmp (mode, "wal") == 0;
  sqlite3_finalize (stmt);
  if (!wal)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                   "%s: cannot use write-ahead logging", self->path);
      return FALSE;
    }

  /* FULL: in WAL mode NORMAL may lose the last commits on power loss, and a
   * receipt promises the version is kept. */
  return allset_store_exec (self,
                            "PRAGMA synchronous=FULL;"
                            "PRAGMA foreign_keys=ON;"
                            "PRAGMA temp_store=MEMORY;"
                            "PRAGMA cache_size=-16384;",
                            error);
}

static gboolean
migrate (AllsetStore  *self,
         GError      **error)
{
  gint64 version = 0;

  if (!allset_store_begin (self, error))
    return FALSE;

  /* Read inside the write transaction: the admin command may be opening
   * the same fresh database at this very moment. */
  if (!query_int (self, "PRAGMA user_version", &version, error))
    goto fail;

  if (version > (gint64) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                   "%s: schema version %" G_GINT64_FORMAT " is newer than this "
                   "server understands (%u)", self->path, version,
                   (guint) G_N_ELEMENTS (migrations));
      goto fail;
    }

  for (gint64 v = version; v < (gint64) G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *bump = NULL;

      if (!allset_store_exec (self, migrations[v], error))
        goto fail;
      bump = g_strdup_printf ("PRAGMA user_version=%" G_GINT64_FORMAT, v + 1);
      if (!allset_store_exec (self, bump, error))
        goto fail;
    }

  return allset_store_commit_tx (self, error);

fail:
  allset_store_rollback (self);
  return FALSE;
}

AllsetStore *
allset_store_open (const char  *db_path,
                   GError     **error)
{
  g_autoptr(AllsetStore) self = NULL;
  int rc;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (ALLSET_TYPE_STORE, NULL);
  self->path = g_strdup (db_path);

  rc = sqlite3_open_v2 (db_path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                   "%s: %s", db_path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, TRUE);

  if (!configure (self, error) || !migrate (self, error))
    return NULL;

  /* Opened once the schema is there, so it never sees an older one. */
  rc = sqlite3_open_v2 (db_path, &self->read_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                   "%s: %s", db_path,
                   self->read_db ? sqlite3_errmsg (self->read_db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->read_db, TRUE);
  sqlite3_busy_timeout (self->read_db, 5000);

  return g_steal_pointer (&self);
}

char *
allset_store_setting_get (AllsetStore *self,
                          const char  *key)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self, "SELECT value FROM settings WHERE key = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return allset_store_column_strdup (stmt, 0);
}

gboolean
allset_store_setting_set (AllsetStore  *self,
                          const char   *key,
                          const char   *value,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  if (value == NULL)
    stmt = allset_store_stmt (self, "DELETE FROM settings WHERE key = ?", error);
  else
    stmt = allset_store_stmt (self,
                              "INSERT INTO settings (key, value) VALUES (?, ?) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return allset_store_step_done (self, stmt, "setting", error);
}
