/* store-fixture.h — the metadata store tests' shared fixture and helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-chunk-store.h"
#include "allset-store.h"

G_BEGIN_DECLS

typedef struct
{
  char          *dir;
  char          *db_path;
  AllsetStore   *store;
  AllsetAccount *alice;
  AllsetAccount *bob;
} Fixture;

void             fixture_set_up          (Fixture         *f,
                                          gconstpointer    data);
void             fixture_tear_down       (Fixture         *f,
                                          gconstpointer    data);

/* Registers content as an inline chunk of the account and returns its id. */
AllsetHash       chunk                   (Fixture         *f,
                                          AllsetAccount   *account,
                                          const char      *content);
AllsetOp        *op_new                  (AllsetOpKind     kind,
                                          const char      *path,
                                          gint64           base);
/* A put of one chunk holding content (which must be registered). */
AllsetOp        *op_put                  (const char      *path,
                                          gint64           base,
                                          const char      *content);
AllsetOp        *op_move                 (const char      *path,
                                          const char      *to,
                                          gint64           base);
/* Commits the NULL-terminated ops; the batch itself must succeed. */
GPtrArray       *commit                  (Fixture         *f,
                                          AllsetAccount   *account,
                                          ...) G_GNUC_NULL_TERMINATED;
AllsetOpResult  *result_at               (GPtrArray       *results,
                                          guint            i);
/* Commits one op and returns the new revision; it must succeed. */
gint64           commit_one              (Fixture         *f,
                                          AllsetAccount   *account,
                                          AllsetOp        *op);
void             assert_refused          (AllsetOpResult  *result,
                                          guint            status,
                                          AllsetErrorCode  code,
                                          gint64           current_revision);
void             assert_missing          (Fixture         *f,
                                          gint64           account_id,
                                          const char      *path);
AllsetNode      *get_file                (Fixture         *f,
                                          gint64           account_id,
                                          const char      *path);
char            *hex_of                  (const char      *content);
/* A file-system chunk store in f's scratch directory, at *dir. */
AllsetChunkStore *fixture_chunk_store    (Fixture          *f,
                                          char            **dir);
/* Runs the pack collector at now; it must succeed with these counts. */
void             assert_packs_collect    (Fixture          *f,
                                          AllsetChunkStore *chunks,
                                          gint64            now,
                                          guint             removed,
                                          guint             compacted);
guint            count_rows              (Fixture         *f,
                                          const char      *sql);
/* The usage counter kept by every write equals the sum it stands for. */
void             assert_usage_consistent (Fixture         *f,
                                          AllsetAccount   *account);

G_END_DECLS
