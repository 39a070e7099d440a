/* check_multi.c: the multi-trajectory model (eq. MT, engine/fit/multi.c).
 * Its gradient against central differences of eq. MT's log L, and its
 * information (eq. MTI) against second differences of log L, for Poisson,
 * NB and ZIP outcomes with gaps and a person without one outcome; with one
 * group, log L equals the sum of the outcomes' direct evaluations of eq. L
 * (gbtm_model_loglik) with the dense and the sparse kernel, which agree
 * with two groups too; one outcome gives the single-outcome fit's maximum;
 * a drawn truth is recovered within 4 standard errors; outcomes with
 * different numbers of groups, or none, are refused. */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit/multi.h"
#include "testutil.h"

#define O3 3

/* Truth of the draws: K = 2 groups, shares 0.6 / 0.4; outcome 0 Poisson
 * (order 2), outcome 1 NB (order 1, r = 2), outcome 2 ZIP (order 1,
 * omega about 0.2). Ages 10..20, s = (age - 15) / 5. */
static const double truth_b[O3][2][3] = {
    {{-1.0, 0.5, -0.5}, {0.5, 0.8, -0.8}},
    {{-1.5, 0.3, 0.0}, {0.2, -0.5, 0.0}},
    {{-0.5, 0.4, 0.0}, {0.8, -0.2, 0.0}},
};
static const gbtm_family_id fams[O3] = {GBTM_POISSON, GBTM_NB, GBTM_ZIP};
static const int orders[O3] = {2, 1, 1};
static const char *const names[O3] = {"theft", "violence", "drugs"};

/* Draws N persons' panels of the three outcomes (a cell of each outcome
 * missing with probability 0.1; person 0 has no cells of outcome 1). */
static void draw(size_t N, unsigned long seed, gbtm_panel **panels) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  size_t cap = N * 11;
  char(*idbuf)[24] = malloc(N * sizeof *idbuf);
  for (size_t i = 0; i < N; i++) snprintf(idbuf[i], sizeof idbuf[i], "p%zu", i);
  const char **id[O3];
  double *age[O3];
  int64_t *y[O3];
  size_t n[O3] = {0};
  for (int o = 0; o < O3; o++) {
    id[o] = malloc(cap * sizeof *id[o]);
    age[o] = malloc(cap * sizeof *age[o]);
    y[o] = malloc(cap * sizeof *y[o]);
  }
  for (size_t i = 0; i < N; i++) {
    int g = gsl_rng_uniform(rng) < 0.6 ? 0 : 1;
    for (int a = 10; a <= 20; a++) {
      double s = (a - 15) / 5.0;
      for (int o = 0; o < O3; o++) {
        const double *b = truth_b[o][g];
        double mu = exp(b[0] + b[1] * s + b[2] * s * s);
        int64_t v;
        if (fams[o] == GBTM_NB) v = (int64_t)gsl_ran_negative_binomial(rng, 2.0 / (2.0 + mu), 2.0);
        else if (fams[o] == GBTM_ZIP) v = gsl_rng_uniform(rng) < 0.2 ? 0 : (int64_t)gsl_ran_poisson(rng, mu);
        else v = (int64_t)gsl_ran_poisson(rng, mu);
        if (gsl_rng_uniform(rng) < 0.1 || (o == 1 && i == 0)) continue;
        id[o][n[o]] = idbuf[i], age[o][n[o]] = a, y[o][n[o]] = v;
        n[o]++;
      }
    }
  }
  for (int o = 0; o < O3; o++) {
    gbtm_error err;
    ck_assert_int_eq(gbtm_panel_from_rows(n[o], id[o], age[o], y[o], NULL, "rows", &panels[o], &err), GBTM_OK);
    free(id[o]);
    free(age[o]);
    free(y[o]);
  }
  free(idbuf);
  gsl_rng_free(rng);
}

static void options(int K, gbtm_fit_options *op) {
  for (int o = 0; o < O3; o++) {
    op[o] = gbtm_fit_options_default();
    op[o].family = fams[o];
    op[o].groups = K;
    op[o].threads = 1;
    for (int k = 0; k < K; k++) op[o].order[k] = orders[o], op[o].iorder[k] = 0;
  }
}

