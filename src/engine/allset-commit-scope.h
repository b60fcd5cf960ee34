/* allset-commit-scope.h — which commit batches may travel together
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server applies concurrent commit requests in whatever order their
 * requests reach its store, and it makes the missing parents of a path
 * itself. A batch sent while the one before it is still on its way must
 * therefore not touch any path that batch touches, nor any path above or
 * below one: a file in "a/" before the "mkdir a" that was meant to come
 * first would turn that mkdir into a conflict, and a delete of "a" could
 * land before the upload into "a/" that it was meant to follow.
 *
 * A scope holds the paths of one batch (a move counts both ends), folded
 * as the server compares names (case and Unicode form do not matter).
 */

#pragma once

#include "allset-reconcile.h"

G_BEGIN_DECLS

typedef struct _AllsetCommitScope AllsetCommitScope;

AllsetCommitScope *allset_commit_scope_new     (void);
void               allset_commit_scope_free    (AllsetCommitScope  *self);
void               allset_commit_scope_add     (AllsetCommitScope  *self,
                                                const AllsetAction *action);
/* Whether action names a path of the scope, or one above or below it. */
gboolean           allset_commit_scope_touches (const AllsetCommitScope *self,
                                                const AllsetAction      *action);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetCommitScope, allset_commit_scope_free)

/* Cuts items (each holding an AllsetAction, which action_of gives) into
 * batches of at least size items, in order. A batch grows past size
 * while the next item touches it (up to twice size), so that a directory
 * and its files, cut in two, do not keep the next batch waiting for the
 * reply to this one. Returns GPtrArray of GPtrArray, the items borrowed;
 * when scopes is not NULL, sets it to each batch's scope, in order. */
GPtrArray *allset_commit_scope_cut (GPtrArray            *items,
                                    const AllsetAction *(*action_of) (gconstpointer item),
                                    guint                 size,
                                    GPtrArray           **scopes);

G_END_DECLS
