/* allset-routes-shares.c — create and manage share links (authenticated API)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The customer publishes a file or folder through a URL and decides alone
 * how long it lives (terms R2, R16). A token is 32 random bytes; only its
 * SHA-256 is stored, so the token is shown once, at creation, and the list
 * identifies links by id and the token's first characters. The public side
 * (/s/TOKEN) is in allset-routes-share-public.c.
 */

#include <string.h>

#include "allset-password.h"
#include "allset-server-config.h"
#include "allset-server-private.h"

#define SHARE_TOKEN_BYTES      32
#define SHARE_PREFIX_CHARS     6
#define SHARE_PASSWORD_MAX     1024
#define SHARE_MAX_DOWNLOADS    1000000000
/* Without an admin maximum, a date still has to be one SQLite and GLib
 * can hold comfortably. */
#define SHARE_LIFETIME_CEILING (G_GINT64_CONSTANT (100) * 366 * 24 * 3600)

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
bad (GError    **error,
     const char *message)
{
  g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_BAD_REQUEST, message);
  return FALSE;
}

/* Exactly one of expires_in_seconds, expires_at or never: true. *out is
 * the expiry (0 = never), checked against the server's maximum. */
static gboolean
parse_expiry (JsonObject                *body,
              const AllsetServerConfig  *config,
              gint64                     now,
              gint64                    *out,
              GError                   **error)
{
  gint64 seconds = -1;
  const char *at = NULL;
  gboolean never = FALSE;
  guint given;

  if (!allset_json_get_int_opt (body, "expires_in_seconds", &seconds, error) ||
      !allset_json_get_string_opt (body, "expires_at", &at, error) ||
      !allset_json_get_bool_opt (body, "never", &never, error))
    return FALSE;

  given = (seconds != -1) + (at != NULL) + (never ? 1 : 0);
  if (given != 1)
    return bad (error, "Give exactly one of expires_in_seconds, expires_at or never: true");

  if (never)
    {
      if (config->share_max_lifetime > 0)
        return bad (error, "This server does not allow links that never expire");
      *out = 0;
      return TRUE;
    }

  if (at != NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (at, NULL);

      if (dt == NULL)
        return bad (error, "expires_at must be an ISO 8601 date with a time zone, e.g. 2026-11-26T13:45:00Z");
      seconds = g_date_time_to_unix (dt) - now;
      if (seconds <= 0)
        return bad (error, "expires_at is in the past");
    }
  else if (seconds <= 0)
    return bad (error, "expires_in_seconds must be at least 1");

  if (seconds > SHARE_LIFETIME_CEILING)
    return bad (error, "The expiry is too far in the future");
  if (config->share_max_lifetime > 0 && (guint64) seconds > config->share_max_lifetime)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_BAD_REQUEST,
                   "This server allows links of at most %" G_GUINT64_FORMAT " seconds",
                   config->share_max_lifetime);
      return FALSE;
    }

  *out = now + seconds;
  return TRUE;
}

static const char *
share_state (const AllsetShare *share,
             gint64             now)
{
  /* Before the others: it is the one state the owner cannot change. */
  if (share->suspended_at > 0)
    return "suspended";
  if (share->expires_at > 0 && share->expires_at <= now)
    return "expired";
  if (share->max_downloads > 0 && share->downloads >= share->max_downloads)
    return "exhausted";
  return "active";
}

static void
add_time (JsonBuilder *b,
          const char  *member,
          gint64       unix_time)
{
  g_autofree char *text = unix_time > 0 ? allset_http_format_time (unix_time) : NULL;

  json_builder_set_member_name (b, member);
  if (text != NULL)
    json_builder_add_string_value (b, text);
  else
    json_builder_add_null_value (b);
}

static void
add_share_members (JsonBuilder       *b,
                   const AllsetShare *share,
                   gint64             now)
{
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, share->id);
  json_builder_set_member_name (b, "token_prefix");
  json_builder_add_string_value (b, share->token_prefix);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, share->path);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, share->type == ALLSET_NODE_DIR ? "dir" : "file");
  add_time (b, "created_at", share->created_at);
  add_time (b, "expires_at", share->expires_at);
  json_builder_set_member_name (b, "has_password");
  json_builder_add_boolean_value (b, share->password_hash != NULL);
  json_builder_set_member_name (b, "max_downloads");
  json_builder_add_int_value (b, share->max_downloads);
  json_builder_set_member_name (b, "downloads");
  json_builder_add_int_value (b, share->downloads);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, share_state (share, now));
  json_builder_set_member_name (b, "suspended_reason");
  if (share->suspended_at > 0)
    json_builder_add_string_value (b, share->suspended_reason ? share->suspended_reason : "");
  else
    json_builder_add_null_value (b);
}

