/* check_real_families.c: the families of real responses (eq. CN, eq. BE;
 * DESIGN §6 Families).
 * - cnorm, one group, on datasets/refdata/synthetic_cnorm1.csv censored at
 *   0 and 10: survival::survreg's maximum
 *   (computed_survival_3.5-3_cnorm1_survreg.txt, its Newton-polished
 *   lines): log L within 1e-6, the coefficients and sigma within 1e-6
 *   relative, and the standard error of sigma within 1e-4 relative of
 *   survreg's SE(log sigma) x sigma (the delta method).
 * - beta, one group, on synthetic_beta1.csv: a direct maximisation's
 *   maximum (computed_R_4.2.2_beta1_optim.txt): the same tolerances.
 * - Recovery: 20,000 persons drawn (fixed seed) from a known two-group
 *   model of each family and refitted: shares within 1 point, every
 *   coefficient and sigma or precision within 3 standard errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gbtm.h"
#include "gbtm_presets.h"
#include "model/model.h"
#include "testutil.h"

static gbtm_panel *load(const char *name, gbtm_family_id fam, double lo, double hi) {
  char path[1024];
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  cols.family = fam;
  cols.ymin = lo, cols.ymax = hi;
  gbtm_panel *p = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_panel_read_csv(test_refdata(path, sizeof path, name), &cols, &p, &err) == GBTM_OK, "%s",
                err.message);
  return p;
}

static gbtm_fit_result *fit_one(const gbtm_panel *p, gbtm_family_id fam, double lo, double hi) {
  gbtm_fit_options o = gbtm_fit_options_default();
  o.family = fam;
  o.groups = 1;
  o.order[0] = 2;
  o.centre = 21.0, o.scale = 9.0;
  o.ymin = lo, o.ymax = hi;
  o.starts = 5;
  o.keep_posterior = false;
  gbtm_fit_result *r = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_fit(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  ck_assert(gbtm_fit_result_summary(r)->converged);
  return r;
}

static void near(double got, double want, double rel, const char *what) {
  ck_assert_msg(fabs(got - want) <= rel * fabs(want), "%s: %.17g, reference %.17g", what, got, want);
}

/* log L, beta, phi and se(phi) against a reference. */
static void at_reference(const gbtm_fit_result *r, double ll, const double b[3], double phi, double se_log_phi) {
  const gbtm_model *m = gbtm_fit_result_model(r);
  ck_assert_msg(fabs(gbtm_fit_result_summary(r)->loglik - ll) <= 1e-6, "log L %.12f, reference %.12f",
                gbtm_fit_result_summary(r)->loglik, ll);
  for (int j = 0; j < 3; j++) near(gbtm_model_beta(m, 0, j), b[j], 1e-6, "coefficient");
  near(gbtm_model_phi(m, 0), phi, 1e-6, gbtm_family_phi_name(gbtm_model_family(m)));
  const double *V = gbtm_fit_result_covariance(r, GBTM_SE_MODEL);
  ck_assert_ptr_nonnull(V);
  int i = gbtm_model_param_index(m, GBTM_PARAM_PHI, 0, 0);
  size_t P = (size_t)gbtm_fit_result_summary(r)->n_params;
  near(sqrt(V[(size_t)i * P + (size_t)i]), se_log_phi * phi, 1e-4, "se");
}

