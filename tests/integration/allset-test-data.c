/* allset-test-data.c — random data, chunks, files, commits, receipts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-test-server-private.h"

/* ------------------------------------------------------------------ */
/* Data                                                               */

GBytes *
allset_test_random_bytes (gsize len)
{
  /* GTest reseeds its generator for every test case, which would give each
   * case the same bytes: one stream for the whole program instead, seeded
   * from the test seed so a run can still be replayed. */
  static GRand *rand;
  guint8 *data = g_malloc (MAX (len, 1));

  if (rand == NULL)
    rand = g_rand_new_with_seed (g_test_rand_int ());

  for (gsize i = 0; i < len; i += 4)
    {
      guint32 value = g_rand_int (rand);

      memcpy (data + i, &value, MIN (4, len - i));
    }

  return g_bytes_new_take (data, len);
}

char *
allset_test_chunk_id (GBytes *bytes)
{
  AllsetHash hash;
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  allset_sha256 (data, len, &hash);
  return allset_hash_to_hex (&hash);
}

char *
allset_test_file_id (const char *const *chunk_ids)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (AllsetHash));
  AllsetHash file_id;

  for (guint i = 0; chunk_ids != NULL && chunk_ids[i] != NULL; i++)
    {
      AllsetHash id;

      g_assert_true (allset_hash_from_hex (chunk_ids[i], &id));
      g_array_append_val (ids, id);
    }

  allset_file_id ((const AllsetHash *) ids->data, ids->len, &file_id);
  return allset_hash_to_hex (&file_id);
}

AllsetTestResponse *
allset_test_put_chunk (AllsetTestServer *self,
                       const char       *token,
                       GBytes           *data)
{
  g_autofree char *id = allset_test_chunk_id (data);
  g_autofree char *path = g_strdup_printf ("/api/v1/chunks/%s", id);

  return allset_test_request (self, NULL, "PUT", path, token, "application/octet-stream", data, NULL);
}

gboolean
allset_test_receipt_verifies (JsonNode   *receipt,
                              const char *public_key)
{
  g_autoptr(AllsetReceipt) parsed = NULL;

  if (receipt == NULL)
    return FALSE;

  parsed = allset_receipt_from_json (receipt, NULL);
  return parsed != NULL && allset_receipt_verify (parsed, public_key, NULL);
}

void
allset_test_assert_receipt_valid (JsonNode   *receipt,
                                  const char *public_key)
{
  g_autoptr(AllsetReceipt) parsed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (receipt);
  parsed = allset_receipt_from_json (receipt, &error);
  g_assert_no_error (error);
  allset_receipt_verify (parsed, public_key, &error);
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------ */
/* Files and commits                                                  */

AllsetTestContent *
allset_test_content_new (gsize size,
                         gsize chunk_size)
{
  AllsetTestContent *content = g_new0 (AllsetTestContent, 1);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();

  g_assert_cmpuint (chunk_size, >, 0);
  content->data = allset_test_random_bytes (size);
  content->size = size;
  content->chunk_size = chunk_size;

  for (gsize offset = 0; offset < size; offset += chunk_size)
    {
      g_autoptr(GBytes) chunk = g_bytes_new_from_bytes (content->data, offset, MIN (chunk_size, size - offset));
      g_autofree char *id = allset_test_chunk_id (chunk);

      g_strv_builder_add (ids, id);
    }

  content->chunk_ids = g_strv_builder_end (ids);
  content->file_id = allset_test_file_id ((const char *const *) content->chunk_ids);
  return content;
}

void
allset_test_content_free (AllsetTestContent *content)
{
  if (content == NULL)
    return;

  g_bytes_unref (content->data);
  g_strfreev (content->chunk_ids);
  g_free (content->file_id);
  g_free (content);
}

GBytes *
allset_test_content_chunk (AllsetTestContent *content,
                           guint              i)
{
  gsize offset = (gsize) i * content->chunk_size;

  g_assert_cmpuint (i, <, g_strv_length (content->chunk_ids));
  return g_bytes_new_from_bytes (content->data, offset, MIN (content->chunk_size, content->size - offset));
}

void
allset_test_upload (AllsetTestServer  *self,
                    const char        *token,
                    AllsetTestContent *content)
{
  for (guint i = 0; content->chunk_ids[i] != NULL; i++)
    {
      g_autoptr(GBytes) chunk = allset_test_content_chunk (content, i);
      g_autoptr(AllsetTestResponse) r = allset_test_put_chunk (self, token, chunk);

      if (r->status != 200)
        allset_test_assert_status (r, 201);
    }
}

/* json-glib 1.6 writes some control characters raw, which is not JSON:
 * escape by hand. */
char *
allset_test_json_string (const char *text)
{
  GString *out = g_string_new ("\"");

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

char *
allset_test_op_put (const char        *path,
                    gint64             base_revision,
                    AllsetTestContent *content)
{
  g_autofree char *quoted = allset_test_json_string (path);
  g_autoptr(GString) chunks = g_string_new ("[");

  for (guint i = 0; content->chunk_ids[i] != NULL; i++)
    g_string_append_printf (chunks, "%s\"%s\"", i > 0 ? ", " : "", content->chunk_ids[i]);
  g_string_append_c (chunks, ']');

  return g_strdup_printf ("{\"op\": \"put\", \"path\": %s, \"base_revision\": %" G_GINT64_FORMAT ", "
                          "\"chunks\": %s, \"size\": %" G_GSIZE_FORMAT ", \"mtime\": %d, "
                          "\"executable\": false}",
                          quoted, base_revision, chunks->str, content->size, ALLSET_TEST_MTIME);
}

static char *
simple_op (const char *kind,
           const char *path,
           gint64      base_revision)
{
  g_autofree char *quoted = allset_test_json_string (path);

  return g_strdup_printf ("{\"op\": \"%s\", \"path\": %s, \"base_revision\": %" G_GINT64_FORMAT "}",
                          kind, quoted, base_revision);
}

char *
allset_test_op_mkdir (const char *path,
                      gint64      base_revision)
{
  return simple_op ("mkdir", path, base_revision);
}

char *
allset_test_op_delete (const char *path,
                       gint64      base_revision)
{
  return simple_op ("delete", path, base_revision);
}

char *
allset_test_op_move (const char *path,
                     const char *to,
                     gint64      base_revision)
{
  g_autofree char *quoted = allset_test_json_string (path);
  g_autofree char *quoted_to = allset_test_json_string (to);

  return g_strdup_printf ("{\"op\": \"move\", \"path\": %s, \"to\": %s, \"base_revision\": %"
                          G_GINT64_FORMAT "}", quoted, quoted_to, base_revision);
}

AllsetTestResponse *
allset_test_commit (AllsetTestServer *self,
                    const char       *token,
                    char             *first_op,
                    ...)
{
  g_autoptr(GString) body = g_string_new ("{\"operations\": [");
  va_list ap;
  guint n = 0;

  va_start (ap, first_op);
  for (char *op = first_op; op != NULL; op = va_arg (ap, char *))
    {
      g_string_append_printf (body, "%s%s", n++ > 0 ? ", " : "", op);
      g_free (op);
    }
  va_end (ap);
  g_string_append (body, "]}");

  return allset_test_post_json (self, "/api/v1/commit", token, body->str);
}

gint64
allset_test_cursor (AllsetTestServer *self,
                    const char       *token)
{
  g_autoptr(AllsetTestResponse) r = allset_test_get (self, "/api/v1/account", token);

  allset_test_assert_status (r, 200);
  return allset_test_response_get_int (r, "cursor");
}
