/* test-reconcile.c — the three-way matrix, moves, directories, the deletion
 * guard, conflict names, and a randomised model check of the invariants
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>
#include <string.h>

#include "allset-conflict-name.h"
#include "allset-reconcile.h"

/* ─── A small language for the three trees ─────────────────────────────
 *
 * Space-separated tokens:  "d/" a directory, "f=X" a file whose content
 * is X, then optional suffixes: "*" executable, "@N" revision, "#N"
 * inode. "x~" is a skipped local entry (symlink, bad name…), "x?" an
 * unstable local file. Base and local default to inode = a hash of the
 * path and mtime 1000, so an untouched local copy matches base; remote
 * defaults to base's revision when the content matches base, else 2. */

typedef struct
{
  GHashTable   *base;
  GHashTable   *local;
  GHashTable   *remote;
  GPtrArray    *moves;
  AllsetIgnore *ignore;
  gboolean      confirm;
} World;

static GDateTime *now;

#define CF(p) p " (conflit laptop 2026-11-26 134500)"

static char *
id_of (const char *content)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
}

static World *
world_new (void)
{
  World *w = g_new0 (World, 1);

  w->base = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) allset_base_entry_free);
  w->local = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) allset_local_entry_free);
  w->remote = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) allset_remote_entry_free);
  w->moves = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_remote_move_free);
  return w;
}

