/* basis.h: the age polynomial basis of DESIGN §2, x = (1, s, ..., s^d) with
 * s = (age - centre) / scale. */
#ifndef GBTM_BASIS_H
#define GBTM_BASIS_H

#include <stddef.h>

/* x[0..ncoef-1] = (1, s, s^2, ...). */
void basis_row(double age, double centre, double scale, int ncoef, double *x);
/* X (T x GBTM_MAX_COEF, row-major): the full basis at every age of the grid. */
void basis_matrix(const double *age, size_t T, double centre, double scale, double *X);
/* The default basis maps [age_min, age_max] onto [-1, 1]. */
void basis_default(double age_min, double age_max, double *centre, double *scale);
/* The name of coefficient j of the basis: "intercept", "s", "s^2", ... */
void basis_coef_name(int j, char *buf, size_t size);
/* The coefficients on the age scale about report_centre C: the powers of
 * u = age - C whose polynomial is the basis's (eq. AB). A (ncoef x ncoef,
 * row-major, upper triangular) maps the basis's coefficients b to them,
 * A b, and a covariance V of b to A V A'. */
void basis_to_age(double centre, double scale, double report_centre, int ncoef, double *A);
/* The name of power j on the age scale: "intercept", "age", "age^2", or
 * "(age - 30)", "(age - 30)^2" about C = 30. */
void basis_age_coef_name(int j, double report_centre, char *buf, size_t size);
/* eta[t] = sum_j X[t][j] coef[j] over the first ncoef columns. */
void basis_predict(const double *X, size_t T, int ncoef, const double *coef, double *eta);

#endif
