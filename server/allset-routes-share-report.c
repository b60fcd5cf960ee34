/* allset-routes-share-report.c — « Signaler ce contenu » and the 451 page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ALLSET may suspend a publication after a complaint or when a file is a
 * security risk (terms R16): anyone holding a link can report it from
 * GET /s/TOKEN/report, a plain form that works without JavaScript, in
 * French like every public page (allset-share-page.c gives the headers).
 * A report needs no password: someone who was sent a protected link may
 * have good reasons to report it without opening it. The admin reads the
 * reports with `allset-server admin share-reports` and suspends a link with
 * `share-suspend`; from then on every public URL of it answers 451.
 *
 * Reports from one address are throttled (at most N an hour): the form
 * cannot hurt anyone, but a flood would bury the real complaints.
 */

#include <string.h>

#include "allset-routes-share-report.h"
#include "allset-share-page.h"

#define REPORT_DETAILS_MAX   4000   /* bytes */
#define REPORT_EMAIL_MAX     254    /* RFC 5321 path limit */
#define REPORT_BODY_MAX      (64 * 1024)

typedef struct
{
  const char *value;
  const char *label;
} Reason;

static const Reason reasons[] = {
  { "illegal",   "Contenu illicite" },
  { "copyright", "Atteinte au droit d’auteur" },
  { "malware",   "Logiciel malveillant ou fichier dangereux" },
  { "personal",  "Données personnelles" },
  { "other",     "Autre" },
};

static gboolean
reason_is_known (const char *value)
{
  for (guint i = 0; value != NULL && i < G_N_ELEMENTS (reasons); i++)
    if (g_str_equal (value, reasons[i].value))
      return TRUE;
  return FALSE;
}

char *
allset_share_report_link (const char *token)
{
  /* token is base64url (checked by the caller): nothing to escape. */
  return g_strdup_printf ("<p class=\"m\"><a href=\"/s/%s/report\" rel=\"nofollow\">"
                          "Signaler ce contenu</a></p>", token);
}

AllsetHttpResponse *
allset_share_page_suspended (const char *reason)
{
  g_autofree char *escaped = g_markup_escape_text (reason != NULL && *reason ? reason
                                                   : "non précisée", -1);
  g_autofree char *body = NULL;

  body = g_strdup_printf ("<h1>Ce lien a été suspendu par ALLSET</h1>"
                          "<p>Raison : %s</p>"
                          "<p class=\"m\">ALLSET peut suspendre une publication qui fait "
                          "l’objet d’une réclamation ou qui présente un risque pour la "
                          "sécurité. Le contenu n’est plus accessible par ce lien.</p>",
                          escaped);
  return allset_share_page_new (451, "Lien suspendu", body);
}

/* The values the visitor typed, so that an error does not lose them. */
typedef struct
{
  const char *reason;
  const char *details;
  const char *email;
} ReportForm;

