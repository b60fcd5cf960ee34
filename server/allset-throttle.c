/* allset-throttle.c — login throttling: N failures per key in a sliding window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-throttle.h"

/* Only the last max_failures failures of a key can decide whether it is
 * blocked, so each entry keeps exactly those, oldest first in a ring. */
typedef struct
{
  GList   link;       /* in AllsetThrottle.lru, ordered by last failure */
  char   *key;
  gint64  last;
  guint   n_times;
  guint   first;      /* index of the oldest kept failure */
  gint64  times[];
} Entry;

struct _AllsetThrottle
{
  GMutex      mutex;
  guint       max_failures;
  guint64     window;
  guint       max_keys;
  GHashTable *entries;  /* key → Entry */
  GQueue      lru;      /* oldest last failure at the head */
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->key);
  g_free (entry);
}

AllsetThrottle *
allset_throttle_new (guint   max_failures,
                     guint64 window_seconds)
{
  AllsetThrottle *self = g_new0 (AllsetThrottle, 1);

  g_mutex_init (&self->mutex);
  self->max_failures = max_failures;
  self->window = MAX (window_seconds, 1);
  self->max_keys = ALLSET_THROTTLE_DEFAULT_MAX_KEYS;
  /* The entry owns its key; the table borrows it. */
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_free);
  g_queue_init (&self->lru);

  return self;
}

void
allset_throttle_free (AllsetThrottle *self)
{
  if (self == NULL)
    return;

  g_hash_table_destroy (self->entries);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

static void
remove_entry (AllsetThrottle *self, Entry *entry)
{
  g_queue_unlink (&self->lru, &entry->link);
  g_hash_table_remove (self->entries, entry->key);
}

static gboolean
expired (AllsetThrottle *self, gint64 t, gint64 now)
{
  return now - t >= (gint64) self->window;
}

/* Keys whose newest failure left the window count for nothing; the LRU order
 * puts them at the head, so pruning costs nothing when there is none. */
static void
prune (AllsetThrottle *self, gint64 now)
{
  Entry *entry;

  while ((entry = g_queue_peek_head (&self->lru)) != NULL && expired (self, entry->last, now))
    remove_entry (self, entry);
}

static void
evict_over_cap (AllsetThrottle *self)
{
  while (g_hash_table_size (self->entries) > self->max_keys)
    remove_entry (self, g_queue_peek_head (&self->lru));
}

void
allset_throttle_set_max_keys (AllsetThrottle *self,
                              guint           max_keys)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (max_keys > 0);

  g_mutex_lock (&self->mutex);
  self->max_keys = max_keys;
  evict_over_cap (self);
  g_mutex_unlock (&self->mutex);
}

guint
allset_throttle_get_n_keys (AllsetThrottle *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  n = g_hash_table_size (self->entries);
  g_mutex_unlock (&self->mutex);

  return n;
}

gboolean
allset_throttle_check (AllsetThrottle *self,
                       const char     *key,
                       gint64          now,
                       guint64        *retry_after)
{
  Entry *entry;
  gboolean allowed = TRUE;

  g_return_val_if_fail (self != NULL, TRUE);
  g_return_val_if_fail (key != NULL, TRUE);

  if (retry_after != NULL)
    *retry_after = 0;
  if (self->max_failures == 0)
    return TRUE;

  g_mutex_lock (&self->mutex);

  prune (self, now);
  entry = g_hash_table_lookup (self->entries, key);

  /* The ring is full only with max_failures failures; blocked while the
   * oldest of them is still inside the window. */
  if (entry != NULL && entry->n_times == self->max_failures)
    {
      gint64 oldest = entry->times[entry->first];

      if (!expired (self, oldest, now))
        {
          allowed = FALSE;
          if (retry_after != NULL)
            *retry_after = (guint64) MAX (oldest + (gint64) self->window - now, 1);
        }
    }

  g_mutex_unlock (&self->mutex);

  return allowed;
}

void
allset_throttle_fail (AllsetThrottle *self,
                      const char     *key,
                      gint64          now)
{
  Entry *entry;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);

  if (self->max_failures == 0)
    return;

  g_mutex_lock (&self->mutex);

  prune (self, now);
  entry = g_hash_table_lookup (self->entries, key);
  if (entry == NULL)
    {
      entry = g_malloc0 (sizeof (Entry) + self->max_failures * sizeof (gint64));
      entry->key = g_strdup (key);
      entry->link.data = entry;
      g_hash_table_insert (self->entries, entry->key, entry);
    }
  else
    {
      g_queue_unlink (&self->lru, &entry->link);
    }

  if (entry->n_times < self->max_failures)
    {
      entry->times[(entry->first + entry->n_times) % self->max_failures] = now;
      entry->n_times++;
    }
  else
    {
      entry->times[entry->first] = now;
      entry->first = (entry->first + 1) % self->max_failures;
    }
  entry->last = now;
  g_queue_push_tail_link (&self->lru, &entry->link);

  evict_over_cap (self);

  g_mutex_unlock (&self->mutex);
}

void
allset_throttle_reset (AllsetThrottle *self,
                       const char     *key)
{
  Entry *entry;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);

  g_mutex_lock (&self->mutex);
  entry = g_hash_table_lookup (self->entries, key);
  if (entry != NULL)
    remove_entry (self, entry);
  g_mutex_unlock (&self->mutex);
}
