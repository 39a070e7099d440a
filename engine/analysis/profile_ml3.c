/* profile_ml3.c: the ML three-step estimates of a distal outcome's group
 * means (DESIGN §9, eq. ML3): the mixture of the outcome and the modal
 * assignment with the classification errors D held fixed, fitted by EM,
 * standard errors from the observed information (eq. ML3I). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/profile.h"

#define ML3_MAX_ITER 5000
#define ML3_TOL 1e-11
#define ML3_BOUNDARY 1e-8

typedef struct ml3 {
  const gbtm_profile *p;
  const int *modal;
  const bool *used;
  const double *y;
  gbtm_profile_type type;
  int K, P;         /* P = (K - 1) + K (+ 1 for the normal's log variance) */
  double logD[GBTM_MAX_GROUPS * GBTM_MAX_GROUPS];
  size_t n;
} ml3;

/* log f(y | mu, s2) and its derivative in mu (eq. ML3). */
static double log_f(gbtm_profile_type t, double y, double mu, double s2, double *dmu) {
  if (t == GBTM_PROFILE_BINARY) {
    *dmu = y / mu - (1 - y) / (1 - mu);
    return (y > 0 ? y * log(mu) : 0) + (y < 1 ? (1 - y) * log1p(-mu) : 0);
  }
  if (t == GBTM_PROFILE_COUNT) {
    *dmu = y / mu - 1;
    return (y > 0 ? y * log(mu) : 0) - mu - lgamma(y + 1);
  }
  double e = y - mu;
  *dmu = e / s2;
  return -0.5 * log(6.283185307179586 * s2) - 0.5 * e * e / s2;
}

/* theta = (a_2..a_K, mu_1..mu_K [, log s2]); the shares are softmax(0, a). */
static void unpack(const ml3 *c, const double *theta, double *logpi, const double **mu, double *s2) {
  int K = c->K;
  double a[GBTM_MAX_GROUPS], mx = 0;
  a[0] = 0;
  for (int k = 1; k < K; k++) a[k] = theta[k - 1], mx = a[k] > mx ? a[k] : mx;
  double s = 0;
  for (int k = 0; k < K; k++) s += exp(a[k] - mx);
  for (int k = 0; k < K; k++) logpi[k] = a[k] - mx - log(s);
  *mu = theta + (K - 1);
  *s2 = c->type == GBTM_PROFILE_CONTINUOUS ? exp(theta[2 * K - 1]) : 1.0;
}

/* One pass: the log-likelihood of eq. ML3, its gradient g (when not NULL)
 * and the EM statistics R_k, Sy_k, Syy_k (when not NULL). */
static double pass(const ml3 *c, const double *theta, double *g, double *R, double *Sy, double *Syy) {
  int K = c->K;
  double logpi[GBTM_MAX_GROUPS], s2;
  const double *mu;
  unpack(c, theta, logpi, &mu, &s2);
  if (g) memset(g, 0, (size_t)c->P * sizeof *g);
  if (R) memset(R, 0, (size_t)K * sizeof *R), memset(Sy, 0, (size_t)K * sizeof *Sy),
      memset(Syy, 0, (size_t)K * sizeof *Syy);
  double ll = 0;
  for (size_t i = 0; i < c->p->N; i++) {
    if (!c->used[i]) continue;
    double y = c->y[i], l[GBTM_MAX_GROUPS], d[GBTM_MAX_GROUPS], mx = -INFINITY;
    for (int k = 0; k < K; k++) {
      l[k] = logpi[k] + c->logD[k * K + c->modal[i]] + log_f(c->type, y, mu[k], s2, &d[k]);
      if (l[k] > mx) mx = l[k];
    }
    double s = 0;
    for (int k = 0; k < K; k++) s += (l[k] = exp(l[k] - mx));
    ll += mx + log(s);
    for (int k = 0; k < K; k++) {
      double r = l[k] / s;
      if (R) R[k] += r, Sy[k] += r * y, Syy[k] += r * y * y;
      if (!g) continue;
      if (k > 0) g[k - 1] += r;
      g[K - 1 + k] += r * d[k];
      if (c->type == GBTM_PROFILE_CONTINUOUS) {
        double e = y - mu[k];
        g[2 * K - 1] += r * (-0.5 + 0.5 * e * e / s2);
      }
    }
  }
  if (g)
    for (int k = 1; k < K; k++) g[k - 1] -= (double)c->n * exp(logpi[k]);
  return ll;
}

