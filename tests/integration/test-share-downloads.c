/* test-share-downloads.c — streamed share-link downloads and folder zips
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real server over TLS (issue #5): a multi-chunk file downloads byte for
 * byte, whole and from the middle; a folder (nested folders, an empty one,
 * UTF-8 names, a multi-chunk file) comes back as a ZIP that Python's
 * zipfile checks (CRCs) and extracts to the same bytes; the zip limits
 * answer 413 before any byte; a zip counts once against max_downloads and
 * needs the password cookie; path tricks answer the 404 page; clients that
 * hang up mid-download leave a server that still serves (and, under ASan,
 * exits without leaks). The server's peak memory while streaming a 256 MiB
 * file is printed, and bounded when not sanitized; downloads draw from the
 * owner's bandwidth bucket on a second, capped server.
 */

#define _GNU_SOURCE 1

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "allset-hash.h"
#include "share-test-common.h"

#define MIB (1024 * 1024)

static AllsetTestServer *server;

/* Each case makes its own account, on the main or the capped server. */
static char *
login (AllsetTestServer *on,
       const char       *username)
{
  share_test_add_account (on, username);
  return share_test_login (on, username);
}

static void
mkdir_remote (const char *token,
              const char *path)
{
  g_autoptr(AllsetTestResponse) r = allset_test_commit (server, token, allset_test_op_mkdir (path, 0), NULL);

  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, "results.0.status"), ==, 200);
}

static gint64
downloads_of (const char *token,
              guint       index)
{
  g_autoptr(AllsetTestResponse) list = allset_test_get (server, "/api/v1/shares", token);
  g_autofree char *path = g_strdup_printf ("shares.%u.downloads", index);

  allset_test_assert_status (list, 200);
  return allset_test_response_get_int (list, path);
}

/* ------------------------------------------------------------------ */

static void
test_file (void)
{
  g_autofree char *ann = login (server, "ann");
  /* 20 MiB in 1 MiB chunks: the stream crosses 20 chunk reads. */
  g_autoptr(AllsetTestContent) content = share_test_put_file (server, ann, "films/présentation.mp4", 20 * MIB, MIB);
  g_autofree char *url =
    share_test_create_url (server, ann, "{\"path\": \"films/présentation.mp4\", \"expires_in_seconds\": 3600}");
  g_autofree char *download = g_strdup_printf ("%s/download", url);

  {
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, download, NULL);
    g_autofree char *length = g_strdup_printf ("%d", 20 * MIB);

    allset_test_assert_status (r, 200);
    share_test_assert_public_headers (r);
    g_assert_cmpstr (allset_test_response_header (r, "Content-Length"), ==, length);
    g_assert_cmpstr (allset_test_response_header (r, "Accept-Ranges"), ==, "bytes");
    g_assert_true (g_str_has_prefix (allset_test_response_header (r, "Content-Disposition"), "attachment; "));
    g_assert_true (g_bytes_equal (r->body, content->data));
  }

  /* From the middle, across chunk boundaries, and to the end. */
  {
    const char *middle[] = { "Range", "bytes=10000000-15000000", NULL };
    const char *tail[] = { "Range", "bytes=-1000", NULL };
    const char *outside[] = { "Range", "bytes=30000000-", NULL };
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, download, middle);
    g_autoptr(AllsetTestResponse) t = share_test_public_get (server, download, tail);
    g_autoptr(AllsetTestResponse) o = share_test_public_get (server, download, outside);
    g_autoptr(GBytes) expected = g_bytes_new_from_bytes (content->data, 10000000, 5000001);
    g_autoptr(GBytes) expected_tail = g_bytes_new_from_bytes (content->data, 20 * MIB - 1000, 1000);
    g_autofree char *range = g_strdup_printf ("bytes 10000000-15000000/%d", 20 * MIB);
    g_autofree char *unsat = g_strdup_printf ("bytes */%d", 20 * MIB);

    allset_test_assert_status (r, 206);
    share_test_assert_public_headers (r);
    g_assert_cmpstr (allset_test_response_header (r, "Content-Range"), ==, range);
    g_assert_cmpstr (allset_test_response_header (r, "Content-Length"), ==, "5000001");
    g_assert_true (g_bytes_equal (r->body, expected));
    allset_test_assert_status (t, 206);
    g_assert_true (g_bytes_equal (t->body, expected_tail));
    share_test_assert_public_html (o, 416);
    g_assert_cmpstr (allset_test_response_header (o, "Content-Range"), ==, unsat);
  }
  /* Only the download from byte 0 counted. */
  g_assert_cmpint (downloads_of (ann, 0), ==, 1);

  /* An empty file: 200 with nothing. */
  {
    g_autoptr(AllsetTestContent) empty = share_test_put_file (server, ann, "vide.txt", 0, MIB);
    g_autofree char *empty_url =
      share_test_create_url (server, ann, "{\"path\": \"vide.txt\", \"expires_in_seconds\": 3600}");
    g_autofree char *empty_download = g_strdup_printf ("%s/download", empty_url);
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, empty_download, NULL);

    allset_test_assert_status (r, 200);
    g_assert_cmpuint (g_bytes_get_size (r->body), ==, 0);
  }
}

