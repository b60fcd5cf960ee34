/* test-share.c — share links from the real app: the dialog, the clipboard,
 * « Mes liens »
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside run-ui-test.sh (private D-Bus, real gnome-keyring, Xvfb),
 * in French, against the real allset-server over TLS. The dialog is
 * opened the way the file manager opens it (app.share-path with an
 * absolute path), driven through its template children, and what it
 * claims is checked from outside: the clipboard read back, the public
 * URL fetched, the server's list read with another client. Screenshots
 * of the dialog and the page go to $ALLSET_SCREENSHOT_DIR.
 *
 * The app's strings are compared through _() (the same catalogue as the
 * app's), so the test holds whether or not they are translated yet.
 */


#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "allset-share-dialog.h"
#include "allset-shares-page.h"
#include "allset-window.h"
#include "app-fixture.h"
#include "test-cli-server.h"

#define DAY (24 * 60 * 60)

/* ---- helpers ------------------------------------------------------------------ */

static AllsetShareDialog *
share_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (ALLSET_IS_SHARE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gpointer
dialog_child (const char *name)
{
  return child (share_dialog (), ALLSET_TYPE_SHARE_DIALOG, name);
}

static gboolean
dialog_ready (gpointer data)
{
  return share_dialog () != NULL && gtk_widget_is_sensitive (dialog_child ("create_button"));
}

static gboolean
dialog_error_shown (gpointer data)
{
  return share_dialog () != NULL && gtk_widget_get_visible (dialog_child ("error_label")) &&
         !gtk_spinner_get_spinning (dialog_child ("spinner"));
}

static gboolean
dialog_done (gpointer data)
{
  return share_dialog () != NULL &&
         (allset_share_dialog_get_url (share_dialog ()) != NULL || dialog_error_shown (NULL));
}

static void
open_dialog (Fixture    *f,
             const char *path)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "share-path", g_variant_new_string (path));
}

/* What the Nautilus extension sends: ActivateAction ("share-path",
 * [<path>], {}) on the app's bus name and object path, over the bus. */
static void
open_dialog_over_dbus (Fixture    *f,
                       const char *path)
{
  GApplication *app = G_APPLICATION (f->app);
  GVariantBuilder parameter;

  g_variant_builder_init (&parameter, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&parameter, "v", g_variant_new_string (path));
  g_dbus_connection_call (g_application_get_dbus_connection (app),
                          g_application_get_application_id (app),
                          g_application_get_dbus_object_path (app),
                          "org.freedesktop.Application", "ActivateAction",
                          g_variant_new ("(sava{sv})", "share-path", &parameter, NULL),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL, NULL);
}

static GtkWidget *
file_chooser (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (GTK_IS_FILE_CHOOSER_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

/* Open, and in a folder (the chooser loads it after it shows). */
static gboolean
chooser_in_folder (gpointer data)
{
  g_autoptr(GFile) folder = NULL;

  if (file_chooser () == NULL)
    return FALSE;
  folder = gtk_file_chooser_get_current_folder (GTK_FILE_CHOOSER (file_chooser ()));
  return folder != NULL;
}

/* The chooser selected data (it does once it has read that folder). */
static gboolean
chooser_has_file (gpointer data)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (file_chooser ()));

  return file != NULL && g_file_equal (file, data);
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

/* The clipboard's text as another program pasting would get it. */
static char *
clipboard_text (void)
{
  GdkClipboard *clipboard = gdk_display_get_clipboard (gdk_display_get_default ());
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &text);
  g_assert_true (wait_until (is_set, &text, 10));
  return text;
}

static gboolean
accept_test_certificate (SoupMessage *message,
                         GTlsCertificate *certificate,
                         GTlsCertificateFlags errors,
                         gpointer user_data)
{
  return TRUE;   /* the test server's own development certificate */
}

/* GET url as a browser would: the status, and the body in *body. */
static guint
fetch (const char  *url,
       char       **body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_test_certificate), NULL);
  soup_session_set_timeout (session, 20);
  bytes = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  *body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return soup_message_get_status (message);
}

