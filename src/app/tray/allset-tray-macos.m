/* allset-tray-macos.m — the tray backend for macOS: an NSStatusItem
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Compiled only for macOS (src/app/tray/meson.build) and never built or
 * run by this project's Linux CI: keep it short, and check it on a Mac
 * after any change to allset-tray-private.h.
 *
 * GTK 4 runs the GLib main loop inside the NSApplication event loop, so
 * AppKit is used from the main thread like any other GTK call. Manual
 * retain/release (GTK is not built with ARC). The status bar has no
 * tooltip-per-state convention and no "activate" click when a menu is
 * set: a click opens the menu, whose "Open ALLSET Sync" shows the window.
 *
 * Icons: images of the app bundle's Resources named after the icon names
 * (fr.allset.Sync-syncing.png...); the title "ALLSET" when one is missing.
 */

#import <Cocoa/Cocoa.h>

#include "allset-tray-private.h"

@interface AllsetTrayTarget : NSObject
{
@public
  AllsetTray *tray;
}
- (void) itemClicked: (NSMenuItem *) sender;
@end

@implementation AllsetTrayTarget
- (void) itemClicked: (NSMenuItem *) sender
{
  if (tray != NULL)
    allset_tray_activate_item (tray, (int) [sender tag]);
}
@end

struct _AllsetTrayBackend
{
  AllsetTray       *tray;
  NSStatusItem     *item;
  AllsetTrayTarget *target;
};

static void
update_icon (AllsetTrayBackend *self)
{
  const char *name = allset_tray_status_icon_name (allset_tray_get_status (self->tray));
  /* By path: imageNamed: would take ".Sync-syncing" for an extension. */
  NSString *path = [[NSBundle mainBundle] pathForResource: [NSString stringWithUTF8String: name]
                                                   ofType: @"png"];
  NSImage *image = path != nil ? [[[NSImage alloc] initWithContentsOfFile: path] autorelease] : nil;

  if (image != nil)
    {
      [image setSize: NSMakeSize (18, 18)];
      [[self->item button] setImage: image];
      [[self->item button] setTitle: @""];
    }
  else
    [[self->item button] setTitle: @"ALLSET"];
}

static void
update_tooltip (AllsetTrayBackend *self)
{
  g_autofree char *state = allset_tray_dup_status_text (self->tray);
  const char *detail = allset_tray_get_detail (self->tray);
  g_autofree char *tip = detail != NULL ? g_strdup_printf ("ALLSET Sync — %s\n%s", state, detail)
                                        : g_strdup_printf ("ALLSET Sync — %s", state);

  [[self->item button] setToolTip: [NSString stringWithUTF8String: tip]];
}

static void
update_menu (AllsetTrayBackend *self)
{
  GPtrArray *items = allset_tray_get_menu (self->tray);
  NSMenu *menu = [[[NSMenu alloc] initWithTitle: @"ALLSET Sync"] autorelease];

  /* Our enabled flags, not AppKit's responder-chain guess. */
  [menu setAutoenablesItems: NO];
  for (guint i = 0; i < items->len; i++)
    {
      const AllsetTrayItem *item = g_ptr_array_index (items, i);
      NSMenuItem *entry;

      if (item->kind == ALLSET_TRAY_ITEM_SEPARATOR)
        {
          [menu addItem: [NSMenuItem separatorItem]];
          continue;
        }
      entry = [[[NSMenuItem alloc] initWithTitle: [NSString stringWithUTF8String: item->label]
                                          action: @selector (itemClicked:)
                                   keyEquivalent: @""] autorelease];
      [entry setTarget: self->target];
      [entry setTag: item->id];
      [entry setEnabled: item->enabled];
      [menu addItem: entry];
    }
  [self->item setMenu: menu];
}

AllsetTrayBackend *
allset_tray_backend_new (AllsetTray      *tray,
                         GDBusConnection *connection)
{
  AllsetTrayBackend *self = g_new0 (AllsetTrayBackend, 1);

  @autoreleasepool
    {
      self->tray = tray;
      self->target = [[AllsetTrayTarget alloc] init];
      self->target->tray = tray;
      self->item = [[[NSStatusBar systemStatusBar]
                      statusItemWithLength: NSVariableStatusItemLength] retain];
      update_icon (self);
      update_tooltip (self);
      update_menu (self);
    }
  /* The menu bar always has room: the icon shows as soon as it exists. */
  allset_tray_set_available (tray, TRUE);
  return self;
}

void
allset_tray_backend_update (AllsetTrayBackend *self,
                            AllsetTrayChanges  changes)
{
  @autoreleasepool
    {
      if (changes & ALLSET_TRAY_CHANGED_ICON)
        update_icon (self);
      if (changes & ALLSET_TRAY_CHANGED_TOOLTIP)
        update_tooltip (self);
      if (changes & ALLSET_TRAY_CHANGED_MENU)
        update_menu (self);
    }
}

void
allset_tray_backend_free (AllsetTrayBackend *self)
{
  @autoreleasepool
    {
      self->target->tray = NULL;
      [[NSStatusBar systemStatusBar] removeStatusItem: self->item];
      [self->item release];
      [self->target release];
    }
  g_free (self);
}
