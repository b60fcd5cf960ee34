/* allset-app-state.h — the account and its folders as the app shows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app's one model: loads the configuration, connects the signed-in
 * account (token from the keyring, in a thread), runs one
 * AllsetFolderSession per synced folder and sums their states up for the
 * tray, the window and notifications. The sync logic itself stays in the
 * engine; this only aggregates (the worst state wins: error, then
 * offline, maintenance, metered pause, pause, syncing, up to date).
 */

#pragma once

#include <gio/gio.h>

#include "allset-client.h"
#include "allset-config.h"
#include "allset-folder-session.h"
#include "allset-tray.h"

G_BEGIN_DECLS

typedef enum
{
  ALLSET_APP_PHASE_LOADING,        /* reading the configuration, the keyring */
  ALLSET_APP_PHASE_NEEDS_SETUP,    /* no account yet: the first-run assistant */
  ALLSET_APP_PHASE_SIGN_IN_AGAIN,  /* the token is gone, revoked or expired */
  ALLSET_APP_PHASE_FAILED,         /* configuration or keyring unreadable */
  ALLSET_APP_PHASE_RUNNING,        /* sessions run (see their states) */
} AllsetAppPhase;

#define ALLSET_TYPE_APP_STATE (allset_app_state_get_type ())
G_DECLARE_FINAL_TYPE (AllsetAppState, allset_app_state, ALLSET, APP_STATE, GObject)

AllsetAppState *allset_app_state_new              (void);
/* Loads the configuration and connects (async); sessions start when the
 * client is there. */
void            allset_app_state_start            (AllsetAppState *self);
void            allset_app_state_stop             (AllsetAppState *self);
/* After the first-run assistant or a new sign-in saved the
 * configuration and the token: load and connect again. */
void            allset_app_state_reload           (AllsetAppState *self);

AllsetAppPhase  allset_app_state_get_phase        (AllsetAppState *self);
/* Why FAILED or SIGN_IN_AGAIN, translated; NULL otherwise. */
const char     *allset_app_state_get_message      (AllsetAppState *self);
AllsetConfig   *allset_app_state_get_config       (AllsetAppState *self);
AllsetClient   *allset_app_state_get_client       (AllsetAppState *self);
/* GListModel of AllsetFolderSession, one per folder, in config order. */
GListModel     *allset_app_state_get_sessions     (AllsetAppState *self);
GFile          *allset_app_state_dup_first_folder (AllsetAppState *self);

/* The account's space after the last pass: FALSE until it is known.
 * quota 0: unlimited. */
gboolean        allset_app_state_get_space        (AllsetAppState *self,
                                                   guint64        *used,
                                                   guint64        *quota);

/* AllsetIssue of the first folder after its last pass (symlinks,
 * unportable names, case clashes, unreadable files, failed actions);
 * conflict copies are in the activity list instead. generation changes
 * each time the list is read again. */
GPtrArray      *allset_app_state_get_issues       (AllsetAppState *self,
                                                   guint          *generation);

/* Every session paused, or none. */
void            allset_app_state_set_paused       (AllsetAppState *self,
                                                   gboolean        paused);
gboolean        allset_app_state_get_paused       (AllsetAppState *self);

/* The sessions summed up: the worst state, the overall fraction in
 * percent and a detail line for the tray's tooltip (translated). */
AllsetSessionState allset_app_state_get_session_state (AllsetAppState *self);
AllsetTrayStatus   allset_app_state_get_tray_status   (AllsetAppState *self,
                                                       guint          *percent,
                                                       char          **detail);

/* A share link was created, changed or revoked: « Mes liens » reads
 * the list again. */
void            allset_app_state_shares_changed   (AllsetAppState *self);

/* ::changed — phase, a session's state or progress changed (at most as
 * often as the sessions notify progress).
 * ::shares-changed — see allset_app_state_shares_changed(). */

G_END_DECLS
