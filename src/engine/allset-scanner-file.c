/* allset-scanner-file.c — one regular file: known, or read and hashed;
 * and the scan's journal writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <string.h>

#include "allset-scanner-private.h"

void
scanner_add_issue (Walk            *walk,
                   const char      *path,
                   AllsetIssueKind  kind,
                   const char      *format,
                   ...)
                   {
                   g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (walk->result->issues, allset_issue_new (path, kind, message));
}

AllsetIssueKind
scanner_kind_for_errno (int saved)
{
  return saved == EACCES || saved == EPERM ? ALLSET_ISSUE_PERMISSION : ALLSET_ISSUE_IO_ERROR;
}

static gboolean
local_equal (const AllsetLocalEntry *a,
             const AllsetLocalEntry *b)
{
  return a->type == b->type &&
         a->size == b->size &&
         a->mtime_ns == b->mtime_ns &&
         a->executable == b->executable &&
         a->inode == b->inode &&
         a->dev == b->dev &&
         a->flags == b->flags &&
         g_strcmp0 (a->file_id, b->file_id) == 0 &&
         g_strcmp0 (a->disk_path, b->disk_path) == 0;
}

/* ─── Journal writes ───────────────────────────────────────────────── */

void
scanner_flush (Walk *walk)
{
  g_autofree const AllsetLocalEntry **entries = NULL;
  g_autofree GArray **chunks = NULL;
  guint n = walk->pending->len;

  if (n == 0 || walk->error != NULL)
    return;

  entries = g_new (const AllsetLocalEntry *, n);
  chunks = g_new (GArray *, n);
  for (guint i = 0; i < n; i++)
    {
      PendingWrite *write = &g_array_index (walk->pending, PendingWrite, i);

      entries[i] = write->entry;
      chunks[i] = write->chunks;
    }
  allset_journal_local_put_many (walk->self->journal, entries, chunks, n, &walk->error);
  g_array_set_size (walk->pending, 0);
}

/* Takes entry and chunks. Writes only what differs from the cache: a
 * rescan of an unchanged tree writes nothing. */
void
scanner_add_entry (Walk             *walk,
                   AllsetLocalEntry *entry,
                   GArray           *chunks)
{
  AllsetLocalEntry *cached = g_hash_table_lookup (walk->cache, entry->path);
  gboolean known;

  /* Two names with one NFC form (both flagged as a clash): the first
   * stands for both; a queued write may still point at it. */
  if (g_hash_table_contains (walk->result->entries, entry->path))
    {
      allset_local_entry_free (entry);
      g_clear_pointer (&chunks, g_array_unref);
      return;
    }

  /* The journal's record says the same: the result takes it, so that a
   * scan never holds two records of one file (7 MB over 100 000 files,
   * and the holes that freeing the cache left in the heap). */
  known = cached != NULL && local_equal (cached, entry);
  if (known)
    {
      g_hash_table_steal (walk->cache, cached->path);
      allset_local_entry_free (entry);
      entry = cached;
    }

  g_hash_table_insert (walk->result->entries, entry->path, entry);
  if (entry->flags & (ALLSET_LOCAL_SKIPPED | ALLSET_LOCAL_UNSTABLE))
    walk->result->n_skipped++;

  if (known)
    {
      g_clear_pointer (&chunks, g_array_unref);
      return;
    }

  g_array_append_val (walk->pending, ((PendingWrite) { entry, chunks }));
  if (walk->pending->len >= FLUSH_EVERY)
    scanner_flush (walk);
}

/* ─── Files ────────────────────────────────────────────────────────── */

static gboolean
stat_matches (AllsetEntryType    type,
              const char        *file_id,
              gint64             size,
              gint64             mtime_ns,
              guint64            inode,
              guint64            dev,
              const struct stat *st)
{
  return type == ALLSET_ENTRY_FILE &&
         file_id != NULL &&
         size == (gint64) st->st_size &&
         mtime_ns == timespec_ns (ST_MTIM (st)) &&
         inode == (guint64) st->st_ino &&
         dev == (guint64) st->st_dev;
}

static char *
inode_key (guint64 dev,
           guint64 inode)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, dev, inode);
}

static void
load_fallbacks (Walk *walk)
{
  GHashTableIter iter;
  AllsetLocalEntry *cached;

  if (walk->base != NULL || walk->error != NULL)
    return;

  walk->base = allset_journal_snapshot_base (walk->self->journal, FALSE, NULL, &walk->error);
  walk->by_inode = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, walk->cache);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &cached))
    {
      if (cached->type == ALLSET_ENTRY_FILE && cached->file_id != NULL &&
          !(cached->flags & (ALLSET_LOCAL_SKIPPED | ALLSET_LOCAL_UNSTABLE | ALLSET_LOCAL_RACY)))
        g_hash_table_replace (walk->by_inode, inode_key (cached->dev, cached->inode), cached);
    }
}