static void
world_free (World *w)
{
  g_hash_table_unref (w->base);
  g_hash_table_unref (w->local);
  g_hash_table_unref (w->remote);
  g_ptr_array_unref (w->moves);
  g_clear_pointer (&w->ignore, allset_ignore_unref);
  g_free (w);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (World, world_free)

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

typedef enum { BASE, LOCAL, REMOTE } Side;

static void
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
          b->file_id = g_steal_pointer (&id);
          b->executable = t.exec;
          b->revision = t.revision ? t.revision : 1;
          b->inode = t.inode;
          b->mtime_ns = 1000;
          g_hash_table_replace (w->base, b->path, b);
        }
      else if (side == LOCAL)
        {
          AllsetLocalEntry *e = allset_local_entry_new (t.path, t.skipped ? ALLSET_ENTRY_OTHER : t.type);

          e->file_id = g_steal_pointer (&id);
          e->executable = t.exec;
          e->inode = t.inode;
          e->mtime_ns = 1000;
          e->flags = (t.skipped ? ALLSET_LOCAL_SKIPPED : 0) | (t.unstable ? ALLSET_LOCAL_UNSTABLE : 0);
          g_hash_table_replace (w->local, e->path, e);
        }
      else
        {
          AllsetRemoteEntry *e = allset_remote_entry_new (t.path, t.type);

          e->file_id = g_steal_pointer (&id);
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

#define world_base(w, spec)   world_add (w, BASE, spec)
#define world_local(w, spec)  world_add (w, LOCAL, spec)
#define world_remote(w, spec) world_add (w, REMOTE, spec)

static AllsetPlan *
world_reconcile (World *w)
{
  AllsetReconcileInput input = {
    .base = w->base, .local = w->local, .remote = w->remote,
    .remote_moves = w->moves, .ignore = w->ignore,
    .device_name = "laptop", .now = now, .confirm_deletes = w->confirm,
  };

  return allset_reconcile (&input);
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
static char *
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

typedef struct
{
  const char *base, *local, *remote;
  const char *moves;      /* "from>to from>to", seq in order */
  const char *expected;
} Cell;

static const Cell cells[] = {
  /* No base: new on one side, both sides. */
  { "", "", "", NULL, "" },
  { "", "f=X", "", NULL, "upload f@0" },
  { "", "", "f=X", NULL, "download f" },
  { "", "f=X", "f=X", NULL, "record-base f" },
  { "", "f=X", "f=Y", NULL, "conflict f→" CF ("f") "; upload " CF ("f") "@0; download f" },
  { "", "f/", "", NULL, "mkdir-remote f@0" },
  { "", "", "f/", NULL, "mkdir-local f" },
  { "", "f/", "f/", NULL, "record-base f" },
  { "", "f/", "f=X", NULL, "conflict f→" CF ("f") "; mkdir-remote " CF ("f") "@0; download f" },
  { "", "f=X", "f/", NULL, "conflict f→" CF ("f") "; upload " CF ("f") "@0; mkdir-local f" },
  /* Base is a file. */
  { "f=X", "", "", NULL, "forget-base f" },
  { "f=X", "", "f=X", NULL, "delete-remote f@1" },
  { "f=X", "", "f=Z", NULL, "download f" },
  { "f=X", "f=X", "", NULL, "delete-local f" },
  { "f=X", "f=X", "f=X", NULL, "" },
  { "f=X", "f=X", "f=Z", NULL, "download f" },
  { "f=X", "f=Y", "", NULL, "upload f@0" },
  { "f=X", "f=Y", "f=X", NULL, "upload f@1" },
  { "f=X", "f=Y", "f=Y", NULL, "record-base f" },
  { "f=X", "f=Y", "f=Z", NULL, "conflict f→" CF ("f") "; upload " CF ("f") "@0; download f" },
  { "f=X", "f=X*", "f=X", NULL, "upload f@1" },
  { "f=X", "f=X", "f=X*", NULL, "download f" },
  { "f=X", "f=X", "f=X@7", NULL, "record-base f" },
  { "f=X", "f=X#5", "f=X", NULL, "record-base f" },
  { "f=X", "f/", "f=X", NULL, "mkdir-remote f@0!" },
  { "f=X", "f/", "", NULL, "mkdir-remote f@0" },
  { "f=X", "f/", "f=Z", NULL, "conflict f→" CF ("f") "; mkdir-remote " CF ("f") "@0; download f" },
  { "f=X", "", "f/", NULL, "mkdir-local f" },
  { "f=X", "f=X", "f/", NULL, "mkdir-local f!" },
  { "f=X", "f=Y", "f/", NULL, "conflict f→" CF ("f") "; upload " CF ("f") "@0; mkdir-local f" },
  { "f=X", "f/", "f/", NULL, "record-base f" },
  /* Base is a directory. */
  { "f/", "", "", NULL, "forget-base f" },
  { "f/", "f/", "f/", NULL, "" },
  { "f/", "", "f/", NULL, "delete-remote f@1" },
  { "f/", "f/", "", NULL, "delete-local f" },
  { "f/", "f=X", "f/", NULL, "upload f@0!" },
  { "f/", "f/", "f=X", NULL, "download f!" },
  { "f/", "f=X", "f=Y", NULL, "conflict f→" CF ("f") "; upload " CF ("f") "@0; download f" },
  { "f/", "f=X", "f=X", NULL, "record-base f" },
  { "f/", "f=X", "", NULL, "upload f@0" },
  { "f/", "", "f=X", NULL, "download f" },
  /* Type changes with something below. */
  { "f/ f/x=X", "f=Y", "f/ f/x=Z", NULL,
    "conflict f→" CF ("f") "; upload " CF ("f") "@0; mkdir-local f; download f/x" },
  { "f/ f/x=X", "f/ f/x=Y", "f=Z", NULL,
    "conflict f→" CF ("f") "; mkdir-remote " CF ("f") "@0; upload " CF ("f") "/x@0; "
    "download f; forget-base f/x" },
  { "f/ f/x=X", "f/ f/x=X", "f=Z", NULL, "download f!" },
  { "f/ f/x=X", "f=Y", "f/ f/x=X", NULL, "upload f@0!" },

  /* Directories: deleted only when nothing stays; parents first,
   * children first. */
  { "d/ d/a=X d/b=Y", "d/ d/a=X d/b=Y", "", NULL, "delete-local d" },
  { "d/ d/a=X d/b=Y", "d/ d/a=X d/b=Z", "", NULL, "mkdir-remote d@0; upload d/b@0; delete-local d/a" },
  { "d/ d/a=X", "d/ d/a=X d/new=N", "", NULL, "mkdir-remote d@0; upload d/new@0; delete-local d/a" },
  { "d/ d/a=X d/b=Y", "", "d/ d/a=X d/b=Y", NULL, "delete-remote d@1" },
  { "d/ d/a=X", "", "d/ d/a=X d/n=N", NULL, "mkdir-local d; download d/n; delete-remote d/a@1" },
  { "d/ d/a=X d/b=Y", "", "d/ d/a=X d/b=Z", NULL, "mkdir-local d; download d/b; delete-remote d/a@1" },
  { "", "", "d/ d/e/ d/e/f=X", NULL, "mkdir-local d; mkdir-local d/e; download d/e/f" },
  { "", "d/ d/e/ d/e/f=X", "", NULL, "mkdir-remote d@0; mkdir-remote d/e@0; upload d/e/f@0" },
  { "d/ d/e/ d/e/f=X", "d/ d/e/ d/e/f=X d/link~", "", NULL, "mkdir-remote d@0; delete-local d/e" },
  { "d/ d/e/ d/e/f=X d/g=Y", "d/ d/e/ d/e/f=X d/g=Y", "d/", NULL, "delete-local d/e; delete-local d/g" },

  /* Frozen: skipped or unstable local entries, case clashes across sides. */
  { "f=X", "f=Y?", "f=Z", NULL, "" },
  { "f=X", "f~", "", NULL, "" },
  { "d/ d/a=X", "d~", "d/ d/a=Z d/b=N", NULL, "" },
  { "", "Readme=X", "README=Y", NULL, "" },
  { "", "a/ a/x=X", "A/ A/y=Y", NULL, "" },
  { "", "a=X", "b=Y", NULL, "upload a@0; download b" },

  /* Moves from the feed. */
  { "a=X#1", "a=X#1", "b=X@5", "a>b", "move-local a→b; record-base b" },
  { "d/#1 d/x=X#2", "d/#1 d/x=X#2", "e/@5 e/x=X@1", "d>e", "move-local d→e; record-base e" },
  { "a=X#1", "a=X#1", "b=Z@6", "a>b", "move-local a→b; download b" },
  { "a=X#1", "a=Y#1", "b=X@5", "a>b", "move-local a→b; upload b@5" },
  { "a=X", "", "b=X@5", "a>b", "download b; forget-base a" },
  { "a=X#1", "a=X#1 b=Y#2", "b=X@5", "a>b",
    "conflict b→" CF ("b") "; upload " CF ("b") "@0; download b; delete-local a" },
  { "a=X#1", "a=X#1", "c=X@6", "a>b b>c", "move-local a→b; move-local b→c; record-base c" },
  /* Local renames. */
  { "a=X#1", "b=X#1", "a=X", NULL, "move-remote a→b@1" },
  { "d/#1 d/x=X#2", "e/#1 e/x=X#2", "d/ d/x=X", NULL, "move-remote d→e@1" },
  { "a=X#1", "b=Y#1", "a=X", NULL, "upload b@0; delete-remote a@1" },
  { "a=X#1", "b=X#9", "a=X", NULL, "move-remote a→b@1" },
  { "a=X#1", "b=X#8 c=X#9", "a=X", NULL, "upload b@0; upload c@0; delete-remote a@1" },
  { "a=X#1", "b=X#1", "a=Z", NULL, "download a; upload b@0" },
  { "a=X#1", "n/#5 n/a=X#1", "a=X", NULL, "move-remote a→n/a@1; mkdir-remote n@0" },
  { "d/#1 d/x=X#2", "e/#1 f=X#2", "d/ d/x=X", NULL, "move-remote d→e@1; move-remote e/x→f@1" },
  { "a=X#1", "b=X#1", "c=X@5", "a>c", "upload b@0; download c; forget-base a" },
};

static void
test_matrix (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      const Cell *cell = &cells[i];
      g_autoptr(World) w = world_new ();
      g_autoptr(AllsetPlan) plan = NULL;
      g_autofree char *got = NULL;

      world_base (w, cell->base);
      world_local (w, cell->local);
      world_remote (w, cell->remote);
      if (cell->moves != NULL)
        {
          g_auto(GStrv) moves = g_strsplit (cell->moves, " ", -1);

          for (guint m = 0; moves[m] != NULL; m++)
            {
              g_auto(GStrv) ends = g_strsplit (moves[m], ">", 2);

              g_ptr_array_add (w->moves, allset_remote_move_new (m + 1, ends[0], ends[1]));
            }
        }
      plan = world_reconcile (w);
      got = plan_string (plan);
      if (g_strcmp0 (got, cell->expected) != 0)
        g_error ("cell %u: base “%s” local “%s” remote “%s”:\n  expected: %s\n  got:      %s",
                 i, cell->base, cell->local, cell->remote, cell->expected, got);
      g_assert_false (plan->needs_delete_confirmation);
    }
}

static void
test_case_clash_issues (void)
{
  g_autoptr(World) w = world_new ();
  g_autoptr(AllsetPlan) plan = NULL;

  world_local (w, "Readme=X");
  world_remote (w, "README=Y");
  plan = world_reconcile (w);
  g_assert_cmpuint (plan->actions->len, ==, 0);
  g_assert_cmpuint (plan->issues->len, ==, 2);
  g_assert_cmpint (((AllsetIssue *) plan->issues->pdata[0])->kind, ==, ALLSET_ISSUE_CASE_CLASH);
}

static void
test_ignored (void)
{
  g_autoptr(World) w = world_new ();
  g_autoptr(AllsetPlan) plan = NULL;

  w->ignore = allset_ignore_new ();
  allset_ignore_add_text (w->ignore, "*.log\n", NULL);
  /* Ignored after it was synced: not deleted on the server. */
  world_base (w, "app.log=X");
  world_remote (w, "app.log=X ~$x.docx=Y");
  world_local (w, ".DS_Store=Z");
  plan = world_reconcile (w);
  g_assert_cmpuint (plan->actions->len, ==, 0);
}

static void
test_conflict_details (void)
{
  g_autoptr(World) w = world_new ();
  g_autoptr(AllsetPlan) plan = NULL;
  const AllsetAction *conflict, *upload, *download;

  /* The copy's name is free on both sides, case-insensitively. */
  world_base (w, "f=X");
  world_local (w, "f=Y");
  world_remote (w, "f=Z");
  {
    AllsetLocalEntry *taken = allset_local_entry_new (CF ("F"), ALLSET_ENTRY_FILE);

    taken->file_id = id_of ("T");
    g_hash_table_replace (w->local, taken->path, taken);
  }
  plan = world_reconcile (w);
  g_assert_cmpuint (plan->actions->len, ==, 4);   /* the new local file is uploaded first */
  conflict = plan->actions->pdata[1];
  g_assert_cmpint (conflict->kind, ==, ALLSET_ACTION_CONFLICT);
  g_assert_cmpstr (conflict->to, ==, "f (conflit laptop 2026-11-26 134500 2)");
  /* Carries what to re-check, and what follows uses the new name. */
  g_assert_nonnull (conflict->local);
  upload = plan->actions->pdata[2];
  g_assert_cmpint (upload->kind, ==, ALLSET_ACTION_UPLOAD);
  g_assert_cmpstr (upload->path, ==, conflict->to);
  g_assert_cmpstr (upload->local->path, ==, conflict->to);
  download = plan->actions->pdata[3];
  g_assert_cmpint (download->kind, ==, ALLSET_ACTION_DOWNLOAD);
  g_assert_null (download->local);
  g_assert_nonnull (download->remote);
}

static void
test_disk_paths (void)
{
  g_autoptr(World) w = world_new ();
  g_autoptr(AllsetPlan) plan = NULL;
  AllsetLocalEntry *e;
  const AllsetAction *a;

  /* A directory stored decomposed, renamed away as a conflict copy: the
   * copy gets its NFC name, the names below keep their bytes on disk. */
  world_local (w, "\xc3\x89t\xc3\xa9/ \xc3\x89t\xc3\xa9/x=X");
  e = g_hash_table_lookup (w->local, "\xc3\x89t\xc3\xa9");
  e->disk_path = g_strdup ("E\xcc\x81te\xcc\x81");
  e = g_hash_table_lookup (w->local, "\xc3\x89t\xc3\xa9/x");
  e->disk_path = g_strdup ("E\xcc\x81te\xcc\x81/x");
  world_remote (w, "\xc3\x89t\xc3\xa9=Y");
  plan = world_reconcile (w);
  a = plan->actions->pdata[2];
  g_assert_cmpint (a->kind, ==, ALLSET_ACTION_UPLOAD);
  g_assert_cmpstr (a->path, ==, CF ("\xc3\x89t\xc3\xa9") "/x");
  g_assert_null (a->local->disk_path);
}

static void
add_files (World      *w,
           const char *dir,
           guint       n,
           gboolean    local,
           gboolean    remote)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *spec = g_strdup_printf ("%s%sf%u=C%u", dir, dir[0] ? "/" : "", i, i);

      world_base (w, spec);
      if (local)
        world_local (w, spec);
      if (remote)
        world_remote (w, spec);
    }
}

