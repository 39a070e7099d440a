/* starts.c: starting posteriors for EM. A start is a posterior matrix; the
 * M-step turns it into parameters (engine/fit/em.c). Two kinds, from one seed:
 * - k-means++ seeding (Arthur & Vassilvitskii 2007) on smoothed profiles,
 *   then each person to the nearest seed, softened by 5% spread evenly so no
 *   group starts empty;
 * - random soft partitions, tau_i ~ Dirichlet(1, ..., 1).
 * Profiles: the age grid is cut into up to 6 bins of equal width in index;
 * a person's value in a bin is log(1 + mean count) over their observed cells
 * there, or over all their cells where the bin is unobserved. */
#include "fit/starts.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define MAX_BINS 6
#define SOFTEN 0.05

gbtm_status starts_profiles(const gbtm_panel *p, start_profiles *out, gbtm_error *err) {
  out->n = p->n;
  out->procs = p->procs;
  out->first = p->first;
  out->n_all = panel_n_all(p);
  out->bins = p->T < MAX_BINS ? (int)p->T : MAX_BINS;
  out->v = malloc(p->n * (size_t)out->bins * sizeof *out->v);
  uint32_t *t = malloc(p->T * sizeof *t);
  double *y = malloc(p->T * sizeof *y);
  double *e = malloc(p->T * sizeof *e);
  if (!out->v || !t || !y || !e) {
    free(t), free(y), free(e);
    starts_profiles_free(out);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the start profiles (%zu persons)", p->n);
  }
  for (size_t i = 0; i < p->n; i++) {
    double sum[MAX_BINS] = {0}, cnt[MAX_BINS] = {0}, all = 0.0;
    size_t nc = panel_person_cells(p, i, t, y, e);
    for (size_t c = 0; c < nc; c++) {
      int b = (int)((size_t)t[c] * (size_t)out->bins / p->T);
      sum[b] += y[c] / e[c];
      cnt[b] += 1.0;
      all += y[c] / e[c];
    }
    double mean_all = all / (double)nc;
    for (int b = 0; b < out->bins; b++)
      out->v[i * (size_t)out->bins + b] = log1p(cnt[b] > 0 ? sum[b] / cnt[b] : mean_all);
  }
  free(t), free(y), free(e);
  return GBTM_OK;
}

void starts_profiles_free(start_profiles *sp) {
  free(sp->v);
  sp->v = NULL;
}

