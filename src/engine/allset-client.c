/* allset-client.c — HTTPS client of the ALLSET protocol: session, TLS
 * pinning, error mapping, bandwidth limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupSession, configured here in the creating thread and then only
 * used through soup_session_send(), which libsoup ≥ 3.2 allows from any
 * thread. Message signals (accept-certificate) are emitted in the thread
 * that sends the message, so the per-request TLS state lives on that
 * thread's stack.
 */

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "allset-batching-proxy.h"
#include "allset-client-private.h"
#include "allset-pin-database.h"

#define READ_BLOCK          (64 * 1024)
#define IO_TIMEOUT_SECONDS  90
#define MAX_CONNS_PER_HOST  8
#define DEFAULT_RETRY_AFTER 60

struct _AllsetClient
{
  GObject            parent_instance;

  SoupSession       *session;
  char              *server_url;
  char              *pin;

  GMutex             lock;        /* guards the members below */
  char              *token;
  char              *untrusted;   /* fingerprint of the last refused certificate */
  gint64             retry_deadline_us;
  char              *retry_until;

  AllsetTokenBucket  up;
  AllsetTokenBucket  down;
};

G_DEFINE_TYPE (AllsetClient, allset_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (allset-client-error-quark, allset_client_error)

static void
allset_client_finalize (GObject *object)
{
  AllsetClient *self = ALLSET_CLIENT (object);

  g_clear_object (&self->session);
  g_free (self->server_url);
  g_free (self->pin);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->untrusted);
  g_free (self->retry_until);
  g_mutex_clear (&self->lock);
  allset_token_bucket_clear (&self->up);
  allset_token_bucket_clear (&self->down);

  G_OBJECT_CLASS (allset_client_parent_class)->finalize (object);
}

static void
allset_client_class_init (AllsetClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_client_finalize;
}

static void
allset_client_init (AllsetClient *self)
{
  g_mutex_init (&self->lock);
  allset_token_bucket_init (&self->up);
  allset_token_bucket_init (&self->down);
}

/* ---- helpers without network ------------------------------------------- */

char *
allset_client_normalize_url (const char  *url,
                             GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  const char *scheme;
  int port;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_URL,
                           _("No server URL given"));
      return NULL;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_URL,
                   _("“%s” is not a valid server URL; give the full address, e.g. https://sync.example.fr/"),
                   url);
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    {
      g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_URL,
                   _("Refusing “%s”: ALLSET only connects over HTTPS (use https://)"), url);
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_URL,
                   _("“%s” is not an https:// URL"), url);
      return NULL;
    }

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_URL,
                   _("“%s” must name a host and have no user name, query or fragment"), url);
      return NULL;
    }

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if (port == 443)
    port = -1;
  path = g_str_has_suffix (g_uri_get_path (uri), "/")
         ? g_strdup (g_uri_get_path (uri))
         : g_strconcat (g_uri_get_path (uri), "/", NULL);

  return g_uri_join (G_URI_FLAGS_ENCODED, "https", NULL, host, port, path, NULL, NULL);
}

char *
allset_client_fingerprint_normalize (const char  *text,
                                     GError     **error)
{
  GString *out;
  guint digits = 0;

  if (text == NULL)
    text = "";

  out = g_string_sized_new (3 * ALLSET_HASH_LEN);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;

      if (!g_ascii_isxdigit (*p) || digits == 2 * ALLSET_HASH_LEN)
        {
          digits = 0;
          break;
        }

      if (digits > 0 && digits % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (*p));
      digits++;
    }

  if (digits != 2 * ALLSET_HASH_LEN)
    {
      g_string_free (out, TRUE);
      g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_FINGERPRINT,
                   _("“%s” is not a SHA-256 fingerprint (64 hexadecimal digits, optionally as AB:CD:…)"),
                   text);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

