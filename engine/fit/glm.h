/* glm.h: the small Newton solves of the M-step (DESIGN §3): a GLM on the T
 * points of the age grid, with weights that are K x T sufficient statistics. */
#ifndef GBTM_GLM_H
#define GBTM_GLM_H

#include <stddef.h>

/* eq. MP: maximises sum_t [A_t eta_t - B_t exp(eta_t)], eta = X b.
 * eq. MZ: maximises sum_t [A_t zeta_t - B_t log(1 + exp(zeta_t))], zeta = X b.
 * X is T x GBTM_MAX_COEF (first p columns used); b holds the start and
 * receives the maximiser. Returns NULL, or a static reason for failure. */
const char *glm_poisson_newton(const double *X, size_t T, int p, const double *A,
                               const double *B, double *b);
const char *glm_logit_newton(const double *X, size_t T, int p, const double *A, const double *B,
                             double *b);

/* Solves H x = g for a symmetric positive definite p x p H (destroyed) by
 * LAPACK Cholesky (dpotrf/dpotrs); x overwrites g. Returns 0 on success. */
int glm_cholesky_solve(int p, double *H, double *g);

/* log(1 + exp(x)) without overflow. */
double log1pexp(double x);

#endif
