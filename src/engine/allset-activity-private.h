/* allset-activity-private.h — what the activity list writes in its items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-activity.h"

G_BEGIN_DECLS

struct _AllsetActivity
{
  GObject               parent_instance;

  char                 *path;
  char                 *to;
  AllsetActionKind      action;
  AllsetActivityStatus  status;
  char                 *message;
  guint64               bytes;
  guint64               bytes_done;
  GDateTime            *time;
  AllsetReceipt        *receipt;
  /* Counted in the pass's progress already (it finished once). */
  gboolean              counted;
};

AllsetActivity *allset_activity_new_item       (const char           *path,
                                                const char           *to,
                                                AllsetActionKind      action,
                                                GDateTime            *time);
void            allset_activity_set_to         (AllsetActivity       *self,
                                                const char           *to);
void            allset_activity_set_message    (AllsetActivity       *self,
                                                const char           *message);
void            allset_activity_set_bytes      (AllsetActivity       *self,
                                                guint64               bytes);
void            allset_activity_set_bytes_done (AllsetActivity       *self,
                                                guint64               bytes_done);
/* 0 (unknown) leaves the action as it is. */
void            allset_activity_set_action     (AllsetActivity       *self,
                                                AllsetActionKind      action);
void            allset_activity_set_status     (AllsetActivity       *self,
                                                AllsetActivityStatus  status);
void            allset_activity_set_time       (AllsetActivity       *self,
                                                GDateTime            *time);
void            allset_activity_set_receipt    (AllsetActivity       *self,
                                                const AllsetReceipt  *receipt);

G_END_DECLS
