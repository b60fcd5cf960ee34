/* allset-client-shares.c — share links: create, list, change, revoke
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The endpoints of docs/protocol.md, "Share links", over the request
 * helpers of allset-client.c. The app and the CLI show the messages of
 * these errors as they are, so the answers a user can cause (no such
 * file, no such link, a suspended link) are rewritten into translated
 * sentences here, once; the codes stay those of the server, so callers
 * can still tell them apart (ALLSET_ERROR_NOT_FOUND, _SUSPENDED,
 * _BAD_REQUEST for an expiry, password or limit the server refuses, with
 * its message).
 */

#include <string.h>

#include <glib/gi18n.h>
#include "allset-client-private.h"

/* ---- parsing ------------------------------------------------------------ */

/* The protocol sends the id as a number; keep it as text, as the API
 * takes it back in a URL. */
static gboolean
get_id (JsonObject  *object,
        char       **out,
        GError     **error)
{
  JsonNode *node = json_object_get_member (object, "id");

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) > 0)
    {
      *out = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      return TRUE;
    }
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING && *json_node_get_string (node) != '\0')
    {
      *out = g_strdup (json_node_get_string (node));
      return TRUE;
    }

  return allset_client_shape_error (error, "id", "must be a positive number");
}

static AllsetShareInfo *
share_from_json (AllsetClient  *client,
                 JsonObject    *object,
                 GError       **error)
{
  g_autoptr(AllsetShareInfo) self = g_new0 (AllsetShareInfo, 1);
  const char *type = NULL;
  const char *url_path = NULL;

  if (!get_id (object, &self->id, error) ||
      !allset_client_dup_string (object, "token_prefix", &self->token_prefix, error) ||
      !allset_client_dup_string (object, "path", &self->path, error) ||
      !allset_json_get_string (object, "type", &type, error) ||
      !allset_client_dup_string_opt (object, "created_at", &self->created_at, error) ||
      !allset_client_dup_string_opt (object, "expires_at", &self->expires_at, error) ||
      !allset_json_get_bool_opt (object, "has_password", &self->has_password, error) ||
      !allset_client_get_size_opt (object, "max_downloads", &self->max_downloads, error) ||
      !allset_client_get_size_opt (object, "downloads", &self->downloads, error) ||
      !allset_client_dup_string (object, "state", &self->state, error) ||
      !allset_client_dup_string_opt (object, "suspended_reason", &self->suspended_reason, error) ||
      !allset_client_dup_string_opt (object, "token", &self->token, error) ||
      !allset_json_get_string_opt (object, "url_path", &url_path, error))
    return NULL;

  if (!g_str_equal (type, "file") && !g_str_equal (type, "dir"))
    {
      allset_client_shape_error (error, "type", "must be “file” or “dir”");
      return NULL;
    }
  self->is_dir = g_str_equal (type, "dir");

  if (self->token != NULL)
    {
      g_autofree char *fallback = NULL;

      if (*self->token == '\0' || strchr (self->token, '/') != NULL)
        {
          allset_client_shape_error (error, "token", "is not a link token");
          return NULL;
        }
      /* The server URL keeps its trailing slash (and any prefix). */
      if (url_path == NULL)
        url_path = fallback = g_strconcat ("/s/", self->token, NULL);
      if (*url_path != '/')
        {
          allset_client_shape_error (error, "url_path", "must start with “/”");
          return NULL;
        }
      self->url = g_strconcat (allset_client_get_server_url (client), url_path + 1, NULL);
    }

  return g_steal_pointer (&self);
}

/* ---- requests ----------------------------------------------------------- */

/* body may hold a password: allset_client_call_json() wipes its text
 * once sent. */
static JsonObject *
share_call (AllsetClient  *self,
            const char    *method,
            const char    *path,
            JsonObject    *body,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(JsonNode) node = NULL;

  if (body != NULL)
    node = json_node_init_object (json_node_alloc (), body);
  return allset_client_call_json (self, method, path, node, TRUE, cancellable, error);
}

static void
replace_error (GError     **error,
               GQuark       domain,
               int          code,
               const char  *message)
{
  g_clear_error (error);
  g_set_error_literal (error, domain, code, message);
}

/* A refused change of link id: its 404 and 403 said in words. */
static void
explain_link_error (AllsetClient  *self,
                    const char    *id,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autofree char *message = NULL;
  const char *reason = NULL;

  if (error == NULL || *error == NULL)
    return;

  if (g_error_matches (*error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
    {
      replace_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND, _("No such link"));
      return;
    }
  if (!g_error_matches (*error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_SUSPENDED))
    return;

  /* The refusal does not say why; the list does. */
  shares = allset_client_shares (self, cancellable, NULL);
  for (guint i = 0; shares != NULL && i < shares->len; i++)
    {
      AllsetShareInfo *share = g_ptr_array_index (shares, i);

      if (g_str_equal (share->id, id) && share->suspended_reason != NULL &&
          *share->suspended_reason != '\0')
        reason = share->suspended_reason;
    }
  if (reason == NULL)
    reason = _("no reason given");

  message = g_strdup_printf (_("This link was suspended by ALLSET: %s"), reason);
  replace_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_SUSPENDED, message);
}

