/* allset-store.h — the server's metadata store (SQLite, WAL)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every function here blocks on SQLite and is thread-safe (one connection
 * behind a mutex). Call them from worker threads only, never from the main
 * loop: see allset-http.c, which runs route handlers in a GTask thread.
 *
 * Paths given to the store are already validated and NFC-normalised by the
 * caller (allset_path_normalize()). Errors use ALLSET_PROTOCOL_ERROR with an
 * AllsetErrorCode so the HTTP layer can map them to a status and code.
 */

#pragma once

#include <gio/gio.h>

#include "allset-protocol.h"

G_BEGIN_DECLS

typedef struct
{
  gint64   id;
  char    *username;
  char    *name;
  char    *email;
  char    *password_hash;   /* Argon2id encoded string */
  guint64  quota;           /* bytes, 0 = unlimited */
  gboolean suspended;
  gint64   created_at;
} AllsetAccount;

void           allset_account_free (AllsetAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetAccount, allset_account_free)

typedef struct
{
  char    *device_id;       /* 16 hex chars, random */
  gint64   account_id;
  char    *name;
  gint64   created_at;
  gint64   last_seen_at;
  gint64   expires_at;      /* 0 = never */
  gboolean revoked;
} AllsetDevice;

void           allset_device_free (AllsetDevice *device);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetDevice, allset_device_free)

typedef enum
{
  ALLSET_OP_PUT,
  ALLSET_OP_MKDIR,
  ALLSET_OP_MOVE,
  ALLSET_OP_DELETE,
} AllsetOpKind;

typedef struct
{
  AllsetOpKind kind;
  char        *path;
  char        *to;             /* ALLSET_OP_MOVE only */
  gint64       base_revision;  /* 0 = "does not exist" */
  GArray      *chunks;         /* ALLSET_OP_PUT: AllsetHash elements, in order */
  guint64      size;
  gint64       mtime;
  gboolean     executable;
} AllsetOp;

void           allset_op_free (AllsetOp *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetOp, allset_op_free)

typedef struct
{
  guint          status;           /* 200, or 409 / 422 for a per-operation failure */
  AllsetErrorCode error_code;      /* when status != 200 */
  char          *error_message;
  gint64         current_revision; /* on conflict: the entry's revision now, 0 if none */
  gint64         revision;         /* on success: the new revision */
  char          *file_id;          /* hex, put/restore only */
  AllsetReceipt *receipt;          /* put/restore only */
  char          *path;             /* trash restore: where the entry came back */
} AllsetOpResult;

void           allset_op_result_free (AllsetOpResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetOpResult, allset_op_result_free)

typedef enum
{
  ALLSET_NODE_FILE,
  ALLSET_NODE_DIR,
} AllsetNodeType;

typedef struct
{
  AllsetHash id;
  guint32    size;
} AllsetChunkRef;

typedef struct
{
  char          *path;
  char          *name;             /* last component; "" for the root */
  AllsetNodeType type;
  gint64         revision;
  char          *file_id;          /* hex; NULL for directories */
  guint64        size;
  gint64         mtime;
  gboolean       executable;
  GArray        *chunks;           /* AllsetChunkRef; filled by allset_store_get_file() only */
  AllsetReceipt *receipt;          /* filled by allset_store_get_file() only */
  gint64         created_at;       /* versions: when the version was committed */
} AllsetNode;

void           allset_node_free (AllsetNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetNode, allset_node_free)

typedef struct
{
  gint64         seq;
  AllsetOpKind   op;
  char          *path;
  char          *to;               /* moves */
  gint64         revision;
  char          *file_id;          /* puts */
  guint64        size;
  gint64         mtime;
  gboolean       executable;
} AllsetChange;

void           allset_change_free (AllsetChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetChange, allset_change_free)

typedef struct
{
  gint64         trash_id;
  char          *path;
  AllsetNodeType type;
  guint64        size;             /* a directory: the sum of its files */
  gint64         deleted_at;
  gint64         revision;         /* revision of the delete */
} AllsetTrashEntry;

void           allset_trash_entry_free (AllsetTrashEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetTrashEntry, allset_trash_entry_free)

typedef struct
{
  guint  versions_keep;   /* keep at least the last N versions of a file */
  guint  versions_days;   /* and every version younger than N days */
  guint  trash_days;      /* trash entries are purged after N days */
} AllsetRetention;

