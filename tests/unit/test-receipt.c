/* test-receipt.c — receipts, their signature and the signing key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "allset-protocol.h"

#define FILE_ID "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define TIME    1764164700  /* 2025-11-26T13:45:00Z */

/* RFC 8032, section 7.1, test 1, as PKCS #8. The expected signature below
 * was made with `openssl pkeyutl -sign -rawin`, so this pins the signed text
 * and checks that GnuTLS agrees with another implementation. */
static const char rfc8032_pem[] =
  "-----BEGIN PRIVATE KEY-----\n"
  "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
  "-----END PRIVATE KEY-----\n";
#define RFC8032_PUBLIC_KEY "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define RFC8032_KEY_ID     "21fe31dfa154a261"
#define RFC8032_SIGNATURE  "WI1yA3heMiWYy4fXIIUIzZR+gNTSctAQVyGCf5vxOcKURMFRmHemdCJ8AGxtJSM3JK5skOrWFgfnyjEYxDAUAQ=="

typedef struct
{
  char *dir;
  char *key_path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("allset-receipt-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->key_path = g_build_filename (fixture->dir, "receipt.key", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_assert_no_errno (g_unlink (path));
    }
  g_assert_no_errno (g_rmdir (fixture->dir));

  g_free (fixture->dir);
  g_free (fixture->key_path);
}

static AllsetSigner *
load_signer (const char *path)
{
  g_autoptr(GError) error = NULL;
  AllsetSigner *signer = allset_signer_load_or_create (path, &error);

  g_assert_no_error (error);
  g_assert_true (ALLSET_IS_SIGNER (signer));

  return signer;
}

static AllsetReceipt *
new_receipt (void)
{
  return allset_receipt_new ("alice", "Docs/Été.txt", 7, FILE_ID, 1234, TIME);
}

static AllsetReceipt *
new_signed_receipt (AllsetSigner *signer)
{
  g_autoptr(GError) error = NULL;
  AllsetReceipt *receipt = new_receipt ();

  g_assert_true (allset_signer_sign (signer, receipt, &error));
  g_assert_no_error (error);

  return receipt;
}

