/* allset-reconcile-walk.c — the per-path three-way matrix, over the tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every path of the three views, and every parent of one, is a node; the
 * nodes sorted so that a directory comes right before its subtree make a
 * depth-first walk. A node decides before its children what must exist
 * (creations, transfers, conflict renames: "parents first") and after
 * them what may go (deletions: "children first", and a directory only
 * when nothing remains below it).
 */

#include <string.h>

#include "allset-conflict-name.h"
#include "allset-reconcile-private.h"

/* What will exist at a node or below it once the plan has run. */
typedef struct
{
  gboolean local;
  gboolean remote;
} Remains;

static Remains visit (Reconcile *rc, GPtrArray *nodes, guint i, guint end, gboolean frozen);

static int
compare_nodes (gconstpointer a,
               gconstpointer b)
{
  return reconcile_path_compare (*(const char **) a, *(const char **) b);
}

/* In a view the nodes come from: all three for the whole tree, local
 * alone for a subtree (root). */
static gboolean
in_views (Reconcile  *rc,
          const char *path,
          const char *root)
{
  return g_hash_table_contains (rc->local, path) ||
         (root == NULL && (g_hash_table_contains (rc->base, path) ||
                           g_hash_table_contains (rc->remote, path)));
}

/* Adds path's parents that are in no view (and at or below root). */
static void
add_parents (Reconcile  *rc,
             GPtrArray  *nodes,
             GHashTable *implicit,
             GString    *parent,
             const char *path,
             const char *root)
{
  const char *slash;

  g_string_assign (parent, path);
  while ((slash = strrchr (parent->str, '/')) != NULL)
    {
      char *node;

      g_string_truncate (parent, slash - parent->str);
      if ((root != NULL && !allset_path_has_prefix (parent->str, root)) ||
          in_views (rc, parent->str, root) || g_hash_table_contains (implicit, parent->str))
        return;
      node = allset_entry_string (parent->str);
      g_hash_table_add (implicit, node);
      g_ptr_array_add (nodes, node);
    }
}

/* Adds the paths of view (at or below root) that no view before it in
 * the order local, base, remote holds. */
static void
add_view (Reconcile  *rc,
          GPtrArray  *nodes,
          GHashTable *implicit,
          GString    *parent,
          GHashTable *view,
          const char *root)
{
  GHashTableIter iter;
  char *path;

  g_hash_table_iter_init (&iter, view);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    {
      /* The root is never a node (nor an entry). */
      if (path[0] == '\0' || (root != NULL && !allset_path_has_prefix (path, root)) ||
          (view != rc->local && g_hash_table_contains (rc->local, path)) ||
          (view == rc->remote && g_hash_table_contains (rc->base, path)))
        continue;
      /* The views' keys are their entries' paths: entry strings. */
      g_ptr_array_add (nodes, allset_entry_string_acquire (path));
      add_parents (rc, nodes, implicit, parent, path, root);
    }
}

/* Sorted nodes of the whole tree (root NULL) or of root's subtree in the
 * local view (a conflict copy: only local entries live there, and its
 * parents are known already). No set of all paths: the views are one,
 * and a copy of every path cost 6 MB over 100 000 files. */
static GPtrArray *
collect_nodes (Reconcile  *rc,
               const char *root)
{
  g_autoptr(GHashTable) implicit = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) parent = g_string_new (NULL);
  GPtrArray *nodes;

  /* As many as the largest view: all of them, when nothing changed. */
  nodes = g_ptr_array_new_full (root != NULL ? 0 :
                                MAX (g_hash_table_size (rc->local),
                                     MAX (g_hash_table_size (rc->base), g_hash_table_size (rc->remote))),
                                (GDestroyNotify) allset_entry_string_release);
  add_view (rc, nodes, implicit, parent, rc->local, root);
  if (root == NULL)
    {
      add_view (rc, nodes, implicit, parent, rc->base, NULL);
      add_view (rc, nodes, implicit, parent, rc->remote, NULL);
    }
  g_ptr_array_sort (nodes, compare_nodes);
  return nodes;
}

