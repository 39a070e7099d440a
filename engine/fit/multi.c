/* multi.c: the group-based multi-trajectory model (eq. MT, DESIGN §10):
 * one group membership, one trajectory per outcome and group, outcomes
 * independent given the group. Each outcome keeps its own panel, EM
 * workspace and E-step kernel (em.c, estep.c), unchanged: the joint E-step
 * sums the outcomes' per-person group log-likelihoods (eq. MTE), takes the
 * posteriors once, and hands them to every outcome's statistics pass; each
 * outcome's M-step then runs on the shared posteriors. The information
 * (eq. MTI) is the central difference of the analytic gradient. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/idtable.h"
#include "base/lapack.h"
#include "fit/em.h"
#include "model/basis.h"
#include "model/model.h"
#include "multi.h"

#define MIN_SHARE 1e-6
#define HANDOFF_GAIN 1e-2 /* log L gained by an EM step below which Newton's method takes over */
#define NEWTON_STEPS 20


static void free_ids(char **ids, size_t n) {
  if (!ids) return;
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
}

void gbtm_multi_result_free(gbtm_multi_result *r) {
  if (!r) return;
  free(r->tau);
  free_ids(r->ids, r->N);
  free(r->est);
  free(r->cov);
  free_ids(r->pname, (size_t)r->n_est);
  free(r->file_info);
  free(r);
}

void multi_free(multi *m) {
  for (int o = 0; o < m->O; o++) {
    em_ws_free(&m->ws[o]);
    free(m->map[o]);
    free(m->par[o]);
  }
  free(m->lrow);
  free(m->l);
  free(m->tau);
  free(m->tau_o);
  free_ids(m->ids, m->N);
  memset(m, 0, sizeof *m);
}

/* The joint persons: the union of the panels' ids, in order of first
 * appearance (outcome 1's persons first, in its order), and each panel's
 * map to them. */
static gbtm_status join_persons(multi *m, gbtm_error *err) {
  size_t most = 0;
  for (int o = 0; o < m->O; o++) most += m->panel[o]->n;
  idtable *t = idtable_alloc(most);
  if (!t) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the persons of %d outcomes", m->O);
  for (int o = 0; o < m->O; o++) {
    const gbtm_panel *p = m->panel[o];
    m->map[o] = malloc((p->n ? p->n : 1) * sizeof *m->map[o]);
    if (!m->map[o]) {
      idtable_free(t);
      return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the persons of %d outcomes", m->O);
    }
    for (size_t i = 0; i < p->n; i++) {
      uint32_t at;
      bool added;
      if (!idtable_intern(t, p->id[i], strlen(p->id[i]), &at, &added)) {
        idtable_free(t);
        return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the persons of %d outcomes", m->O);
      }
      m->map[o][i] = at;
    }
  }
  m->ids = idtable_take_ids(t, &m->N);
  idtable_free(t);
  if (!m->ids) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the persons of %d outcomes", m->O);
  return GBTM_OK;
}

