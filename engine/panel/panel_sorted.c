/* panel_sorted.c: the panel of engine/panel/panel.h built straight from columns
 * of cells grouped by person and ascending in age.
 *
 * panel_build() takes rows in any order, as a 48-byte panel_row per cell,
 * and passes over them twice; for a panel of 25 million cells that traffic,
 * not the arithmetic, is most of the time of loading a panel. An HDF5 panel
 * written by gbtm already holds each person's cells together and in age
 * order, in separate columns of 8 (age), 4 (count) and 8 (exposure) bytes,
 * so this builder reads the columns as they are:
 * 1. the age grid: the distinct ages (exact double equality, -0 = +0)
 *    through a small hash set, then sorted;
 * 2. each cell's index in the grid (the next index of the person's previous
 *    cell, else a binary search), checking that ages ascend strictly within
 *    each person: if they do not, nothing is built and the caller goes
 *    through panel_build_covariates(), which also reports repeated ages;
 * 3. per person the window, the gaps and exception cells (skip cells), the
 *    nonzero counts, in the same order and with the same expressions as panel_build(),
 *    so that the two panels are identical to the bit;
 * 4. the covariates: risk factors per person (equal on all its cells),
 *    time-varying covariates per cell.
 * Steps 2 and 3 run on all threads from a million cells (threads_for),
 * each thread a run of persons, with the same bits as on one. */
#include "panel/panel_sorted.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/age_set.h"

/* ---- the age grid -------------------------------------------------------- */

/* The sorted distinct ages of the n cells into *grid (malloc'd), *T. */
static bool age_grid(const double *age, size_t n, double **grid, size_t *T) {
  age_set s;
  bool ok = age_set_init(&s);
  /* Ages already added, by the low bits of their bits (a NaN's bits, which
   * no age has, for none): the same few dozen ages recur person after
   * person, so most cells skip the hash set's lookup. */
  uint64_t seen[256];
  for (size_t j = 0; j < 256; j++) seen[j] = 0x7ff8deadbeef0000ULL;
  for (size_t a = 0; ok && a < n; a++) {
    uint64_t b;
    double v = age[a] == 0.0 ? 0.0 : age[a]; /* -0 is 0 */
    memcpy(&b, &v, sizeof b);
    uint64_t *slot = &seen[(b ^ (b >> 32) ^ (b >> 45)) & 255];
    if (*slot == b) continue;
    *slot = b;
    ok = age_set_add(&s, v);
  }
  if (ok) {
    age_set_sort(&s);
    *grid = s.ages;
    *T = s.count;
    s.ages = NULL; /* the caller's now */
  }
  age_set_free(&s);
  return ok;
}

/* The index of a in grid[0..T), which holds it. */
static uint32_t grid_index(const double *grid, size_t T, double a, uint32_t guess) {
  if (guess < T && grid[guess] == a) return guess;
  size_t lo = 0, hi = T - 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (grid[mid] < a) lo = mid + 1;
    else hi = mid;
  }
  return (uint32_t)lo;
}

/* ---- the panel ------------------------------------------------------------ */

/* Threads for a panel of n cells: all from PARALLEL_CELLS cells, else one
 * (waking threads costs more than a small panel's passes). */
#define PARALLEL_CELLS ((size_t)1 << 20)
static int threads_for(size_t n) { return n >= PARALLEL_CELLS ? omp_get_max_threads() : 1; }

/* The values of covariates into p (cells in entry order, which is p's cell
 * order), checking that risk factors are constant per person. */