/* First index after the subtree of nodes[i]. */
static guint
subtree_end (GPtrArray *nodes,
             guint      i,
             guint      end)
{
  const char *path = nodes->pdata[i];
  guint j = i + 1;

  while (j < end && allset_path_has_prefix (nodes->pdata[j], path))
    j++;
  return j;
}

static Remains
presence (Reconcile *rc,
          GPtrArray *nodes,
          guint      i,
          guint      end)
{
  Remains out = { FALSE, FALSE };

  for (guint k = i; k < end; k++)
    {
      out.local |= g_hash_table_contains (rc->local, nodes->pdata[k]);
      out.remote |= g_hash_table_contains (rc->remote, nodes->pdata[k]);
    }
  return out;
}

/* Every local entry strictly below node i is known and unchanged (and
 * nothing remote lies there): the local subtree may go as a whole.
 * Counts its files. */
static gboolean
local_subtree_clean (Reconcile *rc,
                     GPtrArray *nodes,
                     guint      i,
                     guint      end,
                     guint     *n_files)
{
  *n_files = 0;
  for (guint k = i + 1; k < end; k++)
    {
      const AllsetLocalEntry *local = g_hash_table_lookup (rc->local, nodes->pdata[k]);
      const AllsetBaseEntry *base = g_hash_table_lookup (rc->base, nodes->pdata[k]);

      if (g_hash_table_contains (rc->remote, nodes->pdata[k]))
        return FALSE;
      if (local == NULL)
        continue;
      if (reconcile_local_frozen (local) || base == NULL ||
          !reconcile_same_local_base (local, base))
        return FALSE;
      *n_files += local->type == ALLSET_ENTRY_FILE;
    }
  return TRUE;
}

static gboolean
remote_subtree_clean (Reconcile *rc,
                      GPtrArray *nodes,
                      guint      i,
                      guint      end,
                      guint     *n_files)
{
  *n_files = 0;
  for (guint k = i + 1; k < end; k++)
    {
      const AllsetRemoteEntry *remote = g_hash_table_lookup (rc->remote, nodes->pdata[k]);
      const AllsetBaseEntry *base = g_hash_table_lookup (rc->base, nodes->pdata[k]);

      if (g_hash_table_contains (rc->local, nodes->pdata[k]))
        return FALSE;
      if (remote == NULL)
        continue;
      if (base == NULL || !reconcile_same_remote_base (remote, base))
        return FALSE;
      *n_files += remote->type == ALLSET_ENTRY_FILE;
    }
  return TRUE;
}

/* ─── Conflicts ────────────────────────────────────────────────────── */

static gboolean
path_taken (const char *path,
            gpointer    user_data)
{
  Reconcile *rc = user_data;
  g_autofree char *key = allset_path_fold (path);

  if (rc->taken == NULL)
    {
      GHashTable *views[] = { rc->base, rc->local, rc->remote };

      rc->taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint v = 0; v < G_N_ELEMENTS (views); v++)
        {
          GHashTableIter iter;
          const char *taken;

          g_hash_table_iter_init (&iter, views[v]);
          while (g_hash_table_iter_next (&iter, (gpointer *) &taken, NULL))
            g_hash_table_add (rc->taken, allset_path_fold (taken));
        }
    }
  return g_hash_table_contains (rc->taken, key);
}

/* Keeps both versions: the local entry at path (and its subtree) is
 * renamed to a conflict copy, which is then walked as a new local tree
 * (uploaded under its new name); path is free for the remote version. */
static void
keep_both (Reconcile  *rc,
           const char *path,
           const char *reason)
{
  const AllsetLocalEntry *local = g_hash_table_lookup (rc->local, path);
  g_autoptr(GPtrArray) nodes = NULL;
  AllsetAction *action;
  char *to;

  to = allset_conflict_name_unique (path, rc->input->device_name, rc->input->now,
                                    local->type == ALLSET_ENTRY_DIR, path_taken, rc);
  g_hash_table_add (rc->taken, allset_path_fold (to));

  action = reconcile_action (rc, rc->pre, ALLSET_ACTION_CONFLICT, path, reason);
  action->to = to;

  reconcile_rewrite_local (rc, path, to);
  nodes = collect_nodes (rc, to);
  if (nodes->len > 0)
    visit (rc, nodes, 0, nodes->len, FALSE);
}

