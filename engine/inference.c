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
#include "model_cov.h"

void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *beta, double *c, const int *ldc);

static bool inflated(const gbtm_model *m, int k) { return m->family == GBTM_ZIP && m->iorder[k] >= 0; }

size_t inference_n_params(const gbtm_model *m) { return (size_t)gbtm_model_n_params(m); }

void inference_layout(const gbtm_model *m, psi_layout *l) {
  size_t P = 0;
  memset(l, 0, sizeof *l);
  for (int k = 0; k < m->groups; k++)
    if (k != m->refgroup) {
      l->ot[k] = P;
      P += 1 + (size_t)m->n_risk;
    }
  for (int k = 0; k < m->groups; k++) {
    l->ob[k] = P;
    P += (size_t)m->order[k] + 1;
    l->od[k] = P;
    P += (size_t)m->n_tcov;
    l->oa[k] = P;
    if (inflated(m, k)) P += (size_t)m->iorder[k] + 1;
  }
  l->P = P;
}

void inference_pack(const gbtm_model *m, double *psi) {
  psi_layout l;
  inference_layout(m, &l);
  int r = m->refgroup;
  for (int k = 0; k < m->groups; k++) {
    if (k != r) {
      psi[l.ot[k]] = m->theta[k] - m->theta[r];
      for (int j = 0; j < m->n_risk; j++) psi[l.ot[k] + 1 + j] = m->gamma[k][j] - m->gamma[r][j];
    }
    for (int j = 0; j <= m->order[k]; j++) psi[l.ob[k] + j] = m->beta[k][j];
    for (int j = 0; j < m->n_tcov; j++) psi[l.od[k] + j] = m->delta[k][j];
    if (inflated(m, k))
      for (int j = 0; j <= m->iorder[k]; j++) psi[l.oa[k] + j] = m->alpha[k][j];
  }
}

void inference_unpack(gbtm_model *m, const double *psi) {
  psi_layout l;
  inference_layout(m, &l);
  for (int k = 0; k < m->groups; k++) {
    bool ref = k == m->refgroup;
    m->theta[k] = ref ? 0.0 : psi[l.ot[k]];
    for (int j = 0; j < m->n_risk; j++) m->gamma[k][j] = ref ? 0.0 : psi[l.ot[k] + 1 + j];
    for (int j = 0; j <= m->order[k]; j++) m->beta[k][j] = psi[l.ob[k] + j];
    for (int j = 0; j < m->n_tcov; j++) m->delta[k][j] = psi[l.od[k] + j];
    if (inflated(m, k))
      for (int j = 0; j <= m->iorder[k]; j++) m->alpha[k][j] = psi[l.oa[k] + j];
  }
}

