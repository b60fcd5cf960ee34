/* allset-scanner.c — what is in the folder on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allset-scanner-private.h"

G_DEFINE_FINAL_TYPE (AllsetScanner, allset_scanner, G_TYPE_OBJECT)

static void
child_clear (gpointer data)
{
  Child *child = data;

  g_free (child->name);
  g_free (child->key);
  g_free (child->problem);
  allset_entry_string_release (child->known_id);
  g_clear_pointer (&child->known_chunks, g_array_unref);
  g_clear_pointer (&child->hashed, allset_file_hash_free);
}

static void
pending_clear (gpointer data)
{
  PendingWrite *write = data;

  g_clear_pointer (&write->chunks, g_array_unref);
}

void
allset_scan_result_free (AllsetScanResult *self)
{
  if (self == NULL)
    return;
  g_free (self->subpath);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->issues, g_ptr_array_unref);
  g_clear_pointer (&self->unstable, g_ptr_array_unref);
  g_clear_pointer (&self->part_dirs, g_ptr_array_unref);
  g_free (self);
}

static void
allset_scanner_finalize (GObject *object)
{
  AllsetScanner *self = (AllsetScanner *)object;

  g_free (self->root);
  g_clear_object (&self->journal);
  g_clear_pointer (&self->ignore, allset_ignore_unref);

  G_OBJECT_CLASS (allset_scanner_parent_class)->finalize (object);
}

static void
allset_scanner_class_init (AllsetScannerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_scanner_finalize;
}

static void
allset_scanner_init (AllsetScanner *self)
{
}

AllsetScanner *
allset_scanner_new (const char    *root,
                    AllsetJournal *journal,
                    AllsetIgnore  *ignore)
{
  AllsetScanner *self;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (ALLSET_IS_JOURNAL (journal), NULL);

  self = g_object_new (ALLSET_TYPE_SCANNER, NULL);
  self->root = g_strdup (root);
  self->journal = g_object_ref (journal);
  self->ignore = ignore != NULL ? allset_ignore_ref (ignore) : allset_ignore_new ();
  return self;
}

void
allset_scanner_set_chunk_sink (AllsetScanner       *self,
                               AllsetChunkSinkFunc  sink,
                               gpointer             sink_data)
{
  g_return_if_fail (ALLSET_IS_SCANNER (self));
  self->chunk_sink = sink;
  self->chunk_sink_data = sink_data;
}

const char *
allset_scanner_get_root (AllsetScanner *self)
{
  g_return_val_if_fail (ALLSET_IS_SCANNER (self), NULL);
  return self->root;
}

/* ─── Small helpers ────────────────────────────────────────────────── */

static gboolean
is_ascii (const char *s)
{
  for (; *s != '\0'; s++)
    {
      if ((guchar) *s >= 0x80)
        return FALSE;
    }
  return TRUE;
}

/* Invalid UTF-8 bytes become "\xNN": printable, and never a valid path. */
static char *
printable_name (const char *name)
{
  GString *out = g_string_new (NULL);
  const char *p = name;

  while (*p != '\0')
    {
      const char *end;

      if (g_utf8_validate (p, -1, &end))
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, end - p);
      g_string_append_printf (out, "\\x%02X", (guchar) *end);
      p = end + 1;
    }
  return g_string_free (out, FALSE);
}

/* ─── Directories ──────────────────────────────────────────────────── */

static void scan_directory (Walk *walk, int fd);

static void
push_name (Walk       *walk,
           const char *key,
           const char *name)
{
  if (walk->path->len > 0)
    g_string_append_c (walk->path, '/');
  g_string_append (walk->path, key);
  if (walk->disk->len > 0)
    g_string_append_c (walk->disk, '/');
  g_string_append (walk->disk, name);
}

