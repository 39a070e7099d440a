/* check_simulate.c: simulation (engine/model/simulate.c) and the built-in
 * rapporteur-2024 cohort. A seed fixes the panel; the drawn groups, observed
 * cells, gaps, exposures and counts follow the design and the model within
 * binomial or Poisson tolerances; the preset's trajectories tell the
 * published story (peak ages, the continuous group highest at every age, the
 * incidental group lowest, 65% first offending as minors); invalid designs
 * are refused with GBTM_ERR_USAGE. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbtm.h"
#include "model/model.h"
#include "gbtm_presets.h"
#include "panel/panel.h"

#define PRESET "rapporteur-2024"

/* Simulates the preset with n persons and seed, with custody and gap
 * probabilities when >= 0; group may be NULL. */
static gbtm_panel *simulate_preset(size_t n, uint64_t seed, double gaps, double custody,
                                   int *group, gbtm_model *model_out) {
  gbtm_model m;
  gbtm_sim_design d;
  ck_assert(model_preset(PRESET, n, seed, &m, &d));
  if (gaps >= 0.0) d.gap_prob = gaps;
  if (custody >= 0.0) d.custody_prob = custody;
  gbtm_panel *p = NULL;
  gbtm_error err = {.message = ""};
  gbtm_status st = gbtm_simulate(&m, &d, &p, group, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  ck_assert_ptr_nonnull(p);
  if (model_out) *model_out = m;
  return p;
}

/* Cells of person i: ages, counts and exposures (room for T each). */
typedef struct cells {
  size_t n;
  uint32_t *t;
  double *y;
  double *e;
} cells;

static cells cells_alloc(const gbtm_panel *p) {
  cells c = {0, malloc(p->T * sizeof(uint32_t)), malloc(p->T * sizeof(double)),
             malloc(p->T * sizeof(double))};
  ck_assert(c.t && c.y && c.e);
  return c;
}

static void cells_free(cells *c) { free(c->t), free(c->y), free(c->e); }

/* True when p and q hold the same persons, ages, counts and exposures. */
static bool panels_equal(const gbtm_panel *p, const gbtm_panel *q) {
  if (p->n != q->n || p->T != q->T || p->n_obs != q->n_obs) return false;
  for (size_t t = 0; t < p->T; t++)
    if (p->age[t] != q->age[t]) return false;
  cells a = cells_alloc(p), b = cells_alloc(q);
  bool same = true;
  for (size_t i = 0; i < p->n && same; i++) {
    a.n = panel_person_cells(p, i, a.t, a.y, a.e);
    b.n = panel_person_cells(q, i, b.t, b.y, b.e);
    same = strcmp(gbtm_panel_id(p, i), gbtm_panel_id(q, i)) == 0 && a.n == b.n;
    for (size_t c = 0; c < a.n && same; c++)
      same = a.t[c] == b.t[c] && a.y[c] == b.y[c] && a.e[c] == b.e[c];
  }
  cells_free(&a), cells_free(&b);
  return same;
}

START_TEST(test_deterministic) {
  gbtm_panel *a = simulate_preset(800, 11, -1, 0.2, NULL, NULL);
  gbtm_panel *b = simulate_preset(800, 11, -1, 0.2, NULL, NULL);
  gbtm_panel *c = simulate_preset(800, 12, -1, 0.2, NULL, NULL);
  ck_assert(panels_equal(a, b));
  ck_assert_double_eq(gbtm_panel_total_count(a), gbtm_panel_total_count(b));
  ck_assert(!panels_equal(a, c));
  ck_assert_str_eq(gbtm_panel_id(a, 0), "P000001");
  ck_assert_str_eq(gbtm_panel_id(a, 799), "P000800");
  gbtm_panel_free(a), gbtm_panel_free(b), gbtm_panel_free(c);
}
END_TEST

/* The public face of the opaque model: gbtm_preset allocates, the getters
 * read what the struct holds, the setters check and leave the model as it
 * was on bad values, gbtm_model_copy copies and gbtm_model_free(NULL) is a
 * no-op. */
START_TEST(test_model_handle) {
  gbtm_model *p = NULL, m;
  gbtm_sim_design d, d2;
  gbtm_error err;
  ck_assert_int_eq(gbtm_preset("rapporteur-2023", 0, 1, &p, &d, &err), GBTM_ERR_USAGE);
  ck_assert_ptr_null(p);
  ck_assert_int_eq(gbtm_preset(PRESET "-covariates", 100, 7, &p, &d, &err), GBTM_OK);
  ck_assert(model_preset(PRESET "-covariates", 100, 7, &m, &d2));
  ck_assert_int_eq(memcmp(&d, &d2, sizeof d), 0);
  ck_assert_int_eq(memcmp(p, &m, sizeof m), 0);
  ck_assert_int_eq(gbtm_model_family(p), m.family);
  ck_assert_int_eq(gbtm_model_groups(p), m.groups);
  ck_assert_int_eq(gbtm_model_refgroup(p), m.refgroup);
  ck_assert_double_eq(gbtm_model_centre(p), m.centre);
  ck_assert_double_eq(gbtm_model_scale(p), m.scale);
  ck_assert_double_eq(gbtm_model_age_min(p), m.age_min);
  ck_assert_double_eq(gbtm_model_age_max(p), m.age_max);
  for (int k = 0; k < m.groups; k++) {
    ck_assert_int_eq(gbtm_model_order(p, k), m.order[k]);
    ck_assert_int_eq(gbtm_model_iorder(p, k), m.iorder[k]);
    ck_assert_double_eq(gbtm_model_theta(p, k), m.theta[k]);
    for (int j = 0; j <= m.order[k]; j++) ck_assert_double_eq(gbtm_model_beta(p, k, j), m.beta[k][j]);
    ck_assert(isnan(gbtm_model_beta(p, k, m.order[k] + 1)));
    for (int j = 0; j < m.n_risk; j++) ck_assert_double_eq(gbtm_model_gamma(p, k, j), m.gamma[k][j]);
    for (int j = 0; j < m.n_tcov; j++) ck_assert_double_eq(gbtm_model_delta(p, k, j), m.delta[k][j]);
  }
  ck_assert_int_eq(gbtm_model_n_risk(p), m.n_risk);
  ck_assert_int_eq(gbtm_model_n_tcov(p), m.n_tcov);
  ck_assert(m.n_risk > 0 && m.n_tcov > 0);
  ck_assert_str_eq(gbtm_model_risk_name(p, 0), m.risk_name[0]);
  ck_assert_str_eq(gbtm_model_tcov_name(p, 0), m.tcov_name[0]);
  ck_assert_double_eq(gbtm_model_tcov_fixed(p, 0), m.tcov_fixed[0]);
  ck_assert_ptr_null(gbtm_model_risk_name(p, m.n_risk));
  ck_assert_int_eq(gbtm_model_order(p, m.groups), -1);
  ck_assert(isnan(gbtm_model_theta(p, -1)));
  gbtm_model *c = gbtm_model_copy(p);
  ck_assert_int_eq(memcmp(c, p, sizeof m), 0);
  gbtm_model_free(c);
  gbtm_model_free(p);
  gbtm_model_free(NULL);

  ck_assert_int_eq(gbtm_model_new(GBTM_ZIP, 0, &p, &err), GBTM_ERR_USAGE);
  ck_assert_ptr_null(p);
  ck_assert_int_eq(gbtm_model_new(GBTM_ZIP, 2, &p, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_iorder(p, 1), -1);
  ck_assert_double_eq(gbtm_model_scale(p), 1.0);
  ck_assert_int_eq(gbtm_model_set_basis(p, 20, 0, &err), GBTM_ERR_USAGE);
  ck_assert_double_eq(gbtm_model_scale(p), 1.0);
  ck_assert_int_eq(gbtm_model_set_basis(p, 20, 10, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_set_age_range(p, 30, 10, &err), GBTM_ERR_USAGE);
  ck_assert_int_eq(gbtm_model_set_age_range(p, 10, 30, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_set_order(p, 2, 1, &err), GBTM_ERR_USAGE);
  ck_assert_int_eq(gbtm_model_set_order(p, 1, GBTM_MAX_ORDER + 1, &err), GBTM_ERR_USAGE);
  ck_assert_int_eq(gbtm_model_set_order(p, 1, 1, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_set_iorder(p, 1, 0, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_set_beta(p, 1, 1, NAN, &err), GBTM_ERR_USAGE);
  ck_assert_int_eq(gbtm_model_set_beta(p, 1, 1, -0.5, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_set_alpha(p, 1, 0, -2.0, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_set_theta(p, 1, 0.25, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_set_refgroup(p, 2, &err), GBTM_ERR_USAGE);
  ck_assert_int_eq(gbtm_model_set_refgroup(p, 1, &err), GBTM_OK);
  ck_assert_double_eq(gbtm_model_beta(p, 1, 1), -0.5);
  ck_assert_double_eq(gbtm_model_alpha(p, 1, 0), -2.0);
  ck_assert_double_eq(gbtm_model_theta(p, 1), 0.25);
  ck_assert_int_eq(gbtm_model_refgroup(p), 1);
  ck_assert_double_eq(gbtm_model_age_max(p), 30.0);
  /* omega = logistic(-2) in group 2, whatever the age */
  ck_assert_double_eq_tol(gbtm_model_omega(p, 1, 17.0), 1.0 / (1.0 + exp(2.0)), 1e-15);
  gbtm_model_free(p);
}
END_TEST

START_TEST(test_preset_defaults) {
  gbtm_model m;
  gbtm_sim_design d;
  ck_assert(!model_preset("rapporteur-2023", 0, 1, &m, &d));
  ck_assert(!model_preset("", 0, 1, &m, &d));
  ck_assert(model_preset(PRESET, 0, 5, &m, &d));
  ck_assert_uint_eq(d.n, 630);
  ck_assert_uint_eq(d.seed, 5);
  ck_assert(model_preset(PRESET, 1234, 5, &m, &d));
  ck_assert_uint_eq(d.n, 1234);
  ck_assert_int_eq(m.family, GBTM_POISSON);
  ck_assert_int_eq(m.groups, 4);
  ck_assert_double_eq(m.theta[0], 0.0);
  static const double published[4] = {0.36, 0.28, 0.21, 0.15};
  double share[GBTM_MAX_GROUPS];
  gbtm_model_shares(&m, share);
  for (int k = 0; k < 4; k++) {
    ck_assert_int_eq(m.order[k], 2);
    ck_assert_double_eq_tol(share[k], published[k], 1e-12);
  }
  /* The basis maps ages 12..45 onto [-1, 1]. */
  ck_assert_double_eq_tol((12.0 - m.centre) / m.scale, -1.0, 1e-12);
  ck_assert_double_eq_tol((45.0 - m.centre) / m.scale, 1.0, 1e-12);
}
END_TEST

/* Each group's expected count at integer age a = 12..45, mu[k][a - 12]. */
enum { A0 = 12, NA = 34 };
static void preset_trajectories(const gbtm_model *m, double mu[][NA]) {
  for (int k = 0; k < m->groups; k++)
    for (int a = 0; a < NA; a++) mu[k][a] = gbtm_model_expected(m, k, A0 + a);
}

START_TEST(test_preset_story) {
  gbtm_model m;
  gbtm_sim_design d;
  ck_assert(model_preset(PRESET, 0, 1, &m, &d));
  double mu[4][NA], mean[4] = {0};
  preset_trajectories(&m, mu);
  int peak[4];
  for (int k = 0; k < 4; k++) {
    peak[k] = 0;
    for (int a = 0; a < NA; a++) {
      mean[k] += mu[k][a] / NA;
      if (mu[k][a] > mu[k][peak[k]]) peak[k] = a;
    }
    peak[k] += A0;
  }
  /* DESIGN §3: groups in increasing mean expected count; incidental lowest. */
  for (int k = 1; k < 4; k++) ck_assert_msg(mean[k - 1] < mean[k], "group %d mean", k + 1);
  /* Incidental: the first trafficking offence at 30.4 on average. */
  ck_assert_int_ge(peak[0], 28);
  ck_assert_int_le(peak[0], 33);
  /* Early peak at 15-22, late peak at 22-33. */
  ck_assert_int_ge(peak[1], 15);
  ck_assert_int_le(peak[1], 22);
  ck_assert_int_ge(peak[2], 22);
  ck_assert_int_le(peak[2], 33);
  /* Continuous: the highest rate at every age. */
  for (int a = 0; a < NA; a++)
    for (int k = 0; k < 3; k++)
      ck_assert_msg(mu[3][a] > mu[k][a], "continuous below group %d at age %d", k + 1, A0 + a);
  /* The early peak group offends more than the late peak group as a minor,
   * less from 22 on. */
  for (int a = 0; a < NA; a++) {
    if (A0 + a < 18) ck_assert_msg(mu[1][a] > mu[2][a], "early below late at %d", A0 + a);
    if (A0 + a >= 22) ck_assert_msg(mu[1][a] < mu[2][a], "early above late at %d", A0 + a);
  }
  /* 65% first offended as minors: P(any offence at 12..17) over the cohort,
   * 1 - exp(-sum mu) per group (gaps ignored), within 6 points (a
   * log-quadratic incidental group that starts late cannot reach 65%). */
  double share[4], minor = 0.0;
  gbtm_model_shares(&m, share);
  for (int k = 0; k < 4; k++) {
    double s = 0.0;
    for (int a = 12; a <= 17; a++) s += mu[k][a - A0];
    minor += share[k] * (1.0 - exp(-s));
  }
  ck_assert_msg(fabs(minor - 0.65) < 0.06, "first offence as minor %g", minor);
  /* 29% of incidental offenders start their career with the trafficking
   * case (at 30 on average): no offence before 30. */
  double s = 0.0;
  for (int a = 12; a <= 29; a++) s += mu[0][a - A0];
  ck_assert_msg(exp(-s) > 0.2 && exp(-s) < 0.4, "incidental late starters %g", exp(-s));
}
END_TEST

/* The true groups of 20000 persons have the preset's shares within one
 * percentage point (3 binomial standard errors). */
START_TEST(test_preset_shares) {
  enum { N = 20000 };
  int *group = malloc(N * sizeof *group);
  gbtm_model m;
  gbtm_panel *p = simulate_preset(N, 3, -1, -1, group, &m);
  double share[GBTM_MAX_GROUPS], count[GBTM_MAX_GROUPS] = {0};
  gbtm_model_shares(&m, share);
  for (size_t i = 0; i < N; i++) {
    ck_assert(group[i] >= 0 && group[i] < m.groups);
    count[group[i]]++;
  }
  for (int k = 0; k < m.groups; k++)
    ck_assert_msg(fabs(count[k] / N - share[k]) < 0.01, "group %d: %g vs %g", k + 1,
                  count[k] / N, share[k]);
  gbtm_panel_free(p);
  free(group);
}
END_TEST

/* Each group's mean count per age equals its expected count within 4.5
 * Poisson standard errors: the sampler draws from the model. */
START_TEST(test_counts_follow_model) {
  enum { N = 20000 };
  int *group = malloc(N * sizeof *group);
  gbtm_model m;
  gbtm_panel *p = simulate_preset(N, 4, -1, -1, group, &m);
  double sum[4][NA] = {{0}}, cnt[4][NA] = {{0}};
  cells c = cells_alloc(p);
  const double *age = gbtm_panel_ages(p);
  for (size_t i = 0; i < p->n; i++) {
    c.n = panel_person_cells(p, i, c.t, c.y, c.e);
    for (size_t j = 0; j < c.n; j++) {
      int a = (int)age[c.t[j]] - A0;
      sum[group[i]][a] += c.y[j];
      cnt[group[i]][a] += 1.0;
    }
  }
  for (int k = 0; k < 4; k++)
    for (int a = 0; a < NA; a++) {
      double mu = gbtm_model_expected(&m, k, A0 + a);
      ck_assert(cnt[k][a] > 100);
      double se = fmax(sqrt(mu / cnt[k][a]), 1.0 / cnt[k][a]);
      ck_assert_msg(fabs(sum[k][a] / cnt[k][a] - mu) < 4.5 * se, "group %d age %d: %g vs %g",
                    k + 1, A0 + a, sum[k][a] / cnt[k][a], mu);
    }
  cells_free(&c);
  gbtm_panel_free(p);
  free(group);
}
END_TEST

/* Observed cells: integer ages 12..45 ascending from 12, windows ending at
 * ages uniform in 24..45, the design's gap rate. */
START_TEST(test_observed_cells) {
  enum { N = 20000 };
  const double g = 0.02;
  gbtm_panel *p = simulate_preset(N, 5, g, 0.0, NULL, NULL);
  ck_assert_uint_eq(gbtm_panel_n_persons(p), N);
  ck_assert(!gbtm_panel_has_exposure(p));
  const double *age = gbtm_panel_ages(p);
  ck_assert_uint_eq(gbtm_panel_n_ages(p), 34);
  for (size_t t = 0; t < p->T; t++) ck_assert_double_eq(age[t], 12.0 + (double)t);
  cells c = cells_alloc(p);
  double last_sum = 0.0, window = 0.0, observed = 0.0;
  for (size_t i = 0; i < p->n; i++) {
    c.n = panel_person_cells(p, i, c.t, c.y, c.e);
    ck_assert_uint_ge(c.n, 1);
    for (size_t j = 1; j < c.n; j++) ck_assert_uint_gt(c.t[j], c.t[j - 1]);
    for (size_t j = 0; j < c.n; j++) {
      ck_assert_double_eq(c.e[j], 1.0);
      ck_assert_int_ge(c.y[j], 0);
    }
    double last = age[c.t[c.n - 1]];
    last_sum += last;
    window += last - 12.0 + 1.0; /* cells from 12 to the last observed age */
    observed += (double)c.n;
  }
  ck_assert_double_eq(observed, (double)gbtm_panel_n_obs(p));
  /* The last observed age is the end age unless that year is missing
   * (probability g, moving it down by about one year): mean 34.5 - g. */
  double se = sqrt((22.0 * 22.0 - 1.0) / 12.0 / N);
  ck_assert_msg(fabs(last_sum / N - (34.5 - g)) < 4.0 * se + 0.01, "mean last age %g",
                last_sum / N);
  /* Gaps inside the windows: binomial(window, g), less the last cells,
   * which are observed by construction of "last". */
  double inside = window - N, missing = window - observed;
  double sd = sqrt(inside * g * (1.0 - g));
  ck_assert_msg(fabs(missing - inside * g) < 4.0 * sd, "missing %g of %g", missing, inside);
  cells_free(&c);
  gbtm_panel_free(p);
}
END_TEST

/* A fixed end age (end_lo = age_hi) and a large gap rate: every person's
 * window is the whole range, the missing cells are binomial, and nobody is
 * left without an observed cell. */
START_TEST(test_gap_rate_fixed_window) {
  gbtm_model m;
  gbtm_sim_design d;
  ck_assert(model_preset(PRESET, 5000, 6, &m, &d));
  d.end_lo = d.age_hi = 20.0; /* 9 ages, 12..20 */
  d.gap_prob = 0.4;
  gbtm_panel *p = NULL;
  gbtm_error err;
  ck_assert_int_eq(gbtm_simulate(&m, &d, &p, NULL, &err), GBTM_OK);
  double cells_total = 5000.0 * 9.0, missing = cells_total - (double)gbtm_panel_n_obs(p);
  double sd = sqrt(cells_total * 0.4 * 0.6);
  /* The keep-one rule adds back 0.4^9 per person: negligible. */
  ck_assert_msg(fabs(missing - 0.4 * cells_total) < 4.0 * sd, "missing %g", missing);
  ck_assert_uint_eq(gbtm_panel_n_persons(p), 5000);
  gbtm_panel_free(p);

  /* Almost every cell missing: each person still has one. */
  d.gap_prob = 0.999;
  ck_assert_int_eq(gbtm_simulate(&m, &d, &p, NULL, &err), GBTM_OK);
  ck_assert_uint_eq(gbtm_panel_n_persons(p), 5000);
  ck_assert_uint_ge(gbtm_panel_n_obs(p), 5000);
  ck_assert_uint_lt(gbtm_panel_n_obs(p), 5100);
  gbtm_panel_free(p);
}
END_TEST

/* With custody, exposures are 1 or uniform in (0.1, 0.9), in the design's
 * share of cells. */
START_TEST(test_custody_exposure) {
  const double q = 0.3;
  gbtm_panel *p = simulate_preset(3000, 7, -1, q, NULL, NULL);
  ck_assert(gbtm_panel_has_exposure(p));
  cells c = cells_alloc(p);
  double partial = 0.0, sum_e = 0.0;
  for (size_t i = 0; i < p->n; i++) {
    c.n = panel_person_cells(p, i, c.t, c.y, c.e);
    for (size_t j = 0; j < c.n; j++) {
      if (c.e[j] == 1.0) continue;
      ck_assert_msg(c.e[j] > 0.1 && c.e[j] < 0.9, "exposure %g", c.e[j]);
      partial += 1.0;
      sum_e += c.e[j];
    }
  }
  double n_obs = (double)gbtm_panel_n_obs(p);
  ck_assert_msg(fabs(partial - q * n_obs) < 4.0 * sqrt(n_obs * q * (1.0 - q)), "partial %g of %g",
                partial, n_obs);
  /* Uniform on (0.1, 0.9): mean 0.5, sd 0.8 / sqrt(12). */
  ck_assert_msg(fabs(sum_e / partial - 0.5) < 4.0 * 0.8 / sqrt(12.0 * partial), "mean E %g",
                sum_e / partial);
  cells_free(&c);
  gbtm_panel_free(p);
}
END_TEST

/* A zero-inflated group: omega = 1/2, lambda = 2, so the mean count is 1 and
 * P(0) = 1/2 + e^-2 / 2. */
START_TEST(test_zip_sampler) {
  gbtm_model m;
  memset(&m, 0, sizeof m);
  m.family = GBTM_ZIP;
  m.groups = 1;
  m.order[0] = 0;
  m.iorder[0] = 0;
  m.centre = 20.0, m.scale = 10.0;
  m.beta[0][0] = log(2.0);
  m.alpha[0][0] = 0.0;
  gbtm_sim_design d = {.n = 4000, .age_lo = 10, .end_lo = 30, .age_hi = 30, .seed = 8};
  gbtm_panel *p = NULL;
  gbtm_error err;
  int *group = malloc(d.n * sizeof *group);
  ck_assert_int_eq(gbtm_simulate(&m, &d, &p, group, &err), GBTM_OK);
  for (size_t i = 0; i < d.n; i++) ck_assert_int_eq(group[i], 0);
  double n_obs = (double)gbtm_panel_n_obs(p);
  ck_assert_double_eq(n_obs, 4000.0 * 21.0);
  double p0 = 0.5 + 0.5 * exp(-2.0), zeros = n_obs - (double)gbtm_panel_n_nonzero(p);
  ck_assert_msg(fabs(zeros / n_obs - p0) < 4.0 * sqrt(p0 * (1.0 - p0) / n_obs), "P(0) %g",
                zeros / n_obs);
  /* Var y = (1-w) lambda (1 + w lambda) = 2. */
  double mean = gbtm_panel_total_count(p) / n_obs;
  ck_assert_msg(fabs(mean - 1.0) < 4.0 * sqrt(2.0 / n_obs), "mean %g", mean);
  gbtm_panel_free(p);
  free(group);
}
END_TEST

static void expect_usage(const gbtm_model *m, gbtm_sim_design d, const char *what) {
  struct gbtm_panel dummy;
  gbtm_panel *p = &dummy; /* any non-NULL value: must be reset to NULL */
  gbtm_error err = {.message = ""};
  int group[4];
  gbtm_status st = gbtm_simulate(m, &d, &p, group, &err);
  ck_assert_msg(st == GBTM_ERR_USAGE, "%s: status %d", what, (int)st);
  ck_assert_ptr_null(p);
  ck_assert_msg(strncmp(err.message, "simulation: ", 12) == 0, "%s: message \"%s\"", what,
                err.message);
}

START_TEST(test_invalid_designs) {
  gbtm_model m;
  gbtm_sim_design d0, d;
  ck_assert(model_preset(PRESET, 4, 1, &m, &d0));
  d = d0, d.n = 0;
  expect_usage(&m, d, "n = 0");
  d = d0, d.age_lo = 25;
  expect_usage(&m, d, "age_lo > end_lo");
  d = d0, d.end_lo = 46;
  expect_usage(&m, d, "end_lo > age_hi");
  d = d0, d.age_hi = 44.5;
  expect_usage(&m, d, "fractional age");
  d = d0, d.age_lo = NAN;
  expect_usage(&m, d, "NaN age");
  d = d0, d.gap_prob = 1.0;
  expect_usage(&m, d, "gap 1");
  d = d0, d.gap_prob = -0.01;
  expect_usage(&m, d, "gap < 0");
  d = d0, d.gap_prob = NAN;
  expect_usage(&m, d, "gap NaN");
  d = d0, d.custody_prob = 1.5;
  expect_usage(&m, d, "custody > 1");
  d = d0, d.custody_prob = -0.5;
  expect_usage(&m, d, "custody < 0");

  gbtm_error err;
  gbtm_panel *p = NULL;
  d = d0, d.n = 0;
  ck_assert_int_eq(gbtm_simulate(&m, &d, &p, NULL, &err), GBTM_ERR_USAGE);
  ck_assert_str_eq(err.message, "simulation: n must be at least 1");

  /* Invalid models. */
  gbtm_model bad = m;
  bad.groups = 0;
  expect_usage(&bad, d0, "K = 0");
  bad = m, bad.order[2] = 6;
  expect_usage(&bad, d0, "order 6");
  bad = m, bad.scale = 0.0;
  expect_usage(&bad, d0, "scale 0");
  bad = m, bad.beta[1][0] = 40.0; /* a rate of e^40 */
  expect_usage(&bad, d0, "huge rate");
}
END_TEST

static Suite *simulate_suite(void) {
  Suite *s = suite_create("simulate");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_deterministic);
  tcase_add_test(tc, test_preset_defaults);
  tcase_add_test(tc, test_model_handle);
  tcase_add_test(tc, test_preset_story);
  tcase_add_test(tc, test_preset_shares);
  tcase_add_test(tc, test_counts_follow_model);
  tcase_add_test(tc, test_observed_cells);
  tcase_add_test(tc, test_gap_rate_fixed_window);
  tcase_add_test(tc, test_custody_exposure);
  tcase_add_test(tc, test_zip_sampler);
  tcase_add_test(tc, test_invalid_designs);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(simulate_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
