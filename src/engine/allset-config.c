/* allset-config.c — the client's configuration: CONFIG_DIR/allset.conf
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GKeyFile is kept as loaded, so groups and keys written by a newer
 * version survive a save; the known keys are parsed into plain structs and
 * written back from them.
 *
 * Read elsewhere too: the Nautilus extension cannot link the engine, so
 * src/nautilus/allset-nautilus-folders.c reads this file's place, the
 * [folder "ID"] groups' "local" and "remote" keys and the path rules of
 * allset_config_remote_path_for() itself. Change both together.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-config.h"
#include "allset-protocol.h"

#define CONFIG_FILE   "allset.conf"
#define ACCOUNT_GROUP "account"

typedef enum
{
  ACCOUNT_SERVER,
  ACCOUNT_USERNAME,
  ACCOUNT_DEVICE_ID,
  ACCOUNT_FINGERPRINT,
  ACCOUNT_TOKEN_FILE,
  N_ACCOUNT_KEYS,
} AccountKey;

static const char * const account_keys[N_ACCOUNT_KEYS] = {
  [ACCOUNT_SERVER] = "server",
  [ACCOUNT_USERNAME] = "username",
  [ACCOUNT_DEVICE_ID] = "device_id",
  [ACCOUNT_FINGERPRINT] = "fingerprint",
  [ACCOUNT_TOKEN_FILE] = "token_file",
};

struct _AllsetConfig
{
  GObject    parent_instance;

  char      *dir;
  char      *path;
  GKeyFile  *keyfile;
  char      *account[N_ACCOUNT_KEYS];  /* NULL when empty */
  GPtrArray *folders;                  /* AllsetFolderConfig */
};

G_DEFINE_TYPE (AllsetConfig, allset_config, G_TYPE_OBJECT)

G_DEFINE_QUARK (allset-config-error-quark, allset_config_error)

/* Keys that would hold a secret: never accepted in the file. */
static const char * const secret_keys[] = { "token", "password", "secret", "device_token" };

static const char * const policies[] = {
  [ALLSET_METERED_PAUSE] = "pause",
  [ALLSET_METERED_SMALL_FILES] = "small-files",
  [ALLSET_METERED_ALWAYS] = "always",
};

const char *
allset_metered_policy_to_string (AllsetMeteredPolicy policy)
{
  g_return_val_if_fail ((guint) policy < G_N_ELEMENTS (policies), NULL);

  return policies[policy];
}

gboolean
allset_metered_policy_from_string (const char          *text,
                                   AllsetMeteredPolicy *policy)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (policies); i++)
    {
      if (g_str_equal (text, policies[i]))
        {
          *policy = i;
          return TRUE;
        }
    }

  return FALSE;
}

static void
folder_free (AllsetFolderConfig *folder)
{
  g_free (folder->id);
  g_free (folder->local);
  g_free (folder->remote);
  g_free (folder->journal);
  g_free (folder);
}

static void
allset_config_finalize (GObject *object)
{
  AllsetConfig *self = ALLSET_CONFIG (object);

  g_free (self->dir);
  g_free (self->path);
  g_clear_pointer (&self->keyfile, g_key_file_unref);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  for (guint i = 0; i < N_ACCOUNT_KEYS; i++)
    g_free (self->account[i]);

  G_OBJECT_CLASS (allset_config_parent_class)->finalize (object);
}

static void
allset_config_class_init (AllsetConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_config_finalize;
}

static void
allset_config_init (AllsetConfig *self)
{
  self->keyfile = g_key_file_new ();
  self->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_free);
}

char *
allset_config_default_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "allset", NULL);
}

char *
allset_config_state_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "allset", NULL);
}

/* ---- paths -------------------------------------------------------------- */

/* Absolute, without "." and "..", symlinks resolved when it exists. */
static char *
resolve_path (const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  char *real = realpath (absolute, NULL);

  if (real != NULL)
    {
      char *copy = g_strdup (real);

      free (real);
      return copy;
    }

  return g_steal_pointer (&absolute);
}