char *
allset_client_fingerprint_from_der (const guint8 *der,
                                    gsize         len)
{
  AllsetHash digest;
  GString *out = g_string_sized_new (3 * ALLSET_HASH_LEN);

  allset_sha256 (der, len, &digest);
  for (gsize i = 0; i < ALLSET_HASH_LEN; i++)
    g_string_append_printf (out, "%s%02X", i > 0 ? ":" : "", digest.bytes[i]);

  return g_string_free (out, FALSE);
}

GBytes *
allset_client_pack_encode (const AllsetPackEntry  *entries,
                           gsize                   n_entries,
                           GError                **error)
{
  g_autoptr(GByteArray) out = NULL;
  gsize total = 0;

  g_return_val_if_fail (entries != NULL || n_entries == 0, NULL);

  if (n_entries == 0)
    {
      g_set_error_literal (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                           "A pack holds at least one chunk");
      return NULL;
    }

  for (gsize i = 0; i < n_entries; i++)
    {
      gsize size = entries[i].data != NULL ? g_bytes_get_size (entries[i].data) : 0;
      AllsetHash id;

      if (entries[i].id == NULL || !allset_hash_from_hex (entries[i].id, &id))
        {
          g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                       "Pack record %" G_GSIZE_FORMAT ": “%s” is not a chunk id",
                       i, entries[i].id ? entries[i].id : "(null)");
          return NULL;
        }

      if (size == 0 || size > ALLSET_SMALL_CHUNK_MAX)
        {
          g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                       "Pack record %" G_GSIZE_FORMAT ": a packed chunk holds 1 to %u bytes, not %" G_GSIZE_FORMAT,
                       i, (guint) ALLSET_SMALL_CHUNK_MAX, size);
          return NULL;
        }

      total += ALLSET_PACK_RECORD_HEADER + size;
    }

  out = g_byte_array_sized_new (total);
  for (gsize i = 0; i < n_entries; i++)
    {
      gsize size = g_bytes_get_size (entries[i].data);
      guint32 be = GUINT32_TO_BE ((guint32) size);
      AllsetHash id;

      allset_hash_from_hex (entries[i].id, &id);
      g_byte_array_append (out, id.bytes, ALLSET_HASH_LEN);
      g_byte_array_append (out, (const guint8 *) &be, 4);
      g_byte_array_append (out, g_bytes_get_data (entries[i].data, NULL), size);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* ---- token bucket ------------------------------------------------------- */

void
allset_token_bucket_init (AllsetTokenBucket *bucket)
{
  memset (bucket, 0, sizeof *bucket);
  g_mutex_init (&bucket->mutex);
}

void
allset_token_bucket_clear (AllsetTokenBucket *bucket)
{
  g_mutex_clear (&bucket->mutex);
}

/* Called with the mutex held. One second of burst. */
static void
bucket_refill (AllsetTokenBucket *bucket,
               gint64             now_us)
{
  if (bucket->rate > 0 && now_us > bucket->last_us)
    {
      bucket->tokens += (double) (now_us - bucket->last_us) * (double) bucket->rate / G_USEC_PER_SEC;
      bucket->tokens = MIN (bucket->tokens, (double) bucket->rate);
    }
  bucket->last_us = now_us;
}

void
allset_token_bucket_set_rate (AllsetTokenBucket *bucket,
                              guint64            rate,
                              gint64             now_us)
{
  g_mutex_lock (&bucket->mutex);
  bucket_refill (bucket, now_us);
  if (bucket->rate == 0)
    bucket->tokens = (double) rate;
  bucket->rate = rate;
  bucket->tokens = MIN (bucket->tokens, (double) rate);
  g_mutex_unlock (&bucket->mutex);
}

gint64
allset_token_bucket_reserve (AllsetTokenBucket *bucket,
                             guint64            n,
                             gint64             now_us)
{
  gint64 wait = 0;

  g_mutex_lock (&bucket->mutex);
  if (bucket->rate > 0)
    {
      bucket_refill (bucket, now_us);
      bucket->tokens -= (double) n;
      if (bucket->tokens < 0)
        wait = (gint64) ceil (-bucket->tokens * G_USEC_PER_SEC / (double) bucket->rate);
    }
  g_mutex_unlock (&bucket->mutex);

  return wait;
}

static gboolean
pace (AllsetTokenBucket  *bucket,
      guint64             n,
      GCancellable       *cancellable,
      GError            **error)
{
  gint64 wait = allset_token_bucket_reserve (bucket, n, g_get_monotonic_time ());
  gint64 end = g_get_monotonic_time () + wait;

  while (wait > 0)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (MIN (wait, 50 * 1000));
      wait = end - g_get_monotonic_time ();
    }

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* ---- construction and settings ------------------------------------------ */

AllsetClient *
allset_client_new (const char  *server_url,
                   const char  *fingerprint,
                   const char  *token,
                   GError     **error)
{
  g_autoptr(AllsetClient) self = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *user_agent = NULL;

  if (!(url = allset_client_normalize_url (server_url, error)))
    return NULL;

  if (fingerprint != NULL && *fingerprint != '\0' &&
      !(pin = allset_client_fingerprint_normalize (fingerprint, error)))
    return NULL;

  self = g_object_new (ALLSET_TYPE_CLIENT, NULL);
  self->server_url = g_steal_pointer (&url);
  self->pin = g_steal_pointer (&pin);
  self->token = g_strdup (token);

  user_agent = g_strdup_printf ("allset/%s", PACKAGE_VERSION);
  self->session = g_object_new (SOUP_TYPE_SESSION,
                                "user-agent", user_agent,
                                "timeout", IO_TIMEOUT_SECONDS,
                                "max-conns-per-host", MAX_CONNS_PER_HOST,
                                "max-conns", 2 * MAX_CONNS_PER_HOST,
                                NULL);
  /* Uploads send 8 KiB TLS records one send() each without it
   * (allset-batching-stream.h). */
  allset_batching_install (self->session);
  /* A pinned server needs no system CA bundle (allset-pin-database.h). */
  if (self->pin != NULL)
    {
      g_autoptr(GTlsDatabase) database = allset_pin_database_new (self->pin);

      allset_pin_database_install_default ();
      soup_session_set_tls_database (self->session, database);
    }

  return g_steal_pointer (&self);
}

const char *
allset_client_get_server_url (AllsetClient *self)
{
  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);

  return self->server_url;
}

