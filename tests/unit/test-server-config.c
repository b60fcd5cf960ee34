/* test-server-config.c — allset-server settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "allset-server-config.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("allset-config-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static char *
write_config (Fixture *f, const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, "server.conf", NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* g_option_context_parse() drops pointers from argv as it consumes them, so
 * the strings are owned by a separate copy. */
static gboolean
parse_args (AllsetServerConfig *config, const char *const *args, int *left, GError **error)
{
  g_auto(GStrv) owned = g_strdupv ((char **) args);
  int argc = (int) g_strv_length (owned);
  g_autofree char **argv = g_memdup2 (owned, sizeof (char *) * (argc + 1));
  char **argv_p = argv;
  gboolean ok = allset_server_config_parse_args (config, &argc, &argv_p, error);

  if (left != NULL)
    *left = argc;
  return ok;
}

static void
test_defaults (void)
{
  g_autoptr(AllsetServerConfig) config = allset_server_config_new ();

  g_assert_null (config->data_dir);
  g_assert_cmpstr (config->listen_host, ==, "127.0.0.1");
  g_assert_cmpuint (config->listen_port, ==, 8443);
  g_assert_null (config->tls_cert);
  g_assert_null (config->tls_key);
  g_assert_false (config->dev_cert);
  g_assert_cmpuint (config->bandwidth_up_bps, ==, 100000000);
  g_assert_cmpuint (config->bandwidth_down_bps, ==, 100000000);
  g_assert_cmpuint (config->token_lifetime, ==, 90 * 24 * 3600);
  g_assert_cmpuint (config->retention.versions_keep, ==, 10);
  g_assert_cmpuint (config->retention.versions_days, ==, 30);
  g_assert_cmpuint (config->retention.trash_days, ==, 30);
  g_assert_cmpuint (config->login_max_failures, ==, 5);
  g_assert_cmpuint (config->login_window, ==, 300);
  g_assert_cmpuint (config->default_quota, ==, G_GUINT64_CONSTANT (10) << 30);
}

static void
test_keyfile (Fixture *f, gconstpointer data)
{
  g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config (f,
    "# comment\n"
    "[server]\n"
    "data_dir = data\n"
    "listen = 0.0.0.0:9443\n"
    "tls_cert = /etc/allset/cert.pem\n"
    "tls_key = key.pem\n"
    "bandwidth_up = 50M\n"
    "bandwidth_down = 0\n"
    "token_lifetime = 30d\n"
    "versions_keep = 3\n"
    "versions_days = 7\n"
    "trash_days = 2d\n"
    "login_max_failures = 10\n"
    "login_window = 15m\n"
    "default_quota = 1.5T\n");
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  g_autofree char *key = g_build_filename (f->dir, "key.pem", NULL);

  g_assert_true (allset_server_config_load_file (config, path, &error));
  g_assert_no_error (error);

  /* Relative paths are relative to the file, not to the working directory. */
  g_assert_cmpstr (config->data_dir, ==, data_dir);
  g_assert_cmpstr (config->tls_cert, ==, "/etc/allset/cert.pem");
  g_assert_cmpstr (config->tls_key, ==, key);
  g_assert_cmpstr (config->listen_host, ==, "0.0.0.0");
  g_assert_cmpuint (config->listen_port, ==, 9443);
  g_assert_cmpuint (config->bandwidth_up_bps, ==, 50000000);
  g_assert_cmpuint (config->bandwidth_down_bps, ==, 0);
  g_assert_cmpuint (config->token_lifetime, ==, 30 * 24 * 3600);
  g_assert_cmpuint (config->retention.versions_keep, ==, 3);
  g_assert_cmpuint (config->retention.versions_days, ==, 7);
  g_assert_cmpuint (config->retention.trash_days, ==, 2);
  g_assert_cmpuint (config->login_max_failures, ==, 10);
  g_assert_cmpuint (config->login_window, ==, 900);
  g_assert_cmpuint (config->default_quota, ==, G_GUINT64_CONSTANT (3) << 39);
  g_assert_true (allset_server_config_validate (config, NULL));
}