gbtm_status multi_init(multi *m, const gbtm_panel *const *panels, const gbtm_fit_options *options, int O,
                       gbtm_error *err) {
  memset(m, 0, sizeof *m);
  m->O = O;
  m->K = options[0].groups;
  double lo = INFINITY, hi = -INFINITY;
  for (int o = 0; o < O; o++) {
    m->panel[o] = panels[o];
    m->opt[o] = options[o];
    lo = fmin(lo, panels[o]->age[0]);
    hi = fmax(hi, panels[o]->age[panels[o]->T - 1]);
  }
  m->centre = options[0].centre, m->scale = options[0].scale;
  double c, h;
  basis_default(lo, hi, &c, &h);
  if (isnan(m->centre)) m->centre = c;
  if (isnan(m->scale)) m->scale = h;
  gbtm_status st = join_persons(m, err);
  size_t most = 0;
  m->P = (size_t)m->K;
  for (int o = 0; o < O && st == GBTM_OK; o++) {
    gbtm_fit_options oo = options[o];
    oo.centre = m->centre, oo.scale = m->scale;
    m->opt[o] = oo;
    st = em_ws_init(&m->ws[o], panels[o], &oo, m->centre, m->scale, err);
    if (st != GBTM_OK) break;
    m->off[o] = m->P;
    m->P += m->ws[o].P - (size_t)m->K;
    m->par[o] = calloc(m->ws[o].P, sizeof *m->par[o]);
    if (!m->par[o]) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the parameters");
    if (panels[o]->n > most) most = panels[o]->n;
  }
  if (st == GBTM_OK) {
    size_t NK = m->N * (size_t)m->K;
    m->lrow = malloc((most ? most : 1) * (size_t)m->K * sizeof *m->lrow);
    m->tau_o = malloc((most ? most : 1) * (size_t)m->K * sizeof *m->tau_o);
    m->l = malloc(NK * sizeof *m->l);
    m->tau = malloc(NK * sizeof *m->tau);
    if (!m->lrow || !m->tau_o || !m->l || !m->tau)
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %zu persons' posteriors", m->N);
  }
  if (st == GBTM_OK) /* eq. MTE's constant: sum over outcomes and persons of c_io */
    for (int o = 0; o < O; o++)
      for (size_t i = 0; i < panels[o]->n; i++)
        m->cconst += estep_person_constant(panels[o], m->ws[o].fam, i);
  if (st != GBTM_OK) multi_free(m);
  return st;
}

/* Outcome o's EM vector from the joint x: theta, then its own part. */
static double *outcome_params(multi *m, int o, const double *x) {
  memcpy(m->par[o], x, (size_t)m->K * sizeof *x);
  memcpy(m->par[o] + m->K, x + m->off[o], (m->ws[o].P - (size_t)m->K) * sizeof *x);
  return m->par[o];
}

double multi_estep(multi *m, const double *x) {
  const size_t K = (size_t)m->K, N = m->N;
  memset(m->l, 0, N * K * sizeof *m->l);
  for (int o = 0; o < m->O; o++) { /* eq. MTE: l_ik = sum_o l_iko */
    if (isnan(em_estep_rows(&m->ws[o], outcome_params(m, o, x), m->lrow))) return NAN;
    for (size_t i = 0; i < m->panel[o]->n; i++)
      for (size_t k = 0; k < K; k++) m->l[m->map[o][i] * K + k] += m->lrow[i * K + k];
  }
  double mx = x[0], s = 0.0;
  for (size_t k = 1; k < K; k++) mx = fmax(mx, x[k]);
  for (size_t k = 0; k < K; k++) s += exp(x[k] - mx);
  for (size_t k = 0; k < K; k++) m->logpi[k] = x[k] - mx - log(s); /* eq. M */
  double ll = m->cconst;
  for (size_t k = 0; k < K; k++) m->sum_tau[k] = 0.0;
  for (size_t i = 0; i < N; i++) { /* eq. MT by log-sum-exp; tau by eq. MTP */
    double *l = m->l + i * K, *tau = m->tau + i * K, top = -INFINITY, sum = 0.0;
    for (size_t k = 0; k < K; k++) top = fmax(top, l[k] + m->logpi[k]);
    for (size_t k = 0; k < K; k++) sum += tau[k] = exp(l[k] + m->logpi[k] - top);
    for (size_t k = 0; k < K; k++) m->sum_tau[k] += tau[k] /= sum;
    ll += top + log(sum);
  }
  for (int o = 0; o < m->O; o++) { /* each outcome's statistics at the shared tau */
    for (size_t i = 0; i < m->panel[o]->n; i++)
      memcpy(m->tau_o + i * K, m->tau + m->map[o][i] * K, K * sizeof *m->tau);
    if (isnan(em_estep(&m->ws[o], m->par[o], m->tau_o, NULL))) return NAN;
  }
  return isfinite(ll) ? ll : NAN;
}