/* TRUE if path is dir or lies below it. Both absolute and canonical. */
static gboolean
path_within (const char *path,
             const char *dir)
{
  gsize len = strlen (dir);

  if (g_str_equal (dir, "/"))
    return TRUE;

  return strncmp (path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* ---- load --------------------------------------------------------------- */

static gboolean
invalid (GError     **error,
         const char  *path,
         const char  *group,
         const char  *what)
{
  g_set_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_INVALID,
               _("%s, group [%s]: %s"), path, group, what);
  return FALSE;
}

static gboolean
id_is_valid (const char *id)
{
  if (*id == '\0' || strlen (id) > 64)
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;

  return TRUE;
}

static char *
get_string (GKeyFile   *keyfile,
            const char *group,
            const char *key)
{
  char *value = g_key_file_get_string (keyfile, group, key, NULL);

  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static gboolean
get_size (AllsetConfig  *self,
          const char    *group,
          const char    *key,
          guint64        fallback,
          guint64       *out,
          GError       **error)
{
  g_autofree char *text = get_string (self->keyfile, group, key);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;

  *out = fallback;
  if (text == NULL || allset_size_parse (text, out, &local_error))
    return TRUE;

  message = g_strdup_printf ("%s: %s", key, local_error->message);
  return invalid (error, self->path, group, message);
}

static gboolean
load_folder (AllsetConfig  *self,
             const char    *group,
             const char    *id,
             GError       **error)
{
  AllsetFolderConfig *folder = g_new0 (AllsetFolderConfig, 1);
  g_autofree char *policy = NULL;
  g_autofree char *remote = NULL;
  g_autoptr(GError) local_error = NULL;

  g_ptr_array_add (self->folders, folder);
  folder->id = g_strdup (id);

  if (!id_is_valid (id))
    return invalid (error, self->path, group,
                    _("a folder id is 1 to 64 letters, digits, “-” or “_”"));

  folder->local = get_string (self->keyfile, group, "local");
  if (folder->local == NULL || !g_path_is_absolute (folder->local))
    return invalid (error, self->path, group, _("“local” must be an absolute path"));

  remote = g_key_file_get_string (self->keyfile, group, "remote", NULL);
  folder->remote = allset_path_normalize (remote != NULL ? remote : "", TRUE, &local_error);
  if (folder->remote == NULL)
    {
      g_autofree char *message = g_strdup_printf ("remote: %s", local_error->message);

      return invalid (error, self->path, group, message);
    }

  folder->journal = get_string (self->keyfile, group, "journal");
  if (folder->journal == NULL)
    {
      g_autofree char *state = allset_config_state_dir ();
      g_autofree char *name = g_strconcat (id, ".db", NULL);

      folder->journal = g_build_filename (state, name, NULL);
    }
  else if (!g_path_is_absolute (folder->journal))
    return invalid (error, self->path, group, _("“journal” must be an absolute path"));

  policy = get_string (self->keyfile, group, "metered_policy");
  folder->metered_policy = ALLSET_METERED_PAUSE;
  if (policy != NULL && !allset_metered_policy_from_string (policy, &folder->metered_policy))
    return invalid (error, self->path, group,
                    _("“metered_policy” must be pause, small-files or always"));

  return get_size (self, group, "small_files_max", ALLSET_CONFIG_SMALL_FILES_MAX_DEFAULT,
                   &folder->small_files_max, error) &&
         get_size (self, group, "bandwidth_up", 0, &folder->bandwidth_up, error) &&
         get_size (self, group, "bandwidth_down", 0, &folder->bandwidth_down, error);
}

static void account_load (AllsetConfig *self);

/* "folder \"ID\"" → "ID" (NULL for other groups). */
static char *
folder_group_id (const char *group)
{
  gsize len = strlen (group);

  if (!g_str_has_prefix (group, "folder \"") || len < strlen ("folder \"\"") ||
      group[len - 1] != '"')
    return NULL;

  return g_strndup (group + strlen ("folder \""), len - strlen ("folder \"") - 1);
}

AllsetConfig *
allset_config_load (const char  *config_dir,
                    GError     **error)
{
  g_autoptr(AllsetConfig) self = g_object_new (ALLSET_TYPE_CONFIG, NULL);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  self->dir = config_dir != NULL && *config_dir != '\0'
              ? g_canonicalize_filename (config_dir, NULL)
              : allset_config_default_dir ();
  self->path = g_build_filename (self->dir, CONFIG_FILE, NULL);

  if (!g_key_file_load_from_file (self->keyfile, self->path, G_KEY_FILE_KEEP_COMMENTS,
                                  &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, ALLSET_CONFIG_ERROR,
                       local_error->domain == G_KEY_FILE_ERROR
                       ? ALLSET_CONFIG_ERROR_INVALID : ALLSET_CONFIG_ERROR_FAILED,
                       _("Cannot read %s: %s"), self->path, local_error->message);
          return NULL;
        }
      return g_steal_pointer (&self);
    }

  for (guint i = 0; i < G_N_ELEMENTS (secret_keys); i++)
    {
      g_auto(GStrv) all = g_key_file_get_groups (self->keyfile, NULL);

      for (guint j = 0; all[j] != NULL; j++)
        {
          if (g_key_file_has_key (self->keyfile, all[j], secret_keys[i], NULL))
            {
              g_set_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_INVALID,
                           _("%s must not hold secrets: remove the key “%s” from [%s] "
                             "(the device token is kept in the keyring or in a token file)"),
                           self->path, secret_keys[i], all[j]);
              return NULL;
            }
        }
    }

  account_load (self);

  groups = g_key_file_get_groups (self->keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *id = folder_group_id (groups[i]);

      if (id != NULL && !load_folder (self, groups[i], id, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

char *
allset_config_remove_folder (AllsetConfig *self,
                             const char   *id)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (self->folders, i);
      g_autofree char *group = NULL;
      char *journal;

      if (!g_str_equal (folder->id, id))
        continue;
      group = g_strdup_printf ("folder \"%s\"", folder->id);
      g_key_file_remove_group (self->keyfile, group, NULL);
      journal = g_strdup (folder->journal);
      g_ptr_array_remove_index (self->folders, i);
      return journal;
    }
  return NULL;
}

/* ---- save --------------------------------------------------------------- */

static void
set_string (GKeyFile   *keyfile,
            const char *group,
            const char *key,
            const char *value)
{
  g_key_file_set_string (keyfile, group, key, value != NULL ? value : "");
}

gboolean
allset_config_save (AllsetConfig  *self,
                    GError       **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (ALLSET_IS_CONFIG (self), FALSE);

  for (guint i = 0; i < self->folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (self->folders, i);
      g_autofree char *group = g_strdup_printf ("folder \"%s\"", folder->id);

      set_string (self->keyfile, group, "local", folder->local);
      set_string (self->keyfile, group, "remote", folder->remote);
      set_string (self->keyfile, group, "journal", folder->journal);
      set_string (self->keyfile, group, "metered_policy",
                  allset_metered_policy_to_string (folder->metered_policy));
      g_key_file_set_uint64 (self->keyfile, group, "small_files_max", folder->small_files_max);
      g_key_file_set_uint64 (self->keyfile, group, "bandwidth_up", folder->bandwidth_up);
      g_key_file_set_uint64 (self->keyfile, group, "bandwidth_down", folder->bandwidth_down);
    }

  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FAILED,
                   _("Cannot create the directory %s: %s"), self->dir, g_strerror (saved));
      return FALSE;
    }

  data = g_key_file_to_data (self->keyfile, &len, NULL);
  if (!g_file_set_contents_full (self->path, data, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &local_error))
    {
      g_set_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FAILED,
                   _("Cannot write %s: %s"), self->path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

const char *
allset_config_get_dir (AllsetConfig *self)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);

  return self->dir;
}

