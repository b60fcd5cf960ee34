/* allset-activity.c — one line of the activity list, and the enum types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AllsetActivity is read-only for the GUI; allset-activity-list.c is the
 * only writer, through the setters of allset-activity-private.h, each of
 * which notifies only what changed (a row rebinds only what moved).
 */

#include "allset-activity-private.h"

/* ---- enum types ----------------------------------------------------------- */

GType
allset_action_kind_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    {
      /* The C enum lives in allset-reconcile.h (no GType there: the
       * reconciler is pure C); 0 is the "unknown action" of a failure. */
      static const GEnumValue values[] = {
        { 0, "ALLSET_ACTION_NONE", "none" },
        { ALLSET_ACTION_MOVE_LOCAL, "ALLSET_ACTION_MOVE_LOCAL", "move-local" },
        { ALLSET_ACTION_MOVE_REMOTE, "ALLSET_ACTION_MOVE_REMOTE", "move-remote" },
        { ALLSET_ACTION_CONFLICT, "ALLSET_ACTION_CONFLICT", "conflict" },
        { ALLSET_ACTION_MKDIR_LOCAL, "ALLSET_ACTION_MKDIR_LOCAL", "mkdir-local" },
        { ALLSET_ACTION_MKDIR_REMOTE, "ALLSET_ACTION_MKDIR_REMOTE", "mkdir-remote" },
        { ALLSET_ACTION_DOWNLOAD, "ALLSET_ACTION_DOWNLOAD", "download" },
        { ALLSET_ACTION_UPLOAD, "ALLSET_ACTION_UPLOAD", "upload" },
        { ALLSET_ACTION_RECORD_BASE, "ALLSET_ACTION_RECORD_BASE", "record-base" },
        { ALLSET_ACTION_FORGET_BASE, "ALLSET_ACTION_FORGET_BASE", "forget-base" },
        { ALLSET_ACTION_DELETE_LOCAL, "ALLSET_ACTION_DELETE_LOCAL", "delete-local" },
        { ALLSET_ACTION_DELETE_REMOTE, "ALLSET_ACTION_DELETE_REMOTE", "delete-remote" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("AllsetActionKind"), values);

      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

G_DEFINE_ENUM_TYPE (AllsetActivityStatus, allset_activity_status,
                    G_DEFINE_ENUM_VALUE (ALLSET_ACTIVITY_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (ALLSET_ACTIVITY_DONE, "done"),
                    G_DEFINE_ENUM_VALUE (ALLSET_ACTIVITY_VERIFIED, "verified"),
                    G_DEFINE_ENUM_VALUE (ALLSET_ACTIVITY_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (ALLSET_ACTIVITY_DEFERRED, "deferred"),
                    G_DEFINE_ENUM_VALUE (ALLSET_ACTIVITY_VERIFY_FAILED, "verify-failed"))

/* ---- events across threads ----------------------------------------------- */

AllsetSyncEvent *
allset_sync_event_copy (const AllsetSyncEvent *event)
{
  AllsetSyncEvent *copy = g_new0 (AllsetSyncEvent, 1);

  *copy = *event;
  copy->path = g_strdup (event->path);
  copy->to = g_strdup (event->to);
  copy->message = g_strdup (event->message);
  copy->receipt = event->receipt != NULL ? allset_receipt_copy (event->receipt) : NULL;
  return copy;
}

void
allset_sync_event_free (AllsetSyncEvent *event)
{
  if (event == NULL)
    return;
  g_free ((char *) event->path);
  g_free ((char *) event->to);
  g_free ((char *) event->message);
  allset_receipt_free ((AllsetReceipt *) event->receipt);
  g_free (event);
}

/* ---- AllsetActivity ------------------------------------------------------- */


G_DEFINE_FINAL_TYPE (AllsetActivity, allset_activity, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PATH,
  PROP_TO,
  PROP_ACTION,
  PROP_ACTION_NICK,
  PROP_STATUS,
  PROP_MESSAGE,
  PROP_BYTES,
  PROP_BYTES_DONE,
  PROP_TIME,
  PROP_REVISION,
  PROP_FILE_ID,
  PROP_RECEIPT_TIME,
  PROP_KEY_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
allset_activity_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AllsetActivity *self = ALLSET_ACTIVITY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_TO:
      g_value_set_string (value, self->to);
      break;
    case PROP_ACTION:
      g_value_set_enum (value, self->action);
      break;
    case PROP_ACTION_NICK:
      g_value_set_string (value, allset_activity_get_action_nick (self));
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_BYTES:
      g_value_set_uint64 (value, self->bytes);
      break;
    case PROP_BYTES_DONE:
      g_value_set_uint64 (value, self->bytes_done);
      break;
    case PROP_TIME:
      g_value_set_boxed (value, self->time);
      break;
    case PROP_REVISION:
      g_value_set_int64 (value, allset_activity_get_revision (self));
      break;
    case PROP_FILE_ID:
      g_value_set_string (value, allset_activity_get_file_id (self));
      break;
    case PROP_RECEIPT_TIME:
      g_value_set_string (value, allset_activity_get_receipt_time (self));
      break;
    case PROP_KEY_ID:
      g_value_set_string (value, allset_activity_get_key_id (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
allset_activity_finalize (GObject *object)
{
  AllsetActivity *self = ALLSET_ACTIVITY (object);

  g_free (self->path);
  g_free (self->to);
  g_free (self->message);
  g_clear_pointer (&self->time, g_date_time_unref);
  g_clear_pointer (&self->receipt, allset_receipt_free);

  G_OBJECT_CLASS (allset_activity_parent_class)->finalize (object);
}

static void
allset_activity_class_init (AllsetActivityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = allset_activity_get_property;
  object_class->finalize = allset_activity_finalize;

  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, flags);
  properties[PROP_TO] = g_param_spec_string ("to", NULL, NULL, NULL, flags);
  properties[PROP_ACTION] = g_param_spec_enum ("action", NULL, NULL, ALLSET_TYPE_ACTION_KIND, 0, flags);
  properties[PROP_ACTION_NICK] = g_param_spec_string ("action-nick", NULL, NULL, "", flags);
  properties[PROP_STATUS] = g_param_spec_enum ("status", NULL, NULL, ALLSET_TYPE_ACTIVITY_STATUS,
                                               ALLSET_ACTIVITY_RUNNING, flags);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, flags);
  properties[PROP_BYTES] = g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_TIME] = g_param_spec_boxed ("time", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_REVISION] = g_param_spec_int64 ("revision", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_FILE_ID] = g_param_spec_string ("file-id", NULL, NULL, NULL, flags);
  properties[PROP_RECEIPT_TIME] = g_param_spec_string ("receipt-time", NULL, NULL, NULL, flags);
  properties[PROP_KEY_ID] = g_param_spec_string ("key-id", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
allset_activity_init (AllsetActivity *self)
{
}

const char *
allset_activity_get_path (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), NULL);
  return self->path;
}

const char *
allset_activity_get_to (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), NULL);
  return self->to;
}

AllsetActionKind
allset_activity_get_action (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), 0);
  return self->action;
}

