/* test-hash.c — SHA-256, hex ids and file ids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-protocol.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void
assert_hash_hex (const AllsetHash *hash,
                 const char       *expected)
{
  g_autofree char *hex = allset_hash_to_hex (hash);

  g_assert_cmpstr (hex, ==, expected);
}

static void
test_vectors (void)
{
  static const struct {
    const char *input;
    const char *digest;
  } vectors[] = {
    { "", SHA256_EMPTY },
    { "abc", SHA256_ABC },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      AllsetHash hash;

      allset_sha256 (vectors[i].input, strlen (vectors[i].input), &hash);
      assert_hash_hex (&hash, vectors[i].digest);
    }
}

static void
test_empty_null (void)
{
  AllsetHash hash;

  allset_sha256 (NULL, 0, &hash);
  assert_hash_hex (&hash, SHA256_EMPTY);
}

static void
test_million_a (void)
{
  g_autoptr(AllsetHasher) hasher = allset_hasher_new ();
  char block[1000];
  AllsetHash hash;

  memset (block, 'a', sizeof block);
  for (guint i = 0; i < 1000; i++)
    allset_hasher_update (hasher, block, sizeof block);
  allset_hasher_finish (hasher, &hash);

  assert_hash_hex (&hash, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void
test_hasher_resets (void)
{
  g_autoptr(AllsetHasher) hasher = allset_hasher_new ();
  AllsetHash first, second;

  allset_hasher_update (hasher, "a", 1);
  allset_hasher_update (hasher, "bc", 2);
  allset_hasher_finish (hasher, &first);
  assert_hash_hex (&first, SHA256_ABC);

  /* finish() resets: the same input gives the same digest again. */
  allset_hasher_update (hasher, "abc", 3);
  allset_hasher_finish (hasher, &second);
  g_assert_true (allset_hash_equal (&first, &second));

  allset_hasher_finish (hasher, &second);
  assert_hash_hex (&second, SHA256_EMPTY);
}

static void
test_hex_round_trip (void)
{
  AllsetHash hash, parsed;
  char buf[ALLSET_HASH_HEX_LEN + 1];

  allset_sha256 ("abc", 3, &hash);
  allset_hash_to_hex_buf (&hash, buf);
  g_assert_cmpstr (buf, ==, SHA256_ABC);

  g_assert_true (allset_hash_from_hex (buf, &parsed));
  g_assert_true (allset_hash_equal (&hash, &parsed));
}

static void
test_hex_rejects (void)
{
  static const char * const bad[] = {
    "",
    "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015aD",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015 d",
    "zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015",
  };
  AllsetHash untouched, parsed;

  allset_sha256 ("abc", 3, &untouched);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      parsed = untouched;
      g_assert_false (allset_hash_from_hex (bad[i], &parsed));
      /* A failed parse leaves the output alone. */
      g_assert_true (allset_hash_equal (&parsed, &untouched));
    }

  g_assert_false (allset_hash_from_hex (NULL, &parsed));
}

static void
test_equal (void)
{
  AllsetHash a, b;

  allset_sha256 ("abc", 3, &a);
  allset_sha256 ("abd", 3, &b);
  g_assert_false (allset_hash_equal (&a, &b));
  b = a;
  g_assert_true (allset_hash_equal (&a, &b));
}

static void
test_file_id (void)
{
  AllsetHash chunks[2];
  AllsetHash id;

  /* The empty file has no chunks. */
  allset_file_id (NULL, 0, &id);
  assert_hash_hex (&id, SHA256_EMPTY);

  /* Binary ids are hashed, not their hex spelling. */
  allset_sha256 ("abc", 3, &chunks[0]);
  allset_file_id (chunks, 1, &id);
  assert_hash_hex (&id, "4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358");

  allset_sha256 ("", 0, &chunks[1]);
  allset_file_id (chunks, 2, &id);
  assert_hash_hex (&id, "6f1290896ee81a0349174d19f4473d267a10289c40480861d5c42affffbd79f9");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hash/vectors", test_vectors);
  g_test_add_func ("/hash/empty-null", test_empty_null);
  g_test_add_func ("/hash/million-a", test_million_a);
  g_test_add_func ("/hash/hasher-resets", test_hasher_resets);
  g_test_add_func ("/hash/hex-round-trip", test_hex_round_trip);
  g_test_add_func ("/hash/hex-rejects", test_hex_rejects);
  g_test_add_func ("/hash/equal", test_equal);
  g_test_add_func ("/hash/file-id", test_file_id);

  return g_test_run ();
}
