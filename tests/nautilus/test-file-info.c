/* test-file-info.c — a NautilusFileInfo over a GFile, for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every method of the interface answers from the GFile (queried without
 * following symlinks, as Nautilus shows a link), so that the extension
 * may call any of them.
 */

#include "test-file-info.h"

struct _TestFileInfo
{
  GObject  parent_instance;

  GFile   *location;
};

static void file_info_iface_init (NautilusFileInfoInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestFileInfo, test_file_info, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NAUTILUS_TYPE_FILE_INFO, file_info_iface_init))

static GFileType
get_file_type (NautilusFileInfo *info)
{
  return g_file_query_file_type (TEST_FILE_INFO (info)->location,
                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL);
}

/* A remote file (sftp://, trash://…) is taken as present: without GVfs
 * in the test, nothing could say. */
static gboolean
is_gone (NautilusFileInfo *info)
{
  return g_file_is_native (TEST_FILE_INFO (info)->location) &&
         get_file_type (info) == G_FILE_TYPE_UNKNOWN;
}

static char *
get_name (NautilusFileInfo *info)
{
  return g_file_get_basename (TEST_FILE_INFO (info)->location);
}

static char *
get_uri (NautilusFileInfo *info)
{
  return g_file_get_uri (TEST_FILE_INFO (info)->location);
}

static GFile *
get_location (NautilusFileInfo *info)
{
  return g_object_ref (TEST_FILE_INFO (info)->location);
}

static GFile *
get_parent_location (NautilusFileInfo *info)
{
  return g_file_get_parent (TEST_FILE_INFO (info)->location);
}

static char *
get_parent_uri (NautilusFileInfo *info)
{
  g_autoptr(GFile) parent = get_parent_location (info);

  return parent != NULL ? g_file_get_uri (parent) : g_strdup ("");
}

static char *
get_uri_scheme (NautilusFileInfo *info)
{
  return g_file_get_uri_scheme (TEST_FILE_INFO (info)->location);
}

static char *
get_mime_type (NautilusFileInfo *info)
{
  return g_strdup (get_file_type (info) == G_FILE_TYPE_DIRECTORY
                   ? "inode/directory" : "application/octet-stream");
}

static gboolean
is_mime_type (NautilusFileInfo *info,
              const char       *mime_type)
{
  g_autofree char *own = get_mime_type (info);

  return g_content_type_is_a (own, mime_type);
}

static gboolean
is_directory (NautilusFileInfo *info)
{
  return get_file_type (info) == G_FILE_TYPE_DIRECTORY;
}

static gboolean
can_write (NautilusFileInfo *info)
{
  return TRUE;
}

static void
file_info_iface_init (NautilusFileInfoInterface *iface)
{
  iface->is_gone = is_gone;
  iface->get_name = get_name;
  iface->get_uri = get_uri;
  iface->get_activation_uri = get_uri;
  iface->get_parent_uri = get_parent_uri;
  iface->get_uri_scheme = get_uri_scheme;
  iface->get_mime_type = get_mime_type;
  iface->is_mime_type = is_mime_type;
  iface->is_directory = is_directory;
  iface->get_file_type = get_file_type;
  iface->get_location = get_location;
  iface->get_parent_location = get_parent_location;
  iface->can_write = can_write;
}

static void
test_file_info_finalize (GObject *object)
{
  g_clear_object (&TEST_FILE_INFO (object)->location);

  G_OBJECT_CLASS (test_file_info_parent_class)->finalize (object);
}

static void
test_file_info_class_init (TestFileInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_file_info_finalize;
}

static void
test_file_info_init (TestFileInfo *self)
{
}

NautilusFileInfo *
test_file_info_new (GFile *location)
{
  TestFileInfo *self = g_object_new (TEST_TYPE_FILE_INFO, NULL);

  self->location = g_object_ref (location);
  return NAUTILUS_FILE_INFO (self);
}

NautilusFileInfo *
test_file_info_new_path (const char *path)
{
  g_autoptr(GFile) location = g_file_new_for_path (path);

  return test_file_info_new (location);
}
