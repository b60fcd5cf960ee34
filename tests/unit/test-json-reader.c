/* test-json-reader.c — spans read what json-glib's parser reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The commit route reads its body with spans, and every other body is
 * built into a tree from spans (allset_json_parse_object()) instead of
 * json-glib's parser. json-glib's parser stays the reference here: every
 * document is read both ways and must give the same tree, and member by
 * member the same values and the same errors, word for word.
 */

#include <string.h>

#include "allset-protocol.h"

static const char * const documents[] = {
  "{}",
  "{\"s\": \"plain\", \"i\": 42, \"b\": true, \"a\": [1, 2, 3], \"n\": null}",
  "{\"s\":\"caf\\u00e9 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\",\"i\":-9223372036854775808}",
  "{\"s\": \"\\ud83d\\ude00 smile\", \"i\": 9223372036854775807, \"b\": false}",
  "{ \"s\" : \"été\" , \"i\" : 0 , \"a\" : [ ] , \"b\" : null }",
  /* Wrong types, member by member. */
  "{\"s\": 1, \"i\": \"1\", \"b\": 0, \"a\": {}}",
  "{\"s\": [\"x\"], \"i\": 1.5, \"b\": \"true\", \"a\": \"[]\"}",
  "{\"s\": {\"nested\": [1, {\"s\": 2}]}, \"i\": 1e3, \"b\": [], \"a\": null}",
  "{\"i\": -0.0, \"a\": [[], [[]], {\"a\": []}]}",
  /* A repeated member counts by its last occurrence. */
  "{\"s\": \"first\", \"s\": \"last\", \"i\": 1, \"i\": 2}",
  /* An escaped member name is the name it spells. */
  "{\"\\u0073\": \"escaped name\", \"\\u0069\": 7}",
  /* Members that look alike but are not. */
  "{\"ss\": \"no\", \"s \": \"no\", \"S\": \"no\", \"is\": 1}",
  /* Skipped values of every kind, strings holding brackets and quotes. */
  "{\"x\": \"}]\\\"{[\", \"y\": [\"]\", {\"}\": \"{\"}], \"z\": -12.5e-3, \"s\": \"after\"}",
};

static const char * const members[] = { "s", "i", "b", "a", NULL };

static void
assert_same_error (const GError *expected,
                   const GError *got)
{
  if (expected == NULL)
    {
      g_assert_no_error ((GError *) got);
      return;
    }
  g_assert_nonnull (got);
  g_assert_cmpuint (got->domain, ==, expected->domain);
  g_assert_cmpint (got->code, ==, expected->code);
  g_assert_cmpstr (got->message, ==, expected->message);
}

static void
compare_member (JsonObject           *object,
                const AllsetJsonSpan *value,
                const char           *member,
                gboolean              optional)
{
  {
    g_autoptr(GError) e1 = NULL, e2 = NULL;
    const char *s1 = "unset";
    g_autofree char *s2 = g_strdup ("unset");
    gboolean ok1 = optional ? allset_json_get_string_opt (object, member, &s1, &e1)
                            : allset_json_get_string (object, member, &s1, &e1);
    gboolean ok2 = allset_json_span_get_string (value, member, optional, &s2, &e2);

    g_assert_cmpint (ok1, ==, ok2);
    assert_same_error (e1, e2);
    if (ok1)
      g_assert_cmpstr (s1, ==, s2);
  }
  {
    g_autoptr(GError) e1 = NULL, e2 = NULL;
    gint64 i1 = -7, i2 = -7;
    gboolean ok1 = optional ? allset_json_get_int_opt (object, member, &i1, &e1)
                            : allset_json_get_int (object, member, &i1, &e1);
    gboolean ok2 = allset_json_span_get_int (value, member, optional, &i2, &e2);

    g_assert_cmpint (ok1, ==, ok2);
    assert_same_error (e1, e2);
    g_assert_cmpint (i1, ==, i2);
  }
  if (optional)
    {
      g_autoptr(GError) e1 = NULL, e2 = NULL;
      gboolean b1 = 2, b2 = 2;
      gboolean ok1 = allset_json_get_bool_opt (object, member, &b1, &e1);
      gboolean ok2 = allset_json_span_get_bool (value, member, TRUE, &b2, &e2);

      g_assert_cmpint (ok1, ==, ok2);
      assert_same_error (e1, e2);
      g_assert_cmpint (b1, ==, b2);
    }
  {
    g_autoptr(GError) e1 = NULL, e2 = NULL;
    JsonArray *array = NULL;
    gboolean ok1 = allset_json_get_array (object, member, &array, &e1);
    gboolean ok2 = allset_json_span_get_array (value, member, &e2);

    g_assert_cmpint (ok1, ==, ok2);
    assert_same_error (e1, e2);
    if (ok1)
      {
        const char *cursor = NULL;
        AllsetJsonSpan element;
        guint n = 0;

        g_assert_cmpuint (allset_json_span_length (value), ==, json_array_get_length (array));
        while (allset_json_span_next (value, &cursor, &element))
          {
            g_autoptr(JsonNode) copy = NULL;
            g_autofree char *text = g_strndup (element.start, element.end - element.start);

            /* The element's own text reads back as the same value. */
            copy = json_from_string (text, NULL);
            g_assert_nonnull (copy);
            g_assert_true (json_node_equal (copy, json_array_get_element (array, n)));
            n++;
          }
        g_assert_cmpuint (n, ==, json_array_get_length (array));
      }
  }
}

