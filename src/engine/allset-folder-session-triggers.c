/* allset-folder-session-triggers.c — when a session syncs, and its state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything that may start a pass ends in allset_folder_session_request():
 * the local monitor (debounced inotify), the remote monitor (push
 * channel), the network monitor and the metered policy, the retry timers
 * and the hourly rescan. It runs the pass at once, notes that one more is
 * owed after the running one, or leaves it owed while paused, on a
 * network the policy forbids, or during a backoff. The state and its
 * sentence are set here too.
 *
 * The first pass waits for the local monitor's watches (::ready): a scan
 * that ran while the walk put them in place could miss a change made in
 * a directory it had read before the watch came, so ::ready owes one
 * more pass, and every start made two full passes (two scans of 100 000
 * files). Waiting makes that one pass: what changes before a watch is in
 * place is on disk when the scan, which starts after the last one, reads
 * it. A walk longer than ALLSET_FOLDER_SESSION_WATCHES_WAIT_MS (a huge
 * tree on a slow disk) does not hold the first pass back further; ::ready
 * then asks for another, as before.
 */

#include <glib/gi18n.h>

#include "allset-folder-session-private.h"

#define props allset_folder_session_props

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Sources go to the session's context (start()'s thread-default), not
 * necessarily the global default one. */
static GSource *
add_seconds (AllsetFolderSession *self,
             guint                seconds,
             GSourceFunc          func)
{
  GSource *source = g_timeout_source_new_seconds (seconds);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

/* ---- state ---------------------------------------------------------------- */

void
allset_folder_session_set_state (AllsetFolderSession *self,
                                 AllsetSessionState   state,
                                 const char          *message)
{
  /* One notification of both: a listener never sees the new state with
   * the old sentence. */
  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_STATE]);
    }
  if (g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_MESSAGE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
allset_folder_session_set_error (AllsetFolderSession *self,
                                 const GError        *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  self->error = error != NULL ? g_error_copy (error) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_ERROR]);
}

static void
set_retry_time (AllsetFolderSession *self,
                gint64               retry_time)
{
  if (self->retry_time == retry_time)
    return;
  self->retry_time = retry_time;
  g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_RETRY_TIME]);
}

static gboolean
on_retry (gpointer user_data)
{
  AllsetFolderSession *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  set_retry_time (self, 0);
  allset_folder_session_request (self, TRUE);
  return G_SOURCE_REMOVE;
}

void
allset_folder_session_schedule_retry (AllsetFolderSession *self,
                                      guint                delay_ms)
{
  clear_source (&self->retry_source);
  if (delay_ms % 1000 == 0)
    self->retry_source = add_seconds (self, delay_ms / 1000, on_retry);
  else
    {
      self->retry_source = g_timeout_source_new (delay_ms);
      g_source_set_callback (self->retry_source, on_retry, self, NULL);
      g_source_attach (self->retry_source, self->context);
    }
  set_retry_time (self, g_get_real_time () / G_USEC_PER_SEC + (delay_ms + 999) / 1000);
}

void
allset_folder_session_cancel_retry (AllsetFolderSession *self)
{
  clear_source (&self->retry_source);
  set_retry_time (self, 0);
}

gboolean
allset_folder_session_network_available (AllsetFolderSession *self)
{
  return g_network_monitor_get_network_available (self->network) || self->local_server;
}

AllsetNetworkScope
allset_folder_session_scope (AllsetFolderSession *self)
{
  return allset_network_scope (allset_folder_session_network_available (self),
                               g_network_monitor_get_network_metered (self->network),
                               self->policy);
}

