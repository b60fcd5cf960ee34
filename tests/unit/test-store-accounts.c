/* test-store-accounts.c — the metadata store's opening, settings,
 * accounts, devices and chunks (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <sqlite3.h>

#include "allset-store-private.h"
#include "store-fixture.h"

/* ─── Opening, settings, accounts, devices ────────────────────────── */

static void
test_open_reopen (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetStore) second = NULL;
  g_autoptr(AllsetNode) node = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  chunk (f, f->alice, "hello");
  commit_one (f, f->alice, op_put ("a.txt", 0, "hello"));

  /* A second connection on the same file (the admin command) migrates
   * nothing and sees the data. */
  second = allset_store_open (f->db_path, &error);
  g_assert_no_error (error);
  node = allset_store_get_file (second, f->alice->id, "a.txt", 0, &error);
  g_assert_no_error (error);
  g_clear_object (&second);
  g_clear_pointer (&node, allset_node_free);

  g_clear_object (&f->store);
  f->store = allset_store_open (f->db_path, &error);
  g_assert_no_error (error);
  node = get_file (f, f->alice->id, "a.txt");
  g_assert_cmpuint (node->size, ==, 5);
  g_assert_cmpint (allset_store_cursor (f->store, f->alice->id), ==, 1);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 5);

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  /* One per migration in allset-store.c (2: share links, 3: abuse
   * reports and suspension, 4: batch-signed receipts, 5: packs,
   * 6: segments). */
  g_assert_cmpuint (count_rows (f, "PRAGMA user_version"), ==, 6);
}

