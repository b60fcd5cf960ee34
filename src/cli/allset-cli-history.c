/* allset-cli-history.c — (being written)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-cli.h"

int
allset_cli_history (AllsetCli *cli, int argc, char **argv)
{
  allset_cli_error ("history: not written yet");
  return ALLSET_CLI_ERROR;
}

int
allset_cli_restore (AllsetCli *cli, int argc, char **argv)
{
  allset_cli_error ("restore: not written yet");
  return ALLSET_CLI_ERROR;
}