/* Spoils the header of chunk hex's record in whichever pack file holds it
 * (a large chunk is appended to a segment): the server then finds another
 * record where the registry points and cannot read the chunk. */
static gboolean
chunk_spoil (const char *hex)
{
  g_autofree char *root = allset_test_server_data_path (server, "chunks");
  g_autoptr(GDir) accounts = g_dir_open (root, 0, NULL);
  const char *account;
  AllsetHash id;

  g_assert_true (allset_hash_from_hex (hex, &id));
  while (accounts != NULL && (account = g_dir_read_name (accounts)) != NULL)
    {
      g_autofree char *dir_path = g_build_filename (root, account, "packs", NULL);
      g_autoptr(GDir) packs = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (packs != NULL && (name = g_dir_read_name (packs)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          g_autofree char *contents = NULL;
          const char *at;
          gsize len;
          FILE *file;

          g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
          at = memmem (contents, len, id.bytes, ALLSET_HASH_LEN);
          if (at == NULL)
            continue;
          file = fopen (path, "r+b");
          g_assert_nonnull (file);
          g_assert_cmpint (fseek (file, at - contents, SEEK_SET), ==, 0);
          g_assert_cmpuint (fwrite ("spoilt", 1, 6, file), ==, 6);
          g_assert_cmpint (fclose (file), ==, 0);
          return TRUE;
        }
    }
  return FALSE;
}

/* A chunk that cannot be read midway: the status is gone already, so the
 * server cuts the connection short of its Content-Length, and goes on. */
static void
test_missing_chunk (void)
{
  g_autofree char *ivy = login (server, "ivy");
  g_autoptr(AllsetTestContent) content = share_test_put_file (server, ivy, "abime.bin", 8 * MIB, MIB);
  g_autofree char *url =
    share_test_create_url (server, ivy, "{\"path\": \"abime.bin\", \"expires_in_seconds\": 3600}");
  g_autofree char *download = g_strdup_printf ("%s/download", url);

  g_assert_true (chunk_spoil (content->chunk_ids[5]));
  {
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, download, NULL);

    g_test_message ("status %u, %" G_GSIZE_FORMAT " bytes, %s", r->status,
                    g_bytes_get_size (r->body), r->error ? r->error->message : "no error");
    g_assert_true (r->error != NULL || g_bytes_get_size (r->body) < 8 * MIB);
    g_assert_false (g_bytes_equal (r->body, content->data));
  }
  {
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);

    share_test_assert_public_html (page, 200);
  }
}

/* Python's zipfile: checks every CRC (testzip), extracts into dir and
 * prints "name<TAB>size<TAB>date time" per entry, in archive order. */
