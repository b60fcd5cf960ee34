/* test-receipt-batch.c — batch-signed receipts (receipts v2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Receipts signed as one Merkle batch (docs/protocol.md, "Receipts"): each
 * verifies on its own, every field and every batch member is bound by the
 * one signature, v1 receipts still verify, malformed batch members are
 * refused, and the cache of checked batch signatures never vouches for
 * anything it did not check. The trees themselves: test-merkle.c.
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "allset-merkle.h"
#include "allset-protocol.h"

#define FILE_ID  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define TIME     1764164700

typedef struct
{
  char         *dir;
  AllsetSigner *signer;
  const char   *public_key;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_path = NULL;

  fixture->dir = g_dir_make_tmp ("allset-merkle-XXXXXX", &error);
  g_assert_no_error (error);
  key_path = g_build_filename (fixture->dir, "receipt.key", NULL);
  fixture->signer = allset_signer_load_or_create (key_path, &error);
  g_assert_no_error (error);
  fixture->public_key = allset_signer_get_public_key (fixture->signer);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *key_path = g_build_filename (fixture->dir, "receipt.key", NULL);

  g_assert_no_errno (g_unlink (key_path));
  g_assert_no_errno (g_rmdir (fixture->dir));
  g_free (fixture->dir);
  g_clear_object (&fixture->signer);
}

static GPtrArray *
signed_batch (Fixture    *fixture,
              guint       n,
              const char *prefix)
{
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_receipt_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/Été %u.txt", prefix, i);

      g_ptr_array_add (receipts, allset_receipt_new ("alice", path, 100 + i, FILE_ID, i, TIME));
    }
  g_assert_true (allset_signer_sign_batch (fixture->signer, (AllsetReceipt **) receipts->pdata,
                                           n, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&receipts);
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
assert_verifies (const AllsetReceipt *receipt,
                 const char          *public_key)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (allset_receipt_verify (receipt, public_key, &error));
  g_assert_no_error (error);
}

static void
flip_hex (char *hex)
{
  hex[0] = hex[0] == '0' ? '1' : '0';
}

static void
test_batch_sign_verify (Fixture       *fixture,
                        gconstpointer  user_data)
{
  const guint sizes[] = { 1, 2, 3, 5, 8, 33 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint n = sizes[s];
      g_autofree char *prefix = g_strdup_printf ("batch-%u", n);
      g_autoptr(GPtrArray) receipts = signed_batch (fixture, n, prefix);
      const AllsetReceipt *first = g_ptr_array_index (receipts, 0);
      g_autofree char *text = NULL;

      text = g_strdup_printf ("allset-receipt-batch-v1\n%s\n%u", first->batch_root, n);

      for (guint i = 0; i < n; i++)
        {
          const AllsetReceipt *receipt = g_ptr_array_index (receipts, i);

          g_assert_cmpstr (receipt->key_id, ==, allset_signer_get_key_id (fixture->signer));
          g_assert_cmpstr (receipt->signature, ==, first->signature);
          g_assert_cmpstr (receipt->batch_root, ==, first->batch_root);
          g_assert_cmpuint (receipt->batch_size, ==, n);
          g_assert_cmpuint (receipt->batch_index, ==, i);
          g_assert_cmpuint (g_strv_length (receipt->batch_proof), ==, allset_merkle_proof_length (n, i));
          assert_verifies (receipt, fixture->public_key);
        }

      /* A batch of one: the root is the leaf and the proof is empty. */
      if (n == 1)
        {
          AllsetHash leaf;
          g_autofree char *signed_text = allset_receipt_signed_text (first);
          g_autofree char *leaf_hex = NULL;

          allset_merkle_leaf_hash (signed_text, strlen (signed_text), &leaf);
          leaf_hex = allset_hash_to_hex (&leaf);
          g_assert_cmpstr (first->batch_root, ==, leaf_hex);
          g_assert_cmpuint (g_strv_length (first->batch_proof), ==, 0);
        }
    }
}

