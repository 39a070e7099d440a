/* floor.c: how far the E-step is from the least work any E-step must do.
 *
 * The E-step of DESIGN §3 cannot avoid, per iteration, N*K exponentials
 * (the softmax of the group log-likelihoods), N logarithms (the log-sum-exp
 * that gives eq. L) and nnz*K multiply-adds (each nonzero count y_it adds
 * y_it times a per-(k, t) coefficient to each group's log-likelihood). This
 * program times
 *   - estep: the real kernel (estep_run through em_estep) at fitted
 *     parameters, on one thread and on all threads;
 *   - floor: a loop doing only that unavoidable work on the same panel,
 *     from a compact copy of its nonzero cells (16-bit age index and count),
 *     with an array exponential and logarithm (polynomials accurate to about
 *     1e-15, like the E-step's) that gcc vectorises;
 *   - stream: one pass that only reads the compact cells (memory traffic);
 * and prints each time per iteration and the ratio estep / floor.
 *
 * With --family F of a family whose log f is not linear in the count (its
 * cell path: nb, zinb, cnorm, beta; DESIGN §6 Families) the floor's
 * multiply-adds become, for each nonzero cell, the family's features once
 * and its log f from the prepared values (engine/families/family.h:
 * cell_features, prepared_loglik; for a family with linear_features the
 * multiply-adds of those features) for each group: the least any E-step
 * does to have each cell's log f in each group. Its zeros (the window sums
 * of the regular cells) are left out, which only lowers the floor.
 *
 *   floor [--n N] [--seed S] [--data FILE] [--params MODEL.h5] [--groups K]
 *         [--order D] [--iorder Q] [--poisson | --family F] [--min A --max B]
 *         [--threads T] [--seconds S] [--fit-n M]
 *
 * --data reads any panel gbtm reads (an HDF5 panel too) as the family's;
 * --min and --max are a censored family's censoring points (cnorm).
 *
 * Without --data it simulates the rapporteur-2024 preset with N persons
 * (default 1,000,000) and seed S. The parameters are those of a model file
 * (--params), or else of a ZIP fit (K groups, order D, zero-inflation order
 * Q; 4, 3, 0 by default, the model of bench/run.sh) to the first M persons
 * (default 20,000), with 5 starts and no standard errors. Each timing
 * repeats the work until S seconds (default 2) and at least 10 iterations
 * have passed; the functions take turns (see time_rounds). The last line
 * is machine-readable:
 *   floor n=... obs=... nnz=... K=... threads=... estep_ms_1=... estep_ms=...
 *   floor_ms_1=... floor_ms=... stream_ms_1=... ratio_1=... ratio=... loglik=...
 * where _1 is one thread and the unsuffixed figures use --threads threads
 * (0 = all cores), and ratio = estep_ms / floor_ms at the same threads. */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families/family.h"
#include "fit/em.h"
#include "gbtm.h"
#include "model/model.h"
#include "gbtm_presets.h"
#include "panel/panel.h"

/* ---- options ------------------------------------------------------------- */

typedef struct floor_args {
  size_t n, fit_n;
  uint64_t seed;
  const char *data, *params;
  int groups, order, iorder, threads;
  gbtm_family_id family;
  double ymin, ymax;
  double seconds;
} floor_args;

static void usage(FILE *out) {
  fputs("usage: floor [--n N] [--seed S] [--data FILE] [--params MODEL.h5] [--groups K]\n"
        "             [--order D] [--iorder Q] [--poisson | --family F] [--min A --max B]\n"
        "             [--threads T] [--seconds S] [--fit-n M]\n"
        "Times the E-step against the floor of its unavoidable work (N*K exp,\n"
        "N log, nnz*K multiply-adds) on the same panel; see bench/floor.c.\n",
        out);
}

static bool parse_size(const char *s, size_t *out) {
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (!*s || *end || s[0] == '-') return false;
  *out = (size_t)v;
  return true;
}