static GStrv
unzip (GBytes     *archive,
       const char *dir)
{
  static const char script[] =
    "import sys, zipfile\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "assert z.testzip() is None\n"
    "z.extractall(sys.argv[2])\n"
    "for i in z.infolist():\n"
    "    print('%s\\t%d\\t%04d-%02d-%02d %02d:%02d:%02d' % ((i.filename, i.file_size) + i.date_time))\n";
  g_autofree char *zip_path = g_build_filename (dir, "archive.zip", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  const char *argv[] = { "python3", "-c", script, zip_path, out_dir, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_file_set_contents (zip_path, g_bytes_get_data (archive, NULL),
                                      g_bytes_get_size (archive), NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("zipfile refused the archive: %s", err);
  g_strchomp (out);
  return g_strsplit (out, "\n", -1);
}

static void
assert_extracted (const char *dir,
                  const char *name,
                  GBytes     *expected)
{
  g_autofree char *path = g_build_filename (dir, "out", name, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpmem (data, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

static void
rm_rf (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                                   NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      rm_rf (child);
      g_object_unref (info);
    }
  g_remove (path);
}

static void
test_zip (void)
{
  g_autofree char *bea = login (server, "bea");
  g_autoptr(AllsetTestContent) plan = share_test_put_file (server, bea, "projet/plan.txt", 1200, 1000);
  g_autoptr(AllsetTestContent) video =
    share_test_put_file (server, bea, "projet/médias/clip été.bin", 3 * MIB + 5, MIB);
  g_autoptr(AllsetTestContent) note =
    share_test_put_file (server, bea, "projet/médias/notes/«note» ü.txt", 300, 1000);
  g_autoptr(AllsetTestContent) empty = share_test_put_file (server, bea, "projet/zéro.txt", 0, 1000);
  g_autoptr(AllsetTestContent) outside = share_test_put_file (server, bea, "privé.txt", 50, 1000);
  g_autofree char *url = NULL;
  g_autofree char *zip = NULL;
  g_autofree char *dir = g_dir_make_tmp ("allset-zip-XXXXXX", NULL);
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (ALLSET_TEST_MTIME);
  g_autofree char *when = g_strdup_printf ("%04d-%02d-%02d %02d:%02d:%02d",
                                           g_date_time_get_year (local), g_date_time_get_month (local),
                                           g_date_time_get_day_of_month (local), g_date_time_get_hour (local),
                                           g_date_time_get_minute (local), g_date_time_get_second (local) / 2 * 2);

  mkdir_remote (bea, "projet/vide");
  url =
    share_test_create_url (server, bea, "{\"path\": \"projet\", \"expires_in_seconds\": 3600, \"max_downloads\": 2}");
  zip = g_strdup_printf ("%s/zip", url);

  /* The folder page offers the zip of the folder shown. */
  {
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);
    g_autofree char *sub_url = g_strdup_printf ("%s?dir=m%%C3%%A9dias", url);
    g_autoptr(AllsetTestResponse) sub = share_test_public_get (server, sub_url, NULL);
    g_autofree char *link = g_strdup_printf ("href=\"%s/zip\"", url);
    g_autofree char *sub_link = g_strdup_printf ("href=\"%s/zip?dir=m%%C3%%A9dias\"", url);

    share_test_assert_public_html (page, 200);
    g_assert_nonnull (strstr (share_test_body_text (page), "Tout télécharger (zip)"));
    g_assert_nonnull (strstr (share_test_body_text (page), link));
    share_test_assert_public_html (sub, 200);
    g_assert_nonnull (strstr (share_test_body_text (sub), sub_link));
    g_assert_null (strstr (share_test_body_text (page), "<script"));
  }

  /* The whole folder. */
  {
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, zip, NULL);
    g_auto(GStrv) lines = NULL;
    g_autofree char *length = NULL;
    const char *expected[] = {
      "médias/", "médias/clip été.bin", "médias/notes/", "médias/notes/«note» ü.txt",
      "plan.txt", "vide/", "zéro.txt", NULL,
    };

    allset_test_assert_status (r, 200);
    share_test_assert_public_headers (r);
    g_assert_cmpstr (allset_test_response_header (r, "Content-Type"), ==, "application/zip");
    g_assert_nonnull (strstr (allset_test_response_header (r, "Content-Disposition"),
                              "filename*=UTF-8''projet.zip"));
    length = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (r->body));
    g_assert_cmpstr (allset_test_response_header (r, "Content-Length"), ==, length);

    lines = unzip (r->body, dir);
    g_assert_cmpuint (g_strv_length (lines), ==, g_strv_length ((GStrv) expected));
    for (guint i = 0; expected[i] != NULL; i++)
      {
        g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);

        g_test_message ("%s", lines[i]);
        g_assert_cmpstr (f[0], ==, expected[i]);
        if (!g_str_has_suffix (f[0], "/"))
          g_assert_cmpstr (f[2], ==, when);
      }
    assert_extracted (dir, "plan.txt", plan->data);
    assert_extracted (dir, "médias/clip été.bin", video->data);
    assert_extracted (dir, "médias/notes/«note» ü.txt", note->data);
    assert_extracted (dir, "zéro.txt", empty->data);
    {
      g_autofree char *vide = g_build_filename (dir, "out", "vide", NULL);

      g_assert_true (g_file_test (vide, G_FILE_TEST_IS_DIR));
    }
    g_assert_cmpint (downloads_of (bea, 0), ==, 1);
    rm_rf (dir);
    g_mkdir (dir, 0700);
  }

  /* A subfolder: names relative to it, named after it. */
  {
    g_autofree char *sub = g_strdup_printf ("%s?dir=m%%C3%%A9dias", zip);
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, sub, NULL);
    g_auto(GStrv) lines = NULL;

    allset_test_assert_status (r, 200);
    g_assert_nonnull (strstr (allset_test_response_header (r, "Content-Disposition"),
                              "filename*=UTF-8''m%C3%A9dias.zip"));
    lines = unzip (r->body, dir);
    g_assert_cmpuint (g_strv_length (lines), ==, 3);
    g_assert_true (g_str_has_prefix (lines[0], "clip été.bin\t"));
    g_assert_true (g_str_has_prefix (lines[1], "notes/\t"));
    g_assert_true (g_str_has_prefix (lines[2], "notes/«note» ü.txt\t"));
    assert_extracted (dir, "clip été.bin", video->data);
    g_assert_cmpint (downloads_of (bea, 0), ==, 2);
    rm_rf (dir);
  }

  /* Two downloads were allowed: exhausted now. */
  {
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, zip, NULL);

    share_test_assert_public_html (r, 410);
    g_assert_cmpint (downloads_of (bea, 0), ==, 2);
  }
}

