/* estep.c: the E-step kernels (DESIGN §3).
 *
 * For each person i and group k the group log-likelihood is
 *   l_ik = log pi_k + c_i + sum_{t in O_i} v_k(y_it, E_it)      (eq. L)
 * where, for a regular cell (E = 1), v_k(y) = base_kt + [y>0] pos_kt + y lin_kt
 * (engine/families/family.h). Two kernels compute it:
 * - dense: l = [O | P | Y] . [base; pos; lin] by dgemm, with O, P, Y the
 *   N x T indicator-of-regular, indicator-of-positive and count matrices;
 * - sparse: the sum of base over the person's window by prefix sums, minus
 *   the skip cells, plus pos + y lin over the nonzero cells.
 * Both add the exception cells (E != 1) one by one, and, for a family whose
 * log f is not of that form (its cell_path, DESIGN §6 Families), the
 * positive counts too: their tables give base = v(0) and pos = lin = 0, and
 * each positive count adds cell_loglik - base. Posteriors are
 * tau_ik = softmax_k(l_ik) by log-sum-exp, and the statistics the M-step
 * needs come from the tau-weighted totals TO = tau'O, TP = tau'P, TY = tau'Y
 * (dgemm, or difference arrays over windows in the sparse kernel) plus the
 * exception cells. c_i is the same in every group: it cancels from tau, and
 * its sum over each block of persons is added to log L once.
 *
 * Persons are cut into fixed blocks whose size depends only on N; each block
 * writes its own partial sums, and partials are added in block order, so the
 * result does not depend on the number of threads. A block runs in three
 * passes, so that the costly functions run on arrays:
 *   1. l_ik of every person of the block;
 *   2. the softmax: K exponentials per person and one logarithm per four
 *      persons, four lanes at a time (engine/fit/vmath.h);
 *   3. the tau-weighted totals.
 *
 * The sparse kernel reads a compact copy of the panel made once per context
 * (the "stream"): per person, in 16-bit words (32-bit when the age grid has
 * over 4096 ages), the header lo, hi, ncell, nbig, then ncell codes, then
 * the "big" cells (t, y) with y >= YB (y in two 16-bit words, or one 32-bit
 * word). A code is T YB + t for a skip cell at t, and t YB + y for a regular
 * nonzero cell with count y < YB; YB is chosen from the data so that nearly
 * all counts are below it. A code indexes a table whose rows are
 * pos_t + y lin_t and -base_t (the same terms as the formula, cell by cell),
 * so a cell costs one vector add in pass 1; in pass 3 it adds tau to a
 * per-block bucket of its code, and the buckets give TP_t = sum_y
 * bucket(t, y), TY_t = sum_y y bucket(t, y) and the skip cells' share of TO
 * at the end of the block. Within a block the stream holds the persons in
 * increasing order of ncell (and the context their indices), so that the
 * loops over cells run the same number of times from one person to the
 * next and their branches are predicted; the sums over a block then run in
 * that order, the same for any number of threads.
 *
 * Groups are processed four at a time (GCC vectors of four doubles); the
 * tables and scratch have a row stride Kp = K rounded up to a multiple of 4,
 * with padding lanes that hold 0 in the tables and -inf in l (so that their
 * tau is 0). The block function is compiled twice, for the x86-64 baseline
 * (SSE2) and for AVX2, and the processor picks one when the program starts;
 * both do the same IEEE operations in each lane (no fused multiply-add), so
 * they give the same bits.
 */
#include "fit/estep.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "base/blas_threads.h"
#include "base/error.h"
#include "fit/kernels.h"
#include "fit/threads.h"
#include "fit/vmath.h"
#include "base/lapack.h"

/* Ages per call of the family's table function (a stack buffer). */
#define GBTM_MAX_AGES_TABLE 256

/* Panels at least this dense (nonzero cells per person x age) use dgemm;
 * and only while the dense matrices stay under DENSE_MAX_BYTES. */
#define DENSE_MIN_DENSITY 0.5
#define DENSE_MAX_BYTES ((size_t)512 << 20)

/* Persons per block: at least BLOCK_MIN, at most BLOCKS_MAX blocks. */
#define BLOCK_MIN 256
#define BLOCKS_MAX 256

/* The stream: 16-bit words up to this many ages; counts below YB_MAX go
 * into codes, chosen so that at most 1/BIG_SHARE of the nonzero cells are
 * big; the code table stays under YTAB_MAX_BYTES. */
#define NARROW_MAX_AGES 4096
#define YB_MAX 64
#define BIG_SHARE 64
#define YTAB_MAX_BYTES ((size_t)4 << 20)
#define HEADER_WORDS 4

#define GROUPS_V (GBTM_MAX_GROUPS / 4) /* vectors of four groups at most */
_Static_assert(GBTM_MAX_GROUPS % 4 == 0, "the padded K fits in GROUPS_V vectors");

struct estep_ctx {
  const gbtm_panel *p;
  const gbtm_family *fam;
  const gbtm_reducer *reducer;
  int K, ns, threads;
  size_t T;
  size_t Kp;        /* K rounded up to a multiple of 4: row stride of the tables and scratch */
  gbtm_kernel kernel;
  size_t block, nblocks;
  size_t psize;     /* doubles per block partial: ll, sum_tau K, K x 3T totals, K x ns x T */
  double *partial;  /* nblocks x psize */
  double *cblock;   /* nblocks: sum of c_i over the block's persons */
  double *dense;    /* N x 3T: [O | P | Y] rows (dense kernel) */
  double *coef;     /* 3T x Kp row-major: [base; pos; lin], group index fastest */
  double *pbase;    /* (T+1) x Kp prefix sums over t of base */
  double *pl;       /* T x 2Kp: row t = [pos_t | lin_t], what a big cell reads */
  double *pre;      /* K x T x FAMILY_PREPARED: the family's prepared cells (cell_prepare), or NULL */
  double *group;    /* K x FAMILY_GROUP_PREPARED: its prepared groups (group_prepare), or NULL */
  int nlin;         /* the family's linear_features with prepared cells, else 0 */
  double *lin;      /* T x K x (1 + nlin): v's coefficients pre[0..nlin], each age's groups together */
  size_t fcells;    /* the doubles of a block's cells' features in the scratch (a multiple of 4) */
  double *ytab;     /* (T YB + T) x Kp: the rows the codes index (see the top) */
  void *stream;     /* the sparse kernel's compact panel (see the top) */
  bool wide;        /* 32-bit stream words */
  size_t yb;        /* YB */
  size_t ncodes;    /* T YB + T: rows of ytab and of the buckets */
  size_t *bstart;   /* nblocks: first word of each block in the stream */
  uint32_t *order;  /* N: the person at each place of the stream */
  double *scratch;  /* per thread: see scratch_doubles() */
  size_t scratch_size;
};

