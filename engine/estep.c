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
 *
 * The sparse kernel works on two groups at a time with SSE2 vectors (the
 * x86-64 baseline, so no build flag): the tables and the sparse scratch have
 * a row stride Kp = K rounded up to even, with a zero padding column when K
 * is odd. Every lane does the operations of the scalar formula in the same
 * order, so the vectors change no result.
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
  size_t Kp;        /* K rounded up to even: row stride of coef, pbase, diff, acc */
  gbtm_kernel kernel;
  size_t block, nblocks;
  size_t psize;     /* doubles per block partial: ll, sum_tau K, K x 3T totals, K x ns x T */
  double *partial;  /* nblocks x psize */
  double *dense;    /* N x 3T: [O | P | Y] rows (dense kernel) */
  double *coef;     /* 3T x Kp row-major: [base; pos; lin], group index fastest */
  double *pbase;    /* (T+1) x Kp prefix sums over t of base */
  double *pl;       /* T x 2Kp: row t = [pos_t | lin_t], what a nonzero cell reads */
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
  size_t T = c->T, KT = (size_t)K * T, Kp = (size_t)K + (size_t)(K & 1);
  c->Kp = Kp;
  c->psize = 1 + (size_t)K + 3 * KT + (size_t)c->ns * KT;
  c->partial = malloc(c->nblocks * c->psize * sizeof *c->partial);
  /* calloc: the padding column (odd K) is never written and stays 0 */
  c->pbase = calloc(Kp * (T + 1), sizeof(double));
  c->coef = calloc(3 * Kp * T, sizeof(double));
  c->pl = calloc(2 * Kp * T, sizeof(double));
  /* scratch per thread: l and tau for a block (2 x block x K, dense kernel),
   * the window difference array (T+1) x Kp and the totals 3T x Kp of the
   * sparse kernel (see sparse_totals). An even size keeps every part 16-byte
   * aligned for the vectors. */
  c->scratch_size = 2 * c->block * (size_t)K + Kp * (T + 1) + 3 * Kp * T;
  c->scratch = malloc((size_t)c->threads * c->scratch_size * sizeof(double));
  if (!c->partial || !c->pbase || !c->coef || !c->pl || !c->scratch ||
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
  free(c->pl);
  free(c->scratch);
  free(c);
}