#define ALLSET_TYPE_STORE (allset_store_get_type ())
G_DECLARE_FINAL_TYPE (AllsetStore, allset_store, ALLSET, STORE, GObject)

AllsetStore   *allset_store_open               (const char        *db_path,
                                                GError           **error);

/* Settings (key/value, e.g. maintenance state) */
char          *allset_store_setting_get        (AllsetStore       *self,
                                                const char        *key);
gboolean       allset_store_setting_set        (AllsetStore       *self,
                                                const char        *key,
                                                const char        *value, /* NULL deletes */
                                                GError           **error);

/* Accounts */
gint64         allset_store_account_add        (AllsetStore       *self,
                                                const char        *username,
                                                const char        *name,
                                                const char        *email,
                                                guint64            quota,
                                                const char        *password_hash,
                                                GError           **error);
AllsetAccount *allset_store_account_lookup     (AllsetStore       *self,
                                                const char        *username,
                                                GError           **error);
AllsetAccount *allset_store_account_get        (AllsetStore       *self,
                                                gint64             account_id,
                                                GError           **error);
GPtrArray     *allset_store_account_list       (AllsetStore       *self,
                                                GError           **error);
gboolean       allset_store_account_set_password (AllsetStore     *self,
                                                gint64             account_id,
                                                const char        *password_hash,
                                                GError           **error);
gboolean       allset_store_account_set_suspended (AllsetStore    *self,
                                                gint64             account_id,
                                                gboolean           suspended,
                                                GError           **error);
gboolean       allset_store_account_set_quota  (AllsetStore       *self,
                                                gint64             account_id,
                                                guint64            quota,
                                                GError           **error);
guint64        allset_store_account_usage      (AllsetStore       *self,
                                                gint64             account_id);

/* Devices and their tokens (only the SHA-256 of a token is stored) */
char          *allset_store_device_add         (AllsetStore       *self,
                                                gint64             account_id,
                                                const char        *name,
                                                const AllsetHash  *token_hash,
                                                gint64             expires_at,
                                                GError           **error);
AllsetDevice  *allset_store_device_by_token    (AllsetStore       *self,
                                                const AllsetHash  *token_hash);
/* Devices are touched on every request; a write per request would cost an
 * fsync each, so last_seen_at only moves once this many seconds passed. A
 * caller that read the device's last_seen_at skips the call inside it: the
 * call takes the store's lock, which a large commit holds for a while. */
#define ALLSET_STORE_TOUCH_INTERVAL 60
void           allset_store_device_touch       (AllsetStore       *self,
                                                const char        *device_id,
                                                gint64             now);
/* Devices that are not revoked (expired ones included), oldest first. */
GPtrArray     *allset_store_device_list        (AllsetStore       *self,
                                                gint64             account_id);
/* FALSE when the device is not this account's or is already revoked. */
gboolean       allset_store_device_revoke      (AllsetStore       *self,
                                                gint64             account_id,
                                                const char        *device_id);
guint          allset_store_device_revoke_all  (AllsetStore       *self,
                                                gint64             account_id);

/* Chunk registry: every chunk an account holds. Large chunks' bytes are
 * objects of the chunk store named by their id; small ones are in a pack
 * of the chunk store (pack_id > 0) or, in databases from before packs,
 * inline (data != NULL). */
GArray        *allset_store_chunks_missing     (AllsetStore       *self,
                                                gint64             account_id,
                                                const AllsetHash  *ids,
                                                guint              n_ids);   /* returns guint indexes */
gboolean       allset_store_chunk_has          (AllsetStore       *self,
                                                gint64             account_id,
                                                const AllsetHash  *id);
gboolean       allset_store_chunk_add          (AllsetStore       *self,
                                                gint64             account_id,
                                                const AllsetHash  *id,
                                                guint32            size,
                                                GBytes            *inline_data, /* NULL: bytes are in the chunk store */
                                                GError           **error);

/* Where a chunk's bytes are: data (inline), or pack_id and the offset of
 * its bytes in that pack, or neither (an object of its own). size 0 when
 * the account does not hold the chunk. */
typedef struct
{
  guint32  size;
  GBytes  *data;
  gint64   pack_id;
  guint64  pack_offset;
} AllsetStoredChunk;