static AllsetHttpResponse *
render_form (guint             status,
             const char       *token,
             const ReportForm *form,
             const char       *error)
{
  g_autoptr(GString) html = g_string_new (NULL);
  g_autofree char *details = g_markup_escape_text (form->details ? form->details : "", -1);
  g_autofree char *email = g_markup_escape_text (form->email ? form->email : "", -1);

  g_string_append (html,
                   "<h1>Signaler ce contenu</h1>"
                   "<p>Ce formulaire signale à ALLSET un contenu publié par ce lien qui "
                   "serait illicite, porterait atteinte à vos droits ou présenterait un "
                   "risque. ALLSET examine chaque signalement et peut suspendre la "
                   "publication.</p>");
  if (error != NULL)
    g_string_append_printf (html, "<p class=\"e\">%s</p>", error);
  g_string_append_printf (html,
                          "<form method=\"post\" action=\"/s/%s/report\">"
                          "<p><label for=\"r\">Motif</label><br>"
                          "<select id=\"r\" name=\"reason\" required>"
                          "<option value=\"\">Choisissez un motif</option>",
                          token);
  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    g_string_append_printf (html, "<option value=\"%s\"%s>%s</option>", reasons[i].value,
                            g_strcmp0 (form->reason, reasons[i].value) == 0 ? " selected" : "",
                            reasons[i].label);
  g_string_append_printf (html,
                          "</select></p>"
                          "<p><label for=\"d\">Précisions (facultatif)</label><br>"
                          "<textarea id=\"d\" name=\"details\" rows=\"6\" cols=\"60\" "
                          "maxlength=\"%d\">%s</textarea></p>"
                          "<p><label for=\"m\">Votre adresse e-mail, pour être recontacté "
                          "(facultatif)</label><br>"
                          "<input id=\"m\" type=\"email\" name=\"email\" maxlength=\"%d\" "
                          "autocomplete=\"email\" value=\"%s\"></p>"
                          "<p class=\"m\">L’adresse IP de votre connexion est conservée avec "
                          "le signalement.</p>"
                          "<p><button class=\"b\" type=\"submit\">Envoyer le signalement</button></p>"
                          "</form>"
                          "<p><a href=\"/s/%s\">Retour au lien partagé</a></p>",
                          REPORT_DETAILS_MAX, details, REPORT_EMAIL_MAX, email, token);
  return allset_share_page_new (status, "Signaler ce contenu", html->str);
}

AllsetHttpResponse *
allset_share_report_form (AllsetServer      *server,
                          AllsetHttpRequest *request,
                          const AllsetShare *share,
                          const char        *token)
{
  ReportForm form = { NULL, };

  return render_form (SOUP_STATUS_OK, token, &form, NULL);
}

/* Loose on purpose: the address is only for ALLSET to write back, and a
 * strict RFC 5322 parser would refuse real addresses. One "@", something
 * on each side, a dot in the domain, no spaces, controls or brackets. */
static gboolean
email_is_plausible (const char *email)
{
  const char *at = strchr (email, '@');
  const char *domain;
  gsize len = strlen (email);

  if (len > REPORT_EMAIL_MAX || at == NULL || at == email || strchr (at + 1, '@') != NULL ||
      !g_utf8_validate (email, len, NULL))
    return FALSE;
  for (const char *p = email; *p; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f || strchr ("<>()[]\\,;:\"", *p) != NULL)
      return FALSE;
  domain = at + 1;
  return strchr (domain, '.') != NULL && domain[0] != '.' && domain[strlen (domain) - 1] != '.';
}

/* The admin reads details in a terminal: no control character but line
 * breaks and tabs reaches the database. Returns a new string. */
