/* test-soak.c — a seeded random soak of the sync engine, end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three clients (A, B, C: real `allset-cli` processes, each with its own
 * config, state and data directories) of one account on one real
 * allset-server over TLS. Each round every client's random user
 * (soak-ops.c) changes its folder, biased to a few shared names, then
 * some or all clients run `allset-cli sync`, sometimes at the same time;
 * now and then a pass is killed (SIGKILL) at a random moment, or its
 * user acts while it runs (invariant 2: the pass must not overwrite or
 * lose what it did not scan). Then all sync in turn until a whole round
 * fails nothing, changes no local tree and leaves the server's cursor
 * where it was, and:
 *
 *  1. every client's tree equals the server's live tree (names, types,
 *     sizes, execute bits, file ids computed here from the bytes);
 *  2. every version ever written survives somewhere: each content the
 *     random user wrote (and each file a pass saw) is in some client's
 *     tree (conflict copies included), in a client's OS trash, or in the
 *     server's versions of some path (the changes feed gives every path a
 *     file ever had; trashed files keep theirs); and every version the
 *     server ever committed is still in its versions. A version the user
 *     overwrote or deleted before it reached the server is not counted:
 *     that loss is the user's;
 *  3. no .allset-part-* file is left, but by a client whose pass was
 *     killed or raced (the engine keeps those for the next pass, and
 *     sweeps them an hour later when no download wants them);
 *  4. right after a pass that exited 0, everything its scan saw is on
 *     the server (unless its user destroyed it meanwhile).
 *
 * Client C talks to the server through garble-proxy.c, which garbles a
 * share of the answers it gets during the rounds (never its requests);
 * the settling passes are told the truth, and the checks above must
 * hold all the same.
 *
 * Deletions: random directory deletes and rare wipes of the whole folder
 * pass the mass-deletion threshold (DESIGN.md §4 invariant 3). Round
 * passes run without --confirm-deletes most of the time (30 % with it),
 * so held deletions happen and wait (such a pass exits 1 and proves
 * nothing for check 4); the settling passes confirm them.
 *
 * Runs are reproducible as far as the random user goes: each round and
 * client draws from its own generator, seeded from (seed, round, client).
 * What the passes make of it depends on timing (concurrent commits,
 * kills, conflict copies' time stamps), so a replay may diverge.
 *
 * ALLSET_SOAK_SEED (default below; printed), ALLSET_SOAK_ROUNDS (default
 * 10; the long run: 200), ALLSET_SOAK_KILL, ALLSET_SOAK_RACE and
 * ALLSET_SOAK_GARBLE (the percentages below), ALLSET_SOAK_VERBOSE=1 (every operation and pass
 * output), ALLSET_SOAK_KEEP=1 (keep the work directory).
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "garble-proxy.h"
#include "soak-common.h"
#include "test-cli-server.h"

#define N_CLIENTS        3
#define DEFAULT_SEED     20240611
#define DEFAULT_ROUNDS   10
#define MAX_SETTLE       10
#define PASS_TIMEOUT_S   240
/* Percentage of the rounds' passes killed with SIGKILL at a random
 * moment (ALLSET_SOAK_KILL overrides it)… */
#define KILL_PERCENT     8
/* …and of those during which their client's user acts (the invariant 2
 * race: the pass must not overwrite or lose what it did not scan;
 * ALLSET_SOAK_RACE). */
#define RACE_PERCENT     10
/* Percentage of client C's answers that reach it garbled during the
 * rounds (garble-proxy.c; ALLSET_SOAK_GARBLE); the settling passes get
 * them all intact. */
#define GARBLE_PERCENT   10

typedef struct
{
  SoakClient  *client;
  GSubprocess *process;
  GHashTable  *before;
  char        *signature;
  char        *out;
  char        *err;
  gboolean     done;
  int          status;
  gboolean     changed;   /* the local tree changed during the pass */
  gboolean     killed;    /* by the test, with SIGKILL */
  guint        kill_id;
  guint        race_id;   /* the random user acts while the pass runs */
  guint        race_ops;
} Pass;