static bool parse_args(int argc, char **argv, floor_args *a) {
  *a = (floor_args){.n = 1000000, .fit_n = 20000, .seed = 1, .groups = 4, .order = 3,
                    .iorder = 0, .threads = 0, .family = GBTM_ZIP, .ymin = -INFINITY, .ymax = INFINITY,
                    .seconds = 2.0};
  static const struct option opts[] = {
      {"n", required_argument, NULL, 'n'},       {"seed", required_argument, NULL, 's'},
      {"data", required_argument, NULL, 'd'},    {"params", required_argument, NULL, 'p'},
      {"groups", required_argument, NULL, 'k'},  {"order", required_argument, NULL, 'o'},
      {"iorder", required_argument, NULL, 'q'},  {"poisson", no_argument, NULL, 'P'},
      {"threads", required_argument, NULL, 't'}, {"seconds", required_argument, NULL, 'S'},
      {"fit-n", required_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
      {"family", required_argument, NULL, 'F'},  {"min", required_argument, NULL, 'a'},
      {"max", required_argument, NULL, 'b'},
      {NULL, 0, NULL, 0}};
  int c;
  size_t v;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'n': if (!parse_size(optarg, &a->n) || a->n < 1) return false; break;
    case 'f': if (!parse_size(optarg, &a->fit_n) || a->fit_n < 1) return false; break;
    case 's': if (!parse_size(optarg, &v)) return false; a->seed = v; break;
    case 'd': a->data = optarg; break;
    case 'p': a->params = optarg; break;
    case 'k': if (!parse_size(optarg, &v) || v < 1 || v > GBTM_MAX_GROUPS) return false; a->groups = (int)v; break;
    case 'o': if (!parse_size(optarg, &v) || v > GBTM_MAX_ORDER) return false; a->order = (int)v; break;
    case 'q': a->iorder = atoi(optarg); if (a->iorder < -1 || a->iorder > GBTM_MAX_ORDER) return false; break;
    case 'P': a->family = GBTM_POISSON; break;
    case 'F': if (!gbtm_family_parse(optarg, &a->family)) return false; break;
    case 'a': a->ymin = atof(optarg); break;
    case 'b': a->ymax = atof(optarg); break;
    case 't': if (!parse_size(optarg, &v)) return false; a->threads = (int)v; break;
    case 'S': a->seconds = atof(optarg); if (!(a->seconds > 0.0)) return false; break;
    case 'h': usage(stdout); exit(0);
    default: return false;
    }
  }
  return optind == argc;
}

/* ---- the panel and the parameters ----------------------------------------- */

static gbtm_panel *load_panel(const floor_args *a) {
  gbtm_error err = {0};
  gbtm_panel *p = NULL;
  if (a->data) {
    gbtm_csv_columns cols = gbtm_csv_columns_default();
    cols.family = a->family, cols.ymin = a->ymin, cols.ymax = a->ymax;
    if (gbtm_panel_read(a->data, &cols, &p, &err) != GBTM_OK)
      fprintf(stderr, "floor: %s\n", err.message);
    return p;
  }
  gbtm_model m;
  gbtm_sim_design d;
  model_preset("rapporteur-2024", a->n, a->seed, &m, &d);
  if (gbtm_simulate(&m, &d, &p, NULL, &err) != GBTM_OK) fprintf(stderr, "floor: %s\n", err.message);
  return p;
}

static gbtm_fit_options fit_options(const floor_args *a, int threads) {
  gbtm_fit_options o = gbtm_fit_options_default();
  o.family = a->family;
  o.groups = a->groups;
  o.ymin = a->ymin, o.ymax = a->ymax;
  for (int k = 0; k < a->groups; k++) {
    o.order[k] = a->order;
    o.iorder[k] = gbtm_family_zero_inflated(a->family) ? a->iorder : -1;
  }
  o.threads = threads;
  return o;
}

