/* fit_result.c: a gbtm_fit_result, made by the EM driver (fit.c) or read
 * from a model file (model_io.c): its accessors and its release, the data
 * summary and the observed trajectories of a panel, and the trajectory
 * table (expected counts, their bands, observed rates) that a model file
 * holds. */
#include "fit/fit_result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "panel/panel.h"

#define BAND_LEVEL 0.95
#define GRID_MAX_STEPS 1000 /* 1-year trajectory steps at most; more: even steps */

void gbtm_fit_result_free(gbtm_fit_result *r) {
  if (!r) return;
  if (r->ids)
    for (size_t i = 0; i < r->data.persons; i++) free(r->ids[i]);
  free(r->ids);
  free(r->posterior);
  free(r->failures);
  free(r->psi);
  free(r->names);
  free(r->covariance[0]);
  free(r->covariance[1]);
  free(r->inference_note);
  free(r->boundary);
  free(r->observed);
  free(r->maxima);
  free(r->file_info);
  free(r);
}

const gbtm_fit_summary *gbtm_fit_result_summary(const gbtm_fit_result *r) { return &r->summary; }
const gbtm_model *gbtm_fit_result_model(const gbtm_fit_result *r) { return &r->model; }

gbtm_status gbtm_fit_result_set_labels(gbtm_fit_result *r, const char *const *labels, int n, gbtm_error *err) {
  if (n != r->model.groups)
    return gbtm_fail(err, GBTM_ERR_USAGE, "%d labels for %d groups (one label per group)", n, r->model.groups);
  gbtm_model m = r->model;
  for (int k = 0; k < n; k++) {
    gbtm_status st = gbtm_model_set_label(&m, k, labels[k], err);
    if (st != GBTM_OK) return st;
  }
  r->model = m;
  return GBTM_OK;
}
const gbtm_group_summary *gbtm_fit_result_group(const gbtm_fit_result *r, int k) {
  return (k >= 0 && k < r->model.groups) ? &r->group[k] : NULL;
}
const double *gbtm_fit_result_posterior(const gbtm_fit_result *r) { return r->posterior; }
const char *gbtm_fit_result_failures(const gbtm_fit_result *r) { return r->failures ? r->failures : ""; }
const gbtm_data_summary *gbtm_fit_result_data(const gbtm_fit_result *r) { return &r->data; }
const char *const *gbtm_fit_result_ids(const gbtm_fit_result *r) { return (const char *const *)r->ids; }
const gbtm_model_file_info *gbtm_fit_result_file_info(const gbtm_fit_result *r) { return r->file_info; }

const double *gbtm_fit_result_estimates(const gbtm_fit_result *r) { return r->psi; }

const char *gbtm_fit_result_param_name(const gbtm_fit_result *r, int j) {
  return (r->names && j >= 0 && j < r->summary.n_params) ? r->names[j] : NULL;
}

const double *gbtm_fit_result_covariance(const gbtm_fit_result *r, gbtm_se_kind kind) {
  return (kind == GBTM_SE_MODEL || kind == GBTM_SE_ROBUST) ? r->covariance[kind] : NULL;
}

bool gbtm_fit_result_on_boundary(const gbtm_fit_result *r, int j) {
  return r->boundary && j >= 0 && j < r->summary.n_params && r->boundary[j];
}

const char *gbtm_fit_result_inference_note(const gbtm_fit_result *r) {
  return r->inference_note ? r->inference_note : "";
}

void fit_result_describe(const gbtm_panel *p, gbtm_data_summary *d) {
  panel_sizes all = panel_sizes_all(p);
  d->persons = all.n;
  d->observations = all.n_obs;
  d->ages = p->T;
  d->age_min = p->age[0];
  d->age_max = p->age[p->T - 1];
  d->zero_share = 1.0 - (double)all.n_nonzero / (double)all.n_obs;
  d->total_count = all.total;
  d->exposure = all.has_exposure;
  d->missing_responses = all.missing_responses;
  d->weight_column[0] = '\0';
  d->weight_sum = d->weight_min = d->weight_max = NAN;
  if (p->weight) { /* eq. W: the weights as given */
    snprintf(d->weight_column, sizeof d->weight_column, "%s", p->weight_name);
    d->weight_sum = p->weight_given[0], d->weight_min = p->weight_given[1], d->weight_max = p->weight_given[2];
  }
}

void fit_observed_rates(const gbtm_panel *p, int groups, const double *tau, double *obs) {
  size_t K = (size_t)groups, T = p->T;
  double *den = obs + K * T; /* the caller's 2 K T doubles: numerators, then denominators */
  uint32_t *t = malloc(T * sizeof *t);
  double *y = malloc(T * sizeof *y);
  double *e = malloc(T * sizeof *e);
  for (size_t i = 0; i < 2 * K * T; i++) obs[i] = 0.0;
  for (size_t i = 0; t && y && e && i < p->n; i++) {
    size_t nc = panel_person_cells(p, i, t, y, e);
    double wi = panel_weight(p, i); /* eq. W */
    for (size_t k = 0; k < K; k++)
      for (size_t c = 0; c < nc; c++) {
        obs[k * T + t[c]] += wi * tau[i * K + k] * (double)y[c];
        den[k * T + t[c]] += wi * tau[i * K + k] * e[c];
      }
  }
  reduce_sum(p->procs, obs, 2 * K * T);
  for (size_t i = 0; i < K * T; i++) obs[i] = den[i] > 0.0 && t && y && e ? obs[i] / den[i] : NAN;
  free(t), free(y), free(e);
}


