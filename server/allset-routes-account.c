/* allset-routes-account.c — login, devices and the account summary
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Routes run in worker threads (see allset-server.c).
 */

#include "allset-password.h"
#include "allset-server-private.h"

#define TOKEN_BYTES 32

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
add_time_member (JsonBuilder *b,
                 const char  *name,
                 gint64       unix_time)
{
  g_autofree char *text = unix_time > 0 ? allset_http_format_time (unix_time) : NULL;

  json_builder_set_member_name (b, name);
  if (text != NULL)
    json_builder_add_string_value (b, text);
  else
    json_builder_add_null_value (b);
}

/* Verifying against this when the user does not exist costs the same time
 * as a wrong password, so timing does not reveal who has an account. */
static const char *
dummy_password_hash (void)
{
  static gsize initialized;
  static char *hash;

  if (g_once_init_enter (&initialized))
    {
      hash = allset_password_hash ("allset-timing-equaliser", NULL);
      g_once_init_leave (&initialized, 1);
    }

  return hash;
}

static AllsetHttpResponse *
too_many_attempts (guint64 retry_after)
{
  AllsetHttpResponse *response;
  char seconds[32];

  response = allset_http_response_new_error (ALLSET_ERROR_TOO_MANY_ATTEMPTS,
                                             "Too many failed sign-in attempts; try again later");
  g_snprintf (seconds, sizeof seconds, "%" G_GUINT64_FORMAT, MAX (retry_after, 1));
  soup_message_headers_replace (response->headers, "Retry-After", seconds);
  return response;
}

AllsetHttpResponse *
allset_route_authenticate (AllsetServer      *server,
                           AllsetHttpRequest *request)
{
  AllsetStore *store = allset_server_get_store (server);
  const char *auth = soup_message_headers_get_one (request->headers, "Authorization");
  g_autoptr(AllsetDevice) device = NULL;
  g_autoptr(AllsetAccount) account = NULL;
  gint64 now = now_seconds ();

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0 || auth[7] == '\0')
    return allset_http_response_new_error (ALLSET_ERROR_UNAUTHORIZED,
                                           "Sign in first: this endpoint needs a device token");

  allset_sha256 (auth + 7, strlen (auth + 7), &request->token_hash);
  device = allset_store_device_by_token (store, &request->token_hash);

  if (device == NULL || device->revoked)
    return allset_http_response_new_error (ALLSET_ERROR_UNAUTHORIZED,
                                           "This device token is not valid; sign in again");

  if (device->expires_at != 0 && device->expires_at <= now)
    return allset_http_response_new_error (ALLSET_ERROR_TOKEN_EXPIRED,
                                           "This device's session has expired; sign in again");

  account = allset_store_account_get (store, device->account_id, NULL);
  if (account == NULL)
    return allset_http_response_new_error (ALLSET_ERROR_UNAUTHORIZED,
                                           "This device token is not valid; sign in again");

  if (account->suspended)
    return allset_http_response_new_error (ALLSET_ERROR_ACCOUNT_SUSPENDED,
                                           "This account is suspended; contact ALLSET support");

  if (device->last_seen_at <= now - ALLSET_STORE_TOUCH_INTERVAL)
    allset_store_device_touch (store, device->device_id, now);
  request->device = g_steal_pointer (&device);
  request->account = g_steal_pointer (&account);
  return NULL;
}