/* The model whose parameters the E-step is timed at. */
static bool get_model(const floor_args *a, const gbtm_panel *p, gbtm_model *m) {
  gbtm_error err = {0};
  gbtm_fit_result *res = NULL;
  if (a->params) {
    if (gbtm_model_load(a->params, &res, &err) != GBTM_OK) {
      fprintf(stderr, "floor: %s\n", err.message);
      return false;
    }
  } else {
    size_t n = a->fit_n < p->n ? a->fit_n : p->n;
    size_t *persons = malloc(n * sizeof *persons);
    gbtm_panel *sub = NULL;
    if (!persons) return false;
    for (size_t i = 0; i < n; i++) persons[i] = i;
    gbtm_status st = gbtm_panel_subset(p, persons, n, &sub, &err);
    free(persons);
    if (st != GBTM_OK) {
      fprintf(stderr, "floor: %s\n", err.message);
      return false;
    }
    gbtm_fit_options o = fit_options(a, a->threads);
    o.starts = 5;
    o.max_iterations = 300; /* parameters near the optimum suffice for timing */
    o.inference = false;
    o.keep_posterior = false;
    /* the basis of the whole panel, so that the model applies to it */
    o.centre = 0.5 * (p->age[0] + p->age[p->T - 1]);
    o.scale = p->T > 1 ? 0.5 * (p->age[p->T - 1] - p->age[0]) : 1.0;
    st = gbtm_fit(sub, &o, &res, &err);
    gbtm_panel_free(sub);
    if (st != GBTM_OK) {
      fprintf(stderr, "floor: %s\n", err.message);
      return false;
    }
  }
  *m = *gbtm_fit_result_model(res);
  gbtm_fit_result_free(res);
  return true;
}

/* params in em.h's layout from a model with the same K, orders and iorders. */
static void params_of_model(const em_ws *ws, const gbtm_model *m, double *params) {
  for (int k = 0; k < ws->K; k++) {
    params[k] = m->theta[k] - m->theta[0];
    for (int j = 0; j < ws->nb[k]; j++) params[ws->off_beta[k] + j] = m->beta[k][j];
    for (int j = 0; j < ws->na[k]; j++) params[ws->off_alpha[k] + j] = m->alpha[k][j];
    if (ws->has_phi) params[ws->off_phi[k]] = log(m->phi[k]);
  }
}

/* ---- timing ------------------------------------------------------------- */

/* Timings are taken in rounds, one call of each function per round, so that
 * whatever else the machine runs slows all of them alike; each reports the
 * median and the least time of a call, and ratios are the median over the
 * rounds of the ratio within a round. */
enum { MIN_ROUNDS = 10, MAX_ROUNDS = 1000 };

typedef struct timed {
  double (*fn)(void *);
  void *ctx;
  double t[MAX_ROUNDS];
  double value; /* the last call's result */
  double median, min;
} timed;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median_of(const double *v, int n) {
  double *s = malloc((size_t)n * sizeof *s);
  if (!s) return NAN;
  memcpy(s, v, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_double);
  double m = s[n / 2];
  free(s);
  return m;
}

/* Runs the m functions in rounds for at least `seconds` and MIN_ROUNDS
 * rounds (after one warm-up call each); returns the number of rounds. */
static int time_rounds(timed *f, int m, double seconds) {
  for (int j = 0; j < m; j++) f[j].value = f[j].fn(f[j].ctx);
  double start = omp_get_wtime();
  int r = 0;
  while (r < MAX_ROUNDS && (r < MIN_ROUNDS || omp_get_wtime() - start < seconds)) {
    for (int j = 0; j < m; j++) {
      double t0 = omp_get_wtime();
      f[j].value = f[j].fn(f[j].ctx);
      f[j].t[r] = omp_get_wtime() - t0;
    }
    r++;
  }
  for (int j = 0; j < m; j++) {
    f[j].median = median_of(f[j].t, r);
    f[j].min = f[j].t[0];
    for (int q = 1; q < r; q++) f[j].min = fmin(f[j].min, f[j].t[q]);
  }
  return r;
}

/* Median over the rounds of a's time / b's time. */
static double ratio_of(const timed *a, const timed *b, int rounds) {
  double q[MAX_ROUNDS];
  for (int r = 0; r < rounds; r++) q[r] = a->t[r] / b->t[r];
  return median_of(q, rounds);
}

/* ---- the E-step ------------------------------------------------------------ */

typedef struct estep_bench {
  em_ws ws;
  double *params;
} estep_bench;

static double estep_once(void *ctx) {
  estep_bench *b = ctx;
  return em_estep(&b->ws, b->params, NULL, NULL);
}

/* ---- the floor ---------------------------------------------------------- */

/* The nonzero cells of a panel, compactly: per person the number of cells,
 * per cell the age index and the count (16 bits each); within blocks of 1024
 * persons, the persons in increasing order of their number of cells. */
typedef struct cell16 {
  uint16_t t, y;
} cell16;

