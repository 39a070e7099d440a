/* check_extremes.c: fits at numerical extremes (issue "hardening"). Each
 * case ends either in a valid fit or in a clear error: a status other than
 * GBTM_OK with a non-empty message and no result. A valid fit has a finite
 * log L equal to a direct evaluation of eq. L, finite criteria, parameters,
 * posteriors and expected counts, shares summing to 1, and a covariance that
 * is either finite or absent with a note saying why (DESIGN §3 "Degenerate
 * fits": never NaN output). The documented "undefined" figures are the only
 * NaNs allowed: AvePP of a group nobody is assigned to, OCC where it has no
 * value, and the Newton decrement where there is no covariance. Data are
 * drawn with fixed seeds. */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbtm.h"
#include "model/model.h"
#include "testutil.h"

/* ---- panels built in memory -------------------------------------------- */

#define MAX_ROWS 20000

typedef struct rows {
  size_t n;
  char id[MAX_ROWS][16];
  const char *idp[MAX_ROWS];
  double age[MAX_ROWS], exposure[MAX_ROWS];
  int64_t count[MAX_ROWS];
} rows;

static rows *rows_new(void) {
  rows *r = calloc(1, sizeof *r);
  ck_assert_ptr_nonnull(r);
  return r;
}

static void rows_add(rows *r, size_t person, double age, int64_t count, double exposure) {
  ck_assert_uint_lt(r->n, MAX_ROWS);
  snprintf(r->id[r->n], sizeof r->id[r->n], "p%zu", person);
  r->idp[r->n] = r->id[r->n];
  r->age[r->n] = age;
  r->count[r->n] = count;
  r->exposure[r->n] = exposure;
  r->n++;
}

/* The panel of r (freed here), with exposures when with_exposure. */
static gbtm_panel *rows_panel(rows *r, bool with_exposure) {
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  gbtm_status st = gbtm_panel_from_rows(r->n, r->idp, r->age, r->count, with_exposure ? r->exposure : NULL,
                                        "rows", &p, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  free(r);
  return p;
}

/* Two groups of n/2 persons on ages lo..hi (step 1): log rates
 * b0 + b1 s + b2 s^2 with s the age scaled to [-1, 1], exposure 1. */
static gbtm_panel *two_group_panel(size_t n, int lo, int hi, const double b[2][3], unsigned long seed) {
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, seed);
  rows *r = rows_new();
  for (size_t i = 0; i < n; i++) {
    int k = i < n / 2 ? 0 : 1;
    for (int a = lo; a <= hi; a++) {
      double s = (2.0 * (a - lo) / (hi - lo)) - 1.0;
      double mu = exp(b[k][0] + b[k][1] * s + b[k][2] * s * s);
      rows_add(r, i, a, (int64_t)gsl_ran_poisson(g, mu), 1.0);
    }
  }
  gsl_rng_free(g);
  return rows_panel(r, false);
}

/* ---- fitting and checking ---------------------------------------------- */

static gbtm_fit_options options(gbtm_family_id fam, int K, int order, int iorder, int starts) {
  gbtm_fit_options o = gbtm_fit_options_default();
  o.family = fam;
  o.groups = K;
  for (int k = 0; k < K; k++) o.order[k] = order, o.iorder[k] = iorder;
  o.starts = starts;
  o.seed = 7;
  return o;
}

#define FINITE(x, what) ck_assert_msg(isfinite(x), "%s: %s = %g", name, what, (double)(x))

/* A valid fit: every reported number finite (but the documented undefined
 * figures), shares summing to 1, log L equal to eq. L. */
