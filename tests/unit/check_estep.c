/* check_estep.c: the E-step kernels against each other and against the
 * direct evaluation of eq. L (gbtm_model_loglik): dense and sparse agree to
 * 1e-12 relative on random panels with gaps and exposures, and the result is
 * the same bit for bit whatever the number of threads. */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit/em.h"
#include "gbtm.h"
#include "model/model.h"
#include "testutil.h"

static void random_params(const em_ws *ws, unsigned long seed, double *params) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  for (size_t j = 0; j < ws->P; j++) params[j] = 0.5 * gsl_ran_gaussian(rng, 1.0);
  params[0] = 0.0;
  for (int k = 0; k < ws->K; k++) params[ws->off_beta[k]] -= 0.5;
  gsl_rng_free(rng);
}

static gbtm_fit_options options(gbtm_family_id fam, int K, gbtm_kernel kernel, int threads) {
  gbtm_fit_options o = gbtm_fit_options_default();
  o.family = fam;
  o.groups = K;
  for (int k = 0; k < K; k++) {
    o.order[k] = k % 4;
    o.iorder[k] = k % 2 ? -1 : k % 3;
  }
  o.kernel = kernel;
  o.threads = threads;
  return o;
}

static double rel(double a, double b) { return fabs(a - b) / fmax(1e-300, fmax(fabs(a), fabs(b))); }

/* Evaluates one E-step; returns log L and copies stats (size K*ns*T) and tau. */
static double run_once(const gbtm_panel *p, gbtm_fit_options o, const double *params, double *stats,
                       double *tau, size_t *nstats) {
  em_ws ws;
  gbtm_error err;
  ck_assert_int_eq(em_ws_init(&ws, p, &o, 15.0, 5.0, &err), GBTM_OK);
  double ll = em_estep(&ws, params, NULL, tau);
  *nstats = (size_t)ws.K * ws.ns * ws.T;
  memcpy(stats, ws.stats, *nstats * sizeof *stats);
  em_ws_free(&ws);
  return ll;
}

static void check_kernels(gbtm_family_id fam, double exp_share, bool fractional) {
  gbtm_panel *p = test_random_panel(700, 18, 0.1, exp_share, 42, fractional);
  int K = 4;
  gbtm_fit_options o = options(fam, K, GBTM_KERNEL_SPARSE, 1);
  em_ws ws;
  gbtm_error err;
  ck_assert_int_eq(em_ws_init(&ws, p, &o, 15.0, 5.0, &err), GBTM_OK);
  double *params = malloc(ws.P * sizeof *params);
  random_params(&ws, 7, params);

  /* The reference: eq. L person by person. */
  gbtm_model m;
  memset(&m, 0, sizeof m);
  m.family = fam;
  m.groups = K;
  m.centre = 15.0;
  m.scale = 5.0;
  for (int k = 0; k < K; k++) {
    m.theta[k] = params[k];
    m.order[k] = o.order[k];
    m.iorder[k] = ws.inflated[k] ? o.iorder[k] : -1;
    for (int j = 0; j < ws.nb[k]; j++) m.beta[k][j] = params[ws.off_beta[k] + j];
    for (int j = 0; j < ws.na[k]; j++) m.alpha[k][j] = params[ws.off_alpha[k] + j];
  }
  double ref;
  ck_assert_int_eq(gbtm_model_loglik(&m, p, &ref, &err), GBTM_OK);
  em_ws_free(&ws);

  size_t cap = (size_t)K * 4 * 18, ns;
  double *st_sparse = malloc(cap * sizeof(double)), *st_dense = malloc(cap * sizeof(double));
  double *st_t2 = malloc(cap * sizeof(double));
  double *tau1 = malloc(700 * K * sizeof(double)), *tau2 = malloc(700 * K * sizeof(double));
  double ll_sparse = run_once(p, o, params, st_sparse, tau1, &ns);
  o.kernel = GBTM_KERNEL_DENSE;
  double ll_dense = run_once(p, o, params, st_dense, tau2, &ns);
  ck_assert_msg(rel(ll_sparse, ref) < 1e-12, "sparse %.17g vs reference %.17g", ll_sparse, ref);
  ck_assert_msg(rel(ll_dense, ref) < 1e-12, "dense %.17g vs reference %.17g", ll_dense, ref);
  double scale = 0.0;
  for (size_t j = 0; j < ns; j++) scale = fmax(scale, fabs(st_sparse[j]));
  for (size_t j = 0; j < ns; j++)
    ck_assert_msg(fabs(st_sparse[j] - st_dense[j]) <= 1e-12 * scale, "stat %zu: %.17g vs %.17g", j,
                  st_sparse[j], st_dense[j]);
  for (size_t j = 0; j < 700 * (size_t)K; j++) ck_assert(fabs(tau1[j] - tau2[j]) < 1e-12);

  /* Threads: bit-identical for each kernel. */
  for (int kern = 0; kern < 2; kern++) {
    o.kernel = kern ? GBTM_KERNEL_DENSE : GBTM_KERNEL_SPARSE;
    o.threads = 1;
    double a = run_once(p, o, params, st_sparse, tau1, &ns);
    o.threads = 3;
    double b = run_once(p, o, params, st_t2, tau2, &ns);
    ck_assert(a == b);
    ck_assert(memcmp(st_sparse, st_t2, ns * sizeof(double)) == 0);
    ck_assert(memcmp(tau1, tau2, 700 * K * sizeof(double)) == 0);
  }
  free(st_sparse), free(st_dense), free(st_t2), free(tau1), free(tau2), free(params);
  gbtm_panel_free(p);
}

