/* allset-share-zip.c — a shared folder as a ZIP archive streamed on the fly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GET /s/TOKEN/zip[?dir=REL]. The folder is listed once, when the request
 * comes (a snapshot: path, revision, content id and size of every entry),
 * which also checks the limits (share_zip_max_entries, share_zip_max_bytes)
 * so that a huge folder gets a 413 page before any byte, and gives the
 * archive's exact length. The archive is then written while it is sent:
 * each file's chunks are read in a worker thread (AllsetStream) from the
 * revision the snapshot saw, and its CRC-32 is computed on the way for the
 * data descriptor (allset-zip.c). A file changed since the snapshot is
 * still sent as it was; one whose old version is gone cuts the download.
 */

#include <string.h>
#include <zlib.h>

#include "allset-share-download.h"
#include "allset-share-page.h"
#include "allset-stream.h"
#include "allset-zip.h"

/* Small pieces (headers, small files) are gathered up to this size
 * before being handed over, so ten thousand small files are not ten
 * thousand thread hops; a chunk larger than it goes alone, uncopied. */
#define GATHER_BYTES (256 * 1024)

typedef struct
{
  char    *name;        /* in the archive; a folder's ends with "/" */
  char    *path;        /* in the store */
  gint64   revision;
  char    *file_id;     /* NULL for a folder */
  guint64  size;
  gint64   mtime;
  guint32  mode;
} Item;

static void
item_clear (gpointer data)
{
  Item *item = data;

  g_free (item->name);
  g_free (item->path);
  g_free (item->file_id);
}

typedef enum
{
  COLLECT_OK,
  COLLECT_TOO_MANY,
  COLLECT_TOO_BIG,
} CollectResult;

/* Depth first, names in order, each folder before what it holds. */
static CollectResult
collect (AllsetStore  *store,
         gint64        account_id,
         const char   *root,
         guint64       max_entries,
         guint64       max_bytes,
         GArray       *items,
         guint64      *total_bytes)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (guint));
  gsize base = strlen (root) + 1;
  GPtrArray *first = allset_store_list (store, account_id, root, NULL);
  guint zero = 0;

  *total_bytes = 0;
  if (first == NULL)
    return COLLECT_OK;
  g_ptr_array_add (stack, first);
  g_array_append_val (next, zero);

  while (stack->len > 0)
    {
      GPtrArray *list = g_ptr_array_index (stack, stack->len - 1);
      guint *index = &g_array_index (next, guint, next->len - 1);
      AllsetNode *node;
      Item item = { 0 };

      if (*index == list->len)
        {
          g_ptr_array_set_size (stack, stack->len - 1);
          g_array_set_size (next, next->len - 1);
          continue;
        }
      node = g_ptr_array_index (list, (*index)++);

      if (items->len >= max_entries)
        return COLLECT_TOO_MANY;
      item.path = g_strdup (node->path);
      item.revision = node->revision;
      item.mtime = node->mtime;
      if (node->type == ALLSET_NODE_DIR)
        {
          GPtrArray *children = allset_store_list (store, account_id, node->path, NULL);

          item.name = g_strconcat (node->path + base, "/", NULL);
          item.mode = 040755;
          g_array_append_val (items, item);
          /* A folder removed meanwhile stays in the archive, empty. */
          if (children != NULL)
            {
              g_ptr_array_add (stack, children);
              g_array_append_val (next, zero);
            }
        }
      else
        {
          item.name = g_strdup (node->path + base);
          item.file_id = g_strdup (node->file_id);
          item.size = node->size;
          item.mode = node->executable ? 0100755 : 0100644;
          g_array_append_val (items, item);
          *total_bytes += node->size;
          if (*total_bytes > max_bytes)
            return COLLECT_TOO_BIG;
        }
    }
  return COLLECT_OK;
}

typedef enum
{
  PHASE_HEADER,
  PHASE_DATA,
  PHASE_DESCRIPTOR,
  PHASE_DONE,
} Phase;

typedef struct
{
  AllsetStore      *store;
  AllsetChunkStore *chunks;
  gint64            account_id;
  GArray           *items;     /* Item */
  AllsetZipWriter  *writer;
  guint             index;
  Phase             phase;
  AllsetNode       *node;      /* the file being sent, with its chunks */
  guint             chunk;
  guint64           data_sent;
  guint32           crc;
} ZipSource;

static void
zip_source_free (gpointer data)
{
  ZipSource *source = data;

  g_object_unref (source->store);
  g_object_unref (source->chunks);
  g_array_unref (source->items);
  allset_zip_writer_free (source->writer);
  g_clear_pointer (&source->node, allset_node_free);
  g_free (source);
}

static void
append_bytes (GByteArray *out,
              GBytes     *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_byte_array_append (out, data, len);
  g_bytes_unref (bytes);
}

/* The snapshot's version of the item, chunks included. */
static gboolean
open_file (ZipSource   *source,
           const Item  *item,
           GError     **error)
{
  g_clear_pointer (&source->node, allset_node_free);
  source->node = allset_store_get_file (source->store, source->account_id, item->path,
                                        item->revision, error);
  if (source->node == NULL)
    return FALSE;
  if (g_strcmp0 (source->node->file_id, item->file_id) != 0 || source->node->size != item->size)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                   "“%s” changed under the same revision", item->path);
      return FALSE;
    }
  source->chunk = 0;
  source->data_sent = 0;
  return TRUE;
}