static void check_valid(const char *name, const gbtm_panel *p, const gbtm_fit_result *r) {
  const gbtm_fit_summary *s = gbtm_fit_result_summary(r);
  const gbtm_model *m = gbtm_fit_result_model(r);
  int K = m->groups;
  FINITE(s->loglik, "loglik");
  ck_assert_msg(s->loglik <= 0.0, "%s: log L %g > 0 for counts", name, s->loglik);
  FINITE(s->bic, "bic");
  FINITE(s->bic_obs, "bic_obs");
  FINITE(s->bic_traj, "bic_traj");
  FINITE(s->bic_traj_obs, "bic_traj_obs");
  FINITE(s->aic, "aic");
  FINITE(s->entropy, "entropy");
  ck_assert_msg(s->entropy >= -1e-12 && s->entropy <= 1.0 + 1e-12, "%s: entropy %g", name, s->entropy);
  FINITE(s->gradient_norm, "gradient_norm");
  FINITE(s->seconds, "seconds");
  ck_assert_int_eq(s->n_params, gbtm_model_n_params(m));
  ck_assert_uint_eq(s->n_persons, gbtm_panel_n_persons(p));
  ck_assert_uint_eq(s->n_obs, gbtm_panel_n_obs(p));
  ck_assert_int_ge(s->iterations, 1);
  ck_assert_int_ge(s->best_replicated, 1);
  ck_assert_int_le(s->starts_failed, s->starts + 1);

  double direct;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_model_loglik(m, p, &direct, &err), GBTM_OK);
  ck_assert_msg(fabs(direct - s->loglik) <= 1e-8 * fmax(1.0, fabs(direct)), "%s: log L %.12g, eq. L %.12g",
                name, s->loglik, direct);

  FINITE(m->centre, "centre");
  FINITE(m->scale, "scale");
  ck_assert_msg(m->scale > 0.0, "%s: scale %g", name, m->scale);
  FINITE(m->age_min, "age_min");
  FINITE(m->age_max, "age_max");
  double share[GBTM_MAX_GROUPS], sum = 0.0;
  gbtm_model_shares(m, share);
  const double *ages = gbtm_panel_ages(p);
  for (int k = 0; k < K; k++) {
    FINITE(m->theta[k], "theta");
    for (int j = 0; j <= m->order[k]; j++) FINITE(m->beta[k][j], "beta");
    for (int j = 0; j <= m->iorder[k]; j++) FINITE(m->alpha[k][j], "alpha");
    ck_assert_msg(share[k] >= 0.0 && share[k] <= 1.0, "%s: share %g", name, share[k]);
    sum += share[k];
    const gbtm_group_summary *g = gbtm_fit_result_group(r, k);
    ck_assert_msg(fabs(g->share - share[k]) <= 1e-12, "%s: group share %g vs %g", name, g->share, share[k]);
    FINITE(g->assigned_share, "assigned_share");
    if (g->assigned_share > 0.0) FINITE(g->avepp, "avepp");
    ck_assert_msg(!isinf(g->occ), "%s: occ infinite", name);
    for (size_t t = 0; t < gbtm_panel_n_ages(p); t++) {
      FINITE(gbtm_model_expected(m, k, ages[t]), "expected count");
      FINITE(gbtm_model_omega(m, k, ages[t]), "omega");
    }
  }
  ck_assert_msg(fabs(sum - 1.0) <= 1e-12, "%s: shares sum to %.17g", name, sum);

  const double *tau = gbtm_fit_result_posterior(r);
  ck_assert_ptr_nonnull(tau);
  for (size_t i = 0; i < s->n_persons; i++) {
    double row = 0.0;
    for (int k = 0; k < K; k++) {
      FINITE(tau[i * K + k], "posterior");
      row += tau[i * K + k];
    }
    ck_assert_msg(fabs(row - 1.0) <= 1e-9, "%s: posterior row %zu sums to %.17g", name, i, row);
  }

  const double *psi = gbtm_fit_result_estimates(r);
  ck_assert_ptr_nonnull(psi);
  size_t P = (size_t)s->n_params;
  for (size_t j = 0; j < P; j++) FINITE(psi[j], "estimate");
  for (int kind = GBTM_SE_MODEL; kind <= GBTM_SE_ROBUST; kind++) {
    const double *V = gbtm_fit_result_covariance(r, (gbtm_se_kind)kind);
    if (!V) {
      ck_assert_msg(gbtm_fit_result_inference_note(r)[0] != '\0', "%s: no covariance and no note", name);
      ck_assert_msg(isnan(s->newton_decrement) || isfinite(s->newton_decrement), "%s: decrement", name);
      continue;
    }
    FINITE(s->newton_decrement, "newton_decrement");
    for (size_t j = 0; j < P * P; j++) FINITE(V[j], "covariance");
    for (size_t j = 0; j < P; j++) ck_assert_msg(V[j * P + j] >= 0.0, "%s: variance %g", name, V[j * P + j]);
    for (int k = 0; k < K; k++) {
      double se, lo, hi, mean;
      ck_assert_int_eq(gbtm_fit_result_share_interval(r, k, (gbtm_se_kind)kind, 0.95, &se, &lo, &hi), GBTM_OK);
      FINITE(se, "share se");
      FINITE(lo, "share lower");
      FINITE(hi, "share upper");
      for (size_t t = 0; t < gbtm_panel_n_ages(p); t++) {
        ck_assert_int_eq(
            gbtm_fit_result_trajectory_interval(r, k, ages[t], (gbtm_se_kind)kind, 0.95, &mean, &lo, &hi),
            GBTM_OK);
        FINITE(mean, "trajectory mean");
        FINITE(lo, "trajectory lower");
        FINITE(hi, "trajectory upper");
      }
    }
  }
  printf("%s: valid fit, log L %.6f, %d of %d starts failed, covariance %s%s\n", name, s->loglik,
         s->starts_failed, s->starts, gbtm_fit_result_covariance(r, GBTM_SE_MODEL) ? "finite" : "absent: ",
         gbtm_fit_result_inference_note(r));
}

