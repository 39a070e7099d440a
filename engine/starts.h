/* starts.h: random starting posteriors for the EM (DESIGN §3, Starts). */
#ifndef GBTM_STARTS_H
#define GBTM_STARTS_H

#include <gsl/gsl_rng.h>

#include "panel.h"

/* Each person's smoothed profile: log(1 + mean count) in up to 6 age bins. */
typedef struct start_profiles {
  size_t n;
  int bins;
  double *v; /* n x bins */
} start_profiles;

gbtm_status starts_profiles(const gbtm_panel *panel, start_profiles *out, gbtm_error *err);
void starts_profiles_free(start_profiles *sp);

/* Fills tau (n x K) for start number s: k-means++ seeding on the profiles
 * (three starts in four), or a random soft partition (Dirichlet(1,...,1)). */
void starts_tau(const start_profiles *sp, int K, int s, gsl_rng *rng, double *tau);

#endif
