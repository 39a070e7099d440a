/* intervals.c: the delta-method intervals of a fit result (DESIGN §4):
 * - shares pi = softmax(theta): d pi_k / d theta_j = pi_k ([k = j] - pi_j);
 *   the interval is built on the logit scale (se_logit = se / (pi (1 - pi)))
 *   and mapped back, so it stays inside (0, 1);
 * - expected counts mu_kt = (1 - omega_kt) lambda_kt on the log scale:
 *   d log mu / d beta_k = x_t, d log mu / d alpha_k = -omega_kt x_t. */
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "model/basis.h"
#include "families/family.h"
#include "base/error.h"
#include "fit/fit_result.h"
#include "fit/inference.h"

static double z_of(double level) { return gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * level); }

gbtm_status gbtm_fit_result_share_interval(const gbtm_fit_result *r, int k, gbtm_se_kind kind,
                                           double level, double *se, double *lower, double *upper) {
  const gbtm_model *m = &r->model;
  const double *V = gbtm_fit_result_covariance(r, kind);
  *se = *lower = *upper = NAN;
  if (k < 0 || k >= m->groups || !(level > 0.0 && level < 1.0))
    return gbtm_fail(NULL, GBTM_ERR_USAGE, "bad group or level");
  /* With risk factors a share depends on the person's factors: no single
   * interval (the report gives odds ratios instead). */
  if (!V || m->n_risk > 0) return GBTM_ERR_DATA;
  double pi[GBTM_MAX_GROUPS], J[GBTM_MAX_GROUPS];
  size_t at[GBTM_MAX_GROUPS];
  psi_layout l;
  inference_layout(m, &l);
  gbtm_model_shares(m, pi);
  int K = m->groups, P = r->summary.n_params, n = 0;
  /* d pi_k / d theta_j = pi_k ([k = j] - pi_j), j != the reference */
  for (int j = 0; j < K; j++)
    if (j != m->refgroup) at[n] = l.theta_at[j], J[n++] = pi[k] * ((k == j ? 1.0 : 0.0) - pi[j]);
  double var = 0.0;
  for (int a = 0; a < n; a++)
    for (int b = 0; b < n; b++) var += J[a] * J[b] * V[at[a] * (size_t)P + at[b]];
  *se = sqrt(fmax(var, 0.0));
  if (K == 1) {
    *lower = *upper = 1.0;
    return GBTM_OK;
  }
  double logit = log(pi[k] / (1.0 - pi[k])), sl = *se / (pi[k] * (1.0 - pi[k])), z = z_of(level);
  *lower = 1.0 / (1.0 + exp(-(logit - z * sl)));
  *upper = 1.0 / (1.0 + exp(-(logit + z * sl)));
  return GBTM_OK;
}

gbtm_status gbtm_fit_result_trajectory_interval(const gbtm_fit_result *r, int k, double age,
                                                gbtm_se_kind kind, double level, double *mean,
                                                double *lower, double *upper) {
  const gbtm_model *m = &r->model;
  const double *V = gbtm_fit_result_covariance(r, kind);
  *lower = *upper = NAN;
  if (k < 0 || k >= m->groups || !(level > 0.0 && level < 1.0))
    return gbtm_fail(NULL, GBTM_ERR_USAGE, "bad group or level");
  *mean = gbtm_model_expected(m, k, age);
  if (!V) return GBTM_ERR_DATA;
  psi_layout l;
  size_t P = (size_t)r->summary.n_params;
  inference_layout(m, &l);
  double x[GBTM_MAX_COEF], zeta = model_inflated(m, k) ? model_zeta(m, k, age) : 0.0, d_eta, d_zeta, d_phi;
  basis_row(age, m->centre, m->scale, GBTM_MAX_COEF, x);
  double eta = model_tcov_shift(m, k, m->tcov_fixed); /* eta = x'beta + w'delta, w = tcov_fixed */
  for (int j = 0; j <= m->order[k]; j++) eta += x[j] * m->beta[k][j];
  family_par fp = model_family_par(m, k);
  family_get(m->family)->log_expected_gradient(eta, model_inflated(m, k) ? &zeta : NULL, &fp, &d_eta, &d_zeta, &d_phi);
  size_t idx[2 * GBTM_MAX_COEF + GBTM_MAX_TCOV + 1];
  double g[2 * GBTM_MAX_COEF + GBTM_MAX_TCOV + 1];
  int n = 0;
  for (int j = 0; j <= m->order[k]; j++) idx[n] = l.beta_at[k] + (size_t)j, g[n++] = d_eta * x[j];
  for (int j = 0; j < m->n_tcov; j++) idx[n] = l.delta_at[k] + (size_t)j, g[n++] = d_eta * m->tcov_fixed[j];
  if (model_inflated(m, k))
    for (int j = 0; j <= m->iorder[k]; j++) idx[n] = l.alpha_at[k] + (size_t)j, g[n++] = d_zeta * x[j];
  if (model_has_phi(m)) idx[n] = l.phi_at[k], g[n++] = d_phi;
  double var = 0.0;
  for (int a = 0; a < n; a++)
    for (int b = 0; b < n; b++) var += g[a] * g[b] * V[idx[a] * P + idx[b]];
  double se = sqrt(fmax(var, 0.0)), z = z_of(level);
  if (family_get(m->family)->band_identity) { /* se of the mean itself: |mean| x se of log |mean| */
    *lower = *mean - z * fabs(*mean) * se;
    *upper = *mean + z * fabs(*mean) * se;
    return GBTM_OK;
  }
  *lower = exp(log(*mean) - z * se);
  *upper = exp(log(*mean) + z * se);
  return GBTM_OK;
}
