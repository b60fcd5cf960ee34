/* allset-commit-scope.c — which commit batches may travel together
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-commit-scope.h"
#include "allset-path.h"

struct _AllsetCommitScope
{
  GHashTable *paths;      /* folded path of every action */
  GHashTable *ancestors;  /* folded paths above those (and themselves) */
};

AllsetCommitScope *
allset_commit_scope_new (void)
{
  AllsetCommitScope *self = g_new0 (AllsetCommitScope, 1);

  self->paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->ancestors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
allset_commit_scope_free (AllsetCommitScope *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->paths);
  g_hash_table_unref (self->ancestors);
  g_free (self);
}

static void
add_path (AllsetCommitScope *self,
          const char        *path)
{
  g_autofree char *folded = allset_path_fold (path);
  char *slash;

  if (folded == NULL)
    return;
  g_hash_table_add (self->paths, g_strdup (folded));
  /* "a/b/c" → "a/b/c", "a/b", "a": stop at the first already there, the
   * ones above it are too. */
  do
    {
      if (!g_hash_table_add (self->ancestors, g_strdup (folded)))
        break;
      slash = strrchr (folded, '/');
      if (slash != NULL)
        *slash = '\0';
    }
  while (slash != NULL);
}

void
allset_commit_scope_add (AllsetCommitScope  *self,
                         const AllsetAction *action)
{
  add_path (self, action->path);
  if (action->kind == ALLSET_ACTION_MOVE_REMOTE && action->to != NULL)
    add_path (self, action->to);
}

static gboolean
touches_path (const AllsetCommitScope *self,
              const char              *path)
{
  g_autofree char *folded = allset_path_fold (path);
  char *slash;

  /* A path we cannot fold cannot be compared: assume the worst. */
  if (folded == NULL)
    return TRUE;
  /* The path itself or one below it is in the scope. */
  if (g_hash_table_contains (self->ancestors, folded))
    return TRUE;
  /* One above it is. */
  while ((slash = strrchr (folded, '/')) != NULL)
    {
      *slash = '\0';
      if (g_hash_table_contains (self->paths, folded))
        return TRUE;
    }
  return FALSE;
}

gboolean
allset_commit_scope_touches (const AllsetCommitScope *self,
                             const AllsetAction      *action)
{
  if (touches_path (self, action->path))
    return TRUE;
  return action->kind == ALLSET_ACTION_MOVE_REMOTE && action->to != NULL &&
         touches_path (self, action->to);
}

GPtrArray *
allset_commit_scope_cut (GPtrArray            *items,
                         const AllsetAction *(*action_of) (gconstpointer item),
                         guint                 size,
                         GPtrArray           **scopes)
{
  GPtrArray *batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_commit_scope_free);
  AllsetCommitScope *scope = NULL;
  GPtrArray *batch = NULL;

  g_return_val_if_fail (size > 0, batches);

  for (guint i = 0; i < items->len; i++)
    {
      gpointer item = g_ptr_array_index (items, i);
      const AllsetAction *action = action_of (item);

      if (batch != NULL && batch->len >= size &&
          (batch->len >= 2 * size || !allset_commit_scope_touches (scope, action)))
        batch = NULL;
      if (batch == NULL)
        {
          g_ptr_array_add (batches, (batch = g_ptr_array_new ()));
          g_ptr_array_add (made, (scope = allset_commit_scope_new ()));
        }
      g_ptr_array_add (batch, item);
      allset_commit_scope_add (scope, action);
    }
  if (scopes != NULL)
    *scopes = g_steal_pointer (&made);
  return batches;
}