typedef struct floor_panel {
  size_t n, block, nblocks;
  int K;
  uint16_t *count; /* n */
  cell16 *cell;    /* nnz */
  size_t *first;   /* nblocks + 1: index of the first cell of each block */
  double *lin;     /* T x K: the per-(t, k) coefficients y multiplies */
  double *scratch; /* per thread: 3 x block x K */
  double *part;    /* nblocks */
  /* a cell-path family's (fam non-NULL): the responses (nnz), the prepared
   * cells and groups, and per thread a block's cells' features and the
   * statistics (K x n_stats x T) */
  const gbtm_family *fam;
  size_t T, most;  /* ages; the most cells of a block */
  double *y, *pre, *group, *feat, *stats;
  double *flin; /* with linear_features n: T x K x (1 + n), v's coefficients, each age's groups together */
} floor_panel;

static void floor_panel_free(floor_panel *f) {
  free(f->count);
  free(f->cell);
  free(f->first);
  free(f->lin);
  free(f->scratch);
  free(f->part);
  free(f->y);
  free(f->pre);
  free(f->group);
  free(f->feat);
  free(f->stats);
  free(f->flin);
}

static size_t cells_of(const gbtm_panel *p, size_t i) { return p->nz_start[i + 1] - p->nz_start[i]; }

static bool floor_panel_init(floor_panel *f, const gbtm_panel *p, const em_ws *ws, int K, int threads) {
  const double *eta = ws->eta;
  memset(f, 0, sizeof *f);
  if (p->T > 65535) return false;
  f->T = p->T;
  if (ws->fam->cell_path && ws->fam->cell_prepare) {
    const gbtm_family *fam = ws->fam;
    size_t KT = (size_t)K * p->T;
    f->fam = fam;
    f->y = malloc((p->n_nonzero + 1) * sizeof *f->y);
    f->pre = malloc(KT * FAMILY_PREPARED * sizeof *f->pre);
    f->group = malloc((size_t)K * FAMILY_GROUP_PREPARED * sizeof *f->group);
    f->stats = calloc((size_t)threads * KT * (size_t)fam->n_stats, sizeof *f->stats);
    if (!f->y || !f->pre || !f->group || !f->stats) return false;
    for (int k = 0; k < K; k++) {
      for (size_t t = 0; t < p->T; t++)
        fam->cell_prepare(eta[(size_t)k * p->T + t], ws->na[k] ? ws->zeta + (size_t)k * p->T + t : NULL, &ws->fpar[k],
                          f->pre + ((size_t)k * p->T + t) * FAMILY_PREPARED);
      if (fam->group_prepare) fam->group_prepare(&ws->fpar[k], f->group + (size_t)k * FAMILY_GROUP_PREPARED);
    }
    size_t m = (size_t)(1 + fam->linear_features);
    if (fam->linear_features) {
      if (!(f->flin = malloc(KT * m * sizeof *f->flin))) return false;
      for (size_t t = 0; t < p->T; t++)
        for (int k = 0; k < K; k++)
          for (size_t j = 0; j < m; j++)
            f->flin[(t * (size_t)K + (size_t)k) * m + j] = f->pre[((size_t)k * p->T + t) * FAMILY_PREPARED + j];
    }
  }
  f->n = p->n;
  f->K = K;
  f->block = 1024;
  f->nblocks = (p->n + f->block - 1) / f->block;
  f->count = malloc(p->n * sizeof *f->count);
  f->cell = malloc((p->n_nonzero + 1) * sizeof *f->cell);
  f->first = malloc((f->nblocks + 1) * sizeof *f->first);
  f->lin = malloc(p->T * (size_t)K * sizeof *f->lin);
  f->scratch = malloc((size_t)threads * 3 * f->block * (size_t)K * sizeof *f->scratch);
  f->part = malloc(f->nblocks * sizeof *f->part);
  if (!f->count || !f->cell || !f->first || !f->lin || !f->scratch || !f->part) return false;
  size_t c = 0;
  size_t *ord = malloc(f->block * sizeof *ord);
  if (!ord) return false;
  for (size_t i0 = 0; i0 < p->n; i0 += f->block) {
    size_t nb = p->n - i0 < f->block ? p->n - i0 : f->block;
    f->first[i0 / f->block] = c;
    for (size_t r = 0; r < nb; r++) ord[r] = i0 + r;
    /* persons in increasing order of their cells, as the E-step orders
     * them (its stream), so that the floor's loops are predicted as well */
    for (size_t a = 1; a < nb; a++)
      for (size_t b = a; b > 0 && cells_of(p, ord[b]) < cells_of(p, ord[b - 1]); b--) {
        size_t tmp = ord[b];
        ord[b] = ord[b - 1];
        ord[b - 1] = tmp;
      }
    for (size_t r = 0; r < nb; r++) {
      size_t i = ord[r];
      size_t m = p->nz_start[i + 1] - p->nz_start[i];
      if (m > 65535) { free(ord); return false; }
      f->count[i0 + r] = (uint16_t)m;
      for (size_t j = p->nz_start[i]; j < p->nz_start[i + 1]; j++) {
        int32_t y = (int32_t)p->nz_y[j]; /* a count, or a real's integer part (unused then) */
        if (f->y) f->y[c] = p->nz_y[j];
        f->cell[c++] = (cell16){(uint16_t)p->nz_t[j], (uint16_t)(y > 65535 || y < 0 ? 65535 : y)};
      }
    }
  }
  free(ord);
  f->first[f->nblocks] = c;
  for (size_t b = 0; b < f->nblocks; b++)
    f->most = f->first[b + 1] - f->first[b] > f->most ? f->first[b + 1] - f->first[b] : f->most;
  if (f->fam && !(f->feat = malloc(((size_t)threads * f->most + 1) * FAMILY_FEATURES * sizeof *f->feat))) return false;
  for (size_t t = 0; t < p->T; t++)
    for (int k = 0; k < K; k++) f->lin[t * (size_t)K + (size_t)k] = eta[(size_t)k * p->T + t];
  return true;
}

