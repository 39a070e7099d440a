/* basis.c: the age polynomial basis (DESIGN §2). With the default centre and
 * scale the ages map onto [-1, 1], which keeps X'WX well conditioned up to
 * order 5 without orthogonalisation. Coefficients are estimated on this
 * basis, and reported on it or on the age scale (basis_to_age, eq. AB). */
#include "model/basis.h"

#include <math.h>
#include <stdio.h>

#include "gbtm.h"

void basis_row(double age, double centre, double scale, int ncoef, double *x) {
  double s = (age - centre) / scale, p = 1.0;
  for (int j = 0; j < ncoef; j++) {
    x[j] = p;
    p *= s;
  }
}

void basis_matrix(const double *age, size_t T, double centre, double scale, double *X) {
  for (size_t t = 0; t < T; t++) basis_row(age[t], centre, scale, GBTM_MAX_COEF, X + t * GBTM_MAX_COEF);
}

void basis_default(double age_min, double age_max, double *centre, double *scale) {
  *centre = 0.5 * (age_min + age_max);
  *scale = age_max > age_min ? 0.5 * (age_max - age_min) : 1.0;
}

void basis_predict(const double *X, size_t T, int ncoef, const double *coef, double *eta) {
  for (size_t t = 0; t < T; t++) {
    const double *x = X + t * GBTM_MAX_COEF;
    double v = 0.0;
    for (int j = 0; j < ncoef; j++) v += x[j] * coef[j];
    eta[t] = v;
  }
}

void basis_coef_name(int j, char *buf, size_t size) {
  if (j == 0)
    snprintf(buf, size, "intercept");
  else if (j == 1)
    snprintf(buf, size, "s");
  else
    snprintf(buf, size, "s^%d", j);
}

void gbtm_basis_coef_name(int j, char *buf, size_t size) { basis_coef_name(j, buf, size); }

/* eq. AB (DESIGN §2): with u = age - C and delta = C - centre,
 * s^j = ((u + delta) / scale)^j = sum_{i <= j} binom(j, i) u^i delta^(j - i) / scale^j,
 * so the coefficient of u^i is sum_{j >= i} A[i][j] b_j with
 * A[i][j] = binom(j, i) delta^(j - i) / scale^j. */
void basis_to_age(double centre, double scale, double report_centre, int ncoef, double *A) {
  const double delta = report_centre - centre;
  for (int i = 0; i < ncoef; i++)
    for (int j = 0; j < ncoef; j++) {
      double a = 0.0;
      if (j >= i) {
        double binom = 1.0;
        for (int q = 0; q < i; q++) binom = binom * (double)(j - q) / (double)(q + 1);
        a = binom * pow(delta, (double)(j - i)) / pow(scale, (double)j);
      }
      A[i * ncoef + j] = a;
    }
}

void basis_age_coef_name(int j, double report_centre, char *buf, size_t size) {
  char u[48];
  if (report_centre == 0.0) snprintf(u, sizeof u, "age");
  else if (report_centre < 0.0) snprintf(u, sizeof u, "(age + %g)", -report_centre);
  else snprintf(u, sizeof u, "(age - %g)", report_centre);
  if (j == 0) snprintf(buf, size, "intercept");
  else if (j == 1) snprintf(buf, size, "%s", u);
  else snprintf(buf, size, "%s^%d", u, j);
}

void gbtm_age_coef_name(int j, double report_centre, char *buf, size_t size) {
  basis_age_coef_name(j, report_centre, buf, size);
}
