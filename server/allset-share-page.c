/* allset-share-page.c — the public pages of share links, rendered on the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Visitors of a share link are the customer's own contacts, in French, on
 * any browser: the pages are plain HTML forms without JavaScript. The only
 * style is inline and allowed by its hash, so the Content-Security-Policy
 * can forbid everything else. The texts are static French strings: these
 * pages have no other language (the product is French; see issue #5).
 */

#include <string.h>

#include "allset-share-page.h"

static const char style[] =
  "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}"
  "h1{font-size:1.4rem;word-break:break-all}"
  "table{border-collapse:collapse;width:100%}"
  "td{padding:.3rem .5rem;border-bottom:1px solid #ddd}"
  ".b{display:inline-block;padding:.6rem 1.2rem;background:#1a5fb4;color:#fff;"
  "text-decoration:none;border:0;border-radius:.3rem;font-size:1rem}"
  ".e{color:#a51d2d}.m{color:#666}";

static const char *const months[] = {
  "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
  "août", "septembre", "octobre", "novembre", "décembre",
};

/* Computed once: 'sha256-BASE64' of the inline style, for the CSP. */
static const char *
style_hash (void)
{
  static gsize once;
  static char *hash;

  if (g_once_init_enter (&once))
    {
      AllsetHash digest;
      g_autofree char *b64 = NULL;

      allset_sha256 (style, strlen (style), &digest);
      b64 = g_base64_encode (digest.bytes, ALLSET_HASH_LEN);
      hash = g_strdup_printf ("'sha256-%s'", b64);
      g_once_init_leave (&once, 1);
    }
  return hash;
}

void
allset_share_page_add_headers (AllsetHttpResponse *response)
{
  g_autofree char *csp = g_strdup_printf ("default-src 'none'; style-src %s; form-action 'self'; "
                                          "frame-ancestors 'none'; base-uri 'none'",
                                          style_hash ());
  SoupMessageHeaders *h = response->headers;

  soup_message_headers_replace (h, "X-Robots-Tag", "noindex, nofollow, noarchive");
  soup_message_headers_replace (h, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (h, "Content-Security-Policy", csp);
  soup_message_headers_replace (h, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (h, "X-Frame-Options", "DENY");
  soup_message_headers_replace (h, "Cache-Control", "no-store");
}

AllsetHttpResponse *
allset_share_page_new (guint       status,
                       const char *title,
                       const char *body_html)
{
  AllsetHttpResponse *response = allset_http_response_new (status);
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  char *html;

  html = g_strdup_printf ("<!DOCTYPE html>\n"
                          "<html lang=\"fr\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"robots\" content=\"noindex, nofollow, noarchive\">"
                          "<meta name=\"referrer\" content=\"no-referrer\">"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                          "<title>%s — ALLSET</title><style>%s</style></head>\n"
                          "<body>%s<p class=\"m\">Partagé avec ALLSET Sync.</p></body></html>\n",
                          escaped_title, style, body_html);
  response->content_type = g_strdup ("text/html; charset=utf-8");
  response->body = g_bytes_new_take (html, strlen (html));
  allset_share_page_add_headers (response);
  return response;
}

AllsetHttpResponse *
allset_share_page_not_found (void)
{
  return allset_share_page_new (SOUP_STATUS_NOT_FOUND, "Lien introuvable",
                                "<h1>Lien introuvable</h1>"
                                "<p>Ce lien de partage n’existe pas. Vérifiez qu’il a été "
                                "copié en entier.</p>");
}

AllsetHttpResponse *
allset_share_page_gone (void)
{
  return allset_share_page_new (SOUP_STATUS_GONE, "Lien expiré",
                                "<h1>Ce lien n’est plus disponible</h1>"
                                "<p>Il a expiré, a été révoqué par son auteur ou a atteint "
                                "son nombre maximal de téléchargements. Demandez un nouveau "
                                "lien à la personne qui vous l’a envoyé.</p>");
}

AllsetHttpResponse *
allset_share_page_throttled (const char *title,
                             const char *why,
                             guint64     retry_after)
{
  g_autofree char *body = NULL;
  g_autofree char *seconds = g_strdup_printf ("%" G_GUINT64_FORMAT, retry_after);
  AllsetHttpResponse *response;

  body = g_strdup_printf ("<h1>%s</h1>"
                          "<p class=\"e\">%s. Réessayez dans %" G_GUINT64_FORMAT " minute(s).</p>",
                          title, why, (retry_after + 59) / 60);
  response = allset_share_page_new (429, title, body);
  soup_message_headers_replace (response->headers, "Retry-After", seconds);
  return response;
}

AllsetHttpResponse *
allset_share_page_password (guint       status,
                            const char *token,
                            gboolean    wrong)
{
  g_autofree char *body = NULL;

  /* token is base64url (checked by the caller): nothing to escape. */
  body = g_strdup_printf ("<h1>Lien protégé</h1>"
                          "%s"
                          "<form method=\"post\" action=\"/s/%s\">"
                          "<p><label for=\"p\">Mot de passe</label><br>"
                          "<input id=\"p\" type=\"password\" name=\"password\" "
                          "autocomplete=\"off\" required autofocus></p>"
                          "<p><button class=\"b\" type=\"submit\">Accéder</button></p>"
                          "</form>"
                          "<p class=\"m\"><a href=\"/s/%s/report\" rel=\"nofollow\">"
                          "Signaler ce contenu</a></p>",
                          wrong ? "<p class=\"e\">Mot de passe incorrect.</p>" : "",
                          token, token);
  return allset_share_page_new (status, "Lien protégé", body);
}

char *
allset_share_format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  if (dt == NULL)
    return g_strdup ("?");
  return g_strdup_printf ("%d %s %d à %02d:%02d UTC",
                          g_date_time_get_day_of_month (dt),
                          months[g_date_time_get_month (dt) - 1],
                          g_date_time_get_year (dt),
                          g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt));
}

char *
allset_share_format_size (guint64 size)
{
  static const char *const units[] = { "Ko", "Mo", "Go", "To" };
  double value = size;
  guint unit = 0;
  char *text;

  if (size < 1024)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " octet%s", size, size > 1 ? "s" : "");

  value /= 1024;
  while (value >= 1024 && unit + 1 < G_N_ELEMENTS (units))
    {
      value /= 1024;
      unit++;
    }
  /* French decimal comma, independent of the server's locale. */
  text = g_strdup_printf ("%.1f %s", value, units[unit]);
  for (char *p = text; *p; p++)
    if (*p == '.')
      *p = ',';
  return text;
}

char *
allset_share_content_disposition (const char *name)
{
  g_autofree char *encoded = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *ascii = g_strdup (name);

  /* The plain filename is a fallback for old clients: ASCII only, and
   * nothing that could end the quoted string. */
  for (char *p = ascii; *p; p++)
    if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f || *p == '"' || *p == '\\' || *p == '%')
      *p = '_';
  return g_strdup_printf ("attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, encoded);
}