static void
test_mass_deletion (void)
{
  /* 6 of 10 deleted on the server: held until confirmed. */
  for (guint confirm = 0; confirm < 2; confirm++)
    {
      g_autoptr(World) w = world_new ();
      g_autoptr(AllsetPlan) plan = NULL;

      add_files (w, "", 4, TRUE, TRUE);
      world_base (w, "d/");
      world_local (w, "d/ n=N");
      world_remote (w, "d/");
      add_files (w, "d", 6, TRUE, FALSE);
      w->confirm = confirm;
      plan = world_reconcile (w);
      g_assert_cmpuint (plan->n_local_deletes, ==, 6);
      g_assert_cmpuint (plan->n_base_files, ==, 10);
      g_assert_cmpint (plan->needs_delete_confirmation, ==, !confirm);
      if (!confirm)
        {
          g_autofree char *s = plan_string (plan);

          /* The rest goes on: new files still upload. */
          g_assert_cmpstr (s, ==, "upload n@0 | held: delete-local d/f0; delete-local d/f1; "
                                  "delete-local d/f2; delete-local d/f3; delete-local d/f4; "
                                  "delete-local d/f5");
        }
      else
        g_assert_cmpuint (plan->actions->len, ==, 7);
    }

  /* Under the thresholds. */
  {
    g_autoptr(World) w = world_new ();
    g_autoptr(AllsetPlan) plan = NULL;

    add_files (w, "a", 6, TRUE, TRUE);
    add_files (w, "b", 4, TRUE, FALSE);
    world_base (w, "a/ b/");
    world_local (w, "a/ b/");
    world_remote (w, "a/ b/");
    plan = world_reconcile (w);
    g_assert_false (plan->needs_delete_confirmation);
    g_assert_cmpuint (plan->n_local_deletes, ==, 4);
  }
  {
    g_autoptr(World) w = world_new ();
    g_autoptr(AllsetPlan) plan = NULL;

    add_files (w, "", 4, FALSE, TRUE);
    plan = world_reconcile (w);
    g_assert_false (plan->needs_delete_confirmation);
    g_assert_cmpuint (plan->n_remote_deletes, ==, 4);
  }

  /* More than 500, even a small part of the folder; a directory deletion
   * counts its files. */
  {
    g_autoptr(World) w = world_new ();
    g_autoptr(AllsetPlan) plan = NULL;

    add_files (w, "keep", 1500, TRUE, TRUE);
    add_files (w, "gone", 501, TRUE, FALSE);
    world_base (w, "keep/ gone/");
    world_local (w, "keep/ gone/");
    world_remote (w, "keep/");
    plan = world_reconcile (w);
    g_assert_true (plan->needs_delete_confirmation);
    g_assert_cmpuint (plan->held->len, ==, 1);
    g_assert_cmpuint (((AllsetAction *) plan->held->pdata[0])->n_files, ==, 501);
  }

  /* An unmounted disk reads as "everything deleted here". */
  {
    g_autoptr(World) w = world_new ();
    g_autoptr(AllsetPlan) plan = NULL;

    add_files (w, "", 100, FALSE, TRUE);
    plan = world_reconcile (w);
    g_assert_true (plan->needs_delete_confirmation);
    g_assert_cmpuint (plan->actions->len, ==, 0);
    g_assert_cmpuint (plan->n_remote_deletes, ==, 100);
  }

  /* A replacement deletes too, and what lies below it waits with it. */
  {
    g_autoptr(World) w = world_new ();
    g_autoptr(AllsetPlan) plan = NULL;
    g_autofree char *s = NULL;

    add_files (w, "d", 6, TRUE, FALSE);
    world_base (w, "d/ e=X");
    world_local (w, "d/ e=X");
    world_remote (w, "d=F e/ e/x=Y");
    plan = world_reconcile (w);
    s = plan_string (plan);
    g_assert_cmpstr (s, ==, " | held: download d!; mkdir-local e!; download e/x");
  }
}

