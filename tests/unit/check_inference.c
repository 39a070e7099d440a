/* check_inference.c: the analytic gradient and observed information of
 * eq. L (engine/fit/inference.c) against central finite differences: the
 * gradient against differences of the direct evaluation of eq. L
 * (gbtm_model_loglik) to 1e-6 relative, the information against differences
 * of the analytic gradient to 1e-4 relative, for Poisson, ZIP, NB and ZINB
 * (a dispersion per group, or shared) with exposures, and the censored
 * normal (censored at both ends) and beta families on real responses, at
 * random parameters; the thread count does not change them. With person
 * weights (eq. W) the same, and the robust meat sum_i w_i^2 s_i s_i'. */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families/family.h"
#include "fit/inference.h"
#include "fit/polish.h"
#include "testutil.h"
#include "base/lapack.h"

static gbtm_model random_model(gbtm_family_id fam, int K, unsigned long seed) {
  gbtm_model m;
  memset(&m, 0, sizeof m);
  m.family = fam;
  m.groups = K;
  m.centre = 14.0;
  m.scale = 4.0;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  for (int k = 0; k < K; k++) {
    m.order[k] = 1 + k % 3;
    m.iorder[k] = gbtm_family_zero_inflated(fam) ? (k % 2 ? 1 : 0) : -1;
    m.phi[k] = gbtm_family_phi_name(fam) ? 0.5 + 3.0 * gsl_rng_uniform(rng) : 1.0;
    if (fam == GBTM_BETA) m.phi[k] *= 4.0;
    m.theta[k] = k ? 0.3 * gsl_ran_gaussian(rng, 1.0) : 0.0;
    for (int j = 0; j <= m.order[k]; j++) m.beta[k][j] = 0.3 * gsl_ran_gaussian(rng, 1.0) + (j == 0 ? -0.2 : 0.0);
    for (int j = 0; j <= m.iorder[k]; j++) m.alpha[k][j] = 0.5 * gsl_ran_gaussian(rng, 1.0) - (j == 0 ? 0.5 : 0.0);
  }
  m.ymin = 0.0, m.ymax = 3.0; /* cnorm's censoring points; the other families ignore them */
  gsl_rng_free(rng);
  return m;
}

static double loglik_at(gbtm_model m, const gbtm_panel *p, const double *psi) {
  inference_unpack(&m, psi);
  double ll;
  gbtm_error err;
  ck_assert_int_eq(gbtm_model_loglik(&m, p, &ll, &err), GBTM_OK);
  return ll;
}

/* p's cells again, with R random risk factors per person and C random
 * time-varying covariates per cell (standard normal). */
static gbtm_panel *with_covariates(gbtm_panel *p, int R, int C, unsigned long seed) {
  size_t n = gbtm_panel_n_persons(p), rows = gbtm_panel_n_obs(p), T = gbtm_panel_n_ages(p), r = 0;
  const char **id = malloc(rows * sizeof *id);
  double *age = malloc(rows * sizeof *age), *e = malloc(rows * sizeof *e), *ce = malloc(T * sizeof *ce);
  double *risk = malloc(rows * (size_t)R * sizeof *risk), *tcov = malloc(rows * (size_t)C * sizeof *tcov);
  double *y = malloc(rows * sizeof *y);
  uint32_t *ct = malloc(T * sizeof *ct);
  double *cy = malloc(T * sizeof *cy);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  for (size_t i = 0; i < n; i++) {
    double z[GBTM_MAX_RISK];
    for (int j = 0; j < R; j++) z[j] = gsl_ran_gaussian(rng, 1.0);
    size_t nc = panel_person_cells(p, i, ct, cy, ce);
    for (size_t c = 0; c < nc; c++, r++) {
      id[r] = gbtm_panel_id(p, i);
      age[r] = gbtm_panel_ages(p)[ct[c]];
      y[r] = cy[c];
      e[r] = ce[c];
      for (int j = 0; j < R; j++) risk[r * (size_t)R + (size_t)j] = z[j];
      for (int j = 0; j < C; j++) tcov[r * (size_t)C + (size_t)j] = gsl_ran_gaussian(rng, 1.0);
    }
  }
  gbtm_panel_covariates covariates = {0};
  covariates.n_risk = R, covariates.n_tcov = C, covariates.risk = risk, covariates.tcov = tcov;
  const char *names[] = {"z1", "z2", "z3", "w1", "w2"};
  for (int j = 0; j < R; j++) covariates.risk_name[j] = names[j];
  for (int j = 0; j < C; j++) covariates.tcov_name[j] = names[3 + j];
  gbtm_panel *out = NULL;
  gbtm_error err;
  ck_assert_int_eq(gbtm_panel_from_rows_real(rows, id, age, y, e, &covariates, "rows", &out, &err), GBTM_OK);
  free(id), free(age), free(e), free(ce), free(risk), free(tcov), free(y), free(ct), free(cy);
  gsl_rng_free(rng);
  gbtm_panel_free(p);
  return out;
}

