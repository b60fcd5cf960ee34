/* allset-client-commit.c — commits and the changes feed: parse and build
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The answers that carry receipts and changes, and the operations a
 * commit sends (docs/protocol.md, POST /api/v1/commit and GET
 * /api/v1/changes). A compact commit answer gets its receipts rebuilt
 * here, proofs included, from the batch's leaves.
 */

#include "allset-client-private.h"

/* ---- parsers ------------------------------------------------------------ */

static gpointer change_from_json (JsonObject *object, GError **error);

/* A result of the compact form: the receipt from the batch's shared
 * fields and the result's own (path, revision, file id, size, leaf); its
 * proof comes later, from the whole batch (compact_receipts_complete). */
static gboolean
compact_receipt (JsonObject           *batch,
                 JsonObject           *object,
                 AllsetCommitResult   *result,
                 GError              **error)
{
  const char *account, *time, *key_id, *signature, *root;
  gint64 size, leaf, batch_size;

  if (!json_object_has_member (object, "leaf") || result->receipt != NULL)
    return TRUE;
  if (!allset_json_get_string (batch, "account", &account, error) ||
      !allset_json_get_string (batch, "time", &time, error) ||
      !allset_json_get_string (batch, "key_id", &key_id, error) ||
      !allset_json_get_string (batch, "signature", &signature, error) ||
      !allset_json_get_string (batch, "root", &root, error) ||
      !allset_json_get_int (batch, "size", &batch_size, error) ||
      !allset_json_get_int (object, "size", &size, error) ||
      !allset_json_get_int (object, "leaf", &leaf, error))
    return FALSE;
  if (result->path == NULL || result->file_id == NULL || size < 0 || leaf < 0 || batch_size < 1)
    {
      allset_client_shape_error (error, "results", "hold an incomplete compact receipt");
      return FALSE;
    }

  result->receipt = g_new0 (AllsetReceipt, 1);
  result->receipt->account = g_strdup (account);
  result->receipt->path = g_strdup (result->path);
  result->receipt->revision = result->revision;
  result->receipt->file_id = g_strdup (result->file_id);
  result->receipt->size = (guint64) size;
  result->receipt->time = g_strdup (time);
  result->receipt->key_id = g_strdup (key_id);
  result->receipt->signature = g_strdup (signature);
  result->receipt->batch_root = g_strdup (root);
  result->receipt->batch_size = (guint64) batch_size;
  result->receipt->batch_index = (guint64) leaf;
  return TRUE;
}

/* The proofs, rebuilt from all the leaves. A batch that does not make its
 * root is not an error of the answer's shape: the commit happened, and
 * its receipts, left without proofs, fail their verification loudly. */
static void
compact_receipts_complete (GPtrArray *results)
{
  g_autoptr(GPtrArray) receipts = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < results->len; i++)
    {
      AllsetCommitResult *result = g_ptr_array_index (results, i);

      if (result->receipt != NULL && result->receipt->batch_proof == NULL)
        g_ptr_array_add (receipts, result->receipt);
    }
  if (receipts->len > 0 &&
      !allset_receipt_batch_complete ((AllsetReceipt **) receipts->pdata, receipts->len, &error))
    g_message ("The commit's receipts do not hold together: %s", error->message);
}