void multi_gradient(multi *m, double *g) {
  g[0] = 0.0;
  for (int k = 1; k < m->K; k++) g[k] = m->sum_tau[k] - (double)m->N * exp(m->logpi[k]);
  for (int o = 0; o < m->O; o++) {
    em_gradient(&m->ws[o], m->par[o]);
    memcpy(g + m->off[o], m->ws[o].grad + m->K, (m->ws[o].P - (size_t)m->K) * sizeof *g);
  }
}

const char *multi_mstep(multi *m, const double *x, double *xn, int *group) {
  for (int k = 0; k < m->K; k++)
    if (!(m->sum_tau[k] / (double)m->N >= MIN_SHARE)) {
      *group = k + 1;
      return "group emptied (share below 1e-6)";
    }
  for (int k = 0; k < m->K; k++) xn[k] = log(m->sum_tau[k]) - log(m->sum_tau[0]);
  for (int o = 0; o < m->O; o++) {
    const char *why = em_mstep(&m->ws[o], outcome_params(m, o, x), m->par[o], group);
    if (why) return why;
    memcpy(xn + m->off[o], m->par[o] + m->K, (m->ws[o].P - (size_t)m->K) * sizeof *xn);
  }
  return NULL;
}

gbtm_status multi_information(multi *m, const double *x, double *info, gbtm_error *err) {
  const size_t n = m->P - 1;
  double *xp = malloc(m->P * sizeof *xp), *gp = malloc(m->P * sizeof *gp), *gm = malloc(m->P * sizeof *gm);
  gbtm_status st = GBTM_OK;
  if (!xp || !gp || !gm) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the information");
  for (size_t j = 0; j < n && st == GBTM_OK; j++) { /* eq. MTI: column j by central differences */
    const double h = 1e-5 * fmax(1.0, fabs(x[j + 1]));
    memcpy(xp, x, m->P * sizeof *xp);
    xp[j + 1] = x[j + 1] + h;
    if (isnan(multi_estep(m, xp))) st = gbtm_fail(err, GBTM_ERR_FIT, "the log-likelihood is not finite near the estimate");
    multi_gradient(m, gp);
    xp[j + 1] = x[j + 1] - h;
    if (isnan(multi_estep(m, xp))) st = gbtm_fail(err, GBTM_ERR_FIT, "the log-likelihood is not finite near the estimate");
    multi_gradient(m, gm);
    for (size_t i = 0; i < n; i++) info[i * n + j] = -(gp[i + 1] - gm[i + 1]) / (2.0 * h);
  }
  for (size_t i = 0; i < n && st == GBTM_OK; i++)
    for (size_t j = 0; j < i; j++) info[i * n + j] = info[j * n + i] = 0.5 * (info[i * n + j] + info[j * n + i]);
  free(xp);
  free(gp);
  free(gm);
  if (st == GBTM_OK && isnan(multi_estep(m, x))) st = gbtm_fail(err, GBTM_ERR_FIT, "the log-likelihood is not finite");
  return st;
}

/* a (n x n, symmetric positive definite) replaced by its inverse; false
 * when it is not positive definite. */
static bool spd_inverse(double *a, int n) {
  int info = 0;
  dpotrf_("L", &n, a, &n, &info);
  if (info != 0) return false;
  dpotri_("L", &n, a, &n, &info);
  if (info != 0) return false;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++) a[i * n + j] = a[j * n + i]; /* column-major lower = row-major upper */
  return true;
}

static double max_abs(const double *g, size_t n) {
  double mx = 0.0;
  for (size_t j = 0; j < n; j++) mx = fmax(mx, fabs(g[j]));
  return isfinite(mx) ? mx : INFINITY;
}

/* EM on eq. MT from x until max|grad| <= tol, or two steps in a row gain
 * at most HANDOFF_GAIN in log L (then newton_polish takes over). Returns log
 * L (NaN on failure, with *why). */
