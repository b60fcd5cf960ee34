/* allset-store-private.h — internals shared by the allset-store-*.c files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "allset-store.h"

G_BEGIN_DECLS

struct _AllsetStore
{
  GObject     parent_instance;

  /* One connection, opened without SQLite's own mutex: every entry point
   * takes this lock, which also keeps a transaction to one caller. */
  GMutex      mutex;
  sqlite3    *db;
  char       *path;
  GHashTable *stmts;   /* SQL text → sqlite3_stmt, prepared once */

  /* A second, read-only connection for the lookups every request makes
   * (its token, its account, "which chunks are missing"): in WAL mode it
   * reads the last committed state while a commit of thousands of files
   * holds the connection above, instead of queueing behind it. */
  GMutex      read_mutex;
  sqlite3    *read_db;
  GHashTable *read_stmts;
};

/* A borrowed cached statement. g_autoptr(StoreStmt) resets it on scope
 * exit so no read snapshot stays open behind our back. */
typedef sqlite3_stmt StoreStmt;
void        allset_store_stmt_release (StoreStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreStmt, allset_store_stmt_release)

/* Caller holds the lock. sql must be a string literal (it is the cache
 * key). Never fails for our own SQL short of memory exhaustion or a
 * corrupt database; then NULL with error set. */
StoreStmt  *allset_store_stmt         (AllsetStore   *self,
                                       const char    *sql,
                                       GError       **error);

/* The same on the read-only connection; the caller holds read_mutex. */
StoreStmt  *allset_store_read_stmt    (AllsetStore   *self,
                                       const char    *sql,
                                       GError       **error);

/* Maps the connection's last error to ALLSET_PROTOCOL_ERROR:
 * SQLITE_FULL → STORAGE_FULL, everything else → INTERNAL. Returns FALSE. */
gboolean    allset_store_sqlite_error (AllsetStore   *self,
                                       int            rc,
                                       const char    *what,
                                       GError       **error);
/* Runs a statement that returns no rows, then resets it. */
gboolean    allset_store_step_done    (AllsetStore   *self,
                                       StoreStmt     *stmt,
                                       const char    *what,
                                       GError       **error);
gboolean    allset_store_exec         (AllsetStore   *self,
                                       const char    *sql,
                                       GError       **error);

/* BEGIN IMMEDIATE: takes SQLite's write lock up front so a concurrent
 * writer (the admin command) waits in busy_timeout rather than failing
 * with SQLITE_BUSY halfway through a batch. */
gboolean    allset_store_begin        (AllsetStore   *self,
                                       GError       **error);
gboolean    allset_store_commit_tx    (AllsetStore   *self,
                                       GError       **error);
void        allset_store_rollback     (AllsetStore   *self);

gint64      allset_store_now          (void);

/* An upload is committed soon after its chunks arrive; chunks younger than
 * this (seconds) are never collected, referenced or not. */
#define ALLSET_STORE_CHUNK_GRACE (24 * 60 * 60)

static inline void
store_bind_hash (sqlite3_stmt     *stmt,
                 int               index,
                 const AllsetHash *hash)
{
  sqlite3_bind_blob (stmt, index, hash->bytes, ALLSET_HASH_LEN, SQLITE_STATIC);
}

/* FALSE when the column is NULL or not 32 bytes long. */
gboolean    allset_store_column_hash  (sqlite3_stmt  *stmt,
                                       int            column,
                                       AllsetHash    *out);
char       *allset_store_column_hex   (sqlite3_stmt  *stmt,
                                       int            column);
char       *allset_store_column_strdup (sqlite3_stmt *stmt,
                                       int            column);

/* The columns allset_store_stored_chunk_from_row() reads, in its order. */
#define ALLSET_STORE_CHUNK_PLACE "size, data, pack_id, pack_offset"
void        allset_store_stored_chunk_from_row (sqlite3_stmt      *stmt,
                                                int                first,
                                                AllsetStoredChunk *chunk);

/* The columns allset_store_share_from_row() reads, in its order (shares
 * are read by allset-store-shares.c and allset-store-share-reports.c). */
#define ALLSET_STORE_SHARE_COLUMNS \
  "id, account_id, path, kind, token_prefix, created_at, expires_at, " \
  "password_hash, max_downloads, downloads, revoked, suspended_at, suspended_reason"
AllsetShare *allset_store_share_from_row (sqlite3_stmt *stmt);

/* Fills node->chunks from file_chunks. Lock held. */
gboolean    allset_store_load_chunks  (AllsetStore   *self,
                                       gint64         account_id,
                                       const AllsetHash *file_id,
                                       AllsetNode    *node,
                                       GError       **error);

/* ─── Write batches (allset-store-tree.c) ─────────────────────────────
 *
 * A batch is one write transaction on one account: commit, version restore
 * and trash restore all run through it so seqs, usage and quota behave the
 * same everywhere. */

/* The receipts a batch made, signed together when it ends
 * (allset-store-receipts.c). */
typedef struct _StoreReceipts StoreReceipts;

StoreReceipts *allset_store_receipts_new  (void);
void           allset_store_receipts_free (StoreReceipts      *self);
/* receipt stays owned by the caller (the operation's result) and must
 * outlive allset_store_receipts_sign(). */
void           allset_store_receipts_add  (StoreReceipts      *self,
                                           gint64              version_id,
                                           AllsetReceipt      *receipt);
