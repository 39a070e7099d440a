/* model.c: what a gbtm_model value means: its parameter count, shares,
 * trajectories, and a direct, person-by-person evaluation of eq. L. The
 * direct evaluation shares no code with the fitting kernels (engine/estep.c)
 * so that tests can hold one against the other. */
#include <math.h>
#include <stdlib.h>

#include "basis.h"
#include "error.h"
#include "panel.h"

static bool has_inflation(const gbtm_model *m, int k) {
  return m->family == GBTM_ZIP && m->iorder[k] >= 0;
}

int gbtm_model_n_params(const gbtm_model *m) {
  int p = m->groups - 1;
  for (int k = 0; k < m->groups; k++) p += m->order[k] + 1 + (has_inflation(m, k) ? m->iorder[k] + 1 : 0);
  return p;
}

/* eq. M without risk factors: pi_k = exp(theta_k) / sum_j exp(theta_j). */
void gbtm_model_shares(const gbtm_model *m, double *share) {
  double mx = m->theta[0], sum = 0.0;
  for (int k = 1; k < m->groups; k++) mx = fmax(mx, m->theta[k]);
  for (int k = 0; k < m->groups; k++) sum += share[k] = exp(m->theta[k] - mx);
  for (int k = 0; k < m->groups; k++) share[k] /= sum;
}

static double linear(const double *coef, int ncoef, const gbtm_model *m, double age) {
  double x[GBTM_MAX_COEF], v = 0.0;
  basis_row(age, m->centre, m->scale, ncoef, x);
  for (int j = 0; j < ncoef; j++) v += x[j] * coef[j];
  return v;
}

double gbtm_model_omega(const gbtm_model *m, int k, double age) {
  if (!has_inflation(m, k)) return 0.0;
  return 1.0 / (1.0 + exp(-linear(m->alpha[k], m->iorder[k] + 1, m, age)));
}

double gbtm_model_expected(const gbtm_model *m, int k, double age) {
  return (1.0 - gbtm_model_omega(m, k, age)) * exp(linear(m->beta[k], m->order[k] + 1, m, age));
}

/* log f_k(y | E) of eq. P / eq. Z, written out in full. */
static double log_density(const gbtm_model *m, int k, double age, double y, double E) {
  double lambda = E * exp(linear(m->beta[k], m->order[k] + 1, m, age));
  double logpois = y * log(lambda) - lambda - lgamma(y + 1.0);
  if (y == 0.0) logpois = -lambda;
  if (!has_inflation(m, k)) return logpois;
  double omega = gbtm_model_omega(m, k, age);
  if (y > 0.0) return log1p(-omega) + logpois;
  return log(omega + (1.0 - omega) * exp(-lambda));
}

/* eq. L: log L = sum_i log sum_k pi_k prod_t f_k(y_it). */
gbtm_status gbtm_model_loglik(const gbtm_model *m, const gbtm_panel *p, double *loglik,
                              gbtm_error *err) {
  uint32_t *t = malloc(p->T * sizeof *t);
  int32_t *y = malloc(p->T * sizeof *y);
  double *e = malloc(p->T * sizeof *e);
  if (!t || !y || !e) {
    free(t), free(y), free(e);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory evaluating the log-likelihood");
  }
  double share[GBTM_MAX_GROUPS], total = 0.0;
  gbtm_model_shares(m, share);
  for (size_t i = 0; i < p->n; i++) {
    size_t nc = panel_person_cells(p, i, t, y, e);
    double l[GBTM_MAX_GROUPS], mx = -INFINITY, s = 0.0;
    for (int k = 0; k < m->groups; k++) {
      l[k] = log(share[k]);
      for (size_t c = 0; c < nc; c++) l[k] += log_density(m, k, p->age[t[c]], y[c], e[c]);
      mx = fmax(mx, l[k]);
    }
    for (int k = 0; k < m->groups; k++) s += exp(l[k] - mx);
    total += mx + log(s);
  }
  free(t), free(y), free(e);
  *loglik = total;
  return GBTM_OK;
}