static double dist2(const double *a, const double *b, int m) {
  double s = 0.0;
  for (int j = 0; j < m; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

/* Person g's profile (g among all N), from the process that holds it. */
static void profile_of(const start_profiles *sp, size_t g, double *v) {
  int m = sp->bins;
  for (int j = 0; j < m; j++)
    v[j] = g >= sp->first && g < sp->first + sp->n ? sp->v[(g - sp->first) * (size_t)m + j] : 0.0;
  reduce_sum(sp->procs, v, (size_t)m); /* one holder: the sum is its profile */
}

/* D^2 sampling (k-means++): the person where the running sum of d over
 * all persons, in order, first exceeds u. Each process sums its own; the
 * processes' totals place u in one of them. */
static size_t d2_pick(const start_profiles *sp, const double *d, double local_total, double u) {
  int R = reduce_size(sp->procs), me = reduce_rank(sp->procs);
  double tot[GBTM_MAX_PROCESSES];
  reduce_each(sp->procs, local_total, tot);
  int q = R - 1;
  double run = 0.0;
  for (int r = 0; r < R; r++) {
    if (run + tot[r] > u) {
      q = r;
      break;
    }
    if (r < R - 1) run += tot[r];
  }
  double at = 0.0;
  if (q == me) {
    size_t pick;
    for (pick = 0; pick + 1 < sp->n; pick++) {
      run += d[pick];
      if (run > u) break;
    }
    at = (double)(sp->first + pick);
  }
  reduce_sum(sp->procs, &at, 1);
  return (size_t)at;
}

static void kmeanspp(const start_profiles *sp, int K, gsl_rng *rng, double *tau) {
  size_t n = sp->n;
  int m = sp->bins;
  double *d = malloc((n ? n : 1) * sizeof *d);
  double centre[GBTM_MAX_GROUPS][MAX_BINS];
  if (!d) { /* fall back to an even split; EM still runs */
    for (size_t i = 0; i < n * (size_t)K; i++) tau[i] = 1.0 / K;
    return;
  }
  profile_of(sp, gsl_rng_uniform_int(rng, sp->n_all), centre[0]);
  for (size_t i = 0; i < n; i++) d[i] = dist2(sp->v + i * m, centre[0], m);
  for (int k = 1; k < K; k++) {
    double total = 0.0, local;
    for (size_t i = 0; i < n; i++) total += d[i];
    local = total;
    reduce_sum(sp->procs, &total, 1);
    size_t pick = gsl_rng_uniform_int(rng, sp->n_all);
    if (total > 0.0) pick = d2_pick(sp, d, local, gsl_rng_uniform(rng) * total);
    profile_of(sp, pick, centre[k]);
    for (size_t i = 0; i < n; i++) d[i] = fmin(d[i], dist2(sp->v + i * m, centre[k], m));
  }
  for (size_t i = 0; i < n; i++) {
    int best = 0;
    double bd = INFINITY;
    for (int k = 0; k < K; k++) {
      double dk = dist2(sp->v + i * m, centre[k], m);
      if (dk < bd) bd = dk, best = k;
    }
    for (int k = 0; k < K; k++) tau[i * K + k] = SOFTEN / K + (k == best ? 1.0 - SOFTEN : 0.0);
  }
  free(d);
}

void starts_tau(const start_profiles *sp, int K, int s, gsl_rng *rng, double *tau) {
  if (K == 1) {
    for (size_t i = 0; i < sp->n; i++) tau[i] = 1.0;
    return;
  }
  if (s % 4 != 3) {
    kmeanspp(sp, K, rng, tau);
    return;
  }
  double ones[GBTM_MAX_GROUPS];
  for (int k = 0; k < K; k++) ones[k] = 1.0;
  /* every process draws all N in order and keeps its own */
  double drawn[GBTM_MAX_GROUPS];
  for (size_t g = 0; g < sp->n_all; g++) {
    bool mine = g >= sp->first && g < sp->first + sp->n;
    gsl_ran_dirichlet(rng, (size_t)K, ones, mine ? tau + (g - sp->first) * K : drawn);
  }
}

/* The pilot's persons (DESIGN §3 Starts): every m-th person over all
 * processes; where they leave an age of the data unseen, every m-th of the
 * persons observed at that age (counted over all processes in person
 * order, from the first of them) joins them, so the pilot sees every age
 * with the ages' own cells and exposures. A pilot that covers the ages
 * already is the every-m-th sample unchanged. */
gbtm_status starts_pilot_persons(const gbtm_panel *p, size_t m, size_t **persons, size_t *n, gbtm_error *err) {
  *persons = NULL;
  *n = 0;
  size_t T = p->T;
  bool *chosen = calloc(p->n ? p->n : 1, sizeof *chosen);
  double *seen = calloc(T, sizeof *seen);
  size_t *rank = calloc(T, sizeof *rank); /* per unseen age: persons observed there before this one */
  uint32_t *t = malloc(T * sizeof *t);
  double *y = malloc(T * sizeof *y);
  double *e = malloc(T * sizeof *e);
  size_t *list = malloc((p->n ? p->n : 1) * sizeof *list);
  gbtm_status st = chosen && seen && rank && t && y && e && list
                       ? GBTM_OK
                       : gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory choosing the pilot's persons (%zu)", p->n);
  st = reduce_agree(p->procs, st, err);
  for (size_t i = 0; st == GBTM_OK && i < p->n; i++)
    if ((p->first + i) % m == 0) {
      chosen[i] = true;
      size_t nc = panel_person_cells(p, i, t, y, e);
      for (size_t c = 0; c < nc; c++) seen[t[c]] = 1.0;
    }
  if (st == GBTM_OK) reduce_sum(p->procs, seen, T);
  bool unseen = false;
  for (size_t a = 0; st == GBTM_OK && a < T; a++) unseen = unseen || seen[a] == 0.0;
  if (unseen) { /* this process's persons per unseen age, then the ranks of its first ones */
    for (size_t i = 0; i < p->n; i++) {
      size_t nc = panel_person_cells(p, i, t, y, e);
      for (size_t c = 0; c < nc; c++) rank[t[c]]++;
    }
    for (size_t a = 0; a < T; a++) {
      size_t total;
      reduce_offsets(p->procs, rank[a], &rank[a], &total);
    }
    for (size_t i = 0; i < p->n; i++) {
      size_t nc = panel_person_cells(p, i, t, y, e);
      for (size_t c = 0; c < nc; c++)
        if (seen[t[c]] == 0.0 && rank[t[c]]++ % m == 0) chosen[i] = true;
    }
  }
  for (size_t i = 0; st == GBTM_OK && i < p->n; i++)
    if (chosen[i]) list[(*n)++] = i;
  free(chosen), free(seen), free(rank), free(t), free(y), free(e);
  if (st == GBTM_OK) *persons = list;
  else free(list);
  return st;
}