static double run_em(multi *m, double *x, double tol, int max_it, int *iterations, const char **why, int *group) {
  double *xn = malloc(m->P * sizeof *xn), *g = malloc(m->P * sizeof *g);
  if (!xn || !g) {
    free(xn);
    free(g);
    *why = "out of memory";
    return NAN;
  }
  double ll = multi_estep(m, x);
  int flat = 0; /* steps in a row that gained at most HANDOFF_GAIN */
  for (*iterations = 1; *iterations < max_it && !isnan(ll); (*iterations)++) {
    multi_gradient(m, g);
    if (max_abs(g, m->P) <= tol) break;
    if ((*why = multi_mstep(m, x, xn, group))) {
      ll = NAN;
      break;
    }
    double lln = multi_estep(m, xn);
    if (isnan(lln)) {
      *why = "non-finite log-likelihood";
      ll = NAN;
      break;
    }
    memcpy(x, xn, m->P * sizeof *x);
    flat = lln - ll <= HANDOFF_GAIN ? flat + 1 : 0;
    ll = lln;
    if (flat >= 2) break; /* hand over to Newton's method */
  }
  free(xn);
  free(g);
  return ll;
}

static double newton_polish(multi *m, double *x, double ll, double tol) {
  const size_t n = m->P - 1;
  double *info = malloc(n * n * sizeof *info), *g = malloc(m->P * sizeof *g), *xt = malloc(m->P * sizeof *xt),
         *step = malloc(n * sizeof *step);
  for (int it = 0; it < NEWTON_STEPS && info && g && xt && step; it++) {
    multi_estep(m, x);
    multi_gradient(m, g);
    if (max_abs(g, m->P) <= tol) break;
    if (multi_information(m, x, info, NULL) != GBTM_OK || !spd_inverse(info, (int)n)) break;
    for (size_t i = 0; i < n; i++) {
      step[i] = 0.0;
      for (size_t j = 0; j < n; j++) step[i] += info[i * n + j] * g[j + 1];
    }
    /* a step is taken where log L rises, or, within its rounding, where
     * the gradient falls (near the maximum log L no longer resolves it) */
    bool taken = false;
    const double g0 = max_abs(g, m->P);
    for (double f = 1.0; f > 1e-3 && !taken; f *= 0.5) {
      memcpy(xt, x, m->P * sizeof *xt);
      for (size_t i = 0; i < n; i++) xt[i + 1] += f * step[i];
      double lt = multi_estep(m, xt);
      if (isnan(lt)) continue;
      multi_gradient(m, g);
      if (lt > ll || (lt >= ll - 1e-12 * fabs(ll) && max_abs(g, m->P) < g0)) {
        memcpy(x, xt, m->P * sizeof *x);
        ll = lt, taken = true;
      }
    }
    if (!taken) break;
  }
  free(info);
  free(g);
  free(xt);
  free(step);
  return multi_estep(m, x);
}

/* A start: the joint x from posteriors tau (N x K) through every outcome's
 * em_start_from_tau. */
static const char *start_from_tau(multi *m, const double *tau, double *x, int *group) {
  const size_t K = (size_t)m->K;
  double alpha0[GBTM_MAX_GROUPS * GBTM_MAX_COEF] = {0.0};
  for (size_t k = 0; k < K; k++) alpha0[k * GBTM_MAX_COEF] = -2.0; /* omega about 12% */
  double st[GBTM_MAX_GROUPS] = {0.0};
  for (size_t i = 0; i < m->N; i++)
    for (size_t k = 0; k < K; k++) st[k] += tau[i * K + k];
  for (size_t k = 0; k < K; k++) x[k] = log(fmax(st[k], 1e-300)) - log(fmax(st[0], 1e-300));
  for (int o = 0; o < m->O; o++) {
    for (size_t i = 0; i < m->panel[o]->n; i++)
      memcpy(m->tau_o + i * K, tau + m->map[o][i] * K, K * sizeof *tau);
    const char *why = em_start_from_tau(&m->ws[o], m->tau_o, alpha0, m->par[o], group);
    if (why) return why;
    memcpy(x + m->off[o], m->par[o] + K, (m->ws[o].P - K) * sizeof *x);
  }
  return NULL;
}

