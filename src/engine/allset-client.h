/* allset-client.h — HTTPS client of the ALLSET protocol (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One AllsetClient wraps one SoupSession. Every request method blocks, is
 * thread-safe (call them from worker threads, several at once: parallel
 * chunk uploads share the session's connections), honours its
 * GCancellable, and never runs on the main loop. Create, configure and
 * free the client in one thread; the setters marked thread-safe may be
 * called from anywhere at any time.
 *
 * Errors:
 *   - ALLSET_PROTOCOL_ERROR, code from the server's {"error":{"code"}} and
 *     its message: ALLSET_ERROR_UNAUTHORIZED (revoked or unknown token, or
 *     wrong password on login), ALLSET_ERROR_TOKEN_EXPIRED,
 *     ALLSET_ERROR_ACCOUNT_SUSPENDED, ALLSET_ERROR_QUOTA_EXCEEDED…
 *     ALLSET_ERROR_MAINTENANCE and ALLSET_ERROR_TOO_MANY_ATTEMPTS come with
 *     a Retry-After delay: allset_client_get_retry_after().
 *   - ALLSET_CLIENT_ERROR, see AllsetClientError; UNTRUSTED_CERTIFICATE
 *     carries the certificate's fingerprint in its message and in
 *     allset_client_dup_untrusted_fingerprint().
 *   - network failures stay G_IO_ERROR, G_RESOLVER_ERROR or G_TLS_ERROR;
 *     cancellation is G_IO_ERROR_CANCELLED.
 */

#pragma once

#include <gio/gio.h>

#include "allset-client-types.h"

G_BEGIN_DECLS

#define ALLSET_CLIENT_ERROR (allset_client_error_quark ())
GQuark allset_client_error_quark (void);

typedef enum
{
  ALLSET_CLIENT_ERROR_INVALID_URL,            /* not an https:// URL */
  ALLSET_CLIENT_ERROR_INVALID_FINGERPRINT,    /* not 32 bytes of hex */
  ALLSET_CLIENT_ERROR_UNTRUSTED_CERTIFICATE,  /* not trusted and not pinned */
  ALLSET_CLIENT_ERROR_CERTIFICATE_EXPIRED,    /* expired or not valid yet, pinned or not */
  ALLSET_CLIENT_ERROR_BAD_RESPONSE,           /* not an ALLSET answer */
  ALLSET_CLIENT_ERROR_NOT_SIGNED_IN,          /* no token for an authenticated call */
  ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,       /* a bad chunk id, pack, range… */
} AllsetClientError;

/* The longest a changes_wait() may park on the server, in seconds: the
 * session's I/O timeout (90 s) must outlast it. */
#define ALLSET_CLIENT_MAX_WAIT 60

#define ALLSET_TYPE_CLIENT (allset_client_get_type ())
G_DECLARE_FINAL_TYPE (AllsetClient, allset_client, ALLSET, CLIENT, GObject)

/* server_url: https://host[:port][/prefix]; http:// is refused.
 * fingerprint: NULL, or the SHA-256 of the server certificate (DER) to
 * accept when the system does not trust the certificate, as "AB:CD:…" or
 * plain hex, any case. token: NULL until login. */
AllsetClient *allset_client_new               (const char    *server_url,
                                               const char    *fingerprint,
                                               const char    *token,
                                               GError       **error);
/* The normalised URL: "https://host:port/" (always a trailing slash). */
const char   *allset_client_get_server_url    (AllsetClient  *self);
/* The normalised pin ("AB:CD:…") or NULL. */
const char   *allset_client_get_fingerprint   (AllsetClient  *self);

/* Thread-safe. */
void          allset_client_set_token         (AllsetClient  *self,
                                               const char    *token);
gboolean      allset_client_has_token         (AllsetClient  *self);
/* Thread-safe. Client-side limits in bytes per second, 0 = none, shared
 * by every thread: chunk uploads wait before sending, chunk downloads
 * wait after each block received. */
void          allset_client_set_bandwidth_limits (AllsetClient *self,
                                                  guint64       up_bytes_per_second,
                                                  guint64       down_bytes_per_second);
/* Thread-safe. The fingerprint ("AB:CD:…") of the last certificate that
 * was refused, or NULL: the CLI prints it, the GUI asks the user. */
