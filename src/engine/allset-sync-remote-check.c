/* allset-sync-remote-check.c — a remote view the server contradicts is
 * read again from the start
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The remote view is what the changes feed told, change by change, and
 * the feed never tells a change twice. So if one answer was wrong (a
 * broken proxy, a server bug, a server restored from a backup), the view
 * stays wrong: the soak, with a client behind garble-proxy.c, found a
 * path cut short in the feed ("docs/ne" for "docs/new") that the client
 * then tried to download pass after pass, while never getting
 * "docs/new".
 *
 * The same holds for a remote operation (a deletion, a move, an update)
 * refused because nothing is at its path any more, which the soak found
 * too: a conflict copy the view held and the server never had, whose
 * deletion the server refused pass after pass.
 *
 * A file the server says it does not hold is nothing unusual in itself:
 * it may have been moved or deleted since the feed was read, and the next
 * pass's feed says so. But when the next pass, after reading the feed,
 * still lists the same revision at the same path and the server still
 * denies it, the view is wrong. The pass then forgets it and reads the
 * whole feed again, as a new device would. What is on disk and the base
 * are untouched: the next pass reconciles them with the server's
 * actual tree.
 */

#include <string.h>

#include "allset-sync-private.h"

void
allset_sync_note_remote_missing (AllsetSyncPass *pass,
                                 const char     *path,
                                 gint64          revision)
{
  g_mutex_lock (&pass->lock);
  if (pass->remote_missing == NULL)
    pass->remote_missing = g_strdup_printf ("%" G_GINT64_FORMAT "\t%s", revision, path);
  g_mutex_unlock (&pass->lock);
}

void
allset_sync_check_remote (AllsetSyncPass *pass)
{
  g_autofree char *before = allset_journal_get_meta (pass->journal, ALLSET_JOURNAL_META_REMOTE_MISSING);
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (before, pass->remote_missing) != 0)
    {
      /* First seen (the feed may catch up), or gone. */
      if (!allset_journal_set_meta (pass->journal, ALLSET_JOURNAL_META_REMOTE_MISSING,
                                    pass->remote_missing, &error))
        g_warning ("%s: %s", pass->folder->local, error->message);
      return;
    }
  if (pass->remote_missing == NULL)
    return;

  g_message ("%s: the server does not hold %s, which its changes feed listed; "
             "reading the feed again from the start",
             pass->folder->local, strchr (pass->remote_missing, '\t') + 1);
  /* Forgetting and reading again in the same pass leaves no window with
   * an empty view and a cursor of 0 between passes. */
  if (!allset_journal_reset_remote (pass->journal, &error) ||
      !allset_journal_set_meta (pass->journal, ALLSET_JOURNAL_META_REMOTE_MISSING, NULL, &error))
    {
      g_warning ("%s: %s", pass->folder->local, error->message);
      return;
    }
  /* A feed that stops half-way is taken up where it stopped by the next
   * pass, which plans nothing before it has read all of it. */
  if (!allset_sync_pull_feed (pass, &error))
    g_message ("%s: %s", pass->folder->local, error->message);
}
