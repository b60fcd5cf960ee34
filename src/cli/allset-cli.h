/* allset-cli.h — what the command files of allset-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A command is one entry of the table in main.c: {name, function,
 * summary}. Its function gets argv with the command name as argv[0] (as a
 * GOptionContext expects) and returns an exit status.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "allset-client.h"
#include "allset-config.h"
#include "allset-secrets.h"

G_BEGIN_DECLS

enum
{
  ALLSET_CLI_OK    = 0,
  ALLSET_CLI_ERROR = 1,
  ALLSET_CLI_USAGE = 2,
};

typedef struct
{
  char *config_dir;  /* --config-dir, or NULL for the default */
} AllsetCli;

typedef int (*AllsetCliFunc) (AllsetCli  *cli,
                              int         argc,
                              char      **argv);

typedef struct
{
  const char    *name;
  AllsetCliFunc  run;
  const char    *summary;  /* marked for translation in the table */
} AllsetCliCommand;

/* allset-cli-login.c */
int  allset_cli_login      (AllsetCli *cli, int argc, char **argv);
int  allset_cli_logout     (AllsetCli *cli, int argc, char **argv);
/* allset-cli-account.c */
int  allset_cli_account    (AllsetCli *cli, int argc, char **argv);
/* allset-cli-folders.c */
int  allset_cli_add_folder (AllsetCli *cli, int argc, char **argv);
int  allset_cli_folders    (AllsetCli *cli, int argc, char **argv);
int  allset_cli_remove_folder (AllsetCli *cli, int argc, char **argv);
int  allset_cli_folder_set (AllsetCli *cli, int argc, char **argv);
/* allset-cli-sync.c */
int  allset_cli_sync       (AllsetCli *cli, int argc, char **argv);
int  allset_cli_status     (AllsetCli *cli, int argc, char **argv);
int  allset_cli_conflicts  (AllsetCli *cli, int argc, char **argv);
/* allset-cli-watch.c */
int  allset_cli_watch      (AllsetCli *cli, int argc, char **argv);
/* allset-cli-verify.c */
int  allset_cli_verify     (AllsetCli *cli, int argc, char **argv);
/* allset-cli-history.c */
int  allset_cli_history    (AllsetCli *cli, int argc, char **argv);
int  allset_cli_restore    (AllsetCli *cli, int argc, char **argv);
/* allset-cli-share.c */
int  allset_cli_share      (AllsetCli *cli, int argc, char **argv);
int  allset_cli_shares     (AllsetCli *cli, int argc, char **argv);
int  allset_cli_unshare    (AllsetCli *cli, int argc, char **argv);
int  allset_cli_share_update (AllsetCli *cli, int argc, char **argv);

/* ---- allset-cli-common.c ------------------------------------------------ */

/* Parses the command's options; on a usage error prints it and returns
 * FALSE (exit ALLSET_CLI_USAGE). parameters: e.g. "LOCAL_DIR"; summary
 * is translated here. */
gboolean      allset_cli_parse_options (const char    *command,
                                        const char    *parameters,
                                        const char    *summary,
                                        GOptionEntry  *entries,
                                        int           *argc,
                                        char        ***argv);
/* "allset-cli: MESSAGE" on stderr. */
void          allset_cli_error         (const char    *format,
                                        ...) G_GNUC_PRINTF (1, 2);
/* Prints a usage problem and returns ALLSET_CLI_USAGE. */
int           allset_cli_usage_error   (const char    *command,
                                        const char    *format,
                                        ...) G_GNUC_PRINTF (2, 3);
/* Loads the configuration or prints why it cannot. */
AllsetConfig *allset_cli_load_config   (AllsetCli     *cli);
/* Prints error for the user: maintenance with its retry time, suspended
 * account, revoked or expired token, unreachable server, untrusted
 * certificate… client may be NULL. */
void          allset_cli_print_error   (AllsetClient  *client,
                                        const GError  *error);
/* A client for the signed-in account of config, with its token; prints
 * why not and returns NULL. */
AllsetClient *allset_cli_connect       (AllsetConfig  *config);
/* --json output: root, pretty-printed, on standard output. */
void          allset_cli_print_json    (JsonNode      *root);
/* Quotes one argument for a shell only when it needs it. */
char         *allset_cli_quote         (const char    *arg);

/* The password: without echo from the terminal, or a line of standard
 * input with from_stdin. Returns NULL after printing why (usage: set when
 * the problem is a usage error). Free it with allset_cli_password_free. */
char         *allset_cli_read_password (const char    *prompt,
                                        gboolean       from_stdin,
                                        gboolean      *usage);
void          allset_cli_password_free (char          *password);

G_END_DECLS
