/* classify.c: posterior group probabilities of any persons under a given
 * model (eq. M, eq. L), the E-step of DESIGN §3 done once and directly, for
 * persons who may not be those the model was fitted to (a saved model placed
 * against new records), with their risk factors and time-varying covariates. Also which persons lie outside the fitted age range,
 * since a polynomial in age is an extrapolation there.
 *
 * The per-person constant sum_t (y log E - log y!) is the same in every
 * group and cancels from the softmax, so only the family's variable part
 * v(y, E) of log f is summed (engine/families/family.h). */
#include <math.h>
#include <stdlib.h>

#include "model/basis.h"
#include "base/error.h"
#include "families/family.h"
#include "model/model.h"
#include "panel/panel.h"

static gbtm_status check_model(const gbtm_model *m, gbtm_error *err) {
  if (!gbtm_family_valid(m->family))
    return gbtm_fail(err, GBTM_ERR_USAGE, "classify: unknown model family %d", (int)m->family);
  if (m->groups < 1 || m->groups > GBTM_MAX_GROUPS)
    return gbtm_fail(err, GBTM_ERR_USAGE, "classify: the model has %d groups (1 to %d)", m->groups,
                     GBTM_MAX_GROUPS);
  for (int k = 0; k < m->groups; k++)
    if (m->order[k] < 0 || m->order[k] > GBTM_MAX_ORDER || m->iorder[k] < -1 ||
        m->iorder[k] > GBTM_MAX_ORDER)
      return gbtm_fail(err, GBTM_ERR_USAGE, "classify: group %d has order %d and iorder %d", k + 1,
                       m->order[k], m->iorder[k]);
  if (!(isfinite(m->centre) && isfinite(m->scale) && m->scale > 0.0))
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "classify: the basis needs a finite centre and a scale > 0 (got %g, %g)",
                     m->centre, m->scale);
  return GBTM_OK;
}

/* eq. M, eq. L: l_ik = log pi_k + sum_{t in O_i} v_k(y_it, E_it), then
 * tau_ik = exp(l_ik - max_k l_ik) / sum_j exp(l_ij - max_k l_ik). */
gbtm_status gbtm_model_classify(const gbtm_model *m, const gbtm_panel *p, double *tau,
                                gbtm_error *err) {
  gbtm_status st = check_model(m, err);
  if (st == GBTM_OK) st = model_panel_match(m, p, err);
  if (st != GBTM_OK) return st;
  const size_t R = (size_t)m->n_risk, C = (size_t)m->n_tcov;
  const gbtm_family *fam = family_get(m->family);
  const int K = m->groups;
  const size_t T = p->T;
  /* eta_kt and zeta_kt at the panel's ages, and a person's cells. */
  double *eta = malloc((size_t)K * T * sizeof *eta), *zeta = malloc((size_t)K * T * sizeof *zeta);
  uint32_t *t = malloc(T * sizeof *t);
  double *y = malloc(T * sizeof *y);
  double *e = malloc(T * sizeof *e);
  if (!eta || !zeta || !t || !y || !e) {
    free(eta), free(zeta), free(t), free(y), free(e);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory classifying %zu persons", p->n);
  }
  bool inflated[GBTM_MAX_GROUPS];
  for (int k = 0; k < K; k++) {
    inflated[k] = model_inflated(m, k);
    for (size_t a = 0; a < T; a++) {
      double x[GBTM_MAX_COEF], b = 0.0, z = 0.0;
      basis_row(p->age[a], m->centre, m->scale, GBTM_MAX_COEF, x);
      for (int j = 0; j <= m->order[k]; j++) b += x[j] * m->beta[k][j];
      for (int j = 0; j <= m->iorder[k]; j++) z += x[j] * m->alpha[k][j];
      eta[(size_t)k * T + a] = b;
      zeta[(size_t)k * T + a] = z;
    }
  }
  for (size_t i = 0; i < p->n; i++) {
    size_t nc = panel_person_cells(p, i, t, y, e);
    double l[GBTM_MAX_GROUPS], mx = -INFINITY, sum = 0.0;
    model_log_shares(m, R ? p->risk + i * R : NULL, l);
    for (int k = 0; k < K; k++) {
      const double *ek = eta + (size_t)k * T, *zk = zeta + (size_t)k * T;
      const family_par fp = model_family_par(m, k);
      double v = l[k];
      for (size_t c = 0; c < nc; c++) {
        double shift = C ? model_tcov_shift(m, k, p->tcov + (p->obs_start[i] + c) * C) : 0.0;
        v += fam->cell_loglik(ek[t[c]] + shift, inflated[k] ? &zk[t[c]] : NULL, &fp, (double)y[c], e[c]);
      }
      l[k] = v;
      if (v > mx || isnan(v)) mx = v;
    }
    if (!isfinite(mx)) {
      free(eta), free(zeta), free(t), free(y), free(e);
      return gbtm_fail(err, GBTM_ERR_DATA,
                       "classify: person \"%s\" has no finite log-likelihood in any group "
                       "(probability 0 everywhere, or an overflow)",
                       p->id[i]);
    }
    for (int k = 0; k < K; k++) sum += exp(l[k] - mx);
    for (int k = 0; k < K; k++) tau[i * (size_t)K + (size_t)k] = exp(l[k] - mx) / sum;
  }
  free(eta), free(zeta), free(t), free(y), free(e);
  return GBTM_OK;
}

size_t gbtm_model_outside_range(const gbtm_model *m, const gbtm_panel *p, bool *outside) {
  size_t n = 0;
  for (size_t i = 0; i < p->n; i++) {
    /* The window [lo, hi] spans the person's first and last observed ages. */
    bool out = p->age[p->lo[i]] < m->age_min || p->age[p->hi[i]] > m->age_max;
    if (outside) outside[i] = out;
    n += out;
  }
  return n;
}
