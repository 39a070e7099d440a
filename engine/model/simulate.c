/* simulate.c: draws synthetic offence panels from a model (DESIGN §6,
 * simulate.*), and holds the built-in cohorts ("presets") with their true
 * models. Simulation is how recovery and coverage are tested (DESIGN §4) and
 * how the rapporteur-2024 cohort stands in for data that is not public.
 *
 * A person is drawn in this order, all from one GSL mt19937 stream seeded
 * with design->seed, so that a seed fixes the panel:
 *   1. the group k from the shares pi = softmax(theta) (eq. M);
 *   2. the end age, uniform among the integers end_lo..age_hi;
 *   3. per integer age a = age_lo..end: missing with probability gap_prob;
 *      otherwise the exposure E (1, or with probability custody_prob uniform
 *      in (0.1, 0.9)) and the count from the family's sampler at
 *      eta = x_a'beta_k and, for zero-inflated groups, zeta = x_a'alpha_k
 *      (eq. P / eq. Z).
 * A person whose cells all went missing keeps one of them, drawn uniformly,
 * so that every person is observed at least once.
 *
 * The panel is built directly (build_panel), so that a million persons
 * need little more memory than their panel: rows as panel_build() takes
 * them would hold 48 bytes per cell. */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/basis.h"
#include "base/error.h"
#include "families/family.h"
#include "panel/panel.h"
#include "gbtm_presets.h"
#include "model/simulate_covariates.h"

/* Largest rate (expected count per unit exposure) a simulation accepts: far
 * beyond any offence count, and small enough that a count fits the panel's
 * 32-bit cells. */
#define SIM_MAX_RATE 1e6
/* Largest number of ages per person (age_hi - age_lo + 1). */
#define SIM_MAX_AGES 10000

static bool is_integer(double x) { return isfinite(x) && x == floor(x) && fabs(x) <= 1e6; }

static gbtm_status check_design(const gbtm_sim_design *d, gbtm_error *err) {
  if (d->n < 1) return gbtm_fail(err, GBTM_ERR_USAGE, "simulation: n must be at least 1");
  if (d->n > UINT32_MAX)
    return gbtm_fail(err, GBTM_ERR_USAGE, "simulation: at most %lu persons (got %zu)",
                     (unsigned long)UINT32_MAX, d->n);
  if (!is_integer(d->age_lo) || !is_integer(d->end_lo) || !is_integer(d->age_hi))
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "simulation: ages must be integers between -1e6 and 1e6 (age_lo %g, "
                     "end_lo %g, age_hi %g)",
                     d->age_lo, d->end_lo, d->age_hi);
  if (!(d->age_lo <= d->end_lo && d->end_lo <= d->age_hi))
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "simulation: ages must satisfy age_lo <= end_lo <= age_hi (got %g, %g, %g)",
                     d->age_lo, d->end_lo, d->age_hi);
  if (d->age_hi - d->age_lo + 1 > SIM_MAX_AGES)
    return gbtm_fail(err, GBTM_ERR_USAGE, "simulation: at most %d ages per person (got %g..%g)",
                     SIM_MAX_AGES, d->age_lo, d->age_hi);
  if (!(d->gap_prob >= 0.0 && d->gap_prob < 1.0))
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "simulation: gap probability must lie in [0, 1) (got %g)", d->gap_prob);
  if (!(d->custody_prob >= 0.0 && d->custody_prob <= 1.0))
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "simulation: custody probability must lie in [0, 1] (got %g)",
                     d->custody_prob);
  return GBTM_OK;
}