static gbtm_status fill_covariates(gbtm_panel *p, const size_t *start, const panel_covariates_in *covariates,
                                   const char *source, gbtm_error *err) {
  size_t R = (size_t)covariates->n_risk, C = (size_t)covariates->n_tcov, nc = R + C;
  const bool weight = covariates->weight_last && R > 0; /* the last risk factor is the weight (eq. W) */
  p->n_risk = covariates->n_risk;
  p->n_tcov = covariates->n_tcov;
  for (size_t j = 0; j < R; j++) snprintf(p->risk_name[j], GBTM_NAME_MAX, "%s", covariates->risk_name[j]);
  for (size_t j = 0; j < C; j++) snprintf(p->tcov_name[j], GBTM_NAME_MAX, "%s", covariates->tcov_name[j]);
  if (R && !(p->risk = malloc(p->n * R * sizeof *p->risk)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the risk factors");
  if (C && (!(p->tcov = malloc(p->n_obs * C * sizeof *p->tcov)) ||
            !(p->obs_start = malloc((p->n + 1) * sizeof *p->obs_start))))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the time-varying covariates");
  for (size_t i = 0; i < p->n; i++) {
    const double *first = covariates->values + start[i] * nc;
    for (size_t j = 0; j < R; j++) p->risk[i * R + j] = first[j];
    for (size_t a = start[i]; a < start[i + 1]; a++) {
      const double *v = covariates->values + a * nc;
      for (size_t j = 0; j < R; j++)
        if (v[j] != first[j] || (weight && j == R - 1 && !(isfinite(v[j]) && v[j] > 0.0))) {
          char col[32] = "";
          if (covariates->column[j]) snprintf(col, sizeof col, ":%zu", covariates->column[j]);
          if (weight && j == R - 1 && v[j] == first[j]) /* eq. W */
            return gbtm_fail(err, GBTM_ERR_DATA, "%s:%zu%s: weight \"%s\" is %.17g; a weight must be finite and > 0",
                             source, a + 1, col, covariates->risk_name[j], v[j]);
          if (weight && j == R - 1)
            return gbtm_fail(err, GBTM_ERR_DATA,
                             "%s:%zu%s: weight \"%s\" of person %s varies within the person "
                             "(%.17g here, %.17g on line %zu); a weight is one value per person",
                             source, a + 1, col, covariates->risk_name[j], p->id[i], v[j], first[j], start[i] + 1);
          return gbtm_fail(err, GBTM_ERR_DATA,
                           "%s:%zu%s: risk factor \"%s\" of person %s varies within the person "
                           "(%.17g here, %.17g on line %zu); a risk factor is time-stable",
                           source, a + 1, col, covariates->risk_name[j], p->id[i], v[j], first[j], start[i] + 1);
        }
      for (size_t j = 0; j < C; j++) p->tcov[a * C + j] = v[R + j];
    }
  }
  if (C) memcpy(p->obs_start, start, (p->n + 1) * sizeof *p->obs_start);
  return GBTM_OK;
}

/* Allocates the CSR arrays of p for the counted cells. */
gbtm_status panel_build_sorted(size_t n_persons, const size_t *start, char **ids, const double *age,
                               const int32_t *count, const double *exposure, const panel_covariates_in *covariates,
                               const char *source, gbtm_panel **out, bool *sorted, gbtm_error *err) {
  *out = NULL;
  *sorted = true;
  size_t n = start[n_persons];
  if (n == 0 || n_persons == 0) return gbtm_fail(err, GBTM_ERR_PARSE, "%s: no data rows", source);
  gbtm_panel *p = calloc(1, sizeof *p);
  uint32_t *t = malloc(n * sizeof *t);
  double *grid = NULL;
  size_t T = 0;
  gbtm_status st = GBTM_OK;
  if (!p || !t || !age_grid(age, n, &grid, &T)) goto nomem;
  p->n = n_persons;
  p->T = T;
  p->age = grid;
  p->n_obs = n;

  /* 2. grid indices, strictly ascending within each person */
  int nt = threads_for(n);
  bool unsorted = false;
#pragma omp parallel for schedule(static) num_threads(nt) reduction(|| : unsorted) if (nt > 1)
  for (size_t i = 0; i < n_persons; i++) {
    uint32_t guess = 0;
    for (size_t a = start[i]; a < start[i + 1] && !unsorted; a++) {
      uint32_t u = grid_index(grid, T, age[a], guess);
      if (a > start[i] && u <= t[a - 1]) unsorted = true;
      t[a] = u;
      guess = u + 1;
    }
  }
  if (unsorted) {
    *sorted = false;
    free(t);
    p->age = NULL;
    free(grid);
    free(p);
    return GBTM_OK;
  }

  /* 3. windows and CSR offsets, then the cells */
  p->lo = malloc(n_persons * sizeof *p->lo);
  p->hi = malloc(n_persons * sizeof *p->hi);
  p->skip_start = malloc((n_persons + 1) * sizeof *p->skip_start);
  p->nz_start = malloc((n_persons + 1) * sizeof *p->nz_start);
  p->ex_start = malloc((n_persons + 1) * sizeof *p->ex_start);
  if (!p->lo || !p->hi || !p->skip_start || !p->nz_start || !p->ex_start) goto nomem;
  /* each person's skip, nonzero and exception cells, then their offsets */
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
  for (size_t i = 0; i < n_persons; i++) {
    size_t a0 = start[i], a1 = start[i + 1], ex = 0, nz = 0;
    p->lo[i] = t[a0];
    p->hi[i] = t[a1 - 1];
    for (size_t a = a0; a < a1; a++) {
      if (exposure && exposure[a] != 1.0) ex++;
      else if (count[a] != 0) nz++;
    }
    p->skip_start[i] = (size_t)(p->hi[i] - p->lo[i]) + 1 - (a1 - a0) + ex; /* gaps and exceptions */
    p->nz_start[i] = nz;
    p->ex_start[i] = ex;
  }
  size_t n_skip = 0, n_nz = 0, n_ex = 0;
  for (size_t i = 0; i < n_persons; i++) {
    size_t skip = p->skip_start[i], nz = p->nz_start[i], ex = p->ex_start[i];
    p->skip_start[i] = n_skip;
    p->nz_start[i] = n_nz;
    p->ex_start[i] = n_ex;
    n_skip += skip;
    n_nz += nz;
    n_ex += ex;
  }
  p->skip_start[n_persons] = n_skip;
  p->nz_start[n_persons] = n_nz;
  p->ex_start[n_persons] = n_ex;
  if (!panel_alloc_cells(p)) goto nomem;
  /* the cells, each thread a run of persons from their offsets; the
   * totals are sums of integers (exact in doubles below 2^53), so the
   * same bits whatever the runs */
  size_t n_nonzero = 0;
  double total = 0.0;
  bool has_exposure = false;
#pragma omp parallel num_threads(nt) if (nt > 1) reduction(+ : n_nonzero, total) reduction(|| : has_exposure)
  {
    int k = omp_get_thread_num(), m = omp_get_num_threads();
    size_t i0 = n_persons * (size_t)k / (size_t)m, i1 = n_persons * (size_t)(k + 1) / (size_t)m;
    panel_filler f;
    panel_filler_init(&f);
    if (i0 < i1) f.s = p->skip_start[i0], f.z = p->nz_start[i0], f.x = p->ex_start[i0];
    for (size_t i = i0; i < i1; i++) {
      panel_fill_person(p, &f, i);
      for (size_t a = start[i]; a < start[i + 1]; a++)
        panel_fill_cell(p, &f, t[a], count[a], exposure ? exposure[a] : 1.0);
    }
    n_nonzero += f.n_nonzero;
    total += f.total;
    has_exposure = has_exposure || f.has_exposure;
  }
  p->n_nonzero = n_nonzero;
  p->total = total;
  p->has_exposure = has_exposure;
  free(t);
  t = NULL;
  p->id = ids; /* from here on the panel's */
  if (covariates && covariates->n_risk + covariates->n_tcov > 0 && (st = fill_covariates(p, start, covariates, source, err)) != GBTM_OK) {
    p->id = NULL;
    p->n = 0;
    gbtm_panel_free(p);
    return st;
  }
  *out = p;
  return GBTM_OK;

nomem:
  free(t);
  if (p) {
    p->id = NULL;
    p->n = 0;
    if (!p->age) free(grid);
    gbtm_panel_free(p);
  }
  return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory building the panel");
}