static void
test_zip_limits (void)
{
  g_autofree char *cleo = login (server, "cleo");
  g_autofree char *url = NULL;
  g_autoptr(AllsetTestContent) big = NULL;

  /* The server allows 12 entries and 4 MiB of files per zip. */
  for (guint i = 0; i < 13; i++)
    {
      g_autofree char *path = g_strdup_printf ("archives/beaucoup/f%02u.txt", i);
      g_autoptr(AllsetTestContent) c = share_test_put_file (server, cleo, path, 10, 1000);
    }
  big = share_test_put_file (server, cleo, "archives/gros/film.bin", 4 * MIB + 1, MIB);
  {
    g_autoptr(AllsetTestContent) small = share_test_put_file (server, cleo, "archives/petit/a.txt", 10, 1000);
  }
  url =
    share_test_create_url (server, cleo, "{\"path\": \"archives\", \"expires_in_seconds\": 3600, \"max_downloads\": 5}");

  {
    g_autofree char *many = g_strdup_printf ("%s/zip?dir=beaucoup", url);
    g_autofree char *large = g_strdup_printf ("%s/zip?dir=gros", url);
    g_autofree char *whole = g_strdup_printf ("%s/zip", url);
    g_autofree char *small = g_strdup_printf ("%s/zip?dir=petit", url);
    g_autoptr(AllsetTestResponse) r_many = share_test_public_get (server, many, NULL);
    g_autoptr(AllsetTestResponse) r_large = share_test_public_get (server, large, NULL);
    g_autoptr(AllsetTestResponse) r_whole = share_test_public_get (server, whole, NULL);
    g_autoptr(AllsetTestResponse) r_small = NULL;

    share_test_assert_public_html (r_many, 413);
    g_assert_nonnull (strstr (share_test_body_text (r_many), "plus de 12 éléments"));
    share_test_assert_public_html (r_large, 413);
    g_assert_nonnull (strstr (share_test_body_text (r_large), "trop volumineux"));
    share_test_assert_public_html (r_whole, 413);
    /* Refusals are not downloads. */
    g_assert_cmpint (downloads_of (cleo, 0), ==, 0);

    r_small = share_test_public_get (server, small, NULL);
    allset_test_assert_status (r_small, 200);
    g_assert_cmpint (downloads_of (cleo, 0), ==, 1);
  }
}

