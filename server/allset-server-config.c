/* allset-server-config.c — allset-server settings: defaults, config file, command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>

#include "allset-server-config.h"

G_DEFINE_QUARK (allset-server-config-error-quark, allset_server_config_error)

static const char *const known_keys[] = {
  "data_dir", "listen", "tls_cert", "tls_key", "dev_cert",
  "bandwidth_up", "bandwidth_down", "token_lifetime",
  "versions_keep", "versions_days", "trash_days",
  "login_max_failures", "login_window", "default_quota",
  "share_max_lifetime", "share_zip_max_entries", "share_zip_max_bytes",
  NULL
};

AllsetServerConfig *
allset_server_config_new (void)
{
  AllsetServerConfig *config = g_new0 (AllsetServerConfig, 1);

  config->listen_host = g_strdup (ALLSET_SERVER_DEFAULT_HOST);
  config->listen_port = ALLSET_SERVER_DEFAULT_PORT;
  config->bandwidth_up_bps = ALLSET_SERVER_DEFAULT_BANDWIDTH_BPS;
  config->bandwidth_down_bps = ALLSET_SERVER_DEFAULT_BANDWIDTH_BPS;
  config->token_lifetime = ALLSET_SERVER_DEFAULT_TOKEN_LIFETIME;
  config->retention.versions_keep = 10;
  config->retention.versions_days = 30;
  config->retention.trash_days = 30;
  config->login_max_failures = 5;
  config->login_window = 300;
  config->default_quota = ALLSET_SERVER_DEFAULT_QUOTA;
  config->share_zip_max_entries = ALLSET_SERVER_DEFAULT_ZIP_ENTRIES;
  config->share_zip_max_bytes = ALLSET_SERVER_DEFAULT_ZIP_BYTES;

  return config;
}

void
allset_server_config_free (AllsetServerConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->data_dir);
  g_free (config->listen_host);
  g_free (config->tls_cert);
  g_free (config->tls_key);
  g_free (config);
}

static void
set_error_invalid (GError     **error,
                   const char  *what,
                   const char  *text,
                   GError      *cause)
{
  if (cause != NULL)
    g_set_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID,
                 _("Invalid value “%s” for %s: %s"), text, what, cause->message);
  else
    g_set_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID,
                 _("Invalid value “%s” for %s"), text, what);
}

gboolean
allset_server_config_parse_listen (const char  *text,
                                   char       **host,
                                   guint16     *port,
                                   GError     **error)
{
  g_autofree char *h = NULL;
  const char *port_text;
  guint64 value;
  char *end = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL || close == text + 1 || close[1] != ':')
        goto bad;
      h = g_strndup (text + 1, close - text - 1);
      /* Only an IPv6 literal belongs in brackets. */
      if (strchr (h, ':') == NULL)
        goto bad;
      port_text = close + 2;
    }
  else
    {
      const char *colon = strrchr (text, ':');

      /* A bare IPv6 address would make "which colon is the port" ambiguous. */
      if (colon == NULL || colon == text || memchr (text, ':', colon - text) != NULL)
        goto bad;
      h = g_strndup (text, colon - text);
      port_text = colon + 1;
    }

  if (!g_ascii_isdigit (port_text[0]))
    goto bad;
  errno = 0;
  value = g_ascii_strtoull (port_text, &end, 10);
  if (errno != 0 || *end != '\0' || value > G_MAXUINT16)
    goto bad;

  if (host != NULL)
    *host = g_steal_pointer (&h);
  if (port != NULL)
    *port = (guint16) value;
  return TRUE;

bad:
  g_set_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID,
               _("Invalid listen address “%s”: expected HOST:PORT or [IPV6]:PORT"), text);
  return FALSE;
}

