/* allset-routes-share-public.c — what anyone holding a share link sees
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GET /s/TOKEN (page), GET /s/TOKEN/download, GET /s/TOKEN/zip (the bytes:
 * allset-share-download.c, allset-share-zip.c), POST /s/TOKEN (password) and
 * /robots.txt. Every answer, errors included, is French HTML with the
 * no-indexing headers (allset-share-page.c). Unknown, forged and truncated
 * tokens get the same 404 after the same work (one SHA-256 and one indexed
 * lookup), so an answer tells nothing about which tokens exist.
 *
 * A password, once right, is remembered by a cookie scoped to /s/TOKEN that
 * holds HMAC-SHA256(key: the link's stored Argon2id hash, "share:ID") —
 * never the password; the hash never leaves the server and changes with
 * the password, so the cookie cannot be forged or outlive it.
 */

#include <string.h>

#include "allset-password.h"
#include "allset-routes-share-report.h"
#include "allset-server-private.h"
#include "allset-share-download.h"
#include "allset-share-page.h"

#define SHARE_TOKEN_CHARS   43   /* 32 bytes, base64url without padding */
#define SHARE_COOKIE        "allset_share"
#define SHARE_COOKIE_MAX_AGE (12 * 3600)

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
token_is_well_formed (const char *token,
                      gsize       len)
{
  if (len != SHARE_TOKEN_CHARS)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (token[i]) && token[i] != '-' && token[i] != '_')
      return FALSE;
  return TRUE;
}

/* The share a request names, or the French error page to answer with. */
typedef struct
{
  char        *token;
  char        *action;   /* what follows TOKEN/: NULL, "download" or "zip" */
  AllsetShare *share;
} ShareAccess;

static void
share_access_clear (ShareAccess *access)
{
  g_clear_pointer (&access->token, g_free);
  g_clear_pointer (&access->action, g_free);
  g_clear_pointer (&access->share, allset_share_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ShareAccess, share_access_clear)

static AllsetHttpResponse *
share_open (AllsetServer      *server,
            AllsetHttpRequest *request,
            ShareAccess       *access)
{
  AllsetStore *store = allset_server_get_store (server);
  const char *param = request->param ? request->param : "";
  const char *slash = strchr (param, '/');
  gsize len = slash ? (gsize) (slash - param) : strlen (param);
  g_autoptr(AllsetAccount) owner = NULL;
  gboolean well_formed = token_is_well_formed (param, len);
  AllsetHash hash;
  gint64 now = now_seconds ();

  /* Hash and look up even a malformed token: the work, and so the time,
   * is the same whatever came in. */
  allset_sha256 (param, len, &hash);
  access->share = allset_store_share_by_token (store, &hash);
  if (!well_formed || access->share == NULL)
    return allset_share_page_not_found ();

  access->token = g_strndup (param, len);
  if (slash != NULL)
    {
      if (!g_str_equal (slash + 1, "download") && !g_str_equal (slash + 1, "zip") &&
          !g_str_equal (slash + 1, "report"))
        return allset_share_page_not_found ();
      access->action = g_strdup (slash + 1);
    }

  owner = allset_store_account_get (store, access->share->account_id, NULL);
  /* Suspended by ALLSET (terms R16): 451 on every URL, reports included. */
  if (access->share->suspended_at > 0 && !access->share->revoked)
    return allset_share_page_suspended (access->share->suspended_reason);
  if (access->share->revoked || owner == NULL || owner->suspended ||
      (access->share->expires_at > 0 && access->share->expires_at <= now) ||
      (access->share->max_downloads > 0 &&
       access->share->downloads >= access->share->max_downloads))
    return allset_share_page_gone ();

  return NULL;
}

static char *
cookie_value (const AllsetShare *share)
{
  g_autofree char *data = g_strdup_printf ("share:%" G_GINT64_FORMAT, share->id);

  return g_compute_hmac_for_string (G_CHECKSUM_SHA256,
                                    (const guchar *) share->password_hash,
                                    strlen (share->password_hash), data, -1);
}

static gboolean
equal_constant_time (const char *a,
                     const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < MIN (la, lb); i++)
    diff |= (guint8) (a[i] ^ b[i]);
  return diff == 0;
}

static gboolean
password_cleared (const AllsetShare *share,
                  AllsetHttpRequest *request)
{
  const char *header = soup_message_headers_get_one (request->headers, "Cookie");
  g_autofree char *expected = NULL;
  g_auto(GStrv) parts = NULL;

  if (share->password_hash == NULL)
    return TRUE;
  if (header == NULL)
    return FALSE;

  expected = cookie_value (share);
  parts = g_strsplit (header, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);

      if (g_str_has_prefix (part, SHARE_COOKIE "=") &&
          equal_constant_time (part + strlen (SHARE_COOKIE "="), expected))
        return TRUE;
    }
  return FALSE;
}

/* Joins a path relative to a folder link onto the link's path; NULL for
 * anything allset_path_normalize() refuses (.., absolute, empty parts). */
