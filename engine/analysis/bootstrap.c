/* bootstrap.c: the parametric bootstrap of a fit (DESIGN §4). Replicate b
 * draws, with its own generator seeded from (seed, b), each person's group
 * from the fitted shares and a count at each of the person's observed cells
 * (same ages, same exposures) from the family's sampler; the cohort is
 * refitted, without standard errors, by the fit's own rule of starts (auto:
 * rounds until the best is replicated, DESIGN eq. ROUNDS; or a fixed number)
 * with the estimate as an extra start (gbtm_fit_options.start_from), so that
 * a replicate's refit reaches that replicate's own highest maximum, not the
 * one nearest the estimate. Each replicate's starts have their own seed. Groups come back ordered by their mean
 * expected count, as in the original fit. The intervals are percentiles of
 * the replicates. Replicates run in parallel, one per thread, and are stored
 * by index, so the intervals do not depend on the number of threads. */
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/basis.h"
#include "base/error.h"
#include "families/family.h"
#include "fit/fit_result.h"
#include "fit/threads.h"
#include "model/model.h"
#include "panel/panel.h"
#include "base/seeds.h"
#include "panel/panel_covariates.h"

#define BOOTSTRAP_SALT 0x5851F42D4C957F2DULL        /* its streams differ from the fit's starts */
#define BOOTSTRAP_STARTS_SALT 0x2545F4914F6CDD1DULL /* a replicate's refit's starts */

struct gbtm_bootstrap {
  int K, B, ok;
  size_t T;
  double *age;          /* T */
  double *share_ci;     /* K x 2 */
  double *traj_ci;      /* K x T x 2 */
  double *phi_ci;       /* K x 2: the family's own parameter (NaN without one) */
};

void gbtm_bootstrap_free(gbtm_bootstrap *b) {
  if (!b) return;
  free(b->age);
  free(b->share_ci);
  free(b->traj_ci);
  free(b->phi_ci);
  free(b);
}

int gbtm_bootstrap_replicates(const gbtm_bootstrap *b) { return b->ok; }
size_t gbtm_bootstrap_n_ages(const gbtm_bootstrap *b) { return b->T; }
const double *gbtm_bootstrap_ages(const gbtm_bootstrap *b) { return b->age; }
void gbtm_bootstrap_share(const gbtm_bootstrap *b, int k, double *lo, double *hi) {
  *lo = b->share_ci[2 * k];
  *hi = b->share_ci[2 * k + 1];
}
void gbtm_bootstrap_phi(const gbtm_bootstrap *b, int k, double *lo, double *hi) {
  *lo = b->phi_ci[2 * k];
  *hi = b->phi_ci[2 * k + 1];
}
void gbtm_bootstrap_trajectory(const gbtm_bootstrap *b, int k, size_t t, double *lo, double *hi) {
  *lo = b->traj_ci[((size_t)k * b->T + t) * 2];
  *hi = b->traj_ci[((size_t)k * b->T + t) * 2 + 1];
}

