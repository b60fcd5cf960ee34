/* soak-ops.c — the soak test's random user of one client's folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Creates, edits (overwrite, in place or by rename, and append), deletes
 * files and directories, makes directories, moves and renames files and
 * directories, across directories too; touches (mtime only), flips the
 * execute bit, and now and then wipes the whole folder (a mass deletion). Names come from small pools so
 * that the three clients keep colliding on the same paths; now and then
 * a file takes a directory's name and the other way round (the
 * file-versus-directory rules).
 *
 * Every content written starts with a unique tag, so that each version
 * has its own file id and the test can follow it. Every edit changes the
 * file's size: a stat-based syncer (the engine's stat cache keys on size,
 * mtime, inode) may legitimately miss an edit that keeps size and mtime
 * within the same clock tick, and the soak is not about that trap.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "soak-common.h"

static const char * const parents[] = { "", "", "docs", "img", "docs/old" };
static const char * const file_names[] = {
  "a.txt", "a.txt", "b.txt", "c.bin", "notes", "rapport été.odt",
};
static const char * const dir_names[] = { "docs", "img", "old", "new" };

static const char *
pick (SoakUser           *user,
      const char * const *pool,
      guint               n)
{
  return pool[g_rand_int_range (user->rand, 0, n)];
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The paths of one type, sorted: hash order must not steer the seed. */
static GPtrArray *
paths_of (GHashTable *tree,
          SoakType    type)
{
  GPtrArray *paths = g_ptr_array_new ();
  GHashTableIter iter;
  const char *path;
  SoakItem *item;

  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, (gpointer *) &item))
    if (item->type == type)
      g_ptr_array_add (paths, (gpointer) path);
  g_ptr_array_sort (paths, compare_strings);
  return paths;
}

static const char *
pick_path (SoakUser   *user,
           GHashTable *tree,
           SoakType    type)
{
  g_autoptr(GPtrArray) paths = paths_of (tree, type);

  if (paths->len == 0)
    return NULL;
  return g_ptr_array_index (paths, g_rand_int_range (user->rand, 0, paths->len));
}

static char *
join (const char *parent,
      const char *name)
{
  return *parent != '\0' ? g_strconcat (parent, "/", name, NULL) : g_strdup (name);
}

static char *
full_path (SoakUser   *user,
           const char *rel)
{
  return g_build_filename (user->root, rel, NULL);
}

/* ALLSET_SOAK_VERBOSE: every operation, to follow a failing seed. */
static void
say (SoakUser   *user,
     const char *what,
     const char *path,
     const char *to)
{
  if (user->verbose)
    g_test_message ("  %s: %s %s%s%s", user->client, what, path, to != NULL ? " → " : "",
                    to != NULL ? to : "");
}

/* Unique content: a tag line, then random bytes; now and then 300 KiB to
 * 3 MiB, so that files have several chunks, or (for a new file) empty. */
static GBytes *
make_content (SoakUser *user,
              gboolean  small)
{
  GByteArray *bytes = g_byte_array_new ();
  g_autofree char *tag = NULL;
  gsize len;

  tag = g_strdup_printf ("soak %s round %u #%u\n", user->client, user->round, ++*user->serial);
  g_byte_array_append (bytes, (const guint8 *) tag, strlen (tag));
  if (!small && g_rand_int_range (user->rand, 0, 100) < 2)
    {
      /* The empty file: no chunk at all, one content shared by all. */
      g_byte_array_unref (bytes);
      return g_bytes_new (NULL, 0);
    }
  if (!small && g_rand_int_range (user->rand, 0, 100) < 6)
    len = g_rand_int_range (user->rand, 300 * 1024, 3 * 1024 * 1024);
  else
    len = g_rand_int_range (user->rand, 0, 3000);
  g_byte_array_set_size (bytes, bytes->len + len);
  for (gsize i = bytes->len - len; i < bytes->len; i++)
    bytes->data[i] = g_rand_int_range (user->rand, 0, 256);
  return g_byte_array_free_to_bytes (bytes);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* by_rename: a new inode (how many editors save); otherwise the same
 * inode, truncated (flags O_TRUNC) or appended to (O_APPEND). */
static gboolean
write_file (const char *path,
            GBytes     *content,
            gboolean    by_rename,
            int         flags)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (content, &len);
  gboolean ok;
  int fd;

  if (by_rename)
    return g_file_set_contents (path, (const char *) data, len, NULL);
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
  if (fd < 0)
    return FALSE;
  ok = write_all (fd, data, len);
  return close (fd) == 0 && ok;
}

