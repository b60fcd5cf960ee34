/* reconcile-fixture.h — the reconciler tests' small language for the
 * three trees, and plans as strings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-reconcile.h"

G_BEGIN_DECLS

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

typedef enum { BASE, LOCAL, REMOTE } Side;

/* The tests' clock, which each test program's main () sets. */
extern GDateTime *now;

#define CF(p) p " (conflit laptop 2026-11-26 134500)"

char       *id_of           (const char *content);
World      *world_new       (void);
void        world_free      (World      *w);
void        world_add       (World      *w,
                             Side        side,
                             const char *spec);
AllsetPlan *world_reconcile (World      *w);
char       *plan_string     (AllsetPlan *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (World, world_free)

#define world_base(w, spec)   world_add (w, BASE, spec)
#define world_local(w, spec)  world_add (w, LOCAL, spec)
#define world_remote(w, spec) world_add (w, REMOTE, spec)

G_END_DECLS
