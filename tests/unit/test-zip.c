/* test-zip.c — AllsetZipWriter's archives, read back by Python's zipfile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The writer's output goes to a file exactly as the server streams it
 * (header, data, descriptor, …, central directory) and Python's zipfile,
 * an independent reader, checks it: names, sizes, CRCs (testzip), times,
 * modes and flags. ZIP64 is exercised without writing GiBs: a 5 GiB entry
 * of zeros is a hole in a sparse file whose CRC comes from zlib's
 * crc32_combine(), and 65 536 empty entries overflow the 16-bit count.
 */

#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <glib/gstdio.h>

#include "allset-zip.h"

#define MTIME 1764160000   /* 2025-11-26 12:26:40 UTC */

/* Prints, per entry: name, size, CRC, date_time, mode, flags, the
 * header offset, and whether the end records are ZIP64. Reads and checks
 * every entry smaller than 1 MiB (testzip on those) unless there are
 * thousands. */
static const char reader[] =
  "import sys, zipfile\n"
  "z = zipfile.ZipFile(sys.argv[1])\n"
  "for i in z.infolist():\n"
  "    if len(z.infolist()) > 1000:\n"
  "        pass\n"
  "    elif i.file_size < 1 << 20:\n"
  "        z.read(i)\n"
  "    else:\n"
  "        with z.open(i) as f:\n"
  "            assert f.read(1 << 16) == bytes(1 << 16)\n"
  "    print('%s\\t%d\\t%08x\\t%04d-%02d-%02d %02d:%02d:%02d\\t%o\\t%x\\t%d' % ((i.filename, i.file_size, i.CRC)"
  " + i.date_time + (i.external_attr >> 16, i.flag_bits, i.header_offset)))\n";

typedef struct
{
  GByteArray *archive;   /* or NULL: the bytes go to fd */
  int         fd;
} Sink;

/* The ZIP64 end record (56 bytes) and locator (20) sit right before the
 * classic end record (22, no comment). */
static gboolean
has_zip64_end (GByteArray *archive)
{
  return archive->len >= 98 &&
         memcmp (archive->data + archive->len - 98, "PK\x06\x06", 4) == 0 &&
         memcmp (archive->data + archive->len - 42, "PK\x06\x07", 4) == 0 &&
         memcmp (archive->data + archive->len - 22, "PK\x05\x06", 4) == 0;
}

static void
sink_bytes (Sink   *sink,
            GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_assert_nonnull (bytes);
  if (sink->archive != NULL)
    g_byte_array_append (sink->archive, data, len);
  else
    g_assert_cmpint (write (sink->fd, data, len), ==, (gssize) len);
  g_bytes_unref (bytes);
}

/* g_strsplit() on 65 536 lines is quadratic under ASan (its strstr()
 * measures the rest of the text at every call): by hand. */
static GStrv
split_lines (char *text)
{
  GPtrArray *lines = g_ptr_array_new ();
  char *start = text;

  for (char *p = text;; p++)
    if (*p == '\n' || *p == '\0')
      {
        gboolean last = *p == '\0';

        g_ptr_array_add (lines, g_strndup (start, p - start));
        if (last)
          break;
        start = p + 1;
      }
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_free (lines, FALSE);
}

/* Runs the reader; returns its lines. */
static GStrv
read_back (const char *path)
{
  const char *argv[] = { "python3", "-c", reader, path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("zipfile refused the archive: %s", err);
  g_strchomp (out);
  return split_lines (out);
}

static char *
expected_time (gint64 mtime)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (mtime);

  /* DOS times count two-second steps. */
  return g_strdup_printf ("%04d-%02d-%02d %02d:%02d:%02d", g_date_time_get_year (dt),
                          g_date_time_get_month (dt), g_date_time_get_day_of_month (dt),
                          g_date_time_get_hour (dt), g_date_time_get_minute (dt),
                          g_date_time_get_second (dt) / 2 * 2);
}

static char *
write_temp (GByteArray *archive)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("allset-zip-XXXXXX.zip", &path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, archive->data, archive->len), ==, (gssize) archive->len);
  close (fd);
  return path;
}

