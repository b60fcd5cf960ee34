/* allset-reconcile.c — three-way reconciliation: views, plan, deletion guard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-reconcile-private.h"

static const char * const action_kinds[] = {
  NULL, "move-local", "move-remote", "conflict", "mkdir-local", "mkdir-remote",
  "download", "upload", "record-base", "forget-base", "delete-local", "delete-remote",
};

const char *
allset_action_kind_to_string (AllsetActionKind kind)
{
  g_return_val_if_fail (kind >= ALLSET_ACTION_MOVE_LOCAL && kind <= ALLSET_ACTION_DELETE_REMOTE, NULL);
  return action_kinds[kind];
}

void
allset_action_free (AllsetAction *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->to);
  g_clear_pointer (&self->local, allset_local_entry_free);
  g_clear_pointer (&self->remote, allset_remote_entry_free);
  g_clear_pointer (&self->base, allset_base_entry_free);
  g_free (self);
}

void
allset_plan_free (AllsetPlan *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->actions, g_ptr_array_unref);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  g_clear_pointer (&self->issues, g_ptr_array_unref);
  g_free (self);
}

/* ─── Comparisons ──────────────────────────────────────────────────── */

gboolean
reconcile_same_local_base (const AllsetLocalEntry *local,
                           const AllsetBaseEntry  *base)
{
  if (local->type != base->type)
    return FALSE;
  if (local->type == ALLSET_ENTRY_DIR)
    return TRUE;
  return local->file_id != NULL && g_strcmp0 (local->file_id, base->file_id) == 0 &&
         local->executable == base->executable;
}

gboolean
reconcile_same_remote_base (const AllsetRemoteEntry *remote,
                            const AllsetBaseEntry   *base)
{
  if (remote->type != base->type)
    return FALSE;
  if (remote->type == ALLSET_ENTRY_DIR)
    return TRUE;
  /* By content, not revision: a move or a re-upload of the same bytes
   * gives a new revision without a new version to fetch. */
  return remote->file_id != NULL && g_strcmp0 (remote->file_id, base->file_id) == 0 &&
         remote->executable == base->executable;
}

gboolean
reconcile_same_local_remote (const AllsetLocalEntry  *local,
                             const AllsetRemoteEntry *remote)
{
  if (local->type != remote->type)
    return FALSE;
  if (local->type == ALLSET_ENTRY_DIR)
    return TRUE;
  return local->file_id != NULL && g_strcmp0 (local->file_id, remote->file_id) == 0 &&
         local->executable == remote->executable;
}

gboolean
reconcile_local_frozen (const AllsetLocalEntry *local)
{
  return (local->flags & (ALLSET_LOCAL_SKIPPED | ALLSET_LOCAL_UNSTABLE)) != 0 ||
         (local->type != ALLSET_ENTRY_FILE && local->type != ALLSET_ENTRY_DIR) ||
         (local->type == ALLSET_ENTRY_FILE && local->file_id == NULL);
}

int
reconcile_path_compare (const char *a,
                        const char *b)
{
  for (;; a++, b++)
    {
      /* 0 stays 0, '/' becomes 1, every other byte moves up by one. */
      int ca = *a == '\0' ? 0 : *a == '/' ? 1 : (guchar) *a + 1;
      int cb = *b == '\0' ? 0 : *b == '/' ? 1 : (guchar) *b + 1;

      if (ca != cb)
        return ca - cb;
      if (ca == 0)
        return 0;
    }
}

/* ─── Actions ──────────────────────────────────────────────────────── */

AllsetAction *
reconcile_action (Reconcile        *rc,
                  GPtrArray        *list,
                  AllsetActionKind  kind,
                  const char       *path,
                  const char       *reason)
{
  AllsetAction *action = g_new0 (AllsetAction, 1);

  action->kind = kind;
  action->path = g_strdup (path);
  action->reason = reason;
  action->local = allset_local_entry_copy (g_hash_table_lookup (rc->local, path));
  action->remote = allset_remote_entry_copy (g_hash_table_lookup (rc->remote, path));
  action->base = allset_base_entry_copy (g_hash_table_lookup (rc->base, path));
  if (list != NULL)
    g_ptr_array_add (list, action);
  return action;
}

