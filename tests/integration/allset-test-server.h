/* allset-test-server.h — a real allset-server for the integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts `allset-server serve --dev-cert --listen 127.0.0.1:0` on a fresh
 * data directory (the binary comes from $ALLSET_SERVER), talks to it over
 * HTTPS with libsoup, trusting exactly the certificate the server made, and
 * drives `allset-server admin` on the same data directory. No mocks: what
 * the tests see is what a client sees.
 *
 * Requests are asynchronous underneath; the synchronous helpers iterate the
 * thread-default main context until their answer is in, so synchronous and
 * concurrent requests mix freely on one session.
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "allset-protocol.h"
#include "test-sanitizers.h"   /* allset_test_is_sanitized(): timing bounds get more slack */

G_BEGIN_DECLS

typedef struct _AllsetTestServer AllsetTestServer;

typedef struct
{
  guint               status;    /* 0 when the request failed (see error) */
  GError             *error;     /* transport error, or NULL */
  GBytes             *body;      /* never NULL */
  SoupMessageHeaders *headers;   /* response headers, or NULL on error */
  JsonNode           *json;      /* the body parsed as JSON, or NULL */
} AllsetTestResponse;

void                allset_test_response_free  (AllsetTestResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetTestResponse, allset_test_response_free)

/* Server life cycle ------------------------------------------------------ */

/* extra_args: more `serve` options (NULL-terminated vector, may be NULL).
 * tmpfs_bytes > 0 puts the data directory on a tmpfs of that size, inside
 * a user + mount namespace (unshare); check allset_test_can_use_tmpfs()
 * first. The server is started before this returns. */
AllsetTestServer   *allset_test_server_new_full (const char *const *extra_args,
                                                 guint64             tmpfs_bytes);
AllsetTestServer   *allset_test_server_new      (const char         *first_arg,
                                                 ...) G_GNUC_NULL_TERMINATED;
/* Stops the server (it must exit cleanly) and deletes its directory. */
void                allset_test_server_free     (AllsetTestServer   *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetTestServer, allset_test_server_free)

/* Starts the server again on the same data directory (a new port). */
void                allset_test_server_start    (AllsetTestServer   *self);
/* SIGTERM, then asserts a clean exit (status 0) within 20 s. */
void                allset_test_server_stop     (AllsetTestServer   *self);
/* SIGKILL: no chance to clean up. */
void                allset_test_server_kill     (AllsetTestServer   *self);
gboolean            allset_test_server_is_running (AllsetTestServer *self);

/* The data directory as this process can open it (through /proc/PID/root
 * for a tmpfs server, so only while the server runs). */
char               *allset_test_server_data_path (AllsetTestServer  *self,
                                                  const char        *relative);
const char         *allset_test_server_get_url  (AllsetTestServer   *self);
GPid                allset_test_server_get_pid  (AllsetTestServer   *self);
/* A "VmHWM"-style field of /proc/PID/status, in KiB. */
gint64              allset_test_server_get_memory_kib (AllsetTestServer *self,
                                                       const char       *field);
guint16             allset_test_server_get_port (AllsetTestServer   *self);
/* The whole server output so far (stdout and stderr), for diagnostics. */
char               *allset_test_server_get_log  (AllsetTestServer   *self);

/* `allset-server admin --data-dir DIR ARGS…` with input on stdin; returns
 * the exit status and, if output is not NULL, stdout + stderr. */
int                 allset_test_server_admin    (AllsetTestServer   *self,
                                                 const char         *input,
                                                 char              **output,
                                                 const char         *first_arg,
                                                 ...) G_GNUC_NULL_TERMINATED;
/* account-add USER --name … --email … [--quota QUOTA]; asserts success. */
void                allset_test_server_add_account (AllsetTestServer *self,
                                                    const char       *username,
                                                    const char       *password,
                                                    const char       *quota);
/* POST /api/v1/login; asserts 200 and returns the token. */
char               *allset_test_server_login    (AllsetTestServer   *self,
                                                 const char         *username,
                                                 const char         *password,
                                                 const char         *device_name,
                                                 char              **device_id);
/* POST /api/v1/login with these fields, whatever the answer. */
AllsetTestResponse *allset_test_login_raw       (AllsetTestServer   *self,
                                                 const char         *username,
                                                 const char         *password,
                                                 const char         *device_name);
/* "password of USER": the password allset_test_server_add_accounts()
 * gives each of its accounts, and allset_test_server_login_as() uses. */
char               *allset_test_password_of     (const char         *username);
void                allset_test_server_add_accounts (AllsetTestServer  *self,
                                                 const char *const  *usernames);
char               *allset_test_server_login_as (AllsetTestServer   *self,
                                                 const char         *username,
                                                 const char         *device_name,
                                                 char              **device_id);
/* How many entries dir_path holds (asserts it opens). */
guint               allset_test_count_files     (const char         *dir_path);
/* receipt_key.public_key from GET /api/v1/status. */
char               *allset_test_server_receipt_key (AllsetTestServer *self);

/* HTTP ------------------------------------------------------------------- */

/* A new session that trusts exactly the server's certificate; the server's
 * default session is recreated at every start. */