static char *
clean_details (const char *details)
{
  GString *out = g_string_sized_new (strlen (details));

  for (const char *p = details; *p; p++)
    {
      if (*p == '\r')
        {
          if (p[1] != '\n')
            g_string_append_c (out, '\n');
        }
      else if (((guchar) *p < ' ' && *p != '\n' && *p != '\t') || *p == 0x7f)
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

/* One throttle per server, beside the login one: reports and passwords
 * must not use up each other's allowance. Kept on the server object so
 * that this file owns it whole. */
static AllsetThrottle *
report_throttle (AllsetServer *server)
{
  static GMutex lock;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);
  AllsetThrottle *throttle = g_object_get_data (G_OBJECT (server), "allset-share-report-throttle");

  if (throttle == NULL)
    {
      throttle = allset_throttle_new (ALLSET_SHARE_REPORTS_PER_WINDOW, ALLSET_SHARE_REPORT_WINDOW);
      g_object_set_data_full (G_OBJECT (server), "allset-share-report-throttle", throttle,
                              (GDestroyNotify) allset_throttle_free);
    }
  return throttle;
}

AllsetHttpResponse *
allset_share_report_submit (AllsetServer      *server,
                            AllsetHttpRequest *request,
                            const AllsetShare *share,
                            const char        *token)
{
  AllsetThrottle *throttle = report_throttle (server);
  g_autofree char *key = g_strdup_printf ("report-ip:%s", request->remote_ip ? request->remote_ip : "?");
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *details = NULL;
  ReportForm form = { NULL, };
  AllsetShareReport report = { 0, };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint64 retry_after = 0;
  gsize body_len = request->body ? g_bytes_get_size (request->body) : 0;
  gboolean email_invalid = FALSE;

  if (!allset_throttle_check (throttle, key, now, &retry_after))
    return allset_share_page_throttled ("Trop de signalements",
                                        "Trop de signalements ont été envoyés depuis votre adresse",
                                        retry_after);

  if (body_len > REPORT_BODY_MAX)
    return render_form (SOUP_STATUS_BAD_REQUEST, token, &form,
                        "Le signalement est trop long.");
  if (body_len > 0)
    text = g_strndup (g_bytes_get_data (request->body, NULL), body_len);
  fields = soup_form_decode (text ? text : "");
  form.reason = g_hash_table_lookup (fields, "reason");
  form.details = g_hash_table_lookup (fields, "details");
  form.email = g_hash_table_lookup (fields, "email");
  if (form.details != NULL && !g_utf8_validate (form.details, -1, NULL))
    form.details = NULL;   /* never echoed back as it came */
  if (form.email != NULL && !g_utf8_validate (form.email, -1, NULL))
    {
      form.email = "";
      email_invalid = TRUE;
    }

  if (!reason_is_known (form.reason))
    return render_form (SOUP_STATUS_BAD_REQUEST, token, &form, "Choisissez le motif du signalement.");
  if (form.details == NULL && g_hash_table_lookup (fields, "details") != NULL)
    return render_form (SOUP_STATUS_BAD_REQUEST, token, &form,
                        "Les précisions contiennent des caractères invalides.");
  if (form.details != NULL && strlen (form.details) > REPORT_DETAILS_MAX)
    return render_form (SOUP_STATUS_BAD_REQUEST, token, &form,
                        "Les précisions sont trop longues (4000 octets au plus).");
  if (email_invalid || (form.email != NULL && *form.email != '\0' && !email_is_plausible (form.email)))
    return render_form (SOUP_STATUS_BAD_REQUEST, token, &form,
                        "L’adresse e-mail n’est pas valide.");

  details = clean_details (form.details ? form.details : "");
  report.share_id = share->id;
  report.token_prefix = share->token_prefix;
  report.reason = (char *) form.reason;
  report.details = details;
  report.email = form.email != NULL && *form.email != '\0' ? (char *) form.email : NULL;
  report.reporter_ip = request->remote_ip;
  report.created_at = now;
  report.id = allset_store_share_report_add (allset_server_get_store (server), &report, &error);
  if (report.id == 0)
    {
      g_warning ("Cannot store a report on share %" G_GINT64_FORMAT ": %s", share->id, error->message);
      return allset_share_page_new (SOUP_STATUS_INTERNAL_SERVER_ERROR, "Erreur",
                                    "<h1>Erreur du serveur</h1><p>Le signalement n’a pas pu être "
                                    "enregistré. Réessayez plus tard.</p>");
    }
  /* Counted once stored: someone correcting a mistake in the form is not
   * held back. */
  allset_throttle_fail (throttle, key, now);
  g_message ("Share %" G_GINT64_FORMAT " (%s…) reported (%s): report %" G_GINT64_FORMAT,
             share->id, share->token_prefix, form.reason, report.id);

  {
    g_autofree char *body = g_strdup_printf ("<h1>Signalement envoyé</h1>"
                                             "<p>Merci. Votre signalement a été enregistré et "
                                             "sera examiné par ALLSET.</p>"
                                             "<p><a href=\"/s/%s\">Retour au lien partagé</a></p>",
                                             token);

    return allset_share_page_new (SOUP_STATUS_OK, "Signalement envoyé", body);
  }
}
