/* allset-zip.c — the bytes of a ZIP archive written on the fly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Folder downloads of share links stream a ZIP of files the server keeps
 * as chunks, possibly many GiB: nothing may be compressed or held whole,
 * and the CRC is only known once an entry's data has gone out. So entries
 * are stored, the local header carries zeros and the CRC and sizes follow
 * the data in a data descriptor (APPNOTE 6.3.10, §4.3.9). Sizes are known
 * in advance, which makes the whole archive's length computable before
 * the first byte (allset_zip_length()), by running this same writer.
 *
 * ZIP64 (§4.5.3) is used per need: an entry of 4 GiB or more gets a ZIP64
 * extra field in its local header (sizes zero, as Python's zipfile writes
 * it) and 8-byte sizes in its descriptor; a central record gets ZIP64
 * fields for whatever does not fit in 32 bits; the ZIP64 end records come
 * when the entries, the directory's size or its offset overflow. Besides
 * the DOS time (server local time, as Info-ZIP writes it), an "UT" extra
 * field carries the exact modification time in UTC.
 */

#include <string.h>

#include "allset-zip.h"

#define SIG_LOCAL        0x04034b50u
#define SIG_DESCRIPTOR   0x08074b50u
#define SIG_CENTRAL      0x02014b50u
#define SIG_END64        0x06064b50u
#define SIG_LOCATOR64    0x07064b50u
#define SIG_END          0x06054b50u

#define FLAG_DESCRIPTOR  0x0008
#define FLAG_UTF8        0x0800
#define VERSION_PLAIN    20          /* 2.0: stored entries, directories */
#define VERSION_ZIP64    45          /* 4.5: ZIP64 */
#define MADE_BY_UNIX     (3 << 8)    /* external attributes hold a Unix mode */
#define EXTRA_ZIP64      0x0001
#define EXTRA_TIME       0x5455      /* "UT": extended timestamp */
#define MAX16            0xffffu
#define MAX32            G_GUINT64_CONSTANT (0xffffffff)

typedef struct
{
  char    *name;
  guint64  size;
  guint64  offset;     /* of the local header */
  gint64   mtime;
  guint32  mode;
  guint32  crc;
  guint16  dos_time;
  guint16  dos_date;
} Record;

struct _AllsetZipWriter
{
  GArray  *records;    /* Record */
  guint64  offset;
  gboolean open;       /* an entry's header went out, not its descriptor */
  gint64   last_mtime; /* entries often share a time: the last conversion */
  guint16  last_time;
  guint16  last_date;
  gboolean finished;
};

static void
record_clear (gpointer data)
{
  Record *record = data;

  g_free (record->name);
}

AllsetZipWriter *
allset_zip_writer_new (void)
{
  AllsetZipWriter *self = g_new0 (AllsetZipWriter, 1);

  self->records = g_array_new (FALSE, TRUE, sizeof (Record));
  g_array_set_clear_func (self->records, record_clear);
  return self;
}

void
allset_zip_writer_free (AllsetZipWriter *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->records);
  g_free (self);
}

guint64
allset_zip_writer_get_offset (AllsetZipWriter *self)
{
  return self->offset;
}

static void
put16 (GByteArray *out,
       guint       value)
{
  guint8 b[2] = { value & 0xff, (value >> 8) & 0xff };

  g_byte_array_append (out, b, 2);
}

static void
put32 (GByteArray *out,
       guint64     value)
{
  guint8 b[4];

  for (guint i = 0; i < 4; i++)
    b[i] = (value >> (8 * i)) & 0xff;
  g_byte_array_append (out, b, 4);
}

static void
put64 (GByteArray *out,
       guint64     value)
{
  put32 (out, value & MAX32);
  put32 (out, value >> 32);
}

