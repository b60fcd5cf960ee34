/* test-app.c — the real app against the real server, as a user meets it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside run-ui-test.sh (private D-Bus, real gnome-keyring, Xvfb),
 * in French. The application is the real AllsetApplication, registered on
 * the private bus and driven through its widgets (template children, as
 * a user would click them); the server is the real allset-server over
 * TLS. Each test saves screenshots of what it saw in
 * $ALLSET_SCREENSHOT_DIR: look at them.
 */

#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-activity-row.h"
#include "allset-app-state.h"
#include "allset-application-private.h"
#include "allset-connect.h"
#include "allset-secrets.h"
#include "allset-preferences.h"
#include "allset-setup-page.h"
#include "allset-sign-in.h"
#include "allset-sync.h"
#include "allset-window.h"
#include "app-fixture.h"
#include "test-cli-server.h"

/* ---- tests ------------------------------------------------------------------ */

/* A server whose certificate expired on 2021-01-01 (certtool, from
 * gnutls-bin). */
static TestCliServer *
start_expired_server (void)
{
  g_autofree char *dir = g_dir_make_tmp ("allset-expired-XXXXXX", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *tmpl = g_build_filename (dir, "template", NULL);
  const char *keygen[] = { "certtool", "--generate-privkey", "--key-type=ecdsa",
                           "--curve=secp256r1", "--outfile", key, NULL };
  const char *certgen[] = { "certtool", "--generate-self-signed", "--load-privkey", key,
                            "--template", tmpl, "--outfile", cert, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (g_file_set_contents (tmpl, "cn = \"127.0.0.1\"\nip_address = \"127.0.0.1\"\n"
                                      "activation_date = \"2020-01-01 00:00:00\"\n"
                                      "expiration_date = \"2021-01-01 00:00:00\"\n"
                                      "tls_www_server\nsigning_key\n", -1, NULL));
  g_spawn_sync (NULL, (char **) keygen, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_spawn_sync (NULL, (char **) certgen, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return test_cli_server_start_tls (cert, key);
}

/* The running server reads the maintenance flag on its own schedule. */
static void
wait_maintenance (Fixture  *f,
                  gboolean  on)
{
  g_autoptr(AllsetClient) probe = test_cli_new_client (f->server, NULL);

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(AllsetServerStatus) status = allset_client_status (probe, NULL, NULL);

      if (status != NULL && status->maintenance == on)
        return;
      spin (100);
    }
  g_error ("the server's maintenance did not turn %s", on ? "on" : "off");
}

/* Bad input first: each gives a clear French message and the page stays usable. */
static void
sign_in_bad_input (Fixture *f)
{
  StepWait account = { f, "account" };
  TestCliServer *expired = start_expired_server ();

  g_assert_true (wait_until (on_step, &account, 5));
  screenshot (f, "01-premier-lancement");

  type_text (setup_child (f, "server_row"), "https://127.0.0.1:1/");
  type_text (setup_child (f, "user_row"), "alice");
  type_text (setup_child (f, "password_row"), TEST_CLI_PASSWORD);
  click (setup_child (f, "sign_in_button"));
  g_assert_true (wait_until (error_shown, f, 20));
  assert_contains (label_text (setup_child (f, "account_error")), "Impossible de joindre le serveur");
  screenshot (f, "02-serveur-injoignable");

  /* An expired certificate is refused, with its date: nothing to pin. */
  type_text (setup_child (f, "server_row"), expired->url);
  click (setup_child (f, "sign_in_button"));
  g_assert_true (wait_until (error_shown, f, 20));
  assert_contains (label_text (setup_child (f, "account_error")), "2021-01-01");
  assert_contains (label_text (setup_child (f, "account_error")), "n’est pas valide à cette date");
  screenshot (f, "02b-certificat-expire");
  test_cli_server_stop (expired);

  /* Maintenance: said before the password is sent, with the server's words. */
  test_cli_admin (f->server, NULL, "maintenance", "on", "--message", "Mise à jour du stockage", NULL);
  wait_maintenance (f, TRUE);
  type_text (setup_child (f, "server_row"), f->server->url);
  click (setup_child (f, "sign_in_button"));
  {
    StepWait certificate = { f, "certificate" };

    g_assert_true (wait_until (on_step, &certificate, 20));
  }
  g_assert_cmpstr (label_text (setup_child (f, "fingerprint_label")), ==, f->server->fingerprint);
  screenshot (f, "03-certificat-inconnu");
  click (setup_child (f, "trust_button"));
  g_assert_true (wait_until (error_shown, f, 20));
  assert_contains (label_text (setup_child (f, "account_error")), "maintenance");
  assert_contains (label_text (setup_child (f, "account_error")), "Mise à jour du stockage");
  screenshot (f, "02c-maintenance");
  test_cli_admin (f->server, NULL, "maintenance", "off", NULL);
  wait_maintenance (f, FALSE);

  /* The certificate trusted a moment ago is not asked again. */
  type_text (setup_child (f, "password_row"), "not the password");
  click (setup_child (f, "sign_in_button"));
  g_assert_true (wait_until (error_shown, f, 20));
  g_assert_cmpstr (label_text (setup_child (f, "account_error")), ==,
                   "Nom d’utilisateur ou mot de passe incorrect.");
  screenshot (f, "04-mauvais-mot-de-passe");
}

static void
first_run_body (Fixture *f)
{
  StepWait folder_step = { f, "folder" };
  g_autoptr(AllsetSecrets) secrets = allset_secrets_new (NULL);
  g_autoptr(AllsetFolderSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *received = NULL;
  g_autofree char *copy = g_build_filename (f->folder, "rapport.txt", NULL);
  AllsetConfig *config;
  GListModel *activity;
  gboolean verified = FALSE;

  sign_in_bad_input (f);

  /* The right password: the pinned certificate is remembered. */
  type_text (setup_child (f, "password_row"), TEST_CLI_PASSWORD);
  click (setup_child (f, "sign_in_button"));
  g_assert_true (wait_until (on_step, &folder_step, 30));

  /* Terms R4: both figures before anything is downloaded. */
  {
    g_autoptr(GFile) folder = g_file_new_for_path (f->folder);

    /* What the folder chooser would hand over. */
    allset_setup_page_set_folder (child (window_of (f), ALLSET_TYPE_WINDOW, "setup_page"), folder);
  }
  g_assert_true (wait_until (start_enabled, f, 20));
  g_assert_cmpstr (adw_action_row_get_subtitle (setup_child (f, "used_row")), !=, "…");
  g_assert_cmpstr (adw_action_row_get_subtitle (setup_child (f, "free_row")), !=, "…");
  screenshot (f, "05-choix-du-dossier");
  click (setup_child (f, "start_button"));

  /* Synced: the file is on disk, and its activity is « Vérifié ». */
  g_assert_true (wait_until (session_idle, f->app, 60));
  g_assert_true (g_file_get_contents (copy, &received, NULL, NULL));
  g_assert_cmpstr (received, ==, "Rapport annuel\n");

  session = g_list_model_get_item (allset_app_state_get_sessions (allset_application_get_state (f->app)), 0);
  activity = allset_folder_session_get_activity (session);
  for (guint i = 0; i < g_list_model_get_n_items (activity); i++)
    {
      g_autoptr(AllsetActivity) item = g_list_model_get_item (activity, i);

      if (g_str_equal (allset_activity_get_path (item), "rapport.txt") &&
          allset_activity_get_status (item) == ALLSET_ACTIVITY_VERIFIED)
        verified = TRUE;
    }
  g_assert_true (verified);
  screenshot (f, "06-a-jour-verifie");

  /* The token is in the keyring, read back through libsecret, and in no
   * file of the configuration. */
  config = allset_app_state_get_config (allset_application_get_state (f->app));
  token = allset_secrets_lookup (secrets, allset_config_get_server (config),
                                 allset_config_get_username (config), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), >, 20);
  {
    g_autofree char *conf = NULL;

    g_assert_true (g_file_get_contents (allset_config_get_path (config), &conf, NULL, NULL));
    g_assert_null (strstr (conf, token));
  }
}


static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Terms R14: on a metered connection the app pauses, says why, and lets
 * the user choose; « Synchroniser quand même » resumes. */
static void
metered_body (Fixture *f)
{
  g_autofree char *arrived = g_build_filename (f->folder, "devis.txt", NULL);
  GtkRevealer *banner;

  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));
  banner = child (window_of (f), ALLSET_TYPE_WINDOW, "metered_revealer");
  g_assert_false (gtk_revealer_get_reveal_child (banner));

  g_assert_true (g_file_set_contents (f->network, "metered", -1, NULL));
  g_assert_true (wait_state (f, ALLSET_SESSION_PAUSED_METERED, 10));
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  /* The banner, and a notification for when the window is closed. */
  g_assert_true (wait_until (notification_shown, (gpointer) "Connexion limitée : synchronisation en pause", 5));
  screenshot (f, "07-connexion-limitee");

  /* Paused means paused: a new file on the server stays there. */
  upload_from_other_device (f, "devis.txt", "Devis 2026\n");
  spin (2000);
  g_assert_false (g_file_test (arrived, G_FILE_TEST_EXISTS));

  click (child (window_of (f), ALLSET_TYPE_WINDOW, "metered_always_button"));
  g_assert_true (wait_until (file_exists, arrived, 20));
  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 20));
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  screenshot (f, "08-synchronise-quand-meme");
}

