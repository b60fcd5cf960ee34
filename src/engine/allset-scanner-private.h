/* allset-scanner-private.h — internals shared by allset-scanner*.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/stat.h>

#include "allset-file-hash.h"
#include "allset-scanner.h"

G_BEGIN_DECLS

#ifndef O_NOATIME
# define O_NOATIME 0
#endif

#if defined(__APPLE__)
# define ST_MTIM(st) ((st)->st_mtimespec)
# define ST_CTIM(st) ((st)->st_ctimespec)
#else
# define ST_MTIM(st) ((st)->st_mtim)
# define ST_CTIM(st) ((st)->st_ctim)
#endif

#define NS_PER_SEC G_GINT64_CONSTANT (1000000000)
/* A file hashed less than this after its mtime could be written again
 * within the same timestamp tick and keep size and mtime: it is flagged
 * RACY and hashed once more next time. Nanosecond file systems tick every
 * few milliseconds (the kernel's coarse clock); whole-second timestamps
 * (FAT has two-second ones) need seconds. */
#define RACY_WINDOW_FINE_NS   (100 * G_GINT64_CONSTANT (1000000))
#define RACY_WINDOW_COARSE_NS (3 * NS_PER_SEC)
/* Journal writes are batched; a long first scan still saves its work as
 * it goes, so a cancelled or crashed one does not start over. */
#define FLUSH_EVERY 1000

struct _AllsetScanner
{
  GObject        parent_instance;

  char          *root;
  AllsetJournal *journal;
  AllsetIgnore  *ignore;
  AllsetChunkSinkFunc chunk_sink;
  gpointer            chunk_sink_data;
};

typedef struct
{
  AllsetLocalEntry *entry;   /* borrowed from the result */
  GArray           *chunks;  /* owned; NULL keeps the recorded ones */
} PendingWrite;

typedef struct
{
  AllsetScanner    *self;
  GCancellable     *cancellable;
  AllsetScanResult *result;
  GHashTable       *cache;      /* the journal's local entries of the subtree */
  GHashTable       *base;       /* loaded on the first cache miss */
  GHashTable       *by_inode;   /* "dev:inode" → cached entry, same time */
  GArray           *pending;    /* PendingWrite */
  GThreadPool      *hash_pool;  /* helpers of scanner_hash_ahead(), lazily */
  GString          *path;       /* NFC path of the directory being read */
  GString          *disk;       /* the same as bytes on disk */
  guint             depth;
  gboolean          cancelled;
  GError           *error;      /* fatal: stops the walk */
} Walk;

typedef struct
{
  char        *name;     /* as on disk */
  char        *key;      /* NFC name, or a printable form of a bad one */
  char        *problem;  /* why the name is not portable, or NULL */
  gboolean     clash;
  struct stat  st;
  /* Filled ahead of the walk by scanner_hash_ahead(): whether the
   * journal was asked, what it knew (scanner_known_file_id()), and when
   * it knew nothing, the file as read. */
  gboolean     looked_up;
  char        *known_id;
  GArray      *known_chunks;
  AllsetFileHash *hashed;
} Child;

static inline gint64
timespec_ns (struct timespec ts)
{
  return (gint64) ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* Records an issue of the walk (allset-scanner-file.c). */
void            scanner_add_issue     (Walk             *walk,
                                       const char       *path,
                                       AllsetIssueKind   kind,
                                       const char       *format,
                                       ...) G_GNUC_PRINTF (4, 5);
AllsetIssueKind scanner_kind_for_errno (int              saved);
/* Takes entry and chunks into the result; queues a journal write when
 * the entry differs from the cache. */
void            scanner_add_entry     (Walk             *walk,
                                       AllsetLocalEntry *entry,
                                       GArray           *chunks);
/* Writes the queued entries in one transaction. */
void            scanner_flush         (Walk             *walk);
/* The file id the journal already knows for this stat data, if any
 * (an entry string); sets *chunks to what local_put should do with the
 * recorded chunks (NULL: keep them). */
char           *scanner_known_file_id (Walk              *walk,
                                       const char        *path,
                                       const struct stat *st,
                                       GArray           **chunks);
/* Asks the journal about the regular files among children[from, to)
 * and, when it does not know enough of them, hashes those on several
 * threads (the scan's pool) before the walk takes the children in order.
 * The walk goes SCANNER_AHEAD_WINDOW children at a time: what is read
 * ahead is held in memory, and cancelling waits for it. */
#define SCANNER_AHEAD_WINDOW 1024
void            scanner_hash_ahead    (Walk             *walk,
                                       int               dirfd,
                                       GArray           *children,
                                       guint             from,
                                       guint             to);
/* A regular file: reuse the known id or hash it. Takes entry. */
void            scanner_handle_file   (Walk             *walk,
                                       int               dirfd,
                                       Child            *child,
                                       AllsetLocalEntry *entry);

G_END_DECLS