/* Outcome o's posteriors from its own fit, on the joint persons (1/K for a
 * person without cells of outcome o). */
static gbtm_status own_fit_tau(multi *m, int o, double *tau, gbtm_error *err) {
  const size_t K = (size_t)m->K;
  gbtm_fit_options oo = m->opt[o];
  oo.keep_posterior = true, oo.inference = false, oo.progress = NULL, oo.start_from = NULL;
  gbtm_fit_result *r = NULL;
  gbtm_status st = gbtm_fit(m->panel[o], &oo, &r, err);
  if (st != GBTM_OK) return st;
  const double *post = gbtm_fit_result_posterior(r);
  const char *const *ids = gbtm_fit_result_ids(r);
  bool same = post && ids; /* rows in the panel's person order (gbtm_fit_result_ids) */
  for (size_t i = 0; same && i < m->panel[o]->n; i++) same = !strcmp(ids[i], m->panel[o]->id[i]);
  for (size_t i = 0; i < m->N * K; i++) tau[i] = 1.0 / (double)K;
  if (same)
    for (size_t i = 0; i < m->panel[o]->n; i++) memcpy(tau + m->map[o][i] * K, post + i * K, K * sizeof *tau);
  gbtm_fit_result_free(r);
  return same ? GBTM_OK : gbtm_fail(err, GBTM_ERR_FIT, "outcome %d's fit kept no posteriors in the panel's order", o + 1);
}

static gbtm_status check_inputs(const gbtm_panel *const *panels, const gbtm_fit_options *options,
                                const char *const *names, int O, gbtm_error *err) {
  if (O < 1 || O > GBTM_MAX_OUTCOMES)
    return gbtm_fail(err, GBTM_ERR_USAGE, "%d outcomes: 1 to %d are taken", O, GBTM_MAX_OUTCOMES);
  for (int o = 0; o < O; o++) {
    const gbtm_panel *p = panels[o];
    if (options[o].groups != options[0].groups)
      return gbtm_fail(err, GBTM_ERR_USAGE, "outcome %d has %d groups, outcome 1 %d: the groups are shared", o + 1,
                       options[o].groups, options[0].groups);
    if (p->procs || p->weight || p->n_risk || p->n_tcov || options[o].start_from)
      return gbtm_fail(err, GBTM_ERR_USAGE,
                       "several outcomes do not yet take risk factors, time-varying covariates, weights, "
                       "a start model or MPI");
    gbtm_status st = gbtm_fit_options_check(&options[o], p, err);
    if (st != GBTM_OK && err) { /* which outcome's options or data */
      char why[sizeof err->message];
      snprintf(why, sizeof why, "%s", err->message);
      gbtm_fail(err, st, "%s (outcome %s)", why, names ? names[o] : "?");
    }
    if (st != GBTM_OK) return st;
  }
  return GBTM_OK;
}

static void fill_model(const multi *m, int o, const double *x, gbtm_model *md) {
  const em_ws *ws = &m->ws[o];
  const gbtm_fit_options *op = &m->opt[o];
  memset(md, 0, sizeof *md);
  md->family = op->family;
  md->groups = m->K;
  md->centre = m->centre, md->scale = m->scale;
  md->age_min = m->panel[o]->age[0];
  md->age_max = m->panel[o]->age[ws->T - 1];
  const double *part = x + m->off[o] - m->K; /* indexed as outcome o's EM vector */
  for (int k = 0; k < m->K; k++) {
    md->theta[k] = x[k];
    md->order[k] = op->order[k];
    md->iorder[k] = gbtm_family_zero_inflated(op->family) ? op->iorder[k] : -1;
    for (int c = 0; c < ws->nb[k]; c++) md->beta[k][c] = part[ws->off_beta[k] + c];
    for (int c = 0; c < ws->na[k]; c++) md->alpha[k][c] = part[ws->off_alpha[k] + c];
    md->phi[k] = ws->has_phi ? exp(part[ws->off_phi[k]]) : 1.0;
  }
  for (int k = m->K; k < GBTM_MAX_GROUPS; k++) md->phi[k] = 1.0;
  md->phi_common = ws->has_phi && op->phi_common;
  md->ymin = op->ymin, md->ymax = op->ymax;
}