static GPtrArray *
server_links (Fixture *f)
{
  g_autoptr(AllsetClient) client = test_cli_signed_in (f->server, "alice");
  g_autoptr(GError) error = NULL;
  GPtrArray *shares = allset_client_shares (client, NULL, &error);

  g_assert_no_error (error);
  return shares;
}

/* The fixture of the running test, for conditions that take a link. */
static Fixture *link_fixture;

static AllsetSharesPage *
shares_page (Fixture *f)
{
  return child (window_of (f), ALLSET_TYPE_WINDOW, "shares_page");
}

static GtkWidget *
first_row (Fixture *f)
{
  return gtk_widget_get_first_child (child (shares_page (f), ALLSET_TYPE_SHARES_PAGE, "list"));
}

/* The descendant of widget named name (the rows name their buttons). */
static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
page_shows (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  guint want = GPOINTER_TO_UINT (((gpointer *) data)[1]);
  GPtrArray *shares = allset_shares_page_get_shares (shares_page (f));
  const char *visible = gtk_stack_get_visible_child_name (child (shares_page (f), ALLSET_TYPE_SHARES_PAGE,
                                                                  "stack"));

  return shares != NULL && shares->len == want &&
         g_strcmp0 (visible, want > 0 ? "list" : "empty") == 0;
}

/* The page shows another expiry than link's. */
static gboolean
page_expiry_changed (gpointer data)
{
  const AllsetShareInfo *link = data;
  GPtrArray *shares = allset_shares_page_get_shares (shares_page (link_fixture));
  const AllsetShareInfo *shown;

  if (shares == NULL || shares->len != 1)
    return FALSE;
  shown = g_ptr_array_index (shares, 0);
  return g_strcmp0 (shown->id, link->id) == 0 && g_strcmp0 (shown->expires_at, link->expires_at) != 0;
}

/* ---- tests -------------------------------------------------------------------- */

/* « 30 jours » and a password: the clipboard holds a URL that asks for
 * the password, « Mes liens » shows it ending in 30 days, « Révoquer »
 * removes it from the server. */
