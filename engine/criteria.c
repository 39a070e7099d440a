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
#include "criteria.h"

#include <math.h>

void criteria_information(gbtm_fit_summary *s) {
  double ll = s->loglik, p = s->n_params;
  s->bic = -2.0 * ll + p * log((double)s->n_persons);
  s->bic_obs = -2.0 * ll + p * log((double)s->n_obs);
  s->bic_traj = ll - 0.5 * p * log((double)s->n_persons);
  s->bic_traj_obs = ll - 0.5 * p * log((double)s->n_obs);
  s->aic = -2.0 * ll + 2.0 * p;
}

double criteria_classification(const double *tau, size_t N, int K, const double *share,
                               gbtm_group_summary *g) {
  double sum_pp[GBTM_MAX_GROUPS] = {0}, ent = 0.0;
  size_t assigned[GBTM_MAX_GROUPS] = {0};
  for (size_t i = 0; i < N; i++) {
    const double *ti = tau + i * (size_t)K;
    int best = 0;
    for (int k = 0; k < K; k++) {
      if (ti[k] > ti[best]) best = k;
      if (ti[k] > 0.0) ent += ti[k] * log(ti[k]);
    }
    assigned[best]++;
    sum_pp[best] += ti[best];
  }
  for (int k = 0; k < K; k++) {
    g[k].share = share[k];
    g[k].assigned_share = (double)assigned[k] / (double)N;
    g[k].avepp = assigned[k] ? sum_pp[k] / (double)assigned[k] : NAN;
    double odds_pp = g[k].avepp / (1.0 - g[k].avepp), odds_pi = share[k] / (1.0 - share[k]);
    g[k].occ = (K > 1 && isfinite(odds_pp) && odds_pi > 0.0 && isfinite(odds_pi)) ? odds_pp / odds_pi : NAN;
  }
  return K > 1 ? 1.0 + ent / ((double)N * log((double)K)) : 1.0;
}
