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

/* Replaces *field, an entry string (allset-journal-entry.h), with path
 * moved from → to. */
static void
move_path (char       **field,
           const char  *from,
           const char  *to)
{
  g_autofree char *moved = g_strconcat (to, *field + strlen (from), NULL);

  allset_entry_string_release (*field);
  *field = allset_entry_string (moved);
}

/* Puts entry into view under its path. An entry it displaces stays
 * alive until the plan is made: a decision may still hold it. */
static void
view_put (Reconcile  *rc,
          GHashTable *view,
          GPtrArray  *owned,
          gpointer    entry)
{
  const char *path = *(char **) entry;
  gpointer displaced = NULL;

  if (rc->in_place && g_hash_table_steal_extended (view, path, NULL, &displaced))
    g_ptr_array_add (owned, displaced);
  g_hash_table_replace (view, (gpointer) path, entry);
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
      move_path (&copy->path, from, to);
      /* The executor renames the top to its NFC name; names below keep
       * their bytes on disk. */
      g_clear_pointer (&copy->disk_path, allset_entry_string_release);
      if (g_str_has_prefix (old_disk, root_disk) && old_disk[strlen (root_disk)] == '/')
        {
          g_autofree char *disk = g_strconcat (to, old_disk + strlen (root_disk), NULL);

          if (strcmp (disk, copy->path) != 0)
            copy->disk_path = allset_entry_string (disk);
        }
      g_ptr_array_add (rc->owned_local, rc->in_place ? old : copy);
      g_ptr_array_add (moved, copy);
    }
  for (guint i = 0; i < moved->len; i++)
    view_put (rc, rc->local, rc->owned_local, moved->pdata[i]);
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
      move_path (&copy->path, from, to);
      g_ptr_array_add (rc->owned_base, rc->in_place ? old : copy);
      g_ptr_array_add (moved, copy);
    }
  for (guint i = 0; i < moved->len; i++)
    view_put (rc, rc->base, rc->owned_base, moved->pdata[i]);
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
      move_path (&copy->path, from, to);
      g_ptr_array_add (rc->owned_remote, rc->in_place ? old : copy);
      g_ptr_array_add (moved, copy);
    }
  for (guint i = 0; i < moved->len; i++)
    view_put (rc, rc->remote, rc->owned_remote, moved->pdata[i]);
}

/* Every entry type starts with its path. */
G_STATIC_ASSERT (G_STRUCT_OFFSET (AllsetBaseEntry, path) == 0);
G_STATIC_ASSERT (G_STRUCT_OFFSET (AllsetLocalEntry, path) == 0);
G_STATIC_ASSERT (G_STRUCT_OFFSET (AllsetRemoteEntry, path) == 0);

typedef gboolean (*EntryIsDir) (gconstpointer entry);

static gboolean
base_is_dir (gconstpointer entry)
{
  return ((const AllsetBaseEntry *) entry)->type == ALLSET_ENTRY_DIR;
}

static gboolean
local_is_dir (gconstpointer entry)
{
  return ((const AllsetLocalEntry *) entry)->type == ALLSET_ENTRY_DIR;
}

static gboolean
remote_is_dir (gconstpointer entry)
{
  return ((const AllsetRemoteEntry *) entry)->type == ALLSET_ENTRY_DIR;
}

/* Ignore verdicts already reached, per path and kind (a directory and a
 * file of one name may be judged differently): most paths are in all
 * three views, and a verdict costs ~2 000 instructions where a lookup
 * costs ~100 (callgrind, 10 000 files). A path of one kind in a view
 * built before was judged kept; the paths judged ignored are few, and
 * remembered. A table of every verdict cost 5 MB over 100 000 files. */
typedef struct
{
  const AllsetIgnore *ignore;
  GHashTable         *views[2];      /* built before, in order */
  EntryIsDir          is_dir[2];
  guint               n_views;
  GHashTable         *ignored[2];    /* paths judged ignored, per is_dir */
} IgnoreMemo;

static gboolean
memo_ignored (IgnoreMemo *memo,
              const char *path,
              gboolean    is_dir)
{
  for (guint i = 0; i < memo->n_views; i++)
    {
      gpointer kept = g_hash_table_lookup (memo->views[i], path);

      if (kept != NULL && memo->is_dir[i] (kept) == is_dir)
        return FALSE;
    }
  if (g_hash_table_contains (memo->ignored[is_dir], path))
    return TRUE;
  if (!allset_ignore_match (memo->ignore, path, is_dir))
    return FALSE;
  g_hash_table_add (memo->ignored[is_dir], (gpointer) path);
  return TRUE;
}

/* A view of map without the ignored paths, keyed by the entries' paths:
 * map itself in place, its ignored entries moved to owned. */
static GHashTable *
make_view (Reconcile  *rc,
           GHashTable *map,
           IgnoreMemo *memo,
           EntryIsDir  is_dir,
           GPtrArray  *owned)
{
  GHashTable *view;
  GHashTableIter iter;
  const char *key;
  gpointer entry;

  if (map == NULL)
    return g_hash_table_new (g_str_hash, g_str_equal);
  view = rc->in_place ? g_hash_table_ref (map) : g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_iter_init (&iter, map);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, &entry))
    {
      const char *path = *(char **) entry;
      gboolean keep = TRUE;

      /* The rewrites rely on key == entry->path. */
      if (path == NULL || strcmp (path, key) != 0)
        {
          g_critical ("Reconcile: entry “%s” is stored under “%s”", path, key);
          keep = FALSE;
        }
      else if (memo->ignore != NULL && memo_ignored (memo, path, is_dir (entry)))
        keep = FALSE;

      if (!rc->in_place && keep)
        g_hash_table_insert (view, (gpointer) path, entry);
      else if (rc->in_place && !keep)
        {
          /* The memo's keys may point into it. */
          g_hash_table_iter_steal (&iter);
          g_ptr_array_add (owned, entry);
        }
    }
  if (memo->n_views < G_N_ELEMENTS (memo->views))
    {
      memo->views[memo->n_views] = view;
      memo->is_dir[memo->n_views++] = is_dir;
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
  rc.in_place = input->views_in_place;
  rc.owned_base = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_base_entry_free);
  rc.owned_local = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_local_entry_free);
  rc.owned_remote = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_remote_entry_free);
  /* The memo's keys are the entries' paths: it goes before they do. */
  memo.ignore = input->ignore;
  memo.ignored[0] = g_hash_table_new (g_str_hash, g_str_equal);
  memo.ignored[1] = g_hash_table_new (g_str_hash, g_str_equal);
  rc.base = make_view (&rc, input->base, &memo, base_is_dir, rc.owned_base);
  rc.local = make_view (&rc, input->local, &memo, local_is_dir, rc.owned_local);
  rc.remote = make_view (&rc, input->remote, &memo, remote_is_dir, rc.owned_remote);
  g_hash_table_unref (memo.ignored[0]);
  g_hash_table_unref (memo.ignored[1]);
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
