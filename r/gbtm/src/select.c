/* select.c: gbtm_select() from R: the sweep over K (and d) as the columns
 * of a data frame, the best model's index, and the fits of the sweep as
 * handles. */
#include "gbtmr.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Holds the select result until the call ends (freed on every path). */
static void free_select(SEXP ptr) {
  gbtm_select_result_free(R_ExternalPtrAddr(ptr));
  R_ClearExternalPtr(ptr);
}

SEXP gbtmr_select(SEXP id, SEXP age, SEXP y, SEXP exposure, SEXP risk, SEXP risk_names, SEXP tcov,
                  SEXP tcov_names, SEXP drop_missing, SEXP family, SEXP ranges, SEXP iorder, SEXP starts, SEXP seed,
                  SEXP threads, SEXP cv_folds, SEXP weight_ids, SEXP weights, SEXP weight_name) {
  gsl_set_error_handler_off();
  gbtm_error err = {0};
  gbtm_select_options so = gbtm_select_options_default();
  if (!gbtm_family_parse(CHAR(STRING_ELT(family, 0)), &so.fit.family))
    Rf_error("invalid usage: unknown family \"%s\"", CHAR(STRING_ELT(family, 0)));
  so.groups_min = INTEGER(ranges)[0], so.groups_max = INTEGER(ranges)[1];
  so.order_min = INTEGER(ranges)[2], so.order_max = INTEGER(ranges)[3];
  for (int k = 0; k < GBTM_MAX_GROUPS; k++) so.fit.iorder[k] = Rf_asInteger(iorder);
  so.fit.starts = Rf_asInteger(starts);
  so.fit.seed = (uint64_t)Rf_asReal(seed);
  so.fit.threads = Rf_asInteger(threads);
  so.cv_folds = Rf_asInteger(cv_folds);
  bool seen = false;
  so.fit.interrupt = gbtmr_interrupt;
  so.fit.interrupt_user = &seen;
  rfit *tmp = calloc(1, sizeof *tmp);
  if (!tmp) Rf_error("out of memory");
  PROTECT(gbtmr_wrap(tmp)); /* owns the panel */
  gbtm_status st = gbtmr_panel(id, age, y, exposure, risk, risk_names, tcov, tcov_names,
                               Rf_asLogical(drop_missing) == TRUE, gbtm_family_real_response(so.fit.family),
                               &tmp->panel, &err);
  if (st == GBTM_OK) st = gbtmr_weights(tmp->panel, weight_ids, weights, weight_name, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  SEXP sel = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
  R_RegisterCFinalizerEx(sel, free_select, TRUE);
  gbtm_select_result *res = NULL;
  st = gbtm_select(tmp->panel, &so, &res, &err);
  R_SetExternalPtrAddr(sel, res);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  if (seen) {
    gbtm_error stop = {GBTM_ERR_INTERRUPTED, "the sweep was interrupted"};
    gbtmr_fail(GBTM_ERR_INTERRUPTED, &stop); /* (the result is freed by its pointer's finalizer) */
  }
  int n = (int)gbtm_select_result_count(res);
  const char *dnames[] = {"groups", "order", "loglik", "n_params", "bic", "bic_obs", "aic", "entropy",
                          "min_avepp", "min_occ", "min_share", "converged", "avepp_low", "occ_low", "small_group",
                          "not_replicated", "failed", "cv_loglik", "cve", "seconds", "failure"};
  int nc = (int)(sizeof dnames / sizeof *dnames);
  SEXP df = PROTECT(Rf_allocVector(VECSXP, nc)), names = PROTECT(Rf_allocVector(STRSXP, nc));
  for (int c = 0; c < nc; c++) {
    SET_STRING_ELT(names, c, Rf_mkChar(dnames[c]));
    SEXPTYPE t = c < 2 || c == 3 ? INTSXP : (c >= 11 && c <= 16) ? LGLSXP : c == 20 ? STRSXP : REALSXP;
    SET_VECTOR_ELT(df, c, Rf_allocVector(t, n));
  }
  for (int i = 0; i < n; i++) {
    const gbtm_select_entry *e = gbtm_select_result_entry(res, (size_t)i);
    const gbtm_fit_summary *sm = e->fit ? gbtm_fit_result_summary(e->fit) : NULL;
    INTEGER(VECTOR_ELT(df, 0))[i] = e->groups;
    INTEGER(VECTOR_ELT(df, 1))[i] = e->order;
    REAL(VECTOR_ELT(df, 2))[i] = sm ? sm->loglik : NA_REAL;
    INTEGER(VECTOR_ELT(df, 3))[i] = sm ? sm->n_params : NA_INTEGER;
    REAL(VECTOR_ELT(df, 4))[i] = sm ? sm->bic : NA_REAL;
    REAL(VECTOR_ELT(df, 5))[i] = sm ? sm->bic_obs : NA_REAL;
    REAL(VECTOR_ELT(df, 6))[i] = sm ? sm->aic : NA_REAL;
    REAL(VECTOR_ELT(df, 7))[i] = sm ? sm->entropy : NA_REAL;
    REAL(VECTOR_ELT(df, 8))[i] = isnan(e->min_avepp) ? NA_REAL : e->min_avepp;
    REAL(VECTOR_ELT(df, 9))[i] = isnan(e->min_occ) ? NA_REAL : e->min_occ;
    REAL(VECTOR_ELT(df, 10))[i] = sm ? e->min_share : NA_REAL;
    LOGICAL(VECTOR_ELT(df, 11))[i] = sm ? sm->converged : NA_LOGICAL;
    LOGICAL(VECTOR_ELT(df, 12))[i] = (e->flags & GBTM_FLAG_AVEPP) != 0;
    LOGICAL(VECTOR_ELT(df, 13))[i] = (e->flags & GBTM_FLAG_OCC) != 0;
    LOGICAL(VECTOR_ELT(df, 14))[i] = (e->flags & GBTM_FLAG_SMALL_GROUP) != 0;
    LOGICAL(VECTOR_ELT(df, 15))[i] = (e->flags & GBTM_FLAG_NOT_REPLICATED) != 0;
    LOGICAL(VECTOR_ELT(df, 16))[i] = (e->flags & GBTM_FLAG_FAILED) != 0;
    REAL(VECTOR_ELT(df, 17))[i] = e->cv.folds > 0 && !isnan(e->cv.loglik) ? e->cv.loglik : NA_REAL;
    REAL(VECTOR_ELT(df, 18))[i] = e->cv.folds > 0 && !isnan(e->cv.cve) ? e->cv.cve : NA_REAL;
    REAL(VECTOR_ELT(df, 19))[i] = e->seconds;
    SET_STRING_ELT(VECTOR_ELT(df, 20), i, Rf_mkChar(e->failure ? e->failure : ""));
  }
  Rf_setAttrib(df, R_NamesSymbol, names);
  Rf_setAttrib(df, Rf_install("best"), Rf_ScalarInteger(gbtm_select_result_best(res) + 1));
  UNPROTECT(4);
  return df;
}
