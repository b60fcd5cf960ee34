/* allset-sync-task.c — allset_sync_folder() in a GTask thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main loop never runs a pass (DESIGN.md §4 invariant 7): the GUI
 * starts it here and gets the report back in its callback.
 */

#include "allset-sync.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

typedef struct
{
  AllsetFolderConfig  folder;
  AllsetSyncOptions   options;
  char               *device_name;
  AllsetSyncReport   *report;
} SyncTaskData;

static void
sync_task_data_free (gpointer data)
{
  SyncTaskData *self = data;

  g_free (self->folder.id);
  g_free (self->folder.local);
  g_free (self->folder.remote);
  g_free (self->folder.journal);
  g_free (self->device_name);
  allset_sync_report_free (self->report);
  g_free (self);
}

static void
sync_task_run (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SyncTaskData *data = task_data;
  GError *error = NULL;

  gboolean ok;

  ok = allset_sync_folder (ALLSET_CLIENT (source_object), &data->folder, &data->options,
                           data->report, cancellable, &error);
#ifdef __GLIBC__
  /* A pass holds three views of the folder for a moment (~90 MB of small
   * blocks at 100 000 files) and frees them, but glibc keeps freed memory
   * mapped unless the very top of its heap is free, so an idle `watch`
   * or tray app stayed at the pass's peak: 106 MB, 19 MB after a trim
   * (bench/RESULTS.md). The trim costs a few ms, here off the main loop. */
  malloc_trim (0);
#endif
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
allset_sync_folder_async (AllsetClient             *client,
                          const AllsetFolderConfig *folder,
                          const AllsetSyncOptions  *options,
                          GCancellable             *cancellable,
                          GAsyncReadyCallback       callback,
                          gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  SyncTaskData *data;

  g_return_if_fail (ALLSET_IS_CLIENT (client));
  g_return_if_fail (folder != NULL && options != NULL);

  data = g_new0 (SyncTaskData, 1);
  data->folder = *folder;
  data->folder.id = g_strdup (folder->id);
  data->folder.local = g_strdup (folder->local);
  data->folder.remote = g_strdup (folder->remote);
  data->folder.journal = g_strdup (folder->journal);
  data->options = *options;
  data->device_name = g_strdup (options->device_name);
  data->options.device_name = data->device_name;
  data->report = allset_sync_report_new ();

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, allset_sync_folder_async);
  g_task_set_task_data (task, data, sync_task_data_free);
  g_task_run_in_thread (task, sync_task_run);
}

gboolean
allset_sync_folder_finish (AllsetClient      *client,
                           GAsyncResult      *result,
                           AllsetSyncReport **report,
                           GError           **error)
{
  SyncTaskData *data;

  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = g_steal_pointer (&data->report);
  return g_task_propagate_boolean (G_TASK (result), error);
}
