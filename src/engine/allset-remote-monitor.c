/* allset-remote-monitor.c — a worker thread on the changes push channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The thread only blocks in AllsetClient calls (cancelled by stop()) and
 * in a GCond wait between retries (woken by stop()), so stop() returns as
 * soon as libsoup gives the request up. It talks to the owner through
 * idle sources attached to the owner's context, each holding a ref on
 * the monitor; on the owner's side a message that arrives after stop()
 * is dropped, so nothing is emitted once stop() has returned.
 *
 * Not g_main_context_invoke_full(): when the owner's context is the
 * global default one, which is also the worker thread's thread-default,
 * it runs the function at once *in the worker* whenever it can acquire
 * the context (the owner between two iterations), and signals would be
 * emitted from the wrong thread.
 *
 * Connections: the parked request holds one of the session's
 * max-conns-per-host (8) for up to ALLSET_CLIENT_MAX_WAIT seconds. A sync
 * pass uses ALLSET_SYNC_WORKERS (4) more: one monitor per account (the
 * feed is per account) leaves them room, but one per folder on a shared
 * client would starve transfers from five folders up.
 *
 * Start and reconnection first ask GET /changes with a cursor past the
 * end, which answers at once with the account's cursor (docs/protocol.md):
 * "connected" is known without waiting out a long poll.
 */

#include "allset-remote-monitor.h"

#define BACKOFF_MIN_SECONDS 1
#define BACKOFF_MAX_SECONDS 60
/* Any cursor past the account's: the feed answers with the real one. */
#define CURSOR_PAST_THE_END G_MAXINT64

struct _AllsetRemoteMonitor
{
  GObject       parent_instance;

  AllsetClient *client;
  GMainContext *context;
  GThread      *thread;
  GCancellable *cancellable;

  GMutex        lock;     /* guards cursor and quit */
  GCond         cond;
  gint64        cursor;
  gboolean      quit;

  /* The owner's context only. */
  gboolean      stopped;
  gboolean      connected;
};

G_DEFINE_FINAL_TYPE (AllsetRemoteMonitor, allset_remote_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CONNECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_CHANGED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- worker → owner -------------------------------------------------------- */

typedef enum
{
  MESSAGE_CONNECTED,
  MESSAGE_DISCONNECTED,
  MESSAGE_CHANGED,
  MESSAGE_FAILED,
} MessageKind;

typedef struct
{
  AllsetRemoteMonitor *self;
  MessageKind          kind;
  gint64               cursor;
  GError              *error;
} Message;

static void
message_free (gpointer data)
{
  Message *message = data;

  g_object_unref (message->self);
  g_clear_error (&message->error);
  g_free (message);
}

static void
set_connected (AllsetRemoteMonitor *self,
               gboolean             connected)
{
  if (self->connected == connected)
    return;
  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static gboolean
deliver (gpointer data)
{
  Message *message = data;
  AllsetRemoteMonitor *self = message->self;

  if (self->stopped)
    return G_SOURCE_REMOVE;

  switch (message->kind)
    {
    case MESSAGE_CONNECTED:
      set_connected (self, TRUE);
      break;
    case MESSAGE_DISCONNECTED:
      set_connected (self, FALSE);
      break;
    case MESSAGE_CHANGED:
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, message->cursor);
      break;
    case MESSAGE_FAILED:
      set_connected (self, FALSE);
      if (!self->stopped)
        g_signal_emit (self, signals[SIGNAL_FAILED], 0, message->error);
      break;
    }
  return G_SOURCE_REMOVE;
}

static void
post (AllsetRemoteMonitor *self,
      MessageKind          kind,
      gint64               cursor,
      const GError        *error)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  Message *message = g_new0 (Message, 1);

  message->self = g_object_ref (self);
  message->kind = kind;
  message->cursor = cursor;
  message->error = error != NULL ? g_error_copy (error) : NULL;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver, message, message_free);
  g_source_attach (source, self->context);
}

/* ---- the worker thread ------------------------------------------------------ */

/* TRUE if cursor passes what the owner has seen or been told. */
static gboolean
advance_cursor (AllsetRemoteMonitor *self,
                gint64               cursor)
{
  gboolean moved;

  g_mutex_lock (&self->lock);
  moved = cursor > self->cursor;
  if (moved)
    self->cursor = cursor;
  g_mutex_unlock (&self->lock);
  return moved;
}

static gint64
get_cursor (AllsetRemoteMonitor *self)
{
  gint64 cursor;

  g_mutex_lock (&self->lock);
  cursor = self->cursor;
  g_mutex_unlock (&self->lock);
  return cursor;
}

/* Sleeps seconds unless stop() comes first; FALSE when it did. */
static gboolean
wait_or_quit (AllsetRemoteMonitor *self,
              guint                seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  gboolean quit;

  g_mutex_lock (&self->lock);
  while (!self->quit && g_cond_wait_until (&self->cond, &self->lock, end))
    ;
  quit = self->quit;
  g_mutex_unlock (&self->lock);
  return !quit;
}

/* Retrying cannot help: the user must sign in again or act. */
static gboolean
is_fatal (const GError *error)
{
  if (error->domain == ALLSET_PROTOCOL_ERROR)
    return error->code == ALLSET_ERROR_UNAUTHORIZED ||
           error->code == ALLSET_ERROR_TOKEN_EXPIRED ||
           error->code == ALLSET_ERROR_ACCOUNT_SUSPENDED;
  if (error->domain == ALLSET_CLIENT_ERROR)
    return error->code == ALLSET_CLIENT_ERROR_NOT_SIGNED_IN ||
           error->code == ALLSET_CLIENT_ERROR_UNTRUSTED_CERTIFICATE ||
           error->code == ALLSET_CLIENT_ERROR_INVALID_URL;
  return FALSE;
}