static struct
{
  guint32        seed;
  guint          rounds;
  guint          round;
  guint          kill_percent;
  guint          race_percent;
  guint          garble_percent;
  gboolean       verbose;
  char          *work;
  TestCliServer *server;
  GarbleProxy   *garble;        /* client C's way to the server */
  AllsetClient  *api;
  SoakClient     clients[N_CLIENTS];
  GHashTable    *seen;          /* file id → where it was first met */
  GHashTable    *discarded;     /* file id → where */
  SoakHistory   *history;
  guint          serial;
  guint          failures;
  /* Figures for the report. */
  guint          passes, failed_passes, killed, raced, concurrent_batches, conflicts;
  guint          uploaded, downloaded, deleted_local, deleted_remote, moved, held;
} soak;

#define soak_fail(...) G_STMT_START {                   \
    g_printerr ("FAIL (seed %u, round %u): ", soak.seed, soak.round); \
    g_printerr (__VA_ARGS__);                           \
    g_printerr ("\n");                                  \
    soak.failures++;                                    \
  } G_STMT_END

static void
pass_free (Pass *pass)
{
  g_clear_object (&pass->process);
  g_clear_pointer (&pass->before, g_hash_table_unref);
  g_free (pass->signature);
  g_free (pass->out);
  g_free (pass->err);
  g_free (pass);
}

/* ---- the server ------------------------------------------------------------ */

static void
refresh_feed (void)
{
  g_autoptr(GError) error = NULL;

  soak_history_refresh (soak.history, soak.api, &error);
  g_assert_no_error (error);
}

static gint64
server_cursor (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetAccountInfo) info = allset_client_account (soak.api, NULL, &error);

  g_assert_no_error (error);
  return info->cursor;
}

/* ---- the random user's discards ---------------------------------------- */

static void
on_discard (const char *file_id,
            const char *path,
            gpointer    user_data)
{
  SoakClient *client = user_data;

  if (soak_history_has (soak.history, file_id) ||
      g_hash_table_contains (soak.discarded, file_id))
    return;
  g_hash_table_insert (soak.discarded, g_strdup (file_id),
                       g_strdup_printf ("%s:%s round %u", client->name, path, soak.round));
}

/* One generator per round and client: what a pass did differently (the
 * order of concurrent commits, a conflict copy's time stamp) changes
 * what the random user finds, but not the dice of later rounds. */
static GRand *
round_rand (guint32 stream)
{
  guint32 seed[3] = { soak.seed, soak.round, stream };

  return g_rand_new_with_seed_array (seed, G_N_ELEMENTS (seed));
}

/* Every version the random user writes must survive, unless the user
 * destroys it before it reached the server. */
static void
on_written (const char *file_id,
            const char *path,
            gpointer    user_data)
{
  SoakClient *client = user_data;

  if (!g_hash_table_contains (soak.seen, file_id))
    g_hash_table_insert (soak.seen, g_strdup (file_id),
                         g_strdup_printf ("%s:%s written in round %u", client->name, path, soak.round));
}

/* stream: which generator of the round (see round_rand()). */
static void
client_act (SoakClient *client,
            guint       stream,
            guint       n)
{
  g_autoptr(GHashTable) tree = soak_scan_local (client->folder, client->cache, NULL);
  g_autoptr(GRand) rand = round_rand (stream);
  SoakUser user = {
    .rand = rand,
    .root = client->folder,
    .cache = client->cache,
    .client = client->name,
    .round = soak.round,
    .serial = &soak.serial,
    .verbose = soak.verbose,
    .counts = &client->counts,
    .discard = on_discard,
    .written = on_written,
    .discard_data = client,
  };

  soak_user_act (&user, tree, n);
}

/* ---- passes ------------------------------------------------------------- */

static void
record_seen (Pass *pass)
{
  GHashTableIter iter;
  const char *path;
  SoakItem *item;

  g_hash_table_iter_init (&iter, pass->before);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, (gpointer *) &item))
    if (item->type == SOAK_FILE && item->file_id != NULL &&
        !g_hash_table_contains (soak.seen, item->file_id))
      g_hash_table_insert (soak.seen, g_strdup (item->file_id),
                           g_strdup_printf ("%s:%s before a pass of round %u",
                                            pass->client->name, path, soak.round));
}

