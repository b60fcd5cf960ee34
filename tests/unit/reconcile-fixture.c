/* reconcile-fixture.c — the reconciler tests' small language for the
 * three trees, and plans as strings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>
#include <string.h>

#include "reconcile-fixture.h"

GDateTime *now;

char *
id_of (const char *content)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
}

World *
world_new (void)
{
  World *w = g_new0 (World, 1);

  w->base = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) allset_base_entry_free);
  w->local = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) allset_local_entry_free);
  w->remote = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) allset_remote_entry_free);
  w->moves = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_remote_move_free);
  return w;
}

void
world_free (World *w)
{
  g_hash_table_unref (w->base);
  g_hash_table_unref (w->local);
  g_hash_table_unref (w->remote);
  g_ptr_array_unref (w->moves);
  g_clear_pointer (&w->ignore, allset_ignore_unref);
  g_free (w);
}

typedef struct
{
  char            *path;
  AllsetEntryType  type;
  char            *content;
  gboolean         exec, skipped, unstable;
  gint64           revision;
  guint64          inode;
} Token;

static void
parse_token (const char *text,
             Token      *t)
{
  const char *p = text;
  GString *path = g_string_new (NULL);

  memset (t, 0, sizeof *t);
  t->type = ALLSET_ENTRY_FILE;
  while (*p != '\0' && strchr ("=*@#~?", *p) == NULL)
    g_string_append_c (path, *p++);
  if (path->len > 1 && path->str[path->len - 1] == '/')
    {
      t->type = ALLSET_ENTRY_DIR;
      g_string_truncate (path, path->len - 1);
    }
  t->path = g_string_free (path, FALSE);
  t->inode = g_str_hash (t->path) | 1;
  while (*p != '\0')
    {
      char c = *p++;
      const char *start = p;

      while (*p != '\0' && strchr ("=*@#~?", *p) == NULL)
        p++;
      if (c == '=')
        t->content = g_strndup (start, p - start);
      else if (c == '*')
        t->exec = TRUE;
      else if (c == '@')
        t->revision = g_ascii_strtoll (start, NULL, 10);
      else if (c == '#')
        t->inode = g_ascii_strtoull (start, NULL, 10);
      else if (c == '~')
        t->skipped = TRUE;
      else if (c == '?')
        t->unstable = TRUE;
    }
}

void
world_add (World      *w,
           Side        side,
           const char *spec)
{
  g_auto(GStrv) tokens = g_strsplit (spec, " ", -1);

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      g_autofree char *id = NULL;
      AllsetBaseEntry *b;
      Token t;

      if (tokens[i][0] == '\0')
        continue;
      parse_token (tokens[i], &t);
      id = t.content && !t.unstable ? id_of (t.content) : NULL;
      if (side == BASE)
        {
          b = allset_base_entry_new (t.path, t.type);
          b->file_id = allset_entry_string (id);
          b->executable = t.exec;
          b->revision = t.revision ? t.revision : 1;
          b->inode = t.inode;
          b->mtime_ns = 1000;
          g_hash_table_replace (w->base, b->path, b);
        }
      else if (side == LOCAL)
        {
          AllsetLocalEntry *e = allset_local_entry_new (t.path, t.skipped ? ALLSET_ENTRY_OTHER : t.type);

          e->file_id = allset_entry_string (id);
          e->executable = t.exec;
          e->inode = t.inode;
          e->mtime_ns = 1000;
          e->flags = (t.skipped ? ALLSET_LOCAL_SKIPPED : 0) | (t.unstable ? ALLSET_LOCAL_UNSTABLE : 0);
          g_hash_table_replace (w->local, e->path, e);
        }
      else
        {
          AllsetRemoteEntry *e = allset_remote_entry_new (t.path, t.type);

          e->file_id = allset_entry_string (id);
          e->executable = t.exec;
          b = g_hash_table_lookup (w->base, t.path);
          if (t.revision != 0)
            e->revision = t.revision;
          else if (b != NULL && b->type == e->type && g_strcmp0 (b->file_id, e->file_id) == 0 &&
                   b->executable == e->executable)
            e->revision = b->revision;
          else
            e->revision = 2;
          g_hash_table_replace (w->remote, e->path, e);
        }
      g_free (t.path);
      g_free (t.content);
    }
}

/* A table like map, of copies of its entries (every entry type starts
 * with its path, the key). */