static gboolean
ask_cursor (AllsetRemoteMonitor  *self,
            gint64               *cursor,
            GError              **error)
{
  g_autoptr(AllsetChanges) changes = allset_client_changes (self->client, CURSOR_PAST_THE_END, 1,
                                                           self->cancellable, error);

  if (changes == NULL)
    return FALSE;
  *cursor = changes->cursor;
  return TRUE;
}

static gpointer
worker (gpointer data)
{
  AllsetRemoteMonitor *self = data;
  gboolean probe = TRUE;      /* the next call is ask_cursor() */
  gboolean reconnect = FALSE; /* tell the owner once we get through */
  guint backoff = 0;

  while (!g_cancellable_is_cancelled (self->cancellable))
    {
      g_autoptr(GError) error = NULL;
      gint64 cursor = get_cursor (self);
      gint64 new_cursor = cursor;
      gint64 asked = g_get_monotonic_time ();
      gboolean ok;
      guint delay;

      if (probe)
        ok = ask_cursor (self, &new_cursor, &error);
      else
        ok = allset_client_changes_wait (self->client, cursor, ALLSET_CLIENT_MAX_WAIT,
                                         &new_cursor, NULL, self->cancellable, &error);
      if (ok)
        {
          gboolean moved = advance_cursor (self, new_cursor);

          if (probe)
            post (self, MESSAGE_CONNECTED, 0, NULL);
          if (moved || reconnect)
            post (self, MESSAGE_CHANGED, get_cursor (self), NULL);
          /* A long poll that comes back at once with nothing new (a
           * proxy that does not hold requests) must not turn into a busy
           * loop. */
          if (!probe && new_cursor <= cursor && g_get_monotonic_time () - asked < G_USEC_PER_SEC &&
              !wait_or_quit (self, BACKOFF_MIN_SECONDS))
            break;
          probe = reconnect = FALSE;
          backoff = 0;
          continue;
        }

      if (g_cancellable_is_cancelled (self->cancellable))
        break;
      if (is_fatal (error))
        {
          g_debug ("Remote monitor stops: %s", error->message);
          post (self, MESSAGE_FAILED, 0, error);
          break;
        }

      backoff = CLAMP (backoff * 2, BACKOFF_MIN_SECONDS, BACKOFF_MAX_SECONDS);
      delay = backoff;
      /* Retry-After, but at most a minute: a maintenance announced for
       * two hours that ends early is noticed within one. */
      if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_MAINTENANCE) ||
          g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOO_MANY_ATTEMPTS))
        delay = CLAMP (allset_client_get_retry_after (self->client, NULL),
                       BACKOFF_MIN_SECONDS, BACKOFF_MAX_SECONDS);
      g_debug ("Remote monitor: %s; trying again in %u s", error->message, delay);
      post (self, MESSAGE_DISCONNECTED, 0, NULL);
      if (!wait_or_quit (self, delay))
        break;
      probe = reconnect = TRUE;
    }

  return NULL;
}

/* ---- GObject ------------------------------------------------------------------ */

static void
allset_remote_monitor_dispose (GObject *object)
{
  allset_remote_monitor_stop (ALLSET_REMOTE_MONITOR (object));

  G_OBJECT_CLASS (allset_remote_monitor_parent_class)->dispose (object);
}

static void
allset_remote_monitor_finalize (GObject *object)
{
  AllsetRemoteMonitor *self = ALLSET_REMOTE_MONITOR (object);

  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (allset_remote_monitor_parent_class)->finalize (object);
}

static void
allset_remote_monitor_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  AllsetRemoteMonitor *self = ALLSET_REMOTE_MONITOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
allset_remote_monitor_class_init (AllsetRemoteMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = allset_remote_monitor_dispose;
  object_class->finalize = allset_remote_monitor_finalize;
  object_class->get_property = allset_remote_monitor_get_property;

  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
allset_remote_monitor_init (AllsetRemoteMonitor *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->cancellable = g_cancellable_new ();
}

/* ---- API ---------------------------------------------------------------------- */

AllsetRemoteMonitor *
allset_remote_monitor_new (AllsetClient *client)
{
  AllsetRemoteMonitor *self;

  g_return_val_if_fail (ALLSET_IS_CLIENT (client), NULL);

  self = g_object_new (ALLSET_TYPE_REMOTE_MONITOR, NULL);
  self->client = g_object_ref (client);
  return self;
}

void
allset_remote_monitor_start (AllsetRemoteMonitor *self,
                             gint64               cursor)
{
  g_return_if_fail (ALLSET_IS_REMOTE_MONITOR (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_main_context_ref_thread_default ();
  if (self->stopped)
    return;
  self->cursor = MAX (cursor, 0);
  self->thread = g_thread_new ("allset-remote-monitor", worker, self);
}

void
allset_remote_monitor_set_cursor (AllsetRemoteMonitor *self,
                                  gint64               cursor)
{
  g_return_if_fail (ALLSET_IS_REMOTE_MONITOR (self));

  advance_cursor (self, cursor);
}

void
allset_remote_monitor_stop (AllsetRemoteMonitor *self)
{
  g_return_if_fail (ALLSET_IS_REMOTE_MONITOR (self));

  if (self->stopped)
    return;
  self->stopped = TRUE;
  self->connected = FALSE;

  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
}

gboolean
allset_remote_monitor_get_connected (AllsetRemoteMonitor *self)
{
  g_return_val_if_fail (ALLSET_IS_REMOTE_MONITOR (self), FALSE);

  return self->connected;
}
