/* check_covariates.c: models with risk factors (eq. M with z) and
 * time-varying covariates (w'delta in log lambda), on cohorts drawn from
 * the built-in rapporteur-2024-covariates model (fixed seeds):
 * - every theta, gamma and delta lies within 3 of its standard errors of
 *   the truth, and the maximum is no lower than log L at the truth;
 * - the reference group only re-expresses theta: the same log L, and
 *   theta' = theta - theta_ref;
 * - a model file keeps the covariates: the loaded model classifies the
 *   persons exactly as the fit did;
 * - a panel without the model's covariates is refused with both lists. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gbtm.h"
#include "model/model.h"
#include "gbtm_presets.h"

#define N_PERSONS 3000

static gbtm_panel *cohort(gbtm_model *truth, uint64_t seed) {
  gbtm_sim_design d;
  ck_assert(model_preset("rapporteur-2024-covariates", N_PERSONS, seed, truth, &d));
  gbtm_panel *p = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_simulate(truth, &d, &p, NULL, &err) == GBTM_OK, "%s", err.message);
  ck_assert_int_eq(gbtm_panel_n_risk(p), 2);
  ck_assert_int_eq(gbtm_panel_n_tcov(p), 1);
  return p;
}

static gbtm_fit_result *fit(const gbtm_panel *p, const gbtm_model *truth, int refgroup) {
  gbtm_fit_options o = gbtm_fit_options_default();
  o.groups = truth->groups;
  o.centre = truth->centre;
  o.scale = truth->scale;
  o.starts = 10;
  o.refgroup = refgroup;
  o.tcov_fixed[0] = truth->tcov_fixed[0];
  gbtm_fit_result *r = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_fit(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  return r;
}

START_TEST(recovers_theta_and_delta) {
  gbtm_model truth;
  gbtm_panel *p = cohort(&truth, 7);
  gbtm_fit_result *r = fit(p, &truth, 0);
  const gbtm_fit_summary *s = gbtm_fit_result_summary(r);
  ck_assert_msg(s->converged, "decrement %g", s->newton_decrement);
  ck_assert_int_eq(s->n_params, gbtm_model_n_params(&truth));
  double at_truth;
  ck_assert_int_eq(gbtm_model_loglik(&truth, p, &at_truth, NULL), GBTM_OK);
  ck_assert_msg(s->loglik >= at_truth, "%.6f < %.6f at the truth", s->loglik, at_truth);
  const gbtm_model *m = gbtm_fit_result_model(r);
  const double *V = gbtm_fit_result_covariance(r, GBTM_SE_MODEL);
  ck_assert_ptr_nonnull(V);
  /* the estimates in psi order, named; compare the theta/gamma/delta ones
   * with the truth's coefficients (groups in the same order: both sorted
   * by mean expected count) */
  int P = s->n_params, checked = 0;
  const double *est = gbtm_fit_result_estimates(r);
  for (int j = 0; j < P; j++) {
    const char *name = gbtm_fit_result_param_name(r, j);
    int k;
    char cov[GBTM_NAME_MAX] = "";
    double truth_value;
    if (sscanf(name, "theta[%d][%47[^]]]", &k, cov) == 2) {
      int c = strcmp(cov, "unstable_family") == 0 ? 0 : 1;
      truth_value = truth.gamma[k - 1][c] - truth.gamma[0][c];
    } else if (sscanf(name, "theta[%d]", &k) == 1) {
      truth_value = truth.theta[k - 1] - truth.theta[0];
    } else if (sscanf(name, "delta[%d]", &k) == 1) {
      truth_value = truth.delta[k - 1][0];
    } else {
      continue;
    }
    double se = sqrt(V[j * P + j]);
    ck_assert_msg(fabs(est[j] - truth_value) <= 3.0 * se, "%s: %.4f, truth %.4f, se %.4f", name, est[j],
                  truth_value, se);
    checked++;
  }
  ck_assert_int_eq(checked, 3 * 3 + 4); /* (K-1)(1+R) + K C */
  ck_assert_str_eq(m->risk_name[0], "unstable_family");
  ck_assert_str_eq(m->tcov_name[0], "employed");
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(reference_group_reexpresses_theta) {
  gbtm_model truth;
  gbtm_panel *p = cohort(&truth, 11);
  gbtm_fit_result *a = fit(p, &truth, 0), *b = fit(p, &truth, 2);
  const gbtm_model *ma = gbtm_fit_result_model(a), *mb = gbtm_fit_result_model(b);
  double la = gbtm_fit_result_summary(a)->loglik, lb = gbtm_fit_result_summary(b)->loglik;
  ck_assert_msg(fabs(la - lb) < 1e-6 * fabs(la), "%.9f vs %.9f", la, lb);
  ck_assert_int_eq(mb->refgroup, 2);
  for (int k = 0; k < ma->groups; k++) {
    ck_assert(fabs(mb->theta[k] - (ma->theta[k] - ma->theta[2])) < 1e-4);
    for (int j = 0; j < ma->n_risk; j++) ck_assert(fabs(mb->gamma[k][j] - (ma->gamma[k][j] - ma->gamma[2][j])) < 1e-4);
  }
  gbtm_fit_result_free(a);
  gbtm_fit_result_free(b);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(model_file_keeps_covariates) {
  gbtm_model truth;
  gbtm_panel *p = cohort(&truth, 13);
  gbtm_fit_result *r = fit(p, &truth, 1);
  char dir[] = "/tmp/gbtm_cov_XXXXXX", path[64];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/m.h5", dir);
  gbtm_error err;
  ck_assert_msg(gbtm_model_save(r, NULL, path, &err) == GBTM_OK, "%s", err.message);
  gbtm_fit_result *back = NULL;
  ck_assert_msg(gbtm_model_load(path, &back, &err) == GBTM_OK, "%s", err.message);
  const gbtm_model *m = gbtm_fit_result_model(r), *mb = gbtm_fit_result_model(back);
  ck_assert(memcmp(m, mb, sizeof *m) == 0);
  ck_assert_int_eq(gbtm_fit_result_file_info(back)->format_version, 2);
  size_t N = gbtm_panel_n_persons(p), K = (size_t)m->groups;
  double *tau = malloc(N * K * sizeof *tau);
  ck_assert_int_eq(gbtm_model_classify(mb, p, tau, &err), GBTM_OK);
  const double *fitted = gbtm_fit_result_posterior(r);
  for (size_t j = 0; j < N * K; j++) ck_assert(fabs(tau[j] - fitted[j]) < 1e-12);
  /* the same persons without covariates */
  gbtm_model plain;
  gbtm_sim_design d;
  model_preset("rapporteur-2024", 50, 3, &plain, &d);
  gbtm_panel *q = NULL;
  ck_assert_int_eq(gbtm_simulate(&plain, &d, &q, NULL, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_classify(mb, q, tau, &err), GBTM_ERR_DATA);
  ck_assert_msg(strstr(err.message, "the model has risk factors (unstable_family, no_qualification) and "
                                    "time-varying covariates (employed), the data risk factors () and "
                                    "time-varying covariates ()"),
                "%s", err.message);
  unlink(path);
  rmdir(dir);
  free(tau);
  gbtm_panel_free(q);
  gbtm_fit_result_free(back);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

int main(void) {
  Suite *s = suite_create("covariates");
  TCase *tc = tcase_create("covariates");
  tcase_set_timeout(tc, 0);
  tcase_add_test(tc, recovers_theta_and_delta);
  tcase_add_test(tc, reference_group_reexpresses_theta);
  tcase_add_test(tc, model_file_keeps_covariates);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