static GtkWindow *
preferences_window (Fixture *f)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (ALLSET_IS_PREFERENCES (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
preferences_open (gpointer data)
{
  return preferences_window (data) != NULL;
}

static gboolean
config_says_always (gpointer data)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (data, &text, NULL, NULL) && strstr (text, "metered_policy=always") != NULL;
}


static gboolean
n_sessions (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  GListModel *sessions = allset_app_state_get_sessions (allset_application_get_state (f->app));

  return allset_app_state_get_phase (allset_application_get_state (f->app)) == ALLSET_APP_PHASE_RUNNING &&
         g_list_model_get_n_items (sessions) == GPOINTER_TO_UINT (((gpointer *) data)[1]);
}

/* Préférences: the metered policy and start at login are saved where the
 * engine and the session manager read them. */
static void
preferences_body (Fixture *f)
{
  g_autofree char *conf = g_build_filename (g_get_user_config_dir (), "allset", "allset.conf", NULL);
  g_autofree char *autostart = g_build_filename (g_get_user_config_dir (), "autostart",
                                                 "fr.allset.Sync.desktop", NULL);
  GtkWindow *preferences;

  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  g_assert_true (wait_until (preferences_open, f, 5));
  preferences = preferences_window (f);
  screenshot_window (preferences, "09-preferences");

  adw_combo_row_set_selected (child (preferences, ALLSET_TYPE_PREFERENCES, "metered_row"),
                              ALLSET_METERED_ALWAYS);
  gtk_switch_set_active (child (preferences, ALLSET_TYPE_PREFERENCES, "start_switch"), FALSE);
  gtk_switch_set_active (child (preferences, ALLSET_TYPE_PREFERENCES, "start_switch"), TRUE);
  gtk_window_close (preferences);
  g_assert_true (wait_until (config_says_always, conf, 10));
  g_assert_true (wait_until (file_exists, autostart, 10));
  {
    g_autofree char *entry = NULL;

    g_assert_true (g_file_get_contents (autostart, &entry, NULL, NULL));
    assert_contains (entry, "Exec=allset-sync --background");
  }
  /* The sessions started again with the saved configuration. */
  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));

  /* Stop syncing the folder (its files stay), then sync another one in
   * its place, from the preferences (what the folder chooser hands over). */
  {
    g_autofree char *projects = g_build_filename (g_get_home_dir (), "Projets", NULL);
    g_autoptr(GFile) folder = g_file_new_for_path (projects);
    gpointer none[2] = { f, GUINT_TO_POINTER (0) };
    gpointer one[2] = { f, GUINT_TO_POINTER (1) };
    AllsetAppState *state = allset_application_get_state (f->app);
    g_autoptr(AllsetFolderSession) first = g_list_model_get_item (allset_app_state_get_sessions (state), 0);
    g_autofree char *id = g_strdup (allset_folder_session_get_folder (first)->id);

    g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
    g_assert_true (wait_until (preferences_open, f, 5));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences_window (f)),
                                               "prefs.remove-folder", "s", id));
    g_assert_true (wait_until (message_dialog_open, NULL, 5));
    screenshot_window (GTK_WINDOW (message_dialog ()), "09b-arreter-la-synchronisation");
    adw_message_dialog_response (message_dialog (), "remove");
    g_assert_true (wait_until (n_sessions, none, 20));
    g_assert_true (g_file_test (f->folder, G_FILE_TEST_IS_DIR));

    g_assert_cmpint (g_mkdir_with_parents (projects, 0700), ==, 0);
    g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
    g_assert_true (wait_until (preferences_open, f, 5));
    allset_preferences_add_folder (ALLSET_PREFERENCES (preferences_window (f)), folder);
    g_assert_true (wait_until (n_sessions, one, 20));
    g_clear_object (&first);
    first = g_list_model_get_item (allset_app_state_get_sessions (state), 0);
    g_assert_cmpstr (allset_folder_session_get_folder (first)->local, ==, projects);
  }
}