static void
test_conflict_names (void)
{
  static const struct { const char *path, *device; gboolean dir; guint n; const char *expected; } names[] = {
    { "dir/report.pdf", "laptop", FALSE, 1, "dir/report (conflit laptop 2026-11-26 134500).pdf" },
    { "report", "laptop", FALSE, 1, "report (conflit laptop 2026-11-26 134500)" },
    { ".bashrc", "laptop", FALSE, 1, ".bashrc (conflit laptop 2026-11-26 134500)" },
    { "a.tar.gz", "laptop", FALSE, 1, "a.tar (conflit laptop 2026-11-26 134500).gz" },
    { "notes.about the trip", "pc", FALSE, 1, "notes.about the trip (conflit pc 2026-11-26 134500)" },
    { "x.averyveryverylongext", "pc", FALSE, 1, "x.averyveryverylongext (conflit pc 2026-11-26 134500)" },
    { "Photos.2024", "pc", TRUE, 1, "Photos.2024 (conflit pc 2026-11-26 134500)" },
    { "report.pdf", "laptop", FALSE, 2, "report (conflit laptop 2026-11-26 134500 2).pdf" },
    { "a.txt", "Mon PC: bureau/2 (neuf)", FALSE, 1, "a (conflit Mon PC_ bureau_2 _neuf_ 2026-11-26 134500).txt" },
    { "a.txt", "  \t ", FALSE, 1, "a (conflit appareil 2026-11-26 134500).txt" },
    { "a.txt", NULL, FALSE, 1, "a (conflit appareil 2026-11-26 134500).txt" },
    { "a.txt", "Poste\x01 d’Élodie", FALSE, 1, "a (conflit Poste_ d’Élodie 2026-11-26 134500).txt" },
  };
  g_autofree char *long_ascii = g_strnfill (250, 'a');
  g_autoptr(GString) long_utf8 = g_string_new (NULL);
  const char *longs[2];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *got = allset_conflict_name_full (names[i].path, names[i].device, now,
                                                        names[i].dir, names[i].n);
      g_autofree char *valid = allset_path_normalize (got, FALSE, NULL);

      g_assert_cmpstr (got, ==, names[i].expected);
      g_assert_cmpstr (valid, ==, got);
    }

  /* Too long: the stem gives way, on a character boundary. */
  for (guint i = 0; i < 125; i++)
    g_string_append (long_utf8, "\xc3\xa9");
  longs[0] = long_ascii;
  longs[1] = long_utf8->str;
  for (guint i = 0; i < G_N_ELEMENTS (longs); i++)
    {
      g_autofree char *path = g_strconcat (longs[i], ".txt", NULL);
      g_autofree char *got = allset_conflict_name (path, "a device name of forty characters long!!", now);
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (strlen (got), <=, 255);
      g_assert_true (g_str_has_suffix (got, "134500).txt"));
      g_assert_true (allset_name_check (got, &error));
      g_assert_no_error (error);
    }
}

