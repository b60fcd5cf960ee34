/* allset-transfer-land.c — downloads renamed into place, made durable and recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See allset-transfer-download.c: a download is renamed into place there,
 * and recorded here, a batch at a time.
 */

#include <fcntl.h>
#include <unistd.h>

#include "allset-sync-private.h"

static void
fsync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

void
allset_landed_free (gpointer data)
{
  AllsetLanded *landed = data;

  g_free (landed->dir);
  g_array_unref (landed->chunks);
  allset_local_entry_free (landed->written);
  allset_file_info_free (landed->info);
  g_clear_error (&landed->verdict);
  g_free (landed);
}

/* The journal records a download only once its rename is durable: after
 * a crash the journal may lack a file that is there (the next scan finds
 * it equal to the server's and records it), never hold one that is not
 * (which the next pass would take for a local deletion). One fsync per
 * directory and one transaction for the lot, instead of one each per
 * file: 10 000 small files spent most of their time there. */
void
allset_transfer_land (AllsetSyncPass *pass)
{
  g_autoptr(GPtrArray) landed = NULL;
  g_autoptr(GHashTable) dirs = NULL;
  GHashTableIter iter;
  const char *dir;
  gboolean in_transaction;

  g_mutex_lock (&pass->lock);
  landed = g_steal_pointer (&pass->landed);
  pass->landed = g_ptr_array_new_with_free_func (allset_landed_free);
  g_mutex_unlock (&pass->lock);
  if (landed->len == 0)
    return;

  dirs = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < landed->len; i++)
    g_hash_table_add (dirs, ((AllsetLanded *) g_ptr_array_index (landed, i))->dir);
  g_hash_table_iter_init (&iter, dirs);
  while (g_hash_table_iter_next (&iter, (gpointer *) &dir, NULL))
    fsync_dir (dir);

  in_transaction = allset_journal_begin (pass->journal, NULL);
  for (guint i = 0; i < landed->len; i++)
    {
      AllsetLanded *l = g_ptr_array_index (landed, i);
      g_autoptr(AllsetBaseEntry) base = allset_base_entry_new (l->action->path, ALLSET_ENTRY_FILE);

      allset_journal_local_put (pass->journal, l->written, l->chunks, NULL);
      base->file_id = allset_entry_string (l->info->file_id);
      base->size = l->written->size;
      base->mtime_ns = l->written->mtime_ns;
      base->executable = l->written->executable;
      base->revision = l->info->revision;
      base->inode = l->written->inode;
      base->dev = l->written->dev;
      base->state = ALLSET_FILE_UPLOADED;
      allset_journal_base_put (pass->journal, base, NULL);
    }
  ALLSET_SYNC_COUNT (pass, downloaded, landed->len);

  /* Verified in the same transaction: UPLOADED then VERIFIED, one write
   * of the journal for the batch. */
  for (guint i = 0; i < landed->len; i++)
    {
      AllsetLanded *l = g_ptr_array_index (landed, i);

      if (allset_transfer_record_verdict (pass, l->action->path, l->info->receipt, g_steal_pointer (&l->verdict)))
        allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, l->action, l->written->size, l->info->receipt);
    }
  if (in_transaction && !allset_journal_commit (pass->journal, NULL))
    allset_journal_rollback (pass->journal);
}