/* p's cells again as real responses, without exposures: for beta each
 * count y becomes (y + 0.5) / (y + 1.5) + a little noise, inside (0, 1);
 * for cnorm y + noise, censored into [0, 3] (the random model's points). */
static gbtm_panel *real_panel(gbtm_panel *p, gbtm_family_id fam, unsigned long seed) {
  size_t n = gbtm_panel_n_persons(p), rows = gbtm_panel_n_obs(p), T = gbtm_panel_n_ages(p), r = 0;
  const char **id = malloc(rows * sizeof *id);
  double *age = malloc(rows * sizeof *age), *y = malloc(rows * sizeof *y), *ce = malloc(T * sizeof *ce);
  double *cy = malloc(T * sizeof *cy);
  uint32_t *ct = malloc(T * sizeof *ct);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  for (size_t i = 0; i < n; i++) {
    size_t nc = panel_person_cells(p, i, ct, cy, ce);
    for (size_t c = 0; c < nc; c++, r++) {
      id[r] = gbtm_panel_id(p, i);
      age[r] = gbtm_panel_ages(p)[ct[c]];
      double u = gsl_rng_uniform_pos(rng);
      if (fam == GBTM_BETA) {
        y[r] = (cy[c] + 0.5) / (cy[c] + 1.5) + 0.2 * (u - 0.5) / (cy[c] + 1.5);
      } else {
        double v = cy[c] + 2.0 * (u - 0.5);
        y[r] = v < 0.0 ? 0.0 : v > 3.0 ? 3.0 : v;
      }
    }
  }
  gbtm_panel *out = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_panel_from_rows_real(rows, id, age, y, NULL, NULL, "rows", &out, &err) == GBTM_OK, "%s",
                err.message);
  free(id), free(age), free(y), free(ce), free(cy), free(ct);
  gsl_rng_free(rng);
  gbtm_panel_free(p);
  return out;
}

/* Random gamma (risk factors), delta (time-varying covariates) and a
 * reference group other than the first. */
static void add_covariates(gbtm_model *m, gbtm_panel *p, unsigned long seed) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  m->n_risk = gbtm_panel_n_risk(p);
  m->n_tcov = gbtm_panel_n_tcov(p);
  for (int j = 0; j < m->n_risk; j++) snprintf(m->risk_name[j], GBTM_NAME_MAX, "%s", gbtm_panel_risk_name(p, j));
  for (int j = 0; j < m->n_tcov; j++) snprintf(m->tcov_name[j], GBTM_NAME_MAX, "%s", gbtm_panel_tcov_name(p, j));
  m->refgroup = 1;
  for (int k = 0; k < m->groups; k++) {
    for (int j = 0; j < m->n_risk; j++) m->gamma[k][j] = k == 1 ? 0.0 : 0.5 * gsl_ran_gaussian(rng, 1.0);
    for (int j = 0; j < m->n_tcov; j++) m->delta[k][j] = 0.3 * gsl_ran_gaussian(rng, 1.0);
  }
  m->theta[1] = 0.0;
  gsl_rng_free(rng);
}