static gbtm_status check_model(const gbtm_model *m, gbtm_error *err) {
  if (!gbtm_family_valid(m->family))
    return gbtm_fail(err, GBTM_ERR_USAGE, "simulation: unknown model family %d", (int)m->family);
  if (m->groups < 1 || m->groups > GBTM_MAX_GROUPS)
    return gbtm_fail(err, GBTM_ERR_USAGE, "simulation: the model has %d groups (1 to %d)",
                     m->groups, GBTM_MAX_GROUPS);
  if (!(isfinite(m->centre) && isfinite(m->scale) && m->scale > 0.0))
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "simulation: the basis needs a finite centre and a scale > 0 (got %g, %g)",
                     m->centre, m->scale);
  for (int k = 0; k < m->groups; k++) {
    if (m->order[k] < 0 || m->order[k] > GBTM_MAX_ORDER)
      return gbtm_fail(err, GBTM_ERR_USAGE, "simulation: group %d has order %d (0 to %d)", k + 1,
                       m->order[k], GBTM_MAX_ORDER);
    if (gbtm_family_zero_inflated(m->family) && (m->iorder[k] < -1 || m->iorder[k] > GBTM_MAX_ORDER))
      return gbtm_fail(err, GBTM_ERR_USAGE,
                       "simulation: group %d has zero-inflation order %d (-1 to %d)", k + 1,
                       m->iorder[k], GBTM_MAX_ORDER);
    if (!isfinite(m->theta[k]))
      return gbtm_fail(err, GBTM_ERR_USAGE, "simulation: group %d has a non-finite theta",
                       k + 1);
    if (model_has_phi(m) && !(isfinite(m->phi[k]) && m->phi[k] > 0.0))
      return gbtm_fail(err, GBTM_ERR_USAGE, "simulation: group %d has %s %g (a finite number > 0 expected)", k + 1,
                       gbtm_family_phi_name(m->family), m->phi[k]);
  }
  return GBTM_OK;
}

/* eta[k * A + a] = x_a'beta_k and zeta likewise (x_a'alpha_k) at the A
 * integer ages age_lo.. of the design; rejects rates that cannot be drawn. */
bool simulable(const gbtm_model *m, int k, double eta, double zeta) {
  family_par fp = model_family_par(m, k);
  double mu = family_get(m->family)->expected(eta, model_inflated(m, k) ? &zeta : NULL, &fp);
  return isfinite(mu) && fabs(mu) <= SIM_MAX_RATE;
}

static gbtm_status trajectory_tables(const gbtm_model *m, double age_lo, size_t A, double *eta,
                                     double *zeta, gbtm_error *err) {
  for (int k = 0; k < m->groups; k++) {
    for (size_t a = 0; a < A; a++) {
      double age = age_lo + (double)a, x[GBTM_MAX_COEF], v = 0.0, w = 0.0;
      basis_row(age, m->centre, m->scale, GBTM_MAX_COEF, x);
      for (int j = 0; j <= m->order[k]; j++) v += x[j] * m->beta[k][j];
      if (model_inflated(m, k))
        for (int j = 0; j <= m->iorder[k]; j++) w += x[j] * m->alpha[k][j];
      if (!isfinite(v) || !isfinite(w) || !simulable(m, k, v, w))
        return gbtm_fail(err, GBTM_ERR_USAGE,
                         "simulation: group %d has the %s %g at age %g, beyond what can be simulated (at most %g)",
                         k + 1, gbtm_family_expected_name(m->family), gbtm_model_expected(m, k, age), age,
                         SIM_MAX_RATE);
      eta[(size_t)k * A + a] = v;
      zeta[(size_t)k * A + a] = w;
    }
  }
  return GBTM_OK;
}

/* The ids "P000001", ... (at least six digits); NULL when out of memory, in
 * which case nothing is left allocated. */
static char **make_ids(size_t n) {
  char **ids = calloc(n, sizeof *ids);
  if (!ids) return NULL;
  for (size_t i = 0; i < n; i++) {
    char buf[32], *q = buf + sizeof buf; /* "P%06zu" of i + 1, written backwards */
    size_t v = i + 1, digits = 0;
    *--q = '\0';
    do *--q = (char)('0' + v % 10), digits++; while ((v /= 10) > 0 || digits < 6);
    *--q = 'P';
    size_t len = (size_t)(buf + sizeof buf - q) - 1;
    ids[i] = malloc(len + 1);
    if (!ids[i]) {
      for (size_t j = 0; j < i; j++) free(ids[j]);
      free(ids);
      return NULL;
    }
    memcpy(ids[i], q, len + 1);
  }
  return ids;
}

static int draw_group(gsl_rng *rng, const double *cum, int K) {
  double u = gsl_rng_uniform(rng);
  for (int k = 0; k < K - 1; k++)
    if (u < cum[k]) return k;
  return K - 1;
}