/* y[j] = exp(x[j]): x = n ln2 + r with |r| <= ln2/2 (Cody and Waite's
 * two-part ln2), exp(r) by its Taylor polynomial of degree 13 (truncation
 * below 1e-17 relative), times 2^n put into the exponent bits. Inputs are
 * clamped to [-708, 709], where 2^n stays a normal number. */
static inline __attribute__((always_inline)) void exp_array(const double *restrict x, double *restrict y, size_t n) {
  for (size_t j = 0; j < n; j++) {
    double v = x[j];
    v = v < -708.0 ? -708.0 : v;
    v = v > 709.0 ? 709.0 : v;
    double t = v * 1.4426950408889634 + 6755399441055744.0; /* 1.5 * 2^52: rounds n into the low bits */
    double k = t - 6755399441055744.0;
    double r = v - k * 6.93147180369123816490e-01;
    r = r - k * 1.90821492927058770002e-10;
    double q = 1.0 / 6227020800.0;
    q = q * r + 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    q = q * r + 1.0;
    q = q * r + 1.0;
    int64_t tb, qb;
    memcpy(&tb, &t, sizeof tb);
    memcpy(&qb, &q, sizeof qb);
    qb += (int64_t)((uint64_t)tb << 52);
    memcpy(&y[j], &qb, sizeof qb);
  }
}

/* y[j] = log(x[j]) for normal x > 0: x = 2^e m with m in [sqrt(1/2),
 * sqrt(2)) (the exponent split moved by sqrt(1/2) with integer arithmetic),
 * log m = 2 atanh(f), f = (m-1)/(m+1), by its series to f^21. */
static inline __attribute__((always_inline)) void log_array(const double *restrict x, double *restrict y, size_t n) {
  const int64_t off = 0x3FE6A09E667F3BCD; /* the bits of sqrt(1/2) */
  for (size_t j = 0; j < n; j++) {
    int64_t b;
    memcpy(&b, &x[j], sizeof b);
    b += 0x3FF0000000000000 - off;
    int64_t eb = (int64_t)(((uint64_t)b >> 52) | 0x4330000000000000); /* 2^52 + biased exponent */
    int64_t mb = (b & 0x000FFFFFFFFFFFFF) + off;
    double e, m;
    memcpy(&e, &eb, sizeof e);
    memcpy(&m, &mb, sizeof m);
    e = e - (4503599627370496.0 + 1023.0);
    double f = (m - 1.0) / (m + 1.0), z = f * f;
    double s = 1.0 / 21.0;
    s = s * z + 1.0 / 19.0;
    s = s * z + 1.0 / 17.0;
    s = s * z + 1.0 / 15.0;
    s = s * z + 1.0 / 13.0;
    s = s * z + 1.0 / 11.0;
    s = s * z + 1.0 / 9.0;
    s = s * z + 1.0 / 7.0;
    s = s * z + 1.0 / 5.0;
    s = s * z + 1.0 / 3.0;
    y[j] = e * 6.93147180369123816490e-01 + (e * 1.90821492927058770002e-10 + 2.0 * f * (1.0 + z * s));
  }
}