static GHashTable *
copy_map (GHashTable     *map,
          GBoxedCopyFunc  copy,
          GDestroyNotify  destroy)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, destroy);
  GHashTableIter iter;
  gpointer entry;

  g_hash_table_iter_init (&iter, map);
  while (g_hash_table_iter_next (&iter, NULL, &entry))
    {
      gpointer dup = copy (entry);

      g_hash_table_replace (table, *(char **) dup, dup);
    }
  return table;
}

/* The plan for w, made twice: on views of its own, and with copies of
 * w's maps as the views (views_in_place, as a sync pass does); both
 * must give the same plan. */
AllsetPlan *
world_reconcile (World *w)
{
  AllsetReconcileInput input = {
    .base = w->base, .local = w->local, .remote = w->remote,
    .remote_moves = w->moves, .ignore = w->ignore,
    .device_name = "laptop", .now = now, .confirm_deletes = w->confirm,
  };
  g_autoptr(GHashTable) base = copy_map (w->base, (GBoxedCopyFunc) allset_base_entry_copy,
                                         (GDestroyNotify) allset_base_entry_free);
  g_autoptr(GHashTable) local = copy_map (w->local, (GBoxedCopyFunc) allset_local_entry_copy,
                                          (GDestroyNotify) allset_local_entry_free);
  g_autoptr(GHashTable) remote = copy_map (w->remote, (GBoxedCopyFunc) allset_remote_entry_copy,
                                           (GDestroyNotify) allset_remote_entry_free);
  AllsetReconcileInput in_place = input;
  g_autoptr(AllsetPlan) other = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  AllsetPlan *plan;

  plan = allset_reconcile (&input);
  in_place.base = base;
  in_place.local = local;
  in_place.remote = remote;
  in_place.views_in_place = TRUE;
  other = allset_reconcile (&in_place);
  expected = plan_string (plan);
  got = plan_string (other);
  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpuint (other->issues->len, ==, plan->issues->len);
  g_assert_cmpuint (other->n_local_deletes, ==, plan->n_local_deletes);
  g_assert_cmpuint (other->n_remote_deletes, ==, plan->n_remote_deletes);
  g_assert_cmpuint (other->n_base_files, ==, plan->n_base_files);
  return plan;
}

static gboolean
is_remote_op (AllsetActionKind kind)
{
  return kind == ALLSET_ACTION_MOVE_REMOTE || kind == ALLSET_ACTION_MKDIR_REMOTE ||
         kind == ALLSET_ACTION_UPLOAD || kind == ALLSET_ACTION_DELETE_REMOTE;
}

static void
append_actions (GString   *out,
                GPtrArray *actions)
{
  for (guint i = 0; i < actions->len; i++)
    {
      const AllsetAction *a = actions->pdata[i];

      if (out->len > 0 && out->str[out->len - 1] != ' ')
        g_string_append (out, "; ");
      g_string_append_printf (out, "%s %s", allset_action_kind_to_string (a->kind), a->path);
      if (a->to != NULL)
        g_string_append_printf (out, "→%s", a->to);
      if (is_remote_op (a->kind))
        g_string_append_printf (out, "@%" G_GINT64_FORMAT, a->base_revision);
      if (a->replace)
        g_string_append_c (out, '!');
    }
}

/* "kind path[→to][@base_revision][!]; …", then " | held: …". */
char *
plan_string (AllsetPlan *plan)
{
  GString *out = g_string_new (NULL);

  append_actions (out, plan->actions);
  if (plan->held->len > 0)
    {
      g_string_append (out, " | held: ");
      append_actions (out, plan->held);
    }
  return g_string_free (out, FALSE);
}
