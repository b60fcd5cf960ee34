/* allset-dbusmenu.h — a flat com.canonical.dbusmenu menu on GDBus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to the Linux tray backend. KDE Plasma and GNOME Shell's
 * AppIndicator extension read a StatusNotifierItem's menu only in this
 * format (not org.gtk.Menus), so it is exported by hand: the items of
 * allset-tray-private.h under one root, a revision bumped and
 * LayoutUpdated emitted on each change, and clicks reported by id.
 */

#pragma once

#include <gio/gio.h>

#include "allset-tray-private.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_DBUSMENU (allset_dbusmenu_get_type ())
G_DECLARE_FINAL_TYPE (AllsetDbusmenu, allset_dbusmenu, ALLSET, DBUSMENU, GObject)

/* Exports the (empty) menu at object_path until the object is disposed.
 * Signal "item-clicked" (int id): a host sent Event(id, "clicked"); it is
 * emitted after the reply went out. */
AllsetDbusmenu *allset_dbusmenu_new          (GDBusConnection  *connection,
                                              const char       *object_path,
                                              GError          **error);
/* items: AllsetTrayItem *, copied. Does nothing when they did not change. */
void            allset_dbusmenu_set_items    (AllsetDbusmenu   *self,
                                              GPtrArray        *items);
guint           allset_dbusmenu_get_revision (AllsetDbusmenu   *self);

G_END_DECLS
