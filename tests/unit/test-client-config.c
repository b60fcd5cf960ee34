/* test-client-config.c — allset.conf: round trip, no secret, folder rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * main() points HOME and the XDG directories to a temporary directory;
 * every test works in its own subdirectory of it (config directory and
 * folders), the journals' state directory is shared.
 */

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "allset-config.h"
#include "test-tree.h"

static char *base_dir;     /* this test's directory */
static char *config_dir;   /* base_dir/config */

static char *
tmp_path (const char *name)
{
  return g_build_filename (base_dir, name, NULL);
}

static void
fixture_set_up (gpointer      fixture,
                gconstpointer data)
{
  g_autofree char *template = g_build_filename (g_get_home_dir (), "test-XXXXXX", NULL);

  base_dir = g_mkdtemp (g_steal_pointer (&template));
  g_assert_nonnull (base_dir);
  config_dir = g_build_filename (base_dir, "config", NULL);
}

static void
fixture_tear_down (gpointer      fixture,
                   gconstpointer data)
{
  test_tree_remove (base_dir);
  g_clear_pointer (&base_dir, g_free);
  g_clear_pointer (&config_dir, g_free);
}

static AllsetConfig *
load (const char *dir)
{
  g_autoptr(GError) error = NULL;
  AllsetConfig *config = allset_config_load (dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

static void
test_empty (gpointer      fixture,
           gconstpointer data)
{
  g_autoptr(AllsetConfig) config = load (NULL);
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "allset", NULL);

  g_assert_cmpstr (allset_config_get_dir (config), ==, expected);
  g_clear_object (&config);

  config = load (config_dir);
  g_assert_cmpstr (allset_config_get_dir (config), ==, config_dir);
  g_assert_false (allset_config_is_signed_in (config));
  g_assert_null (allset_config_get_server (config));
  g_assert_cmpuint (allset_config_get_folders (config)->len, ==, 0);
  /* Loading does not create anything. */
  g_assert_false (g_file_test (allset_config_get_path (config), G_FILE_TEST_EXISTS));
}

static void
test_account_round_trip (gpointer      fixture,
                        gconstpointer data)
{
  g_autoptr(AllsetConfig) config = load (config_dir);
  g_autoptr(AllsetConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  struct stat st;

  allset_config_set_account (config, "https://example.fr/", "alice", "0123456789abcdef",
                             "AB:CD", NULL);
  g_assert_true (allset_config_save (config, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (allset_config_get_path (config), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (allset_config_get_dir (config), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  again = load (config_dir);
  g_assert_true (allset_config_is_signed_in (again));
  g_assert_cmpstr (allset_config_get_server (again), ==, "https://example.fr/");
  g_assert_cmpstr (allset_config_get_username (again), ==, "alice");
  g_assert_cmpstr (allset_config_get_device_id (again), ==, "0123456789abcdef");
  g_assert_cmpstr (allset_config_get_fingerprint (again), ==, "AB:CD");
  g_assert_null (allset_config_get_token_file (again));

  /* No secret ever: there is no key for one. */
  g_assert_true (g_file_get_contents (allset_config_get_path (again), &contents, NULL, NULL));
  g_assert_null (strstr (contents, "token="));
  g_assert_null (strstr (contents, "password"));

  /* Sign-out keeps the account the folders belong to. */
  allset_config_clear_device (again);
  g_assert_false (allset_config_is_signed_in (again));
  g_assert_cmpstr (allset_config_get_username (again), ==, "alice");
  g_assert_cmpstr (allset_config_get_fingerprint (again), ==, "AB:CD");
}

static void
test_custom_dir (gpointer      fixture,
                gconstpointer data)
{
  g_autofree char *dir = tmp_path ("conf/nested");
  g_autoptr(AllsetConfig) config = load (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "allset.conf", NULL);

  g_assert_cmpstr (allset_config_get_path (config), ==, path);
  allset_config_set_account (config, "https://a/", "bob", "dev", NULL, "/x/token");
  g_assert_true (allset_config_save (config, &error));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static void
write_config (const char *contents)
{
  g_autofree char *path = g_build_filename (config_dir, "allset.conf", NULL);

  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static void
test_secret_refused (gpointer      fixture,
                    gconstpointer data)
{
  static const char * const files[] = {
    "[account]\nserver=https://a/\nusername=alice\ntoken=s3cr3t\n",
    "[account]\npassword=hunter2\n",
    "[folder \"f1\"]\nlocal=/tmp/x\ntoken=abc\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AllsetConfig) config = NULL;

      write_config (files[i]);
      config = allset_config_load (config_dir, &error);
      g_assert_null (config);
      g_assert_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "secret"));
    }
}

static void
test_invalid (gpointer      fixture,
             gconstpointer data)
{
  static const char * const files[] = {
    "not a key file",
    "[folder \"f1\"]\nlocal=relative/dir\n",
    "[folder \"f1\"]\nlocal=/tmp/x\nmetered_policy=sometimes\n",
    "[folder \"f1\"]\nlocal=/tmp/x\nremote=a/../b\n",
    "[folder \"f1\"]\nlocal=/tmp/x\nsmall_files_max=lots\n",
    "[folder \"../x\"]\nlocal=/tmp/x\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AllsetConfig) config = NULL;

      write_config (files[i]);
      config = allset_config_load (config_dir, &error);
      g_assert_null (config);
      g_assert_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_INVALID);
    }
}

static void
test_folder_values (gpointer      fixture,
                   gconstpointer data)
{
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  AllsetFolderConfig *folder;

  write_config ("# kept\n[account]\nserver=https://a/\n\n"
                "[folder \"f1\"]\nlocal=/srv/data\nremote=Docs\nmetered_policy=small-files\n"
                "small_files_max=1M\nbandwidth_up=500K\n\n[future]\nkey=value\n");
  config = load (config_dir);
  folder = allset_config_find_folder (config, "f1");
  g_assert_nonnull (folder);
  g_assert_cmpstr (folder->local, ==, "/srv/data");
  g_assert_cmpstr (folder->remote, ==, "Docs");
  g_assert_cmpint (folder->metered_policy, ==, ALLSET_METERED_SMALL_FILES);
  g_assert_cmpuint (folder->small_files_max, ==, 1024 * 1024);
  g_assert_cmpuint (folder->bandwidth_up, ==, 500 * 1024);
  g_assert_cmpuint (folder->bandwidth_down, ==, 0);
  g_assert_true (g_str_has_suffix (folder->journal, "/allset/f1.db"));
  g_assert_true (g_str_has_prefix (folder->journal, g_get_user_state_dir ()));

  /* Unknown groups and comments survive a save. */
  g_assert_true (allset_config_save (config, &error));
  g_assert_true (g_file_get_contents (allset_config_get_path (config), &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "# kept"));
  g_assert_nonnull (strstr (contents, "[future]"));
  g_assert_nonnull (strstr (contents, "small_files_max=1048576"));
}

static void
test_add_folder (gpointer      fixture,
                gconstpointer data)
{
  g_autoptr(AllsetConfig) config = load (config_dir);
  g_autoptr(AllsetConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sync = tmp_path ("Sync");
  g_autofree char *photos = tmp_path ("Photos");
  g_autofree char *journal = NULL;
  AllsetFolderConfig *folder, *second;

  folder = allset_config_add_folder (config, sync, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (sync, G_FILE_TEST_IS_DIR));
  g_assert_cmpstr (folder->local, ==, sync);
  g_assert_cmpstr (folder->remote, ==, "");
  g_assert_cmpint (folder->metered_policy, ==, ALLSET_METERED_PAUSE);
  g_assert_cmpuint (folder->small_files_max, ==, ALLSET_CONFIG_SMALL_FILES_MAX_DEFAULT);
  journal = g_strdup_printf ("%s/allset/%s.db", g_get_user_state_dir (), folder->id);
  g_assert_cmpstr (folder->journal, ==, journal);
  g_assert_true (allset_config_folder_for_path (config, sync) == folder);

  /* The root is taken: another folder needs its own remote prefix. */
  g_assert_null (allset_config_add_folder (config, photos, NULL, &error));
  g_assert_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER);
  g_clear_error (&error);
  g_assert_false (g_file_test (photos, G_FILE_TEST_EXISTS));

  g_clear_object (&config);
  config = load (config_dir);
  g_assert_cmpuint (allset_config_get_folders (config)->len, ==, 0);

  folder = allset_config_add_folder (config, sync, "Docs/Work", &error);
  g_assert_no_error (error);
  second = allset_config_add_folder (config, photos, "Photos", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second->remote, ==, "Photos");
  g_assert_cmpstr (folder->id, !=, second->id);

  /* Remote prefixes may not nest (case does not matter on the server). */
  {
    const char *overlapping[] = { "", "Docs", "docs/work/x", "PHOTOS" };

    for (guint i = 0; i < G_N_ELEMENTS (overlapping); i++)
      {
        g_autofree char *other = tmp_path ("Other");

        g_assert_null (allset_config_add_folder (config, other, overlapping[i], &error));
        g_assert_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER);
        g_clear_error (&error);
      }
  }

  g_assert_null (allset_config_add_folder (config, photos, "a/../b", &error));
  g_assert_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER);
  g_clear_error (&error);

  g_assert_true (allset_config_save (config, &error));
  again = load (config_dir);
  g_assert_cmpuint (allset_config_get_folders (again)->len, ==, 2);
  g_assert_cmpstr (allset_config_find_folder (again, second->id)->local, ==, photos);
  g_assert_cmpstr (allset_config_find_folder (again, folder->id)->remote, ==, "Docs/Work");

  /* Removing one leaves the other, its files, and nothing of it in the
   * file; the root is free again. */
  {
    g_autofree char *removed = allset_config_remove_folder (again, second->id);
    g_autoptr(AllsetConfig) third = NULL;
    g_autofree char *contents = NULL;

    g_assert_cmpstr (removed, ==, second->journal);
    g_assert_null (allset_config_remove_folder (again, second->id));
    g_assert_true (allset_config_save (again, &error));
    g_assert_true (g_file_test (photos, G_FILE_TEST_IS_DIR));
    g_assert_true (g_file_get_contents (allset_config_get_path (again), &contents, NULL, NULL));
    g_assert_null (strstr (contents, second->id));
    third = load (config_dir);
    g_assert_cmpuint (allset_config_get_folders (third)->len, ==, 1);
    g_assert_nonnull (allset_config_add_folder (third, photos, "Photos", &error));
    g_assert_no_error (error);
  }
}

static void
expect_refused (AllsetConfig *config,
                const char   *local,
                const char   *remote)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (allset_config_add_folder (config, local, remote, &error));
  g_assert_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER);
}

static void
test_add_folder_refused (gpointer      fixture,
                        gconstpointer data)
{
  g_autoptr(AllsetConfig) config = load (config_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *sync = tmp_path ("Sync");
  g_autofree char *inside = tmp_path ("Sync/Sub");
  g_autofree char *file = tmp_path ("file.txt");
  g_autofree char *link = tmp_path ("link");
  g_autofree char *in_config = g_build_filename (config_dir, "x", NULL);
  g_autofree char *in_state = g_build_filename (g_get_user_state_dir (), "allset", NULL);

  g_assert_nonnull (allset_config_add_folder (config, sync, "A", &error));
  g_assert_no_error (error);

  expect_refused (config, sync, "B");                       /* the same */
  expect_refused (config, inside, "B");                     /* inside */
  expect_refused (config, base_dir, "B");                   /* around (and around config) */
  expect_refused (config, in_config, "B");                  /* config directory */
  expect_refused (config, in_state, "B");                   /* journals */
  expect_refused (config, g_get_user_state_dir (), "B");    /* around the journals */

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  expect_refused (config, file, "B");                       /* not a directory */

  g_assert_cmpint (symlink (sync, link), ==, 0);
  expect_refused (config, link, "B");                       /* the same, through a link */
  g_assert_false (g_file_test (inside, G_FILE_TEST_EXISTS));
}

/* remote_path_for() of path in config, expected: a remote path, or NULL
 * for a refusal. */
static void
expect_remote (AllsetConfig *config,
               const char   *path,
               const char   *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *remote = NULL;
  AllsetFolderConfig *folder = NULL;

  remote = allset_config_remote_path_for (config, path, &folder, &error);
  if (expected == NULL)
    {
      g_assert_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER);
      g_assert_null (remote);
      g_assert_null (folder);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpstr (remote, ==, expected);
  g_assert_true (folder == g_ptr_array_index (allset_config_get_folders (config), 0));
}

static void
test_remote_path_for (gpointer      fixture,
                      gconstpointer data)
{
  g_autoptr(AllsetConfig) at_root = load (config_dir);
  g_autoptr(AllsetConfig) prefixed = load (config_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *sync = tmp_path ("Sync");
  g_autofree char *sub = tmp_path ("Sync/sub");
  g_autofree char *file = tmp_path ("Sync/sub/a.txt");
  g_autofree char *outside = tmp_path ("outside.txt");
  g_autofree char *look_alike = tmp_path ("SyncX/a.txt");
  g_autofree char *link = tmp_path ("link");
  g_autofree char *through_link = tmp_path ("link/a.txt");
  g_autofree char *link_up = tmp_path ("link/../b.txt");
  g_autofree char *last_link = tmp_path ("Sync/sub/to-outside");
  g_autofree char *dots = tmp_path ("Sync/sub/../b.txt");
  g_autofree char *dots_out = tmp_path ("Sync/sub/../..");
  g_autofree char *around = tmp_path ("Sync/../Sync/sub/a.txt");
  g_autofree char *nfd = tmp_path ("Sync/sub/caf" "e\xcc\x81" ".txt");
  g_autofree char *missing = tmp_path ("Sync/new/dir/x.txt");
  g_autofree char *trailing = g_strconcat (sync, "/", NULL);
  g_autofree char *cwd = g_get_current_dir ();

  g_assert_nonnull (allset_config_add_folder (at_root, sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (allset_config_add_folder (prefixed, sync, "Docs/Work", &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "a", 1, NULL));
  g_assert_true (g_file_set_contents (outside, "o", 1, NULL));
  g_assert_true (g_file_set_contents (nfd, "n", 1, NULL));
  g_assert_cmpint (symlink (sub, link), ==, 0);
  g_assert_cmpint (symlink (outside, last_link), ==, 0);

  /* A file in a folder synced at the account root, or at a prefix. */
  expect_remote (at_root, file, "sub/a.txt");
  expect_remote (prefixed, file, "Docs/Work/sub/a.txt");
  expect_remote (at_root, sub, "sub");

  /* The folder itself: its prefix, but the account root is no share. */
  expect_remote (prefixed, sync, "Docs/Work");
  expect_remote (prefixed, trailing, "Docs/Work");
  expect_remote (at_root, sync, NULL);
  expect_remote (at_root, trailing, NULL);

  /* Outside every folder, including a name that merely starts alike. */
  expect_remote (at_root, outside, NULL);
  expect_remote (at_root, look_alike, NULL);
  expect_remote (at_root, "/", NULL);

  /* Symlinks in the parents are followed, ".." goes up from where they
   * lead (as the kernel would), the last name stays what was picked. */
  expect_remote (at_root, through_link, "sub/a.txt");
  expect_remote (prefixed, through_link, "Docs/Work/sub/a.txt");
  expect_remote (at_root, link_up, "b.txt");
  expect_remote (at_root, last_link, "sub/to-outside");
  expect_remote (at_root, dots, "b.txt");
  expect_remote (at_root, around, "sub/a.txt");
  expect_remote (at_root, dots_out, NULL);

  /* The server's names are NFC, whatever the disk holds. */
  expect_remote (at_root, nfd, "sub/caf\xc3\xa9.txt");

  /* Not on disk (yet): mapped all the same. */
  expect_remote (prefixed, missing, "Docs/Work/new/dir/x.txt");

  /* Relative to the working directory. */
  g_assert_cmpint (g_chdir (sub), ==, 0);
  expect_remote (at_root, "a.txt", "sub/a.txt");
  expect_remote (at_root, "./../sub/a.txt", "sub/a.txt");
  expect_remote (at_root, "..", NULL);
  expect_remote (prefixed, "..", "Docs/Work");
  g_assert_cmpint (g_chdir (cwd), ==, 0);

  /* folder may be NULL. */
  {
    g_autofree char *remote = allset_config_remote_path_for (at_root, file, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (remote, ==, "sub/a.txt");
  }
}

static const struct { const char *variable, *dir; } xdg[] = {
  { "XDG_CONFIG_HOME", ".config" },
  { "XDG_STATE_HOME", ".local/state" },
  { "XDG_DATA_HOME", ".local/share" },
  { "XDG_CACHE_HOME", ".cache" },
};

int
main (int    argc,
      char **argv)
{
  g_autofree char *root = g_dir_make_tmp ("allset-config-test-XXXXXX", NULL);
  int status;

  g_assert_nonnull (root);
  /* Before anything asks GLib for these directories (it caches them). */
  g_setenv ("HOME", root, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (xdg); i++)
    {
      g_autofree char *dir = g_build_filename (root, xdg[i].dir, NULL);

      g_setenv (xdg[i].variable, dir, TRUE);
    }

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add_vtable (path, 0, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/config/empty", test_empty);
  ADD ("/config/account-round-trip", test_account_round_trip);
  ADD ("/config/custom-dir", test_custom_dir);
  ADD ("/config/secret-refused", test_secret_refused);
  ADD ("/config/invalid", test_invalid);
  ADD ("/config/folder-values", test_folder_values);
  ADD ("/config/add-folder", test_add_folder);
  ADD ("/config/add-folder-refused", test_add_folder_refused);
  ADD ("/config/remote-path-for", test_remote_path_for);
#undef ADD

  status = g_test_run ();
  test_tree_remove (root);
  return status;
}