void fit_result_groups(const gbtm_fit_result *r, fit_group_table *t) {
  int K = r->model.groups;
  t->groups = K;
  for (int k = 0; k < K; k++) {
    t->share[k] = r->group[k].share;
    t->assigned_share[k] = r->group[k].assigned_share;
    t->avepp[k] = r->group[k].avepp;
    t->occ[k] = r->group[k].occ;
    gbtm_fit_result_share_interval(r, k, r->summary.se, BAND_LEVEL, &t->share_se[k], &t->share_lower[k],
                                   &t->share_upper[k]);
  }
}

/* The trajectory ages without the data: age_min, age_min + 1, ... up to
 * age_max, and age_max itself; even steps when that would be too many.
 * Returns the count, or 0 when out of memory. */
static size_t grid_ages(const gbtm_model *m, double **out) {
  double span = m->age_max - m->age_min;
  size_t steps = span <= GRID_MAX_STEPS ? (size_t)floor(span) : GRID_MAX_STEPS;
  bool even = span > GRID_MAX_STEPS;
  size_t T = steps + 1 + (!even && m->age_min + (double)steps < m->age_max);
  double *a = malloc(T * sizeof *a);
  if (!a) return 0;
  for (size_t t = 0; t <= steps; t++)
    a[t] = even ? m->age_min + span * (double)t / (double)steps : m->age_min + (double)t;
  if (even) a[steps] = m->age_max;
  if (T > steps + 1) a[T - 1] = m->age_max;
  *out = a;
  return T;
}

/* The observed trajectories (fit_observed_rates): kept by the fit, or from
 * the posteriors of the panel's persons under the model. */
static gbtm_status observed_rates(const gbtm_fit_result *r, const gbtm_panel *p, double *obs,
                                  gbtm_error *err) {
  const gbtm_model *m = &r->model;
  size_t K = (size_t)m->groups, T = p->T;
  if (r->observed) {
    memcpy(obs, r->observed, K * T * sizeof *obs);
    return GBTM_OK;
  }
  double *tau = malloc(p->n * K * sizeof *tau), *both = malloc(2 * K * T * sizeof *both);
  gbtm_status st = GBTM_OK;
  if (!tau || !both)
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the observed trajectories");
  else if ((st = gbtm_model_classify(m, p, tau, err)) == GBTM_OK) {
    fit_observed_rates(p, m->groups, tau, both);
    memcpy(obs, both, K * T * sizeof *obs);
  }
  free(tau), free(both);
  return st;
}

gbtm_status fit_result_trajectory(const gbtm_fit_result *r, const gbtm_panel *panel,
                                  gbtm_trajectory_table **out, gbtm_error *err) {
  *out = NULL;
  const gbtm_model *m = &r->model;
  gbtm_trajectory_table *t = calloc(1, sizeof *t);
  if (!t) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the trajectories");
  size_t T = 0;
  if (panel) {
    T = panel->T;
    if ((t->age = malloc((T ? T : 1) * sizeof *t->age))) memcpy(t->age, panel->age, T * sizeof *t->age);
  } else if ((T = grid_ages(m, &t->age)) == 0) {
    gbtm_trajectory_table_free(t);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the trajectory ages");
  }
  size_t K = (size_t)m->groups;
  t->groups = m->groups;
  t->ages = T;
  t->expected = malloc(K * T * sizeof *t->expected);
  t->lower = malloc(K * T * sizeof *t->lower);
  t->upper = malloc(K * T * sizeof *t->upper);
  t->observed = panel ? malloc(K * T * sizeof *t->observed) : NULL;
  if (T == 0 || !t->age || !t->expected || !t->lower || !t->upper || (panel && !t->observed)) {
    gbtm_trajectory_table_free(t);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the trajectories");
  }
  const double *age = t->age;
  for (size_t k = 0; k < K; k++)
    for (size_t u = 0; u < T; u++) {
      double mu;
      gbtm_fit_result_trajectory_interval(r, (int)k, age[u], r->summary.se, BAND_LEVEL, &mu,
                                          &t->lower[k * T + u], &t->upper[k * T + u]);
      t->expected[k * T + u] = gbtm_model_expected(m, (int)k, age[u]);
    }
  gbtm_status st = panel ? observed_rates(r, panel, t->observed, err) : GBTM_OK;
  if (st != GBTM_OK) {
    gbtm_trajectory_table_free(t);
    return st;
  }
  *out = t;
  return GBTM_OK;
}
