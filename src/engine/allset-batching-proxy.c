/* allset-batching-proxy.c — AllsetBatchingProxy, AllsetBatchingResolver
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-batching-proxy.h"

#include "allset-batching-stream.h"

static guint n_connected;

/* ---- AllsetBatchingProxy ------------------------------------------------ */

struct _AllsetBatchingProxy
{
  GObject parent_instance;
};

static void allset_batching_proxy_iface_init (GProxyInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AllsetBatchingProxy, allset_batching_proxy, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY, allset_batching_proxy_iface_init))

/* The "proxy" is the destination itself: GSocketClient connected to the
 * address the resolver gave, which is the server's. */
static GIOStream *
allset_batching_proxy_connect (GProxy         *proxy,
                               GIOStream      *connection,
                               GProxyAddress  *proxy_address,
                               GCancellable   *cancellable,
                               GError        **error)
{
  g_atomic_int_inc (&n_connected);
  return allset_batching_stream_new (connection);
}

static void
allset_batching_proxy_connect_async (GProxy              *proxy,
                                     GIOStream           *connection,
                                     GProxyAddress       *proxy_address,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (proxy, cancellable, callback, user_data);

  g_task_set_source_tag (task, allset_batching_proxy_connect_async);
  g_task_return_pointer (task,
                         allset_batching_proxy_connect (proxy, connection, proxy_address,
                                                        cancellable, NULL),
                         g_object_unref);
}

static GIOStream *
allset_batching_proxy_connect_finish (GProxy        *proxy,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The destination's name is never resolved by GIO on our behalf: it is
 * the address GSocketClient already connected to. */
static gboolean
allset_batching_proxy_supports_hostname (GProxy *proxy)
{
  return TRUE;
}

static void
allset_batching_proxy_iface_init (GProxyInterface *iface)
{
  iface->connect = allset_batching_proxy_connect;
  iface->connect_async = allset_batching_proxy_connect_async;
  iface->connect_finish = allset_batching_proxy_connect_finish;
  iface->supports_hostname = allset_batching_proxy_supports_hostname;
}

static void
allset_batching_proxy_class_init (AllsetBatchingProxyClass *klass)
{
}

static void
allset_batching_proxy_init (AllsetBatchingProxy *self)
{
}

guint
allset_batching_proxy_get_n_connected (void)
{
  return g_atomic_int_get (&n_connected);
}

/* ---- AllsetBatchingResolver --------------------------------------------- */

struct _AllsetBatchingResolver
{
  GObject         parent_instance;
  GProxyResolver *base;
};

static void allset_batching_resolver_iface_init (GProxyResolverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AllsetBatchingResolver, allset_batching_resolver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY_RESOLVER,
                                                      allset_batching_resolver_iface_init))

/* Takes the base's answer for uri and gives it back, or the batching
 * "proxy" if the answer was to connect directly. */
static char **
batch_direct (const char  *uri,
              char       **proxies)
{
  g_autoptr(GUri) parsed = NULL;
  char **batching;

  if (proxies == NULL || g_strv_length (proxies) != 1 || !g_str_equal (proxies[0], "direct://"))
    return proxies;
  if (!(parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL)) ||
      g_uri_get_host (parsed) == NULL || g_uri_get_port (parsed) <= 0)
    return proxies;

  batching = g_new0 (char *, 2);
  batching[0] = g_uri_join (G_URI_FLAGS_NONE, ALLSET_BATCHING_PROXY_SCHEME, NULL,
                            g_uri_get_host (parsed), g_uri_get_port (parsed), "", NULL, NULL);
  g_strfreev (proxies);
  return batching;
}

static gboolean
allset_batching_resolver_is_supported (GProxyResolver *resolver)
{
  return TRUE;
}

static char **
allset_batching_resolver_lookup (GProxyResolver  *resolver,
                                 const char      *uri,
                                 GCancellable    *cancellable,
                                 GError         **error)
{
  AllsetBatchingResolver *self = ALLSET_BATCHING_RESOLVER (resolver);

  return batch_direct (uri, g_proxy_resolver_lookup (self->base, uri, cancellable, error));
}

static void
base_lookup_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char **proxies = g_proxy_resolver_lookup_finish (G_PROXY_RESOLVER (source), result, &error);

  if (proxies == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, batch_direct (g_task_get_task_data (task), proxies),
                           (GDestroyNotify) g_strfreev);
}

static void
allset_batching_resolver_lookup_async (GProxyResolver      *resolver,
                                       const char          *uri,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  AllsetBatchingResolver *self = ALLSET_BATCHING_RESOLVER (resolver);
  GTask *task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_set_source_tag (task, allset_batching_resolver_lookup_async);
  g_task_set_task_data (task, g_strdup (uri), g_free);
  g_proxy_resolver_lookup_async (self->base, uri, cancellable, base_lookup_cb, task);
}

static char **
allset_batching_resolver_lookup_finish (GProxyResolver  *resolver,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
allset_batching_resolver_iface_init (GProxyResolverInterface *iface)
{
  iface->is_supported = allset_batching_resolver_is_supported;
  iface->lookup = allset_batching_resolver_lookup;
  iface->lookup_async = allset_batching_resolver_lookup_async;
  iface->lookup_finish = allset_batching_resolver_lookup_finish;
}

static void
allset_batching_resolver_finalize (GObject *object)
{
  AllsetBatchingResolver *self = ALLSET_BATCHING_RESOLVER (object);

  g_clear_object (&self->base);
  G_OBJECT_CLASS (allset_batching_resolver_parent_class)->finalize (object);
}

static void
allset_batching_resolver_class_init (AllsetBatchingResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_batching_resolver_finalize;
}

static void
allset_batching_resolver_init (AllsetBatchingResolver *self)
{
}

static gpointer
register_proxy (gpointer data)
{
  /* Asking for any proxy loads GIO's modules, which registers the
   * extension point this implements. */
  g_autoptr(GProxy) none = g_proxy_get_default_for_protocol (ALLSET_BATCHING_PROXY_SCHEME);

  if (none == NULL)
    g_io_extension_point_implement (G_PROXY_EXTENSION_POINT_NAME, ALLSET_TYPE_BATCHING_PROXY,
                                    ALLSET_BATCHING_PROXY_SCHEME, 0);
  return NULL;
}

GProxyResolver *
allset_batching_resolver_new (GProxyResolver *base)
{
  static GOnce registered = G_ONCE_INIT;
  AllsetBatchingResolver *self;

  g_return_val_if_fail (base == NULL || G_IS_PROXY_RESOLVER (base), NULL);

  g_once (&registered, register_proxy, NULL);
  self = g_object_new (ALLSET_TYPE_BATCHING_RESOLVER, NULL);
  self->base = g_object_ref (base != NULL ? base : g_proxy_resolver_get_default ());
  return G_PROXY_RESOLVER (self);
}

void
allset_batching_install (SoupSession *session)
{
  g_autoptr(GProxyResolver) resolver = NULL;

  g_return_if_fail (SOUP_IS_SESSION (session));

  if (g_getenv ("ALLSET_NO_BATCHING") != NULL)
    return;
  resolver = allset_batching_resolver_new (NULL);
  soup_session_set_proxy_resolver (session, resolver);
}
