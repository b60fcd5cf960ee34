/* allset-json.h — strict JSON helpers shared by client and server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* RFC 8259 without json-glib's leniencies, at most ALLSET_JSON_MAX_BYTES,
 * valid UTF-8: anything else is an ALLSET_ERROR_INVALID_JSON error. */
gboolean    allset_json_check        (const char  *data,
                                      gsize        len,
                                      GError     **error);
/* "Member “member” problem", as an ALLSET_ERROR_INVALID_JSON error;
 * answers FALSE. */
gboolean    allset_json_member_error (GError     **error,
                                      const char  *member,
                                      const char  *problem);
/* Parses a JSON object; anything else (or what allset_json_check()
 * refuses) is an ALLSET_ERROR_INVALID_JSON error. */
JsonObject *allset_json_parse_object (const char  *data,
                                      gsize        len,
                                      GError     **error);
/* Typed member getters: a missing member or a wrong type is an
 * ALLSET_ERROR_INVALID_JSON error naming the member. The _opt variants
 * leave *out untouched when the member is absent or null. */
gboolean    allset_json_get_string   (JsonObject  *object,
                                      const char  *member,
                                      const char **out,
                                      GError     **error);
gboolean    allset_json_get_string_opt (JsonObject  *object,
                                      const char  *member,
                                      const char **out,
                                      GError     **error);
gboolean    allset_json_get_int      (JsonObject  *object,
                                      const char  *member,
                                      gint64      *out,
                                      GError     **error);
gboolean    allset_json_get_int_opt  (JsonObject  *object,
                                      const char  *member,
                                      gint64      *out,
                                      GError     **error);
gboolean    allset_json_get_bool_opt (JsonObject  *object,
                                      const char  *member,
                                      gboolean    *out,
                                      GError     **error);
gboolean    allset_json_get_array    (JsonObject  *object,
                                      const char  *member,
                                      JsonArray  **out,
                                      GError     **error);
char       *allset_json_to_string    (JsonNode    *node);
/* {"error":{"code":…,"message":…}} */
JsonNode   *allset_json_error_new    (const char  *code,
                                      const char  *message);

G_END_DECLS