/* Returns FALSE if the account does not hold the chunk; *where (cleared
 * first) says where its bytes are. Clear it with allset_stored_chunk_clear(). */
gboolean       allset_store_chunk_get          (AllsetStore       *self,
                                                gint64             account_id,
                                                const AllsetHash  *id,
                                                AllsetStoredChunk *where);
void           allset_stored_chunk_clear       (AllsetStoredChunk *chunk);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AllsetStoredChunk, allset_stored_chunk_clear)

/* Reads the chunks at ids, in order, in one read transaction, for POST
 * /api/v1/chunks/fetch: stops before the chunk that would take the sum of
 * (overhead + size) over max_bytes, but always returns at least one
 * element. Elements are AllsetStoredChunk (the array clears them). */
GArray        *allset_store_chunks_read        (AllsetStore       *self,
                                                gint64             account_id,
                                                const AllsetHash  *ids,
                                                guint              n_ids,
                                                guint64            overhead,
                                                guint64            max_bytes,
                                                GError           **error);  /* AllsetStoredChunk */

/* Packs (allset-store-packs.c). A pack row comes first, then its file
 * (allset_chunk_store_pack_put()), then the rows of its chunks. */
typedef struct
{
  AllsetHash id;
  guint32    size;
  guint64    offset;   /* of the chunk's bytes, past its record's header */
} AllsetPackedChunk;
typedef struct
{
  gint64 pack_id;
  gint64 account_id;
} AllsetPackKey;

/* A new, empty pack of the account's; 0 with error set on failure. */
gint64         allset_store_pack_new           (AllsetStore       *self,
                                                gint64             account_id,
                                                GError           **error);
/* A new, empty segment of the account's: a pack whose records start on
 * align-byte boundaries, appended to while it is open (allset-segments.c). */
gint64         allset_store_segment_new        (AllsetStore       *self,
                                                gint64             account_id,
                                                guint              align,
                                                GError           **error);
/* Each account's newest segment: the only one of the account's that can
 * have been open when the server last stopped. */
GArray        *allset_store_segments_newest    (AllsetStore       *self,
                                                GError           **error);  /* AllsetPackKey */
/* Raises pack_id's size to size if it is smaller: the bytes past its last
 * registered record are then counted as dead. */
gboolean       allset_store_pack_grow          (AllsetStore       *self,
                                                gint64             pack_id,
                                                guint64            size,
                                                GError           **error);
/* Registers the chunks of pack_id, whose file holds at least size bytes,
 * in one transaction; fails if the pack was forgotten. A chunk the account already holds keeps where its bytes
 * are and only has its grace period restarted; its record in this pack
 * is dead weight until the pack is compacted. */
gboolean       allset_store_chunks_add_packed  (AllsetStore       *self,
                                                gint64             account_id,
                                                gint64             pack_id,
                                                guint64            size,
                                                const AllsetPackedChunk *chunks,
                                                guint              n_chunks,
                                                GError           **error);
/* Packs made before now - ALLSET_STORE_CHUNK_GRACE that no chunk points
 * into any more (their chunks were collected or moved, or their upload
 * never got as far as registering them). */
GArray        *allset_store_packs_empty        (AllsetStore       *self,
                                                gint64             now,
                                                GError           **error);  /* AllsetPackKey */
/* Forgets an empty pack, before its file goes; FALSE with error unset if
 * a chunk points into it after all (then the file must stay). */
gboolean       allset_store_pack_forget        (AllsetStore       *self,
                                                gint64             pack_id,
                                                GError           **error);
/* Packs made before now - ALLSET_STORE_CHUNK_GRACE holding bytes no chunk
 * row points at: collected chunks, or chunks sent twice. */
GArray        *allset_store_packs_sparse       (AllsetStore       *self,
                                                gint64             now,
                                                GError           **error);  /* AllsetPackKey */
/* The chunks whose bytes are in pack_id, by offset. */
GArray        *allset_store_pack_chunks        (AllsetStore       *self,
                                                gint64             pack_id,
                                                GError           **error);  /* AllsetPackedChunk */
/* Points the chunks of from that are listed at their offsets in to, whose
 * file holds size bytes, in one transaction. Chunks collected meanwhile
 * stay collected. */
gboolean       allset_store_pack_move          (AllsetStore       *self,
                                                gint64             from,
                                                gint64             to,
                                                guint64            size,
                                                const AllsetPackedChunk *chunks,
                                                guint              n_chunks,
                                                GError           **error);

