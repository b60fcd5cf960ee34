/* allset-journal-entry.h — the plain records the sync engine passes around
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One folder is seen three ways, each a map path → entry:
 *
 *   base    AllsetBaseEntry    the last state both sides agreed on (journal)
 *   local   AllsetLocalEntry   what the scanner found on disk
 *   remote  AllsetRemoteEntry  the server's tree as told by the changes feed
 *
 * Paths are NFC, relative to the folder root ("" is the root itself, which
 * is never an entry), '/'-separated, valid per docs/protocol.md "Names" —
 * except the path of a local entry flagged ALLSET_LOCAL_SKIPPED, which may
 * be an unportable name made printable (see AllsetLocalEntry).
 *
 * The strings of an entry (path, disk_path, file_id, receipt) are
 * reference-counted entry strings, each holding one reference: a pass
 * over 100 000 files would otherwise hold every path and file id three
 * times, once per view (DESIGN.md §6, dataset F). The journal's loaders
 * and the scanner share one string between the views of a path; _copy()
 * takes references. Set a field with allset_entry_string() or
 * allset_entry_string_acquire(), never with g_strdup(), and never
 * g_free() one. Entries hold no references to anything else, so they
 * may cross threads (the counts are atomic).
 */

#pragma once

#include <glib.h>

#include "allset-protocol.h"

G_BEGIN_DECLS

/* A new entry string holding a copy of string; NULL for NULL. Like a
 * GRefString, with a 4-byte count where GRefString keeps 32 bytes: a
 * no-change pass over 100 000 files peaked 7.7 MB lower. */
char *allset_entry_string         (const char *string);
/* The same for the first len bytes of string, which hold no NUL. */
char *allset_entry_string_new_len (const char *string,
                                   gsize       len);
/* A new GRefString holding hash in lowercase hex: a file id. */
char *allset_entry_string_for_hash (const AllsetHash *hash);
/* Another reference to an entry string; NULL for NULL. */
char *allset_entry_string_acquire (char       *string);
/* Drops a reference; NULL is ignored. */
void  allset_entry_string_release (char       *string);

typedef enum
{
  ALLSET_ENTRY_FILE = 1,
  ALLSET_ENTRY_DIR,
  /* Local only: a symlink, fifo, socket or device (always SKIPPED). */
  ALLSET_ENTRY_OTHER,
} AllsetEntryType;

/* "file", "dir", "other"; from_string answers 0 for anything else. */
const char      *allset_entry_type_to_string   (AllsetEntryType  type);
AllsetEntryType  allset_entry_type_from_string (const char      *string);

/* Verification (issue: "each file moves pending → uploaded → verified"). */
typedef enum
{
  /* Known locally, not yet committed in this version. */
  ALLSET_FILE_PENDING = 1,
  /* The server committed it (revision known); receipt not checked yet. */
  ALLSET_FILE_UPLOADED,
  /* The local hash equals the server's file id and the signed receipt
   * for that revision checks out (allset_receipt_verify()). */
  ALLSET_FILE_VERIFIED,
} AllsetFileState;

/* "pending", "uploaded", "verified"; from_string answers 0 otherwise. */
const char      *allset_file_state_to_string   (AllsetFileState  state);
AllsetFileState  allset_file_state_from_string (const char      *string);

/* A row of the journal's base table. A pass holds one record of each
 * kind per file, so they are packed: no padding between fields, and
 * small ones in bit-fields where that brings a record under a malloc
 * chunk size (this one: 72 bytes, an 80-byte chunk; 88 took 96). path
 * stays first (allset-reconcile.c reads it through any of the three). */
typedef struct
{
  char            *path;
  char            *file_id;      /* hex; NULL for directories */
  char            *receipt;      /* JSON of the signed receipt, or NULL */
  gint64           size;
  /* Local mtime in nanoseconds when both sides agreed: the server keeps
   * seconds, and nanoseconds are what tells a rewrite within the same
   * second apart. */
  gint64           mtime_ns;
  gint64           revision;     /* the server's revision of this path */
  guint64          inode;        /* of the local copy: move detection */
  guint64          dev;
  gint64           verified_at : 58;  /* Unix seconds, 0 = never */
  guint64          type : 2;          /* AllsetEntryType: FILE or DIR */
  guint64          state : 2;         /* AllsetFileState; directories stay VERIFIED */
  guint64          executable : 1;
} AllsetBaseEntry;

AllsetBaseEntry *allset_base_entry_new  (const char            *path,
                                         AllsetEntryType        type);
AllsetBaseEntry *allset_base_entry_copy (const AllsetBaseEntry *self);
void             allset_base_entry_free (AllsetBaseEntry       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetBaseEntry, allset_base_entry_free)

/* A row of the journal's remote table. */
typedef struct
{
  char            *path;
  char            *file_id;      /* hex; NULL for directories */
  gint64           revision;
  gint64           size;
  /* Bit-fields, so that a record is 40 bytes: malloc gives those a
   * 48-byte chunk and 48 bytes a 64-byte one (1.6 MB over 100 000
   * files). 61 bits of seconds reach 36 billion years either way. */
  gint64           mtime : 61;   /* seconds, as the server keeps it */
  guint64          type : 2;     /* AllsetEntryType: FILE or DIR */
  guint64          executable : 1;
} AllsetRemoteEntry;

AllsetRemoteEntry *allset_remote_entry_new  (const char              *path,
                                             AllsetEntryType          type);
AllsetRemoteEntry *allset_remote_entry_copy (const AllsetRemoteEntry *self);
void               allset_remote_entry_free (AllsetRemoteEntry       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetRemoteEntry, allset_remote_entry_free)