gbtm_kernel estep_kernel(const estep_ctx *ctx) { return ctx->kernel; }
int estep_threads(const estep_ctx *ctx) { return ctx->threads; }

static size_t round4(size_t n) { return (n + 3) & ~(size_t)3; }

/* 32-byte aligned doubles (the vectors of vmath.h), zeroed. */
static double *alloc_doubles(size_t n) {
  size_t bytes = round4(n ? n : 1) * sizeof(double);
  double *p = aligned_alloc(32, bytes);
  if (p) memset(p, 0, bytes);
  return p;
}

/* Per thread: l and tau of a block (block rounded up to 4 rows of Kp
 * each), the window difference array ((T+1) x Kp), the totals (3T x Kp),
 * the code buckets (ncodes x Kp) and, with a family's prepared cells, the
 * features of a block's cells (fcells doubles) and the linear features'
 * sums (T x K x (1 + nlin), nlin = 0: none). */
static size_t scratch_doubles(size_t block, size_t Kp, size_t T, size_t ncodes, size_t fcells, size_t K, int nlin) {
  return 2 * round4(block) * Kp + Kp * (T + 1) + 3 * Kp * T + ncodes * Kp + fcells +
         (nlin ? round4(T * K * (size_t)(1 + nlin)) : 0);
}

/* The most cells a block has that the prepared path reads (its positive
 * regular counts and its exception cells). */
static size_t block_cells_max(const estep_ctx *c) {
  const gbtm_panel *p = c->p;
  size_t most = 0;
  for (size_t b = 0; b < c->nblocks; b++) {
    size_t i0 = b * c->block, i1 = i0 + c->block < p->n ? i0 + c->block : p->n, n = 0;
    if (c->fam->cell_path) n += p->nz_start[i1] - p->nz_start[i0];
    if (p->has_exposure) n += p->ex_start[i1] - p->ex_start[i0];
    most = n > most ? n : most;
  }
  return most;
}

static gbtm_status build_dense(estep_ctx *c) {
  const gbtm_panel *p = c->p;
  size_t w = 3 * c->T;
  c->dense = calloc(p->n * w, sizeof *c->dense);
  if (!c->dense) return GBTM_ERR_NOMEM;
  for (size_t i = 0; i < p->n; i++) {
    double *row = c->dense + i * w;
    for (size_t t = p->lo[i]; t <= p->hi[i]; t++) row[t] = 1.0;
    for (size_t j = p->skip_start[i]; j < p->skip_start[i + 1]; j++) row[p->skip_t[j]] = 0.0;
    for (size_t j = p->nz_start[i]; j < p->nz_start[i + 1]; j++) {
      row[c->T + p->nz_t[j]] = 1.0;
      row[2 * c->T + p->nz_t[j]] = p->nz_y[j];
    }
  }
  return GBTM_OK;
}

/* YB: the smallest bound in [2, YB_MAX] with at most 1/BIG_SHARE of the
 * nonzero counts at or above it (and none when the largest count allows),
 * within the word size and the table budget. */
/* The response the stream codes for regular nonzero cell j: for a
 * cell_path family only the cell's place matters (its tables' pos and lin
 * are 0, and it takes the cell by cell_loglik), so every such cell is
 * coded as a 1, whatever its response (a real, a negative number). */
static double stream_y(const gbtm_panel *p, bool places, size_t j) { return places ? 1.0 : p->nz_y[j]; }

static size_t choose_yb(const gbtm_panel *p, bool places, size_t Kp, bool wide) {
  size_t hist[YB_MAX + 1] = {0}, nnz = p->nz_start[p->n]; /* regular nonzero cells */
  for (size_t j = 0; j < nnz; j++) {
    double y = stream_y(p, places, j);
    hist[y < YB_MAX ? (size_t)y : YB_MAX]++;
  }
  size_t yb = 2, above = nnz - hist[0] - hist[1]; /* counts >= yb */
  while (yb < YB_MAX && above > 0 && above * BIG_SHARE > nnz) above -= hist[yb++];
  size_t words = wide ? UINT32_MAX : UINT16_MAX;
  while (yb > 2 && (p->T * (yb + 1) - 1 > words || p->T * (yb + 1) * Kp * sizeof(double) > YTAB_MAX_BYTES)) yb--;
  return yb;
}

/* Cells of person i in the stream's codes: skip cells and regular nonzero
 * cells with a count below YB. */
static size_t person_cells(const gbtm_panel *p, bool places, size_t i, size_t yb) {
  size_t m = p->skip_start[i + 1] - p->skip_start[i];
  for (size_t j = p->nz_start[i]; j < p->nz_start[i + 1]; j++) m += stream_y(p, places, j) < (double)yb;
  return m;
}

/* Writes the stream (or, with out NULL, only counts its words); sets the
 * block starts and the order of persons. Returns the number of words. */
