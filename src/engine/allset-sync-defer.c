/* allset-sync-defer.c — on a metered connection, the transfers that wait
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With options->max_transfer_size set (the "small-files" policy, DESIGN.md
 * §4 invariant 6), larger uploads and downloads are held back whole —
 * conflicts with everything that belongs to them — and the pass's
 * PLANNED event counts only what travels.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-sync-private.h"

/* ---- metered networks: transfers that wait ------------------------------ */

static guint64
transfer_size (const AllsetAction *action)
{
  if (action->kind == ALLSET_ACTION_UPLOAD && action->local != NULL)
    return MAX (action->local->size, 0);
  if (action->kind == ALLSET_ACTION_DOWNLOAD && action->remote != NULL)
    return MAX (action->remote->size, 0);
  return 0;
}

/* Does action (later in the plan) belong to conflict: at or below its
 * path (the remote version coming in) or its copy (going out)? */
static gboolean
conflict_part (const AllsetAction *conflict,
               const AllsetAction *action)
{
  return allset_path_has_prefix (action->path, conflict->path) ||
         allset_path_has_prefix (action->path, conflict->to) ||
         (action->to != NULL && (allset_path_has_prefix (action->to, conflict->path) ||
                                 allset_path_has_prefix (action->to, conflict->to)));
}

/* The actions options->max_transfer_size holds back (the metered
 * "small-files" policy): an upload or download of a bigger file, and a
 * conflict one of whose transfers is bigger — all of it, rename included,
 * so that no conflict is left half done (a renamed copy whose remote
 * version never came). action → guint64 bytes to announce, or NULL for
 * the parts of a deferred conflict, skipped silently. Nothing deferred
 * touches the disk or the journal: the next pass plans it again. */
GHashTable *
allset_sync_plan_deferred (AllsetSyncPass *pass,
                           AllsetPlan     *plan)
{
  guint64 max = pass->options->max_transfer_size;
  GHashTable *deferred = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  for (guint i = 0; max > 0 && i < plan->actions->len; i++)
    {
      const AllsetAction *action = g_ptr_array_index (plan->actions, i);
      guint64 bytes = 0;
      gboolean over = FALSE;

      if (g_hash_table_contains (deferred, action))
        continue;

      if (action->kind == ALLSET_ACTION_UPLOAD || action->kind == ALLSET_ACTION_DOWNLOAD)
        {
          bytes = transfer_size (action);
          if (bytes > max)
            g_hash_table_insert (deferred, (gpointer) action, g_memdup2 (&bytes, sizeof bytes));
          continue;
        }
      if (action->kind != ALLSET_ACTION_CONFLICT || action->to == NULL)
        continue;

      for (guint j = i + 1; j < plan->actions->len; j++)
        {
          const AllsetAction *next = g_ptr_array_index (plan->actions, j);

          if (conflict_part (action, next))
            {
              bytes += transfer_size (next);
              over = over || transfer_size (next) > max;
            }
        }
      if (!over)
        continue;
      g_hash_table_insert (deferred, (gpointer) action, g_memdup2 (&bytes, sizeof bytes));
      for (guint j = i + 1; j < plan->actions->len; j++)
        {
          const AllsetAction *next = g_ptr_array_index (plan->actions, j);

          if (conflict_part (action, next))
            g_hash_table_replace (deferred, (gpointer) next, NULL);
        }
    }

  return deferred;
}

void
allset_sync_defer_action (AllsetSyncPass     *pass,
                          const AllsetAction *action,
                          guint64             bytes)
{
  g_autofree char *size = g_format_size (bytes);
  g_autofree char *limit = g_format_size (pass->options->max_transfer_size);
  AllsetSyncEvent event = { 0 };

  g_mutex_lock (&pass->lock);
  pass->report->deferred++;
  g_ptr_array_add (pass->report->messages,
                   g_strdup_printf ("%s: %s%s, over the small-files limit (%s) of this metered "
                                    "network; waits for another network",
                                    action->path,
                                    action->kind == ALLSET_ACTION_CONFLICT ? "changed on both sides, " : "",
                                    size, limit));
  g_mutex_unlock (&pass->lock);

  event.kind = ALLSET_SYNC_EVENT_DEFERRED;
  event.action = action->kind;
  event.path = action->path;
  event.to = action->to;
  event.bytes = bytes;
  allset_sync_emit (pass, &event);
}

/* PLANNED: what this pass transfers (not what waits). */
void
allset_sync_emit_planned (AllsetSyncPass *pass,
                          AllsetPlan     *plan,
                          GHashTable     *deferred)
{
  AllsetSyncEvent event = { 0 };

  event.kind = ALLSET_SYNC_EVENT_PLANNED;
  for (guint i = 0; i < plan->actions->len; i++)
    {
      const AllsetAction *action = g_ptr_array_index (plan->actions, i);

      if ((action->kind != ALLSET_ACTION_UPLOAD && action->kind != ALLSET_ACTION_DOWNLOAD) ||
          g_hash_table_contains (deferred, action))
        continue;
      event.files++;
      event.bytes += transfer_size (action);
    }
  allset_sync_emit (pass, &event);
}