/* A cohort like panel, counts drawn from m. */
static gbtm_status draw_like(const gbtm_model *m, const gbtm_panel *p, gsl_rng *rng, gbtm_panel **out,
                             gbtm_error *err) {
  const gbtm_family *fam = family_get(m->family);
  panel_row *rows = malloc(p->n_obs * sizeof *rows);
  char **ids = calloc(p->n, sizeof *ids);
  uint32_t *t = malloc(p->T * sizeof *t);
  double *y = malloc(p->T * sizeof *y);
  double *e = malloc(p->T * sizeof *e), share[GBTM_MAX_GROUPS];
  gbtm_status st = GBTM_OK;
  if (!rows || !ids || !t || !y || !e) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory in the bootstrap");
  const size_t R = (size_t)m->n_risk, C = (size_t)m->n_tcov;
  size_t r = 0;
  for (size_t i = 0; st == GBTM_OK && i < p->n; i++) {
    size_t len = strlen(p->id[i]) + 1;
    if (!(ids[i] = malloc(len))) {
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory in the bootstrap");
      break;
    }
    memcpy(ids[i], p->id[i], len);
    /* the group from pi(z_i) (eq. M), counts at x'beta_k + w'delta_k */
    model_log_shares(m, R ? p->risk + i * R : NULL, share);
    for (int j = 0; j < m->groups; j++) share[j] = exp(share[j]);
    double u = gsl_rng_uniform(rng), acc = 0.0;
    int k = m->groups - 1;
    for (int j = 0; j < m->groups; j++)
      if (u < (acc += share[j])) {
        k = j;
        break;
      }
    size_t nc = panel_person_cells(p, i, t, y, e);
    for (size_t c = 0; c < nc; c++, r++) {
      double x[GBTM_MAX_COEF], eta = 0.0, zeta = 0.0, age = p->age[t[c]];
      basis_row(age, m->centre, m->scale, GBTM_MAX_COEF, x);
      for (int j = 0; j <= m->order[k]; j++) eta += x[j] * m->beta[k][j];
      if (C) eta += model_tcov_shift(m, k, p->tcov + (p->obs_start[i] + c) * C);
      bool infl = model_inflated(m, k);
      for (int j = 0; infl && j <= m->iorder[k]; j++) zeta += x[j] * m->alpha[k][j];
      family_par fp = model_family_par(m, k);
      rows[r] = (panel_row){(uint32_t)i, age, fam->sample(rng, eta, infl ? &zeta : NULL, &fp, e[c]), e[c], r + 1, 0,
                            fam->real_response};
    }
  }
  free(t), free(y), free(e);
  if (st != GBTM_OK) {
    for (size_t i = 0; ids && i < p->n; i++) free(ids[i]);
    free(ids), free(rows);
    return st;
  }
  /* the persons' own covariates, in the order of their cells */
  panel_covariates_in covariates;
  double *values = NULL;
  size_t *all = malloc((p->n ? p->n : 1) * sizeof *all);
  for (size_t i = 0; all && i < p->n; i++) all[i] = i;
  st = all ? panel_covariates_of_cells(p, all, p->n, &covariates, &values, err) : gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory in the bootstrap");
  free(all);
  if (st != GBTM_OK) {
    for (size_t i = 0; i < p->n; i++) free(ids[i]);
    free(ids), free(rows);
    return st;
  }
  st = panel_build_covariates(rows, r, ids, p->n, "bootstrap", 2, values && (R || C) ? &covariates : NULL, out, err);
  free(values);
  free(rows);
  /* the persons' weights travel with them (eq. W) */
  if (st == GBTM_OK && p->weight && (st = gbtm_panel_set_weights(*out, p->weight, p->weight_name, err)) == GBTM_OK)
    memcpy((*out)->weight_given, p->weight_given, sizeof p->weight_given);
  if (st != GBTM_OK) {
    gbtm_panel_free(*out);
    *out = NULL;
  }
  return st;
}

