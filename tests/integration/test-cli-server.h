/* test-cli-server.h — a real allset-server for the AllsetClient tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts `$ALLSET_SERVER serve --dev-cert --listen 127.0.0.1:0` on a fresh
 * data directory, reads its URL and certificate fingerprint, and drives
 * `allset-server admin` on the same directory. The server dies with the
 * test (PR_SET_PDEATHSIG), even when an assertion aborts it.
 *
 * These servers are the only ones that see the engine's requests
 * (POST /api/v1/files, /api/v1/chunks/fetch, shares…), so stopping one
 * checks how it went, as allset-test-server.c does for the server tests:
 * under ASan it runs with tests/integration/lsan-server.supp
 * ($ALLSET_TEST_LSAN_SUPPRESSIONS) and the slow unwinder, and
 * test_cli_server_stop() fails the test program on a non-zero exit, a
 * signal other than its SIGTERM, or a sanitizer report in its output.
 * A server halted and restarted on the same address (a server that goes
 * away and comes back) runs and is judged the same way, each time.
 */

#pragma once

#include "allset-client.h"

G_BEGIN_DECLS

#define TEST_CLI_PASSWORD   "correct horse battery"
#define TEST_CLI_UNKNOWN_ID "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct
{
  char        *dir;
  GSubprocess *process;      /* NULL while halted */
  GThread     *drain;
  char        *url;          /* https://127.0.0.1:PORT/ */
  char        *fingerprint;  /* AB:CD:… */
  GString     *report;       /* sanitizer report lines the server printed */
  GStrv        options;      /* the `serve` options, for a restart */
} TestCliServer;

/* g_test_init(), and FALSE (with one skipped test named prefix/skipped
 * added, so `return g_test_run ()` reports it) when $ALLSET_SERVER is
 * not set: the test program then has nothing to test against. */
gboolean       test_cli_init         (int           *argc,
                                      char        ***argv,
                                      const char    *prefix);
/* `admin account-add USER` with the password TEST_CLI_PASSWORD, a name
 * (User) and an e-mail (user@example.com) made from USER, and quota ("1G" when NULL). */
void           test_cli_add_account  (TestCliServer *server,
                                      const char    *user,
                                      const char    *quota);

/* extra_arg: one more `serve` option, or NULL. */
TestCliServer *test_cli_server_start (const char    *extra_arg);
/* The same with this certificate instead of a development one. */
TestCliServer *test_cli_server_start_tls (const char *cert,
                                          const char *key);
/* SIGTERM, then a failed assertion (aborting the program, even after
 * g_test_run()) unless the server exited cleanly: see above. Frees
 * server, halted or not. */
void           test_cli_server_stop  (TestCliServer *server);
/* The same SIGTERM and verdict, but the data directory, URL and
 * fingerprint stay, for test_cli_server_restart(): a server that goes
 * away (test-remote-monitor.c). */
void           test_cli_server_halt  (TestCliServer *server);
/* After test_cli_server_halt(): the server again on the same data
 * directory and port, with the same options and sanitizer settings;
 * asserts that its URL and fingerprint are the same as before.
 * test_cli_server_stop() checks its exit as it does the first one's. */
void           test_cli_server_restart (TestCliServer *server);
/* `allset-server admin --data-dir DIR ARGS… (NULL-terminated)` with input
 * on stdin; asserts success. */
void           test_cli_admin        (TestCliServer *server,
                                      const char    *input,
                                      ...) G_GNUC_NULL_TERMINATED;
/* A client pinning the server's certificate. */
AllsetClient  *test_cli_new_client   (TestCliServer *server,
                                      const char    *token);
/* The same, signed in as username (password TEST_CLI_PASSWORD). */
AllsetClient  *test_cli_signed_in    (TestCliServer *server,
                                      const char    *username);
/* len bytes from the test's random seed. */
GBytes        *test_cli_random_bytes (gsize          len);
/* Lowercase hex SHA-256. */
char          *test_cli_chunk_id     (GBytes        *bytes);

G_END_DECLS
