/* allset-json-writer.h — JSON text written straight into a buffer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For the large answers (commits of up to 10 000 receipts, feed pages):
 * json-glib builds a tree of hash tables and then frees it, which took
 * more than half of the server's instructions for a commit (callgrind).
 * This writes the text as it goes. The caller keeps the structure
 * well-formed (one value after each member name, ends matching begins);
 * strings are escaped per RFC 8259 and must be valid UTF-8.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AllsetJsonWriter AllsetJsonWriter;

AllsetJsonWriter *allset_json_writer_new          (void);
void              allset_json_writer_free         (AllsetJsonWriter *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetJsonWriter, allset_json_writer_free)

void              allset_json_writer_begin_object (AllsetJsonWriter *self);
void              allset_json_writer_end_object   (AllsetJsonWriter *self);
void              allset_json_writer_begin_array  (AllsetJsonWriter *self);
void              allset_json_writer_end_array    (AllsetJsonWriter *self);
/* The name of the next member of the object being written. */
void              allset_json_writer_member       (AllsetJsonWriter *self,
                                                   const char       *name);
/* NULL writes null. */
void              allset_json_writer_string       (AllsetJsonWriter *self,
                                                   const char       *value);
void              allset_json_writer_int          (AllsetJsonWriter *self,
                                                   gint64            value);
void              allset_json_writer_bool         (AllsetJsonWriter *self,
                                                   gboolean          value);
/* Shorthands for a member and its value. */
void              allset_json_writer_string_member (AllsetJsonWriter *self,
                                                    const char       *name,
                                                    const char       *value);
void              allset_json_writer_int_member    (AllsetJsonWriter *self,
                                                    const char       *name,
                                                    gint64            value);
void              allset_json_writer_bool_member   (AllsetJsonWriter *self,
                                                    const char       *name,
                                                    gboolean          value);
/* The text so far (the whole document once every begin has its end);
 * frees the writer. */
char             *allset_json_writer_free_to_string (AllsetJsonWriter *self,
                                                     gsize            *length);

G_END_DECLS
