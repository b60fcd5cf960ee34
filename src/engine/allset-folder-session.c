/* allset-folder-session.c — one synced folder, kept in sync while running
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object, its properties and the user's controls. When it syncs
 * (monitors, network, timers) is in allset-folder-session-triggers.c;
 * running a pass and judging its end in allset-folder-session-pass.c.
 */

#include <glib/gi18n.h>

#include "allset-folder-session-private.h"

G_DEFINE_ENUM_TYPE (AllsetSessionState, allset_session_state,
                    G_DEFINE_ENUM_VALUE (ALLSET_SESSION_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (ALLSET_SESSION_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (ALLSET_SESSION_SYNCING, "syncing"),
                    G_DEFINE_ENUM_VALUE (ALLSET_SESSION_PAUSED, "paused"),
                    G_DEFINE_ENUM_VALUE (ALLSET_SESSION_PAUSED_METERED, "paused-metered"),
                    G_DEFINE_ENUM_VALUE (ALLSET_SESSION_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (ALLSET_SESSION_MAINTENANCE, "maintenance"),
                    G_DEFINE_ENUM_VALUE (ALLSET_SESSION_NEEDS_CONFIRMATION, "needs-confirmation"),
                    G_DEFINE_ENUM_VALUE (ALLSET_SESSION_ERROR, "error"))

G_DEFINE_ENUM_TYPE (AllsetMeteredPolicy, allset_metered_policy,
                    G_DEFINE_ENUM_VALUE (ALLSET_METERED_PAUSE, "pause"),
                    G_DEFINE_ENUM_VALUE (ALLSET_METERED_SMALL_FILES, "small-files"),
                    G_DEFINE_ENUM_VALUE (ALLSET_METERED_ALWAYS, "always"))

G_DEFINE_FINAL_TYPE (AllsetFolderSession, allset_folder_session, G_TYPE_OBJECT)

GParamSpec *allset_folder_session_props[SESSION_N_PROPS];
guint       allset_folder_session_signals[SESSION_N_SIGNALS];

#define props allset_folder_session_props

/* ---- public API ------------------------------------------------------------ */

AllsetFolderSession *
allset_folder_session_new (AllsetClient             *client,
                           const AllsetFolderConfig *folder,
                           GNetworkMonitor          *monitor)
{
  AllsetFolderSession *self;

  g_return_val_if_fail (ALLSET_IS_CLIENT (client), NULL);
  g_return_val_if_fail (folder != NULL && folder->local != NULL && folder->journal != NULL, NULL);
  g_return_val_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor), NULL);

  self = g_object_new (ALLSET_TYPE_FOLDER_SESSION, NULL);
  self->client = g_object_ref (client);
  self->folder = *folder;
  self->folder.id = g_strdup (folder->id);
  self->folder.local = g_strdup (folder->local);
  self->folder.remote = g_strdup (folder->remote);
  self->folder.journal = g_strdup (folder->journal);
  self->policy = folder->metered_policy;
  self->network = monitor != NULL ? g_object_ref (monitor) : allset_network_monitor_get_default ();
  /* Only the system's monitor: a test's says offline on purpose. */
  self->local_server = self->network == g_network_monitor_get_default () &&
                       allset_folder_session_is_loopback_url (allset_client_get_server_url (client));
  return self;
}

void
allset_folder_session_start (AllsetFolderSession *self)
{
  g_return_if_fail (ALLSET_IS_FOLDER_SESSION (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->halted = FALSE;
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();

  g_mutex_lock (&self->lock);
  self->accepting = TRUE;
  g_mutex_unlock (&self->lock);

  allset_folder_session_watch (self);
  allset_folder_session_request (self, TRUE);
}

void
allset_folder_session_stop (AllsetFolderSession *self)
{
  g_return_if_fail (ALLSET_IS_FOLDER_SESSION (self));

  if (!self->started)
    return;
  self->started = FALSE;
  self->wanted = self->dirty = FALSE;

  g_mutex_lock (&self->lock);
  self->accepting = FALSE;
  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }
  g_ptr_array_set_size (self->events, 0);
  g_mutex_unlock (&self->lock);

  /* The pass ends in its thread; its completion sees a new serial and
   * only drops its reference. */
  if (self->pass_cancellable != NULL)
    g_cancellable_cancel (self->pass_cancellable);
  g_clear_object (&self->pass_cancellable);
  self->pass_serial++;

  allset_folder_session_unwatch (self);
  allset_folder_session_set_state (self, ALLSET_SESSION_STOPPED, NULL);
}

const AllsetFolderConfig *
allset_folder_session_get_folder (AllsetFolderSession *self)
{
  g_return_val_if_fail (ALLSET_IS_FOLDER_SESSION (self), NULL);
  return &self->folder;
}

void
allset_folder_session_set_paused (AllsetFolderSession *self,
                                  gboolean             paused)
{
  g_return_if_fail (ALLSET_IS_FOLDER_SESSION (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_PAUSED]);
  if (!self->started || self->halted)
    return;

  if (paused)
    {
      self->wanted = TRUE;
      if (self->pass_cancellable != NULL)
        g_cancellable_cancel (self->pass_cancellable);
      allset_folder_session_cancel_retry (self);
      allset_folder_session_set_state (self, ALLSET_SESSION_PAUSED, _("Paused"));
    }
  else
    allset_folder_session_request (self, TRUE);
}

gboolean
allset_folder_session_get_paused (AllsetFolderSession *self)
{
  g_return_val_if_fail (ALLSET_IS_FOLDER_SESSION (self), FALSE);
  return self->paused;
}

void
allset_folder_session_set_metered_policy (AllsetFolderSession *self,
                                          AllsetMeteredPolicy  policy)
{
  g_return_if_fail (ALLSET_IS_FOLDER_SESSION (self));

  if (self->policy == policy)
    return;
  self->policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_METERED_POLICY]);
  if (self->started)
    allset_folder_session_network_changed (self);
}

