/* allset-journal-entry.c — the plain records the sync engine passes around
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-journal-entry.h"

static const char * const entry_types[] = { NULL, "file", "dir", "other" };
static const char * const file_states[] = { NULL, "pending", "uploaded", "verified" };
static const char * const issue_kinds[] = {
  NULL, "symlink", "unportable_name", "case_clash", "permission",
  "special_file", "unstable", "io_error", "conflict", "sync_failed",
};

static int
lookup (const char * const *names,
        guint               n_names,
        const char         *string)
{
  if (string == NULL)
    return 0;
  for (guint i = 1; i < n_names; i++)
    {
      if (strcmp (names[i], string) == 0)
        return i;
    }
  return 0;
}

const char *
allset_entry_type_to_string (AllsetEntryType type)
{
  g_return_val_if_fail (type >= ALLSET_ENTRY_FILE && type <= ALLSET_ENTRY_OTHER, NULL);
  return entry_types[type];
}

AllsetEntryType
allset_entry_type_from_string (const char *string)
{
  return lookup (entry_types, G_N_ELEMENTS (entry_types), string);
}

const char *
allset_file_state_to_string (AllsetFileState state)
{
  g_return_val_if_fail (state >= ALLSET_FILE_PENDING && state <= ALLSET_FILE_VERIFIED, NULL);
  return file_states[state];
}

AllsetFileState
allset_file_state_from_string (const char *string)
{
  return lookup (file_states, G_N_ELEMENTS (file_states), string);
}

const char *
allset_issue_kind_to_string (AllsetIssueKind kind)
{
  g_return_val_if_fail (kind >= ALLSET_ISSUE_SYMLINK && kind < G_N_ELEMENTS (issue_kinds), NULL);
  return issue_kinds[kind];
}

AllsetIssueKind
allset_issue_kind_from_string (const char *string)
{
  return lookup (issue_kinds, G_N_ELEMENTS (issue_kinds), string);
}

typedef struct
{
  gatomicrefcount refs;
  char            text[];
} EntryString;

char *
allset_entry_string_new_len (const char *string,
                             gsize       len)
{
  EntryString *self = g_malloc (sizeof (EntryString) + len + 1);

  g_atomic_ref_count_init (&self->refs);
  memcpy (self->text, string, len);
  self->text[len] = '\0';
  return self->text;
}

char *
allset_entry_string (const char *string)
{
  return string != NULL ? allset_entry_string_new_len (string, strlen (string)) : NULL;
}

char *
allset_entry_string_for_hash (const AllsetHash *hash)
{
  char hex[ALLSET_HASH_HEX_LEN + 1];

  allset_hash_to_hex_buf (hash, hex);
  return allset_entry_string_new_len (hex, ALLSET_HASH_HEX_LEN);
}

char *
allset_entry_string_acquire (char *string)
{
  if (string != NULL)
    g_atomic_ref_count_inc (&((EntryString *) (string - G_STRUCT_OFFSET (EntryString, text)))->refs);
  return string;
}

void
allset_entry_string_release (char *string)
{
  EntryString *self;

  if (string == NULL)
    return;
  self = (EntryString *) (string - G_STRUCT_OFFSET (EntryString, text));
  if (g_atomic_ref_count_dec (&self->refs))
    g_free (self);
}

AllsetBaseEntry *
allset_base_entry_new (const char      *path,
                       AllsetEntryType  type)
{
  AllsetBaseEntry *self = g_new0 (AllsetBaseEntry, 1);

  self->path = allset_entry_string (path);
  self->type = type;
  self->state = type == ALLSET_ENTRY_DIR ? ALLSET_FILE_VERIFIED : ALLSET_FILE_PENDING;
  return self;
}

AllsetBaseEntry *
allset_base_entry_copy (const AllsetBaseEntry *self)
{
  AllsetBaseEntry *copy;

  if (self == NULL)
    return NULL;
  copy = g_memdup2 (self, sizeof *self);
  copy->path = allset_entry_string_acquire (self->path);
  copy->file_id = allset_entry_string_acquire (self->file_id);
  copy->receipt = allset_entry_string_acquire (self->receipt);
  return copy;
}

void
allset_base_entry_free (AllsetBaseEntry *self)
{
  if (self == NULL)
    return;
  allset_entry_string_release (self->path);
  allset_entry_string_release (self->file_id);
  allset_entry_string_release (self->receipt);
  g_free (self);
}

AllsetRemoteEntry *
allset_remote_entry_new (const char      *path,
                         AllsetEntryType  type)
{
  AllsetRemoteEntry *self = g_new0 (AllsetRemoteEntry, 1);

  self->path = allset_entry_string (path);
  self->type = type;
  return self;
}

AllsetRemoteEntry *
allset_remote_entry_copy (const AllsetRemoteEntry *self)
{
  AllsetRemoteEntry *copy;

  if (self == NULL)
    return NULL;
  copy = g_memdup2 (self, sizeof *self);
  copy->path = allset_entry_string_acquire (self->path);
  copy->file_id = allset_entry_string_acquire (self->file_id);
  return copy;
}

void
allset_remote_entry_free (AllsetRemoteEntry *self)
{
  if (self == NULL)
    return;
  allset_entry_string_release (self->path);
  allset_entry_string_release (self->file_id);
  g_free (self);
}

AllsetLocalEntry *
allset_local_entry_new (const char      *path,
                        AllsetEntryType  type)
{
  AllsetLocalEntry *self = g_new0 (AllsetLocalEntry, 1);

  self->path = allset_entry_string (path);
  self->type = type;
  return self;
}

AllsetLocalEntry *
allset_local_entry_copy (const AllsetLocalEntry *self)
{
  AllsetLocalEntry *copy;

  if (self == NULL)
    return NULL;
  copy = g_memdup2 (self, sizeof *self);
  copy->path = allset_entry_string_acquire (self->path);
  copy->disk_path = allset_entry_string_acquire (self->disk_path);
  copy->file_id = allset_entry_string_acquire (self->file_id);
  return copy;
}

void
allset_local_entry_free (AllsetLocalEntry *self)
{
  if (self == NULL)
    return;
  allset_entry_string_release (self->path);
  allset_entry_string_release (self->disk_path);
  allset_entry_string_release (self->file_id);
  g_free (self);
}

gboolean
allset_local_entry_stat_equal (const AllsetLocalEntry *a,
                               const AllsetLocalEntry *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  /* Directories change mtime whenever a child comes or goes, which says
   * nothing about the directory itself. */
  if (a->type == ALLSET_ENTRY_DIR || b->type == ALLSET_ENTRY_DIR)
    return a->type == b->type && a->inode == b->inode && a->dev == b->dev;

  return a->type == b->type &&
         a->size == b->size &&
         a->mtime_ns == b->mtime_ns &&
         a->inode == b->inode &&
         a->dev == b->dev;
}

void
allset_chunk_location_free (AllsetChunkLocation *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->disk_path);
  g_free (self);
}

AllsetRemoteMove *
allset_remote_move_new (gint64      seq,
                        const char *from,
                        const char *to)
{
  AllsetRemoteMove *self = g_new0 (AllsetRemoteMove, 1);

  self->seq = seq;
  self->from = g_strdup (from);
  self->to = g_strdup (to);
  return self;
}

void
allset_remote_move_free (AllsetRemoteMove *self)
{
  if (self == NULL)
    return;
  g_free (self->from);
  g_free (self->to);
  g_free (self);
}

AllsetIssue *
allset_issue_new (const char      *path,
                  AllsetIssueKind  kind,
                  const char      *message)
{
  AllsetIssue *self = g_new0 (AllsetIssue, 1);

  self->path = g_strdup (path);
  self->kind = kind;
  self->message = g_strdup (message != NULL ? message : "");
  return self;
}

AllsetIssue *
allset_issue_copy (const AllsetIssue *self)
{
  if (self == NULL)
    return NULL;
  return allset_issue_new (self->path, self->kind, self->message);
}

void
allset_issue_free (AllsetIssue *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->message);
  g_free (self);
}
