/* allset-reconcile-private.h — internals shared by allset-reconcile*.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-reconcile.h"

G_BEGIN_DECLS

/* The three views start as the input maps (minus ignored paths) and are
 * rewritten as moves and conflict renames are planned, so that each later
 * decision sees the tree as it will be when its action runs; in every
 * view, entry->path equals its key. A renamed entry is replaced by a copy
 * under its new path. The owned_* arrays hold what the views do not own
 * until the plan is made: the copies, when the views are tables of their
 * own; the entries taken out, when they are the input maps (in_place). */
typedef struct
{
  const AllsetReconcileInput *input;
  GHashTable *base;      /* path → AllsetBaseEntry (borrowed or owned copy) */
  GHashTable *local;     /* path → AllsetLocalEntry */
  GHashTable *remote;    /* path → AllsetRemoteEntry */
  GPtrArray  *owned_base;    /* freed with the context, after the views */
  GPtrArray  *owned_local;
  GPtrArray  *owned_remote;
  gboolean    in_place;      /* input->views_in_place */

  GPtrArray  *moves;     /* AllsetAction: moves, executed first */
  GPtrArray  *pre;       /* creations and transfers, parents first */
  GPtrArray  *post;      /* deletions, children first */
  GPtrArray  *issues;    /* AllsetIssue */
  GHashTable *taken;     /* folded paths in use, for conflict names (lazy) */
} Reconcile;

/* Pure comparisons: same type, and for files same id and execute bit. */
gboolean      reconcile_same_local_base  (const AllsetLocalEntry  *local,
                                          const AllsetBaseEntry   *base);
gboolean      reconcile_same_remote_base (const AllsetRemoteEntry *remote,
                                          const AllsetBaseEntry   *base);
gboolean      reconcile_same_local_remote (const AllsetLocalEntry  *local,
                                           const AllsetRemoteEntry *remote);
/* Skipped, unstable or not a file/directory: never acted upon. */
gboolean      reconcile_local_frozen     (const AllsetLocalEntry  *local);

/* A new action with copies of the views' entries at path (from, for a
 * move); appended to list. */
AllsetAction *reconcile_action           (Reconcile               *rc,
                                          GPtrArray               *list,
                                          AllsetActionKind         kind,
                                          const char              *path,
                                          const char              *reason);

/* Renames from and everything below it to `to` in one view. */
void          reconcile_rewrite_local    (Reconcile  *rc,
                                          const char *from,
                                          const char *to);
void          reconcile_rewrite_base     (Reconcile  *rc,
                                          const char *from,
                                          const char *to);
void          reconcile_rewrite_remote   (Reconcile  *rc,
                                          const char *from,
                                          const char *to);

/* Moves (allset-reconcile-moves.c): replays the feed's moves, then finds
 * local renames; both emit into rc->moves and rewrite the views. */
void          reconcile_remote_moves     (Reconcile  *rc);
void          reconcile_local_moves      (Reconcile  *rc);

/* The tree walk (allset-reconcile-walk.c): fills pre, post and issues. */
void          reconcile_walk             (Reconcile  *rc);

/* Sort order in which a directory comes right before its subtree:
 * '/' sorts before every other byte. */
int           reconcile_path_compare     (const char *a,
                                          const char *b);

G_END_DECLS
