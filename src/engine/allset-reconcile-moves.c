/* allset-reconcile-moves.c — moves travel as moves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A move that is not recognised still ends right — a deletion plus a
 * creation — but costs a transfer, loses the file's history on the
 * server, and goes to a trash. So both directions are detected before
 * the tree walk, and the views are rewritten as if the moves were done.
 */

#include <string.h>

#include "allset-reconcile-private.h"

/* Rounds of local move detection: each finds the moves out of
 * directories moved in the round before. */
#define MAX_LOCAL_MOVE_ROUNDS 16

static gboolean
has_subtree (GHashTable *view,
             const char *path)
{
  GHashTableIter iter;
  const char *key;

  if (g_hash_table_contains (view, path))
    return TRUE;
  g_hash_table_iter_init (&iter, view);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      if (allset_path_has_prefix (key, path))
        return TRUE;
    }
  return FALSE;
}

/* Would a parent of path, in a view, be something other than a synced
 * directory? Then nothing can be put at path. */
static gboolean
parents_blocked (GHashTable *view,
                 gboolean    is_local,
                 const char *path)
{
  g_autofree char *dir = allset_path_parent (path);

  while (dir[0] != '\0')
    {
      gpointer entry = g_hash_table_lookup (view, dir);
      char *up;

      if (entry != NULL)
        {
          if (is_local && reconcile_local_frozen (entry))
            return TRUE;
          if (is_local ? ((AllsetLocalEntry *) entry)->type != ALLSET_ENTRY_DIR
                       : ((AllsetRemoteEntry *) entry)->type != ALLSET_ENTRY_DIR)
            return TRUE;
        }
      up = allset_path_parent (dir);
      g_free (dir);
      dir = up;
    }
  return FALSE;
}

/* Replays the feed's moves on the local side, oldest first, on views that
 * each replay updates: a chain a → b → c is two local renames, a move out
 * of a moved directory finds its source where the first move put it. No
 * check against the remote tree's present state is needed: whatever
 * happened after a move (a deletion, a new version) is a later fact the
 * walk sees at the destination. */
void
reconcile_remote_moves (Reconcile *rc)
{
  GPtrArray *moves = rc->input->remote_moves;

  for (guint i = 0; moves != NULL && i < moves->len; i++)
    {
      const AllsetRemoteMove *move = moves->pdata[i];
      const AllsetBaseEntry *base;
      const AllsetLocalEntry *local;
      AllsetAction *action;

      if (move->from == NULL || move->to == NULL || move->from[0] == '\0' ||
          move->to[0] == '\0' || allset_path_has_prefix (move->to, move->from))
        continue;

      /* Only what both sides had agreed on moves along; the local copy
       * may have changed since — the change moves with it. */
      base = g_hash_table_lookup (rc->base, move->from);
      local = g_hash_table_lookup (rc->local, move->from);
      if (base == NULL || local == NULL || reconcile_local_frozen (local) ||
          local->type != base->type)
        continue;

      /* Something in the way locally (or already known there): no move;
       * the walk handles both paths on their own and keeps everything. */
      if (has_subtree (rc->local, move->to) || has_subtree (rc->base, move->to) ||
          parents_blocked (rc->local, TRUE, move->to))
        continue;

      action = reconcile_action (rc, rc->moves, ALLSET_ACTION_MOVE_LOCAL, move->from,
                                 "moved on the server");
      action->to = g_strdup (move->to);
      g_clear_pointer (&action->remote, allset_remote_entry_free);
      action->remote = allset_remote_entry_copy (g_hash_table_lookup (rc->remote, move->to));

      reconcile_rewrite_local (rc, move->from, move->to);
      reconcile_rewrite_base (rc, move->from, move->to);
    }
}

static char *
inode_key (guint64 dev,
           guint64 inode)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, dev, inode);
}

/* Value of an index entry that matched more than once: no guessing. */
#define AMBIGUOUS ((gpointer) "")

static void
index_add (GHashTable *index,
           char       *key,
           const char *path)
{
  if (g_hash_table_contains (index, key))
    g_hash_table_replace (index, key, AMBIGUOUS);
  else
    g_hash_table_insert (index, key, (gpointer) path);
}

static int
compare_path_ptrs (gconstpointer a,
                   gconstpointer b)
{
  return reconcile_path_compare (*(const char **) a, *(const char **) b);
}

/* Where did base path a go locally? A new local entry with the same inode
 * (for a file: and the same content — a new file may reuse a freed
 * inode), or else the one new file with a content no other vanished file
 * had. NULL if none, or not unique. */