static size_t write_stream(estep_ctx *c, void *out, size_t *tally) {
  const gbtm_panel *p = c->p;
  const size_t yb = c->yb, T = c->T;
  const bool places = c->fam->cell_path;
  size_t w = 0;
#define PUT(v)                                                                                     \
  do {                                                                                             \
    if (out) {                                                                                     \
      if (c->wide) ((uint32_t *)out)[w] = (uint32_t)(v);                                           \
      else ((uint16_t *)out)[w] = (uint16_t)(v);                                                   \
    }                                                                                              \
    w++;                                                                                           \
  } while (0)
  for (size_t b = 0; b < c->nblocks; b++) {
    size_t i0 = b * c->block, i1 = i0 + c->block < p->n ? i0 + c->block : p->n;
    c->bstart[b] = w;
    /* a stable counting sort of the block's persons by their cells */
    memset(tally, 0, (T + 2) * sizeof *tally);
    for (size_t i = i0; i < i1; i++) tally[person_cells(p, places, i, yb) + 1]++;
    for (size_t m = 1; m <= T + 1; m++) tally[m] += tally[m - 1];
    for (size_t i = i0; i < i1; i++) c->order[i0 + tally[person_cells(p, places, i, yb)]++] = (uint32_t)i;
    for (size_t r = i0; r < i1; r++) {
      size_t i = c->order[r], m = person_cells(p, places, i, yb);
      size_t nbig = p->nz_start[i + 1] - p->nz_start[i] - (m - (p->skip_start[i + 1] - p->skip_start[i]));
      PUT(p->lo[i]);
      PUT(p->hi[i]);
      PUT(m);
      PUT(nbig);
      for (size_t j = p->skip_start[i]; j < p->skip_start[i + 1]; j++) PUT(T * yb + p->skip_t[j]);
      for (size_t j = p->nz_start[i]; j < p->nz_start[i + 1]; j++)
        if (stream_y(p, places, j) < (double)yb) PUT((size_t)p->nz_t[j] * yb + (size_t)stream_y(p, places, j));
      for (size_t j = p->nz_start[i]; j < p->nz_start[i + 1]; j++) {
        if (stream_y(p, places, j) < (double)yb) continue;
        uint32_t y = (uint32_t)stream_y(p, places, j); /* a count (stream_codes) */
        PUT(p->nz_t[j]);
        PUT(y & 0xFFFF);
        if (!c->wide) PUT(y >> 16);
      }
    }
  }
#undef PUT
  return w;
}

/* Whether the stream can code every regular nonzero cell: its codes and
 * big cells hold counts, integers in 1 .. INT32_MAX (panel_count_value). */
static bool stream_codes(const gbtm_panel *p) {
  for (size_t j = 0; j < p->nz_start[p->n]; j++)
    if (!panel_count_value(p->nz_y[j])) return false;
  return true;
}

static gbtm_status build_stream(estep_ctx *c) {
  c->wide = c->T > NARROW_MAX_AGES;
  c->yb = choose_yb(c->p, c->fam->cell_path, c->Kp, c->wide);
  c->ncodes = c->T * c->yb + c->T;
  c->bstart = malloc(c->nblocks * sizeof *c->bstart);
  c->order = malloc(c->p->n * sizeof *c->order);
  size_t *tally = malloc((c->T + 2) * sizeof *tally);
  if (!c->bstart || !c->order || !tally) {
    free(tally);
    return GBTM_ERR_NOMEM;
  }
  size_t words = write_stream(c, NULL, tally);
  c->stream = malloc((words ? words : 1) * (c->wide ? sizeof(uint32_t) : sizeof(uint16_t)));
  if (c->stream) write_stream(c, c->stream, tally);
  free(tally);
  return c->stream ? GBTM_OK : GBTM_ERR_NOMEM;
}

double estep_person_constant(const gbtm_panel *p, const gbtm_family *family, size_t i) {
  double ci = 0.0;
  size_t s = p->skip_start[i], s_end = p->skip_start[i + 1];
  size_t z = p->nz_start[i], z_end = p->nz_start[i + 1];
  size_t x = p->ex_start[i], x_end = p->ex_start[i + 1];
  /* the observed cells in the order of panel_person_cells, not copied */
  for (size_t u = p->lo[i]; u <= p->hi[i]; u++) {
    if (s < s_end && p->skip_t[s] == u) {
      s++;
      if (x < x_end && p->ex_t[x] == u) ci = family->add_constant(ci, p->ex_y[x], p->ex_e[x]), x++;
      continue;
    }
    double y = z < z_end && p->nz_t[z] == u ? p->nz_y[z++] : 0.0;
    ci = family->add_constant(ci, y, 1.0);
  }
  return ci;
}

/* cblock[b] = the sum of c_i over block b's persons. */
static void person_constants(estep_ctx *c) {
  for (size_t i = 0; i < c->p->n; i++)
    c->cblock[i / c->block] += panel_weight(c->p, i) * estep_person_constant(c->p, c->fam, i); /* eq. W */
}

/* The kernel and its tables; the sparse kernel's stream (see the top) is
 * made here, once: O(N + cells) time, about 2 bytes per cell and 12 per
 * person. Counts are int32, so a big cell's count always fits its words. */