static void
create_and_revoke_body (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->folder, "devis-2026.txt", NULL);
  g_autofree char *url = NULL;
  g_autofree char *pasted = NULL;
  g_autofree char *page = NULL;
  g_autofree char *expected_day = NULL;
  g_autofree char *expiry = NULL;
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GDateTime) in_30_days = NULL;
  g_autoptr(GDateTime) expires = NULL;
  gpointer one[2] = { f, GUINT_TO_POINTER (1) };
  gpointer none[2] = { f, GUINT_TO_POINTER (0) };
  const AllsetShareInfo *link;
  GtkWidget *row;
  gint64 delta;

  link_fixture = f;
  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));

  open_dialog_over_dbus (f, path);
  g_assert_true (wait_until (dialog_ready, NULL, 20));
  g_assert_cmpstr (adw_preferences_row_get_title (dialog_child ("file_row")), ==, "devis-2026.txt");
  g_assert_false (gtk_widget_get_visible (dialog_child ("error_label")));
  /* « 7 jours » unless the user chooses. */
  g_assert_cmpuint (adw_combo_row_get_selected (dialog_child ("expiry_row")), ==, 1);
  adw_combo_row_set_selected (dialog_child ("expiry_row"), 2);
  type_text (dialog_child ("password_row"), "mot de passe du devis");
  screenshot_window (GTK_WINDOW (share_dialog ()), "20-partager-un-fichier");

  click (dialog_child ("create_button"));
  g_assert_true (wait_until (dialog_done, NULL, 30));
  if (allset_share_dialog_get_url (share_dialog ()) == NULL)
    g_error ("no link: %s", label_text (dialog_child ("error_label")));
  url = g_strdup (allset_share_dialog_get_url (share_dialog ()));
  g_assert_true (g_str_has_prefix (url, f->server->url));
  g_assert_true (g_str_has_prefix (url + strlen (f->server->url), "s/"));
  g_assert_cmpstr (gtk_editable_get_text (dialog_child ("url_entry")), ==, url);
  screenshot_window (GTK_WINDOW (share_dialog ()), "21-lien-cree");

  /* In the clipboard at once, and said in a notification. */
  pasted = clipboard_text ();
  g_assert_cmpstr (pasted, ==, url);
  g_assert_true (wait_until (notification_shown, (gpointer) _("Link copied to the clipboard"), 5));

  /* The URL is the link: it asks for the password, and shows nothing else. */
  g_assert_cmpuint (fetch (url, &page), ==, 200);
  assert_contains (page, "type=\"password\"");
  g_assert_null (strstr (page, "12 000"));

  /* The server's view: one link, 30 days, a password. */
  links = server_links (f);
  g_assert_cmpuint (links->len, ==, 1);
  link = g_ptr_array_index (links, 0);
  g_assert_cmpstr (link->path, ==, "devis-2026.txt");
  g_assert_true (link->has_password);
  g_assert_cmpuint (link->max_downloads, ==, 0);
  g_assert_nonnull (link->expires_at);
  expires = g_date_time_new_from_iso8601 (link->expires_at, NULL);
  g_assert_nonnull (expires);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    delta = g_date_time_difference (expires, now) / G_USEC_PER_SEC;
  }
  g_assert_cmpint (delta, >, 30 * DAY - 300);
  g_assert_cmpint (delta, <=, 30 * DAY);

  /* « Copier » puts it back after something else was copied. */
  gdk_clipboard_set_text (gdk_display_get_clipboard (gdk_display_get_default ()), "autre chose");
  g_clear_pointer (&pasted, g_free);
  pasted = clipboard_text ();
  g_assert_cmpstr (pasted, ==, "autre chose");
  click (dialog_child ("copy_button"));
  g_clear_pointer (&pasted, g_free);
  pasted = clipboard_text ();
  g_assert_cmpstr (pasted, ==, url);

  click (dialog_child ("close_button"));
  spin (200);
  g_assert_null (share_dialog ());

  /* « Mes liens »: the link, ending in 30 days, with its password. */
  allset_window_show_page (ALLSET_WINDOW (window_of (f)), "shares");
  g_assert_true (wait_until (page_shows, one, 20));
  row = first_row (f);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "devis-2026.txt");
  expiry = allset_shares_page_describe_expiry (link);
  assert_contains (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), expiry);
  assert_contains (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), _("password"));
  assert_contains (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), link->token_prefix);
  /* The day a month from now, as the page writes dates. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();

    in_30_days = g_date_time_add_days (now, 30);
    expected_day = allset_share_format_date (in_30_days, FALSE);
  }
  assert_contains (expiry, expected_day);
  screenshot (f, "22-mes-liens");

  /* « Modifier l'expiration » → « 7 jours »: the server has it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (shares_page (f)), "shares.expire", "(ss)",
                                             link->id, "7d"));
  g_assert_true (wait_until (page_expiry_changed, (gpointer) link, 20));
  {
    g_autoptr(GPtrArray) changed = server_links (f);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) at = NULL;

    g_assert_cmpuint (changed->len, ==, 1);
    at = g_date_time_new_from_iso8601 (((AllsetShareInfo *) g_ptr_array_index (changed, 0))->expires_at, NULL);
    g_assert_nonnull (at);
    delta = g_date_time_difference (at, now) / G_USEC_PER_SEC;
    g_assert_cmpint (delta, >, 7 * DAY - 300);
    g_assert_cmpint (delta, <=, 7 * DAY);
  }

  /* « Révoquer », confirmed: gone from the server, the URL answers 410. */
  click (find_named (first_row (f), "revoke"));
  g_assert_true (wait_until (message_dialog_open, NULL, 5));
  screenshot_window (GTK_WINDOW (message_dialog ()), "23-revoquer-le-lien");
  adw_message_dialog_response (message_dialog (), "revoke");
  g_assert_true (wait_until (page_shows, none, 20));
  g_clear_pointer (&links, g_ptr_array_unref);
  links = server_links (f);
  g_assert_cmpuint (links->len, ==, 0);
  g_clear_pointer (&page, g_free);
  g_assert_cmpuint (fetch (url, &page), ==, 410);
  screenshot (f, "24-aucun-lien");
}