static gboolean
set_expiry (JsonObject               *body,
            const AllsetShareExpiry  *expiry,
            GError                  **error)
{
  guint given = (expiry->in_seconds != 0) + (expiry->at != NULL) + (expiry->never ? 1 : 0);

  if (given != 1 || expiry->in_seconds < 0)
    {
      g_set_error_literal (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                           _("A link's expiry is exactly one of: a number of seconds, a date, "
                             "or never"));
      return FALSE;
    }

  if (expiry->in_seconds > 0)
    json_object_set_int_member (body, "expires_in_seconds", expiry->in_seconds);
  else if (expiry->at != NULL)
    json_object_set_string_member (body, "expires_at", expiry->at);
  else
    json_object_set_boolean_member (body, "never", TRUE);
  return TRUE;
}

static char *
link_path (const char *id)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);

  return g_strconcat ("api/v1/shares/", escaped, NULL);
}

/* ---- API ---------------------------------------------------------------- */

AllsetShareInfo *
allset_client_share_create (AllsetClient             *self,
                            const char               *path,
                            const AllsetShareExpiry  *expiry,
                            const char               *password,
                            guint64                   max_downloads,
                            GCancellable             *cancellable,
                            GError                  **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonObject) answer = NULL;
  AllsetShareInfo *share;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);
  g_return_val_if_fail (path != NULL && expiry != NULL, NULL);

  if (max_downloads > G_MAXINT64)
    {
      g_set_error_literal (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                           _("Too many downloads for a limit"));
      return NULL;
    }

  json_object_set_string_member (body, "path", path);
  if (!set_expiry (body, expiry, error))
    return NULL;
  if (password != NULL && *password != '\0')
    json_object_set_string_member (body, "password", password);
  if (max_downloads > 0)
    json_object_set_int_member (body, "max_downloads", (gint64) max_downloads);

  answer = share_call (self, "POST", "api/v1/shares", body, cancellable, error);
  if (answer == NULL)
    {
      if (error != NULL && g_error_matches (*error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not on the server"), path);

          replace_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND, message);
        }
      return NULL;
    }

  share = share_from_json (self, answer, error);
  if (share != NULL && share->token == NULL)
    {
      g_clear_pointer (&share, allset_share_info_free);
      allset_client_shape_error (error, "token", "is missing");
    }
  if (share == NULL)
    allset_client_bad_response (error, "api/v1/shares");
  return share;
}

GPtrArray *
allset_client_shares (AllsetClient  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GPtrArray) shares = NULL;
  JsonArray *array;
  guint n;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);

  answer = share_call (self, "GET", "api/v1/shares", NULL, cancellable, error);
  if (answer == NULL)
    return NULL;

  if (!allset_json_get_array (answer, "shares", &array, error))
    {
      allset_client_bad_response (error, "api/v1/shares");
      return NULL;
    }

  n = json_array_get_length (array);
  shares = g_ptr_array_new_full (n, (GDestroyNotify) allset_share_info_free);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      AllsetShareInfo *share = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        allset_client_shape_error (error, "shares", "must hold objects");
      else
        share = share_from_json (self, json_node_get_object (node), error);
      if (share == NULL)
        {
          allset_client_bad_response (error, "api/v1/shares");
          return NULL;
        }
      g_ptr_array_add (shares, share);
    }

  return g_steal_pointer (&shares);
}

AllsetShareInfo *
allset_client_share_update (AllsetClient             *self,
                            const char               *id,
                            const AllsetShareChange  *change,
                            GCancellable             *cancellable,
                            GError                  **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *path = NULL;
  AllsetShareInfo *share;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);
  g_return_val_if_fail (id != NULL && change != NULL, NULL);

  if (change->expiry != NULL && !set_expiry (body, change->expiry, error))
    return NULL;
  if (change->set_password)
    {
      if (change->password != NULL && *change->password != '\0')
        json_object_set_string_member (body, "password", change->password);
      else
        json_object_set_null_member (body, "password");
    }
  if (change->set_max_downloads)
    {
      if (change->max_downloads > G_MAXINT64)
        {
          g_set_error_literal (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                               _("Too many downloads for a limit"));
          return NULL;
        }
      json_object_set_int_member (body, "max_downloads", (gint64) change->max_downloads);
    }
  if (json_object_get_size (body) == 0)
    {
      g_set_error_literal (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                           _("Nothing to change in the link"));
      return NULL;
    }

  path = link_path (id);
  answer = share_call (self, "PATCH", path, body, cancellable, error);
  if (answer == NULL)
    {
      explain_link_error (self, id, cancellable, error);
      return NULL;
    }

  share = share_from_json (self, answer, error);
  if (share == NULL)
    allset_client_bad_response (error, path);
  return share;
}

gboolean
allset_client_share_revoke (AllsetClient  *self,
                            const char    *id,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  path = link_path (id);
  answer = share_call (self, "DELETE", path, NULL, cancellable, error);
  if (answer == NULL)
    {
      explain_link_error (self, id, cancellable, error);
      return FALSE;
    }
  return TRUE;
}