static void
handle_directory (Walk             *walk,
                  int               dirfd,
                  Child            *child,
                  AllsetLocalEntry *entry)
{
  int fd;

  walk->result->n_dirs++;
  if (walk->depth >= ALLSET_SCANNER_MAX_DEPTH)
    {
      entry->flags |= ALLSET_LOCAL_SKIPPED;
      scanner_add_issue (walk, entry->path, ALLSET_ISSUE_IO_ERROR,
                         "Directories are nested more than %u levels deep here", ALLSET_SCANNER_MAX_DEPTH);
      scanner_add_entry (walk, entry, NULL);
      return;
    }

  fd = openat (dirfd, child->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        {
          walk->result->n_dirs--;
          allset_local_entry_free (entry);
          return;
        }
      /* Unreadable is not empty: SKIPPED keeps the reconciler from
       * deleting, on the server, what it cannot see here. */
      entry->flags |= ALLSET_LOCAL_SKIPPED;
      scanner_add_issue (walk, entry->path, scanner_kind_for_errno (saved),
                         "Cannot open the directory: %s", g_strerror (saved));
      scanner_add_entry (walk, entry, NULL);
      return;
    }

  scanner_add_entry (walk, entry, NULL);
  walk->depth++;
  scan_directory (walk, fd);
  walk->depth--;
}

static void
handle_child (Walk  *walk,
              int    dirfd,
              Child *child)
{
  const struct stat *st = &child->st;
  AllsetLocalEntry *entry;
  gsize path_len = walk->path->len;
  gsize disk_len = walk->disk->len;

  push_name (walk, child->key, child->name);

  entry = allset_local_entry_new (walk->path->str,
                                  S_ISDIR (st->st_mode) ? ALLSET_ENTRY_DIR :
                                  S_ISREG (st->st_mode) ? ALLSET_ENTRY_FILE : ALLSET_ENTRY_OTHER);
  if (strcmp (walk->disk->str, walk->path->str) != 0)
    entry->disk_path = allset_entry_string (walk->disk->str);
  entry->inode = st->st_ino;
  entry->dev = st->st_dev;
  entry->mtime_ns = timespec_ns (ST_MTIM (st));
  entry->size = entry->type == ALLSET_ENTRY_FILE ? st->st_size : 0;
  entry->executable = entry->type == ALLSET_ENTRY_FILE && (st->st_mode & S_IXUSR) != 0;

  if (child->problem != NULL)
    {
      entry->flags |= ALLSET_LOCAL_SKIPPED;
      scanner_add_issue (walk, entry->path, ALLSET_ISSUE_UNPORTABLE_NAME, "%s", child->problem);
      scanner_add_entry (walk, entry, NULL);
    }
  else if (child->clash)
    {
      entry->flags |= ALLSET_LOCAL_SKIPPED;
      scanner_add_issue (walk, entry->path, ALLSET_ISSUE_CASE_CLASH,
                         "Another name in this directory differs from “%s” only by case or "
                         "accents' encoding; neither is synced until one is renamed", child->key);
      scanner_add_entry (walk, entry, NULL);
    }
  else if (S_ISLNK (st->st_mode))
    {
      entry->flags |= ALLSET_LOCAL_SKIPPED;
      scanner_add_issue (walk, entry->path, ALLSET_ISSUE_SYMLINK, "Symbolic links are not synced");
      scanner_add_entry (walk, entry, NULL);
    }
  else if (entry->type == ALLSET_ENTRY_DIR)
    handle_directory (walk, dirfd, child, entry);
  else if (entry->type == ALLSET_ENTRY_FILE)
    scanner_handle_file (walk, dirfd, child, entry);
  else
    {
      entry->flags |= ALLSET_LOCAL_SKIPPED;
      scanner_add_issue (walk, entry->path, ALLSET_ISSUE_SPECIAL_FILE,
                         "Only regular files and directories are synced");
      scanner_add_entry (walk, entry, NULL);
    }

  g_string_truncate (walk->path, path_len);
  g_string_truncate (walk->disk, disk_len);
}

/* Reads the names of the directory open at fd, stats them, drops the
 * ignored ones and marks bad names and case clashes. */