/* What the draws of one simulation without covariates need. */
typedef struct sim_state {
  const gbtm_sim_design *d;
  const gbtm_family *fam;
  const gbtm_model *model;
  const double *eta, *zeta; /* K x A: x_a'beta_k, x_a'alpha_k */
  double cum[GBTM_MAX_GROUPS]; /* cumulative shares */
  size_t A, first_end;         /* ages per person at most; index of end_lo */
  unsigned long n_end;         /* possible end ages */
  gsl_rng *rng;
} sim_state;

/* One observed cell of a person: age index a (age_lo + a), count, exposure. */
typedef struct sim_cell {
  size_t a;
  double y;
  double e;
} sim_cell;

/* Draws the next person from the stream, in the order of the top comment:
 * its group into *k and its cells, ascending in age, into cells (room for
 * A); returns how many. */
static size_t draw_person(sim_state *s, int *k, sim_cell *cells) {
  const gbtm_sim_design *d = s->d;
  gsl_rng *rng = s->rng;
  *k = draw_group(rng, s->cum, s->model->groups);
  size_t last = s->first_end + (size_t)gsl_rng_uniform_int(rng, s->n_end); /* end age index */
  size_t m = 0;
  for (size_t a = 0; a <= last; a++) {
    if (d->gap_prob > 0.0 && gsl_rng_uniform(rng) < d->gap_prob) continue;
    cells[m++].a = a;
  }
  if (m == 0) /* every cell missing: keep one */
    cells[m++].a = (size_t)gsl_rng_uniform_int(rng, last + 1);
  const double *eta_k = s->eta + (size_t)*k * s->A, *zeta_k = s->zeta + (size_t)*k * s->A;
  bool inflated = model_inflated(s->model, *k);
  const family_par fp = model_family_par(s->model, *k);
  for (size_t r = 0; r < m; r++) {
    size_t a = cells[r].a;
    double E = 1.0;
    if (d->custody_prob > 0.0 && gsl_rng_uniform(rng) < d->custody_prob)
      E = 0.1 + 0.8 * gsl_rng_uniform_pos(rng); /* (0.1, 0.9) */
    cells[r].e = E;
    cells[r].y = s->fam->sample(rng, eta_k[a], inflated ? &zeta_k[a] : NULL, &fp, E);
  }
  return m;
}

/* The drawn cells of every person, compactly, between the two passes of
 * build_panel: age index, response and whether the exposure differs from 1
 * per cell (11 bytes), and the exposures of those cells only, in order. */
typedef struct cell_store {
  uint16_t *a;
  double *y;
  uint8_t *exception;
  double *e;
  size_t n, cap, ne, ecap;
} cell_store;

/* Capacity for need cells: doubled, or need. */
static size_t grown(size_t cap, size_t need) { return cap * 2 > need ? cap * 2 : need; }

static bool store_add(cell_store *cs, const sim_cell *cells, size_t m) {
  if (cs->n + m > cs->cap) {
    size_t cap = grown(cs->cap, cs->n + m);
    uint16_t *a = realloc(cs->a, cap * sizeof *a);
    if (a) cs->a = a;
    double *y = realloc(cs->y, cap * sizeof *y);
    if (y) cs->y = y;
    uint8_t *x = realloc(cs->exception, cap * sizeof *x);
    if (x) cs->exception = x;
    if (!a || !y || !x) return false;
    cs->cap = cap;
  }
  for (size_t r = 0; r < m; r++) {
    cs->a[cs->n + r] = (uint16_t)cells[r].a;
    cs->y[cs->n + r] = cells[r].y;
    cs->exception[cs->n + r] = cells[r].e != 1.0;
    if (cells[r].e == 1.0) continue;
    if (cs->ne == cs->ecap) {
      size_t cap = grown(cs->ecap, cs->ne + 1);
      double *e = realloc(cs->e, cap * sizeof *e);
      if (!e) return false;
      cs->e = e, cs->ecap = cap;
    }
    cs->e[cs->ne++] = cells[r].e;
  }
  cs->n += m;
  return true;
}

/* The panel of the draws, built directly in the layout of panel.h (what
 * panel_build() makes of the same rows, with the same numbers, without
 * rows of 48 bytes per cell): a first pass draws every person, keeps its
 * cells compactly, counts them and marks the ages observed, which fixes
 * the age grid and every array's size; a second pass fills the arrays. */
