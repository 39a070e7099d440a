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
 * Rows are generated person by person in ascending age, so the sort inside
 * panel_build() meets rows already in order. */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basis.h"
#include "error.h"
#include "family.h"
#include "panel.h"
#include "simulate_cov.h"

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

static bool has_inflation(const gbtm_model *m, int k) {
  return m->family == GBTM_ZIP && m->iorder[k] >= 0;
}

static gbtm_status check_model(const gbtm_model *m, gbtm_error *err) {
  if (m->family != GBTM_POISSON && m->family != GBTM_ZIP)
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
    if (m->family == GBTM_ZIP && (m->iorder[k] < -1 || m->iorder[k] > GBTM_MAX_ORDER))
      return gbtm_fail(err, GBTM_ERR_USAGE,
                       "simulation: group %d has zero-inflation order %d (-1 to %d)", k + 1,
                       m->iorder[k], GBTM_MAX_ORDER);
    if (!isfinite(m->theta[k]))
      return gbtm_fail(err, GBTM_ERR_USAGE, "simulation: group %d has a non-finite theta",
                       k + 1);
  }
  return GBTM_OK;
}

/* eta[k * A + a] = x_a'beta_k and zeta likewise (x_a'alpha_k) at the A
 * integer ages age_lo.. of the design; rejects rates that cannot be drawn. */
static gbtm_status trajectory_tables(const gbtm_model *m, double age_lo, size_t A, double *eta,
                                     double *zeta, gbtm_error *err) {
  for (int k = 0; k < m->groups; k++) {
    for (size_t a = 0; a < A; a++) {
      double age = age_lo + (double)a, x[GBTM_MAX_COEF], v = 0.0, w = 0.0;
      basis_row(age, m->centre, m->scale, GBTM_MAX_COEF, x);
      for (int j = 0; j <= m->order[k]; j++) v += x[j] * m->beta[k][j];
      if (has_inflation(m, k))
        for (int j = 0; j <= m->iorder[k]; j++) w += x[j] * m->alpha[k][j];
      if (!(isfinite(v) && exp(v) <= SIM_MAX_RATE) || !isfinite(w))
        return gbtm_fail(err, GBTM_ERR_USAGE,
                         "simulation: group %d has rate exp(%g) at age %g, beyond what can be "
                         "simulated (at most %g)",
                         k + 1, v, age, SIM_MAX_RATE);
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
    char buf[32];
    int len = snprintf(buf, sizeof buf, "P%06zu", i + 1);
    ids[i] = malloc((size_t)len + 1);
    if (!ids[i]) {
      for (size_t j = 0; j < i; j++) free(ids[j]);
      free(ids);
      return NULL;
    }
    memcpy(ids[i], buf, (size_t)len + 1);
  }
  return ids;
}

static int draw_group(gsl_rng *rng, const double *cum, int K) {
  double u = gsl_rng_uniform(rng);
  for (int k = 0; k < K - 1; k++)
    if (u < cum[k]) return k;
  return K - 1;
}

gbtm_status gbtm_simulate(const gbtm_model *model, const gbtm_sim_design *design,
                          gbtm_panel **out, int *group, gbtm_error *err) {
  *out = NULL;
  gbtm_status st = check_design(design, err);
  if (st == GBTM_OK) st = check_model(model, err);
  if (st != GBTM_OK) return st;
  if (model->n_risk > 0 || model->n_tcov > 0) return simulate_covariates(model, design, out, group, err);

  const size_t n = design->n;
  const size_t A = (size_t)(design->age_hi - design->age_lo) + 1; /* ages per person at most */
  const unsigned long n_end = (unsigned long)(design->age_hi - design->end_lo) + 1;
  const size_t first_end = (size_t)(design->end_lo - design->age_lo); /* index of end_lo */
  const int K = model->groups;
  const gbtm_family *fam = family_get(model->family);

  if (n > SIZE_MAX / sizeof(panel_row) / A)
    return gbtm_fail(err, GBTM_ERR_NOMEM, "simulation: %zu persons x %zu ages is too large", n,
                     A);
  double *eta = malloc((size_t)K * A * sizeof *eta);
  double *zeta = malloc((size_t)K * A * sizeof *zeta);
  /* Capacity for the observed cells: the expected number plus a margin,
   * grown by doubling if the draws exceed it. */
  double mean_cells = (double)first_end + 1.0 + 0.5 * (double)(n_end - 1);
  size_t cap = (size_t)((double)n * mean_cells * (1.0 - design->gap_prob) * 1.02) + 2 * A;
  if (cap > n * A) cap = n * A;
  panel_row *rows = malloc(cap * sizeof *rows);
  char **ids = make_ids(n);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!eta || !zeta || !rows || !ids || !rng) {
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "simulation: out of memory for %zu persons", n);
    goto fail;
  }
  st = trajectory_tables(model, design->age_lo, A, eta, zeta, err);
  if (st != GBTM_OK) goto fail;

  double share[GBTM_MAX_GROUPS], cum[GBTM_MAX_GROUPS], acc = 0.0;
  gbtm_model_shares(model, share);
  for (int k = 0; k < K; k++) cum[k] = acc += share[k];

  gsl_rng_set(rng, (unsigned long)design->seed);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    int k = draw_group(rng, cum, K);
    if (group) group[i] = k;
    size_t last = first_end + (size_t)gsl_rng_uniform_int(rng, n_end); /* end age index */
    if (m + last + 1 > cap) {
      size_t grown = cap * 2 > m + last + 1 ? cap * 2 : m + last + 1;
      panel_row *r = realloc(rows, grown * sizeof *rows);
      if (!r) {
        st = gbtm_fail(err, GBTM_ERR_NOMEM, "simulation: out of memory for %zu persons", n);
        goto fail;
      }
      rows = r, cap = grown;
    }
    const double *eta_k = eta + (size_t)k * A, *zeta_k = zeta + (size_t)k * A;
    bool inflated = has_inflation(model, k);
    size_t m0 = m;
    for (size_t a = 0; a <= last; a++) {
      if (design->gap_prob > 0.0 && gsl_rng_uniform(rng) < design->gap_prob) continue;
      rows[m++] = (panel_row){.person = (uint32_t)i, .age = design->age_lo + (double)a};
    }
    if (m == m0) /* every cell missing: keep one */
      rows[m++] = (panel_row){.person = (uint32_t)i,
                              .age = design->age_lo + (double)gsl_rng_uniform_int(rng, last + 1)};
    for (size_t r = m0; r < m; r++) {
      size_t a = (size_t)(rows[r].age - design->age_lo);
      double E = 1.0;
      if (design->custody_prob > 0.0 && gsl_rng_uniform(rng) < design->custody_prob)
        E = 0.1 + 0.8 * gsl_rng_uniform_pos(rng); /* (0.1, 0.9) */
      rows[r].exposure = E;
      rows[r].count = fam->sample(rng, eta_k[a], inflated ? &zeta_k[a] : NULL, E);
      rows[r].line = (uint64_t)r + 1;
    }
  }
  gsl_rng_free(rng);
  free(eta);
  free(zeta);
  st = panel_build(rows, m, ids, n, "simulation", 2, out, err); /* takes ids */
  free(rows);
  return st;

fail:
  if (ids)
    for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
  free(rows);
  free(eta);
  free(zeta);
  gsl_rng_free(rng);
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

bool gbtm_preset(const char *name, size_t n, uint64_t seed, gbtm_model *model,
                 gbtm_sim_design *design) {
  if (name && strcmp(name, "rapporteur-2024") == 0) {
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
