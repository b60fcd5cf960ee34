/* test-file-info.h — a NautilusFileInfo over a GFile, for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nautilus 43's NautilusFileInfo is an interface its NautilusFile
 * implements; outside Nautilus, nautilus_file_info_create() has nothing
 * behind it. This tiny implementation answers from the real file.
 */

#pragma once

#include <nautilus-extension.h>

G_BEGIN_DECLS

#define TEST_TYPE_FILE_INFO (test_file_info_get_type ())
G_DECLARE_FINAL_TYPE (TestFileInfo, test_file_info, TEST, FILE_INFO, GObject)

NautilusFileInfo *test_file_info_new      (GFile      *location);
NautilusFileInfo *test_file_info_new_path (const char *path);

G_END_DECLS