/* ─── Deletions ────────────────────────────────────────────────────── */

/* A directory deletion covers its subtree: the deletions of the same kind
 * planned below it (from index mark on) fold into it. */
static guint
absorb_deletions (Reconcile        *rc,
                  guint             mark,
                  AllsetActionKind  kind)
{
  guint n_files = 0;

  for (guint k = rc->post->len; k > mark; k--)
    {
      AllsetAction *below = rc->post->pdata[k - 1];

      if (below->kind == kind)
        {
          n_files += below->n_files;
          g_ptr_array_remove_index (rc->post, k - 1);
        }
    }
  return n_files;
}

static void
insert_pre (Reconcile    *rc,
            guint         mark,
            AllsetAction *action)
{
  g_ptr_array_insert (rc->pre, mark, action);
}

/* ─── One node ─────────────────────────────────────────────────────── */

/* Base is stale when both sides agree but its revision or the local
 * stat data moved (a touch, a re-upload of the same bytes, a copy back). */
static gboolean
base_stale (const AllsetBaseEntry   *base,
            const AllsetLocalEntry  *local,
            const AllsetRemoteEntry *remote)
{
  if (base->revision != remote->revision || base->inode != local->inode || base->dev != local->dev)
    return TRUE;
  return base->type == ALLSET_ENTRY_FILE &&
         (base->mtime_ns != local->mtime_ns || base->size != local->size);
}

static Remains
visit_children (Reconcile  *rc,
                GPtrArray  *nodes,
                guint       begin,
                guint       end,
                gboolean    frozen)
{
  g_autoptr(GHashTable) folds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* fold → how many local names have it (keys owned by folds). */
  g_autoptr(GHashTable) local_names = g_hash_table_new (g_str_hash, g_str_equal);
  /* path → its fold (owned by folds). */
  g_autoptr(GHashTable) clashing = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) children = g_array_new (FALSE, FALSE, sizeof (guint));
  Remains out = { FALSE, FALSE };

  for (guint j = begin; j < end; j = subtree_end (nodes, j, end))
    g_array_append_val (children, j);

  /* Two names of one directory differing only by case cannot both live
   * on the server (nor on a Windows or macOS disk): neither moves until
   * the user renames one. Names only base knows do not count. */
  for (guint c = 0; c < children->len; c++)
    {
      const char *path = nodes->pdata[g_array_index (children, guint, c)];
      gboolean is_local = g_hash_table_contains (rc->local, path);
      gpointer key, other;
      char *folded;

      if (!is_local && !g_hash_table_contains (rc->remote, path))
        continue;
      folded = allset_path_fold (allset_path_basename (path));
      if (g_hash_table_lookup_extended (folds, folded, &key, &other))
        {
          g_hash_table_insert (clashing, (gpointer) path, key);
          g_hash_table_insert (clashing, other, key);
          g_free (folded);
        }
      else
        g_hash_table_insert (folds, (key = folded), (gpointer) path);
      if (is_local)
        g_hash_table_insert (local_names, key,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (local_names, key)) + 1));
    }

  for (guint c = 0; c < children->len; c++)
    {
      guint j = g_array_index (children, guint, c);
      guint next = c + 1 < children->len ? g_array_index (children, guint, c + 1) : end;
      gpointer key = NULL;
      gboolean clash = g_hash_table_lookup_extended (clashing, nodes->pdata[j], NULL, &key);
      Remains r;

      /* Two local names that clash are on the disk together: the scanner
       * reported each (and flagged it skipped). Here only the names that
       * clash with one of the other side are news; a path is reported
       * once. */
      if (clash && !frozen &&
          !(g_hash_table_contains (rc->local, nodes->pdata[j]) &&
            GPOINTER_TO_UINT (g_hash_table_lookup (local_names, key)) >= 2))
        g_ptr_array_add (rc->issues,
                         allset_issue_new (nodes->pdata[j], ALLSET_ISSUE_CASE_CLASH,
                                           "Another name differs from it only by case on "
                                           "the other side; neither is synced until one "
                                           "is renamed"));
      r = visit (rc, nodes, j, next, frozen || clash);
      out.local |= r.local;
      out.remote |= r.remote;
    }
  return out;
}