/* The name of joint x[j], j >= 1. */
static void param_name(const multi *m, const char *const *names, size_t j, char *buf, size_t len) {
  if (j < (size_t)m->K) {
    snprintf(buf, len, "theta[%zu]", j + 1);
    return;
  }
  int o = m->O - 1;
  while (o > 0 && j < m->off[o]) o--;
  const em_ws *ws = &m->ws[o];
  size_t at = j - m->off[o] + (size_t)m->K; /* position in outcome o's EM vector */
  for (int k = 0; k < m->K; k++) {
    if (at >= ws->off_beta[k] && at < ws->off_beta[k] + (size_t)ws->nb[k]) {
      snprintf(buf, len, "%s:beta[%d][%zu]", names[o], k + 1, at - ws->off_beta[k]);
      return;
    }
    if (ws->na[k] && at >= ws->off_alpha[k] && at < ws->off_alpha[k] + (size_t)ws->na[k]) {
      snprintf(buf, len, "%s:alpha[%d][%zu]", names[o], k + 1, at - ws->off_alpha[k]);
      return;
    }
    if (ws->has_phi && at == ws->off_phi[k]) {
      const char *phi = gbtm_family_phi_name(m->opt[o].family);
      if (ws->phi_common) snprintf(buf, len, "%s:log_%s", names[o], phi);
      else snprintf(buf, len, "%s:log_%s[%d]", names[o], phi, k + 1);
      return;
    }
  }
  snprintf(buf, len, "%s:?", names[o]);
}

static gbtm_status make_result(multi *m, const char *const *names, const double *x, double ll, int iterations,
                               gbtm_multi_result **out, gbtm_error *err) {
  gbtm_multi_result *r = calloc(1, sizeof *r);
  if (!r) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the result");
  const size_t n = m->P - 1, K = (size_t)m->K;
  r->O = m->O, r->K = m->K, r->N = m->N, r->loglik = ll, r->iterations = iterations;
  r->n_est = (int)n;
  r->n_params = (int)n;
  r->est = malloc(n * sizeof *r->est);
  r->pname = calloc(n, sizeof *r->pname);
  r->tau = malloc(m->N * K * sizeof *r->tau);
  double *info = malloc(n * n * sizeof *info), *g = malloc(m->P * sizeof *g);
  gbtm_status st = GBTM_OK;
  if (!r->est || !r->pname || !r->tau || !info || !g) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the result");
  if (st == GBTM_OK) st = multi_information(m, x, info, err); /* ends with the E-step at x */
  if (st == GBTM_OK) {
    multi_gradient(m, g);
    r->grad_norm = max_abs(g, m->P);
    r->converged = r->grad_norm <= m->opt[0].tol_gradient * (double)m->N;
    memcpy(r->tau, m->tau, m->N * K * sizeof *r->tau);
    for (size_t k = 0; k < K; k++) r->share[k] = exp(m->logpi[k]);
    memcpy(r->est, x + 1, n * sizeof *r->est);
    if (spd_inverse(info, (int)n)) r->cov = info, info = NULL;
    for (size_t j = 0; j < n && st == GBTM_OK; j++) {
      char buf[2 * GBTM_NAME_MAX + 32];
      param_name(m, names, j + 1, buf, sizeof buf);
      if (!(r->pname[j] = strdup(buf))) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the result");
    }
    for (int o = 0; o < m->O; o++) {
      snprintf(r->name[o], sizeof r->name[o], "%s", names[o]);
      fill_model(m, o, x, &r->model[o]);
      r->cells[o] = m->panel[o]->n_obs;
    }
    r->ids = m->ids, m->ids = NULL; /* the result takes them */
  }
  free(info);
  free(g);
  if (st != GBTM_OK) {
    gbtm_multi_result_free(r);
    return st;
  }
  *out = r;
  return GBTM_OK;
}