START_TEST(cnorm_is_survreg) {
  gbtm_panel *p = load("synthetic_cnorm1.csv", GBTM_CNORM, 0.0, 10.0);
  gbtm_fit_result *r = fit_one(p, GBTM_CNORM, 0.0, 10.0);
  static const double b[3] = {6.0279614874774285, 1.4027465576027762, -2.9715553742381542};
  at_reference(r, -17860.780211095156, b, 3.0002312726109568, 0.0089814094858655154);
  double lo, hi;
  ck_assert(gbtm_model_censoring(gbtm_fit_result_model(r), &lo, &hi) && lo == 0.0 && hi == 10.0);
  gbtm_fit_result_free(r);
  /* by default the data's range, here the same points */
  r = fit_one(p, GBTM_CNORM, -INFINITY, INFINITY);
  ck_assert(gbtm_model_censoring(gbtm_fit_result_model(r), &lo, &hi) && lo == 0.0 && hi == 10.0);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(beta_is_the_direct_maximum) {
  gbtm_panel *p = load("synthetic_beta1.csv", GBTM_BETA, -INFINITY, INFINITY);
  gbtm_fit_result *r = fit_one(p, GBTM_BETA, -INFINITY, INFINITY);
  static const double b[3] = {-0.98846946903461819, 0.78127217529572324, -0.66165741088970742};
  at_reference(r, 4096.0160985464645, b, 8.0550889979053011, 0.018380092323109314);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

static int by_size(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

/* Draws 20,000 persons from a two-group truth of family fam and refits. */
static void recovers(gbtm_family_id fam, const double beta[2][3], const double phi[2]) {
  gbtm_model truth;
  gbtm_sim_design design;
  ck_assert(model_preset("rapporteur-2024", 20000, 1, &truth, &design));
  design.seed = 7373;
  design.custody_prob = 0.0; /* no exposure */
  truth.family = fam;
  truth.groups = 2;
  truth.ymin = 0.0, truth.ymax = 12.0;
  static const double theta[2] = {0.0, -0.6};
  for (int k = 0; k < 2; k++) {
    truth.order[k] = 2;
    truth.iorder[k] = -1;
    truth.theta[k] = theta[k];
    truth.phi[k] = phi[k];
    for (int j = 0; j < GBTM_MAX_COEF; j++) truth.beta[k][j] = j < 3 ? beta[k][j] : 0.0;
  }
  gbtm_panel *p = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_simulate(&truth, &design, &p, NULL, &err) == GBTM_OK, "%s", err.message);
  gbtm_fit_options o = gbtm_fit_options_default();
  o.family = fam;
  o.groups = 2;
  for (int k = 0; k < 2; k++) o.order[k] = 2;
  o.centre = truth.centre;
  o.scale = truth.scale;
  if (fam == GBTM_CNORM) o.ymin = 0.0, o.ymax = 12.0;
  o.starts = 8;
  o.keep_posterior = false;
  gbtm_fit_result *res = NULL;
  ck_assert_msg(gbtm_fit(p, &o, &res, &err) == GBTM_OK, "%s", err.message);
  ck_assert(gbtm_fit_result_summary(res)->converged);
  const gbtm_model *m = gbtm_fit_result_model(res);
  double share[GBTM_MAX_GROUPS], true_share[GBTM_MAX_GROUPS];
  gbtm_model_shares(m, share);
  gbtm_model_shares(&truth, true_share);
  qsort(share, 2, sizeof share[0], by_size);
  qsort(true_share, 2, sizeof true_share[0], by_size);
  for (int k = 0; k < 2; k++)
    ck_assert_msg(fabs(share[k] - true_share[k]) < 0.01, "%s: share %.4f, truth %.4f", gbtm_family_name(fam), share[k],
                  true_share[k]);
  const double *V = gbtm_fit_result_covariance(res, GBTM_SE_MODEL);
  ck_assert_ptr_nonnull(V);
  size_t P = (size_t)gbtm_fit_result_summary(res)->n_params;
  for (int k = 0; k < 2; k++) { /* groups in increasing mean, as the truth's */
    for (int j = 0; j < 3; j++) {
      int i = gbtm_model_param_index(m, GBTM_PARAM_BETA, k, j);
      double se = sqrt(V[(size_t)i * P + (size_t)i]);
      ck_assert_msg(fabs(gbtm_model_beta(m, k, j) - beta[k][j]) <= 3.0 * se, "%s beta[%d][%d] %.4f (se %.4f), truth %.4f",
                    gbtm_family_name(fam), k + 1, j, gbtm_model_beta(m, k, j), se, beta[k][j]);
    }
    int i = gbtm_model_param_index(m, GBTM_PARAM_PHI, k, 0);
    double se = sqrt(V[(size_t)i * P + (size_t)i]);
    ck_assert_msg(fabs(gbtm_model_phi(m, k) - phi[k]) <= 3.0 * se, "%s phi[%d] %.4f (se %.4f), truth %.4f",
                  gbtm_family_name(fam), k + 1, gbtm_model_phi(m, k), se, phi[k]);
  }
  gbtm_fit_result_free(res);
  gbtm_panel_free(p);
}

START_TEST(recovers_the_truth) {
  static const double cb[2][3] = {{1.0, 1.0, -2.0}, {6.0, -1.0, -2.5}}, cs[2] = {1.5, 2.5};
  recovers(GBTM_CNORM, cb, cs);
  static const double bb[2][3] = {{-2.0, 0.5, -0.8}, {0.5, -0.4, -0.6}}, bp[2] = {6.0, 15.0};
  recovers(GBTM_BETA, bb, bp);
}
END_TEST

int main(void) {
  Suite *s = suite_create("real families");
  TCase *tc = tcase_create("real families");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, cnorm_is_survreg);
  tcase_add_test(tc, beta_is_the_direct_maximum);
  tcase_add_test(tc, recovers_the_truth);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
