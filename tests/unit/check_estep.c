/* check_estep.c: the E-step kernels against each other and against the
 * direct evaluation of eq. L (gbtm_model_loglik): dense and sparse agree to
 * 1e-12 relative on random panels with gaps and exposures, and the result is
 * the same bit for bit whatever the number of threads; with person
 * weights (eq. W) too. */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit/em.h"
#include "gbtm.h"
#include "families/family.h"
#include "fit/estep.h"
#include "model/model.h"
#include "panel/panel.h"
#include "panel_equal.h"
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

/* Random person weights in (0.2, 3) (eq. W), or none. */
static void weigh(gbtm_panel *p, bool weighted, unsigned long seed) {
  if (!weighted) return;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  size_t n = gbtm_panel_n_persons(p);
  double *w = malloc(n * sizeof *w);
  for (size_t i = 0; i < n; i++) w[i] = 0.2 + 2.8 * gsl_rng_uniform(rng);
  gbtm_error err;
  ck_assert_msg(gbtm_panel_set_weights(p, w, "w", &err) == GBTM_OK, "%s", err.message);
  free(w);
  gsl_rng_free(rng);
}

static void check_kernels_of(gbtm_family_id fam, double exp_share, bool fractional, bool weighted) {
  gbtm_panel *p = test_random_panel(700, 18, 0.1, exp_share, 42, fractional);
  weigh(p, weighted, 3);
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

static void check_kernels(gbtm_family_id fam, double exp_share, bool fractional) {
  check_kernels_of(fam, exp_share, fractional, false);
}

/* The rows of p (persons in order, ages ascending) as arrays; counts both as
 * int64 and as doubles. */
typedef struct panel_rows_arrays {
  size_t n;
  const char **id;
  double *age, *y, *e;
  int64_t *count;
} panel_rows_arrays;

static panel_rows_arrays rows_of(const gbtm_panel *p) {
  panel_rows_arrays r = {0};
  r.id = malloc(p->n_obs * sizeof *r.id);
  r.age = malloc(p->n_obs * sizeof *r.age), r.y = malloc(p->n_obs * sizeof *r.y);
  r.e = malloc(p->n_obs * sizeof *r.e), r.count = malloc(p->n_obs * sizeof *r.count);
  uint32_t *t = malloc(p->T * sizeof *t);
  double *y = malloc(p->T * sizeof *y), *e = malloc(p->T * sizeof *e);
  ck_assert(r.id && r.age && r.y && r.e && r.count && t && y && e);
  for (size_t i = 0; i < p->n; i++) {
    size_t nc = panel_person_cells(p, i, t, y, e);
    for (size_t c = 0; c < nc; c++, r.n++) {
      r.id[r.n] = p->id[i];
      r.age[r.n] = p->age[t[c]];
      r.y[r.n] = y[c];
      r.count[r.n] = (int64_t)y[c];
      r.e[r.n] = e[c];
    }
  }
  free(t), free(y), free(e);
  return r;
}

static void rows_free(panel_rows_arrays *r) { free(r->id), free(r->age), free(r->y), free(r->e), free(r->count); }

/* The same integers, given as int64 counts or as doubles, make the same
 * panel, and the E-step gives the same log L and statistics to the bit in
 * each kernel: the responses held as doubles change nothing for counts. A
 * response that is not an integer makes the E-step take the dense kernel
 * (the sparse stream codes counts), which matches eq. L evaluated directly. */
static void check_int_and_real(gbtm_family_id fam) {
  gbtm_panel *p = test_random_panel(500, 15, 0.1, 0.2, 11, true);
  panel_rows_arrays r = rows_of(p);
  gbtm_panel *pi = NULL, *pr = NULL;
  gbtm_error err;
  ck_assert_int_eq(gbtm_panel_from_rows(r.n, r.id, r.age, r.count, r.e, "rows", &pi, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_panel_from_rows_real(r.n, r.id, r.age, r.y, r.e, NULL, "rows", &pr, &err), GBTM_OK);
  ck_assert_panels_equal(pi, pr);
  int K = 3;
  gbtm_fit_options o = options(fam, K, GBTM_KERNEL_SPARSE, 2);
  em_ws ws;
  ck_assert_int_eq(em_ws_init(&ws, pi, &o, 15.0, 5.0, &err), GBTM_OK);
  double *params = malloc(ws.P * sizeof *params);
  random_params(&ws, 5, params);
  size_t cap = (size_t)K * 4 * 15, ns;
  em_ws_free(&ws);
  double *s1 = malloc(cap * sizeof(double)), *s2 = malloc(cap * sizeof(double));
  double *t1 = malloc(500 * (size_t)K * sizeof(double)), *t2 = malloc(500 * (size_t)K * sizeof(double));
  for (int kern = 0; kern < 2; kern++) {
    o.kernel = kern ? GBTM_KERNEL_DENSE : GBTM_KERNEL_SPARSE;
    double a = run_once(pi, o, params, s1, t1, &ns), b = run_once(pr, o, params, s2, t2, &ns);
    ck_assert_msg(a == b, "kernel %d: log L %.17g from int64 counts, %.17g from doubles", kern, a, b);
    ck_assert(memcmp(s1, s2, ns * sizeof(double)) == 0);
    ck_assert(memcmp(t1, t2, 500 * (size_t)K * sizeof(double)) == 0);
  }
  /* the integer panel keeps the sparse kernel when asked */
  estep_ctx *ctx = NULL;
  ck_assert_int_eq(estep_ctx_alloc(pr, family_get(fam), K, GBTM_KERNEL_SPARSE, 1, NULL, &ctx, &err), GBTM_OK);
  ck_assert_int_eq(estep_kernel(ctx), GBTM_KERNEL_SPARSE);
  estep_ctx_free(ctx);

  /* one response a real: dense whatever was asked, and no truncation */
  size_t j = 0;
  while (r.y[j] == 0.0 || r.e[j] != 1.0) j++; /* a regular nonzero cell */
  r.y[j] += 0.5;
  gbtm_panel *pf = NULL;
  ck_assert_int_eq(gbtm_panel_from_rows_real(r.n, r.id, r.age, r.y, r.e, NULL, "rows", &pf, &err), GBTM_OK);
  ck_assert(!panel_integer_responses(pf) && panel_integer_responses(pr));
  ck_assert_int_eq(estep_ctx_alloc(pf, family_get(fam), K, GBTM_KERNEL_SPARSE, 1, NULL, &ctx, &err), GBTM_OK);
  ck_assert_int_eq(estep_kernel(ctx), GBTM_KERNEL_DENSE);
  estep_ctx_free(ctx);
  o.kernel = GBTM_KERNEL_SPARSE;
  double real_ll = run_once(pf, o, params, s1, t1, &ns), int_ll = run_once(pr, o, params, s2, t2, &ns);
  ck_assert(real_ll != int_ll);
  if (fam == GBTM_POISSON) { /* the same log f(y) for a real y: y log lambda - lambda - lgamma(y + 1) */
    gbtm_model m;
    memset(&m, 0, sizeof m);
    m.family = fam;
    m.groups = K;
    m.centre = 15.0;
    m.scale = 5.0;
    ck_assert_int_eq(em_ws_init(&ws, pf, &o, 15.0, 5.0, &err), GBTM_OK);
    for (int k = 0; k < K; k++) {
      m.theta[k] = params[k];
      m.order[k] = o.order[k];
      m.iorder[k] = -1;
      for (int q = 0; q < ws.nb[k]; q++) m.beta[k][q] = params[ws.off_beta[k] + q];
    }
    em_ws_free(&ws);
    double ref;
    ck_assert_int_eq(gbtm_model_loglik(&m, pf, &ref, &err), GBTM_OK);
    ck_assert_msg(rel(real_ll, ref) < 1e-12, "dense %.17g vs reference %.17g", real_ll, ref);
  }
  free(s1), free(s2), free(t1), free(t2), free(params);
  rows_free(&r);
  gbtm_panel_free(p), gbtm_panel_free(pi), gbtm_panel_free(pr), gbtm_panel_free(pf);
}

START_TEST(int_and_real_poisson) { check_int_and_real(GBTM_POISSON); }
END_TEST

START_TEST(int_and_real_zip) { check_int_and_real(GBTM_ZIP); }
END_TEST

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
static void check_gradient_of(gbtm_family_id fam, double exp_share, bool weighted) {
  gbtm_panel *p = test_random_panel(300, 12, 0.1, exp_share, 5, false);
  weigh(p, weighted, 9);
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

static void check_gradient(gbtm_family_id fam, double exp_share) { check_gradient_of(fam, exp_share, false); }

/* With person weights (eq. W): both kernels give the weighted eq. L of
 * gbtm_model_loglik and the same weighted statistics, and the gradient
 * from them (N = sum w) matches differences of the weighted log L. */
START_TEST(weighted_kernels) {
  check_kernels_of(GBTM_POISSON, 0.2, true, true);
  check_kernels_of(GBTM_ZIP, 0.0, false, true);
  check_gradient_of(GBTM_POISSON, 0.2, true);
  check_gradient_of(GBTM_ZIP, 0.2, true);
}
END_TEST

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
  tcase_add_test(tc, weighted_kernels);
  tcase_add_test(tc, int_and_real_poisson);
  tcase_add_test(tc, int_and_real_zip);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
