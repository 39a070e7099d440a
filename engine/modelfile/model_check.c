/* model_check.c: the values of a model file (model_check.h). The reader
 * (model_io.c) has checked presence, types, shapes and the integers that
 * size or index anything; this checks the numbers, so that no command
 * computes with, or prints, NaN or infinity taken from a file. NaN is
 * allowed only where the layout gives it a meaning (an undefined AvePP or
 * OCC, a Newton decrement without a positive definite information, bands
 * without covariances, ages no one was observed at). */
#include "modelfile/model_check.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

#include "model/model.h"

#define SUM_TOL 1e-6   /* shares and posteriors sum to 1 within this */
#define PARAM_TOL 1e-9 /* /cov/estimates equal /params within this (relative) */
#define RATE_AGES 257  /* ages of the overflow check over the model's range */
/* more than any parameter kind's second index (gbtm_model_param_index) */
#define PARAM_J_MAX (GBTM_MAX_COEF + GBTM_MAX_RISK + GBTM_MAX_TCOV)

/* "[2]", "[2][1]" or "" for an index of -1. */
static void at(char *buf, size_t size, long long i, long long j) {
  if (i < 0)
    buf[0] = '\0';
  else if (j < 0)
    snprintf(buf, size, "[%lld]", i);
  else
    snprintf(buf, size, "[%lld][%lld]", i, j);
}

/* x finite (or NaN when nan_ok) and in [lo, hi]; what the range means. */
static bool number(h5io *io, const char *name, long long i, long long j, double x, bool nan_ok, double lo,
                   double hi, const char *expected) {
  if (io->st != GBTM_OK) return false;
  if ((nan_ok && isnan(x)) || (isfinite(x) && x >= lo && x <= hi)) return true;
  char idx[48];
  at(idx, sizeof idx, i, j);
  return h5_fail(io, GBTM_ERR_PARSE, "%s%s is %s, expected %s", name, idx,
                 isnan(x) ? "NaN" : isinf(x) ? (x > 0 ? "infinite" : "minus infinite") : "out of range", expected);
}

static bool finite(h5io *io, const char *name, long long i, long long j, double x) {
  return number(io, name, i, j, x, false, -DBL_MAX, DBL_MAX, "a finite number");
}

static void finite_all(h5io *io, const char *name, const double *x, size_t rows, size_t cols) {
  for (size_t a = 0; a < rows; a++)
    for (size_t b = 0; b < (cols ? cols : 1); b++)
      if (!finite(io, name, (long long)a, cols ? (long long)b : -1, x[a * (cols ? cols : 1) + b])) return;
}

/* x[0..n) in [0, 1] and summing to 1. */
static void shares(h5io *io, const char *name, long long row, const double *x, size_t n) {
  double sum = 0.0;
  for (size_t k = 0; k < n; k++) {
    if (!number(io, name, row < 0 ? (long long)k : row, row < 0 ? -1 : (long long)k, x[k], false, 0.0, 1.0,
                "a share in [0, 1]"))
      return;
    sum += x[k];
  }
  if (io->st == GBTM_OK && fabs(sum - 1.0) > SUM_TOL) {
    char idx[48];
    at(idx, sizeof idx, row, -1);
    h5_fail(io, GBTM_ERR_PARSE, "%s%s sums to %.17g, expected 1", name, idx, sum);
  }
}

