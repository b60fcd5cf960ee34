/* allset-share-download.h — the bytes behind share links: files and folder zips
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For allset-routes-share-public.c, which has already checked the token,
 * the link's state and its password, and resolved the path.
 */

#pragma once

#include "allset-server-private.h"

G_BEGIN_DECLS

/* GET /s/TOKEN/download: node is the live file (with its chunks). Answers
 * 200 or, for one Range, 206 (416 outside the file), streamed; counts the
 * download when it starts at byte 0. */
AllsetHttpResponse *allset_share_download_file (AllsetServer       *server,
                                                AllsetHttpRequest  *request,
                                                const AllsetShare  *share,
                                                const AllsetNode   *node);

/* GET /s/TOKEN/zip[?dir=REL]: dir is the store path of the folder. 404
 * when it is not a folder, 413 past share_zip_max_entries or
 * share_zip_max_bytes, otherwise a streamed ZIP counted as one download. */
AllsetHttpResponse *allset_share_download_zip  (AllsetServer       *server,
                                                const AllsetShare  *share,
                                                const char         *dir);

/* Worker threads: one chunk's bytes, checked against its size. */
GBytes             *allset_share_read_chunk    (AllsetStore        *store,
                                                AllsetChunkStore   *chunks,
                                                gint64              account_id,
                                                const AllsetChunkRef *ref,
                                                GError            **error);

G_END_DECLS
