/* allset-json.c — strict JSON helpers shared by client and server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-error.h"
#include "allset-json.h"
#include "allset-version.h"

/* json-glib parses recursively: about 100 000 nested brackets overflow the
 * stack, and a 16 MiB body can hold millions. Protocol documents nest a few
 * levels, so anything deeper is refused before json-glib sees it. */
#define MAX_DEPTH 64

static gboolean
is_number_char (char c)
{
  return g_ascii_isdigit (c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* TRUE unless text is an integer literal (-?[0-9]+) outside gint64. */
static gboolean
integer_in_range (const char *text,
                  gsize       len)
{
  char buf[sizeof "-9223372036854775808"];
  gsize sign = text[0] == '-' ? 1 : 0;

  /* Malformed numbers are left for json-glib to report. */
  if (len == sign)
    return TRUE;

  for (gsize i = sign; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return TRUE;
    }

  if (len >= sizeof buf)
    return FALSE;

  memcpy (buf, text, len);
  buf[len] = '\0';

  return g_ascii_string_to_signed (buf, 10, G_MININT64, G_MAXINT64, NULL, NULL);
}

/* Refuses what json-glib would accept but get wrong: deep nesting (see
 * above), a \u0000 escape (the C string would silently end there, so
 * "a\u0000.txt" would become "a") and integers that do not fit in gint64
 * (json-glib keeps some other value without a word). */
static gboolean
check_tokens (const char  *data,
              gsize        len,
              GError     **error)
{
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (c == '"')
        {
          for (i++; i < len && data[i] != '"'; i++)
            {
              if (data[i] != '\\')
                continue;

              i++;
              if (i + 4 < len && data[i] == 'u' && memcmp (data + i + 1, "0000", 4) == 0)
                {
                  g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                                       "The JSON body contains a NUL character (\\u0000)");
                  return FALSE;
                }
            }
        }
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_DEPTH)
            {
              g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                           "The JSON body nests more than %d levels deep", MAX_DEPTH);
              return FALSE;
            }
        }
      else if (c == ']' || c == '}')
        {
          if (depth > 0)
            depth--;
        }
      else if (c == '-' || g_ascii_isdigit (c))
        {
          gsize start = i;

          while (i + 1 < len && is_number_char (data[i + 1]))
            i++;

          if (!integer_in_range (data + start, i + 1 - start))
            {
              g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                           "The JSON body has an integer out of range (%.*s)",
                           (int) MIN (i + 1 - start, 40), data + start);
              return FALSE;
            }
        }
    }

  return TRUE;
}

JsonObject *
allset_json_parse_object (const char  *data,
                          gsize        len,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > ALLSET_JSON_MAX_BYTES)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                   "The JSON body is larger than %d bytes", ALLSET_JSON_MAX_BYTES);
      return NULL;
    }

  /* With an explicit length this also refuses embedded NUL bytes, which
   * json-glib would otherwise take as the end of the text. */
  if (!g_utf8_validate (data, len, NULL))
    {
      g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                           "The JSON body is not valid UTF-8");
      return NULL;
    }

  if (!check_tokens (data, len, error))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, len > 0 ? data : "", len, &local_error))
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                   "The body is not valid JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                           "The JSON body is not an object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static gboolean
member_error (GError     **error,
              const char  *member,
              const char  *problem)
{
  g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
               "Member “%s” %s", member, problem);
  return FALSE;
}

/* Looks member up; *node is NULL when it is absent or null, which is an
 * error unless optional. */
static gboolean
lookup_member (JsonObject  *object,
               const char  *member,
               gboolean     optional,
               JsonNode   **node,
               GError     **error)
{
  JsonNode *found;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (member != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  found = json_object_get_member (object, member);
  if (found != NULL && JSON_NODE_HOLDS_NULL (found))
    found = NULL;

  if (found == NULL && !optional)
    return member_error (error, member, "is missing");

  *node = found;

  return TRUE;
}

static gboolean
holds_value_of_type (JsonNode *node,
                     GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
get_string (JsonObject  *object,
            const char  *member,
            gboolean     optional,
            const char **out,
            GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!lookup_member (object, member, optional, &node, error))
    return FALSE;

  if (node == NULL)
    return TRUE;

  if (!holds_value_of_type (node, G_TYPE_STRING))
    return member_error (error, member, "must be a string");

  *out = json_node_get_string (node);

  return TRUE;
}

gboolean
allset_json_get_string (JsonObject  *object,
                        const char  *member,
                        const char **out,
                        GError     **error)
{
  return get_string (object, member, FALSE, out, error);
}

gboolean
allset_json_get_string_opt (JsonObject  *object,
                            const char  *member,
                            const char **out,
                            GError     **error)
{
  return get_string (object, member, TRUE, out, error);
}

/* json-glib keeps 1.0 and 1e3 as doubles and integers as gint64: only the
 * latter are accepted, so "size": 1.5 is an error rather than 1. */
static gboolean
get_int (JsonObject  *object,
         const char  *member,
         gboolean     optional,
         gint64      *out,
         GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!lookup_member (object, member, optional, &node, error))
    return FALSE;

  if (node == NULL)
    return TRUE;

  if (!holds_value_of_type (node, G_TYPE_INT64))
    return member_error (error, member, "must be an integer");

  *out = json_node_get_int (node);

  return TRUE;
}

gboolean
allset_json_get_int (JsonObject  *object,
                     const char  *member,
                     gint64      *out,
                     GError     **error)
{
  return get_int (object, member, FALSE, out, error);
}

gboolean
allset_json_get_int_opt (JsonObject  *object,
                         const char  *member,
                         gint64      *out,
                         GError     **error)
{
  return get_int (object, member, TRUE, out, error);
}

gboolean
allset_json_get_bool_opt (JsonObject  *object,
                          const char  *member,
                          gboolean    *out,
                          GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!lookup_member (object, member, TRUE, &node, error))
    return FALSE;

  if (node == NULL)
    return TRUE;

  if (!holds_value_of_type (node, G_TYPE_BOOLEAN))
    return member_error (error, member, "must be true or false");

  *out = json_node_get_boolean (node);

  return TRUE;
}

gboolean
allset_json_get_array (JsonObject  *object,
                       const char  *member,
                       JsonArray  **out,
                       GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!lookup_member (object, member, FALSE, &node, error))
    return FALSE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return member_error (error, member, "must be an array");

  *out = json_node_get_array (node);

  return TRUE;
}

char *
allset_json_to_string (JsonNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return json_to_string (node, FALSE);
}

JsonNode *
allset_json_error_new (const char *code,
                       const char *message)
{
  g_autoptr(JsonObject) error = NULL;
  g_autoptr(JsonObject) root = NULL;
  JsonNode *node;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  error = json_object_new ();
  root = json_object_new ();
  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (root, "error", g_steal_pointer (&error));

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, root);

  return node;
}