const char *
allset_activity_get_action_nick (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), "");
  if (self->action < ALLSET_ACTION_MOVE_LOCAL || self->action > ALLSET_ACTION_DELETE_REMOTE)
    return "";
  return allset_action_kind_to_string (self->action);
}

AllsetActivityStatus
allset_activity_get_status (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), ALLSET_ACTIVITY_RUNNING);
  return self->status;
}

gboolean
allset_activity_is_finished (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), FALSE);
  return self->status != ALLSET_ACTIVITY_RUNNING;
}

const char *
allset_activity_get_message (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), NULL);
  return self->message;
}

guint64
allset_activity_get_bytes (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), 0);
  return self->bytes;
}

guint64
allset_activity_get_bytes_done (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), 0);
  return self->bytes_done;
}

GDateTime *
allset_activity_get_time (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), NULL);
  return self->time;
}

const AllsetReceipt *
allset_activity_get_receipt (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), NULL);
  return self->receipt;
}

gint64
allset_activity_get_revision (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), 0);
  return self->receipt != NULL ? self->receipt->revision : 0;
}

const char *
allset_activity_get_file_id (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), NULL);
  return self->receipt != NULL ? self->receipt->file_id : NULL;
}

const char *
allset_activity_get_receipt_time (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), NULL);
  return self->receipt != NULL ? self->receipt->time : NULL;
}

const char *
allset_activity_get_key_id (AllsetActivity *self)
{
  g_return_val_if_fail (ALLSET_IS_ACTIVITY (self), NULL);
  return self->receipt != NULL ? self->receipt->key_id : NULL;
}

/* ---- for the list (allset-activity-private.h) ----------------------------- */

AllsetActivity *
allset_activity_new_item (const char       *path,
                          const char       *to,
                          AllsetActionKind  action,
                          GDateTime        *time)
{
  AllsetActivity *self = g_object_new (ALLSET_TYPE_ACTIVITY, NULL);

  self->path = g_strdup (path);
  self->to = g_strdup (to);
  self->action = action;
  self->time = g_date_time_ref (time);
  return self;
}

/* Each setter notifies only what changed. */

static void
set_string (AllsetActivity  *self,
            char           **field,
            const char      *value,
            guint            prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_uint64 (AllsetActivity *self,
            guint64        *field,
            guint64         value,
            guint           prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
allset_activity_set_to (AllsetActivity *self,
                        const char     *to)
{
  set_string (self, &self->to, to, PROP_TO);
}

void
allset_activity_set_message (AllsetActivity *self,
                             const char     *message)
{
  set_string (self, &self->message, message, PROP_MESSAGE);
}

void
allset_activity_set_bytes (AllsetActivity *self,
                           guint64         bytes)
{
  set_uint64 (self, &self->bytes, bytes, PROP_BYTES);
}

void
allset_activity_set_bytes_done (AllsetActivity *self,
                                guint64         bytes_done)
{
  set_uint64 (self, &self->bytes_done, bytes_done, PROP_BYTES_DONE);
}

void
allset_activity_set_action (AllsetActivity   *self,
                            AllsetActionKind  action)
{
  if (action == 0 || self->action == action)
    return;
  self->action = action;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTION_NICK]);
}

void
allset_activity_set_status (AllsetActivity       *self,
                            AllsetActivityStatus  status)
{
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
allset_activity_set_time (AllsetActivity *self,
                          GDateTime      *time)
{
  if (self->time != NULL && g_date_time_equal (self->time, time))
    return;
  g_clear_pointer (&self->time, g_date_time_unref);
  self->time = g_date_time_ref (time);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME]);
}

void
allset_activity_set_receipt (AllsetActivity      *self,
                             const AllsetReceipt *receipt)
{
  if (self->receipt == NULL && receipt == NULL)
    return;
  g_clear_pointer (&self->receipt, allset_receipt_free);
  self->receipt = receipt != NULL ? allset_receipt_copy (receipt) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIPT_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY_ID]);
}