const char *
allset_client_get_fingerprint (AllsetClient *self)
{
  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);

  return self->pin;
}

void
allset_client_set_token (AllsetClient *self,
                         const char   *token)
{
  g_return_if_fail (ALLSET_IS_CLIENT (self));

  g_mutex_lock (&self->lock);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (token);
  g_mutex_unlock (&self->lock);
}

gboolean
allset_client_has_token (AllsetClient *self)
{
  gboolean has;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), FALSE);

  g_mutex_lock (&self->lock);
  has = self->token != NULL;
  g_mutex_unlock (&self->lock);
  return has;
}

void
allset_client_set_bandwidth_limits (AllsetClient *self,
                                    guint64       up_bytes_per_second,
                                    guint64       down_bytes_per_second)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (ALLSET_IS_CLIENT (self));

  allset_token_bucket_set_rate (&self->up, up_bytes_per_second, now);
  allset_token_bucket_set_rate (&self->down, down_bytes_per_second, now);
}

char *
allset_client_dup_untrusted_fingerprint (AllsetClient *self)
{
  char *fingerprint;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);

  g_mutex_lock (&self->lock);
  fingerprint = g_strdup (self->untrusted);
  g_mutex_unlock (&self->lock);
  return fingerprint;
}

guint
allset_client_get_retry_after (AllsetClient  *self,
                               char         **until)
{
  gint64 remaining;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), 0);

  g_mutex_lock (&self->lock);
  remaining = self->retry_deadline_us - g_get_monotonic_time ();
  if (until != NULL)
    *until = remaining > 0 ? g_strdup (self->retry_until) : NULL;
  g_mutex_unlock (&self->lock);

  if (remaining <= 0)
    return 0;
  return (guint) MAX (1, (remaining + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

/* ---- requests ------------------------------------------------------------ */

typedef struct
{
  const char *pin;
  char       *refused;  /* fingerprint of the certificate we refused */
  char       *expired;  /* its end of validity, when that was the reason */
} TlsCheck;

/* Only emitted when the system does not trust the certificate. */
static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  TlsCheck *check = user_data;
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *fingerprint = NULL;

  /* A pin says whose certificate it is, not that it is still valid: an
   * expired certificate is refused, pinned or not. */
  if (errors & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    {
      g_autoptr(GDateTime) not_after = NULL;

      g_object_get (certificate, "not-valid-after", &not_after, NULL);
      g_free (check->expired);
      check->expired = not_after != NULL ? g_date_time_format (not_after, "%Y-%m-%d") : g_strdup ("?");
      return FALSE;
    }

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;

  fingerprint = allset_client_fingerprint_from_der (der->data, der->len);
  if (check->pin != NULL && g_str_equal (fingerprint, check->pin))
    return TRUE;

  g_free (check->refused);
  check->refused = g_steal_pointer (&fingerprint);
  return FALSE;
}

static void
set_untrusted_error (AllsetClient  *self,
                     const char    *fingerprint,
                     GError       **error)
{
  g_mutex_lock (&self->lock);
  g_free (self->untrusted);
  self->untrusted = g_strdup (fingerprint);
  g_mutex_unlock (&self->lock);

  if (self->pin != NULL)
    g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_UNTRUSTED_CERTIFICATE,
                 _("The certificate of %s has the SHA-256 fingerprint %s, not the pinned %s: refusing to connect"),
                 self->server_url, fingerprint, self->pin);
  else
    g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_UNTRUSTED_CERTIFICATE,
                 _("The certificate of %s is not trusted by this system; its SHA-256 fingerprint is %s"),
                 self->server_url, fingerprint);
}

