/* allset-sync-local.c — the actions of a pass that only touch the disk
 * and the journal: local moves, conflict copies, trash, directories,
 * agreeing records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each re-checks the path against what the scan saw before it changes
 * anything (DESIGN.md §4 invariant 2) and records a fact in the journal
 * only once it happened.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-sync-private.h"

/* ---- local actions ------------------------------------------------------- */

static gboolean
make_parents (AllsetSyncPass *pass,
              const char     *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *full = NULL;

  if (g_str_equal (dir, "."))
    return TRUE;
  full = allset_sync_local_path (pass, dir);
  return g_mkdir_with_parents (full, 0777) == 0;
}

void
allset_sync_move_local (AllsetSyncPass     *pass,
                        const AllsetAction *action)
{
  g_autofree char *from = allset_sync_local_path (pass, action->local != NULL && action->local->disk_path
                                                        ? action->local->disk_path : action->path);
  g_autofree char *to = allset_sync_local_path (pass, action->to);
  g_autoptr(GError) error = NULL;
  struct stat st;

  if (action->local == NULL || !allset_sync_unchanged (pass, action->path, action->local))
    {
      allset_sync_fail (pass, action->path, TRUE, _("changed since the scan; not moved"));
      return;
    }
  if (lstat (to, &st) == 0)
    {
      allset_sync_fail (pass, action->to, TRUE, _("something appeared there; move not carried out"));
      return;
    }
  if (!make_parents (pass, action->to) || rename (from, to) != 0)
    {
      allset_sync_fail (pass, action->path, FALSE, _("cannot move to %s: %s"), action->to, g_strerror (errno));
      return;
    }

  if (!allset_journal_base_rename (pass->journal, action->path, action->to, &error) ||
      !allset_journal_local_rename (pass->journal, action->path, action->to, &error))
    {
      allset_sync_check_fatal (pass, error);
      g_warning ("Journal: %s", error->message);
    }
  /* The moved entry has the move's revision on the server. */
  {
    g_autofree char *remote_to = allset_sync_remote_path (pass, action->to);
    g_autoptr(AllsetRemoteEntry) remote = allset_journal_remote_get (pass->journal, remote_to, NULL);
    g_autoptr(AllsetBaseEntry) base = allset_journal_base_get (pass->journal, action->to, NULL);

    if (base != NULL && remote != NULL)
      {
        base->revision = remote->revision;
        allset_journal_base_put (pass->journal, base, NULL);
      }
  }
  pass->report->moved++;
  allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, action, 0, NULL);
}

void
allset_sync_conflict (AllsetSyncPass     *pass,
                      const AllsetAction *action)
{
  g_autofree char *from = allset_sync_local_path (pass, action->local != NULL && action->local->disk_path
                                                        ? action->local->disk_path : action->path);
  g_autofree char *to = allset_sync_local_path (pass, action->to);
  g_autoptr(GError) error = NULL;
  struct stat st;

  if (action->local == NULL || !allset_sync_unchanged (pass, action->path, action->local))
    {
      allset_sync_fail (pass, action->path, TRUE, _("changed since the scan; conflict left for the next pass"));
      return;
    }
  if (lstat (to, &st) == 0 || rename (from, to) != 0)
    {
      allset_sync_fail (pass, action->path, FALSE, _("cannot make the conflict copy %s"), action->to);
      return;
    }
  if (!allset_journal_local_rename (pass->journal, action->path, action->to, &error))
    g_warning ("Journal: %s", error->message);

  pass->report->conflicts++;
  g_ptr_array_add (pass->report->messages,
                   g_strdup_printf ("%s: both sides changed; local version kept as %s",
                                    action->path, action->to));
  g_ptr_array_add (pass->conflicts, allset_issue_new (action->to, ALLSET_ISSUE_CONFLICT, action->path));
  allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, action, 0, NULL);
}

/* The file now at child holds base's content: its stat data is base's,
 * or it is what this pass's scan saw (the journal's local row) and the
 * scan found base's content in it. The second case is a file touched or
 * rewritten with the same bytes: the reconciler compares content, so it
 * plans the directory's deletion, and a stat-only check here refused it
 * on every pass, for ever (found by the soak, seed 606). */
