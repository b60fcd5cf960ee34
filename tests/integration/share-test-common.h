/* share-test-common.h — helpers shared by the share-link integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-shares, test-share-downloads and test-share-abuse all sign in,
 * upload a file, create a link and fetch its public pages the same way,
 * and all check the rules every public answer follows (no indexing, no
 * referrer, a strict CSP, no script). One copy here keeps those rules the
 * same in the three programs when they change. Every helper asserts what
 * its comment says and aborts the test otherwise.
 */

#pragma once

#include "allset-test-server.h"

G_BEGIN_DECLS

/* `admin account-add USERNAME` with the password share_test_login() uses. */
void                share_test_add_account      (AllsetTestServer   *server,
                                                 const char         *username);
/* Signs USERNAME in (device "laptop"); returns the token. */
char               *share_test_login            (AllsetTestServer   *server,
                                                 const char         *username);
/* Uploads size random bytes in chunks of chunk_size and commits them at
 * path; asserts 200 for the commit and its operation. */
AllsetTestContent  *share_test_put_file         (AllsetTestServer   *server,
                                                 const char         *token,
                                                 const char         *path,
                                                 gsize               size,
                                                 gsize               chunk_size);

/* POST /api/v1/shares; asserts 201 and returns the response. */
AllsetTestResponse *share_test_create           (AllsetTestServer   *server,
                                                 const char         *token,
                                                 const char         *json);
/* The same, returning only the link's url path ("/s/TOKEN"). */
char               *share_test_create_url       (AllsetTestServer   *server,
                                                 const char         *token,
                                                 const char         *json);
/* PATCH path with a JSON body. */
AllsetTestResponse *share_test_patch_json       (AllsetTestServer   *server,
                                                 const char         *path,
                                                 const char         *token,
                                                 const char         *json);

/* GET path without a token; headers as for allset_test_request(). */
AllsetTestResponse *share_test_public_get       (AllsetTestServer   *server,
                                                 const char         *path,
                                                 const char *const  *headers);
/* POST path without a token, form being application/x-www-form-urlencoded. */
AllsetTestResponse *share_test_post_form        (AllsetTestServer   *server,
                                                 const char         *path,
                                                 const char         *form);
/* POST url_path "password=…" (escaped), as the password form does. */
AllsetTestResponse *share_test_post_password    (AllsetTestServer   *server,
                                                 const char         *url_path,
                                                 const char         *password);

/* The body as text ("" when empty). */
const char         *share_test_body_text        (AllsetTestResponse *r);
/* Asserts that the body contains text, printing the body if not. */
void                share_test_assert_contains  (AllsetTestResponse *r,
                                                 const char         *text);
/* The headers every public answer carries, whatever its status and type
 * (pages, downloads, zips, robots.txt): see docs/protocol.md. */
void                share_test_assert_public_headers (AllsetTestResponse *r);
/* status, the public headers, and a French HTML page that asks not to be
 * indexed and holds no script. */
void                share_test_assert_public_html    (AllsetTestResponse *r,
                                                      guint               status);

G_END_DECLS
