/* inference.c: the gradient and the observed information of eq. L
 * (DESIGN §4, eq. I), by Louis' identity:
 *   I = -sum_i [ sum_k tau_ik (H_ik + g_ik g_ik') - s_i s_i' ],
 * with g_ik = grad log(pi_k f_k(y_i)), H_ik its Hessian, s_i = sum_k tau_ik g_ik.
 * Per cell of group k, with lambda = E exp(eta), omega = logistic(zeta) and
 * u = logistic(zeta + lambda) (the zero-state responsibility of a zero):
 *   Poisson, or a ZIP count y > 0:  d/deta = y - lambda,  d2/deta2 = -lambda;
 *   ZIP y > 0 also:                 d/dzeta = -omega,     d2/dzeta2 = -omega(1-omega);
 *   ZIP y = 0:   d/deta = -lambda(1-u),          d2/deta2 = -lambda(1-u)(1 - u lambda),
 *                d/dzeta = u - omega,            d2/dzeta2 = u(1-u) - omega(1-omega),
 *                d2/deta dzeta = lambda u (1-u).
 * log pi_k = theta_k - log sum_j exp(theta_j) gives d/dtheta_j = [j = k] - pi_j
 * and d2/dtheta_j dtheta_l = -(pi_j [j = l] - pi_j pi_l), the same for every k.
 * The within-group Hessians aggregate over persons into K x T weights (the
 * tau-weighted sums of the second derivatives), so H costs X'WX per group; the
 * outer products sum_k tau g g' and s s' are dsyrk updates over blocks of
 * persons. Blocks depend on N only and are added in block order. */
#include "inference.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basis.h"
#include "error.h"
#include "glm.h"

void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *beta, double *c, const int *ldc);

static bool inflated(const gbtm_model *m, int k) { return m->family == GBTM_ZIP && m->iorder[k] >= 0; }

size_t inference_n_params(const gbtm_model *m) { return (size_t)gbtm_model_n_params(m); }

void inference_offsets(const gbtm_model *m, size_t *ob, size_t *oa) {
  size_t P = (size_t)m->groups - 1;
  for (int k = 0; k < m->groups; k++) {
    ob[k] = P;
    P += (size_t)m->order[k] + 1;
    oa[k] = P;
    if (inflated(m, k)) P += (size_t)m->iorder[k] + 1;
  }
}

void inference_pack(const gbtm_model *m, double *psi) {
  size_t ob[GBTM_MAX_GROUPS], oa[GBTM_MAX_GROUPS];
  inference_offsets(m, ob, oa);
  for (int k = 1; k < m->groups; k++) psi[k - 1] = m->theta[k] - m->theta[0];
  for (int k = 0; k < m->groups; k++) {
    for (int j = 0; j <= m->order[k]; j++) psi[ob[k] + j] = m->beta[k][j];
    if (inflated(m, k))
      for (int j = 0; j <= m->iorder[k]; j++) psi[oa[k] + j] = m->alpha[k][j];
  }
}

void inference_unpack(gbtm_model *m, const double *psi) {
  size_t ob[GBTM_MAX_GROUPS], oa[GBTM_MAX_GROUPS];
  inference_offsets(m, ob, oa);
  m->theta[0] = 0.0;
  for (int k = 1; k < m->groups; k++) m->theta[k] = psi[k - 1];
  for (int k = 0; k < m->groups; k++) {
    for (int j = 0; j <= m->order[k]; j++) m->beta[k][j] = psi[ob[k] + j];
    if (inflated(m, k))
      for (int j = 0; j <= m->iorder[k]; j++) m->alpha[k][j] = psi[oa[k] + j];
  }
}

void inference_param_name(const gbtm_model *m, size_t j, char *buf, size_t len) {
  size_t ob[GBTM_MAX_GROUPS], oa[GBTM_MAX_GROUPS];
  inference_offsets(m, ob, oa);
  if (j + 1 < (size_t)m->groups) {
    snprintf(buf, len, "theta[%zu]", j + 2);
    return;
  }
  for (int k = 0; k < m->groups; k++) {
    if (j < ob[k] + (size_t)m->order[k] + 1) {
      snprintf(buf, len, "beta[%d][%zu]", k + 1, j - ob[k]);
      return;
    }
    if (inflated(m, k) && j < oa[k] + (size_t)m->iorder[k] + 1) {
      snprintf(buf, len, "alpha[%d][%zu]", k + 1, j - oa[k]);
      return;
    }
  }
  snprintf(buf, len, "?");
}