/* ─── Views ────────────────────────────────────────────────────────── */

static char *
moved_path (const char *path,
            const char *from,
            const char *to)
{
  return g_strconcat (to, path + strlen (from), NULL);
}

/* Keys at from and below, collected before the table changes. */
static GPtrArray *
keys_below (GHashTable *view,
            const char *from)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  const char *key;

  g_hash_table_iter_init (&iter, view);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      if (allset_path_has_prefix (key, from))
        g_ptr_array_add (keys, (gpointer) key);
    }
  return keys;
}

void
reconcile_rewrite_local (Reconcile  *rc,
                         const char *from,
                         const char *to)
{
  g_autoptr(GPtrArray) keys = keys_below (rc->local, from);
  const AllsetLocalEntry *root = g_hash_table_lookup (rc->local, from);
  g_autofree char *root_disk = g_strdup (root == NULL ? from :
                                         root->disk_path != NULL ? root->disk_path : root->path);
  g_autoptr(GPtrArray) moved = g_ptr_array_new ();

  for (guint i = 0; i < keys->len; i++)
    {
      AllsetLocalEntry *old = NULL;
      AllsetLocalEntry *copy;
      const char *old_disk;

      g_hash_table_steal_extended (rc->local, keys->pdata[i], NULL, (gpointer *) &old);
      copy = allset_local_entry_copy (old);
      old_disk = old->disk_path != NULL ? old->disk_path : old->path;
      g_free (copy->path);
      copy->path = moved_path (old->path, from, to);
      /* The executor renames the top to its NFC name; names below keep
       * their bytes on disk. */
      g_clear_pointer (&copy->disk_path, g_free);
      if (g_str_has_prefix (old_disk, root_disk) && old_disk[strlen (root_disk)] == '/')
        {
          char *disk = g_strconcat (to, old_disk + strlen (root_disk), NULL);

          if (strcmp (disk, copy->path) != 0)
            copy->disk_path = disk;
          else
            g_free (disk);
        }
      g_ptr_array_add (rc->owned_local, copy);
      g_ptr_array_add (moved, copy);
    }
  for (guint i = 0; i < moved->len; i++)
    {
      AllsetLocalEntry *copy = moved->pdata[i];

      g_hash_table_replace (rc->local, copy->path, copy);
    }
}

void
reconcile_rewrite_base (Reconcile  *rc,
                        const char *from,
                        const char *to)
{
  g_autoptr(GPtrArray) keys = keys_below (rc->base, from);
  g_autoptr(GPtrArray) moved = g_ptr_array_new ();

  for (guint i = 0; i < keys->len; i++)
    {
      AllsetBaseEntry *old = NULL;
      AllsetBaseEntry *copy;

      g_hash_table_steal_extended (rc->base, keys->pdata[i], NULL, (gpointer *) &old);
      copy = allset_base_entry_copy (old);
      g_free (copy->path);
      copy->path = moved_path (old->path, from, to);
      g_ptr_array_add (rc->owned_base, copy);
      g_ptr_array_add (moved, copy);
    }
  for (guint i = 0; i < moved->len; i++)
    {
      AllsetBaseEntry *copy = moved->pdata[i];

      g_hash_table_replace (rc->base, copy->path, copy);
    }
}