static guint
json_uint (JsonObject *object,
           const char *name)
{
  return json_object_has_member (object, name) ? json_object_get_int_member (object, name) : 0;
}

static void
pass_finish (Pass *pass)
{
  g_autoptr(GHashTable) after = soak_scan_local (pass->client->folder, pass->client->cache, NULL);
  g_autofree char *signature = soak_signature (after);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *folders;

  pass->changed = !g_str_equal (signature, pass->signature);
  soak.passes++;
  if (pass->kill_id != 0)
    g_source_remove (pass->kill_id);
  pass->kill_id = 0;
  if (pass->race_id != 0)
    g_source_remove (pass->race_id);
  pass->race_id = 0;
  if (pass->killed && pass->status == 128 + SIGKILL)
    {
      pass->client->interrupted = TRUE;
      soak.killed++;
      if (soak.verbose)
        g_test_message ("  pass %s: killed", pass->client->name);
      return;
    }
  if (pass->status > 128)
    soak_fail ("allset-cli sync as %s died of signal %d: %s%s", pass->client->name,
               pass->status - 128, pass->out, pass->err);
  if (pass->status != 0)
    soak.failed_passes++;
  g_free (pass->client->last_output);
  pass->client->last_output = g_strdup_printf ("exit %d\n%s%s", pass->status, pass->out, pass->err);
  if (soak.verbose)
    g_test_message ("  pass %s: %s", pass->client->name, pass->client->last_output);

  root = json_from_string (pass->out, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !(folders = json_object_get_array_member (json_node_get_object (root), "folders")) ||
      json_array_get_length (folders) != 1)
    {
      soak_fail ("%s: unreadable sync output: %s", pass->client->name, pass->client->last_output);
      return;
    }
  {
    JsonObject *f = json_array_get_object_element (folders, 0);

    soak.conflicts += json_uint (f, "conflicts");
    soak.uploaded += json_uint (f, "uploaded");
    soak.downloaded += json_uint (f, "downloaded");
    soak.deleted_local += json_uint (f, "deleted_local");
    pass->client->trashed += json_uint (f, "deleted_local");
    soak.deleted_remote += json_uint (f, "deleted_remote");
    soak.moved += json_uint (f, "moved");
    soak.held += json_uint (f, "held_deletions");
  }
}

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pass *pass = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &pass->out, &pass->err, &error);
  g_assert_no_error (error);
  /* A crash is a status too: 128 + the signal, as a shell says it. */
  if (g_subprocess_get_if_exited (pass->process))
    pass->status = g_subprocess_get_exit_status (pass->process);
  else
    pass->status = 128 + g_subprocess_get_term_sig (pass->process);
  pass->done = TRUE;
}

static gboolean
kill_pass (gpointer user_data)
{
  Pass *pass = user_data;

  pass->kill_id = 0;
  pass->killed = TRUE;
  g_subprocess_force_exit (pass->process);
  return G_SOURCE_REMOVE;
}

static gboolean
race_pass (gpointer user_data)
{
  Pass *pass = user_data;

  pass->race_id = 0;
  if (soak.verbose)
    g_test_message ("  %s acts while its pass runs", pass->client->name);
  soak.raced++;
  pass->client->interrupted = TRUE;
  client_act (pass->client, 10 + pass->client->index, pass->race_ops);
  return G_SOURCE_REMOVE;
}

/* Runs `sync` on the given clients, at the same time or one after the
 * other; returns the Pass records. With rand, now and then a pass is
 * killed (SIGKILL) at a random moment: the next one must pick up. */
