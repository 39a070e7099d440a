/* estep.c: the E-step kernels (DESIGN §3).
 *
 * For each person i and group k the group log-likelihood is
 *   l_ik = log pi_k + c_i + sum_{t in O_i} v_k(y_it, E_it)      (eq. L)
 * where, for a regular cell (E = 1), v_k(y) = base_kt + [y>0] pos_kt + y lin_kt
 * (models/family.h). Two kernels compute it:
 * - dense: l = [O | P | Y] . [base; pos; lin] by dgemm, with O, P, Y the
 *   N x T indicator-of-regular, indicator-of-positive and count matrices;
 * - sparse: the sum of base over the person's window by prefix sums, minus
 *   the skip cells, plus pos + y lin over the nonzero cells.
 * Both add the exception cells (E != 1) one by one. Posteriors are
 * tau_ik = softmax_k(l_ik) by log-sum-exp, and the statistics the M-step
 * needs come from the tau-weighted totals TO = tau'O, TP = tau'P, TY = tau'Y
 * (dgemm, or difference arrays over windows in the sparse kernel) plus the
 * exception cells.
 *
 * Persons are cut into fixed blocks whose size depends only on N; each block
 * writes its own partial sums, and partials are added in block order, so the
 * result does not depend on the number of threads.
 */
#include "estep.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
            const double *alpha, const double *a, const int *lda, const double *b, const int *ldb,
            const double *beta, double *c, const int *ldc);
void openblas_set_num_threads(int n);

/* Ages per call of the family's table function (a stack buffer). */
#define GBTM_MAX_AGES_TABLE 256

/* Panels at least this dense (nonzero cells per person x age) use dgemm;
 * and only while the dense matrices stay under DENSE_MAX_BYTES. */
#define DENSE_MIN_DENSITY 0.5
#define DENSE_MAX_BYTES ((size_t)512 << 20)

struct estep_ctx {
  const gbtm_panel *p;
  const gbtm_family *fam;
  const gbtm_reducer *reducer;
  int K, ns, threads;
  size_t T;
  gbtm_kernel kernel;
  size_t block, nblocks;
  size_t psize;     /* doubles per block partial: ll, sum_tau K, K x 3T totals, K x ns x T */
  double *partial;  /* nblocks x psize */
  double *dense;    /* N x 3T: [O | P | Y] rows (dense kernel) */
  double *coef;     /* 3T x K row-major: [base; pos; lin], group index fastest */
  double *pbase;    /* (T+1) x K prefix sums over t of base */
  double *scratch;  /* per thread: see scratch_size() */
  size_t scratch_size;
};

gbtm_kernel estep_kernel(const estep_ctx *ctx) { return ctx->kernel; }
int estep_threads(const estep_ctx *ctx) { return ctx->threads; }

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

gbtm_status estep_ctx_alloc(const gbtm_panel *panel, const gbtm_family *family, int K,
                            gbtm_kernel kernel, int threads, const gbtm_reducer *reducer,
                            estep_ctx **out, gbtm_error *err) {
  *out = NULL;
  estep_ctx *c = calloc(1, sizeof *c);
  if (!c) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory");
  c->p = panel;
  c->fam = family;
  c->reducer = reducer;
  c->K = K;
  c->ns = family->n_stats;
  c->T = panel->T;
  c->threads = threads > 0 ? threads : omp_get_max_threads();
  size_t dense_bytes = panel->n * 3 * panel->T * sizeof(double);
  double density = (double)panel->n_nonzero / ((double)panel->n * (double)panel->T);
  if (kernel == GBTM_KERNEL_AUTO)
    kernel = (density >= DENSE_MIN_DENSITY && dense_bytes <= DENSE_MAX_BYTES) ? GBTM_KERNEL_DENSE
                                                                               : GBTM_KERNEL_SPARSE;
  c->kernel = kernel;
  /* Block size depends on N only: at least 256 persons, at most 1024 blocks. */
  c->block = panel->n / 1024 + 1 > 256 ? panel->n / 1024 + 1 : 256;
  c->nblocks = (panel->n + c->block - 1) / c->block;
  size_t T = c->T, KT = (size_t)K * T;
  c->psize = 1 + (size_t)K + 3 * KT + (size_t)c->ns * KT;
  c->partial = malloc(c->nblocks * c->psize * sizeof *c->partial);
  c->pbase = malloc((size_t)K * (T + 1) * sizeof(double));
  c->coef = malloc(3 * KT * sizeof(double));
  /* scratch per thread: l and tau for a block (2 x block x K), the window
   * difference array (T+1) x K and the totals 3T x K of the sparse kernel */
  c->scratch_size = 2 * c->block * (size_t)K + (size_t)K * (T + 1) + 3 * KT;
  c->scratch = malloc((size_t)c->threads * c->scratch_size * sizeof(double));
  if (!c->partial || !c->pbase || !c->coef || !c->scratch ||
      (kernel == GBTM_KERNEL_DENSE && build_dense(c) != GBTM_OK)) {
    estep_ctx_free(c);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory preparing the E-step (%zu persons)",
                     panel->n);
  }
  /* Dense blocks call dgemm from several threads at once: one BLAS thread each. */
  if (kernel == GBTM_KERNEL_DENSE) openblas_set_num_threads(1);
  *out = c;
  return GBTM_OK;
}