gbtm_status estep_ctx_alloc(const gbtm_panel *panel, const gbtm_family *family, int K,
                            gbtm_kernel kernel, int threads, const gbtm_reducer *reducer,
                            estep_ctx **out, gbtm_error *err) {
  *out = NULL;
  estep_ctx *c = calloc(1, sizeof *c);
  if (!c) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory preparing the E-step (%zu persons)", panel->n);
  c->p = panel;
  c->fam = family;
  c->reducer = reducer;
  c->K = K;
  c->ns = family->n_stats;
  c->T = panel->T;
  c->threads = fit_threads(threads, 0);
  size_t dense_bytes = panel->n * 3 * panel->T * sizeof(double);
  double density = (double)panel->n_nonzero / ((double)panel->n * (double)panel->T);
  if (kernel == GBTM_KERNEL_AUTO)
    kernel = (density >= DENSE_MIN_DENSITY && dense_bytes <= DENSE_MAX_BYTES) ? GBTM_KERNEL_DENSE
                                                                               : GBTM_KERNEL_SPARSE;
  /* the stream codes counts: a response that is not one (a real) is read
   * as a double by the dense kernel, never truncated */
  if (kernel == GBTM_KERNEL_SPARSE && !family->cell_path && !stream_codes(panel)) kernel = GBTM_KERNEL_DENSE;
  c->kernel = kernel;
  /* Block size depends on N only. */
  c->block = panel->n / BLOCKS_MAX + 1 > BLOCK_MIN ? panel->n / BLOCKS_MAX + 1 : BLOCK_MIN;
  c->nblocks = (panel->n + c->block - 1) / c->block;
  size_t T = c->T, KT = (size_t)K * T, Kp = round4((size_t)K);
  c->Kp = Kp;
  c->nlin = family->cell_prepare ? family->linear_features : 0;
  c->yb = 2;
  c->psize = 1 + (size_t)K + 3 * KT + (size_t)c->ns * KT;
  c->partial = malloc(c->nblocks * c->psize * sizeof *c->partial);
  c->cblock = calloc(c->nblocks, sizeof *c->cblock);
  /* zeroed: the padding columns are never written and stay 0 */
  c->pbase = alloc_doubles(Kp * (T + 1));
  c->coef = alloc_doubles(3 * Kp * T);
  c->pl = alloc_doubles(2 * Kp * T);
  if ((family->cell_prepare && !(c->pre = malloc(KT * FAMILY_PREPARED * sizeof *c->pre))) ||
      (family->group_prepare && !(c->group = malloc((size_t)K * FAMILY_GROUP_PREPARED * sizeof *c->group))) ||
      (family->cell_prepare && family->linear_features &&
       !(c->lin = malloc(KT * (size_t)(1 + family->linear_features) * sizeof *c->lin)))) {
    estep_ctx_free(c);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory preparing the E-step (%zu persons)", panel->n);
  }
  gbtm_status st = GBTM_OK;
  if (c->partial && c->cblock && c->pbase && c->coef && c->pl) {
    if (kernel == GBTM_KERNEL_DENSE) st = build_dense(c);
    else st = build_stream(c);
  } else {
    st = GBTM_ERR_NOMEM;
  }
  if (st == GBTM_OK && kernel == GBTM_KERNEL_SPARSE && !(c->ytab = alloc_doubles(c->ncodes * Kp))) st = GBTM_ERR_NOMEM;
  if (st == GBTM_OK) {
    c->fcells = c->pre ? round4(block_cells_max(c) * FAMILY_FEATURES) : 0;
    c->scratch_size = scratch_doubles(c->block, Kp, T, c->ncodes, c->fcells, (size_t)K, c->nlin);
    if (!(c->scratch = alloc_doubles((size_t)c->threads * c->scratch_size))) st = GBTM_ERR_NOMEM;
  }
  if (st != GBTM_OK) {
    estep_ctx_free(c);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory preparing the E-step (%zu persons)",
                     panel->n);
  }
  person_constants(c);
  blas_one_thread(); /* whatever the kernel (engine/base/blas_threads.c) */
  *out = c;
  return GBTM_OK;
}

void estep_ctx_free(estep_ctx *c) {
  if (!c) return;
  free(c->partial);
  free(c->cblock);
  free(c->dense);
  free(c->pbase);
  free(c->coef);
  free(c->pl);
  free(c->pre);
  free(c->group);
  free(c->lin);
  free(c->ytab);
  free(c->stream);
  free(c->bstart);
  free(c->order);
  free(c->scratch);
  free(c);
}

/* Group k's family_par. */
static const family_par *group_par(const estep_params *par, size_t k) {
  return par->fpar ? &par->fpar[k] : &family_par_none;
}

static void prepare_tables(estep_ctx *c, const estep_params *par) {
  size_t T = c->T, K = (size_t)c->K, Kp = c->Kp, yb = c->yb;
  double base[GBTM_MAX_AGES_TABLE], pos[GBTM_MAX_AGES_TABLE], lin[GBTM_MAX_AGES_TABLE];
  for (size_t k = 0; k < K; k++) {
    const double *zeta = par->inflated[k] ? par->zeta + k * T : NULL;
    for (size_t t0 = 0; t0 < T; t0 += GBTM_MAX_AGES_TABLE) {
      size_t n = T - t0 < GBTM_MAX_AGES_TABLE ? T - t0 : GBTM_MAX_AGES_TABLE;
      c->fam->tables(par->eta + k * T + t0, zeta ? zeta + t0 : NULL, group_par(par, k), n, base, pos, lin);
      for (size_t t = 0; t < n; t++) {
        c->coef[(t0 + t) * Kp + k] = base[t];
        c->coef[(T + t0 + t) * Kp + k] = pos[t];
        c->coef[(2 * T + t0 + t) * Kp + k] = lin[t];
        c->pl[(t0 + t) * 2 * Kp + k] = pos[t];
        c->pl[(t0 + t) * 2 * Kp + Kp + k] = lin[t];
        if (c->ytab) {
          for (size_t y = 1; y < yb; y++) c->ytab[((t0 + t) * yb + y) * Kp + k] = pos[t] + (double)y * lin[t];
          c->ytab[(T * yb + t0 + t) * Kp + k] = -base[t];
        }
      }
    }
    c->pbase[k] = 0.0;
    for (size_t t = 0; t < T; t++)
      c->pbase[(t + 1) * Kp + k] = c->pbase[t * Kp + k] + c->coef[t * Kp + k];
    for (size_t t = 0; c->pre && t < T; t++) {
      const double *q = c->pre + (k * T + t) * FAMILY_PREPARED;
      c->fam->cell_prepare(par->eta[k * T + t], zeta ? zeta + t : NULL, group_par(par, k), c->pre + (k * T + t) * FAMILY_PREPARED);
      for (int j = 0; c->lin && j <= c->nlin; j++) c->lin[(t * K + k) * (size_t)(1 + c->nlin) + (size_t)j] = q[j];
    }
    if (c->group) c->fam->group_prepare(group_par(par, k), c->group + k * FAMILY_GROUP_PREPARED);
  }
}

/* A cell's features (the family's cell_features) at *f, the block's
 * running place in its features: computed there when ready is false (the
 * first pass over the block's persons), read when true (the statistics'
 * pass, which meets the cells in the same order). */
static inline const double *cell_features(const estep_ctx *c, double y, double E, double **f, bool ready) {
  double *at = *f;
  if (!ready) c->fam->cell_features(y, E, at);
  *f += FAMILY_FEATURES;
  return at;
}

/* l[k] += v_k(y, E) - sub[k] of one cell at age t for every group k: from
 * the prepared tables, or the family's cell_loglik. */
