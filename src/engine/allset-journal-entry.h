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
 * Every struct owns its strings; _copy() is deep; g_autoptr works. They
 * hold no references to anything else, so they may cross threads.
 */

#pragma once

#include <glib.h>

#include "allset-protocol.h"

G_BEGIN_DECLS

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

/* A row of the journal's base table. */
typedef struct
{
  char            *path;
  AllsetEntryType  type;         /* FILE or DIR */
  char            *file_id;      /* hex; NULL for directories */
  gint64           size;
  /* Local mtime in nanoseconds when both sides agreed: the server keeps
   * seconds, and nanoseconds are what tells a rewrite within the same
   * second apart. */
  gint64           mtime_ns;
  gboolean         executable;
  gint64           revision;     /* the server's revision of this path */
  guint64          inode;        /* of the local copy: move detection */
  guint64          dev;
  AllsetFileState  state;        /* files; directories stay VERIFIED */
  char            *receipt;      /* JSON of the signed receipt, or NULL */
  gint64           verified_at;  /* Unix seconds, 0 = never */
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
  AllsetEntryType  type;         /* FILE or DIR */
  gint64           revision;
  char            *file_id;      /* hex; NULL for directories */
  gint64           size;
  gint64           mtime;        /* seconds, as the server keeps it */
  gboolean         executable;
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
  AllsetEntryType   type;
  gint64            size;
  gint64            mtime_ns;
  gboolean          executable;   /* owner execute bit */
  guint64           inode;
  guint64           dev;
  char             *file_id;      /* hex; files that are neither SKIPPED nor UNSTABLE */
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