static void
test_batch_tampered (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GPtrArray) receipts = signed_batch (fixture, 7, "tampered");
  g_autoptr(GPtrArray) other = signed_batch (fixture, 7, "other");

  for (guint i = 0; i < receipts->len; i++)
    {
      const AllsetReceipt *receipt = g_ptr_array_index (receipts, i);

      /* Verified first, so the batch signature is in the cache: tampering
       * must fail all the same. */
      assert_verifies (receipt, fixture->public_key);

      for (guint field = 0; field < 14; field++)
        {
          g_autoptr(AllsetReceipt) copy = allset_receipt_copy (receipt);
          const AllsetReceipt *stranger = g_ptr_array_index (other, i);

          switch (field)
            {
            case 0: g_free (copy->account); copy->account = g_strdup ("mallory"); break;
            case 1: copy->path[0] = 'T'; break;
            case 2: copy->revision++; break;
            case 3: flip_hex (copy->file_id); break;
            case 4: copy->size++; break;
            case 5: copy->time[18] = '1'; break;
            case 6: copy->signature[0] = copy->signature[0] == 'A' ? 'B' : 'A'; break;
            case 7: flip_hex (copy->batch_root); break;
            case 8: copy->batch_index = (copy->batch_index + 1) % copy->batch_size; break;
            case 9: copy->batch_size++; break;
            case 10: copy->batch_size--; break;
            case 11: flip_hex (copy->batch_proof[copy->batch_proof[1] != NULL ? 1 : 0]); break;
            case 12:
              /* Another batch's genuine signature, not over this root. */
              g_free (copy->signature);
              copy->signature = g_strdup (stranger->signature);
              break;
            case 13:
              /* Another batch's genuine root and signature, not this leaf's. */
              g_free (copy->signature);
              copy->signature = g_strdup (stranger->signature);
              g_free (copy->batch_root);
              copy->batch_root = g_strdup (stranger->batch_root);
              break;
            default:
              g_assert_not_reached ();
            }
          assert_verify_fails (copy, fixture->public_key);
        }

      /* Every byte of every proof element. */
      for (guint j = 0; receipt->batch_proof[j] != NULL; j++)
        {
          for (guint b = 0; b < ALLSET_HASH_HEX_LEN; b += 2)
            {
              g_autoptr(AllsetReceipt) copy = allset_receipt_copy (receipt);

              copy->batch_proof[j][b] = copy->batch_proof[j][b] == 'f' ? 'e' : 'f';
              assert_verify_fails (copy, fixture->public_key);
            }
        }

      /* Dropping the batch turns it into a v1 receipt, whose signature
       * the batch signature is not. */
      {
        g_autoptr(AllsetReceipt) copy = allset_receipt_copy (receipt);

        g_clear_pointer (&copy->batch_root, g_free);
        assert_verify_fails (copy, fixture->public_key);
      }
    }
}

static void
test_v1_still_verifies (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(AllsetReceipt) v1 = allset_receipt_new ("alice", "Docs/v1.txt", 3, FILE_ID, 9, TIME);
  g_autoptr(GPtrArray) batch = signed_batch (fixture, 1, "v1");
  g_autoptr(AllsetReceipt) resigned = allset_receipt_copy (g_ptr_array_index (batch, 0));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_true (allset_signer_sign (fixture->signer, v1, &error));
  g_assert_no_error (error);
  g_assert_null (v1->batch_root);
  assert_verifies (v1, fixture->public_key);

  node = allset_receipt_to_json (v1);
  g_assert_false (json_object_has_member (json_node_get_object (node), "batch"));

  /* A v2 receipt signed again on its own is a v1 receipt. */
  g_assert_true (allset_signer_sign (fixture->signer, resigned, &error));
  g_assert_no_error (error);
  g_assert_null (resigned->batch_root);
  g_assert_null (resigned->batch_proof);
  assert_verifies (resigned, fixture->public_key);

  /* A v1 signature presented as a batch signature. */
  g_free (resigned->batch_root);
  resigned->batch_root = g_strdup (((AllsetReceipt *) g_ptr_array_index (batch, 0))->batch_root);
  resigned->batch_size = 1;
  resigned->batch_proof = g_new0 (char *, 1);
  assert_verify_fails (resigned, fixture->public_key);
}

