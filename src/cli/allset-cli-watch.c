/* allset-cli-watch.c — (being written)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-cli.h"

int
allset_cli_watch (AllsetCli *cli, int argc, char **argv)
{
  allset_cli_error ("watch: not written yet");
  return ALLSET_CLI_ERROR;
}
