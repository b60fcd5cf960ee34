/* allset-error.h — protocol error codes (docs/protocol.md, "Errors")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ALLSET_PROTOCOL_ERROR (allset_protocol_error_quark ())
GQuark allset_protocol_error_quark (void);

/* GError codes in the ALLSET_PROTOCOL_ERROR domain. */
typedef enum
{
  ALLSET_ERROR_NONE = 0,
  ALLSET_ERROR_BAD_REQUEST,
  ALLSET_ERROR_INVALID_JSON,
  ALLSET_ERROR_INVALID_NAME,
  ALLSET_ERROR_UNAUTHORIZED,
  ALLSET_ERROR_TOKEN_EXPIRED,
  ALLSET_ERROR_ACCOUNT_SUSPENDED,
  ALLSET_ERROR_NOT_FOUND,
  ALLSET_ERROR_METHOD_NOT_ALLOWED,
  ALLSET_ERROR_CONFLICT,
  ALLSET_ERROR_NOT_A_DIRECTORY,
  ALLSET_ERROR_CASE_CONFLICT,
  ALLSET_ERROR_LENGTH_REQUIRED,
  ALLSET_ERROR_PAYLOAD_TOO_LARGE,
  ALLSET_ERROR_RANGE_NOT_SATISFIABLE,
  ALLSET_ERROR_HASH_MISMATCH,
  ALLSET_ERROR_UNKNOWN_CHUNK,
  ALLSET_ERROR_TOO_MANY_ATTEMPTS,
  ALLSET_ERROR_INTERNAL,
  ALLSET_ERROR_MAINTENANCE,
  ALLSET_ERROR_QUOTA_EXCEEDED,
  ALLSET_ERROR_STORAGE_FULL,
  ALLSET_ERROR_SUSPENDED,          /* a share link suspended by ALLSET (terms R16) */
  ALLSET_ERROR_LAST,
} AllsetErrorCode;

/* "quota_exceeded" etc.; NULL for an unknown code. */
const char     *allset_error_code_to_string   (AllsetErrorCode code);
AllsetErrorCode allset_error_code_from_string (const char     *string);
guint           allset_error_code_http_status (AllsetErrorCode code);

G_END_DECLS