static const char *
find_target (Reconcile             *rc,
             const AllsetBaseEntry *base,
             GHashTable            *by_inode,
             GHashTable            *by_id,
             GHashTable            *missing_ids)
{
  const char *target = NULL;

  if (base->inode != 0)
    {
      g_autofree char *key = inode_key (base->dev, base->inode);

      target = g_hash_table_lookup (by_inode, key);
      if (target == AMBIGUOUS)
        target = NULL;
      if (target != NULL)
        {
          const AllsetLocalEntry *local = g_hash_table_lookup (rc->local, target);

          if (local == NULL || local->type != base->type ||
              (base->type == ALLSET_ENTRY_FILE && !reconcile_same_local_base (local, base)))
            target = NULL;
        }
    }

  if (target == NULL && base->type == ALLSET_ENTRY_FILE && base->file_id != NULL &&
      GPOINTER_TO_UINT (g_hash_table_lookup (missing_ids, base->file_id)) == 1)
    {
      target = g_hash_table_lookup (by_id, base->file_id);
      if (target == AMBIGUOUS)
        target = NULL;
      if (target != NULL &&
          !reconcile_same_local_base (g_hash_table_lookup (rc->local, target), base))
        target = NULL;
    }
  return target;
}

static guint
local_moves_round (Reconcile *rc)
{
  g_autoptr(GHashTable) by_inode = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) missing_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *path;
  gpointer entry;
  guint moved = 0;

  /* New local entries, by inode and by content. */
  g_hash_table_iter_init (&iter, rc->local);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, &entry))
    {
      const AllsetLocalEntry *local = entry;

      if (g_hash_table_contains (rc->base, path) || reconcile_local_frozen (local))
        continue;
      index_add (by_inode, inode_key (local->dev, local->inode), path);
      if (local->type == ALLSET_ENTRY_FILE)
        index_add (by_id, g_strdup (local->file_id), path);
    }
  if (g_hash_table_size (by_inode) == 0)
    return 0;

  /* Base entries gone locally. */
  g_hash_table_iter_init (&iter, rc->base);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, &entry))
    {
      const AllsetBaseEntry *base = entry;

      if (g_hash_table_contains (rc->local, path))
        continue;
      g_ptr_array_add (candidates, g_strdup (path));
      if (base->type == ALLSET_ENTRY_FILE && base->file_id != NULL)
        {
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (missing_ids, base->file_id));

          g_hash_table_replace (missing_ids, base->file_id, GUINT_TO_POINTER (n + 1));
        }
    }
  /* Parents first: a directory's move carries its subtree along. */
  g_ptr_array_sort (candidates, compare_path_ptrs);

  for (guint i = 0; i < candidates->len; i++)
    {
      const char *from = candidates->pdata[i];
      const AllsetBaseEntry *base = g_hash_table_lookup (rc->base, from);
      const AllsetRemoteEntry *remote;
      g_autofree char *to = NULL;
      const char *target;
      AllsetAction *action;

      /* Rewritten away by an earlier move of this round. */
      if (base == NULL || g_hash_table_contains (rc->local, from))
        continue;
      if ((target = find_target (rc, base, by_inode, by_id, missing_ids)) == NULL ||
          g_hash_table_contains (rc->base, target))
        continue;
      to = g_strdup (target);

      /* The server must still hold what we agreed on, with nothing at the
       * destination; otherwise the walk keeps both (upload the new path,
       * handle the old one on its own). */
      remote = g_hash_table_lookup (rc->remote, from);
      if (remote == NULL || !reconcile_same_remote_base (remote, base) ||
          allset_path_has_prefix (to, from) || has_subtree (rc->remote, to) ||
          parents_blocked (rc->remote, FALSE, to))
        continue;

      action = reconcile_action (rc, rc->moves, ALLSET_ACTION_MOVE_REMOTE, from,
                                 "moved or renamed here");
      action->to = g_strdup (to);
      action->base_revision = remote->revision;
      action->local = allset_local_entry_copy (g_hash_table_lookup (rc->local, to));

      reconcile_rewrite_base (rc, from, to);
      reconcile_rewrite_remote (rc, from, to);
      /* The executor records the moved entry's new revision and stat data
       * with the move: nothing is left for a RECORD_BASE to do (its copy
       * in the view is ours to change). */
      {
        AllsetBaseEntry *moved_base = g_hash_table_lookup (rc->base, to);

        moved_base->revision = remote->revision;
        if (action->local != NULL)
          {
            moved_base->inode = action->local->inode;
            moved_base->dev = action->local->dev;
            moved_base->mtime_ns = action->local->mtime_ns;
          }
      }
      moved++;
    }
  return moved;
}

void
reconcile_local_moves (Reconcile *rc)
{
  for (guint round = 0; round < MAX_LOCAL_MOVE_ROUNDS; round++)
    {
      if (local_moves_round (rc) == 0)
        break;
    }
}
