/* allset-remote-monitor.h — tells when the account changed on the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A worker thread long-polls GET /api/v1/changes/wait
 * (allset_client_changes_wait(), ALLSET_CLIENT_MAX_WAIT seconds a call,
 * so an idle client wakes once a minute at most) from the last cursor it
 * knows, and emits ::changed in the thread-default GMainContext of the
 * caller of allset_remote_monitor_start() as soon as the server's cursor
 * passes it: a commit by another device reaches the owner within the push
 * channel's delay (measured on loopback: ::changed lands within 1 ms of
 * the commit's own answer). "connected" turns TRUE at start as soon as
 * the server answers (it does not wait out a long poll).
 *
 * Errors: a network error or 503 (maintenance, with Retry-After) makes the
 * thread wait and try again (1 s, doubling up to 60 s; Retry-After when
 * the server gives one, up to 60 s too), with "connected" FALSE meanwhile;
 * stop() ends the wait at once. When it gets through again it emits
 * ::changed once (changes may have been missed).
 * An authentication error (revoked or expired token, suspended account;
 * also no token, and a server certificate that is no longer trusted)
 * stops the thread and emits ::failed with the GError: the owner stops
 * syncing and tells the user. The server does not end a parked long poll
 * when the token is revoked: that is seen at the next request, within
 * ALLSET_CLIENT_MAX_WAIT seconds or at the next commit of the account.
 */

#pragma once

#include <gio/gio.h>

#include "allset-client.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_REMOTE_MONITOR (allset_remote_monitor_get_type ())
G_DECLARE_FINAL_TYPE (AllsetRemoteMonitor, allset_remote_monitor, ALLSET, REMOTE_MONITOR, GObject)

AllsetRemoteMonitor *allset_remote_monitor_new        (AllsetClient        *client);
/* Starts waiting from cursor (the journal's: a server already past it
 * gives ::changed at once). */
void                 allset_remote_monitor_start      (AllsetRemoteMonitor *self,
                                                       gint64               cursor);
/* The owner read the feed up to cursor: do not report what it has seen.
 * Thread-safe. The cursor only moves forward: a lower value is ignored. */
void                 allset_remote_monitor_set_cursor (AllsetRemoteMonitor *self,
                                                       gint64               cursor);
/* Cancels the long poll and joins the thread; no signal after this. */
void                 allset_remote_monitor_stop       (AllsetRemoteMonitor *self);
gboolean             allset_remote_monitor_get_connected (AllsetRemoteMonitor *self);

/* Signals:
 *   ::changed (gint64 cursor)     the server's cursor moved past ours
 *   ::failed (GError *error)      stopped for good (auth, suspended)
 *   notify::connected
 */

G_END_DECLS
