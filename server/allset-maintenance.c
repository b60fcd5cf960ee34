/* allset-maintenance.c — planned maintenance as the running server sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The admin command and the server are separate processes sharing the
 * database, so the server polls the settings; reading them would block on
 * SQLite, so that happens in a worker thread.
 */

#include "allset-maintenance.h"
#include "allset-protocol.h"

#define REFRESH_SECONDS 1
#define DEFAULT_RETRY   60

struct _AllsetMaintenance
{
  GObject      parent_instance;

  AllsetStore *store;
  guint        refresh_id;
  gboolean     refreshing;

  gboolean     active;
  char        *until;
  char        *message;
};

G_DEFINE_FINAL_TYPE (AllsetMaintenance, allset_maintenance, G_TYPE_OBJECT)

typedef struct
{
  gboolean active;
  char    *until;
  char    *message;
} State;

static void
state_free (State *state)
{
  g_free (state->until);
  g_free (state->message);
  g_free (state);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  AllsetStore *store = task_data;
  State *state = g_new0 (State, 1);
  g_autofree char *active = allset_store_setting_get (store, "maintenance.active");

  state->active = g_strcmp0 (active, "1") == 0;
  state->until = allset_store_setting_get (store, "maintenance.until");
  state->message = allset_store_setting_get (store, "maintenance.message");
  g_task_return_pointer (task, state, (GDestroyNotify) state_free);
}

static void
read_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AllsetMaintenance *self = ALLSET_MAINTENANCE (object);
  State *state = g_task_propagate_pointer (G_TASK (result), NULL);

  self->refreshing = FALSE;
  if (state == NULL)
    return;

  if (state->active != self->active)
    g_message ("Maintenance %s", state->active ? "started" : "ended");

  self->active = state->active;
  g_free (self->until);
  self->until = g_steal_pointer (&state->until);
  g_free (self->message);
  self->message = g_steal_pointer (&state->message);
  state_free (state);
}

static gboolean
refresh (gpointer data)
{
  AllsetMaintenance *self = data;
  g_autoptr(GTask) task = NULL;

  if (self->refreshing)
    return G_SOURCE_CONTINUE;

  self->refreshing = TRUE;
  task = g_task_new (self, NULL, read_done, NULL);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, read_thread);
  return G_SOURCE_CONTINUE;
}

static void
allset_maintenance_finalize (GObject *object)
{
  AllsetMaintenance *self = ALLSET_MAINTENANCE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->store);
  g_free (self->until);
  g_free (self->message);

  G_OBJECT_CLASS (allset_maintenance_parent_class)->finalize (object);
}

static void
allset_maintenance_class_init (AllsetMaintenanceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_maintenance_finalize;
}

static void
allset_maintenance_init (AllsetMaintenance *self)
{
}

AllsetMaintenance *
allset_maintenance_new (AllsetStore *store)
{
  AllsetMaintenance *self = g_object_new (ALLSET_TYPE_MAINTENANCE, NULL);

  self->store = g_object_ref (store);
  self->refresh_id = g_timeout_add_seconds (REFRESH_SECONDS, refresh, self);
  refresh (self);
  return self;
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

gboolean
allset_maintenance_refuse (AllsetMaintenance *self,
                           SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  gint64 retry_after = DEFAULT_RETRY;
  char retry[32];

  if (!self->active)
    return FALSE;

  if (self->until != NULL)
    {
      g_autoptr(GDateTime) until = g_date_time_new_from_iso8601 (self->until, NULL);

      if (until != NULL)
        retry_after = MAX (1, g_date_time_to_unix (until) - g_get_real_time () / G_USEC_PER_SEC);
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  add_nullable_string (b, "code", "maintenance");
  add_nullable_string (b, "message", self->message ? self->message
                                                   : "The service is under planned maintenance");
  add_nullable_string (b, "until", self->until);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  text = allset_json_to_string (node);

  soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_COPY, text, strlen (text));
  g_snprintf (retry, sizeof retry, "%" G_GINT64_FORMAT, retry_after);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", retry);
  return TRUE;
}

void
allset_maintenance_add_status (AllsetMaintenance *self,
                               JsonBuilder       *b)
{
  json_builder_set_member_name (b, "maintenance");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "active");
  json_builder_add_boolean_value (b, self->active);
  add_nullable_string (b, "until", self->active ? self->until : NULL);
  add_nullable_string (b, "message", self->active ? self->message : NULL);
  json_builder_end_object (b);
}