static void
test_keyfile_unknown_key (Fixture *f, gconstpointer data)
{
  g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config (f, "[server]\ndata_dir=/x\nbandwith_up=10M\nlisten_port=1\n");

  g_assert_false (allset_server_config_load_file (config, path, &error));
  g_assert_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_UNKNOWN_KEY);
  g_assert_nonnull (strstr (error->message, "bandwith_up"));
  g_assert_nonnull (strstr (error->message, "listen_port"));
  /* Nothing is half-applied. */
  g_assert_null (config->data_dir);
  g_clear_error (&error);

  g_free (path);
  path = write_config (f, "[server]\ndata_dir=/x\n[client]\nfoo=1\n");
  g_assert_false (allset_server_config_load_file (config, path, &error));
  g_assert_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_UNKNOWN_KEY);
  g_assert_nonnull (strstr (error->message, "[client]"));
}

static void
test_keyfile_bad_values (Fixture *f, gconstpointer data)
{
  const char *bad[] = {
    "default_quota = 10Q", "default_quota = -1", "bandwidth_up = fast",
    "bandwidth_down = 100MB", "token_lifetime = 3w", "versions_keep = many",
    "versions_days = 36h", "listen = localhost", "listen = [::1]", "login_window = 0",
    "login_max_failures = -2", "dev_cert = yes-please",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = g_strdup_printf ("[server]\n%s\n", bad[i]);
      g_autofree char *path = write_config (f, contents);

      g_test_message ("%s", bad[i]);
      g_assert_false (allset_server_config_load_file (config, path, &error));
      g_assert_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, path));
    }
}

