/* test-scanner.c — walking a folder, hashing only what changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "allset-scanner.h"
#include "test-tree.h"

typedef struct
{
  char          *tmp;
  char          *root;
  AllsetJournal *journal;
  AllsetScanner *scanner;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = NULL;

  fixture->tmp = g_dir_make_tmp ("test-scanner-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->root = g_build_filename (fixture->tmp, "folder", NULL);
  g_assert_cmpint (g_mkdir (fixture->root, 0700), ==, 0);
  journal = g_build_filename (fixture->tmp, "state", "j.db", NULL);
  fixture->journal = allset_journal_open (journal, &error);
  g_assert_no_error (error);
  fixture->scanner = allset_scanner_new (fixture->root, fixture->journal, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->scanner);
  g_clear_object (&fixture->journal);
  test_tree_remove (fixture->tmp);
  g_free (fixture->tmp);
  g_free (fixture->root);
}

static void
write_file (Fixture    *fixture,
            const char *rel,
            const char *content,
            gssize      len)
{
  g_autofree char *path = g_build_filename (fixture->root, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, content, len, &error));
  g_assert_no_error (error);
}

/* Pushes mtimes into the past, out of the racy window. */
static void
age (Fixture    *fixture,
     const char *rel)
{
  g_autofree char *path = g_build_filename (fixture->root, rel, NULL);
  struct timespec times[2] = { { 1700000000, 123456789 }, { 1700000000, 123456789 } };

  g_assert_cmpint (utimensat (AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), ==, 0);
}

static AllsetScanResult *
scan (Fixture    *fixture,
      const char *subpath)
{
  g_autoptr(GError) error = NULL;
  AllsetScanResult *result = allset_scanner_scan (fixture->scanner, subpath, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static AllsetLocalEntry *
entry (AllsetScanResult *result,
       const char       *path)
{
  return g_hash_table_lookup (result->entries, path);
}

static AllsetIssueKind
issue_kind (AllsetScanResult *result,
            const char       *path)
{
  for (guint i = 0; i < result->issues->len; i++)
    {
      AllsetIssue *issue = result->issues->pdata[i];

      if (strcmp (issue->path, path) == 0)
        return issue->kind;
    }
  return 0;
}

/* SQLite's data_version, seen from another connection, moves only when
 * the journal was written. */
static gint64
data_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 version;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA data_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

static char *
expected_id (const char *content,
             gsize       len)
{
  AllsetHash chunk, file;

  if (len == 0)
    {
      allset_file_id (NULL, 0, &file);
      return allset_hash_to_hex (&file);
    }
  allset_sha256 (content, len, &chunk);
  allset_file_id (&chunk, 1, &file);
  return allset_hash_to_hex (&file);
}

/* The id of content cut by the protocol's chunker, whatever its size. */
static char *
expected_id_cut (const guint8 *content,
                 gsize         len)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (AllsetHash));
  AllsetHash file;

  for (gsize offset = 0; offset < len;)
    {
      gsize cut = allset_chunker_cut (content + offset, len - offset);
      AllsetHash id;

      allset_sha256 (content + offset, cut, &id);
      g_array_append_val (ids, id);
      offset += cut;
    }
  allset_file_id ((AllsetHash *) ids->data, ids->len, &file);
  return allset_hash_to_hex (&file);
}