static gboolean
taken_in (const char *path,
          gpointer    user_data)
{
  return g_hash_table_contains (user_data, path);
}

static void
test_conflict_unique (void)
{
  g_autoptr(GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *got = NULL;

  g_hash_table_add (taken, "d/r (conflit pc 2026-11-26 134500).pdf");
  g_hash_table_add (taken, "d/r (conflit pc 2026-11-26 134500 2).pdf");
  got = allset_conflict_name_unique ("d/r.pdf", "pc", now, FALSE, taken_in, taken);
  g_assert_cmpstr (got, ==, "d/r (conflit pc 2026-11-26 134500 3).pdf");
}

/* ─── Model check ───────────────────────────────────────────────────────
 *
 * Random base, local and remote trees over a few names; each plan is run
 * on an in-memory model that enforces the executor's contract and
 * asserts the invariants: nothing is deleted or overwritten locally unless
 * it equals base (so it lives on the server); the server loses nothing it
 * had that base did not; every version either side had that base did not
 * ends up on both sides; both sides end up equal; and planning again
 * finds nothing to do. */

static const char * const universe[] = {
  "a", "a/a", "a/a/a", "a/a/b", "a/b", "b", "b/a", "b/b", "c",
};

typedef struct
{
  World   *w;
  gint64   revision;
  guint64  inode;
  GRand   *rand;
  char    *trace;
} Model;

#define MODEL_ASSERT(m, cond) \
  G_STMT_START { if (!(cond)) g_error ("%s\n%s", #cond, (m)->trace); } G_STMT_END

/* Type, id and execute bit of an entry of any view, as one string. */
static char *
content_of (Side     side,
            gpointer e)
{
  AllsetEntryType type;
  const char *id;
  gboolean exec;

  if (side == LOCAL)
    type = ((AllsetLocalEntry *) e)->type, id = ((AllsetLocalEntry *) e)->file_id,
    exec = ((AllsetLocalEntry *) e)->executable;
  else if (side == REMOTE)
    type = ((AllsetRemoteEntry *) e)->type, id = ((AllsetRemoteEntry *) e)->file_id,
    exec = ((AllsetRemoteEntry *) e)->executable;
  else
    type = ((AllsetBaseEntry *) e)->type, id = ((AllsetBaseEntry *) e)->file_id,
    exec = ((AllsetBaseEntry *) e)->executable;
  return type == ALLSET_ENTRY_DIR ? g_strdup ("dir") : g_strdup_printf ("%.6s%s", id, exec ? "*" : "");
}

static gboolean
parent_is_dir (Side        side,
               GHashTable *tree,
               const char *path)
{
  g_autofree char *parent = allset_path_parent (path);
  gpointer e = g_hash_table_lookup (tree, parent);
  g_autofree char *c = e != NULL ? content_of (side, e) : NULL;

  return parent[0] == '\0' || g_strcmp0 (c, "dir") == 0;
}

static GPtrArray *
keys_under (GHashTable *tree,
            const char *path)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *key;

  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    if (allset_path_has_prefix (key, path))
      g_ptr_array_add (keys, g_strdup (key));
  return keys;
}

static void
remove_under (GHashTable *tree,
              const char *path)
{
  g_autoptr(GPtrArray) keys = keys_under (tree, path);

  for (guint i = 0; i < keys->len; i++)
    g_hash_table_remove (tree, keys->pdata[i]);
}

static void
rename_under (GHashTable *tree,
              const char *from,
              const char *to)
{
  g_autoptr(GPtrArray) keys = keys_under (tree, from);

  for (guint i = 0; i < keys->len; i++)
    {
      gpointer entry = NULL;
      char **path;

      g_hash_table_steal_extended (tree, keys->pdata[i], NULL, &entry);
      path = entry;
      g_free (*path);
      *path = g_strconcat (to, (char *) keys->pdata[i] + strlen (from), NULL);
      g_hash_table_replace (tree, *path, entry);
    }
}

/* Every local entry at path and below equals base: removing it loses nothing. */
static gboolean
same_as_base (GHashTable *tree,
              GHashTable *base,
              const char *path,
              gboolean    local)
{
  g_autoptr(GPtrArray) keys = keys_under (tree, path);

  for (guint i = 0; i < keys->len; i++)
    {
      gpointer e = g_hash_table_lookup (tree, keys->pdata[i]);
      AllsetBaseEntry *b = g_hash_table_lookup (base, keys->pdata[i]);
      g_autofree char *have = content_of (local ? LOCAL : REMOTE, e);
      g_autofree char *had = b ? content_of (BASE, b) : NULL;

      if (b == NULL || g_strcmp0 (have, had) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
record_base (Model      *m,
             const char *path)
{
  AllsetLocalEntry *l = g_hash_table_lookup (m->w->local, path);
  AllsetRemoteEntry *r = g_hash_table_lookup (m->w->remote, path);
  AllsetBaseEntry *b;

  MODEL_ASSERT (m, l != NULL && r != NULL);
  b = allset_base_entry_new (path, r->type);
  b->file_id = g_strdup (r->file_id);
  b->executable = r->executable;
  b->revision = r->revision;
  b->inode = l->inode;
  b->mtime_ns = l->mtime_ns;
  g_hash_table_replace (m->w->base, b->path, b);
}

static void
put_local (Model                   *m,
           const char              *path,
           const AllsetRemoteEntry *from)
{
  AllsetLocalEntry *l = allset_local_entry_new (path, from->type);

  MODEL_ASSERT (m, parent_is_dir (LOCAL, m->w->local, path));   /* parents first */
  l->file_id = g_strdup (from->file_id);
  l->executable = from->executable;
  l->inode = ++m->inode;
  l->mtime_ns = 1000;
  g_hash_table_replace (m->w->local, l->path, l);
}

static void
put_remote (Model                  *m,
            const char             *path,
            const AllsetLocalEntry *from)
{
  AllsetRemoteEntry *r = allset_remote_entry_new (path, from->type);

  MODEL_ASSERT (m, parent_is_dir (REMOTE, m->w->remote, path));
  r->file_id = g_strdup (from->file_id);
  r->executable = from->executable;
  r->revision = ++m->revision;
  g_hash_table_replace (m->w->remote, r->path, r);
}

static void
model_run (Model              *m,
           const AllsetAction *a)
{
  GHashTable *local = m->w->local, *remote = m->w->remote, *base = m->w->base;
  AllsetLocalEntry *l = g_hash_table_lookup (local, a->path);
  AllsetRemoteEntry *r = g_hash_table_lookup (remote, a->path);

  switch (a->kind)
    {
    case ALLSET_ACTION_MOVE_LOCAL:
    case ALLSET_ACTION_CONFLICT:
      MODEL_ASSERT (m, l != NULL && !g_hash_table_contains (local, a->to));
      rename_under (local, a->path, a->to);
      if (a->kind == ALLSET_ACTION_MOVE_LOCAL)
        rename_under (base, a->path, a->to);
      break;
    case ALLSET_ACTION_MOVE_REMOTE:
      MODEL_ASSERT (m, r != NULL && r->revision == a->base_revision);
      MODEL_ASSERT (m, !g_hash_table_contains (remote, a->to));
      /* The server makes missing parents. */
      for (g_autofree char *up = allset_path_parent (a->to); up[0] != '\0' && !g_hash_table_contains (remote, up);)
        {
          AllsetRemoteEntry *dir = allset_remote_entry_new (up, ALLSET_ENTRY_DIR);

          dir->revision = ++m->revision;
          g_hash_table_replace (remote, dir->path, dir);
          g_free (up);
          up = allset_path_parent (dir->path);
        }
      MODEL_ASSERT (m, parent_is_dir (REMOTE, remote, a->to));
      rename_under (remote, a->path, a->to);
      rename_under (base, a->path, a->to);
      ((AllsetRemoteEntry *) g_hash_table_lookup (remote, a->to))->revision = ++m->revision;
      ((AllsetBaseEntry *) g_hash_table_lookup (base, a->to))->revision = m->revision;
      ((AllsetBaseEntry *) g_hash_table_lookup (base, a->to))->inode = a->local->inode;
      break;
    case ALLSET_ACTION_MKDIR_LOCAL:
    case ALLSET_ACTION_DOWNLOAD:
      MODEL_ASSERT (m, r != NULL);
      if (a->replace || (l != NULL && l->type != r->type))
        {
          /* What goes to the trash must be what base knows. */
          MODEL_ASSERT (m, a->replace && same_as_base (local, base, a->path, TRUE));
          remove_under (local, a->path);
          remove_under (base, a->path);
          l = NULL;
        }
      if (l != NULL && a->kind == ALLSET_ACTION_DOWNLOAD)
        MODEL_ASSERT (m, same_as_base (local, base, a->path, TRUE));   /* overwritten */
      if (l == NULL || a->kind == ALLSET_ACTION_DOWNLOAD)
        put_local (m, a->path, r);
      record_base (m, a->path);
      break;
    case ALLSET_ACTION_MKDIR_REMOTE:
    case ALLSET_ACTION_UPLOAD:
      MODEL_ASSERT (m, l != NULL);
      if (a->replace)
        {
          MODEL_ASSERT (m, r != NULL && same_as_base (remote, base, a->path, FALSE));
          remove_under (remote, a->path);
          remove_under (base, a->path);
          r = NULL;
        }
      if (r != NULL && a->kind == ALLSET_ACTION_UPLOAD)
        MODEL_ASSERT (m, r->revision == a->base_revision);
      else if (r == NULL)
        MODEL_ASSERT (m, a->base_revision == 0);
      if (r == NULL || a->kind == ALLSET_ACTION_UPLOAD)
        put_remote (m, a->path, l);
      MODEL_ASSERT (m, ((AllsetRemoteEntry *) g_hash_table_lookup (remote, a->path))->type == l->type);
      record_base (m, a->path);
      break;
    case ALLSET_ACTION_RECORD_BASE:
      {
        g_autofree char *lc = l ? content_of (LOCAL, l) : NULL;
        g_autofree char *rc = r ? content_of (REMOTE, r) : NULL;

        MODEL_ASSERT (m, lc != NULL && g_strcmp0 (lc, rc) == 0);
        record_base (m, a->path);
      }
      break;
    case ALLSET_ACTION_FORGET_BASE:
      g_hash_table_remove (base, a->path);
      break;
    case ALLSET_ACTION_DELETE_LOCAL:
      /* Never a path the journal does not know, never a changed one. */
      MODEL_ASSERT (m, g_hash_table_contains (base, a->path));
      MODEL_ASSERT (m, l != NULL && same_as_base (local, base, a->path, TRUE));
      remove_under (local, a->path);
      remove_under (base, a->path);
      break;
    case ALLSET_ACTION_DELETE_REMOTE:
      MODEL_ASSERT (m, r != NULL && r->revision == a->base_revision);
      MODEL_ASSERT (m, same_as_base (remote, base, a->path, FALSE));
      remove_under (remote, a->path);
      remove_under (base, a->path);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Contents that differ from base on one side: they must survive. */
static GPtrArray *
new_versions (GHashTable *tree,
              GHashTable *base,
              GPtrArray  *moves,
              gboolean    local)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *path;
  gpointer e;

  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, &e))
    {
      g_autofree char *origin = g_strdup (path);
      AllsetBaseEntry *b;

      /* Where the server's entry was when base was taken. */
      for (guint i = moves->len; !local && i > 0; i--)
        {
          AllsetRemoteMove *move = moves->pdata[i - 1];

          if (allset_path_has_prefix (origin, move->to))
            {
              char *before = g_strconcat (move->from, origin + strlen (move->to), NULL);

              g_free (origin);
              origin = before;
            }
        }
      char *have = content_of (local ? LOCAL : REMOTE, e);
      g_autofree char *had = NULL;
      g_autofree char *had_there = NULL;

      if ((b = g_hash_table_lookup (base, origin)) != NULL)
        had = content_of (BASE, b);
      if ((b = g_hash_table_lookup (base, path)) != NULL)
        had_there = content_of (BASE, b);
      if (strcmp (have, "dir") != 0 && g_strcmp0 (have, had) != 0 && g_strcmp0 (have, had_there) != 0)
        g_ptr_array_add (found, have);
      else
        g_free (have);
    }
  return found;
}

static gboolean
holds (GHashTable *tree,
       const char *wanted,
       gboolean    local)
{
  GHashTableIter iter;
  gpointer e;

  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, NULL, &e))
    {
      g_autofree char *have = content_of (local ? LOCAL : REMOTE, e);

      if (strcmp (have, wanted) == 0)
        return TRUE;
    }
  return FALSE;
}

/* One side derived from base: kept (55 %), deleted, rewritten, retyped;
 * or, where base has nothing, sometimes added. */
static void
derive (Model *m,
        Side   side)
{
  GHashTable *tree = side == LOCAL ? m->w->local : m->w->remote;

  for (guint i = 0; i < G_N_ELEMENTS (universe); i++)
    {
      const char *path = universe[i];
      AllsetBaseEntry *b = g_hash_table_lookup (m->w->base, path);
      guint dice = g_rand_int_range (m->rand, 0, 100);
      gboolean same = b != NULL && dice < 55;
      AllsetEntryType type = ALLSET_ENTRY_DIR;
      char *id = NULL;
      gboolean exec = FALSE;

      if (!parent_is_dir (side, tree, path) || (b != NULL && dice >= 55 && dice < 70) ||
          (b == NULL && dice < 70))
        continue;
      if (same)
        type = b->type, id = g_strdup (b->file_id), exec = b->executable;
      else if (dice < 90)
        {
          char c[2] = { "PQRS"[g_rand_int_range (m->rand, 0, 4)], 0 };

          type = ALLSET_ENTRY_FILE;
          id = id_of (c);
          exec = g_rand_int_range (m->rand, 0, 6) == 0;
        }

      if (side == LOCAL)
        {
          AllsetLocalEntry *e = allset_local_entry_new (path, type);

          e->file_id = id;
          e->executable = exec;
          e->mtime_ns = 1000;
          /* Rewritten in place keeps the inode; new or retyped does not. */
          e->inode = b != NULL && b->type == type ? b->inode : ++m->inode;
          g_hash_table_replace (tree, e->path, e);
        }
      else
        {
          AllsetRemoteEntry *e = allset_remote_entry_new (path, type);

          e->file_id = id;
          e->executable = exec;
          e->revision = same ? b->revision : ++m->revision;
          g_hash_table_replace (tree, e->path, e);
        }
    }
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* The server moves things around too: up to two moves of what it holds
 * to free names, recorded as the feed would. */
static void
remote_moves (Model *m)
{
  for (guint k = 0; k < 2; k++)
    {
      const char *from = universe[g_rand_int_range (m->rand, 0, G_N_ELEMENTS (universe))];
      const char *to = universe[g_rand_int_range (m->rand, 0, G_N_ELEMENTS (universe))];

      if (g_rand_int_range (m->rand, 0, 10) >= 3 ||
          !g_hash_table_contains (m->w->remote, from) || g_hash_table_contains (m->w->remote, to) ||
          !parent_is_dir (REMOTE, m->w->remote, to) || allset_path_has_prefix (to, from))
        continue;
      rename_under (m->w->remote, from, to);
      ((AllsetRemoteEntry *) g_hash_table_lookup (m->w->remote, to))->revision = ++m->revision;
      g_ptr_array_add (m->w->moves, allset_remote_move_new (m->revision, from, to));
    }
}

static char *
tree_string (Side        side,
             GHashTable *tree)
{
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (tree, NULL);
  GString *out = g_string_new (NULL);

  qsort (keys, g_hash_table_size (tree), sizeof (char *), compare_strings);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *c = content_of (side, g_hash_table_lookup (tree, keys[i]));

      g_string_append_printf (out, "%s=%s ", keys[i], c);
    }
  return g_string_free (out, FALSE);
}

static void
test_model (void)
{
#ifdef __SANITIZE_ADDRESS__
  /* Each case allocates a lot, and the sanitizer run's slow unwinder
   * makes that ~10x dearer; -m thorough runs 100 000. */
  guint runs = g_test_thorough () ? 100000 : 500;
#else
  guint runs = g_test_thorough () ? 100000 : 2000;
#endif

  for (guint seed = 1; seed <= runs; seed++)
    {
      Model m = { world_new (), 100, 1000, g_rand_new_with_seed (seed), NULL };
      g_autoptr(AllsetPlan) plan = NULL;
      g_autoptr(AllsetPlan) again = NULL;
      g_autoptr(GPtrArray) local_new = NULL;
      g_autoptr(GPtrArray) remote_new = NULL;
      g_autofree char *b = NULL, *l = NULL, *r = NULL, *p = NULL, *p2 = NULL;

      /* Base: a random tree. */
      for (guint i = 0; i < G_N_ELEMENTS (universe); i++)
        {
          guint dice = g_rand_int_range (m.rand, 0, 100);
          g_autofree char *spec = NULL;

          if (!parent_is_dir (BASE, m.w->base, universe[i]) || dice < 30)
            continue;
          spec = dice < 70 ? g_strdup_printf ("%s=%c#%u", universe[i], "PQRS"[dice % 4], 10 + i)
                           : g_strdup_printf ("%s/#%u", universe[i], 10 + i);
          world_base (m.w, spec);
        }
      derive (&m, LOCAL);
      derive (&m, REMOTE);
      remote_moves (&m);
      /* Now and then the guard holds deletions back. */
      m.w->confirm = g_rand_int_range (m.rand, 0, 4) != 0;

      local_new = new_versions (m.w->local, m.w->base, m.w->moves, TRUE);
      remote_new = new_versions (m.w->remote, m.w->base, m.w->moves, FALSE);
      plan = world_reconcile (m.w);
      b = tree_string (BASE, m.w->base);
      l = tree_string (LOCAL, m.w->local);
      r = tree_string (REMOTE, m.w->remote);
      p = plan_string (plan);
      {
        g_autoptr(GString) moves = g_string_new (NULL);

        for (guint i = 0; i < m.w->moves->len; i++)
          g_string_append_printf (moves, "%s>%s ", ((AllsetRemoteMove *) m.w->moves->pdata[i])->from,
                                  ((AllsetRemoteMove *) m.w->moves->pdata[i])->to);
        m.trace = g_strdup_printf ("seed %u\n  base:   %s\n  local:  %s\n  remote: %s\n  moves:  %s\n"
                                   "  plan:   %s", seed, b, l, r, moves->str, p);
      }

      for (guint i = 0; i < plan->actions->len; i++)
        model_run (&m, plan->actions->pdata[i]);
      if (plan->held->len > 0)
        goto next;

      /* Clashes between two new names of different case cannot happen
       * here (one case only), so every version must be on both sides. */
      for (guint i = 0; i < local_new->len; i++)
        MODEL_ASSERT (&m, holds (m.w->local, local_new->pdata[i], TRUE) &&
                          holds (m.w->remote, local_new->pdata[i], FALSE));
      for (guint i = 0; i < remote_new->len; i++)
        MODEL_ASSERT (&m, holds (m.w->local, remote_new->pdata[i], TRUE) &&
                          holds (m.w->remote, remote_new->pdata[i], FALSE));

      /* Converged: the same tree on both sides… */
      g_clear_pointer (&l, g_free);
      g_clear_pointer (&r, g_free);
      MODEL_ASSERT (&m, g_hash_table_size (m.w->local) == g_hash_table_size (m.w->remote));
      {
        GHashTableIter iter;
        const char *path;
        gpointer e;

        g_hash_table_iter_init (&iter, m.w->local);
        while (g_hash_table_iter_next (&iter, (gpointer *) &path, &e))
          {
            gpointer other = g_hash_table_lookup (m.w->remote, path);
            g_autofree char *lc = content_of (LOCAL, e);
            g_autofree char *rc = other ? content_of (REMOTE, other) : NULL;

            MODEL_ASSERT (&m, g_strcmp0 (lc, rc) == 0);
            MODEL_ASSERT (&m, g_hash_table_contains (m.w->base, path));
          }
      }
      /* …and nothing left to do (the pass has consumed the moves). */
      g_ptr_array_set_size (m.w->moves, 0);
      again = world_reconcile (m.w);
      p2 = plan_string (again);
      if (p2[0] != '\0')
        g_error ("%s\n  then:   %s", m.trace, p2);

    next:
      g_rand_free (m.rand);
      g_free (m.trace);
      world_free (m.w);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  int ret;

  g_test_init (&argc, &argv, NULL);
  now = g_date_time_new (utc, 2026, 11, 26, 13, 45, 0);

  g_test_add_func ("/reconcile/matrix", test_matrix);
  g_test_add_func ("/reconcile/case-clash-issues", test_case_clash_issues);
  g_test_add_func ("/reconcile/ignored", test_ignored);
  g_test_add_func ("/reconcile/conflict-details", test_conflict_details);
  g_test_add_func ("/reconcile/disk-paths", test_disk_paths);
  g_test_add_func ("/reconcile/mass-deletion", test_mass_deletion);
  g_test_add_func ("/reconcile/conflict-names", test_conflict_names);
  g_test_add_func ("/reconcile/conflict-unique", test_conflict_unique);
  g_test_add_func ("/reconcile/model", test_model);

  ret = g_test_run ();
  g_date_time_unref (now);
  return ret;
}
