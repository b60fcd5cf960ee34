/* soak-client.c — the soak test's clients: allset-cli processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each client is `$ALLSET_CLI --config-dir DIR/config` with its own
 * XDG config, state, data (its OS trash) and cache directories, as
 * lib-cli.sh sets them for the shell tests; a client dies with the test
 * (PR_SET_PDEATHSIG), even when an assertion aborts it.
 */

#include <signal.h>
#include <sys/prctl.h>

#include "soak-common.h"
#include "test-cli-server.h"

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

GSubprocess *
soak_client_spawn (SoakClient         *client,
                   const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  static const char * const xdg[] = { "CONFIG", "config", "STATE", "state",
                                      "DATA", "share", "CACHE", "cache" };
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (xdg); i += 2)
    {
      g_autofree char *var = g_strdup_printf ("XDG_%s_HOME", xdg[i]);
      g_autofree char *value = g_build_filename (client->dir, xdg[i + 1], NULL);

      g_subprocess_launcher_setenv (launcher, var, value, TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "HOME", client->home, TRUE);
  if (client->garbled)
    g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly,fatal-criticals", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");

  g_ptr_array_add (argv, g_strdup (g_getenv ("ALLSET_CLI")));
  g_ptr_array_add (argv, g_strdup ("--config-dir"));
  g_ptr_array_add (argv, g_strdup (client->config));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* For the set-up commands: must succeed. */
static void
run (SoakClient         *client,
     const char         *stdin_text,
     const char * const *args)
{
  g_autoptr(GSubprocess) process = soak_client_spawn (client, args);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_subprocess_communicate_utf8 (process, stdin_text, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("allset-cli %s as %s failed: %s%s", args[0], client->name, out, err);
}

void
soak_client_setup (SoakClient *client,
                   guint       index,
                   const char *work,
                   const char *url,
                   const char *fingerprint)
{
  g_autofree char *token = NULL;
  g_autofree char *device = NULL;

  client->name[0] = 'A' + index;
  client->index = index;
  client->home = g_build_filename (work, "home", NULL);
  client->dir = g_build_filename (work, client->name, NULL);
  client->folder = g_build_filename (client->dir, "Sync", NULL);
  client->config = g_build_filename (client->dir, "config", NULL);
  client->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* g_file_trash() needs $HOME to exist (it compares devices). */
  g_assert_cmpint (g_mkdir_with_parents (client->home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (client->folder, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (client->config, 0700), ==, 0);

  token = g_strdup_printf ("%s/token-%s", work, client->name);
  device = g_strdup_printf ("poste-%s", client->name);
  run (client, TEST_CLI_PASSWORD "\n",
       (const char *[]) { "login", "--server", url, "--user", "alice", "--password-stdin",
                          "--trust-fingerprint", fingerprint, "--token-file", token,
                          "--device-name", device, NULL });
  run (client, NULL, (const char *[]) { "add-folder", client->folder, "--remote", "Sync", NULL });
}

void
soak_client_clear (SoakClient *client)
{
  g_free (client->home);
  g_free (client->dir);
  g_free (client->folder);
  g_free (client->config);
  g_free (client->last_output);
  g_clear_pointer (&client->cache, g_hash_table_unref);
}