static void
test_tree (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  g_autofree char *id = expected_id ("hello", 5);
  g_autofree char *empty = expected_id ("", 0);
  g_autofree char *script = g_build_filename (fixture->root, "bin/run.sh", NULL);
  g_autofree char *link = g_build_filename (fixture->root, "Docs/link", NULL);
  g_autofree char *fifo = g_build_filename (fixture->root, "fifo", NULL);
  g_autofree char *empty_dir = g_build_filename (fixture->root, "Empty/Inner", NULL);
  AllsetLocalEntry *e;

  write_file (fixture, "Docs/a.txt", "hello", 5);
  write_file (fixture, "Docs/empty", "", 0);
  write_file (fixture, "bin/run.sh", "#!/bin/sh\n", -1);
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (empty_dir, 0700), ==, 0);
  g_assert_cmpint (symlink ("a.txt", link), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  write_file (fixture, "bad:name.txt", "x", 1);
  write_file (fixture, "CON.txt", "x", 1);
  write_file (fixture, "trailing.", "x", 1);
  write_file (fixture, "Case/Readme", "1", 1);
  write_file (fixture, "Case/README", "2", 1);
  write_file (fixture, "Case/Other", "3", 1);
  write_file (fixture, "not-utf8-\xff.txt", "x", 1);
  write_file (fixture, "~$lock.docx", "x", 1);
  write_file (fixture, "Docs/.DS_Store", "x", 1);
  write_file (fixture, ".allset-part-abc", "x", 1);
  write_file (fixture, "Docs/.allset-part-def", "x", 1);
  write_file (fixture, "Docs/.allset-part-ghi", "x", 1);
  age (fixture, "Docs/a.txt");

  result = scan (fixture, "");
  g_assert_cmpstr (result->subpath, ==, "");

  e = entry (result, "Docs/a.txt");
  g_assert_nonnull (e);
  g_assert_cmpint (e->type, ==, ALLSET_ENTRY_FILE);
  g_assert_cmpstr (e->file_id, ==, id);
  g_assert_cmpint (e->size, ==, 5);
  g_assert_cmpint (e->mtime_ns, ==, G_GINT64_CONSTANT (1700000000123456789));
  g_assert_false (e->executable);
  g_assert_cmpint (e->flags, ==, 0);
  g_assert_null (e->disk_path);
  g_assert_cmpuint (e->inode, !=, 0);

  g_assert_cmpstr (entry (result, "Docs/empty")->file_id, ==, empty);
  g_assert_true (entry (result, "bin/run.sh")->executable);
  g_assert_cmpint (entry (result, "Docs")->type, ==, ALLSET_ENTRY_DIR);
  g_assert_cmpint (entry (result, "Empty/Inner")->type, ==, ALLSET_ENTRY_DIR);

  /* Reported and kept as SKIPPED: the reconciler must not act there. */
  g_assert_cmpint (entry (result, "Docs/link")->flags, ==, ALLSET_LOCAL_SKIPPED);
  g_assert_cmpint (entry (result, "Docs/link")->type, ==, ALLSET_ENTRY_OTHER);
  g_assert_cmpint (issue_kind (result, "Docs/link"), ==, ALLSET_ISSUE_SYMLINK);
  g_assert_cmpint (issue_kind (result, "fifo"), ==, ALLSET_ISSUE_SPECIAL_FILE);
  g_assert_cmpint (issue_kind (result, "bad:name.txt"), ==, ALLSET_ISSUE_UNPORTABLE_NAME);
  g_assert_cmpint (issue_kind (result, "CON.txt"), ==, ALLSET_ISSUE_UNPORTABLE_NAME);
  g_assert_cmpint (issue_kind (result, "trailing."), ==, ALLSET_ISSUE_UNPORTABLE_NAME);
  g_assert_cmpint (issue_kind (result, "not-utf8-\\xFF.txt"), ==, ALLSET_ISSUE_UNPORTABLE_NAME);
  g_assert_cmpstr (entry (result, "not-utf8-\\xFF.txt")->disk_path, ==, "not-utf8-\xff.txt");
  g_assert_cmpint (issue_kind (result, "Case/Readme"), ==, ALLSET_ISSUE_CASE_CLASH);
  g_assert_cmpint (issue_kind (result, "Case/README"), ==, ALLSET_ISSUE_CASE_CLASH);
  g_assert_true (entry (result, "Case/README")->flags & ALLSET_LOCAL_SKIPPED);
  g_assert_false (entry (result, "Case/Other")->flags & ALLSET_LOCAL_SKIPPED);
  g_assert_null (entry (result, "bad:name.txt")->file_id);

  /* Ignored: not there at all. */
  g_assert_null (entry (result, "~$lock.docx"));
  g_assert_null (entry (result, "Docs/.DS_Store"));
  g_assert_null (entry (result, ".allset-part-abc"));
  /* Where they are, once per directory: the sweep of stale parts looks
   * there only. */
  g_assert_cmpuint (result->part_dirs->len, ==, 2);
  g_assert_true (g_ptr_array_find_with_equal_func (result->part_dirs, "", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (result->part_dirs, "Docs", g_str_equal, NULL));

  g_assert_cmpuint (result->n_files, ==, 4);
  g_assert_cmpuint (result->n_dirs, ==, 5);

  /* The journal remembers all of it, issues included. */
  {
    g_autoptr(GHashTable) cache = allset_journal_snapshot_local (fixture->journal, "", NULL);
    g_autoptr(GPtrArray) issues = allset_journal_list_issues (fixture->journal, NULL);

    g_assert_cmpuint (g_hash_table_size (cache), ==, g_hash_table_size (result->entries));
    g_assert_cmpuint (issues->len, ==, result->issues->len);
  }
}

static void
test_nfd (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  AllsetLocalEntry *e;

  /* "Été/café.txt" stored decomposed, as macOS does. */
  write_file (fixture, "E\xcc\x81te\xcc\x81/cafe\xcc\x81.txt", "x", 1);
  result = scan (fixture, "");
  e = entry (result, "\xc3\x89t\xc3\xa9/caf\xc3\xa9.txt");
  g_assert_nonnull (e);
  g_assert_false (e->flags & ALLSET_LOCAL_SKIPPED);
  g_assert_nonnull (e->file_id);
  g_assert_cmpstr (e->disk_path, ==, "E\xcc\x81te\xcc\x81/cafe\xcc\x81.txt");
  g_assert_cmpstr (entry (result, "\xc3\x89t\xc3\xa9")->disk_path, ==, "E\xcc\x81te\xcc\x81");

  /* The same name twice, once per normal form: a clash. */
  write_file (fixture, "\xc3\x89t\xc3\xa9/caf\xc3\xa9.txt", "y", 1);
  g_clear_pointer (&result, allset_scan_result_free);
  result = scan (fixture, "");
  g_assert_cmpint (issue_kind (result, "\xc3\x89t\xc3\xa9"), ==, ALLSET_ISSUE_CASE_CLASH);
}

static void
test_rescan (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  g_autofree char *a_path = g_build_filename (fixture->root, "d/a", NULL);
  g_autofree char *moved = g_build_filename (fixture->root, "d/moved", NULL);
  g_autofree char *first_id = NULL;
  sqlite3 *db = NULL;
  gint64 version;

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *rel = g_strdup_printf ("d/f%u", i);
      g_autofree char *content = g_strdup_printf ("content %u", i);

      write_file (fixture, rel, content, -1);
      age (fixture, rel);
    }
  write_file (fixture, "d/a", "aaa", 3);
  age (fixture, "d/a");

  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 51);
  first_id = g_strdup (entry (result, "d/a")->file_id);
  g_clear_pointer (&result, allset_scan_result_free);

  /* Unchanged: nothing read, nothing written. */
  g_assert_cmpint (sqlite3_open (allset_journal_get_path (fixture->journal), &db), ==, SQLITE_OK);
  version = data_version (db);
  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 0);
  g_assert_cmpuint (result->n_files, ==, 51);
  g_assert_cmpint (data_version (db), ==, version);
  g_clear_pointer (&result, allset_scan_result_free);

  /* chmod +x: no rehash, the bit is seen. */
  g_assert_cmpint (g_chmod (a_path, 0700), ==, 0);
  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 0);
  g_assert_true (entry (result, "d/a")->executable);
  g_clear_pointer (&result, allset_scan_result_free);

  /* Same size, new content, new mtime: rehashed, alone. */
  write_file (fixture, "d/a", "bbb", 3);
  {
    struct timespec times[2] = { { 1700000001, 0 }, { 1700000001, 5 } };

    g_assert_cmpint (utimensat (AT_FDCWD, a_path, times, 0), ==, 0);
  }
  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 1);
  g_assert_cmpstr (entry (result, "d/a")->file_id, !=, first_id);
  g_clear_pointer (&result, allset_scan_result_free);

  /* A rename keeps the inode: no rehash, and the chunks follow. */
  g_assert_cmpint (g_rename (a_path, moved), ==, 0);
  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 0);
  g_assert_null (entry (result, "d/a"));
  g_assert_nonnull (entry (result, "d/moved"));
  {
    g_autoptr(GArray) chunks = allset_journal_local_chunks (fixture->journal, "d/moved", NULL);
    g_autoptr(GArray) old = allset_journal_local_chunks (fixture->journal, "d/a", NULL);

    g_assert_cmpuint (chunks->len, ==, 1);
    g_assert_cmpuint (old->len, ==, 0);
  }
  sqlite3_close (db);
}