static gbtm_status build_panel(sim_state *s, int *group, gbtm_panel **out, gbtm_error *err) {
  const size_t n = s->d->n, A = s->A;
  gbtm_panel *p = calloc(1, sizeof *p);
  sim_cell *cells = malloc(A * sizeof *cells);
  size_t *rank = calloc(A + 1, sizeof *rank); /* grid index of age index a; seen while counting */
  cell_store cs = {0};
  _Static_assert(SIM_MAX_AGES <= UINT16_MAX, "an age index fits the cell store");
  double mean_cells = (double)s->first_end + 1.0 + 0.5 * (double)(s->n_end - 1);
  cs.cap = (size_t)((double)n * mean_cells * (1.0 - s->d->gap_prob) * 1.02) + 2 * A;
  cs.a = malloc(cs.cap * sizeof *cs.a);
  cs.y = malloc(cs.cap * sizeof *cs.y);
  cs.exception = malloc(cs.cap * sizeof *cs.exception);
  gbtm_status st = GBTM_OK;
  if (!p || !cells || !rank || !cs.a || !cs.y || !cs.exception) goto nomem;
  p->n = n;
  p->id = make_ids(n);
  p->lo = malloc(n * sizeof *p->lo);
  p->hi = malloc(n * sizeof *p->hi);
  p->skip_start = calloc(n + 1, sizeof *p->skip_start);
  p->nz_start = calloc(n + 1, sizeof *p->nz_start);
  p->ex_start = calloc(n + 1, sizeof *p->ex_start);
  if (!p->id || !p->lo || !p->hi || !p->skip_start || !p->nz_start || !p->ex_start) goto nomem;

  /* 1. Draw: per person its cells (counted in skip_start[i + 1] for now),
   * regular nonzero cells and exception cells; the first and last age
   * index. */
  gsl_rng_set(s->rng, (unsigned long)s->d->seed);
  size_t n_nonzero = 0;
  double total = 0.0;
  for (size_t i = 0; i < n; i++) {
    int k;
    size_t m = draw_person(s, &k, cells), nz = 0, ex = 0;
    if (group) group[i] = k;
    if (!store_add(&cs, cells, m)) goto nomem;
    for (size_t r = 0; r < m; r++) {
      rank[cells[r].a] = 1;
      n_nonzero += cells[r].y != 0.0;
      total += cells[r].y;
      if (cells[r].e != 1.0) ex++;
      else nz += cells[r].y != 0.0;
    }
    p->lo[i] = (uint32_t)cells[0].a;
    p->hi[i] = (uint32_t)cells[m - 1].a;
    p->skip_start[i + 1] = m;
    p->nz_start[i + 1] = nz;
    p->ex_start[i + 1] = ex;
  }

  /* 2. The grid: the ages observed at least once. */
  size_t T = 0;
  for (size_t a = 0; a < A; a++) T += rank[a] != 0;
  p->T = T;
  p->age = malloc(T * sizeof *p->age);
  if (!p->age) goto nomem;
  for (size_t a = 0, t = 0; a < A; a++)
    if (rank[a]) {
      p->age[t] = s->d->age_lo + (double)a;
      rank[a] = t++;
    }
  /* windows on the grid, and the offsets: a person's skip cells are the
   * grid ages of its window it was not observed at, and its exception cells */
  size_t n_skip = 0, n_nz = 0, n_ex = 0;
  for (size_t i = 0; i < n; i++) {
    p->lo[i] = (uint32_t)rank[p->lo[i]];
    p->hi[i] = (uint32_t)rank[p->hi[i]];
    size_t m = p->skip_start[i + 1], nz = p->nz_start[i + 1], ex = p->ex_start[i + 1];
    p->skip_start[i] = n_skip;
    p->nz_start[i] = n_nz;
    p->ex_start[i] = n_ex;
    n_skip += (size_t)(p->hi[i] - p->lo[i]) + 1 - m + ex;
    n_nz += nz;
    n_ex += ex;
  }
  p->skip_start[n] = n_skip;
  p->nz_start[n] = n_nz;
  p->ex_start[n] = n_ex;
  if (!panel_alloc_cells(p)) goto nomem;

  /* 3. Fill, as panel_build() does: ascending in t within each person. */
  size_t sk = 0, z = 0, x = 0, cell = 0;
  for (size_t i = 0; i < n; i++) {
    size_t window = (size_t)(p->hi[i] - p->lo[i]) + 1;
    size_t m = window - (p->skip_start[i + 1] - p->skip_start[i]) + (p->ex_start[i + 1] - p->ex_start[i]);
    uint32_t next = p->lo[i];
    for (size_t r = 0; r < m; r++, cell++) {
      uint32_t t = (uint32_t)rank[cs.a[cell]];
      for (uint32_t u = next; u < t; u++) p->skip_t[sk++] = u; /* gaps */
      next = t + 1;
      bool exception = cs.exception[cell];
      double y = cs.y[cell];
      if (exception) {
        double e = cs.e[x];
        p->skip_t[sk++] = t;
        p->ex_t[x] = t;
        p->ex_y[x] = y;
        p->ex_e[x++] = e;
      } else if (y != 0.0) {
        p->nz_t[z] = t;
        p->nz_y[z++] = y;
      }
    }
  }
  p->n_obs = cs.n;
  p->n_nonzero = n_nonzero;
  p->total = total;
  p->has_exposure = n_ex > 0;
  free(cells);
  free(rank);
  free(cs.a), free(cs.y), free(cs.exception), free(cs.e);
  *out = p;
  return GBTM_OK;

nomem:
  st = gbtm_fail(err, GBTM_ERR_NOMEM, "simulation: out of memory for %zu persons", n);
  free(cells);
  free(rank);
  free(cs.a), free(cs.y), free(cs.exception), free(cs.e);
  gbtm_panel_free(p);
  return st;
}

