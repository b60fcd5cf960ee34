/* fuzz-json.c — seeded mutations of JSON documents, for the fuzz tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-json.h"

static const char *const weird_strings[] = {
  "", " ", "..", "../x", "/abs", "a/../b", "a/", "//", "a\\b", "a:b", "CON", "nul", "a\nb",
  "\xcc\x81", "\xe2\x80\xae", "Docs", "Docs/a.txt", "Docs/c.txt", "0", "-1", "1e3",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg",
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
};

/* Inserted into JSON text: tokens that break it, or strain its reader. */
static const char *const text_splices[] = {
  "{", "[", "\"", "\\u0000", "\\ud800", "1e999999", "-", ",,,,,", "\xff", "\xc3", "]]]]", "nul",
};

JsonNode *
fuzz_json_weird_value (GRand *rng)
{
  JsonNode *node = json_node_alloc ();
  guint pick = g_rand_int_range (rng, 0, 16);

  switch (pick)
    {
    case 0: return json_node_init_null (node);
    case 1: return json_node_init_boolean (node, g_rand_boolean (rng));
    case 2: return json_node_init_int (node, G_MAXINT64);
    case 3: return json_node_init_int (node, G_MININT64);
    case 4: return json_node_init_int (node, g_rand_int_range (rng, -2, 3));
    case 5: return json_node_init_double (node, 1e308);
    case 6: return json_node_init_double (node, -0.0);
    case 7: return json_node_init_double (node, 1.5);
    case 8: return json_node_init_object (node, json_object_new ());
    case 9: return json_node_init_array (node, json_array_new ());
    case 10:
      {
        g_autofree char *s = g_strnfill (g_rand_int_range (rng, 250, 5000), 'a');

        return json_node_init_string (node, s);
      }
    case 11:
      {
        GString *s = g_string_new (NULL);

        /* "é" 200 times: 400 bytes, 200 characters. */
        for (guint i = 0; i < 200; i++)
          g_string_append (s, "\xc3\xa9");
        json_node_init_string (node, s->str);
        g_string_free (s, TRUE);
        return node;
      }
    default:
      return json_node_init_string (node, weird_strings[g_rand_int_range (rng, 0, G_N_ELEMENTS (weird_strings))]);
    }
}

static const char *const extra_members[] = {
  "op", "path", "to", "chunks", "size", "mtime", "base_revision", "operations", "ids", "paths",
  "revision", "trash_id", "expires_in_seconds", "max_downloads", "never", "receipts", "extra",
};

static JsonNode *
mutate (GRand    *rng,
        JsonNode *node,
        guint     depth)
{
  if (depth > 6 || g_rand_double (rng) < 0.15)
    {
      json_node_unref (node);
      return fuzz_json_weird_value (rng);
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);
      guint n = g_list_length (members);
      guint pick = g_rand_int_range (rng, 0, n + G_N_ELEMENTS (extra_members));
      const char *name = pick < n ? g_list_nth_data (members, pick) : extra_members[pick - n];
      g_autofree char *key = g_strdup (name);
      double what = g_rand_double (rng);

      if (what < 0.2 && json_object_has_member (object, key))
        json_object_remove_member (object, key);
      else if (what < 0.6 && json_object_has_member (object, key))
        json_object_set_member (object, key, mutate (rng, json_node_copy (json_object_get_member (object, key)),
                                                     depth + 1));
      else
        json_object_set_member (object, key, fuzz_json_weird_value (rng));
      return node;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);
      double what = g_rand_double (rng);

      if (what < 0.2 && n > 0)
        json_array_remove_element (array, g_rand_int_range (rng, 0, n));
      else if (what < 0.4 && n > 0)
        {
          /* Many times over: past every per-request limit, at times. */
          static const guint times[] = { 2, 100, 2500 };
          guint k = times[g_rand_int_range (rng, 0, G_N_ELEMENTS (times))];

          for (guint t = 1; t < k; t++)
            for (guint i = 0; i < n; i++)
              json_array_add_element (array, json_node_copy (json_array_get_element (array, i)));
        }
      else if (n > 0)
        {
          guint i = g_rand_int_range (rng, 0, n);
          JsonNode *changed = mutate (rng, json_node_copy (json_array_get_element (array, i)), depth + 1);
          JsonArray *rebuilt = json_array_sized_new (n);

          for (guint j = 0; j < n; j++)
            json_array_add_element (rebuilt, j == i ? changed : json_node_copy (json_array_get_element (array, j)));
          json_node_take_array (node, rebuilt);
        }
      else
        json_array_add_element (array, fuzz_json_weird_value (rng));
      return node;
    }

  json_node_unref (node);
  return fuzz_json_weird_value (rng);
}

GBytes *
fuzz_json_mutate_text (GRand      *rng,
                       const char *text)
{
  GByteArray *bytes = g_byte_array_new ();
  guint edits = g_rand_int_range (rng, 1, 5);

  g_byte_array_append (bytes, (const guint8 *) text, strlen (text));
  for (guint e = 0; e < edits && bytes->len > 0; e++)
    {
      guint at = g_rand_int_range (rng, 0, bytes->len);
      double what = g_rand_double (rng);

      if (what < 0.3)
        {
          guint cut = g_rand_int_range (rng, 1, 11);

          g_byte_array_remove_range (bytes, at, MIN (bytes->len - at, cut));
        }
      else if (what < 0.6)
        bytes->data[at] = g_rand_int_range (rng, 0, 256);
      else if (what < 0.85)
        {
          const char *splice = text_splices[g_rand_int_range (rng, 0, G_N_ELEMENTS (text_splices))];

          g_byte_array_set_size (bytes, bytes->len + strlen (splice));
          memmove (bytes->data + at + strlen (splice), bytes->data + at, bytes->len - at - strlen (splice));
          memcpy (bytes->data + at, splice, strlen (splice));
        }
      else
        g_byte_array_set_size (bytes, at);
    }
  return g_byte_array_free_to_bytes (bytes);
}

JsonNode *
fuzz_json_deep_copy (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  return json_from_string (text, NULL);
}

JsonNode *
fuzz_json_mutate (GRand    *rng,
                  JsonNode *node)
{
  return mutate (rng, node, 0);
}