/* One block of the floor: per person sum_k over its cells of y lin_tk
 * (nnz*K multiply-adds), then K exponentials and one logarithm per person. */
static inline __attribute__((always_inline)) double floor_block(const floor_panel *f, size_t b,
                                                                double *scratch, const int K) {
  size_t i0 = b * f->block, i1 = i0 + f->block < f->n ? i0 + f->block : f->n, nb = i1 - i0;
  double *a = scratch, *e = a + f->block * (size_t)K, *s = e + f->block * (size_t)K, *ls = e;
  const cell16 *c = f->cell + f->first[b];
  for (size_t r = 0; r < nb; r++) {
    double acc[GBTM_MAX_GROUPS] = {0};
    for (uint16_t m = f->count[i0 + r]; m > 0; m--, c++) {
      const double y = c->y, *row = f->lin + (size_t)c->t * (size_t)K;
      for (int k = 0; k < K; k++) acc[k] += y * row[k];
    }
    for (int k = 0; k < K; k++) a[r * (size_t)K + (size_t)k] = acc[k];
  }
  exp_array(a, e, nb * (size_t)K);
  for (size_t r = 0; r < nb; r++) {
    double t = 0.0;
    for (int k = 0; k < K; k++) t += e[r * (size_t)K + (size_t)k];
    s[r] = t;
  }
  log_array(s, ls, nb); /* into e, no longer needed */
  double tot = 0.0;
  for (size_t r = 0; r < nb; r++) tot += ls[r];
  return tot;
}

/* One block of a cell-path family's floor: per nonzero cell its features
 * once, then each group's log f from the prepared values (for
 * linear_features their multiply-adds, as the E-step does); per person K
 * exponentials and one logarithm (the softmax, from the largest l); then
 * per cell and group the statistics (prepared_stats, or for
 * linear_features the sums of tau and tau f). */
static double floor_block_cells(const floor_panel *f, size_t b, double *scratch, double *feat, double *st) {
  const gbtm_family *fam = f->fam;
  const int K = f->K, n = fam->linear_features;
  const size_t T = f->T, stride = (size_t)fam->n_stats * T;
  size_t i0 = b * f->block, i1 = i0 + f->block < f->n ? i0 + f->block : f->n, nb = i1 - i0;
  double *a = scratch, *e = a + f->block * (size_t)K, *s = e + f->block * (size_t)K, mx[1024];
  const cell16 *c0 = f->cell + f->first[b], *c = c0;
  const double *y = f->y + f->first[b];
  double *ft = feat;
  for (size_t r = 0; r < nb; r++) {
    double acc[GBTM_MAX_GROUPS] = {0};
    for (uint16_t m = f->count[i0 + r]; m > 0; m--, c++, y++, ft += FAMILY_FEATURES) {
      fam->cell_features(*y, 1.0, ft);
      for (int k = 0; k < K; k++) {
        if (n) {
          const double *q = f->flin + ((size_t)c->t * (size_t)K + (size_t)k) * (size_t)(1 + n);
          double v = q[0];
          for (int j = 0; j < n; j++) v += q[1 + j] * ft[j];
          acc[k] += v;
        } else {
          const double *q = f->pre + ((size_t)k * T + c->t) * FAMILY_PREPARED;
          acc[k] += fam->prepared_loglik(q, fam->group_prepare ? f->group + (size_t)k * FAMILY_GROUP_PREPARED : NULL, ft);
        }
      }
    }
    mx[r] = acc[0];
    for (int k = 1; k < K; k++) mx[r] = acc[k] > mx[r] ? acc[k] : mx[r];
    for (int k = 0; k < K; k++) a[r * (size_t)K + (size_t)k] = acc[k] - mx[r];
  }
  exp_array(a, e, nb * (size_t)K);
  for (size_t r = 0; r < nb; r++) {
    double t = 0.0;
    for (int k = 0; k < K; k++) t += e[r * (size_t)K + (size_t)k];
    s[r] = t;
  }
  log_array(s, a, nb); /* into a, no longer needed */
  double tot = 0.0;
  for (size_t r = 0; r < nb; r++) tot += mx[r] + a[r];
  c = c0, ft = feat;
  for (size_t r = 0; r < nb; r++) {
    double tau[GBTM_MAX_GROUPS], inv = 1.0 / s[r];
    for (int k = 0; k < K; k++) tau[k] = e[r * (size_t)K + (size_t)k] * inv;
    for (uint16_t m = f->count[i0 + r]; m > 0; m--, c++, ft += FAMILY_FEATURES)
      for (int k = 0; k < K; k++) {
        double *sk = st + (size_t)k * stride;
        if (n) { /* the sums in the layout of flin (st's first T K (1 + n) doubles) */
          double *q = st + ((size_t)c->t * (size_t)K + (size_t)k) * (size_t)(1 + n);
          q[0] += tau[k];
          for (int j = 0; j < n; j++) q[1 + j] += tau[k] * ft[j];
        } else {
          fam->prepared_stats(f->pre + ((size_t)k * T + c->t) * FAMILY_PREPARED,
                              fam->group_prepare ? f->group + (size_t)k * FAMILY_GROUP_PREPARED : NULL, ft, tau[k],
                              sk, c->t, T);
        }
      }
  }
  return tot;
}