static GtkWidget *
conflict_row (Fixture *f)
{
  GtkWidget *list = child (window_of (f), ALLSET_TYPE_WINDOW, "activity_list");

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ALLSET_IS_ACTIVITY_ROW (row) &&
        gtk_widget_get_visible (child (row, ALLSET_TYPE_ACTIVITY_ROW, "conflict_button")))
      return row;
  return NULL;
}

static gboolean
conflict_shown (gpointer data)
{
  return conflict_row (data) != NULL;
}

static char *
find_conflict_copy (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (strstr (name, "(conflit ") != NULL)
      return g_build_filename (folder, name, NULL);
  return NULL;
}

static gboolean
no_conflict_copy (gpointer folder)
{
  g_autofree char *copy = find_conflict_copy (folder);

  return copy == NULL;
}

/* Invariant 1 seen from the app: both sides changed, both versions are
 * kept, the row offers to resolve; « garder la version du serveur » puts
 * the copy in the trash. */
static void
conflict_body (Fixture *f)
{
  g_autofree char *local = g_build_filename (f->folder, "budget.txt", NULL);
  g_autofree char *copy = NULL;
  g_autofree char *content = NULL;
  AllsetAppState *state = allset_application_get_state (f->app);

  upload_from_other_device (f, "budget.txt", "budget v1\n");
  g_assert_true (wait_until (file_exists, local, 30));
  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));
  allset_app_state_set_paused (state, TRUE);
  g_assert_true (wait_state (f, ALLSET_SESSION_PAUSED, 10));
  g_assert_true (g_file_set_contents (local, "budget v2, changed here\n", -1, NULL));
  upload_from_other_device (f, "budget.txt", "budget v2, changed on the other computer\n");
  allset_app_state_set_paused (state, FALSE);

  g_assert_true (wait_until (conflict_shown, f, 30));
  copy = find_conflict_copy (f->folder);
  g_assert_nonnull (copy);
  g_assert_true (g_file_get_contents (copy, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "budget v2, changed here\n");
  g_clear_pointer (&content, g_free);
  g_assert_true (g_file_get_contents (local, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "budget v2, changed on the other computer\n");
  screenshot (f, "10-conflit");

  g_assert_true (gtk_widget_activate_action (conflict_row (f), "row.keep-theirs", NULL));
  g_assert_true (wait_until (no_conflict_copy, f->folder, 10));
  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));
}