static inline void cell_v(const estep_ctx *c, const estep_params *par, size_t t, double y, double E,
                          const double *sub, double *l, double **f) {
  const size_t T = c->T;
  if (c->nlin) { /* v = pre[0] + sum_j pre[1 + j] f[j] */
    const double *ft = cell_features(c, y, E, f, false);
    const int n = c->nlin;
    for (int k = 0; k < c->K; k++) {
      const double *q = c->lin + (t * (size_t)c->K + (size_t)k) * (size_t)(1 + n);
      double v = q[0];
      for (int j = 0; j < n; j++) v += q[1 + j] * ft[j];
      l[k] += v - (sub ? sub[k] : 0.0);
    }
    return;
  }
  if (c->pre) {
    const double *ft = cell_features(c, y, E, f, false);
    for (int k = 0; k < c->K; k++)
      l[k] += c->fam->prepared_loglik(c->pre + ((size_t)k * T + t) * FAMILY_PREPARED,
                                      c->group ? c->group + (size_t)k * FAMILY_GROUP_PREPARED : NULL, ft) -
              (sub ? sub[k] : 0.0);
    return;
  }
  for (int k = 0; k < c->K; k++) {
    size_t kt = (size_t)k * T + t;
    l[k] += c->fam->cell_loglik(par->eta[kt], par->inflated[k] ? par->zeta + kt : NULL, group_par(par, (size_t)k), y,
                                E) -
            (sub ? sub[k] : 0.0);
  }
}

/* The statistics of one cell at age t, weighted by tau[k], into each
 * group k's statistics (ex + k ns T); with linear features the sums of
 * tau and tau f[j] into the block's lacc (T x K x (1 + nlin), added to
 * the statistics at the block's end: fold_linear). */
static inline void cell_st(const estep_ctx *c, const estep_params *par, size_t t, double y, double E,
                           const double *tau, double *ex, double **f, bool ready, double *lacc) {
  const size_t T = c->T, stride = (size_t)c->ns * T;
  if (c->nlin) {
    const double *ft = cell_features(c, y, E, f, ready);
    const int n = c->nlin;
    for (int k = 0; k < c->K; k++) {
      double *st = lacc + (t * (size_t)c->K + (size_t)k) * (size_t)(1 + n);
      st[0] += tau[k];
      for (int j = 0; j < n; j++) st[1 + j] += tau[k] * ft[j];
    }
    return;
  }
  if (c->pre) {
    const double *ft = cell_features(c, y, E, f, ready);
    for (int k = 0; k < c->K; k++)
      c->fam->prepared_stats(c->pre + ((size_t)k * T + t) * FAMILY_PREPARED,
                             c->group ? c->group + (size_t)k * FAMILY_GROUP_PREPARED : NULL, ft, tau[k],
                             ex + (size_t)k * stride, t, T);
    return;
  }
  for (int k = 0; k < c->K; k++) {
    size_t kt = (size_t)k * T + t;
    c->fam->cell_stats(par->eta[kt], par->inflated[k] ? par->zeta + kt : NULL, group_par(par, (size_t)k), y, E,
                       tau[k], ex + (size_t)k * stride, t, T);
  }
}

/* l[k] += sum over the exception cells of person i of v_k(y, E). */
static void exception_loglik(const estep_ctx *c, const estep_params *par, size_t i, double *l, double **f) {
  const gbtm_panel *p = c->p;
  for (size_t j = p->ex_start[i]; j < p->ex_start[i + 1]; j++)
    cell_v(c, par, p->ex_t[j], p->ex_y[j], p->ex_e[j], NULL, l, f);
}

/* A cell_path family: l[k] += v_k(y) - base_kt over person i's positive
 * regular counts (the window's sums counted base for them). */
static void positive_loglik(const estep_ctx *c, const estep_params *par, size_t i, double *l, double **f) {
  const gbtm_panel *p = c->p;
  for (size_t j = p->nz_start[i]; j < p->nz_start[i + 1]; j++) {
    size_t t = p->nz_t[j];
    cell_v(c, par, t, p->nz_y[j], 1.0, c->coef + t * c->Kp, l, f);
  }
}

/* A cell_path family: the statistics of person i's positive regular counts
 * (regular_stats then adds the zeros' only). */
static void positive_stats(const estep_ctx *c, const estep_params *par, size_t i, const double *tau, double *ex,
                           double **f, bool ready, double *lacc) {
  const gbtm_panel *p = c->p;
  for (size_t j = p->nz_start[i]; j < p->nz_start[i + 1]; j++)
    cell_st(c, par, p->nz_t[j], p->nz_y[j], 1.0, tau, ex, f, ready, lacc);
}

static void exception_stats(const estep_ctx *c, const estep_params *par, size_t i, const double *tau, double *ex,
                            double **f, bool ready, double *lacc) {
  const gbtm_panel *p = c->p;
  for (size_t j = p->ex_start[i]; j < p->ex_start[i + 1]; j++)
    cell_st(c, par, p->ex_t[j], p->ex_y[j], p->ex_e[j], tau, ex, f, ready, lacc);
}

/* The block's linear-feature sums lacc into the last 1 + nlin statistics
 * of each group (linear_features, engine/families/family.h). */
static void fold_linear(const estep_ctx *c, const double *lacc, double *ex) {
  const size_t T = c->T, K = (size_t)c->K, m = (size_t)(1 + c->nlin), stride = (size_t)c->ns * T;
  const size_t s0 = (size_t)c->ns - m;
  for (size_t k = 0; k < K; k++)
    for (size_t j = 0; j < m; j++)
      for (size_t t = 0; t < T; t++) ex[k * stride + (s0 + j) * T + t] += lacc[(t * K + k) * m + j];
}

/* The Kp values of one person, as vectors for the kernels and as doubles
 * for the rest; lanes from K to Kp are padding. */
typedef union gvec {
  v4d v[GROUPS_V];
  double d[GBTM_MAX_GROUPS];
} gvec;

#define INLINE static inline __attribute__((always_inline))

/* Rows of the tables and scratch: 32-byte aligned (alloc_doubles, row
 * strides and offsets multiples of four doubles). */
#define VROW(ptr) ((v4d *)__builtin_assume_aligned((ptr), 32))
#define CVROW(ptr) ((const v4d *)__builtin_assume_aligned((ptr), 32))

