/* allset-error.c — protocol error codes (docs/protocol.md, "Errors")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-error.h"

G_DEFINE_QUARK (allset-protocol-error-quark, allset_protocol_error)

typedef struct
{
  const char *string;
  guint       status;
} ErrorInfo;

/* Indexed by AllsetErrorCode; must match the table in docs/protocol.md.
 * NONE is no error at all, hence no string and 200. */
static const ErrorInfo error_info[] = {
  [ALLSET_ERROR_NONE]                  = { NULL,                    200 },
  [ALLSET_ERROR_BAD_REQUEST]           = { "bad_request",           400 },
  [ALLSET_ERROR_INVALID_JSON]          = { "invalid_json",          400 },
  [ALLSET_ERROR_INVALID_NAME]          = { "invalid_name",          400 },
  [ALLSET_ERROR_UNAUTHORIZED]          = { "unauthorized",          401 },
  [ALLSET_ERROR_TOKEN_EXPIRED]         = { "token_expired",         401 },
  [ALLSET_ERROR_ACCOUNT_SUSPENDED]     = { "account_suspended",     403 },
  [ALLSET_ERROR_NOT_FOUND]             = { "not_found",             404 },
  [ALLSET_ERROR_METHOD_NOT_ALLOWED]    = { "method_not_allowed",    405 },
  [ALLSET_ERROR_CONFLICT]              = { "conflict",              409 },
  [ALLSET_ERROR_NOT_A_DIRECTORY]       = { "not_a_directory",       409 },
  [ALLSET_ERROR_CASE_CONFLICT]         = { "case_conflict",         409 },
  [ALLSET_ERROR_LENGTH_REQUIRED]       = { "length_required",       411 },
  [ALLSET_ERROR_PAYLOAD_TOO_LARGE]     = { "payload_too_large",     413 },
  [ALLSET_ERROR_RANGE_NOT_SATISFIABLE] = { "range_not_satisfiable", 416 },
  [ALLSET_ERROR_HASH_MISMATCH]         = { "hash_mismatch",         422 },
  [ALLSET_ERROR_UNKNOWN_CHUNK]         = { "unknown_chunk",         422 },
  [ALLSET_ERROR_TOO_MANY_ATTEMPTS]     = { "too_many_attempts",     429 },
  [ALLSET_ERROR_INTERNAL]              = { "internal_error",        500 },
  [ALLSET_ERROR_MAINTENANCE]           = { "maintenance",           503 },
  [ALLSET_ERROR_QUOTA_EXCEEDED]        = { "quota_exceeded",        507 },
  [ALLSET_ERROR_STORAGE_FULL]          = { "storage_full",          507 },
  [ALLSET_ERROR_SUSPENDED]             = { "suspended",             403 },
};
G_STATIC_ASSERT (G_N_ELEMENTS (error_info) == ALLSET_ERROR_LAST);

const char *
allset_error_code_to_string (AllsetErrorCode code)
{
  if ((guint) code >= ALLSET_ERROR_LAST)
    return NULL;

  return error_info[code].string;
}

/* ALLSET_ERROR_NONE for a string that is not a protocol code. */
AllsetErrorCode
allset_error_code_from_string (const char *string)
{
  if (string == NULL)
    return ALLSET_ERROR_NONE;

  for (guint i = ALLSET_ERROR_NONE + 1; i < ALLSET_ERROR_LAST; i++)
    {
      if (strcmp (error_info[i].string, string) == 0)
        return i;
    }

  return ALLSET_ERROR_NONE;
}

/* 500 for a code outside the table: an unknown error is a server fault. */
guint
allset_error_code_http_status (AllsetErrorCode code)
{
  if ((guint) code >= ALLSET_ERROR_LAST)
    return 500;

  return error_info[code].status;
}