static GPtrArray *
run_passes (GPtrArray *clients,
            gboolean   concurrent,
            gboolean   confirm,
            GRand     *rand)
{
  GPtrArray *passes = g_ptr_array_new_with_free_func ((GDestroyNotify) pass_free);
  const char *args[] = { "sync", "--json", confirm ? "--confirm-deletes" : NULL, NULL };

  for (guint i = 0; i < clients->len; i++)
    {
      Pass *pass = g_new0 (Pass, 1);

      pass->client = g_ptr_array_index (clients, i);
      g_ptr_array_add (passes, pass);
    }
  if (concurrent && clients->len > 1)
    soak.concurrent_batches++;

  for (guint first = 0; first < passes->len; first = concurrent ? passes->len : first + 1)
    {
      guint last = concurrent ? passes->len : first + 1;
      gint64 deadline = g_get_monotonic_time () + PASS_TIMEOUT_S * G_USEC_PER_SEC;
      gboolean all_done = FALSE;

      for (guint i = first; i < last; i++)
        {
          Pass *pass = g_ptr_array_index (passes, i);

          pass->before = soak_scan_local (pass->client->folder, pass->client->cache, NULL);
          pass->signature = soak_signature (pass->before);
          record_seen (pass);
          pass->process = soak_client_spawn (pass->client, args);
          g_subprocess_communicate_utf8_async (pass->process, NULL, NULL, communicated, pass);
          if (rand != NULL && (guint) g_rand_int_range (rand, 0, 100) < soak.kill_percent)
            pass->kill_id = g_timeout_add (g_rand_int_range (rand, 10, 400), kill_pass, pass);
          if (rand != NULL && (guint) g_rand_int_range (rand, 0, 100) < soak.race_percent)
            {
              pass->race_ops = g_rand_int_range (rand, 1, 3);
              pass->race_id = g_timeout_add (g_rand_int_range (rand, 5, 300), race_pass, pass);
            }
        }
      while (!all_done)
        {
          if (g_get_monotonic_time () > deadline)
            {
              for (guint i = first; i < last; i++)
                g_subprocess_force_exit (((Pass *) g_ptr_array_index (passes, i))->process);
              g_error ("seed %u round %u: a sync pass ran for more than %d s", soak.seed,
                       soak.round, PASS_TIMEOUT_S);
            }
          g_main_context_iteration (NULL, TRUE);
          all_done = TRUE;
          for (guint i = first; i < last; i++)
            all_done = all_done && ((Pass *) g_ptr_array_index (passes, i))->done;
        }
      for (guint i = first; i < last; i++)
        pass_finish (g_ptr_array_index (passes, i));
    }

  /* Check 4: a pass that exited 0 left everything its scan saw on the
   * server (uploaded, or already there). */
  refresh_feed ();
  for (guint i = 0; i < passes->len; i++)
    {
      Pass *pass = g_ptr_array_index (passes, i);
      GHashTableIter iter;
      const char *path;
      SoakItem *item;

      if (pass->status != 0)
        continue;
      g_hash_table_iter_init (&iter, pass->before);
      while (g_hash_table_iter_next (&iter, (gpointer *) &path, (gpointer *) &item))
        {
          if (item->type != SOAK_FILE || item->file_id == NULL)
            continue;
          /* Unless the random user destroyed it while the pass ran. */
          if (!soak_history_has (soak.history, item->file_id) &&
              !g_hash_table_contains (soak.discarded, item->file_id))
            soak_fail ("%s:%s (%.12s) is not on the server after a pass that exited 0:\n%s",
                       pass->client->name, path, item->file_id, pass->client->last_output);
        }
    }
  return passes;
}

/* ---- rounds ------------------------------------------------------------- */

static void
random_round (void)
{
  g_autoptr(GPtrArray) syncing = g_ptr_array_new ();
  g_autoptr(GPtrArray) passes = NULL;
  g_autoptr(GRand) rand = round_rand (0);
  guint order[N_CLIENTS] = { 0, 1, 2 };
  gboolean concurrent, confirm;

  if (soak.verbose)
    g_test_message ("round %u", soak.round);
  /* Every client acts, in a random order. */
  for (guint i = N_CLIENTS - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1), t = order[i];

      order[i] = order[j];
      order[j] = t;
    }
  for (guint i = 0; i < N_CLIENTS; i++)
    client_act (&soak.clients[order[i]], order[i] + 1, g_rand_int_range (rand, 1, 6));

  /* Then some or all of them sync. */
  for (guint i = 0; i < N_CLIENTS; i++)
    if (g_rand_int_range (rand, 0, 100) < 75)
      g_ptr_array_add (syncing, &soak.clients[order[i]]);
  if (syncing->len == 0)
    g_ptr_array_add (syncing, &soak.clients[order[0]]);
  concurrent = g_rand_boolean (rand);
  confirm = g_rand_int_range (rand, 0, 100) < 30;
  if (soak.verbose)
    g_test_message ("round %u: %u passes%s%s", soak.round, syncing->len,
                    concurrent ? ", concurrent" : "", confirm ? ", --confirm-deletes" : "");
  passes = run_passes (syncing, concurrent, confirm, rand);
}

