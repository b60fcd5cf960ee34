/* test-json.c — strict JSON parsing and typed getters
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-protocol.h"

static JsonObject *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = allset_json_parse_object (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (object);

  return object;
}

static void
assert_rejected (const char *data,
                 gsize       len,
                 const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = allset_json_parse_object (data, len, &error);

  g_assert_null (object);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
  if (strstr (error->message, message_part) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, message_part);
}

static void
test_parse_object (void)
{
  g_autoptr(JsonObject) object = parse ("{\"a\": 1, \"b\": [true, null], \"c\": {\"d\": \"é\"}}");

  g_assert_true (json_object_has_member (object, "a"));
  g_assert_cmpint (json_object_get_int_member (object, "a"), ==, 1);
}

static void
test_parse_not_nul_terminated (void)
{
  const char text[] = "{\"a\": 1}garbage";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = allset_json_parse_object (text, 8, &error);

  g_assert_no_error (error);
  g_assert_nonnull (object);
}

static void
test_parse_rejects (void)
{
  static const struct {
    const char *text;
    const char *message_part;
  } bad[] = {
    { "", "not valid JSON: unexpected end at byte 0" },
    { "   ", "not valid JSON: unexpected end at byte 3" },
    { "[1, 2]", "not an object" },
    { "\"text\"", "not an object" },
    { "42", "not an object" },
    { "null", "not an object" },
    { "{", "not valid JSON: unexpected end at byte 1" },
    { "{\"a\": 1,}", "not valid JSON: expected a member name at byte 8" },
    { "{\"a\": [1,]}", "not valid JSON: unexpected character at byte 9" },
    { "{\"a\": 1 \"b\": 2}", "not valid JSON: expected “,” or a closing bracket at byte 8" },
    { "{\"a\" 1}", "not valid JSON: expected “:” at byte 5" },
    { "{\"a\": [1}", "not valid JSON: expected “,” or a closing bracket at byte 8" },
    { "{\"a\": 1}}", "not valid JSON: more data after the document at byte 8" },
    { "{\"a\": 1} {\"b\": 2}", "not valid JSON: more data after the document at byte 9" },
    { "{'a': 1}", "not valid JSON: expected a member name at byte 1" },
    { "{a: 1}", "not valid JSON: expected a member name at byte 1" },
    { "{\"a\": /* c */ 1}", "not valid JSON: unexpected character at byte 6" },
    { "{\"a\": 1} // c", "not valid JSON: more data after the document at byte 9" },
    { "{\"a\": 0x10}", "not valid JSON: expected “,” or a closing bracket at byte 7" },
    { "{\"a\": 01}", "not valid JSON: expected “,” or a closing bracket at byte 7" },
    { "{\"a\": +1}", "not valid JSON: unexpected character at byte 6" },
    { "{\"a\": .5}", "not valid JSON: unexpected character at byte 6" },
    { "{\"a\": 1.}", "not valid JSON: bad number at byte 8" },
    { "{\"a\": 1e}", "not valid JSON: bad number at byte 8" },
    { "{\"a\": -}", "not valid JSON: bad number at byte 7" },
    { "{\"a\": NaN}", "not valid JSON: unexpected character at byte 6" },
    { "{\"a\": TRUE}", "not valid JSON: unexpected character at byte 6" },
    { "{\"a\": tru}", "not valid JSON: unexpected character at byte 6" },
    { "{\"a\": \"tab\there\"}", "not valid JSON: control character in a string at byte 10" },
    { "{\"a\": \"\\x41\"}", "not valid JSON: unknown escape in a string at byte 8" },
    { "{\"a\": \"\\'\"}", "not valid JSON: unknown escape in a string at byte 8" },
    { "{\"a\": \"\\u00g0\"}", "not valid JSON: bad \\u escape at byte 8" },
    { "{\"a\": \"open}", "not valid JSON: unterminated string at byte 12" },
    { "{\"a\": \"\\ud800\"}", "not valid JSON:" },
    { "{\"a\xff\": 1}", "not valid UTF-8" },
    { "{\"a\": \"\xc3\"}", "not valid UTF-8" },
    { "{\"a\": \"x\\u0000y\"}", "NUL character (\\u0000) in a string at byte 9" },
    { "{\"a\": 9223372036854775808}", "integer out of range at byte 6" },
    { "{\"a\": -9223372036854775809}", "integer out of range at byte 6" },
    { "{\"a\": [99999999999999999999999]}", "integer out of range at byte 7" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_rejected (bad[i].text, strlen (bad[i].text), bad[i].message_part);

  /* An embedded NUL byte is not the end of the body. */
  assert_rejected ("{\"a\": 1}\0{", 10, "not valid UTF-8");
}