/* The floor's block for the panel's K, compiled like the E-step's block
 * function: for the x86-64 baseline and for AVX2, the processor picking
 * one, so that the floor has the same vector instructions at hand. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
__attribute__((target_clones("avx2", "default")))
#endif
static double floor_block_k(const floor_panel *f, size_t b, double *scratch) {
  switch (f->K) { /* K a constant: the loop over groups unrolls */
  case 2: return floor_block(f, b, scratch, 2);
  case 3: return floor_block(f, b, scratch, 3);
  case 4: return floor_block(f, b, scratch, 4);
  case 5: return floor_block(f, b, scratch, 5);
  case 6: return floor_block(f, b, scratch, 6);
  default: return floor_block(f, b, scratch, f->K);
  }
}

typedef struct floor_run {
  floor_panel *f;
  int threads;
} floor_run;

static double floor_once(void *ctx) {
  floor_run *fr = ctx;
  floor_panel *f = fr->f;
  long nblocks = (long)f->nblocks;
#pragma omp parallel for schedule(static) num_threads(fr->threads)
  for (long b = 0; b < nblocks; b++) {
    int th = omp_get_thread_num();
    double *scratch = f->scratch + (size_t)th * 3 * f->block * (size_t)f->K;
    double v = f->fam ? floor_block_cells(f, (size_t)b, scratch, f->feat + (size_t)th * f->most * FAMILY_FEATURES,
                                          f->stats + (size_t)th * (size_t)f->K * f->T * (size_t)f->fam->n_stats)
                      : floor_block_k(f, (size_t)b, scratch);
    f->part[b] = v;
  }
  double tot = 0.0;
  for (size_t b = 0; b < f->nblocks; b++) tot += f->part[b];
  return tot;
}