/* A point near the truth, with noise, in multi's layout. */
static void random_x(multi *m, unsigned long seed, double *x) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  for (size_t j = 0; j < m->P; j++) x[j] = 0.3 * gsl_ran_gaussian(rng, 1.0) - 0.5;
  x[0] = 0.0;
  gsl_rng_free(rng);
}

START_TEST(gradient_and_information) {
  gbtm_panel *panels[O3];
  draw(150, 11, panels);
  gbtm_fit_options op[O3];
  options(2, op);
  multi m;
  gbtm_error err;
  ck_assert_int_eq(multi_init(&m, (const gbtm_panel *const *)panels, op, O3, &err), GBTM_OK);
  ck_assert_uint_eq(m.N, 150);
  double *x = malloc(m.P * sizeof *x), *g = malloc(m.P * sizeof *g), *xt = malloc(m.P * sizeof *xt);
  size_t n = m.P - 1;
  double *info = malloc(n * n * sizeof *info);
  random_x(&m, 5, x);
  double ll = multi_estep(&m, x);
  ck_assert(isfinite(ll));
  multi_gradient(&m, g);
  for (size_t j = 1; j < m.P; j++) { /* eq. MT's gradient against differences of log L */
    double h = 1e-5;
    memcpy(xt, x, m.P * sizeof *x);
    xt[j] += h;
    double up = multi_estep(&m, xt);
    xt[j] -= 2 * h;
    double dn = multi_estep(&m, xt);
    double fd = (up - dn) / (2 * h);
    ck_assert_msg(fabs(fd - g[j]) <= 1e-6 * fmax(1.0, fabs(g[j])), "gradient %zu: %.10g vs %.10g", j, g[j], fd);
  }
  ck_assert_int_eq(multi_information(&m, x, info, &err), GBTM_OK);
  const size_t check[][2] = {{0, 0}, {0, 3}, {2, 2}, {5, 9}, {n - 1, n - 1}, {1, n - 2}};
  for (size_t c = 0; c < sizeof check / sizeof check[0]; c++) { /* eq. MTI against second differences */
    size_t a = check[c][0] + 1, b = check[c][1] + 1;
    double h = 1e-3, f[4];
    for (int s = 0; s < 4; s++) {
      memcpy(xt, x, m.P * sizeof *x);
      xt[a] += s & 1 ? -h : h;
      xt[b] += s & 2 ? -h : h;
      f[s] = multi_estep(&m, xt);
    }
    double fd = -(f[0] - f[1] - f[2] + f[3]) / (4 * h * h);
    double an = info[(a - 1) * n + (b - 1)];
    ck_assert_msg(fabs(fd - an) <= 1e-3 * fmax(1.0, fabs(an)), "information (%zu,%zu): %.8g vs %.8g", a, b, an, fd);
    ck_assert_double_eq(info[(a - 1) * n + (b - 1)], info[(b - 1) * n + (a - 1)]);
  }
  free(x);
  free(g);
  free(xt);
  free(info);
  multi_free(&m);
  for (int o = 0; o < O3; o++) gbtm_panel_free(panels[o]);
}
END_TEST

/* With one group the persons' mixtures are single products: log L is the
 * sum over outcomes of eq. L evaluated directly. */
START_TEST(one_group_is_the_sum) {
  gbtm_panel *panels[O3];
  draw(80, 3, panels);
  gbtm_fit_options op[O3];
  options(1, op);
  for (int o = 0; o < O3; o++) op[o].kernel = _i ? GBTM_KERNEL_SPARSE : GBTM_KERNEL_DENSE;
  multi m;
  gbtm_error err;
  ck_assert_int_eq(multi_init(&m, (const gbtm_panel *const *)panels, op, O3, &err), GBTM_OK);
  double *x = malloc(m.P * sizeof *x);
  random_x(&m, 9, x);
  double ll = multi_estep(&m, x), direct = 0.0;
  for (int o = 0; o < O3; o++) {
    gbtm_model *md = NULL;
    ck_assert_int_eq(gbtm_model_new(fams[o], 1, &md, &err), GBTM_OK);
    ck_assert_int_eq(gbtm_model_set_basis(md, m.centre, m.scale, &err), GBTM_OK);
    ck_assert_int_eq(gbtm_model_set_order(md, 0, orders[o], &err), GBTM_OK);
    if (fams[o] == GBTM_ZIP) ck_assert_int_eq(gbtm_model_set_iorder(md, 0, 0, &err), GBTM_OK);
    const em_ws *ws = &m.ws[o];
    const double *part = x + m.off[o] - m.K;
    for (int j = 0; j < ws->nb[0]; j++) gbtm_model_set_beta(md, 0, j, part[ws->off_beta[0] + j], &err);
    for (int j = 0; j < ws->na[0]; j++) gbtm_model_set_alpha(md, 0, j, part[ws->off_alpha[0] + j], &err);
    if (ws->has_phi) gbtm_model_set_phi(md, 0, exp(part[ws->off_phi[0]]), false, &err);
    double l;
    ck_assert_int_eq(gbtm_model_loglik(md, panels[o], &l, &err), GBTM_OK);
    direct += l;
    gbtm_model_free(md);
  }
  ck_assert_msg(fabs(ll - direct) <= 1e-9 * fabs(direct), "%.12g vs %.12g", ll, direct);
  free(x);
  multi_free(&m);
  for (int o = 0; o < O3; o++) gbtm_panel_free(panels[o]);
}
END_TEST

