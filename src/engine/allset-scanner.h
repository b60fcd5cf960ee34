/* allset-scanner.h — what is in the folder on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Walks a synced folder and answers path → AllsetLocalEntry, keeping the
 * journal's local cache up to date on the way:
 *
 *  - a regular file whose (size, mtime_ns, inode, dev) equal what the
 *    cache (or base, or another cached path with the same inode: a rename)
 *    remembers keeps its file id without being read, so a rescan of an
 *    unchanged tree hashes nothing and writes nothing;
 *  - any other file is cut and hashed (AllsetChunkReader, GnuTLS SHA-256)
 *    through an O_NOFOLLOW descriptor, with fstat() before and after: a
 *    file that changed meanwhile is flagged UNSTABLE and listed for a
 *    later rescan; its chunks are recorded for download reuse;
 *  - names that break docs/protocol.md "Names" (checked after NFC
 *    normalisation), two names of a directory equal after case folding,
 *    symbolic links, special files and unreadable entries are reported as
 *    issues and kept in the map flagged SKIPPED, never descended into;
 *  - ignored names (AllsetIgnore) are left out entirely;
 *  - directories are entries too, empty ones included; the executable
 *    flag is the owner's execute bit.
 *
 * The folder root must exist and be a directory: a missing root is an
 * error, never an empty folder (an unmounted disk must not read as "the
 * user deleted everything").
 *
 * Threads: allset_scanner_scan() blocks (disk, hashing, journal) — call it
 * from a worker thread. One scan at a time per folder: the sync pass
 * serialises them. Uses POSIX *at() calls (Linux, macOS, BSD).
 */

#pragma once

#include <gio/gio.h>

#include "allset-chunk-parallel.h"
#include "allset-ignore.h"
#include "allset-journal.h"

G_BEGIN_DECLS

/* Directories nested deeper are reported (IO_ERROR) and skipped: every
 * level holds a descriptor open. */
#define ALLSET_SCANNER_MAX_DEPTH 256

typedef struct
{
  /* The NFC subtree this result covers: "" for the whole folder. */
  char       *subpath;
  /* path → AllsetLocalEntry for subpath and below (the key is the
   * entry's path). A file that vanished is simply absent. */
  GHashTable *entries;
  /* AllsetIssue found in the subtree; also stored in the journal
   * (ALLSET_ISSUE_ORIGIN_SCAN), replacing the subtree's previous ones. */
  GPtrArray  *issues;
  /* NFC paths of UNSTABLE files: scan them again in a few seconds. */
  GPtrArray  *unstable;
  /* Directories (relative, as bytes on disk; "" for the root) that held
   * a name starting with ALLSET_PARTIAL_PREFIX when they were listed:
   * where stale part files can be (allset_transfer_sweep_parts()). */
  GPtrArray  *part_dirs;

  guint       n_files;
  guint       n_dirs;
  guint       n_skipped;
  guint       n_hashed;       /* files read and hashed */
  guint64     bytes_hashed;
} AllsetScanResult;

void allset_scan_result_free (AllsetScanResult *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetScanResult, allset_scan_result_free)

#define ALLSET_TYPE_SCANNER (allset_scanner_get_type ())
G_DECLARE_FINAL_TYPE (AllsetScanner, allset_scanner, ALLSET, SCANNER, GObject)

/* root: the folder on disk (absolute, or relative to the working
 * directory). ignore may be NULL: the built-in and reserved rules only.
 * The scanner keeps references to journal and ignore. */
AllsetScanner    *allset_scanner_new      (const char     *root,
                                           AllsetJournal  *journal,
                                           AllsetIgnore   *ignore);
const char       *allset_scanner_get_root (AllsetScanner  *self);
/* sink (or NULL) sees the chunks of the large files the scan reads, as
 * they are hashed (allset_file_hash_read()); sink_data must outlive the
 * scans. */
void              allset_scanner_set_chunk_sink (AllsetScanner       *self,
                                                 AllsetChunkSinkFunc  sink,
                                                 gpointer             sink_data);

/* Scans subpath and everything below it. subpath is relative to the root
 * as the bytes on disk (what a GFileMonitor event gives:
 * g_file_get_relative_path()); "" scans the whole folder. When subpath is
 * gone, the result has no entries and the journal forgets the subtree.
 *
 * A subpath whose parent directories the cache does not know as synced
 * directories (new, skipped, renamed) is widened to the nearest one that
 * it knows, up to the whole folder: result->subpath says what was
 * scanned, and the caller replaces that subtree of its local map with
 * result->entries.
 *
 * Cancelling keeps what was hashed (it is written to the journal) and
 * returns G_IO_ERROR_CANCELLED. Errors: the root is missing or not a
 * directory (G_IO_ERROR_NOT_FOUND, G_IO_ERROR_NOT_DIRECTORY), the journal
 * lies inside the folder (G_IO_ERROR_INVALID_ARGUMENT), journal failures.
 * Problems with single entries are issues, not errors. */
AllsetScanResult *allset_scanner_scan     (AllsetScanner  *self,
                                           const char     *subpath,
                                           GCancellable   *cancellable,
                                           GError        **error);

G_END_DECLS
