/* allset-verify-report.c — the verification report, its JSON proof, the
 * GTask form of allset_verify_folder(), and local path → folder mapping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JSON is the exportable proof of terms R13: with the server's public
 * key in it, anyone can re-check every receipt offline (docs/protocol.md
 * "Receipts" gives the signed text).
 */

#include <stdlib.h>
#include <string.h>

#include "allset-error.h"
#include "allset-path.h"
#include "allset-verify.h"

static const char * const status_names[ALLSET_VERIFY_N_STATUSES] = {
  [ALLSET_VERIFY_VERIFIED] = "verified",
  [ALLSET_VERIFY_LOCAL_CHANGED] = "local-changed",
  [ALLSET_VERIFY_PENDING] = "pending",
  [ALLSET_VERIFY_SERVER_CHANGED] = "server-changed",
  [ALLSET_VERIFY_MISMATCH] = "mismatch",
  [ALLSET_VERIFY_RECEIPT_INVALID] = "receipt-invalid",
  [ALLSET_VERIFY_MISSING_LOCAL] = "missing-local",
  [ALLSET_VERIFY_MISSING_REMOTE] = "missing-remote",
};

const char *
allset_verify_status_to_string (AllsetVerifyStatus status)
{
  g_return_val_if_fail (status < ALLSET_VERIFY_N_STATUSES, NULL);
  return status_names[status];
}

gboolean
allset_verify_status_is_loud (AllsetVerifyStatus status)
{
  return status == ALLSET_VERIFY_MISMATCH || status == ALLSET_VERIFY_RECEIPT_INVALID;
}

void
allset_verify_item_free (AllsetVerifyItem *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->remote_path);
  g_free (self->file_id);
  g_free (self->local_file_id);
  g_free (self->server_file_id);
  g_clear_pointer (&self->receipt, allset_receipt_free);
  g_free (self->message);
  g_free (self);
}

AllsetVerifyReport *
allset_verify_report_new (void)
{
  AllsetVerifyReport *self = g_new0 (AllsetVerifyReport, 1);

  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_verify_item_free);
  return self;
}

void
allset_verify_report_free (AllsetVerifyReport *self)
{
  if (self == NULL)
    return;
  g_free (self->folder_id);
  g_free (self->local);
  g_free (self->remote);
  g_free (self->subpath);
  g_free (self->server_url);
  g_free (self->account);
  g_free (self->receipt_algorithm);
  g_free (self->receipt_public_key);
  g_free (self->receipt_key_id);
  g_free (self->checked_at);
  g_ptr_array_unref (self->items);
  g_free (self);
}

gboolean
allset_verify_report_all_verified (const AllsetVerifyReport *self)
{
  return self->counts[ALLSET_VERIFY_VERIFIED] == self->n_files;
}