static GBytes *
zip_source_read (gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  ZipSource *source = data;
  g_autoptr(GByteArray) out = g_byte_array_new ();

  while (out->len < GATHER_BYTES && source->phase != PHASE_DONE)
    {
      const Item *item = source->index < source->items->len
                         ? &g_array_index (source->items, Item, source->index) : NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      switch (source->phase)
        {
        case PHASE_HEADER:
          if (item == NULL)
            {
              append_bytes (out, allset_zip_writer_finish (source->writer));
              source->phase = PHASE_DONE;
              break;
            }
          {
            AllsetZipEntry entry = { item->name, item->size, item->mtime, item->mode };

            append_bytes (out, allset_zip_writer_begin_entry (source->writer, &entry));
          }
          source->crc = crc32 (0, NULL, 0);
          source->phase = PHASE_DESCRIPTOR;
          if (item->file_id != NULL && item->size > 0)
            {
              if (!open_file (source, item, error))
                return NULL;
              source->phase = PHASE_DATA;
            }
          break;

        case PHASE_DATA:
          if (source->chunk == source->node->chunks->len)
            {
              if (source->data_sent != item->size)
                {
                  g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                               "The chunks of “%s” do not add up to its size", item->path);
                  return NULL;
                }
              g_clear_pointer (&source->node, allset_node_free);
              source->phase = PHASE_DESCRIPTOR;
              break;
            }
          {
            const AllsetChunkRef *ref = &g_array_index (source->node->chunks, AllsetChunkRef,
                                                        source->chunk);
            g_autoptr(GBytes) bytes = NULL;
            gsize len;
            const guint8 *bytes_data;

            /* A large chunk goes out on its own, uncopied. */
            if (ref->size >= GATHER_BYTES && out->len > 0)
              return g_byte_array_free_to_bytes (g_steal_pointer (&out));
            if (!(bytes = allset_share_read_chunk (source->store, source->chunks,
                                                   source->account_id, ref, error)))
              return NULL;
            bytes_data = g_bytes_get_data (bytes, &len);
            source->crc = crc32 (source->crc, bytes_data, len);
            source->data_sent += len;
            source->chunk++;
            if (out->len == 0 && len >= GATHER_BYTES)
              return g_steal_pointer (&bytes);
            g_byte_array_append (out, bytes_data, len);
          }
          break;

        case PHASE_DESCRIPTOR:
          append_bytes (out, allset_zip_writer_end_entry (source->writer, source->crc));
          source->index++;
          source->phase = PHASE_HEADER;
          break;

        case PHASE_DONE:
        default:
          g_assert_not_reached ();
        }
    }

  if (out->len == 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static AllsetHttpResponse *
too_large (const char *what)
{
  g_autofree char *html = g_strdup_printf ("<h1>Dossier trop volumineux</h1>"
                                           "<p>Ce dossier contient %s pour être téléchargé en une "
                                           "seule archive. Téléchargez ses sous-dossiers ou ses "
                                           "fichiers séparément.</p>", what);

  return allset_share_page_new (SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Dossier trop volumineux", html);
}

AllsetHttpResponse *
allset_share_download_zip (AllsetServer      *server,
                           const AllsetShare *share,
                           const char        *dir)
{
  const AllsetServerConfig *config = allset_server_get_config (server);
  AllsetStore *store = allset_server_get_store (server);
  g_autoptr(GPtrArray) probe = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_autoptr(GArray) entries = NULL;
  g_autofree char *zip_name = NULL;
  g_autofree char *disposition = NULL;
  AllsetHttpResponse *response;
  ZipSource *source;
  guint64 total = 0;

  g_array_set_clear_func (items, item_clear);

  /* Not a folder (a file, or nothing): the same 404 as any wrong path. */
  probe = allset_store_list (store, share->account_id, dir, NULL);
  if (probe == NULL)
    return g_str_equal (dir, share->path) ? allset_share_page_gone () : allset_share_page_not_found ();
  g_clear_pointer (&probe, g_ptr_array_unref);

  switch (collect (store, share->account_id, dir, config->share_zip_max_entries,
                   config->share_zip_max_bytes, items, &total))
    {
    case COLLECT_TOO_MANY:
      {
        g_autofree char *what = g_strdup_printf ("plus de %u éléments",
                                                 config->share_zip_max_entries);

        return too_large (what);
      }
    case COLLECT_TOO_BIG:
      {
        g_autofree char *size = allset_share_format_size (config->share_zip_max_bytes);
        g_autofree char *what = g_strdup_printf ("plus de %s de fichiers", size);

        return too_large (what);
      }
    case COLLECT_OK:
    default:
      break;
    }

  if (!allset_store_share_count_download (store, share->id, g_get_real_time () / G_USEC_PER_SEC))
    return allset_share_page_gone ();

  entries = g_array_sized_new (FALSE, FALSE, sizeof (AllsetZipEntry), items->len);
  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, i);
      AllsetZipEntry entry = { item->name, item->size, item->mtime, item->mode };

      g_array_append_val (entries, entry);
    }

  source = g_new0 (ZipSource, 1);
  source->store = g_object_ref (store);
  source->chunks = g_object_ref (allset_server_get_chunk_store (server));
  source->account_id = share->account_id;
  source->writer = allset_zip_writer_new ();

  response = allset_http_response_new (SOUP_STATUS_OK);
  response->stream = allset_stream_new (allset_zip_length ((const AllsetZipEntry *) entries->data,
                                                           entries->len),
                                        zip_source_read, source, zip_source_free);
  /* After the length: entries borrow the items' names. */
  source->items = g_steal_pointer (&items);
  response->content_type = g_strdup ("application/zip");
  response->account_id = share->account_id;
  zip_name = g_strconcat (allset_path_basename (dir), ".zip", NULL);
  disposition = allset_share_content_disposition (zip_name);
  soup_message_headers_replace (response->headers, "Content-Disposition", disposition);
  allset_share_page_add_headers (response);
  return response;
}
