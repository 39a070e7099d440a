/* inference.c: the gradient and the observed information of eq. L
 * (DESIGN §4, eq. I), by Louis' identity:
 *   I = -sum_i [ sum_k tau_ik (H_ik + g_ik g_ik') - s_i s_i' ],
 * with g_ik = grad log(pi_k f_k(y_i)), H_ik its Hessian, s_i = sum_k tau_ik g_ik.
 * A cell's log f and its derivatives in eta and zeta are its family's
 * cell_terms (engine/families/, DESIGN §6 Families); this file never looks at the
 * family otherwise.
 * log pi_k = theta_k - log sum_j exp(theta_j) gives d/dtheta_j = [j = k] - pi_j
 * and d2/dtheta_j dtheta_l = -(pi_j [j = l] - pi_j pi_l), the same for every k.
 * The within-group Hessians aggregate over persons into K x T weights (the
 * tau-weighted sums of the second derivatives), so H costs X'WX per group; the
 * outer products sum_k tau g g' and s s' are dsyrk updates over blocks of
 * persons. Blocks depend on N only and are added in block order.
 * With person weights (eq. W) log L = sum_i w_i log f_i: the gradient is
 * sum_i w_i s_i, I = -sum_i w_i [ ... ] as above (G rows scaled by
 * sqrt(w_i tau_ik), the meat of I sum_i w_i s_i s_i'), and the meat
 * returned for the robust covariance is sum_i w_i^2 s_i s_i'. */
#include "fit/inference.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/basis.h"
#include "families/family.h"
#include "base/error.h"
#include "fit/glm.h"
#include "fit/kernels.h"
#include "fit/threads.h"
#include "model/model.h"
#include "panel/panel.h"
#include "fit/vmath.h"
#include "base/lapack.h"

size_t inference_n_params(const gbtm_model *m) { return (size_t)gbtm_model_n_params(m); }

/* psi's layout; expanded: a phi per group in its block even when the
 * groups share it (the layout the information is computed in, contracted
 * after by contract_common_phi). */
static void layout(const gbtm_model *m, bool expanded, psi_layout *l) {
  const bool per_group = model_has_phi(m) && (expanded || !m->phi_common);
  size_t P = 0;
  memset(l, 0, sizeof *l);
  for (int k = 0; k < m->groups; k++)
    if (k != m->refgroup) {
      l->theta_at[k] = P;
      l->gamma_at[k] = P + 1;
      P += 1 + (size_t)m->n_risk;
    }
  for (int k = 0; k < m->groups; k++) {
    l->beta_at[k] = P;
    P += (size_t)m->order[k] + 1;
    l->delta_at[k] = P;
    P += (size_t)m->n_tcov;
    l->alpha_at[k] = P;
    if (model_inflated(m, k)) P += (size_t)m->iorder[k] + 1;
    l->phi_at[k] = P;
    if (per_group) P++;
  }
  if (model_has_phi(m) && !per_group) { /* the shared phi, last */
    for (int k = 0; k < m->groups; k++) l->phi_at[k] = P;
    P++;
  }
  l->P = P;
}

void inference_layout(const gbtm_model *m, psi_layout *l) { layout(m, false, l); }

/* A phi shared by the groups: the gradient, information and meat of the
 * expanded layout (el, a phi per group) summed into psi's: with psi_e =
 * J psi, J copying the shared phi into every group's place, the gradient
 * is J'g and the matrices J'AJ (the chain rule; Louis' identity is linear
 * in the scores). */
static gbtm_status contract_common_phi(const gbtm_model *m, const psi_layout *el, inference *out, gbtm_error *err) {
  psi_layout l;
  inference_layout(m, &l);
  size_t Pe = el->P, P = l.P, *map = malloc(Pe * sizeof *map);
  double *g = calloc(P, sizeof *g), *info = calloc(P * P, sizeof *info), *meat = calloc(P * P, sizeof *meat);
  if (!map || !g || !info || !meat) {
    free(map), free(g), free(info), free(meat);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory computing the information matrix");
  }
  for (size_t j = 0; j < el->beta_at[0]; j++) map[j] = j; /* theta and gamma */
  for (int k = 0; k < m->groups; k++) {
    for (size_t j = el->beta_at[k]; j < el->phi_at[k]; j++) map[j] = l.beta_at[k] + (j - el->beta_at[k]);
    map[el->phi_at[k]] = l.phi_at[k];
  }
  for (size_t a = 0; a < Pe; a++) {
    g[map[a]] += out->grad[a];
    for (size_t b = 0; b < Pe; b++) {
      info[map[a] * P + map[b]] += out->info[a * Pe + b];
      meat[map[a] * P + map[b]] += out->meat[a * Pe + b];
    }
  }
  free(map), free(out->grad), free(out->info), free(out->meat);
  out->P = P, out->grad = g, out->info = info, out->meat = meat;
  return GBTM_OK;
}

void inference_pack(const gbtm_model *m, double *psi) {
  psi_layout l;
  inference_layout(m, &l);
  int r = m->refgroup;
  for (int k = 0; k < m->groups; k++) {
    if (k != r) {
      psi[l.theta_at[k]] = m->theta[k] - m->theta[r];
      for (int j = 0; j < m->n_risk; j++) psi[l.gamma_at[k] + j] = m->gamma[k][j] - m->gamma[r][j];
    }
    for (int j = 0; j <= m->order[k]; j++) psi[l.beta_at[k] + j] = m->beta[k][j];
    for (int j = 0; j < m->n_tcov; j++) psi[l.delta_at[k] + j] = m->delta[k][j];
    if (model_inflated(m, k))
      for (int j = 0; j <= m->iorder[k]; j++) psi[l.alpha_at[k] + j] = m->alpha[k][j];
    if (model_has_phi(m)) psi[l.phi_at[k]] = m->phi[k];
  }
}