/* MS-DOS date and time (two-second steps, 1980 to 2107), clamped. */
static void
dos_time (gint64   mtime,
          guint16 *time_out,
          guint16 *date_out)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (mtime);
  int year = dt ? g_date_time_get_year (dt) : 1980;

  if (dt == NULL || year < 1980)
    {
      *time_out = 0;
      *date_out = (1 << 5) | 1;
      return;
    }
  if (year > 2107)
    {
      *time_out = (23 << 11) | (59 << 5) | 29;
      *date_out = (127 << 9) | (12 << 5) | 31;
      return;
    }
  *time_out = (g_date_time_get_hour (dt) << 11) | (g_date_time_get_minute (dt) << 5) |
              (g_date_time_get_second (dt) / 2);
  *date_out = ((year - 1980) << 9) | (g_date_time_get_month (dt) << 5) |
              g_date_time_get_day_of_month (dt);
}

/* The "UT" field holds a signed 32-bit time: left out past 2038. */
static gboolean
has_unix_time (gint64 mtime)
{
  return mtime >= G_MININT32 && mtime <= G_MAXINT32;
}

static void
put_unix_time (GByteArray *out,
               gint64      mtime)
{
  if (!has_unix_time (mtime))
    return;
  put16 (out, EXTRA_TIME);
  put16 (out, 5);
  g_byte_array_append (out, (const guint8 *) "\1", 1);   /* modification time present */
  put32 (out, (guint32) (gint32) mtime);
}

static GBytes *
take_bytes (GByteArray *out,
            guint64    *offset)
{
  *offset += out->len;
  return g_byte_array_free_to_bytes (out);
}

GBytes *
allset_zip_writer_begin_entry (AllsetZipWriter      *self,
                               const AllsetZipEntry *entry)
{
  GByteArray *out = g_byte_array_new ();
  gsize name_len = strlen (entry->name);
  gboolean zip64 = entry->size >= MAX32;
  Record record = { 0 };

  g_return_val_if_fail (!self->open && !self->finished, NULL);
  g_return_val_if_fail (name_len > 0 && name_len <= MAX16, NULL);

  record.name = g_strdup (entry->name);
  record.size = entry->size;
  record.offset = self->offset;
  record.mtime = entry->mtime;
  record.mode = entry->mode;
  if (self->records->len == 0 || entry->mtime != self->last_mtime)
    {
      dos_time (entry->mtime, &self->last_time, &self->last_date);
      self->last_mtime = entry->mtime;
    }
  record.dos_time = self->last_time;
  record.dos_date = self->last_date;

  put32 (out, SIG_LOCAL);
  put16 (out, zip64 ? VERSION_ZIP64 : VERSION_PLAIN);
  put16 (out, FLAG_DESCRIPTOR | FLAG_UTF8);
  put16 (out, 0);                                 /* stored */
  put16 (out, record.dos_time);
  put16 (out, record.dos_date);
  put32 (out, 0);                                 /* CRC: in the descriptor */
  put32 (out, zip64 ? MAX32 : 0);                 /* sizes: in the descriptor */
  put32 (out, zip64 ? MAX32 : 0);
  put16 (out, name_len);
  put16 (out, (zip64 ? 20 : 0) + (has_unix_time (entry->mtime) ? 9 : 0));
  g_byte_array_append (out, (const guint8 *) entry->name, name_len);
  if (zip64)
    {
      put16 (out, EXTRA_ZIP64);
      put16 (out, 16);
      put64 (out, 0);
      put64 (out, 0);
    }
  put_unix_time (out, entry->mtime);

  g_array_append_val (self->records, record);
  self->open = TRUE;
  return take_bytes (out, &self->offset);
}

GBytes *
allset_zip_writer_end_entry (AllsetZipWriter *self,
                             guint32          crc)
{
  GByteArray *out = g_byte_array_new ();
  Record *record;

  g_return_val_if_fail (self->open, NULL);

  record = &g_array_index (self->records, Record, self->records->len - 1);
  record->crc = crc;
  self->offset += record->size;

  put32 (out, SIG_DESCRIPTOR);
  put32 (out, crc);
  if (record->size >= MAX32)
    {
      put64 (out, record->size);
      put64 (out, record->size);
    }
  else
    {
      put32 (out, record->size);
      put32 (out, record->size);
    }
  self->open = FALSE;
  return take_bytes (out, &self->offset);
}

