/* allset-activity-list.c — the per-file activity list of a synced folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure bookkeeping on the main context: events in, items and progress
 * figures out (see allset-activity.h for the rules). Kept apart from
 * AllsetFolderSession so that a unit test drives it without a server.
 */

#include <glib/gi18n.h>

#include "allset-activity-private.h"

struct _AllsetActivityList
{
  GObject     parent_instance;

  GPtrArray  *items;     /* AllsetActivity, newest first */
  guint       max_items;
  /* path → its latest item of the current pass (borrowed from items). */
  GHashTable *current;

  guint       files_done;
  guint       files_total;
  guint64     bytes_done;
  guint64     bytes_total;
};

static void allset_activity_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AllsetActivityList, allset_activity_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, allset_activity_list_model_init))

static GType
list_get_item_type (GListModel *model)
{
  return ALLSET_TYPE_ACTIVITY;
}

static guint
list_get_n_items (GListModel *model)
{
  return ALLSET_ACTIVITY_LIST (model)->items->len;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  AllsetActivityList *self = ALLSET_ACTIVITY_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
allset_activity_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void
allset_activity_list_finalize (GObject *object)
{
  AllsetActivityList *self = ALLSET_ACTIVITY_LIST (object);

  g_clear_pointer (&self->current, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (allset_activity_list_parent_class)->finalize (object);
}

static void
allset_activity_list_class_init (AllsetActivityListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_activity_list_finalize;
}

static void
allset_activity_list_init (AllsetActivityList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_items = ALLSET_ACTIVITY_LIST_MAX_ITEMS;
}

AllsetActivityList *
allset_activity_list_new (guint max_items)
{
  AllsetActivityList *self = g_object_new (ALLSET_TYPE_ACTIVITY_LIST, NULL);

  if (max_items > 0)
    self->max_items = max_items;
  return self;
}

void
allset_activity_list_begin_pass (AllsetActivityList *self)
{
  g_return_if_fail (ALLSET_IS_ACTIVITY_LIST (self));

  g_hash_table_remove_all (self->current);
  self->files_done = self->files_total = 0;
  self->bytes_done = self->bytes_total = 0;
}

static AllsetActivity *
add_item (AllsetActivityList    *self,
          const AllsetSyncEvent *event,
          GDateTime             *now)
{
  AllsetActivity *item = allset_activity_new_item (event->path, event->to, event->action, now);

  g_ptr_array_insert (self->items, 0, item);
  g_hash_table_insert (self->current, g_strdup (event->path), item);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);

  if (self->items->len > self->max_items)
    {
      guint last = self->items->len - 1;
      AllsetActivity *old = g_ptr_array_index (self->items, last);

      if (g_hash_table_lookup (self->current, old->path) == old)
        g_hash_table_remove (self->current, old->path);
      g_ptr_array_remove_index (self->items, last);
      g_list_model_items_changed (G_LIST_MODEL (self), last, 1, 0);
    }

  return item;
}

static gboolean
is_transfer (AllsetActionKind action)
{
  return action == ALLSET_ACTION_UPLOAD || action == ALLSET_ACTION_DOWNLOAD;
}

/* The item an event about path belongs to, or NULL for a new one. */
static AllsetActivity *
find_item (AllsetActivityList    *self,
           const AllsetSyncEvent *event)
{
  AllsetActivity *item = g_hash_table_lookup (self->current, event->path);

  if (item == NULL)
    return NULL;
  if (item->status == ALLSET_ACTIVITY_RUNNING)
    return item;
  /* A new action on a path already dealt with in this pass (the
   * download after a conflict copy) is a new line… */
  if (event->kind == ALLSET_SYNC_EVENT_STARTED)
    return NULL;
  /* …but what follows a finished one (a verification failure after the
   * transfer's failure) belongs to it. */
  if (event->action == 0 || event->action == item->action ||
      event->kind == ALLSET_SYNC_EVENT_FAILED || event->kind == ALLSET_SYNC_EVENT_VERIFY_FAILED)
    return item;
  return NULL;
}

/* item reached status: counts it in the pass's progress once. */
static void
finish (AllsetActivityList   *self,
        AllsetActivity       *item,
        AllsetActivityStatus  status,
        GDateTime            *now)
{
  allset_activity_set_status (item, status);
  allset_activity_set_time (item, now);
  if (item->counted || !is_transfer (item->action) || status == ALLSET_ACTIVITY_DEFERRED)
    return;
  item->counted = TRUE;
  self->files_done++;
  /* Reused chunks never travelled: the file's size is done now. */
  if (item->bytes > item->bytes_done)
    self->bytes_done += item->bytes - item->bytes_done;
}

AllsetActivity *
allset_activity_list_apply (AllsetActivityList    *self,
                            const AllsetSyncEvent *event,
                            GDateTime             *now)
{
  g_autoptr(GDateTime) owned = NULL;
  AllsetActivity *item;

  g_return_val_if_fail (ALLSET_IS_ACTIVITY_LIST (self), NULL);
  g_return_val_if_fail (event != NULL, NULL);

  if (event->kind == ALLSET_SYNC_EVENT_PLANNED)
    {
      self->files_total += event->files;
      self->bytes_total += event->bytes;
      return NULL;
    }
  if (event->kind == ALLSET_SYNC_EVENT_BYTES)
    {
      self->bytes_done += event->bytes;
      item = event->path != NULL ? g_hash_table_lookup (self->current, event->path) : NULL;
      if (item == NULL || item->status != ALLSET_ACTIVITY_RUNNING)
        return NULL;
      allset_activity_set_bytes_done (item, item->bytes_done + event->bytes);
      return item;
    }
  if (event->path == NULL || event->action == ALLSET_ACTION_RECORD_BASE ||
      event->action == ALLSET_ACTION_FORGET_BASE)
    return NULL;

  if (now == NULL)
    now = owned = g_date_time_new_now_local ();

  item = find_item (self, event);
  if (item == NULL)
    item = add_item (self, event, now);

  g_object_freeze_notify (G_OBJECT (item));
  allset_activity_set_action (item, event->action);
  if (event->to != NULL)
    allset_activity_set_to (item, event->to);
  if (event->bytes > 0 && event->kind != ALLSET_SYNC_EVENT_BYTES)
    allset_activity_set_bytes (item, event->bytes);

  switch (event->kind)
    {
    case ALLSET_SYNC_EVENT_STARTED:
      allset_activity_set_status (item, ALLSET_ACTIVITY_RUNNING);
      allset_activity_set_message (item, NULL);
      allset_activity_set_time (item, now);
      break;

    case ALLSET_SYNC_EVENT_DONE:
      allset_activity_set_receipt (item, event->receipt);
      allset_activity_set_message (item, NULL);
      finish (self, item, event->receipt != NULL ? ALLSET_ACTIVITY_VERIFIED : ALLSET_ACTIVITY_DONE, now);
      break;

    case ALLSET_SYNC_EVENT_FAILED:
      /* The louder verdict stays. */
      if (item->status == ALLSET_ACTIVITY_VERIFY_FAILED)
        break;
      allset_activity_set_receipt (item, NULL);
      allset_activity_set_message (item, event->message);
      finish (self, item, ALLSET_ACTIVITY_FAILED, now);
      break;

    case ALLSET_SYNC_EVENT_VERIFY_FAILED:
      allset_activity_set_receipt (item, NULL);
      allset_activity_set_message (item, event->message);
      finish (self, item, ALLSET_ACTIVITY_VERIFY_FAILED, now);
      break;

    case ALLSET_SYNC_EVENT_DEFERRED:
      allset_activity_set_message (item, event->message != NULL ? event->message
                                   : _("Waits for an unmetered connection (larger than the "
                                       "small-files limit)"));
      finish (self, item, ALLSET_ACTIVITY_DEFERRED, now);
      break;

    case ALLSET_SYNC_EVENT_PLANNED:
    case ALLSET_SYNC_EVENT_BYTES:
    default:
      break;
    }
  g_object_thaw_notify (G_OBJECT (item));

  return item;
}

guint
allset_activity_list_end_pass (AllsetActivityList *self,
                               const char         *reason)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_return_val_if_fail (ALLSET_IS_ACTIVITY_LIST (self), 0);

  g_hash_table_iter_init (&iter, self->current);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      AllsetActivity *item = value;

      if (item->status != ALLSET_ACTIVITY_RUNNING)
        continue;
      g_object_freeze_notify (G_OBJECT (item));
      allset_activity_set_message (item, reason != NULL ? reason : _("Not finished in this pass"));
      finish (self, item, ALLSET_ACTIVITY_FAILED, now);
      g_object_thaw_notify (G_OBJECT (item));
      n++;
    }
  return n;
}

void
allset_activity_list_get_progress (AllsetActivityList *self,
                                   guint              *files_done,
                                   guint              *files_total,
                                   guint64            *bytes_done,
                                   guint64            *bytes_total)
{
  g_return_if_fail (ALLSET_IS_ACTIVITY_LIST (self));

  /* A plan is an estimate (a file may grow before it is read): never
   * more than 100 %. */
  if (files_done != NULL)
    *files_done = self->files_done;
  if (files_total != NULL)
    *files_total = MAX (self->files_total, self->files_done);
  if (bytes_done != NULL)
    *bytes_done = self->bytes_done;
  if (bytes_total != NULL)
    *bytes_total = MAX (self->bytes_total, self->bytes_done);
}

void
allset_activity_list_clear (AllsetActivityList *self)
{
  guint n;

  g_return_if_fail (ALLSET_IS_ACTIVITY_LIST (self));

  n = self->items->len;
  g_hash_table_remove_all (self->current);
  g_ptr_array_set_size (self->items, 0);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}