static gboolean
file_is_known (AllsetSyncPass         *pass,
               const char             *child,
               const AllsetLocalEntry *now,
               const AllsetBaseEntry  *base)
{
  g_autoptr(AllsetLocalEntry) scanned = NULL;

  if (now->size == base->size && now->mtime_ns == base->mtime_ns)
    return TRUE;

  scanned = allset_journal_local_get (pass->journal, child, NULL);
  /* A racy entry's content may have changed within the timestamp's
   * granularity: the next pass hashes it again. */
  return scanned != NULL &&
         !(scanned->flags & (ALLSET_LOCAL_SKIPPED | ALLSET_LOCAL_UNSTABLE | ALLSET_LOCAL_RACY)) &&
         allset_local_entry_stat_equal (now, scanned) &&
         now->executable == scanned->executable &&
         scanned->file_id != NULL && g_strcmp0 (scanned->file_id, base->file_id) == 0 &&
         scanned->executable == base->executable;
}

/* Every entry below dir is ignored, or known to base and unchanged;
 * *n_files counts the known files found there. */
static gboolean
dir_is_all_known (AllsetSyncPass     *pass,
                  const AllsetIgnore *ignore,
                  const char         *dir,
                  guint              *n_files)
{
  g_autofree char *full = allset_sync_local_path (pass, dir);
  g_autoptr(GDir) handle = g_dir_open (full, 0, NULL);
  const char *name;

  if (handle == NULL)
    return FALSE;

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child = g_build_path ("/", dir, name, NULL);
      g_autoptr(AllsetLocalEntry) now = allset_sync_lstat (pass, child, NULL);
      g_autoptr(AllsetBaseEntry) base = NULL;

      if (now == NULL)
        continue;
      if (allset_ignore_match (ignore, child, now->type == ALLSET_ENTRY_DIR))
        continue;
      base = allset_journal_base_get (pass->journal, child, NULL);
      if (base == NULL || base->type != now->type)
        return FALSE;
      if (now->type == ALLSET_ENTRY_DIR)
        {
          if (!dir_is_all_known (pass, ignore, child, n_files))
            return FALSE;
        }
      else if (!file_is_known (pass, child, now, base))
        return FALSE;
      else
        (*n_files)++;
    }

  return TRUE;
}

/* Sends path to the OS trash after checking it is what the scan saw. */
gboolean
allset_sync_trash_local (AllsetSyncPass         *pass,
                         const char             *path,
                         const AllsetLocalEntry *scanned,
                         guint                  *n_files)
{
  guint found = 0;

  const AllsetIgnore *ignore = pass->ignore;
  g_autofree char *full = allset_sync_local_path (pass, scanned != NULL && scanned->disk_path
                                                        ? scanned->disk_path : path);
  g_autoptr(GFile) file = g_file_new_for_path (full);
  g_autoptr(GError) error = NULL;

  if (scanned == NULL || !allset_sync_unchanged (pass, path, scanned))
    {
      allset_sync_fail (pass, path, TRUE, _("changed since the scan; not deleted"));
      return FALSE;
    }
  if (scanned->type == ALLSET_ENTRY_DIR && !dir_is_all_known (pass, ignore, path, &found))
    {
      allset_sync_fail (pass, path, TRUE, _("holds files the journal does not know; not deleted"));
      return FALSE;
    }
  /* Never unlink: a file that cannot go to the trash stays. */
  if (!g_file_trash (file, pass->cancellable, &error))
    {
      allset_sync_fail (pass, path, FALSE, _("cannot move it to the trash, left in place: %s"),
                        error->message);
      return FALSE;
    }

  if (n_files != NULL)
    *n_files = scanned->type == ALLSET_ENTRY_DIR ? found : 1;
  return TRUE;
}

void
allset_sync_delete_local (AllsetSyncPass     *pass,
                          const AllsetIgnore *ignore,
                          const AllsetAction *action)
{
  guint n_files = 0;

  if (action->local == NULL)
    {
      allset_journal_base_delete (pass->journal, action->path, TRUE, NULL);
      return;
    }
  if (!allset_sync_trash_local (pass, action->path, action->local, &n_files))
    return;

  allset_journal_base_delete (pass->journal, action->path, TRUE, NULL);
  allset_journal_local_delete (pass->journal, action->path, TRUE, NULL);
  /* What went to the trash, not what the plan counted: a file the user
   * removed from the directory since the scan is not there (the soak,
   * seed 2004, found the report one file over its trash). */
  pass->report->deleted_local += MAX (n_files, 1);
  allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, action, 0, NULL);
}