/* json-glib's own parser, on a document allset_json_check() accepted. */
static JsonObject *
reference_parse (const char *text,
                 gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (allset_json_check (text, len, NULL));
  g_assert_true (json_parser_load_from_data (parser, text, len, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* allset_json_parse_object() builds the tree json-glib would. */
static void
assert_same_tree (JsonObject *reference,
                  const char *text,
                  gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) ours = allset_json_parse_object (text, len, &error);
  g_autoptr(JsonNode) a = json_node_init_object (json_node_alloc (), reference);
  g_autoptr(JsonNode) b = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (ours);
  b = json_node_init_object (json_node_alloc (), ours);
  g_assert_true (json_node_equal (a, b));
  g_assert_cmpuint (json_object_get_size (ours), ==, json_object_get_size (reference));
}

static void
test_same_as_json_glib (void)
{
  for (guint d = 0; d < G_N_ELEMENTS (documents); d++)
    {
      const char *text = documents[d];
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = reference_parse (text, strlen (text));
      AllsetJsonSpan root, values[G_N_ELEMENTS (members)];

      g_test_message ("%s", text);
      assert_same_tree (object, text, strlen (text));
      g_assert_true (allset_json_read_document (text, strlen (text), &root, &error));
      g_assert_no_error (error);
      allset_json_span_members (&root, members, values);
      for (guint m = 0; members[m] != NULL; m++)
        {
          compare_member (object, &values[m], members[m], FALSE);
          compare_member (object, &values[m], members[m], TRUE);
        }
    }
}

static void
test_refused_as_json_glib (void)
{
  static const char * const bad[] = {
    "", "[]", "\"s\"", "12", "null", "{", "{\"a\": }", "{\"a\": 1,}", "{} {}",
    "{\"a\": \"\\u0000\"}", "{\"a\": 01}", "{\"a\": 99999999999999999999}",
    "{\"a\": 'x'}", "{\"a\": \"\\x\"}", "{\"a\": \"raw\ttab\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e1 = NULL, e2 = NULL;
      g_autoptr(JsonObject) object = allset_json_parse_object (bad[i], strlen (bad[i]), &e1);
      AllsetJsonSpan root = { "x", "y" };

      g_test_message ("%s", bad[i]);
      g_assert_null (object);
      g_assert_false (allset_json_read_document (bad[i], strlen (bad[i]), &root, &e2));
      assert_same_error (e1, e2);
      g_assert_null (root.start);
    }
}

static void
test_lone_surrogate (void)
{
  static const char * const texts[] = {
    "{\"s\": \"\\ud800\"}", "{\"s\": \"\\udc00x\"}", "{\"s\": \"\\ud800\\u0041\"}", "{\"s\": \"a\\ud83d\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      AllsetJsonSpan root, values[2];
      static const char * const names[] = { "s", NULL };

      g_assert_true (allset_json_read_document (texts[i], strlen (texts[i]), &root, NULL));
      allset_json_span_members (&root, names, values);
      g_assert_false (allset_json_span_get_string (&values[0], "s", FALSE, &out, &error));
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
      g_assert_null (out);
    }
}

/* The span of a body that is not NUL-terminated ends where the body ends. */
static void
test_unterminated_buffer (void)
{
  const char text[] = "{\"s\": \"v\", \"a\": [1, 22, 333]}";
  g_autofree char *copy = g_memdup2 (text, sizeof text - 1);
  AllsetJsonSpan root, values[G_N_ELEMENTS (members)];
  g_autofree char *s = NULL;

  g_assert_true (allset_json_read_document (copy, sizeof text - 1, &root, NULL));
  g_assert_true (root.end == copy + sizeof text - 1);
  allset_json_span_members (&root, members, values);
  g_assert_true (allset_json_span_get_string (&values[0], "s", FALSE, &s, NULL));
  g_assert_cmpstr (s, ==, "v");
  g_assert_cmpuint (allset_json_span_length (&values[3]), ==, 3);
}

/* ---- random documents --------------------------------------------------- */

static void random_value (GRand *rand, GString *out, guint depth);

static void
random_string (GRand   *rand,
               GString *out)
{
  static const char * const pieces[] = {
    "a", "s", "i", "é", "日本", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9",
    "\\u0041", "\\ud83d\\ude00", "]", "}", ",", ":", "[", "{",
  };
  guint n = g_rand_int_range (rand, 0, 5);

  g_string_append_c (out, '"');
  for (guint i = 0; i < n; i++)
    g_string_append (out, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
  g_string_append_c (out, '"');
}

static void
random_container (GRand    *rand,
                  GString  *out,
                  guint     depth,
                  gboolean  object)
{
  guint n = g_rand_int_range (rand, 0, 5);

  g_string_append_c (out, object ? '{' : '[');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (out, g_rand_boolean (rand) ? "," : " ,\n ");
      if (object)
        {
          /* Mostly the names compare_member() reads, escaped now and then. */
          if (g_rand_int_range (rand, 0, 8) == 0)
            g_string_append (out, "\"\\u0073\"");
          else if (g_rand_int_range (rand, 0, 3) == 0)
            random_string (rand, out);
          else
            g_string_append_printf (out, "\"%s\"", members[g_rand_int_range (rand, 0, 4)]);
          g_string_append (out, g_rand_boolean (rand) ? ":" : " : ");
        }
      random_value (rand, out, depth + 1);
    }
  g_string_append_c (out, object ? '}' : ']');
}

static void
random_value (GRand   *rand,
              GString *out,
              guint    depth)
{
  static const char * const numbers[] = {
    "0", "-1", "42", "9223372036854775807", "-9223372036854775808", "1.5", "-0.25e3", "1E2", "7e-1",
  };

  switch (g_rand_int_range (rand, 0, depth < 3 ? 8 : 6))
    {
    case 0: random_string (rand, out); break;
    case 1: g_string_append (out, numbers[g_rand_int_range (rand, 0, G_N_ELEMENTS (numbers))]); break;
    case 2: g_string_append (out, g_rand_boolean (rand) ? "true" : "false"); break;
    case 3: g_string_append (out, "null"); break;
    case 4: random_string (rand, out); break;
    case 5: g_string_append_printf (out, "%d", g_rand_int_range (rand, -1000, 1000)); break;
    case 6: random_container (rand, out, depth, TRUE); break;
    default: random_container (rand, out, depth, FALSE); break;
    }
}

/* A thousand seeded random documents, read both ways. */
static void
test_random_documents (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261127);

  for (guint d = 0; d < 1000; d++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = NULL;
      AllsetJsonSpan root, values[G_N_ELEMENTS (members)];

      random_container (rand, text, 0, TRUE);
      object = reference_parse (text->str, text->len);
      /* Not NUL-terminated: the reader must stop at the document's end. */
      {
        g_autofree char *copy = g_memdup2 (text->str, text->len);

        assert_same_tree (object, copy, text->len);
        g_assert_true (allset_json_read_document (copy, text->len, &root, &error));
        g_assert_no_error (error);
        allset_json_span_members (&root, members, values);
        for (guint m = 0; members[m] != NULL; m++)
          {
            compare_member (object, &values[m], members[m], FALSE);
            compare_member (object, &values[m], members[m], TRUE);
          }
      }
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-reader/same-as-json-glib", test_same_as_json_glib);
  g_test_add_func ("/json-reader/refused-as-json-glib", test_refused_as_json_glib);
  g_test_add_func ("/json-reader/lone-surrogate", test_lone_surrogate);
  g_test_add_func ("/json-reader/unterminated-buffer", test_unterminated_buffer);
  g_test_add_func ("/json-reader/random-documents", test_random_documents);

  return g_test_run ();
}
