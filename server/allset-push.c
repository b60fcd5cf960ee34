/* allset-push.c — parked long polls, woken when an account's cursor moves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Main loop only, so no locks: commits report back to the main loop, which
 * calls allset_push_notify() before anything else sees the new cursor.
 */

#include "allset-push.h"
#include "allset-server-private.h"

struct _AllsetPush
{
  GHashTable *waiters;   /* account id → GPtrArray of Waiter */
  GHashTable *cursors;   /* account id → the last cursor a commit reported */
};

typedef struct
{
  AllsetPush        *push;
  SoupServerMessage *msg;
  gint64             account_id;
  gint64             cursor;
  guint              timeout_id;
  gulong             finished_id;
} Waiter;

static gint64 *
int64_key (gint64 value)
{
  return g_memdup2 (&value, sizeof value);
}

static void
waiter_free (Waiter *waiter)
{
  g_clear_handle_id (&waiter->timeout_id, g_source_remove);
  g_clear_signal_handler (&waiter->finished_id, waiter->msg);
  g_object_unref (waiter->msg);
  g_free (waiter);
}

static void
waiter_answer (Waiter   *waiter,
               gint64    cursor,
               gboolean  changed)
{
  g_autoptr(JsonNode) node = allset_changes_wait_body (cursor, changed);
  g_autofree char *text = allset_json_to_string (node);

  soup_server_message_set_status (waiter->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (waiter->msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_COPY, text, strlen (text));
  soup_server_message_unpause (waiter->msg);
}

static void
waiter_detach (Waiter *waiter)
{
  GPtrArray *list = g_hash_table_lookup (waiter->push->waiters, &waiter->account_id);

  if (list != NULL)
    g_ptr_array_remove_fast (list, waiter);
}

static gboolean
waiter_on_timeout (gpointer data)
{
  Waiter *waiter = data;

  waiter->timeout_id = 0;
  waiter_detach (waiter);
  waiter_answer (waiter, waiter->cursor, FALSE);
  waiter_free (waiter);
  return G_SOURCE_REMOVE;
}

/* The client went away while parked. */
static void
waiter_on_finished (SoupServerMessage *msg,
                    Waiter            *waiter)
{
  waiter_detach (waiter);
  waiter_free (waiter);
}

AllsetPush *
allset_push_new (void)
{
  AllsetPush *self = g_new0 (AllsetPush, 1);

  self->waiters = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  self->cursors = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  return self;
}

void
allset_push_free (AllsetPush *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self == NULL)
    return;

  g_hash_table_iter_init (&iter, self->waiters);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *list = value;

      for (guint i = 0; i < list->len; i++)
        waiter_free (g_ptr_array_index (list, i));
    }

  g_hash_table_unref (self->waiters);
  g_hash_table_unref (self->cursors);
  g_free (self);
}

void
allset_push_park (AllsetPush        *self,
                  SoupServerMessage *msg,
                  gint64             account_id,
                  gint64             cursor,
                  guint              timeout_seconds)
{
  gint64 *latest = g_hash_table_lookup (self->cursors, &account_id);
  GPtrArray *list;
  Waiter *waiter;

  /* A commit may have finished between the worker's look at the cursor and
   * now; it found no waiter to wake, so answer at once. */
  if (latest != NULL && *latest > cursor)
    {
      Waiter now = { .msg = msg };

      waiter_answer (&now, *latest, TRUE);
      return;
    }

  waiter = g_new0 (Waiter, 1);
  waiter->push = self;
  waiter->msg = g_object_ref (msg);
  waiter->account_id = account_id;
  waiter->cursor = cursor;
  /* Not g_timeout_add_seconds(): its coalescing may answer a 1 s poll early. */
  waiter->timeout_id = g_timeout_add (timeout_seconds * 1000, waiter_on_timeout, waiter);
  waiter->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (waiter_on_finished), waiter);

  list = g_hash_table_lookup (self->waiters, &account_id);
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (self->waiters, int64_key (account_id), list);
    }
  g_ptr_array_add (list, waiter);
}

void
allset_push_notify (AllsetPush *self,
                    gint64      account_id,
                    gint64      cursor)
{
  GPtrArray *list = g_hash_table_lookup (self->waiters, &account_id);
  gint64 *latest = g_hash_table_lookup (self->cursors, &account_id);

  if (latest == NULL)
    g_hash_table_insert (self->cursors, int64_key (account_id), int64_key (cursor));
  else
    *latest = MAX (*latest, cursor);

  for (guint i = list ? list->len : 0; i > 0; i--)
    {
      Waiter *waiter = g_ptr_array_index (list, i - 1);

      if (waiter->cursor < cursor)
        {
          g_ptr_array_remove_index_fast (list, i - 1);
          waiter_answer (waiter, cursor, TRUE);
          waiter_free (waiter);
        }
    }
}