/* One pass reading every compact cell: the memory traffic alone. */
static double stream_once(void *ctx) {
  floor_run *fr = ctx;
  const floor_panel *f = fr->f;
  uint64_t s = 0;
  size_t nnz = f->first[f->nblocks];
  for (size_t i = 0; i < f->n; i++) s += f->count[i];
  for (size_t j = 0; j < nnz; j++) s += (uint64_t)f->cell[j].t + f->cell[j].y;
  return (double)s;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv) {
  floor_args a;
  if (!parse_args(argc, argv, &a)) {
    usage(stderr);
    return 2;
  }
  int threads = a.threads > 0 ? a.threads : omp_get_max_threads();
  double t0 = omp_get_wtime();
  gbtm_panel *p = load_panel(&a);
  if (!p) return 1;
  double t_load = omp_get_wtime() - t0;
  gbtm_model m;
  if (!get_model(&a, p, &m)) {
    gbtm_panel_free(p);
    return 1;
  }
  printf("panel: %zu persons, %zu observed cells, %zu nonzero, %zu ages (%.2f s to %s)\n", p->n, p->n_obs,
         p->n_nonzero, p->T, t_load, a.data ? "read" : "simulate");

  /* The E-step at 1 and at `threads` threads, at the model's parameters. */
  estep_bench eb[2];
  int nthr[2] = {1, threads};
  memset(eb, 0, sizeof eb);
  for (int j = 0; j < 2; j++) {
    gbtm_error err = {0};
    gbtm_fit_options o = fit_options(&a, nthr[j]);
    if (em_ws_init(&eb[j].ws, p, &o, m.centre, m.scale, &err) != GBTM_OK ||
        !(eb[j].params = calloc(eb[j].ws.P, sizeof *eb[j].params))) {
      fprintf(stderr, "floor: %s\n", err.message[0] ? err.message : "out of memory");
      return 1;
    }
    params_of_model(&eb[j].ws, &m, eb[j].params);
  }
  /* The floor's coefficients: eta at the same parameters. */
  em_estep(&eb[0].ws, eb[0].params, NULL, NULL);
  floor_panel f;
  if (!floor_panel_init(&f, p, &eb[0].ws, a.groups, threads)) {
    fprintf(stderr, "floor: cannot build the compact panel (out of memory, or over 65535 ages)\n");
    return 1;
  }
  floor_run fr[2] = {{&f, 1}, {&f, threads}};
  static timed one[3], all[2]; /* static: each holds MAX_ROUNDS times */
  one[0] = (timed){.fn = estep_once, .ctx = &eb[0]};
  one[1] = (timed){.fn = floor_once, .ctx = &fr[0]};
  one[2] = (timed){.fn = stream_once, .ctx = &fr[0]};
  all[0] = (timed){.fn = estep_once, .ctx = &eb[1]};
  all[1] = (timed){.fn = floor_once, .ctx = &fr[1]};
  int r1 = time_rounds(one, 3, a.seconds), rT = time_rounds(all, 2, a.seconds);
  double ratio1 = ratio_of(&one[0], &one[1], r1), ratioT = ratio_of(&all[0], &all[1], rT);
  gbtm_kernel kernel = estep_kernel(eb[0].ws.ctx);

  printf("E-step (%s kernel), ms per iteration: median %.3f, least %.3f on 1 thread; median %.3f, least %.3f on %d\n",
         gbtm_kernel_name(kernel), 1e3 * one[0].median, 1e3 * one[0].min, 1e3 * all[0].median, 1e3 * all[0].min,
         threads);
  printf("floor (%zu x %d exp, %zu log, %zu x %d %s), ms: median %.3f, least %.3f on 1 thread; "
         "median %.3f, least %.3f on %d\n",
         p->n, a.groups, p->n, p->n_nonzero, a.groups,
         f.fam ? "log f and statistics, features once per cell" : "multiply-adds", 1e3 * one[1].median, 1e3 * one[1].min, 1e3 * all[1].median,
         1e3 * all[1].min, threads);
  printf("stream (one pass over the compact cells), ms: median %.3f, least %.3f on 1 thread\n", 1e3 * one[2].median,
         1e3 * one[2].min);
  printf("ratio E-step / floor (median over %d and %d rounds): %.2f on 1 thread, %.2f on %d\n", r1, rT, ratio1,
         ratioT, threads);
  printf("floor family=%s n=%zu obs=%zu nnz=%zu K=%d threads=%d estep_ms_1=%.3f estep_ms=%.3f floor_ms_1=%.3f "
         "floor_ms=%.3f stream_ms_1=%.3f ratio_1=%.3f ratio=%.3f estep_min_ms_1=%.3f floor_min_ms_1=%.3f "
         "loglik=%.10f\n",
         gbtm_family_name(a.family), p->n, p->n_obs, p->n_nonzero, a.groups, threads, 1e3 * one[0].median, 1e3 * all[0].median,
         1e3 * one[1].median, 1e3 * all[1].median, 1e3 * one[2].median, ratio1, ratioT, 1e3 * one[0].min,
         1e3 * one[1].min, one[0].value);
  for (int j = 0; j < 2; j++) {
    free(eb[j].params);
    em_ws_free(&eb[j].ws);
  }
  floor_panel_free(&f);
  gbtm_panel_free(p);
  return 0;
}