static void
test_zip_password (void)
{
  g_autofree char *dina = login (server, "dina");
  g_autoptr(AllsetTestContent) c = share_test_put_file (server, dina, "secret/a.txt", 100, 1000);
  g_autofree char *url = share_test_create_url (server, dina, "{\"path\": \"secret\", \"expires_in_seconds\": 3600, "
                                                "\"password\": \"ouvre\"}");
  g_autofree char *zip = g_strdup_printf ("%s/zip", url);
  g_autofree char *cookie = NULL;

  {
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, zip, NULL);
    const char *forged[] = { "Cookie", "allset_share=0000", NULL };
    g_autoptr(AllsetTestResponse) f = share_test_public_get (server, zip, forged);

    share_test_assert_public_html (r, 403);
    g_assert_nonnull (strstr (share_test_body_text (r), "type=\"password\""));
    share_test_assert_public_html (f, 403);
    g_assert_cmpint (downloads_of (dina, 0), ==, 0);
  }
  {
    g_autoptr(GBytes) form = g_bytes_new_static ("password=ouvre", 14);
    g_autoptr(AllsetTestResponse) r = allset_test_request (server, NULL, "POST", url, NULL,
                                                           "application/x-www-form-urlencoded",
                                                           form, NULL);
    const char *set_cookie;

    share_test_assert_public_html (r, 200);
    set_cookie = allset_test_response_header (r, "Set-Cookie");
    g_assert_nonnull (set_cookie);
    cookie = g_strndup (set_cookie, strcspn (set_cookie, ";"));
  }
  {
    const char *headers[] = { "Cookie", cookie, NULL };
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, zip, headers);

    allset_test_assert_status (r, 200);
    g_assert_cmpstr (allset_test_response_header (r, "Content-Type"), ==, "application/zip");
    g_assert_cmpint (downloads_of (dina, 0), ==, 1);
  }
}