static gboolean
read_children (Walk    *walk,
               int      fd,
               GArray  *children,
               int     *errno_out)
{
  g_autoptr(GHashTable) folds = NULL;
  struct dirent *dirent;
  gboolean has_parts = FALSE;
  DIR *dir;
  int copy;

  /* The DIR gets its own descriptor; fd stays for the *at() calls. */
  if ((copy = dup (fd)) < 0 || (dir = fdopendir (copy)) == NULL)
    {
      *errno_out = errno;
      if (copy >= 0)
        close (copy);
      return FALSE;
    }

  for (;;)
    {
      const char *name;
      Child child = { 0 };
      gsize path_len = walk->path->len;
      gboolean ignored;

      /* Only readdir() may leave errno set when it returns NULL; a child
       * that vanished before fstatat() must not read as a failed listing. */
      errno = 0;
      if ((dirent = readdir (dir)) == NULL)
        break;
      name = dirent->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
        continue;
      /* The sweep of stale parts lists only these directories again,
       * not all of them after every pass. */
      if (!has_parts && g_str_has_prefix (name, ALLSET_PARTIAL_PREFIX))
        {
          has_parts = TRUE;
          g_ptr_array_add (walk->result->part_dirs, g_strdup (walk->disk->str));
        }
      /* Gone since readdir(): nothing to report. */
      if (fstatat (fd, name, &child.st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;

      child.name = g_strdup (name);
      if (is_ascii (name))
        child.key = g_strdup (name);
      else if (g_utf8_validate (name, -1, NULL))
        child.key = g_utf8_normalize (name, -1, G_NORMALIZE_NFC);
      else
        {
          child.key = printable_name (name);
          child.problem = g_strdup_printf ("“%s” is not valid UTF-8", child.key);
        }

      if (walk->path->len > 0)
        g_string_append_c (walk->path, '/');
      g_string_append (walk->path, child.key);
      ignored = allset_ignore_match_entry (walk->self->ignore, walk->path->str,
                                           S_ISDIR (child.st.st_mode));
      g_string_truncate (walk->path, path_len);
      if (ignored)
        {
          child_clear (&child);
          continue;
        }

      if (child.problem == NULL)
        {
          g_autoptr(GError) error = NULL;

          if (!allset_name_check (child.key, &error))
            child.problem = g_strdup (error->message);
        }
      g_array_append_val (children, child);
    }
  *errno_out = errno;
  closedir (dir);
  if (*errno_out != 0)
    return FALSE;

  /* Case clashes (NFC twins included: the fold is of the NFC form). */
  folds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < children->len; i++)
    {
      Child *child = &g_array_index (children, Child, i);
      char *fold;
      gpointer other;

      if (child->problem != NULL)
        continue;
      fold = allset_path_fold (child->key);
      if (g_hash_table_lookup_extended (folds, fold, NULL, &other))
        {
          child->clash = TRUE;
          g_array_index (children, Child, GPOINTER_TO_UINT (other)).clash = TRUE;
          g_free (fold);
        }
      else
        g_hash_table_insert (folds, fold, GUINT_TO_POINTER (i));
    }
  return TRUE;
}

/* Scans the directory open at fd (walk->path) and closes fd. */
static void
scan_directory (Walk *walk,
                int   fd)
{
  g_autoptr(GArray) children = g_array_new (FALSE, TRUE, sizeof (Child));
  int saved = 0;

  g_array_set_clear_func (children, child_clear);
  if (!read_children (walk, fd, children, &saved))
    {
      AllsetLocalEntry *entry = g_hash_table_lookup (walk->result->entries, walk->path->str);

      /* Half a listing must not read as deletions. */
      if (entry != NULL)
        {
          entry->flags |= ALLSET_LOCAL_SKIPPED;
          walk->result->n_skipped++;
          g_array_append_val (walk->pending, ((PendingWrite) { entry, NULL }));
          scanner_add_issue (walk, entry->path, scanner_kind_for_errno (saved),
                             "Cannot list the directory: %s", g_strerror (saved));
        }
      else
        g_set_error (&walk->error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "Cannot list %s: %s", walk->self->root, g_strerror (saved));
      close (fd);
      return;
    }

  for (guint i = 0, ahead = 0; i < children->len && walk->error == NULL && !walk->cancelled; i++)
    {
      if (i == ahead)
        {
          ahead = MIN (children->len, i + SCANNER_AHEAD_WINDOW);
          scanner_hash_ahead (walk, fd, children, i, ahead);
        }
      if (g_cancellable_is_cancelled (walk->cancellable))
        walk->cancelled = TRUE;
      else if (walk->error == NULL)
        handle_child (walk, fd, &g_array_index (children, Child, i));
    }
  close (fd);
}

/* ─── Entry point ──────────────────────────────────────────────────── */

/* Is the journal file inside the folder? Then it would scan (and sync)
 * itself. Compared on resolved paths, so symlinks cannot hide it. */
static gboolean
journal_inside (AllsetScanner  *self,
                GError        **error)
{
  g_autofree char *journal_dir = g_path_get_dirname (allset_journal_get_path (self->journal));
  char root_real[PATH_MAX];
  char journal_real[PATH_MAX];
  gsize len;

  if (realpath (self->root, root_real) == NULL || realpath (journal_dir, journal_real) == NULL)
    return FALSE;
  len = strlen (root_real);
  if (strncmp (journal_real, root_real, len) == 0 &&
      (journal_real[len] == '\0' || journal_real[len] == '/' || len == 1))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The journal %s must not be inside the synced folder %s",
                   allset_journal_get_path (self->journal), self->root);
      return TRUE;
    }
  return FALSE;
}