void
reconcile_rewrite_remote (Reconcile  *rc,
                          const char *from,
                          const char *to)
{
  g_autoptr(GPtrArray) keys = keys_below (rc->remote, from);
  g_autoptr(GPtrArray) moved = g_ptr_array_new ();

  for (guint i = 0; i < keys->len; i++)
    {
      AllsetRemoteEntry *old = NULL;
      AllsetRemoteEntry *copy;

      g_hash_table_steal_extended (rc->remote, keys->pdata[i], NULL, (gpointer *) &old);
      copy = allset_remote_entry_copy (old);
      g_free (copy->path);
      copy->path = moved_path (old->path, from, to);
      g_ptr_array_add (rc->owned_remote, copy);
      g_ptr_array_add (moved, copy);
    }
  for (guint i = 0; i < moved->len; i++)
    {
      AllsetRemoteEntry *copy = moved->pdata[i];

      g_hash_table_replace (rc->remote, copy->path, copy);
    }
}

/* Every entry type starts with its path. */
G_STATIC_ASSERT (G_STRUCT_OFFSET (AllsetBaseEntry, path) == 0);
G_STATIC_ASSERT (G_STRUCT_OFFSET (AllsetLocalEntry, path) == 0);
G_STATIC_ASSERT (G_STRUCT_OFFSET (AllsetRemoteEntry, path) == 0);

/* Ignore verdicts already reached, per path and kind (a directory and a
 * file of one name may be judged differently): most paths are in all
 * three views, and a verdict costs ~2 000 instructions where a lookup
 * costs ~100 (callgrind, 10 000 files). */
typedef struct
{
  const AllsetIgnore *ignore;
  GHashTable         *verdicts[2];   /* path → GINT_TO_POINTER (1 + ignored) */
} IgnoreMemo;

static gboolean
memo_ignored (IgnoreMemo *memo,
              const char *path,
              gboolean    is_dir)
{
  gpointer known = g_hash_table_lookup (memo->verdicts[is_dir], path);
  gboolean ignored;

  if (known != NULL)
    return GPOINTER_TO_INT (known) == 2;
  ignored = allset_ignore_match (memo->ignore, path, is_dir);
  g_hash_table_insert (memo->verdicts[is_dir], (gpointer) path, GINT_TO_POINTER (1 + ignored));
  return ignored;
}

/* A view of map without the ignored paths, keyed by the entries' paths. */
static GHashTable *
make_view (GHashTable *map,
           IgnoreMemo *memo,
           gsize       type_offset)
{
  GHashTable *view = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  const char *key;
  gpointer entry;

  if (map == NULL)
    return view;
  g_hash_table_iter_init (&iter, map);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, &entry))
    {
      const char *path = *(char **) entry;
      AllsetEntryType type = G_STRUCT_MEMBER (AllsetEntryType, entry, type_offset);

      /* The rewrites rely on key == entry->path. */
      if (path == NULL || strcmp (path, key) != 0)
        {
          g_critical ("Reconcile: entry “%s” is stored under “%s”", path, key);
          continue;
        }
      if (memo->ignore != NULL && memo_ignored (memo, path, type == ALLSET_ENTRY_DIR))
        continue;
      g_hash_table_insert (view, (gpointer) path, entry);
    }
  return view;
}

/* ─── The plan ─────────────────────────────────────────────────────── */

static gboolean
is_mass (guint n,
         guint total)
{
  return n > ALLSET_MASS_DELETE_MAX_FILES ||
         (n >= ALLSET_MASS_DELETE_MIN_FILES && (guint64) n * 2 > total);
}

static gboolean
removes_local (const AllsetAction *action)
{
  return action->kind == ALLSET_ACTION_DELETE_LOCAL ||
         (action->replace && (action->kind == ALLSET_ACTION_DOWNLOAD ||
                              action->kind == ALLSET_ACTION_MKDIR_LOCAL));
}

static gboolean
removes_remote (const AllsetAction *action)
{
  return action->kind == ALLSET_ACTION_DELETE_REMOTE ||
         (action->replace && (action->kind == ALLSET_ACTION_UPLOAD ||
                              action->kind == ALLSET_ACTION_MKDIR_REMOTE));
}

/* Holds back every deletion, every replacement and what depends on a
 * replacement (the entries below a directory that replaces a file). */
