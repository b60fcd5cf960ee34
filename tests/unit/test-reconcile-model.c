/* test-reconcile-model.c — a randomised model check of the reconciler's
 * invariants
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>
#include <string.h>

#include "reconcile-fixture.h"

/* ─── Model check ───────────────────────────────────────────────────────
 *
 * Random base, local and remote trees over a few names; each plan is run
 * on an in-memory model that enforces the executor's contract and
 * asserts the invariants: nothing is deleted or overwritten locally unless
 * it equals base (so it lives on the server); the server loses nothing it
 * had that base did not; every version either side had that base did not
 * ends up on both sides; both sides end up equal; and planning again
 * finds nothing to do. */

static const char * const universe[] = {
  "a", "a/a", "a/a/a", "a/a/b", "a/b", "b", "b/a", "b/b", "c",
};

typedef struct
{
  World   *w;
  gint64   revision;
  guint64  inode;
  GRand   *rand;
  char    *trace;
} Model;

#define MODEL_ASSERT(m, cond) \
  G_STMT_START { if (!(cond)) g_error ("%s\n%s", #cond, (m)->trace); } G_STMT_END

/* Type, id and execute bit of an entry of any view, as one string. */
static char *
content_of (Side     side,
            gpointer e)
{
  AllsetEntryType type;
  const char *id;
  gboolean exec;

  if (side == LOCAL)
    type = ((AllsetLocalEntry *) e)->type, id = ((AllsetLocalEntry *) e)->file_id,
    exec = ((AllsetLocalEntry *) e)->executable;
  else if (side == REMOTE)
    type = ((AllsetRemoteEntry *) e)->type, id = ((AllsetRemoteEntry *) e)->file_id,
    exec = ((AllsetRemoteEntry *) e)->executable;
  else
    type = ((AllsetBaseEntry *) e)->type, id = ((AllsetBaseEntry *) e)->file_id,
    exec = ((AllsetBaseEntry *) e)->executable;
  return type == ALLSET_ENTRY_DIR ? g_strdup ("dir") : g_strdup_printf ("%.6s%s", id, exec ? "*" : "");
}

static gboolean
parent_is_dir (Side        side,
               GHashTable *tree,
               const char *path)
{
  g_autofree char *parent = allset_path_parent (path);
  gpointer e = g_hash_table_lookup (tree, parent);
  g_autofree char *c = e != NULL ? content_of (side, e) : NULL;

  return parent[0] == '\0' || g_strcmp0 (c, "dir") == 0;
}

static GPtrArray *
keys_under (GHashTable *tree,
            const char *path)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *key;

  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    if (allset_path_has_prefix (key, path))
      g_ptr_array_add (keys, g_strdup (key));
  return keys;
}

static void
remove_under (GHashTable *tree,
              const char *path)
{
  g_autoptr(GPtrArray) keys = keys_under (tree, path);

  for (guint i = 0; i < keys->len; i++)
    g_hash_table_remove (tree, keys->pdata[i]);
}

static void
rename_under (GHashTable *tree,
              const char *from,
              const char *to)
{
  g_autoptr(GPtrArray) keys = keys_under (tree, from);

  for (guint i = 0; i < keys->len; i++)
    {
      g_autofree char *moved = g_strconcat (to, (char *) keys->pdata[i] + strlen (from), NULL);
      gpointer entry = NULL;
      char **path;

      /* Every entry type starts with its path, an entry string. */
      g_hash_table_steal_extended (tree, keys->pdata[i], NULL, &entry);
      path = entry;
      allset_entry_string_release (*path);
      *path = allset_entry_string (moved);
      g_hash_table_replace (tree, *path, entry);
    }
}

/* Every local entry at path and below equals base: removing it loses nothing. */
static gboolean
same_as_base (GHashTable *tree,
              GHashTable *base,
              const char *path,
              gboolean    local)
{
  g_autoptr(GPtrArray) keys = keys_under (tree, path);

  for (guint i = 0; i < keys->len; i++)
    {
      gpointer e = g_hash_table_lookup (tree, keys->pdata[i]);
      AllsetBaseEntry *b = g_hash_table_lookup (base, keys->pdata[i]);
      g_autofree char *have = content_of (local ? LOCAL : REMOTE, e);
      g_autofree char *had = b ? content_of (BASE, b) : NULL;

      if (b == NULL || g_strcmp0 (have, had) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
record_base (Model      *m,
             const char *path)
{
  AllsetLocalEntry *l = g_hash_table_lookup (m->w->local, path);
  AllsetRemoteEntry *r = g_hash_table_lookup (m->w->remote, path);
  AllsetBaseEntry *b;

  MODEL_ASSERT (m, l != NULL && r != NULL);
  b = allset_base_entry_new (path, r->type);
  b->file_id = allset_entry_string_acquire (r->file_id);
  b->executable = r->executable;
  b->revision = r->revision;
  b->inode = l->inode;
  b->mtime_ns = l->mtime_ns;
  g_hash_table_replace (m->w->base, b->path, b);
}

static void
put_local (Model                   *m,
           const char              *path,
           const AllsetRemoteEntry *from)
{
  AllsetLocalEntry *l = allset_local_entry_new (path, from->type);

  MODEL_ASSERT (m, parent_is_dir (LOCAL, m->w->local, path));   /* parents first */
  l->file_id = allset_entry_string_acquire (from->file_id);
  l->executable = from->executable;
  l->inode = ++m->inode;
  l->mtime_ns = 1000;
  g_hash_table_replace (m->w->local, l->path, l);
}

static void
put_remote (Model                  *m,
            const char             *path,
            const AllsetLocalEntry *from)
{
  AllsetRemoteEntry *r = allset_remote_entry_new (path, from->type);

  MODEL_ASSERT (m, parent_is_dir (REMOTE, m->w->remote, path));
  r->file_id = allset_entry_string_acquire (from->file_id);
  r->executable = from->executable;
  r->revision = ++m->revision;
  g_hash_table_replace (m->w->remote, r->path, r);
}

static void
model_run (Model              *m,
           const AllsetAction *a)
{
  GHashTable *local = m->w->local, *remote = m->w->remote, *base = m->w->base;
  AllsetLocalEntry *l = g_hash_table_lookup (local, a->path);
  AllsetRemoteEntry *r = g_hash_table_lookup (remote, a->path);

  switch (a->kind)
    {
    case ALLSET_ACTION_MOVE_LOCAL:
    case ALLSET_ACTION_CONFLICT:
      MODEL_ASSERT (m, l != NULL && !g_hash_table_contains (local, a->to));
      rename_under (local, a->path, a->to);
      if (a->kind == ALLSET_ACTION_MOVE_LOCAL)
        rename_under (base, a->path, a->to);
      break;
    case ALLSET_ACTION_MOVE_REMOTE:
      MODEL_ASSERT (m, r != NULL && r->revision == a->base_revision);
      MODEL_ASSERT (m, !g_hash_table_contains (remote, a->to));
      /* The server makes missing parents. */
      for (g_autofree char *up = allset_path_parent (a->to); up[0] != '\0' && !g_hash_table_contains (remote, up);)
        {
          AllsetRemoteEntry *dir = allset_remote_entry_new (up, ALLSET_ENTRY_DIR);

          dir->revision = ++m->revision;
          g_hash_table_replace (remote, dir->path, dir);
          g_free (up);
          up = allset_path_parent (dir->path);
        }
      MODEL_ASSERT (m, parent_is_dir (REMOTE, remote, a->to));
      rename_under (remote, a->path, a->to);
      rename_under (base, a->path, a->to);
      ((AllsetRemoteEntry *) g_hash_table_lookup (remote, a->to))->revision = ++m->revision;
      ((AllsetBaseEntry *) g_hash_table_lookup (base, a->to))->revision = m->revision;
      ((AllsetBaseEntry *) g_hash_table_lookup (base, a->to))->inode = a->local->inode;
      break;
    case ALLSET_ACTION_MKDIR_LOCAL:
    case ALLSET_ACTION_DOWNLOAD:
      MODEL_ASSERT (m, r != NULL);
      if (a->replace || (l != NULL && l->type != r->type))
        {
          /* What goes to the trash must be what base knows. */
          MODEL_ASSERT (m, a->replace && same_as_base (local, base, a->path, TRUE));
          remove_under (local, a->path);
          remove_under (base, a->path);
          l = NULL;
        }
      if (l != NULL && a->kind == ALLSET_ACTION_DOWNLOAD)
        MODEL_ASSERT (m, same_as_base (local, base, a->path, TRUE));   /* overwritten */
      if (l == NULL || a->kind == ALLSET_ACTION_DOWNLOAD)
        put_local (m, a->path, r);
      record_base (m, a->path);
      break;
    case ALLSET_ACTION_MKDIR_REMOTE:
    case ALLSET_ACTION_UPLOAD:
      MODEL_ASSERT (m, l != NULL);
      if (a->replace)
        {
          MODEL_ASSERT (m, r != NULL && same_as_base (remote, base, a->path, FALSE));
          remove_under (remote, a->path);
          remove_under (base, a->path);
          r = NULL;
        }
      if (r != NULL && a->kind == ALLSET_ACTION_UPLOAD)
        MODEL_ASSERT (m, r->revision == a->base_revision);
      else if (r == NULL)
        MODEL_ASSERT (m, a->base_revision == 0);
      if (r == NULL || a->kind == ALLSET_ACTION_UPLOAD)
        put_remote (m, a->path, l);
      MODEL_ASSERT (m, ((AllsetRemoteEntry *) g_hash_table_lookup (remote, a->path))->type == l->type);
      record_base (m, a->path);
      break;
    case ALLSET_ACTION_RECORD_BASE:
      {
        g_autofree char *lc = l ? content_of (LOCAL, l) : NULL;
        g_autofree char *rc = r ? content_of (REMOTE, r) : NULL;

        MODEL_ASSERT (m, lc != NULL && g_strcmp0 (lc, rc) == 0);
        record_base (m, a->path);
      }
      break;
    case ALLSET_ACTION_FORGET_BASE:
      g_hash_table_remove (base, a->path);
      break;
    case ALLSET_ACTION_DELETE_LOCAL:
      /* Never a path the journal does not know, never a changed one. */
      MODEL_ASSERT (m, g_hash_table_contains (base, a->path));
      MODEL_ASSERT (m, l != NULL && same_as_base (local, base, a->path, TRUE));
      remove_under (local, a->path);
      remove_under (base, a->path);
      break;
    case ALLSET_ACTION_DELETE_REMOTE:
      MODEL_ASSERT (m, r != NULL && r->revision == a->base_revision);
      MODEL_ASSERT (m, same_as_base (remote, base, a->path, FALSE));
      remove_under (remote, a->path);
      remove_under (base, a->path);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Contents that differ from base on one side: they must survive. */
static GPtrArray *
new_versions (GHashTable *tree,
              GHashTable *base,
              GPtrArray  *moves,
              gboolean    local)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *path;
  gpointer e;

  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, &e))
    {
      g_autofree char *origin = g_strdup (path);
      AllsetBaseEntry *b;

      /* Where the server's entry was when base was taken. */
      for (guint i = moves->len; !local && i > 0; i--)
        {
          AllsetRemoteMove *move = moves->pdata[i - 1];

          if (allset_path_has_prefix (origin, move->to))
            {
              char *before = g_strconcat (move->from, origin + strlen (move->to), NULL);

              g_free (origin);
              origin = before;
            }
        }
      char *have = content_of (local ? LOCAL : REMOTE, e);
      g_autofree char *had = NULL;
      g_autofree char *had_there = NULL;

      if ((b = g_hash_table_lookup (base, origin)) != NULL)
        had = content_of (BASE, b);
      if ((b = g_hash_table_lookup (base, path)) != NULL)
        had_there = content_of (BASE, b);
      if (strcmp (have, "dir") != 0 && g_strcmp0 (have, had) != 0 && g_strcmp0 (have, had_there) != 0)
        g_ptr_array_add (found, have);
      else
        g_free (have);
    }
  return found;
}

static gboolean
holds (GHashTable *tree,
       const char *wanted,
       gboolean    local)
{
  GHashTableIter iter;
  gpointer e;

  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, NULL, &e))
    {
      g_autofree char *have = content_of (local ? LOCAL : REMOTE, e);

      if (strcmp (have, wanted) == 0)
        return TRUE;
    }
  return FALSE;
}

/* One side derived from base: kept (55 %), deleted, rewritten, retyped;
 * or, where base has nothing, sometimes added. */
static void
derive (Model *m,
        Side   side)
{
  GHashTable *tree = side == LOCAL ? m->w->local : m->w->remote;

  for (guint i = 0; i < G_N_ELEMENTS (universe); i++)
    {
      const char *path = universe[i];
      AllsetBaseEntry *b = g_hash_table_lookup (m->w->base, path);
      guint dice = g_rand_int_range (m->rand, 0, 100);
      gboolean same = b != NULL && dice < 55;
      AllsetEntryType type = ALLSET_ENTRY_DIR;
      g_autofree char *id = NULL;
      gboolean exec = FALSE;

      if (!parent_is_dir (side, tree, path) || (b != NULL && dice >= 55 && dice < 70) ||
          (b == NULL && dice < 70))
        continue;
      if (same)
        type = b->type, id = g_strdup (b->file_id), exec = b->executable;
      else if (dice < 90)
        {
          char c[2] = { "PQRS"[g_rand_int_range (m->rand, 0, 4)], 0 };

          type = ALLSET_ENTRY_FILE;
          id = id_of (c);
          exec = g_rand_int_range (m->rand, 0, 6) == 0;
        }

      if (side == LOCAL)
        {
          AllsetLocalEntry *e = allset_local_entry_new (path, type);

          e->file_id = allset_entry_string (id);
          e->executable = exec;
          e->mtime_ns = 1000;
          /* Rewritten in place keeps the inode; new or retyped does not. */
          e->inode = b != NULL && b->type == type ? b->inode : ++m->inode;
          g_hash_table_replace (tree, e->path, e);
        }
      else
        {
          AllsetRemoteEntry *e = allset_remote_entry_new (path, type);

          e->file_id = allset_entry_string (id);
          e->executable = exec;
          e->revision = same ? b->revision : ++m->revision;
          g_hash_table_replace (tree, e->path, e);
        }
    }
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* The server moves things around too: up to two moves of what it holds
 * to free names, recorded as the feed would. */
static void
remote_moves (Model *m)
{
  for (guint k = 0; k < 2; k++)
    {
      const char *from = universe[g_rand_int_range (m->rand, 0, G_N_ELEMENTS (universe))];
      const char *to = universe[g_rand_int_range (m->rand, 0, G_N_ELEMENTS (universe))];

      if (g_rand_int_range (m->rand, 0, 10) >= 3 ||
          !g_hash_table_contains (m->w->remote, from) || g_hash_table_contains (m->w->remote, to) ||
          !parent_is_dir (REMOTE, m->w->remote, to) || allset_path_has_prefix (to, from))
        continue;
      rename_under (m->w->remote, from, to);
      ((AllsetRemoteEntry *) g_hash_table_lookup (m->w->remote, to))->revision = ++m->revision;
      g_ptr_array_add (m->w->moves, allset_remote_move_new (m->revision, from, to));
    }
}

static char *
tree_string (Side        side,
             GHashTable *tree)
{
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (tree, NULL);
  GString *out = g_string_new (NULL);

  qsort (keys, g_hash_table_size (tree), sizeof (char *), compare_strings);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *c = content_of (side, g_hash_table_lookup (tree, keys[i]));

      g_string_append_printf (out, "%s=%s ", keys[i], c);
    }
  return g_string_free (out, FALSE);
}

static void
test_model (void)
{
#ifdef __SANITIZE_ADDRESS__
  /* Each case allocates a lot, and the sanitizer run's slow unwinder
   * makes that ~10x dearer; -m thorough runs 100 000. */
  guint runs = g_test_thorough () ? 100000 : 500;
#else
  guint runs = g_test_thorough () ? 100000 : 2000;
#endif

  for (guint seed = 1; seed <= runs; seed++)
    {
      Model m = { world_new (), 100, 1000, g_rand_new_with_seed (seed), NULL };
      g_autoptr(AllsetPlan) plan = NULL;
      g_autoptr(AllsetPlan) again = NULL;
      g_autoptr(GPtrArray) local_new = NULL;
      g_autoptr(GPtrArray) remote_new = NULL;
      g_autofree char *b = NULL, *l = NULL, *r = NULL, *p = NULL, *p2 = NULL;

      /* Base: a random tree. */
      for (guint i = 0; i < G_N_ELEMENTS (universe); i++)
        {
          guint dice = g_rand_int_range (m.rand, 0, 100);
          g_autofree char *spec = NULL;

          if (!parent_is_dir (BASE, m.w->base, universe[i]) || dice < 30)
            continue;
          spec = dice < 70 ? g_strdup_printf ("%s=%c#%u", universe[i], "PQRS"[dice % 4], 10 + i)
                           : g_strdup_printf ("%s/#%u", universe[i], 10 + i);
          world_base (m.w, spec);
        }
      derive (&m, LOCAL);
      derive (&m, REMOTE);
      remote_moves (&m);
      /* Now and then the guard holds deletions back. */
      m.w->confirm = g_rand_int_range (m.rand, 0, 4) != 0;

      local_new = new_versions (m.w->local, m.w->base, m.w->moves, TRUE);
      remote_new = new_versions (m.w->remote, m.w->base, m.w->moves, FALSE);
      plan = world_reconcile (m.w);
      b = tree_string (BASE, m.w->base);
      l = tree_string (LOCAL, m.w->local);
      r = tree_string (REMOTE, m.w->remote);
      p = plan_string (plan);
      {
        g_autoptr(GString) moves = g_string_new (NULL);

        for (guint i = 0; i < m.w->moves->len; i++)
          g_string_append_printf (moves, "%s>%s ", ((AllsetRemoteMove *) m.w->moves->pdata[i])->from,
                                  ((AllsetRemoteMove *) m.w->moves->pdata[i])->to);
        m.trace = g_strdup_printf ("seed %u\n  base:   %s\n  local:  %s\n  remote: %s\n  moves:  %s\n"
                                   "  plan:   %s", seed, b, l, r, moves->str, p);
      }

      for (guint i = 0; i < plan->actions->len; i++)
        model_run (&m, plan->actions->pdata[i]);
      if (plan->held->len > 0)
        goto next;

      /* Clashes between two new names of different case cannot happen
       * here (one case only), so every version must be on both sides. */
      for (guint i = 0; i < local_new->len; i++)
        MODEL_ASSERT (&m, holds (m.w->local, local_new->pdata[i], TRUE) &&
                          holds (m.w->remote, local_new->pdata[i], FALSE));
      for (guint i = 0; i < remote_new->len; i++)
        MODEL_ASSERT (&m, holds (m.w->local, remote_new->pdata[i], TRUE) &&
                          holds (m.w->remote, remote_new->pdata[i], FALSE));

      /* Converged: the same tree on both sides… */
      g_clear_pointer (&l, g_free);
      g_clear_pointer (&r, g_free);
      MODEL_ASSERT (&m, g_hash_table_size (m.w->local) == g_hash_table_size (m.w->remote));
      {
        GHashTableIter iter;
        const char *path;
        gpointer e;

        g_hash_table_iter_init (&iter, m.w->local);
        while (g_hash_table_iter_next (&iter, (gpointer *) &path, &e))
          {
            gpointer other = g_hash_table_lookup (m.w->remote, path);
            g_autofree char *lc = content_of (LOCAL, e);
            g_autofree char *rc = other ? content_of (REMOTE, other) : NULL;

            MODEL_ASSERT (&m, g_strcmp0 (lc, rc) == 0);
            MODEL_ASSERT (&m, g_hash_table_contains (m.w->base, path));
          }
      }
      /* …and nothing left to do (the pass has consumed the moves). */
      g_ptr_array_set_size (m.w->moves, 0);
      again = world_reconcile (m.w);
      p2 = plan_string (again);
      if (p2[0] != '\0')
        g_error ("%s\n  then:   %s", m.trace, p2);

    next:
      g_rand_free (m.rand);
      g_free (m.trace);
      world_free (m.w);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  int ret;

  g_test_init (&argc, &argv, NULL);
  now = g_date_time_new (utc, 2026, 11, 26, 13, 45, 0);

  g_test_add_func ("/reconcile/model", test_model);

  ret = g_test_run ();
  g_date_time_unref (now);
  return ret;
}
