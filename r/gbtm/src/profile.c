/* profile.c: gbtm_profile() from R: the profile of the groups by person
 * variables (gbtm_profile_run, DESIGN §9) from a fit's posteriors, as R
 * vectors and matrices that R/profile.R makes into data frames. */
#include "gbtmr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Holds the profile until the call ends (freed on every path). */
static void free_profile(SEXP ptr) {
  gbtm_profile_free(R_ExternalPtrAddr(ptr));
  R_ClearExternalPtr(ptr);
}

/* A test as c(chi2, df, p) (NA where not available). */
static SEXP test3(double chi2, int df, double p) {
  SEXP t = PROTECT(Rf_allocVector(REALSXP, 3));
  REAL(t)[0] = isnan(chi2) ? NA_REAL : chi2;
  REAL(t)[1] = df > 0 ? df : NA_REAL;
  REAL(t)[2] = isnan(p) ? NA_REAL : p;
  UNPROTECT(1);
  return t;
}

static SEXP named_list(int n, const char *const *names) {
  SEXP l = PROTECT(Rf_allocVector(VECSXP, n)), nm = PROTECT(Rf_allocVector(STRSXP, n));
  for (int j = 0; j < n; j++) SET_STRING_ELT(nm, j, Rf_mkChar(names[j]));
  Rf_setAttrib(l, R_NamesSymbol, nm);
  UNPROTECT(2);
  return l;
}

/* Variable v of the profile: its description, estimates and tests. */
static SEXP variable(const gbtm_profile *p, int v) {
  const gbtm_profile_var_info *in = gbtm_profile_var_info_of(p, v);
  int K = gbtm_profile_groups(p), Q = in->n_quantities, M = GBTM_PROFILE_ML3 + 1;
  static const char *const names[] = {"name",     "type",  "distal", "n_used",    "n_missing", "quantities",
                                      "estimate", "se",    "wald",   "wald_ml3",  "pairs",     "pairs_ml3",
                                      "note"};
  SEXP out = PROTECT(named_list(13, names));
  SET_VECTOR_ELT(out, 0, Rf_mkString(in->name));
  SET_VECTOR_ELT(out, 1, Rf_mkString(gbtm_profile_type_name(in->type)));
  SET_VECTOR_ELT(out, 2, Rf_ScalarLogical(in->distal));
  SET_VECTOR_ELT(out, 3, Rf_ScalarReal((double)in->n_used));
  SET_VECTOR_ELT(out, 4, Rf_ScalarReal((double)in->n_missing));
  SEXP q = PROTECT(Rf_allocVector(STRSXP, Q));
  for (int j = 0; j < Q; j++) SET_STRING_ELT(q, j, Rf_mkChar(gbtm_profile_quantity(p, v, j)));
  SET_VECTOR_ELT(out, 5, q);
  UNPROTECT(1);
  /* rows (q, k), q fastest; columns the methods */
  SEXP est = PROTECT(Rf_allocMatrix(REALSXP, Q * K, M)), se = PROTECT(Rf_allocMatrix(REALSXP, Q * K, M));
  for (int m = 0; m < M; m++)
    for (int k = 0; k < K; k++)
      for (int j = 0; j < Q; j++) {
        double e = NAN, s = NAN;
        if (m != GBTM_PROFILE_ML3 || in->distal) gbtm_profile_estimate(p, v, j, k, (gbtm_profile_method)m, &e, &s);
        size_t at = (size_t)m * (size_t)(Q * K) + (size_t)k * (size_t)Q + (size_t)j;
        REAL(est)[at] = isnan(e) ? NA_REAL : e;
        REAL(se)[at] = isnan(s) ? NA_REAL : s;
      }
  SET_VECTOR_ELT(out, 6, est);
  SET_VECTOR_ELT(out, 7, se);
  UNPROTECT(2);
  SET_VECTOR_ELT(out, 8, test3(in->wald_chi2, in->wald_df, in->wald_p));
  SET_VECTOR_ELT(out, 9, in->distal ? test3(in->ml3_wald_chi2, in->ml3_wald_df, in->ml3_wald_p) : R_NilValue);
  /* the pairs: rows k, l (1-based), chi2, df, p */
  int npairs = K * (K - 1) / 2;
  for (int ml3 = 0; ml3 <= 1; ml3++) {
    if (ml3 && !in->distal) {
      SET_VECTOR_ELT(out, 11, R_NilValue);
      continue;
    }
    SEXP pr = PROTECT(Rf_allocMatrix(REALSXP, npairs, 5));
    int r = 0;
    for (int k = 0; k < K; k++)
      for (int l = k + 1; l < K; l++, r++) {
        double c, pv;
        int df;
        gbtm_profile_pair(p, v, k, l, ml3, &c, &df, &pv);
        double row[5] = {k + 1, l + 1, isnan(c) ? NA_REAL : c, df > 0 ? df : NA_REAL, isnan(pv) ? NA_REAL : pv};
        for (int j = 0; j < 5; j++) REAL(pr)[(size_t)j * npairs + r] = row[j];
      }
    SET_VECTOR_ELT(out, 10 + ml3, pr);
    UNPROTECT(1);
  }
  SET_VECTOR_ELT(out, 12, Rf_mkString(in->note));
  UNPROTECT(1);
  return out;
}

