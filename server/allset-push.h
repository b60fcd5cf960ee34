/* allset-push.h — parked long polls, woken when an account's cursor moves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _AllsetPush AllsetPush;

AllsetPush *allset_push_new    (void);
void        allset_push_free   (AllsetPush        *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetPush, allset_push_free)

/* msg is paused; it is answered {"cursor","changed"} and unpaused as soon
 * as the account's cursor passes cursor, or after timeout_seconds. */
void        allset_push_park   (AllsetPush        *self,
                                SoupServerMessage *msg,
                                gint64             account_id,
                                gint64             cursor,
                                guint              timeout_seconds);
/* A commit moved the account's cursor. */
void        allset_push_notify (AllsetPush        *self,
                                gint64             account_id,
                                gint64             cursor);

G_END_DECLS