/* The kind of what path names now: a file, a directory, or NOT_FOUND. */
static gboolean
resolve_type (AllsetStore     *store,
              gint64           account_id,
              const char      *path,
              AllsetNodeType  *type,
              GError         **error)
{
  g_autoptr(AllsetNode) file = NULL;
  g_autoptr(GPtrArray) listing = NULL;
  g_autoptr(GError) local = NULL;

  file = allset_store_get_file (store, account_id, path, 0, &local);
  if (file != NULL)
    {
      *type = ALLSET_NODE_FILE;
      return TRUE;
    }
  if (!g_error_matches (local, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_clear_error (&local);

  listing = allset_store_list (store, account_id, path, &local);
  if (listing != NULL)
    {
      *type = ALLSET_NODE_DIR;
      return TRUE;
    }
  g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND, "No file or folder “%s”", path);
  return FALSE;
}

AllsetHttpResponse *
allset_route_share_create (AllsetServer      *server,
                           AllsetHttpRequest *request)
{
  AllsetStore *store = allset_server_get_store (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;
  g_autofree char *url_path = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *password_hash = NULL;
  AllsetShare share = { 0 };
  const char *path_text, *password = NULL;
  gint64 now = now_seconds ();
  AllsetHash token_hash;

  body = allset_http_request_json (request, &error);
  if (body == NULL ||
      !allset_json_get_string (body, "path", &path_text, &error) ||
      !(path = allset_path_normalize (path_text, FALSE, &error)) ||
      !parse_expiry (body, allset_server_get_config (server), now, &share.expires_at, &error) ||
      !allset_json_get_string_opt (body, "password", &password, &error) ||
      !allset_json_get_int_opt (body, "max_downloads", &share.max_downloads, &error))
    return allset_http_response_new_gerror (error);

  if (password != NULL && (*password == '\0' || strlen (password) > SHARE_PASSWORD_MAX))
    return allset_http_response_new_error (ALLSET_ERROR_BAD_REQUEST,
                                           "password must be 1 to 1024 bytes (omit it for none)");
  if (share.max_downloads < 0 || share.max_downloads > SHARE_MAX_DOWNLOADS)
    return allset_http_response_new_error (ALLSET_ERROR_BAD_REQUEST,
                                           "max_downloads must be between 0 (no limit) and 1000000000");

  if (!resolve_type (store, request->account->id, path, &share.type, &error))
    return allset_http_response_new_gerror (error);

  share.account_id = request->account->id;
  share.path = path;
  share.created_at = now;
  if (password != NULL &&
      !(password_hash = allset_password_hash (password, &error)))
    return allset_http_response_new_gerror (error);
  share.password_hash = password_hash;

  token = allset_random_token (SHARE_TOKEN_BYTES);
  allset_sha256 (token, strlen (token), &token_hash);
  prefix = g_strndup (token, SHARE_PREFIX_CHARS);
  share.token_prefix = prefix;
  share.id = allset_store_share_add (store, &share, &token_hash, &error);
  if (share.id == 0)
    return allset_http_response_new_gerror (error);

  url_path = g_strdup_printf ("/s/%s", token);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, token);
  json_builder_set_member_name (b, "url_path");
  json_builder_add_string_value (b, url_path);
  add_share_members (b, &share, now);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_CREATED, b);
}

