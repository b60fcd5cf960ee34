/* test-reconcile.c — the three-way matrix, moves, directories, the deletion
 * guard and conflict names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-conflict-name.h"
#include "reconcile-fixture.h"

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

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Each clashing path is reported once: two local names that clash are the
 * scanner's (it flags both skipped); the reconciler adds only names that
 * clash with one of the other side. */
static void
test_case_clash_reported_once (void)
{
  static const struct
  {
    const char *base, *local, *remote;
    const char *reported;   /* the paths of the plan's issues, sorted */
  } cases[] = {
    /* Purely local, as the scanner leaves them, or not flagged. */
    { "", "d/ d/Readme~ d/README~", "", "" },
    { "", "d/ d/Readme=X d/README=Y", "", "" },
    { "", "d/ d/Readme=X d/README=Y", "d/", "" },
    /* Local against remote: both. */
    { "", "d/ d/CASE=X", "d/ d/Case=Y", "d/CASE d/Case" },
    { "d/", "d/ d/CASE=X", "d/ d/Case=Y", "d/CASE d/Case" },
    /* A local clash and a third name on the server: that one only. */
    { "", "Readme~ README~", "readme=Z", "readme" },
    /* The same path on both sides is not a clash; a new local twin of
     * it is the scanner's. */
    { "Readme=X", "Readme~ README~", "Readme=X", "" },
    /* Names only base knows do not count. */
    { "Readme=X", "README=Y", "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(World) w = world_new ();
      g_autoptr(AllsetPlan) plan = NULL;
      g_autoptr(GPtrArray) paths = g_ptr_array_new ();
      g_autofree char *got = NULL;

      world_base (w, cases[i].base);
      world_local (w, cases[i].local);
      world_remote (w, cases[i].remote);
      plan = world_reconcile (w);
      for (guint k = 0; k < plan->issues->len; k++)
        {
          const AllsetIssue *issue = plan->issues->pdata[k];

          g_assert_cmpint (issue->kind, ==, ALLSET_ISSUE_CASE_CLASH);
          g_assert_nonnull (strstr (issue->message, "on the other side"));
          g_ptr_array_add (paths, issue->path);
        }
      g_ptr_array_sort (paths, compare_strings);
      g_ptr_array_add (paths, NULL);
      got = g_strjoinv (" ", (char **) paths->pdata);
      if (g_strcmp0 (got, cases[i].reported) != 0)
        g_error ("case %u: base “%s” local “%s” remote “%s”: expected issues for “%s”, got “%s”",
                 i, cases[i].base, cases[i].local, cases[i].remote, cases[i].reported, got);
    }
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

/* Ignore verdicts are remembered per path and kind: "out/" ignores a
 * directory named out, not a file. Here the synced file became an
 * (ignored) directory: the local view must not hold it, so the file's
 * absence is what the plan acts on — not a directory replacing it. */
static void
test_ignored_kind (void)
{
  g_autoptr(World) w = world_new ();
  g_autoptr(AllsetPlan) plan = NULL;
  g_autofree char *got = NULL;

  w->ignore = allset_ignore_new ();
  allset_ignore_add_text (w->ignore, "out/\n", NULL);
  world_base (w, "out=X");
  world_remote (w, "out=X");
  world_local (w, "out/");
  plan = world_reconcile (w);
  got = plan_string (plan);
  g_test_message ("plan: %s", got);
  g_assert_cmpuint (plan->actions->len, ==, 1);
  g_assert_cmpint (((AllsetAction *) plan->actions->pdata[0])->kind, ==, ALLSET_ACTION_DELETE_REMOTE);
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
    g_autofree char *id = id_of ("T");

    taken->file_id = allset_entry_string (id);
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
  e->disk_path = allset_entry_string ("E\xcc\x81te\xcc\x81");
  e = g_hash_table_lookup (w->local, "\xc3\x89t\xc3\xa9/x");
  e->disk_path = allset_entry_string ("E\xcc\x81te\xcc\x81/x");
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
  g_test_add_func ("/reconcile/case-clash-reported-once", test_case_clash_reported_once);
  g_test_add_func ("/reconcile/ignored", test_ignored);
  g_test_add_func ("/reconcile/ignored-kind", test_ignored_kind);
  g_test_add_func ("/reconcile/conflict-details", test_conflict_details);
  g_test_add_func ("/reconcile/disk-paths", test_disk_paths);
  g_test_add_func ("/reconcile/mass-deletion", test_mass_deletion);
  g_test_add_func ("/reconcile/conflict-names", test_conflict_names);
  g_test_add_func ("/reconcile/conflict-unique", test_conflict_unique);

  ret = g_test_run ();
  g_date_time_unref (now);
  return ret;
}