AllsetMeteredPolicy
allset_folder_session_get_metered_policy (AllsetFolderSession *self)
{
  g_return_val_if_fail (ALLSET_IS_FOLDER_SESSION (self), ALLSET_METERED_PAUSE);
  return self->policy;
}

void
allset_folder_session_sync_now (AllsetFolderSession *self)
{
  g_return_if_fail (ALLSET_IS_FOLDER_SESSION (self));

  if (!self->started)
    return;
  if (self->halted)
    {
      /* "Réessayer" after signing in again or freeing space: a fresh
       * push channel too (it stopped on the same error). */
      self->halted = FALSE;
      allset_folder_session_stop_remote (self);
      allset_folder_session_set_error (self, NULL);
      allset_folder_session_set_state (self, ALLSET_SESSION_IDLE, NULL);
    }
  self->offline_delay_ms = 0;
  allset_folder_session_request (self, TRUE);
}

void
allset_folder_session_confirm_deletions (AllsetFolderSession *self)
{
  g_return_if_fail (ALLSET_IS_FOLDER_SESSION (self));

  self->confirm_next = TRUE;
  allset_folder_session_request (self, TRUE);
}

#define GETTER(type, name, field) \
  type \
  allset_folder_session_get_##name (AllsetFolderSession *self) \
  { \
    g_return_val_if_fail (ALLSET_IS_FOLDER_SESSION (self), 0); \
    return self->field; \
  }

GETTER (AllsetSessionState, state, state)
GETTER (const char *, message, message)
GETTER (const GError *, error, error)
GETTER (gint64, retry_time, retry_time)
GETTER (guint, problem_count, problem_count)
GETTER (guint, held_deletions, held_deletions)
GETTER (guint, deferred_files, deferred_files)
GETTER (GDateTime *, last_sync, last_sync)
GETTER (const AllsetSyncReport *, last_report, last_report)
GETTER (guint, files_done, files_done)
GETTER (guint, files_total, files_total)
GETTER (guint64, bytes_done, bytes_done)
GETTER (guint64, bytes_total, bytes_total)
GETTER (gint64, eta_seconds, eta_seconds)

#undef GETTER

double
allset_folder_session_get_fraction (AllsetFolderSession *self)
{
  g_return_val_if_fail (ALLSET_IS_FOLDER_SESSION (self), 0.0);

  if (self->bytes_total > 0)
    return MIN (1.0, (double) self->bytes_done / (double) self->bytes_total);
  if (self->files_total > 0)
    return MIN (1.0, (double) self->files_done / (double) self->files_total);
  return self->state == ALLSET_SESSION_SYNCING ? 0.0 : 1.0;
}

GListModel *
allset_folder_session_get_activity (AllsetFolderSession *self)
{
  g_return_val_if_fail (ALLSET_IS_FOLDER_SESSION (self), NULL);
  return G_LIST_MODEL (self->activity);
}

/* ---- GObject -------------------------------------------------------------- */