static void
test_racy (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;

  /* Written just now: hashed, but not trusted next time. */
  write_file (fixture, "fresh", "new", 3);
  result = scan (fixture, "");
  g_assert_true (entry (result, "fresh")->flags & ALLSET_LOCAL_RACY);
  g_assert_nonnull (entry (result, "fresh")->file_id);
  g_clear_pointer (&result, allset_scan_result_free);

  g_usleep (200 * 1000);
  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 1);
  g_assert_cmpint (entry (result, "fresh")->flags, ==, 0);
  g_clear_pointer (&result, allset_scan_result_free);

  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 0);
}

static void
test_chunks (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  g_autoptr(GArray) chunks = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (AllsetHash));
  g_autofree guint8 *content = g_malloc (6 * 1024 * 1024);
  g_autofree char *hex = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  AllsetHash file_id;
  gint64 offset = 0;

  for (gsize i = 0; i < 6 * 1024 * 1024; i += 4)
    *(guint32 *) (content + i) = g_rand_int (rand);
  write_file (fixture, "big.bin", (const char *) content, 6 * 1024 * 1024);
  age (fixture, "big.bin");

  result = scan (fixture, "");
  g_assert_cmpuint (result->bytes_hashed, ==, 6 * 1024 * 1024);
  chunks = allset_journal_local_chunks (fixture->journal, "big.bin", NULL);
  g_assert_cmpuint (chunks->len, >=, 2);

  /* Same cuts as the protocol's chunker, contiguous, same file id. */
  for (guint i = 0; i < chunks->len; i++)
    {
      AllsetLocalChunk *chunk = &g_array_index (chunks, AllsetLocalChunk, i);
      gsize cut = allset_chunker_cut (content + offset, 6 * 1024 * 1024 - offset);
      AllsetHash id;

      g_assert_cmpint (chunk->offset, ==, offset);
      g_assert_cmpint (chunk->size, ==, cut);
      allset_sha256 (content + offset, cut, &id);
      g_assert_true (allset_hash_equal (&id, &chunk->id));
      g_array_append_val (ids, id);
      offset += cut;
    }
  g_assert_cmpint (offset, ==, 6 * 1024 * 1024);
  allset_file_id ((AllsetHash *) ids->data, ids->len, &file_id);
  hex = allset_hash_to_hex (&file_id);
  g_assert_cmpstr (entry (result, "big.bin")->file_id, ==, hex);

  /* A download can find a chunk on disk. */
  {
    g_autoptr(GPtrArray) where = allset_journal_find_chunk (fixture->journal,
                                                            &g_array_index (ids, AllsetHash, 1), NULL);

    g_assert_cmpuint (where->len, ==, 1);
    g_assert_cmpstr (((AllsetChunkLocation *) where->pdata[0])->path, ==, "big.bin");
  }
}