static void
discard_item (SoakUser   *user,
              const char *path,
              SoakItem   *item)
{
  if (item->type == SOAK_FILE && item->file_id != NULL && user->discard != NULL)
    user->discard (item->file_id, path, user->discard_data);
}

/* Edit: overwrite (new size guaranteed) or append. */
static gboolean
edit_file (SoakUser   *user,
           GHashTable *tree,
           const char *rel)
{
  SoakItem *item = g_hash_table_lookup (tree, rel);
  g_autofree char *path = full_path (user, rel);
  g_autoptr(GBytes) content = make_content (user, TRUE);
  gboolean append = g_rand_boolean (user->rand);

  discard_item (user, rel, item);
  say (user, append ? "append to" : "overwrite", rel, NULL);
  if (append)
    return write_file (path, content, FALSE, O_APPEND);
  if (g_bytes_get_size (content) == item->size)
    {
      g_autoptr(GBytes) longer = NULL;
      GByteArray *grown = g_byte_array_new ();

      g_byte_array_append (grown, g_bytes_get_data (content, NULL), g_bytes_get_size (content));
      g_byte_array_append (grown, (const guint8 *) "+", 1);
      longer = g_byte_array_free_to_bytes (grown);
      return write_file (path, longer, g_rand_boolean (user->rand), O_TRUNC);
    }
  return write_file (path, content, g_rand_boolean (user->rand), O_TRUNC);
}

/* Makes the missing directories of rel's parent; FALSE when a file is in
 * the way. */
static gboolean
make_parents (SoakUser   *user,
              const char *rel)
{
  g_autofree char *parent = g_path_get_dirname (rel);
  g_autofree char *path = NULL;

  if (g_str_equal (parent, "."))
    return TRUE;
  path = full_path (user, parent);
  return g_mkdir_with_parents (path, 0755) == 0;
}

static gboolean
create_file (SoakUser   *user,
             GHashTable *tree)
{
  gboolean dir_name = g_rand_int_range (user->rand, 0, 100) < 5;
  const char *name = dir_name ? pick (user, dir_names, G_N_ELEMENTS (dir_names))
                              : pick (user, file_names, G_N_ELEMENTS (file_names));
  g_autofree char *rel = join (pick (user, parents, G_N_ELEMENTS (parents)), name);
  g_autofree char *path = full_path (user, rel);
  g_autoptr(GBytes) content = NULL;
  SoakItem *item = g_hash_table_lookup (tree, rel);

  if (item != NULL && item->type == SOAK_FILE)
    {
      user->counts->edits++;
      return edit_file (user, tree, rel);
    }
  if (item != NULL || !make_parents (user, rel))
    return FALSE;
  content = make_content (user, FALSE);
  user->counts->creates++;
  say (user, "create", rel, NULL);
  return write_file (path, content, g_rand_boolean (user->rand), O_EXCL);
}

static gboolean
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      struct stat st;

      if (lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
        remove_tree (child);
      else
        g_unlink (child);
    }
  return g_rmdir (path) == 0;
}

static gboolean
remove_dir (SoakUser   *user,
            GHashTable *tree,
            const char *rel)
{
  g_autofree char *prefix = g_strconcat (rel, "/", NULL);
  g_autofree char *path = full_path (user, rel);
  GHashTableIter iter;
  const char *child;
  SoakItem *item;

  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, (gpointer *) &child, (gpointer *) &item))
    if (g_str_has_prefix (child, prefix))
      discard_item (user, child, item);
  say (user, "rm -r", rel, NULL);
  return remove_tree (path);
}