AllsetHttpResponse *
allset_route_shares_list (AllsetServer      *server,
                          AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  gint64 now = now_seconds ();

  shares = allset_store_share_list (allset_server_get_store (server), request->account->id, &error);
  if (shares == NULL)
    return allset_http_response_new_gerror (error);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "shares");
  json_builder_begin_array (b);
  for (guint i = 0; i < shares->len; i++)
    {
      json_builder_begin_object (b);
      add_share_members (b, g_ptr_array_index (shares, i), now);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

static gboolean
parse_id (const char *param,
          gint64     *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (param, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;
  *id = (gint64) value;
  return TRUE;
}

static AllsetHttpResponse *
no_such_share (void)
{
  return allset_http_response_new_error (ALLSET_ERROR_NOT_FOUND, "No such share link");
}

static AllsetHttpResponse *
share_suspended (void)
{
  /* Only an admin lifts a suspension (terms R16): the owner may still
   * revoke the link, never reopen or change it. */
  return allset_http_response_new_error (ALLSET_ERROR_SUSPENDED,
                                         "ALLSET suspended this link; only ALLSET can lift it");
}

typedef struct
{
  AllsetShareUpdate store;
  char             *password_hash;   /* owns store.password_hash */
} ShareUpdate;

static void
share_update_clear (ShareUpdate *update)
{
  g_clear_pointer (&update->password_hash, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ShareUpdate, share_update_clear)

/* Each of the expiry (as at creation), password (a string sets it, null
 * removes it) and max_downloads is optional, but one at least is given. */
static gboolean
parse_update (JsonObject                *body,
              const AllsetServerConfig  *config,
              gint64                     now,
              ShareUpdate               *update,
              GError                   **error)
{
  static const char *const expiry_members[] = { "expires_in_seconds", "expires_at", "never" };
  const char *password = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (expiry_members); i++)
    update->store.set_expiry |= json_object_has_member (body, expiry_members[i]);
  if (update->store.set_expiry &&
      !parse_expiry (body, config, now, &update->store.expires_at, error))
    return FALSE;

  update->store.set_password = json_object_has_member (body, "password");
  if (!allset_json_get_string_opt (body, "password", &password, error))
    return FALSE;
  if (password != NULL && (*password == '\0' || strlen (password) > SHARE_PASSWORD_MAX))
    return bad (error, "password must be 1 to 1024 bytes (null removes it)");

  update->store.set_max_downloads = json_object_has_member (body, "max_downloads") &&
                                    !json_object_get_null_member (body, "max_downloads");
  if (!allset_json_get_int_opt (body, "max_downloads", &update->store.max_downloads, error))
    return FALSE;
  if (update->store.max_downloads < 0 || update->store.max_downloads > SHARE_MAX_DOWNLOADS)
    return bad (error, "max_downloads must be between 0 (no limit) and 1000000000");

  if (!update->store.set_expiry && !update->store.set_password && !update->store.set_max_downloads)
    return bad (error, "Give an expiry, a password or max_downloads to change");

  /* Hashed last: Argon2id is slow, and a bad request should not pay for it. */
  if (password != NULL &&
      !(update->password_hash = allset_password_hash (password, error)))
    return FALSE;
  update->store.password_hash = update->password_hash;
  return TRUE;
}

AllsetHttpResponse *
allset_route_share_update (AllsetServer      *server,
                           AllsetHttpRequest *request)
{
  AllsetStore *store = allset_server_get_store (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(AllsetShare) share = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_auto(ShareUpdate) update = { { 0, } };
  gint64 id, now = now_seconds ();

  /* Ownership first: another account's id answers 404 whatever the body. */
  if (!parse_id (request->param, &id))
    return no_such_share ();
  share = allset_store_share_get (store, request->account->id, id, &error);
  if (share == NULL)
    return error != NULL ? allset_http_response_new_gerror (error) : no_such_share ();

  if (share->suspended_at > 0)
    return share_suspended ();

  body = allset_http_request_json (request, &error);
  if (body == NULL || !parse_update (body, allset_server_get_config (server), now, &update, &error))
    return allset_http_response_new_gerror (error);

  if (!allset_store_share_update (store, request->account->id, id, &update.store, &error))
    {
      if (error != NULL)
        return allset_http_response_new_gerror (error);
      /* Suspended or revoked since the check above. */
      g_clear_pointer (&share, allset_share_free);
      share = allset_store_share_get (store, request->account->id, id, NULL);
      return share != NULL && share->suspended_at > 0 ? share_suspended () : no_such_share ();
    }
  g_clear_pointer (&share, allset_share_free);
  share = allset_store_share_get (store, request->account->id, id, &error);
  if (share == NULL)
    return error != NULL ? allset_http_response_new_gerror (error) : no_such_share ();

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_share_members (b, share, now);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

AllsetHttpResponse *
allset_route_share_revoke (AllsetServer      *server,
                           AllsetHttpRequest *request)
{
  gint64 id;

  if (!parse_id (request->param, &id) ||
      !allset_store_share_revoke (allset_server_get_store (server), request->account->id, id))
    return no_such_share ();
  return allset_http_response_new (SOUP_STATUS_NO_CONTENT);
}
