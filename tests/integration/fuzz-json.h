/* fuzz-json.h — seeded mutations of JSON documents, for the fuzz tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a careless or hostile peer makes of a valid document: a member
 * dropped or added, a value swapped for one of another type or an edge
 * (2^63, -0.0, "..", 300-byte names, "g" × 64 as an id), an array
 * repeated thousands of times, the text cut short or its bytes flipped.
 * Every choice comes from the GRand given, so a seed replays a run.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One value of any JSON type, chosen among the edges. */
JsonNode *fuzz_json_weird_value (GRand      *rng);
/* A changed node; takes node (mutate a copy: fuzz_json_deep_copy()). */
JsonNode *fuzz_json_mutate      (GRand      *rng,
                                 JsonNode   *node);
/* Byte edits of JSON text: cuts, flips, broken tokens, an early end. */
GBytes   *fuzz_json_mutate_text (GRand      *rng,
                                 const char *text);
/* json_node_copy() shares objects and arrays, which a mutation would
 * change in the original too. */
JsonNode *fuzz_json_deep_copy   (JsonNode   *node);

G_END_DECLS