SoupSession        *allset_test_server_new_session (AllsetTestServer *self);
/* The same, with connections from local_ip (any 127.x.y.z reaches a server
 * on 127.0.0.1): lets a test pose as several client addresses. */
SoupSession        *allset_test_server_new_session_from (AllsetTestServer *self,
                                                        const char       *local_ip);
SoupSession        *allset_test_server_get_session (AllsetTestServer *self);

typedef struct _AllsetTestPending AllsetTestPending;
typedef void (*AllsetTestPendingFunc) (AllsetTestPending *pending,
                                       gpointer           user_data);

/* headers: name, value, name, value, …, NULL (may be NULL). path starts
 * with "/" and is appended to the server URL as it is (escape queries with
 * g_uri_escape_string()). session NULL: the server's default session. */
AllsetTestPending  *allset_test_request_start   (AllsetTestServer   *self,
                                                 SoupSession        *session,
                                                 const char         *method,
                                                 const char         *path,
                                                 const char         *token,
                                                 const char         *content_type,
                                                 GBytes             *body,
                                                 const char *const  *headers);
/* Called once on the main context when the answer is in. */
void                allset_test_pending_set_callback (AllsetTestPending *pending,
                                                      AllsetTestPendingFunc func,
                                                      gpointer          user_data);
gboolean            allset_test_pending_is_done (AllsetTestPending  *pending);
/* Iterates the thread-default main context until the answer is in. */
AllsetTestResponse *allset_test_pending_wait    (AllsetTestPending  *pending);
/* Valid once done: the response (owned by the pending request). */
AllsetTestResponse *allset_test_pending_get_response (AllsetTestPending *pending);
gint64              allset_test_pending_get_started_at  (AllsetTestPending *pending);
gint64              allset_test_pending_get_finished_at (AllsetTestPending *pending);
/* Must be done. */
void                allset_test_pending_free    (AllsetTestPending  *pending);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetTestPending, allset_test_pending_free)

AllsetTestResponse *allset_test_request         (AllsetTestServer   *self,
                                                 SoupSession        *session,
                                                 const char         *method,
                                                 const char         *path,
                                                 const char         *token,
                                                 const char         *content_type,
                                                 GBytes             *body,
                                                 const char *const  *headers);
AllsetTestResponse *allset_test_get             (AllsetTestServer   *self,
                                                 const char         *path,
                                                 const char         *token);
AllsetTestResponse *allset_test_delete          (AllsetTestServer   *self,
                                                 const char         *path,
                                                 const char         *token);
/* json may be NULL: an empty body. */
AllsetTestResponse *allset_test_post_json       (AllsetTestServer   *self,
                                                 const char         *path,
                                                 const char         *token,
                                                 const char         *json);
AllsetTestResponse *allset_test_getf            (AllsetTestServer   *self,
                                                 const char         *token,
                                                 const char         *path_format,
                                                 ...) G_GNUC_PRINTF (3, 4);
AllsetTestResponse *allset_test_post_jsonf      (AllsetTestServer   *self,
                                                 const char         *path,
                                                 const char         *token,
                                                 const char         *json_format,
                                                 ...) G_GNUC_PRINTF (4, 5);

/* Raw HTTP/1.1 over TLS (certificate verified): sends head (request line
 * and headers, with the blank line) and then body, half of which may be
 * missing on purpose; reads until the server closes or timeout_seconds
 * pass. Returns what was read, NUL-terminated. */
char               *allset_test_raw_request     (AllsetTestServer   *self,
                                                 const char         *head,
                                                 gconstpointer       body,
                                                 gsize               body_len,
                                                 guint               timeout_seconds);
/* A TLS connection to the server (certificate verified, handshake done)
 * for requests the tests write byte by byte; reads and writes time out
 * after timeout_seconds. */
GIOStream          *allset_test_raw_connect     (AllsetTestServer   *self,
                                                 guint               timeout_seconds);
/* The status of a raw response, 0 if there is none. */
guint               allset_test_raw_status      (const char         *raw);

/* Responses and JSON ------------------------------------------------------ */

/* Dotted paths: "error.code", "results.1.receipt.path", "devices.0". */
JsonNode           *allset_test_json_lookup     (JsonNode           *root,
                                                 const char         *path);
const char         *allset_test_response_header (AllsetTestResponse *response,
                                                 const char         *name);
char               *allset_test_response_describe (AllsetTestResponse *response);

#define allset_test_response_has(r, p) \
  (allset_test_json_lookup ((r)->json, (p)) != NULL)
#define allset_test_response_get_node(r, p) \
  allset_test_response_get_node_at ((r), (p), __FILE__, __LINE__)
#define allset_test_response_get_string(r, p) \
  allset_test_response_get_string_at ((r), (p), __FILE__, __LINE__)
#define allset_test_response_get_int(r, p) \
  allset_test_response_get_int_at ((r), (p), __FILE__, __LINE__)
#define allset_test_response_get_bool(r, p) \
  allset_test_response_get_bool_at ((r), (p), __FILE__, __LINE__)
#define allset_test_response_get_length(r, p) \
  allset_test_response_get_length_at ((r), (p), __FILE__, __LINE__)