static void
test_bad_input (void)
{
  g_autofree char *eve = login (server, "eve");
  g_autoptr(AllsetTestContent) a = share_test_put_file (server, eve, "partage/a.txt", 100, 1000);
  g_autoptr(AllsetTestContent) b = share_test_put_file (server, eve, "partage/sous/b.txt", 100, 1000);
  g_autoptr(AllsetTestContent) secret = share_test_put_file (server, eve, "prive.txt", 100, 1000);
  g_autofree char *url = share_test_create_url (server, eve, "{\"path\": \"partage\", \"expires_in_seconds\": 3600}");
  g_autofree char *file_url =
    share_test_create_url (server, eve, "{\"path\": \"prive.txt\", \"expires_in_seconds\": 3600}");
  g_autofree char *long_value = g_strnfill (5000, 'a');
  g_autofree char *long_dirs = NULL;
  g_autoptr(GBytes) reference = NULL;
  const char *tricks[] = {
    "..", "../prive.txt", "sous/../..", "/etc/passwd", "%2Fetc%2Fpasswd", "..%2Fprive.txt",
    "..%2F..%2Fprive.txt", "%2e%2e", "%2E%2E%2Fprive.txt", "sous%2F..%2F..%2Fprive.txt",
    "a%00b", "sous%00", "%00", "./a.txt", "sous//b.txt", "sous%252Fb.txt", "nope", "nope/",
    "%C0%AE%C0%AE", "..%5Cprive.txt", NULL,
  };
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  {
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < 800; i++)
      g_string_append (s, "sous/");
    long_dirs = g_string_free (s, FALSE);
  }

  for (guint i = 0; tricks[i] != NULL; i++)
    {
      g_ptr_array_add (paths, g_strdup_printf ("%s/zip?dir=%s", url, tricks[i]));
      g_ptr_array_add (paths, g_strdup_printf ("%s/download?path=%s", url, tricks[i]));
      g_ptr_array_add (paths, g_strdup_printf ("%s?dir=%s", url, tricks[i]));
    }
  /* Over-long values; a file given to zip, a folder given to download. */
  g_ptr_array_add (paths, g_strdup_printf ("%s/zip?dir=%s", url, long_value));
  g_ptr_array_add (paths, g_strdup_printf ("%s/download?path=%s", url, long_value));
  g_ptr_array_add (paths, g_strdup_printf ("%s/zip?dir=%s", url, long_dirs));
  g_ptr_array_add (paths, g_strdup_printf ("%s/zip?dir=a.txt", url));
  g_ptr_array_add (paths, g_strdup_printf ("%s/zip?dir=sous/b.txt", url));
  g_ptr_array_add (paths, g_strdup_printf ("%s/download?path=sous", url));
  g_ptr_array_add (paths, g_strdup_printf ("%s/download", url));
  g_ptr_array_add (paths, g_strdup_printf ("%s/zip", file_url));
  g_ptr_array_add (paths, g_strdup_printf ("%s/zip/", url));
  g_ptr_array_add (paths, g_strdup_printf ("%s/zip/x", url));
  g_ptr_array_add (paths, g_strdup_printf ("%s/ZIP", url));
  /* ("/s/TOKEN/zip%00" never reaches the server's code: libsoup answers 400.) */

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(AllsetTestResponse) r = share_test_public_get (server, path, NULL);

      g_test_message ("%.120s", path);
      share_test_assert_public_html (r, 404);
      g_assert_null (strstr (share_test_body_text (r), "prive"));
      g_assert_null (strstr (share_test_body_text (r), url + 3));
      if (reference == NULL)
        reference = g_bytes_ref (r->body);
      else
        g_assert_true (g_bytes_equal (reference, r->body));
    }
  /* Encoded separators in the path itself, sent raw (libsoup's client
   * would decode them first): the server routes the path as sent (only
   * unreserved characters such as "%7A" are the same as plain, RFC 3986). */
  {
    const char *raw_suffixes[] = { "%2Fzip", "%2fzip?dir=sous", "%2Fdownload?path=a.txt",
                                   "%2Fdownload%3Fpath=..%2Fprive.txt", "%2Fzip%3Fdir=..",
                                   "/zip%2F..%2F..%2Fprive.txt", "%2F..%2Fprive.txt",
                                   "/download%3Fpath=%2E%2E%2Fprive.txt", NULL };

    for (guint i = 0; raw_suffixes[i] != NULL; i++)
      {
        g_autofree char *path = g_strconcat (url, raw_suffixes[i], NULL);
        g_autofree char *head = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                 "Connection: close\r\n\r\n", path);
        g_autofree char *raw = allset_test_raw_request (server, head, NULL, 0, 20);

        g_test_message ("raw %s", path);
        g_assert_cmpuint (allset_test_raw_status (raw), ==, 404);
        g_assert_nonnull (strstr (raw, "Lien introuvable"));
        g_assert_null (strstr (raw, "prive"));
        g_assert_nonnull (strstr (raw, "X-Robots-Tag: noindex, nofollow, noarchive"));
      }
  }
  /* Nothing counted. */
  g_assert_cmpint (downloads_of (eve, 0), ==, 0);
  g_assert_cmpint (downloads_of (eve, 1), ==, 0);
}

static gboolean
accept_any (GTlsConnection       *connection,
            GTlsCertificate      *certificate,
            GTlsCertificateFlags  errors)
{
  return TRUE;
}

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (accept_any), NULL);
}

/* Connects over TLS (any certificate: only the server's bytes matter)
 * and asks for path ("Connection: close"). */
static GSocketConnection *
raw_get (const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *head = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Connection: close\r\n\r\n", path);

  g_socket_client_set_tls (client, TRUE);
  g_socket_client_set_timeout (client, 60);
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), NULL);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                allset_test_server_get_port (server), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             head, strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

/* Reads about `bytes` of the answer to path and hangs up. */
static void
download_and_hang_up (const char *path,
                      gsize       bytes)
{
  g_autoptr(GSocketConnection) connection = raw_get (path);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = g_malloc (65536);
  gsize got = 0;

  while (got < bytes)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                      buffer, 65536, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      got += n;
    }
  /* Close the TCP socket under TLS at once: no close_notify, as a crash. */
  g_socket_close (g_socket_connection_get_socket (connection), NULL);
}