static gboolean
make_dir (SoakUser   *user,
          GHashTable *tree)
{
  g_autofree char *rel = join (pick (user, parents, G_N_ELEMENTS (parents)),
                               pick (user, dir_names, G_N_ELEMENTS (dir_names)));
  g_autofree char *path = full_path (user, rel);

  if (g_hash_table_contains (tree, rel) || !make_parents (user, rel))
    return FALSE;
  say (user, "mkdir", rel, NULL);
  return g_mkdir (path, 0755) == 0;
}

/* A move or a rename, of a file or a directory, into any directory that
 * is not inside the source; never onto an existing path. */
static gboolean
try_move (SoakUser   *user,
          GHashTable *tree)
{
  gboolean dir = g_rand_int_range (user->rand, 0, 100) < 30;
  const char *source = pick_path (user, tree, dir ? SOAK_DIR : SOAK_FILE);
  g_autofree char *inside = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  const char *name;

  if (source == NULL)
    return FALSE;
  if (g_rand_boolean (user->rand))
    parent = g_path_get_dirname (source);   /* a rename in place */
  else
    parent = g_strdup (pick_path (user, tree, SOAK_DIR));
  if (parent == NULL || g_str_equal (parent, ".") || g_rand_int_range (user->rand, 0, 4) == 0)
    {
      g_free (parent);
      parent = g_strdup ("");
    }
  inside = g_strconcat (source, "/", NULL);
  if (g_str_equal (parent, source) || g_str_has_prefix (parent, inside))
    return FALSE;

  if (dir == (g_rand_int_range (user->rand, 0, 100) >= 10))
    name = pick (user, dir_names, G_N_ELEMENTS (dir_names));
  else
    name = pick (user, file_names, G_N_ELEMENTS (file_names));
  dest = join (parent, name);
  if (g_hash_table_contains (tree, dest))
    return FALSE;
  from = full_path (user, source);
  to = full_path (user, dest);
  say (user, "move", source, dest);
  return g_rename (from, to) == 0;
}

/* A few tries: with small name pools, the first destination drawn is
 * often taken. */
static gboolean
move_entry (SoakUser   *user,
            GHashTable *tree)
{
  for (guint i = 0; i < 4; i++)
    if (try_move (user, tree))
      return TRUE;
  return FALSE;
}

/* A copy: the same content at a second path (cp, or cp -p keeping the
 * mtime), which the engine's move-by-content detection must not take for
 * a move. */
static gboolean
copy_file (SoakUser   *user,
           GHashTable *tree)
{
  const char *source = pick_path (user, tree, SOAK_FILE);
  g_autofree char *rel = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GBytes) content = NULL;
  struct stat st;
  gsize len;

  user->counts->copies++;
  if (source == NULL)
    return FALSE;
  rel = join (pick (user, parents, G_N_ELEMENTS (parents)),
              pick (user, file_names, G_N_ELEMENTS (file_names)));
  from = full_path (user, source);
  to = full_path (user, rel);
  if (g_hash_table_contains (tree, rel) || !make_parents (user, rel) ||
      lstat (from, &st) != 0 || !g_file_get_contents (from, &data, &len, NULL))
    return FALSE;
  content = g_bytes_new_take (g_steal_pointer (&data), len);
  say (user, "copy", source, rel);
  if (!write_file (to, content, FALSE, O_EXCL))
    return FALSE;
  if (g_rand_boolean (user->rand))
    {
      struct timespec times[2] = { { 0, UTIME_OMIT }, st.st_mtim };

      return utimensat (AT_FDCWD, to, times, 0) == 0;
    }
  return TRUE;
}

/* Metadata only: the mtime (a touch, not a new version) or the execute
 * bit (a new version of the same content). */