INLINE size_t rd(const void *s, size_t j, const bool wide) {
  return wide ? ((const uint32_t *)s)[j] : ((const uint16_t *)s)[j];
}

/* A big cell at word j: its age index and count; returns its words. */
INLINE size_t rd_big(const void *s, size_t j, size_t *t, double *y, const bool wide) {
  *t = rd(s, j, wide);
  *y = wide ? (double)rd(s, j + 1, wide) : (double)(rd(s, j + 1, wide) | rd(s, j + 2, wide) << 16);
  return wide ? 2 : 3;
}

/* Pass 1 of the sparse kernel, the person at word j of the stream: the
 * group log-likelihoods without log pi and c_i (eq. L),
 *   l_k = sum_{t in window} base_kt - sum_{skip t} base_kt
 *       + sum_{nonzero t} (pos_kt + y_it lin_kt),
 * for the nv vectors of groups. Returns the next person's word. */
INLINE size_t sparse_loglik(const estep_ctx *c, size_t j, gvec *l, const size_t nv, const bool wide) {
  const void *s = c->stream;
  const double *ytab = c->ytab;
  const size_t Kp = 4 * nv;
  size_t lo = rd(s, j, wide), hi = rd(s, j + 1, wide), ncell = rd(s, j + 2, wide), nbig = rd(s, j + 3, wide);
  j += HEADER_WORDS;
  const v4d *ph = CVROW(c->pbase + (hi + 1) * Kp), *pw = CVROW(c->pbase + lo * Kp);
  v4d a[GROUPS_V];
  for (size_t v = 0; v < nv; v++) a[v] = ph[v] - pw[v];
  for (size_t e = j + ncell; j < e; j++) {
    const v4d *q = CVROW(ytab + rd(s, j, wide) * Kp); /* -base_t or pos_t + y lin_t */
    for (size_t v = 0; v < nv; v++) a[v] += q[v];
  }
  for (; nbig > 0; nbig--) {
    size_t t;
    double y;
    j += rd_big(s, j, &t, &y, wide);
    const v4d *ps = CVROW(c->pl + t * 2 * Kp), *ln = ps + nv; /* [pos_t | lin_t] */
    for (size_t v = 0; v < nv; v++) a[v] += ps[v] + y * ln[v];
  }
  for (size_t v = 0; v < nv; v++) l->v[v] = a[v];
  return j;
}

/* Pass 3 of the sparse kernel, the person at word j: its tau into the
 * window difference array diff ((T+1) x Kp: +tau at lo, -tau after hi),
 * into the bucket of each cell's code, and each big cell's tau and tau y
 * into acc's rows T.. ([TP_t | TY_t], 2Kp each). Returns the next person's
 * word. */
INLINE size_t sparse_totals(const estep_ctx *c, size_t j, const v4d *tau, double *restrict acc,
                            double *restrict diff, double *restrict bucket, const size_t nv,
                            const bool wide) {
  const void *s = c->stream;
  const size_t Kp = 4 * nv;
  size_t lo = rd(s, j, wide), hi = rd(s, j + 1, wide), ncell = rd(s, j + 2, wide), nbig = rd(s, j + 3, wide);
  j += HEADER_WORDS;
  v4d tv[GROUPS_V];
  for (size_t v = 0; v < nv; v++) tv[v] = tau[v];
  v4d *dlo = VROW(diff + lo * Kp), *dhi = VROW(diff + (hi + 1) * Kp);
  for (size_t v = 0; v < nv; v++) {
    dlo[v] += tv[v];
    dhi[v] -= tv[v];
  }
  for (size_t e = j + ncell; j < e; j++) {
    v4d *b = VROW(bucket + rd(s, j, wide) * Kp);
    for (size_t v = 0; v < nv; v++) b[v] += tv[v];
  }
  if (nbig > 0) {
    double *py = acc + c->T * Kp;
    for (; nbig > 0; nbig--) {
      size_t t;
      double y;
      j += rd_big(s, j, &t, &y, wide);
      v4d *pp = VROW(py + t * 2 * Kp), *yy = pp + nv;
      for (size_t v = 0; v < nv; v++) {
        pp[v] += tv[v];
        yy[v] += tv[v] * y;
      }
    }
  }
  return j;
}

/* Lane shuffles of two vectors (indices 0-3: a's lanes, 4-7: b's). */
#if defined(__clang__)
#define SHUF(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#else
#define SHUF(a, b, i, j, k, l) __builtin_shuffle(a, b, (v4i){i, j, k, l})
#endif

/* The 4 x 4 transpose: row q of the input becomes lane q of each output. */
INLINE void transpose4(const v4d *in0, const v4d *in1, const v4d *in2, const v4d *in3, v4d *out) {
  v4d t0 = SHUF(*in0, *in1, 0, 4, 2, 6), t1 = SHUF(*in0, *in1, 1, 5, 3, 7);
  v4d t2 = SHUF(*in2, *in3, 0, 4, 2, 6), t3 = SHUF(*in2, *in3, 1, 5, 3, 7);
  out[0] = SHUF(t0, t2, 0, 1, 4, 5);
  out[1] = SHUF(t1, t3, 0, 1, 4, 5);
  out[2] = SHUF(t0, t2, 2, 3, 6, 7);
  out[3] = SHUF(t1, t3, 2, 3, 6, 7);
}

/* Pass 2: tau = softmax(l) by log-sum-exp for the nb persons of a block
 * (DESIGN §3), l and tau rows of Kp (with rows up to nb rounded up to 4);
 * returns the sum over the persons of log sum_k exp(l_k). Four persons at a
 * time, one per lane (the rows transposed to one vector per group), each
 * lane in the order of the formula: m = max_k l_k, e_k = exp(l_k - m),
 * s = e_1 + ... + e_Kp (the padding adds 0), tau_k = e_k (1/s), and
 * m + log s added to the sum person by person. */