void model_check_params(h5io *io, const gbtm_model *m) {
  int K = m->groups;
  for (int k = 0; k < K; k++) finite(io, "/params/theta", k, -1, m->theta[k]);
  if (io->st == GBTM_OK && m->theta[m->refgroup] != 0.0)
    h5_fail(io, GBTM_ERR_PARSE, "/params/theta[%d] is %g, expected 0 in the reference group", m->refgroup,
            m->theta[m->refgroup]);
  finite_all(io, "/params/beta", &m->beta[0][0], (size_t)K, GBTM_MAX_COEF);
  finite_all(io, "/params/alpha", &m->alpha[0][0], (size_t)K, GBTM_MAX_COEF);
  for (int k = 0; k < K; k++)
    for (int j = 0; j < m->n_risk; j++) finite(io, "/params/gamma", k, j, m->gamma[k][j]);
  for (int k = 0; k < K; k++)
    for (int j = 0; j < m->n_tcov; j++) finite(io, "/params/delta", k, j, m->delta[k][j]);
  for (int j = 0; j < m->n_tcov; j++) finite(io, "/params/tcov_fixed", j, -1, m->tcov_fixed[j]);
  const char *phi_name = gbtm_family_phi_name(m->family);
  for (int k = 0; phi_name && io->st == GBTM_OK && k < K; k++)
    if (!(isfinite(m->phi[k]) && m->phi[k] > 0.0))
      h5_fail(io, GBTM_ERR_PARSE, "/params/%s[%d] is %g, expected a finite number > 0", phi_name, k, m->phi[k]);
    else if (m->phi_common && m->phi[k] != m->phi[0])
      h5_fail(io, GBTM_ERR_PARSE, "/params/%s[%d] is %.17g, expected %.17g: /model/phi_common says the groups share it",
              phi_name, k, m->phi[k], m->phi[0]);
  if (io->st != GBTM_OK) return;
  double share[GBTM_MAX_GROUPS];
  gbtm_model_shares(m, share);
  for (int k = 0; k < K; k++)
    if (!isfinite(share[k])) {
      h5_fail(io, GBTM_ERR_PARSE, "/params/theta gives group %d a share that is not a finite number", k + 1);
      return;
    }
  /* The rates over the fitted ages (at the covariates' reported values):
   * a log rate past the largest double overflows exp(). */
  for (int k = 0; k < K; k++)
    for (int t = 0; t < RATE_AGES; t++) {
      double age = m->age_min + (m->age_max - m->age_min) * t / (RATE_AGES - 1);
      double mu = gbtm_model_expected(m, k, age), omega = gbtm_model_omega(m, k, age);
      if (!isfinite(mu) || !isfinite(omega)) {
        h5_fail(io, GBTM_ERR_PARSE,
                "/params/beta[%d] (with /params/alpha and /params/delta) gives group %d an expected count of %s "
                "at age %g, expected a finite rate over the model's ages %g to %g",
                k, k + 1, isnan(mu) || isnan(omega) ? "NaN" : "infinity (it overflows)", age, m->age_min,
                m->age_max);
        return;
      }
    }
}

static void check_summary(h5io *io, const gbtm_fit_result *r) {
  const gbtm_fit_summary *s = &r->summary;
  static const char *const names[] = {"/fit/loglik", "/fit/bic",     "/fit/bic_obs",       "/fit/bic_traj",
                                      "/fit/bic_traj_obs", "/fit/aic", "/fit/gradient_norm", "/fit/fit_seconds"};
  const double x[] = {s->loglik, s->bic, s->bic_obs, s->bic_traj, s->bic_traj_obs, s->aic, s->gradient_norm,
                      s->seconds};
  for (size_t j = 0; j < sizeof x / sizeof x[0]; j++) finite(io, names[j], -1, -1, x[j]);
  number(io, "/fit/entropy", -1, -1, s->entropy, false, -SUM_TOL, 1.0 + SUM_TOL, "a number in [0, 1]");
  number(io, "/fit/newton_decrement", -1, -1, s->newton_decrement, true, -DBL_MAX, DBL_MAX,
         "a finite number or NaN");
  const gbtm_data_summary *d = &r->data;
  finite(io, "/data/age_min", -1, -1, d->age_min);
  finite(io, "/data/age_max", -1, -1, d->age_max);
  number(io, "/data/zero_share", -1, -1, d->zero_share, false, 0.0, 1.0, "a share in [0, 1]");
  number(io, "/data/total_count", -1, -1, d->total_count, false, 0.0, DBL_MAX, "a finite count >= 0");
}

static void check_groups(h5io *io, const gbtm_fit_result *r) {
  int K = r->model.groups;
  double share[GBTM_MAX_GROUPS], assigned[GBTM_MAX_GROUPS];
  for (int k = 0; k < K; k++) {
    share[k] = r->group[k].share;
    assigned[k] = r->group[k].assigned_share;
    number(io, "/groups/avepp", k, -1, r->group[k].avepp, true, 0.0, 1.0, "a probability in [0, 1] or NaN");
    number(io, "/groups/occ", k, -1, r->group[k].occ, true, 0.0, DBL_MAX, "a finite odds ratio >= 0 or NaN");
  }
  shares(io, "/groups/share", -1, share, (size_t)K);
  shares(io, "/groups/assigned_share", -1, assigned, (size_t)K);
  if (io->st != GBTM_OK || r->model.n_risk > 0) return;
  double pi[GBTM_MAX_GROUPS]; /* without risk factors the shares are softmax(theta) */
  gbtm_model_shares(&r->model, pi);
  for (int k = 0; k < K; k++)
    if (fabs(pi[k] - share[k]) > SUM_TOL) {
      h5_fail(io, GBTM_ERR_PARSE, "/groups/share[%d] is %.17g, but /params/theta gives %.17g", k, share[k], pi[k]);
      return;
    }
}