#define allset_test_response_is_null(r, p) \
  allset_test_response_is_null_at ((r), (p), __FILE__, __LINE__)
/* Asserts the status, and prints the body when it differs. */
#define allset_test_assert_status(r, s) \
  allset_test_assert_status_at ((r), (s), __FILE__, __LINE__)
/* Asserts {"error": {"code": code, "message": non-empty}} with status. */
#define allset_test_assert_error(r, s, code) \
  allset_test_assert_error_at ((r), (s), (code), __FILE__, __LINE__)

JsonNode           *allset_test_response_get_node_at   (AllsetTestResponse *r, const char *path,
                                                        const char *file, int line);
const char         *allset_test_response_get_string_at (AllsetTestResponse *r, const char *path,
                                                        const char *file, int line);
gint64              allset_test_response_get_int_at    (AllsetTestResponse *r, const char *path,
                                                        const char *file, int line);
gboolean            allset_test_response_get_bool_at   (AllsetTestResponse *r, const char *path,
                                                        const char *file, int line);
guint               allset_test_response_get_length_at (AllsetTestResponse *r, const char *path,
                                                        const char *file, int line);
gboolean            allset_test_response_is_null_at    (AllsetTestResponse *r, const char *path,
                                                        const char *file, int line);
void                allset_test_assert_status_at       (AllsetTestResponse *r, guint status,
                                                        const char *file, int line);
void                allset_test_assert_error_at        (AllsetTestResponse *r, guint status,
                                                        const char *code,
                                                        const char *file, int line);

/* Data -------------------------------------------------------------------- */

/* len pseudo-random bytes from the test's random seed. */
GBytes             *allset_test_random_bytes    (gsize               len);
/* Lowercase hex SHA-256. */
char               *allset_test_chunk_id        (GBytes             *bytes);
/* The file id of chunk ids given in hex (NULL-terminated). */
char               *allset_test_file_id         (const char *const  *chunk_ids);
/* PUT /api/v1/chunks/{sha256(data)}. */
AllsetTestResponse *allset_test_put_chunk       (AllsetTestServer   *self,
                                                 const char         *token,
                                                 GBytes             *data);
/* Asserts that receipt (a JSON object) verifies against public_key. */
void                allset_test_assert_receipt_valid (JsonNode      *receipt,
                                                      const char    *public_key);
gboolean            allset_test_receipt_verifies (JsonNode          *receipt,
                                                  const char        *public_key);

/* Files and commits -------------------------------------------------------- */

#define ALLSET_TEST_MTIME 1764160000

typedef struct
{
  GBytes *data;
  GStrv   chunk_ids;   /* hex, in order */
  gsize   size;
  gsize   chunk_size;
  char   *file_id;     /* hex */
} AllsetTestContent;

/* size random bytes cut into chunks of chunk_size (the last one shorter);
 * size 0 is the empty file, without chunks. */
AllsetTestContent  *allset_test_content_new     (gsize               size,
                                                 gsize               chunk_size);
void                allset_test_content_free    (AllsetTestContent  *content);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetTestContent, allset_test_content_free)
/* The bytes of chunk i. */
GBytes             *allset_test_content_chunk   (AllsetTestContent  *content,
                                                 guint               i);
/* PUTs every chunk; asserts 201 or 200. */
void                allset_test_upload          (AllsetTestServer   *self,
                                                 const char         *token,
                                                 AllsetTestContent  *content);

/* text as a JSON string literal, quotes included. */
char               *allset_test_json_string     (const char         *text);
/* Operations for allset_test_commit(), as JSON text. */
char               *allset_test_op_put          (const char         *path,
                                                 gint64              base_revision,
                                                 AllsetTestContent  *content);
char               *allset_test_op_mkdir        (const char         *path,
                                                 gint64              base_revision);
char               *allset_test_op_delete       (const char         *path,
                                                 gint64              base_revision);
char               *allset_test_op_move         (const char         *path,
                                                 const char         *to,
                                                 gint64              base_revision);
/* POST /api/v1/commit with the operations given (JSON texts, which it
 * frees), NULL-terminated. */
AllsetTestResponse *allset_test_commit          (AllsetTestServer   *self,
                                                 const char         *token,
                                                 char               *first_op,
                                                 ...) G_GNUC_NULL_TERMINATED;
/* The account's cursor, from GET /api/v1/account. */
gint64              allset_test_cursor          (AllsetTestServer   *self,
                                                 const char         *token);

/* Misc -------------------------------------------------------------------- */

/* g_test_init() without GLib's debug messages. */
void                allset_test_init            (int                *argc,
                                                 char             ***argv);

/* Iterates the thread-default main context for ms milliseconds. */
void                allset_test_iterate_for     (guint               ms);
/* Whether unshare --user --map-root-user --mount can mount a tmpfs here;
 * if not, *reason says why. */
gboolean            allset_test_can_use_tmpfs   (char              **reason);
/* Seconds since the Unix epoch as ISO 8601 UTC ("2026-11-26T13:45:00Z"). */
char               *allset_test_format_time     (gint64              unix_time);

G_END_DECLS