void inference_free(inference *inf) {
  free(inf->grad);
  free(inf->info);
  free(inf->meat);
  memset(inf, 0, sizeof *inf);
}

/* One cell's log f and derivatives (see the top of the file). */
typedef struct cell_terms {
  double lf, a_eta, a_zeta, h_ee, h_ez, h_zz;
} cell_terms;

static cell_terms cell(double eta, const double *zeta, double y, double E) {
  cell_terms c = {0};
  double lambda = E * exp(eta);
  double logpois = (y > 0.0 ? y * (eta + log(E)) - lgamma(y + 1.0) : 0.0) - lambda;
  if (!zeta) {
    c.lf = logpois;
    c.a_eta = y - lambda;
    c.h_ee = -lambda;
    return c;
  }
  double z = *zeta, omega = 1.0 / (1.0 + exp(-z));
  if (y > 0.0) {
    c.lf = -log1pexp(z) + logpois;
    c.a_eta = y - lambda;
    c.h_ee = -lambda;
    c.a_zeta = -omega;
    c.h_zz = -omega * (1.0 - omega);
    return c;
  }
  double m = z > -lambda ? z : -lambda;
  c.lf = m + log1p(exp(-fabs(z + lambda))) - log1pexp(z);
  double u = 1.0 / (1.0 + exp(-(z + lambda)));
  c.a_eta = -lambda * (1.0 - u);
  c.h_ee = -lambda * (1.0 - u) * (1.0 - u * lambda);
  c.a_zeta = u - omega;
  c.h_ez = lambda * u * (1.0 - u);
  c.h_zz = u * (1.0 - u) - omega * (1.0 - omega);
  return c;
}

typedef struct shared {
  const gbtm_model *m;
  const gbtm_panel *p;
  size_t P, T, block, nblocks, psize;
  int K;
  size_t ob[GBTM_MAX_GROUPS], oa[GBTM_MAX_GROUPS];
  double *X, *eta, *zeta; /* T x MAX_COEF, K x T, K x T */
  double logpi[GBTM_MAX_GROUPS], pi[GBTM_MAX_GROUPS];
  double *partial; /* nblocks x psize: ll, grad P, A P x P, meat P x P, W K x T x 3 */
} shared;