AllsetHttpResponse *
allset_route_login (AllsetServer      *server,
                    AllsetHttpRequest *request)
{
  AllsetStore *store = allset_server_get_store (server);
  AllsetThrottle *throttle = allset_server_get_throttle (server);
  const AllsetServerConfig *config = allset_server_get_config (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(AllsetAccount) account = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *user_key = NULL;
  g_autofree char *ip_key = NULL;
  g_autofree char *token = NULL;
  g_autofree char *device_id = NULL;
  const char *username, *password, *device_name;
  guint64 retry_after = 0;
  gint64 now = now_seconds ();
  gint64 expires_at;
  AllsetHash token_hash;

  body = allset_http_request_json (request, &error);
  if (body == NULL ||
      !allset_json_get_string (body, "username", &username, &error) ||
      !allset_json_get_string (body, "password", &password, &error) ||
      !allset_json_get_string (body, "device_name", &device_name, &error))
    return allset_http_response_new_gerror (error);

  if (*device_name == '\0' || strlen (device_name) > 200)
    return allset_http_response_new_error (ALLSET_ERROR_BAD_REQUEST,
                                           "device_name must be 1 to 200 bytes");

  user_key = g_strdup_printf ("user:%s", username);
  ip_key = g_strdup_printf ("ip:%s", request->remote_ip ? request->remote_ip : "?");

  if (!allset_throttle_check (throttle, user_key, now, &retry_after) ||
      !allset_throttle_check (throttle, ip_key, now, &retry_after))
    return too_many_attempts (retry_after);

  account = allset_store_account_lookup (store, username, NULL);

  if (account == NULL)
    allset_password_verify (dummy_password_hash (), password);

  if (account == NULL || !allset_password_verify (account->password_hash, password))
    {
      allset_throttle_fail (throttle, user_key, now);
      allset_throttle_fail (throttle, ip_key, now);
      return allset_http_response_new_error (ALLSET_ERROR_UNAUTHORIZED,
                                             "Wrong username or password");
    }

  allset_throttle_reset (throttle, user_key);

  if (account->suspended)
    return allset_http_response_new_error (ALLSET_ERROR_ACCOUNT_SUSPENDED,
                                           "This account is suspended; contact ALLSET support");

  token = allset_random_token (TOKEN_BYTES);
  allset_sha256 (token, strlen (token), &token_hash);
  expires_at = config->token_lifetime > 0 ? now + (gint64) config->token_lifetime : 0;
  device_id = allset_store_device_add (store, account->id, device_name, &token_hash, expires_at, &error);
  if (device_id == NULL)
    return allset_http_response_new_gerror (error);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, token);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, device_id);
  add_time_member (b, "expires_at", expires_at);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

AllsetHttpResponse *
allset_route_logout (AllsetServer      *server,
                     AllsetHttpRequest *request)
{
  allset_store_device_revoke (allset_server_get_store (server),
                              request->account->id, request->device->device_id);
  return allset_http_response_new (SOUP_STATUS_NO_CONTENT);
}

AllsetHttpResponse *
allset_route_account (AllsetServer      *server,
                      AllsetHttpRequest *request)
{
  AllsetStore *store = allset_server_get_store (server);
  AllsetAccount *account = request->account;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, account->username);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, account->name);
  json_builder_set_member_name (b, "email");
  json_builder_add_string_value (b, account->email);
  json_builder_set_member_name (b, "quota");
  json_builder_add_int_value (b, account->quota);
  json_builder_set_member_name (b, "used");
  json_builder_add_int_value (b, allset_store_account_usage (store, account->id));
  json_builder_set_member_name (b, "cursor");
  json_builder_add_int_value (b, allset_store_cursor (store, account->id));
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

AllsetHttpResponse *
allset_route_devices (AllsetServer      *server,
                      AllsetHttpRequest *request)
{
  g_autoptr(GPtrArray) devices = allset_store_device_list (allset_server_get_store (server),
                                                           request->account->id);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "devices");
  json_builder_begin_array (b);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      AllsetDevice *device = g_ptr_array_index (devices, i);

      if (device->revoked)
        continue;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "device_id");
      json_builder_add_string_value (b, device->device_id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, device->name);
      add_time_member (b, "created_at", device->created_at);
      add_time_member (b, "last_seen_at", device->last_seen_at);
      add_time_member (b, "expires_at", device->expires_at);
      json_builder_set_member_name (b, "current");
      json_builder_add_boolean_value (b, g_str_equal (device->device_id, request->device->device_id));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

AllsetHttpResponse *
allset_route_device_revoke (AllsetServer      *server,
                            AllsetHttpRequest *request)
{
  if (!allset_store_device_revoke (allset_server_get_store (server),
                                   request->account->id, request->param))
    return allset_http_response_new_error (ALLSET_ERROR_NOT_FOUND, "No such device");

  return allset_http_response_new (SOUP_STATUS_NO_CONTENT);
}

AllsetHttpResponse *
allset_route_devices_revoke_all (AllsetServer      *server,
                                 AllsetHttpRequest *request)
{
  guint revoked = allset_store_device_revoke_all (allset_server_get_store (server),
                                                  request->account->id);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "revoked");
  json_builder_add_int_value (b, revoked);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}