static void
test_hang_up (void)
{
  g_autofree char *fay = login (server, "fay");
  g_autoptr(AllsetTestContent) big = share_test_put_file (server, fay, "gros/fichier.bin", 16 * MIB, MIB);
  g_autoptr(AllsetTestContent) other = share_test_put_file (server, fay, "gros/z/autre.bin", 3 * MIB + 500, MIB);
  g_autofree char *url = share_test_create_url (server, fay, "{\"path\": \"gros\", \"expires_in_seconds\": 3600}");
  g_autofree char *file = g_strdup_printf ("%s/download?path=fichier.bin", url);
  g_autofree char *zip = g_strdup_printf ("%s/zip?dir=z", url);

  for (guint i = 0; i < 3; i++)
    {
      download_and_hang_up (file, MIB + i * 3 * MIB);
      download_and_hang_up (zip, 100 + i * MIB);
    }
  /* Right after, the server still serves, whole files and zips. */
  {
    g_autoptr(AllsetTestResponse) r = share_test_public_get (server, file, NULL);
    g_autoptr(AllsetTestResponse) z = share_test_public_get (server, zip, NULL);

    allset_test_assert_status (r, 200);
    g_assert_true (g_bytes_equal (r->body, big->data));
    allset_test_assert_status (z, 200);
    g_assert_cmpuint (g_bytes_get_size (z->body), >, 3 * MIB + 500);
  }
  /* Leaks, if any, show when the server exits under ASan (main). */
}

/* A 256 MiB file made of one 4 MiB chunk 64 times: one upload, and the
 * server still reads and streams 64 chunks. */
static void
test_memory (void)
{
  const guint repeats = 64;
  g_autofree char *gus = login (server, "gus");
  g_autoptr(AllsetTestContent) chunk = allset_test_content_new (4 * MIB, 4 * MIB);
  g_autoptr(AllsetTestContent) file = g_new0 (AllsetTestContent, 1);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GChecksum) expected = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) got = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(AllsetTestResponse) r = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GByteArray) head = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *download = NULL;
  g_autofree guint8 *buffer = g_malloc (256 * 1024);
  gint64 hwm_before, hwm_after, rss_max = 0, started;
  guint64 total = 0;
  gboolean in_body = FALSE;

  for (guint i = 0; i < repeats; i++)
    {
      g_strv_builder_add (ids, chunk->chunk_ids[0]);
      g_checksum_update (expected, g_bytes_get_data (chunk->data, NULL), 4 * MIB);
    }
  file->chunk_ids = g_strv_builder_end (ids);
  file->size = (gsize) repeats * 4 * MIB;
  file->data = g_bytes_new (NULL, 0);
  file->file_id = allset_test_file_id ((const char *const *) file->chunk_ids);
  allset_test_upload (server, gus, chunk);
  r = allset_test_commit (server, gus, allset_test_op_put ("grand.bin", 0, file), NULL);
  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, "results.0.status"), ==, 200);
  url = share_test_create_url (server, gus, "{\"path\": \"grand.bin\", \"expires_in_seconds\": 3600}");

  hwm_before = allset_test_server_get_memory_kib (server, "VmHWM");
  download = g_strdup_printf ("%s/download", url);
  started = g_get_monotonic_time ();
  /* Raw, so that the test holds nothing but a hash of the body. */
  connection = raw_get (download);
  for (;;)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                      buffer, 256 * 1024, NULL, &error);
      const guint8 *data = buffer;

      g_assert_no_error (error);
      if (n == 0)
        break;
      if (!in_body)
        {
          const char *end;

          g_byte_array_append (head, buffer, n);
          g_byte_array_append (head, (const guint8 *) "", 1);
          end = strstr ((const char *) head->data, "\r\n\r\n");
          g_byte_array_set_size (head, head->len - 1);
          if (end == NULL)
            continue;
          g_assert_true (g_str_has_prefix ((const char *) head->data, "HTTP/1.1 200 "));
          in_body = TRUE;
          data = head->data + (end + 4 - (const char *) head->data);
          n = head->len - (data - head->data);
        }
      g_checksum_update (got, data, n);
      if (total / (8 * MIB) != (total + n) / (8 * MIB))
        rss_max = MAX (rss_max, allset_test_server_get_memory_kib (server, "VmRSS"));
      total += n;
    }
  hwm_after = allset_test_server_get_memory_kib (server, "VmHWM");
  g_assert_cmpuint (total, ==, file->size);
  g_assert_cmpstr (g_checksum_get_string (got), ==, g_checksum_get_string (expected));

  g_test_message ("256 MiB streamed in %.2f s; server VmHWM %" G_GINT64_FORMAT " KiB before, %"
                  G_GINT64_FORMAT " KiB after; VmRSS at most %" G_GINT64_FORMAT " KiB during",
                  (g_get_monotonic_time () - started) / 1e6, hwm_before, hwm_after, rss_max);
  /* A few chunks, not the file. ASan keeps freed memory in quarantine. */
  if (!allset_test_is_sanitized ())
    g_assert_cmpint (hwm_after - hwm_before, <, 48 * 1024);
}

