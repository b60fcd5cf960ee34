/* allset-json-reader.h — reading large JSON documents without a tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib builds a GObject node for every value: reading a commit of
 * 10 000 operations that way costs ~60 000 instructions an operation, a
 * fifth of the server's work for small files. A span is the text of one
 * value inside a document that allset_json_read_document() checked exactly
 * as allset_json_parse_object() checks bodies (RFC 8259, size, UTF-8,
 * depth), so reading a span never meets a syntax error, only a missing
 * member or a wrong type, which the typed getters report with the words
 * of allset_json_get_*(). Spans point into the document: keep it alive.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  ALLSET_JSON_ABSENT = 0,   /* an empty span: member missing */
  ALLSET_JSON_NULL,
  ALLSET_JSON_BOOLEAN,
  ALLSET_JSON_INTEGER,
  ALLSET_JSON_DOUBLE,       /* a number with a fraction or an exponent */
  ALLSET_JSON_STRING,
  ALLSET_JSON_ARRAY,
  ALLSET_JSON_OBJECT,
} AllsetJsonKind;

typedef struct
{
  const char *start;   /* NULL: empty span */
  const char *end;     /* one past the value's last byte */
} AllsetJsonSpan;

/* Checks data as allset_json_parse_object() does, and gives the span of
 * its root, which must be an object. */
gboolean        allset_json_read_document (const char           *data,
                                           gsize                 len,
                                           AllsetJsonSpan       *root,
                                           GError              **error);
AllsetJsonKind  allset_json_span_kind     (const AllsetJsonSpan *span);
/* For an object span: values[i] becomes the span of member names[i]
 * (names ends with NULL), empty when absent; a repeated member counts
 * by its last occurrence, as in json-glib. Other members are skipped. */
void            allset_json_span_members  (const AllsetJsonSpan *object,
                                           const char * const   *names,
                                           AllsetJsonSpan       *values);
/* Elements of an array span: *cursor starts at NULL; answers FALSE after
 * the last element. */
gboolean        allset_json_span_next     (const AllsetJsonSpan *array,
                                           const char          **cursor,
                                           AllsetJsonSpan       *element);
guint           allset_json_span_length   (const AllsetJsonSpan *array);
/* The decoded text of a string span, NUL-terminated, or NULL for a lone
 * UTF-16 surrogate (\ud800 without its pair), which is not a character. */
char           *allset_json_span_dup_string (const AllsetJsonSpan *string);

/* The span as a json-glib tree, built without json-glib's scanner (which
 * costs most of a parse); NULL for a string holding a lone surrogate. */
JsonNode       *allset_json_span_to_node    (const AllsetJsonSpan *span);

/* Typed member reads, as allset_json_get_*(): a null member counts as
 * absent; absent is an error naming the member unless optional, which
 * leaves *out untouched; a wrong type is an ALLSET_ERROR_INVALID_JSON
 * error naming the member. */
gboolean        allset_json_span_get_string (const AllsetJsonSpan *value,
                                             const char           *member,
                                             gboolean              optional,
                                             char                **out,
                                             GError              **error);
gboolean        allset_json_span_get_int    (const AllsetJsonSpan *value,
                                             const char           *member,
                                             gboolean              optional,
                                             gint64               *out,
                                             GError              **error);
gboolean        allset_json_span_get_bool   (const AllsetJsonSpan *value,
                                             const char           *member,
                                             gboolean              optional,
                                             gboolean             *out,
                                             GError              **error);
gboolean        allset_json_span_get_array  (const AllsetJsonSpan *value,
                                             const char           *member,
                                             GError              **error);

G_END_DECLS
