/* starts.h: random starting posteriors for the EM, and the persons of the
 * pilot subsample (DESIGN §3, Starts). */
#ifndef GBTM_STARTS_H
#define GBTM_STARTS_H

#include <gsl/gsl_rng.h>

#include "panel/panel.h"

/* Each person's smoothed profile: log(1 + mean count) in up to 6 age bins. */
typedef struct start_profiles {
  size_t n;
  int bins;
  double *v; /* n x bins */
  /* a distributed panel's block: its processes, its first person among
   * all N (one process: NULL, 0, n) */
  const gbtm_reducer *procs;
  size_t first, n_all;
} start_profiles;

gbtm_status starts_profiles(const gbtm_panel *panel, start_profiles *out, gbtm_error *err);
void starts_profiles_free(start_profiles *sp);

/* Fills tau (n x K) for start number s: k-means++ seeding on the profiles
 * (three starts in four), or a random soft partition (Dirichlet(1,...,1)).
 * Collective on a distributed panel: each process fills its own persons'
 * rows with what one process would have drawn for them. */
void starts_tau(const start_profiles *sp, int K, int s, gsl_rng *rng, double *tau);

/* The persons of a pilot subsample of about 1/m of the panel that sees
 * every age of the data: *persons (malloc, the caller frees), *n of them,
 * this process's indices ascending. Collective on a distributed panel. */
gbtm_status starts_pilot_persons(const gbtm_panel *panel, size_t m, size_t **persons, size_t *n, gbtm_error *err);

#endif