/* Public downloads draw from the owner's download bucket (terms R5): on a
 * server capped at 40 Mbit/s (5 MB/s, 1.25 MB of burst), 8 MiB take
 * about 1.4 s at least. */
static void
test_pacing (void)
{
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "40M", NULL };
  g_autoptr(AllsetTestServer) capped = allset_test_server_new_full (args, 0);
  g_autofree char *hal = login (capped, "hal");
  g_autoptr(AllsetTestContent) content = share_test_put_file (capped, hal, "lent/x.bin", 8 * MIB, MIB);
  g_autofree char *url = share_test_create_url (capped, hal, "{\"path\": \"lent\", \"expires_in_seconds\": 3600}");
  g_autofree char *file = g_strdup_printf ("%s/download?path=x.bin", url);
  g_autofree char *zip = g_strdup_printf ("%s/zip", url);
  gint64 start = g_get_monotonic_time ();
  gdouble file_s, zip_s;

  {
    g_autoptr(AllsetTestResponse) r = allset_test_request (capped, NULL, "GET", file, NULL, NULL, NULL, NULL);

    allset_test_assert_status (r, 200);
    g_assert_true (g_bytes_equal (r->body, content->data));
  }
  file_s = (g_get_monotonic_time () - start) / 1e6;
  start = g_get_monotonic_time ();
  {
    g_autoptr(AllsetTestResponse) r = allset_test_request (capped, NULL, "GET", zip, NULL, NULL, NULL, NULL);

    allset_test_assert_status (r, 200);
  }
  zip_s = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("8 MiB at 40 Mbit/s: file %.2f s, zip %.2f s", file_s, zip_s);
  g_assert_cmpfloat (file_s, >=, 1.3);
  g_assert_cmpfloat (zip_s, >=, 1.3);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *conf = NULL;
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "0", "--config", NULL, NULL };
  int status;

  allset_test_init (&argc, &argv);

  dir = g_dir_make_tmp ("allset-share-dl-XXXXXX", NULL);
  g_assert_nonnull (dir);
  conf = g_build_filename (dir, "server.conf", NULL);
  g_assert_true (g_file_set_contents (conf, "[server]\nshare_zip_max_entries=12\n"
                                      "share_zip_max_bytes=4MiB\n", -1, NULL));
  args[5] = conf;
  server = allset_test_server_new_full (args, 0);

  g_test_add_func ("/share-downloads/file", test_file);
  g_test_add_func ("/share-downloads/missing-chunk", test_missing_chunk);
  g_test_add_func ("/share-downloads/zip", test_zip);
  g_test_add_func ("/share-downloads/zip-limits", test_zip_limits);
  g_test_add_func ("/share-downloads/zip-password", test_zip_password);
  g_test_add_func ("/share-downloads/bad-input", test_bad_input);
  g_test_add_func ("/share-downloads/hang-up", test_hang_up);
  g_test_add_func ("/share-downloads/memory", test_memory);
  g_test_add_func ("/share-downloads/pacing", test_pacing);

  status = g_test_run ();
  allset_test_server_free (server);
  g_unlink (conf);
  g_rmdir (dir);
  return status;
}