static void
test_keyfile_missing (void)
{
  g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (allset_server_config_load_file (config, "/nonexistent/allset.conf", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/allset.conf"));
}

static void
test_bandwidth (void)
{
  const struct { const char *text; guint64 bps; } good[] = {
    { "100M", 100000000 }, { "100m", 100000000 }, { "100Mbit", 100000000 },
    { "100 Mbit/s", 100000000 }, { "100Mbps", 100000000 }, { "12345", 12345 },
    { "1.5G", 1500000000 }, { "2k", 2000 }, { "1T", G_GUINT64_CONSTANT (1000000000000) },
    { "0", 0 }, { "off", 0 }, { "0.000001T", 1000000 },
  };
  const char *bad[] = { "", "M", "1.", "-5M", "100MB", "100Mb", "10Q", "1.1234567G", "99999999999999999999", "20000000T" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bps = 42;

      g_assert_true (allset_server_config_parse_bandwidth (good[i].text, &bps, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (bps, ==, good[i].bps);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bps = 42;

      g_test_message ("%s", bad[i]);
      g_assert_false (allset_server_config_parse_bandwidth (bad[i], &bps, &error));
      g_assert_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID);
      g_assert_cmpuint (bps, ==, 42);
    }
}

static void
test_listen (void)
{
  const struct { const char *text; const char *host; guint16 port; } good[] = {
    { "127.0.0.1:8443", "127.0.0.1", 8443 }, { "[::1]:8443", "::1", 8443 },
    { "[::]:443", "::", 443 }, { "localhost:1", "localhost", 1 },
    { "[fe80::1%eth0]:8000", "fe80::1%eth0", 8000 }, { "0.0.0.0:0", "0.0.0.0", 0 },
  };
  const char *bad[] = { "", "8443", ":8443", "::1:8443", "[::1]", "[::1]8443", "[]:80",
                        "[1.2.3.4]:80", "host:", "host:65536", "host:-1", "host:80x", "host: 80" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *host = NULL;
      guint16 port = 1234;

      g_assert_true (allset_server_config_parse_listen (good[i].text, &host, &port, NULL));
      g_assert_cmpstr (host, ==, good[i].host);
      g_assert_cmpuint (port, ==, good[i].port);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad[i]);
      g_assert_false (allset_server_config_parse_listen (bad[i], NULL, NULL, &error));
      g_assert_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID);
    }
}

static void
test_args (Fixture *f, gconstpointer data)
{
  g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *data_dir = g_build_filename (cwd, "rel-data", NULL);
  const char *args[] = {
    "serve", "--data-dir", "rel-data", "--listen", "[::1]:9000", "--tls-cert", "/c.pem",
    "--tls-key", "/k.pem", "--bandwidth-up", "1G", "--bandwidth-down=5M",
    "--token-lifetime", "12h", NULL
  };
  int left = -1;

  g_assert_true (parse_args (config, args, &left, &error));
  g_assert_no_error (error);
  g_assert_cmpint (left, ==, 1);
  g_assert_cmpstr (config->data_dir, ==, data_dir);
  g_assert_cmpstr (config->listen_host, ==, "::1");
  g_assert_cmpuint (config->listen_port, ==, 9000);
  g_assert_cmpstr (config->tls_cert, ==, "/c.pem");
  g_assert_cmpstr (config->tls_key, ==, "/k.pem");
  g_assert_cmpuint (config->bandwidth_up_bps, ==, 1000000000);
  g_assert_cmpuint (config->bandwidth_down_bps, ==, 5000000);
  g_assert_cmpuint (config->token_lifetime, ==, 12 * 3600);
}

static void
test_args_override_file (Fixture *f, gconstpointer data)
{
  g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config (f,
    "[server]\ndata_dir=/srv/allset\nlisten=0.0.0.0:9443\nbandwidth_up=50M\n"
    "tls_cert=/etc/c.pem\ntls_key=/etc/k.pem\nversions_keep=4\n");
  const char *args[] = { "serve", "--listen", "127.0.0.1:8000", "--config", path,
                         "--dev-cert", NULL };

  g_assert_true (parse_args (config, args, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->data_dir, ==, "/srv/allset");
  g_assert_cmpstr (config->listen_host, ==, "127.0.0.1");
  g_assert_cmpuint (config->listen_port, ==, 8000);
  g_assert_cmpuint (config->bandwidth_up_bps, ==, 50000000);
  g_assert_cmpuint (config->retention.versions_keep, ==, 4);
  /* --dev-cert replaces the file's certificate. */
  g_assert_true (config->dev_cert);
  g_assert_null (config->tls_cert);
  g_assert_null (config->tls_key);
}

static void
test_args_https_only (Fixture *f, gconstpointer data)
{
  const char *none[] = { "serve", "--data-dir", "/tmp/x", NULL };
  const char *half[] = { "serve", "--data-dir", "/tmp/x", "--tls-cert", "/c.pem", NULL };
  const char *both[] = { "serve", "--data-dir", "/tmp/x", "--tls-cert", "/c", "--tls-key", "/k",
                         "--dev-cert", NULL };
  const char *no_dir[] = { "serve", "--dev-cert", NULL };
  const char *extra[] = { "serve", "--data-dir", "/tmp/x", "--dev-cert", "now", NULL };
  const char *bad_bw[] = { "serve", "--data-dir", "/tmp/x", "--dev-cert", "--bandwidth-up", "lots", NULL };
  const char *dev[] = { "serve", "--data-dir", "/tmp/x", "--dev-cert", NULL };
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
    g_assert_false (parse_args (config, none, NULL, &error));
    g_assert_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_NO_TLS);
    g_assert_cmpstr (error->message, ==,
                     "allset-server only serves HTTPS: pass --tls-cert and --tls-key, or --dev-cert");
    g_clear_error (&error);
  }
  {
    g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
    g_assert_false (parse_args (config, half, NULL, &error));
    g_assert_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_NO_TLS);
    g_clear_error (&error);
  }
  {
    g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
    g_assert_false (parse_args (config, both, NULL, &error));
    g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
    g_clear_error (&error);
  }
  {
    g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
    g_assert_false (parse_args (config, no_dir, NULL, &error));
    g_assert_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_MISSING);
    g_clear_error (&error);
  }
  {
    g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
    g_assert_false (parse_args (config, extra, NULL, &error));
    g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
    g_clear_error (&error);
  }
  {
    g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
    g_assert_false (parse_args (config, bad_bw, NULL, &error));
    g_assert_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
    g_assert_true (parse_args (config, dev, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (config->dev_cert);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-config/defaults", test_defaults);
  g_test_add ("/server-config/keyfile", Fixture, NULL, fixture_set_up, test_keyfile, fixture_tear_down);
  g_test_add ("/server-config/keyfile-unknown-key", Fixture, NULL, fixture_set_up,
              test_keyfile_unknown_key, fixture_tear_down);
  g_test_add ("/server-config/keyfile-bad-values", Fixture, NULL, fixture_set_up,
              test_keyfile_bad_values, fixture_tear_down);
  g_test_add_func ("/server-config/keyfile-missing", test_keyfile_missing);
  g_test_add_func ("/server-config/bandwidth", test_bandwidth);
  g_test_add_func ("/server-config/listen", test_listen);
  g_test_add ("/server-config/args", Fixture, NULL, fixture_set_up, test_args, fixture_tear_down);
  g_test_add ("/server-config/args-override-file", Fixture, NULL, fixture_set_up,
              test_args_override_file, fixture_tear_down);
  g_test_add ("/server-config/args-https-only", Fixture, NULL, fixture_set_up,
              test_args_https_only, fixture_tear_down);

  return g_test_run ();
}
