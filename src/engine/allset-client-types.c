/* allset-client-types.c — the structs of AllsetClient: free, parse, build
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parsers check the shapes of docs/protocol.md strictly enough that the
 * engine can trust what it gets: required members present and typed, sizes
 * not negative, chunk ids well formed. Commits and the changes feed:
 * allset-client-commit.c.
 */

#include <string.h>

#include "allset-client-private.h"

/* ---- free --------------------------------------------------------------- */

void
allset_server_status_free (AllsetServerStatus *self)
{
  if (self == NULL)
    return;

  g_free (self->service);
  g_free (self->version);
  g_free (self->maintenance_until);
  g_free (self->maintenance_message);
  g_free (self->receipt_algorithm);
  g_free (self->receipt_public_key);
  g_free (self->receipt_key_id);
  g_free (self);
}

void
allset_login_info_free (AllsetLoginInfo *self)
{
  if (self == NULL)
    return;

  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->device_id);
  g_free (self->expires_at);
  g_free (self);
}

void
allset_account_info_free (AllsetAccountInfo *self)
{
  if (self == NULL)
    return;

  g_free (self->username);
  g_free (self->name);
  g_free (self->email);
  g_free (self);
}

void
allset_device_info_free (AllsetDeviceInfo *self)
{
  if (self == NULL)
    return;

  g_free (self->device_id);
  g_free (self->name);
  g_free (self->created_at);
  g_free (self->last_seen_at);
  g_free (self->expires_at);
  g_free (self);
}

void
allset_commit_result_free (AllsetCommitResult *self)
{
  if (self == NULL)
    return;

  g_free (self->path);
  g_free (self->file_id);
  g_clear_pointer (&self->receipt, allset_receipt_free);
  g_free (self->error_message);
  g_free (self);
}

void
allset_commit_reply_free (AllsetCommitReply *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->changes, g_ptr_array_unref);
  g_free (self);
}

void
allset_change_free (AllsetChange *self)
{
  if (self == NULL)
    return;

  g_free (self->path);
  g_free (self->to);
  g_free (self->file_id);
  g_free (self);
}

void
allset_changes_free (AllsetChanges *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->changes, g_ptr_array_unref);
  g_free (self);
}

void
allset_file_info_free (AllsetFileInfo *self)
{
  if (self == NULL)
    return;

  g_free (self->path);
  g_free (self->file_id);
  g_clear_pointer (&self->chunks, g_array_unref);
  g_clear_pointer (&self->receipt, allset_receipt_free);
  g_free (self);
}

void
allset_entry_info_free (AllsetEntryInfo *self)
{
  if (self == NULL)
    return;

  g_free (self->name);
  g_free (self->file_id);
  g_free (self);
}

void
allset_version_info_free (AllsetVersionInfo *self)
{
  if (self == NULL)
    return;

  g_free (self->file_id);
  g_free (self->created_at);
  g_free (self);
}

void
allset_trash_entry_free (AllsetTrashEntry *self)
{
  if (self == NULL)
    return;

  g_free (self->path);
  g_free (self->deleted_at);
  g_free (self);
}

void
allset_share_info_free (AllsetShareInfo *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->token_prefix);
  g_free (self->path);
  g_free (self->created_at);
  g_free (self->expires_at);
  g_free (self->state);
  g_free (self->suspended_reason);
  /* The token is the link's only secret: do not leave it in freed memory. */
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  if (self->url != NULL)
    memset (self->url, 0, strlen (self->url));
  g_free (self->url);
  g_free (self);
}

/* ---- parse helpers ------------------------------------------------------ */

gboolean
allset_client_shape_error (GError     **error,
                           const char  *member,
                           const char  *problem)
{
  g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
               "Member “%s” %s", member, problem);
  return FALSE;
}

gboolean
allset_client_get_size (JsonObject  *object,
          const char  *member,
          guint64     *out,
          GError     **error)
{
  gint64 value;

  if (!allset_json_get_int (object, member, &value, error))
    return FALSE;
  if (value < 0)
    return allset_client_shape_error (error, member, "must not be negative");

  *out = value;
  return TRUE;
}

