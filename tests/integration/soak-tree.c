/* soak-tree.c — the soak test's view of trees: local folders, the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * File ids are computed with the protocol's own chunker and hash
 * (allset_chunk_reader, allset_file_id), not read from the engine's
 * journal: the test must not trust what it checks.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "allset-chunker.h"
#include "soak-common.h"

void
soak_item_free (SoakItem *item)
{
  g_free (item->file_id);
  g_free (item);
}

/* NULL when the file cannot be read (it vanished). */
static char *
file_id_of (const char *path)
{
  g_autoptr(AllsetChunkReader) reader = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (AllsetHash));
  g_autoptr(GError) error = NULL;
  AllsetChunk chunk;
  AllsetHash file_id;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    return NULL;
  reader = allset_chunk_reader_new (fd);
  while (allset_chunk_reader_next (reader, &chunk, &error))
    g_array_append_val (ids, chunk.id);
  close (fd);
  if (error != NULL)
    return NULL;
  allset_file_id ((const AllsetHash *) ids->data, ids->len, &file_id);
  return allset_hash_to_hex (&file_id);
}

static gboolean
is_part_file (const char *name)
{
  return g_str_has_prefix (name, ".allset-part-");
}

static void
scan_dir (const char *root,
          const char *rel,
          GHashTable *tree,
          GHashTable *cache,
          guint      *n_parts)
{
  g_autofree char *dir_path = *rel != '\0' ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *child = *rel != '\0' ? g_strconcat (rel, "/", name, NULL) : g_strdup (name);
      SoakItem *item;
      struct stat st;

      if (is_part_file (name))
        {
          if (n_parts != NULL)
            (*n_parts)++;
          continue;
        }
      if (lstat (path, &st) != 0)
        continue;
      item = g_new0 (SoakItem, 1);
      item->ino = st.st_ino;
      item->mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
      if (S_ISDIR (st.st_mode))
        {
          item->type = SOAK_DIR;
          g_hash_table_replace (tree, g_strdup (child), item);
          scan_dir (root, child, tree, cache, n_parts);
          continue;
        }
      item->type = SOAK_FILE;
      item->size = st.st_size;
      item->executable = (st.st_mode & S_IXUSR) != 0;
      if (cache != NULL)
        {
          g_autofree char *key = g_strdup_printf ("%s %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT
                                                  " %" G_GUINT64_FORMAT,
                                                  child, item->size, item->mtime_ns, item->ino);
          const char *known = g_hash_table_lookup (cache, key);

          item->file_id = known != NULL ? g_strdup (known) : file_id_of (path);
          if (known == NULL && item->file_id != NULL)
            g_hash_table_replace (cache, g_steal_pointer (&key), g_strdup (item->file_id));
        }
      else
        item->file_id = file_id_of (path);
      g_hash_table_replace (tree, g_strdup (child), item);
    }
}

GHashTable *
soak_scan_local (const char *root,
                 GHashTable *cache,
                 guint      *n_parts)
{
  GHashTable *tree = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) soak_item_free);

  if (n_parts != NULL)
    *n_parts = 0;
  scan_dir (root, "", tree, cache, n_parts);
  return tree;
}

void
soak_scan_ids (const char *root,
               GHashTable *ids)
{
  g_autoptr(GHashTable) tree = soak_scan_local (root, NULL, NULL);
  GHashTableIter iter;
  const char *path;
  SoakItem *item;

  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, (gpointer *) &item))
    if (item->type == SOAK_FILE && item->file_id != NULL)
      g_hash_table_replace (ids, g_strdup (item->file_id), g_build_filename (root, path, NULL));
}