gbtm_status gbtm_simulate(const gbtm_model *model, const gbtm_sim_design *design,
                          gbtm_panel **out, int *group, gbtm_error *err) {
  *out = NULL;
  gbtm_status st = check_design(design, err);
  if (st == GBTM_OK) st = check_model(model, err);
  if (st == GBTM_OK && design->custody_prob > 0.0 && family_exposure_why(model->family, 0.5))
    st = gbtm_fail(err, GBTM_ERR_USAGE, "simulation: the %s family has no exposure, so no time in custody (--custody)",
                   gbtm_family_name(model->family));
  if (st != GBTM_OK) return st;
  if (model->n_risk > 0 || model->n_tcov > 0) return simulate_covariates(model, design, out, group, err);

  sim_state s = {.d = design, .fam = family_get(model->family), .model = model};
  s.A = (size_t)(design->age_hi - design->age_lo) + 1; /* ages per person at most */
  s.n_end = (unsigned long)(design->age_hi - design->end_lo) + 1;
  s.first_end = (size_t)(design->end_lo - design->age_lo);
  const int K = model->groups;
  double *eta = malloc((size_t)K * s.A * sizeof *eta);
  double *zeta = malloc((size_t)K * s.A * sizeof *zeta);
  s.rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!eta || !zeta || !s.rng) {
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "simulation: out of memory for %zu persons", design->n);
  } else if ((st = trajectory_tables(model, design->age_lo, s.A, eta, zeta, err)) == GBTM_OK) {
    s.eta = eta, s.zeta = zeta;
    double share[GBTM_MAX_GROUPS], acc = 0.0;
    gbtm_model_shares(model, share);
    for (int k = 0; k < K; k++) s.cum[k] = acc += share[k];
    st = build_panel(&s, group, out, err);
  }
  gsl_rng_free(s.rng);
  free(eta);
  free(zeta);
  return st;
}

/* ---- presets ----------------------------------------------------------- */

/* A group whose log-rate is a parabola in age: the rate peaks at age `mode`
 * with height `peak` and falls to peak/e at mode +- width:
 *   log lambda(a) = log(peak) - ((a - mode) / width)^2.
 * With a = c + h s (s on the model's basis), (a - mode) = h s + d with
 * d = c - mode, so exactly
 *   beta_0 = log(peak) - d^2/width^2, beta_1 = -2 h d/width^2, beta_2 = -h^2/width^2. */
static void parabola(gbtm_model *m, int k, double peak, double mode, double width) {
  double d = m->centre - mode, h = m->scale, w2 = width * width;
  m->order[k] = 2;
  m->iorder[k] = -1;
  m->beta[k][0] = log(peak) - d * d / w2;
  m->beta[k][1] = -2.0 * h * d / w2;
  m->beta[k][2] = -h * h / w2;
}