static void
note_retry_after (AllsetClient *self,
                  SoupMessage  *msg,
                  char         *until)
{
  const char *header = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                     "Retry-After");
  guint64 seconds = DEFAULT_RETRY_AFTER;

  if (header != NULL &&
      !g_ascii_string_to_unsigned (header, 10, 0, G_MAXUINT32, &seconds, NULL))
    {
      g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (header);

      seconds = DEFAULT_RETRY_AFTER;
      if (date != NULL)
        seconds = MAX (0, g_date_time_to_unix (date) - g_get_real_time () / G_USEC_PER_SEC);
    }

  g_mutex_lock (&self->lock);
  self->retry_deadline_us = g_get_monotonic_time () + (gint64) MAX (seconds, 1) * G_USEC_PER_SEC;
  g_free (self->retry_until);
  self->retry_until = until;
  g_mutex_unlock (&self->lock);
}

static GBytes *
read_body (AllsetClient               *self,
           GInputStream               *stream,
           const AllsetClientRequest  *request,
           gboolean                    success,
           GCancellable               *cancellable,
           GError                    **error)
{
  gsize max = request->max_response;
  gboolean paced = request->pace_down && success;
  g_autoptr(GByteArray) buffer = g_byte_array_new ();

  for (;;)
    {
      gsize old = buffer->len;
      gssize n;

      g_byte_array_set_size (buffer, old + READ_BLOCK);
      n = g_input_stream_read (stream, buffer->data + old, READ_BLOCK, cancellable, error);
      if (n < 0)
        return NULL;

      g_byte_array_set_size (buffer, old + n);
      if (n == 0)
        break;

      if (buffer->len > max)
        {
          g_autofree char *limit = g_format_size_full (max, G_FORMAT_SIZE_IEC_UNITS);

          g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_BAD_RESPONSE,
                       _("The server's answer is larger than %s"), limit);
          return NULL;
        }

      if (paced && !pace (&self->down, n, cancellable, error))
        return NULL;
      if (success && request->read_progress != NULL)
        request->read_progress (n, request->read_progress_data);
    }

  if (!g_input_stream_close (stream, cancellable, error))
    return NULL;

  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

typedef struct
{
  AllsetClient              *self;
  const AllsetClientRequest *request;
  GCancellable              *cancellable;
  guint64                    written;
} BodyWriting;

