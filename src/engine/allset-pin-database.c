/* allset-pin-database.c — AllsetPinDatabase
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-pin-database.h"

#include "allset-client.h"

struct _AllsetPinDatabase
{
  GTlsDatabase  parent_instance;

  char         *pin;
  GMutex        lock;
  GTlsDatabase *system;   /* loaded on first need */
};

G_DEFINE_FINAL_TYPE (AllsetPinDatabase, allset_pin_database, G_TYPE_TLS_DATABASE)

static GTlsDatabase *
dup_system (AllsetPinDatabase *self)
{
  GTlsDatabase *system;

  g_mutex_lock (&self->lock);
  /* The backend's own default, not g_tls_backend_get_default_database():
   * that may be a lazy AllsetPinDatabase itself. */
  if (self->system == NULL)
    {
      GTlsBackend *backend = g_tls_backend_get_default ();
      GTlsBackendInterface *iface = G_TLS_BACKEND_GET_INTERFACE (backend);

      if (iface->get_default_database != NULL)
        self->system = iface->get_default_database (backend);
    }
  system = self->system != NULL ? g_object_ref (self->system) : NULL;
  g_mutex_unlock (&self->lock);
  return system;
}

static gboolean
is_pinned (AllsetPinDatabase *self,
           GTlsCertificate   *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *fingerprint = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;
  fingerprint = allset_client_fingerprint_from_der (der->data, der->len);
  return g_str_equal (fingerprint, self->pin);
}

static GTlsCertificateFlags
validity_flags (GTlsCertificate *certificate)
{
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GTlsCertificateFlags flags = 0;

  g_object_get (certificate, "not-valid-before", &not_before, "not-valid-after", &not_after, NULL);
  if (not_before != NULL && g_date_time_compare (now, not_before) < 0)
    flags |= G_TLS_CERTIFICATE_NOT_ACTIVATED;
  if (not_after != NULL && g_date_time_compare (now, not_after) > 0)
    flags |= G_TLS_CERTIFICATE_EXPIRED;
  return flags;
}

static GTlsCertificateFlags
allset_pin_database_verify_chain (GTlsDatabase             *database,
                                  GTlsCertificate          *chain,
                                  const char               *purpose,
                                  GSocketConnectable       *identity,
                                  GTlsInteraction          *interaction,
                                  GTlsDatabaseVerifyFlags   flags,
                                  GCancellable             *cancellable,
                                  GError                  **error)
{
  AllsetPinDatabase *self = ALLSET_PIN_DATABASE (database);
  g_autoptr(GTlsDatabase) system = NULL;

  /* The pin names the server's own certificate, whoever issued it; the
   * connection still checks the identity, and AllsetClient's
   * accept-certificate handler decides on what is left. */
  if (self->pin != NULL && is_pinned (self, chain))
    return validity_flags (chain);

  system = dup_system (self);
  if (system == NULL)
    return G_TLS_CERTIFICATE_UNKNOWN_CA | validity_flags (chain);
  return g_tls_database_verify_chain (system, chain, purpose, identity, interaction,
                                      flags, cancellable, error);
}

/* What the connection asks besides verify_chain: the system's answers. */
static GTlsCertificate *
allset_pin_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                               GTlsCertificate          *certificate,
                                               GTlsInteraction          *interaction,
                                               GTlsDatabaseLookupFlags   flags,
                                               GCancellable             *cancellable,
                                               GError                  **error)
{
  AllsetPinDatabase *self = ALLSET_PIN_DATABASE (database);
  g_autoptr(GTlsDatabase) system = NULL;

  if ((self->pin != NULL && is_pinned (self, certificate)) || !(system = dup_system (self)))
    return NULL;
  return g_tls_database_lookup_certificate_issuer (system, certificate, interaction,
                                                   flags, cancellable, error);
}

static void
allset_pin_database_finalize (GObject *object)
{
  AllsetPinDatabase *self = ALLSET_PIN_DATABASE (object);

  g_free (self->pin);
  g_clear_object (&self->system);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (allset_pin_database_parent_class)->finalize (object);
}

static void
allset_pin_database_class_init (AllsetPinDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = allset_pin_database_finalize;
  database_class->verify_chain = allset_pin_database_verify_chain;
  database_class->lookup_certificate_issuer = allset_pin_database_lookup_certificate_issuer;
}

static void
allset_pin_database_init (AllsetPinDatabase *self)
{
  g_mutex_init (&self->lock);
}

GTlsDatabase *
allset_pin_database_new (const char *pin)
{
  AllsetPinDatabase *self;

  self = g_object_new (ALLSET_TYPE_PIN_DATABASE, NULL);
  self->pin = g_strdup (pin);
  return G_TLS_DATABASE (self);
}

void
allset_pin_database_install_default (void)
{
  static gsize installed;

  if (g_once_init_enter (&installed))
    {
      g_autoptr(GTlsDatabase) lazy = allset_pin_database_new (NULL);

      g_tls_backend_set_default_database (g_tls_backend_get_default (), lazy);
      g_once_init_leave (&installed, 1);
    }
}

gboolean
allset_pin_database_used_system (AllsetPinDatabase *self)
{
  gboolean used;

  g_return_val_if_fail (ALLSET_IS_PIN_DATABASE (self), FALSE);

  g_mutex_lock (&self->lock);
  used = self->system != NULL;
  g_mutex_unlock (&self->lock);
  return used;
}
