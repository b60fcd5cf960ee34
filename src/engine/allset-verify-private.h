/* allset-verify-private.h — what allset-verify.c and allset-verify-read.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-ignore.h"
#include "allset-journal.h"
#include "allset-verify.h"

G_BEGIN_DECLS

typedef struct
{
  AllsetLocalEntry *entry;    /* stat data; file_id once hashed */
  GArray           *chunks;   /* AllsetLocalChunk, once hashed */
  char             *problem;  /* why it could not be hashed */
} LocalFile;

void      verify_local_file_free (gpointer data);

typedef struct
{
  AllsetClient             *client;
  const AllsetFolderConfig *folder;
  AllsetVerifyReport       *report;
  GCancellable             *cancellable;
  AllsetJournal            *journal;    /* NULL: never synced */
  AllsetIgnore             *ignore;
  const char               *subpath;
  GHashTable               *local;      /* path → LocalFile (files and dirs) */
  GHashTable               *remote;     /* path → AllsetRemoteEntry (files and dirs) */
  GPtrArray                *next_dirs;  /* the level being listed finds these */
  GMutex                    lock;       /* remote, next_dirs, report counters, error */
  GError                   *error;      /* the first fatal one */
} Verify;

/* Keeps error (taken) as the check's fatal error, unless one is kept. */
void      verify_fail            (Verify     *v,
                                  GError     *error);
/* Cancelled, or a fatal error: workers stop taking items. */
gboolean  verify_stopped         (Verify     *v);

typedef void (*VerifyJob) (Verify  *v,
                           gpointer item);

/* Runs job on every item, ALLSET_VERIFY_WORKERS threads at most. */
void      verify_run_batch       (Verify     *v,
                                  GPtrArray  *items,
                                  VerifyJob   job);

/* allset-verify-read.c: fills v->local with the subpath's files and
 * directories (stat data only)… */
void      verify_read_disk       (Verify     *v);
/* …hashes every file of v->local… */
void      verify_hash_files      (Verify     *v);
/* …and fills v->remote with the server's live entries of the subpath. */
void      verify_read_server     (Verify     *v);

G_END_DECLS