/* Signs every added receipt as one Merkle batch (v2 receipts) and writes
 * signature and batch columns into their version rows. Lock held, inside
 * the batch's transaction. */
gboolean       allset_store_receipts_sign (StoreReceipts      *self,
                                           AllsetStore        *store,
                                           AllsetSigner       *signer,
                                           GError            **error);
/* Fills receipt's key_id, signature and batch_* from the version row
 * columns key_id, signature, batch_root, batch_size, batch_index and
 * batch_proof, starting at column first. */
void           allset_store_receipt_columns (sqlite3_stmt     *stmt,
                                             int               first,
                                             AllsetReceipt    *receipt);
#define ALLSET_STORE_RECEIPT_COLUMNS(v) \
  v "key_id, " v "signature, " v "batch_root, " v "batch_size, " v "batch_index, " v "batch_proof"

typedef struct
{
  AllsetStore  *store;
  gint64        account_id;
  char         *username;
  AllsetSigner *signer;
  gint64        now;
  gint64        cursor;       /* last seq handed out */
  gint64        used_before;
  gint64        used;
  guint64       quota;
  /* Directories known to exist in this transaction; saves a lookup per
   * file when a batch fills one folder. Cleared when anything is removed. */
  GHashTable   *known_dirs;
  StoreReceipts *receipts;    /* to sign when the batch ends; NULL without signer */
} StoreBatch;

typedef struct
{
  char          *path;
  char          *fold;         /* key of the last component */
  AllsetNodeType type;
  gint64         revision;
  AllsetHash     file_id;
  gint64         size;
  gint64         mtime;
  gboolean       executable;
  gint64         version_id;
} StoreNodeRow;

void        allset_store_node_row_clear (StoreNodeRow *row);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StoreNodeRow, allset_store_node_row_clear)

/* A per-operation refusal: filled instead of a GError when only this
 * operation fails and the rest of the batch goes on. */
typedef struct
{
  guint           status;
  AllsetErrorCode code;
  char           *message;
  gint64          current_revision;
} StoreRefusal;

void        allset_store_refusal_clear (StoreRefusal *refusal);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StoreRefusal, allset_store_refusal_clear)

/* The case-insensitive key of one name (allset_path_fold(), with a fast
 * path for ASCII, which is most names). */
char       *allset_store_fold         (const char          *name);

/* Looks up the entry of path's directory whose name folds like the last
 * component of path: that is path itself when row->path equals path, a
 * case-variant otherwise. FALSE with error unset when there is none. */
gboolean    allset_store_node_probe   (AllsetStore         *self,
                                       gint64               account_id,
                                       const char          *path,
                                       StoreNodeRow        *row,
                                       GError             **error);

gboolean    allset_store_batch_begin  (StoreBatch          *batch,
                                       AllsetStore         *self,
                                       gint64               account_id,
                                       AllsetSigner        *signer,
                                       GError             **error);
/* Checks the quota, stores cursor and usage, commits. On failure the
 * transaction is rolled back. Always releases the batch's memory. */
gboolean    allset_store_batch_finish (StoreBatch          *batch,
                                       GError             **error);
void        allset_store_batch_abort  (StoreBatch          *batch);

/* The live node at exactly path. FALSE with error unset when none. */
gboolean    allset_store_node_find    (StoreBatch          *batch,
                                       const char          *path,
                                       StoreNodeRow        *row,
                                       GError             **error);
/* Checks that path's parents exist as directories or can be made (no file
 * in the way, no case-variant). Returns the missing ones, top-down, in
 * *missing. FALSE with refusal filled, or with error set for a database
 * failure. */
gboolean    allset_store_plan_parents (StoreBatch          *batch,
                                       const char          *path,
                                       GPtrArray          **missing,
                                       StoreRefusal        *refusal,
                                       GError             **error);
gboolean    allset_store_make_dirs    (StoreBatch          *batch,
                                       GPtrArray           *missing,
                                       GError             **error);
gboolean    allset_store_change_add   (StoreBatch          *batch,
                                       AllsetOpKind         op,
                                       const char          *path,
                                       const char          *to,
                                       const StoreNodeRow  *file,
                                       gint64              *seq_out,
                                       GError             **error);
/* Inserts a live node (file or dir) with revision row->revision. */
gboolean    allset_store_node_insert  (StoreBatch          *batch,
                                       const StoreNodeRow  *row,
                                       GError             **error);
/* Records a new file version at path and makes it live (creating or
 * updating the node): change row, version row, receipt. */
AllsetOpResult *allset_store_put_version (StoreBatch       *batch,
                                       const char          *path,
                                       const StoreNodeRow  *existing, /* NULL: new node */
                                       const AllsetHash    *file_id,
                                       const AllsetChunkRef *chunks,
                                       guint                n_chunks,
                                       gint64               size,
                                       gint64               mtime,
                                       gboolean             executable,
                                       GError             **error);

/* Fills refusal and returns FALSE. */
gboolean    allset_store_refuse       (StoreRefusal        *refusal,
                                       guint                status,
                                       AllsetErrorCode      code,
                                       gint64               current_revision,
                                       const char          *format,
                                       ...) G_GNUC_PRINTF (5, 6);

AllsetOpResult *allset_store_op_result_ok       (gint64 revision);
AllsetOpResult *allset_store_op_result_refused  (StoreRefusal *refusal);

G_END_DECLS