gboolean
allset_client_get_size_opt (JsonObject  *object,
                            const char  *member,
                            guint64     *out,
                            GError     **error)
{
  gint64 value = 0;

  if (!allset_json_get_int_opt (object, member, &value, error))
    return FALSE;
  if (value < 0)
    return allset_client_shape_error (error, member, "must not be negative");

  *out = value;
  return TRUE;
}

/* A required string, copied. */
gboolean
allset_client_dup_string (JsonObject  *object,
                          const char  *member,
                          char       **out,
                          GError     **error)
{
  const char *value;

  if (!allset_json_get_string (object, member, &value, error))
    return FALSE;

  *out = g_strdup (value);
  return TRUE;
}

/* An optional or null string, copied (NULL when absent). */
gboolean
allset_client_dup_string_opt (JsonObject  *object,
                              const char  *member,
                              char       **out,
                              GError     **error)
{
  const char *value = NULL;

  if (!allset_json_get_string_opt (object, member, &value, error))
    return FALSE;

  *out = g_strdup (value);
  return TRUE;
}

gboolean
allset_client_get_object_opt (JsonObject  *object,
                const char  *member,
                JsonObject **out,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return allset_client_shape_error (error, member, "must be an object");

  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
allset_client_get_file_id_opt (JsonObject  *object,
                 char       **out,
                 GError     **error)
{
  AllsetHash hash;

  if (!allset_client_dup_string_opt (object, "file_id", out, error))
    return FALSE;
  if (*out != NULL && !allset_hash_from_hex (*out, &hash))
    {
      g_clear_pointer (out, g_free);
      return allset_client_shape_error (error, "file_id", "must be 64 lowercase hexadecimal digits");
    }

  return TRUE;
}

gboolean
allset_client_get_receipt_opt (JsonObject     *object,
                 AllsetReceipt **out,
                 GError        **error)
{
  JsonNode *node = json_object_get_member (object, "receipt");

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  *out = allset_receipt_from_json (node, error);
  return *out != NULL;
}


/* Parses object[member], an array of objects, with parse. */
GPtrArray *
allset_client_parse_list (JsonObject     *object,
            const char     *member,
            AllsetClientElementParser   parse,
            GDestroyNotify  free_func,
            GError        **error)
{
  g_autoptr(GPtrArray) list = NULL;
  JsonArray *array;
  guint n;

  if (!allset_json_get_array (object, member, &array, error))
    return NULL;

  n = json_array_get_length (array);
  list = g_ptr_array_new_full (n, free_func);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      gpointer element;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          allset_client_shape_error (error, member, "must hold objects");
          return NULL;
        }

      element = parse (json_node_get_object (node), error);
      if (element == NULL)
        return NULL;
      g_ptr_array_add (list, element);
    }

  return g_steal_pointer (&list);
}

/* ---- parsers ------------------------------------------------------------ */

AllsetServerStatus *
allset_server_status_from_json (JsonObject  *object,
                                GError     **error)
{
  g_autoptr(AllsetServerStatus) self = g_new0 (AllsetServerStatus, 1);
  JsonObject *maintenance, *limits, *key;

  if (!allset_client_dup_string (object, "service", &self->service, error) ||
      !allset_client_dup_string (object, "version", &self->version, error) ||
      !allset_json_get_int (object, "protocol", &self->protocol, error) ||
      !allset_client_get_object_opt (object, "maintenance", &maintenance, error) ||
      !allset_client_get_object_opt (object, "limits", &limits, error) ||
      !allset_client_get_object_opt (object, "receipt_key", &key, error))
    return NULL;

  if (maintenance != NULL &&
      (!allset_json_get_bool_opt (maintenance, "active", &self->maintenance, error) ||
       !allset_client_dup_string_opt (maintenance, "until", &self->maintenance_until, error) ||
       !allset_client_dup_string_opt (maintenance, "message", &self->maintenance_message, error)))
    return NULL;

  if (limits != NULL &&
      (!allset_client_get_size_opt (limits, "bandwidth_up_bps", &self->bandwidth_up_bps, error) ||
       !allset_client_get_size_opt (limits, "bandwidth_down_bps", &self->bandwidth_down_bps, error) ||
       !allset_client_get_size_opt (limits, "chunk_min", &self->chunk_min, error) ||
       !allset_client_get_size_opt (limits, "chunk_avg", &self->chunk_avg, error) ||
       !allset_client_get_size_opt (limits, "chunk_max", &self->chunk_max, error) ||
       !allset_client_get_size_opt (limits, "pack_max_bytes", &self->pack_max_bytes, error) ||
       !allset_client_get_size_opt (limits, "small_chunk_max", &self->small_chunk_max, error)))
    return NULL;

  if (key != NULL &&
      (!allset_client_dup_string_opt (key, "algorithm", &self->receipt_algorithm, error) ||
       !allset_client_dup_string_opt (key, "public_key", &self->receipt_public_key, error) ||
       !allset_client_dup_string_opt (key, "key_id", &self->receipt_key_id, error)))
    return NULL;

  return g_steal_pointer (&self);
}

