/* allset-store-accounts.c — accounts and their devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-store-private.h"

#define ACCOUNT_COLUMNS \
  "id, username, name, email, password_hash, quota, suspended, created_at"

static AllsetAccount *
account_from_row (sqlite3_stmt *stmt)
{
  AllsetAccount *account = g_new0 (AllsetAccount, 1);

  account->id = sqlite3_column_int64 (stmt, 0);
  account->username = allset_store_column_strdup (stmt, 1);
  account->name = allset_store_column_strdup (stmt, 2);
  account->email = allset_store_column_strdup (stmt, 3);
  account->password_hash = allset_store_column_strdup (stmt, 4);
  account->quota = sqlite3_column_int64 (stmt, 5);
  account->suspended = sqlite3_column_int (stmt, 6) != 0;
  account->created_at = sqlite3_column_int64 (stmt, 7);
  return account;
}

gint64
allset_store_account_add (AllsetStore  *self,
                          const char   *username,
                          const char   *name,
                          const char   *email,
                          guint64       quota,
                          const char   *password_hash,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), 0);
  g_return_val_if_fail (username != NULL && username[0] != '\0', 0);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "INSERT INTO accounts (username, name, email, password_hash, quota, "
                            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name ? name : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, email ? email : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, password_hash ? password_hash : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, quota);
  sqlite3_bind_int64 (stmt, 6, allset_store_now ());
  rc = sqlite3_step (stmt);
  allset_store_stmt_release (stmt);

  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT,
                   "The account “%s” exists", username);
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "account", error);
      return 0;
    }
  return sqlite3_last_insert_rowid (self->db);
}

/* Runs the query, for which the caller holds the lock of its connection. */
static AllsetAccount *
account_query (AllsetStore  *self,
               StoreStmt    *query,
               const char   *username,
               gint64        id,
               GError      **error)
{
  g_autoptr(StoreStmt) stmt = query;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (username != NULL)
    sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return account_from_row (stmt);
  if (rc != SQLITE_DONE)
    allset_store_sqlite_error (self, rc, "account", error);
  else if (username != NULL)
    g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                 "No account “%s”", username);
  else
    g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                 "No account %" G_GINT64_FORMAT, id);
  return NULL;
}

AllsetAccount *
allset_store_account_lookup (AllsetStore  *self,
                             const char   *username,
                             GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (username != NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);
  return account_query (self,
                        allset_store_stmt (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE username = ?",
                                           error),
                        username, 0, error);
}

AllsetAccount *
allset_store_account_get (AllsetStore  *self,
                          gint64        account_id,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  /* Every request asks, right after its token: the read connection. */
  locker = g_mutex_locker_new (&self->read_mutex);
  return account_query (self,
                        allset_store_read_stmt (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?",
                                                error),
                        NULL, account_id, error);
}

GPtrArray *
allset_store_account_list (AllsetStore  *self,
                           GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY username",
                            error);
  if (stmt == NULL)
    return NULL;

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_account_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (accounts, account_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "accounts", error);
      return NULL;
    }
  return g_steal_pointer (&accounts);
}