/* Splits a watcher's relative path into disk components; NULL for one
 * that leaves the folder. */
static char **
split_subpath (const char *subpath)
{
  g_auto(GStrv) parts = g_strsplit (subpath, "/", -1);
  GPtrArray *kept = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        {
          g_ptr_array_free (kept, TRUE);
          return NULL;
        }
      g_ptr_array_add (kept, g_strdup (parts[i]));
    }
  g_ptr_array_add (kept, NULL);
  return (char **) g_ptr_array_free (kept, FALSE);
}

/* Decides what to scan for a watcher's path: the path itself when every
 * parent is a directory the cache knows as synced, otherwise the first
 * parent that is not (a new directory, a skipped one…), whose own entry
 * must be looked at again. Fills the NFC and disk forms. */
static gboolean
resolve_target (AllsetScanner  *self,
                char          **parts,
                GString        *path,
                GString        *disk,
                GError        **error)
{
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(AllsetLocalEntry) cached = NULL;
      g_autofree char *key = NULL;

      if (!g_utf8_validate (parts[i], -1, NULL))
        return TRUE;   /* scan the parent: it reports the bad name */
      key = g_utf8_normalize (parts[i], -1, G_NORMALIZE_NFC);
      if (path->len > 0)
        g_string_append_c (path, '/');
      g_string_append (path, key);
      if (disk->len > 0)
        g_string_append_c (disk, '/');
      g_string_append (disk, parts[i]);

      if (parts[i + 1] == NULL)
        return TRUE;

      cached = allset_journal_local_get (self->journal, path->str, error);
      if (cached == NULL && error != NULL && *error != NULL)
        return FALSE;
      if (cached == NULL || cached->type != ALLSET_ENTRY_DIR ||
          (cached->flags & ALLSET_LOCAL_SKIPPED) ||
          g_strcmp0 (cached->disk_path != NULL ? cached->disk_path : cached->path, disk->str) != 0)
        return TRUE;   /* this parent is the target */
    }
  return TRUE;
}

/* Opens the directory at disk path rel below rootfd, one component at a
 * time, refusing symlinks at every level. -1 with errno on failure. */
static int
open_directory_chain (int         rootfd,
                      const char *rel)
{
  g_auto(GStrv) parts = g_strsplit (rel, "/", -1);
  int fd = dup (rootfd);

  for (guint i = 0; fd >= 0 && parts[i] != NULL; i++)
    {
      int next;

      if (parts[i][0] == '\0')
        continue;
      next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (fd);
      fd = next;
    }
  return fd;
}

/* Scans the single entry walk->path/disk (already filled with the
 * target's parent) named name, with its siblings for the clash check. */