/* Scratch per thread: cells (t, y, e), per-group cell terms, G and S blocks. */
static void person_block(const shared *sh, size_t b, uint32_t *ct, int32_t *cy, double *ce,
                         cell_terms *terms, double *G, double *S) {
  const gbtm_panel *p = sh->p;
  const int K = sh->K;
  const size_t P = sh->P, T = sh->T;
  size_t i0 = b * sh->block, i1 = i0 + sh->block < p->n ? i0 + sh->block : p->n, nb = i1 - i0;
  double *part = sh->partial + b * sh->psize;
  memset(part, 0, sh->psize * sizeof *part);
  double *ll = part, *grad = part + 1, *A = grad + P, *meat = A + P * P, *W = meat + P * P;
  int rowsG = (int)(nb * (size_t)K), rowsS = (int)nb;
  memset(G, 0, (size_t)rowsG * P * sizeof *G);
  memset(S, 0, (size_t)rowsS * P * sizeof *S);
  for (size_t r = 0; r < nb; r++) {
    size_t i = i0 + r, nc = panel_person_cells(p, i, ct, cy, ce);
    double lf[GBTM_MAX_GROUPS], tau[GBTM_MAX_GROUPS], mx = -INFINITY, sum = 0.0;
    for (int k = 0; k < K; k++) {
      lf[k] = sh->logpi[k];
      for (size_t c = 0; c < nc; c++) {
        size_t t = ct[c];
        const double *z = inflated(sh->m, k) ? sh->zeta + k * T + t : NULL;
        cell_terms *ck = terms + (size_t)k * T + c;
        *ck = cell(sh->eta[k * T + t], z, cy[c], ce[c]);
        lf[k] += ck->lf;
      }
      mx = fmax(mx, lf[k]);
    }
    for (int k = 0; k < K; k++) sum += tau[k] = exp(lf[k] - mx);
    for (int k = 0; k < K; k++) tau[k] /= sum;
    *ll += mx + log(sum);
    /* g_ik into row (r*K + k) of G scaled by sqrt(tau), s_i into row r of S */
    for (int k = 0; k < K; k++) {
      double gk[2 * GBTM_MAX_COEF] = {0};
      int nbk = sh->m->order[k] + 1, nak = inflated(sh->m, k) ? sh->m->iorder[k] + 1 : 0;
      for (size_t c = 0; c < nc; c++) {
        const double *x = sh->X + (size_t)ct[c] * GBTM_MAX_COEF;
        const cell_terms *ck = terms + (size_t)k * T + c;
        for (int j = 0; j < nbk; j++) gk[j] += x[j] * ck->a_eta;
        for (int j = 0; j < nak; j++) gk[GBTM_MAX_COEF + j] += x[j] * ck->a_zeta;
        double *w = W + ((size_t)k * T + ct[c]) * 3;
        w[0] += tau[k] * ck->h_ee;
        w[1] += tau[k] * ck->h_ez;
        w[2] += tau[k] * ck->h_zz;
      }
      double st = sqrt(tau[k]);
      size_t row = r * (size_t)K + (size_t)k;
      for (int j = 1; j < K; j++) {
        double d = (j == k ? 1.0 : 0.0) - sh->pi[j];
        G[(size_t)(j - 1) * rowsG + row] = st * d;
        S[(size_t)(j - 1) * rowsS + r] += tau[k] * d;
      }
      for (int j = 0; j < nbk; j++) {
        G[(sh->ob[k] + j) * rowsG + row] = st * gk[j];
        S[(sh->ob[k] + j) * rowsS + r] += tau[k] * gk[j];
      }
      for (int j = 0; j < nak; j++) {
        G[(sh->oa[k] + j) * rowsG + row] = st * gk[GBTM_MAX_COEF + j];
        S[(sh->oa[k] + j) * rowsS + r] += tau[k] * gk[GBTM_MAX_COEF + j];
      }
    }
    for (size_t j = 0; j < P; j++) grad[j] += S[j * rowsS + r];
  }
  int n = (int)P;
  double one = 1.0, zero = 0.0;
  dsyrk_("L", "T", &n, &rowsG, &one, G, &rowsG, &zero, A, &n);     /* sum tau g g' */
  dsyrk_("L", "T", &n, &rowsS, &one, S, &rowsS, &zero, meat, &n);  /* sum s s' */
}

