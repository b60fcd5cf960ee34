/* allset-transfer-private.h — shared by allset-transfer.c and allset-transfer-send.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-sync-private.h"

G_BEGIN_DECLS

/* An upload or a remote operation queued for the end of the pass. */
typedef struct
{
  const AllsetAction *action;   /* borrowed from the plan */
  GArray             *chunks;   /* AllsetLocalChunk (uploads) */
  GPtrArray          *sources;  /* the chunks sent for it (allset-transfer-send.c), borrowed */
  char               *file_id;
  gboolean            failed;   /* a chunk could not be sent */
} PendingOp;

/* The chunks in flight: commits wait on cond for the chunks of their
 * files while the other chunks are still being sent. */
typedef struct
{
  AllsetSyncPass *pass;
  GHashTable     *by_id;   /* hex → chunk source, owned */
  GThreadPool    *pool;    /* NULL: nothing is being sent */
  GMutex          lock;
  GCond           cond;
  GError         *error;   /* the first error, fatal or not */
} TransferSend;

/* The file of local, opened for reading without following a symlink. */
int      allset_transfer_open_local  (AllsetSyncPass         *pass,
                                      const AllsetLocalEntry *local);

/* Asks which chunks of the queued uploads the server lacks and starts
 * sending them; every PendingOp gets its sources. Sets pass->fatal when
 * the question cannot be asked. */
void     allset_transfer_send_start  (AllsetSyncPass         *pass,
                                      TransferSend           *send);
/* Waits until the chunks of ops (PendingOp) are stored or failed, and
 * marks failed the uploads with a chunk that did not get there. */
void     allset_transfer_send_wait   (TransferSend           *send,
                                      GPtrArray              *ops);
/* Waits for every send, says why chunks failed if it stops the pass,
 * and frees what start made. */
void     allset_transfer_send_finish (AllsetSyncPass         *pass,
                                      TransferSend           *send);

G_END_DECLS