void estep_ctx_free(estep_ctx *c) {
  if (!c) return;
  free(c->partial);
  free(c->dense);
  free(c->pbase);
  free(c->coef);
  free(c->scratch);
  free(c);
}

static void prepare_tables(estep_ctx *c, const estep_params *par) {
  size_t T = c->T, K = (size_t)c->K;
  double base[GBTM_MAX_AGES_TABLE], pos[GBTM_MAX_AGES_TABLE], lin[GBTM_MAX_AGES_TABLE];
  for (size_t k = 0; k < K; k++) {
    const double *zeta = par->inflated[k] ? par->zeta + k * T : NULL;
    for (size_t t0 = 0; t0 < T; t0 += GBTM_MAX_AGES_TABLE) {
      size_t n = T - t0 < GBTM_MAX_AGES_TABLE ? T - t0 : GBTM_MAX_AGES_TABLE;
      c->fam->tables(par->eta + k * T + t0, zeta ? zeta + t0 : NULL, n, base, pos, lin);
      for (size_t t = 0; t < n; t++) {
        c->coef[(t0 + t) * K + k] = base[t];
        c->coef[(T + t0 + t) * K + k] = pos[t];
        c->coef[(2 * T + t0 + t) * K + k] = lin[t];
      }
    }
    c->pbase[k] = 0.0;
    for (size_t t = 0; t < T; t++) c->pbase[(t + 1) * K + k] = c->pbase[t * K + k] + c->coef[t * K + k];
  }
}

/* l[k] += sum over the exception cells of person i of v_k(y, E). */
static void exception_loglik(const estep_ctx *c, const estep_params *par, size_t i, double *l) {
  const gbtm_panel *p = c->p;
  for (size_t j = p->ex_start[i]; j < p->ex_start[i + 1]; j++) {
    size_t t = p->ex_t[j];
    for (int k = 0; k < c->K; k++) {
      const double *zeta = par->inflated[k] ? par->zeta + k * c->T + t : NULL;
      l[k] += c->fam->cell_loglik(par->eta[k * c->T + t], zeta, p->ex_y[j], p->ex_e[j]);
    }
  }
}

static void exception_stats(const estep_ctx *c, const estep_params *par, size_t i,
                            const double *tau, double *ex) {
  const gbtm_panel *p = c->p;
  size_t T = c->T;
  for (size_t j = p->ex_start[i]; j < p->ex_start[i + 1]; j++) {
    size_t t = p->ex_t[j];
    for (int k = 0; k < c->K; k++) {
      const double *zeta = par->inflated[k] ? par->zeta + k * T + t : NULL;
      c->fam->cell_stats(par->eta[k * T + t], zeta, p->ex_y[j], p->ex_e[j], tau[k],
                         ex + (size_t)k * c->ns * T, t, T);
    }
  }
}

/* Sparse kernel, group log-likelihoods of person i (without log pi). The
 * tables hold the K groups of one age side by side, so each inner loop runs
 * over contiguous memory. */
