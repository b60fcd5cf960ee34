/* allset-local-monitor.c — AllsetLocalMonitor: the owner's side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The monitors, walks and debounce live in an AllsetWatch thread
 * (allset-local-monitor-watch.c). Its notes reach the owner's context as
 * idle sources holding a Link, never the monitor itself: the watch thread
 * may outlive the object (it tears down 10 000 monitors in the
 * background), and once stop() cleared link->self nothing is emitted.
 * link->self is only read and written in the owner's context.
 */

#include "allset-local-monitor.h"
#include "allset-local-monitor-private.h"

typedef struct
{
  gatomicrefcount     ref;
  GMainContext       *context;  /* the owner's */
  AllsetLocalMonitor *self;     /* NULL once stopped */
} Link;

struct _AllsetLocalMonitor
{
  GObject       parent_instance;

  char         *root;
  AllsetIgnore *ignore;
  AllsetWatch  *watch;
  Link         *link;
  guint         debounce_ms;
  guint         overflow_events;
  guint         max_watches;
  gboolean      stopped;
  gboolean      degraded;
};

G_DEFINE_FINAL_TYPE (AllsetLocalMonitor, allset_local_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DEGRADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_READY,
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- notes from the watch thread ------------------------------------------ */

static Link *
link_ref (Link *link)
{
  g_atomic_ref_count_inc (&link->ref);
  return link;
}

static void
link_unref (gpointer data)
{
  Link *link = data;

  if (!g_atomic_ref_count_dec (&link->ref))
    return;
  g_main_context_unref (link->context);
  g_free (link);
}

typedef struct
{
  Link            *link;
  AllsetWatchNote  note;
  gboolean         value;
} Note;

static void
note_free (gpointer data)
{
  Note *note = data;

  link_unref (note->link);
  g_free (note);
}

static gboolean
deliver (gpointer data)
{
  Note *note = data;
  g_autoptr(AllsetLocalMonitor) self = NULL;

  if (note->link->self == NULL)
    return G_SOURCE_REMOVE;
  self = g_object_ref (note->link->self);

  switch (note->note)
    {
    case ALLSET_WATCH_READY:
      g_signal_emit (self, signals[SIGNAL_READY], 0);
      break;
    case ALLSET_WATCH_CHANGED:
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, note->value);
      break;
    case ALLSET_WATCH_DEGRADED:
      if (self->degraded != note->value)
        {
          self->degraded = note->value;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEGRADED]);
        }
      break;
    }
  return G_SOURCE_REMOVE;
}

/* The watch thread. */
static void
post (AllsetWatchNote note,
      gboolean        value,
      gpointer        user_data)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  Note *message = g_new (Note, 1);

  message->link = link_ref (user_data);
  message->note = note;
  message->value = value;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver, message, note_free);
  g_source_attach (source, message->link->context);
}

/* ---- GObject ------------------------------------------------------------------ */

static void
allset_local_monitor_dispose (GObject *object)
{
  allset_local_monitor_stop (ALLSET_LOCAL_MONITOR (object));

  G_OBJECT_CLASS (allset_local_monitor_parent_class)->dispose (object);
}

static void
allset_local_monitor_finalize (GObject *object)
{
  AllsetLocalMonitor *self = ALLSET_LOCAL_MONITOR (object);

  g_free (self->root);
  allset_ignore_unref (self->ignore);
  g_clear_pointer (&self->watch, allset_watch_unref);
  g_clear_pointer (&self->link, link_unref);

  G_OBJECT_CLASS (allset_local_monitor_parent_class)->finalize (object);
}

static void
allset_local_monitor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AllsetLocalMonitor *self = ALLSET_LOCAL_MONITOR (object);

  switch (prop_id)
    {
    case PROP_DEGRADED:
      g_value_set_boolean (value, self->degraded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
allset_local_monitor_class_init (AllsetLocalMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = allset_local_monitor_dispose;
  object_class->finalize = allset_local_monitor_finalize;
  object_class->get_property = allset_local_monitor_get_property;

  properties[PROP_DEGRADED] =
    g_param_spec_boolean ("degraded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
allset_local_monitor_init (AllsetLocalMonitor *self)
{
}

/* ---- API ------------------------------------------------------------------------ */

AllsetLocalMonitor *
allset_local_monitor_new (const char   *root,
                          AllsetIgnore *ignore)
{
  AllsetLocalMonitor *self;

  g_return_val_if_fail (root != NULL && g_path_is_absolute (root), NULL);

  self = g_object_new (ALLSET_TYPE_LOCAL_MONITOR, NULL);
  self->root = g_strdup (root);
  self->ignore = ignore != NULL ? allset_ignore_ref (ignore) : allset_ignore_new ();
  return self;
}

void
allset_local_monitor_start (AllsetLocalMonitor *self)
{
  g_return_if_fail (ALLSET_IS_LOCAL_MONITOR (self));
  g_return_if_fail (self->link == NULL);

  self->link = g_new0 (Link, 1);
  g_atomic_ref_count_init (&self->link->ref);
  self->link->context = g_main_context_ref_thread_default ();
  if (self->stopped)
    return;
  self->link->self = self;

  self->watch = allset_watch_new (self->root, self->ignore, post,
                                  link_ref (self->link), link_unref);
  if (self->debounce_ms > 0)
    allset_watch_set_debounce (self->watch, self->debounce_ms);
  if (self->overflow_events > 0)
    allset_watch_set_overflow_events (self->watch, self->overflow_events);
  allset_watch_set_max_watches (self->watch, self->max_watches);
  allset_watch_start (self->watch);
}

void
allset_local_monitor_stop (AllsetLocalMonitor *self)
{
  g_return_if_fail (ALLSET_IS_LOCAL_MONITOR (self));

  if (self->stopped)
    return;
  self->stopped = TRUE;
  if (self->link != NULL)
    self->link->self = NULL;
  if (self->watch != NULL)
    allset_watch_stop (self->watch);
}

gboolean
allset_local_monitor_join_stopped (guint timeout_ms)
{
  return allset_watch_join_all (timeout_ms);
}

guint
allset_local_monitor_get_n_watched (AllsetLocalMonitor *self)
{
  g_return_val_if_fail (ALLSET_IS_LOCAL_MONITOR (self), 0);

  if (self->watch == NULL || self->stopped)
    return 0;
  return allset_watch_get_n_watched (self->watch);
}

gboolean
allset_local_monitor_get_degraded (AllsetLocalMonitor *self)
{
  g_return_val_if_fail (ALLSET_IS_LOCAL_MONITOR (self), FALSE);

  return self->degraded;
}

void
allset_local_monitor_set_debounce (AllsetLocalMonitor *self,
                                   guint               msec)
{
  g_return_if_fail (ALLSET_IS_LOCAL_MONITOR (self));

  self->debounce_ms = msec;
  if (self->watch != NULL)
    allset_watch_set_debounce (self->watch, msec);
}

void
allset_local_monitor_set_overflow_events (AllsetLocalMonitor *self,
                                          guint               events)
{
  g_return_if_fail (ALLSET_IS_LOCAL_MONITOR (self));

  self->overflow_events = events;
  if (self->watch != NULL)
    allset_watch_set_overflow_events (self->watch, events);
}

void
allset_local_monitor_set_max_watches (AllsetLocalMonitor *self,
                                      guint               max_watches)
{
  g_return_if_fail (ALLSET_IS_LOCAL_MONITOR (self));

  self->max_watches = max_watches;
  if (self->watch != NULL)
    allset_watch_set_max_watches (self->watch, max_watches);
}
