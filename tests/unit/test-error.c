/* test-error.c — protocol error codes, strings and HTTP statuses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-protocol.h"

/* The table of docs/protocol.md, "Errors", row by row. */
static const struct {
  AllsetErrorCode  code;
  const char      *string;
  guint            status;
} table[] = {
  { ALLSET_ERROR_BAD_REQUEST,           "bad_request",           400 },
  { ALLSET_ERROR_INVALID_JSON,          "invalid_json",          400 },
  { ALLSET_ERROR_INVALID_NAME,          "invalid_name",          400 },
  { ALLSET_ERROR_UNAUTHORIZED,          "unauthorized",          401 },
  { ALLSET_ERROR_TOKEN_EXPIRED,         "token_expired",         401 },
  { ALLSET_ERROR_ACCOUNT_SUSPENDED,     "account_suspended",     403 },
  { ALLSET_ERROR_NOT_FOUND,             "not_found",             404 },
  { ALLSET_ERROR_METHOD_NOT_ALLOWED,    "method_not_allowed",    405 },
  { ALLSET_ERROR_CONFLICT,              "conflict",              409 },
  { ALLSET_ERROR_NOT_A_DIRECTORY,       "not_a_directory",       409 },
  { ALLSET_ERROR_CASE_CONFLICT,         "case_conflict",         409 },
  { ALLSET_ERROR_LENGTH_REQUIRED,       "length_required",       411 },
  { ALLSET_ERROR_PAYLOAD_TOO_LARGE,     "payload_too_large",     413 },
  { ALLSET_ERROR_RANGE_NOT_SATISFIABLE, "range_not_satisfiable", 416 },
  { ALLSET_ERROR_HASH_MISMATCH,         "hash_mismatch",         422 },
  { ALLSET_ERROR_UNKNOWN_CHUNK,         "unknown_chunk",         422 },
  { ALLSET_ERROR_TOO_MANY_ATTEMPTS,     "too_many_attempts",     429 },
  { ALLSET_ERROR_INTERNAL,              "internal_error",        500 },
  { ALLSET_ERROR_MAINTENANCE,           "maintenance",           503 },
  { ALLSET_ERROR_QUOTA_EXCEEDED,        "quota_exceeded",        507 },
  { ALLSET_ERROR_STORAGE_FULL,          "storage_full",          507 },
  { ALLSET_ERROR_SUSPENDED,             "suspended",             403 },
};

static void
test_table (void)
{
  /* Every code but NONE is in the table exactly once. */
  g_assert_cmpuint (G_N_ELEMENTS (table), ==, ALLSET_ERROR_LAST - 1);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (allset_error_code_to_string (table[i].code), ==, table[i].string);
      g_assert_cmpint (allset_error_code_from_string (table[i].string), ==, table[i].code);
      g_assert_cmpuint (allset_error_code_http_status (table[i].code), ==, table[i].status);
    }
}

static void
test_round_trip (void)
{
  for (AllsetErrorCode code = ALLSET_ERROR_NONE + 1; code < ALLSET_ERROR_LAST; code++)
    {
      const char *string = allset_error_code_to_string (code);

      g_assert_nonnull (string);
      g_assert_cmpint (allset_error_code_from_string (string), ==, code);
    }
}

static void
test_unknown (void)
{
  g_assert_null (allset_error_code_to_string (ALLSET_ERROR_NONE));
  g_assert_null (allset_error_code_to_string (ALLSET_ERROR_LAST));
  g_assert_null (allset_error_code_to_string ((AllsetErrorCode) 1000));

  g_assert_cmpint (allset_error_code_from_string ("no_such_code"), ==, ALLSET_ERROR_NONE);
  g_assert_cmpint (allset_error_code_from_string ("Not_Found"), ==, ALLSET_ERROR_NONE);
  g_assert_cmpint (allset_error_code_from_string (""), ==, ALLSET_ERROR_NONE);
  g_assert_cmpint (allset_error_code_from_string (NULL), ==, ALLSET_ERROR_NONE);

  g_assert_cmpuint (allset_error_code_http_status (ALLSET_ERROR_LAST), ==, 500);
}

static void
test_quark (void)
{
  g_autoptr(GError) error = g_error_new_literal (ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT, "x");

  g_assert_cmpstr (g_quark_to_string (ALLSET_PROTOCOL_ERROR), ==, "allset-protocol-error-quark");
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/error/table", test_table);
  g_test_add_func ("/error/round-trip", test_round_trip);
  g_test_add_func ("/error/unknown", test_unknown);
  g_test_add_func ("/error/quark", test_quark);

  return g_test_run ();
}