#define INLINE static inline __attribute__((always_inline))

INLINE void sparse_loglik(const estep_ctx *c, size_t i, double *restrict l, const size_t K) {
  const gbtm_panel *p = c->p;
  const size_t T = c->T;
  const double *restrict pb = c->pbase, *restrict base = c->coef, *restrict pos = c->coef + T * K,
                         *restrict lin = c->coef + 2 * T * K;
  const double *restrict hi = pb + (p->hi[i] + 1) * K, *restrict lo = pb + p->lo[i] * K;
  for (size_t k = 0; k < K; k++) l[k] = hi[k] - lo[k];
  for (size_t j = p->skip_start[i], end = p->skip_start[i + 1]; j < end; j++) {
    const double *restrict b = base + p->skip_t[j] * K;
    for (size_t k = 0; k < K; k++) l[k] -= b[k];
  }
  for (size_t j = p->nz_start[i], end = p->nz_start[i + 1]; j < end; j++) {
    size_t t = p->nz_t[j];
    double y = p->nz_y[j];
    const double *restrict ps = pos + t * K, *restrict ln = lin + t * K;
    for (size_t k = 0; k < K; k++) l[k] += ps[k] + y * ln[k];
  }
}

/* Sparse kernel, tau-weighted totals of person i into acc (3T x K: regular,
 * positive, count) and the window difference array diff ((T+1) x K). */
INLINE void sparse_totals(const estep_ctx *c, size_t i, const double *restrict tau,
                          double *restrict acc, double *restrict diff, const size_t K) {
  const gbtm_panel *p = c->p;
  const size_t T = c->T;
  double *restrict dlo = diff + p->lo[i] * K, *restrict dhi = diff + (p->hi[i] + 1) * K;
  for (size_t k = 0; k < K; k++) {
    dlo[k] += tau[k];
    dhi[k] -= tau[k];
  }
  for (size_t j = p->skip_start[i], end = p->skip_start[i + 1]; j < end; j++) {
    double *restrict o = acc + p->skip_t[j] * K;
    for (size_t k = 0; k < K; k++) o[k] -= tau[k];
  }
  for (size_t j = p->nz_start[i], end = p->nz_start[i + 1]; j < end; j++) {
    size_t t = p->nz_t[j];
    double y = p->nz_y[j];
    double *restrict pp = acc + (T + t) * K, *restrict yy = acc + (2 * T + t) * K;
    for (size_t k = 0; k < K; k++) {
      pp[k] += tau[k];
      yy[k] += tau[k] * y;
    }
  }
}

/* tau = softmax(l) by log-sum-exp; returns log sum_k exp(l_k). */
INLINE double softmax(const size_t K, const double *restrict l, double *restrict tau) {
  double mx = l[0], s = 0.0;
  for (size_t k = 1; k < K; k++) mx = l[k] > mx ? l[k] : mx;
  for (size_t k = 0; k < K; k++) s += tau[k] = exp(l[k] - mx);
  double inv = 1.0 / s;
  for (size_t k = 0; k < K; k++) tau[k] *= inv;
  return mx + log(s);
}

/* The per-person work of a block; K is a constant where the caller makes
 * it one, so the loops over groups unroll. */
INLINE void block_persons(estep_ctx *c, const estep_params *par, const double *tau_in,
                          double *tau_out, size_t i0, size_t nb, double *L, double *tau,
                          double *acc, double *diff, double *ll, double *sum_tau, double *ex,
                          const size_t K) {
  const gbtm_panel *p = c->p;
  const bool sparse = c->kernel == GBTM_KERNEL_SPARSE, exceptions = p->has_exposure;
  for (size_t r = 0; r < nb; r++) {
    size_t i = i0 + r;
    double *lr = L + r * K, *tr = tau + r * K;
    if (tau_in) {
      memcpy(tr, tau_in + i * K, K * sizeof *tr);
    } else {
      if (sparse) sparse_loglik(c, i, lr, K);
      if (exceptions) exception_loglik(c, par, i, lr);
      for (size_t k = 0; k < K; k++) lr[k] += par->logpi[k] + p->logc[i];
      *ll += softmax(K, lr, tr);
    }
    for (size_t k = 0; k < K; k++) sum_tau[k] += tr[k];
    if (tau_out) memcpy(tau_out + i * K, tr, K * sizeof *tr);
    if (exceptions) exception_stats(c, par, i, tr, ex);
    if (sparse) sparse_totals(c, i, tr, acc, diff, K);
  }
}