static void
test_small (void)
{
  g_autoptr(AllsetZipWriter) writer = allset_zip_writer_new ();
  g_autoptr(GByteArray) archive = g_byte_array_new ();
  Sink sink = { archive, -1 };
  g_autofree guint8 *random = g_malloc (100000);
  const char *hello = "Bonjour";
  AllsetZipEntry entries[] = {
    { "a.txt", 7, MTIME, 0100644 },
    { "dossier/", 0, MTIME, 040755 },
    { "dossier/été 2026 «final».bin", 100000, MTIME + 3, 0100755 },
    { "vide/", 0, 0, 040755 },                  /* 1970: clamped to 1980 */
    { "zéro.txt", 0, MTIME, 0100644 },
  };
  const guint8 *data[] = { (const guint8 *) hello, NULL, random, NULL, NULL };
  g_autofree char *path = NULL;
  g_autofree char *when = expected_time (MTIME);
  g_autofree char *when3 = expected_time (MTIME + 3);
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < 100000; i++)
    random[i] = g_test_rand_int_range (0, 256);

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      guint32 crc = crc32 (0, NULL, 0);

      sink_bytes (&sink, allset_zip_writer_begin_entry (writer, &entries[i]));
      if (entries[i].size > 0)
        {
          g_byte_array_append (archive, data[i], entries[i].size);
          crc = crc32 (crc, data[i], entries[i].size);
        }
      sink_bytes (&sink, allset_zip_writer_end_entry (writer, crc));
      g_assert_cmpuint (allset_zip_writer_get_offset (writer), ==, archive->len);
    }
  sink_bytes (&sink, allset_zip_writer_finish (writer));
  g_assert_cmpuint (allset_zip_writer_get_offset (writer), ==, archive->len);
  g_assert_cmpuint (allset_zip_length (entries, G_N_ELEMENTS (entries)), ==, archive->len);
  /* Nothing ZIP64 in a small archive. */
  g_assert_false (has_zip64_end (archive));

  path = write_temp (archive);
  lines = read_back (path);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (entries));
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      guint32 crc = entries[i].size > 0 ? crc32 (crc32 (0, NULL, 0), data[i], entries[i].size) : 0;
      g_autofree char *crc_hex = g_strdup_printf ("%08x", crc);
      g_autofree char *mode = g_strdup_printf ("%o", entries[i].mode);
      g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, entries[i].size);

      g_test_message ("%s", lines[i]);
      g_assert_cmpuint (g_strv_length (f), ==, 7);
      g_assert_cmpstr (f[0], ==, entries[i].name);
      g_assert_cmpstr (f[1], ==, size);
      g_assert_cmpstr (f[2], ==, crc_hex);
      g_assert_cmpstr (f[3], ==, i == 3 ? "1980-01-01 00:00:00" : i == 2 ? when3 : when);
      g_assert_cmpstr (f[4], ==, mode);
      g_assert_cmpstr (f[5], ==, "808");   /* data descriptor, UTF-8 names */
    }
  g_unlink (path);
}

/* CRC-32 of n zero bytes, n a multiple of 1 MiB, by doubling. */
static guint32
crc_of_zeros (guint64 n)
{
  g_autofree guint8 *zeros = g_malloc0 (1 << 20);
  guint32 block = crc32 (crc32 (0, NULL, 0), zeros, 1 << 20);
  guint32 crc = crc32 (0, NULL, 0);
  guint64 len = 1 << 20;

  g_assert_cmpuint (n % (1 << 20), ==, 0);
  for (n /= 1 << 20; n > 0; n >>= 1)
    {
      if (n & 1)
        crc = crc32_combine (crc, block, len);
      block = crc32_combine (block, block, len);
      len *= 2;
    }
  return crc;
}