gbtm_status gbtm_fit_multi(const gbtm_panel *const *panels, const gbtm_fit_options *options,
                           const char *const *names, int n_outcomes, gbtm_multi_result **out, gbtm_error *err) {
  *out = NULL;
  gbtm_status st = check_inputs(panels, options, names, n_outcomes, err);
  if (st != GBTM_OK) return st;
  multi m;
  if ((st = multi_init(&m, panels, options, n_outcomes, err)) != GBTM_OK) return st;
  double *x = malloc(m.P * sizeof *x), *best = malloc(m.P * sizeof *best),
         *tau = malloc(m.N * (size_t)m.K * sizeof *tau);
  double best_ll = -INFINITY;
  int best_it = 0;
  const char *why = NULL;
  char own_why[sizeof err->message + 64];
  int group = 0;
  if (!x || !best || !tau) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the starts");
  const double tol = options[0].tol_gradient * (double)m.N;
  for (int o = 0; o < m.O && st == GBTM_OK; o++) { /* one start per outcome: its own fit's posteriors */
    gbtm_error own = {.status = GBTM_OK, .message = ""};
    gbtm_status so = own_fit_tau(&m, o, tau, &own);
    if (so == GBTM_ERR_FIT) { /* that outcome alone found no K groups: the other starts go on */
      snprintf(own_why, sizeof own_why, "outcome %d's own fit: %s", o + 1, own.message);
      why = own_why, group = 0;
      continue;
    }
    if (so != GBTM_OK) {
      st = so;
      if (err) *err = own;
      break;
    }
    int its = 0;
    const char *w = start_from_tau(&m, tau, x, &group);
    double ll = w ? NAN : run_em(&m, x, tol, options[0].max_iterations, &its, &w, &group);
    if (w) why = w;
    if (!isnan(ll) && ll > best_ll) {
      best_ll = ll, best_it = its;
      memcpy(best, x, m.P * sizeof *x);
    }
  }
  if (st == GBTM_OK && !isfinite(best_ll))
    st = group ? gbtm_fail(err, GBTM_ERR_FIT, "no start succeeded: group %d: %s", group, why ? why : "failed")
               : gbtm_fail(err, GBTM_ERR_FIT, "no start succeeded: %s", why ? why : "failed");
  if (st == GBTM_OK) {
    best_ll = newton_polish(&m, best, best_ll, tol);
    st = make_result(&m, names, best, best_ll, best_it, out, err);
  }
  free(x);
  free(best);
  free(tau);
  multi_free(&m);
  return st;
}