/* ─── JSON ─────────────────────────────────────────────────────────── */

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_bool (JsonBuilder *b,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static void
add_item (JsonBuilder            *b,
          const AllsetVerifyItem *item)
{
  json_builder_begin_object (b);
  add_string (b, "path", item->path);
  add_string (b, "remote_path", item->remote_path);
  add_string (b, "status", allset_verify_status_to_string (item->status));
  add_int (b, "revision", item->revision);
  add_int (b, "server_revision", item->server_revision);
  add_string (b, "file_id", item->file_id);
  add_string (b, "local_file_id", item->local_file_id);
  add_string (b, "server_file_id", item->server_file_id);
  add_int (b, "size", (gint64) item->size);
  json_builder_set_member_name (b, "receipt");
  if (item->receipt != NULL)
    json_builder_add_value (b, allset_receipt_to_json (item->receipt));
  else
    json_builder_add_null_value (b);
  add_bool (b, "receipt_valid", item->receipt_valid);
  add_string (b, "receipt_source", item->receipt == NULL ? NULL
                                   : item->receipt_from_server ? "server" : "journal");
  add_bool (b, "requeued", item->requeued);
  add_string (b, "message", item->message);
  json_builder_end_object (b);
}

JsonNode *
allset_verify_report_to_json (const AllsetVerifyReport *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "folder");
  json_builder_begin_object (b);
  add_string (b, "id", self->folder_id);
  add_string (b, "local", self->local);
  add_string (b, "remote", self->remote);
  json_builder_end_object (b);
  add_string (b, "subpath", self->subpath);
  add_string (b, "server", self->server_url);
  add_string (b, "account", self->account);
  add_string (b, "checked_at", self->checked_at);
  json_builder_set_member_name (b, "receipt_key");
  json_builder_begin_object (b);
  add_string (b, "algorithm", self->receipt_algorithm);
  add_string (b, "public_key", self->receipt_public_key);
  add_string (b, "key_id", self->receipt_key_id);
  json_builder_end_object (b);
  add_bool (b, "all_verified", allset_verify_report_all_verified (self));
  add_int (b, "n_files", self->n_files);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  for (guint i = 0; i < ALLSET_VERIFY_N_STATUSES; i++)
    add_int (b, status_names[i], self->counts[i]);
  json_builder_end_object (b);
  add_int (b, "requeued", self->requeued);
  add_int (b, "hashed_files", self->n_hashed);
  add_int (b, "hashed_bytes", (gint64) self->bytes_hashed);
  add_int (b, "requests", self->n_requests);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->items->len; i++)
    add_item (b, g_ptr_array_index (self->items, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

/* ─── GTask ────────────────────────────────────────────────────────── */

typedef struct
{
  AllsetFolderConfig  folder;
  char               *subpath;
  AllsetVerifyReport *report;
} VerifyTaskData;

static void
verify_task_data_free (gpointer data)
{
  VerifyTaskData *self = data;

  g_free (self->folder.id);
  g_free (self->folder.local);
  g_free (self->folder.remote);
  g_free (self->folder.journal);
  g_free (self->subpath);
  allset_verify_report_free (self->report);
  g_free (self);
}

static void
verify_task_run (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  VerifyTaskData *data = task_data;
  GError *error = NULL;

  if (allset_verify_folder (ALLSET_CLIENT (source_object), &data->folder, data->subpath,
                            data->report, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
allset_verify_folder_async (AllsetClient             *client,
                            const AllsetFolderConfig *folder,
                            const char               *subpath,
                            GCancellable             *cancellable,
                            GAsyncReadyCallback       callback,
                            gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  VerifyTaskData *data;

  g_return_if_fail (ALLSET_IS_CLIENT (client));
  g_return_if_fail (folder != NULL);

  data = g_new0 (VerifyTaskData, 1);
  data->folder = *folder;
  data->folder.id = g_strdup (folder->id);
  data->folder.local = g_strdup (folder->local);
  data->folder.remote = g_strdup (folder->remote);
  data->folder.journal = g_strdup (folder->journal);
  data->subpath = g_strdup (subpath);
  data->report = allset_verify_report_new ();

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, allset_verify_folder_async);
  g_task_set_task_data (task, data, verify_task_data_free);
  g_task_run_in_thread (task, verify_task_run);
}

gboolean
allset_verify_folder_finish (AllsetClient        *client,
                             GAsyncResult        *result,
                             AllsetVerifyReport **report,
                             GError             **error)
{
  VerifyTaskData *data;

  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = g_steal_pointer (&data->report);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ─── Paths ────────────────────────────────────────────────────────── */

/* realpath() of the longest part of path that exists, and the rest
 * appended: a deleted file still maps into its folder, through the same
 * symlinks the folder's (resolved) local path went through. */
static char *
resolve_existing_prefix (const char *absolute)
{
  g_autofree char *head = g_strdup (absolute);
  g_autoptr(GString) tail = g_string_new (NULL);

  for (;;)
    {
      g_autofree char *real = realpath (head, NULL);
      char *slash;

      if (real != NULL)
        return g_strconcat (real, tail->str, NULL);
      slash = strrchr (head, '/');
      if (slash == NULL || slash == head)
        return g_strdup (absolute);
      g_string_prepend (tail, slash);
      *slash = '\0';
    }
}

gboolean
allset_verify_resolve_path (AllsetConfig        *config,
                            const char          *path,
                            AllsetFolderConfig **folder,
                            char               **relative,
                            GError             **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *resolved = NULL;
  AllsetFolderConfig *found;
  const char *rest;
  char *nfc;

  g_return_val_if_fail (path != NULL && folder != NULL && relative != NULL, FALSE);

  absolute = g_canonicalize_filename (path, NULL);
  resolved = resolve_existing_prefix (absolute);
  found = allset_config_folder_for_path (config, resolved);
  if (found == NULL)
    found = allset_config_folder_for_path (config, absolute);
  if (found == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s is not inside a synced folder", absolute);
      return FALSE;
    }

  rest = g_str_has_prefix (resolved, found->local) ? resolved + strlen (found->local)
                                                   : absolute + strlen (found->local);
  while (*rest == '/')
    rest++;
  nfc = allset_path_normalize (rest, TRUE, error);
  if (nfc == NULL)
    return FALSE;
  *folder = found;
  *relative = nfc;
  return TRUE;
}

char *
allset_verify_remote_path (const AllsetFolderConfig *folder,
                           const char               *relative)
{
  const char *prefix = folder->remote != NULL ? folder->remote : "";

  if (*prefix == '\0')
    return g_strdup (relative);
  if (*relative == '\0')
    return g_strdup (prefix);
  return g_strconcat (prefix, "/", relative, NULL);
}

char *
allset_verify_folder_path (const AllsetFolderConfig *folder,
                           const char               *remote_path)
{
  const char *prefix = folder->remote != NULL ? folder->remote : "";
  gsize len = strlen (prefix);

  if (!allset_path_has_prefix (remote_path, prefix))
    return NULL;
  if (len == 0)
    return g_strdup (remote_path);
  return g_strdup (remote_path[len] == '/' ? remote_path + len + 1 : remote_path + len);
}
