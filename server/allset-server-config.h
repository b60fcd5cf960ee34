/* allset-server-config.h — allset-server settings: defaults, config file, command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "allset-store.h"

G_BEGIN_DECLS

#define ALLSET_SERVER_CONFIG_ERROR (allset_server_config_error_quark ())
GQuark allset_server_config_error_quark (void);

typedef enum
{
  ALLSET_SERVER_CONFIG_ERROR_INVALID,      /* a value does not parse */
  ALLSET_SERVER_CONFIG_ERROR_UNKNOWN_KEY,  /* config file: unknown group or key */
  ALLSET_SERVER_CONFIG_ERROR_MISSING,      /* a required setting is absent */
  ALLSET_SERVER_CONFIG_ERROR_NO_TLS,       /* no certificate: HTTPS only (terms R20) */
} AllsetServerConfigError;

#define ALLSET_SERVER_DEFAULT_HOST            "127.0.0.1"
#define ALLSET_SERVER_DEFAULT_PORT            8443
#define ALLSET_SERVER_DEFAULT_BANDWIDTH_BPS   G_GUINT64_CONSTANT (100000000)
#define ALLSET_SERVER_DEFAULT_TOKEN_LIFETIME  (G_GUINT64_CONSTANT (90) * 24 * 3600)
#define ALLSET_SERVER_DEFAULT_QUOTA           (G_GUINT64_CONSTANT (10) * 1024 * 1024 * 1024)
#define ALLSET_SERVER_DEFAULT_ZIP_ENTRIES     10000
#define ALLSET_SERVER_DEFAULT_ZIP_BYTES       (G_GUINT64_CONSTANT (10) * 1024 * 1024 * 1024)

typedef struct
{
  char            *data_dir;
  char            *listen_host;          /* without brackets, also for IPv6 */
  guint16          listen_port;          /* default 127.0.0.1:8443 */
  char            *tls_cert;             /* PEM files; both set, or dev_cert */
  char            *tls_key;
  gboolean         dev_cert;             /* allset_tls_ensure_dev_cert() in data_dir */
  guint64          bandwidth_up_bps;     /* bits/s per account; 0 = no limit */
  guint64          bandwidth_down_bps;
  guint64          token_lifetime;       /* seconds; 0 = tokens never expire */
  AllsetRetention  retention;            /* 10 versions, 30 days; trash 30 days */
  guint            login_max_failures;   /* 5; 0 = no login throttling */
  guint64          login_window;         /* seconds, 300 */
  guint64          default_quota;        /* bytes for new accounts, 10 GiB; 0 = unlimited */
  guint64          share_max_lifetime;   /* seconds a share link may live; 0 = no maximum,
                                          * and links that never expire are allowed */
  guint            share_zip_max_entries; /* a folder link's zip: at most this many entries
                                          * (files and folders), 10 000; more answers 413 */
  guint64          share_zip_max_bytes;  /* and at most this many bytes of files, 10 GiB */
} AllsetServerConfig;

AllsetServerConfig *allset_server_config_new        (void);
void                allset_server_config_free       (AllsetServerConfig  *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetServerConfig, allset_server_config_free)

/* Reads group [server] of a key file. Keys: data_dir listen tls_cert tls_key
 * dev_cert bandwidth_up bandwidth_down token_lifetime versions_keep
 * versions_days trash_days login_max_failures login_window default_quota
 * share_max_lifetime share_zip_max_entries share_zip_max_bytes.
 * Relative paths are taken from the file's directory. Any other group or key
 * is an error that names it, so a typo never silently keeps a default. On
 * error the config may be partly updated: callers give up on it. */
gboolean  allset_server_config_load_file        (AllsetServerConfig  *config,
                                                 const char          *path,
                                                 GError             **error);

/* Options of `allset-server serve`; argv[0] is the subcommand. --config FILE
 * is read first and the other options override it. Validates on success. */
gboolean  allset_server_config_parse_args       (AllsetServerConfig  *config,
                                                 int                 *argc,
                                                 char              ***argv,
                                                 GError             **error);

/* data_dir is set, and a certificate (both files, or dev_cert) is. */
gboolean  allset_server_config_validate         (AllsetServerConfig  *config,
                                                 GError             **error);

/* "HOST:PORT", "[IPV6]:PORT"; the host comes back without brackets. Port 0
 * lets the system pick a free port (tests). */
gboolean  allset_server_config_parse_listen     (const char          *text,
                                                 char               **host,
                                                 guint16             *port,
                                                 GError             **error);

/* Bandwidth is in bits per second and its suffixes are decimal, as network
 * speeds are quoted: "100M" = 100 000 000 bit/s, "1.5G" = 1 500 000 000 bit/s,
 * a plain number is bit/s, "0" or "off" turns the limit off. Unlike byte
 * sizes (allset_size_parse), K M G T here are powers of 1000. An optional
 * "bit", "bits", "bit/s" or "bps" may follow; a bare "B" is refused as
 * ambiguous between bits and bytes. */
gboolean  allset_server_config_parse_bandwidth  (const char          *text,
                                                 guint64             *bps,
                                                 GError             **error);

G_END_DECLS