AllsetLoginInfo *
allset_login_info_from_json (JsonObject  *object,
                             GError     **error)
{
  g_autoptr(AllsetLoginInfo) self = g_new0 (AllsetLoginInfo, 1);

  if (!allset_client_dup_string (object, "token", &self->token, error) ||
      !allset_client_dup_string (object, "device_id", &self->device_id, error) ||
      !allset_client_dup_string_opt (object, "expires_at", &self->expires_at, error))
    return NULL;

  if (*self->token == '\0')
    {
      allset_client_shape_error (error, "token", "must not be empty");
      return NULL;
    }

  return g_steal_pointer (&self);
}

AllsetAccountInfo *
allset_account_info_from_json (JsonObject  *object,
                               GError     **error)
{
  g_autoptr(AllsetAccountInfo) self = g_new0 (AllsetAccountInfo, 1);

  if (!allset_client_dup_string (object, "username", &self->username, error) ||
      !allset_client_dup_string_opt (object, "name", &self->name, error) ||
      !allset_client_dup_string_opt (object, "email", &self->email, error) ||
      !allset_client_get_size (object, "quota", &self->quota, error) ||
      !allset_client_get_size (object, "used", &self->used, error) ||
      !allset_json_get_int (object, "cursor", &self->cursor, error))
    return NULL;

  return g_steal_pointer (&self);
}

static gpointer
device_from_json (JsonObject  *object,
                  GError     **error)
{
  g_autoptr(AllsetDeviceInfo) self = g_new0 (AllsetDeviceInfo, 1);

  if (!allset_client_dup_string (object, "device_id", &self->device_id, error) ||
      !allset_client_dup_string (object, "name", &self->name, error) ||
      !allset_client_dup_string_opt (object, "created_at", &self->created_at, error) ||
      !allset_client_dup_string_opt (object, "last_seen_at", &self->last_seen_at, error) ||
      !allset_client_dup_string_opt (object, "expires_at", &self->expires_at, error) ||
      !allset_json_get_bool_opt (object, "current", &self->current, error))
    return NULL;

  return g_steal_pointer (&self);
}

GPtrArray *
allset_device_list_from_json (JsonObject  *object,
                              GError     **error)
{
  return allset_client_parse_list (object, "devices", device_from_json,
                     (GDestroyNotify) allset_device_info_free, error);
}