static void
test_settings (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_null (allset_store_setting_get (f->store, "maintenance"));
  allset_store_setting_set (f->store, "maintenance", "on", &error);
  g_assert_no_error (error);
  allset_store_setting_set (f->store, "maintenance", "off", &error);
  g_assert_no_error (error);
  value = allset_store_setting_get (f->store, "maintenance");
  g_assert_cmpstr (value, ==, "off");
  allset_store_setting_set (f->store, "maintenance", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (allset_store_setting_get (f->store, "maintenance"));
}

static void
test_accounts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetAccount) account = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_assert_cmpint (allset_store_account_add (f->store, "alice", NULL, NULL, 0, "x", &error), ==, 0);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT);
  g_clear_error (&error);

  account = allset_store_account_lookup (f->store, "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpint (account->id, ==, f->alice->id);
  g_assert_cmpstr (account->email, ==, "alice@example.fr");
  g_assert_cmpstr (account->password_hash, ==, "hash-a");
  g_assert_false (account->suspended);
  g_assert_cmpint (account->created_at, >, 0);
  g_clear_pointer (&account, allset_account_free);

  g_assert_null (allset_store_account_lookup (f->store, "carol", &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (allset_store_account_set_password (f->store, f->alice->id, "hash-2", &error));
  g_assert_true (allset_store_account_set_suspended (f->store, f->alice->id, TRUE, &error));
  g_assert_true (allset_store_account_set_quota (f->store, f->alice->id, 1000, &error));
  g_assert_no_error (error);
  account = allset_store_account_get (f->store, f->alice->id, &error);
  g_assert_cmpstr (account->password_hash, ==, "hash-2");
  g_assert_true (account->suspended);
  g_assert_cmpuint (account->quota, ==, 1000);

  g_assert_false (allset_store_account_set_quota (f->store, 9999, 1, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = allset_store_account_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((AllsetAccount *) list->pdata[0])->username, ==, "alice");
}

static void
test_devices (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetDevice) device = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *laptop = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *bobs = NULL;
  AllsetHash t1, t2, t3, t4;
  gint64 seen;

  allset_sha256 ("t1", 2, &t1);
  allset_sha256 ("t2", 2, &t2);
  allset_sha256 ("t3", 2, &t3);
  allset_sha256 ("t4", 2, &t4);
  laptop = allset_store_device_add (f->store, f->alice->id, "laptop", &t1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (laptop), ==, 16);
  phone = allset_store_device_add (f->store, f->alice->id, "phone", &t2, 12345, &error);
  bobs = allset_store_device_add (f->store, f->bob->id, "desk", &t3, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (laptop, !=, phone);

  device = allset_store_device_by_token (f->store, &t2);
  g_assert_cmpstr (device->device_id, ==, phone);
  g_assert_cmpint (device->account_id, ==, f->alice->id);
  g_assert_cmpstr (device->name, ==, "phone");
  g_assert_cmpint (device->expires_at, ==, 12345);
  g_assert_false (device->revoked);
  seen = device->last_seen_at;
  g_clear_pointer (&device, allset_device_free);
  g_assert_null (allset_store_device_by_token (f->store, &t4));

  /* Rate-limited: within a minute nothing moves, after it does. */
  allset_store_device_touch (f->store, phone, seen + 30);
  device = allset_store_device_by_token (f->store, &t2);
  g_assert_cmpint (device->last_seen_at, ==, seen);
  g_clear_pointer (&device, allset_device_free);
  allset_store_device_touch (f->store, phone, seen + 61);
  device = allset_store_device_by_token (f->store, &t2);
  g_assert_cmpint (device->last_seen_at, ==, seen + 61);
  g_clear_pointer (&device, allset_device_free);

  /* Bob cannot revoke Alice's device. */
  g_assert_false (allset_store_device_revoke (f->store, f->bob->id, phone));
  g_assert_true (allset_store_device_revoke (f->store, f->alice->id, phone));
  g_assert_false (allset_store_device_revoke (f->store, f->alice->id, phone));
  device = allset_store_device_by_token (f->store, &t2);
  g_assert_true (device->revoked);

  list = allset_store_device_list (f->store, f->alice->id);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((AllsetDevice *) list->pdata[0])->device_id, ==, laptop);

  g_assert_cmpuint (allset_store_device_revoke_all (f->store, f->alice->id), ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = allset_store_device_list (f->store, f->alice->id);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = allset_store_device_list (f->store, f->bob->id);
  g_assert_cmpuint (list->len, ==, 1);
}

static void
test_chunks (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) missing = NULL;
  g_auto(AllsetStoredChunk) where = { 0, };
  AllsetPackedChunk packed[2];
  gint64 pack_id, pack_id2;
  AllsetHash ids[4];

  ids[0] = chunk (f, f->alice, "one");
  allset_sha256 ("two", 3, &ids[1]);
  allset_sha256 ("big", 3, &ids[2]);
  allset_sha256 ("three", 5, &ids[3]);

  /* File-backed: no bytes in the database. */
  allset_store_chunk_add (f->store, f->alice->id, &ids[2], 3 << 20, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (allset_store_chunk_get (f->store, f->alice->id, &ids[2], &where));
  g_assert_cmpuint (where.size, ==, 3 << 20);
  g_assert_null (where.data);
  g_assert_cmpint (where.pack_id, ==, 0);

  /* Packed: the registry keeps the pack and the offset. */
  pack_id = allset_store_pack_new (f->store, f->alice->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pack_id, >, 0);
  packed[0] = (AllsetPackedChunk) { ids[1], 3, 36 };
  packed[1] = (AllsetPackedChunk) { ids[3], 5, 36 + 3 + 36 };
  allset_store_chunks_add_packed (f->store, f->alice->id, pack_id, 36 + 3 + 36 + 5, packed, 2, &error);
  g_assert_no_error (error);

  allset_stored_chunk_clear (&where);
  g_assert_true (allset_store_chunk_get (f->store, f->alice->id, &ids[3], &where));
  g_assert_cmpuint (where.size, ==, 5);
  g_assert_null (where.data);
  g_assert_cmpint (where.pack_id, ==, pack_id);
  g_assert_cmpuint (where.pack_offset, ==, 36 + 3 + 36);

  /* Sent again in another pack, a chunk keeps its first place. */
  pack_id2 = allset_store_pack_new (f->store, f->alice->id, &error);
  g_assert_no_error (error);
  packed[0].offset = 36;
  allset_store_chunks_add_packed (f->store, f->alice->id, pack_id2, 36 + 5, &packed[1], 1, &error);
  g_assert_no_error (error);
  allset_stored_chunk_clear (&where);
  g_assert_true (allset_store_chunk_get (f->store, f->alice->id, &ids[3], &where));
  g_assert_cmpint (where.pack_id, ==, pack_id);

  missing = allset_store_chunks_missing (f->store, f->alice->id, ids, 4);
  g_assert_cmpuint (missing->len, ==, 0);
  g_clear_pointer (&missing, g_array_unref);

  /* Partitioning: Bob holds none of them and cannot read them. */
  missing = allset_store_chunks_missing (f->store, f->bob->id, ids, 4);
  g_assert_cmpuint (missing->len, ==, 4);
  g_assert_cmpuint (g_array_index (missing, guint, 3), ==, 3);
  g_assert_false (allset_store_chunk_has (f->store, f->bob->id, &ids[0]));
  g_assert_true (allset_store_chunk_has (f->store, f->alice->id, &ids[0]));
  allset_stored_chunk_clear (&where);
  g_assert_false (allset_store_chunk_get (f->store, f->bob->id, &ids[0], &where));
  g_clear_pointer (&missing, g_array_unref);

  chunk (f, f->bob, "two");
  missing = allset_store_chunks_missing (f->store, f->bob->id, ids, 4);
  g_assert_cmpuint (missing->len, ==, 3);
  g_assert_cmpuint (g_array_index (missing, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (missing, guint, 1), ==, 2);
}

typedef struct
{
  Fixture   *f;
  AllsetHash token;
  AllsetHash chunk_id;
  GMutex     mutex;
  GCond      cond;
  gboolean   done;
  gboolean   revoked;
  guint      missing;
  guint64    used;
} Lookups;

static gpointer
lookups_thread (gpointer data)
{
  Lookups *l = data;
  g_autoptr(AllsetDevice) device = allset_store_device_by_token (l->f->store, &l->token);
  g_autoptr(AllsetAccount) account = allset_store_account_get (l->f->store, l->f->alice->id, NULL);
  g_autoptr(GArray) missing = allset_store_chunks_missing (l->f->store, l->f->alice->id, &l->chunk_id, 1);
  guint64 used = allset_store_account_usage (l->f->store, l->f->alice->id);

  g_mutex_lock (&l->mutex);
  l->revoked = device != NULL && device->revoked && account != NULL;
  l->missing = missing->len;
  l->used = used;
  l->done = TRUE;
  g_cond_signal (&l->cond);
  g_mutex_unlock (&l->mutex);
  return NULL;
}

/* A request's own lookups (its token, its account, "which chunks are
 * missing", the usage a quota check reads) must not queue behind a
 * writer, whose large commits hold the store's connection for a while;
 * and they read what was committed last. */
static void
test_reads_beside_writer (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL;
  g_autoptr(GThread) thread = NULL;
  Lookups l = { .f = f };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  allset_sha256 ("token", 5, &l.token);
  l.chunk_id = chunk (f, f->alice, "held");
  device_id = allset_store_device_add (f->store, f->alice->id, "laptop", &l.token, 0, &error);
  g_assert_no_error (error);
  g_assert_true (allset_store_device_revoke (f->store, f->alice->id, device_id));
  g_mutex_init (&l.mutex);
  g_cond_init (&l.cond);

  /* As a commit does: the writer's lock, held throughout. */
  g_mutex_lock (&f->store->mutex);
  thread = g_thread_new ("lookups", lookups_thread, &l);
  g_mutex_lock (&l.mutex);
  while (!l.done)
    if (!g_cond_wait_until (&l.cond, &l.mutex, deadline))
      g_error ("The lookups waited for the writer's lock");
  g_mutex_unlock (&l.mutex);
  g_mutex_unlock (&f->store->mutex);
  g_thread_join (g_steal_pointer (&thread));

  g_assert_true (l.revoked);
  g_assert_cmpuint (l.missing, ==, 0);
  g_assert_cmpuint (l.used, ==, 0);
  g_mutex_clear (&l.mutex);
  g_cond_clear (&l.cond);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/store/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("open-reopen", test_open_reopen);
  ADD ("settings", test_settings);
  ADD ("accounts", test_accounts);
  ADD ("devices", test_devices);
  ADD ("chunks", test_chunks);
  ADD ("reads-beside-writer", test_reads_beside_writer);

  return g_test_run ();
}