/* The step size of the numerical Hessian for parameter j, kept inside
 * the parameter space. */
static double step(const ml3 *c, const double *theta, int j) {
  double h = 1e-5 * fmax(fabs(theta[j]), 1e-2);
  int K = c->K;
  if (j >= K - 1 && j < 2 * K - 1) {
    double mu = theta[j];
    if (c->type == GBTM_PROFILE_BINARY) h = fmin(h, 0.25 * fmin(mu, 1 - mu));
    if (c->type == GBTM_PROFILE_COUNT) h = fmin(h, 0.25 * mu);
  }
  return h;
}

/* eq. ML3I: the covariance of theta, the inverse of the observed
 * information -H, H by central differences of the analytic gradient.
 * false when -H is not positive definite. */
static bool covariance(const ml3 *c, double *theta, double *V) {
  int P = c->P;
  double *gp = malloc(3 * (size_t)P * sizeof *gp), *gm = malloc((size_t)P * sizeof *gm); /* gp: also rcond's work */
  gsl_matrix *H = gsl_matrix_alloc((size_t)P, (size_t)P);
  bool ok = gp && gm && H;
  for (int j = 0; ok && j < P; j++) {
    double t = theta[j], h = step(c, theta, j);
    theta[j] = t + h;
    pass(c, theta, gp, NULL, NULL, NULL);
    theta[j] = t - h;
    pass(c, theta, gm, NULL, NULL, NULL);
    theta[j] = t;
    for (int a = 0; a < P; a++) gsl_matrix_set(H, (size_t)a, (size_t)j, -(gp[a] - gm[a]) / (2 * h));
  }
  if (ok) {
    for (int a = 0; a < P; a++)
      for (int b = a + 1; b < P; b++) {
        double x = 0.5 * (gsl_matrix_get(H, (size_t)a, (size_t)b) + gsl_matrix_get(H, (size_t)b, (size_t)a));
        gsl_matrix_set(H, (size_t)a, (size_t)b, x), gsl_matrix_set(H, (size_t)b, (size_t)a, x);
      }
    for (int a = 0; a < P * P; a++) ok = ok && isfinite(H->data[a]);
  }
  if (ok) {
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_vector_view work = gsl_vector_view_array(gp, 3 * (size_t)P);
    double rcond = 0;
    ok = gsl_linalg_cholesky_decomp1(H) == 0 && gsl_linalg_cholesky_rcond(H, &rcond, &work.vector) == 0 &&
         rcond > 1e-14 && gsl_linalg_cholesky_invert(H) == 0;
    gsl_set_error_handler(old);
  }
  if (ok) memcpy(V, H->data, (size_t)P * (size_t)P * sizeof *V);
  free(gp), free(gm);
  gsl_matrix_free(H);
  return ok;
}