static void
put_central (GByteArray   *out,
             const Record *record)
{
  gboolean big_size = record->size >= MAX32;
  gboolean big_offset = record->offset >= MAX32;
  guint zip64_len = (big_size ? 16 : 0) + (big_offset ? 8 : 0);
  gsize name_len = strlen (record->name);
  gboolean dir = g_str_has_suffix (record->name, "/");

  put32 (out, SIG_CENTRAL);
  put16 (out, MADE_BY_UNIX | VERSION_ZIP64);
  put16 (out, big_size || big_offset ? VERSION_ZIP64 : VERSION_PLAIN);
  put16 (out, FLAG_DESCRIPTOR | FLAG_UTF8);
  put16 (out, 0);
  put16 (out, record->dos_time);
  put16 (out, record->dos_date);
  put32 (out, record->crc);
  put32 (out, big_size ? MAX32 : record->size);
  put32 (out, big_size ? MAX32 : record->size);
  put16 (out, name_len);
  put16 (out, (zip64_len ? 4 + zip64_len : 0) + (has_unix_time (record->mtime) ? 9 : 0));
  put16 (out, 0);                                 /* comment */
  put16 (out, 0);                                 /* disk */
  put16 (out, 0);                                 /* internal attributes */
  put32 (out, ((guint64) record->mode << 16) | (dir ? 0x10 : 0));   /* 0x10: MS-DOS directory */
  put32 (out, big_offset ? MAX32 : record->offset);
  g_byte_array_append (out, (const guint8 *) record->name, name_len);
  if (zip64_len > 0)
    {
      /* Only the fields set to 0xffffffff above, in this order (§4.5.3). */
      put16 (out, EXTRA_ZIP64);
      put16 (out, zip64_len);
      if (big_size)
        {
          put64 (out, record->size);
          put64 (out, record->size);
        }
      if (big_offset)
        put64 (out, record->offset);
    }
  put_unix_time (out, record->mtime);
}

GBytes *
allset_zip_writer_finish (AllsetZipWriter *self)
{
  GByteArray *out = g_byte_array_new ();
  guint64 start = self->offset;
  guint64 n = self->records->len;
  guint64 size;

  g_return_val_if_fail (!self->open && !self->finished, NULL);

  for (guint i = 0; i < self->records->len; i++)
    put_central (out, &g_array_index (self->records, Record, i));
  size = out->len;

  if (n >= MAX16 || size >= MAX32 || start >= MAX32)
    {
      guint64 end64 = start + size;

      put32 (out, SIG_END64);
      put64 (out, 44);                            /* what follows this field */
      put16 (out, MADE_BY_UNIX | VERSION_ZIP64);
      put16 (out, VERSION_ZIP64);
      put32 (out, 0);                             /* this disk */
      put32 (out, 0);                             /* the directory's disk */
      put64 (out, n);
      put64 (out, n);
      put64 (out, size);
      put64 (out, start);

      put32 (out, SIG_LOCATOR64);
      put32 (out, 0);
      put64 (out, end64);
      put32 (out, 1);                             /* disks */
    }

  put32 (out, SIG_END);
  put16 (out, 0);
  put16 (out, 0);
  put16 (out, MIN (n, MAX16));
  put16 (out, MIN (n, MAX16));
  put32 (out, MIN (size, MAX32));
  put32 (out, MIN (start, MAX32));
  put16 (out, 0);                                 /* comment */

  self->finished = TRUE;
  return take_bytes (out, &self->offset);
}

guint64
allset_zip_length (const AllsetZipEntry *entries,
                   guint                 n_entries)
{
  g_autoptr(AllsetZipWriter) writer = allset_zip_writer_new ();

  /* The writer itself, without data: the count cannot drift from what
   * is sent. The CRC does not change any length. */
  for (guint i = 0; i < n_entries; i++)
    {
      g_bytes_unref (allset_zip_writer_begin_entry (writer, &entries[i]));
      g_bytes_unref (allset_zip_writer_end_entry (writer, 0));
    }
  g_bytes_unref (allset_zip_writer_finish (writer));
  return writer->offset;
}