static void
assert_verify_fails (const AllsetReceipt *receipt,
                     const char          *public_key)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (allset_receipt_verify (receipt, public_key, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_new (void)
{
  g_autoptr(AllsetReceipt) receipt = new_receipt ();
  g_autoptr(AllsetReceipt) epoch = allset_receipt_new ("a", "b", 1, FILE_ID, 0, 0);

  g_assert_cmpstr (receipt->account, ==, "alice");
  g_assert_cmpstr (receipt->path, ==, "Docs/Été.txt");
  g_assert_cmpint (receipt->revision, ==, 7);
  g_assert_cmpstr (receipt->file_id, ==, FILE_ID);
  g_assert_cmpuint (receipt->size, ==, 1234);
  g_assert_cmpstr (receipt->time, ==, "2025-11-26T13:45:00Z");
  g_assert_null (receipt->key_id);
  g_assert_null (receipt->signature);

  g_assert_cmpstr (epoch->time, ==, "1970-01-01T00:00:00Z");
}

static void
test_signed_text (void)
{
  g_autoptr(AllsetReceipt) receipt = new_receipt ();
  g_autofree char *text = allset_receipt_signed_text (receipt);

  g_assert_cmpstr (text, ==,
                   "allset-receipt-v1\n"
                   "alice\n"
                   "Docs/Été.txt\n"
                   "7\n"
                   FILE_ID "\n"
                   "1234\n"
                   "2025-11-26T13:45:00Z");
}

static void
test_known_signature (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetSigner) signer = NULL;
  g_autoptr(AllsetReceipt) receipt = NULL;

  g_assert_true (g_file_set_contents (fixture->key_path, rfc8032_pem, -1, &error));
  g_assert_no_error (error);

  signer = load_signer (fixture->key_path);
  g_assert_cmpstr (allset_signer_get_public_key (signer), ==, RFC8032_PUBLIC_KEY);
  g_assert_cmpstr (allset_signer_get_key_id (signer), ==, RFC8032_KEY_ID);

  receipt = new_signed_receipt (signer);
  g_assert_cmpstr (receipt->key_id, ==, RFC8032_KEY_ID);
  g_assert_cmpstr (receipt->signature, ==, RFC8032_SIGNATURE);

  g_assert_true (allset_receipt_verify (receipt, RFC8032_PUBLIC_KEY, &error));
  g_assert_no_error (error);
}

static void
test_sign_verify (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(AllsetSigner) signer = load_signer (fixture->key_path);
  g_autoptr(AllsetReceipt) receipt = new_signed_receipt (signer);
  g_autoptr(GError) error = NULL;
  g_autofree guchar *raw = NULL;
  g_autofree char *key_hash = NULL;
  gsize raw_len;

  raw = g_base64_decode (allset_signer_get_public_key (signer), &raw_len);
  g_assert_cmpuint (raw_len, ==, 32);
  key_hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, raw, raw_len);
  key_hash[16] = '\0';
  g_assert_cmpstr (allset_signer_get_key_id (signer), ==, key_hash);

  g_assert_cmpstr (receipt->key_id, ==, allset_signer_get_key_id (signer));
  g_assert_nonnull (receipt->signature);

  g_assert_true (allset_receipt_verify (receipt, allset_signer_get_public_key (signer), &error));
  g_assert_no_error (error);

  /* Signing again replaces the signature (Ed25519 is deterministic). */
  {
    g_autofree char *first = g_strdup (receipt->signature);

    g_assert_true (allset_signer_sign (signer, receipt, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (receipt->signature, ==, first);
  }
}

static void
test_tampered (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(AllsetSigner) signer = load_signer (fixture->key_path);
  g_autoptr(AllsetReceipt) receipt = new_signed_receipt (signer);
  const char *public_key = allset_signer_get_public_key (signer);

  for (guint field = 0; field < 8; field++)
    {
      g_autoptr(AllsetReceipt) copy = allset_receipt_copy (receipt);

      switch (field)
        {
        case 0:
          g_free (copy->account);
          copy->account = g_strdup ("mallory");
          break;
        case 1:
          g_free (copy->path);
          copy->path = g_strdup ("Docs/Ete.txt");
          break;
        case 2:
          copy->revision++;
          break;
        case 3:
          copy->file_id[0] = 'c';
          break;
        case 4:
          copy->size--;
          break;
        case 5:
          copy->time[18] = '1';
          break;
        case 6:
          copy->signature[0] = copy->signature[0] == 'A' ? 'B' : 'A';
          break;
        case 7:
          copy->signature[strlen (copy->signature) - 4] = '\0';
          break;
        default:
          g_assert_not_reached ();
        }

      assert_verify_fails (copy, public_key);
    }
}

static void
test_unsigned (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(AllsetSigner) signer = load_signer (fixture->key_path);
  g_autoptr(AllsetReceipt) receipt = new_signed_receipt (signer);
  const char *public_key = allset_signer_get_public_key (signer);
  g_autoptr(AllsetReceipt) no_signature = allset_receipt_copy (receipt);
  g_autoptr(AllsetReceipt) no_key_id = allset_receipt_copy (receipt);

  g_clear_pointer (&no_signature->signature, g_free);
  g_clear_pointer (&no_key_id->key_id, g_free);

  assert_verify_fails (no_signature, public_key);
  assert_verify_fails (no_key_id, public_key);
  assert_verify_fails (receipt, "not base64 of a key");
  assert_verify_fails (receipt, "");
}

static void
test_wrong_key (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *other_path = g_build_filename (fixture->dir, "other.key", NULL);
  g_autoptr(AllsetSigner) signer = load_signer (fixture->key_path);
  g_autoptr(AllsetSigner) other = load_signer (other_path);
  g_autoptr(AllsetReceipt) receipt = new_signed_receipt (signer);
  g_autoptr(AllsetReceipt) relabeled = allset_receipt_copy (receipt);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpstr (allset_signer_get_public_key (signer), !=, allset_signer_get_public_key (other));
  g_assert_cmpstr (allset_signer_get_key_id (signer), !=, allset_signer_get_key_id (other));

  g_assert_false (allset_receipt_verify (receipt, allset_signer_get_public_key (other), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  expected = g_strdup_printf ("The receipt was signed with key %s, not with key %s",
                              allset_signer_get_key_id (signer),
                              allset_signer_get_key_id (other));
  g_assert_cmpstr (error->message, ==, expected);

  /* Claiming the other key's id does not help: the signature is checked. */
  g_free (relabeled->key_id);
  relabeled->key_id = g_strdup (allset_signer_get_key_id (other));
  assert_verify_fails (relabeled, allset_signer_get_public_key (other));
}

static void
test_line_breaks (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(AllsetSigner) signer = load_signer (fixture->key_path);
  g_autoptr(AllsetReceipt) receipt = allset_receipt_new ("alice\nDocs", "a.txt", 1, FILE_ID, 1, TIME);
  g_autoptr(GError) error = NULL;

  /* "alice\nDocs" + "a.txt" would sign the same text as "alice" +
   * "Docs\na.txt": neither is signed. */
  g_assert_false (allset_signer_sign (signer, receipt, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (receipt->signature);
}

static void
assert_receipts_equal (const AllsetReceipt *a,
                       const AllsetReceipt *b)
{
  g_assert_cmpstr (a->account, ==, b->account);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpint (a->revision, ==, b->revision);
  g_assert_cmpstr (a->file_id, ==, b->file_id);
  g_assert_cmpuint (a->size, ==, b->size);
  g_assert_cmpstr (a->time, ==, b->time);
  g_assert_cmpstr (a->key_id, ==, b->key_id);
  g_assert_cmpstr (a->signature, ==, b->signature);
}

static void
test_json (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autoptr(AllsetSigner) signer = load_signer (fixture->key_path);
  g_autoptr(AllsetReceipt) receipt = new_signed_receipt (signer);
  g_autoptr(AllsetReceipt) copy = allset_receipt_copy (receipt);
  g_autoptr(JsonNode) node = allset_receipt_to_json (receipt);
  g_autofree char *text = allset_json_to_string (node);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) parsed_node = NULL;
  g_autoptr(AllsetReceipt) parsed = NULL;
  g_autoptr(GError) error = NULL;

  assert_receipts_equal (receipt, copy);

  object = allset_json_parse_object (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (object, "revision"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (object, "size"), ==, 1234);
  g_assert_cmpstr (json_object_get_string_member (object, "time"), ==, "2025-11-26T13:45:00Z");

  parsed_node = json_node_init_object (json_node_alloc (), object);
  parsed = allset_receipt_from_json (parsed_node, &error);
  g_assert_no_error (error);
  assert_receipts_equal (receipt, parsed);

  g_assert_true (allset_receipt_verify (parsed, allset_signer_get_public_key (signer), &error));
  g_assert_no_error (error);
}

static void
test_json_unsigned (void)
{
  g_autoptr(AllsetReceipt) receipt = new_receipt ();
  g_autoptr(JsonNode) node = allset_receipt_to_json (receipt);
  g_autoptr(AllsetReceipt) parsed = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object = json_node_get_object (node);

  /* Unsigned receipts have no key_id or signature members at all. */
  g_assert_false (json_object_has_member (object, "key_id"));
  g_assert_false (json_object_has_member (object, "signature"));

  parsed = allset_receipt_from_json (node, &error);
  g_assert_no_error (error);
  assert_receipts_equal (receipt, parsed);
}

static void
test_json_invalid (void)
{
  static const char * const bad[] = {
    "{\"path\": \"a\", \"revision\": 1, \"file_id\": \"x\", \"size\": 1, \"time\": \"t\"}",
    "{\"account\": \"a\", \"path\": \"a\", \"revision\": \"1\", \"file_id\": \"x\", \"size\": 1, \"time\": \"t\"}",
    "{\"account\": \"a\", \"path\": \"a\", \"revision\": 1, \"file_id\": \"x\", \"size\": 1.5, \"time\": \"t\"}",
    "{\"account\": \"a\", \"path\": \"a\", \"revision\": 1, \"file_id\": \"x\", \"size\": -1, \"time\": \"t\"}",
    "{\"account\": \"a\", \"path\": \"a\", \"revision\": 1, \"file_id\": \"x\", \"size\": 1, \"time\": 5}",
    "{\"account\": \"a\", \"path\": \"a\", \"revision\": 1, \"file_id\": \"x\", \"size\": 1, \"time\": \"t\", \"signature\": 1}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = allset_json_parse_object (bad[i], strlen (bad[i]), &error);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(AllsetReceipt) receipt = NULL;

      g_assert_no_error (error);
      node = json_node_init_object (json_node_alloc (), object);
      receipt = allset_receipt_from_json (node, &error);
      g_assert_null (receipt);
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
    }

  {
    g_autoptr(JsonArray) empty = json_array_new ();
    g_autoptr(JsonNode) array = json_node_init_array (json_node_alloc (), empty);
    g_autoptr(GError) error = NULL;

    g_assert_null (allset_receipt_from_json (array, &error));
    g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
  }
}

static void
test_key_file (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(AllsetSigner) created = load_signer (fixture->key_path);
  g_autoptr(AllsetSigner) reloaded = NULL;
  g_autoptr(AllsetReceipt) receipt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  GStatBuf st;

  g_assert_no_errno (g_stat (fixture->key_path, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (g_file_get_contents (fixture->key_path, &pem, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN PRIVATE KEY-----\n"));

  reloaded = load_signer (fixture->key_path);
  g_assert_cmpstr (allset_signer_get_public_key (reloaded), ==, allset_signer_get_public_key (created));
  g_assert_cmpstr (allset_signer_get_key_id (reloaded), ==, allset_signer_get_key_id (created));

  /* Loading does not rewrite the key. */
  g_assert_no_errno (g_stat (fixture->key_path, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  receipt = new_signed_receipt (reloaded);
  g_assert_true (allset_receipt_verify (receipt, allset_signer_get_public_key (created), &error));
  g_assert_no_error (error);
}

static void
test_key_file_invalid (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *missing_dir = g_build_filename (fixture->dir, "missing", "receipt.key", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetSigner) signer = NULL;

  g_assert_true (g_file_set_contents (fixture->key_path, "not a key\n", -1, &error));
  g_assert_no_error (error);
  signer = allset_signer_load_or_create (fixture->key_path, &error);
  g_assert_null (signer);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* A throwaway P-256 key: valid PEM, wrong algorithm. */
  g_assert_true (g_file_set_contents (fixture->key_path,
                                      "-----BEGIN PRIVATE KEY-----\n"
                                      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1E2h3BgFdEt6gb0j\n"
                                      "HydcY/DKZXhuHwaIAKNF7d4Tj8GhRANCAAQSThHHq8MAhCN7994CyXTbXsLy0Nzb\n"
                                      "1CJfNw5SLfWV3ESFJpevXC07o217dfos3myqnrxIFBG1fap+VI9bk4aA\n"
                                      "-----END PRIVATE KEY-----\n", -1, &error));
  g_assert_no_error (error);
  signer = allset_signer_load_or_create (fixture->key_path, &error);
  g_assert_null (signer);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true (g_str_has_suffix (error->message, "is not an Ed25519 key"));
  g_clear_error (&error);

  signer = allset_signer_load_or_create (missing_dir, &error);
  g_assert_null (signer);
  g_assert_nonnull (error);
}

typedef struct
{
  AllsetSigner *signer;
  guint         index;
} SignJob;

static gpointer
sign_many (gpointer user_data)
{
  SignJob *job = user_data;

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(AllsetReceipt) receipt = allset_receipt_new ("alice", "a.txt", job->index * 1000 + i,
                                                             FILE_ID, i, TIME + i);
      g_autoptr(GError) error = NULL;

      g_assert_true (allset_signer_sign (job->signer, receipt, &error));
      g_assert_no_error (error);
      g_assert_true (allset_receipt_verify (receipt, allset_signer_get_public_key (job->signer), &error));
      g_assert_no_error (error);
    }

  return NULL;
}

static void
test_threads (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(AllsetSigner) signer = load_signer (fixture->key_path);
  SignJob jobs[4];
  GThread *threads[G_N_ELEMENTS (jobs)];

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      jobs[i] = (SignJob) { signer, i };
      threads[i] = g_thread_new ("signer", sign_many, &jobs[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    g_thread_join (threads[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/receipt/new", test_new);
  g_test_add_func ("/receipt/signed-text", test_signed_text);
  ADD ("/receipt/known-signature", test_known_signature);
  ADD ("/receipt/sign-verify", test_sign_verify);
  ADD ("/receipt/tampered", test_tampered);
  ADD ("/receipt/unsigned", test_unsigned);
  ADD ("/receipt/wrong-key", test_wrong_key);
  ADD ("/receipt/line-breaks", test_line_breaks);
  ADD ("/receipt/json", test_json);
  g_test_add_func ("/receipt/json-unsigned", test_json_unsigned);
  g_test_add_func ("/receipt/json-invalid", test_json_invalid);
  ADD ("/receipt/key-file", test_key_file);
  ADD ("/receipt/key-file-invalid", test_key_file_invalid);
  ADD ("/receipt/threads", test_threads);

#undef ADD

  return g_test_run ();
}
