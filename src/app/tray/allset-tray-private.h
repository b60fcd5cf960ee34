/* allset-tray-private.h — what the tray backends share with allset-tray.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * allset-tray.c keeps the state (status, paused, recent activities) and
 * builds the menu as a flat list of AllsetTrayItem; a backend only turns
 * that into the system's icon and menu, and reports clicks back with
 * allset_tray_activate_item(). Each system compiles exactly one backend,
 * which defines struct _AllsetTrayBackend.
 */

#pragma once

#include "allset-tray.h"

G_BEGIN_DECLS

#define ALLSET_TRAY_MAX_RECENT 5

/* Menu item ids. They are fixed per role, not per position, so that an
 * item keeps its id when the recent activities come and go (a host may
 * send a click for the menu it showed a moment ago). The Windows backend
 * uses them as command ids; 0 is the dbusmenu root and never an item. */
enum
{
  ALLSET_TRAY_ID_OPEN_FOLDER = 1,
  ALLSET_TRAY_ID_SHOW_WINDOW,
  ALLSET_TRAY_ID_SHARE_FILE,
  ALLSET_TRAY_ID_SEPARATOR_FILES,
  ALLSET_TRAY_ID_TOGGLE_PAUSE,
  ALLSET_TRAY_ID_SEPARATOR_PAUSE,
  ALLSET_TRAY_ID_RECENT_HEADER,
  ALLSET_TRAY_ID_RECENT_FIRST,
  ALLSET_TRAY_ID_SEPARATOR_RECENT = ALLSET_TRAY_ID_RECENT_FIRST + ALLSET_TRAY_MAX_RECENT,
  ALLSET_TRAY_ID_PREFERENCES,
  ALLSET_TRAY_ID_QUIT,
};

typedef enum
{
  ALLSET_TRAY_ITEM_ACTION,     /* a clickable entry */
  ALLSET_TRAY_ITEM_HEADER,     /* a greyed title, never clickable */
  ALLSET_TRAY_ITEM_SEPARATOR,
} AllsetTrayItemKind;

typedef struct
{
  int                 id;
  AllsetTrayItemKind  kind;
  char               *label;    /* translated plain text; NULL for a separator */
  char               *action;   /* name in the action group ("quit"), or NULL */
  GVariant           *target;   /* the action's parameter, or NULL */
  gboolean            enabled;  /* FALSE when the action is missing or disabled */
} AllsetTrayItem;

AllsetTrayItem *allset_tray_item_copy  (const AllsetTrayItem *item);
void            allset_tray_item_free  (AllsetTrayItem       *item);
gboolean        allset_tray_item_equal (const AllsetTrayItem *a,
                                        const AllsetTrayItem *b);

typedef enum
{
  ALLSET_TRAY_CHANGED_ICON    = 1 << 0,
  ALLSET_TRAY_CHANGED_TOOLTIP = 1 << 1,
  ALLSET_TRAY_CHANGED_STATUS  = 1 << 2,  /* needs attention or not */
  ALLSET_TRAY_CHANGED_MENU    = 1 << 3,
} AllsetTrayChanges;

/* --- implemented by the backend of the system ------------------------- */

typedef struct _AllsetTrayBackend AllsetTrayBackend;

/* tray outlives the backend (it frees it in dispose); connection may be
 * NULL (the session bus) and means nothing outside Linux. */
AllsetTrayBackend *allset_tray_backend_new    (AllsetTray         *tray,
                                               GDBusConnection    *connection);
void               allset_tray_backend_update (AllsetTrayBackend  *backend,
                                               AllsetTrayChanges   changes);
void               allset_tray_backend_free   (AllsetTrayBackend  *backend);

/* --- implemented by allset-tray.c, for the backends -------------------- */

/* The current menu, AllsetTrayItem *, owned by the tray: valid until the
 * next change is reported with ALLSET_TRAY_CHANGED_MENU. */
GPtrArray  *allset_tray_get_menu            (AllsetTray *self);
/* "Syncing (42 %)": the state alone, translated. */
char       *allset_tray_dup_status_text     (AllsetTray *self);
/* The tooltip's second line, or NULL. */
const char *allset_tray_get_detail          (AllsetTray *self);
gboolean    allset_tray_get_needs_attention (AllsetTray *self);
/* Where hosts find the app's icon names: $ALLSET_ICON_THEME_PATH, else
 * $ALLSET_ICON_DIR (both for runs from the source tree), else the
 * installed $datadir/icons. */
const char *allset_tray_get_icon_theme_path (void);
void        allset_tray_set_available       (AllsetTray *self,
                                             gboolean    available);
/* A click on the menu entry id (ignored for separators, headers and
 * disabled entries). */
void        allset_tray_activate_item       (AllsetTray *self,
                                             int         id);
/* A click on the icon itself: shows the window. */
void        allset_tray_activate_icon       (AllsetTray *self);

G_END_DECLS
