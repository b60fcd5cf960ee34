/* allset-config.h — the client's configuration: CONFIG_DIR/allset.conf
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   [account]
 *   server=https://sync.example.fr/     normalised URL
 *   username=alice
 *   device_id=…                         empty when signed out
 *   fingerprint=AB:CD:…                 pinned certificate, may be empty
 *   token_file=                         empty = the token is in the keyring
 *
 *   [folder "ID"]
 *   local=/home/alice/ALLSET            absolute
 *   remote=                             remote prefix, "" = account root
 *   journal=$XDG_STATE_HOME/allset/ID.db
 *   metered_policy=pause                pause | small-files | always
 *   small_files_max=10000000            bytes (10M, 1.5G… accepted)
 *   bandwidth_up=0                      bytes per second, 0 = no limit
 *   bandwidth_down=0
 *
 * Never a secret in this file: there is no setter for one, and a file
 * holding a token or password key is refused. Saved atomically, mode 0600.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ALLSET_CONFIG_ERROR (allset_config_error_quark ())
GQuark allset_config_error_quark (void);

typedef enum
{
  ALLSET_CONFIG_ERROR_INVALID,  /* allset.conf is malformed or holds a secret */
  ALLSET_CONFIG_ERROR_FOLDER,   /* add_folder() refused the folder */
  ALLSET_CONFIG_ERROR_FAILED,   /* reading or writing failed */
} AllsetConfigError;

typedef enum
{
  ALLSET_METERED_PAUSE,        /* default: nothing on a metered network */
  ALLSET_METERED_SMALL_FILES,  /* files up to small_files_max only */
  ALLSET_METERED_ALWAYS,
} AllsetMeteredPolicy;

#define ALLSET_CONFIG_SMALL_FILES_MAX_DEFAULT (10 * 1000 * 1000)

typedef struct
{
  char                *id;
  char                *local;     /* absolute, symlinks resolved */
  char                *remote;    /* normalised remote prefix; "" = root */
  char                *journal;   /* absolute path of the SQLite journal */
  AllsetMeteredPolicy  metered_policy;
  guint64              small_files_max;
  guint64              bandwidth_up;    /* bytes per second, 0 = none */
  guint64              bandwidth_down;
} AllsetFolderConfig;

const char *allset_metered_policy_to_string   (AllsetMeteredPolicy  policy);
gboolean    allset_metered_policy_from_string (const char          *text,
                                               AllsetMeteredPolicy *policy);

#define ALLSET_TYPE_CONFIG (allset_config_get_type ())
G_DECLARE_FINAL_TYPE (AllsetConfig, allset_config, ALLSET, CONFIG, GObject)

/* $XDG_CONFIG_HOME/allset */
char         *allset_config_default_dir (void);
/* $XDG_STATE_HOME/allset: the journals, outside every synced folder. */
char         *allset_config_state_dir   (void);

/* config_dir: NULL for the default. A missing file is an empty config. */
AllsetConfig *allset_config_load        (const char    *config_dir,
                                         GError       **error);
gboolean      allset_config_save        (AllsetConfig  *self,
                                         GError       **error);
const char   *allset_config_get_dir     (AllsetConfig  *self);
const char   *allset_config_get_path    (AllsetConfig  *self);

/* NULL when unset or empty. */
const char   *allset_config_get_server      (AllsetConfig *self);
const char   *allset_config_get_username    (AllsetConfig *self);
const char   *allset_config_get_device_id   (AllsetConfig *self);
const char   *allset_config_get_fingerprint (AllsetConfig *self);
const char   *allset_config_get_token_file  (AllsetConfig *self);
/* A device id is recorded: a token should be in the keyring or file. */
gboolean      allset_config_is_signed_in    (AllsetConfig *self);

/* Records a sign-in. fingerprint and token_file may be NULL. */
void          allset_config_set_account     (AllsetConfig *self,
                                             const char   *server,
                                             const char   *username,
                                             const char   *device_id,
                                             const char   *fingerprint,
                                             const char   *token_file);
/* Sign-out: forgets device_id and token_file, keeps server, username and
 * fingerprint (the folders still belong to that account). */
void          allset_config_clear_device    (AllsetConfig *self);

/* AllsetFolderConfig elements, owned by self. */
GPtrArray    *allset_config_get_folders     (AllsetConfig *self);
AllsetFolderConfig *allset_config_find_folder (AllsetConfig *self,
                                               const char   *id);
/* The folder whose local directory holds path (or is path), or NULL. */
AllsetFolderConfig *allset_config_folder_for_path (AllsetConfig *self,
                                                   const char   *path);
/* The remote path of local_path, a file or directory inside a synced
 * folder (what a file manager hands over; symlinks in its parents are
 * resolved, the name is NFC). Sets *folder (owned by self) when not NULL.
 * ALLSET_CONFIG_ERROR_FOLDER when outside every synced folder, or when
 * it is the root of a folder synced with the account root (the account
 * root cannot be shared). */
char               *allset_config_remote_path_for (AllsetConfig        *self,
                                                   const char          *local_path,
                                                   AllsetFolderConfig **folder,
                                                   GError             **error);
/* Validates and adds a folder (not saved yet). local_dir is created when
 * missing; it must not be inside or around another synced folder, the
 * config directory or the state directory. remote: NULL or "" for the
 * account root, otherwise a valid remote path that does not overlap
 * another folder's. */
AllsetFolderConfig *allset_config_add_folder  (AllsetConfig *self,
                                               const char   *local_dir,
                                               const char   *remote,
                                               GError      **error);

/* Stops syncing the folder id (not saved yet): the files in it stay where
 * they are, on both sides. Its journal path is returned (the caller may
 * delete it once the configuration is saved); NULL when there is no such
 * folder. */
char               *allset_config_remove_folder (AllsetConfig *self,
                                                 const char   *id);

G_END_DECLS