AllsetFileInfo *
allset_file_info_from_json (JsonObject  *object,
                            GError     **error)
{
  g_autoptr(AllsetFileInfo) self = g_new0 (AllsetFileInfo, 1);
  JsonArray *chunks;
  guint64 total = 0;
  guint n;

  if (!allset_client_dup_string (object, "path", &self->path, error) ||
      !allset_json_get_int (object, "revision", &self->revision, error) ||
      !allset_client_get_file_id_opt (object, &self->file_id, error) ||
      !allset_client_get_size (object, "size", &self->size, error) ||
      !allset_json_get_int_opt (object, "mtime", &self->mtime, error) ||
      !allset_json_get_bool_opt (object, "executable", &self->executable, error) ||
      !allset_json_get_array (object, "chunks", &chunks, error) ||
      !allset_client_get_receipt_opt (object, &self->receipt, error))
    return NULL;

  n = json_array_get_length (chunks);
  self->chunks = g_array_sized_new (FALSE, TRUE, sizeof (AllsetChunkInfo), n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (chunks, i);
      AllsetChunkInfo info = { { 0 }, 0 };
      AllsetHash hash;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !allset_json_get_string (json_node_get_object (node), "id", &id, error) ||
          !allset_client_get_size (json_node_get_object (node), "size", &info.size, error))
        {
          if (error != NULL && *error == NULL)
            allset_client_shape_error (error, "chunks", "must hold objects");
          return NULL;
        }

      if (!allset_hash_from_hex (id, &hash))
        {
          allset_client_shape_error (error, "chunks", "holds an id that is not 64 lowercase hexadecimal digits");
          return NULL;
        }

      memcpy (info.id, id, ALLSET_HASH_HEX_LEN);
      total += info.size;
      g_array_append_val (self->chunks, info);
    }

  if (total != self->size)
    {
      allset_client_shape_error (error, "chunks", "sizes do not add up to the file size");
      return NULL;
    }

  return g_steal_pointer (&self);
}

static gpointer
entry_from_json (JsonObject  *object,
                 GError     **error)
{
  g_autoptr(AllsetEntryInfo) self = g_new0 (AllsetEntryInfo, 1);
  const char *type;

  if (!allset_client_dup_string (object, "name", &self->name, error) ||
      !allset_json_get_string (object, "type", &type, error) ||
      !allset_json_get_int_opt (object, "revision", &self->revision, error) ||
      !allset_client_get_size_opt (object, "size", &self->size, error) ||
      !allset_json_get_int_opt (object, "mtime", &self->mtime, error) ||
      !allset_client_get_file_id_opt (object, &self->file_id, error))
    return NULL;

  self->is_dir = g_str_equal (type, "dir");
  return g_steal_pointer (&self);
}

GPtrArray *
allset_entry_list_from_json (JsonObject  *object,
                             GError     **error)
{
  return allset_client_parse_list (object, "entries", entry_from_json,
                     (GDestroyNotify) allset_entry_info_free, error);
}

static gpointer
version_from_json (JsonObject  *object,
                   GError     **error)
{
  g_autoptr(AllsetVersionInfo) self = g_new0 (AllsetVersionInfo, 1);

  if (!allset_json_get_int (object, "revision", &self->revision, error) ||
      !allset_client_get_file_id_opt (object, &self->file_id, error) ||
      !allset_client_get_size_opt (object, "size", &self->size, error) ||
      !allset_json_get_int_opt (object, "mtime", &self->mtime, error) ||
      !allset_client_dup_string_opt (object, "created_at", &self->created_at, error))
    return NULL;

  return g_steal_pointer (&self);
}

GPtrArray *
allset_version_list_from_json (JsonObject  *object,
                               GError     **error)
{
  return allset_client_parse_list (object, "versions", version_from_json,
                     (GDestroyNotify) allset_version_info_free, error);
}

static gpointer
trash_entry_from_json (JsonObject  *object,
                       GError     **error)
{
  g_autoptr(AllsetTrashEntry) self = g_new0 (AllsetTrashEntry, 1);
  const char *type = "file";

  if (!allset_json_get_int (object, "trash_id", &self->trash_id, error) ||
      !allset_client_dup_string (object, "path", &self->path, error) ||
      !allset_json_get_string_opt (object, "type", &type, error) ||
      !allset_client_get_size_opt (object, "size", &self->size, error) ||
      !allset_client_dup_string_opt (object, "deleted_at", &self->deleted_at, error) ||
      !allset_json_get_int_opt (object, "revision", &self->revision, error))
    return NULL;

  self->is_dir = g_str_equal (type, "dir");
  return g_steal_pointer (&self);
}

GPtrArray *
allset_trash_list_from_json (JsonObject  *object,
                             GError     **error)
{
  return allset_client_parse_list (object, "entries", trash_entry_from_json,
                     (GDestroyNotify) allset_trash_entry_free, error);
}
