/* allset-client-private.h — internals of AllsetClient shared by its files
 * and by the unit tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-client.h"

G_BEGIN_DECLS

/* ---- token bucket (allset-client.c) ------------------------------------ */

/* Bytes per second, shared by threads. A reservation may overdraw the
 * bucket (a 4 MiB chunk under a 1 MB/s limit): the caller then waits for
 * the debt, and the next caller waits behind it, so the average rate holds
 * whatever the number of threads. Holds one second of burst. */
typedef struct
{
  GMutex  mutex;
  guint64 rate;     /* 0 = unlimited */
  double  tokens;   /* negative while in debt */
  gint64  last_us;  /* monotonic time of the last refill */
} AllsetTokenBucket;

void   allset_token_bucket_init     (AllsetTokenBucket *bucket);
void   allset_token_bucket_clear    (AllsetTokenBucket *bucket);
void   allset_token_bucket_set_rate (AllsetTokenBucket *bucket,
                                     guint64            rate,
                                     gint64             now_us);
/* Takes n bytes; returns how long to wait (µs) before using them. */
gint64 allset_token_bucket_reserve  (AllsetTokenBucket *bucket,
                                     guint64            n,
                                     gint64             now_us);

/* ---- requests (allset-client.c) ---------------------------------------- */

typedef struct
{
  const char *method;
  const char *path;          /* relative to the server URL: "api/v1/…?query" */
  gboolean    auth;          /* send the bearer token */
  GBytes     *body;          /* or NULL */
  const char *content_type;  /* of body */
  const char *range;         /* Range header or NULL */
  gsize       max_response;  /* longer answers are refused */
  gboolean    pace_up;       /* draw body from the upload bucket */
  gboolean    pace_down;     /* draw the answer from the download bucket */
  AllsetClientProgress progress;  /* the body going out, or NULL */
  gpointer    progress_data;
  AllsetClientProgress read_progress;  /* the answer coming in (2xx only), or NULL */
  gpointer    read_progress_data;
} AllsetClientRequest;

/* Sends and reads the whole answer. A 2xx answer returns its body (maybe
 * empty) and *status; anything else is mapped to a GError. */
GBytes     *allset_client_send      (AllsetClient               *self,
                                     const AllsetClientRequest  *request,
                                     guint                      *status,
                                     GCancellable               *cancellable,
                                     GError                    **error);
/* A JSON request (body may be NULL) whose answer is a JSON object;
 * 204 answers an empty object. */
JsonObject *allset_client_call_json (AllsetClient               *self,
                                     const char                 *method,
                                     const char                 *path,
                                     JsonNode                   *body,
                                     gboolean                    auth,
                                     GCancellable               *cancellable,
                                     GError                    **error);

/* The GError for a non-2xx answer: ALLSET_PROTOCOL_ERROR with the code of
 * {"error":{"code","message"}}; without a known code, 5xx and 429 map by
 * status and anything else is ALLSET_CLIENT_ERROR_BAD_RESPONSE. until gets
 * the "until" member of a maintenance answer (or NULL). */
GError     *allset_client_error_from_response (guint       status,
                                               const char *data,
                                               gsize       len,
                                               char      **until);
/* Turns an ALLSET_ERROR_INVALID_JSON from the helpers of allset-json.h
 * into ALLSET_CLIENT_ERROR_BAD_RESPONSE: a malformed answer is not the
 * caller's malformed request. Returns FALSE for convenience. */
gboolean    allset_client_bad_response (GError    **error,
                                        const char *what);

/* ---- answer parsers (allset-client-types.c) ---------------------------- */
/* Each sets an ALLSET_PROTOCOL_ERROR/INVALID_JSON error on a bad shape. */

AllsetServerStatus *allset_server_status_from_json (JsonObject  *object,
                                                    GError     **error);
AllsetLoginInfo    *allset_login_info_from_json    (JsonObject  *object,
                                                    GError     **error);
AllsetAccountInfo  *allset_account_info_from_json  (JsonObject  *object,
                                                    GError     **error);
GPtrArray          *allset_device_list_from_json   (JsonObject  *object,
                                                    GError     **error);
/* path: the operation's path when the answer does not say it (commits). */
AllsetCommitResult *allset_commit_result_from_json (JsonObject  *object,
                                                    const char  *path,
                                                    GError     **error);
AllsetCommitReply  *allset_commit_reply_from_json  (JsonObject  *object,
                                                    JsonArray   *operations,
                                                    GError     **error);
AllsetChanges      *allset_changes_from_json       (JsonObject  *object,
                                                    GError     **error);
AllsetFileInfo     *allset_file_info_from_json     (JsonObject  *object,
                                                    GError     **error);
GPtrArray          *allset_entry_list_from_json    (JsonObject  *object,
                                                    GError     **error);
GPtrArray          *allset_version_list_from_json  (JsonObject  *object,
                                                    GError     **error);
GPtrArray          *allset_trash_list_from_json    (JsonObject  *object,
                                                    GError     **error);

/* allset-client-types.c: what every parser of an answer needs (the
 * commit and feed parsers live in allset-client-commit.c). Each
 * sets an ALLSET_ERROR_INVALID_JSON error naming the member. */
gboolean allset_client_shape_error     (GError     **error,
                                        const char  *member,
                                        const char  *problem);
/* A required count, not negative. */
gboolean allset_client_get_size        (JsonObject  *object,
                                        const char  *member,
                                        guint64     *out,
                                        GError     **error);
/* An optional or null object (NULL when absent). */
gboolean allset_client_get_object_opt  (JsonObject  *object,
                                        const char  *member,
                                        JsonObject **out,
                                        GError     **error);
/* An optional "file_id": 64 lowercase hex digits when present. */
gboolean allset_client_get_file_id_opt (JsonObject  *object,
                                        char       **out,
                                        GError     **error);
/* An optional or null "receipt", parsed. */
gboolean allset_client_get_receipt_opt (JsonObject     *object,
                                        AllsetReceipt **out,
                                        GError        **error);
typedef gpointer (*AllsetClientElementParser) (JsonObject *object, GError **error);
/* object[member], an array of objects, each parsed with parse. */
GPtrArray *allset_client_parse_list    (JsonObject                *object,
                                        const char                *member,
                                        AllsetClientElementParser  parse,
                                        GDestroyNotify             free_func,
                                        GError                   **error);
/* An optional count: absent is 0, negative is an error. */
gboolean allset_client_get_size_opt    (JsonObject  *object,
                                        const char  *member,
                                        guint64     *out,
                                        GError     **error);
/* A required string, copied. */
gboolean allset_client_dup_string      (JsonObject  *object,
                                        const char  *member,
                                        char       **out,
                                        GError     **error);
/* An optional or null string, copied (NULL when absent). */
gboolean allset_client_dup_string_opt  (JsonObject  *object,
                                        const char  *member,
                                        char       **out,
                                        GError     **error);

G_END_DECLS