/* Same size, mtime, inode and dev means the same bytes: no writer keeps
 * all four while changing the content, short of forging the mtime. */
char *
scanner_known_file_id (Walk               *walk,
                       const char         *path,
                       const struct stat  *st,
                       GArray            **chunks)
{
  AllsetLocalEntry *cached = g_hash_table_lookup (walk->cache, path);
  AllsetBaseEntry *base;
  g_autofree char *key = NULL;

  *chunks = NULL;
  if (cached != NULL &&
      !(cached->flags & (ALLSET_LOCAL_SKIPPED | ALLSET_LOCAL_UNSTABLE | ALLSET_LOCAL_RACY)) &&
      stat_matches (cached->type, cached->file_id, cached->size, cached->mtime_ns,
                    cached->inode, cached->dev, st))
    return allset_entry_string_acquire (cached->file_id);

  load_fallbacks (walk);
  if (walk->error != NULL)
    return NULL;

  /* A rename keeps the inode: take the id and the chunks along. */
  key = inode_key (st->st_dev, st->st_ino);
  cached = g_hash_table_lookup (walk->by_inode, key);
  if (cached != NULL &&
      stat_matches (cached->type, cached->file_id, cached->size, cached->mtime_ns,
                    cached->inode, cached->dev, st))
    {
      *chunks = allset_journal_local_chunks (walk->self->journal, cached->path, NULL);
      return allset_entry_string_acquire (cached->file_id);
    }

  /* Base carries the stat data of the last agreed state (downloads). */
  base = walk->base != NULL ? g_hash_table_lookup (walk->base, path) : NULL;
  if (base != NULL &&
      stat_matches (base->type, base->file_id, base->size, base->mtime_ns,
                    base->inode, base->dev, st))
    {
      *chunks = g_array_new (FALSE, FALSE, sizeof (AllsetLocalChunk));
      return allset_entry_string_acquire (base->file_id);
    }
  return NULL;
}

void
scanner_handle_file (Walk             *walk,
                     int               dirfd,
                     Child            *child,
                     AllsetLocalEntry *entry)
{
  g_autoptr(AllsetFileHash) hashed = NULL;
  GArray *chunks = NULL;

  walk->result->n_files++;
  if (child->looked_up)
    {
      entry->file_id = g_steal_pointer (&child->known_id);
      chunks = g_steal_pointer (&child->known_chunks);
    }
  else
    entry->file_id = scanner_known_file_id (walk, entry->path, &child->st, &chunks);
  if (walk->error != NULL)
    {
      g_clear_pointer (&chunks, g_array_unref);
      allset_local_entry_free (entry);
      return;
    }
  if (entry->file_id != NULL)
    {
      scanner_add_entry (walk, entry, chunks);
      return;
    }

  if (child->hashed != NULL)
    hashed = g_steal_pointer (&child->hashed);
  else
    hashed = allset_file_hash_read (dirfd, child->name, walk->self->chunk_sink, walk->self->chunk_sink_data);
  switch (hashed->status)
    {
    case ALLSET_FILE_HASH_OK:
      entry->file_id = g_steal_pointer (&hashed->file_id);
      entry->size = hashed->size;
      entry->mtime_ns = hashed->mtime_ns;
      entry->inode = hashed->inode;
      entry->dev = hashed->dev;
      entry->executable = hashed->executable;
      if (hashed->read_at_ns - hashed->mtime_ns < (hashed->mtime_ns % NS_PER_SEC == 0 ? RACY_WINDOW_COARSE_NS
                                                                                      : RACY_WINDOW_FINE_NS))
        entry->flags |= ALLSET_LOCAL_RACY;
      chunks = g_steal_pointer (&hashed->chunks);
      walk->result->n_hashed++;
      walk->result->bytes_hashed += hashed->size;
      break;
    case ALLSET_FILE_HASH_VANISHED:
      walk->result->n_files--;
      allset_local_entry_free (entry);
      return;
    case ALLSET_FILE_HASH_UNSTABLE:
      entry->flags |= ALLSET_LOCAL_UNSTABLE;
      g_ptr_array_add (walk->result->unstable, g_strdup (entry->path));
      scanner_add_issue (walk, entry->path, ALLSET_ISSUE_UNSTABLE,
                         "It changed while it was being read; it will be read again");
      break;
    case ALLSET_FILE_HASH_FAILED:
      entry->flags |= ALLSET_LOCAL_SKIPPED;
      scanner_add_issue (walk, entry->path, scanner_kind_for_errno (hashed->saved),
                         "Cannot read it: %s", g_strerror (hashed->saved));
      break;
    default:
      g_assert_not_reached ();
    }
  if (chunks == NULL)
    chunks = g_array_new (FALSE, FALSE, sizeof (AllsetLocalChunk));
  scanner_add_entry (walk, entry, chunks);
}