/* In the sending thread, after each piece of the body went out. Pacing
 * here, piece by piece, rather than the whole body before sending it,
 * lets the bytes (and the progress the user sees) flow at the limit
 * instead of waiting, then jumping: a file of one chunk showed no
 * progress at all until it was done. A cancelled pace returns at once,
 * and libsoup's next write sees the cancellable. */
static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        n,
                    BodyWriting *writing)
{
  writing->written += n;
  if (writing->request->pace_up)
    pace (&writing->self->up, n, writing->cancellable, NULL);
  if (writing->request->progress != NULL)
    writing->request->progress (n, writing->request->progress_data);
}

GBytes *
allset_client_send (AllsetClient               *self,
                    const AllsetClientRequest  *request,
                    guint                      *status,
                    GCancellable               *cancellable,
                    GError                    **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;
  TlsCheck check = { self->pin, NULL };
  BodyWriting writing = { self, request, cancellable, 0 };
  guint code;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);

  url = g_strconcat (self->server_url, request->path, NULL);
  msg = soup_message_new (request->method, url);
  if (msg == NULL)
    {
      g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                   "Cannot build a request for “%s”", url);
      return NULL;
    }

  /* The protocol has no redirects; following one could leave HTTPS or
   * carry the token elsewhere. A 3xx is a bad answer. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  /* libsoup 3.2 gives every POST a connection of its own, a full TLS
   * handshake each, unless it is marked idempotent. The mark changes
   * nothing else: libsoup never sends a POST twice, marked or not. A
   * connection the server closed while idle is seen before it is reused;
   * one that dies under a request fails it like any network error, and
   * the pass tries again. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (request->auth)
    {
      g_autofree char *authorization = NULL;

      g_mutex_lock (&self->lock);
      if (self->token != NULL)
        authorization = g_strdup_printf ("Bearer %s", self->token);
      g_mutex_unlock (&self->lock);

      if (authorization == NULL)
        {
          g_set_error_literal (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_NOT_SIGNED_IN,
                               _("Not signed in: no device token"));
          return NULL;
        }
      soup_message_headers_replace (headers, "Authorization", authorization);
      memset (authorization, 0, strlen (authorization));
    }
  if (request->range != NULL)
    soup_message_headers_replace (headers, "Range", request->range);
  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (msg, request->content_type, request->body);

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), &check);
  if (request->body != NULL && (request->pace_up || request->progress != NULL))
    g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), &writing);

  stream = soup_session_send (self->session, msg, cancellable, &local_error);
  /* A body libsoup wrote without saying so (no such path today) is paced
   * all the same. */
  if (request->pace_up && request->body != NULL && stream != NULL &&
      writing.written < g_bytes_get_size (request->body) &&
      !pace (&self->up, g_bytes_get_size (request->body) - writing.written, cancellable, &local_error))
    g_clear_object (&stream);
  if (stream != NULL)
    body = read_body (self, stream, request, SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)),
                      cancellable, &local_error);

  g_signal_handlers_disconnect_by_data (msg, &check);
  g_signal_handlers_disconnect_by_data (msg, &writing);

  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (check.expired != NULL)
        g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_CERTIFICATE_EXPIRED,
                     _("The certificate of %s is not valid at this date (valid until %s): refusing "
                       "to connect. Ask your administrator to renew it."),
                     self->server_url, check.expired);
      else if (check.refused != NULL)
        set_untrusted_error (self, check.refused, error);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      g_free (check.refused);
      g_free (check.expired);
      return NULL;
    }
  g_free (check.refused);
  g_free (check.expired);

  code = soup_message_get_status (msg);
  if (status != NULL)
    *status = code;

  if (!SOUP_STATUS_IS_SUCCESSFUL (code))
    {
      char *until = NULL;
      gsize len;
      const char *data = g_bytes_get_data (body, &len);
      GError *mapped = allset_client_error_from_response (code, data, len, &until);

      if (g_error_matches (mapped, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_MAINTENANCE) ||
          g_error_matches (mapped, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOO_MANY_ATTEMPTS))
        note_retry_after (self, msg, until);
      else
        g_free (until);

      g_propagate_error (error, mapped);
      return NULL;
    }

  return g_steal_pointer (&body);
}