/* Bad input: a file outside the synced folders is refused before anything
 * is sent; a file not synced yet gets the server's 404 in words. */
static void
refused_body (Fixture *f)
{
  g_autofree char *other = g_build_filename (g_get_home_dir (), "Other", NULL);
  g_autofree char *outside = g_build_filename (other, "secret.txt", NULL);
  g_autofree char *unsynced = g_build_filename (f->folder, "brouillon.txt", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) links = NULL;
  AllsetAppState *state = allset_application_get_state (f->app);

  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));
  g_assert_cmpint (g_mkdir_with_parents (other, 0700), ==, 0);
  g_assert_true (g_file_set_contents (outside, "secret\n", -1, NULL));

  /* « Partager un fichier… » from the menu: the chooser starts in the
   * ALLSET folder; the user picks a file elsewhere. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "share-file", NULL);
  g_assert_true (wait_until (chooser_in_folder, NULL, 10));
  {
    GtkFileChooser *chooser = GTK_FILE_CHOOSER (file_chooser ());
    g_autoptr(GFile) current = gtk_file_chooser_get_current_folder (chooser);
    g_autoptr(GFile) pick = g_file_new_for_path (outside);
    g_autofree char *current_path = g_file_get_path (current);

    g_assert_cmpstr (current_path, ==, f->folder);
    g_assert_true (gtk_file_chooser_set_file (chooser, pick, NULL));
    g_assert_true (wait_until (chooser_has_file, pick, 10));
    gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  }
  g_assert_true (wait_until (dialog_error_shown, NULL, 20));
  {
    g_autoptr(GFile) shared = g_file_new_for_path (outside);

    g_assert_true (g_file_equal (allset_share_dialog_get_file (share_dialog ()), shared));
  }
  expected = g_strdup_printf (_("“%s” is not inside a synced folder: only the files of your ALLSET "
                                "folders can be shared."), "secret.txt");
  g_assert_cmpstr (label_text (dialog_child ("error_label")), ==, expected);
  g_assert_false (gtk_widget_is_sensitive (dialog_child ("create_button")));
  screenshot_window (GTK_WINDOW (share_dialog ()), "25-hors-des-dossiers");
  gtk_window_destroy (GTK_WINDOW (share_dialog ()));

  /* Paused: the new file stays on this computer, so the server has none. */
  allset_app_state_set_paused (state, TRUE);
  g_assert_true (wait_state (f, ALLSET_SESSION_PAUSED, 10));
  g_assert_true (g_file_set_contents (unsynced, "brouillon\n", -1, NULL));
  open_dialog (f, unsynced);
  g_assert_true (wait_until (dialog_ready, NULL, 20));

  /* « Date… »: a day already over is refused; today is fine (until its
   * end). */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);

    adw_combo_row_set_selected (dialog_child ("expiry_row"), 3);
    g_assert_true (gtk_widget_get_visible (dialog_child ("date_row")));
    gtk_calendar_select_day (dialog_child ("calendar"), yesterday);
    g_assert_true (gtk_widget_get_visible (dialog_child ("error_label")));
    g_assert_false (gtk_widget_is_sensitive (dialog_child ("create_button")));
    /* The calendar's popover is a surface of its own: not in the picture. */
    gtk_popover_popdown (dialog_child ("date_popover"));
    screenshot_window (GTK_WINDOW (share_dialog ()), "27-date-passee");
    gtk_calendar_select_day (dialog_child ("calendar"), now);
    g_assert_false (gtk_widget_get_visible (dialog_child ("error_label")));
    g_assert_true (gtk_widget_is_sensitive (dialog_child ("create_button")));
  }
  click (dialog_child ("create_button"));
  g_assert_true (wait_until (dialog_done, NULL, 30));
  g_assert_null (allset_share_dialog_get_url (share_dialog ()));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf (_("“%s” is not on the server yet: wait until it is synced, then try "
                                "again."), "brouillon.txt");
  g_assert_cmpstr (label_text (dialog_child ("error_label")), ==, expected);
  /* Refused, not stuck: the user may try again. */
  g_assert_true (gtk_widget_is_sensitive (dialog_child ("create_button")));
  screenshot_window (GTK_WINDOW (share_dialog ()), "26-pas-encore-synchronise");
  gtk_window_destroy (GTK_WINDOW (share_dialog ()));

  links = server_links (f);
  g_assert_cmpuint (links->len, ==, 0);
  allset_app_state_set_paused (state, FALSE);
}