static void
test_zip64_size (void)
{
  const guint64 big = G_GUINT64_CONSTANT (5) << 30;
  g_autoptr(AllsetZipWriter) writer = allset_zip_writer_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) lines = NULL;
  const char *tail = "après le gros fichier";
  AllsetZipEntry entries[] = {
    { "petit.txt", 5, MTIME, 0100644 },
    { "gros.bin", big, MTIME, 0100644 },
    { "fin.txt", strlen (tail), MTIME, 0100644 },
  };
  Sink sink = { NULL, -1 };
  g_autofree char *big_size = g_strdup_printf ("%" G_GUINT64_FORMAT, big);
  g_autofree char *big_crc = g_strdup_printf ("%08x", crc_of_zeros (big));
  guint64 last_offset;

  sink.fd = g_file_open_tmp ("allset-zip64-XXXXXX.zip", &path, &error);
  g_assert_no_error (error);

  sink_bytes (&sink, allset_zip_writer_begin_entry (writer, &entries[0]));
  g_assert_cmpint (write (sink.fd, "12345", 5), ==, 5);
  sink_bytes (&sink, allset_zip_writer_end_entry (writer, crc32 (crc32 (0, NULL, 0), (const guint8 *) "12345", 5)));

  /* 5 GiB of zeros: a hole. */
  sink_bytes (&sink, allset_zip_writer_begin_entry (writer, &entries[1]));
  g_assert_cmpint (lseek (sink.fd, big, SEEK_CUR), >, 0);
  sink_bytes (&sink, allset_zip_writer_end_entry (writer, crc_of_zeros (big)));

  last_offset = allset_zip_writer_get_offset (writer);
  g_assert_cmpuint (last_offset, >, G_GUINT64_CONSTANT (0xffffffff));
  sink_bytes (&sink, allset_zip_writer_begin_entry (writer, &entries[2]));
  g_assert_cmpint (write (sink.fd, tail, strlen (tail)), ==, (gssize) strlen (tail));
  sink_bytes (&sink, allset_zip_writer_end_entry (writer, crc32 (crc32 (0, NULL, 0), (const guint8 *) tail, strlen (tail))));
  sink_bytes (&sink, allset_zip_writer_finish (writer));
  g_assert_cmpuint (allset_zip_length (entries, G_N_ELEMENTS (entries)), ==,
                    allset_zip_writer_get_offset (writer));
  g_assert_cmpint (lseek (sink.fd, 0, SEEK_CUR), ==, (goffset) allset_zip_writer_get_offset (writer));
  close (sink.fd);

  lines = read_back (path);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  {
    g_auto(GStrv) f = g_strsplit (lines[1], "\t", -1);
    g_auto(GStrv) l = g_strsplit (lines[2], "\t", -1);
    g_autofree char *offset = g_strdup_printf ("%" G_GUINT64_FORMAT, last_offset);

    g_assert_cmpstr (f[0], ==, "gros.bin");
    g_assert_cmpstr (f[1], ==, big_size);
    g_assert_cmpstr (f[2], ==, big_crc);
    /* The entry past 4 GiB was found through its ZIP64 offset and read. */
    g_assert_cmpstr (l[0], ==, "fin.txt");
    g_assert_cmpstr (l[6], ==, offset);
  }
  g_unlink (path);
}

static void
test_zip64_count (void)
{
  const guint n = 65536;   /* one more than the classic count holds */
  g_autoptr(AllsetZipWriter) writer = allset_zip_writer_new ();
  g_autoptr(GByteArray) archive = g_byte_array_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (AllsetZipEntry));
  Sink sink = { archive, -1 };
  g_autofree char *path = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < n; i++)
    {
      AllsetZipEntry entry = { NULL, 0, MTIME, 0100644 };

      g_ptr_array_add (names, g_strdup_printf ("d%u/f%05u", i / 1000, i));
      entry.name = g_ptr_array_index (names, i);
      g_array_append_val (entries, entry);
      sink_bytes (&sink, allset_zip_writer_begin_entry (writer, &entry));
      sink_bytes (&sink, allset_zip_writer_end_entry (writer, 0));
    }
  sink_bytes (&sink, allset_zip_writer_finish (writer));
  g_assert_cmpuint (allset_zip_length ((AllsetZipEntry *) entries->data, n), ==, archive->len);
  g_assert_true (has_zip64_end (archive));

  path = write_temp (archive);
  lines = read_back (path);
  g_assert_cmpuint (g_strv_length (lines), ==, n);
  g_assert_true (g_str_has_prefix (lines[n - 1], "d65/f65535\t0\t00000000\t"));
  g_unlink (path);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/zip/small", test_small);
  g_test_add_func ("/zip/zip64-size", test_zip64_size);
  g_test_add_func ("/zip/zip64-count", test_zip64_count);
  return g_test_run ();
}