gbtm_status gbtm_bootstrap_run(const gbtm_fit_result *res, const gbtm_panel *panel, int B, int starts,
                               uint64_t seed, int threads, double level, gbtm_bootstrap **out, gbtm_error *err) {
  *out = NULL;
  const gbtm_model *m = &res->model;
  if (B < 2) return gbtm_fail(err, GBTM_ERR_USAGE, "bootstrap needs at least 2 replicates (got %d)", B);
  if (starts != GBTM_STARTS_AUTO && (starts < 0 || starts > GBTM_MAX_STARTS_BUDGET))
    return gbtm_fail(err, GBTM_ERR_USAGE, "bootstrap: starts must be auto or 0 to %d (got %d)", GBTM_MAX_STARTS_BUDGET,
                     starts);
  if (!(level > 0.0 && level < 1.0)) return gbtm_fail(err, GBTM_ERR_USAGE, "level must be in (0, 1)");
  int K = m->groups;
  gbtm_bootstrap *bt = calloc(1, sizeof *bt);
  if (!bt) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the bootstrap");
  bt->K = K;
  bt->B = B;
  bt->T = panel->T;
  size_t T = panel->T;
  bt->age = malloc(T * sizeof *bt->age);
  bt->share_ci = malloc((size_t)K * 2 * sizeof *bt->share_ci);
  bt->traj_ci = malloc((size_t)K * T * 2 * sizeof *bt->traj_ci);
  bt->phi_ci = malloc((size_t)K * 2 * sizeof *bt->phi_ci);
  /* per replicate: K shares, K x T means, K phis */
  double *draws = malloc((size_t)B * (size_t)K * (T + 2) * sizeof *draws);
  bool *ok = calloc((size_t)B, sizeof *ok);
  if (!bt->age || !bt->share_ci || !bt->traj_ci || !bt->phi_ci || !draws || !ok) {
    free(draws), free(ok);
    gbtm_bootstrap_free(bt);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %d bootstrap replicates", B);
  }
  memcpy(bt->age, panel->age, T * sizeof *bt->age);
  int nth = fit_threads(threads, B);
  bool nomem = false; /* a replicate ran out of memory */
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth)
  for (int b = 0; b < B; b++) {
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gbtm_panel *p = NULL;
    gbtm_fit_result *r = NULL;
    if (rng) gsl_rng_set(rng, seed_stream(seed, BOOTSTRAP_SALT, b));
    gbtm_fit_options o = gbtm_fit_options_default();
    o.family = m->family;
    o.groups = K;
    for (int k = 0; k < K; k++) o.order[k] = m->order[k], o.iorder[k] = m->iorder[k];
    o.centre = m->centre;
    o.scale = m->scale;
    o.starts = starts;
    o.seed = seed_stream(seed, BOOTSTRAP_STARTS_SALT, b);
    o.start_from = m;
    o.threads = 1;
    o.inference = false;
    o.keep_posterior = false;
    o.refgroup = m->refgroup;
    o.phi_common = m->phi_common;
    gbtm_model_censoring(m, &o.ymin, &o.ymax);
    for (int j = 0; j < m->n_tcov; j++) o.tcov_fixed[j] = m->tcov_fixed[j];
    gbtm_status rs = rng ? draw_like(m, panel, rng, &p, NULL) : GBTM_ERR_NOMEM;
    if (rs == GBTM_OK) rs = gbtm_fit(p, &o, &r, NULL);
    if (rs == GBTM_ERR_NOMEM) {
#pragma omp atomic write
      nomem = true;
    }
    if (rs == GBTM_OK) {
      double *d = draws + (size_t)b * (size_t)K * (T + 2);
      for (int k = 0; k < K; k++) d[k] = r->group[k].share; /* pi_k, or with risk factors the mean pi_k(z_i) */
      for (int k = 0; k < K; k++)
        for (size_t t = 0; t < T; t++) d[K + (size_t)k * T + t] = gbtm_model_expected(&r->model, k, panel->age[t]);
      for (int k = 0; k < K; k++) d[K + (size_t)K * T + (size_t)k] = model_has_phi(m) ? r->model.phi[k] : NAN;
      ok[b] = true;
    }
    gbtm_fit_result_free(r);
    gbtm_panel_free(p);
    gsl_rng_free(rng);
  }
  size_t nq = (size_t)K * (T + 2);
  double *col = malloc((size_t)B * sizeof *col);
  for (int b = 0; b < B; b++) bt->ok += ok[b];
  if (!col || nomem || bt->ok < 2) {
    free(col), free(draws), free(ok);
    gbtm_bootstrap_free(bt);
    if (!col || nomem)
      return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the bootstrap's replicates (%d, on %d threads)", B, nth);
    return gbtm_fail(err, GBTM_ERR_FIT, "bootstrap: fewer than 2 of %d refits succeeded", B);
  }
  double a = 0.5 * (1.0 - level);
  for (size_t q = 0; q < nq; q++) {
    size_t n = 0;
    for (int b = 0; b < B; b++)
      if (ok[b]) col[n++] = draws[(size_t)b * nq + q];
    gsl_sort(col, 1, n);
    double lo = gsl_stats_quantile_from_sorted_data(col, 1, n, a);
    double hi = gsl_stats_quantile_from_sorted_data(col, 1, n, 1.0 - a);
    double *dst = q < (size_t)K              ? bt->share_ci + 2 * q
                  : q < (size_t)K * (T + 1) ? bt->traj_ci + 2 * (q - (size_t)K)
                                            : bt->phi_ci + 2 * (q - (size_t)K * (T + 1));
    dst[0] = lo;
    dst[1] = hi;
  }
  free(col), free(draws), free(ok);
  *out = bt;
  return GBTM_OK;
}
