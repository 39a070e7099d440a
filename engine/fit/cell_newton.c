/* cell_newton.c: eq. MN, one Newton step of a group's complete-data
 * log-likelihood Q from its per-age statistics (cell_newton.h). With
 * u = (beta, alpha, psi = log phi) and x_t the basis at age t:
 *   dQ/dbeta = sum_t x_t AE_t,   dQ/dalpha = sum_t x_t AZ_t,
 *   dQ/dpsi  = phi sum_t AP_t,
 *   d2Q/dbeta dbeta' = sum_t x_t x_t' HEE_t (and EZ, ZZ alike),
 *   d2Q/dbeta dpsi = phi sum_t x_t HEP_t,  d2Q/dalpha dpsi = phi sum_t x_t HZP_t,
 *   d2Q/dpsi2 = phi^2 sum_t HPP_t + phi sum_t AP_t.
 * The step solves (-H + lambda D) s = g, lambda = 0 unless -H is not
 * positive definite (then 1e-8 x the largest diagonal, x 10 until it is),
 * D = diag(-H) floored at 1e-12 of its largest entry. This is Lange's
 * (1995) EM gradient algorithm: its fixed points are those of EM, at the
 * same local rate. */
#include "fit/cell_newton.h"

#include <math.h>
#include <string.h>

#include "fit/glm.h"

#define CN_MAX_STEP 2.0 /* the longest step in any coordinate */
#define CN_NMAX (2 * GBTM_MAX_COEF + 1)

void cell_newton_add(const family_cell *c, double w, double *st, size_t t, size_t T) {
  st[CN_AE * T + t] += w * c->a_eta;
  st[CN_AZ * T + t] += w * c->a_zeta;
  st[CN_AP * T + t] += w * c->a_phi;
  st[CN_HEE * T + t] += w * c->h_ee;
  st[CN_HEZ * T + t] += w * c->h_ez;
  st[CN_HZZ * T + t] += w * c->h_zz;
  st[CN_HEP * T + t] += w * c->h_ep;
  st[CN_HZP * T + t] += w * c->h_zp;
  st[CN_HPP * T + t] += w * c->h_pp;
}

void cell_newton_gradient(const family_group *g, const double *st, const double *eta, const double *zeta,
                          const family_par *fp, double *grad_beta, double *grad_alpha, double *grad_phi) {
  (void)eta, (void)zeta, (void)fp;
  const size_t T = g->T;
  for (int j = 0; j < g->nb; j++) grad_beta[j] = 0.0;
  for (int j = 0; j < g->na; j++) grad_alpha[j] = 0.0;
  *grad_phi = 0.0;
  for (size_t t = 0; t < T; t++) {
    const double *x = g->X + t * GBTM_MAX_COEF;
    for (int j = 0; j < g->nb; j++) grad_beta[j] += x[j] * st[CN_AE * T + t];
    for (int j = 0; j < g->na; j++) grad_alpha[j] += x[j] * st[CN_AZ * T + t];
    *grad_phi += st[CN_AP * T + t];
  }
}

void cell_newton_phi(const family_group *g, const double *st, double *d1, double *d2) {
  *d1 = *d2 = 0.0;
  for (size_t t = 0; t < g->T; t++) *d1 += st[CN_AP * g->T + t], *d2 += st[CN_HPP * g->T + t];
}

const char *cell_newton_step(const family_group *g, const double *st, double *beta, double *alpha,
                             double *log_phi) {
  const size_t T = g->T;
  const int nb = g->nb, na = g->na, n = nb + na + (log_phi ? 1 : 0);
  const double phi = log_phi ? exp(*log_phi) : 1.0;
  double grad[CN_NMAX] = {0}, negH[CN_NMAX * CN_NMAX] = {0}, A[CN_NMAX * CN_NMAX], s[CN_NMAX];
  /* column x of u's entry j: the basis for beta and alpha, 1 for psi */
  for (size_t t = 0; t < T; t++) {
    const double *x = g->X + t * GBTM_MAX_COEF;
    double xe[CN_NMAX];
    int kind[CN_NMAX]; /* 0 beta, 1 alpha, 2 psi */
    for (int j = 0; j < nb; j++) xe[j] = x[j], kind[j] = 0;
    for (int j = 0; j < na; j++) xe[nb + j] = x[j], kind[nb + j] = 1;
    if (log_phi) xe[n - 1] = phi, kind[n - 1] = 2;
    const double a[3] = {st[CN_AE * T + t], st[CN_AZ * T + t], st[CN_AP * T + t]};
    const double h[3][3] = {{st[CN_HEE * T + t], st[CN_HEZ * T + t], st[CN_HEP * T + t]},
                            {st[CN_HEZ * T + t], st[CN_HZZ * T + t], st[CN_HZP * T + t]},
                            {st[CN_HEP * T + t], st[CN_HZP * T + t], st[CN_HPP * T + t]}};
    for (int j = 0; j < n; j++) {
      grad[j] += xe[j] * a[kind[j]];
      for (int l = 0; l <= j; l++) negH[l * n + j] -= xe[j] * xe[l] * h[kind[j]][kind[l]];
    }
    if (log_phi) negH[(n - 1) * n + n - 1] -= phi * a[2]; /* d2/dpsi2's first-derivative term */
  }
  double dmax = 0.0;
  for (int j = 0; j < n; j++) dmax = fmax(dmax, negH[j * n + j]);
  if (!(dmax > 0.0) || !isfinite(dmax)) return "no curvature in the M-step (eq. MN)";
  for (double lambda = 0.0; lambda < 1e12 * dmax; lambda = lambda > 0.0 ? 10.0 * lambda : 1e-8 * dmax) {
    memcpy(A, negH, (size_t)n * n * sizeof *A);
    memcpy(s, grad, (size_t)n * sizeof *s);
    for (int j = 0; j < n; j++) A[j * n + j] += lambda * fmax(negH[j * n + j], 1e-12 * dmax);
    if (glm_cholesky_solve(n, A, s) != 0) continue;
    double smax = 0.0;
    for (int j = 0; j < n; j++) smax = fmax(smax, fabs(s[j]));
    if (!isfinite(smax)) return "non-finite M-step (eq. MN)";
    double shrink = smax > CN_MAX_STEP ? CN_MAX_STEP / smax : 1.0;
    for (int j = 0; j < nb; j++) beta[j] += shrink * s[j];
    for (int j = 0; j < na; j++) alpha[j] += shrink * s[nb + j];
    if (log_phi) *log_phi += shrink * s[n - 1];
    return NULL;
  }
  return "singular M-step (eq. MN)";
}