gboolean
allset_server_config_parse_bandwidth (const char  *text,
                                      guint64     *bps,
                                      GError     **error)
{
  static const char *const unit_names[] = { "", "bit", "bits", "bit/s", "bps", NULL };
  g_autofree char *lower = NULL;
  const char *p;
  guint64 whole = 0, frac = 0, frac_scale = 1, multiplier = 1, value;
  guint decimals = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  lower = g_strstrip (g_ascii_strdown (text, -1));
  if (g_str_equal (lower, "off"))
    {
      *bps = 0;
      return TRUE;
    }

  /* Integer arithmetic, as allset_size_parse() does: 1.5G is exact. */
  if (!g_ascii_isdigit (lower[0]))
    goto bad;
  for (p = lower; g_ascii_isdigit (*p); p++)
    {
      if (!g_uint64_checked_mul (&whole, whole, 10) ||
          !g_uint64_checked_add (&whole, whole, (guint64) (*p - '0')))
        goto bad;
    }
  if (*p == '.')
    {
      if (!g_ascii_isdigit (*++p))
        goto bad;
      /* Six decimals keep frac × 10^12 within 64 bits. */
      for (; g_ascii_isdigit (*p); p++)
        {
          if (++decimals > 6)
            goto bad;
          frac = frac * 10 + (guint64) (*p - '0');
          frac_scale *= 10;
        }
    }
  while (*p == ' ')
    p++;

  switch (*p)
    {
    case 'k': multiplier = G_GUINT64_CONSTANT (1000); p++; break;
    case 'm': multiplier = G_GUINT64_CONSTANT (1000000); p++; break;
    case 'g': multiplier = G_GUINT64_CONSTANT (1000000000); p++; break;
    case 't': multiplier = G_GUINT64_CONSTANT (1000000000000); p++; break;
    default: break;
    }
  /* No bare "b": "100MB" would read as megabits to some and megabytes to
   * others. */
  if (!g_strv_contains (unit_names, p))
    goto bad;

  if (!g_uint64_checked_mul (&value, whole, multiplier) ||
      !g_uint64_checked_add (&value, value, frac * multiplier / frac_scale))
    goto bad;

  *bps = value;
  return TRUE;

bad:
  g_set_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID,
               _("Invalid bandwidth “%s”: expected bits per second such as 100M (decimal), or 0 for no limit"),
               text);
  return FALSE;
}