/* The estimates equal the model's parameters; the covariances are finite
 * with variances >= 0. */
static void check_covariance(h5io *io, const gbtm_fit_result *r) {
  if (!r->psi || io->st != GBTM_OK) return;
  const gbtm_model *m = &r->model;
  size_t P = (size_t)r->summary.n_params;
  finite_all(io, "/cov/estimates", r->psi, P, 0);
  static const gbtm_param_kind kinds[] = {GBTM_PARAM_THETA, GBTM_PARAM_GAMMA, GBTM_PARAM_BETA, GBTM_PARAM_DELTA,
                                          GBTM_PARAM_ALPHA, GBTM_PARAM_PHI};
  for (int k = 0; io->st == GBTM_OK && k < m->groups; k++)
    for (size_t c = 0; c < sizeof kinds / sizeof kinds[0]; c++)
      for (int j = 0; j < PARAM_J_MAX; j++) {
        int i = gbtm_model_param_index(m, kinds[c], k, j);
        if (i < 0) continue;
        double want = kinds[c] == GBTM_PARAM_THETA   ? m->theta[k]
                      : kinds[c] == GBTM_PARAM_GAMMA ? m->gamma[k][j]
                      : kinds[c] == GBTM_PARAM_BETA  ? m->beta[k][j]
                      : kinds[c] == GBTM_PARAM_DELTA ? m->delta[k][j]
                      : kinds[c] == GBTM_PARAM_ALPHA ? m->alpha[k][j]
                                                     : m->phi[k];
        if (fabs(r->psi[i] - want) > PARAM_TOL * (1.0 + fabs(want))) {
          h5_fail(io, GBTM_ERR_PARSE, "/cov/estimates[%d] (%s) is %.17g, but /params holds %.17g", i,
                  r->names[i], r->psi[i], want);
          return;
        }
      }
  static const char *const names[2] = {[GBTM_SE_MODEL] = "/cov/model", [GBTM_SE_ROBUST] = "/cov/robust"};
  for (int c = 0; c < 2; c++) {
    const double *V = r->covariance[c];
    if (!V) continue;
    finite_all(io, names[c], V, P, P);
    for (size_t j = 0; j < P; j++)
      number(io, names[c], (long long)j, (long long)j, V[j * P + j], false, 0.0, DBL_MAX, "a variance >= 0");
  }
}

static void check_posterior(h5io *io, const gbtm_fit_result *r) {
  if (!r->posterior) return;
  size_t K = (size_t)r->model.groups;
  for (size_t i = 0; io->st == GBTM_OK && i < r->data.persons; i++)
    shares(io, "/posterior/tau", (long long)i, r->posterior + i * K, K);
}

void model_check(h5io *io, const gbtm_fit_result *r) {
  model_check_params(io, &r->model);
  check_summary(io, r);
  check_groups(io, r);
  check_covariance(io, r);
  check_posterior(io, r);
}

void model_check_trajectory(h5io *io, const gbtm_trajectory_table *t) {
  size_t K = (size_t)t->groups, T = t->ages;
  finite_all(io, "/trajectory/age", t->age, T, 0);
  for (size_t i = 0; io->st == GBTM_OK && i < K * T; i++) {
    long long k = (long long)(i / T), a = (long long)(i % T);
    number(io, "/trajectory/expected", k, a, t->expected[i], false, 0.0, DBL_MAX, "a finite count >= 0");
    number(io, "/trajectory/lower", k, a, t->lower[i], true, 0.0, DBL_MAX, "a finite count >= 0 or NaN");
    number(io, "/trajectory/upper", k, a, t->upper[i], true, 0.0, DBL_MAX, "a finite count >= 0 or NaN");
    if (t->observed)
      number(io, "/trajectory/observed", k, a, t->observed[i], true, 0.0, DBL_MAX, "a finite rate >= 0 or NaN");
  }
}
