/* allset-tray-win32.c — the tray backend for Windows: Shell_NotifyIcon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Compiled only for Windows (src/app/tray/meson.build) and never built or
 * run by this project's Linux CI: keep it short, and check it on Windows
 * (MSYS2 UCRT64) after any change to allset-tray-private.h.
 *
 * A hidden top-level window receives the icon's messages. Not a
 * message-only window (HWND_MESSAGE): those miss the "TaskbarCreated"
 * broadcast that Explorer sends when it restarts, after which the icon
 * must be added again (the Windows side of "the watcher reappeared").
 * GTK 4's Windows event source dispatches every message of the main
 * thread, so the window procedure runs in the GLib main loop.
 *
 * Icons: ICON resources of the executable named after the icon names,
 * upper-cased with '.' and '-' as '_' (FR_ALLSET_SYNC_SYNCING...), which
 * the app's .rc file provides; the system's default icon otherwise.
 */

#include <string.h>
#include <wchar.h>

#include <windows.h>
#include <shellapi.h>

#include "allset-tray-private.h"

#define WM_ALLSET_TRAY  (WM_APP + 1)
#define ICON_ID         1
#define CLASS_NAME      L"AllsetTrayWindow"

struct _AllsetTrayBackend
{
  AllsetTray *tray;
  HWND        hwnd;
  UINT        taskbar_created;
  gboolean    added;
};

static HICON
load_icon (AllsetTrayStatus status)
{
  g_autofree char *name = g_ascii_strup (allset_tray_status_icon_name (status), -1);
  g_autofree gunichar2 *wname = NULL;
  HICON icon;

  g_strdelimit (name, ".-", '_');
  wname = g_utf8_to_utf16 (name, -1, NULL, NULL, NULL);
  icon = LoadImageW (GetModuleHandleW (NULL), (LPCWSTR) wname, IMAGE_ICON,
                     GetSystemMetrics (SM_CXSMICON), GetSystemMetrics (SM_CYSMICON),
                     LR_DEFAULTCOLOR | LR_SHARED);
  return icon != NULL ? icon : LoadIconW (NULL, (LPCWSTR) IDI_APPLICATION);
}

static void
fill_data (AllsetTrayBackend *self,
           NOTIFYICONDATAW   *data)
{
  g_autofree char *state = allset_tray_dup_status_text (self->tray);
  const char *detail = allset_tray_get_detail (self->tray);
  g_autofree char *tip = detail != NULL ? g_strdup_printf ("ALLSET Sync — %s\n%s", state, detail)
                                        : g_strdup_printf ("ALLSET Sync — %s", state);
  g_autofree gunichar2 *wtip = g_utf8_to_utf16 (tip, -1, NULL, NULL, NULL);

  memset (data, 0, sizeof *data);
  data->cbSize = sizeof *data;
  data->hWnd = self->hwnd;
  data->uID = ICON_ID;
  data->uFlags = NIF_MESSAGE | NIF_ICON | NIF_TIP | NIF_SHOWTIP;
  data->uCallbackMessage = WM_ALLSET_TRAY;
  data->hIcon = load_icon (allset_tray_get_status (self->tray));
  if (wtip != NULL)
    wcsncpy (data->szTip, (const wchar_t *) wtip, G_N_ELEMENTS (data->szTip) - 1);
}

static void
add_icon (AllsetTrayBackend *self)
{
  NOTIFYICONDATAW data;

  fill_data (self, &data);
  self->added = Shell_NotifyIconW (NIM_ADD, &data);
  if (self->added)
    {
      /* Version 4: the callback's lParam carries the event, wParam the
       * anchor point, and keyboard selection arrives as NIN_KEYSELECT. */
      data.uVersion = NOTIFYICON_VERSION_4;
      Shell_NotifyIconW (NIM_SETVERSION, &data);
    }
  allset_tray_set_available (self->tray, self->added);
}

/* Menu labels use '&' for mnemonics: a file name keeps its own. */
static gunichar2 *
menu_label (const char *label)
{
  g_autoptr(GString) escaped = g_string_new (label);

  g_string_replace (escaped, "&", "&&", 0);
  return g_utf8_to_utf16 (escaped->str, -1, NULL, NULL, NULL);
}