INLINE double softmax_block(double *L, double *TAU, size_t nb, const size_t nv, const double *wt,
                            const uint32_t *order, size_t i0) {
  const size_t Kp = 4 * nv;
  for (size_t r = nb; r < round4(nb); r++) /* the last rows' spare lanes: anything finite */
    for (size_t k = 0; k < Kp; k++) L[r * Kp + k] = 0.0;
  double lsum = 0.0;
  for (size_t r = 0; r < nb; r += 4) {
    const v4d *row[4];
    for (size_t q = 0; q < 4; q++) row[q] = CVROW(L + (r + q) * Kp);
    v4d g[GBTM_MAX_GROUPS]; /* g[k]: group k of the four persons */
    for (size_t v = 0; v < nv; v++) transpose4(row[0] + v, row[1] + v, row[2] + v, row[3] + v, g + 4 * v);
    v4d m = g[0];
    for (size_t k = 1; k < Kp; k++) m = v4d_select(g[k] > m, g[k], m);
    for (size_t k = 0; k < Kp; k++) g[k] = v4d_exp_nonpos(g[k] - m);
    v4d sum = g[0];
    for (size_t k = 1; k < Kp; k++) sum += g[k];
    v4d inv = 1.0 / sum;
    for (size_t k = 0; k < Kp; k++) g[k] *= inv;
    for (size_t v = 0; v < nv; v++) {
      v4d t[4];
      transpose4(g + 4 * v, g + 4 * v + 1, g + 4 * v + 2, g + 4 * v + 3, t);
      for (size_t q = 0; q < 4; q++) *VROW(TAU + (r + q) * Kp + 4 * v) = t[q];
    }
    v4d lse = m + v4d_log_pos(sum);
    if (wt) /* eq. W: the person's weight times log f_i */
      for (size_t q = 0; q < 4 && r + q < nb; q++) lsum += wt[order ? (size_t)order[r + q] : i0 + r + q] * lse[q];
    else
      for (size_t q = 0; q < 4 && r + q < nb; q++) lsum += lse[q];
  }
  return lsum;
}

/* The code buckets of a block into TO, TP and TY (acc rows 0..T-1 for the
 * skip cells' share of TO, rows T.. [TP_t | TY_t]): TO_t -= bucket(skip t),
 * TP_t += sum_y bucket(t, y), TY_t += sum_y y bucket(t, y). */
INLINE void fold_buckets(const estep_ctx *c, const double *bucket, double *acc, const size_t nv) {
  const size_t Kp = 4 * nv, yb = c->yb, T = c->T;
  double *py = acc + T * Kp;
  for (size_t t = 0; t < T; t++) {
    v4d *o = VROW(acc + t * Kp);
    const v4d *sk = CVROW(bucket + (T * yb + t) * Kp);
    for (size_t v = 0; v < nv; v++) o[v] -= sk[v];
    v4d *pp = VROW(py + t * 2 * Kp), *yy = pp + nv;
    for (size_t y = 1; y < yb; y++) {
      const v4d *b = CVROW(bucket + (t * yb + y) * Kp);
      for (size_t v = 0; v < nv; v++) {
        pp[v] += b[v];
        yy[v] += b[v] * (double)y;
      }
    }
  }
}

/* One block: the three passes, then the block's partial sums (see
 * estep_run). nv (vectors of groups) and wide are constants where the
 * caller makes them so. */