static gboolean
scan_remote_dir (AllsetClient  *api,
                 const char    *remote,
                 const char    *rel,
                 GHashTable    *tree,
                 GError       **error)
{
  g_autofree char *path = *rel != '\0' ? g_strconcat (remote, "/", rel, NULL) : g_strdup (remote);
  g_autoptr(GPtrArray) entries = allset_client_list (api, path, NULL, error);

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      AllsetEntryInfo *entry = g_ptr_array_index (entries, i);
      g_autofree char *child = *rel != '\0' ? g_strconcat (rel, "/", entry->name, NULL)
                                            : g_strdup (entry->name);
      SoakItem *item = g_new0 (SoakItem, 1);

      item->type = entry->is_dir ? SOAK_DIR : SOAK_FILE;
      item->size = entry->is_dir ? 0 : entry->size;
      item->file_id = g_strdup (entry->file_id);
      g_hash_table_replace (tree, g_strdup (child), item);
      if (!entry->is_dir)
        {
          g_autofree char *file_path = g_strconcat (remote, "/", child, NULL);
          g_autoptr(AllsetFileInfo) info = allset_client_file (api, file_path, 0, NULL, error);

          if (info == NULL)
            return FALSE;
          item->executable = info->executable;
        }
      if (entry->is_dir && !scan_remote_dir (api, remote, child, tree, error))
        return FALSE;
    }
  return TRUE;
}

GHashTable *
soak_scan_server (AllsetClient  *api,
                  const char    *remote,
                  GError       **error)
{
  g_autoptr(GHashTable) tree = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) soak_item_free);

  if (!scan_remote_dir (api, remote, "", tree, error))
    return NULL;
  return g_steal_pointer (&tree);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The union of both trees' paths, sorted: differences print in order. */
static GPtrArray *
all_paths (GHashTable *a,
           GHashTable *b)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *paths = g_ptr_array_new ();
  GHashTable *trees[2] = { a, b };

  for (guint t = 0; t < 2; t++)
    {
      GHashTableIter iter;
      const char *path;

      g_hash_table_iter_init (&iter, trees[t]);
      while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
        if (g_hash_table_add (seen, (gpointer) path))
          g_ptr_array_add (paths, (gpointer) path);
    }
  g_ptr_array_sort (paths, compare_paths);
  return paths;
}

static const char *
describe (SoakItem *item)
{
  if (item == NULL)
    return "absent";
  return item->type == SOAK_DIR ? "dir" : "file";
}

gboolean
soak_compare (GHashTable *local,
              GHashTable *server,
              GString    *diff,
              guint       max)
{
  g_autoptr(GPtrArray) paths = all_paths (local, server);
  guint n = 0;

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      SoakItem *l = g_hash_table_lookup (local, path);
      SoakItem *s = g_hash_table_lookup (server, path);
      gboolean same;

      same = l != NULL && s != NULL && l->type == s->type &&
             (l->type == SOAK_DIR ||
              (l->size == s->size && l->executable == s->executable &&
               g_strcmp0 (l->file_id, s->file_id) == 0));
      if (same)
        continue;
      if (n++ < max)
        g_string_append_printf (diff, "    %s: local %s %" G_GUINT64_FORMAT "%s %.12s, server %s %"
                                G_GUINT64_FORMAT "%s %.12s\n", path,
                                describe (l), l != NULL ? l->size : 0,
                                l != NULL && l->executable ? " +x" : "",
                                l != NULL && l->file_id != NULL ? l->file_id : "-",
                                describe (s), s != NULL ? s->size : 0,
                                s != NULL && s->executable ? " +x" : "",
                                s != NULL && s->file_id != NULL ? s->file_id : "-");
    }
  if (n > max)
    g_string_append_printf (diff, "    … and %u more\n", n - max);
  return n == 0;
}

char *
soak_signature (GHashTable *tree)
{
  g_autoptr(GPtrArray) paths = all_paths (tree, tree);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      SoakItem *item = g_hash_table_lookup (tree, path);

      g_string_append_printf (text, "%s|%d|%" G_GUINT64_FORMAT "|%" G_GINT64_FORMAT "|%"
                              G_GUINT64_FORMAT "|%d|%s\n", path, item->type, item->size,
                              item->mtime_ns, item->ino, item->executable,
                              item->file_id != NULL ? item->file_id : "");
    }
  return g_string_free (text, FALSE);
}

guint
soak_count_trashed (const char *trash)
{
  g_autoptr(GDir) dir = g_dir_open (trash, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (trash, name, NULL);
      g_autoptr(GHashTable) below = soak_scan_local (path, NULL, NULL);
      GHashTableIter iter;
      SoakItem *item;
      guint files = 0;

      g_hash_table_iter_init (&iter, below);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &item))
        if (item->type == SOAK_FILE)
          files++;
      n += MAX (files, 1);
    }
  return n;
}
