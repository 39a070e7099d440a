/* basis.c: the age polynomial basis (DESIGN §2). With the default centre and
 * scale the ages map onto [-1, 1], which keeps X'WX well conditioned up to
 * order 5 without orthogonalisation, so coefficients are reported on this
 * basis as they are estimated. */
#include "model/basis.h"

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
