/* age_scale.c: a group's coefficients and their standard errors on the age
 * scale, powers of (age - C) about a report centre C, from the basis's
 * coefficients by the exact linear map of eq. AB (engine/model/basis.c):
 * b_age = A b and Var b_age = A V A' with V the group's block of the
 * covariance. Only what is reported changes; the fit's basis stays. */
#include <math.h>

#include "fit/fit_result.h"
#include "model/basis.h"
#include "model/model.h"

int gbtm_fit_result_age_coefficients(const gbtm_fit_result *r, gbtm_param_kind kind, int k, double report_centre,
                                     gbtm_se_kind se_kind, double *coef, double *se) {
  const gbtm_model *m = &r->model;
  if (k < 0 || k >= m->groups || (kind != GBTM_PARAM_BETA && kind != GBTM_PARAM_ALPHA)) return -1;
  int n = kind == GBTM_PARAM_BETA ? m->order[k] + 1 : m->iorder[k] + 1;
  if (n <= 0 || (kind == GBTM_PARAM_ALPHA && gbtm_model_param_index(m, kind, k, 0) < 0)) return 0;
  double A[GBTM_MAX_COEF * GBTM_MAX_COEF], b[GBTM_MAX_COEF];
  int at[GBTM_MAX_COEF];
  basis_to_age(m->centre, m->scale, report_centre, n, A);
  for (int j = 0; j < n; j++) {
    b[j] = kind == GBTM_PARAM_BETA ? m->beta[k][j] : m->alpha[k][j];
    at[j] = gbtm_model_param_index(m, kind, k, j);
  }
  const double *V = gbtm_fit_result_covariance(r, se_kind);
  size_t P = (size_t)r->summary.n_params;
  bool have = V != NULL;
  for (int j = 0; j < n; j++) have = have && at[j] >= 0 && !gbtm_fit_result_on_boundary(r, at[j]);
  for (int i = 0; i < n; i++) {
    double c = 0.0, v = 0.0;
    for (int j = i; j < n; j++) c += A[i * n + j] * b[j];
    for (int j = i; have && j < n; j++)
      for (int l = i; l < n; l++) v += A[i * n + j] * V[(size_t)at[j] * P + (size_t)at[l]] * A[i * n + l];
    coef[i] = c;
    se[i] = have && v >= 0.0 ? sqrt(v) : NAN;
  }
  return n;
}
