/* allset-nautilus-folders.c — the synced folders, as the file manager sees them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Coupled with src/engine/allset-config.c by hand: the file's place
 * (g_get_user_config_dir()/allset/allset.conf, what allset_config_load
 * (NULL) reads), the group names [folder "ID"], "local" (absolute; the
 * engine writes it with symlinks resolved) and "remote" ("" = the account
 * root). Only those two keys matter here; a malformed file shares nothing
 * (the engine refuses it too). Change both files together.
 *
 * Nautilus calls the menu provider on its main thread, which must not wait
 * for the disk: the file is read and its folders resolved in a GTask
 * thread, and the provider only looks at the last list read.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "allset-nautilus-folders.h"

#define CONFIG_DIR  "allset"
#define CONFIG_FILE "allset.conf"

typedef struct
{
  char     *local;         /* absolute, symlinks resolved */
  gboolean  account_root;  /* synced with the account root */
} SyncedFolder;

struct _AllsetNautilusFolders
{
  GObject       parent_instance;

  GFile        *config;
  GFileMonitor *monitor;
  GCancellable *cancellable;  /* of the read in flight */
  GPtrArray    *folders;      /* SyncedFolder; NULL until read */
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_DYNAMIC_TYPE (AllsetNautilusFolders, allset_nautilus_folders, G_TYPE_OBJECT)

static void
synced_folder_free (SyncedFolder *folder)
{
  g_free (folder->local);
  g_free (folder);
}

/* ---- the read (a worker thread) ----------------------------------------- */

/* Like the engine's resolve_path(): symlinks resolved when it exists. */
static char *
resolve_path (const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  char *real = realpath (absolute, NULL);

  if (real != NULL)
    {
      char *copy = g_strdup (real);

      free (real);
      return copy;
    }

  return g_steal_pointer (&absolute);
}

/* "folder \"ID\"" → TRUE, as folder_group_id() in allset-config.c. */
static gboolean
is_folder_group (const char *group)
{
  gsize len = strlen (group);

  return g_str_has_prefix (group, "folder \"") && len > strlen ("folder \"\"") &&
         group[len - 1] == '"';
}

static GPtrArray *
read_folders (const char  *path,
              GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GPtrArray) folders = g_ptr_array_new_with_free_func ((GDestroyNotify) synced_folder_free);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      /* Not set up yet: nothing is synced. */
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&folders);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *local = NULL;
      g_autofree char *remote = NULL;
      SyncedFolder *folder;

      if (!is_folder_group (groups[i]))
        continue;
      local = g_key_file_get_string (keyfile, groups[i], "local", NULL);
      if (local == NULL || !g_path_is_absolute (local))
        continue;
      remote = g_key_file_get_string (keyfile, groups[i], "remote", NULL);

      folder = g_new0 (SyncedFolder, 1);
      /* Already resolved by the engine, unless edited by hand. */
      folder->local = resolve_path (local);
      folder->account_root = remote == NULL || *remote == '\0';
      g_ptr_array_add (folders, folder);
    }

  return g_steal_pointer (&folders);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *folders = read_folders (task_data, &error);

  if (folders == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, folders, (GDestroyNotify) g_ptr_array_unref);
}

/* ---- on the main thread ------------------------------------------------- */

/* user_data is self without a reference: dispose cancels the read first,
 * and a cancelled task reports G_IO_ERROR_CANCELLED here. */
static void
read_done (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AllsetNautilusFolders *self;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;

  folders = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = ALLSET_NAUTILUS_FOLDERS (user_data);
  if (folders == NULL)
    {
      g_debug ("Cannot read the synced folders: %s", error->message);
      folders = g_ptr_array_new_with_free_func ((GDestroyNotify) synced_folder_free);
    }

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  self->folders = g_steal_pointer (&folders);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* A newer read replaces the one in flight: the last state of the file wins. */
static void
start_read (AllsetNautilusFolders *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  task = g_task_new (NULL, self->cancellable, read_done, self);
  g_task_set_source_tag (task, start_read);
  g_task_set_task_data (task, g_file_get_path (self->config), g_free);
  g_task_run_in_thread (task, read_thread);
}

static void
config_changed (GFileMonitor          *monitor,
                GFile                 *file,
                GFile                 *other_file,
                GFileMonitorEvent      event,
                AllsetNautilusFolders *self)
{
  /* The engine saves with a rename over the file (created, then changes
   * done); a hand edit in place ends with changes done. CHANGED alone
   * would catch a half-written file. */
  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_RENAMED:
      start_read (self);
      break;
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    case G_FILE_MONITOR_EVENT_MOVED:
    default:
      break;
    }
}

/* TRUE if path is dir or lies below it, as path_within() in allset-config.c. */
static gboolean
path_within (const char *path,
             const char *dir)
{
  gsize len = strlen (dir);

  if (g_str_equal (dir, "/"))
    return TRUE;

  return strncmp (path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

gboolean
allset_nautilus_folders_can_share (AllsetNautilusFolders *self,
                                   const char            *path)
{
  g_return_val_if_fail (ALLSET_IS_NAUTILUS_FOLDERS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  for (guint i = 0; self->folders != NULL && i < self->folders->len; i++)
    {
      SyncedFolder *folder = g_ptr_array_index (self->folders, i);

      if (!path_within (path, folder->local))
        continue;
      /* The account root itself cannot be shared. */
      return !(folder->account_root && g_str_equal (path, folder->local));
    }

  return FALSE;
}

/* ---- GObject ------------------------------------------------------------ */

static void
allset_nautilus_folders_dispose (GObject *object)
{
  AllsetNautilusFolders *self = ALLSET_NAUTILUS_FOLDERS (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
    }
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (allset_nautilus_folders_parent_class)->dispose (object);
}

static void
allset_nautilus_folders_finalize (GObject *object)
{
  AllsetNautilusFolders *self = ALLSET_NAUTILUS_FOLDERS (object);

  g_clear_object (&self->config);
  g_clear_pointer (&self->folders, g_ptr_array_unref);

  G_OBJECT_CLASS (allset_nautilus_folders_parent_class)->finalize (object);
}

static void
allset_nautilus_folders_class_init (AllsetNautilusFoldersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = allset_nautilus_folders_dispose;
  object_class->finalize = allset_nautilus_folders_finalize;

  /* After each read of the file, whether or not the list changed. */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
allset_nautilus_folders_class_finalize (AllsetNautilusFoldersClass *klass)
{
}

static void
allset_nautilus_folders_init (AllsetNautilusFolders *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), CONFIG_DIR,
                                            CONFIG_FILE, NULL);

  self->config = g_file_new_for_path (path);

  /* Watching starts before the first read, so no change falls between.
   * A missing directory is watched too (GLib polls for it). */
  self->monitor = g_file_monitor_file (self->config, G_FILE_MONITOR_NONE, NULL, &error);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (config_changed), self);
  else
    g_debug ("Cannot watch %s: %s", path, error->message);

  start_read (self);
}

void
allset_nautilus_folders_register (GTypeModule *module)
{
  allset_nautilus_folders_register_type (module);
}

AllsetNautilusFolders *
allset_nautilus_folders_new (void)
{
  return g_object_new (ALLSET_TYPE_NAUTILUS_FOLDERS, NULL);
}
