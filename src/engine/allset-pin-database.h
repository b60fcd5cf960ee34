/* allset-pin-database.h — a GTlsDatabase that knows the pinned certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Building the system's default GTlsDatabase parses every CA of the
 * system bundle: on Debian 12 that is ~230 M instructions, 80 % of
 * everything a no-change `allset-cli sync` did (callgrind). A device
 * that pinned its server's certificate never needs it: this database
 * answers for the pinned certificate itself (valid, unless out of its
 * validity period) and hands any other chain to the system's database,
 * loaded then and only then. The rules stay those of AllsetClient:
 * trusted by the system, or pinned, and never expired.
 *
 * A TLS connection asks for the process's default database while it is
 * being built, before libsoup gives it the session's: so the default is
 * replaced too, by a database without a pin that loads the system's on
 * its first verification (allset_pin_database_install_default()).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ALLSET_TYPE_PIN_DATABASE (allset_pin_database_get_type ())
G_DECLARE_FINAL_TYPE (AllsetPinDatabase, allset_pin_database, ALLSET, PIN_DATABASE, GTlsDatabase)

/* pin: a normalised SHA-256 fingerprint (allset_client_fingerprint_normalize),
 * or NULL: the system's database, loaded on first use. */
GTlsDatabase *allset_pin_database_new             (const char        *pin);
/* Makes allset_pin_database_new (NULL) the process's default database
 * (once; later calls do nothing). */
void          allset_pin_database_install_default (void);
/* Tests: whether the system's database was needed so far. */
gboolean      allset_pin_database_used_system     (AllsetPinDatabase *self);

G_END_DECLS