/* Every client in turn, until a whole round fails nothing, changes no
 * local tree and moves the server's cursor not at all. */
static gboolean
settle (guint *rounds_used)
{
  for (guint r = 0; r < MAX_SETTLE; r++)
    {
      g_autoptr(GPtrArray) all = g_ptr_array_new ();
      g_autoptr(GPtrArray) passes = NULL;
      gint64 cursor = server_cursor ();
      gboolean quiet = TRUE;

      for (guint i = 0; i < N_CLIENTS; i++)
        g_ptr_array_add (all, &soak.clients[i]);
      passes = run_passes (all, FALSE, TRUE, NULL);
      for (guint i = 0; i < passes->len; i++)
        {
          Pass *pass = g_ptr_array_index (passes, i);

          quiet = quiet && pass->status == 0 && !pass->changed;
        }
      *rounds_used = r + 1;
      if (quiet && server_cursor () == cursor)
        return TRUE;
    }
  return FALSE;
}

/* ---- the final checks ----------------------------------------------------- */

static void
final_checks (guint *n_checked,
              guint *n_copies,
              guint *n_trash,
              guint *n_orphans)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) server = soak_scan_server (soak.api, "Sync", &error);
  g_autoptr(GHashTable) on_server = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) anywhere = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) trash = NULL;
  GHashTableIter iter;
  const char *key;
  gpointer value;

  g_assert_no_error (error);

  /* Checks 1 and 3. */
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      SoakClient *client = &soak.clients[i];
      g_autoptr(GHashTable) local = NULL;
      g_autoptr(GString) diff = g_string_new (NULL);
      g_autofree char *os_trash = g_build_filename (client->dir, "share", "Trash", "files", NULL);
      guint n_parts;

      local = soak_scan_local (client->folder, client->cache, &n_parts);
      if (!soak_compare (local, server, diff, 30))
        soak_fail ("client %s's tree differs from the server's:\n%s", client->name, diff->str);
      /* A part is kept for the next pass when a pass is killed or its
       * target changed under it, and swept an hour after it was last
       * written if the download is no longer planned: only then may one
       * be left. */
      if (n_parts > 0 && !client->interrupted)
        soak_fail ("client %s: %u .allset-part-* file(s) left", client->name, n_parts);
      *n_orphans += n_parts;
      /* Local deletions went to the OS trash, not to unlink(). */
      if (soak_count_trashed (os_trash) < client->trashed)
        soak_fail ("client %s: its passes deleted %u files, its trash holds %u", client->name,
                   client->trashed, soak_count_trashed (os_trash));
      g_hash_table_iter_init (&iter, local);
      while (g_hash_table_iter_next (&iter, (gpointer *) &key, &value))
        {
          SoakItem *item = value;

          if (item->type == SOAK_FILE && item->file_id != NULL)
            g_hash_table_replace (anywhere, g_strdup (item->file_id),
                                  g_strdup_printf ("%s:%s", client->name, key));
          if (i == 0 && strstr (key, " (conflit ") != NULL)
            (*n_copies)++;
        }
      soak_scan_ids (os_trash, anywhere);
    }

  /* Check 2: the server's live tree and the versions of every path a
   * file ever had there (trashed entries keep theirs). */
  soak_history_collect (soak.history, soak.api, server, on_server, &error);
  g_assert_no_error (error);
  trash = allset_client_trash (soak.api, NULL, &error);
  g_assert_no_error (error);
  *n_trash = trash->len;

  g_hash_table_iter_init (&iter, soak_history_committed (soak.history));
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, &value))
    {
      (*n_checked)++;
      if (!g_hash_table_contains (on_server, key))
        soak_fail ("the server lost %.12s, committed at %s", key, (const char *) value);
    }
  g_hash_table_iter_init (&iter, soak.seen);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, &value))
    {
      (*n_checked)++;
      if (!g_hash_table_contains (on_server, key) && !g_hash_table_contains (anywhere, key) &&
          !g_hash_table_contains (soak.discarded, key))
        soak_fail ("version %.12s (%s) is nowhere: not in a client's tree or trash, not in "
                   "the server's versions", key, (const char *) value);
    }
}