bool profile_ml3(const gbtm_profile *p, const int *modal, const bool *used, const double *y,
                 gbtm_profile_type type, profile_var *v) {
  int K = p->K;
  ml3 c = {.p = p, .modal = modal, .used = used, .y = y, .type = type, .K = K};
  c.P = 2 * K - 1 + (type == GBTM_PROFILE_CONTINUOUS);
  for (int a = 0; a < K * K; a++) c.logD[a] = log(p->D[a]);
  double ybar = 0, yy = 0;
  for (size_t i = 0; i < p->N; i++)
    if (used[i]) c.n++, ybar += y[i], yy += y[i] * y[i];
  double *est = v->est[GBTM_PROFILE_ML3], *se = v->se[GBTM_PROFILE_ML3];
  for (int k = 0; k < K; k++) est[k] = se[k] = NAN;
  if (c.n == 0) return true;
  ybar /= (double)c.n;
  double var = fmax(yy / (double)c.n - ybar * ybar, 1e-12);
  double *theta = malloc((size_t)c.P * sizeof *theta), *V = malloc((size_t)c.P * (size_t)c.P * sizeof *V);
  double *cov = calloc((size_t)K * (size_t)K, sizeof *cov);
  if (!theta || !V || !cov) {
    free(theta), free(V), free(cov);
    return false;
  }
  /* start: the model's shares and the proportional means */
  for (int k = 1; k < K; k++) theta[k - 1] = log(fmax(p->share[k], 1e-6) / fmax(p->share[0], 1e-6));
  for (int k = 0; k < K; k++) {
    double m = v->est[GBTM_PROFILE_PROPORTIONAL][k];
    if (!isfinite(m)) m = ybar;
    if (type == GBTM_PROFILE_BINARY) m = fmin(fmax(m, 0.01), 0.99);
    if (type == GBTM_PROFILE_COUNT) m = fmax(m, 1e-3);
    theta[K - 1 + k] = m;
  }
  if (type == GBTM_PROFILE_CONTINUOUS) theta[2 * K - 1] = log(var);
  /* EM: closed-form M-steps */
  double R[GBTM_MAX_GROUPS], Sy[GBTM_MAX_GROUPS], Syy[GBTM_MAX_GROUPS], old = -INFINITY;
  int it;
  for (it = 0; it < ML3_MAX_ITER; it++) {
    double ll = pass(&c, theta, NULL, R, Sy, Syy);
    double ss = 0;
    for (int k = 0; k < K; k++) {
      double m = R[k] > 0 ? Sy[k] / R[k] : theta[K - 1 + k];
      if (type == GBTM_PROFILE_BINARY) m = fmin(fmax(m, 1e-12), 1 - 1e-12);
      if (type == GBTM_PROFILE_COUNT) m = fmax(m, 1e-12);
      theta[K - 1 + k] = m;
      ss += Syy[k] - 2 * m * Sy[k] + m * m * R[k];
      if (k > 0) theta[k - 1] = log(fmax(R[k], 1e-300) / fmax(R[0], 1e-300));
    }
    if (type == GBTM_PROFILE_CONTINUOUS) theta[2 * K - 1] = log(fmax(ss / (double)c.n, 1e-300));
    if (fabs(ll - old) < ML3_TOL * (fabs(ll) + 1)) break;
    old = ll;
  }
  double logpi[GBTM_MAX_GROUPS], s2;
  const double *mu;
  unpack(&c, theta, logpi, &mu, &s2);
  bool boundary = false;
  for (int k = 0; k < K; k++) {
    est[k] = mu[k];
    if (exp(logpi[k]) < ML3_BOUNDARY) boundary = true;
    if (type == GBTM_PROFILE_BINARY && (mu[k] < ML3_BOUNDARY || mu[k] > 1 - ML3_BOUNDARY)) boundary = true;
    if (type == GBTM_PROFILE_COUNT && mu[k] < ML3_BOUNDARY) boundary = true;
  }
  size_t used_len = strlen(v->note);
  if (it == ML3_MAX_ITER)
    snprintf(v->note + used_len, sizeof v->note - used_len, "%sML3: EM did not converge in %d iterations",
             used_len ? "; " : "", ML3_MAX_ITER);
  else if (boundary)
    snprintf(v->note + used_len, sizeof v->note - used_len,
             "%sML3: an estimate at the boundary, no standard errors", used_len ? "; " : "");
  else if (!covariance(&c, theta, V))
    snprintf(v->note + used_len, sizeof v->note - used_len,
             "%sML3: singular information, no standard errors", used_len ? "; " : "");
  else {
    for (int k = 0; k < K; k++)
      for (int l = 0; l < K; l++) cov[k * K + l] = V[(K - 1 + k) * c.P + (K - 1 + l)];
    for (int k = 0; k < K; k++) se[k] = sqrt(cov[k * K + k]);
    free(v->cov[GBTM_PROFILE_ML3]);
    v->cov[GBTM_PROFILE_ML3] = cov;
    cov = NULL;
  }
  free(theta), free(V), free(cov);
  return true;
}