static void run_block(estep_ctx *c, const estep_params *par, const double *tau_in, double *tau_out,
                      size_t b, double *scratch) {
  const gbtm_panel *p = c->p;
  int K = c->K;
  size_t T = c->T, w = 3 * T;
  size_t i0 = b * c->block, i1 = i0 + c->block < p->n ? i0 + c->block : p->n, nb = i1 - i0;
  double *part = c->partial + b * c->psize;
  memset(part, 0, c->psize * sizeof *part);
  double *ll = part, *sum_tau = part + 1, *tot = part + 1 + K, *ex = tot + (size_t)K * w;
  double *L = scratch, *tau = scratch + c->block * K, *diff = tau + c->block * K;
  double *acc = diff + (T + 1) * K;
  if (c->kernel == GBTM_KERNEL_SPARSE) memset(diff, 0, ((T + 1) + 3 * T) * K * sizeof *diff);

  if (!tau_in && c->kernel == GBTM_KERNEL_DENSE) {
    int m = K, n = (int)nb, kk = (int)w, ldc = K;
    double one = 1.0, zero = 0.0;
    dgemm_("N", "N", &m, &n, &kk, &one, c->coef, &m, c->dense + i0 * w, &kk, &zero, L, &ldc);
  }
#define PERSONS(KC) block_persons(c, par, tau_in, tau_out, i0, nb, L, tau, acc, diff, ll, sum_tau, ex, KC)
  switch (K) {
  case 1: PERSONS(1); break;
  case 2: PERSONS(2); break;
  case 3: PERSONS(3); break;
  case 4: PERSONS(4); break;
  case 5: PERSONS(5); break;
  case 6: PERSONS(6); break;
  default: PERSONS((size_t)K); break;
  }
#undef PERSONS
  if (c->kernel == GBTM_KERNEL_DENSE) {
    /* tot (K x 3T row-major = 3T x K column-major) = [O|P|Y]' tau */
    int m = (int)w, n = K, kk = (int)nb, ldb = K;
    double one = 1.0, zero = 0.0;
    dgemm_("N", "T", &m, &n, &kk, &one, c->dense + i0 * w, &m, tau, &ldb, &zero, tot, &m);
  } else {
    /* tot (K x 3T) from acc (3T x K); the regular totals add the windows. */
    for (int k = 0; k < K; k++) {
      double run = 0.0;
      for (size_t t = 0; t < T; t++) {
        run += diff[t * K + k];
        tot[k * w + t] = run + acc[t * K + k];
      }
      for (size_t r = T; r < w; r++) tot[k * w + r] = acc[r * K + k];
    }
  }
}

gbtm_status estep_run(estep_ctx *c, const estep_params *par, const double *tau_in,
                      estep_out *out, gbtm_error *err) {
  (void)err;
  int K = c->K;
  size_t T = c->T, w = 3 * T;
  prepare_tables(c, par);
  long nblocks = (long)c->nblocks;
#pragma omp parallel for schedule(dynamic, 1) num_threads(c->threads) if (nblocks > 1)
  for (long b = 0; b < nblocks; b++)
    run_block(c, par, tau_in, out->tau, (size_t)b, c->scratch + (size_t)omp_get_thread_num() * c->scratch_size);

  /* Add the block partials in block order, then across processes. */
  double *acc = c->partial;
  for (size_t b = 1; b < c->nblocks; b++) {
    const double *part = c->partial + b * c->psize;
    for (size_t j = 0; j < c->psize; j++) acc[j] += part[j];
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
    c->fam->regular_stats(par->eta + k * T, zeta, T, tk, tk + T, tk + 2 * T, out->stats + k * stride);
  }
  return GBTM_OK;
}