/* Runs an UPDATE of one account; an unknown id is NOT_FOUND. */
static gboolean
account_update (AllsetStore  *self,
                const char   *sql,
                gint64        account_id,
                const char   *text,
                gint64        number,
                GError      **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  StoreStmt *stmt;

  stmt = allset_store_stmt (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (stmt, 1, number);
  sqlite3_bind_int64 (stmt, 2, account_id);
  if (!allset_store_step_done (self, stmt, "account", error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                   "No account %" G_GINT64_FORMAT, account_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
allset_store_account_set_password (AllsetStore  *self,
                                   gint64        account_id,
                                   const char   *password_hash,
                                   GError      **error)
{
  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);
  g_return_val_if_fail (password_hash != NULL, FALSE);

  return account_update (self, "UPDATE accounts SET password_hash = ? WHERE id = ?",
                         account_id, password_hash, 0, error);
}

gboolean
allset_store_account_set_suspended (AllsetStore  *self,
                                    gint64        account_id,
                                    gboolean      suspended,
                                    GError      **error)
{
  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);

  return account_update (self, "UPDATE accounts SET suspended = ? WHERE id = ?",
                         account_id, NULL, suspended ? 1 : 0, error);
}

gboolean
allset_store_account_set_quota (AllsetStore  *self,
                                gint64        account_id,
                                guint64       quota,
                                GError      **error)
{
  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);

  return account_update (self, "UPDATE accounts SET quota = ? WHERE id = ?",
                         account_id, NULL, (gint64) quota, error);
}

guint64
allset_store_account_usage (AllsetStore *self,
                            gint64       account_id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->read_mutex);
  stmt = allset_store_read_stmt (self, "SELECT used FROM accounts WHERE id = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

/* ─── Devices ──────────────────────────────────────────────────────── */

#define DEVICE_COLUMNS \
  "device_id, account_id, name, created_at, last_seen_at, expires_at, revoked"

static AllsetDevice *
device_from_row (sqlite3_stmt *stmt)
{
  AllsetDevice *device = g_new0 (AllsetDevice, 1);

  device->device_id = allset_store_column_strdup (stmt, 0);
  device->account_id = sqlite3_column_int64 (stmt, 1);
  device->name = allset_store_column_strdup (stmt, 2);
  device->created_at = sqlite3_column_int64 (stmt, 3);
  device->last_seen_at = sqlite3_column_int64 (stmt, 4);
  device->expires_at = sqlite3_column_int64 (stmt, 5);
  device->revoked = sqlite3_column_int (stmt, 6) != 0;
  return device;
}

char *
allset_store_device_add (AllsetStore       *self,
                         gint64             account_id,
                         const char        *name,
                         const AllsetHash  *token_hash,
                         gint64             expires_at,
                         GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 now = allset_store_now ();

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (token_hash != NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);

  /* 64 random bits: a clash is practically impossible, but a retry costs
   * nothing and an id is never reused. */
  for (guint attempt = 0; attempt < 4; attempt++)
    {
      g_autofree char *device_id = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
      StoreStmt *stmt;
      int rc;

      stmt = allset_store_stmt (self,
                                "INSERT INTO devices (device_id, account_id, name, token_hash, "
                                "created_at, last_seen_at, expires_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, account_id);
      sqlite3_bind_text (stmt, 3, name ? name : "", -1, SQLITE_STATIC);
      store_bind_hash (stmt, 4, token_hash);
      sqlite3_bind_int64 (stmt, 5, now);
      sqlite3_bind_int64 (stmt, 6, now);
      sqlite3_bind_int64 (stmt, 7, expires_at);
      rc = sqlite3_step (stmt);
      allset_store_stmt_release (stmt);

      if (rc == SQLITE_DONE)
        return g_steal_pointer (&device_id);
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        {
          g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                       "No account %" G_GINT64_FORMAT, account_id);
          return NULL;
        }
      if (rc != SQLITE_CONSTRAINT_PRIMARYKEY)
        {
          allset_store_sqlite_error (self, rc, "device", error);
          return NULL;
        }
    }

  g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
               "Could not pick a device id");
  return NULL;
}

AllsetDevice *
allset_store_device_by_token (AllsetStore       *self,
                              const AllsetHash  *token_hash)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (token_hash != NULL, NULL);

  locker = g_mutex_locker_new (&self->read_mutex);
  stmt = allset_store_read_stmt (self,
                                 "SELECT " DEVICE_COLUMNS " FROM devices WHERE token_hash = ?",
                                 NULL);
  if (stmt == NULL)
    return NULL;
  store_bind_hash (stmt, 1, token_hash);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return device_from_row (stmt);
}

void
allset_store_device_touch (AllsetStore *self,
                           const char  *device_id,
                           gint64       now)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) error = NULL;
  StoreStmt *stmt;

  g_return_if_fail (ALLSET_IS_STORE (self));
  g_return_if_fail (device_id != NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "UPDATE devices SET last_seen_at = ?1 "
                            "WHERE device_id = ?2 AND last_seen_at <= ?1 - ?3",
                            &error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, now);
      sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 3, ALLSET_STORE_TOUCH_INTERVAL);
      allset_store_step_done (self, stmt, "device", &error);
    }
  /* Best effort: a missed last-seen time must not fail the request. */
  if (error != NULL)
    g_debug ("Could not touch device %s: %s", device_id, error->message);
}

GPtrArray *
allset_store_device_list (AllsetStore *self,
                          gint64       account_id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  GPtrArray *devices;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_device_free);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "SELECT " DEVICE_COLUMNS " FROM devices "
                            "WHERE account_id = ? AND NOT revoked ORDER BY created_at, device_id",
                            NULL);
  if (stmt == NULL)
    return devices;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (devices, device_from_row (stmt));
  return devices;
}

gboolean
allset_store_device_revoke (AllsetStore *self,
                            gint64       account_id,
                            const char  *device_id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) error = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);
  g_return_val_if_fail (device_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  /* An already revoked device is as gone as another account's: FALSE. */
  stmt = allset_store_stmt (self,
                            "UPDATE devices SET revoked = 1 "
                            "WHERE device_id = ? AND account_id = ? AND NOT revoked",
                            NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, account_id);
  if (!allset_store_step_done (self, stmt, "revoke", &error))
    {
      g_warning ("Could not revoke device %s: %s", device_id, error->message);
      return FALSE;
    }
  return sqlite3_changes (self->db) > 0;
}

guint
allset_store_device_revoke_all (AllsetStore *self,
                                gint64       account_id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) error = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "UPDATE devices SET revoked = 1 WHERE account_id = ? AND NOT revoked",
                            NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!allset_store_step_done (self, stmt, "revoke", &error))
    {
      g_warning ("Could not revoke the devices of account %" G_GINT64_FORMAT ": %s",
                 account_id, error->message);
      return 0;
    }
  return sqlite3_changes (self->db);
}