const char *
allset_config_get_path (AllsetConfig *self)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);

  return self->path;
}

/* ---- account ------------------------------------------------------------ */

static void
account_load (AllsetConfig *self)
{
  for (guint i = 0; i < N_ACCOUNT_KEYS; i++)
    {
      g_free (self->account[i]);
      self->account[i] = get_string (self->keyfile, ACCOUNT_GROUP, account_keys[i]);
    }
}

static void
account_set (AllsetConfig *self,
             AccountKey    key,
             const char   *value)
{
  set_string (self->keyfile, ACCOUNT_GROUP, account_keys[key], value);
  g_free (self->account[key]);
  self->account[key] = value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

const char *
allset_config_get_server (AllsetConfig *self)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);

  return self->account[ACCOUNT_SERVER];
}

const char *
allset_config_get_username (AllsetConfig *self)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);

  return self->account[ACCOUNT_USERNAME];
}

const char *
allset_config_get_device_id (AllsetConfig *self)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);

  return self->account[ACCOUNT_DEVICE_ID];
}

const char *
allset_config_get_fingerprint (AllsetConfig *self)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);

  return self->account[ACCOUNT_FINGERPRINT];
}

const char *
allset_config_get_token_file (AllsetConfig *self)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);

  return self->account[ACCOUNT_TOKEN_FILE];
}

gboolean
allset_config_is_signed_in (AllsetConfig *self)
{
  return allset_config_get_server (self) != NULL &&
         allset_config_get_username (self) != NULL &&
         allset_config_get_device_id (self) != NULL;
}

