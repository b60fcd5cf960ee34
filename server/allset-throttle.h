/* allset-throttle.h — login throttling: N failures per key in a sliding window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AllsetThrottle AllsetThrottle;

#define ALLSET_THROTTLE_DEFAULT_MAX_KEYS 100000

/* Thread-safe and in memory. Keys are free-form, e.g. "user:alice" and
 * "ip:192.0.2.7". max_failures = 0 turns throttling off. */
AllsetThrottle *allset_throttle_new           (guint            max_failures,
                                               guint64          window_seconds);
void            allset_throttle_free          (AllsetThrottle  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetThrottle, allset_throttle_free)

/* Caps how many keys are remembered (default ALLSET_THROTTLE_DEFAULT_MAX_KEYS);
 * past it the key whose last failure is oldest is forgotten. */
void            allset_throttle_set_max_keys  (AllsetThrottle  *self,
                                               guint            max_keys);
guint           allset_throttle_get_n_keys    (AllsetThrottle  *self);

/* `now` is in seconds on any clock that does not go backwards, the same for
 * every call. Returns FALSE when key has max_failures or more failures within
 * the window; *retry_after is then the seconds until the oldest of them leaves
 * the window (at least 1). */
gboolean        allset_throttle_check         (AllsetThrottle  *self,
                                               const char      *key,
                                               gint64           now,
                                               guint64         *retry_after);
void            allset_throttle_fail          (AllsetThrottle  *self,
                                               const char      *key,
                                               gint64           now);
/* After a successful login. */
void            allset_throttle_reset         (AllsetThrottle  *self,
                                               const char      *key);

G_END_DECLS