typedef struct
{
  char          *path;
  volatile gint  stop;
} Writer;

static gpointer
keep_writing (gpointer data)
{
  Writer *writer = data;
  int fd = open (writer->path, O_WRONLY);
  guint i = 0;

  g_assert_cmpint (fd, >=, 0);
  while (!g_atomic_int_get (&writer->stop))
    {
      char byte = i++;

      g_assert_cmpint (pwrite (fd, &byte, 1, (i * 4096) % (16 * 1024 * 1024)), ==, 1);
      g_usleep (100);
    }
  close (fd);
  return NULL;
}

static void
test_unstable (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  g_autofree char *zeros = g_malloc0 (16 * 1024 * 1024);
  Writer writer = { g_build_filename (fixture->root, "busy.db", NULL), 0 };
  GThread *thread;

  write_file (fixture, "busy.db", zeros, 16 * 1024 * 1024);
  thread = g_thread_new ("writer", keep_writing, &writer);
  g_usleep (10 * 1000);
  result = scan (fixture, "");
  g_atomic_int_set (&writer.stop, 1);
  g_thread_join (thread);

  g_assert_true (entry (result, "busy.db")->flags & ALLSET_LOCAL_UNSTABLE);
  g_assert_null (entry (result, "busy.db")->file_id);
  g_assert_cmpuint (result->unstable->len, ==, 1);
  g_assert_cmpstr (result->unstable->pdata[0], ==, "busy.db");
  g_assert_cmpint (issue_kind (result, "busy.db"), ==, ALLSET_ISSUE_UNSTABLE);
  g_free (writer.path);
}

