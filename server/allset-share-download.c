/* allset-share-download.c — a shared file's bytes, streamed from its chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The route decides everything before the first byte (range, 416, the
 * download count) and then answers with an AllsetStream that reads one
 * chunk at a time in a worker thread: a file of many GiB costs the server
 * a few chunks of memory, never its size. The chunk list is the one of
 * the version seen at the start, so a file replaced meanwhile still
 * arrives whole and consistent (old versions keep their chunks).
 */

#include "allset-share-download.h"
#include "allset-share-page.h"
#include "allset-stream.h"

GBytes *
allset_share_read_chunk (AllsetStore           *store,
                         AllsetChunkStore      *chunks,
                         gint64                 account_id,
                         const AllsetChunkRef  *ref,
                         GError               **error)
{
  g_auto(AllsetStoredChunk) where = { 0, };
  g_autoptr(GBytes) bytes = NULL;

  if (!allset_store_chunk_get (store, account_id, &ref->id, &where))
    {
      g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                           "A chunk of a shared file is missing");
      return NULL;
    }
  bytes = where.data != NULL ? g_bytes_ref (where.data)
                             : allset_chunk_store_read (chunks, account_id, &ref->id, where.pack_id,
                                                        where.pack_offset, where.size, error);
  if (bytes == NULL)
    return NULL;
  if (g_bytes_get_size (bytes) != ref->size)
    {
      g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                           "A chunk of a shared file has the wrong size");
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

/* Bytes [start, end] of a file, a chunk per read. */
typedef struct
{
  AllsetStore      *store;
  AllsetChunkStore *chunks;
  gint64            account_id;
  GArray           *refs;       /* AllsetChunkRef */
  guint             index;      /* next chunk */
  guint64           offset;     /* where it starts in the file */
  guint64           start;
  guint64           end;
} FileSource;

static void
file_source_free (gpointer data)
{
  FileSource *source = data;

  g_object_unref (source->store);
  g_object_unref (source->chunks);
  g_array_unref (source->refs);
  g_free (source);
}

static GBytes *
file_source_read (gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  FileSource *source = data;

  while (source->index < source->refs->len && source->offset <= source->end)
    {
      const AllsetChunkRef *ref = &g_array_index (source->refs, AllsetChunkRef, source->index);
      guint64 offset = source->offset;
      g_autoptr(GBytes) bytes = NULL;
      guint64 from, to;

      source->index++;
      source->offset += ref->size;
      if (offset + ref->size <= source->start)
        continue;   /* before the range: not even read */

      if (!(bytes = allset_share_read_chunk (source->store, source->chunks, source->account_id,
                                             ref, error)))
        return NULL;
      from = source->start > offset ? source->start - offset : 0;
      to = MIN (source->end - offset, (guint64) ref->size - 1);
      if (from == 0 && to == ref->size - 1)
        return g_steal_pointer (&bytes);
      return g_bytes_new_from_bytes (bytes, from, to - from + 1);
    }
  return NULL;
}

AllsetHttpResponse *
allset_share_download_file (AllsetServer      *server,
                            AllsetHttpRequest *request,
                            const AllsetShare *share,
                            const AllsetNode  *node)
{
  const char *range = soup_message_headers_get_one (request->headers, "Range");
  g_autofree char *disposition = NULL;
  AllsetHttpResponse *response;
  FileSource *source;
  guint64 start = 0, end = 0;

  if (node->size > 0)
    end = node->size - 1;
  if (range != NULL && !allset_http_parse_range (range, node->size, &start, &end))
    {
      g_autofree char *content_range = g_strdup_printf ("bytes */%" G_GUINT64_FORMAT, node->size);

      response = allset_share_page_new (SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE,
                                        "Plage invalide",
                                        "<h1>Plage invalide</h1><p>La partie demandée du fichier "
                                        "n’existe pas.</p>");
      soup_message_headers_replace (response->headers, "Content-Range", content_range);
      return response;
    }

  /* A download counts when it starts at the first byte; resuming (a Range
   * further in) does not count again. Atomic with the limit and expiry. */
  if (start == 0 && !allset_store_share_count_download (allset_server_get_store (server), share->id,
                                                        g_get_real_time () / G_USEC_PER_SEC))
    return allset_share_page_gone ();

  source = g_new0 (FileSource, 1);
  source->store = g_object_ref (allset_server_get_store (server));
  source->chunks = g_object_ref (allset_server_get_chunk_store (server));
  source->account_id = share->account_id;
  source->refs = node->chunks != NULL ? g_array_ref (node->chunks)
                                      : g_array_new (FALSE, FALSE, sizeof (AllsetChunkRef));
  source->start = start;
  source->end = end;

  response = allset_http_response_new (range != NULL ? SOUP_STATUS_PARTIAL_CONTENT : SOUP_STATUS_OK);
  response->stream = allset_stream_new (node->size > 0 ? end - start + 1 : 0,
                                        file_source_read, source, file_source_free);
  response->content_type = g_strdup ("application/octet-stream");
  /* Public downloads draw from the owner's download bucket (terms R5). */
  response->account_id = share->account_id;
  disposition = allset_share_content_disposition (allset_path_basename (node->path));
  soup_message_headers_replace (response->headers, "Content-Disposition", disposition);
  soup_message_headers_replace (response->headers, "Accept-Ranges", "bytes");
  if (range != NULL)
    {
      g_autofree char *content_range = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                                                        "/%" G_GUINT64_FORMAT, start, end, node->size);

      soup_message_headers_replace (response->headers, "Content-Range", content_range);
    }
  allset_share_page_add_headers (response);
  return response;
}
