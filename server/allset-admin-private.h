/* allset-admin-private.h — shared by the `allset-server admin` commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-admin.h"
#include "allset-server-config.h"
#include "allset-store.h"

G_BEGIN_DECLS

#define ALLSET_ADMIN_EXIT_USAGE 2

typedef struct
{
  char               *data_dir;
  AllsetServerConfig *config;   /* defaults, or --config FILE */
  AllsetStore        *store;    /* after allset_admin_open_store() */
} AllsetAdmin;

typedef struct _AllsetAdminCommand AllsetAdminCommand;
struct _AllsetAdminCommand
{
  const char *name;
  const char *params;
  const char *summary;
  /* argv[0] is the command name; returns the exit status. */
  int       (*run) (AllsetAdmin *admin, const AllsetAdminCommand *command, int argc, char **argv);
};

/* FALSE after printing the reason and the usage line: exit with
 * ALLSET_ADMIN_EXIT_USAGE. */
gboolean       allset_admin_parse_command  (const AllsetAdminCommand *command,
                                            const GOptionEntry       *entries,
                                            int                      *argc,
                                            char                   ***argv,
                                            int                       min_args,
                                            int                       max_args);
/* NULL after printing why. */
AllsetStore   *allset_admin_open_store     (AllsetAdmin *admin);
AllsetAccount *allset_admin_lookup_account (AllsetAdmin *admin,
                                            const char  *username);

char          *allset_admin_format_quota   (guint64      quota);
char          *allset_admin_format_time    (gint64       unix_time);
/* rows: GStrv of equal length, the first one the headings. */
void           allset_admin_print_table    (GPtrArray   *rows);

int            allset_admin_account_add    (AllsetAdmin *admin, const AllsetAdminCommand *command, int argc, char **argv);
int            allset_admin_account_list   (AllsetAdmin *admin, const AllsetAdminCommand *command, int argc, char **argv);
int            allset_admin_account_change (AllsetAdmin *admin, const AllsetAdminCommand *command, int argc, char **argv);
int            allset_admin_devices        (AllsetAdmin *admin, const AllsetAdminCommand *command, int argc, char **argv);
/* allset-admin-shares.c */
int            allset_admin_share_reports  (AllsetAdmin *admin, const AllsetAdminCommand *command, int argc, char **argv);
int            allset_admin_share_suspend  (AllsetAdmin *admin, const AllsetAdminCommand *command, int argc, char **argv);

G_END_DECLS