/* The dense and the sparse kernel give the same log L and gradient with
 * two groups (the per-person rows of eq. MTE in the sparse kernel's person
 * order too). */
START_TEST(kernels_agree) {
  gbtm_panel *panels[O3];
  draw(120, 8, panels);
  double ll[2], *g[2], *x = NULL;
  size_t P = 0;
  for (int v = 0; v < 2; v++) {
    gbtm_fit_options op[O3];
    options(2, op);
    for (int o = 0; o < O3; o++) op[o].kernel = v ? GBTM_KERNEL_SPARSE : GBTM_KERNEL_DENSE;
    multi m;
    gbtm_error err;
    ck_assert_int_eq(multi_init(&m, (const gbtm_panel *const *)panels, op, O3, &err), GBTM_OK);
    if (!x) {
      P = m.P;
      x = malloc(P * sizeof *x);
      random_x(&m, 13, x);
    }
    g[v] = malloc(P * sizeof *g[v]);
    ll[v] = multi_estep(&m, x);
    multi_gradient(&m, g[v]);
    multi_free(&m);
  }
  ck_assert_msg(fabs(ll[0] - ll[1]) <= 1e-10 * fabs(ll[0]), "%.12g vs %.12g", ll[0], ll[1]);
  for (size_t j = 0; j < P; j++) ck_assert_msg(fabs(g[0][j] - g[1][j]) <= 1e-8 * fmax(1.0, fabs(g[0][j])), "%zu", j);
  free(x);
  free(g[0]);
  free(g[1]);
  for (int o = 0; o < O3; o++) gbtm_panel_free(panels[o]);
}
END_TEST

/* One outcome: the multi-trajectory fit reaches the single-outcome fit's
 * maximum and estimates. */
START_TEST(one_outcome_is_the_univariate_fit) {
  gbtm_panel *panels[O3];
  draw(400, 21, panels);
  gbtm_fit_options op[O3];
  options(2, op);
  gbtm_error err;
  gbtm_fit_result *uni = NULL;
  ck_assert_int_eq(gbtm_fit(panels[0], &op[0], &uni, &err), GBTM_OK);
  gbtm_multi_result *mr = NULL;
  ck_assert_int_eq(gbtm_fit_multi((const gbtm_panel *const *)panels, op, names, 1, &mr, &err), GBTM_OK);
  double lu = gbtm_fit_result_summary(uni)->loglik, lm = gbtm_multi_result_loglik(mr);
  ck_assert_msg(fabs(lu - lm) <= 1e-8 * fabs(lu), "%.12g vs %.12g", lu, lm);
  ck_assert(gbtm_multi_result_converged(mr));
  const gbtm_model *a = gbtm_fit_result_model(uni), *b = gbtm_multi_result_model(mr, 0);
  /* the same groups, perhaps in another order: match by the intercept */
  for (int k = 0; k < 2; k++) {
    int l = fabs(gbtm_model_beta(a, k, 0) - gbtm_model_beta(b, 0, 0)) <
                    fabs(gbtm_model_beta(a, k, 0) - gbtm_model_beta(b, 1, 0))
                ? 0
                : 1;
    for (int j = 0; j <= 2; j++)
      ck_assert_msg(fabs(gbtm_model_beta(a, k, j) - gbtm_model_beta(b, l, j)) <= 1e-4, "beta[%d][%d]", k, j);
  }
  ck_assert_int_eq(gbtm_multi_result_n_params(mr), gbtm_fit_result_summary(uni)->n_params);
  gbtm_fit_result_free(uni);
  gbtm_multi_result_free(mr);
  for (int o = 0; o < O3; o++) gbtm_panel_free(panels[o]);
}
END_TEST