void
allset_config_set_account (AllsetConfig *self,
                           const char   *server,
                           const char   *username,
                           const char   *device_id,
                           const char   *fingerprint,
                           const char   *token_file)
{
  g_return_if_fail (ALLSET_IS_CONFIG (self));
  g_return_if_fail (server != NULL && username != NULL && device_id != NULL);

  account_set (self, ACCOUNT_SERVER, server);
  account_set (self, ACCOUNT_USERNAME, username);
  account_set (self, ACCOUNT_DEVICE_ID, device_id);
  account_set (self, ACCOUNT_FINGERPRINT, fingerprint);
  account_set (self, ACCOUNT_TOKEN_FILE, token_file);
}

void
allset_config_clear_device (AllsetConfig *self)
{
  g_return_if_fail (ALLSET_IS_CONFIG (self));

  account_set (self, ACCOUNT_DEVICE_ID, NULL);
  account_set (self, ACCOUNT_TOKEN_FILE, NULL);
}

/* ---- folders ------------------------------------------------------------ */

GPtrArray *
allset_config_get_folders (AllsetConfig *self)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);

  return self->folders;
}

AllsetFolderConfig *
allset_config_find_folder (AllsetConfig *self,
                           const char   *id)
{
  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);

  for (guint i = 0; i < self->folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (self->folders, i);

      if (g_strcmp0 (folder->id, id) == 0)
        return folder;
    }

  return NULL;
}

AllsetFolderConfig *
allset_config_folder_for_path (AllsetConfig *self,
                               const char   *path)
{
  g_autofree char *resolved = NULL;

  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  resolved = resolve_path (path);
  for (guint i = 0; i < self->folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (self->folders, i);

      if (path_within (resolved, folder->local))
        return folder;
    }

  return NULL;
}

/* The path the kernel would open for path: symlinks and ".." in its
 * parents resolved physically, the last name kept as it is (a symlink
 * there is what the user picked, not its target). Lexical when the
 * parent does not exist. */
static char *
resolve_parents (const char *path)
{
  g_autofree char *cwd = NULL;
  g_autofree char *absolute = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *name = NULL;
  g_autofree char *real = NULL;
  gsize len;

  if (g_path_is_absolute (path))
    absolute = g_strdup (path);
  else
    absolute = g_build_filename ((cwd = g_get_current_dir ()), path, NULL);
  /* Strip trailing slashes, which would hide the last name. */
  len = strlen (absolute);
  while (len > 1 && absolute[len - 1] == '/')
    absolute[--len] = '\0';

  name = g_path_get_basename (absolute);
  if (g_str_equal (name, ".") || g_str_equal (name, ".."))
    return resolve_path (absolute);

  parent = g_path_get_dirname (absolute);
  real = realpath (parent, NULL);
  if (real == NULL)
    return resolve_path (absolute);

  return g_build_filename (real, name, NULL);
}

char *
allset_config_remote_path_for (AllsetConfig        *self,
                               const char          *local_path,
                               AllsetFolderConfig **folder,
                               GError             **error)
{
  g_autofree char *resolved = NULL;
  g_autofree char *relative = NULL;
  g_autoptr(GError) local_error = NULL;
  AllsetFolderConfig *found = NULL;
  const char *rest;

  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);
  g_return_val_if_fail (local_path != NULL, NULL);

  resolved = resolve_parents (local_path);
  for (guint i = 0; found == NULL && i < self->folders->len; i++)
    {
      AllsetFolderConfig *candidate = g_ptr_array_index (self->folders, i);

      if (path_within (resolved, candidate->local))
        found = candidate;
    }
  if (found == NULL)
    {
      g_set_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER,
                   _("%s is not inside a synced folder"), resolved);
      return NULL;
    }

  rest = resolved + strlen (found->local);
  while (*rest == '/')
    rest++;

  if (*rest == '\0')
    {
      if (*found->remote == '\0')
        {
          g_set_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER,
                       _("%s is synced with the whole account: share a file or folder inside it"),
                       resolved);
          return NULL;
        }
      relative = g_strdup (found->remote);
    }
  else
    {
      g_autofree char *nfc = allset_path_normalize (rest, FALSE, &local_error);

      if (nfc == NULL)
        {
          g_set_error (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER,
                       _("%s cannot be on the server: %s"), resolved, local_error->message);
          return NULL;
        }
      relative = *found->remote == '\0' ? g_steal_pointer (&nfc)
                                        : g_strconcat (found->remote, "/", nfc, NULL);
    }

  if (folder != NULL)
    *folder = found;
  return g_steal_pointer (&relative);
}