static gboolean
parse_size (const char *what, const char *text, guint64 *out, GError **error)
{
  g_autoptr(GError) cause = NULL;

  if (!allset_size_parse (text, out, &cause))
    {
      set_error_invalid (error, what, text, cause);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_duration (const char *what, const char *text, guint64 *out, GError **error)
{
  g_autoptr(GError) cause = NULL;

  if (!allset_duration_parse (text, out, &cause))
    {
      set_error_invalid (error, what, text, cause);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_uint (const char *what, const char *text, guint *out, GError **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    {
      set_error_invalid (error, what, text, NULL);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

/* "30" is 30 days, as the key name says; durations such as "30d" or "720h"
 * are accepted too, but only in whole days. */
static gboolean
parse_days (const char *what, const char *text, guint *out, GError **error)
{
  guint64 seconds;

  if (g_ascii_isdigit (text[0]) && strspn (text, "0123456789") == strlen (text))
    return parse_uint (what, text, out, error);

  if (!parse_duration (what, text, &seconds, error))
    return FALSE;
  if (seconds % (24 * 3600) != 0 || seconds / (24 * 3600) > G_MAXUINT)
    {
      g_set_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID,
                   _("Invalid value “%s” for %s: a whole number of days is needed"),
                   text, what);
      return FALSE;
    }
  *out = (guint) (seconds / (24 * 3600));
  return TRUE;
}

static void
take_path (char **slot, const char *value, const char *base_dir)
{
  g_free (*slot);
  *slot = g_canonicalize_filename (value, base_dir);
}

/* Applies one key=value to the config; shared by the file and the command
 * line so both accept exactly the same syntax. */
static gboolean
apply_setting (AllsetServerConfig *config,
               const char         *key,
               const char         *value,
               const char         *base_dir,
               GError            **error)
{
  if (g_str_equal (key, "data_dir"))
    take_path (&config->data_dir, value, base_dir);
  else if (g_str_equal (key, "tls_cert"))
    take_path (&config->tls_cert, value, base_dir);
  else if (g_str_equal (key, "tls_key"))
    take_path (&config->tls_key, value, base_dir);
  else if (g_str_equal (key, "listen"))
    {
      g_autofree char *host = NULL;

      if (!allset_server_config_parse_listen (value, &host, &config->listen_port, error))
        return FALSE;
      g_free (config->listen_host);
      config->listen_host = g_steal_pointer (&host);
    }
  else if (g_str_equal (key, "dev_cert"))
    {
      /* The spellings GKeyFile itself accepts for booleans. */
      if (g_str_equal (value, "true") || g_str_equal (value, "1"))
        config->dev_cert = TRUE;
      else if (g_str_equal (value, "false") || g_str_equal (value, "0"))
        config->dev_cert = FALSE;
      else
        {
          set_error_invalid (error, key, value, NULL);
          return FALSE;
        }
    }
  else if (g_str_equal (key, "bandwidth_up") || g_str_equal (key, "bandwidth_down"))
    {
      guint64 *slot = key[10] == 'u' ? &config->bandwidth_up_bps : &config->bandwidth_down_bps;
      g_autoptr(GError) cause = NULL;

      if (!allset_server_config_parse_bandwidth (value, slot, &cause))
        {
          set_error_invalid (error, key, value, cause);
          return FALSE;
        }
    }
  else if (g_str_equal (key, "token_lifetime"))
    return parse_duration (key, value, &config->token_lifetime, error);
  else if (g_str_equal (key, "login_window"))
    {
      if (!parse_duration (key, value, &config->login_window, error))
        return FALSE;
      if (config->login_window == 0)
        {
          set_error_invalid (error, key, value, NULL);
          return FALSE;
        }
    }
  else if (g_str_equal (key, "versions_keep"))
    return parse_uint (key, value, &config->retention.versions_keep, error);
  else if (g_str_equal (key, "versions_days"))
    return parse_days (key, value, &config->retention.versions_days, error);
  else if (g_str_equal (key, "trash_days"))
    return parse_days (key, value, &config->retention.trash_days, error);
  else if (g_str_equal (key, "login_max_failures"))
    return parse_uint (key, value, &config->login_max_failures, error);
  else if (g_str_equal (key, "default_quota"))
    return parse_size (key, value, &config->default_quota, error);
  else if (g_str_equal (key, "share_max_lifetime"))
    return parse_duration (key, value, &config->share_max_lifetime, error);
  else if (g_str_equal (key, "share_zip_max_entries"))
    return parse_uint (key, value, &config->share_zip_max_entries, error);
  else if (g_str_equal (key, "share_zip_max_bytes"))
    return parse_size (key, value, &config->share_zip_max_bytes, error);
  else
    g_return_val_if_reached (FALSE);

  return TRUE;
}

gboolean
allset_server_config_load_file (AllsetServerConfig  *config,
                                const char          *path,
                                GError             **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) unknown = g_string_new (NULL);
  g_autofree char *base_dir = NULL;
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Cannot read configuration file %s: %s"), path, local_error->message);
      return FALSE;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (!g_str_equal (groups[i], "server"))
        g_string_append_printf (unknown, "%s[%s]", unknown->len ? ", " : "", groups[i]);
    }

  if (g_key_file_has_group (keyfile, "server"))
    {
      keys = g_key_file_get_keys (keyfile, "server", NULL, NULL);
      for (guint i = 0; keys[i] != NULL; i++)
        {
          if (!g_strv_contains (known_keys, keys[i]))
            g_string_append_printf (unknown, "%s%s", unknown->len ? ", " : "", keys[i]);
        }
    }

  if (unknown->len > 0)
    {
      g_set_error (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_UNKNOWN_KEY,
                   _("%s: unknown settings: %s"), path, unknown->str);
      return FALSE;
    }

  if (keys == NULL)
    return TRUE;

  {
    g_autofree char *absolute = g_canonicalize_filename (path, NULL);
    base_dir = g_path_get_dirname (absolute);
  }

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (keyfile, "server", keys[i], &local_error);

      if (value == NULL || !apply_setting (config, keys[i], g_strstrip (value), base_dir, &local_error))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       "%s: %s", path, local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
allset_server_config_validate (AllsetServerConfig  *config,
                               GError             **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (config->data_dir == NULL || config->data_dir[0] == '\0')
    {
      g_set_error_literal (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_MISSING,
                           _("No data directory: pass --data-dir DIR (or data_dir in the configuration file)"));
      return FALSE;
    }

  if ((config->tls_cert == NULL) != (config->tls_key == NULL))
    {
      g_set_error_literal (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_NO_TLS,
                           config->tls_cert != NULL
                           ? _("A TLS certificate needs its key: pass --tls-key too")
                           : _("A TLS key needs its certificate: pass --tls-cert too"));
      return FALSE;
    }
  if (config->dev_cert && config->tls_cert != NULL)
    {
      g_set_error_literal (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_INVALID,
                           _("Set either tls_cert and tls_key, or dev_cert, not both"));
      return FALSE;
    }

  /* Terms R20: every connection is encrypted, so there is no plain HTTP mode. */
  if (!config->dev_cert && config->tls_cert == NULL)
    {
      g_set_error_literal (error, ALLSET_SERVER_CONFIG_ERROR, ALLSET_SERVER_CONFIG_ERROR_NO_TLS,
                           _("allset-server only serves HTTPS: pass --tls-cert and --tls-key, or --dev-cert"));
      return FALSE;
    }

  return TRUE;
}

gboolean
allset_server_config_parse_args (AllsetServerConfig   *config,
                                 int                  *argc,
                                 char               ***argv,
                                 GError              **error)
{
  g_autofree char *data_dir = NULL, *listen = NULL, *tls_cert = NULL, *tls_key = NULL;
  g_autofree char *config_file = NULL, *bw_up = NULL, *bw_down = NULL, *lifetime = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  gboolean dev_cert = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  const GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Directory for the database, chunks and keys"), N_("DIR") },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      N_("Address to listen on (default 127.0.0.1:8443)"), N_("HOST:PORT") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      N_("TLS certificate chain (PEM)"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      N_("TLS private key (PEM)"), N_("FILE") },
    { "dev-cert", 0, 0, G_OPTION_ARG_NONE, &dev_cert,
      N_("Use a self-signed certificate for localhost, made in DIR/tls (development only)"), NULL },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_file,
      N_("Read settings from FILE, group [server]; options given here win"), N_("FILE") },
    { "bandwidth-up", 0, 0, G_OPTION_ARG_STRING, &bw_up,
      N_("Upload limit per account in bit/s, decimal: 100M = 100 000 000 bit/s (0: none)"), N_("RATE") },
    { "bandwidth-down", 0, 0, G_OPTION_ARG_STRING, &bw_down,
      N_("Download limit per account in bit/s, decimal: 100M = 100 000 000 bit/s (0: none)"), N_("RATE") },
    { "token-lifetime", 0, 0, G_OPTION_ARG_STRING, &lifetime,
      N_("How long a device token stays valid, e.g. 90d (0: forever)"), N_("DURATION") },
    { NULL }
  };

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (argc != NULL && argv != NULL, FALSE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Run the ALLSET sync server (HTTPS only)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Unexpected argument “%s”"), (*argv)[1]);
      return FALSE;
    }

  if (config_file != NULL && !allset_server_config_load_file (config, config_file, error))
    return FALSE;

  /* The command line's choice between a real and a development certificate
   * replaces the file's: --dev-cert drops the file's tls_cert/tls_key and
   * --tls-cert/--tls-key drop its dev_cert. */
  if (dev_cert && (tls_cert != NULL || tls_key != NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Pass either --tls-cert and --tls-key, or --dev-cert, not both"));
      return FALSE;
    }
  if (dev_cert)
    {
      config->dev_cert = TRUE;
      g_clear_pointer (&config->tls_cert, g_free);
      g_clear_pointer (&config->tls_key, g_free);
    }
  if (tls_cert != NULL || tls_key != NULL)
    config->dev_cert = FALSE;

  {
    const struct { const char *key; const char *value; } overrides[] = {
      { "data_dir", data_dir }, { "listen", listen }, { "tls_cert", tls_cert },
      { "tls_key", tls_key }, { "bandwidth_up", bw_up }, { "bandwidth_down", bw_down },
      { "token_lifetime", lifetime },
    };

    for (guint i = 0; i < G_N_ELEMENTS (overrides); i++)
      {
        if (overrides[i].value != NULL &&
            !apply_setting (config, overrides[i].key, overrides[i].value, cwd, error))
          return FALSE;
      }
  }

  return allset_server_config_validate (config, error);
}