AllsetCommitResult *
allset_commit_result_from_json (JsonObject  *object,
                                const char  *path,
                                GError     **error)
{
  g_autoptr(AllsetCommitResult) self = g_new0 (AllsetCommitResult, 1);
  JsonObject *failure;
  gint64 status = 200;

  if (!allset_json_get_int_opt (object, "status", &status, error) ||
      !allset_client_dup_string_opt (object, "path", &self->path, error) ||
      !allset_json_get_int_opt (object, "revision", &self->revision, error) ||
      !allset_client_get_file_id_opt (object, &self->file_id, error) ||
      !allset_client_get_receipt_opt (object, &self->receipt, error) ||
      !allset_json_get_int_opt (object, "current_revision", &self->current_revision, error) ||
      !allset_client_get_object_opt (object, "error", &failure, error))
    return NULL;

  if (status < 100 || status > 599)
    {
      allset_client_shape_error (error, "status", "is not an HTTP status");
      return NULL;
    }
  self->status = status;

  if (self->path == NULL)
    self->path = g_strdup (path);

  if (failure != NULL)
    {
      const char *code = NULL;

      if (!allset_json_get_string (failure, "code", &code, error) ||
          !allset_client_dup_string_opt (failure, "message", &self->error_message, error))
        return NULL;

      self->error = allset_error_code_from_string (code);
      /* A code from a newer server: still a failure. */
      if (self->error == ALLSET_ERROR_NONE)
        self->error = ALLSET_ERROR_INTERNAL;
    }

  if (self->status == 200 && self->error != ALLSET_ERROR_NONE)
    self->status = allset_error_code_http_status (self->error);
  else if (self->status != 200 && self->error == ALLSET_ERROR_NONE)
    self->error = ALLSET_ERROR_INTERNAL;

  return g_steal_pointer (&self);
}

AllsetCommitReply *
allset_commit_reply_from_json (JsonObject  *object,
                               JsonArray   *operations,
                               GError     **error)
{
  g_autoptr(AllsetCommitReply) self = g_new0 (AllsetCommitReply, 1);
  JsonObject *batch = NULL;
  JsonArray *results;
  guint n;

  if (!allset_json_get_int (object, "cursor", &self->cursor, error) ||
      !allset_json_get_array (object, "results", &results, error) ||
      !allset_client_get_object_opt (object, "receipt_batch", &batch, error))
    return NULL;

  n = json_array_get_length (results);
  if (operations != NULL && n != json_array_get_length (operations))
    {
      allset_client_shape_error (error, "results", "does not have one result per operation");
      return NULL;
    }

  self->results = g_ptr_array_new_full (n, (GDestroyNotify) allset_commit_result_free);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (results, i);
      const char *path = NULL;
      AllsetCommitResult *result;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          allset_client_shape_error (error, "results", "must hold objects");
          return NULL;
        }

      if (operations != NULL)
        {
          JsonNode *op = json_array_get_element (operations, i);

          if (JSON_NODE_HOLDS_OBJECT (op) &&
              !allset_json_get_string_opt (json_node_get_object (op), "path", &path, NULL))
            path = NULL;
        }

      result = allset_commit_result_from_json (json_node_get_object (node), path, error);
      if (result == NULL)
        return NULL;
      g_ptr_array_add (self->results, result);
      if (batch != NULL && result->status == 200 &&
          !compact_receipt (batch, json_node_get_object (node), result, error))
        return NULL;
    }
  if (batch != NULL)
    compact_receipts_complete (self->results);

  self->previous_cursor = -1;
  if (json_object_has_member (object, "changes"))
    {
      if (!allset_json_get_int (object, "previous_cursor", &self->previous_cursor, error) ||
          !(self->changes = allset_client_parse_list (object, "changes", change_from_json,
                                        (GDestroyNotify) allset_change_free, error)))
        return NULL;
      if (self->previous_cursor < 0 || self->previous_cursor > self->cursor ||
          self->changes->len != (guint64) (self->cursor - self->previous_cursor))
        {
          allset_client_shape_error (error, "changes", "do not span previous_cursor to cursor");
          return NULL;
        }
    }

  return g_steal_pointer (&self);
}