static gboolean
in_phase (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];

  return allset_app_state_get_phase (allset_application_get_state (f->app)) ==
         (AllsetAppPhase) GPOINTER_TO_INT (((gpointer *) data)[1]);
}

/* Session expired or revoked → sign in again, in the app, and syncing
 * goes on with the same folder. */
static void
sign_in_again_body (Fixture *f)
{
  AllsetAppState *state = allset_application_get_state (f->app);
  AllsetConfig *config;
  g_autofree char *device = NULL;
  gpointer sign_in[2] = { f, GINT_TO_POINTER (ALLSET_APP_PHASE_SIGN_IN_AGAIN) };
  gpointer running[2] = { f, GINT_TO_POINTER (ALLSET_APP_PHASE_RUNNING) };
  StepWait account = { f, "account" };

  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));
  config = allset_app_state_get_config (state);
  device = g_strdup (allset_config_get_device_id (config));
  test_cli_admin (f->server, NULL, "devices", "alice", "--revoke", device, NULL);
  {
    g_autoptr(AllsetFolderSession) session = g_list_model_get_item (allset_app_state_get_sessions (state), 0);

    allset_folder_session_sync_now (session);
  }
  g_assert_true (wait_until (in_phase, sign_in, 30));
  g_assert_true (wait_until (on_step, &account, 5));
  g_assert_cmpstr (gtk_editable_get_text (setup_child (f, "user_row")), ==, "alice");
  screenshot (f, "11-reconnexion");

  type_text (setup_child (f, "password_row"), TEST_CLI_PASSWORD);
  click (setup_child (f, "sign_in_button"));
  if (!wait_until (in_phase, running, 30))
    g_error ("not running again: phase %d, step %s, error “%s”",
             allset_app_state_get_phase (state),
             gtk_stack_get_visible_child_name (setup_child (f, "steps")),
             label_text (setup_child (f, "account_error")));
  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));
  g_assert_cmpstr (allset_config_get_device_id (allset_app_state_get_config (state)), !=, device);
}