int gbtm_multi_result_outcomes(const gbtm_multi_result *r) { return r->O; }
const char *gbtm_multi_result_name(const gbtm_multi_result *r, int o) {
  return o >= 0 && o < r->O ? r->name[o] : NULL;
}
const gbtm_model *gbtm_multi_result_model(const gbtm_multi_result *r, int o) {
  return o >= 0 && o < r->O ? &r->model[o] : NULL;
}
int gbtm_multi_result_groups(const gbtm_multi_result *r) { return r->K; }
size_t gbtm_multi_result_persons(const gbtm_multi_result *r) { return r->N; }
size_t gbtm_multi_result_cells(const gbtm_multi_result *r, int o) { return o >= 0 && o < r->O ? r->cells[o] : 0; }
double gbtm_multi_result_loglik(const gbtm_multi_result *r) { return r->loglik; }
int gbtm_multi_result_n_params(const gbtm_multi_result *r) { return r->n_params; }
/* The criteria of DESIGN §5, as a one-outcome fit reports them. */
double gbtm_multi_result_bic(const gbtm_multi_result *r) {
  return -2.0 * r->loglik + (double)r->n_params * log((double)r->N);
}
double gbtm_multi_result_bic_traj(const gbtm_multi_result *r) {
  return r->loglik - 0.5 * (double)r->n_params * log((double)r->N);
}
double gbtm_multi_result_aic(const gbtm_multi_result *r) { return -2.0 * r->loglik + 2.0 * (double)r->n_params; }
bool gbtm_multi_result_converged(const gbtm_multi_result *r) { return r->converged; }
int gbtm_multi_result_iterations(const gbtm_multi_result *r) { return r->iterations; }
double gbtm_multi_result_grad_norm(const gbtm_multi_result *r) { return r->grad_norm; }
double gbtm_multi_result_share(const gbtm_multi_result *r, int k) { return k >= 0 && k < r->K ? r->share[k] : NAN; }
const double *gbtm_multi_result_posterior(const gbtm_multi_result *r) { return r->tau; }
const char *const *gbtm_multi_result_ids(const gbtm_multi_result *r) { return (const char *const *)r->ids; }
int gbtm_multi_result_n_estimates(const gbtm_multi_result *r) { return r->n_est; }
const double *gbtm_multi_result_estimates(const gbtm_multi_result *r) { return r->est; }
const char *gbtm_multi_result_param_name(const gbtm_multi_result *r, int j) {
  return j >= 0 && j < r->n_est ? r->pname[j] : NULL;
}
const double *gbtm_multi_result_covariance(const gbtm_multi_result *r) { return r->cov; }
const char *gbtm_multi_result_data_name(const gbtm_multi_result *r) {
  return r->file_info ? r->file_info->data_name : NULL;
}
const gbtm_model_file_info *gbtm_multi_result_file_info(const gbtm_multi_result *r) { return r->file_info; }

/* eq. MTP for persons who may be new: the joint x from the saved models
 * (theta, each outcome's beta, alpha and log phi), the models' basis, and
 * one joint E-step over the outcomes' panels. */
gbtm_status gbtm_multi_classify(const gbtm_multi_result *r, const gbtm_panel *const *panels, double **tau,
                                char ***ids, size_t *n, gbtm_error *err) {
  *tau = NULL, *ids = NULL, *n = 0;
  gbtm_fit_options opt[GBTM_MAX_OUTCOMES];
  for (int o = 0; o < r->O; o++) {
    const gbtm_model *md = &r->model[o];
    opt[o] = gbtm_fit_options_default();
    opt[o].family = md->family;
    opt[o].groups = r->K;
    opt[o].centre = md->centre, opt[o].scale = md->scale;
    opt[o].phi_common = md->phi_common;
    opt[o].ymin = md->ymin, opt[o].ymax = md->ymax;
    for (int k = 0; k < r->K; k++) opt[o].order[k] = md->order[k], opt[o].iorder[k] = md->iorder[k];
  }
  multi m;
  gbtm_status st = multi_init(&m, panels, opt, r->O, err);
  if (st != GBTM_OK) return st;
  double *x = calloc(m.P, sizeof *x);
  if (!x) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the parameters");
  for (int k = 0; x && k < m.K; k++) x[k] = r->model[0].theta[k] - r->model[0].theta[0];
  for (int o = 0; x && o < m.O; o++) {
    const em_ws *ws = &m.ws[o];
    const gbtm_model *md = &r->model[o];
    double *part = x + m.off[o] - m.K; /* indexed as outcome o's EM vector */
    for (int k = 0; k < m.K; k++) {
      for (int c = 0; c < ws->nb[k]; c++) part[ws->off_beta[k] + c] = md->beta[k][c];
      for (int c = 0; c < ws->na[k]; c++) part[ws->off_alpha[k] + c] = md->alpha[k][c];
      if (ws->has_phi) part[ws->off_phi[k]] = log(md->phi[k]);
    }
  }
  if (st == GBTM_OK && isnan(multi_estep(&m, x)))
    st = gbtm_fail(err, GBTM_ERR_FIT, "the log-likelihood of the data under the model is not finite");
  if (st == GBTM_OK) {
    *tau = m.tau, m.tau = NULL;
    *ids = m.ids, m.ids = NULL;
    *n = m.N;
  }
  free(x);
  multi_free(&m);
  return st;
}