static gboolean
touch_or_chmod (SoakUser   *user,
                GHashTable *tree,
                gboolean    chmod_it)
{
  const char *rel = pick_path (user, tree, SOAK_FILE);
  g_autofree char *path = NULL;
  struct stat st;

  if (rel == NULL)
    return FALSE;
  path = full_path (user, rel);
  say (user, chmod_it ? "chmod" : "touch", rel, NULL);
  if (chmod_it)
    {
      user->counts->chmods++;
      return stat (path, &st) == 0 && chmod (path, (st.st_mode & 07777) ^ 0111) == 0;
    }
  else
    {
      struct timespec times[2] = {
        { 0, UTIME_OMIT },
        { g_get_real_time () / G_USEC_PER_SEC - g_rand_int_range (user->rand, 10, 100000), 0 },
      };

      user->counts->touches++;
      return utimensat (AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) == 0;
    }
}

/* Everything at the top of the folder goes: more than half of the files,
 * a mass deletion that waits for confirmation (if there are at least
 * ALLSET_MASS_DELETE_MIN_FILES). */
static gboolean
wipe (SoakUser   *user,
      GHashTable *tree)
{
  g_autoptr(GPtrArray) files = paths_of (tree, SOAK_FILE);
  g_autoptr(GPtrArray) dirs = paths_of (tree, SOAK_DIR);
  gboolean ok = TRUE;

  user->counts->wipes++;
  say (user, "wipe", "everything", NULL);
  for (guint i = 0; i < files->len; i++)
    discard_item (user, files->pdata[i], g_hash_table_lookup (tree, files->pdata[i]));
  for (guint i = 0; i < dirs->len; i++)
    if (strchr (dirs->pdata[i], '/') == NULL)
      {
        g_autofree char *path = full_path (user, dirs->pdata[i]);

        ok = remove_tree (path) && ok;
      }
  for (guint i = 0; i < files->len; i++)
    if (strchr (files->pdata[i], '/') == NULL)
      {
        g_autofree char *path = full_path (user, files->pdata[i]);

        ok = g_unlink (path) == 0 && ok;
      }
  return ok;
}

static gboolean
act_once (SoakUser   *user,
          GHashTable *tree)
{
  int dice = g_rand_int_range (user->rand, 0, 100);
  const char *path;

  if (dice < 28)
    return create_file (user, tree);
  if (dice < 48)
    {
      if ((path = pick_path (user, tree, SOAK_FILE)) == NULL)
        return create_file (user, tree);
      user->counts->edits++;
      return edit_file (user, tree, path);
    }
  if (dice < 60)
    {
      g_autofree char *full = NULL;

      if ((path = pick_path (user, tree, SOAK_FILE)) == NULL)
        return FALSE;
      discard_item (user, path, g_hash_table_lookup (tree, path));
      say (user, "rm", path, NULL);
      full = full_path (user, path);
      user->counts->deletes++;
      return g_unlink (full) == 0;
    }
  if (dice < 65)
    {
      if ((path = pick_path (user, tree, SOAK_DIR)) == NULL)
        return FALSE;
      user->counts->rmdirs++;
      return remove_dir (user, tree, path);
    }
  if (dice < 72)
    {
      user->counts->mkdirs++;
      return make_dir (user, tree);
    }
  if (dice < 78)
    return touch_or_chmod (user, tree, dice < 75);
  if (dice < 79)
    return wipe (user, tree);
  if (dice < 83)
    return copy_file (user, tree);
  user->counts->moves++;
  return move_entry (user, tree);
}

void
soak_user_act (SoakUser   *user,
               GHashTable *tree,
               guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      if (!act_once (user, tree))
        user->counts->skipped++;
      /* The next operation sees what this one did. */
      g_hash_table_remove_all (tree);
      {
        g_autoptr(GHashTable) fresh = soak_scan_local (user->root, user->cache, NULL);
        GHashTableIter iter;
        gpointer key, value;

        g_hash_table_iter_init (&iter, fresh);
        while (g_hash_table_iter_next (&iter, &key, &value))
          {
            SoakItem *item = value;

            if (item->type == SOAK_FILE && item->file_id != NULL && user->written != NULL)
              user->written (item->file_id, key, user->discard_data);
            g_hash_table_iter_steal (&iter);
            g_hash_table_replace (tree, key, value);
          }
      }
    }
}