/* tau: the N x K posteriors (an R matrix); present: logical N; x: a list of
 * double vectors of N (NA: missing); names; types (gbtm_profile_type
 * codes); distal: logical; levels: a list of character vectors (the levels
 * the codes 0..L-1 of x index) or NULLs; labels: a list of NULLs or value
 * labels, list(values (double), texts (character)), of numeric x. */
SEXP gbtmr_profile(SEXP tau, SEXP present, SEXP x, SEXP names, SEXP types, SEXP distal, SEXP levels,
                   SEXP labels) {
  size_t N = (size_t)Rf_nrows(tau);
  int K = Rf_ncols(tau), V = (int)XLENGTH(x);
  double *t = (double *)R_alloc(N * (size_t)K + 1, sizeof *t);
  for (size_t i = 0; i < N; i++)
    for (int k = 0; k < K; k++) t[i * (size_t)K + k] = REAL(tau)[(size_t)k * N + i];
  bool *pr = (bool *)R_alloc(N + 1, sizeof *pr);
  for (size_t i = 0; i < N; i++) pr[i] = LOGICAL(present)[i] == TRUE;
  gbtm_profile_var *vars = (gbtm_profile_var *)R_alloc((size_t)V + 1, sizeof *vars);
  memset(vars, 0, ((size_t)V + 1) * sizeof *vars);
  for (int v = 0; v < V; v++) {
    double *xv = (double *)R_alloc(N + 1, sizeof *xv);
    const double *src = REAL(VECTOR_ELT(x, v));
    for (size_t i = 0; i < N; i++) xv[i] = ISNAN(src[i]) ? NAN : src[i];
    vars[v].name = CHAR(STRING_ELT(names, v));
    vars[v].type = (gbtm_profile_type)INTEGER(types)[v];
    vars[v].distal = LOGICAL(distal)[v] == TRUE;
    vars[v].x = xv;
    SEXP lv = VECTOR_ELT(levels, v);
    if (!Rf_isNull(lv)) {
      int L = (int)XLENGTH(lv);
      const char **l = (const char **)R_alloc((size_t)L + 1, sizeof *l);
      for (int j = 0; j < L; j++) l[j] = CHAR(STRING_ELT(lv, j));
      vars[v].n_levels = L;
      vars[v].levels = l;
    }
    SEXP lb = VECTOR_ELT(labels, v);
    if (!Rf_isNull(lb)) {
      SEXP val = VECTOR_ELT(lb, 0), txt = VECTOR_ELT(lb, 1);
      int L = (int)XLENGTH(val);
      const char **t = (const char **)R_alloc((size_t)L + 1, sizeof *t);
      for (int j = 0; j < L; j++) t[j] = CHAR(STRING_ELT(txt, j));
      vars[v].n_labels = L;
      vars[v].label_value = REAL(val);
      vars[v].label_text = t;
    }
  }
  SEXP holder = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
  R_RegisterCFinalizerEx(holder, free_profile, TRUE);
  gbtm_profile *p = NULL;
  gbtm_error err = {0};
  gbtm_status st = gbtm_profile_run(t, N, K, pr, vars, V, &p, &err);
  R_SetExternalPtrAddr(holder, p);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  static const char *const names_out[] = {"classification_error", "bch_available", "bch_note", "modal_count",
                                          "variables"};
  SEXP out = PROTECT(named_list(5, names_out));
  SEXP d = PROTECT(Rf_allocMatrix(REALSXP, K, K));
  const double *D = gbtm_profile_error_matrix(p);
  for (int k = 0; k < K; k++)
    for (int s = 0; s < K; s++) REAL(d)[(size_t)s * K + k] = D[k * K + s];
  SET_VECTOR_ELT(out, 0, d);
  UNPROTECT(1);
  SET_VECTOR_ELT(out, 1, Rf_ScalarLogical(gbtm_profile_bch_available(p)));
  SET_VECTOR_ELT(out, 2, Rf_mkString(gbtm_profile_bch_note(p)));
  SEXP mc = PROTECT(Rf_allocVector(REALSXP, K));
  for (int k = 0; k < K; k++) REAL(mc)[k] = (double)gbtm_profile_modal_count(p, k);
  SET_VECTOR_ELT(out, 3, mc);
  UNPROTECT(1);
  SEXP vl = PROTECT(Rf_allocVector(VECSXP, V));
  for (int v = 0; v < V; v++) SET_VECTOR_ELT(vl, v, variable(p, v));
  SET_VECTOR_ELT(out, 4, vl);
  UNPROTECT(3);
  return out;
}