static void
allset_folder_session_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  AllsetFolderSession *self = ALLSET_FOLDER_SESSION (object);

  switch (prop_id)
    {
    case SESSION_PROP_STATE: g_value_set_enum (value, self->state); break;
    case SESSION_PROP_MESSAGE: g_value_set_string (value, self->message); break;
    case SESSION_PROP_ERROR: g_value_set_boxed (value, self->error); break;
    case SESSION_PROP_PAUSED: g_value_set_boolean (value, self->paused); break;
    case SESSION_PROP_METERED_POLICY: g_value_set_enum (value, self->policy); break;
    case SESSION_PROP_RETRY_TIME: g_value_set_int64 (value, self->retry_time); break;
    case SESSION_PROP_PROBLEM_COUNT: g_value_set_uint (value, self->problem_count); break;
    case SESSION_PROP_HELD_DELETIONS: g_value_set_uint (value, self->held_deletions); break;
    case SESSION_PROP_DEFERRED_FILES: g_value_set_uint (value, self->deferred_files); break;
    case SESSION_PROP_LAST_SYNC: g_value_set_boxed (value, self->last_sync); break;
    case SESSION_PROP_FILES_DONE: g_value_set_uint (value, self->files_done); break;
    case SESSION_PROP_FILES_TOTAL: g_value_set_uint (value, self->files_total); break;
    case SESSION_PROP_BYTES_DONE: g_value_set_uint64 (value, self->bytes_done); break;
    case SESSION_PROP_BYTES_TOTAL: g_value_set_uint64 (value, self->bytes_total); break;
    case SESSION_PROP_ETA_SECONDS: g_value_set_int64 (value, self->eta_seconds); break;
    case SESSION_PROP_FRACTION: g_value_set_double (value, allset_folder_session_get_fraction (self)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
allset_folder_session_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  AllsetFolderSession *self = ALLSET_FOLDER_SESSION (object);

  switch (prop_id)
    {
    case SESSION_PROP_PAUSED:
      allset_folder_session_set_paused (self, g_value_get_boolean (value));
      break;
    case SESSION_PROP_METERED_POLICY:
      allset_folder_session_set_metered_policy (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
allset_folder_session_dispose (GObject *object)
{
  AllsetFolderSession *self = ALLSET_FOLDER_SESSION (object);

  allset_folder_session_stop (self);
  g_clear_object (&self->network);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (allset_folder_session_parent_class)->dispose (object);
}

static void
allset_folder_session_finalize (GObject *object)
{
  AllsetFolderSession *self = ALLSET_FOLDER_SESSION (object);

  g_free (self->folder.id);
  g_free (self->folder.local);
  g_free (self->folder.remote);
  g_free (self->folder.journal);
  g_clear_object (&self->activity);
  g_free (self->message);
  g_clear_error (&self->error);
  g_clear_pointer (&self->last_sync, g_date_time_unref);
  g_clear_pointer (&self->last_report, allset_sync_report_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (allset_folder_session_parent_class)->finalize (object);
}

static void
allset_folder_session_class_init (AllsetFolderSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = allset_folder_session_get_property;
  object_class->set_property = allset_folder_session_set_property;
  object_class->dispose = allset_folder_session_dispose;
  object_class->finalize = allset_folder_session_finalize;

  props[SESSION_PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, ALLSET_TYPE_SESSION_STATE, ALLSET_SESSION_STOPPED, ro);
  props[SESSION_PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, ro);
  props[SESSION_PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  props[SESSION_PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE, rw);
  props[SESSION_PROP_METERED_POLICY] =
    g_param_spec_enum ("metered-policy", NULL, NULL, ALLSET_TYPE_METERED_POLICY, ALLSET_METERED_PAUSE, rw);
  props[SESSION_PROP_RETRY_TIME] = g_param_spec_int64 ("retry-time", NULL, NULL, 0, G_MAXINT64, 0, ro);
  props[SESSION_PROP_PROBLEM_COUNT] = g_param_spec_uint ("problem-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  props[SESSION_PROP_HELD_DELETIONS] = g_param_spec_uint ("held-deletions", NULL, NULL, 0, G_MAXUINT, 0, ro);
  props[SESSION_PROP_DEFERRED_FILES] = g_param_spec_uint ("deferred-files", NULL, NULL, 0, G_MAXUINT, 0, ro);
  props[SESSION_PROP_LAST_SYNC] = g_param_spec_boxed ("last-sync", NULL, NULL, G_TYPE_DATE_TIME, ro);
  props[SESSION_PROP_FILES_DONE] = g_param_spec_uint ("files-done", NULL, NULL, 0, G_MAXUINT, 0, ro);
  props[SESSION_PROP_FILES_TOTAL] = g_param_spec_uint ("files-total", NULL, NULL, 0, G_MAXUINT, 0, ro);
  props[SESSION_PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  props[SESSION_PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  props[SESSION_PROP_ETA_SECONDS] = g_param_spec_int64 ("eta-seconds", NULL, NULL, -1, G_MAXINT64, -1, ro);
  props[SESSION_PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0, ro);
  g_object_class_install_properties (object_class, SESSION_N_PROPS, props);

  allset_folder_session_signals[SESSION_SIGNAL_PASS_FINISHED] =
    g_signal_new ("pass-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_ERROR);
  allset_folder_session_signals[SESSION_SIGNAL_ACTIVITY_FINISHED] =
    g_signal_new ("activity-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ALLSET_TYPE_ACTIVITY);
}

static void
allset_folder_session_init (AllsetFolderSession *self)
{
  g_mutex_init (&self->lock);
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_sync_event_free);
  self->activity = allset_activity_list_new (0);
  self->eta_seconds = -1;
  self->last_scope = ALLSET_NETWORK_SCOPE_ALL;
}
