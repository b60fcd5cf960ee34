/* allset-client-types.h — plain structs returned by AllsetClient
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every struct is a copy of one server answer (docs/protocol.md): it owns
 * its strings, is freed with its _free() function (g_autoptr works), and
 * may be passed between threads. Times that are ISO 8601 strings on the
 * wire stay strings here; NULL stands for JSON null.
 */

#pragma once

#include <glib.h>

#include "allset-protocol.h"

G_BEGIN_DECLS

/* GET /api/v1/status */
typedef struct
{
  char     *service;              /* "allset-server" */
  char     *version;
  gint64    protocol;             /* ALLSET_PROTOCOL_VERSION */
  gboolean  maintenance;
  char     *maintenance_until;    /* ISO 8601 or NULL */
  char     *maintenance_message;  /* or NULL */
  guint64   bandwidth_up_bps;     /* bits per second; 0 = no limit */
  guint64   bandwidth_down_bps;
  guint64   chunk_min;
  guint64   chunk_avg;
  guint64   chunk_max;
  guint64   pack_max_bytes;
  guint64   small_chunk_max;
  char     *receipt_algorithm;    /* "ed25519" */
  char     *receipt_public_key;   /* base64, for allset_receipt_verify() */
  char     *receipt_key_id;
} AllsetServerStatus;

void allset_server_status_free (AllsetServerStatus *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetServerStatus, allset_server_status_free)

/* POST /api/v1/login */
typedef struct
{
  char *token;       /* the secret: store it with AllsetSecrets, never in config */
  char *device_id;
  char *expires_at;  /* ISO 8601 or NULL (never expires) */
} AllsetLoginInfo;

void allset_login_info_free (AllsetLoginInfo *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetLoginInfo, allset_login_info_free)

/* GET /api/v1/account */
typedef struct
{
  char    *username;
  char    *name;
  char    *email;
  guint64  quota;    /* bytes; 0 = unlimited */
  guint64  used;     /* bytes of the live files */
  gint64   cursor;   /* the account's change cursor */
} AllsetAccountInfo;

void allset_account_info_free (AllsetAccountInfo *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetAccountInfo, allset_account_info_free)

/* One element of GET /api/v1/devices */
typedef struct
{
  char     *device_id;
  char     *name;
  char     *created_at;
  char     *last_seen_at;  /* or NULL */
  char     *expires_at;    /* or NULL */
  gboolean  current;       /* the device making the request */
} AllsetDeviceInfo;

void allset_device_info_free (AllsetDeviceInfo *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetDeviceInfo, allset_device_info_free)

/* The result of one commit operation, of a version restore or of a trash
 * restore. status is the operation's HTTP-like status: 200 on success,
 * otherwise error says why (ALLSET_ERROR_CONFLICT…) and current_revision
 * is the revision the server holds. */
typedef struct
{
  guint            status;
  char            *path;              /* the operation's path (restores: where it came back) */
  gint64           revision;          /* new revision, 0 on failure */
  char            *file_id;           /* files only */
  AllsetReceipt   *receipt;           /* files only: keep it, verify it */
  AllsetErrorCode  error;             /* ALLSET_ERROR_NONE on success */
  char            *error_message;
  gint64           current_revision;
} AllsetCommitResult;

void allset_commit_result_free (AllsetCommitResult *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetCommitResult, allset_commit_result_free)

/* POST /api/v1/commit */
typedef struct
{
  gint64     cursor;
  GPtrArray *results;  /* AllsetCommitResult, one per operation, in order */
  /* The commit's own changes as the feed lists them, (previous_cursor,
   * cursor]; NULL (and previous_cursor -1) from a server that does not
   * send them. */
  gint64     previous_cursor;
  GPtrArray *changes;  /* AllsetChange */
} AllsetCommitReply;

void allset_commit_reply_free (AllsetCommitReply *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetCommitReply, allset_commit_reply_free)

typedef enum
{
  ALLSET_CHANGE_PUT,
  ALLSET_CHANGE_MKDIR,
  ALLSET_CHANGE_MOVE,
  ALLSET_CHANGE_DELETE,
} AllsetChangeOp;

/* One element of the changes feed. */
typedef struct
{
  gint64          seq;
  AllsetChangeOp  op;
  char           *path;
  char           *to;          /* MOVE only */
  gint64          revision;
  char           *file_id;     /* PUT only */
  guint64         size;        /* PUT only */
  gint64          mtime;       /* PUT only */
  gboolean        executable;  /* PUT only */
} AllsetChange;

void allset_change_free (AllsetChange *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetChange, allset_change_free)

