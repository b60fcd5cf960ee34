/* allset-password.h — account passwords (Argon2id) and random tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

/* Argon2id, m = 19 MiB, t = 2, p = 1 (the OWASP minimum), 16-byte random
 * salt, 32-byte hash, as the PHC string "$argon2id$v=19$m=19456,t=2,p=1$…". */
char     *allset_password_hash    (const char  *password,
                                   GError     **error);
/* FALSE for a wrong password and for any malformed or NULL input. */
gboolean  allset_password_verify  (const char  *encoded,
                                   const char  *password);

/* n_bytes random bytes from the key-grade generator, as base64url without
 * padding. Device tokens use at least 32 bytes. */
char     *allset_random_token     (gsize        n_bytes);

#define ALLSET_PASSWORD_MIN_CHARS 8

/* A new password for the admin tool, never from the command line where `ps`
 * would show it: a terminal gets a prompt (on stderr) without echo and one
 * line is read; a pipe or file is read to its end. One trailing newline is
 * dropped. Refuses an empty password, one under ALLSET_PASSWORD_MIN_CHARS
 * characters, over 4096 bytes or not UTF-8, with a message for the user. */
char     *allset_password_read    (FILE        *stream,
                                   GError     **error);

G_END_DECLS