/* A server that caps lifetimes at 30 days refuses « Jamais »: the dialog
 * says so, and « 30 jours » then goes through. */
static void
capped_body (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->folder, "devis-2026.txt", NULL);

  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));
  open_dialog (f, path);
  g_assert_true (wait_until (dialog_ready, NULL, 20));
  adw_combo_row_set_selected (dialog_child ("expiry_row"), 4);
  click (dialog_child ("create_button"));
  g_assert_true (wait_until (dialog_done, NULL, 30));
  g_assert_null (allset_share_dialog_get_url (share_dialog ()));
  g_assert_cmpstr (label_text (dialog_child ("error_label")), ==,
                   _("This server does not allow links that never expire: choose a duration or a "
                     "day."));
  screenshot_window (GTK_WINDOW (share_dialog ()), "28-jamais-refuse");

  /* Another choice clears the refusal; the longest allowed is accepted. */
  adw_combo_row_set_selected (dialog_child ("expiry_row"), 2);
  g_assert_false (gtk_widget_get_visible (dialog_child ("error_label")));
  click (dialog_child ("create_button"));
  g_assert_true (wait_until (dialog_done, NULL, 30));
  if (allset_share_dialog_get_url (share_dialog ()) == NULL)
    g_error ("no link: %s", label_text (dialog_child ("error_label")));
  gtk_window_destroy (GTK_WINDOW (share_dialog ()));
}

/* fixture_set_up with the server capping link lifetimes at 30 days. */
static void
capped_set_up (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *conf = g_build_filename (g_get_home_dir (), "capped.conf", NULL);
  g_autofree char *arg = g_strdup_printf ("--config=%s", conf);

  fixture_set_up (f, data);
  test_cli_server_stop (f->server);
  g_assert_true (g_file_set_contents (conf, "[server]\nshare_max_lifetime=30d\n", -1, NULL));
  f->server = test_cli_server_start (arg);
  test_cli_add_account (f->server, "alice", NULL);
}

static void
test_capped (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->folder, "devis-2026.txt", NULL);

  sign_in_directly (f);
  g_assert_true (g_file_set_contents (path, "Devis 2026 : 12 000 €\n", -1, NULL));
  run_app (f, capped_body);
}

static void
test_create_and_revoke (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->folder, "devis-2026.txt", NULL);

  sign_in_directly (f);
  g_assert_true (g_file_set_contents (path, "Devis 2026 : 12 000 €\n", -1, NULL));
  run_app (f, create_and_revoke_body);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  sign_in_directly (f);
  run_app (f, refused_body);
}

int
main (int    argc,
      char **argv)
{
  use_french ();

  g_test_init (&argc, &argv, NULL);
  start_notification_server ();

  g_test_add ("/share/create-and-revoke", Fixture, NULL, fixture_set_up, test_create_and_revoke,
              fixture_tear_down);
  g_test_add ("/share/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/share/capped-server", Fixture, NULL, capped_set_up, test_capped, fixture_tear_down);

  return g_test_run ();
}
