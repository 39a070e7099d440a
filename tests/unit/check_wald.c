/* check_wald.c: Wald tests of linear hypotheses (gbtm_wald_test): one
 * equation on one coefficient equals the squared z statistic, a sum of
 * hypotheses follows the matrix formula recomputed here, and malformed
 * expressions are refused with a message that says where. */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbtm.h"
#include "model/model.h"
#include "gbtm_presets.h"
#include "testutil.h"

static gbtm_fit_result *fit_cohort(gbtm_panel **p) {
  gbtm_model truth;
  gbtm_sim_design design;
  ck_assert(model_preset("rapporteur-2024", 630, 1, &truth, &design));
  gbtm_error err;
  ck_assert_int_eq(gbtm_simulate(&truth, &design, p, NULL, &err), GBTM_OK);
  gbtm_fit_options o = gbtm_fit_options_default();
  o.groups = 4;
  o.starts = 6;
  gbtm_fit_result *r = NULL;
  ck_assert_msg(gbtm_fit(*p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  return r;
}

START_TEST(single_coefficient_is_z_squared) {
  gbtm_panel *p;
  gbtm_fit_result *r = fit_cohort(&p);
  const double *V = gbtm_fit_result_covariance(r, GBTM_SE_MODEL), *psi = gbtm_fit_result_estimates(r);
  int P = gbtm_fit_result_summary(r)->n_params, j = -1;
  for (int i = 0; i < P; i++)
    if (strcmp(gbtm_fit_result_param_name(r, i), "beta[2][2]") == 0) j = i;
  ck_assert_int_ge(j, 0);
  double chi2, pv, z = psi[j] / sqrt(V[j * P + j]);
  int df;
  gbtm_error err;
  ck_assert_int_eq(gbtm_wald_test(r, GBTM_SE_MODEL, "beta[2][2] = 0", &chi2, &df, &pv, &err), GBTM_OK);
  ck_assert_int_eq(df, 1);
  ck_assert(fabs(chi2 - z * z) <= 1e-9 * z * z);
  ck_assert(fabs(pv - erfc(fabs(z) / sqrt(2.0))) <= 1e-9 + 1e-6 * pv);
  /* the same hypothesis written differently */
  double chi2b;
  ck_assert_int_eq(gbtm_wald_test(r, GBTM_SE_MODEL, " 2*beta[2][2] - 0 = 0 ;", &chi2b, &df, &pv, &err), GBTM_OK);
  ck_assert(fabs(chi2b - chi2) <= 1e-9 * chi2);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(two_equations_follow_the_formula) {
  gbtm_panel *p;
  gbtm_fit_result *r = fit_cohort(&p);
  const double *V = gbtm_fit_result_covariance(r, GBTM_SE_ROBUST), *psi = gbtm_fit_result_estimates(r);
  int P = gbtm_fit_result_summary(r)->n_params, idx[4];
  const char *names[4] = {"beta[2][1]", "beta[3][1]", "beta[2][2]", "beta[3][2]"};
  for (int a = 0; a < 4; a++)
    for (int i = 0; i < P; i++)
      if (strcmp(gbtm_fit_result_param_name(r, i), names[a]) == 0) idx[a] = i;
  /* d = (b21 - b31, b22 - b32); M = R V R' */
  double d[2] = {psi[idx[0]] - psi[idx[1]], psi[idx[2]] - psi[idx[3]]}, M[2][2];
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      int i1 = idx[2 * a], i2 = idx[2 * a + 1], j1 = idx[2 * b], j2 = idx[2 * b + 1];
      M[a][b] = V[i1 * P + j1] - V[i1 * P + j2] - V[i2 * P + j1] + V[i2 * P + j2];
    }
  double det = M[0][0] * M[1][1] - M[0][1] * M[1][0];
  double want = (d[0] * (M[1][1] * d[0] - M[0][1] * d[1]) + d[1] * (M[0][0] * d[1] - M[1][0] * d[0])) / det;
  double chi2, pv;
  int df;
  gbtm_error err;
  ck_assert_int_eq(gbtm_wald_test(r, GBTM_SE_ROBUST, "beta[2][1] = beta[3][1], beta[2][2] = beta[3][2]", &chi2, &df,
                                  &pv, &err),
                   GBTM_OK);
  ck_assert_int_eq(df, 2);
  ck_assert_msg(fabs(chi2 - want) <= 1e-9 * want, "%.10g vs %.10g", chi2, want);
  ck_assert(fabs(pv - gsl_cdf_chisq_Q(want, 2)) < 1e-12);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(malformed_expressions) {
  gbtm_panel *p;
  gbtm_fit_result *r = fit_cohort(&p);
  double chi2, pv;
  int df;
  gbtm_error err;
  ck_assert_int_eq(gbtm_wald_test(r, GBTM_SE_MODEL, "beta[9][1] = 0", &chi2, &df, &pv, &err), GBTM_ERR_USAGE);
  ck_assert_str_eq(err.message, "test \"beta[9][1] = 0\": at column 1: expected a number or a parameter name (e.g. beta[2][1])");
  ck_assert_int_eq(gbtm_wald_test(r, GBTM_SE_MODEL, "beta[2][1] beta[3][1]", &chi2, &df, &pv, &err), GBTM_ERR_USAGE);
  ck_assert_str_eq(err.message, "test \"beta[2][1] beta[3][1]\": at column 12: expected '='");
  ck_assert_int_eq(gbtm_wald_test(r, GBTM_SE_MODEL, "beta[2][1] = 0, 2*beta[2][1] = 0", &chi2, &df, &pv, &err),
                   GBTM_ERR_USAGE);
  ck_assert(strstr(err.message, "not independent") != NULL);
  ck_assert_int_eq(gbtm_wald_test(r, GBTM_SE_MODEL, "  ", &chi2, &df, &pv, &err), GBTM_ERR_USAGE);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

int main(void) {
  Suite *s = suite_create("wald");
  TCase *tc = tcase_create("tests");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, single_coefficient_is_z_squared);
  tcase_add_test(tc, two_equations_follow_the_formula);
  tcase_add_test(tc, malformed_expressions);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
