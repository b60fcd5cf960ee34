/* allset-secrets.c — the device token in the Secret Service or a 0600 file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "allset-secrets.h"

/* A token is a few dozen characters; anything much longer is not ours. */
#define TOKEN_FILE_MAX 4096

struct _AllsetSecrets
{
  GObject  parent_instance;

  char    *token_file;
};

G_DEFINE_TYPE (AllsetSecrets, allset_secrets, G_TYPE_OBJECT)

G_DEFINE_QUARK (allset-secrets-error-quark, allset_secrets_error)

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    ALLSET_SECRETS_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static void
allset_secrets_finalize (GObject *object)
{
  AllsetSecrets *self = ALLSET_SECRETS (object);

  g_free (self->token_file);

  G_OBJECT_CLASS (allset_secrets_parent_class)->finalize (object);
}

static void
allset_secrets_class_init (AllsetSecretsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_secrets_finalize;
}

static void
allset_secrets_init (AllsetSecrets *self)
{
}

AllsetSecrets *
allset_secrets_new (const char *token_file)
{
  AllsetSecrets *self = g_object_new (ALLSET_TYPE_SECRETS, NULL);

  if (token_file != NULL && *token_file != '\0')
    self->token_file = g_strdup (token_file);
  return self;
}

const char *
allset_secrets_get_token_file (AllsetSecrets *self)
{
  g_return_val_if_fail (ALLSET_IS_SECRETS (self), NULL);

  return self->token_file;
}

void
allset_secrets_disconnect (void)
{
  secret_service_disconnect ();
}

/* Any libsecret failure means we cannot keep the token there. */
static gboolean
unavailable (GError  **error,
             GError   *cause)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, cause);
      return FALSE;
    }

  g_set_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_UNAVAILABLE,
               _("No Secret Service (keyring) is available to keep the device token: %s"),
               cause->message);
  g_error_free (cause);
  return FALSE;
}

/* ---- token file --------------------------------------------------------- */

static char *
file_read (const char  *path,
           GError     **error)
{
  g_autofree char *contents = NULL;
  struct stat st;
  gssize n;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        return NULL;
      g_set_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_FAILED,
                   _("Cannot read the token file %s: %s"), path, g_strerror (saved));
      return NULL;
    }

  /* Checked on the open descriptor: what is checked is what is read. */
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_INSECURE_FILE,
                   _("The token file %s is not a regular file"), path);
      return NULL;
    }

  if (st.st_uid != geteuid () || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      close (fd);
      g_set_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_INSECURE_FILE,
                   _("Refusing to read the token file %s: it must belong to you and be "
                     "readable by you only (mode %04o; run “chmod 600 %s”)"),
                   path, (guint) (st.st_mode & 07777), path);
      return NULL;
    }

  contents = g_malloc0 (TOKEN_FILE_MAX + 1);
  n = read (fd, contents, TOKEN_FILE_MAX);
  close (fd);
  if (n < 0)
    {
      g_set_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_FAILED,
                   _("Cannot read the token file %s: %s"), path, g_strerror (errno));
      return NULL;
    }

  g_strstrip (contents);
  if (*contents == '\0')
    return NULL;

  return g_steal_pointer (&contents);
}

static gboolean
file_write (const char  *path,
            const char  *token,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = g_strconcat (token, "\n", NULL);
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_FAILED,
                   _("Cannot create the directory %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  /* A temporary file created with O_EXCL and mode 0600, fsynced, then
   * renamed over path: the token is never readable by others, not even
   * for an instant. */
  ok = g_file_set_contents_full (path, contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error);
  memset (contents, 0, strlen (contents));
  if (!ok)
    {
      g_set_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_FAILED,
                   _("Cannot write the token file %s: %s"), path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
file_clear (const char  *path,
            GError     **error)
{
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_FAILED,
                   _("Cannot delete the token file %s: %s"), path, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

/* ---- public ------------------------------------------------------------- */

/* The shared service with a session open, or NULL with an UNAVAILABLE
 * error. The SecretService calls are used rather than the simpler
 * secret_password_*() ones: in libsecret 0.20, secret_password_lookup_sync()
 * leaks the D-Bus reply of every item it finds (seen under LeakSanitizer). */
static SecretService *
get_service (GCancellable  *cancellable,
             GError       **error)
{
  GError *local_error = NULL;
  SecretService *service;

  service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, cancellable, &local_error);
  if (service == NULL)
    unavailable (error, local_error);
  return service;
}

gboolean
allset_secrets_check (AllsetSecrets  *self,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(SecretService) service = NULL;

  g_return_val_if_fail (ALLSET_IS_SECRETS (self), FALSE);

  if (self->token_file != NULL)
    return TRUE;

  /* Opening a session is a real round trip: it fails when no service
   * answers on the bus. */
  service = get_service (cancellable, error);
  return service != NULL;
}

static GHashTable *
token_attributes (const char *server,
                  const char *username)
{
  return secret_attributes_build (token_schema (),
                                  "server", server,
                                  "username", username,
                                  NULL);
}

gboolean
allset_secrets_store (AllsetSecrets  *self,
                      const char     *server,
                      const char     *username,
                      const char     *token,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (ALLSET_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (server != NULL && username != NULL && token != NULL, FALSE);

  if (self->token_file != NULL)
    return file_write (self->token_file, token, error);

  if (!(service = get_service (cancellable, error)))
    return FALSE;

  /* TRANSLATORS: the label of the keyring entry, e.g. in Seahorse. */
  label = g_strdup_printf (_("ALLSET Sync device token for %s on %s"), username, server);
  attributes = token_attributes (server, username);
  value = secret_value_new (token, -1, "text/plain");
  /* Replaces the item with the same attributes, if any. */
  if (!secret_service_store_sync (service, token_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                                  label, value, cancellable, &local_error))
    return unavailable (error, local_error);

  return TRUE;
}

char *
allset_secrets_lookup (AllsetSecrets  *self,
                       const char     *server,
                       const char     *username,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  GError *local_error = NULL;
  GList *items;
  char *token = NULL;

  g_return_val_if_fail (ALLSET_IS_SECRETS (self), NULL);
  g_return_val_if_fail (server != NULL && username != NULL, NULL);

  if (self->token_file != NULL)
    return file_read (self->token_file, error);

  if (!(service = get_service (cancellable, error)))
    return NULL;

  attributes = token_attributes (server, username);
  items = secret_service_search_sync (service, token_schema (), attributes,
                                      SECRET_SEARCH_LOAD_SECRETS | SECRET_SEARCH_UNLOCK,
                                      cancellable, &local_error);
  if (local_error != NULL)
    {
      unavailable (error, local_error);
      return NULL;
    }

  if (items != NULL)
    value = secret_item_get_secret (items->data);
  if (value != NULL)
    token = g_strdup (secret_value_get_text (value));
  g_list_free_full (items, g_object_unref);

  return token;
}

gboolean
allset_secrets_clear (AllsetSecrets  *self,
                      const char     *server,
                      const char     *username,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (ALLSET_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (server != NULL && username != NULL, FALSE);

  if (self->token_file != NULL)
    return file_clear (self->token_file, error);

  if (!(service = get_service (cancellable, error)))
    return FALSE;

  /* FALSE without error: there was nothing to delete. */
  attributes = token_attributes (server, username);
  secret_service_clear_sync (service, token_schema (), attributes, cancellable, &local_error);
  if (local_error != NULL)
    return unavailable (error, local_error);

  return TRUE;
}
