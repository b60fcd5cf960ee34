/* allset-zip.h — the bytes of a ZIP archive written on the fly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Entries are stored (no compression) with UTF-8 names (flag bit 11) and a
 * data descriptor after the data (flag bit 3), so the CRC-32 can be
 * computed while the data streams. ZIP64 fields appear only where a size,
 * an offset or the number of entries does not fit the classic ones. */
typedef struct
{
  const char *name;    /* relative UTF-8 path with "/"; a directory's ends with "/" */
  guint64     size;    /* bytes of data that follow the header; 0 for a directory */
  gint64      mtime;   /* seconds since the Unix epoch */
  guint32     mode;    /* Unix mode with its type bits: 0100644, 0100755, 040755 */
} AllsetZipEntry;

typedef struct _AllsetZipWriter AllsetZipWriter;

/* The writer produces bytes and never does I/O: the caller sends, in
 * order, begin_entry()'s header, exactly entry->size bytes of data,
 * end_entry()'s descriptor, and after the last entry finish()'s central
 * directory. It keeps what the central directory needs of each entry
 * (about 60 bytes plus the name). */
AllsetZipWriter *allset_zip_writer_new         (void);
void             allset_zip_writer_free        (AllsetZipWriter      *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetZipWriter, allset_zip_writer_free)

GBytes          *allset_zip_writer_begin_entry (AllsetZipWriter      *self,
                                                const AllsetZipEntry *entry);
/* crc: CRC-32 (zlib's crc32()) of the entry's data. */
GBytes          *allset_zip_writer_end_entry   (AllsetZipWriter      *self,
                                                guint32               crc);
GBytes          *allset_zip_writer_finish      (AllsetZipWriter      *self);
/* Bytes of the archive so far; an entry's data counts once it is closed. */
guint64          allset_zip_writer_get_offset  (AllsetZipWriter      *self);

/* The exact length of the archive of these entries, known before any
 * byte is written (a Content-Length). */
guint64          allset_zip_length             (const AllsetZipEntry *entries,
                                                guint                 n_entries);

G_END_DECLS