static void
scan_one (Walk       *walk,
          int         parent_fd,
          const char *name)
{
  g_autoptr(GArray) children = g_array_new (FALSE, TRUE, sizeof (Child));
  int saved = 0;

  g_array_set_clear_func (children, child_clear);
  if (!read_children (walk, parent_fd, children, &saved))
    {
      g_set_error (&walk->error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot list the directory of %s: %s", name, g_strerror (saved));
      return;
    }
  for (guint i = 0; i < children->len; i++)
    {
      Child *child = &g_array_index (children, Child, i);

      if (strcmp (child->name, name) == 0)
        {
          handle_child (walk, parent_fd, child);
          break;
        }
    }
}

static void
finish (Walk *walk)
{
  AllsetJournal *journal = walk->self->journal;
  AllsetScanResult *result = walk->result;
  GHashTableIter iter;
  const char *path;

  scanner_flush (walk);
  if (walk->error != NULL || walk->cancelled)
    return;

  /* Only a complete walk may conclude that what it did not see is gone. */
  if (!allset_journal_begin (journal, &walk->error))
    return;
  g_hash_table_iter_init (&iter, walk->cache);
  while (walk->error == NULL && g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    {
      if (!g_hash_table_contains (result->entries, path))
        allset_journal_local_delete (journal, path, FALSE, &walk->error);
    }
  if (walk->error == NULL)
    allset_journal_replace_issues (journal, ALLSET_ISSUE_ORIGIN_SCAN, result->subpath,
                                   result->issues, &walk->error);
  if (walk->error == NULL)
    allset_journal_commit (journal, &walk->error);
  else
    allset_journal_rollback (journal);
}

AllsetScanResult *
allset_scanner_scan (AllsetScanner  *self,
                     const char     *subpath,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(AllsetScanResult) result = NULL;
  g_autoptr(GString) target = g_string_new (NULL);
  g_autoptr(GString) target_disk = g_string_new (NULL);
  g_auto(GStrv) parts = NULL;
  Walk walk = { 0 };
  int rootfd;

  g_return_val_if_fail (ALLSET_IS_SCANNER (self), NULL);
  g_return_val_if_fail (subpath != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (journal_inside (self, error))
    return NULL;
  if ((parts = split_subpath (subpath)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not inside the folder", subpath);
      return NULL;
    }

  rootfd = open (self->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot open the synced folder %s: %s", self->root, g_strerror (saved));
      return NULL;
    }

  if (!resolve_target (self, parts, target, target_disk, error))
    {
      close (rootfd);
      return NULL;
    }

  result = g_new0 (AllsetScanResult, 1);
  result->subpath = g_strdup (target->str);
  result->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) allset_local_entry_free);
  result->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_issue_free);
  result->unstable = g_ptr_array_new_with_free_func (g_free);
  result->part_dirs = g_ptr_array_new_with_free_func (g_free);

  walk.self = self;
  walk.cancellable = cancellable;
  walk.result = result;
  walk.pending = g_array_new (FALSE, TRUE, sizeof (PendingWrite));
  g_array_set_clear_func (walk.pending, pending_clear);
  walk.path = g_string_new (NULL);
  walk.disk = g_string_new (NULL);
  walk.cache = allset_journal_snapshot_local (self->journal, target->str, &walk.error);

  if (walk.error != NULL)
    close (rootfd);
  else if (target->len == 0)
    scan_directory (&walk, rootfd);
  else
    {
      g_autofree char *parent_disk = g_path_get_dirname (target_disk->str);
      g_autofree char *parent = allset_path_parent (target->str);
      g_autofree char *name = g_path_get_basename (target_disk->str);
      int fd = open_directory_chain (rootfd, strcmp (parent_disk, ".") == 0 ? "" : parent_disk);
      int saved = errno;

      /* A parent that vanished or turned into a symlink: the target is
       * gone as far as this folder is concerned. Any other failure (an
       * unreadable parent) must not read as "gone": scan everything, which
       * reports that parent and freezes what is below it. */
      if (fd < 0 && saved != ENOENT && saved != ENOTDIR && saved != ELOOP)
        {
          g_clear_pointer (&walk.cache, g_hash_table_unref);
          g_free (result->subpath);
          result->subpath = g_strdup ("");
          g_string_truncate (target, 0);
          walk.cache = allset_journal_snapshot_local (self->journal, "", &walk.error);
          if (walk.error == NULL)
            scan_directory (&walk, rootfd);
          else
            close (rootfd);
          goto done;
        }
      close (rootfd);
      g_string_assign (walk.path, parent);
      g_string_assign (walk.disk, strcmp (parent_disk, ".") == 0 ? "" : parent_disk);
      for (const char *p = target->str; *p != '\0'; p++)
        walk.depth += *p == '/';
      if (fd >= 0)
        {
          scan_one (&walk, fd, name);
          close (fd);
        }
    }

done:
  if (walk.error == NULL && g_cancellable_is_cancelled (cancellable))
    walk.cancelled = TRUE;
  finish (&walk);

  g_clear_pointer (&walk.cache, g_hash_table_unref);
  g_clear_pointer (&walk.base, g_hash_table_unref);
  g_clear_pointer (&walk.by_inode, g_hash_table_unref);
  if (walk.hash_pool != NULL)
    g_thread_pool_free (walk.hash_pool, FALSE, TRUE);
  g_array_unref (walk.pending);
  g_string_free (walk.path, TRUE);
  g_string_free (walk.disk, TRUE);

  if (walk.error != NULL)
    {
      g_propagate_error (error, walk.error);
      return NULL;
    }
  if (walk.cancelled)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The scan was cancelled");
      return NULL;
    }
  return g_steal_pointer (&result);
}