/* Random person weights in (0.2, 3) (eq. W). */
static void add_weights(gbtm_panel *p, unsigned long seed) {
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

static void check_derivatives_weighted(gbtm_family_id fam, bool covariates, bool phi_common, bool weighted) {
  gbtm_panel *p = test_random_panel(400, 14, 0.1, 0.2, 3, false);
  if (family_real_response(fam)) p = real_panel(p, fam, 9);
  gbtm_model m = random_model(fam, 3, 17);
  if (phi_common) {
    m.phi_common = true;
    for (int k = 1; k < m.groups; k++) m.phi[k] = m.phi[0];
  }
  if (covariates) {
    p = with_covariates(p, 2, 1, 5);
    add_covariates(&m, p, 6);
  }
  if (weighted) add_weights(p, 23);
  inference inf, inf2;
  gbtm_error err;
  ck_assert_int_eq(inference_compute(&m, p, 1, &inf, &err), GBTM_OK);
  size_t P = inf.P;
  double *psi = malloc(P * sizeof *psi);
  inference_pack(&m, psi);
  double direct = loglik_at(m, p, psi);
  ck_assert_msg(fabs(inf.loglik - direct) < 1e-10 * fabs(direct), "%.12f vs %.12f", inf.loglik, direct);
  for (size_t j = 0; j < P; j++) {
    double h = 1e-5, keep = psi[j];
    psi[j] = keep + h;
    double up = loglik_at(m, p, psi);
    psi[j] = keep - h;
    double down = loglik_at(m, p, psi);
    psi[j] = keep;
    double fd = (up - down) / (2 * h);
    ck_assert_msg(fabs(fd - inf.grad[j]) <= 1e-6 * fmax(1.0, fabs(inf.grad[j])), "grad %zu: %.10g vs fd %.10g", j,
                  inf.grad[j], fd);
  }
  double scale = 0.0;
  for (size_t j = 0; j < P * P; j++) scale = fmax(scale, fabs(inf.info[j]));
  for (size_t j = 0; j < P; j++) {
    double h = 1e-5, keep = psi[j];
    gbtm_model mu = m, md = m;
    psi[j] = keep + h;
    inference_unpack(&mu, psi);
    psi[j] = keep - h;
    inference_unpack(&md, psi);
    psi[j] = keep;
    inference a, b;
    ck_assert_int_eq(inference_compute(&mu, p, 1, &a, &err), GBTM_OK);
    ck_assert_int_eq(inference_compute(&md, p, 1, &b, &err), GBTM_OK);
    for (size_t l = 0; l < P; l++) {
      double fd = -(a.grad[l] - b.grad[l]) / (2 * h);
      double an = inf.info[j * P + l];
      ck_assert_msg(fabs(fd - an) <= 1e-4 * fmax(fabs(an), 1e-3 * scale), "info[%zu][%zu]: %.8g vs fd %.8g", j, l,
                    an, fd);
    }
    inference_free(&a);
    inference_free(&b);
  }
  ck_assert_int_eq(inference_compute(&m, p, 3, &inf2, &err), GBTM_OK);
  ck_assert(memcmp(inf.info, inf2.info, P * P * sizeof(double)) == 0);
  ck_assert(memcmp(inf.grad, inf2.grad, P * sizeof(double)) == 0);
  inference_free(&inf2);
  inference_free(&inf);
  free(psi);
  gbtm_panel_free(p);
}

static void check_derivatives_of(gbtm_family_id fam, bool covariates, bool phi_common) {
  check_derivatives_weighted(fam, covariates, phi_common, false);
}

static void check_derivatives(gbtm_family_id fam) { check_derivatives_of(fam, false, false); }

/* With person weights (eq. W): log L = sum_i w_i log f_i, its gradient
 * and information, on the windowed path (Poisson), with covariates (ZIP),
 * a shared dispersion (NB) and the cell path (censored normal). */
START_TEST(weighted_derivatives) {
  check_derivatives_weighted(GBTM_POISSON, false, false, true);
  check_derivatives_weighted(GBTM_ZIP, true, false, true);
  check_derivatives_weighted(GBTM_NB, false, true, true);
  check_derivatives_weighted(GBTM_CNORM, true, false, true);
}
END_TEST

/* The robust meat with weights is sum_i w_i^2 s_i s_i' (eq. W): on a panel
 * whose weights are 1 for the first half of the persons and 3 for the
 * others (rescaled to 1/2 and 3/2), it is the unweighted meat of the first
 * half times 1/4 plus that of the second half times 9/4, and the gradient
 * the halves' gradients times 1/2 and 3/2. */
START_TEST(weighted_meat) {
  gbtm_panel *p = test_random_panel(300, 12, 0.1, 0.2, 2, false);
  gbtm_model m = random_model(GBTM_POISSON, 2, 31);
  size_t n = gbtm_panel_n_persons(p), h = n / 2;
  size_t *first = malloc(h * sizeof *first), *second = malloc((n - h) * sizeof *second);
  for (size_t i = 0; i < h; i++) first[i] = i;
  for (size_t i = h; i < n; i++) second[i - h] = i;
  gbtm_panel *a = NULL, *b = NULL;
  gbtm_error err;
  ck_assert_int_eq(gbtm_panel_subset(p, first, h, &a, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_panel_subset(p, second, n - h, &b, &err), GBTM_OK);
  double *w = malloc(n * sizeof *w);
  for (size_t i = 0; i < n; i++) w[i] = i < h ? 1.0 : 3.0;
  ck_assert_int_eq(gbtm_panel_set_weights(p, w, "w", &err), GBTM_OK);
  double s = (double)n / (double)(h + 3 * (n - h)); /* the rescaling to mean 1 */
  /* the halves have their own age grids: the same model, fitted to none */
  inference all, ia, ib;
  ck_assert_int_eq(inference_compute(&m, p, 1, &all, &err), GBTM_OK);
  ck_assert_int_eq(inference_compute(&m, a, 1, &ia, &err), GBTM_OK);
  ck_assert_int_eq(inference_compute(&m, b, 1, &ib, &err), GBTM_OK);
  size_t P = all.P;
  ck_assert(ia.P == P && ib.P == P);
  for (size_t j = 0; j < P; j++) {
    double g = s * ia.grad[j] + 3 * s * ib.grad[j];
    ck_assert_msg(fabs(all.grad[j] - g) <= 1e-9 * fmax(1.0, fabs(g)), "grad %zu: %.12g vs %.12g", j, all.grad[j], g);
    for (size_t l = 0; l < P; l++) {
      double v = s * s * ia.meat[j * P + l] + 9 * s * s * ib.meat[j * P + l];
      ck_assert_msg(fabs(all.meat[j * P + l] - v) <= 1e-9 * fmax(1.0, fabs(v)), "meat[%zu][%zu]: %.12g vs %.12g", j, l,
                    all.meat[j * P + l], v);
      double i2 = s * ia.info[j * P + l] + 3 * s * ib.info[j * P + l];
      ck_assert_msg(fabs(all.info[j * P + l] - i2) <= 1e-9 * fmax(1.0, fabs(i2)), "info[%zu][%zu]: %.12g vs %.12g", j,
                    l, all.info[j * P + l], i2);
    }
  }
  ck_assert(fabs(all.loglik - (s * ia.loglik + 3 * s * ib.loglik)) <= 1e-10 * fabs(all.loglik));
  inference_free(&all), inference_free(&ia), inference_free(&ib);
  free(w), free(first), free(second);
  gbtm_panel_free(a), gbtm_panel_free(b), gbtm_panel_free(p);
}
END_TEST

START_TEST(covariate_derivatives) {
  /* theta with risk factors, delta of time-varying covariates, refgroup 2 */
  check_derivatives_of(GBTM_POISSON, true, false);
  check_derivatives_of(GBTM_ZIP, true, false);
  check_derivatives_of(GBTM_NB, true, false);
  check_derivatives_of(GBTM_ZINB, true, true);
}
END_TEST

START_TEST(nb_derivatives) {
  check_derivatives(GBTM_NB);
  check_derivatives(GBTM_ZINB);
  check_derivatives_of(GBTM_NB, false, true); /* one dispersion for all groups */
}
END_TEST

START_TEST(real_derivatives) {
  check_derivatives(GBTM_CNORM);
  check_derivatives(GBTM_BETA);
  check_derivatives_of(GBTM_CNORM, true, true); /* covariates, one sigma */
  check_derivatives_of(GBTM_BETA, true, false);
}
END_TEST

START_TEST(poisson_derivatives) { check_derivatives(GBTM_POISSON); }
END_TEST
START_TEST(zip_derivatives) { check_derivatives(GBTM_ZIP); }
END_TEST

/* trajeR's ZIP data (into *p) fitted with 2 quadratic groups, zero
 * inflation of order iorder, 10 starts; raw: on the raw ages (centre 0,
 * scale 1, the published model's basis) rather than gbtm's default. */
static gbtm_fit_result *fit_trajer_zip(gbtm_panel **p, int iorder, bool raw) {
  char path[1024];
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  gbtm_error err;
  ck_assert_int_eq(gbtm_panel_read_csv(test_refdata(path, sizeof path, "trajer_ZIP_data01.csv"), &cols, p, &err),
                   GBTM_OK);
  gbtm_fit_options o = gbtm_fit_options_default();
  o.family = GBTM_ZIP;
  o.groups = 2;
  for (int k = 0; k < 2; k++) o.order[k] = 2, o.iorder[k] = iorder;
  if (raw) o.centre = 0.0, o.scale = 1.0;
  o.starts = 10;
  gbtm_fit_result *r = NULL;
  ck_assert_int_eq(gbtm_fit(*p, &o, &r, &err), GBTM_OK);
  return r;
}

/* At the maximum of a real panel (trajeR's ZIP data, with the published
 * model's orders): the gradient is zero to the polish's accuracy, and the
 * information still matches differences of the analytic gradient. */
START_TEST(at_the_optimum) {
  gbtm_panel *p = NULL;
  gbtm_error err;
  gbtm_fit_result *r = fit_trajer_zip(&p, 1, true);
  gbtm_model m = *gbtm_fit_result_model(r);
  ck_assert(gbtm_fit_result_summary(r)->newton_decrement < 1e-8);
  inference inf;
  ck_assert_int_eq(inference_compute(&m, p, 1, &inf, &err), GBTM_OK);
  size_t P = inf.P;
  for (size_t j = 0; j < P; j++) ck_assert_msg(fabs(inf.grad[j]) < 1e-4, "grad %zu = %g at the optimum", j, inf.grad[j]);
  double *psi = malloc(P * sizeof *psi);
  inference_pack(&m, psi);
  for (size_t j = 0; j < P; j++) {
    double h = 1e-5 * fmax(1.0, fabs(psi[j])), keep = psi[j];
    gbtm_model mu = m, md = m;
    psi[j] = keep + h;
    inference_unpack(&mu, psi);
    psi[j] = keep - h;
    inference_unpack(&md, psi);
    psi[j] = keep;
    inference a, b;
    ck_assert_int_eq(inference_compute(&mu, p, 1, &a, &err), GBTM_OK);
    ck_assert_int_eq(inference_compute(&md, p, 1, &b, &err), GBTM_OK);
    for (size_t l = 0; l < P; l++) {
      double fd = -(a.grad[l] - b.grad[l]) / (2 * h), an = inf.info[j * P + l];
      ck_assert_msg(fabs(fd - an) <= 1e-4 * fmax(fabs(an), 1.0), "info[%zu][%zu]: %.8g vs fd %.8g", j, l, an, fd);
    }
    inference_free(&a);
    inference_free(&b);
  }
  free(psi);
  inference_free(&inf);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

/* From the maximum of trajeR's ZIP data with one group's zero-inflation
 * intercept moved 8 below it, where eq. L is convex along that intercept
 * (about c e^alpha) and I is not positive definite: the polish, with its
 * search along the direction of negative curvature, is back at the maximum
 * (log L within 1e-6, the decrement below the tolerance, I positive
 * definite) within 10 steps: it takes 7 and a final one; with
 * Levenberg-Marquardt steps alone it took 10 and was not yet converged
 * (measured with the search switched off). */
START_TEST(negative_curvature) {
  gbtm_panel *p = NULL;
  gbtm_error err;
  gbtm_fit_result *r = fit_trajer_zip(&p, 0, false);
  gbtm_model best = *gbtm_fit_result_model(r), m = best;
  double top;
  ck_assert_int_eq(gbtm_model_loglik(&best, p, &top, NULL), GBTM_OK);
  int k = best.alpha[0][0] > best.alpha[1][0] ? 0 : 1; /* the larger zero inflation */
  ck_assert_msg(best.alpha[k][0] > -4.0, "zero-inflation intercept %g at the maximum", best.alpha[k][0]);
  m.alpha[k][0] -= 8.0;
  inference inf;
  ck_assert_int_eq(inference_compute(&m, p, 1, &inf, &err), GBTM_OK);
  size_t P = inf.P;
  int n = (int)P, ok = 0;
  dpotrf_("L", &n, inf.info, &n, &ok);
  ck_assert_msg(ok != 0, "I is positive definite at the moved intercept: the test does not test the search");
  inference_free(&inf);
  polish_result pr;
  ck_assert_int_eq(polish_ascend(&m, p, 1, NULL, NULL, true, 10, NULL, NULL, &pr, &err), GBTM_OK);
  ck_assert(pr.pd);
  ck_assert_msg(pr.decrement < polish_tolerance(pr.loglik), "decrement %g after %d steps", pr.decrement, pr.iterations);
  ck_assert_msg(fabs(pr.loglik - top) < 1e-6, "log L %.10f, the maximum %.10f", pr.loglik, top);
  ck_assert_msg(fabs(m.alpha[k][0] - best.alpha[k][0]) < 1e-4, "intercept %.8f, at the maximum %.8f", m.alpha[k][0],
                best.alpha[k][0]);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

/* Poisson data fitted as ZIP: at the maximum a zero inflation is at the
 * floor (alpha = -40, omega = 4e-18; its supremum is omega = 0). Put back at
 * alpha = -4, as a pilot's floored intercepts start on the whole panel, the
 * polish returns it to the floor and the estimate to the maximum (log L
 * within 1e-6, the decrement below the tolerance) in at most 4 steps: the
 * step moves omega (omega_system), whose boundary lies a finite distance
 * away (it takes 3 and a final one). Moving alpha instead, about 1 per
 * step, it was not converged after 4 (decrement 0.37; measured with the
 * omega step switched off). The built-in cohort of 20,000 persons, ZIP
 * K = 4, quadratic. */
START_TEST(zero_inflation_to_the_floor) {
  gbtm_panel *p = test_cohort(20000, 7);
  gbtm_error err;
  gbtm_fit_options o = gbtm_fit_options_default();
  o.family = GBTM_ZIP;
  o.groups = 4;
  for (int k = 0; k < 4; k++) o.order[k] = 2, o.iorder[k] = 0;
  o.starts = 4;
  gbtm_fit_result *r = NULL;
  ck_assert_msg(gbtm_fit(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  gbtm_model m = *gbtm_fit_result_model(r);
  double top;
  ck_assert_int_eq(gbtm_model_loglik(&m, p, &top, NULL), GBTM_OK);
  bool floored[GBTM_MAX_GROUPS] = {false};
  int n_floored = 0;
  for (int k = 0; k < 4; k++)
    if (m.alpha[k][0] <= -40.0) floored[k] = true, n_floored++, m.alpha[k][0] = -4.0;
  ck_assert_msg(n_floored > 0, "no zero inflation at the floor: the test does not test the boundary");
  polish_result pr;
  ck_assert_int_eq(polish_ascend(&m, p, 1, NULL, NULL, true, 4, NULL, NULL, &pr, &err), GBTM_OK);
  ck_assert(pr.pd);
  ck_assert_msg(pr.decrement < polish_tolerance(pr.loglik), "decrement %g after %d steps", pr.decrement, pr.iterations);
  ck_assert_msg(fabs(pr.loglik - top) < 1e-6, "log L %.10f, the maximum %.10f", pr.loglik, top);
  for (int k = 0; k < 4; k++)
    if (floored[k])
      ck_assert_msg(m.alpha[k][0] <= -40.0, "group %d's intercept at %g, not the floor", k + 1, m.alpha[k][0]);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

/* Scale invariance (eq. V's correlation form, eq. AB): the built-in cohort
 * (630 persons, seed 1), Poisson K = 4 cubic, fitted on the default basis
 * and on raw age (centre 0, scale 1). Both reach the same maximum; the raw
 * fit has standard errors (its information spans twelve orders of
 * magnitude across its columns, which a test on I itself called nearly
 * singular); and the default fit's coefficients and standard errors mapped
 * to raw age (gbtm_fit_result_age_coefficients) are the raw fit's: the
 * estimates to 1e-3 of a standard error (both fits are at the maximum to
 * within a Newton decrement below polish_tolerance, a distance far below
 * that in the information's metric), the standard errors to 1e-3. */
START_TEST(scale_invariance) {
  gbtm_panel *p = test_cohort(630, 1);
  gbtm_error err;
  gbtm_fit_result *r[2] = {NULL, NULL};
  for (int raw = 0; raw < 2; raw++) {
    gbtm_fit_options o = gbtm_fit_options_default();
    o.groups = 4;
    for (int k = 0; k < 4; k++) o.order[k] = 3;
    if (raw) o.centre = 0.0, o.scale = 1.0;
    o.starts = 20;
    ck_assert_msg(gbtm_fit(p, &o, &r[raw], &err) == GBTM_OK, "%s", err.message);
  }
  ck_assert_msg(fabs(gbtm_fit_result_summary(r[0])->loglik - gbtm_fit_result_summary(r[1])->loglik) < 1e-6,
                "the two bases reach different maxima: %.10f, %.10f", gbtm_fit_result_summary(r[0])->loglik,
                gbtm_fit_result_summary(r[1])->loglik);
  ck_assert_msg(gbtm_fit_result_covariance(r[1], GBTM_SE_MODEL) != NULL, "raw age: no standard errors (%s)",
                gbtm_fit_result_inference_note(r[1]));
  for (int k = 0; k < 4; k++) {
    double c[2][GBTM_MAX_COEF], se[2][GBTM_MAX_COEF];
    for (int raw = 0; raw < 2; raw++)
      ck_assert_int_eq(gbtm_fit_result_age_coefficients(r[raw], GBTM_PARAM_BETA, k, 0.0, GBTM_SE_MODEL, c[raw], se[raw]), 4);
    for (int j = 0; j < 4; j++) {
      ck_assert_msg(fabs(c[0][j] - c[1][j]) <= 1e-3 * se[1][j], "group %d age^%d: %.10g vs %.10g (se %.3g)", k + 1, j,
                    c[0][j], c[1][j], se[1][j]);
      ck_assert_msg(fabs(se[0][j] - se[1][j]) <= 1e-3 * se[1][j], "group %d age^%d: se %.10g vs %.10g", k + 1, j,
                    se[0][j], se[1][j]);
    }
  }
  gbtm_fit_result_free(r[0]);
  gbtm_fit_result_free(r[1]);
  gbtm_panel_free(p);
}
END_TEST

/* A boundary keeps the other standard errors: the built-in cohort (630,
 * seed 1), ZIP K = 4 cubic with constant zero inflation, where two groups'
 * zero inflation runs to 0. Those intercepts, and only they, are on the
 * boundary; every other parameter has a positive variance, and the
 * model-based covariance of the free parameters is the inverse of their
 * block of the information (I_FF V_FF = 1 to 1e-8); a Wald test of free
 * parameters runs, one of a boundary parameter is refused. */
START_TEST(boundary_keeps_se) {
  gbtm_panel *p = test_cohort(630, 1);
  gbtm_error err;
  gbtm_fit_options o = gbtm_fit_options_default();
  o.family = GBTM_ZIP;
  o.groups = 4;
  for (int k = 0; k < 4; k++) o.order[k] = 3, o.iorder[k] = 0;
  o.starts = 20;
  gbtm_fit_result *r = NULL;
  ck_assert_msg(gbtm_fit(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  const gbtm_model *m = gbtm_fit_result_model(r);
  const double *V = gbtm_fit_result_covariance(r, GBTM_SE_MODEL);
  ck_assert_msg(V != NULL, "no covariance: %s", gbtm_fit_result_inference_note(r));
  size_t P = (size_t)gbtm_fit_result_summary(r)->n_params;
  int n_boundary = 0;
  for (size_t j = 0; j < P; j++) {
    bool on = gbtm_fit_result_on_boundary(r, (int)j);
    n_boundary += on;
    if (!on) ck_assert_msg(V[j * P + j] > 0.0 && isfinite(V[j * P + j]), "%s: variance %g",
                           gbtm_fit_result_param_name(r, (int)j), V[j * P + j]);
  }
  int floored = 0;
  for (int k = 0; k < 4; k++) {
    int i = gbtm_model_param_index(m, GBTM_PARAM_ALPHA, k, 0);
    bool at_floor = m->alpha[k][0] <= -40.0;
    floored += at_floor;
    ck_assert(gbtm_fit_result_on_boundary(r, i) == at_floor);
  }
  ck_assert_msg(floored == 2 && n_boundary == 2, "%d intercepts at the floor, %d parameters on the boundary", floored,
                n_boundary);
  inference inf;
  ck_assert_int_eq(inference_compute(m, p, 1, &inf, &err), GBTM_OK);
  for (size_t a = 0; a < P; a++)
    for (size_t c = 0; c < P; c++) {
      if (gbtm_fit_result_on_boundary(r, (int)a) || gbtm_fit_result_on_boundary(r, (int)c)) continue;
      double s = 0.0;
      for (size_t l = 0; l < P; l++)
        if (!gbtm_fit_result_on_boundary(r, (int)l)) s += inf.info[a * P + l] * V[l * P + c];
      ck_assert_msg(fabs(s - (a == c ? 1.0 : 0.0)) < 1e-8, "(I_FF V_FF)[%zu][%zu] = %.12g", a, c, s);
    }
  inference_free(&inf);
  double chi2, pval;
  int df;
  ck_assert_msg(gbtm_wald_test(r, GBTM_SE_MODEL, "beta[1][1] = beta[2][1]", &chi2, &df, &pval, &err) == GBTM_OK, "%s",
                err.message);
  ck_assert(df == 1 && isfinite(chi2) && chi2 > 0.0);
  int kb = m->alpha[0][0] <= -40.0 ? 1 : m->alpha[1][0] <= -40.0 ? 2 : m->alpha[2][0] <= -40.0 ? 3 : 4;
  char expr[64];
  snprintf(expr, sizeof expr, "alpha[%d][0] = 0", kb);
  ck_assert_int_eq(gbtm_wald_test(r, GBTM_SE_MODEL, expr, &chi2, &df, &pval, &err), GBTM_ERR_USAGE);
  ck_assert_msg(strstr(err.message, "boundary") != NULL, "%s", err.message);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

int main(void) {
  Suite *s = suite_create("inference");
  TCase *tc = tcase_create("derivatives");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, poisson_derivatives);
  tcase_add_test(tc, zip_derivatives);
  tcase_add_test(tc, nb_derivatives);
  tcase_add_test(tc, real_derivatives);
  tcase_add_test(tc, covariate_derivatives);
  tcase_add_test(tc, weighted_derivatives);
  tcase_add_test(tc, weighted_meat);
  tcase_add_test(tc, at_the_optimum);
  tcase_add_test(tc, negative_curvature);
  tcase_add_test(tc, zero_inflation_to_the_floor);
  tcase_add_test(tc, scale_invariance);
  tcase_add_test(tc, boundary_keeps_se);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