static void
test_parse_edges (void)
{
  g_autoptr(JsonObject) big = parse ("{\"max\": 9223372036854775807, \"min\": -9223372036854775808}");
  g_autoptr(JsonObject) escaped = parse ("{\"a\": \"\\\\u0000 is text, \\\" [[[ {{{ \\u00e9\\/\\b\\f\\n\\r\\t\"}");
  g_autoptr(JsonObject) numbers = parse (" {\"a\":[0,-0,0.5,-1.5e10,1E+2,2e-3,true,false,null,{},[]]}\r\n\t");
  g_autoptr(JsonObject) empty = parse ("{}");

  g_assert_cmpint (json_object_get_int_member (big, "max"), ==, G_MAXINT64);
  g_assert_cmpint (json_object_get_int_member (big, "min"), ==, G_MININT64);
  g_assert_cmpstr (json_object_get_string_member (escaped, "a"), ==, "\\u0000 is text, \" [[[ {{{ é/\b\f\n\r\t");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (numbers, "a")), ==, 11);
  g_assert_cmpuint (json_object_get_size (empty), ==, 0);
}

static GString *
nested (guint levels,
        guint closed)
{
  GString *str = g_string_new ("{\"a\": ");

  /* The object itself is the first level. */
  for (guint i = 1; i < levels; i++)
    g_string_append_c (str, '[');
  for (guint i = 1; i < closed; i++)
    g_string_append_c (str, ']');
  if (closed > 0)
    g_string_append_c (str, '}');

  return str;
}

static void
test_parse_depth (void)
{
  g_autoptr(GString) limit = nested (64, 64);
  g_autoptr(GString) over = nested (65, 65);
  g_autoptr(GString) deep = nested (1000000, 0);
  g_autoptr(JsonObject) object = parse (limit->str);

  g_assert_true (json_object_has_member (object, "a"));
  assert_rejected (over->str, over->len, "nests more than 64 levels");
  /* A million levels would overflow json-glib's recursive parser. */
  assert_rejected (deep->str, deep->len, "nests more than 64 levels");
}

static void
test_parse_size_limit (void)
{
  gsize len = ALLSET_JSON_MAX_BYTES + 1;
  g_autofree char *data = g_malloc (len);

  /* Refused on the length alone, before looking at the bytes. */
  memset (data, ' ', len);
  assert_rejected (data, len, "larger than");
}