static void prepare_tables(estep_ctx *c, const estep_params *par) {
  size_t T = c->T, K = (size_t)c->K, Kp = c->Kp;
  double base[GBTM_MAX_AGES_TABLE], pos[GBTM_MAX_AGES_TABLE], lin[GBTM_MAX_AGES_TABLE];
  for (size_t k = 0; k < K; k++) {
    const double *zeta = par->inflated[k] ? par->zeta + k * T : NULL;
    for (size_t t0 = 0; t0 < T; t0 += GBTM_MAX_AGES_TABLE) {
      size_t n = T - t0 < GBTM_MAX_AGES_TABLE ? T - t0 : GBTM_MAX_AGES_TABLE;
      c->fam->tables(par->eta + k * T + t0, zeta ? zeta + t0 : NULL, n, base, pos, lin);
      for (size_t t = 0; t < n; t++) {
        c->coef[(t0 + t) * Kp + k] = base[t];
        c->coef[(T + t0 + t) * Kp + k] = pos[t];
        c->coef[(2 * T + t0 + t) * Kp + k] = lin[t];
        c->pl[(t0 + t) * 2 * Kp + k] = pos[t];
        c->pl[(t0 + t) * 2 * Kp + Kp + k] = lin[t];
      }
    }
    c->pbase[k] = 0.0;
    for (size_t t = 0; t < T; t++)
      c->pbase[(t + 1) * Kp + k] = c->pbase[t * Kp + k] + c->coef[t * Kp + k];
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

/* Two groups at a time: SSE2 vectors are part of every x86-64 processor. */
typedef double v2d __attribute__((vector_size(16), may_alias));

/* The K values of one person, as pairs for the kernels and as doubles for
 * the rest; lanes from K to Kp are padding. */
typedef union gvec {
  v2d v[GBTM_MAX_GROUPS / 2];
  double d[GBTM_MAX_GROUPS];
} gvec;
_Static_assert(GBTM_MAX_GROUPS % 2 == 0, "the padded K fits in a gvec");

#define INLINE static inline __attribute__((always_inline))

/* Pairs of groups in the tables and the sparse scratch. Those arrays come
 * from malloc (16-byte aligned) and have even row strides and offsets, so
 * every pair is aligned. */
#define PAIRS(ptr) ((v2d *)__builtin_assume_aligned((ptr), 16))
#define CPAIRS(ptr) ((const v2d *)__builtin_assume_aligned((ptr), 16))

/* Sparse kernel, group log-likelihoods of person i without log pi and c_i
 * (eq. L): l_k = sum_{t in window} base_kt - sum_{skip t} base_kt
 * + sum_{nonzero t} (pos_kt + y_it lin_kt), for the np pairs of groups. The
 * sums stay in registers; each nonzero cell reads one row of pos and of lin,
 * contiguous over the groups. */
INLINE void sparse_loglik(const estep_ctx *c, size_t i, gvec *l, const size_t np) {
  const gbtm_panel *p = c->p;
  const size_t Kp = 2 * np;
  const v2d *hi = CPAIRS(c->pbase + (p->hi[i] + 1) * Kp), *lo = CPAIRS(c->pbase + p->lo[i] * Kp);
  v2d a[GBTM_MAX_GROUPS / 2];
  for (size_t j = 0; j < np; j++) a[j] = hi[j] - lo[j];
  for (size_t s = p->skip_start[i], end = p->skip_start[i + 1]; s < end; s++) {
    const v2d *b = CPAIRS(c->coef + p->skip_t[s] * Kp);
    for (size_t j = 0; j < np; j++) a[j] -= b[j];
  }
  for (size_t s = p->nz_start[i], end = p->nz_start[i + 1]; s < end; s++) {
    const double y = p->nz_y[s];
    const v2d yv = {y, y};
    const v2d *ps = CPAIRS(c->pl + (size_t)p->nz_t[s] * 2 * Kp), *ln = ps + np; /* [pos_t | lin_t] */
    for (size_t j = 0; j < np; j++) a[j] += ps[j] + yv * ln[j];
  }
  for (size_t j = 0; j < np; j++) l->v[j] = a[j];
}

/* Sparse kernel, tau-weighted totals of person i (TO, TP, TY of DESIGN §3)
 * into the window difference array diff ((T+1) x Kp: +tau at lo, -tau after
 * hi) and acc (3T x Kp): first T rows of Kp, the skip cells taken out of TO;
 * then T rows of 2Kp, [TP_t | TY_t], to which each nonzero cell adds tau
 * and tau y. */
INLINE void sparse_totals(const estep_ctx *c, size_t i, const gvec *tau, double *restrict acc,
                          double *restrict diff, const size_t np) {
  const gbtm_panel *p = c->p;
  const size_t Kp = 2 * np;
  v2d tv[GBTM_MAX_GROUPS / 2];
  for (size_t j = 0; j < np; j++) tv[j] = tau->v[j];
  v2d *dlo = PAIRS(diff + p->lo[i] * Kp), *dhi = PAIRS(diff + (p->hi[i] + 1) * Kp);
  for (size_t j = 0; j < np; j++) {
    dlo[j] += tv[j];
    dhi[j] -= tv[j];
  }
  for (size_t s = p->skip_start[i], end = p->skip_start[i + 1]; s < end; s++) {
    v2d *o = PAIRS(acc + p->skip_t[s] * Kp);
    for (size_t j = 0; j < np; j++) o[j] -= tv[j];
  }
  double *py = acc + c->T * Kp;
  for (size_t s = p->nz_start[i], end = p->nz_start[i + 1]; s < end; s++) {
    const double y = p->nz_y[s];
    const v2d yv = {y, y};
    v2d *pp = PAIRS(py + (size_t)p->nz_t[s] * 2 * Kp), *yy = pp + np; /* [TP_t | TY_t] */
    for (size_t j = 0; j < np; j++) {
      pp[j] += tv[j];
      yy[j] += tv[j] * yv;
    }
  }
}

/* tau = softmax(l) by log-sum-exp (DESIGN §3); returns log sum_k exp(l_k).
 * The padding lanes of tau are set to 0. */
INLINE double softmax(const size_t K, const size_t Kp, const gvec *l, gvec *tau) {
  double mx = l->d[0], s = 0.0;
  for (size_t k = 1; k < K; k++) mx = l->d[k] > mx ? l->d[k] : mx;
  for (size_t k = 0; k < K; k++) s += tau->d[k] = exp(l->d[k] - mx);
  double inv = 1.0 / s;
  for (size_t k = 0; k < K; k++) tau->d[k] *= inv;
  for (size_t k = K; k < Kp; k++) tau->d[k] = 0.0;
  return mx + log(s);
}

/* The per-person work of a block: l_ik (eq. L), tau_ik, log L and the
 * totals. K is a constant where the caller makes it one, so the loops over
 * groups unroll and the per-person values stay in registers. ll and sum_tau
 * are written, not added to. */
INLINE void block_persons(estep_ctx *c, const estep_params *par, const double *tau_in,
                          double *tau_out, size_t i0, size_t nb, double *L, double *tau,
                          double *acc, double *diff, double *ll, double *sum_tau, double *ex,
                          const size_t K) {
  const gbtm_panel *p = c->p;
  const bool sparse = c->kernel == GBTM_KERNEL_SPARSE, exceptions = p->has_exposure;
  const size_t np = (K + 1) / 2, Kp = 2 * np;
  gvec logpi, st, l, tr;
  for (size_t k = 0; k < Kp; k++) {
    logpi.d[k] = k < K ? par->logpi[k] : 0.0;
    st.d[k] = l.d[k] = 0.0;
  }
  double lsum = 0.0;
  for (size_t r = 0; r < nb; r++) {
    size_t i = i0 + r;
    if (tau_in) {
      memcpy(tr.d, tau_in + i * K, K * sizeof(double));
      for (size_t k = K; k < Kp; k++) tr.d[k] = 0.0;
    } else {
      if (sparse)
        sparse_loglik(c, i, &l, np);
      else
        memcpy(l.d, L + r * K, K * sizeof(double));
      if (exceptions) exception_loglik(c, par, i, l.d);
      /* l_ik += log pi_k + c_i */
      const v2d ci = {p->logc[i], p->logc[i]};
      for (size_t j = 0; j < np; j++) l.v[j] += logpi.v[j] + ci;
      lsum += softmax(K, Kp, &l, &tr);
    }
    for (size_t j = 0; j < np; j++) st.v[j] += tr.v[j];
    if (tau_out) memcpy(tau_out + i * K, tr.d, K * sizeof(double));
    if (exceptions) exception_stats(c, par, i, tr.d, ex);
    if (sparse)
      sparse_totals(c, i, &tr, acc, diff, np);
    else
      memcpy(tau + r * K, tr.d, K * sizeof(double));
  }
  *ll = lsum;
  memcpy(sum_tau, st.d, K * sizeof(double));
}

static void run_block(estep_ctx *c, const estep_params *par, const double *tau_in, double *tau_out,
                      size_t b, double *scratch) {
  const gbtm_panel *p = c->p;
  int K = c->K;
  size_t T = c->T, w = 3 * T, Kp = c->Kp;
  size_t i0 = b * c->block, i1 = i0 + c->block < p->n ? i0 + c->block : p->n, nb = i1 - i0;
  double *part = c->partial + b * c->psize;
  double *ll = part, *sum_tau = part + 1, *tot = part + 1 + K, *ex = tot + (size_t)K * w;
  /* ll, sum_tau and tot are written below; the exception statistics are
   * only kept (and cleared) when the panel has exceptions (see estep_run). */
  if (p->has_exposure) memset(ex, 0, (size_t)c->ns * K * T * sizeof *ex);
  double *L = scratch, *tau = scratch + c->block * K, *diff = tau + c->block * K;
  double *acc = diff + (T + 1) * Kp;
  if (c->kernel == GBTM_KERNEL_SPARSE) memset(diff, 0, ((T + 1) + 3 * T) * Kp * sizeof *diff);

  if (!tau_in && c->kernel == GBTM_KERNEL_DENSE) {
    int m = K, n = (int)nb, kk = (int)w, lda = (int)Kp, ldc = K;
    double one = 1.0, zero = 0.0;
    dgemm_("N", "N", &m, &n, &kk, &one, c->coef, &lda, c->dense + i0 * w, &kk, &zero, L, &ldc);
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
    /* tot (K x 3T) from acc (see sparse_totals); the regular totals add
     * the windows. */
    const double *py = acc + T * Kp;
    for (int k = 0; k < K; k++) {
      double run = 0.0;
      for (size_t t = 0; t < T; t++) {
        run += diff[t * Kp + k];
        tot[k * w + t] = run + acc[t * Kp + k];
        tot[k * w + T + t] = py[t * 2 * Kp + k];
        tot[k * w + 2 * T + t] = py[t * 2 * Kp + Kp + k];
      }
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

  /* Add the block partials in block order, then across processes. Without
   * exception cells the blocks leave their exception statistics unwritten:
   * only the first block's, cleared here, enter the sum. */
  double *acc = c->partial;
  size_t used = c->p->has_exposure ? c->psize : 1 + (size_t)K + (size_t)K * w;
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
    c->fam->regular_stats(par->eta + k * T, zeta, T, tk, tk + T, tk + 2 * T, out->stats + k * stride);
  }
  return GBTM_OK;
}
