/* folder-session-fixture.h — one AllsetFolderSession against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What test-folder-session.c (the session at work: progress, activity,
 * rescan, pause, metered networks, held deletions, stop) and
 * test-folder-session-errors.c (what stops or holds it: revoked and expired
 * tokens, maintenance, an unreachable server) share: a fixture holding a
 * fresh account's folder, its signed-in client, a file-driven
 * GNetworkMonitor (AllsetTestNetworkMonitor) and the session with the
 * signals the GUI binds to counted; and main-loop waits that all give up
 * after a bounded time. One copy, so that the two programs wait and count
 * alike.
 */

#pragma once

#include "allset-folder-session.h"
#include "test-cli-server.h"

G_BEGIN_DECLS

/* How long any wait of the session tests lasts at most. */
#define WAIT_SECONDS 20

/* The server the test program started in main(): fixture_init() uses it. */
extern TestCliServer *server;

typedef struct
{
  char                *root;
  char                *id;
  AllsetFolderConfig   folder;
  char                *network_file;
  GNetworkMonitor     *network;
  AllsetClient        *client;
  AllsetFolderSession *session;
  guint                passes;          /* ::pass-finished */
  guint                finished_items;  /* ::activity-finished */
  guint                progress_notifies;
  guint                signals_after_stop;
  gboolean             stopped;
  /* ETA (eta-seconds) seen while syncing, against the client's upload
   * limit (up_limit bytes/s, 0: not watched). */
  guint64              up_limit;
  guint                eta_positive;
  guint                eta_implausible;
  guint                eta_kept;        /* passes that ended with an ETA */
} Fixture;

/* A new account user on `on` (password TEST_CLI_PASSWORD), an empty local
 * folder synced to its "Sync", the network "online", and a stopped
 * session with its signals connected to the counters above. */
void     fixture_init_on  (Fixture       *f,
                           TestCliServer *on,
                           const char    *user);
/* The same on `server`. */
void     fixture_init     (Fixture       *f,
                           const char    *user);
/* Stops the session, waits for its pass and monitors to let go, and
 * removes the folder. */
void     fixture_clear    (Fixture       *f);
/* The ::pass-finished handler fixture_init() connects, for a session a
 * test makes itself. */
void     fixture_on_pass_finished (AllsetFolderSession *session,
                                   gpointer             report,
                                   GError              *error,
                                   Fixture             *f);

/* "online", "metered" or "offline", as AllsetTestNetworkMonitor reads it. */
void     write_network    (Fixture       *f,
                           const char    *word);
/* content (length -1: a string) at name under the local folder, making
 * its directories. */
void     write_file       (Fixture       *f,
                           const char    *name,
                           const char    *content,
                           gssize         length);

/* Runs the main loop until check (f) holds; FALSE after seconds. */
gboolean wait_until       (Fixture       *f,
                           gboolean     (*check) (Fixture *f),
                           guint          seconds);
/* The main loop runs for ms, whatever happens. */
void     spin             (guint          ms);
/* Spins until a pass after the passes-th one has ended in state wanted
 * (WAIT_SECONDS at most). */
gboolean wait_pass        (Fixture            *f,
                           guint               passes,
                           AllsetSessionState  wanted);
/* Spins until the state is wanted, no pass needed (WAIT_SECONDS at most). */
gboolean wait_state       (Fixture            *f,
                           AllsetSessionState  wanted);

AllsetSessionState state  (Fixture       *f);
/* Idle after at least one pass. */
gboolean is_idle          (Fixture       *f);

/* Files of the account's Sync directory on the server. */
guint           remote_count (Fixture    *f);
/* The newest item for path in the activity list, or NULL; the model
 * keeps the reference. */
AllsetActivity *find_item    (Fixture    *f,
                              const char *path);

G_END_DECLS
