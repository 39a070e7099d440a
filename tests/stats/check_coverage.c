/* check_coverage.c: do the 95% intervals cover the truth 95% of the time?
 * Cohorts of 500 persons are drawn (fixed seeds) from a known two-group
 * Poisson model with quadratic log rates and fitted; the delta-method
 * intervals of the share and the Wald intervals of the six coefficients are
 * checked against the truth. GBTM_COVERAGE_REPS sets the replications
 * (default 40 here, with a wide bound of 88-99%; bench/coverage.sh runs 200
 * and asserts 92-98%). The same runs compare the model-based and robust
 * standard errors: their ratio is about 1 when the model is true, and the
 * robust ones are larger when the counts are overdispersed (gamma-mixed
 * Poisson). */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbtm.h"
#include "model/model.h"

#define N_PERSONS 500

static gbtm_model truth(void) {
  gbtm_model m;
  memset(&m, 0, sizeof m);
  m.family = GBTM_POISSON;
  m.groups = 2;
  m.centre = 21.5;
  m.scale = 9.5;
  m.age_min = 12;
  m.age_max = 31;
  m.theta[1] = log(0.35 / 0.65);
  double beta[2][3] = {{-1.2, 0.4, -0.8}, {0.6, -0.5, -0.7}};
  for (int k = 0; k < 2; k++) {
    m.order[k] = 2;
    m.iorder[k] = -1;
    memcpy(m.beta[k], beta[k], sizeof beta[k]);
  }
  return m;
}

/* A cohort from the truth; with overdispersion each cell's rate is
 * multiplied by a Gamma(1, 1) draw (mean 1, variance 1). */
static gbtm_panel *cohort(const gbtm_model *m, unsigned long seed, bool overdispersed) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  size_t T = 20, n = N_PERSONS * T, r = 0;
  char **ids = malloc(n * sizeof *ids), (*names)[16] = malloc(N_PERSONS * sizeof *names);
  double *age = malloc(n * sizeof *age), share[2];
  int64_t *y = malloc(n * sizeof *y);
  gbtm_model_shares(m, share);
  for (size_t i = 0; i < N_PERSONS; i++) {
    snprintf(names[i], sizeof names[i], "p%zu", i);
    int k = gsl_rng_uniform(rng) < share[0] ? 0 : 1;
    for (size_t t = 0; t < T; t++, r++) {
      ids[r] = names[i];
      age[r] = 12.0 + (double)t;
      double mu = gbtm_model_expected(m, k, age[r]);
      if (overdispersed) mu *= gsl_ran_gamma(rng, 1.0, 1.0);
      y[r] = (int64_t)gsl_ran_poisson(rng, mu);
    }
  }
  gbtm_panel *p = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_panel_from_rows(n, (const char *const *)ids, age, y, NULL, "cohort", &p, &err) == GBTM_OK,
                "%s", err.message);
  free(ids), free(names), free(age), free(y);
  gsl_rng_free(rng);
  return p;
}

static gbtm_fit_result *fit(const gbtm_panel *p, const gbtm_model *m) {
  gbtm_fit_options o = gbtm_fit_options_default();
  o.groups = 2;
  o.centre = m->centre;
  o.scale = m->scale;
  o.starts = 4;
  o.keep_posterior = false;
  o.threads = 1;
  gbtm_fit_result *r = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_fit(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  return r;
}

static int reps(void) {
  const char *s = getenv("GBTM_COVERAGE_REPS");
  return s ? atoi(s) : 40;
}

START_TEST(intervals_cover_the_truth) {
  gbtm_model m = truth();
  int R = reps(), covered = 0, total = 0;
  double ratio = 0.0, share[2];
  gbtm_model_shares(&m, share);
  for (int r = 0; r < R; r++) {
    gbtm_panel *p = cohort(&m, 100 + (unsigned long)r, false);
    gbtm_fit_result *res = fit(p, &m);
    const double *V = gbtm_fit_result_covariance(res, GBTM_SE_MODEL), *W = gbtm_fit_result_covariance(res, GBTM_SE_ROBUST);
    const double *psi = gbtm_fit_result_estimates(res);
    ck_assert_msg(V && W, "replicate %d: %s", r, gbtm_fit_result_inference_note(res));
    int P = gbtm_fit_result_summary(res)->n_params;
    double se, lo, hi;
    ck_assert_int_eq(gbtm_fit_result_share_interval(res, 1, GBTM_SE_MODEL, 0.95, &se, &lo, &hi), GBTM_OK);
    covered += lo <= share[1] && share[1] <= hi;
    total++;
    for (int k = 0; k < 2; k++)
      for (int j = 0; j < 3; j++) {
        int idx = 1 + 3 * k + j; /* psi = (theta_2, beta_1, beta_2) */
        double s = sqrt(V[idx * P + idx]);
        covered += fabs(psi[idx] - m.beta[k][j]) <= 1.959963984540054 * s;
        total++;
        ratio += sqrt(W[idx * P + idx]) / s;
      }
    gbtm_fit_result_free(res);
    gbtm_panel_free(p);
  }
  double coverage = (double)covered / total, mean_ratio = ratio / (6.0 * R);
  double lo = R >= 200 ? 0.92 : 0.88, hi = R >= 200 ? 0.98 : 0.99;
  printf("coverage of 95%% intervals: %d of %d = %.3f over %d replications; robust/model se ratio %.3f\n",
         covered, total, coverage, R, mean_ratio);
  ck_assert_msg(coverage >= lo && coverage <= hi, "coverage %.3f outside [%.2f, %.2f]", coverage, lo, hi);
  ck_assert_msg(fabs(mean_ratio - 1.0) < 0.1, "robust/model se ratio %.3f under the true model", mean_ratio);
}
END_TEST

START_TEST(robust_larger_when_overdispersed) {
  gbtm_model m = truth();
  double ratio = 0.0;
  int R = 10;
  for (int r = 0; r < R; r++) {
    gbtm_panel *p = cohort(&m, 500 + (unsigned long)r, true);
    gbtm_fit_result *res = fit(p, &m);
    const double *V = gbtm_fit_result_covariance(res, GBTM_SE_MODEL), *W = gbtm_fit_result_covariance(res, GBTM_SE_ROBUST);
    ck_assert(V && W);
    int P = gbtm_fit_result_summary(res)->n_params;
    for (int idx = 1; idx < 7; idx++) ratio += sqrt(W[idx * P + idx] / V[idx * P + idx]);
    gbtm_fit_result_free(res);
    gbtm_panel_free(p);
  }
  ratio /= 6.0 * R;
  printf("overdispersed counts: robust/model se ratio %.3f\n", ratio);
  ck_assert_msg(ratio > 1.2, "robust/model se ratio %.3f with overdispersed counts", ratio);
}
END_TEST

int main(void) {
  Suite *s = suite_create("coverage");
  TCase *tc = tcase_create("intervals");
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, intervals_cover_the_truth);
  tcase_add_test(tc, robust_larger_when_overdispersed);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
