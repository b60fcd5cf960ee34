/* test-commit-scope.c — which commit batches may travel together
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two commits on their way at once reach the server's store in either
 * order; a batch that touches the paths of the one before must wait for
 * its reply (allset-commit-scope.h). These tests pin the rule down: a
 * miss here lets a file land before the mkdir meant to come first, or a
 * delete before the upload it was meant to follow.
 */

#include "allset-commit-scope.h"

static AllsetAction *
action (AllsetActionKind  kind,
        const char       *path,
        const char       *to)
{
  AllsetAction *self = g_new0 (AllsetAction, 1);

  self->kind = kind;
  self->path = g_strdup (path);
  self->to = g_strdup (to);
  return self;
}

static gboolean
touches (const AllsetCommitScope *scope,
         AllsetActionKind         kind,
         const char              *path,
         const char              *to)
{
  g_autoptr(AllsetAction) probe = action (kind, path, to);

  return allset_commit_scope_touches (scope, probe);
}

static void
test_touches (void)
{
  g_autoptr(AllsetCommitScope) scope = allset_commit_scope_new ();
  g_autoptr(AllsetAction) mkdir = action (ALLSET_ACTION_MKDIR_REMOTE, "docs/2026", NULL);
  g_autoptr(AllsetAction) upload = action (ALLSET_ACTION_UPLOAD, "photos/été/plage.jpg", NULL);
  g_autoptr(AllsetAction) move = action (ALLSET_ACTION_MOVE_REMOTE, "old/plan.odt", "new/plan.odt");

  allset_commit_scope_add (scope, mkdir);
  allset_commit_scope_add (scope, upload);
  allset_commit_scope_add (scope, move);

  /* The same path, below it, above it. */
  g_assert_true (touches (scope, ALLSET_ACTION_MKDIR_REMOTE, "docs/2026", NULL));
  g_assert_true (touches (scope, ALLSET_ACTION_UPLOAD, "docs/2026/a.txt", NULL));
  g_assert_true (touches (scope, ALLSET_ACTION_UPLOAD, "docs/2026/x/y/z.txt", NULL));
  g_assert_true (touches (scope, ALLSET_ACTION_DELETE_REMOTE, "docs", NULL));
  g_assert_true (touches (scope, ALLSET_ACTION_DELETE_REMOTE, "photos", NULL));
  g_assert_true (touches (scope, ALLSET_ACTION_DELETE_REMOTE, "photos/été", NULL));
  /* As the server compares names: case and Unicode form do not matter
   * ("e" + U+0301 is "é" decomposed). */
  g_assert_true (touches (scope, ALLSET_ACTION_UPLOAD, "DOCS/2026/b.txt", NULL));
  g_assert_true (touches (scope, ALLSET_ACTION_DELETE_REMOTE, "Photos/E\xcc\x81t\xc3\xa9", NULL));
  /* Both ends of a move, and a move whose destination is in the scope. */
  g_assert_true (touches (scope, ALLSET_ACTION_UPLOAD, "old/plan.odt", NULL));
  g_assert_true (touches (scope, ALLSET_ACTION_MKDIR_REMOTE, "new", NULL));
  g_assert_true (touches (scope, ALLSET_ACTION_MOVE_REMOTE, "elsewhere/x", "docs/2026/x"));

  /* Siblings and look-alike prefixes are independent. */
  g_assert_false (touches (scope, ALLSET_ACTION_UPLOAD, "docs/2025/a.txt", NULL));
  g_assert_false (touches (scope, ALLSET_ACTION_UPLOAD, "docs/20261", NULL));
  g_assert_false (touches (scope, ALLSET_ACTION_UPLOAD, "doc", NULL));
  g_assert_false (touches (scope, ALLSET_ACTION_UPLOAD, "photos/été/plage.jpg.tmp", NULL));
  g_assert_false (touches (scope, ALLSET_ACTION_UPLOAD, "old/other.odt", NULL));
  /* A move's destination is only looked at for moves. */
  g_assert_false (touches (scope, ALLSET_ACTION_UPLOAD, "elsewhere/x", "docs/2026/x"));
  g_assert_false (touches (scope, ALLSET_ACTION_MOVE_REMOTE, "elsewhere/x", "elsewhere/y"));
}

static const AllsetAction *
identity (gconstpointer item)
{
  return item;
}

