/* criteria.c: fit criteria by their published formulas (DESIGN §5).
 * - bic = -2 log L + p ln N (persons); bic_obs uses N_obs (cells), the form
 *   flexmix's BIC() and crimCV print;
 * - PROC TRAJ / Stata traj print log L - 0.5 p ln N, higher is better;
 * - aic = -2 log L + 2p;
 * - entropy = 1 + sum tau ln tau / (N ln K);
 * - AvePP_k = mean tau_ik over persons whose modal group is k;
 * - OCC_k = [AvePP_k / (1 - AvePP_k)] / [pi_k / (1 - pi_k)] (Nagin 2005).
 * Undefined figures (a group nobody is assigned to, AvePP = 1, K = 1) are
 * NaN here and printed as null / "-", never as a number. */
#include "fit/criteria.h"

#include "base/reduce.h"

#include <math.h>

void criteria_information(gbtm_fit_summary *s) {
  double ll = s->loglik, p = s->n_params;
  s->bic = -2.0 * ll + p * log((double)s->n_persons);
  s->bic_obs = -2.0 * ll + p * log((double)s->n_obs);
  s->bic_traj = ll - 0.5 * p * log((double)s->n_persons);
  s->bic_traj_obs = ll - 0.5 * p * log((double)s->n_obs);
  s->aic = -2.0 * ll + 2.0 * p;
}

double criteria_classification(const double *tau, size_t n, int K, const double *share,
                               const gbtm_reducer *procs, gbtm_group_summary *g) {
  /* sums over persons, then over processes: Σ pp and the assigned count
   * per group, the entropy sum, N */
  double s[2 * GBTM_MAX_GROUPS + 2] = {0}, *sum_pp = s, *assigned = s + GBTM_MAX_GROUPS;
  double ent = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double *ti = tau + i * (size_t)K;
    int best = 0;
    for (int k = 0; k < K; k++) {
      if (ti[k] > ti[best]) best = k;
      if (ti[k] > 0.0) ent += ti[k] * log(ti[k]);
    }
    assigned[best]++;
    sum_pp[best] += ti[best];
  }
  s[2 * GBTM_MAX_GROUPS] = ent;
  s[2 * GBTM_MAX_GROUPS + 1] = (double)n;
  reduce_sum(procs, s, 2 * GBTM_MAX_GROUPS + 2);
  ent = s[2 * GBTM_MAX_GROUPS];
  double N = s[2 * GBTM_MAX_GROUPS + 1];
  for (int k = 0; k < K; k++) {
    g[k].share = share[k];
    g[k].assigned_share = assigned[k] / N;
    g[k].avepp = assigned[k] > 0.0 ? sum_pp[k] / assigned[k] : NAN;
    double odds_pp = g[k].avepp / (1.0 - g[k].avepp), odds_pi = share[k] / (1.0 - share[k]);
    g[k].occ = (K > 1 && isfinite(odds_pp) && odds_pi > 0.0 && isfinite(odds_pi)) ? odds_pp / odds_pi : NAN;
  }
  return K > 1 ? 1.0 + ent / (N * log((double)K)) : 1.0;
}
