/* journal-fixture.c — a fresh journal per test, and the rows the journal
 * tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "journal-fixture.h"
#include "test-tree.h"

void
journal_fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-journal-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "state", "allset", "j.db", NULL);
  fixture->journal = allset_journal_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->journal);
}

void
journal_fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->journal);
  test_tree_remove (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

void
journal_test_change (AllsetJournal  *journal,
        gint64          seq,
        AllsetChangeOp  op,
        const char     *path,
        const char     *to_or_id)
{
  g_autoptr(GError) error = NULL;
  AllsetChange c = { 0 };

  c.seq = seq;
  c.op = op;
  c.path = (char *) path;
  c.revision = seq;
  if (op == ALLSET_CHANGE_MOVE)
    c.to = (char *) to_or_id;
  if (op == ALLSET_CHANGE_PUT)
    {
      c.file_id = (char *) (to_or_id ? to_or_id : ID_A);
      c.size = 3;
      c.mtime = 1764160000;
      c.executable = seq % 2;
    }
  g_assert_true (allset_journal_apply_change (journal, &c, &error));
  g_assert_no_error (error);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

char *
journal_test_sorted_keys (GHashTable *table)
{
  g_autofree const char **list = (const char **) g_hash_table_get_keys_as_array (table, NULL);

  qsort (list, g_hash_table_size (table), sizeof (char *), compare_strings);
  return g_strjoinv (" ", (char **) list);
}

AllsetBaseEntry *
journal_test_base_file (const char *path,
           const char *id,
           gint64      revision)
{
  AllsetBaseEntry *entry = allset_base_entry_new (path, ALLSET_ENTRY_FILE);

  entry->file_id = allset_entry_string (id);
  entry->size = 3;
  entry->mtime_ns = G_GINT64_CONSTANT (1764160000123456789);
  entry->revision = revision;
  entry->inode = G_GUINT64_CONSTANT (0xfedcba9876543210);   /* above INT64_MAX */
  entry->dev = 2049;
  return entry;
}