static gpointer
change_from_json (JsonObject  *object,
                  GError     **error)
{
  static const char * const ops[] = {
    [ALLSET_CHANGE_PUT] = "put",
    [ALLSET_CHANGE_MKDIR] = "mkdir",
    [ALLSET_CHANGE_MOVE] = "move",
    [ALLSET_CHANGE_DELETE] = "delete",
  };
  g_autoptr(AllsetChange) self = g_new0 (AllsetChange, 1);
  const char *op;
  guint i;

  if (!allset_json_get_int (object, "seq", &self->seq, error) ||
      !allset_json_get_string (object, "op", &op, error) ||
      !allset_client_dup_string (object, "path", &self->path, error) ||
      !allset_json_get_int (object, "revision", &self->revision, error))
    return NULL;

  for (i = 0; i < G_N_ELEMENTS (ops); i++)
    if (g_str_equal (op, ops[i]))
      break;
  if (i == G_N_ELEMENTS (ops))
    {
      allset_client_shape_error (error, "op", "is not put, mkdir, move or delete");
      return NULL;
    }
  self->op = i;

  if (self->op == ALLSET_CHANGE_MOVE && !allset_client_dup_string (object, "to", &self->to, error))
    return NULL;

  if (self->op == ALLSET_CHANGE_PUT &&
      (!allset_client_get_file_id_opt (object, &self->file_id, error) ||
       !allset_client_get_size (object, "size", &self->size, error) ||
       !allset_json_get_int_opt (object, "mtime", &self->mtime, error) ||
       !allset_json_get_bool_opt (object, "executable", &self->executable, error)))
    return NULL;

  if (self->op == ALLSET_CHANGE_PUT && self->file_id == NULL)
    {
      allset_client_shape_error (error, "file_id", "is required for a put");
      return NULL;
    }

  return g_steal_pointer (&self);
}

AllsetChanges *
allset_changes_from_json (JsonObject  *object,
                          GError     **error)
{
  g_autoptr(AllsetChanges) self = g_new0 (AllsetChanges, 1);

  if (!allset_json_get_int (object, "cursor", &self->cursor, error) ||
      !allset_json_get_bool_opt (object, "has_more", &self->has_more, error) ||
      !(self->changes = allset_client_parse_list (object, "changes", change_from_json,
                                    (GDestroyNotify) allset_change_free, error)))
    return NULL;

  return g_steal_pointer (&self);
}

/* ---- commit operations -------------------------------------------------- */

static JsonObject *
op_new (const char *op,
        const char *path,
        gint64      base_revision)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "op", op);
  json_object_set_string_member (object, "path", path);
  json_object_set_int_member (object, "base_revision", base_revision);
  return object;
}

JsonObject *
allset_commit_op_mkdir (const char *path,
                        gint64      base_revision)
{
  g_return_val_if_fail (path != NULL, NULL);

  return op_new ("mkdir", path, base_revision);
}

JsonObject *
allset_commit_op_put (const char         *path,
                      gint64              base_revision,
                      const char * const *chunk_ids,
                      guint64             size,
                      gint64              mtime,
                      gboolean            executable)
{
  JsonObject *object;
  JsonArray *chunks = json_array_new ();

  g_return_val_if_fail (path != NULL, NULL);

  object = op_new ("put", path, base_revision);
  for (guint i = 0; chunk_ids != NULL && chunk_ids[i] != NULL; i++)
    json_array_add_string_element (chunks, chunk_ids[i]);
  json_object_set_array_member (object, "chunks", chunks);
  json_object_set_int_member (object, "size", (gint64) size);
  json_object_set_int_member (object, "mtime", mtime);
  json_object_set_boolean_member (object, "executable", executable);
  return object;
}

JsonObject *
allset_commit_op_move (const char *path,
                       const char *to,
                       gint64      base_revision)
{
  JsonObject *object;

  g_return_val_if_fail (path != NULL && to != NULL, NULL);

  object = op_new ("move", path, base_revision);
  json_object_set_string_member (object, "to", to);
  return object;
}

JsonObject *
allset_commit_op_delete (const char *path,
                         gint64      base_revision)
{
  g_return_val_if_fail (path != NULL, NULL);

  return op_new ("delete", path, base_revision);
}
