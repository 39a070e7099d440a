/* glm.c: Newton's method with Cholesky solves for the per-group M-steps
 * (eq. MP, eq. MZ). Both objectives are concave sums over the age grid of a
 * function of the linear predictor, so one solver serves both: it needs, per
 * age, the value, first and second derivative. Steps are halved until the
 * objective does not decrease; iteration stops when the step or the gain
 * reaches rounding level. Parameters that run off to -inf/+inf (a group
 * with no counts at all, a zero-inflation that vanishes) stop there with
 * finite values, because the gain becomes negligible first. */
#include "fit/glm.h"

#include <math.h>
#include <string.h>

#include "gbtm.h"
#include "base/lapack.h"

double log1pexp(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

int glm_cholesky_solve(int p, double *H, double *g) {
  int info = 0, one = 1;
  dpotrf_("L", &p, H, &p, &info);
  if (info != 0) return info;
  dpotrs_("L", &p, &one, H, &p, g, &p, &info);
  return info;
}

/* f(eta), f'(eta), -f''(eta) of one age for the two objectives. */
typedef void (*glm_point_fn)(double eta, double A, double B, double *f, double *d1, double *w);

static void poisson_point(double eta, double A, double B, double *f, double *d1, double *w) {
  double mu = B * exp(eta);
  *f = A * eta - mu;
  *d1 = A - mu;
  *w = mu;
}

static void logit_point(double eta, double A, double B, double *f, double *d1, double *w) {
  double p = 1.0 / (1.0 + exp(-eta));
  *f = A * eta - B * log1pexp(eta);
  *d1 = A - B * p;
  *w = B * p * (1.0 - p);
}

static double objective(glm_point_fn fn, const double *X, size_t T, int p, const double *A,
                        const double *B, const double *b) {
  double total = 0.0, f, d1, w;
  for (size_t t = 0; t < T; t++) {
    if (A[t] == 0.0 && B[t] == 0.0) continue;
    const double *x = X + t * GBTM_MAX_COEF;
    double eta = 0.0;
    for (int j = 0; j < p; j++) eta += x[j] * b[j];
    fn(eta, A[t], B[t], &f, &d1, &w);
    total += f;
  }
  return total;
}

static const char *newton(glm_point_fn fn, const double *X, size_t T, int p, const double *A,
                          const double *B, double *b) {
  double H[GBTM_MAX_COEF * GBTM_MAX_COEF], g[GBTM_MAX_COEF], trial[GBTM_MAX_COEF];
  double fcur = objective(fn, X, T, p, A, B, b);
  if (!isfinite(fcur)) return "non-finite M-step objective";
  for (int iter = 0; iter < 200; iter++) {
    memset(H, 0, sizeof H);
    memset(g, 0, sizeof g);
    for (size_t t = 0; t < T; t++) {
      if (A[t] == 0.0 && B[t] == 0.0) continue;
      const double *x = X + t * GBTM_MAX_COEF;
      double eta = 0.0, f, d1, w;
      for (int j = 0; j < p; j++) eta += x[j] * b[j];
      fn(eta, A[t], B[t], &f, &d1, &w);
      for (int j = 0; j < p; j++) {
        g[j] += x[j] * d1;
        for (int l = 0; l <= j; l++) H[l * p + j] += x[j] * x[l] * w; /* column-major lower */
      }
    }
    /* The gradient's size before the solve overwrites g, and the scale of
     * the data it is measured against. */
    double gmax = 0.0, scale = 0.0;
    for (int j = 0; j < p; j++) gmax = fmax(gmax, fabs(g[j]));
    for (size_t t = 0; t < T; t++) scale += fabs(A[t]) + fabs(B[t]);
    if (glm_cholesky_solve(p, H, g) != 0) {
      /* No curvature left: every weight has underflowed (the optimum is at
       * infinity) or the design is rank deficient. A parameter that an
       * earlier M-step already drove there (a group with counts at one age
       * only, a zero inflation with no zeros to explain) arrives here on the
       * first iteration with a zero gradient: it is at the optimum to
       * rounding and stays, finite. Only a singular system with a gradient
       * left is a failure. */
      return iter > 0 || gmax <= 1e-10 * fmax(1.0, scale) ? NULL : "singular M-step system";
    }
    double step = 1.0, fnew = fcur, maxstep = 0.0;
    for (int j = 0; j < p; j++) maxstep = fmax(maxstep, fabs(g[j]));
    /* Cap the step: a Newton step of more than 5 on the log scale is never
     * trusted whole. */
    if (maxstep > 5.0) step = 5.0 / maxstep;
    int halvings = 0;
    for (; halvings < 60; halvings++, step *= 0.5) {
      for (int j = 0; j < p; j++) trial[j] = b[j] + step * g[j];
      fnew = objective(fn, X, T, p, A, B, trial);
      if (isfinite(fnew) && fnew >= fcur) break;
    }
    if (halvings == 60) return NULL; /* no ascent possible: at the optimum to rounding */
    double gain = fnew - fcur;
    memcpy(b, trial, (size_t)p * sizeof *b);
    fcur = fnew;
    if (step * maxstep < 1e-11 || gain <= 1e-15 * fabs(fcur)) return NULL;
  }
  return NULL;
}

/* eq. MP */
const char *glm_poisson_newton(const double *X, size_t T, int p, const double *A,
                               const double *B, double *b) {
  return newton(poisson_point, X, T, p, A, B, b);
}

/* eq. MZ */
const char *glm_logit_newton(const double *X, size_t T, int p, const double *A, const double *B,
                             double *b) {
  return newton(logit_point, X, T, p, A, B, b);
}
