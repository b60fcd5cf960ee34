/* soak-common.h — what the parts of the sync soak test (test-soak.c) share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * soak-tree.c reads trees: a client's folder (with file ids computed as
 * the engine computes them: FastCDC chunks, SHA-256 over the chunk ids)
 * and the server's live tree, and compares them. soak-ops.c is the
 * random user: creates, edits, deletes, moves and renames on one client's
 * folder, biased to a few names so that clients collide.
 */

#pragma once

#include "allset-client.h"

G_BEGIN_DECLS

typedef enum
{
  SOAK_FILE,
  SOAK_DIR,
} SoakType;

/* One entry of a tree: local (all fields) or remote (no mtime_ns/ino). */
typedef struct
{
  SoakType  type;
  guint64   size;
  gint64    mtime_ns;
  guint64   ino;
  gboolean  executable;
  char     *file_id;  /* files only; lowercase hex */
} SoakItem;

void soak_item_free (SoakItem *item);

/* The local folder at root: relative path → SoakItem. cache (may be NULL)
 * maps "path size mtime ino" to file ids already computed, so a big file
 * is hashed once. Part files (.allset-part-*) are not listed but counted
 * in *n_parts. */
GHashTable *soak_scan_local   (const char   *root,
                               GHashTable   *cache,
                               guint        *n_parts);
/* Every regular file below root (an OS trash), as file id → path. */
void        soak_scan_ids     (const char   *root,
                               GHashTable   *ids);
/* What an OS trash (its files/ directory) holds, counted as the engine
 * counts its deletions (deleted_local): each trashed entry is the files
 * below it, or 1 when it holds none. */
guint       soak_count_trashed (const char  *trash);
/* The server's live tree below remote ("Sync"): relative path → SoakItem
 * (the execute bit read file by file). NULL with error when remote cannot
 * be listed. */
GHashTable *soak_scan_server  (AllsetClient *api,
                               const char   *remote,
                               GError      **error);
/* Appends one line per difference to diff (at most max lines); TRUE when
 * the two trees hold the same names, types, sizes, execute bits and file
 * ids. */
gboolean    soak_compare      (GHashTable   *local,
                               GHashTable   *server,
                               GString      *diff,
                               guint         max);
/* A signature of a local tree (paths, types, sizes, mtimes, inodes): two
 * equal signatures mean that nothing changed in between. */
char       *soak_signature    (GHashTable   *tree);

/* What a client's random user did, for the report. */
typedef struct
{
  guint creates, edits, deletes, rmdirs, mkdirs, moves, touches, chmods, wipes, copies, skipped;
} SoakOpCounts;

/* One client (soak-client.c): an allset-cli with its own directories,
 * signed in as alice, syncing DIR/Sync with the remote folder "Sync". */
typedef struct
{
  char          name[2];      /* "A" */
  guint         index;
  char         *home;
  char         *dir;          /* WORK/A: config, state, share (its trash), cache */
  char         *folder;       /* WORK/A/Sync */
  char         *config;
  GHashTable   *cache;        /* for soak_scan_local() */
  SoakOpCounts  counts;
  char         *last_output;  /* of its last pass */
  guint         trashed;      /* entries its passes said they sent to the OS trash */
  gboolean      interrupted;  /* a pass of it was killed, or raced by its user */
  /* Behind garble-proxy.c: the engine's warnings about what it is told
   * (a receipt missing, say) are expected; criticals still abort. */
  gboolean      garbled;
} SoakClient;

/* Makes its directories, signs in (device "poste-A"), adds the folder. */
void         soak_client_setup (SoakClient         *client,
                                guint               index,
                                const char         *work,
                                const char         *url,
                                const char         *fingerprint);
void         soak_client_clear (SoakClient         *client);
/* `allset-cli ARGS…` as this client; stdin, stdout and stderr piped. */
GSubprocess *soak_client_spawn (SoakClient         *client,
                                const char * const *args);

/* What the server ever held (soak-history.c), from its changes feed. */
typedef struct _SoakHistory SoakHistory;

SoakHistory *soak_history_new       (void);
void         soak_history_free      (SoakHistory  *self);
/* Reads the feed from where the last call stopped. */
gboolean     soak_history_refresh   (SoakHistory  *self,
                                     AllsetClient *api,
                                     GError      **error);
/* The server committed this content at some time. */
gboolean     soak_history_has       (SoakHistory  *self,
                                     const char   *file_id);
/* file id → server path of its first commit: all the server committed. */
GHashTable  *soak_history_committed (SoakHistory  *self);
/* Adds to found (file id → where) the file ids of server (its live tree,
 * from soak_scan_server()) and of the versions of every path a file ever
 * had on the server. */
gboolean     soak_history_collect   (SoakHistory  *self,
                                     AllsetClient *api,
                                     GHashTable   *server,
                                     GHashTable   *found,
                                     GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SoakHistory, soak_history_free)


/* Called before an operation destroys local content (an edit, a delete):
 * file_id is the content that goes away, path where it was. Also the type
 * of the written callback: after each operation, every file of the tree
 * (what was just written among them). */
typedef void (*SoakDiscardFunc) (const char *file_id,
                                 const char *path,
                                 gpointer    user_data);

typedef struct
{
  GRand           *rand;
  const char      *root;       /* the client's folder */
  GHashTable      *cache;      /* for soak_scan_local() */
  const char      *client;     /* "A", for content tags and logs */
  guint            round;
  guint           *serial;     /* shared: every content written is unique */
  gboolean         verbose;
  SoakOpCounts    *counts;
  SoakDiscardFunc  discard;
  SoakDiscardFunc  written;
  gpointer         discard_data;   /* for both */
} SoakUser;

/* Applies n random operations to the folder; tree is its scan (updated
 * as the operations go). */
void soak_user_act (SoakUser   *user,
                    GHashTable *tree,
                    guint       n);

G_END_DECLS
