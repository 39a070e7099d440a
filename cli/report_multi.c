/* report_multi.c: the report of a multi-trajectory fit (eq. MT, DESIGN
 * §10): the shared part (persons, log L, BIC, AIC, the group shares), then
 * each outcome's family, cells and coefficients with standard errors from
 * the inverse of eq. MTI's information. JSON: one object with the shared
 * keys and an "outcomes" array. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "report_multi.h"

/* The standard error of estimate j (NaN without a covariance). */
static double se_of(const gbtm_multi_result *r, int j) {
  const double *cov = gbtm_multi_result_covariance(r);
  int n = gbtm_multi_result_n_estimates(r);
  return cov && cov[(size_t)j * n + j] >= 0.0 ? sqrt(cov[(size_t)j * n + j]) : NAN;
}

/* Row "name estimate se" of the text report; a standard error that is not
 * a number (no covariance: eq. MTI's information not positive definite)
 * is printed as "-", as a one-outcome fit's report does. */
static void text_row(FILE *out, const char *name, double est, double se) {
  if (isfinite(se)) fprintf(out, "  %-28s %14.6f %12.6f\n", name, est, se);
  else fprintf(out, "  %-28s %14.6f %12s\n", name, est, "-");
}

/* The index of the estimate named "prefix:what[k][j]" (or "theta[k]"), -1 if none. */
static int find_param(const gbtm_multi_result *r, const char *name) {
  for (int j = 0; j < gbtm_multi_result_n_estimates(r); j++)
    if (!strcmp(gbtm_multi_result_param_name(r, j), name)) return j;
  return -1;
}

void report_multi_text(FILE *out, const char *data, const gbtm_multi_result *r) {
  const int O = gbtm_multi_result_outcomes(r), K = gbtm_multi_result_groups(r);
  fprintf(out, "Multi-trajectory model: %s\n", data);
  fprintf(out, "  outcomes %d, groups %d, persons %zu\n", O, K, gbtm_multi_result_persons(r));
  fprintf(out, "  log L %.6f, parameters %d\n", gbtm_multi_result_loglik(r), gbtm_multi_result_n_params(r));
  fprintf(out, "  BIC = -2 log L + p ln N persons %.4f, AIC = -2 log L + 2 p %.4f (smaller is better)\n",
          gbtm_multi_result_bic(r), gbtm_multi_result_aic(r));
  fprintf(out, "  BIC = log L - p/2 ln N persons %.4f (PROC TRAJ / Stata traj form, higher is better)\n",
          gbtm_multi_result_bic_traj(r));
  fprintf(out, "  converged %s (max |gradient| %.3g, %d EM iterations)\n",
          gbtm_multi_result_converged(r) ? "yes" : "no", gbtm_multi_result_grad_norm(r),
          gbtm_multi_result_iterations(r));
  fprintf(out, "\nGroup shares (%%)\n");
  for (int k = 0; k < K; k++) fprintf(out, "  group %d  %6.2f\n", k + 1, 100.0 * gbtm_multi_result_share(r, k));
  for (int o = 0; o < O; o++) {
    const gbtm_model *m = gbtm_multi_result_model(r, o);
    const char *name = gbtm_multi_result_name(r, o);
    fprintf(out, "\nOutcome %s: %s, %zu cells\n", name, gbtm_family_name(gbtm_model_family(m)),
            gbtm_multi_result_cells(r, o));
    fprintf(out, "  %-28s %14s %12s\n", "parameter", "estimate", "se");
    for (int j = 0; j < gbtm_multi_result_n_estimates(r); j++) {
      const char *pn = gbtm_multi_result_param_name(r, j);
      size_t len = strlen(name);
      if (strncmp(pn, name, len) != 0 || pn[len] != ':') continue;
      text_row(out, pn + len + 1, gbtm_multi_result_estimates(r)[j], se_of(r, j));
    }
  }
  fprintf(out, "\nMembership log-odds (group 1 the reference)\n");
  for (int k = 2; k <= K; k++) {
    char nm[32];
    snprintf(nm, sizeof nm, "theta[%d]", k);
    int j = find_param(r, nm);
    if (j >= 0) text_row(out, nm, gbtm_multi_result_estimates(r)[j], se_of(r, j));
  }
}

void report_multi_json(FILE *out, const char *data, const gbtm_multi_result *r) {
  const int O = gbtm_multi_result_outcomes(r), K = gbtm_multi_result_groups(r);
  json_writer w;
  json_init(&w, out);
  json_object_begin(&w);
  json_kv_string(&w, "data", data);
  json_kv_int(&w, "groups", K);
  json_kv_uint(&w, "persons", gbtm_multi_result_persons(r));
  json_kv_double(&w, "loglik", gbtm_multi_result_loglik(r));
  json_kv_int(&w, "n_params", gbtm_multi_result_n_params(r));
  json_kv_double(&w, "bic", gbtm_multi_result_bic(r)); /* the keys of a one-outcome fit, the same formulas */
  json_kv_double(&w, "bic_traj", gbtm_multi_result_bic_traj(r));
  json_kv_double(&w, "aic", gbtm_multi_result_aic(r));
  json_kv_bool(&w, "converged", gbtm_multi_result_converged(r));
  json_kv_double(&w, "grad_norm", gbtm_multi_result_grad_norm(r));
  json_kv_int(&w, "iterations", gbtm_multi_result_iterations(r));
  json_key(&w, "shares");
  json_array_begin(&w);
  for (int k = 0; k < K; k++) json_double(&w, gbtm_multi_result_share(r, k));
  json_array_end(&w);
  json_key(&w, "outcomes");
  json_array_begin(&w);
  for (int o = 0; o < O; o++) {
    const gbtm_model *m = gbtm_multi_result_model(r, o);
    json_object_begin(&w);
    json_kv_string(&w, "name", gbtm_multi_result_name(r, o));
    json_kv_string(&w, "family", gbtm_family_name(gbtm_model_family(m)));
    json_kv_uint(&w, "cells", gbtm_multi_result_cells(r, o));
    json_key(&w, "groups");
    json_array_begin(&w);
    for (int k = 0; k < K; k++) {
      json_object_begin(&w);
      json_kv_int(&w, "order", gbtm_model_order(m, k));
      json_key(&w, "beta");
      json_array_begin(&w);
      for (int j = 0; j <= gbtm_model_order(m, k); j++) json_double(&w, gbtm_model_beta(m, k, j));
      json_array_end(&w);
      if (gbtm_model_iorder(m, k) >= 0) {
        json_kv_int(&w, "iorder", gbtm_model_iorder(m, k));
        json_key(&w, "alpha");
        json_array_begin(&w);
        for (int j = 0; j <= gbtm_model_iorder(m, k); j++) json_double(&w, gbtm_model_alpha(m, k, j));
        json_array_end(&w);
      }
      if (!isnan(gbtm_model_phi(m, k))) json_kv_double(&w, gbtm_family_phi_name(gbtm_model_family(m)), gbtm_model_phi(m, k));
      json_object_end(&w);
    }
    json_array_end(&w);
    json_object_end(&w);
  }
  json_array_end(&w);
  json_key(&w, "parameters");
  json_array_begin(&w);
  for (int j = 0; j < gbtm_multi_result_n_estimates(r); j++) {
    json_object_begin(&w);
    json_kv_string(&w, "name", gbtm_multi_result_param_name(r, j));
    json_kv_double(&w, "estimate", gbtm_multi_result_estimates(r)[j]);
    json_kv_double(&w, "se", se_of(r, j));
    json_object_end(&w);
  }
  json_array_end(&w);
  json_object_end(&w);
  json_end(&w);
}