/* ---- the test ------------------------------------------------------------- */

static void
test_soak (void)
{
  g_autoptr(GTimer) timer = g_timer_new ();
  SoakOpCounts total = { 0 };
  guint settle_rounds = 0, n_checked = 0, n_copies = 0, n_trash = 0, n_orphans = 0;
  guint answered = 0, garbled = 0;

  for (guint i = 0; i < N_CLIENTS; i++)
    soak_client_setup (&soak.clients[i], i, soak.work,
                       i == N_CLIENTS - 1 ? garble_proxy_get_url (soak.garble) : soak.server->url,
                       soak.server->fingerprint);

  soak.clients[N_CLIENTS - 1].garbled = soak.garble_percent > 0;
  garble_proxy_set_percent (soak.garble, soak.garble_percent);
  for (soak.round = 1; soak.round <= soak.rounds; soak.round++)
    random_round ();
  garble_proxy_set_percent (soak.garble, 0);
  garble_proxy_get_counts (soak.garble, &answered, &garbled);
  /* A download a garbled answer failed keeps its part file for the next
   * pass, as a killed one does (swept an hour later if no pass wants it). */
  if (garbled > 0)
    soak.clients[N_CLIENTS - 1].interrupted = TRUE;

  if (!settle (&settle_rounds))
    {
      for (guint i = 0; i < N_CLIENTS; i++)
        g_printerr ("client %s's last pass: %s\n", soak.clients[i].name, soak.clients[i].last_output);
      soak_fail ("the clients did not settle in %u rounds", MAX_SETTLE);
    }
  final_checks (&n_checked, &n_copies, &n_trash, &n_orphans);

  for (guint i = 0; i < N_CLIENTS; i++)
    {
      SoakOpCounts *c = &soak.clients[i].counts;

      total.creates += c->creates;
      total.edits += c->edits;
      total.deletes += c->deletes;
      total.rmdirs += c->rmdirs;
      total.mkdirs += c->mkdirs;
      total.moves += c->moves;
      total.touches += c->touches;
      total.chmods += c->chmods;
      total.wipes += c->wipes;
      total.copies += c->copies;
      total.skipped += c->skipped;
    }
  g_test_message ("soak: seed %u, %u rounds + %u settling, %.1f s", soak.seed, soak.rounds,
                  settle_rounds, g_timer_elapsed (timer, NULL));
  g_test_message ("soak: operations: %u creates, %u edits, %u file deletes, %u dir deletes, "
                  "%u mkdirs, %u moves/renames, %u copies, %u touches, %u chmods, %u wipes "
                  "(%u operations not possible, skipped)", total.creates, total.edits,
                  total.deletes, total.rmdirs, total.mkdirs, total.moves, total.copies,
                  total.touches, total.chmods, total.wipes, total.skipped);
  g_test_message ("soak: %u passes (%u exited non-zero, %u killed, %u raced by their "
                  "user; %u concurrent batches): %u uploaded, %u downloaded, %u deleted here, "
                  "%u deleted on the server, %u moved, %u conflicts, %u deletions held",
                  soak.passes, soak.failed_passes, soak.killed, soak.raced, soak.concurrent_batches,
                  soak.uploaded, soak.downloaded, soak.deleted_local, soak.deleted_remote, soak.moved,
                  soak.conflicts, soak.held);
  g_test_message ("soak: %u versions checked (%u discarded by the user before any upload), "
                  "%u conflict copies in the final tree, %u server trash entries, %u part files "
                  "left by interrupted passes", n_checked, g_hash_table_size (soak.discarded),
                  n_copies, n_trash, n_orphans);
  g_test_message ("soak: %u of client C's %u answers garbled on the way (garble-proxy.c)",
                  garbled, answered);

  if (soak.failures > 0)
    {
      g_printerr ("soak: %u failure(s); reproduce with ALLSET_SOAK_SEED=%u ALLSET_SOAK_ROUNDS=%u; "
                  "work directory kept: %s\n", soak.failures, soak.seed, soak.rounds, soak.work);
      /* A failed test aborts the TAP run ("Bail out!"): stop the server
       * (and remove its data) now, the clients' folders stay. */
      g_clear_object (&soak.api);
      g_clear_pointer (&soak.server, test_cli_server_stop);
      g_test_fail ();
    }
}