GError *
allset_client_error_from_response (guint       status,
                                   const char *data,
                                   gsize       len,
                                   char      **until)
{
  g_autoptr(JsonObject) root = NULL;
  const char *code_text = NULL;
  const char *message = NULL;
  const char *until_text = NULL;
  AllsetErrorCode code;

  if (until != NULL)
    *until = NULL;

  if (data != NULL && len > 0)
    root = allset_json_parse_object (data, len, NULL);

  if (root != NULL && json_object_has_member (root, "error") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "error")))
    {
      JsonObject *object = json_object_get_object_member (root, "error");

      if (!allset_json_get_string_opt (object, "code", &code_text, NULL))
        code_text = NULL;
      if (!allset_json_get_string_opt (object, "message", &message, NULL))
        message = NULL;
      if (!allset_json_get_string_opt (object, "until", &until_text, NULL))
        until_text = NULL;
    }

  code = allset_error_code_from_string (code_text);
  if (code == ALLSET_ERROR_NONE)
    {
      /* A proxy or load balancer in front of the server answers without
       * our body: back off all the same. */
      if (status == 503)
        code = ALLSET_ERROR_MAINTENANCE;
      else if (status == 429)
        code = ALLSET_ERROR_TOO_MANY_ATTEMPTS;
      else if (status >= 500 && status < 600)
        code = ALLSET_ERROR_INTERNAL;
      else
        return g_error_new (ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_BAD_RESPONSE,
                            _("Unexpected answer from the server (HTTP %u %s): is this an ALLSET server?"),
                            status, soup_status_get_phrase (status));
      message = NULL;
    }

  if (code == ALLSET_ERROR_MAINTENANCE && until != NULL)
    *until = g_strdup (until_text);

  if (message == NULL || *message == '\0')
    return g_error_new (ALLSET_PROTOCOL_ERROR, code, "HTTP %u %s (%s)", status,
                        soup_status_get_phrase (status), allset_error_code_to_string (code));

  return g_error_new_literal (ALLSET_PROTOCOL_ERROR, code, message);
}

gboolean
allset_client_bad_response (GError     **error,
                            const char  *what)
{
  if (error != NULL && *error != NULL &&
      g_error_matches (*error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON))
    {
      GError *bad = g_error_new (ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_BAD_RESPONSE,
                                 _("Malformed answer from the server to %s: %s"),
                                 what, (*error)->message);

      g_clear_error (error);
      g_propagate_error (error, bad);
    }

  return FALSE;
}

JsonObject *
allset_client_call_json (AllsetClient  *self,
                         const char    *method,
                         const char    *path,
                         JsonNode      *body,
                         gboolean       auth,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GBytes) request_body = NULL;
  g_autoptr(GBytes) answer = NULL;
  JsonObject *object;
  AllsetClientRequest request = {
    .method = method,
    .path = path,
    .auth = auth,
    .content_type = "application/json; charset=utf-8",
    .max_response = ALLSET_JSON_MAX_BYTES,
  };
  const char *data;
  char *text = NULL;
  gsize len;
  guint status = 0;

  if (body != NULL)
    {
      text = allset_json_to_string (body);
      request.body = request_body = g_bytes_new_take (text, strlen (text));
    }

  answer = allset_client_send (self, &request, &status, cancellable, error);
  /* The body of a login holds the password: do not leave it in freed memory. */
  if (text != NULL)
    memset (text, 0, strlen (text));
  if (answer == NULL)
    return NULL;

  data = g_bytes_get_data (answer, &len);
  if (status == SOUP_STATUS_NO_CONTENT)
    return json_object_new ();

  object = allset_json_parse_object (data, len, error);
  if (object == NULL)
    {
      allset_client_bad_response (error, path);
      return NULL;
    }

  return object;
}