gbtm_status inference_compute(const gbtm_model *m, const gbtm_panel *p, int threads, inference *out,
                              gbtm_error *err) {
  memset(out, 0, sizeof *out);
  shared sh = {0};
  sh.m = m;
  sh.p = p;
  sh.K = m->groups;
  sh.T = p->T;
  sh.P = inference_n_params(m);
  inference_offsets(m, sh.ob, sh.oa);
  size_t P = sh.P, T = p->T, K = (size_t)sh.K;
  sh.block = p->n / 1024 + 1 > 256 ? p->n / 1024 + 1 : 256;
  sh.nblocks = (p->n + sh.block - 1) / sh.block;
  sh.psize = 1 + P + 2 * P * P + K * T * 3;
  int nth = threads > 0 ? threads : omp_get_max_threads();
  size_t scratch = T * 3 + K * T * sizeof(cell_terms) / sizeof(double) + sh.block * K * P + sh.block * P;
  sh.X = malloc(T * GBTM_MAX_COEF * sizeof *sh.X);
  sh.eta = calloc(K * T, sizeof *sh.eta);
  sh.zeta = calloc(K * T, sizeof *sh.zeta);
  sh.partial = malloc(sh.nblocks * sh.psize * sizeof *sh.partial);
  double *work = malloc((size_t)nth * scratch * sizeof *work);
  out->P = P;
  out->grad = calloc(P, sizeof *out->grad);
  out->info = calloc(P * P, sizeof *out->info);
  out->meat = calloc(P * P, sizeof *out->meat);
  if (!sh.X || !sh.eta || !sh.zeta || !sh.partial || !work || !out->grad || !out->info || !out->meat) {
    free(sh.X), free(sh.eta), free(sh.zeta), free(sh.partial), free(work);
    inference_free(out);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory computing the information matrix");
  }
  basis_matrix(p->age, T, m->centre, m->scale, sh.X);
  gbtm_model_shares(m, sh.pi);
  for (size_t k = 0; k < K; k++) {
    sh.logpi[k] = log(sh.pi[k]);
    basis_predict(sh.X, T, m->order[k] + 1, m->beta[k], sh.eta + k * T);
    if (inflated(m, (int)k)) basis_predict(sh.X, T, m->iorder[k] + 1, m->alpha[k], sh.zeta + k * T);
  }
  long nblocks = (long)sh.nblocks;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth) if (nblocks > 1)
  for (long b = 0; b < nblocks; b++) {
    double *w = work + (size_t)omp_get_thread_num() * scratch;
    uint32_t *ct = (uint32_t *)w;
    int32_t *cy = (int32_t *)(w + T);
    double *ce = w + 2 * T;
    cell_terms *terms = (cell_terms *)(w + 3 * T);
    double *G = w + 3 * T + K * T * sizeof(cell_terms) / sizeof(double);
    double *S = G + sh.block * K * P;
    person_block(&sh, (size_t)b, ct, cy, ce, terms, G, S);
  }
  double *acc = sh.partial;
  for (size_t b = 1; b < sh.nblocks; b++)
    for (size_t j = 0; j < sh.psize; j++) acc[j] += sh.partial[b * sh.psize + j];
  double *A = acc + 1 + P, *meat = A + P * P, *W = meat + P * P;
  out->loglik = acc[0];
  memcpy(out->grad, acc + 1, P * sizeof *out->grad);
  /* I = -(sum tau H + A - meat); H: the theta block and X'WX per group. */
  for (size_t a = 0; a < P; a++)
    for (size_t c = 0; c <= a; c++) {
      double v = -(A[c * P + a] - meat[c * P + a]); /* lower triangle, column-major */
      out->info[c * P + a] = v;
      out->meat[c * P + a] = meat[c * P + a];
    }
  double N = (double)p->n;
  for (size_t j = 1; j < K; j++)
    for (size_t l = 1; l <= j; l++)
      out->info[(l - 1) * P + (j - 1)] += N * ((j == l ? sh.pi[j] : 0.0) - sh.pi[j] * sh.pi[l]);
  for (size_t k = 0; k < K; k++) {
    int nbk = m->order[k] + 1, nak = inflated(m, (int)k) ? m->iorder[k] + 1 : 0;
    for (size_t t = 0; t < T; t++) {
      const double *x = sh.X + t * GBTM_MAX_COEF, *w = W + (k * T + t) * 3;
      for (int a = 0; a < nbk; a++)
        for (int c = 0; c <= a; c++) out->info[(sh.ob[k] + c) * P + sh.ob[k] + a] -= x[a] * x[c] * w[0];
      for (int a = 0; a < nak; a++) {
        for (int c = 0; c < nbk; c++) out->info[(sh.ob[k] + c) * P + sh.oa[k] + a] -= x[a] * x[c] * w[1];
        for (int c = 0; c <= a; c++) out->info[(sh.oa[k] + c) * P + sh.oa[k] + a] -= x[a] * x[c] * w[2];
      }
    }
  }
  /* Mirror the lower triangles into full symmetric matrices. */
  for (size_t a = 0; a < P; a++)
    for (size_t c = 0; c < a; c++) {
      out->info[a * P + c] = out->info[c * P + a];
      out->meat[a * P + c] = out->meat[c * P + a];
    }
  free(sh.X), free(sh.eta), free(sh.zeta), free(sh.partial), free(work);
  return GBTM_OK;
}