typedef enum
{
  /* Present on disk but not synced (symlink, unportable name, case
   * clash, unreadable…): an issue says why. The reconciler never acts on
   * it nor on anything below it, and never deletes its parents. */
  ALLSET_LOCAL_SKIPPED  = 1 << 0,
  /* It changed while it was being hashed: file_id is NULL; the scanner
   * lists it in AllsetScanResult.unstable so the caller rescans it later.
   * Treated like SKIPPED until then. */
  ALLSET_LOCAL_UNSTABLE = 1 << 1,
  /* Hashed so soon after its last write that a second write within the
   * file system's timestamp granularity could leave size and mtime
   * unchanged (git's "racy clean" problem): file_id is right, but the
   * next scan hashes it again instead of trusting the stat data. */
  ALLSET_LOCAL_RACY     = 1 << 2,
} AllsetLocalFlags;

/* What the scanner saw: a row of the journal's local table. */
typedef struct
{
  /* NFC path. For a SKIPPED entry whose name is not a valid portable
   * name, a printable form: invalid UTF-8 bytes become "\xNN" (a
   * backslash never occurs in a valid path, so it cannot collide). */
  char             *path;
  /* The path as the bytes on disk, relative to the root, when it differs
   * from path (a name stored decomposed, as macOS and some Linux tools
   * do, or an invalid one); NULL otherwise. Open files through it. */
  char             *disk_path;
  char             *file_id;      /* hex; files that are neither SKIPPED nor UNSTABLE */
  gint64            size;
  gint64            mtime_ns;
  guint64           inode;
  guint64           dev;
  AllsetEntryType   type;
  gboolean          executable;   /* owner execute bit */
  AllsetLocalFlags  flags;
} AllsetLocalEntry;

AllsetLocalEntry *allset_local_entry_new  (const char             *path,
                                           AllsetEntryType         type);
AllsetLocalEntry *allset_local_entry_copy (const AllsetLocalEntry *self);
void              allset_local_entry_free (AllsetLocalEntry       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetLocalEntry, allset_local_entry_free)

/* "The file at path disk_path (or path) is still what we scanned": same
 * type, size, mtime_ns, inode and dev. The executor compares a fresh
 * lstat() with the entry an action carries, right before it replaces or
 * trashes anything (DESIGN.md §4, invariant 2). */
gboolean allset_local_entry_stat_equal (const AllsetLocalEntry *a,
                                        const AllsetLocalEntry *b);

/* One chunk of a local file, as the scanner cut it. */
typedef struct
{
  AllsetHash id;
  gint64     offset;
  gint64     size;
} AllsetLocalChunk;

/* Where a chunk can be read on disk (allset_journal_find_chunk()). It is
 * a hint: the file may have changed since. Use it only if the file's
 * size and mtime_ns still equal file_size and file_mtime_ns, and hash
 * the bytes read before trusting them. */
typedef struct
{
  char   *path;           /* NFC path */
  char   *disk_path;      /* or NULL: path */
  gint64  offset;
  gint64  size;
  gint64  file_size;      /* of the whole file when it was hashed */
  gint64  file_mtime_ns;
} AllsetChunkLocation;

void allset_chunk_location_free (AllsetChunkLocation *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetChunkLocation, allset_chunk_location_free)

/* A move read from the changes feed and not yet carried out locally
 * (allset_journal_list_remote_moves()). */
typedef struct
{
  gint64  seq;
  char   *from;
  char   *to;
} AllsetRemoteMove;

AllsetRemoteMove *allset_remote_move_new  (gint64      seq,
                                           const char *from,
                                           const char *to);
void              allset_remote_move_free (AllsetRemoteMove *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetRemoteMove, allset_remote_move_free)

/* Something the user should know about a path, shown until it goes away.
 * kind is the stable machine-readable part (the UI words it and
 * translates it); message is an English detail for logs and the CLI. */
typedef enum
{
  ALLSET_ISSUE_SYMLINK = 1,      /* symbolic links are not synced */
  ALLSET_ISSUE_UNPORTABLE_NAME,  /* breaks docs/protocol.md "Names" */
  ALLSET_ISSUE_CASE_CLASH,       /* two names differ only by case (or NFC) */
  ALLSET_ISSUE_PERMISSION,       /* cannot be read */
  ALLSET_ISSUE_SPECIAL_FILE,     /* fifo, socket, device */
  ALLSET_ISSUE_UNSTABLE,         /* kept changing while being hashed */
  ALLSET_ISSUE_IO_ERROR,         /* any other failure to read it */
  ALLSET_ISSUE_CONFLICT,         /* path is a conflict copy; message: the original path */
  ALLSET_ISSUE_SYNC_FAILED,      /* the last pass could not carry out an action there */
} AllsetIssueKind;

/* "symlink", "unportable_name", "case_clash", "permission",
 * "special_file", "unstable", "io_error", "conflict", "sync_failed"; from_string answers 0 otherwise. */
const char      *allset_issue_kind_to_string   (AllsetIssueKind  kind);
AllsetIssueKind  allset_issue_kind_from_string (const char      *string);

typedef struct
{
  char            *path;
  AllsetIssueKind  kind;
  char            *message;
} AllsetIssue;

AllsetIssue *allset_issue_new  (const char        *path,
                                AllsetIssueKind    kind,
                                const char        *message);
AllsetIssue *allset_issue_copy (const AllsetIssue *self);
void         allset_issue_free (AllsetIssue       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetIssue, allset_issue_free)

G_END_DECLS
