/* allset-version.h — protocol version and fixed limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define ALLSET_PROTOCOL_VERSION 1

#define ALLSET_CHUNK_MIN        (256 * 1024)
#define ALLSET_CHUNK_AVG        (1024 * 1024)
#define ALLSET_CHUNK_MAX        (4 * 1024 * 1024)
/* Chunks below this size are kept inline in the metadata database so a batch
 * of small files costs one transaction and one fsync (DESIGN.md §3). */
#define ALLSET_SMALL_CHUNK_MAX  (64 * 1024)
#define ALLSET_PACK_MAX_BYTES   (16 * 1024 * 1024)
#define ALLSET_JSON_MAX_BYTES   (16 * 1024 * 1024)
#define ALLSET_MAX_BATCH_OPS    10000
#define ALLSET_PATH_MAX_BYTES   4096
#define ALLSET_NAME_MAX_BYTES   255