/* Fits and checks: a valid fit, or (when allowed) a clear failure of the
 * fit. Returns the status. */
static gbtm_status fit_and_check(const char *name, const gbtm_panel *p, const gbtm_fit_options *o,
                                 bool may_fail, double *loglik) {
  gbtm_fit_result *r = (gbtm_fit_result *)o; /* must be reset to NULL */
  gbtm_error err = {0};
  gbtm_status st = gbtm_fit(p, o, &r, &err);
  if (st == GBTM_OK) {
    check_valid(name, p, r);
    if (loglik) *loglik = gbtm_fit_result_summary(r)->loglik;
  } else {
    ck_assert_msg(may_fail, "%s: %s", name, err.message);
    ck_assert_int_eq(st, GBTM_ERR_FIT);
    ck_assert_ptr_null(r);
    ck_assert_msg(err.message[0] != '\0', "%s: failed without a message", name);
    printf("%s: clear failure: %s\n", name, err.message);
  }
  gbtm_fit_result_free(r);
  return st;
}

/* An error before any fitting: status and a message holding want. */
static void expect_error(const char *name, const gbtm_panel *p, const gbtm_fit_options *o, gbtm_status status,
                         const char *want) {
  gbtm_fit_result *r = (gbtm_fit_result *)o;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_fit(p, o, &r, &err), status);
  ck_assert_ptr_null(r);
  ck_assert_msg(strstr(err.message, want), "%s: message \"%s\" lacks \"%s\"", name, err.message, want);
  printf("%s: error: %s\n", name, err.message);
}

/* ---- the cases ------------------------------------------------------------ */