static gboolean
folder_error (GError     **error,
              const char  *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
folder_error (GError     **error,
              const char  *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* Checks an absolute, canonical local directory against the others. */
static gboolean
check_local (AllsetConfig  *self,
             const char    *local,
             GError       **error)
{
  g_autofree char *config_dir = resolve_path (self->dir);
  g_autofree char *state_dir = NULL;
  g_autofree char *state = allset_config_state_dir ();

  state_dir = resolve_path (state);

  for (guint i = 0; i < self->folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (self->folders, i);

      if (g_str_equal (local, folder->local))
        return folder_error (error, _("%s is already synced (folder %s)"), local, folder->id);
      if (path_within (local, folder->local))
        return folder_error (error, _("%s is inside the synced folder %s"), local, folder->local);
      if (path_within (folder->local, local))
        return folder_error (error, _("%s contains the synced folder %s"), local, folder->local);
    }

  if (path_within (local, config_dir) || path_within (config_dir, local))
    return folder_error (error, _("%s cannot be synced: it is or holds the configuration directory %s"),
                         local, config_dir);
  if (path_within (local, state_dir) || path_within (state_dir, local))
    return folder_error (error, _("%s cannot be synced: it is or holds the journal directory %s"),
                         local, state_dir);

  return TRUE;
}

static char *
new_folder_id (AllsetConfig *self)
{
  for (;;)
    {
      char *id = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());

      if (allset_config_find_folder (self, id) == NULL)
        return id;
      g_free (id);
    }
}

AllsetFolderConfig *
allset_config_add_folder (AllsetConfig  *self,
                          const char    *local_dir,
                          const char    *remote,
                          GError       **error)
{
  g_autofree char *local = NULL;
  g_autofree char *real = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *state = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) local_error = NULL;
  AllsetFolderConfig *folder;
  gboolean created = FALSE;

  g_return_val_if_fail (ALLSET_IS_CONFIG (self), NULL);
  g_return_val_if_fail (local_dir != NULL, NULL);

  normalized = allset_path_normalize (remote != NULL ? remote : "", TRUE, &local_error);
  if (normalized == NULL)
    {
      folder_error (error, _("Invalid remote path “%s”: %s"), remote, local_error->message);
      return NULL;
    }

  folded = allset_path_fold (normalized);
  for (guint i = 0; i < self->folders->len; i++)
    {
      AllsetFolderConfig *other = g_ptr_array_index (self->folders, i);
      g_autofree char *other_folded = allset_path_fold (other->remote);

      if (allset_path_has_prefix (folded, other_folded) ||
          allset_path_has_prefix (other_folded, folded))
        {
          folder_error (error, _("The remote folder “/%s” overlaps “/%s”, synced with %s; "
                                 "choose another one with --remote"),
                        normalized, other->remote, other->local);
          return NULL;
        }
    }

  local = resolve_path (local_dir);
  if (!check_local (self, local, error))
    return NULL;

  if (g_file_test (local, G_FILE_TEST_EXISTS))
    {
      if (!g_file_test (local, G_FILE_TEST_IS_DIR))
        {
          folder_error (error, _("%s is not a directory"), local);
          return NULL;
        }
    }
  else
    {
      if (g_mkdir_with_parents (local, 0700) != 0)
        {
          int saved = errno;

          folder_error (error, _("Cannot create %s: %s"), local, g_strerror (saved));
          return NULL;
        }
      created = TRUE;
    }

  /* Symlinks along the way are resolved now that it exists. */
  real = resolve_path (local);
  if (!g_str_equal (real, local) && !check_local (self, real, error))
    {
      if (created)
        g_rmdir (local);
      return NULL;
    }

  folder = g_new0 (AllsetFolderConfig, 1);
  folder->id = new_folder_id (self);
  folder->local = g_steal_pointer (&real);
  folder->remote = g_steal_pointer (&normalized);
  state = allset_config_state_dir ();
  name = g_strconcat (folder->id, ".db", NULL);
  folder->journal = g_build_filename (state, name, NULL);
  folder->metered_policy = ALLSET_METERED_PAUSE;
  folder->small_files_max = ALLSET_CONFIG_SMALL_FILES_MAX_DEFAULT;
  g_ptr_array_add (self->folders, folder);

  return folder;
}