/* Garbage collection of the chunk store's files. A chunk is unreferenced
 * when no live file, kept version or trash entry uses it; allset_store_purge()
 * drops the rows of unreferenced inline and packed chunks itself (their
 * packs are compacted by allset-pack-collect.c). This finds up to max (0 = all)
 * unreferenced file-backed chunks added more than a day ago (so an upload
 * whose commit is still to come is safe) and calls func for each while
 * holding the store's lock; func deletes the bytes and returns TRUE, then
 * the row goes. Returns the keys whose rows went. For this to be race-free
 * the chunk store must not rewrite the file of a chunk the account already
 * holds (check allset_store_chunk_has() before writing). */
typedef struct
{
  gint64     account_id;
  AllsetHash id;
} AllsetChunkKey;
typedef gboolean (*AllsetChunkCollectFunc) (gint64            account_id,
                                            const AllsetHash *id,
                                            gpointer          user_data);
GArray        *allset_store_chunks_collect     (AllsetStore       *self,
                                                gint64             now,
                                                guint              max,
                                                AllsetChunkCollectFunc func,
                                                gpointer           user_data,
                                                GError           **error); /* AllsetChunkKey */

/* The tree. Whole-batch failures (nothing applied): QUOTA_EXCEEDED,
 * STORAGE_FULL, INTERNAL, NOT_FOUND (no such account). The restores fail
 * with NOT_FOUND, CONFLICT (the path is taken), CASE_CONFLICT,
 * NOT_A_DIRECTORY or QUOTA_EXCEEDED and then change nothing. */
GPtrArray     *allset_store_commit             (AllsetStore       *self,
                                                const AllsetAccount *account,
                                                GPtrArray         *ops,        /* AllsetOp */
                                                AllsetSigner      *signer,
                                                gint64            *previous_cursor_out,
                                                gint64            *cursor_out,
                                                GError           **error);     /* returns AllsetOpResult */
gint64         allset_store_cursor             (AllsetStore       *self,
                                                gint64             account_id);
GPtrArray     *allset_store_changes            (AllsetStore       *self,
                                                gint64             account_id,
                                                gint64             after_cursor,
                                                guint              limit,
                                                gboolean          *has_more,
                                                GError           **error);     /* AllsetChange */
AllsetNode    *allset_store_get_file           (AllsetStore       *self,
                                                gint64             account_id,
                                                const char        *path,
                                                gint64             revision,   /* 0 = live */
                                                GError           **error);
/* The live files at paths, read in one transaction: n_paths elements, each
 * an AllsetNode (with chunks and receipt, as allset_store_get_file()) or
 * NULL when there is no live file there (nothing, a directory) or the path
 * is NULL (the caller refused it). NULL with error only when the database
 * fails. */
GPtrArray     *allset_store_get_files          (AllsetStore       *self,
                                                gint64             account_id,
                                                const char * const *paths,
                                                guint              n_paths,
                                                GError           **error);     /* AllsetNode or NULL */
GPtrArray     *allset_store_list               (AllsetStore       *self,
                                                gint64             account_id,
                                                const char        *dir_path,
                                                GError           **error);     /* AllsetNode */
GPtrArray     *allset_store_versions           (AllsetStore       *self,
                                                gint64             account_id,
                                                const char        *path,
                                                GError           **error);     /* AllsetNode, newest first */
AllsetOpResult *allset_store_version_restore   (AllsetStore       *self,
                                                const AllsetAccount *account,
                                                const char        *path,
                                                gint64             revision,
                                                AllsetSigner      *signer,
                                                GError           **error);
GPtrArray     *allset_store_trash_list         (AllsetStore       *self,
                                                gint64             account_id,
                                                GError           **error);     /* AllsetTrashEntry */
AllsetOpResult *allset_store_trash_restore     (AllsetStore       *self,
                                                const AllsetAccount *account,
                                                gint64             trash_id,
                                                GError           **error);
/* Drops trash entries and versions past the retention policy (never a
 * live version or one a trash entry holds) and the inline chunks nothing
 * references any more; returns how many trash entries and versions went.
 * File-backed chunks: allset_store_chunks_collect(). */
guint          allset_store_purge              (AllsetStore       *self,
                                                const AllsetRetention *retention,
                                                gint64             now,
                                                GError           **error);