START_TEST(test_all_zero) {
  rows *r = rows_new();
  for (size_t i = 0; i < 20; i++)
    for (int a = 12; a < 18; a++) rows_add(r, i, a, 0, 1.0);
  gbtm_panel *p = rows_panel(r, false);
  gbtm_fit_options o = options(GBTM_POISSON, 2, 1, 0, 4);
  expect_error("all zero", p, &o, GBTM_ERR_DATA, "every count in the data is zero");
  o = options(GBTM_ZIP, 1, 0, 0, 4);
  expect_error("all zero, zip", p, &o, GBTM_ERR_DATA, "every count in the data is zero");
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_one_person) {
  rows *r = rows_new();
  const int64_t y[] = {0, 1, 3, 4, 2, 0, 1};
  for (int a = 0; a < 7; a++) rows_add(r, 0, 12 + a, y[a], 1.0);
  gbtm_panel *p = rows_panel(r, false);
  gbtm_fit_options o = options(GBTM_POISSON, 1, 2, 0, 4);
  fit_and_check("one person, K = 1", p, &o, false, NULL);
  o = options(GBTM_ZIP, 1, 2, 0, 4);
  fit_and_check("one person, zip", p, &o, false, NULL);
  o = options(GBTM_POISSON, 2, 1, 0, 4);
  expect_error("one person, K = 2", p, &o, GBTM_ERR_USAGE, "exceed the number of persons");
  gbtm_panel_free(p);

  /* One person, one cell: only order 0 can be fitted. */
  r = rows_new();
  rows_add(r, 0, 15, 2, 1.0);
  p = rows_panel(r, false);
  o = options(GBTM_POISSON, 1, 0, 0, 2);
  fit_and_check("one cell", p, &o, false, NULL);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_single_age_per_person) {
  /* Everyone observed at the same single age: T = 1, so order 0 only. */
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 11);
  rows *r = rows_new();
  for (size_t i = 0; i < 60; i++) rows_add(r, i, 15, (int64_t)gsl_ran_poisson(g, i < 30 ? 0.3 : 4.0), 1.0);
  gbtm_panel *p = rows_panel(r, false);
  gbtm_fit_options o = options(GBTM_POISSON, 1, 1, 0, 4);
  expect_error("single age, order 1", p, &o, GBTM_ERR_USAGE, "must be below the number of distinct ages (1)");
  o = options(GBTM_ZIP, 1, 0, 1, 4);
  expect_error("single age, iorder 1", p, &o, GBTM_ERR_USAGE, "must be below the number of distinct ages (1)");
  o = options(GBTM_POISSON, 1, 0, 0, 4);
  fit_and_check("single age, K = 1", p, &o, false, NULL);
  o = options(GBTM_POISSON, 2, 0, 0, 8);
  fit_and_check("single age, K = 2", p, &o, true, NULL);
  gbtm_panel_free(p);

  /* Each person observed once, at different ages. */
  r = rows_new();
  for (size_t i = 0; i < 60; i++) {
    double a = 12 + (double)(i % 10);
    rows_add(r, i, a, (int64_t)gsl_ran_poisson(g, exp(-1.0 + 0.2 * (a - 12))), 1.0);
  }
  gsl_rng_free(g);
  p = rows_panel(r, false);
  o = options(GBTM_POISSON, 2, 1, 0, 8);
  fit_and_check("one cell per person, K = 2", p, &o, true, NULL);
  o = options(GBTM_ZIP, 2, 1, 0, 8);
  fit_and_check("one cell per person, zip K = 2", p, &o, true, NULL);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_more_groups_than_patterns) {
  /* 40 persons whose count vectors take 3 patterns; K = 5. */
  static const int64_t pattern[3][6] = {{0, 0, 0, 0, 0, 1}, {0, 1, 2, 2, 1, 0}, {3, 5, 6, 6, 4, 2}};
  rows *r = rows_new();
  for (size_t i = 0; i < 40; i++)
    for (int a = 0; a < 6; a++) rows_add(r, i, 14 + a, pattern[i % 3][a], 1.0);
  gbtm_panel *p = rows_panel(r, false);
  gbtm_fit_options o = options(GBTM_POISSON, 5, 1, 0, 8);
  fit_and_check("K = 5 on 3 patterns", p, &o, true, NULL);
  o = options(GBTM_ZIP, 5, 1, 0, 8);
  fit_and_check("zip K = 5 on 3 patterns", p, &o, true, NULL);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_huge_counts) {
  /* Counts around 10^6 (and a group near 10^6 * e). */
  const double b[2][3] = {{log(1e6), 0.0, 0.0}, {log(1e6) + 1.0, 0.3, -0.2}};
  gbtm_panel *p = two_group_panel(40, 12, 20, b, 21);
  gbtm_fit_options o = options(GBTM_POISSON, 2, 2, 0, 8);
  double ll_poisson = NAN, ll_zip = NAN;
  fit_and_check("counts of 10^6", p, &o, false, &ll_poisson);
  /* ZIP nests Poisson (omega -> 0): with no zeros its log L is no lower. */
  o = options(GBTM_ZIP, 2, 2, 0, 8);
  if (fit_and_check("counts of 10^6, zip", p, &o, true, &ll_zip) == GBTM_OK)
    ck_assert_msg(ll_zip >= ll_poisson - 1e-6 * fabs(ll_poisson), "zip log L %.6f below Poisson %.6f", ll_zip,
                  ll_poisson);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_tiny_exposure) {
  /* A third of the cells have exposure 1e-9 (almost no time at risk). */
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 31);
  rows *r = rows_new();
  for (size_t i = 0; i < 60; i++)
    for (int a = 12; a < 20; a++) {
      double e = (i + (size_t)a) % 3 == 0 ? 1e-9 : 1.0;
      double mu = e * exp((i < 30 ? -1.0 : 0.8) + 0.1 * (a - 16));
      rows_add(r, i, a, (int64_t)gsl_ran_poisson(g, mu), e);
    }
  /* and one such cell with a count anyway */
  rows_add(r, 0, 30, 1, 1e-9);
  gsl_rng_free(g);
  gbtm_panel *p = rows_panel(r, true);
  gbtm_fit_options o = options(GBTM_POISSON, 2, 1, 0, 8);
  fit_and_check("exposure 1e-9", p, &o, true, NULL);
  o = options(GBTM_ZIP, 2, 1, 0, 8);
  fit_and_check("exposure 1e-9, zip", p, &o, true, NULL);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_wide_ages_order5) {
  /* Ages 0..120, a rate peaking in the late teens; order 5. */
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 41);
  rows *r = rows_new();
  for (size_t i = 0; i < 50; i++)
    for (int a = 0; a <= 120; a += 2) {
      double x = (a - 18.0) / 15.0;
      double mu = exp((i < 25 ? 1.0 : -0.5) - 0.5 * x * x);
      rows_add(r, i, a, (int64_t)gsl_ran_poisson(g, mu), 1.0);
    }
  gsl_rng_free(g);
  gbtm_panel *p = rows_panel(r, false);
  gbtm_fit_options o = options(GBTM_POISSON, 2, 5, 0, 8);
  fit_and_check("ages 0-120, order 5", p, &o, true, NULL);
  o = options(GBTM_ZIP, 2, 5, 1, 8);
  fit_and_check("ages 0-120, order 5, zip", p, &o, true, NULL);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_group_empties) {
  /* K = 6 on two-group data with 12 persons: groups empty during EM. */
  const double b[2][3] = {{-1.5, 0.0, 0.0}, {1.0, 0.5, -0.5}};
  gbtm_panel *p = two_group_panel(12, 12, 19, b, 51);
  gbtm_fit_options o = options(GBTM_POISSON, 6, 2, 0, 20);
  fit_and_check("K = 6 on 2 groups", p, &o, true, NULL);
  o = options(GBTM_ZIP, 6, 1, 0, 20);
  fit_and_check("zip K = 6 on 2 groups", p, &o, true, NULL);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_zip_on_poisson) {
  /* Pure Poisson data: the zero inflation runs to 0. */
  const double b[2][3] = {{-0.5, 0.2, -0.3}, {1.2, 0.4, -0.6}};
  gbtm_panel *p = two_group_panel(90, 12, 21, b, 61);
  gbtm_fit_options o = options(GBTM_ZIP, 3, 2, 0, 12);
  fit_and_check("zip K = 3 on Poisson data", p, &o, true, NULL);
  o = options(GBTM_ZIP, 3, 2, 2, 12);
  fit_and_check("zip K = 3, iorder 2, on Poisson data", p, &o, true, NULL);
  gbtm_panel_free(p);
}
END_TEST

static Suite *extremes_suite(void) {
  Suite *s = suite_create("extremes");
  TCase *tc = tcase_create("extremes");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_all_zero);
  tcase_add_test(tc, test_one_person);
  tcase_add_test(tc, test_single_age_per_person);
  tcase_add_test(tc, test_more_groups_than_patterns);
  tcase_add_test(tc, test_huge_counts);
  tcase_add_test(tc, test_tiny_exposure);
  tcase_add_test(tc, test_wide_ages_order5);
  tcase_add_test(tc, test_group_empties);
  tcase_add_test(tc, test_zip_on_poisson);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(extremes_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