static gboolean
issues_shown (gpointer data)
{
  Fixture *f = data;
  GtkWidget *list = child (window_of (f), ALLSET_TYPE_WINDOW, "issues_list");
  guint rows = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    rows++;
  return gtk_widget_get_visible (child (window_of (f), ALLSET_TYPE_WINDOW, "issues_group")) &&
         rows == 2;
}

/* Invariant 3 in the app: deleting most of the folder waits for the
 * user; the banner leads to a dialog that says how many, and « Supprimer »
 * carries it out. */
static void
mass_delete_body (Fixture *f)
{
  g_autoptr(AllsetClient) client = test_cli_signed_in (f->server, "alice");
  g_autoptr(GPtrArray) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last = g_build_filename (f->folder, "note-9.txt", NULL);
  g_autofree char *other = g_build_filename (g_get_home_dir (), "Other", NULL);
  GtkRevealer *alert;

  /* Ten notes from the other computer, in one pass of its own. */
  g_assert_cmpint (g_mkdir_with_parents (other, 0700), ==, 0);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("note-%u.txt", i);
      g_autofree char *content = g_strdup_printf ("note %u\n", i);
      g_autofree char *path = g_build_filename (other, name, NULL);

      if (i < 9)
        g_assert_true (g_file_set_contents (path, content, -1, NULL));
      else
        upload_from_other_device (f, name, content);
    }
  g_assert_true (wait_until (file_exists, last, 30));
  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));

  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/note-%u.txt", f->folder, i);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_true (wait_state (f, ALLSET_SESSION_NEEDS_CONFIRMATION, 30));
  alert = child (window_of (f), ALLSET_TYPE_WINDOW, "alert_revealer");
  g_assert_true (gtk_revealer_get_reveal_child (alert));
  screenshot (f, "12-suppressions-a-confirmer");

  click (child (window_of (f), ALLSET_TYPE_WINDOW, "alert_button"));
  g_assert_true (wait_until (message_dialog_open, NULL, 5));
  screenshot_window (GTK_WINDOW (message_dialog ()), "13-confirmer-la-suppression");
  adw_message_dialog_response (message_dialog (), "delete");

  g_assert_true (wait_state (f, ALLSET_SESSION_IDLE, 30));
  listing = allset_client_list (client, "", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listing->len, ==, 2);

  /* What cannot be synced is listed, each with the reason in French. */
  {
    g_autofree char *link = g_build_filename (f->folder, "raccourci", NULL);
    g_autofree char *bad = g_build_filename (f->folder, "devis: final?.txt", NULL);

    g_assert_cmpint (symlink ("note-9.txt", link), ==, 0);
    g_assert_true (g_file_set_contents (bad, "devis\n", -1, NULL));
  }
  g_assert_true (wait_until (issues_shown, f, 30));
  screenshot (f, "14-non-synchronises");
}

static void
test_first_run (Fixture       *f,
                gconstpointer  data)
{
  upload_from_other_device (f, "rapport.txt", "Rapport annuel\n");
  run_app (f, first_run_body);
}

static void
test_metered (Fixture       *f,
              gconstpointer  data)
{
  sign_in_directly (f);
  run_app (f, metered_body);
}

static void
test_preferences (Fixture       *f,
                  gconstpointer  data)
{
  sign_in_directly (f);
  run_app (f, preferences_body);
}

static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  sign_in_directly (f);
  run_app (f, conflict_body);
}

static void
test_sign_in_again (Fixture       *f,
                    gconstpointer  data)
{
  sign_in_directly (f);
  run_app (f, sign_in_again_body);
}

static void
test_mass_delete (Fixture       *f,
                  gconstpointer  data)
{
  sign_in_directly (f);
  run_app (f, mass_delete_body);
}

int
main (int    argc,
      char **argv)
{
  use_french ();

  g_test_init (&argc, &argv, NULL);
  start_notification_server ();

  g_test_add ("/app/first-run", Fixture, NULL, fixture_set_up, test_first_run, fixture_tear_down);
  g_test_add ("/app/metered", Fixture, NULL, fixture_set_up, test_metered, fixture_tear_down);
  g_test_add ("/app/conflict", Fixture, NULL, fixture_set_up, test_conflict, fixture_tear_down);
  g_test_add ("/app/sign-in-again", Fixture, NULL, fixture_set_up, test_sign_in_again, fixture_tear_down);
  g_test_add ("/app/mass-delete", Fixture, NULL, fixture_set_up, test_mass_delete, fixture_tear_down);
  g_test_add ("/app/preferences", Fixture, NULL, fixture_set_up, test_preferences, fixture_tear_down);

  return g_test_run ();
}
