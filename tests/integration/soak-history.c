/* soak-history.c — the soak test's record of what the server ever held
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The changes feed, read from cursor 0, gives every file id the server
 * ever committed and, replayed, every path a file ever had there. The
 * server keeps a file's versions under its path and moves them with it
 * (also those of files deleted long ago that lay below a moved
 * directory), so asking the versions of all those paths, plus the live
 * tree, finds every version the server still holds.
 */

#include <string.h>

#include "soak-common.h"

struct _SoakHistory
{
  GHashTable *ids;     /* file id → server path of its first put */
  GHashTable *live;    /* server path → file id: the live files per the feed */
  GHashTable *paths;   /* every server path that ever held a file (a set) */
  gint64      cursor;
};

SoakHistory *
soak_history_new (void)
{
  SoakHistory *self = g_new0 (SoakHistory, 1);

  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
soak_history_free (SoakHistory *self)
{
  g_hash_table_unref (self->ids);
  g_hash_table_unref (self->live);
  g_hash_table_unref (self->paths);
  g_free (self);
}

/* The paths of table equal to from or below it. */
static GPtrArray *
paths_at (GHashTable *table,
          const char *from)
{
  g_autofree char *prefix = g_strconcat (from, "/", NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *path;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    if (g_str_equal (path, from) || g_str_has_prefix (path, prefix))
      g_ptr_array_add (found, g_strdup (path));
  return found;
}

static void
replay_move (SoakHistory *self,
             const char  *from,
             const char  *to)
{
  g_autoptr(GPtrArray) moved = paths_at (self->live, from);

  for (guint i = 0; i < moved->len; i++)
    {
      const char *old = g_ptr_array_index (moved, i);
      g_autofree char *key = NULL;
      g_autofree char *file_id = NULL;

      g_hash_table_steal_extended (self->live, old, (gpointer *) &key, (gpointer *) &file_id);
      g_hash_table_replace (self->live, g_strconcat (to, old + strlen (from), NULL),
                            g_steal_pointer (&file_id));
    }

  /* The history of every path below moves too: keep the old paths (a
   * later file there starts a history of its own) and add the new ones. */
  g_clear_pointer (&moved, g_ptr_array_unref);
  moved = paths_at (self->paths, from);
  for (guint i = 0; i < moved->len; i++)
    {
      const char *old = g_ptr_array_index (moved, i);

      g_hash_table_add (self->paths, g_strconcat (to, old + strlen (from), NULL));
    }
}

static void
replay_delete (SoakHistory *self,
               const char  *path)
{
  g_autoptr(GPtrArray) gone = paths_at (self->live, path);

  for (guint i = 0; i < gone->len; i++)
    g_hash_table_remove (self->live, g_ptr_array_index (gone, i));
}

gboolean
soak_history_refresh (SoakHistory   *self,
                      AllsetClient  *api,
                      GError       **error)
{
  gboolean more = TRUE;

  for (guint page = 0; more && page < 10000; page++)
    {
      g_autoptr(AllsetChanges) changes = allset_client_changes (api, self->cursor, 0, NULL, error);

      if (changes == NULL)
        return FALSE;
      for (guint i = 0; i < changes->changes->len; i++)
        {
          AllsetChange *change = g_ptr_array_index (changes->changes, i);

          switch (change->op)
            {
            case ALLSET_CHANGE_PUT:
              if (!g_hash_table_contains (self->ids, change->file_id))
                g_hash_table_insert (self->ids, g_strdup (change->file_id), g_strdup (change->path));
              g_hash_table_replace (self->live, g_strdup (change->path), g_strdup (change->file_id));
              g_hash_table_add (self->paths, g_strdup (change->path));
              break;
            case ALLSET_CHANGE_MOVE:
              replay_move (self, change->path, change->to);
              break;
            case ALLSET_CHANGE_DELETE:
              replay_delete (self, change->path);
              break;
            case ALLSET_CHANGE_MKDIR:
            default:
              break;
            }
        }
      self->cursor = changes->cursor;
      more = changes->has_more;
    }
  return TRUE;
}

gboolean
soak_history_has (SoakHistory *self,
                  const char  *file_id)
{
  return g_hash_table_contains (self->ids, file_id);
}

GHashTable *
soak_history_committed (SoakHistory *self)
{
  return self->ids;
}

static gboolean
add_versions (AllsetClient  *api,
              const char    *path,
              GHashTable    *found,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) versions = allset_client_versions (api, path, NULL, &local_error);

  if (versions == NULL)
    {
      /* No file there now, and none left its history there. */
      if (g_error_matches (local_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "versions of %s: ", path);
      return FALSE;
    }
  for (guint i = 0; i < versions->len; i++)
    {
      AllsetVersionInfo *version = g_ptr_array_index (versions, i);

      if (!g_hash_table_contains (found, version->file_id))
        g_hash_table_insert (found, g_strdup (version->file_id), g_strdup_printf ("server %s", path));
    }
  return TRUE;
}

gboolean
soak_history_collect (SoakHistory   *self,
                      AllsetClient  *api,
                      GHashTable    *server,
                      GHashTable    *found,
                      GError       **error)
{
  GHashTableIter iter;
  const char *path;
  SoakItem *item;

  g_hash_table_iter_init (&iter, server);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, (gpointer *) &item))
    if (item->file_id != NULL)
      g_hash_table_replace (found, g_strdup (item->file_id), g_strdup (path));
  g_hash_table_iter_init (&iter, self->paths);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    if (!add_versions (api, path, found, error))
      return FALSE;
  return TRUE;
}