/* Public share links (allset-store-shares.c). */
typedef struct
{
  gint64          id;
  gint64          account_id;
  char           *path;
  AllsetNodeType  type;
  char           *token_prefix;
  gint64          created_at;
  gint64          expires_at;      /* 0 = never */
  char           *password_hash;   /* Argon2id, NULL = no password */
  gint64          max_downloads;   /* 0 = no limit */
  gint64          downloads;
  gboolean        revoked;
  gint64          suspended_at;    /* 0 = not suspended (by an admin, terms R16) */
  char           *suspended_reason;
} AllsetShare;

void           allset_share_free (AllsetShare *share);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetShare, allset_share_free)

/* Returns the new id, 0 with error set on failure. */
gint64         allset_store_share_add          (AllsetStore       *self,
                                                const AllsetShare *share,
                                                const AllsetHash  *token_hash,
                                                GError           **error);
/* Not revoked ones, oldest first. */
GPtrArray     *allset_store_share_list         (AllsetStore       *self,
                                                gint64             account_id,
                                                GError           **error);  /* AllsetShare */
/* Revoked ones included; NULL when none has this hash. */
AllsetShare   *allset_store_share_by_token     (AllsetStore       *self,
                                                const AllsetHash  *token_hash);
/* NULL (error unset) unless the share is this account's and not revoked. */
AllsetShare   *allset_store_share_get          (AllsetStore       *self,
                                                gint64             account_id,
                                                gint64             share_id,
                                                GError           **error);
gboolean       allset_store_share_revoke       (AllsetStore       *self,
                                                gint64             account_id,
                                                gint64             share_id);
/* Counts one download in one statement, so concurrent downloads never pass
 * the limit: FALSE when the share is revoked, expired at now or exhausted. */
gboolean       allset_store_share_count_download (AllsetStore     *self,
                                                gint64             share_id,
                                                gint64             now);

/* Abuse reports, suspension and owner changes (allset-store-share-reports.c). */
typedef struct
{
  gint64          id;
  gint64          share_id;
  char           *token_prefix;
  char           *reason;          /* illegal, copyright, malware, personal, other */
  char           *details;         /* may be "" */
  char           *email;           /* NULL = not given */
  char           *reporter_ip;
  gint64          created_at;
  /* Filled by allset_store_share_reports_list() only: */
  char           *owner;           /* username; NULL when the account is gone */
  AllsetShare    *share;           /* NULL when the link is gone */
} AllsetShareReport;

void           allset_share_report_free (AllsetShareReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetShareReport, allset_share_report_free)

/* Returns the new id, 0 with error set on failure. */
gint64         allset_store_share_report_add   (AllsetStore       *self,
                                                const AllsetShareReport *report,
                                                GError           **error);
/* Every report, newest first, with its link and the link's owner. */
GPtrArray     *allset_store_share_reports_list (AllsetStore       *self,
                                                GError           **error);  /* AllsetShareReport */
/* Any share (revoked ones included) whose id is key, or whose token prefix
 * is key: for the admin, who knows a link by one or the other from the
 * reports. Empty when none matches; more than one for an ambiguous prefix. */
GPtrArray     *allset_store_share_find         (AllsetStore       *self,
                                                const char        *key,
                                                GError           **error);  /* AllsetShare */
/* reason NULL lifts the suspension. FALSE (error unset) for no such share. */
gboolean       allset_store_share_set_suspended (AllsetStore      *self,
                                                gint64             share_id,
                                                const char        *reason,
                                                gint64             now,
                                                GError           **error);

/* PATCH /api/v1/shares/{id}: the members set change, the others stay, in
 * one statement. */
typedef struct
{
  gboolean        set_expiry;
  gint64          expires_at;      /* 0 = never */
  gboolean        set_password;
  const char     *password_hash;   /* NULL removes the password */
  gboolean        set_max_downloads;
  gint64          max_downloads;   /* 0 = no limit */
} AllsetShareUpdate;

/* FALSE (error unset) when the share is not this account's, is revoked or
 * is suspended: only an admin lifts a suspension. */
gboolean       allset_store_share_update       (AllsetStore       *self,
                                                gint64             account_id,
                                                gint64             share_id,
                                                const AllsetShareUpdate *update,
                                                GError           **error);

G_END_DECLS