static void
test_subpath (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  g_autoptr(GHashTable) cache = NULL;
  g_autofree char *sub = g_build_filename (fixture->root, "A/B", NULL);

  write_file (fixture, "A/B/one", "1", 1);
  write_file (fixture, "A/B/two", "2", 1);
  write_file (fixture, "C/three", "3", 1);
  result = scan (fixture, "");
  g_clear_pointer (&result, allset_scan_result_free);

  /* One changed file: only its entry. */
  write_file (fixture, "A/B/one", "111", 3);
  result = scan (fixture, "A/B/one");
  g_assert_cmpstr (result->subpath, ==, "A/B/one");
  g_assert_cmpuint (g_hash_table_size (result->entries), ==, 1);
  g_assert_cmpuint (result->n_hashed, ==, 1);
  g_assert_cmpint (entry (result, "A/B/one")->size, ==, 3);
  g_clear_pointer (&result, allset_scan_result_free);

  /* A directory: its subtree. */
  result = scan (fixture, "A/B");
  g_assert_cmpuint (g_hash_table_size (result->entries), ==, 3);
  g_clear_pointer (&result, allset_scan_result_free);

  /* Inside a directory the cache does not know yet: widened to it. */
  write_file (fixture, "New/Deep/x", "x", 1);
  result = scan (fixture, "New/Deep/x");
  g_assert_cmpstr (result->subpath, ==, "New");
  g_assert_nonnull (entry (result, "New/Deep/x"));
  g_clear_pointer (&result, allset_scan_result_free);

  /* Gone: no entries, and the journal forgets the subtree. */
  {
    g_autofree char *one = g_build_filename (sub, "one", NULL);
    g_autofree char *two = g_build_filename (sub, "two", NULL);

    g_assert_cmpint (g_remove (one) | g_remove (two) | g_rmdir (sub), ==, 0);
  }
  result = scan (fixture, "A/B");
  g_assert_cmpuint (g_hash_table_size (result->entries), ==, 0);
  cache = allset_journal_snapshot_local (fixture->journal, "A", NULL);
  g_assert_cmpuint (g_hash_table_size (cache), ==, 1);
  g_assert_true (g_hash_table_contains (cache, "A"));
  g_clear_pointer (&result, allset_scan_result_free);

  /* ".." never leaves the folder. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (allset_scanner_scan (fixture->scanner, "../x", NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetScanner) inside = NULL;
  g_autoptr(AllsetJournal) journal = NULL;
  g_autofree char *journal_path = g_build_filename (fixture->root, ".state", "j.db", NULL);
  g_autofree char *missing = g_build_filename (fixture->tmp, "unmounted", NULL);
  g_autoptr(AllsetScanner) gone = allset_scanner_new (missing, fixture->journal, NULL);
  GCancellable *cancellable = g_cancellable_new ();

  /* A missing folder is an error, never an empty folder. */
  g_assert_null (allset_scanner_scan (gone, "", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The journal must not be scanned (nor synced). */
  journal = allset_journal_open (journal_path, &error);
  g_assert_no_error (error);
  inside = allset_scanner_new (fixture->root, journal, NULL);
  g_assert_null (allset_scanner_scan (inside, "", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  write_file (fixture, "x", "x", 1);
  g_assert_null (allset_scanner_scan (fixture->scanner, "", cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (cancellable);
}

static void
test_unreadable (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  g_autofree char *dir = g_build_filename (fixture->root, "Private", NULL);
  g_autofree char *file = g_build_filename (fixture->root, "secret.txt", NULL);

  if (geteuid () == 0)
    {
      g_test_skip ("root reads everything");
      return;
    }
  write_file (fixture, "Private/x", "x", 1);
  write_file (fixture, "secret.txt", "x", 1);
  result = scan (fixture, "");
  g_clear_pointer (&result, allset_scan_result_free);

  /* A watcher event below a parent that became unreadable: not "gone",
   * the whole folder is scanned instead. */
  g_assert_cmpint (g_chmod (dir, 0000), ==, 0);
  result = scan (fixture, "Private/x");
  g_assert_cmpstr (result->subpath, ==, "");
  g_assert_true (entry (result, "Private")->flags & ALLSET_LOCAL_SKIPPED);
  g_clear_pointer (&result, allset_scan_result_free);

  g_assert_cmpint (g_chmod (file, 0000), ==, 0);
  result = scan (fixture, "");
  /* Unreadable is not empty: SKIPPED, so nothing below reads as deleted. */
  g_assert_true (entry (result, "Private")->flags & ALLSET_LOCAL_SKIPPED);
  g_assert_cmpint (issue_kind (result, "Private"), ==, ALLSET_ISSUE_PERMISSION);
  g_assert_true (entry (result, "secret.txt")->flags & ALLSET_LOCAL_SKIPPED);
  g_assert_cmpint (issue_kind (result, "secret.txt"), ==, ALLSET_ISSUE_PERMISSION);
  g_chmod (dir, 0700);
}

/* rel, repeated to len bytes. */
static char *
content_of (const char *rel,
            gsize       len)
{
  GString *content = g_string_new (NULL);

  while (content->len < len)
    g_string_append (content, rel);
  g_string_truncate (content, len);
  return g_string_free (content, FALSE);
}

/* A directory with many unknown files has them read on several threads
 * before the walk takes them in order: each entry must get its own
 * file's id, stat data and chunks, whatever thread read it. */
static void
test_ahead (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  g_autofree guint8 *medium = g_malloc (300 * 1024);
  g_autofree char *medium_id = NULL;
  g_autofree char *fifo = g_build_filename (fixture->root, "Many/fifo", NULL);
  g_autofree char *script = g_build_filename (fixture->root, "Many/f007.txt", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint64 bytes = 0;

  for (gsize i = 0; i < 300 * 1024; i += 4)
    *(guint32 *) (medium + i) = g_rand_int (rand);
  medium_id = expected_id_cut (medium, 300 * 1024);
  write_file (fixture, "Many/medium.bin", (const char *) medium, 300 * 1024);
  age (fixture, "Many/medium.bin");
  bytes += 300 * 1024;
  for (guint f = 0; f < 50; f++)
    {
      g_autofree char *rel = g_strdup_printf ("Many/f%03u.txt", f);
      g_autofree char *content = content_of (rel, 5 + f);

      /* Different lengths, so that a result given to the wrong entry
       * shows in its size as well as in its id. */
      write_file (fixture, rel, content, 5 + f);
      age (fixture, rel);
      bytes += 5 + f;
    }
  g_assert_cmpint (g_chmod (script, 0700), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 51);
  g_assert_cmpuint (result->bytes_hashed, ==, bytes);
  g_assert_cmpstr (entry (result, "Many/medium.bin")->file_id, ==, medium_id);
  g_assert_cmpint (entry (result, "Many/medium.bin")->size, ==, 300 * 1024);
  g_assert_cmpint (issue_kind (result, "Many/fifo"), ==, ALLSET_ISSUE_SPECIAL_FILE);
  for (guint f = 0; f < 50; f++)
    {
      g_autofree char *rel = g_strdup_printf ("Many/f%03u.txt", f);
      g_autofree char *want = content_of (rel, 5 + f);
      g_autofree char *id = expected_id (want, 5 + f);
      g_autoptr(GArray) chunks = allset_journal_local_chunks (fixture->journal, rel, NULL);
      AllsetLocalEntry *e = entry (result, rel);

      g_assert_cmpstr (e->file_id, ==, id);
      g_assert_cmpint (e->size, ==, 5 + f);
      g_assert_cmpint (e->mtime_ns, ==, G_GINT64_CONSTANT (1700000000123456789));
      g_assert_cmpint (e->executable, ==, f == 7);
      g_assert_cmpuint (chunks->len, ==, 1);
      g_assert_cmpint (g_array_index (chunks, AllsetLocalChunk, 0).size, ==, 5 + f);
    }
  g_clear_pointer (&result, allset_scan_result_free);

  /* Twenty new files beside the fifty known ones: only the new are read,
   * the known keep their ids and chunks. */
  for (guint f = 100; f < 120; f++)
    {
      g_autofree char *rel = g_strdup_printf ("Many/f%03u.txt", f);

      write_file (fixture, rel, rel, -1);
      age (fixture, rel);
    }
  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 20);
  for (guint f = 0; f < 120; f = f == 49 ? 100 : f + 1)
    {
      g_autofree char *rel = g_strdup_printf ("Many/f%03u.txt", f);
      gsize len = f < 100 ? 5 + f : strlen (rel);
      g_autofree char *want = content_of (rel, len);
      g_autofree char *id = expected_id (want, len);
      g_autoptr(GArray) chunks = allset_journal_local_chunks (fixture->journal, rel, NULL);

      g_assert_cmpstr (entry (result, rel)->file_id, ==, id);
      g_assert_cmpuint (chunks->len, ==, 1);
    }
}

/* More unknown files in one directory than are read ahead at once: the
 * walk reads them window by window, and each still gets its own id. */
static void
test_ahead_window (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  const guint n = 1100;

  for (guint f = 0; f < n; f++)
    {
      g_autofree char *rel = g_strdup_printf ("Wide/f%04u", f);

      write_file (fixture, rel, rel, -1);
      age (fixture, rel);
    }
  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, n);
  for (guint f = 0; f < n; f++)
    {
      g_autofree char *rel = g_strdup_printf ("Wide/f%04u", f);
      g_autofree char *id = expected_id (rel, strlen (rel));

      g_assert_cmpstr (entry (result, rel)->file_id, ==, id);
    }
}

static void
test_many (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(AllsetScanResult) result = NULL;
  gint64 start, elapsed;

  for (guint d = 0; d < 20; d++)
    for (guint f = 0; f < 50; f++)
      {
        g_autofree char *rel = g_strdup_printf ("dir%02u/file%03u.txt", d, f);

        write_file (fixture, rel, rel, -1);
        age (fixture, rel);
      }
  result = scan (fixture, "");
  g_assert_cmpuint (result->n_hashed, ==, 1000);
  g_clear_pointer (&result, allset_scan_result_free);

  start = g_get_monotonic_time ();
  result = scan (fixture, "");
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpuint (result->n_hashed, ==, 0);
  g_assert_cmpuint (result->n_files, ==, 1000);
  g_test_message ("no-change rescan of 1 000 files: %.1f ms", elapsed / 1000.0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/scanner/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("tree", test_tree);
  ADD ("nfd", test_nfd);
  ADD ("rescan", test_rescan);
  ADD ("racy", test_racy);
  ADD ("chunks", test_chunks);
  ADD ("unstable", test_unstable);
  ADD ("subpath", test_subpath);
  ADD ("errors", test_errors);
  ADD ("unreadable", test_unreadable);
  ADD ("many", test_many);
  ADD ("ahead", test_ahead);
  ADD ("ahead-window", test_ahead_window);
#undef ADD

  return g_test_run ();
}