static char *
inner_path (const AllsetShare *share,
            const char        *relative,
            gboolean           allow_root)
{
  g_autofree char *normalized = NULL;

  if (relative == NULL || *relative == '\0')
    return allow_root ? g_strdup (share->path) : NULL;
  normalized = allset_path_normalize (relative, FALSE, NULL);
  if (normalized == NULL)
    return NULL;
  return g_strconcat (share->path, "/", normalized, NULL);
}

static void
append_expiry (GString           *html,
               const AllsetShare *share)
{
  if (share->expires_at > 0)
    {
      g_autofree char *date = allset_share_format_date (share->expires_at);

      g_string_append_printf (html, "<p class=\"m\">Disponible jusqu’au %s.</p>", date);
    }
  else
    g_string_append (html, "<p class=\"m\">Sans date d’expiration.</p>");
  if (share->max_downloads > 0)
    g_string_append_printf (html, "<p class=\"m\">Téléchargements restants : %" G_GINT64_FORMAT ".</p>",
                            share->max_downloads - share->downloads);
}

static AllsetHttpResponse *
render_file (AllsetServer *server,
             ShareAccess  *access)
{
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(GString) html = g_string_new (NULL);
  g_autofree char *name = NULL;
  g_autofree char *size = NULL;
  g_autofree char *report_link = allset_share_report_link (access->token);

  node = allset_store_get_file (allset_server_get_store (server), access->share->account_id,
                                access->share->path, 0, NULL);
  if (node == NULL)
    return allset_share_page_gone ();

  name = g_markup_escape_text (allset_path_basename (node->path), -1);
  size = allset_share_format_size (node->size);
  g_string_append_printf (html, "<h1>%s</h1><p>Taille : %s</p>", name, size);
  append_expiry (html, access->share);
  g_string_append_printf (html, "<p><a class=\"b\" href=\"/s/%s/download\" download>Télécharger</a></p>",
                          access->token);
  g_string_append (html, report_link);
  return allset_share_page_new (SOUP_STATUS_OK, allset_path_basename (node->path), html->str);
}

static AllsetHttpResponse *
render_dir (AllsetServer      *server,
            AllsetHttpRequest *request,
            ShareAccess       *access)
{
  const char *relative = allset_http_request_query (request, "dir");
  g_autofree char *dir = inner_path (access->share, relative, TRUE);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) html = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *report_link = allset_share_report_link (access->token);
  gsize base = strlen (access->share->path) + 1;

  if (dir == NULL)
    return allset_share_page_not_found ();
  entries = allset_store_list (allset_server_get_store (server), access->share->account_id, dir, NULL);
  if (entries == NULL)
    return g_str_equal (dir, access->share->path) ? allset_share_page_gone ()
                                                  : allset_share_page_not_found ();

  title = g_markup_escape_text (allset_path_basename (dir), -1);
  g_string_append_printf (html, "<h1>%s</h1>", title);
  append_expiry (html, access->share);
  {
    g_autofree char *zip_dir = g_uri_escape_string (strlen (dir) > base ? dir + base : "", "/", FALSE);

    g_string_append_printf (html, "<p><a class=\"b\" href=\"/s/%s/zip%s%s\" download>"
                            "Tout télécharger (zip)</a></p>", access->token,
                            *zip_dir ? "?dir=" : "", zip_dir);
  }
  if (relative != NULL && *relative != '\0')
    g_string_append_printf (html, "<p><a href=\"/s/%s\">Retour au dossier partagé</a></p>", access->token);
  g_string_append (html, "<table>");
  for (guint i = 0; i < entries->len; i++)
    {
      AllsetNode *node = g_ptr_array_index (entries, i);
      g_autofree char *name = g_markup_escape_text (node->name, -1);
      g_autofree char *query = g_uri_escape_string (node->path + base, "/", FALSE);

      if (node->type == ALLSET_NODE_DIR)
        g_string_append_printf (html, "<tr><td><a href=\"/s/%s?dir=%s\">%s/</a></td><td></td></tr>",
                                access->token, query, name);
      else
        {
          g_autofree char *size = allset_share_format_size (node->size);

          g_string_append_printf (html, "<tr><td><a href=\"/s/%s/download?path=%s\" download>%s</a>"
                                  "</td><td>%s</td></tr>", access->token, query, name, size);
        }
    }
  if (entries->len == 0)
    g_string_append (html, "<tr><td>Ce dossier est vide.</td></tr>");
  g_string_append (html, "</table>");
  g_string_append (html, report_link);
  return allset_share_page_new (SOUP_STATUS_OK, allset_path_basename (dir), html->str);
}

static AllsetHttpResponse *
render (AllsetServer      *server,
        AllsetHttpRequest *request,
        ShareAccess       *access)
{
  if (access->share->type == ALLSET_NODE_DIR)
    return render_dir (server, request, access);
  return render_file (server, access);
}

