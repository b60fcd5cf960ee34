/* allset-sync-rules.c — .allsetignore rules that change during a pass
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pattern file at the folder root (ALLSET_IGNORE_FILE) is synced like
 * any other, so that every device applies the same rules. A pass may
 * bring a new version of it, or move it, trash it, rename it to a conflict
 * copy; what the pass uploads, downloads, deletes or moves must then
 * follow the rules on disk when it ends, not those its scan started with
 * (else a device that has not seen the file yet sends what every other
 * device ignores). Two ways:
 *
 *  - before the plan runs (allset_sync_rules_first()): when the only
 *    action on the file is a plain download, it goes first, the rules are
 *    read again and the plan loses every action they rule out. Nothing of
 *    those paths travels either way, nothing is deleted or moved, and the
 *    progress events count only what is left;
 *  - otherwise (a conflict, a move, the trash: they keep the plan's
 *    order), the rules are read again right after the action that changed
 *    the file (allset_sync_rules_touched(), allset_sync_rules_reload()).
 *    The actions after it that they rule out are skipped, and so are the
 *    uploads and server operations queued before it, which have not been
 *    sent yet (allset_sync_rules_drop_queued()). Downloads made before it
 *    stay: from then on those files are simply ignored.
 *
 * A dropped action is not a failure: its path became ignored, the file
 * stays where it is and is not reported (allset-ignore.h). Rules that
 * ignore less than before do not widen the pass (its scan did not list the
 * paths they uncover); the next pass syncs those.
 */

#include <string.h>

#include "allset-sync-private.h"

struct _AllsetSyncRules
{
  /* const char *: destinations of dropped moves and conflicts, whose
   * subtrees the actions after them expected to find there. */
  GPtrArray *gone;
  /* AllsetAction taken off the plan (borrowed by gone and by events). */
  GPtrArray *set_aside;
};

void
allset_sync_rules_free (AllsetSyncRules *rules)
{
  if (rules == NULL)
    return;
  g_ptr_array_unref (rules->gone);
  g_ptr_array_unref (rules->set_aside);
  g_free (rules);
}

gboolean
allset_sync_rules_touched (const AllsetAction *action)
{
  switch (action->kind)
    {
    case ALLSET_ACTION_DOWNLOAD:
    case ALLSET_ACTION_CONFLICT:
    case ALLSET_ACTION_MOVE_LOCAL:
    case ALLSET_ACTION_DELETE_LOCAL:
    case ALLSET_ACTION_MKDIR_LOCAL:
      return g_strcmp0 (action->path, ALLSET_IGNORE_FILE) == 0 ||
             g_strcmp0 (action->to, ALLSET_IGNORE_FILE) == 0;
    default:
      return FALSE;
    }
}

static AllsetSyncRules *
rules_of (AllsetSyncPass *pass)
{
  if (pass->rules == NULL)
    {
      pass->rules = g_new0 (AllsetSyncRules, 1);
      pass->rules->gone = g_ptr_array_new ();
      pass->rules->set_aside = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_action_free);
    }
  return pass->rules;
}

void
allset_sync_rules_reload (AllsetSyncPass *pass)
{
  rules_of (pass);
  g_clear_pointer (&pass->ignore, allset_ignore_unref);
  pass->ignore = allset_ignore_new_for_folder (pass->folder->local);
  g_debug ("%s: %s changed in this pass; its rules apply from now on",
           pass->folder->local, ALLSET_IGNORE_FILE);
}

/* Does a rule match path, taken as any type the action's entries have
 * there? A name that is a file on one side and a directory on the other
 * is left alone if either is ignored. */
static gboolean
ignored (const AllsetIgnore *rules,
         const AllsetAction *action,
         const char         *path)
{
  gboolean as_file = FALSE, as_dir = FALSE;

  if (action->local != NULL)
    *(action->local->type == ALLSET_ENTRY_DIR ? &as_dir : &as_file) = TRUE;
  if (action->remote != NULL)
    *(action->remote->type == ALLSET_ENTRY_DIR ? &as_dir : &as_file) = TRUE;
  if (action->base != NULL)
    *(action->base->type == ALLSET_ENTRY_DIR ? &as_dir : &as_file) = TRUE;
  if (!as_dir)
    as_file = TRUE;
  return (as_file && allset_ignore_match (rules, path, FALSE)) ||
         (as_dir && allset_ignore_match (rules, path, TRUE));
}

gboolean
allset_sync_rules_drop (AllsetSyncPass     *pass,
                        const AllsetAction *action)
{
  AllsetSyncRules *rules = pass->rules;
  gboolean drop = FALSE;

  if (rules == NULL)
    return FALSE;
  for (guint i = 0; !drop && i < rules->gone->len; i++)
    drop = allset_path_has_prefix (action->path, rules->gone->pdata[i]) ||
           (action->to != NULL && allset_path_has_prefix (action->to, rules->gone->pdata[i]));
  drop = drop || ignored (pass->ignore, action, action->path) ||
         (action->to != NULL && ignored (pass->ignore, action, action->to));
  if (drop)
    {
      g_debug ("%s %s: ignored by the new rules", allset_action_kind_to_string (action->kind), action->path);
      if (action->to != NULL)
        g_ptr_array_add (rules->gone, action->to);
    }
  return drop;
}

void
allset_sync_rules_drop_queued (AllsetSyncPass *pass)
{
  if (pass->rules != NULL)
    allset_transfer_drop_queued (pass, allset_sync_rules_drop);
}

void
allset_sync_rules_first (AllsetSyncPass *pass,
                         AllsetPlan     *plan)
{
  AllsetAction *download = NULL;
  AllsetSyncEvent planned = { 0 };
  guint64 max = pass->options->max_transfer_size;
  guint at = 0, kept = 0;

  for (guint i = 0; i < plan->actions->len; i++)
    {
      AllsetAction *action = plan->actions->pdata[i];

      if (g_strcmp0 (action->path, ALLSET_IGNORE_FILE) != 0 &&
          g_strcmp0 (action->to, ALLSET_IGNORE_FILE) != 0)
        continue;
      /* Anything else on that path keeps its place in the plan. */
      if (download != NULL || action->kind != ALLSET_ACTION_DOWNLOAD || action->replace ||
          action->remote == NULL)
        return;
      download = action;
      at = i;
    }
  /* A download that waits for another network brings no rules yet. */
  if (download == NULL || (max > 0 && (guint64) MAX (download->remote->size, 0) > max))
    return;

  g_ptr_array_add (rules_of (pass)->set_aside, g_ptr_array_steal_index (plan->actions, at));

  /* Its own PLANNED: the one for the rest counts what is left of it. */
  planned.kind = ALLSET_SYNC_EVENT_PLANNED;
  planned.files = 1;
  planned.bytes = MAX (download->remote->size, 0);
  allset_sync_emit (pass, &planned);
  allset_transfer_download_batch (pass, (const AllsetAction * const *) &download, 1);
  allset_transfer_land (pass);
  if (pass->fatal != NULL)
    return;

  allset_sync_rules_reload (pass);
  for (guint i = 0; i < plan->actions->len; i++)
    {
      AllsetAction *action = plan->actions->pdata[i];

      if (allset_sync_rules_drop (pass, action))
        g_ptr_array_add (pass->rules->set_aside, action);
      else
        plan->actions->pdata[kept++] = action;
    }
  /* The actions past kept moved or were set aside: not to be freed. */
  g_ptr_array_set_free_func (plan->actions, NULL);
  g_ptr_array_set_size (plan->actions, kept);
  g_ptr_array_set_free_func (plan->actions, (GDestroyNotify) allset_action_free);
}