static void
test_batch_json (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(GPtrArray) receipts = signed_batch (fixture, 5, "json");

  for (guint i = 0; i < receipts->len; i++)
    {
      const AllsetReceipt *receipt = g_ptr_array_index (receipts, i);
      g_autoptr(JsonNode) node = allset_receipt_to_json (receipt);
      g_autofree char *text = allset_json_to_string (node);
      g_autoptr(AllsetReceipt) parsed = NULL;
      g_autoptr(JsonNode) again = NULL;
      g_autofree char *text_again = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *batch;

      batch = json_object_get_object_member (json_node_get_object (node), "batch");
      g_assert_nonnull (batch);
      g_assert_cmpstr (json_object_get_string_member (batch, "root"), ==, receipt->batch_root);
      g_assert_cmpint (json_object_get_int_member (batch, "size"), ==, 5);
      g_assert_cmpint (json_object_get_int_member (batch, "index"), ==, i);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (batch, "proof")), ==,
                        allset_merkle_proof_length (5, i));

      parsed = allset_receipt_from_json (node, &error);
      g_assert_no_error (error);
      assert_verifies (parsed, fixture->public_key);
      again = allset_receipt_to_json (parsed);
      text_again = allset_json_to_string (again);
      g_assert_cmpstr (text_again, ==, text);
    }
}

