/* model.c: what a gbtm_model value means: its parameter count, shares
 * (eq. M, with risk factors), trajectories, and a direct, person-by-person evaluation of eq. L. The
 * direct evaluation shares no code with the fitting kernels (engine/fit/estep.c)
 * so that tests can hold one against the other. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/basis.h"
#include "families/family.h"
#include "base/error.h"
#include "model/model.h"
#include "panel/panel.h"

bool model_inflated(const gbtm_model *m, int k) {
  return gbtm_family_zero_inflated(m->family) && m->iorder[k] >= 0;
}

family_par model_family_par(const gbtm_model *m, int k) {
  return (family_par){model_has_phi(m) ? m->phi[k] : 1.0, m->ymin, m->ymax};
}

bool model_has_phi(const gbtm_model *m) {
  const gbtm_family *f = family_get(m->family);
  return f && f->phi_name;
}

int gbtm_model_n_params(const gbtm_model *m) {
  int p = (m->groups - 1) * (1 + m->n_risk);
  for (int k = 0; k < m->groups; k++)
    p += m->order[k] + 1 + m->n_tcov + (model_inflated(m, k) ? m->iorder[k] + 1 : 0);
  if (model_has_phi(m)) p += m->phi_common ? 1 : m->groups;
  return p;
}

/* eq. M: log pi_k(z) = a_k - log sum_j exp(a_j), a_k = theta_k + z'gamma_k. */
void model_log_shares(const gbtm_model *m, const double *z, double *logpi) {
  double a[GBTM_MAX_GROUPS], mx = -INFINITY, sum = 0.0;
  for (int k = 0; k < m->groups; k++) {
    a[k] = m->theta[k];
    for (int j = 0; z && j < m->n_risk; j++) a[k] += z[j] * m->gamma[k][j];
    mx = fmax(mx, a[k]);
  }
  for (int k = 0; k < m->groups; k++) sum += exp(a[k] - mx);
  for (int k = 0; k < m->groups; k++) logpi[k] = a[k] - mx - log(sum);
}

void gbtm_model_shares_at(const gbtm_model *m, const double *z, double *share) {
  model_log_shares(m, z, share);
  for (int k = 0; k < m->groups; k++) share[k] = exp(share[k]);
}

void gbtm_model_shares(const gbtm_model *m, double *share) { gbtm_model_shares_at(m, NULL, share); }

double model_tcov_shift(const gbtm_model *m, int k, const double *w) {
  double v = 0.0;
  for (int j = 0; j < m->n_tcov; j++) v += m->delta[k][j] * w[j];
  return v;
}

gbtm_status model_panel_match(const gbtm_model *m, const gbtm_panel *p, gbtm_error *err) {
  if (m->n_risk == 0 && m->n_tcov == 0) return GBTM_OK; /* the panel's covariates are not used */
  bool same = m->n_risk == p->n_risk && m->n_tcov == p->n_tcov;
  for (int j = 0; same && j < m->n_risk; j++) same = strcmp(m->risk_name[j], p->risk_name[j]) == 0;
  for (int j = 0; same && j < m->n_tcov; j++) same = strcmp(m->tcov_name[j], p->tcov_name[j]) == 0;
  if (same) return GBTM_OK;
  char want[512], have[512];
  model_covariate_list(m->n_risk, m->risk_name, m->n_tcov, m->tcov_name, want, sizeof want);
  model_covariate_list(p->n_risk, p->risk_name, p->n_tcov, p->tcov_name, have, sizeof have);
  return gbtm_fail(err, GBTM_ERR_DATA, "the model has %s, the data %s", want, have);
}

void model_covariate_list(int n_risk, const char (*risk)[GBTM_NAME_MAX], int n_tcov,
                          const char (*tcov)[GBTM_NAME_MAX], char *buf, size_t len) {
  int used = snprintf(buf, len, "risk factors (");
  for (int j = 0; j < n_risk && used > 0 && (size_t)used < len; j++)
    used += snprintf(buf + used, len - (size_t)used, "%s%s", j ? ", " : "", risk[j]);
  if (used > 0 && (size_t)used < len) used += snprintf(buf + used, len - (size_t)used, ") and time-varying covariates (");
  for (int j = 0; j < n_tcov && used > 0 && (size_t)used < len; j++)
    used += snprintf(buf + used, len - (size_t)used, "%s%s", j ? ", " : "", tcov[j]);
  if (used > 0 && (size_t)used < len) snprintf(buf + used, len - (size_t)used, ")");
}

