/* allset-store-share-reports.c — abuse reports, suspension and owner changes of share links
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ALLSET may suspend a publication after a complaint or when a file is a
 * security risk (terms R16). Anyone holding a link can report it; the
 * admin reads the reports and suspends or lifts. A suspension is a column
 * of the share, not a state the owner can change: the owner's update below
 * refuses a suspended link, in the same statement that applies it, so an
 * admin's suspension can never be overwritten by a PATCH racing it.
 */

#include <string.h>

#include "allset-store-private.h"

void
allset_share_report_free (AllsetShareReport *report)
{
  if (report == NULL)
    return;
  g_free (report->token_prefix);
  g_free (report->reason);
  g_free (report->details);
  g_free (report->email);
  g_free (report->reporter_ip);
  g_free (report->owner);
  allset_share_free (report->share);
  g_free (report);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

gint64
allset_store_share_report_add (AllsetStore             *self,
                               const AllsetShareReport *report,
                               GError                 **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), 0);
  g_return_val_if_fail (report != NULL && report->token_prefix != NULL && report->reason != NULL, 0);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "INSERT INTO share_reports (share_id, token_prefix, reason, details,"
                            " email, reporter_ip, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, report->share_id);
  sqlite3_bind_text (stmt, 2, report->token_prefix, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, report->reason, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, report->details ? report->details : "", -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 5, report->email);
  bind_text_or_null (stmt, 6, report->reporter_ip);
  sqlite3_bind_int64 (stmt, 7, report->created_at);
  if (!allset_store_step_done (self, stmt, "share report add", error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

/* Lock held. The share with this id, revoked or not; NULL when none. */
static AllsetShare *
share_by_id_locked (AllsetStore  *self,
                    gint64        share_id,
                    GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  stmt = allset_store_stmt (self, "SELECT " ALLSET_STORE_SHARE_COLUMNS " FROM shares WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, share_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return allset_store_share_from_row (stmt);
  if (rc != SQLITE_DONE)
    allset_store_sqlite_error (self, rc, "share by id", error);
  return NULL;
}

/* Lock held. NULL when the account is gone. */
static char *
username_locked (AllsetStore *self,
                 gint64       account_id)
{
  g_autoptr(StoreStmt) stmt = NULL;

  stmt = allset_store_stmt (self, "SELECT username FROM accounts WHERE id = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return allset_store_column_strdup (stmt, 0);
}

GPtrArray *
allset_store_share_reports_list (AllsetStore  *self,
                                 GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_share_report_free);
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  {
    g_autoptr(StoreStmt) stmt = NULL;

    stmt = allset_store_stmt (self,
                              "SELECT id, share_id, token_prefix, reason, details, email,"
                              " reporter_ip, created_at FROM share_reports"
                              " ORDER BY created_at DESC, id DESC", error);
    if (stmt == NULL)
      return NULL;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        AllsetShareReport *report = g_new0 (AllsetShareReport, 1);

        report->id = sqlite3_column_int64 (stmt, 0);
        report->share_id = sqlite3_column_int64 (stmt, 1);
        report->token_prefix = allset_store_column_strdup (stmt, 2);
        report->reason = allset_store_column_strdup (stmt, 3);
        report->details = allset_store_column_strdup (stmt, 4);
        report->email = allset_store_column_strdup (stmt, 5);
        report->reporter_ip = allset_store_column_strdup (stmt, 6);
        report->created_at = sqlite3_column_int64 (stmt, 7);
        g_ptr_array_add (reports, report);
      }
    if (rc != SQLITE_DONE)
      {
        allset_store_sqlite_error (self, rc, "share reports", error);
        return NULL;
      }
  }

  /* A separate lookup per report rather than a join: the share's columns
   * are read by the one function every share query uses. The admin reads
   * a few reports at a time; this is not a hot path. */
  for (guint i = 0; i < reports->len; i++)
    {
      AllsetShareReport *report = g_ptr_array_index (reports, i);
      g_autoptr(GError) local = NULL;

      report->share = share_by_id_locked (self, report->share_id, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (report->share != NULL)
        report->owner = username_locked (self, report->share->account_id);
    }
  return g_steal_pointer (&reports);
}

GPtrArray *
allset_store_share_find (AllsetStore  *self,
                         const char   *key,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_share_free);
  guint64 id = 0;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  /* A prefix is base64url, so it may be all digits too: match both ways
   * and let the caller refuse an ambiguous key. */
  if (!g_ascii_string_to_unsigned (key, 10, 1, G_MAXINT64, &id, NULL))
    id = 0;

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "SELECT " ALLSET_STORE_SHARE_COLUMNS " FROM shares"
                            " WHERE id = ? OR token_prefix = ? ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, (gint64) id);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (shares, allset_store_share_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "share find", error);
      return NULL;
    }
  return g_steal_pointer (&shares);
}

gboolean
allset_store_share_set_suspended (AllsetStore  *self,
                                  gint64        share_id,
                                  const char   *reason,
                                  gint64        now,
                                  GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "UPDATE shares SET suspended_at = ?, suspended_reason = ?"
                            " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  if (reason != NULL)
    sqlite3_bind_int64 (stmt, 1, MAX (now, 1));
  else
    sqlite3_bind_null (stmt, 1);
  bind_text_or_null (stmt, 2, reason);
  sqlite3_bind_int64 (stmt, 3, share_id);
  if (!allset_store_step_done (self, stmt, "share suspend", error))
    return FALSE;
  return sqlite3_changes (self->db) == 1;
}

gboolean
allset_store_share_update (AllsetStore             *self,
                           gint64                   account_id,
                           gint64                   share_id,
                           const AllsetShareUpdate *update,
                           GError                 **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);
  g_return_val_if_fail (update != NULL, FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "UPDATE shares SET"
                            " expires_at = CASE WHEN ?1 THEN ?2 ELSE expires_at END,"
                            " password_hash = CASE WHEN ?3 THEN ?4 ELSE password_hash END,"
                            " max_downloads = CASE WHEN ?5 THEN ?6 ELSE max_downloads END"
                            " WHERE id = ?7 AND account_id = ?8 AND revoked = 0"
                            " AND suspended_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, update->set_expiry ? 1 : 0);
  if (update->expires_at > 0)
    sqlite3_bind_int64 (stmt, 2, update->expires_at);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int (stmt, 3, update->set_password ? 1 : 0);
  bind_text_or_null (stmt, 4, update->password_hash);
  sqlite3_bind_int (stmt, 5, update->set_max_downloads ? 1 : 0);
  sqlite3_bind_int64 (stmt, 6, MAX (update->max_downloads, 0));
  sqlite3_bind_int64 (stmt, 7, share_id);
  sqlite3_bind_int64 (stmt, 8, account_id);
  if (!allset_store_step_done (self, stmt, "share update", error))
    return FALSE;
  return sqlite3_changes (self->db) == 1;
}