char         *allset_client_dup_untrusted_fingerprint (AllsetClient *self);
/* Thread-safe. Seconds to wait before retrying after the last
 * ALLSET_ERROR_MAINTENANCE or ALLSET_ERROR_TOO_MANY_ATTEMPTS (its
 * Retry-After, minus the time elapsed since, at least 1), or 0 when no
 * such answer is pending. until: the end of maintenance announced by the
 * server (ISO 8601), NULL when unknown. */
guint         allset_client_get_retry_after   (AllsetClient  *self,
                                               char         **until);

/* Helpers, no network. */
/* "https://Host:443" → "https://host:443/"; errors for anything but https. */
char         *allset_client_normalize_url     (const char    *url,
                                               GError       **error);
/* "ab cd" / "AB:CD:…" / "abcd…" → "AB:CD:…" (32 bytes). */
char         *allset_client_fingerprint_normalize (const char *text,
                                                   GError    **error);
/* SHA-256 of a DER certificate as "AB:CD:…". */
char         *allset_client_fingerprint_from_der  (const guint8 *der,
                                                   gsize         len);
/* The body of POST /api/v1/chunks/pack: records of 32-byte binary id,
 * 4-byte big-endian length, bytes. */
GBytes       *allset_client_pack_encode       (const AllsetPackEntry *entries,
                                               gsize                  n_entries,
                                               GError               **error);

/* ---- requests (blocking, thread-safe) ---------------------------------- */