static void
skip_all (void)
{
  g_test_skip ("ALLSET_SERVER or ALLSET_CLI is not set");
}

static void
remove_work (void)
{
  g_autofree char *quoted = g_shell_quote (soak.work);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("ALLSET_SERVER") == NULL || g_getenv ("ALLSET_CLI") == NULL)
    {
      g_test_add_func ("/soak/skipped", skip_all);
      return g_test_run ();
    }

  soak.seed = env_uint ("ALLSET_SOAK_SEED", DEFAULT_SEED);
  soak.rounds = env_uint ("ALLSET_SOAK_ROUNDS", DEFAULT_ROUNDS);
  soak.verbose = g_strcmp0 (g_getenv ("ALLSET_SOAK_VERBOSE"), "1") == 0;
  soak.kill_percent = env_uint ("ALLSET_SOAK_KILL", KILL_PERCENT);
  soak.race_percent = env_uint ("ALLSET_SOAK_RACE", RACE_PERCENT);
  soak.garble_percent = env_uint ("ALLSET_SOAK_GARBLE", GARBLE_PERCENT);
  soak.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soak.discarded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soak.history = soak_history_new ();
  /* Printed first, so that a crash still tells how to reproduce it. */
  g_printerr ("soak: seed %u (ALLSET_SOAK_SEED), %u rounds (ALLSET_SOAK_ROUNDS), %u %% of passes "
              "killed, %u %% raced, %u %% of client C's answers garbled\n", soak.seed, soak.rounds,
              soak.kill_percent, soak.race_percent, soak.garble_percent);

  soak.work = g_dir_make_tmp ("allset-soak-XXXXXX", NULL);
  g_assert_nonnull (soak.work);
  soak.server = test_cli_server_start (NULL);
  test_cli_admin (soak.server, TEST_CLI_PASSWORD "\n", "account-add", "alice", "--name", "Alice",
                  "--email", "alice@example.com", "--quota", "4G", NULL);
  soak.api = test_cli_signed_in (soak.server, "alice");
  {
    g_autofree char *cert = g_build_filename (soak.server->dir, "data", "tls", "cert.pem", NULL);
    g_autofree char *key = g_build_filename (soak.server->dir, "data", "tls", "key.pem", NULL);

    soak.garble = garble_proxy_new (soak.server->url, cert, key, soak.seed);
  }

  g_test_add_func ("/soak/random", test_soak);
  status = g_test_run ();

  g_clear_object (&soak.api);
  g_clear_pointer (&soak.garble, garble_proxy_free);
  g_clear_pointer (&soak.server, test_cli_server_stop);
  if (status == 0 && soak.failures == 0 && g_getenv ("ALLSET_SOAK_KEEP") == NULL)
    remove_work ();
  else
    g_printerr ("soak: work directory kept: %s\n", soak.work);
  for (guint i = 0; i < N_CLIENTS; i++)
    if (soak.clients[i].dir != NULL)
      soak_client_clear (&soak.clients[i]);
  g_hash_table_unref (soak.seen);
  g_hash_table_unref (soak.discarded);
  soak_history_free (soak.history);
  g_free (soak.work);
  return status;
}
