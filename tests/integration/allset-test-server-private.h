/* allset-test-server-private.h — what the harness files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-test-server.h"

G_BEGIN_DECLS

#define SESSION_TIMEOUT_SECONDS 60

struct _AllsetTestServer
{
  char         *server_bin;
  char         *tmp_dir;
  char         *data_dir;      /* as the server sees it */
  GStrv         extra_args;
  guint64       tmpfs_bytes;

  GSubprocess  *process;
  GPid          pid;
  guint         n_starts;
  char         *log_path;
  guint16       port;
  char         *url;
  GTlsDatabase *tls_database;
  SoupSession  *session;
};

G_END_DECLS