/* A tree as a first upload plans it: each directory, then its files. */
static GPtrArray *
tree_actions (guint n_dirs,
              guint files_per_dir)
{
  GPtrArray *actions = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_action_free);

  for (guint d = 0; d < n_dirs; d++)
    {
      g_autofree char *dir = g_strdup_printf ("d%03u", d);

      g_ptr_array_add (actions, action (ALLSET_ACTION_MKDIR_REMOTE, dir, NULL));
      for (guint f = 0; f < files_per_dir; f++)
        {
          g_autofree char *file = g_strdup_printf ("%s/f%05u", dir, f);

          g_ptr_array_add (actions, action (ALLSET_ACTION_UPLOAD, file, NULL));
        }
    }
  return actions;
}

static void
assert_cut_keeps_order (GPtrArray *actions,
                        GPtrArray *batches)
{
  guint next = 0;

  for (guint b = 0; b < batches->len; b++)
    {
      GPtrArray *batch = g_ptr_array_index (batches, b);

      for (guint i = 0; i < batch->len; i++)
        g_assert_true (g_ptr_array_index (batch, i) == g_ptr_array_index (actions, next++));
    }
  g_assert_cmpuint (next, ==, actions->len);
}

static gboolean
batch_touches (GPtrArray *before,
               GPtrArray *after)
{
  g_autoptr(AllsetCommitScope) scope = allset_commit_scope_new ();

  for (guint i = 0; i < before->len; i++)
    allset_commit_scope_add (scope, g_ptr_array_index (before, i));
  for (guint i = 0; i < after->len; i++)
    if (allset_commit_scope_touches (scope, g_ptr_array_index (after, i)))
      return TRUE;
  return FALSE;
}

static void
test_cut (void)
{
  /* 100 directories of 100 files, batches of 1 000: a plain cut would
   * leave the tenth directory's last files in the second batch, waiting
   * for the first one's reply. The batch grows to its directory's end. */
  g_autoptr(GPtrArray) tree = tree_actions (100, 100);
  g_autoptr(GPtrArray) batches = allset_commit_scope_cut (tree, identity, 1000, NULL);

  assert_cut_keeps_order (tree, batches);
  g_assert_cmpuint (batches->len, ==, 10);
  for (guint b = 0; b < batches->len; b++)
    {
      GPtrArray *batch = g_ptr_array_index (batches, b);

      g_assert_cmpuint (batch->len, ==, 1010);
      if (b > 0)
        g_assert_false (batch_touches (g_ptr_array_index (batches, b - 1), batch));
    }
}

static void
test_cut_bounded (void)
{
  /* One directory of 2 500 files: a batch grows to twice its size at
   * most; the rest follows in order, and does touch the batch before. */
  g_autoptr(GPtrArray) tree = tree_actions (1, 2500);
  g_autoptr(GPtrArray) batches = allset_commit_scope_cut (tree, identity, 1000, NULL);

  assert_cut_keeps_order (tree, batches);
  g_assert_cmpuint (batches->len, ==, 2);
  g_assert_cmpuint (((GPtrArray *) g_ptr_array_index (batches, 0))->len, ==, 2000);
  g_assert_cmpuint (((GPtrArray *) g_ptr_array_index (batches, 1))->len, ==, 501);
  g_assert_true (batch_touches (g_ptr_array_index (batches, 0), g_ptr_array_index (batches, 1)));
}

static void
test_cut_small (void)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GPtrArray) tree = tree_actions (3, 4);
  g_autoptr(GPtrArray) empty = allset_commit_scope_cut (none, identity, 1000, NULL);
  g_autoptr(GPtrArray) one = allset_commit_scope_cut (tree, identity, 1000, NULL);
  g_autoptr(GPtrArray) by_two = allset_commit_scope_cut (tree, identity, 2, NULL);

  g_assert_cmpuint (empty->len, ==, 0);
  g_assert_cmpuint (one->len, ==, 1);
  assert_cut_keeps_order (tree, one);
  /* Batches of 2 grow to 4: mkdir + 3 files, the fourth file starts the
   * next one (its directory is in it: the reply must come first). */
  assert_cut_keeps_order (tree, by_two);
  for (guint b = 0; b < by_two->len; b++)
    g_assert_cmpuint (((GPtrArray *) g_ptr_array_index (by_two, b))->len, <=, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/commit-scope/touches", test_touches);
  g_test_add_func ("/commit-scope/cut", test_cut);
  g_test_add_func ("/commit-scope/cut-bounded", test_cut_bounded);
  g_test_add_func ("/commit-scope/cut-small", test_cut_small);
  return g_test_run ();
}