static AllsetHttpResponse *
share_download (AllsetServer      *server,
                AllsetHttpRequest *request,
                ShareAccess       *access)
{
  AllsetShare *share = access->share;
  g_autoptr(AllsetNode) node = NULL;
  g_autofree char *path = NULL;

  if (!password_cleared (share, request))
    return allset_share_page_password (SOUP_STATUS_FORBIDDEN, access->token, FALSE);

  if (share->type == ALLSET_NODE_DIR)
    path = inner_path (share, allset_http_request_query (request, "path"), FALSE);
  else
    path = g_strdup (share->path);
  if (path == NULL)
    return allset_share_page_not_found ();
  node = allset_store_get_file (allset_server_get_store (server), share->account_id, path, 0, NULL);
  if (node == NULL)
    return share->type == ALLSET_NODE_DIR ? allset_share_page_not_found () : allset_share_page_gone ();

  return allset_share_download_file (server, request, share, node);
}

static AllsetHttpResponse *
share_zip (AllsetServer      *server,
           AllsetHttpRequest *request,
           ShareAccess       *access)
{
  g_autofree char *dir = NULL;

  if (!password_cleared (access->share, request))
    return allset_share_page_password (SOUP_STATUS_FORBIDDEN, access->token, FALSE);
  if (access->share->type != ALLSET_NODE_DIR)
    return allset_share_page_not_found ();
  dir = inner_path (access->share, allset_http_request_query (request, "dir"), TRUE);
  if (dir == NULL)
    return allset_share_page_not_found ();
  return allset_share_download_zip (server, access->share, dir);
}

AllsetHttpResponse *
allset_route_share_page (AllsetServer      *server,
                         AllsetHttpRequest *request)
{
  g_auto(ShareAccess) access = { 0 };
  AllsetHttpResponse *refused = share_open (server, request, &access);

  if (refused != NULL)
    return refused;
  /* No password for a report: see allset-routes-share-report.c. */
  if (g_strcmp0 (access.action, "report") == 0)
    return allset_share_report_form (server, request, access.share, access.token);
  if (g_strcmp0 (access.action, "zip") == 0)
    return share_zip (server, request, &access);
  if (access.action != NULL)
    return share_download (server, request, &access);
  if (!password_cleared (access.share, request))
    return allset_share_page_password (SOUP_STATUS_OK, access.token, FALSE);
  return render (server, request, &access);
}

AllsetHttpResponse *
allset_route_share_unlock (AllsetServer      *server,
                           AllsetHttpRequest *request)
{
  AllsetThrottle *throttle = allset_server_get_throttle (server);
  g_auto(ShareAccess) access = { 0 };
  AllsetHttpResponse *refused = share_open (server, request, &access);
  AllsetHttpResponse *response;
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *text = NULL;
  g_autofree char *share_key = NULL;
  g_autofree char *ip_key = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *set_cookie = NULL;
  const char *password;
  guint64 retry_after = 0;
  gint64 now = now_seconds ();
  gint64 max_age = SHARE_COOKIE_MAX_AGE;

  if (refused != NULL)
    return refused;
  if (g_strcmp0 (access.action, "report") == 0)
    return allset_share_report_submit (server, request, access.share, access.token);
  if (access.action != NULL)
    return allset_share_page_not_found ();
  if (access.share->password_hash == NULL)
    return render (server, request, &access);

  share_key = g_strdup_printf ("share:%" G_GINT64_FORMAT, access.share->id);
  ip_key = g_strdup_printf ("share-ip:%s", request->remote_ip ? request->remote_ip : "?");
  if (!allset_throttle_check (throttle, share_key, now, &retry_after) ||
      !allset_throttle_check (throttle, ip_key, now, &retry_after))
    return allset_share_page_throttled ("Trop de tentatives", "Trop de mots de passe erronés",
                                        retry_after);

  if (request->body != NULL)
    text = g_strndup (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body));
  form = soup_form_decode (text ? text : "");
  password = g_hash_table_lookup (form, "password");
  if (password == NULL || !allset_password_verify (access.share->password_hash, password))
    {
      allset_throttle_fail (throttle, share_key, now);
      allset_throttle_fail (throttle, ip_key, now);
      return allset_share_page_password (SOUP_STATUS_FORBIDDEN, access.token, TRUE);
    }
  allset_throttle_reset (throttle, share_key);

  if (access.share->expires_at > 0)
    max_age = MIN (max_age, access.share->expires_at - now);
  cookie = cookie_value (access.share);
  set_cookie = g_strdup_printf (SHARE_COOKIE "=%s; Path=/s/%s; Max-Age=%" G_GINT64_FORMAT
                                "; HttpOnly; Secure; SameSite=Strict",
                                cookie, access.token, max_age);
  response = render (server, request, &access);
  soup_message_headers_append (response->headers, "Set-Cookie", set_cookie);
  return response;
}

AllsetHttpResponse *
allset_route_robots (AllsetServer      *server,
                     AllsetHttpRequest *request)
{
  static const char text[] = "User-agent: *\nDisallow: /\n";
  AllsetHttpResponse *response = allset_http_response_new (SOUP_STATUS_OK);

  response->content_type = g_strdup ("text/plain; charset=utf-8");
  response->body = g_bytes_new_static (text, strlen (text));
  allset_share_page_add_headers (response);
  return response;
}