/* GET /api/v1/changes */
typedef struct
{
  gint64     cursor;    /* pass it to the next call */
  gboolean   has_more;  /* call again at once */
  GPtrArray *changes;   /* AllsetChange, oldest first */
} AllsetChanges;

void allset_changes_free (AllsetChanges *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetChanges, allset_changes_free)

typedef struct
{
  char    id[ALLSET_HASH_HEX_LEN + 1];  /* lowercase hex */
  guint64 size;
} AllsetChunkInfo;

/* GET /api/v1/file */
typedef struct
{
  char          *path;
  gint64         revision;
  char          *file_id;
  guint64        size;
  gint64         mtime;
  gboolean       executable;
  GArray        *chunks;   /* AllsetChunkInfo, in file order; sizes add up to size */
  AllsetReceipt *receipt;  /* or NULL */
} AllsetFileInfo;

void allset_file_info_free (AllsetFileInfo *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetFileInfo, allset_file_info_free)

/* One element of GET /api/v1/list */
typedef struct
{
  char     *name;
  gboolean  is_dir;
  gint64    revision;
  guint64   size;
  gint64    mtime;
  char     *file_id;  /* files only */
} AllsetEntryInfo;

void allset_entry_info_free (AllsetEntryInfo *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetEntryInfo, allset_entry_info_free)

/* One element of GET /api/v1/versions, newest first */
typedef struct
{
  gint64   revision;
  char    *file_id;
  guint64  size;
  gint64   mtime;
  char    *created_at;
} AllsetVersionInfo;

void allset_version_info_free (AllsetVersionInfo *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetVersionInfo, allset_version_info_free)

/* One element of GET /api/v1/trash */
typedef struct
{
  gint64    trash_id;
  char     *path;
  gboolean  is_dir;
  guint64   size;
  char     *deleted_at;
  gint64    revision;
} AllsetTrashEntry;

void allset_trash_entry_free (AllsetTrashEntry *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetTrashEntry, allset_trash_entry_free)

/* A share link (POST/GET/PATCH /api/v1/shares). */
typedef struct
{
  char     *id;
  char     *token_prefix;       /* the token's first 6 characters */
  char     *path;               /* remote path of the file or folder */
  gboolean  is_dir;
  char     *created_at;         /* ISO 8601 */
  char     *expires_at;         /* ISO 8601 or NULL: never */
  gboolean  has_password;
  guint64   max_downloads;      /* 0: no limit */
  guint64   downloads;
  char     *state;              /* "active", "expired", "exhausted", "suspended" */
  char     *suspended_reason;   /* set by an admin, or NULL */
  char     *token;              /* only in the answer to a creation, else NULL */
  char     *url;                /* https://HOST/s/TOKEN, only with token */
} AllsetShareInfo;

void allset_share_info_free (AllsetShareInfo *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetShareInfo, allset_share_info_free)

/* How long a link lasts: exactly one of the three. */
typedef struct
{
  gint64      in_seconds;   /* > 0: from now */
  const char *at;           /* ISO 8601 with a time zone, in the future */
  gboolean    never;        /* refused when the server caps lifetimes */
} AllsetShareExpiry;

/* What allset_client_share_update() changes; unset members stay. */
typedef struct
{
  const AllsetShareExpiry *expiry;         /* NULL: unchanged */
  gboolean                 set_password;
  const char              *password;       /* NULL or "": remove it */
  gboolean                 set_max_downloads;
  guint64                  max_downloads;  /* 0: no limit */
} AllsetShareChange;

/* One record of a chunk pack (POST /api/v1/chunks/pack). */
typedef struct
{
  const char *id;    /* 64 lowercase hex digits: SHA-256 of data */
  GBytes     *data;  /* 1 byte to small_chunk_max bytes */
} AllsetPackEntry;

/* A pack record's bytes before its chunk: the binary id, then the
 * chunk's length (32 bits, big-endian). */
#define ALLSET_PACK_RECORD_HEADER (ALLSET_HASH_LEN + 4)

/* Builders for the operations of allset_client_commit(); each returns a
 * new object to add to the operations array (json_array_add_object_element
 * takes it). base_revision 0 means "I believe it does not exist". */
JsonObject *allset_commit_op_mkdir  (const char         *path,
                                     gint64              base_revision);
/* chunk_ids: NULL-terminated, in file order; NULL for the empty file. */
JsonObject *allset_commit_op_put    (const char         *path,
                                     gint64              base_revision,
                                     const char * const *chunk_ids,
                                     guint64             size,
                                     gint64              mtime,
                                     gboolean            executable);
JsonObject *allset_commit_op_move   (const char         *path,
                                     const char         *to,
                                     gint64              base_revision);
JsonObject *allset_commit_op_delete (const char         *path,
                                     gint64              base_revision);

G_END_DECLS