static void
hold_deletions (AllsetPlan *plan)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_action_free);
  g_autoptr(GPtrArray) replaced = g_ptr_array_new ();

  for (guint i = 0; i < plan->actions->len; i++)
    {
      AllsetAction *action = plan->actions->pdata[i];
      gboolean hold = removes_local (action) || removes_remote (action);

      for (guint j = 0; !hold && j < replaced->len; j++)
        hold = allset_path_has_prefix (action->path, replaced->pdata[j]);
      if (action->replace && hold)
        g_ptr_array_add (replaced, action->path);

      g_ptr_array_add (hold ? plan->held : kept, action);
      plan->actions->pdata[i] = NULL;
    }
  g_ptr_array_set_free_func (plan->actions, NULL);
  g_ptr_array_unref (plan->actions);
  plan->actions = g_steal_pointer (&kept);
}

AllsetPlan *
allset_reconcile (const AllsetReconcileInput *input)
{
  Reconcile rc = { 0 };
  IgnoreMemo memo = { 0 };
  AllsetPlan *plan;
  GHashTableIter iter;
  AllsetBaseEntry *base;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (input->now != NULL, NULL);

  rc.input = input;
  /* The memo's keys are the entries' paths: it goes before they do. */
  memo.ignore = input->ignore;
  memo.verdicts[0] = g_hash_table_new (g_str_hash, g_str_equal);
  memo.verdicts[1] = g_hash_table_new (g_str_hash, g_str_equal);
  rc.base = make_view (input->base, &memo, G_STRUCT_OFFSET (AllsetBaseEntry, type));
  rc.local = make_view (input->local, &memo, G_STRUCT_OFFSET (AllsetLocalEntry, type));
  rc.remote = make_view (input->remote, &memo, G_STRUCT_OFFSET (AllsetRemoteEntry, type));
  g_hash_table_unref (memo.verdicts[0]);
  g_hash_table_unref (memo.verdicts[1]);
  rc.owned_base = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_base_entry_free);
  rc.owned_local = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_local_entry_free);
  rc.owned_remote = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_remote_entry_free);
  rc.moves = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_action_free);
  rc.pre = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_action_free);
  rc.post = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_action_free);
  rc.issues = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_issue_free);

  plan = g_new0 (AllsetPlan, 1);
  plan->held = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_action_free);

  g_hash_table_iter_init (&iter, rc.base);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &base))
    plan->n_base_files += base->type == ALLSET_ENTRY_FILE;

  /* The feed's moves first: they are facts about the server. Then local
   * renames, on views where the remote ones are already done. */
  reconcile_remote_moves (&rc);
  reconcile_local_moves (&rc);
  reconcile_walk (&rc);

  plan->actions = g_steal_pointer (&rc.moves);
  g_ptr_array_extend_and_steal (plan->actions, g_steal_pointer (&rc.pre));
  g_ptr_array_extend_and_steal (plan->actions, g_steal_pointer (&rc.post));
  plan->issues = g_steal_pointer (&rc.issues);

  for (guint i = 0; i < plan->actions->len; i++)
    {
      const AllsetAction *action = plan->actions->pdata[i];

      if (removes_local (action))
        plan->n_local_deletes += action->n_files;
      if (removes_remote (action))
        plan->n_remote_deletes += action->n_files;
    }

  if (!input->confirm_deletes &&
      (is_mass (plan->n_local_deletes, plan->n_base_files) ||
       is_mass (plan->n_remote_deletes, plan->n_base_files)))
    {
      plan->needs_delete_confirmation = TRUE;
      hold_deletions (plan);
    }

  g_clear_pointer (&rc.taken, g_hash_table_unref);
  /* Views before the copies they point to. */
  g_hash_table_unref (rc.base);
  g_hash_table_unref (rc.local);
  g_hash_table_unref (rc.remote);
  g_ptr_array_unref (rc.owned_base);
  g_ptr_array_unref (rc.owned_local);
  g_ptr_array_unref (rc.owned_remote);

  return plan;
}
