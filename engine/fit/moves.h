/* moves.h: starts near a maximum already found, by merging two of its
 * groups and splitting another (DESIGN §3, eq. SMEM). */
#ifndef GBTM_MOVES_H
#define GBTM_MOVES_H

#include <gsl/gsl_rng.h>

#include "fit/em.h"
#include "fit/starts.h"

/* From the maximum at (params, P values): the posteriors there (into tau,
 * n x K, the workspace's panel), two groups merged, one group split in two
 * along a random direction of the profiles, and an M-step from them with
 * the maximum's own parameters for the family's terms (zero inflation,
 * dispersion), into params. NULL, or a static reason (and *group, 1-based)
 * when the M-step fails. Collective on a distributed panel. K >= 2. */
const char *moves_split_merge(em_ws *ws, const start_profiles *sp, const double *at, gsl_rng *rng, double *tau,
                              double *params, int *group);

/* From the maximum at: one group's coefficients moved at random (eq.
 * SMEM's jitter; far: its zero inflation's by a wide spread), then an
 * M-step, into params. */
const char *moves_jitter(em_ws *ws, const double *at, bool far, gsl_rng *rng, double *params, int *group);

#endif