static void
show_menu (AllsetTrayBackend *self,
           int                x,
           int                y)
{
  GPtrArray *items = allset_tray_get_menu (self->tray);
  HMENU menu = CreatePopupMenu ();
  int command;

  for (guint i = 0; i < items->len; i++)
    {
      const AllsetTrayItem *item = g_ptr_array_index (items, i);
      g_autofree gunichar2 *label = NULL;

      if (item->kind == ALLSET_TRAY_ITEM_SEPARATOR)
        {
          AppendMenuW (menu, MF_SEPARATOR, 0, NULL);
          continue;
        }
      label = menu_label (item->label);
      AppendMenuW (menu, MF_STRING | (item->enabled ? 0 : MF_GRAYED), item->id, (LPCWSTR) label);
    }

  /* Without the foreground, the menu would not close on a click outside. */
  SetForegroundWindow (self->hwnd);
  command = TrackPopupMenu (menu, TPM_RETURNCMD | TPM_NONOTIFY | TPM_RIGHTBUTTON,
                            x, y, 0, self->hwnd, NULL);
  PostMessageW (self->hwnd, WM_NULL, 0, 0);
  DestroyMenu (menu);
  if (command > 0)
    allset_tray_activate_item (self->tray, command);
}

static LRESULT CALLBACK
window_proc (HWND   hwnd,
             UINT   message,
             WPARAM wparam,
             LPARAM lparam)
{
  AllsetTrayBackend *self = (AllsetTrayBackend *) GetWindowLongPtrW (hwnd, GWLP_USERDATA);

  if (message == WM_NCCREATE)
    {
      CREATESTRUCTW *create = (CREATESTRUCTW *) lparam;
      SetWindowLongPtrW (hwnd, GWLP_USERDATA, (LONG_PTR) create->lpCreateParams);
    }
  else if (self != NULL && message == self->taskbar_created)
    add_icon (self);
  else if (self != NULL && message == WM_ALLSET_TRAY)
    {
      switch (LOWORD (lparam))
        {
        case NIN_SELECT:
        case NIN_KEYSELECT:
          allset_tray_activate_icon (self->tray);
          break;
        case WM_CONTEXTMENU:
          show_menu (self, (short) LOWORD (wparam), (short) HIWORD (wparam));
          break;
        default:
          break;
        }
      return 0;
    }
  return DefWindowProcW (hwnd, message, wparam, lparam);
}

AllsetTrayBackend *
allset_tray_backend_new (AllsetTray      *tray,
                         GDBusConnection *connection)
{
  static gsize class_registered;
  AllsetTrayBackend *self = g_new0 (AllsetTrayBackend, 1);
  HINSTANCE instance = GetModuleHandleW (NULL);

  if (g_once_init_enter (&class_registered))
    {
      WNDCLASSEXW window_class = { 0 };

      window_class.cbSize = sizeof window_class;
      window_class.lpfnWndProc = window_proc;
      window_class.hInstance = instance;
      window_class.lpszClassName = CLASS_NAME;
      g_once_init_leave (&class_registered, RegisterClassExW (&window_class) != 0 ? 1 : 2);
    }

  self->tray = tray;
  self->taskbar_created = RegisterWindowMessageW (L"TaskbarCreated");
  self->hwnd = CreateWindowExW (WS_EX_TOOLWINDOW, CLASS_NAME, L"ALLSET Sync", WS_POPUP,
                                0, 0, 0, 0, NULL, NULL, instance, self);
  if (self->hwnd == NULL)
    g_warning ("Cannot create the tray icon's window (error %lu)", GetLastError ());
  else
    add_icon (self);
  return self;
}

void
allset_tray_backend_update (AllsetTrayBackend *self,
                            AllsetTrayChanges  changes)
{
  NOTIFYICONDATAW data;

  /* The menu is built when shown: nothing to do for its changes. */
  if (!self->added || !(changes & (ALLSET_TRAY_CHANGED_ICON | ALLSET_TRAY_CHANGED_TOOLTIP)))
    return;
  fill_data (self, &data);
  Shell_NotifyIconW (NIM_MODIFY, &data);
}

void
allset_tray_backend_free (AllsetTrayBackend *self)
{
  if (self->added)
    {
      NOTIFYICONDATAW data = { 0 };

      data.cbSize = sizeof data;
      data.hWnd = self->hwnd;
      data.uID = ICON_ID;
      Shell_NotifyIconW (NIM_DELETE, &data);
    }
  if (self->hwnd != NULL)
    DestroyWindow (self->hwnd);
  g_free (self);
}
