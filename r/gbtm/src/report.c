/* report.c: the tables of gbtm's report that the library computes beyond
 * the estimates: the group shares with their delta-method intervals, and
 * each group's coefficients on the age scale (powers of age - centre, eq.
 * AB) with their standard errors. */
#include "gbtmr.h"

#include <math.h>
#include <string.h>

static double na(double x) { return isnan(x) ? NA_REAL : x; }

SEXP gbtmr_report(SEXP ptr, SEXP robust, SEXP centre) {
  rfit *h = gbtmr_handle(ptr);
  const gbtm_model *m = gbtm_fit_result_model(h->fit);
  gbtm_se_kind kind = Rf_asLogical(robust) == TRUE ? GBTM_SE_ROBUST : GBTM_SE_MODEL;
  double c = Rf_asReal(centre);
  int K = gbtm_model_groups(m);
  SEXP shares = PROTECT(Rf_allocMatrix(REALSXP, K, 4));
  for (int k = 0; k < K; k++) {
    double se, lo, hi;
    if (gbtm_fit_result_share_interval(h->fit, k, kind, 0.95, &se, &lo, &hi) != GBTM_OK) se = lo = hi = NAN;
    REAL(shares)[k] = gbtm_fit_result_group(h->fit, k)->share;
    REAL(shares)[K + k] = na(se), REAL(shares)[2 * K + k] = na(lo), REAL(shares)[3 * K + k] = na(hi);
  }
  /* the age-scale coefficients: rows of group, kind (0 beta, 1 alpha), power, estimate, se */
  int rows = 0;
  double coef[GBTM_MAX_COEF], se[GBTM_MAX_COEF];
  for (int k = 0; k < K; k++)
    for (int a = 0; a < 2; a++) {
      int n = gbtm_fit_result_age_coefficients(h->fit, a ? GBTM_PARAM_ALPHA : GBTM_PARAM_BETA, k, c, kind, coef, se);
      rows += n > 0 ? n : 0;
    }
  SEXP tab = PROTECT(Rf_allocMatrix(REALSXP, rows, 5)), names = PROTECT(Rf_allocVector(STRSXP, rows));
  int r = 0;
  for (int k = 0; k < K; k++)
    for (int a = 0; a < 2; a++) {
      int n = gbtm_fit_result_age_coefficients(h->fit, a ? GBTM_PARAM_ALPHA : GBTM_PARAM_BETA, k, c, kind, coef, se);
      for (int j = 0; j < n; j++, r++) {
        char name[64];
        gbtm_age_coef_name(j, c, name, sizeof name);
        SET_STRING_ELT(names, r, Rf_mkChar(name));
        REAL(tab)[r] = k + 1, REAL(tab)[rows + r] = a, REAL(tab)[2 * rows + r] = j;
        REAL(tab)[3 * rows + r] = coef[j], REAL(tab)[4 * rows + r] = na(se[j]);
      }
    }
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 3));
  SET_VECTOR_ELT(out, 0, shares), SET_VECTOR_ELT(out, 1, tab), SET_VECTOR_ELT(out, 2, names);
  UNPROTECT(4);
  return out;
}

/* The observed posterior-weighted rates of a model file's trajectory table
 * (gbtm_trajectory_table_read): a list of the ages and a K x T matrix, or
 * NULL when the file holds none. */
SEXP gbtmr_observed(SEXP path) {
  gbtm_error err = {0};
  gbtm_trajectory_table *t = NULL;
  gbtm_status st = gbtm_trajectory_table_read(CHAR(STRING_ELT(path, 0)), &t, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  if (!t->observed) {
    gbtm_trajectory_table_free(t);
    return R_NilValue;
  }
  /* copied into R_alloc memory first: no R allocation that could jump while t is held */
  int K = t->groups;
  size_t T = t->ages;
  double *copy = (double *)R_alloc(T + (size_t)K * T + 1, sizeof *copy);
  memcpy(copy, t->age, T * sizeof *copy);
  for (int k = 0; k < K; k++)
    for (size_t a = 0; a < T; a++) copy[T + a * K + k] = na(t->observed[(size_t)k * T + a]);
  gbtm_trajectory_table_free(t);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 2)), age = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)T));
  SEXP obs = PROTECT(Rf_allocMatrix(REALSXP, K, (int)T));
  memcpy(REAL(age), copy, T * sizeof(double));
  memcpy(REAL(obs), copy + T, (size_t)K * T * sizeof(double));
  SET_VECTOR_ELT(out, 0, age), SET_VECTOR_ELT(out, 1, obs);
  UNPROTECT(3);
  return out;
}
