/* journal-fixture.h — a fresh journal per test, and the rows the journal
 * tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-journal.h"

G_BEGIN_DECLS

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

typedef struct
{
  char          *dir;
  char          *path;
  AllsetJournal *journal;
} Fixture;

/* A journal in a new temporary directory, removed by teardown. */
void             journal_fixture_setup    (Fixture        *fixture,
                                           gconstpointer   data);
void             journal_fixture_teardown (Fixture        *fixture,
                                           gconstpointer   data);

#define JOURNAL_TEST_ADD(name, func) \
  g_test_add ("/journal/" name, Fixture, NULL, journal_fixture_setup, func, journal_fixture_teardown)

/* Applies one change of the feed at seq (revision seq); to_or_id is a
 * move's target or a put's file id (NULL: ID_A). */
void             journal_test_change      (AllsetJournal  *journal,
                                           gint64          seq,
                                           AllsetChangeOp  op,
                                           const char     *path,
                                           const char     *to_or_id);
/* A base file of 3 bytes, its inode above INT64_MAX. */
AllsetBaseEntry *journal_test_base_file   (const char     *path,
                                           const char     *id,
                                           gint64          revision);
/* The table's keys, sorted, joined by spaces. */
char            *journal_test_sorted_keys (GHashTable     *table);

G_END_DECLS