INLINE void block_run(estep_ctx *c, const estep_params *par, const double *tau_in, double *tau_out,
                      double *l_out, size_t b, double *scratch, const size_t nv, const bool wide) {
  const gbtm_panel *p = c->p;
  const size_t K = (size_t)c->K, Kp = 4 * nv, T = c->T, w = 3 * T;
  const bool sparse = c->kernel == GBTM_KERNEL_SPARSE, cells = c->fam->cell_path;
  const bool exceptions = p->has_exposure || cells; /* statistics kept cell by cell */
  size_t i0 = b * c->block, i1 = i0 + c->block < p->n ? i0 + c->block : p->n, nb = i1 - i0;
  double *part = c->partial + b * c->psize;
  double *ll = part, *sum_tau = part + 1, *tot = part + 1 + K, *ex = tot + K * w;
  double *L = scratch, *TAU = L + round4(c->block) * Kp, *diff = TAU + round4(c->block) * Kp;
  double *acc = diff + (T + 1) * Kp, *bucket = acc + 3 * T * Kp, *feat = bucket + c->ncodes * Kp, *f = feat;
  double *lacc = feat + c->fcells; /* the linear features' sums (cell_st) */
  /* ll, sum_tau and tot are written below; the exception statistics are
   * only kept (and cleared) when the panel has exceptions (see estep_run). */
  if (exceptions) memset(ex, 0, (size_t)c->ns * K * T * sizeof *ex);

  gvec logpi;
  for (size_t k = 0; k < Kp; k++) logpi.d[k] = k < K ? par->logpi[k] : -INFINITY;

  /* Pass 1: l (or tau given). */
  const uint32_t *order = sparse ? c->order + i0 : NULL; /* person at each place */
#define PERSON(r) (order ? (size_t)order[r] : i0 + (r))
  if (tau_in) {
    for (size_t r = 0; r < nb; r++) {
      double *row = TAU + r * Kp;
      memcpy(row, tau_in + PERSON(r) * K, K * sizeof(double));
      for (size_t k = K; k < Kp; k++) row[k] = 0.0;
    }
  } else {
    if (!sparse) {
      /* L (K x nb column-major, = nb rows of K) = coef' . dense rows */
      int m = (int)K, n = (int)nb, kk = (int)w, lda = (int)Kp, ldc = (int)K;
      double one = 1.0, zero = 0.0;
      dgemm_("N", "N", &m, &n, &kk, &one, c->coef, &lda, c->dense + i0 * w, &kk, &zero, TAU, &ldc);
    }
    size_t j = sparse ? c->bstart[b] : 0;
    for (size_t r = 0; r < nb; r++) {
      gvec l;
      if (sparse) {
        j = sparse_loglik(c, j, &l, nv, wide);
      } else {
        for (size_t k = 0; k < Kp; k++) l.d[k] = k < K ? TAU[r * K + k] : 0.0;
      }
      if (p->has_exposure) exception_loglik(c, par, PERSON(r), l.d, &f);
      if (cells) positive_loglik(c, par, PERSON(r), l.d, &f);
      if (l_out) memcpy(l_out + PERSON(r) * K, l.d, K * sizeof(double)); /* eq. MT's l_iko */
      v4d *row = VROW(L + r * Kp);
      for (size_t v = 0; v < nv; v++) row[v] = l.v[v] + logpi.v[v]; /* padding: -inf */
    }
    /* Pass 2 */
    *ll = c->cblock[b] + softmax_block(L, TAU, nb, nv, p->weight, order, i0);
  }
  if (tau_in) *ll = 0.0;

  /* Pass 3: the totals. */
  f = feat; /* the cells' features again, in pass 1's order */
  if (c->nlin) memset(lacc, 0, T * K * (size_t)(1 + c->nlin) * sizeof *lacc);
  gvec st;
  for (size_t v = 0; v < nv; v++) st.v[v] = v4d_splat(0.0);
  if (sparse) memset(diff, 0, ((T + 1) * Kp + 3 * T * Kp + c->ncodes * Kp) * sizeof *diff);
  size_t j = sparse ? c->bstart[b] : 0;
  for (size_t r = 0; r < nb; r++) {
    const v4d *tau = CVROW(TAU + r * Kp);
    if (tau_out) memcpy(tau_out + PERSON(r) * K, tau, K * sizeof(double));
    if (p->weight) { /* eq. W: every statistic below, and the dense totals, sum w_i tau_ik */
      v4d wi = v4d_splat(p->weight[PERSON(r)]);
      v4d *row = VROW(TAU + r * Kp);
      for (size_t v = 0; v < nv; v++) row[v] *= wi;
    }
    for (size_t v = 0; v < nv; v++) st.v[v] += tau[v];
    if (p->has_exposure) exception_stats(c, par, PERSON(r), (const double *)tau, ex, &f, !tau_in, lacc);
    if (cells) positive_stats(c, par, PERSON(r), (const double *)tau, ex, &f, !tau_in, lacc);
    if (sparse) j = sparse_totals(c, j, tau, acc, diff, bucket, nv, wide);
  }
#undef PERSON
  if (c->nlin) fold_linear(c, lacc, ex);
  memcpy(sum_tau, st.d, K * sizeof(double));
  if (!sparse) {
    /* tot (K x 3T row-major = 3T x K column-major) = [O|P|Y]' tau */
    int m = (int)w, n = (int)K, kk = (int)nb, ldb = (int)Kp;
    double one = 1.0, zero = 0.0;
    dgemm_("N", "T", &m, &n, &kk, &one, c->dense + i0 * w, &m, TAU, &ldb, &zero, tot, &m);
    return;
  }
  /* tot (K x 3T) from diff, acc and the buckets; the regular totals add
   * the windows. */
  fold_buckets(c, bucket, acc, nv);
  const double *py = acc + T * Kp;
  for (size_t k = 0; k < K; k++) {
    double run = 0.0;
    for (size_t t = 0; t < T; t++) {
      run += diff[t * Kp + k];
      tot[k * w + t] = run + acc[t * Kp + k];
      tot[k * w + T + t] = py[t * 2 * Kp + k];
      tot[k * w + 2 * T + t] = py[t * 2 * Kp + Kp + k];
    }
  }
}

/* The block function for the context's shape, compiled for the baseline
 * and for AVX2 (kernels.h). */

KERNEL_CLONES
static void run_block(estep_ctx *c, const estep_params *par, const double *tau_in, double *tau_out, double *l_out,
                      size_t b, double *scratch) {
  const size_t nv = c->Kp / 4;
#define RUN(NV, WIDE) block_run(c, par, tau_in, tau_out, l_out, b, scratch, NV, WIDE)
  if (c->wide) {
    switch (nv) {
    case 1: RUN(1, true); break;
    case 2: RUN(2, true); break;
    case 3: RUN(3, true); break;
    default: RUN(4, true); break;
    }
  } else {
    switch (nv) {
    case 1: RUN(1, false); break;
    case 2: RUN(2, false); break;
    case 3: RUN(3, false); break;
    default: RUN(4, false); break;
    }
  }
#undef RUN
}

gbtm_status estep_run(estep_ctx *c, const estep_params *par, const double *tau_in,
                      estep_out *out, gbtm_error *err) {
  (void)err;
  int K = c->K;
  size_t T = c->T, w = 3 * T;
  prepare_tables(c, par);
  long nblocks = (long)c->nblocks;
#pragma omp parallel for schedule(dynamic, 1) num_threads(c->threads) if (nblocks >= PARALLEL_BLOCKS)
  for (long b = 0; b < nblocks; b++)
    run_block(c, par, tau_in, out->tau, out->lrow, (size_t)b, c->scratch + (size_t)omp_get_thread_num() * c->scratch_size);

  /* Add the block partials in block order, then across processes. Without
   * exception cells the blocks leave their exception statistics unwritten:
   * only the first block's, cleared here, enter the sum. */
  double *acc = c->partial;
  size_t used = c->p->has_exposure || c->fam->cell_path ? c->psize : 1 + (size_t)K + (size_t)K * w;
  if (used < c->psize) memset(acc + used, 0, (c->psize - used) * sizeof *acc);
  for (size_t b = 1; b < c->nblocks; b++) {
    const double *part = c->partial + b * c->psize;
    for (size_t j = 0; j < used; j++) acc[j] += part[j];
  }
  reduce_sum(c->reducer, acc, c->psize);

  out->loglik = tau_in ? 0.0 : acc[0];
  memcpy(out->sum_tau, acc + 1, (size_t)K * sizeof(double));
  const double *tot = acc + 1 + K, *ex = tot + (size_t)K * w;
  size_t stride = (size_t)c->ns * T;
  memcpy(out->stats, ex, (size_t)K * stride * sizeof(double));
  for (int k = 0; k < K; k++) {
    const double *zeta = par->inflated[k] ? par->zeta + k * T : NULL;
    const double *tk = tot + (size_t)k * w;
    c->fam->regular_stats(par->eta + k * T, zeta, group_par(par, (size_t)k), T, tk, tk + T, tk + 2 * T,
                          out->stats + k * stride);
  }
  return GBTM_OK;
}