/* No token needed. Works in maintenance. */
AllsetServerStatus *allset_client_status      (AllsetClient  *self,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* On success the client uses the new token for its next requests.
 * Wrong username or password: ALLSET_ERROR_UNAUTHORIZED. */
AllsetLoginInfo    *allset_client_login       (AllsetClient  *self,
                                               const char    *username,
                                               const char    *password,
                                               const char    *device_name,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* Revokes this device's token on the server and forgets it here. */
gboolean            allset_client_logout      (AllsetClient  *self,
                                               GCancellable  *cancellable,
                                               GError       **error);
AllsetAccountInfo  *allset_client_account     (AllsetClient  *self,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* AllsetDeviceInfo elements. */
GPtrArray          *allset_client_devices     (AllsetClient  *self,
                                               GCancellable  *cancellable,
                                               GError       **error);
gboolean            allset_client_device_revoke (AllsetClient *self,
                                                 const char   *device_id,
                                                 GCancellable *cancellable,
                                                 GError      **error);

/* ids: n_ids chunk ids (at most 10 000). Returns the missing ones (char *),
 * in request order. */
GPtrArray          *allset_client_chunks_missing (AllsetClient       *self,
                                                  const char * const *ids,
                                                  gsize               n_ids,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
/* Called in the sending thread as a request's body goes out (and is
 * paced by the upload limit): how many more bytes of it were written. */
typedef void (*AllsetClientProgress) (guint64  bytes,
                                      gpointer user_data);

/* created: TRUE for 201 (newly stored), FALSE for 200 (already held).
 * progress (or NULL) follows data's bytes out. */
gboolean            allset_client_chunk_put   (AllsetClient          *self,
                                               const char            *id,
                                               GBytes                *data,
                                               gboolean              *created,
                                               AllsetClientProgress   progress,
                                               gpointer               progress_data,
                                               GCancellable          *cancellable,
                                               GError               **error);
/* Stores small chunks in one request, all or nothing; returns the number
 * stored (0 with error set on failure). progress (or NULL) follows the
 * body out: each record is ALLSET_PACK_RECORD_HEADER bytes (id, length)
 * then the chunk, in entries' order. */
guint               allset_client_chunk_pack  (AllsetClient          *self,
                                               const AllsetPackEntry *entries,
                                               gsize                  n_entries,
                                               AllsetClientProgress   progress,
                                               gpointer               progress_data,
                                               GCancellable          *cancellable,
                                               GError               **error);
/* length -1: the whole chunk from offset, which is then checked against
 * id (a mismatch is ALLSET_ERROR_HASH_MISMATCH) when offset is 0.
 * progress (or NULL) follows the bytes in, as the download limit lets
 * them through. */
GBytes             *allset_client_chunk_get   (AllsetClient          *self,
                                               const char            *id,
                                               guint64                offset,
                                               gint64                 length,
                                               AllsetClientProgress   progress,
                                               gpointer               progress_data,
                                               GCancellable          *cancellable,
                                               GError               **error);
/* Batched downloads (allset-client-fetch.c): one request for many small
 * files instead of two per file.
 * POST /api/v1/files: n (1–1000) paths; an array of n AllsetFileInfo *
 * (free func set), NULL where that path has no live file (or its element
 * is an error: not_found, invalid_name). NULL + error when the request
 * itself failed. An answer is limited to 16 MiB of JSON: ask for files
 * with many chunks in smaller batches. */
GPtrArray          *allset_client_files       (AllsetClient       *self,
                                               const char * const *paths,
                                               guint               n,
                                               GCancellable       *cancellable,
                                               GError            **error);
/* POST /api/v1/chunks/fetch: n (1–10000) hex ids; an array of GBytes *
 * (free func set) for a prefix of the ids (length 1..n: the server stops
 * before 16 MiB; ask again for the rest), in order, NULL where the server
 * does not hold the chunk. Every non-NULL element hashes (SHA-256) to its
 * id, else the whole call fails with ALLSET_PROTOCOL_ERROR /
 * ALLSET_ERROR_HASH_MISMATCH. A record out of order, a truncated body or
 * trailing bytes: G_IO_ERROR_INVALID_DATA. The elements are slices of one
 * answer buffer, which lives until the last of them is freed. */
GPtrArray          *allset_client_chunks_fetch (AllsetClient       *self,
                                                const char * const *ids,
                                                guint               n,
                                                GCancellable       *cancellable,
                                                GError            **error);
/* The parser of that answer (no network), with the same checks and
 * errors: exposed for the tests. */
GPtrArray          *allset_client_chunks_fetch_decode (GBytes             *body,
                                                       const char * const *ids,
                                                       guint               n,
                                                       GError            **error);
/* operations: built with allset_commit_op_*(); per-operation failures are
 * in the results, not in error. */
AllsetCommitReply  *allset_client_commit      (AllsetClient  *self,
                                               JsonArray     *operations,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* limit 0: the server's default (1000). */
AllsetChanges      *allset_client_changes     (AllsetClient  *self,
                                               gint64         cursor,
                                               guint          limit,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* Long poll: returns as soon as the account's cursor passes cursor, or
 * after timeout seconds (clamped to 1…ALLSET_CLIENT_MAX_WAIT) with
 * *changed FALSE. Cancel it to stop waiting. */
gboolean            allset_client_changes_wait (AllsetClient *self,
                                                gint64        cursor,
                                                guint         timeout,
                                                gint64       *new_cursor,
                                                gboolean     *changed,
                                                GCancellable *cancellable,
                                                GError      **error);
/* revision 0: the live version. */
AllsetFileInfo     *allset_client_file        (AllsetClient  *self,
                                               const char    *path,
                                               gint64         revision,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* path "" is the root. AllsetEntryInfo elements. */
GPtrArray          *allset_client_list        (AllsetClient  *self,
                                               const char    *path,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* AllsetVersionInfo elements, newest first. */
GPtrArray          *allset_client_versions    (AllsetClient  *self,
                                               const char    *path,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* A failed restore (stale, path taken) is a GError (ALLSET_ERROR_CONFLICT). */
AllsetCommitResult *allset_client_version_restore (AllsetClient *self,
                                                   const char   *path,
                                                   gint64        revision,
                                                   GCancellable *cancellable,
                                                   GError      **error);
/* AllsetTrashEntry elements. */
GPtrArray          *allset_client_trash       (AllsetClient  *self,
                                               GCancellable  *cancellable,
                                               GError       **error);
AllsetCommitResult *allset_client_trash_restore (AllsetClient *self,
                                                 gint64        trash_id,
                                                 GCancellable *cancellable,
                                                 GError      **error);

/* Share links (allset-client-shares.c). path: remote path of a file or a
 * folder; password NULL: none; max_downloads 0: no limit. The answer
 * holds the token and the full URL, the only time they are known. */
AllsetShareInfo    *allset_client_share_create (AllsetClient            *self,
                                                const char              *path,
                                                const AllsetShareExpiry *expiry,
                                                const char              *password,
                                                guint64                  max_downloads,
                                                GCancellable            *cancellable,
                                                GError                 **error);
/* AllsetShareInfo elements, oldest first; revoked links are not listed. */
GPtrArray          *allset_client_shares       (AllsetClient            *self,
                                                GCancellable            *cancellable,
                                                GError                 **error);
AllsetShareInfo    *allset_client_share_update (AllsetClient            *self,
                                                const char              *id,
                                                const AllsetShareChange *change,
                                                GCancellable            *cancellable,
                                                GError                 **error);
gboolean            allset_client_share_revoke (AllsetClient            *self,
                                                const char              *id,
                                                GCancellable            *cancellable,
                                                GError                 **error);

G_END_DECLS