void inference_unpack(gbtm_model *m, const double *psi) {
  psi_layout l;
  inference_layout(m, &l);
  for (int k = 0; k < m->groups; k++) {
    bool ref = k == m->refgroup;
    m->theta[k] = ref ? 0.0 : psi[l.theta_at[k]];
    for (int j = 0; j < m->n_risk; j++) m->gamma[k][j] = ref ? 0.0 : psi[l.gamma_at[k] + j];
    for (int j = 0; j <= m->order[k]; j++) m->beta[k][j] = psi[l.beta_at[k] + j];
    for (int j = 0; j < m->n_tcov; j++) m->delta[k][j] = psi[l.delta_at[k] + j];
    if (model_inflated(m, k))
      for (int j = 0; j <= m->iorder[k]; j++) m->alpha[k][j] = psi[l.alpha_at[k] + j];
    if (model_has_phi(m)) m->phi[k] = psi[l.phi_at[k]]; /* shared: the same entry */
  }
}

void inference_param_name(const gbtm_model *m, size_t j, char *buf, size_t len) {
  psi_layout l;
  inference_layout(m, &l);
  for (int k = 0; k < m->groups; k++) {
    if (k != m->refgroup && j >= l.theta_at[k] && j <= l.theta_at[k] + (size_t)m->n_risk) {
      if (j == l.theta_at[k]) snprintf(buf, len, "theta[%d]", k + 1);
      else snprintf(buf, len, "theta[%d][%s]", k + 1, m->risk_name[j - l.gamma_at[k]]);
      return;
    }
    if (j >= l.beta_at[k] && j < l.delta_at[k]) {
      snprintf(buf, len, "beta[%d][%zu]", k + 1, j - l.beta_at[k]);
      return;
    }
    if (j >= l.delta_at[k] && j < l.alpha_at[k]) {
      snprintf(buf, len, "delta[%d][%s]", k + 1, m->tcov_name[j - l.delta_at[k]]);
      return;
    }
    if (model_inflated(m, k) && j >= l.alpha_at[k] && j < l.alpha_at[k] + (size_t)m->iorder[k] + 1) {
      snprintf(buf, len, "alpha[%d][%zu]", k + 1, j - l.alpha_at[k]);
      return;
    }
    if (model_has_phi(m) && j == l.phi_at[k]) { /* "dispersion[2]", or "dispersion" when shared */
      if (m->phi_common) snprintf(buf, len, "%s", gbtm_family_phi_name(m->family));
      else snprintf(buf, len, "%s[%d]", gbtm_family_phi_name(m->family), k + 1);
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

/* The cell terms at unit exposure without time-varying covariates depend on
 * (k, t, y) only: a zero's are tabulated per (k, t), and a positive count's
 * are those of a count of 1 but for y and log y! (the family table's
 * contract, DESIGN §6 Families), so most cells cost no exponential or logarithm. */
#define LGAMMA_TABLE 256 /* log y! for y below this */
/* W's sums per group and age: tau-weighted h_ee, h_ez, h_zz, h_ep, h_zp, h_pp */
#define W_TERMS 6

typedef family_cell cell_terms;

typedef struct cell_table {
  cell_terms *zero;           /* K x T: cell_terms(eta, zeta, 0, 1) */
  cell_terms *one;            /* K x T: cell_terms(eta, zeta, 1, 1) */
  double lfact[LGAMMA_TABLE]; /* log y! */
} cell_table;

typedef struct shared {
  const gbtm_model *m;
  const gbtm_family *fam;
  const gbtm_panel *p;
  size_t P, T, block, nblocks, psize;
  size_t chunk; /* persons whose scores are held at once (SCORE_CHUNK, or the block) */
  int K, R, C;
  bool has_covariates; /* the model has covariates: per-person theta Hessians, delta blocks */
  psi_layout l;
  double *X, *eta, *zeta; /* T x MAX_COEF, K x T, K x T */
  cell_table tb;          /* C = 0: the windowed path's cells of exposure 1 */
  double *prefix;         /* C = 0: K x (T+1) x span prefix sums (the windowed path) */
  double *nzd, *nzy;      /* C = 0: K x T x span, v(k, t, y) - v0(k, t) = nzd + y nzy - log y! */
  int span;               /* C = 0: the entries of v summed (v_span) */
  double logpi[GBTM_MAX_GROUPS], pi[GBTM_MAX_GROUPS];
  family_par fpar[GBTM_MAX_GROUPS]; /* each group's (model_family_par) */
  double *pre; /* K x T x FAMILY_PREPARED: the family's prepared cells without covariates, or NULL */
  double *group; /* K x FAMILY_GROUP_PREPARED: its prepared groups (with pre, when the family has them), or NULL */
  /* nblocks x psize: ll, grad P, A P x P, meat P x P, W K x T x W_TERMS, and
   * with covariates H P x P (the sum over persons of tau-weighted Hessian
   * terms that W cannot hold: theta with risk factors, delta) */
  double *partial;
} shared;

/* d log pi_k / d (theta_j, gamma_j) for j != ref: ([j = k] - pi_j) (1, z). */
static void theta_scores(const shared *sh, int k, const double *pi, const double *z, double *out) {
  for (int j = 0; j < sh->K; j++) {
    if (j == sh->m->refgroup) continue;
    double d = (j == k ? 1.0 : 0.0) - pi[j];
    size_t o = sh->l.theta_at[j];
    out[o] = d;
    for (int r = 0; r < sh->R; r++) out[o + 1 + (size_t)r] = d * z[r];
  }
}

/* H += -wt (diag pi - pi pi') (x) (1, z)(1, z)' on the theta block (lower);
 * wt the person's weight (eq. W). */
static void theta_hessian(const shared *sh, const double *pi, const double *z, double wt, double *H) {
  const size_t P = sh->P;
  for (int j = 0; j < sh->K; j++) {
    if (j == sh->m->refgroup) continue;
    for (int l = 0; l <= j; l++) {
      if (l == sh->m->refgroup) continue;
      double v = -wt * ((j == l ? pi[j] : 0.0) - pi[j] * pi[l]);
      for (int a = 0; a <= sh->R; a++)
        for (int c = 0; c <= sh->R; c++) {
          size_t ra = sh->l.theta_at[j] + (size_t)a, rc = sh->l.theta_at[l] + (size_t)c;
          if (rc > ra) continue;
          double za = a ? z[a - 1] : 1.0, zc = c ? z[c - 1] : 1.0;
          H[rc * P + ra] += v * za * zc;
        }
    }
  }
}

/* The score g_ik of person i and group k is zero outside the membership
 * block [0, n_theta) and group k's own block [beta_at[k], beta_at[k] + own_k) (beta,
 * delta, alpha), so sum_i tau_ik g_ik g_ik' is accumulated per group on
 * those m_k = n_theta + own_k entries (G_k, row-major, m_k per row) and
 * scattered into A: for K = 4 cubic ZIP, 4 x 8^2 products per person
 * instead of 4 x 23^2. */
static size_t n_theta(const shared *sh) { return sh->l.beta_at[0]; }
static size_t own(const shared *sh, int k) {
  return (k + 1 < sh->K ? sh->l.beta_at[k + 1] : sh->P) - sh->l.beta_at[k];
}

/* Row r of G_k = sqrt(w tau) (the two blocks of g), and S's row += tau g
 * (the person's own score s_i; w the person's weight, eq. W). */
static void add_score(const shared *sh, int k, const double *g, double tau, double w, double *Gk_row, double *S_row) {
  size_t nt = n_theta(sh), beta_at = sh->l.beta_at[k], m = own(sh, k);
  double st = sqrt(w * tau);
  for (size_t j = 0; j < nt; j++) Gk_row[j] = st * g[j];
  for (size_t j = 0; j < m; j++) Gk_row[nt + j] = st * g[beta_at + j];
  for (size_t j = 0; j < nt; j++) S_row[j] += tau * g[j]; /* g is zero elsewhere */
  for (size_t j = 0; j < m; j++) S_row[beta_at + j] += tau * g[beta_at + j];
}

/* The scores of a block are gathered SCORE_CHUNK persons at a time, so
 * that G and S stay in cache whatever the block size (N / 1024 persons). */
#define SCORE_CHUNK 256

/* Where G_k starts in G (nb rows of m_k each, group after group). */
static double *group_rows(const shared *sh, double *G, size_t nb, int k) {
  size_t off = 0;
  for (int j = 0; j < k; j++) off += nb * (n_theta(sh) + own(sh, j));
  return G + off;
}

/* A += sum_k scatter(G_k'G_k) and meat += S'S (lower triangles,
 * column-major P x P) over the first rows of a chunk, with G_k and S
 * row-major: as column-major m x rows matrices, dsyrk's "N" form. Ak:
 * scratch of the largest m_k^2. */
static void outer_products(const shared *sh, double *G, double *S, size_t rows_used, const double *wt, double *Ak,
                           double *A, double *meat, double *meat2) {
  const size_t P = sh->P, nt = n_theta(sh);
  int rows = (int)rows_used, n = (int)P;
  double one = 1.0, zero = 0.0;
  for (int k = 0; k < sh->K; k++) {
    size_t mk = nt + own(sh, k), beta_at = sh->l.beta_at[k];
    int m = (int)mk;
    dsyrk_("L", "N", &m, &rows, &one, group_rows(sh, G, sh->chunk, k), &m, &zero, Ak, &m);
    for (size_t c = 0; c < mk; c++) {
      size_t gc = c < nt ? c : beta_at + c - nt;
      for (size_t a = c; a < mk; a++) {
        size_t ga = a < nt ? a : beta_at + a - nt;
        A[gc * P + ga] += Ak[c * mk + a]; /* ga >= gc: the lower triangle */
      }
    }
  }
  if (!wt) {
    dsyrk_("L", "N", &n, &rows, &one, S, &n, &one, meat, &n);
    return;
  }
  /* eq. W: meat += sum w_i s_i s_i' (the information's), then meat2 +=
   * sum w_i^2 s_i s_i' (the robust covariance's), S's rows scaled in place
   * by sqrt(w_i) twice (S is cleared at the next chunk's start). */
  for (size_t r = 0; r < rows_used; r++) {
    double sw = sqrt(wt[r]);
    for (size_t j = 0; j < P; j++) S[r * P + j] *= sw;
  }
  dsyrk_("L", "N", &n, &rows, &one, S, &n, &one, meat, &n);
  for (size_t r = 0; r < rows_used; r++) {
    double sw = sqrt(wt[r]);
    for (size_t j = 0; j < P; j++) S[r * P + j] *= sw;
  }
  dsyrk_("L", "N", &n, &rows, &one, S, &n, &one, meat2, &n);
}

/* Starts row r of a block's score chunk (clearing S at a chunk's start);
 * the row within the chunk. */
static size_t chunk_row(const shared *sh, size_t r, double *S) {
  size_t q = r % sh->chunk;
  if (q == 0) memset(S, 0, sh->chunk * sh->P * sizeof *S);
  return q;
}

/* Ends row r of the block from person i0: the chunk's outer products once
 * it is full or the block ends (with the chunk's weights, eq. W). */
static void chunk_end(const shared *sh, size_t i0, size_t r, size_t nb, double *G, double *S, double *Ak, double *A,
                      double *meat, double *meat2) {
  size_t q = r % sh->chunk;
  if (q + 1 == sh->chunk || r + 1 == nb)
    outer_products(sh, G, S, q + 1, sh->p->weight ? sh->p->weight + i0 + r - q : NULL, Ak, A, meat, meat2);
}

/* ---- the windowed path: no time-varying covariates -------------------------
 * A person's regular cells are the window [lo, hi] less the skip cells, and
 * zero unless among the nonzeros (panel.h). So per group k the sums over a
 * person's cells of v(k, t, y) = (log f, x_t d/deta, x_t d/dzeta) are
 *   V[k][hi+1] - V[k][lo] - sum_skip v0(k, t) + sum_nonzero (v(k, t, y) - v0(k, t))
 *   + sum_exceptions v(k, t, y, E),
 * V the prefix sums over t of v0(k, t) = v(k, t, 0), and the tau-weighted
 * second derivatives W[k][t] = sum_i tau_ik h(k, t, y_it) are h0(k, t) times
 * the tau-weighted number of zero cells (a difference array over the
 * windows, less skip and nonzero cells) plus the nonzero and exception
 * cells' own terms. The cost per person is O(K (skip + nonzero + 2)), not
 * O(K cells); the sums are those of the general path in another order.
 * v is packed per group: log f, then the beta entries, then the alpha
 * entries, v_width() in all; the tables hold span = v_span() entries per
 * cell, zero beyond the group's width. */
#define VW 16 /* v: log f, beta part, alpha part: 1 + 2 GBTM_MAX_COEF = 13 at most, padded */
_Static_assert(1 + 2 * GBTM_MAX_COEF <= VW, "VW holds v");

/* The entries of group k's v: 1 + its beta and alpha coefficients. */
static int v_width(const shared *sh, int k) {
  return 1 + sh->m->order[k] + 1 + (model_inflated(sh->m, k) ? sh->m->iorder[k] + 1 : 0);
}

/* v(k, t, .) of a cell's terms into out[VW]. */
static void cell_v(const shared *sh, int k, size_t t, const cell_terms *c, double *out) {
  const double *x = sh->X + t * GBTM_MAX_COEF;
  int nbk = sh->m->order[k] + 1, nak = model_inflated(sh->m, k) ? sh->m->iorder[k] + 1 : 0;
  out[0] = c->lf;
  for (int j = 0; j < nbk; j++) out[1 + j] = x[j] * c->a_eta;
  for (int j = 0; j < nak; j++) out[1 + nbk + j] = x[j] * c->a_zeta;
}

/* V[k][t][span], t = 0..T: prefix sums of v0 (sh->prefix, K x (T+1) x span);
 * and a positive count's v less v0, linear in y but for log y!: at unit
 * exposure a family's terms are those of a count of 1 but for y eta - log y!
 * in lf and y in a_eta (family.h's cell_terms), so v - v0 = nzd + y nzy -
 * (log y!, 0, ...) with nzy = (eta, x, 0) and nzd = v(k, t, 1) - nzy - v0
 * (sh->nzd, nzy). */
static void build_prefix(const shared *sh, double *V) {
  const size_t T = sh->T, S = (size_t)sh->span;
  for (int k = 0; k < sh->K; k++) {
    double *Vk = V + (size_t)k * (T + 1) * S, v[VW] = {0}, v1[VW] = {0};
    const int w = v_width(sh, k), nbk = sh->m->order[k] + 1;
    memset(Vk, 0, S * sizeof *Vk);
    for (size_t t = 0; t < T; t++) {
      size_t kt = (size_t)k * T + t;
      cell_v(sh, k, t, &sh->tb.zero[kt], v);
      for (size_t j = 0; j < S; j++) Vk[(t + 1) * S + j] = Vk[t * S + j] + v[j]; /* 0 beyond w */
      cell_v(sh, k, t, &sh->tb.one[kt], v1);
      double *d = sh->nzd + kt * S, *y = sh->nzy + kt * S;
      memset(y, 0, S * sizeof *y);
      y[0] = sh->eta[kt];
      for (int j = 0; j < nbk; j++) y[1 + j] = sh->X[t * GBTM_MAX_COEF + j];
      for (size_t j = 0; j < S; j++) d[j] = (int)j < w ? v1[j] - y[j] - v[j] : 0.0;
    }
  }
}

/* Four doubles from x, aligned or not. */
static inline __attribute__((always_inline)) v4d load4(const double *x) {
  v4d r;
  memcpy(&r, x, sizeof r);
  return r;
}

/* Person i's v(k, ., .) summed over their cells, per group, into v[k]: the
 * window's prefix difference less the skip cells, the positive counts'
 * nzd + y nzy less lfact (their log y!, summed once for all groups), and
 * the exception cells. span: the entries summed, a multiple of 4 at least
 * every group's v_width (the tables hold 0 beyond it, with stride span); a
 * constant where this is inlined, so that the sums are four-lane vectors
 * in registers, not in memory. Each lane does the operations of the scalar
 * sum in the same order: the same bits. */
static inline __attribute__((always_inline)) void person_v(const shared *sh, size_t i, double lfact, int span,
                                                           double v[][VW]) {
  const gbtm_panel *p = sh->p;
  const size_t T = sh->T, S = (size_t)span;
  const int nv = span / 4;
  for (int k = 0; k < sh->K; k++) {
    const double *Vk = sh->prefix + (size_t)k * (T + 1) * S;
    const double *nzd = sh->nzd + (size_t)k * T * S, *nzy = sh->nzy + (size_t)k * T * S;
    v4d acc[VW / 4];
    double d[VW] = {0};
    for (int j = 0; j < nv; j++) acc[j] = load4(Vk + (p->hi[i] + 1) * S + 4 * j) - load4(Vk + p->lo[i] * S + 4 * j);
    for (size_t q = p->skip_start[i]; q < p->skip_start[i + 1]; q++) {
      size_t t = p->skip_t[q];
      for (int j = 0; j < nv; j++) acc[j] -= load4(Vk + (t + 1) * S + 4 * j) - load4(Vk + t * S + 4 * j);
    }
    for (size_t q = p->nz_start[i]; q < p->nz_start[i + 1]; q++) {
      const double *a = nzd + p->nz_t[q] * S, *b = nzy + p->nz_t[q] * S;
      v4d y = v4d_splat((double)p->nz_y[q]);
      for (int j = 0; j < nv; j++) acc[j] += load4(a + 4 * j) + y * load4(b + 4 * j);
    }
    acc[0][0] -= lfact;
    for (size_t q = p->ex_start[i]; q < p->ex_start[i + 1]; q++) {
      size_t t = p->ex_t[q], kt = (size_t)k * T + t;
      cell_terms c = sh->fam->cell_terms(sh->eta[kt], model_inflated(sh->m, k) ? sh->zeta + kt : NULL, &sh->fpar[k], p->ex_y[q],
                                         p->ex_e[q]);
      cell_v(sh, k, t, &c, d);
      for (int j = 0; j < nv; j++) acc[j] += load4(d + 4 * j);
    }
    memcpy(v[k], acc, S * sizeof(double));
  }
}

/* The entries of v that person_v sums: the widest group's, rounded up to 4. */
static int v_span(const shared *sh) {
  int w = 0;
  for (int k = 0; k < sh->K; k++) w = v_width(sh, k) > w ? v_width(sh, k) : w;
  return (w + 3) / 4 * 4;
}

/* Block b of persons by the windowed sums; scratch: G (the G_k), S, one
 * row of psi, the difference array D (K x (T+1)) of the window cells'
 * weights, the exception cells' terms Wx (K x T x 3), the positive counts'
 * weights Nz (K x T) and Ak (P x P). */
KERNEL_CLONES
static void person_block_windowed(const shared *sh, size_t b, double *G, double *S, double *row, double *D,
                                  double *Wx, double *Nz, double *Ak) {
  const gbtm_panel *p = sh->p;
  const gbtm_model *m = sh->m;
  const int K = sh->K, R = sh->R;
  const size_t P = sh->P, T = sh->T;
  size_t i0 = b * sh->block, i1 = i0 + sh->block < p->n ? i0 + sh->block : p->n, nb = i1 - i0;
  double *part = sh->partial + b * sh->psize;
  memset(part, 0, sh->psize * sizeof *part);
  double *ll = part, *grad = part + 1, *A = grad + P, *meat = A + P * P, *W = meat + P * P;
  double *H = W + (size_t)K * T * W_TERMS, *meat2 = H + (sh->has_covariates ? P * P : 0);
  memset(D, 0, (size_t)K * (T + 1) * sizeof *D);
  memset(Wx, 0, (size_t)K * T * 3 * sizeof *Wx);
  memset(Nz, 0, (size_t)K * T * sizeof *Nz);
  for (size_t r = 0; r < nb; r++) {
    size_t i = i0 + r, lo = p->lo[i], hi = p->hi[i], q = chunk_row(sh, r, S);
    const double *z = R ? p->risk + i * (size_t)R : NULL;
    double lf[GBTM_MAX_GROUPS], pi[GBTM_MAX_GROUPS], tau[GBTM_MAX_GROUPS], mx = -INFINITY, sum = 0.0;
    const double wi = panel_weight(p, i); /* eq. W */
    double v[GBTM_MAX_GROUPS][VW]; /* person_v sets the entries read */
    if (R) {
      model_log_shares(m, z, lf);
      for (int k = 0; k < K; k++) pi[k] = exp(lf[k]);
    } else {
      for (int k = 0; k < K; k++) lf[k] = sh->logpi[k], pi[k] = sh->pi[k];
    }
    double lfact = 0.0; /* sum of log y! over the positive counts, the same in every group */
    for (size_t q = p->nz_start[i]; q < p->nz_start[i + 1]; q++) {
      double y = p->nz_y[q];
      lfact += y < LGAMMA_TABLE ? sh->tb.lfact[(size_t)y] : lgamma(y + 1.0);
    }
    switch (sh->span) {
    case 4: person_v(sh, i, lfact, 4, v); break;
    case 8: person_v(sh, i, lfact, 8, v); break;
    case 12: person_v(sh, i, lfact, 12, v); break;
    default: person_v(sh, i, lfact, VW, v); break;
    }
    for (int k = 0; k < K; k++) {
      lf[k] += v[k][0];
      mx = fmax(mx, lf[k]);
    }
    for (int k = 0; k < K; k++) sum += tau[k] = exp(lf[k] - mx);
    for (int k = 0; k < K; k++) tau[k] /= sum;
    *ll += wi * (mx + log(sum)); /* eq. W */
    if (R) theta_hessian(sh, pi, z, wi, H);
    for (int k = 0; k < K; k++) {
      /* the tau-weighted second derivatives of this person's cells */
      double tk = wi * tau[k], *Dk = D + (size_t)k * (T + 1), *Wk = Wx + (size_t)k * T * 3;
      Dk[lo] += tk;
      Dk[hi + 1] -= tk;
      for (size_t q = p->skip_start[i]; q < p->skip_start[i + 1]; q++) {
        Dk[p->skip_t[q]] -= tk;
        Dk[p->skip_t[q] + 1] += tk;
      }
      double *Nk = Nz + (size_t)k * T; /* a positive count's second derivatives do not depend on y */
      for (size_t q = p->nz_start[i]; q < p->nz_start[i + 1]; q++) Nk[p->nz_t[q]] += tk;
      for (size_t q = p->ex_start[i]; q < p->ex_start[i + 1]; q++) {
        size_t t = p->ex_t[q], kt = (size_t)k * T + t;
        cell_terms c = sh->fam->cell_terms(sh->eta[kt], model_inflated(m, k) ? sh->zeta + kt : NULL, &sh->fpar[k], p->ex_y[q],
                                           p->ex_e[q]);
        Wk[t * 3] += tk * c.h_ee, Wk[t * 3 + 1] += tk * c.h_ez, Wk[t * 3 + 2] += tk * c.h_zz;
      }
      /* the score of group k in psi's layout */
      int nbk = m->order[k] + 1, nak = model_inflated(m, k) ? m->iorder[k] + 1 : 0;
      memset(row, 0, P * sizeof *row);
      theta_scores(sh, k, pi, z, row);
      for (int j = 0; j < nbk; j++) row[sh->l.beta_at[k] + (size_t)j] = v[k][1 + j];
      for (int j = 0; j < nak; j++) row[sh->l.alpha_at[k] + (size_t)j] = v[k][1 + nbk + j];
      add_score(sh, k, row, tau[k], wi, group_rows(sh, G, sh->chunk, k) + q * (n_theta(sh) + own(sh, k)), S + q * P);
    }
    for (size_t j = 0; j < P; j++) grad[j] += wi * S[q * P + j]; /* eq. W */
    chunk_end(sh, i0, r, nb, G, S, Ak, A, meat, meat2);
  }
  /* W = h0 x (the zero cells' tau weight) + h+ x (the positive counts'
   * weight, the family's positive_hessian) + the exception cells' terms. */
  for (int k = 0; k < K; k++) {
    double run = 0.0, *Dk = D + (size_t)k * (T + 1);
    for (size_t t = 0; t < T; t++) {
      run += Dk[t];
      size_t kt = (size_t)k * T + t;
      const cell_terms *h0 = &sh->tb.zero[kt];
      double pos = Nz[kt], zero = run - pos, hp[3];
      sh->fam->positive_hessian(&sh->tb.one[kt], pos, hp);
      W[kt * W_TERMS] += zero * h0->h_ee + hp[0] + Wx[kt * 3];
      W[kt * W_TERMS + 1] += zero * h0->h_ez + hp[1] + Wx[kt * 3 + 1];
      W[kt * W_TERMS + 2] += zero * h0->h_zz + hp[2] + Wx[kt * 3 + 2];
    }
  }
}

/* Block b of persons cell by cell: the path of models with time-varying
 * covariates (C > 0), whose cells differ person by person. Scratch per
 * thread: cells (t, y, e), per-group cell terms, G (the G_k) and S blocks,
 * one row of psi and Ak (P x P). */
static void person_block(const shared *sh, size_t b, uint32_t *ct, double *cy, double *ce,
                         cell_terms *terms, double *G, double *S, double *row, double *Ak) {
  const gbtm_panel *p = sh->p;
  const gbtm_model *m = sh->m;
  const int K = sh->K, R = sh->R, C = sh->C;
  const size_t P = sh->P, T = sh->T;
  size_t i0 = b * sh->block, i1 = i0 + sh->block < p->n ? i0 + sh->block : p->n, nb = i1 - i0;
  double *part = sh->partial + b * sh->psize;
  memset(part, 0, sh->psize * sizeof *part);
  double *ll = part, *grad = part + 1, *A = grad + P, *meat = A + P * P, *W = meat + P * P;
  double *H = W + (size_t)K * T * W_TERMS, *meat2 = H + (sh->has_covariates ? P * P : 0);
  const bool phi = model_has_phi(m);
  for (size_t r = 0; r < nb; r++) {
    size_t q = chunk_row(sh, r, S), i = i0 + r, nc = panel_person_cells(p, i, ct, cy, ce);
    const double *z = R ? p->risk + i * (size_t)R : NULL;
    const double *w0 = C ? p->tcov + p->obs_start[i] * (size_t)C : NULL;
    double lf[GBTM_MAX_GROUPS], pi[GBTM_MAX_GROUPS], tau[GBTM_MAX_GROUPS], mx = -INFINITY, sum = 0.0;
    const double wi = panel_weight(p, i); /* eq. W */
    if (R) {
      model_log_shares(m, z, lf);
      for (int k = 0; k < K; k++) pi[k] = exp(lf[k]);
    } else {
      for (int k = 0; k < K; k++) lf[k] = sh->logpi[k], pi[k] = sh->pi[k];
    }
    /* cell by cell, a cell's features computed once for all groups */
    for (size_t c = 0; c < nc; c++) {
      size_t t = ct[c];
      double f[FAMILY_FEATURES];
      if (sh->pre) sh->fam->cell_features(cy[c], ce[c], f);
      for (int k = 0; k < K; k++) {
        cell_terms *ck = terms + (size_t)k * T + c;
        if (sh->pre) {
          *ck = sh->fam->prepared_terms(sh->pre + ((size_t)k * T + t) * FAMILY_PREPARED,
                                        sh->group ? sh->group + (size_t)k * FAMILY_GROUP_PREPARED : NULL, f);
        } else {
          const double *zt = model_inflated(m, k) ? sh->zeta + k * T + t : NULL;
          double eta = sh->eta[k * T + t] + model_tcov_shift(m, k, w0 + c * (size_t)C);
          *ck = sh->fam->cell_terms(eta, zt, &sh->fpar[k], cy[c], ce[c]);
        }
        lf[k] += ck->lf;
      }
    }
    for (int k = 0; k < K; k++) mx = fmax(mx, lf[k]);
    for (int k = 0; k < K; k++) sum += tau[k] = exp(lf[k] - mx);
    for (int k = 0; k < K; k++) tau[k] /= sum;
    *ll += wi * (mx + log(sum)); /* eq. W */
    double wtau[GBTM_MAX_GROUPS]; /* w_i tau_ik: the Hessian's sums (eq. W) */
    for (int k = 0; k < K; k++) wtau[k] = wi * tau[k];
    if (R) theta_hessian(sh, pi, z, wi, H);
    /* g_ik into row (r*K + k) of G scaled by sqrt(tau), s_i into row r of S */
    for (int k = 0; k < K; k++) {
      double gk[2 * GBTM_MAX_COEF + GBTM_MAX_TCOV] = {0}, gp = 0.0;
      double *gd = gk + 2 * GBTM_MAX_COEF;
      int nbk = m->order[k] + 1, nak = model_inflated(m, k) ? m->iorder[k] + 1 : 0;
      for (size_t c = 0; c < nc; c++) {
        const double *x = sh->X + (size_t)ct[c] * GBTM_MAX_COEF;
        const cell_terms *ck = terms + (size_t)k * T + c;
        for (int j = 0; j < nbk; j++) gk[j] += x[j] * ck->a_eta;
        for (int j = 0; j < nak; j++) gk[GBTM_MAX_COEF + j] += x[j] * ck->a_zeta;
        double *wk = W + ((size_t)k * T + ct[c]) * W_TERMS;
        wk[0] += wtau[k] * ck->h_ee;
        wk[1] += wtau[k] * ck->h_ez;
        wk[2] += wtau[k] * ck->h_zz;
        if (phi) { /* phi's row of the Hessian: with beta, alpha and itself by age in W, with delta here */
          size_t rp = sh->l.phi_at[k];
          gp += ck->a_phi;
          wk[3] += wtau[k] * ck->h_ep;
          wk[4] += wtau[k] * ck->h_zp;
          wk[5] += wtau[k] * ck->h_pp;
          for (int j = 0; j < C; j++)
            H[(sh->l.delta_at[k] + (size_t)j) * P + rp] += wtau[k] * ck->h_ep * w0[c * (size_t)C + j];
        }
        if (!C) continue;
        /* delta: d/ddelta = w a_eta; Hessian terms with beta, delta, alpha */
        const double *w = w0 + c * (size_t)C;
        for (int j = 0; j < C; j++) {
          gd[j] += w[j] * ck->a_eta;
          size_t rj = sh->l.delta_at[k] + (size_t)j;
          for (int a = 0; a < nbk; a++) H[(sh->l.beta_at[k] + (size_t)a) * P + rj] += wtau[k] * ck->h_ee * w[j] * x[a];
          for (int a = 0; a <= j; a++) H[(sh->l.delta_at[k] + (size_t)a) * P + rj] += wtau[k] * ck->h_ee * w[j] * w[a];
          for (int a = 0; a < nak; a++) H[rj * P + sh->l.alpha_at[k] + (size_t)a] += wtau[k] * ck->h_ez * w[j] * x[a];
        }
      }
      memset(row, 0, P * sizeof *row);
      theta_scores(sh, k, pi, z, row);
      for (int j = 0; j < nbk; j++) row[sh->l.beta_at[k] + (size_t)j] = gk[j];
      for (int j = 0; j < C; j++) row[sh->l.delta_at[k] + (size_t)j] = gd[j];
      for (int j = 0; j < nak; j++) row[sh->l.alpha_at[k] + (size_t)j] = gk[GBTM_MAX_COEF + j];
      if (phi) row[sh->l.phi_at[k]] = gp;
      add_score(sh, k, row, tau[k], wi, group_rows(sh, G, sh->chunk, k) + q * (n_theta(sh) + own(sh, k)), S + q * P);
    }
    for (size_t j = 0; j < P; j++) grad[j] += wi * S[q * P + j]; /* eq. W */
    chunk_end(sh, i0, r, nb, G, S, Ak, A, meat, meat2);
  }
}

gbtm_status inference_compute(const gbtm_model *m, const gbtm_panel *p, int threads, inference *out,
                              gbtm_error *err) {
  memset(out, 0, sizeof *out);
  gbtm_status st = model_panel_match(m, p, err);
  if (st != GBTM_OK) return st;
  shared sh = {0};
  sh.m = m;
  sh.fam = family_get(m->family);
  sh.p = p;
  sh.K = m->groups;
  sh.R = m->n_risk;
  sh.C = m->n_tcov;
  /* H also holds phi's rows; a cell_path family takes the cell-by-cell path */
  sh.has_covariates = sh.R > 0 || sh.C > 0;
  bool windowed = !sh.C && !sh.fam->cell_path;
  sh.T = p->T;
  layout(m, true, &sh.l);
  sh.P = sh.l.P;
  size_t P = sh.P, T = p->T, K = (size_t)sh.K;
  sh.block = p->n / 1024 + 1 > 256 ? p->n / 1024 + 1 : 256;
  sh.nblocks = (p->n + sh.block - 1) / sh.block;
  sh.psize = 1 + P + 2 * P * P + K * T * W_TERMS + (sh.has_covariates ? P * P : 0) + (p->weight ? P * P : 0);
  int nth = fit_threads(threads, (long)sh.nblocks);
  sh.chunk = sh.block < SCORE_CHUNK ? sh.block : SCORE_CHUNK;
  size_t scratch = T * 3 + K * T * sizeof(cell_terms) / sizeof(double) + sh.chunk * K * P + sh.chunk * P + P + P * P;
  sh.X = malloc(T * GBTM_MAX_COEF * sizeof *sh.X);
  sh.eta = calloc(K * T, sizeof *sh.eta);
  sh.zeta = calloc(K * T, sizeof *sh.zeta);
  sh.partial = malloc(sh.nblocks * sh.psize * sizeof *sh.partial);
  double *work = malloc((size_t)nth * scratch * sizeof *work);
  cell_table *tb = &sh.tb;
  tb->zero = malloc(K * T * sizeof *tb->zero);
  tb->one = malloc(K * T * sizeof *tb->one);
  if (windowed) {
    sh.prefix = malloc(K * (T + 1) * VW * sizeof *sh.prefix);
    sh.nzd = malloc(K * T * VW * sizeof *sh.nzd);
    sh.nzy = malloc(K * T * VW * sizeof *sh.nzy);
  }
  out->P = P;
  out->grad = calloc(P, sizeof *out->grad);
  out->info = calloc(P * P, sizeof *out->info);
  out->meat = calloc(P * P, sizeof *out->meat);
  if (!sh.X || !sh.eta || !sh.zeta || !sh.partial || !work || !out->grad || !out->info || !out->meat ||
      !tb->zero || !tb->one || (windowed && (!sh.prefix || !sh.nzd || !sh.nzy))) {
    free(sh.X), free(sh.eta), free(sh.zeta), free(sh.partial), free(work), free(sh.prefix), free(sh.nzd), free(sh.nzy);
    free(tb->zero), free(tb->one);
    inference_free(out);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory computing the information matrix");
  }
  basis_matrix(p->age, T, m->centre, m->scale, sh.X);
  gbtm_model_shares(m, sh.pi);
  for (size_t k = 0; k < K; k++) {
    sh.fpar[k] = model_family_par(m, (int)k);
    sh.logpi[k] = log(sh.pi[k]);
    basis_predict(sh.X, T, m->order[k] + 1, m->beta[k], sh.eta + k * T);
    if (model_inflated(m, (int)k)) basis_predict(sh.X, T, m->iorder[k] + 1, m->alpha[k], sh.zeta + k * T);
  }
  for (int y = 0; y < LGAMMA_TABLE; y++) tb->lfact[y] = lgamma(y + 1.0);
  for (size_t k = 0; k < K; k++)
    for (size_t t = 0; t < T; t++) {
      size_t kt = k * T + t;
      const double *zt = model_inflated(m, (int)k) ? sh.zeta + kt : NULL;
      tb->zero[kt] = sh.fam->cell_terms(sh.eta[kt], zt, &sh.fpar[k], 0.0, 1.0);
      tb->one[kt] = sh.fam->cell_terms(sh.eta[kt], zt, &sh.fpar[k], 1.0, 1.0);
    }
  if (sh.prefix) sh.span = v_span(&sh), build_prefix(&sh, sh.prefix);
  if (sh.fam->cell_prepare && !sh.C) { /* without covariates a cell's mean is its group's and age's */
    if (!(sh.pre = malloc(K * T * FAMILY_PREPARED * sizeof *sh.pre)) ||
        (sh.fam->group_prepare && !(sh.group = malloc(K * FAMILY_GROUP_PREPARED * sizeof *sh.group)))) {
      free(sh.X), free(sh.eta), free(sh.zeta), free(sh.partial), free(work);
      free(tb->zero), free(tb->one), free(sh.prefix), free(sh.nzd), free(sh.nzy), free(sh.pre), free(sh.group);
      inference_free(out);
      return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory computing the information matrix");
    }
    for (size_t k = 0; k < K; k++)
      for (size_t t = 0; t < T; t++)
        sh.fam->cell_prepare(sh.eta[k * T + t], model_inflated(m, (int)k) ? sh.zeta + k * T + t : NULL, &sh.fpar[k],
                             sh.pre + (k * T + t) * FAMILY_PREPARED);
    for (size_t k = 0; sh.group && k < K; k++) sh.fam->group_prepare(&sh.fpar[k], sh.group + k * FAMILY_GROUP_PREPARED);
  }
  long nblocks = (long)sh.nblocks;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth) if (nblocks >= PARALLEL_BLOCKS)
  for (long b = 0; b < nblocks; b++) {
    double *w = work + (size_t)omp_get_thread_num() * scratch;
    uint32_t *ct = (uint32_t *)w;
    double *cy = w + T;
    double *ce = w + 2 * T;
    cell_terms *terms = (cell_terms *)(w + 3 * T);
    double *G = w + 3 * T + K * T * sizeof(cell_terms) / sizeof(double);
    double *S = G + sh.chunk * K * P;
    if (sh.prefix) { /* G, S, a row, D, Wx and Ak in the same scratch */
      double *Gw = w, *Sw = Gw + sh.chunk * K * P, *row = Sw + sh.chunk * P, *D = row + P;
      double *Wx = D + K * (T + 1), *Nz = Wx + 3 * K * T;
      person_block_windowed(&sh, (size_t)b, Gw, Sw, row, D, Wx, Nz, Nz + K * T);
    } else {
      person_block(&sh, (size_t)b, ct, cy, ce, terms, G, S, S + sh.chunk * P, S + sh.chunk * P + P);
    }
  }
  double *acc = sh.partial;
  for (size_t b = 1; b < sh.nblocks; b++)
    for (size_t j = 0; j < sh.psize; j++) acc[j] += sh.partial[b * sh.psize + j];
  reduce_sum(p->procs, acc, sh.psize); /* Σ over all processes' persons (eq. L, I, Σ s s') */
  double *A = acc + 1 + P, *meat = A + P * P, *W = meat + P * P, *H = W + K * T * W_TERMS;
  /* eq. W: the information takes sum w_i s_i s_i' (meat), the robust
   * covariance sum w_i^2 s_i s_i' (meat2) */
  const double *meat2 = p->weight ? H + (sh.has_covariates ? P * P : 0) : meat;
  out->loglik = acc[0];
  memcpy(out->grad, acc + 1, P * sizeof *out->grad);
  /* I = -(sum tau H + A - meat); H: the theta block, X'WX per group, and
   * with covariates the per-person terms gathered in H. */
  for (size_t a = 0; a < P; a++)
    for (size_t c = 0; c <= a; c++) {
      double v = -(A[c * P + a] - meat[c * P + a]); /* lower triangle, column-major */
      if (sh.has_covariates) v -= H[c * P + a];
      out->info[c * P + a] = v;
      out->meat[c * P + a] = meat2[c * P + a];
    }
  double N = panel_weight_total(p); /* eq. W: sum_i w_i */
  if (!sh.R)
    for (int j = 0; j < sh.K; j++)
      for (int l = 0; l <= j; l++)
        if (j != m->refgroup && l != m->refgroup) {
          size_t a = sh.l.theta_at[j], c = sh.l.theta_at[l];
          out->info[(a < c ? a : c) * P + (a < c ? c : a)] += N * ((j == l ? sh.pi[j] : 0.0) - sh.pi[j] * sh.pi[l]);
        }
  const bool phi = model_has_phi(m);
  for (size_t k = 0; k < K; k++) {
    int nbk = m->order[k] + 1, nak = model_inflated(m, (int)k) ? m->iorder[k] + 1 : 0;
    size_t beta_at = sh.l.beta_at[k], alpha_at = sh.l.alpha_at[k];
    for (size_t t = 0; t < T; t++) {
      const double *x = sh.X + t * GBTM_MAX_COEF, *w = W + (k * T + t) * W_TERMS;
      for (int a = 0; a < nbk; a++)
        for (int c = 0; c <= a; c++) out->info[(beta_at + c) * P + beta_at + a] -= x[a] * x[c] * w[0];
      for (int a = 0; a < nak; a++) {
        for (int c = 0; c < nbk; c++) out->info[(beta_at + c) * P + alpha_at + a] -= x[a] * x[c] * w[1];
        for (int c = 0; c <= a; c++) out->info[(alpha_at + c) * P + alpha_at + a] -= x[a] * x[c] * w[2];
      }
      if (phi) { /* phi's row: with beta, alpha and itself */
        size_t rp = sh.l.phi_at[k];
        for (int a = 0; a < nbk; a++) out->info[(beta_at + a) * P + rp] -= x[a] * w[3];
        for (int a = 0; a < nak; a++) out->info[(alpha_at + a) * P + rp] -= x[a] * w[4];
        out->info[rp * P + rp] -= w[5];
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
  free(tb->zero), free(tb->one), free(sh.prefix), free(sh.nzd), free(sh.nzy), free(sh.pre), free(sh.group);
  if (model_has_phi(m) && m->phi_common) {
    st = contract_common_phi(m, &sh.l, out, err);
    if (st != GBTM_OK) inference_free(out);
    return st;
  }
  return GBTM_OK;
}

int gbtm_model_param_index(const gbtm_model *m, gbtm_param_kind kind, int k, int j) {
  if (!m || k < 0 || k >= m->groups || j < 0) return -1;
  psi_layout l;
  inference_layout(m, &l);
  switch (kind) {
  case GBTM_PARAM_THETA:
    return k == m->refgroup || j != 0 ? -1 : (int)l.theta_at[k];
  case GBTM_PARAM_GAMMA:
    return k == m->refgroup || j >= m->n_risk ? -1 : (int)(l.gamma_at[k] + (size_t)j);
  case GBTM_PARAM_BETA:
    return j > m->order[k] ? -1 : (int)(l.beta_at[k] + (size_t)j);
  case GBTM_PARAM_DELTA:
    return j >= m->n_tcov ? -1 : (int)(l.delta_at[k] + (size_t)j);
  case GBTM_PARAM_ALPHA:
    return !model_inflated(m, k) || j > m->iorder[k] ? -1 : (int)(l.alpha_at[k] + (size_t)j);
  case GBTM_PARAM_PHI:
    return !model_has_phi(m) || j != 0 ? -1 : (int)l.phi_at[k];
  }
  return -1;
}