void inference_param_name(const gbtm_model *m, size_t j, char *buf, size_t len) {
  psi_layout l;
  inference_layout(m, &l);
  for (int k = 0; k < m->groups; k++) {
    if (k != m->refgroup && j >= l.ot[k] && j <= l.ot[k] + (size_t)m->n_risk) {
      if (j == l.ot[k]) snprintf(buf, len, "theta[%d]", k + 1);
      else snprintf(buf, len, "theta[%d][%s]", k + 1, m->risk_name[j - l.ot[k] - 1]);
      return;
    }
    if (j >= l.ob[k] && j < l.od[k]) {
      snprintf(buf, len, "beta[%d][%zu]", k + 1, j - l.ob[k]);
      return;
    }
    if (j >= l.od[k] && j < l.oa[k]) {
      snprintf(buf, len, "delta[%d][%s]", k + 1, m->tcov_name[j - l.od[k]]);
      return;
    }
    if (inflated(m, k) && j >= l.oa[k] && j < l.oa[k] + (size_t)m->iorder[k] + 1) {
      snprintf(buf, len, "alpha[%d][%zu]", k + 1, j - l.oa[k]);
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
  int K, R, C;
  bool cov; /* the model has covariates: per-person theta Hessians, delta blocks */
  psi_layout l;
  double *X, *eta, *zeta; /* T x MAX_COEF, K x T, K x T */
  double logpi[GBTM_MAX_GROUPS], pi[GBTM_MAX_GROUPS];
  /* nblocks x psize: ll, grad P, A P x P, meat P x P, W K x T x 3, and with
   * covariates H P x P (the sum over persons of tau-weighted Hessian terms
   * that W cannot hold: theta with risk factors, delta) */
  double *partial;
} shared;

/* d log pi_k / d (theta_j, gamma_j) for j != ref: ([j = k] - pi_j) (1, z). */
static void theta_scores(const shared *sh, int k, const double *pi, const double *z, double *out) {
  for (int j = 0; j < sh->K; j++) {
    if (j == sh->m->refgroup) continue;
    double d = (j == k ? 1.0 : 0.0) - pi[j];
    size_t o = sh->l.ot[j];
    out[o] = d;
    for (int r = 0; r < sh->R; r++) out[o + 1 + (size_t)r] = d * z[r];
  }
}

/* H += -(diag pi - pi pi') (x) (1, z)(1, z)' on the theta block (lower). */
static void theta_hessian(const shared *sh, const double *pi, const double *z, double *H) {
  const size_t P = sh->P;
  for (int j = 0; j < sh->K; j++) {
    if (j == sh->m->refgroup) continue;
    for (int l = 0; l <= j; l++) {
      if (l == sh->m->refgroup) continue;
      double v = -((j == l ? pi[j] : 0.0) - pi[j] * pi[l]);
      for (int a = 0; a <= sh->R; a++)
        for (int c = 0; c <= sh->R; c++) {
          size_t ra = sh->l.ot[j] + (size_t)a, rc = sh->l.ot[l] + (size_t)c;
          if (rc > ra) continue;
          double za = a ? z[a - 1] : 1.0, zc = c ? z[c - 1] : 1.0;
          H[rc * P + ra] += v * za * zc;
        }
    }
  }
}

/* Scratch per thread: cells (t, y, e), per-group cell terms, G and S blocks,
 * and one row of psi. */
static void person_block(const shared *sh, size_t b, uint32_t *ct, int32_t *cy, double *ce,
                         cell_terms *terms, double *G, double *S, double *row) {
  const gbtm_panel *p = sh->p;
  const gbtm_model *m = sh->m;
  const int K = sh->K, R = sh->R, C = sh->C;
  const size_t P = sh->P, T = sh->T;
  size_t i0 = b * sh->block, i1 = i0 + sh->block < p->n ? i0 + sh->block : p->n, nb = i1 - i0;
  double *part = sh->partial + b * sh->psize;
  memset(part, 0, sh->psize * sizeof *part);
  double *ll = part, *grad = part + 1, *A = grad + P, *meat = A + P * P, *W = meat + P * P;
  double *H = W + (size_t)K * T * 3;
  int rowsG = (int)(nb * (size_t)K), rowsS = (int)nb;
  memset(G, 0, (size_t)rowsG * P * sizeof *G);
  memset(S, 0, (size_t)rowsS * P * sizeof *S);
  for (size_t r = 0; r < nb; r++) {
    size_t i = i0 + r, nc = panel_person_cells(p, i, ct, cy, ce);
    const double *z = R ? p->risk + i * (size_t)R : NULL;
    const double *w0 = C ? p->tcov + p->obs_start[i] * (size_t)C : NULL;
    double lf[GBTM_MAX_GROUPS], pi[GBTM_MAX_GROUPS], tau[GBTM_MAX_GROUPS], mx = -INFINITY, sum = 0.0;
    if (R) {
      model_log_shares(m, z, lf);
      for (int k = 0; k < K; k++) pi[k] = exp(lf[k]);
    } else {
      for (int k = 0; k < K; k++) lf[k] = sh->logpi[k], pi[k] = sh->pi[k];
    }
    for (int k = 0; k < K; k++) {
      for (size_t c = 0; c < nc; c++) {
        size_t t = ct[c];
        const double *zt = inflated(m, k) ? sh->zeta + k * T + t : NULL;
        double eta = sh->eta[k * T + t] + (C ? model_tcov_shift(m, k, w0 + c * (size_t)C) : 0.0);
        cell_terms *ck = terms + (size_t)k * T + c;
        *ck = cell(eta, zt, cy[c], ce[c]);
        lf[k] += ck->lf;
      }
      mx = fmax(mx, lf[k]);
    }
    for (int k = 0; k < K; k++) sum += tau[k] = exp(lf[k] - mx);
    for (int k = 0; k < K; k++) tau[k] /= sum;
    *ll += mx + log(sum);
    if (R) theta_hessian(sh, pi, z, H);
    /* g_ik into row (r*K + k) of G scaled by sqrt(tau), s_i into row r of S */
    for (int k = 0; k < K; k++) {
      double gk[2 * GBTM_MAX_COEF + GBTM_MAX_TCOV] = {0};
      double *gd = gk + 2 * GBTM_MAX_COEF;
      int nbk = m->order[k] + 1, nak = inflated(m, k) ? m->iorder[k] + 1 : 0;
      for (size_t c = 0; c < nc; c++) {
        const double *x = sh->X + (size_t)ct[c] * GBTM_MAX_COEF;
        const cell_terms *ck = terms + (size_t)k * T + c;
        for (int j = 0; j < nbk; j++) gk[j] += x[j] * ck->a_eta;
        for (int j = 0; j < nak; j++) gk[GBTM_MAX_COEF + j] += x[j] * ck->a_zeta;
        double *wk = W + ((size_t)k * T + ct[c]) * 3;
        wk[0] += tau[k] * ck->h_ee;
        wk[1] += tau[k] * ck->h_ez;
        wk[2] += tau[k] * ck->h_zz;
        if (!C) continue;
        /* delta: d/ddelta = w a_eta; Hessian terms with beta, delta, alpha */
        const double *w = w0 + c * (size_t)C;
        for (int j = 0; j < C; j++) {
          gd[j] += w[j] * ck->a_eta;
          size_t rj = sh->l.od[k] + (size_t)j;
          for (int a = 0; a < nbk; a++) H[(sh->l.ob[k] + (size_t)a) * P + rj] += tau[k] * ck->h_ee * w[j] * x[a];
          for (int a = 0; a <= j; a++) H[(sh->l.od[k] + (size_t)a) * P + rj] += tau[k] * ck->h_ee * w[j] * w[a];
          for (int a = 0; a < nak; a++) H[rj * P + sh->l.oa[k] + (size_t)a] += tau[k] * ck->h_ez * w[j] * x[a];
        }
      }
      memset(row, 0, P * sizeof *row);
      theta_scores(sh, k, pi, z, row);
      for (int j = 0; j < nbk; j++) row[sh->l.ob[k] + (size_t)j] = gk[j];
      for (int j = 0; j < C; j++) row[sh->l.od[k] + (size_t)j] = gd[j];
      for (int j = 0; j < nak; j++) row[sh->l.oa[k] + (size_t)j] = gk[GBTM_MAX_COEF + j];
      double st = sqrt(tau[k]);
      size_t gr = r * (size_t)K + (size_t)k;
      for (size_t j = 0; j < P; j++)
        if (row[j] != 0.0) {
          G[j * (size_t)rowsG + gr] = st * row[j];
          S[j * (size_t)rowsS + r] += tau[k] * row[j];
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
  gbtm_status st = model_panel_match(m, p, err);
  if (st != GBTM_OK) return st;
  shared sh = {0};
  sh.m = m;
  sh.p = p;
  sh.K = m->groups;
  sh.R = m->n_risk;
  sh.C = m->n_tcov;
  sh.cov = sh.R > 0 || sh.C > 0;
  sh.T = p->T;
  inference_layout(m, &sh.l);
  sh.P = sh.l.P;
  size_t P = sh.P, T = p->T, K = (size_t)sh.K;
  sh.block = p->n / 1024 + 1 > 256 ? p->n / 1024 + 1 : 256;
  sh.nblocks = (p->n + sh.block - 1) / sh.block;
  sh.psize = 1 + P + 2 * P * P + K * T * 3 + (sh.cov ? P * P : 0);
  int nth = threads > 0 ? threads : omp_get_max_threads();
  size_t scratch = T * 3 + K * T * sizeof(cell_terms) / sizeof(double) + sh.block * K * P + sh.block * P + P;
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
    person_block(&sh, (size_t)b, ct, cy, ce, terms, G, S, S + sh.block * P);
  }
  double *acc = sh.partial;
  for (size_t b = 1; b < sh.nblocks; b++)
    for (size_t j = 0; j < sh.psize; j++) acc[j] += sh.partial[b * sh.psize + j];
  double *A = acc + 1 + P, *meat = A + P * P, *W = meat + P * P, *H = W + K * T * 3;
  out->loglik = acc[0];
  memcpy(out->grad, acc + 1, P * sizeof *out->grad);
  /* I = -(sum tau H + A - meat); H: the theta block, X'WX per group, and
   * with covariates the per-person terms gathered in H. */
  for (size_t a = 0; a < P; a++)
    for (size_t c = 0; c <= a; c++) {
      double v = -(A[c * P + a] - meat[c * P + a]); /* lower triangle, column-major */
      if (sh.cov) v -= H[c * P + a];
      out->info[c * P + a] = v;
      out->meat[c * P + a] = meat[c * P + a];
    }
  double N = (double)p->n;
  if (!sh.R)
    for (int j = 0; j < sh.K; j++)
      for (int l = 0; l <= j; l++)
        if (j != m->refgroup && l != m->refgroup) {
          size_t a = sh.l.ot[j], c = sh.l.ot[l];
          out->info[(a < c ? a : c) * P + (a < c ? c : a)] += N * ((j == l ? sh.pi[j] : 0.0) - sh.pi[j] * sh.pi[l]);
        }
  for (size_t k = 0; k < K; k++) {
    int nbk = m->order[k] + 1, nak = inflated(m, (int)k) ? m->iorder[k] + 1 : 0;
    size_t ob = sh.l.ob[k], oa = sh.l.oa[k];
    for (size_t t = 0; t < T; t++) {
      const double *x = sh.X + t * GBTM_MAX_COEF, *w = W + (k * T + t) * 3;
      for (int a = 0; a < nbk; a++)
        for (int c = 0; c <= a; c++) out->info[(ob + c) * P + ob + a] -= x[a] * x[c] * w[0];
      for (int a = 0; a < nak; a++) {
        for (int c = 0; c < nbk; c++) out->info[(ob + c) * P + oa + a] -= x[a] * x[c] * w[1];
        for (int c = 0; c <= a; c++) out->info[(oa + c) * P + oa + a] -= x[a] * x[c] * w[2];
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
