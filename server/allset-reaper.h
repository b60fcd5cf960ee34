/* allset-reaper.h — close the connections libsoup 3.2 forgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _AllsetReaper AllsetReaper;

/* Watches the connections of server and closes those whose client is gone
 * or that stayed idle longer than idle_seconds. */
AllsetReaper *allset_reaper_new  (SoupServer   *server,
                                  guint         idle_seconds);
void          allset_reaper_free (AllsetReaper *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetReaper, allset_reaper_free)

G_END_DECLS