START_TEST(poisson_kernels) { check_kernels(GBTM_POISSON, 0.0, false); }
END_TEST
START_TEST(poisson_kernels_exposure) { check_kernels(GBTM_POISSON, 0.2, true); }
END_TEST
START_TEST(zip_kernels) { check_kernels(GBTM_ZIP, 0.0, true); }
END_TEST
START_TEST(zip_kernels_exposure) { check_kernels(GBTM_ZIP, 0.2, false); }
END_TEST

/* The analytic gradient (Fisher's identity) against central differences of
 * eq. L, at a random point. */
static void check_gradient(gbtm_family_id fam, double exp_share) {
  gbtm_panel *p = test_random_panel(300, 12, 0.1, exp_share, 5, false);
  gbtm_fit_options o = options(fam, 3, GBTM_KERNEL_SPARSE, 1);
  em_ws ws;
  gbtm_error err;
  ck_assert_int_eq(em_ws_init(&ws, p, &o, 15.0, 5.0, &err), GBTM_OK);
  double *params = malloc(ws.P * sizeof *params), *g = malloc(ws.P * sizeof *g);
  random_params(&ws, 11, params);
  em_estep(&ws, params, NULL, NULL);
  em_gradient(&ws, params);
  memcpy(g, ws.grad, ws.P * sizeof *g);
  for (size_t j = 1; j < ws.P; j++) {
    double h = 1e-5, keep = params[j];
    params[j] = keep + h;
    double up = em_estep(&ws, params, NULL, NULL);
    params[j] = keep - h;
    double down = em_estep(&ws, params, NULL, NULL);
    params[j] = keep;
    double fd = (up - down) / (2 * h);
    ck_assert_msg(fabs(fd - g[j]) <= 1e-6 * fmax(1.0, fabs(g[j])), "param %zu: analytic %.10g, fd %.10g", j,
                  g[j], fd);
  }
  free(params), free(g);
  em_ws_free(&ws);
  gbtm_panel_free(p);
}

START_TEST(poisson_gradient) { check_gradient(GBTM_POISSON, 0.2); }
END_TEST
START_TEST(zip_gradient) { check_gradient(GBTM_ZIP, 0.2); }
END_TEST

int main(void) {
  Suite *s = suite_create("estep");
  TCase *tc = tcase_create("kernels");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, poisson_kernels);
  tcase_add_test(tc, poisson_kernels_exposure);
  tcase_add_test(tc, zip_kernels);
  tcase_add_test(tc, zip_kernels_exposure);
  tcase_add_test(tc, poisson_gradient);
  tcase_add_test(tc, zip_gradient);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
