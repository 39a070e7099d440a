/* moves.c: split-and-merge starts (DESIGN §3, eq. SMEM; after Ueda, Nakano,
 * Ghahramani & Hinton 2000): a maximum where one group does the work of
 * two and two groups share one is left by merging the two and splitting
 * the one. From the posteriors tau at a maximum:
 *   tau_i <- tau_i + tau_j                         (merge j into i)
 *   tau_j <- tau_k [w'v > c],  tau_k <- tau_k [w'v <= c]   (split k)
 * with v a person's profile (starts.c), w a random direction and c the
 * tau_k-weighted mean of w'v; softened by 5% spread evenly, then an M-step
 * whose family terms (zero inflation, dispersion) start from the maximum's
 * own values, group j taking group k's. A jitter moves one group's
 * coefficients at random instead: beta by N(0, 0.3^2), alpha (zero
 * inflation) by N(0, 1.5^2) near the maximum or N(0, 15^2) far from it. */
#include "fit/moves.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#define SOFTEN 0.05
#define JITTER_BETA 0.3
#define JITTER_ALPHA_NEAR 1.5
#define JITTER_ALPHA_FAR 15.0

const char *moves_split_merge(em_ws *ws, const start_profiles *sp, const double *at, gsl_rng *rng, double *tau,
                              double *params, int *group) {
  int K = ws->K, m = sp->bins;
  size_t n = sp->n;
  /* merge j into i; split k (k may be i, the merged group; always for K = 2) */
  int i = (int)gsl_rng_uniform_int(rng, (unsigned long)K);
  int j = (int)gsl_rng_uniform_int(rng, (unsigned long)K - 1);
  if (j >= i) j++;
  int k = (int)gsl_rng_uniform_int(rng, (unsigned long)K - 1);
  if (k >= j) k++;
  double w[16];
  for (int b = 0; b < m; b++) w[b] = gsl_ran_gaussian(rng, 1.0);

  em_estep(ws, at, NULL, tau);
  double sums[2] = {0.0, 0.0}; /* sum tau_k w'v, sum tau_k */
  for (size_t p = 0; p < n; p++) {
    double *t = tau + p * K;
    t[i] += t[j];
    t[j] = 0.0;
    double proj = 0.0;
    for (int b = 0; b < m; b++) proj += w[b] * sp->v[p * (size_t)m + b];
    sums[0] += t[k] * proj;
    sums[1] += t[k];
  }
  reduce_sum(sp->procs, sums, 2);
  double c = sums[1] > 0.0 ? sums[0] / sums[1] : 0.0;
  for (size_t p = 0; p < n; p++) {
    double *t = tau + p * K, proj = 0.0;
    for (int b = 0; b < m; b++) proj += w[b] * sp->v[p * (size_t)m + b];
    if (proj > c) t[j] = t[k], t[k] = 0.0;
    for (int g = 0; g < K; g++) t[g] = (1.0 - SOFTEN) * t[g] + SOFTEN / K;
  }

  memcpy(params, at, ws->P * sizeof *params); /* group j starts as group k */
  for (int c2 = 0; c2 < ws->nb[j]; c2++) params[ws->off_beta[j] + c2] = c2 < ws->nb[k] ? at[ws->off_beta[k] + c2] : 0.0;
  for (int c2 = 0; c2 < ws->na[j]; c2++)
    params[ws->off_alpha[j] + c2] = c2 < ws->na[k] ? at[ws->off_alpha[k] + c2] : 0.0;
  if (ws->has_phi && !ws->phi_common) params[ws->off_phi[j]] = at[ws->off_phi[k]];
  em_estep(ws, params, tau, NULL);
  return em_mstep(ws, params, params, group);
}

const char *moves_jitter(em_ws *ws, const double *at, bool far, gsl_rng *rng, double *params, int *group) {
  memcpy(params, at, ws->P * sizeof *params);
  int K = ws->K;
  int g = (int)gsl_rng_uniform_int(rng, (unsigned long)K); /* the group moved */
  for (int k = 0; k < K; k++) {
    if (k != g) continue;
    for (int c = 0; c < ws->nb[k]; c++) params[ws->off_beta[k] + c] += gsl_ran_gaussian(rng, JITTER_BETA);
    for (int c = 0; c < ws->na[k]; c++) params[ws->off_alpha[k] + c] += gsl_ran_gaussian(rng, far ? JITTER_ALPHA_FAR : JITTER_ALPHA_NEAR);
  }
  em_estep(ws, params, NULL, NULL);
  return em_mstep(ws, params, params, group);
}