static void
test_getters (void)
{
  g_autoptr(JsonObject) object = parse ("{\"s\": \"text\", \"i\": -7, \"d\": 1.0, \"e\": 1e3,"
                                        " \"si\": \"5\", \"b\": true, \"n\": null,"
                                        " \"a\": [1], \"o\": {}}");
  g_autoptr(GError) error = NULL;
  const char *s = "untouched";
  gint64 i = 42;
  gboolean b = FALSE;
  JsonArray *a = NULL;

  g_assert_true (allset_json_get_string (object, "s", &s, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "text");

  g_assert_true (allset_json_get_int (object, "i", &i, &error));
  g_assert_no_error (error);
  g_assert_cmpint (i, ==, -7);

  g_assert_true (allset_json_get_bool_opt (object, "b", &b, &error));
  g_assert_no_error (error);
  g_assert_true (b);

  g_assert_true (allset_json_get_array (object, "a", &a, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
}

static void
test_getters_optional (void)
{
  g_autoptr(JsonObject) object = parse ("{\"n\": null}");
  g_autoptr(GError) error = NULL;
  const char *s = "untouched";
  gint64 i = 42;
  gboolean b = TRUE;
  JsonArray *a = NULL;

  /* Absent and null leave the output alone. */
  for (guint k = 0; k < 2; k++)
    {
      const char *member = k == 0 ? "missing" : "n";

      g_assert_true (allset_json_get_string_opt (object, member, &s, &error));
      g_assert_true (allset_json_get_int_opt (object, member, &i, &error));
      g_assert_true (allset_json_get_bool_opt (object, member, &b, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (s, ==, "untouched");
      g_assert_cmpint (i, ==, 42);
      g_assert_true (b);

      /* The required getters do not accept either. */
      g_assert_false (allset_json_get_string (object, member, &s, &error));
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
      g_clear_error (&error);
      g_assert_false (allset_json_get_int (object, member, &i, &error));
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
      g_clear_error (&error);
      g_assert_false (allset_json_get_array (object, member, &a, &error));
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
      g_clear_error (&error);
    }

  g_assert_false (allset_json_get_string (object, "missing", &s, &error));
  g_assert_cmpstr (error->message, ==, "Member “missing” is missing");
}

static void
test_getters_wrong_type (void)
{
  static const struct {
    const char *member;
    const char *as;
    const char *message;
  } wrong[] = {
    { "d", "int", "Member “d” must be an integer" },
    { "e", "int", "Member “e” must be an integer" },
    { "si", "int", "Member “si” must be an integer" },
    { "b", "int", "Member “b” must be an integer" },
    { "a", "int", "Member “a” must be an integer" },
    { "i", "string", "Member “i” must be a string" },
    { "o", "string", "Member “o” must be a string" },
    { "i", "bool", "Member “i” must be true or false" },
    { "s", "bool", "Member “s” must be true or false" },
    { "o", "array", "Member “o” must be an array" },
    { "s", "array", "Member “s” must be an array" },
  };
  g_autoptr(JsonObject) object = parse ("{\"s\": \"text\", \"i\": 3, \"d\": 1.0, \"e\": 1e3,"
                                        " \"si\": \"5\", \"b\": true, \"a\": [], \"o\": {}}");

  for (guint k = 0; k < G_N_ELEMENTS (wrong); k++)
    {
      g_autoptr(GError) error = NULL;
      const char *s = NULL;
      gint64 i = 0;
      gboolean b = FALSE;
      JsonArray *a = NULL;
      gboolean ok;

      if (g_str_equal (wrong[k].as, "int"))
        ok = allset_json_get_int (object, wrong[k].member, &i, &error);
      else if (g_str_equal (wrong[k].as, "string"))
        ok = allset_json_get_string (object, wrong[k].member, &s, &error);
      else if (g_str_equal (wrong[k].as, "bool"))
        ok = allset_json_get_bool_opt (object, wrong[k].member, &b, &error);
      else
        ok = allset_json_get_array (object, wrong[k].member, &a, &error);

      g_assert_false (ok);
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
      g_assert_cmpstr (error->message, ==, wrong[k].message);
    }

  /* The _opt variants are just as strict about present values. */
  {
    g_autoptr(GError) error = NULL;
    gint64 i = 0;
    const char *s = NULL;

    g_assert_false (allset_json_get_int_opt (object, "d", &i, &error));
    g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
    g_clear_error (&error);
    g_assert_false (allset_json_get_string_opt (object, "i", &s, &error));
    g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
  }
}

static void
test_error_new (void)
{
  g_autoptr(JsonNode) node = allset_json_error_new ("quota_exceeded", "Quota of 10.0 GB exceeded");
  g_autofree char *text = allset_json_to_string (node);

  g_assert_cmpstr (text, ==, "{\"error\":{\"code\":\"quota_exceeded\",\"message\":\"Quota of 10.0 GB exceeded\"}}");
}

static void
test_to_string_escapes (void)
{
  g_autoptr(JsonNode) node = allset_json_error_new ("bad_request", "“a\"b\\c”\n");
  g_autofree char *text = allset_json_to_string (node);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) back = allset_json_parse_object (text, strlen (text), &error);
  JsonObject *inner;

  g_assert_no_error (error);
  inner = json_object_get_object_member (back, "error");
  g_assert_cmpstr (json_object_get_string_member (inner, "message"), ==, "“a\"b\\c”\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/parse-object", test_parse_object);
  g_test_add_func ("/json/parse-not-nul-terminated", test_parse_not_nul_terminated);
  g_test_add_func ("/json/parse-rejects", test_parse_rejects);
  g_test_add_func ("/json/parse-edges", test_parse_edges);
  g_test_add_func ("/json/parse-depth", test_parse_depth);
  g_test_add_func ("/json/parse-size-limit", test_parse_size_limit);
  g_test_add_func ("/json/getters", test_getters);
  g_test_add_func ("/json/getters-optional", test_getters_optional);
  g_test_add_func ("/json/getters-wrong-type", test_getters_wrong_type);
  g_test_add_func ("/json/error-new", test_error_new);
  g_test_add_func ("/json/to-string-escapes", test_to_string_escapes);

  return g_test_run ();
}
