/* test-sanitizers.h — servers started by tests, under AddressSanitizer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by both harnesses (allset-test-server.c for the server's own
 * tests, test-cli-server.c for the engine's and the CLI's), so that every
 * server a test starts is checked the same way.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* TRUE in a build with -Db_sanitize=address(,undefined). */
gboolean allset_test_is_sanitized       (void);
/* Under ASan, sets up launcher for a server: the slow unwinder back (the
 * meson test environment gives test programs the fast one), which its
 * leak suppressions need to see past GLib's frames, and LSAN_OPTIONS whose
 * one suppressions file, written to dir/lsan.supp, holds those of
 * $LSAN_OPTIONS and $ALLSET_TEST_LSAN_SUPPRESSIONS
 * (tests/integration/lsan-server.supp). Does nothing otherwise. */
void     allset_test_sanitize_launcher  (GSubprocessLauncher *launcher,
                                         const char          *dir);

G_END_DECLS