static double linear(const double *coef, int ncoef, const gbtm_model *m, double age) {
  double x[GBTM_MAX_COEF], v = 0.0;
  basis_row(age, m->centre, m->scale, ncoef, x);
  for (int j = 0; j < ncoef; j++) v += x[j] * coef[j];
  return v;
}

double gbtm_model_omega(const gbtm_model *m, int k, double age) {
  if (!model_inflated(m, k)) return 0.0;
  return 1.0 / (1.0 + exp(-model_zeta(m, k, age)));
}

double model_zeta(const gbtm_model *m, int k, double age) {
  return linear(m->alpha[k], m->iorder[k] + 1, m, age);
}

double gbtm_model_expected(const gbtm_model *m, int k, double age) {
  double zeta = model_inflated(m, k) ? model_zeta(m, k, age) : 0.0;
  double eta = linear(m->beta[k], m->order[k] + 1, m, age) + model_tcov_shift(m, k, m->tcov_fixed);
  family_par fp = model_family_par(m, k);
  return family_get(m->family)->expected(eta, model_inflated(m, k) ? &zeta : NULL, &fp);
}

/* log f_k(y | E) of eq. P / eq. Z, written out in full; shift = w'delta_k. */
static double log_density(const gbtm_model *m, int k, double age, double shift, double y, double E) {
  const gbtm_family *f = family_get(m->family);
  if (!f->poisson_density) { /* eq. B, NB, CN, BE: the family's own log f */
    double zeta = model_inflated(m, k) ? model_zeta(m, k, age) : 0.0;
    family_par fp = model_family_par(m, k);
    return f->cell_terms(linear(m->beta[k], m->order[k] + 1, m, age) + shift, model_inflated(m, k) ? &zeta : NULL,
                         &fp, y, E).lf;
  }
  double lambda = E * exp(linear(m->beta[k], m->order[k] + 1, m, age) + shift);
  double logpois = y * log(lambda) - lambda - lgamma(y + 1.0);
  if (y == 0.0) logpois = -lambda;
  if (!model_inflated(m, k)) return logpois;
  double omega = gbtm_model_omega(m, k, age);
  if (y > 0.0) return log1p(-omega) + logpois;
  return log(omega + (1.0 - omega) * exp(-lambda));
}

/* eq. L: log L = sum_i log sum_k pi_k(z_i) prod_t f_k(y_it | w_it). */
gbtm_status gbtm_model_loglik(const gbtm_model *m, const gbtm_panel *p, double *loglik,
                              gbtm_error *err) {
  gbtm_status st = model_panel_match(m, p, err);
  if (st != GBTM_OK) return st;
  uint32_t *t = malloc(p->T * sizeof *t);
  double *y = malloc(p->T * sizeof *y);
  double *e = malloc(p->T * sizeof *e);
  if (!t || !y || !e) {
    free(t), free(y), free(e);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory evaluating the log-likelihood");
  }
  double total = 0.0;
  for (size_t i = 0; i < p->n; i++) {
    size_t nc = panel_person_cells(p, i, t, y, e);
    double l[GBTM_MAX_GROUPS], mx = -INFINITY, s = 0.0;
    model_log_shares(m, m->n_risk ? p->risk + i * (size_t)p->n_risk : NULL, l);
    for (int k = 0; k < m->groups; k++) {
      for (size_t c = 0; c < nc; c++) {
        double shift = m->n_tcov ? model_tcov_shift(m, k, p->tcov + (p->obs_start[i] + c) * (size_t)p->n_tcov) : 0.0;
        l[k] += log_density(m, k, p->age[t[c]], shift, y[c], e[c]);
      }
      mx = fmax(mx, l[k]);
    }
    for (int k = 0; k < m->groups; k++) s += exp(l[k] - mx);
    total += (p->weight ? p->weight[i] : 1.0) * (mx + log(s)); /* eq. W: w_i log f_i */
  }
  free(t), free(y), free(e);
  reduce_sum(p->procs, &total, 1); /* the other processes' persons */
  *loglik = total;
  return GBTM_OK;
}