static Remains
visit (Reconcile *rc,
       GPtrArray *nodes,
       guint      i,
       guint      end,
       gboolean   frozen)
{
  const char *path = nodes->pdata[i];
  const AllsetBaseEntry *b = g_hash_table_lookup (rc->base, path);
  const AllsetLocalEntry *l = g_hash_table_lookup (rc->local, path);
  const AllsetRemoteEntry *r = g_hash_table_lookup (rc->remote, path);
  gboolean lsame, rsame, lchanged, rchanged;
  Remains out = { FALSE, FALSE };
  Remains kids;
  AllsetAction *action;
  guint pre_mark, post_mark;
  guint n_files;

  if (frozen || (l != NULL && reconcile_local_frozen (l)))
    return presence (rc, nodes, i, end);

  lsame = l != NULL && b != NULL && reconcile_same_local_base (l, b);
  rsame = r != NULL && b != NULL && reconcile_same_remote_base (r, b);
  lchanged = l != NULL && !lsame;
  rchanged = r != NULL && !rsame;

  if (lchanged && rchanged)
    {
      if (reconcile_same_local_remote (l, r))
        {
          reconcile_action (rc, rc->pre, ALLSET_ACTION_RECORD_BASE, path,
                            "both sides made the same change");
          visit_children (rc, nodes, i + 1, end, FALSE);
          return (Remains) { TRUE, TRUE };
        }
      keep_both (rc, path, l->type != r->type ? "a file on one side, a directory on the other"
                                               : "changed on both sides");
      out = (Remains) { TRUE, TRUE };
      l = NULL;
      lsame = lchanged = FALSE;
    }
  else if (lsame && rchanged && l->type != r->type)
    {
      /* The server replaced it by the other type; our copy is unchanged. */
      if (l->type == ALLSET_ENTRY_FILE)
        {
          action = reconcile_action (rc, rc->pre, ALLSET_ACTION_MKDIR_LOCAL, path,
                                     "a directory replaced this file on the server");
          action->replace = TRUE;
          action->n_files = 1;
          visit_children (rc, nodes, i + 1, end, FALSE);
          return (Remains) { TRUE, TRUE };
        }
      if (local_subtree_clean (rc, nodes, i, end, &n_files))
        {
          action = reconcile_action (rc, rc->pre, ALLSET_ACTION_DOWNLOAD, path,
                                     "a file replaced this directory on the server");
          action->replace = TRUE;
          action->n_files = n_files;
          return (Remains) { TRUE, TRUE };
        }
      keep_both (rc, path, "a file replaced this directory on the server, which changed here");
      out = (Remains) { TRUE, TRUE };
      l = NULL;
      lsame = lchanged = FALSE;
    }
  else if (lchanged && rsame && l->type != r->type)
    {
      /* Replaced here by the other type; the server's copy is unchanged. */
      if (l->type == ALLSET_ENTRY_DIR)
        {
          action = reconcile_action (rc, rc->pre, ALLSET_ACTION_MKDIR_REMOTE, path,
                                     "a directory replaced this file here");
          action->replace = TRUE;
          action->n_files = 1;
          visit_children (rc, nodes, i + 1, end, FALSE);
          return (Remains) { TRUE, TRUE };
        }
      if (remote_subtree_clean (rc, nodes, i, end, &n_files))
        {
          action = reconcile_action (rc, rc->pre, ALLSET_ACTION_UPLOAD, path,
                                     "a file replaced this directory here");
          action->replace = TRUE;
          action->n_files = n_files;
          return (Remains) { TRUE, TRUE };
        }
      keep_both (rc, path, "a file replaced this directory here, which changed on the server");
      out = (Remains) { TRUE, TRUE };
      l = NULL;
      lsame = lchanged = FALSE;
    }

  pre_mark = rc->pre->len;
  post_mark = rc->post->len;

  if (l == NULL && r == NULL)
    {
      kids = visit_children (rc, nodes, i + 1, end, FALSE);
      if (b != NULL)
        reconcile_action (rc, rc->post, ALLSET_ACTION_FORGET_BASE, path, "deleted on both sides");
    }
  else if (l == NULL && rsame)
    {
      /* Deleted here, unchanged there: delete there, children first. */
      kids = visit_children (rc, nodes, i + 1, end, FALSE);
      if (r->type == ALLSET_ENTRY_FILE)
        {
          action = reconcile_action (rc, rc->post, ALLSET_ACTION_DELETE_REMOTE, path, "deleted here");
          action->base_revision = r->revision;
          action->n_files = 1;
        }
      else if (!kids.remote)
        {
          n_files = absorb_deletions (rc, post_mark, ALLSET_ACTION_DELETE_REMOTE);
          action = reconcile_action (rc, rc->post, ALLSET_ACTION_DELETE_REMOTE, path, "deleted here");
          action->base_revision = r->revision;
          action->n_files = n_files;
        }
      else
        {
          /* Something new or changed inside on the server: keep it. */
          insert_pre (rc, pre_mark,
                      reconcile_action (rc, NULL, ALLSET_ACTION_MKDIR_LOCAL, path,
                                        "deleted here, but the server has new content inside"));
          out.local = out.remote = TRUE;
        }
    }
  else if (l == NULL)
    {
      /* New or changed on the server (or changed there, deleted here:
       * the newer version comes back rather than being lost). */
      reconcile_action (rc, rc->pre,
                        r->type == ALLSET_ENTRY_FILE ? ALLSET_ACTION_DOWNLOAD : ALLSET_ACTION_MKDIR_LOCAL,
                        path, b == NULL ? "new on the server" : "changed on the server");
      kids = visit_children (rc, nodes, i + 1, end, FALSE);
      out.local = out.remote = TRUE;
    }
  else if (r == NULL && lsame)
    {
      /* Deleted on the server, unchanged here: to the trash, children
       * first, a directory only if nothing stays in it. */
      kids = visit_children (rc, nodes, i + 1, end, FALSE);
      if (l->type == ALLSET_ENTRY_FILE)
        {
          action = reconcile_action (rc, rc->post, ALLSET_ACTION_DELETE_LOCAL, path,
                                     "deleted on the server");
          action->n_files = 1;
        }
      else if (!kids.local)
        {
          n_files = absorb_deletions (rc, post_mark, ALLSET_ACTION_DELETE_LOCAL);
          action = reconcile_action (rc, rc->post, ALLSET_ACTION_DELETE_LOCAL, path,
                                     "deleted on the server");
          action->n_files = n_files;
        }
      else
        {
          insert_pre (rc, pre_mark,
                      reconcile_action (rc, NULL, ALLSET_ACTION_MKDIR_REMOTE, path,
                                        "deleted on the server, but new content is inside here"));
          out.local = out.remote = TRUE;
        }
    }
  else if (r == NULL)
    {
      /* New here, or changed here while deleted there: upload as new. */
      reconcile_action (rc, rc->pre,
                        l->type == ALLSET_ENTRY_FILE ? ALLSET_ACTION_UPLOAD : ALLSET_ACTION_MKDIR_REMOTE,
                        path, b == NULL ? "new here" : "changed here, deleted on the server");
      kids = visit_children (rc, nodes, i + 1, end, FALSE);
      out.local = out.remote = TRUE;
    }
  else
    {
      /* Both present, at most one side changed, same type. */
      if (lsame && rsame)
        {
          if (base_stale (b, l, r))
            reconcile_action (rc, rc->pre, ALLSET_ACTION_RECORD_BASE, path, "unchanged content");
        }
      else if (rchanged && l->type == ALLSET_ENTRY_FILE)
        reconcile_action (rc, rc->pre, ALLSET_ACTION_DOWNLOAD, path, "changed on the server");
      else if (lchanged && l->type == ALLSET_ENTRY_FILE)
        {
          action = reconcile_action (rc, rc->pre, ALLSET_ACTION_UPLOAD, path, "changed here");
          action->base_revision = r->revision;
        }
      kids = visit_children (rc, nodes, i + 1, end, FALSE);
      out.local = out.remote = TRUE;
    }

  out.local |= kids.local;
  out.remote |= kids.remote;
  return out;
}

void
reconcile_walk (Reconcile *rc)
{
  g_autoptr(GPtrArray) nodes = collect_nodes (rc, NULL);

  visit_children (rc, nodes, 0, nodes->len, FALSE);
}