/* rapporteur-2024: 630 offenders of domestic sexual exploitation (National
 * Rapporteur, "Brede blik op daderschap", 28 February 2024; figures as the
 * government's reply summarises them, datasets/refdata/README.md). Not
 * public, and so chosen here: Poisson counts of offences per year of age,
 * order 2 in every group, ages 12..45, no exposure correction.
 *
 * Published figure                         -> choice here
 * - 630 offenders                          -> default n = 630
 * - four groups, 36/28/21/15%              -> shares 0.36, 0.28, 0.21, 0.15
 * - early peak: offending peaks at 15-22   -> peak 1.0 at 18.5, width 5
 * - late peak: offending peaks at 22-33    -> peak 0.9 at 27, width 10
 * - continuous: the most offences          -> peak 1.6 at 25, width 14: the
 *                                             highest rate at every age 12..45
 * - incidental: first trafficking offence  -> peak 0.15 at 31, width 11: the
 *   at 30.4 on average; 29% start their       lowest mean rate; 29.5% of the
 *   career with that case                     group has no offence before 30
 * - 65% first offended as minors           -> 60% expected to offend at 12..17
 *                                             (with the first guesses, width 7
 *                                             for incidental and 6 for late
 *                                             peak, it was 44%; a log-quadratic
 *                                             incidental group cannot reach 65%
 *                                             and keep its late start)
 * - mean age 27, eight earlier cases       -> 7.0 expected offences at 12..26
 * The groups are in the order of DESIGN §3 (increasing mean expected count
 * over 12..45: 0.083, 0.255, 0.460, 1.045), so the reference group 1, with
 * theta = 0, is the incidental group.
 * Design: careers observed from age 12 to an end age uniform in 24..45, so
 * that every career covers the ages under 25 at which 52% of the adult
 * first trafficking offences fell; 2% of years missing; no custody unless
 * asked for. */
static void preset_rapporteur_2024(size_t n, uint64_t seed, gbtm_model *m, gbtm_sim_design *d) {
  static const double share[4] = {0.36, 0.28, 0.21, 0.15};
  memset(m, 0, sizeof *m);
  m->family = GBTM_POISSON;
  m->groups = 4;
  m->age_min = 12.0;
  m->age_max = 45.0;
  m->centre = 28.5; /* ages 12..45 map onto [-1, 1] */
  m->scale = 16.5;
  for (int k = 0; k < 4; k++) m->theta[k] = log(share[k] / share[0]);
  parabola(m, 0, 0.15, 31.0, 11.0); /* incidental */
  parabola(m, 1, 1.0, 18.5, 5.0);   /* early peak */
  parabola(m, 2, 0.9, 27.0, 10.0);  /* late peak */
  parabola(m, 3, 1.6, 25.0, 14.0);  /* continuous */

  memset(d, 0, sizeof *d);
  d->n = n ? n : 630;
  d->age_lo = 12.0;
  d->end_lo = 24.0;
  d->age_hi = 45.0;
  d->gap_prob = 0.02;
  d->custody_prob = 0.0;
  d->seed = seed;
}

bool model_preset(const char *name, size_t n, uint64_t seed, gbtm_model *model,
                  gbtm_sim_design *design) {
  /* rapporteur-2024-profiles: the same model and design, so the same panel
   * for a seed; its person characteristics come from simulate_profiles.c */
  if (name && (strcmp(name, "rapporteur-2024") == 0 || strcmp(name, "rapporteur-2024-profiles") == 0)) {
    preset_rapporteur_2024(n, seed, model, design);
    return true;
  }
  if (name && strcmp(name, "rapporteur-2024-covariates") == 0) {
    preset_rapporteur_2024(n, seed, model, design);
    preset_rapporteur_2024_covariates(model, design);
    return true;
  }
  return false;
}

gbtm_status gbtm_preset(const char *name, size_t n, uint64_t seed, gbtm_model **model,
                        gbtm_sim_design *design, gbtm_error *err) {
  *model = NULL;
  gbtm_model m;
  gbtm_sim_design d;
  if (!model_preset(name, n, seed, &m, &d))
    return gbtm_fail(err, GBTM_ERR_USAGE, "unknown preset \"%s\"", name ? name : "");
  if (!(*model = gbtm_model_copy(&m))) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory");
  *design = d;
  return GBTM_OK;
}
