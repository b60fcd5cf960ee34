/* test-network-policy.c — the metered-network decision and the test monitor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DESIGN.md §4 invariant 6: the whole table (available × metered ×
 * policy), the transfer limit each scope gives the pass, and the
 * GNetworkMonitor that ALLSET_TEST_NETWORK_FILE swaps in — it must follow
 * its file, since the integration tests flip networks under running
 * clients with it.
 */

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "allset-network-policy.h"
#include "allset-test-network-monitor.h"

/* Long enough for inotify under a loaded sanitizer run, short enough that
 * a monitor that does not follow fails quickly. */
#define FOLLOW_TIMEOUT_US (2 * G_USEC_PER_SEC)

static void
test_scope_table (void)
{
  static const struct
  {
    gboolean            available;
    gboolean            metered;
    AllsetMeteredPolicy policy;
    AllsetNetworkScope  expected;
  } cases[] = {
    /* No network: nothing, whatever the policy (metered or not). */
    { FALSE, FALSE, ALLSET_METERED_PAUSE,       ALLSET_NETWORK_SCOPE_NONE },
    { FALSE, FALSE, ALLSET_METERED_SMALL_FILES, ALLSET_NETWORK_SCOPE_NONE },
    { FALSE, FALSE, ALLSET_METERED_ALWAYS,      ALLSET_NETWORK_SCOPE_NONE },
    { FALSE, TRUE,  ALLSET_METERED_PAUSE,       ALLSET_NETWORK_SCOPE_NONE },
    { FALSE, TRUE,  ALLSET_METERED_SMALL_FILES, ALLSET_NETWORK_SCOPE_NONE },
    { FALSE, TRUE,  ALLSET_METERED_ALWAYS,      ALLSET_NETWORK_SCOPE_NONE },
    /* Unmetered: everything, whatever the policy. */
    { TRUE,  FALSE, ALLSET_METERED_PAUSE,       ALLSET_NETWORK_SCOPE_ALL },
    { TRUE,  FALSE, ALLSET_METERED_SMALL_FILES, ALLSET_NETWORK_SCOPE_ALL },
    { TRUE,  FALSE, ALLSET_METERED_ALWAYS,      ALLSET_NETWORK_SCOPE_ALL },
    /* Metered: the policy decides. */
    { TRUE,  TRUE,  ALLSET_METERED_PAUSE,       ALLSET_NETWORK_SCOPE_NONE },
    { TRUE,  TRUE,  ALLSET_METERED_SMALL_FILES, ALLSET_NETWORK_SCOPE_SMALL_FILES },
    { TRUE,  TRUE,  ALLSET_METERED_ALWAYS,      ALLSET_NETWORK_SCOPE_ALL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      AllsetNetworkScope got = allset_network_scope (cases[i].available, cases[i].metered,
                                                     cases[i].policy);

      if (got != cases[i].expected)
        g_error ("available=%d metered=%d policy=%s: expected scope %d, got %d",
                 cases[i].available, cases[i].metered,
                 allset_metered_policy_to_string (cases[i].policy), cases[i].expected, got);
    }

  /* A policy value from nowhere must not open the tap. */
  g_assert_cmpint (allset_network_scope (TRUE, TRUE, (AllsetMeteredPolicy) 42), ==,
                   ALLSET_NETWORK_SCOPE_NONE);
}

static void
test_max_transfer (void)
{
  g_assert_cmpuint (allset_network_scope_max_transfer (ALLSET_NETWORK_SCOPE_ALL, 100000), ==, 0);
  g_assert_cmpuint (allset_network_scope_max_transfer (ALLSET_NETWORK_SCOPE_NONE, 100000), ==, 0);
  g_assert_cmpuint (allset_network_scope_max_transfer (ALLSET_NETWORK_SCOPE_SMALL_FILES, 100000), ==,
                    100000);
  g_assert_cmpuint (allset_network_scope_max_transfer (ALLSET_NETWORK_SCOPE_SMALL_FILES,
                                                       ALLSET_CONFIG_SMALL_FILES_MAX_DEFAULT), ==,
                    ALLSET_CONFIG_SMALL_FILES_MAX_DEFAULT);
  /* 0 would mean "no limit" to the pass: small files of 0 bytes max must
   * still hold back every non-empty file. */
  g_assert_cmpuint (allset_network_scope_max_transfer (ALLSET_NETWORK_SCOPE_SMALL_FILES, 0), ==, 1);
}

/* ---- the test monitor ----------------------------------------------------- */

typedef struct
{
  char    *dir;
  char    *file;
  guint    n_available;
  guint    n_metered;
  guint    n_connectivity;
  guint    n_changed;
  gboolean last_changed;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("allset-network-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->file = g_build_filename (f->dir, "network", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_unlink (f->file);
  g_rmdir (f->dir);
  g_free (f->file);
  g_free (f->dir);
}

static void
write_word (Fixture    *f,
            const char *word)
{
  g_autoptr(GError) error = NULL;

  /* Atomically, as a test script's "mv" would: a rename in the directory. */
  g_file_set_contents (f->file, word, -1, &error);
  g_assert_no_error (error);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Fixture *f = user_data;

  if (g_str_equal (pspec->name, "network-available"))
    f->n_available++;
  else if (g_str_equal (pspec->name, "network-metered"))
    f->n_metered++;
  else if (g_str_equal (pspec->name, "connectivity"))
    f->n_connectivity++;
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  Fixture *f = user_data;

  f->n_changed++;
  f->last_changed = available;
}

/* Runs the main context until *counter moves past before, or the timeout. */
static gboolean
wait_for_count (const guint *counter,
                guint        before)
{
  gint64 deadline = g_get_monotonic_time () + FOLLOW_TIMEOUT_US;

  while (*counter == before && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
  return *counter != before;
}

static void
test_monitor_reads_file (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) missing = NULL;
  g_autoptr(GNetworkMonitor) metered = NULL;
  g_autoptr(GNetworkMonitor) offline = NULL;
  g_autoptr(GNetworkMonitor) unknown = NULL;
  g_autoptr(GSocketConnectable) address = g_network_address_new ("127.0.0.1", 443);
  g_autoptr(GError) error = NULL;

  /* No file: online. */
  missing = G_NETWORK_MONITOR (allset_test_network_monitor_new (f->file));
  g_assert_true (g_network_monitor_get_network_available (missing));
  g_assert_false (g_network_monitor_get_network_metered (missing));
  g_assert_cmpint (g_network_monitor_get_connectivity (missing), ==, G_NETWORK_CONNECTIVITY_FULL);
  g_assert_true (g_network_monitor_can_reach (missing, address, NULL, &error));
  g_assert_no_error (error);

  write_word (f, "metered\n");
  metered = G_NETWORK_MONITOR (allset_test_network_monitor_new (f->file));
  g_assert_true (g_network_monitor_get_network_available (metered));
  g_assert_true (g_network_monitor_get_network_metered (metered));

  write_word (f, "offline");
  offline = G_NETWORK_MONITOR (allset_test_network_monitor_new (f->file));
  g_assert_false (g_network_monitor_get_network_available (offline));
  g_assert_false (g_network_monitor_get_network_metered (offline));
  g_assert_cmpint (g_network_monitor_get_connectivity (offline), ==, G_NETWORK_CONNECTIVITY_LOCAL);
  g_assert_false (g_network_monitor_can_reach (offline, address, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE);

  /* A word it does not know: online, not metered. */
  write_word (f, "wifi");
  unknown = G_NETWORK_MONITOR (allset_test_network_monitor_new (f->file));
  g_assert_true (g_network_monitor_get_network_available (unknown));
  g_assert_false (g_network_monitor_get_network_metered (unknown));
}

static void
test_monitor_follows_file (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = NULL;
  g_autoptr(GSocketConnectable) address = g_network_address_new ("127.0.0.1", 443);
  g_autoptr(GError) error = NULL;
  guint before, changed_before;
  FILE *out;

  write_word (f, "online");
  monitor = G_NETWORK_MONITOR (allset_test_network_monitor_new (f->file));
  g_signal_connect (monitor, "notify", G_CALLBACK (on_notify), f);
  g_signal_connect (monitor, "network-changed", G_CALLBACK (on_network_changed), f);
  g_assert_false (g_network_monitor_get_network_metered (monitor));

  /* online → metered, by a rename into place. */
  before = f->n_metered;
  changed_before = f->n_changed;
  write_word (f, "metered");
  g_assert_true (wait_for_count (&f->n_metered, before));
  g_assert_true (g_network_monitor_get_network_metered (monitor));
  g_assert_true (g_network_monitor_get_network_available (monitor));
  g_assert_cmpuint (f->n_changed, >, changed_before);
  g_assert_true (f->last_changed);
  g_assert_cmpuint (f->n_available, ==, 0);

  /* metered → offline, written in place (no rename). */
  before = f->n_available;
  changed_before = f->n_changed;
  out = fopen (f->file, "w");
  g_assert_nonnull (out);
  fputs ("offline\n", out);
  fclose (out);
  g_assert_true (wait_for_count (&f->n_available, before));
  g_assert_false (g_network_monitor_get_network_available (monitor));
  g_assert_false (g_network_monitor_get_network_metered (monitor));
  g_assert_cmpint (g_network_monitor_get_connectivity (monitor), ==, G_NETWORK_CONNECTIVITY_LOCAL);
  g_assert_cmpuint (f->n_connectivity, >, 0);
  g_assert_cmpuint (f->n_changed, >, changed_before);
  g_assert_false (f->last_changed);
  g_assert_false (g_network_monitor_can_reach (monitor, address, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE);
  g_clear_error (&error);

  /* offline → file deleted: online again. */
  before = f->n_available;
  g_assert_cmpint (g_unlink (f->file), ==, 0);
  g_assert_true (wait_for_count (&f->n_available, before));
  g_assert_true (g_network_monitor_get_network_available (monitor));
  g_assert_false (g_network_monitor_get_network_metered (monitor));
  g_assert_true (g_network_monitor_can_reach (monitor, address, NULL, &error));
  g_assert_no_error (error);

  g_signal_handlers_disconnect_by_data (monitor, f);
}

static void
on_can_reach (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  int *answer = user_data;
  g_autoptr(GError) error = NULL;

  *answer = g_network_monitor_can_reach_finish (G_NETWORK_MONITOR (source), result, &error) ? 1 : 0;
  g_assert_true (*answer == 1 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE));
}

static void
test_default_from_env (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) first = NULL;
  g_autoptr(GNetworkMonitor) second = NULL;
  g_autoptr(GSocketConnectable) address = g_network_address_new ("127.0.0.1", 443);
  gint64 deadline;
  int answer = -1;

  write_word (f, "metered");
  g_setenv ("ALLSET_TEST_NETWORK_FILE", f->file, TRUE);
  first = allset_network_monitor_get_default ();
  second = allset_network_monitor_get_default ();
  g_unsetenv ("ALLSET_TEST_NETWORK_FILE");

  /* One per process, the file's monitor. */
  g_assert_true (first == second);
  g_assert_true (ALLSET_IS_TEST_NETWORK_MONITOR (first));
  g_assert_true (g_network_monitor_get_network_metered (first));

  /* The interface's asynchronous can_reach works on it too (the GUI's). */
  g_network_monitor_can_reach_async (first, address, NULL, on_can_reach, &answer);
  deadline = g_get_monotonic_time () + FOLLOW_TIMEOUT_US;
  while (answer < 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (answer, ==, 1);
}

static void
test_default_system (void)
{
  g_autoptr(GNetworkMonitor) monitor = NULL;

  g_unsetenv ("ALLSET_TEST_NETWORK_FILE");
  monitor = allset_network_monitor_get_default ();
  g_assert_true (monitor == g_network_monitor_get_default ());
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/network-policy/scope-table", test_scope_table);
  g_test_add_func ("/network-policy/max-transfer", test_max_transfer);
  g_test_add_func ("/network-policy/default-system", test_default_system);
  g_test_add ("/network-policy/test-monitor/reads-file", Fixture, NULL,
              fixture_setup, test_monitor_reads_file, fixture_teardown);
  g_test_add ("/network-policy/test-monitor/follows-file", Fixture, NULL,
              fixture_setup, test_monitor_follows_file, fixture_teardown);
  g_test_add ("/network-policy/test-monitor/default-from-env", Fixture, NULL,
              fixture_setup, test_default_from_env, fixture_teardown);

  return g_test_run ();
}