gboolean
allset_folder_session_is_loopback_url (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

void
allset_folder_session_run_if_wanted (AllsetFolderSession *self)
{
  AllsetNetworkScope scope;

  if (!self->started || self->halted || self->pass_cancellable != NULL || !self->wanted)
    return;

  if (self->paused)
    {
      allset_folder_session_cancel_retry (self);
      allset_folder_session_set_state (self, ALLSET_SESSION_PAUSED, _("Paused"));
      return;
    }

  scope = allset_folder_session_scope (self);
  self->last_scope = scope;
  if (scope == ALLSET_NETWORK_SCOPE_NONE)
    {
      /* The network monitor tells when this changes: no timer. */
      allset_folder_session_cancel_retry (self);
      if (allset_folder_session_network_available (self))
        allset_folder_session_set_state (self, ALLSET_SESSION_PAUSED_METERED,
                                         _("Paused: the connection is metered"));
      else
        allset_folder_session_set_state (self, ALLSET_SESSION_OFFLINE, _("Offline: no network"));
      return;
    }

  /* Syncing already for the user: the pass is on its way. */
  if (self->awaiting_watches)
    {
      allset_folder_session_set_state (self, ALLSET_SESSION_SYNCING, _("Preparing to sync"));
      return;
    }

  allset_folder_session_cancel_retry (self);
  allset_folder_session_start_pass (self, scope);
}

void
allset_folder_session_request (AllsetFolderSession *self,
                               gboolean             force)
{
  if (!self->started || self->halted)
    return;

  self->wanted = TRUE;
  if (self->pass_cancellable != NULL)
    {
      self->dirty = TRUE;
      return;
    }
  /* While the server is unreachable or in maintenance, a local edit
   * waits for the backoff: it would only meet the same answer. */
  if (!force && self->retry_source != NULL &&
      (self->state == ALLSET_SESSION_OFFLINE || self->state == ALLSET_SESSION_MAINTENANCE))
    return;
  allset_folder_session_run_if_wanted (self);
}

void
allset_folder_session_halt (AllsetFolderSession *self,
                            const GError        *error,
                            const char          *message)
{
  self->halted = TRUE;
  self->wanted = FALSE;
  self->dirty = FALSE;
  if (self->pass_cancellable != NULL)
    g_cancellable_cancel (self->pass_cancellable);
  allset_folder_session_cancel_retry (self);
  g_object_freeze_notify (G_OBJECT (self));
  allset_folder_session_set_error (self, error);
  allset_folder_session_set_state (self, ALLSET_SESSION_ERROR, message);
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- triggers ------------------------------------------------------------- */

static void
on_local_changed (AllsetLocalMonitor  *monitor,
                  gboolean             full_rescan,
                  AllsetFolderSession *self)
{
  allset_folder_session_request (self, FALSE);
}

static void
watches_awaited (AllsetFolderSession *self)
{
  self->awaiting_watches = FALSE;
  clear_source (&self->watches_source);
  allset_folder_session_run_if_wanted (self);
}

static gboolean
on_watches_timeout (gpointer user_data)
{
  AllsetFolderSession *self = user_data;

  g_debug ("Watches of %s not all in place after %" G_GINT64_FORMAT " ms: the first pass starts",
           self->folder.local, (g_get_monotonic_time () - self->watch_started) / 1000);
  /* Destroyed by returning G_SOURCE_REMOVE, not by watches_awaited(). */
  g_clear_pointer (&self->watches_source, g_source_unref);
  watches_awaited (self);
  return G_SOURCE_REMOVE;
}

static void
on_local_ready (AllsetLocalMonitor  *monitor,
                AllsetFolderSession *self)
{
  g_debug ("Watches of %s in place after %" G_GINT64_FORMAT " ms", self->folder.local,
           (g_get_monotonic_time () - self->watch_started) / 1000);
  if (self->awaiting_watches)
    {
      watches_awaited (self);
      return;
    }
  /* The first pass did not wait for the watches: what changed before
   * they were in place is seen by one more scan. */
  allset_folder_session_request (self, FALSE);
}

static gboolean
on_degraded_timer (gpointer user_data)
{
  allset_folder_session_request (user_data, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
on_local_degraded (AllsetLocalMonitor  *monitor,
                   GParamSpec          *pspec,
                   AllsetFolderSession *self)
{
  if (allset_local_monitor_get_degraded (monitor) && self->degraded_source == NULL)
    self->degraded_source = add_seconds (self, ALLSET_FOLDER_SESSION_DEGRADED_SECONDS, on_degraded_timer);
  else if (!allset_local_monitor_get_degraded (monitor))
    clear_source (&self->degraded_source);
}

static void
on_remote_changed (AllsetRemoteMonitor *monitor,
                   gint64               cursor,
                   AllsetFolderSession *self)
{
  allset_folder_session_request (self, TRUE);
}

static void
on_remote_connected (AllsetRemoteMonitor *monitor,
                     GParamSpec          *pspec,
                     AllsetFolderSession *self)
{
  /* The push channel broke while all was quiet: a pass finds out why
   * (unreachable, maintenance…) and says so. */
  if (!allset_remote_monitor_get_connected (monitor) &&
      (self->state == ALLSET_SESSION_IDLE || self->state == ALLSET_SESSION_NEEDS_CONFIRMATION))
    allset_folder_session_request (self, TRUE);
}

static void
on_remote_failed (AllsetRemoteMonitor *monitor,
                  GError              *error,
                  AllsetFolderSession *self)
{
  g_autofree char *message = allset_folder_session_halt_message (self, error);

  if (!self->started || self->halted)
    return;
  if (message == NULL)
    message = g_strdup_printf (_("Sync stopped: %s"), error->message);
  allset_folder_session_halt (self, error, message);
}

void
allset_folder_session_start_remote (AllsetFolderSession *self,
                                    gint64               cursor)
{
  if (self->remote == NULL)
    {
      self->remote = allset_remote_monitor_new (self->client);
      g_signal_connect_object (self->remote, "changed", G_CALLBACK (on_remote_changed), self, 0);
      g_signal_connect_object (self->remote, "failed", G_CALLBACK (on_remote_failed), self, 0);
      g_signal_connect_object (self->remote, "notify::connected", G_CALLBACK (on_remote_connected),
                               self, 0);
    }
  if (!self->remote_started)
    {
      allset_remote_monitor_start (self->remote, cursor);
      self->remote_started = TRUE;
    }
  else
    allset_remote_monitor_set_cursor (self->remote, cursor);
}

void
allset_folder_session_stop_remote (AllsetFolderSession *self)
{
  if (self->remote == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->remote, self);
  if (self->remote_started)
    allset_remote_monitor_stop (self->remote);
  self->remote_started = FALSE;
  g_clear_object (&self->remote);
}

static gboolean
on_rescan_timer (gpointer user_data)
{
  allset_folder_session_request (user_data, TRUE);
  return G_SOURCE_CONTINUE;
}

void
allset_folder_session_network_changed (AllsetFolderSession *self)
{
  AllsetNetworkScope scope = allset_folder_session_scope (self);
  AllsetNetworkScope before = self->last_scope;

  if (!self->started || self->halted)
    return;
  self->last_scope = scope;

  /* A pass allowed more than the network now does (metered, offline):
   * stop it; its end runs what is owed under the new rules. */
  if (self->pass_cancellable != NULL && scope < self->pass_scope)
    {
      self->wanted = TRUE;
      g_cancellable_cancel (self->pass_cancellable);
      return;
    }
  if (scope != before || self->state == ALLSET_SESSION_OFFLINE ||
      self->state == ALLSET_SESSION_PAUSED_METERED)
    {
      /* Back from offline: the next failure starts the backoff again. */
      self->offline_delay_ms = 0;
      allset_folder_session_request (self, TRUE);
    }
}

static void
on_network_signal (GNetworkMonitor     *monitor,
                   gboolean             available,
                   AllsetFolderSession *self)
{
  allset_folder_session_network_changed (self);
}

static void
on_network_notify (GNetworkMonitor     *monitor,
                   GParamSpec          *pspec,
                   AllsetFolderSession *self)
{
  allset_folder_session_network_changed (self);
}

/* ---- start and stop --------------------------------------------------------- */

void
allset_folder_session_watch (AllsetFolderSession *self)
{
  g_signal_connect_object (self->network, "network-changed", G_CALLBACK (on_network_signal), self, 0);
  g_signal_connect_object (self->network, "notify::network-metered", G_CALLBACK (on_network_notify),
                           self, 0);
  self->last_scope = allset_folder_session_scope (self);

  self->local = allset_local_monitor_new (self->folder.local, NULL);
  g_signal_connect_object (self->local, "changed", G_CALLBACK (on_local_changed), self, 0);
  g_signal_connect_object (self->local, "ready", G_CALLBACK (on_local_ready), self, 0);
  g_signal_connect_object (self->local, "notify::degraded", G_CALLBACK (on_local_degraded), self, 0);
  self->awaiting_watches = TRUE;
  self->watch_started = g_get_monotonic_time ();
  self->watches_source = g_timeout_source_new (self->watches_wait_ms > 0 ? self->watches_wait_ms
                                              : ALLSET_FOLDER_SESSION_WATCHES_WAIT_MS);
  g_source_set_callback (self->watches_source, on_watches_timeout, self, NULL);
  g_source_attach (self->watches_source, self->context);
  allset_local_monitor_start (self->local);

  self->rescan_source = add_seconds (self, self->rescan_seconds > 0 ? self->rescan_seconds
                                      : ALLSET_FOLDER_SESSION_RESCAN_SECONDS, on_rescan_timer);
}

void
allset_folder_session_set_rescan_interval (AllsetFolderSession *self,
                                           guint                seconds)
{
  g_return_if_fail (ALLSET_IS_FOLDER_SESSION (self));

  self->rescan_seconds = seconds;
  if (self->rescan_source == NULL)
    return;   /* watch() arms it with this interval */
  clear_source (&self->rescan_source);
  self->rescan_source = add_seconds (self, seconds > 0 ? seconds : ALLSET_FOLDER_SESSION_RESCAN_SECONDS,
                                     on_rescan_timer);
}

void
allset_folder_session_set_watches_wait (AllsetFolderSession *self,
                                        guint                ms)
{
  g_return_if_fail (ALLSET_IS_FOLDER_SESSION (self));

  self->watches_wait_ms = ms;
}

void
allset_folder_session_unwatch (AllsetFolderSession *self)
{
  g_signal_handlers_disconnect_by_data (self->network, self);
  if (self->local != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->local, self);
      allset_local_monitor_stop (self->local);
      g_clear_object (&self->local);
    }
  allset_folder_session_stop_remote (self);
  allset_folder_session_cancel_retry (self);
  clear_source (&self->rescan_source);
  clear_source (&self->degraded_source);
  clear_source (&self->watches_source);
  self->awaiting_watches = FALSE;
}