static void
test_batch_json_invalid (Fixture       *fixture,
                         gconstpointer  user_data)
{
  /* A batch of 5, index 1: the proof holds 3 hashes. */
  static const char *const bad[] = {
    "\"batch\":[]",
    "\"batch\":\"x\"",
    "\"batch\":{\"size\":5,\"index\":1,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":R,\"index\":1,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":R,\"size\":5,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1}",
    "\"batch\":{\"root\":\"abc\",\"size\":5,\"index\":1,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":UPPER,\"size\":5,\"index\":1,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":NOTHEX,\"size\":5,\"index\":1,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":7,\"size\":5,\"index\":1,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1,\"proof\":[H,H,\"abc\"]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1,\"proof\":[H,H,UPPER]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1,\"proof\":[H,H,3]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1,\"proof\":[H,H,null]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1,\"proof\":[H,H,[H]]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1,\"proof\":[H,H]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1,\"proof\":[H,H,H,H]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1,\"proof\":H}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":5,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":6,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":-1,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":R,\"size\":0,\"index\":0,\"proof\":[]}",
    "\"batch\":{\"root\":R,\"size\":-5,\"index\":1,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":R,\"size\":\"5\",\"index\":1,\"proof\":[H,H,H]}",
    "\"batch\":{\"root\":R,\"size\":5,\"index\":1.5,\"proof\":[H,H,H]}",
  };
  g_autoptr(GPtrArray) receipts = signed_batch (fixture, 5, "invalid");
  const AllsetReceipt *receipt = g_ptr_array_index (receipts, 1);
  g_autoptr(JsonNode) node = allset_receipt_to_json (receipt);
  g_autofree char *good = allset_json_to_string (node);
  g_autofree char *base = NULL;
  g_autofree char *root = g_strdup_printf ("\"%s\"", receipt->batch_root);
  g_autofree char *upper = g_ascii_strup (root, -1);
  const char *hash = "\"" FILE_ID "\"";
  const char *not_hex = "\"zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"";
  char *batch_at;

  /* The receipt without its batch member and closing brace. */
  batch_at = strstr (good, ",\"batch\":");
  g_assert_nonnull (batch_at);
  base = g_strndup (good, batch_at - good);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = NULL;
      g_autoptr(JsonNode) bad_node = NULL;
      g_autoptr(AllsetReceipt) parsed = NULL;
      g_autoptr(GString) text = g_string_new (base);
      g_autoptr(GString) member = g_string_new (bad[i]);

      /* Placeholders in the batch member only: the signature in base may
       * hold an R or an H. */
      g_string_replace (member, "UPPER", upper, 0);
      g_string_replace (member, "NOTHEX", not_hex, 0);
      g_string_replace (member, "R", root, 0);
      g_string_replace (member, "H", hash, 0);
      g_string_append_c (text, ',');
      g_string_append_len (text, member->str, member->len);
      g_string_append_c (text, '}');

      object = allset_json_parse_object (text->str, text->len, &error);
      g_assert_no_error (error);
      bad_node = json_node_init_object (json_node_alloc (), object);
      parsed = allset_receipt_from_json (bad_node, &error);
      if (parsed != NULL)
        g_error ("accepted: %s", text->str);
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
    }

  /* The same base with its genuine batch still parses and verifies, and
   * "batch": null is a v1 receipt. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) object = allset_json_parse_object (good, strlen (good), &error);
    g_autoptr(JsonNode) good_node = json_node_init_object (json_node_alloc (), object);
    g_autoptr(AllsetReceipt) parsed = allset_receipt_from_json (good_node, &error);

    g_assert_no_error (error);
    assert_verifies (parsed, fixture->public_key);

    json_object_set_null_member (object, "batch");
    g_clear_pointer (&parsed, allset_receipt_free);
    parsed = allset_receipt_from_json (good_node, &error);
    g_assert_no_error (error);
    g_assert_null (parsed->batch_root);
  }
}

typedef struct
{
  GPtrArray  *receipts;
  const char *public_key;
  guint       start;
} VerifyJob;

static gpointer
verify_thread (gpointer data)
{
  VerifyJob *job = data;

  for (guint i = job->start; i < job->receipts->len; i += 4)
    {
      if (!allset_receipt_verify (g_ptr_array_index (job->receipts, i), job->public_key, NULL))
        return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

static void
test_cache_threads (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GPtrArray) receipts = signed_batch (fixture, 500, "threads");
  VerifyJob jobs[4];
  GThread *threads[4];
  gint64 start;

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      jobs[t] = (VerifyJob) { receipts, fixture->public_key, t };
      threads[t] = g_thread_new ("verify", verify_thread, &jobs[t]);
    }
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[t])));

  /* Printed, not asserted: timing depends on the machine. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < receipts->len; i++)
    assert_verifies (g_ptr_array_index (receipts, i), fixture->public_key);
  g_test_message ("500 v2 receipts of one batch verified in %.1f ms (cached signature)",
                  (g_get_monotonic_time () - start) / 1000.0);

  for (guint i = 0; i < receipts->len; i++)
    g_assert_true (allset_signer_sign (fixture->signer, g_ptr_array_index (receipts, i), NULL));
  start = g_get_monotonic_time ();
  for (guint i = 0; i < receipts->len; i++)
    assert_verifies (g_ptr_array_index (receipts, i), fixture->public_key);
  g_test_message ("the same 500 as v1 receipts verified in %.1f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
}

static void
test_cache_overflow (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GPtrArray) first = signed_batch (fixture, 2, "first");
  g_autoptr(AllsetReceipt) forged = NULL;

  assert_verifies (g_ptr_array_index (first, 0), fixture->public_key);

  /* More batches than the cache holds: it empties and fills again, and
   * whatever it forgot is checked afresh. */
  for (guint i = 0; i < 4200; i++)
    {
      g_autoptr(GPtrArray) batch = NULL;
      g_autofree char *prefix = g_strdup_printf ("overflow-%u", i);

      batch = signed_batch (fixture, 1, prefix);
      assert_verifies (g_ptr_array_index (batch, 0), fixture->public_key);
    }

  assert_verifies (g_ptr_array_index (first, 1), fixture->public_key);
  forged = allset_receipt_copy (g_ptr_array_index (first, 1));
  forged->signature[5] = forged->signature[5] == 'A' ? 'B' : 'A';
  assert_verify_fails (forged, fixture->public_key);
}

/* The compact form: proofs rebuilt from the leaves, in any order, are the
 * signer's own; a tampered field, a missing or doubled leaf, a foreign
 * receipt leave every proof unset (and verification then fails). */
static GPtrArray *
stripped_copy (GPtrArray *batch,
               gboolean   reversed)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_receipt_free);

  for (guint i = 0; i < batch->len; i++)
    {
      AllsetReceipt *receipt = allset_receipt_copy (g_ptr_array_index (batch, reversed ? batch->len - 1 - i : i));

      g_clear_pointer (&receipt->batch_proof, g_strfreev);
      g_ptr_array_add (copy, receipt);
    }
  return copy;
}

static void
assert_no_proofs (GPtrArray *receipts)
{
  for (guint i = 0; i < receipts->len; i++)
    g_assert_null (((AllsetReceipt *) g_ptr_array_index (receipts, i))->batch_proof);
}