/* Recovery: shares and every coefficient within 4 standard errors of the
 * truth (N = 2000; bench/multi_recovery.sh runs N = 20,000). */
START_TEST(recovers_the_truth) {
  gbtm_panel *panels[O3];
  draw(2000, 7, panels);
  gbtm_fit_options op[O3];
  options(2, op);
  gbtm_error err;
  gbtm_multi_result *r = NULL;
  ck_assert_int_eq(gbtm_fit_multi((const gbtm_panel *const *)panels, op, names, O3, &r, &err), GBTM_OK);
  ck_assert_msg(gbtm_multi_result_converged(r), "max|grad| %g after %d iterations",
                gbtm_multi_result_grad_norm(r), gbtm_multi_result_iterations(r));
  ck_assert_uint_eq(gbtm_multi_result_persons(r), 2000);
  const double *cov = gbtm_multi_result_covariance(r), *est = gbtm_multi_result_estimates(r);
  ck_assert_ptr_nonnull(cov);
  int n = gbtm_multi_result_n_estimates(r);
  /* the group with the lower theft intercept is the truth's group 1 */
  int g0 = gbtm_model_beta(gbtm_multi_result_model(r, 0), 0, 0) < gbtm_model_beta(gbtm_multi_result_model(r, 0), 1, 0)
               ? 0
               : 1;
  double share = gbtm_multi_result_share(r, g0);
  double se_theta = sqrt(cov[0]); /* theta[2]; the share's se by the delta method: pi (1 - pi) se */
  ck_assert_msg(fabs(share - 0.6) <= 4.0 * share * (1.0 - share) * se_theta, "share %.4f", share);
  for (int j = 0; j < n; j++) {
    const char *name = gbtm_multi_result_param_name(r, j);
    int o, k, p;
    char what[16];
    if (sscanf(name, "%*[^:]:%15[a-z][%d][%d]", what, &k, &p) != 3 || strcmp(what, "beta")) continue;
    for (o = 0; o < O3 && strncmp(name, names[o], strlen(names[o])); o++) {
    }
    ck_assert_int_lt(o, O3);
    int truth_k = (k - 1 == g0) ? 0 : 1;
    double want = truth_b[o][truth_k][p], se = sqrt(cov[(size_t)j * n + j]);
    ck_assert_msg(fabs(est[j] - want) <= 4.0 * se, "%s: %.4f, truth %.4f, se %.4f", name, est[j], want, se);
  }
  gbtm_multi_result_free(r);
  for (int o = 0; o < O3; o++) gbtm_panel_free(panels[o]);
}
END_TEST

/* What the model does not take: outcomes with different numbers of
 * groups, no outcome, a panel with a risk factor. */
START_TEST(refusals) {
  gbtm_panel *panels[O3];
  draw(60, 4, panels);
  gbtm_fit_options op[O3];
  options(2, op);
  gbtm_error err;
  gbtm_multi_result *r = NULL;
  op[1].groups = 3;
  ck_assert_int_eq(gbtm_fit_multi((const gbtm_panel *const *)panels, op, names, O3, &r, &err), GBTM_ERR_USAGE);
  ck_assert_ptr_null(r);
  ck_assert_ptr_nonnull(strstr(err.message, "groups are shared"));
  op[1].groups = 2;
  ck_assert_int_eq(gbtm_fit_multi((const gbtm_panel *const *)panels, op, names, 0, &r, &err), GBTM_ERR_USAGE);
  ck_assert_ptr_null(r);
  for (int o = 0; o < O3; o++) gbtm_panel_free(panels[o]);
}
END_TEST

int main(void) {
  Suite *s = suite_create("multi");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, gradient_and_information);
  tcase_add_loop_test(tc, one_group_is_the_sum, 0, 2);
  tcase_add_test(tc, kernels_agree);
  tcase_add_test(tc, one_outcome_is_the_univariate_fit);
  tcase_add_test(tc, recovers_the_truth);
  tcase_add_test(tc, refusals);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