void
allset_sync_mkdir_local (AllsetSyncPass     *pass,
                         const AllsetIgnore *ignore,
                         const AllsetAction *action)
{
  g_autofree char *full = allset_sync_local_path (pass, action->path);
  g_autoptr(AllsetLocalEntry) now = allset_sync_lstat (pass, action->path, NULL);
  g_autoptr(AllsetBaseEntry) base = allset_base_entry_new (action->path, ALLSET_ENTRY_DIR);

  if (now != NULL && now->type != ALLSET_ENTRY_DIR)
    {
      if (!action->replace || !allset_sync_trash_local (pass, action->path, action->local, NULL))
        {
          if (!action->replace)
            allset_sync_fail (pass, action->path, TRUE, _("a file appeared there; directory not made"));
          return;
        }
      allset_journal_base_delete (pass->journal, action->path, TRUE, NULL);
    }
  if (g_mkdir_with_parents (full, 0777) != 0)
    {
      allset_sync_fail (pass, action->path, FALSE, _("cannot make the directory: %s"), g_strerror (errno));
      return;
    }

  g_clear_pointer (&now, allset_local_entry_free);
  now = allset_sync_lstat (pass, action->path, NULL);
  base->revision = action->remote != NULL ? action->remote->revision : 0;
  base->state = ALLSET_FILE_VERIFIED;
  if (now != NULL)
    {
      base->inode = now->inode;
      base->dev = now->dev;
      base->mtime_ns = now->mtime_ns;
      allset_journal_local_put (pass->journal, now, NULL, NULL);
    }
  allset_journal_base_put (pass->journal, base, NULL);
  pass->report->dirs_created++;
  allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, action, 0, NULL);
}

void
allset_sync_record_base (AllsetSyncPass     *pass,
                         const AllsetAction *action)
{
  g_autoptr(AllsetBaseEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  if (action->local == NULL || action->remote == NULL)
    return;

  entry = allset_base_entry_new (action->path, action->local->type);
  entry->file_id = allset_entry_string_acquire (action->remote->file_id);
  entry->size = action->local->size;
  entry->mtime_ns = action->local->mtime_ns;
  entry->executable = action->local->executable;
  entry->revision = action->remote->revision;
  entry->inode = action->local->inode;
  entry->dev = action->local->dev;
  if (entry->type == ALLSET_ENTRY_DIR)
    entry->state = ALLSET_FILE_VERIFIED;
  else if (action->base != NULL && action->base->state == ALLSET_FILE_VERIFIED &&
           g_strcmp0 (action->base->file_id, entry->file_id) == 0)
    {
      entry->state = ALLSET_FILE_VERIFIED;
      entry->receipt = allset_entry_string_acquire (action->base->receipt);
      entry->verified_at = action->base->verified_at;
    }
  else
    entry->state = ALLSET_FILE_UPLOADED;

  if (!allset_journal_base_put (pass->journal, entry, &error))
    {
      allset_sync_fail (pass, action->path, FALSE, _("journal: %s"), error->message);
      return;
    }
  pass->report->recorded++;

  if (entry->state == ALLSET_FILE_UPLOADED)
    {
      g_autofree char *remote = allset_sync_remote_path (pass, action->path);
      g_autoptr(AllsetFileInfo) info = allset_client_file (pass->client, remote, 0,
                                                           pass->cancellable, &error);

      if (info == NULL)
        {
          if (!allset_sync_check_fatal (pass, error))
            allset_sync_fail (pass, action->path, TRUE, _("cannot verify: %s"), error->message);
          return;
        }
      if (g_strcmp0 (info->file_id, action->local->file_id) != 0)
        {
          allset_sync_fail (pass, action->path, TRUE, _("changed on the server; next pass"));
          return;
        }
      allset_transfer_verify (pass, action->path, info->file_id, info->receipt);
    }
}