static void
test_batch_complete (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const guint sizes[] = { 1, 2, 3, 7, 8, 33 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(GPtrArray) batch = signed_batch (fixture, sizes[s], "complete");
      g_autoptr(GPtrArray) rebuilt = stripped_copy (batch, TRUE);
      g_autoptr(GError) error = NULL;

      g_assert_true (allset_receipt_batch_complete ((AllsetReceipt **) rebuilt->pdata, rebuilt->len, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < rebuilt->len; i++)
        {
          const AllsetReceipt *mine = g_ptr_array_index (rebuilt, i);
          const AllsetReceipt *signer = g_ptr_array_index (batch, batch->len - 1 - i);

          g_assert_cmpstrv (mine->batch_proof, signer->batch_proof);
          assert_verifies (mine, fixture->public_key);
        }
    }

  {
    g_autoptr(GPtrArray) batch = signed_batch (fixture, 5, "tampered");
    g_autoptr(GPtrArray) other = signed_batch (fixture, 5, "other");
    const char *fields[] = { "path", "revision", "file_id", "size", "time", "account" };

    for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
      {
        g_autoptr(GPtrArray) copy = stripped_copy (batch, FALSE);
        g_autoptr(GError) error = NULL;
        AllsetReceipt *victim = g_ptr_array_index (copy, 3);

        if (g_str_equal (fields[f], "path"))
          victim->path[0] = 'T';
        else if (g_str_equal (fields[f], "revision"))
          victim->revision++;
        else if (g_str_equal (fields[f], "file_id"))
          victim->file_id[0] = victim->file_id[0] == 'a' ? 'b' : 'a';
        else if (g_str_equal (fields[f], "size"))
          victim->size++;
        else if (g_str_equal (fields[f], "time"))
          victim->time[3] = victim->time[3] == '6' ? '7' : '6';
        else
          victim->account[0] = 'A';
        g_test_message ("tampered %s", fields[f]);
        g_assert_false (allset_receipt_batch_complete ((AllsetReceipt **) copy->pdata, copy->len, &error));
        g_assert_nonnull (error);
        assert_no_proofs (copy);
        assert_verify_fails (victim, fixture->public_key);
      }

    /* A leaf missing, a leaf twice, a receipt of another batch. */
    {
      g_autoptr(GPtrArray) copy = stripped_copy (batch, FALSE);
      g_autoptr(GError) error = NULL;

      g_assert_false (allset_receipt_batch_complete ((AllsetReceipt **) copy->pdata, copy->len - 1, &error));
      assert_no_proofs (copy);
    }
    {
      g_autoptr(GPtrArray) copy = stripped_copy (batch, FALSE);
      g_autoptr(GError) error = NULL;

      ((AllsetReceipt *) g_ptr_array_index (copy, 4))->batch_index = 0;
      g_assert_false (allset_receipt_batch_complete ((AllsetReceipt **) copy->pdata, copy->len, &error));
      assert_no_proofs (copy);
    }
    {
      g_autoptr(GPtrArray) copy = stripped_copy (batch, FALSE);
      g_autoptr(GPtrArray) foreign = stripped_copy (other, FALSE);
      g_autoptr(GError) error = NULL;

      allset_receipt_free (g_ptr_array_index (copy, 2));
      g_ptr_array_index (copy, 2) = g_ptr_array_steal_index (foreign, 2);
      g_assert_false (allset_receipt_batch_complete ((AllsetReceipt **) copy->pdata, copy->len, &error));
      assert_no_proofs (copy);
    }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define add_fixture_test(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  add_fixture_test ("/receipt-batch/sign-verify", test_batch_sign_verify);
  add_fixture_test ("/receipt-batch/tampered", test_batch_tampered);
  add_fixture_test ("/receipt-batch/v1-still-verifies", test_v1_still_verifies);
  add_fixture_test ("/receipt-batch/json", test_batch_json);
  add_fixture_test ("/receipt-batch/json-invalid", test_batch_json_invalid);
  add_fixture_test ("/receipt-batch/cache-threads", test_cache_threads);
  add_fixture_test ("/receipt-batch/cache-overflow", test_cache_overflow);
  add_fixture_test ("/receipt-batch/complete", test_batch_complete);

  return g_test_run ();
}
