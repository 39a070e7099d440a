/* fit.c: gbtm() from R: the panel, the options, gbtm_fit with R's
 * interrupt hook, and the fit's contents as an R list (gbtmr_info). */
#include "gbtmr.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The options of gbtm() (R/gbtm.R checks their types and lengths). */
static gbtm_status fit_options(SEXP family, SEXP groups, SEXP order, SEXP iorder, SEXP starts, SEXP seed,
                               SEXP threads, SEXP refgroup, gbtm_fit_options *o, gbtm_error *err) {
  *o = gbtm_fit_options_default();
  if (!gbtm_family_parse(CHAR(STRING_ELT(family, 0)), &o->family)) {
    snprintf(err->message, sizeof err->message, "unknown family \"%s\"", CHAR(STRING_ELT(family, 0)));
    return err->status = GBTM_ERR_USAGE;
  }
  o->groups = Rf_asInteger(groups);
  if (o->groups < 1 || o->groups > GBTM_MAX_GROUPS) {
    snprintf(err->message, sizeof err->message, "groups must be 1 to %d, not %d", GBTM_MAX_GROUPS, o->groups);
    return err->status = GBTM_ERR_USAGE;
  }
  if (XLENGTH(order) != o->groups || XLENGTH(iorder) != o->groups) {
    snprintf(err->message, sizeof err->message, "order and iorder need one value or one per group (%d)", o->groups);
    return err->status = GBTM_ERR_USAGE;
  }
  for (int k = 0; k < o->groups; k++) {
    o->order[k] = INTEGER(order)[k];
    o->iorder[k] = INTEGER(iorder)[k];
  }
  o->starts = Rf_asInteger(starts);
  double s = Rf_asReal(seed);
  if (!(s >= 0 && s <= 9007199254740992.0 && s == floor(s))) {
    snprintf(err->message, sizeof err->message, "seed must be a whole number from 0 to 2^53");
    return err->status = GBTM_ERR_USAGE;
  }
  o->seed = (uint64_t)s;
  o->threads = Rf_asInteger(threads);
  o->refgroup = Rf_asInteger(refgroup) - 1;
  return GBTM_OK;
}

/* se: -1 (auto: robust when weighted, as gbtm fit without --se; eq. W),
 * 0 model, 1 robust; weight_ids, weights, weight_name: gbtmr_weights. */
SEXP gbtmr_fit(SEXP id, SEXP age, SEXP y, SEXP exposure, SEXP risk, SEXP risk_names, SEXP tcov, SEXP tcov_names,
               SEXP drop_missing, SEXP family, SEXP groups, SEXP order, SEXP iorder, SEXP starts, SEXP seed,
               SEXP threads, SEXP refgroup, SEXP weight_ids, SEXP weights, SEXP weight_name, SEXP se) {
  gsl_set_error_handler_off();
  gbtm_error err = {0};
  gbtm_fit_options o;
  gbtm_status st = fit_options(family, groups, order, iorder, starts, seed, threads, refgroup, &o, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  rfit *h = calloc(1, sizeof *h);
  if (!h) Rf_error("out of memory");
  /* the handle owns what follows from here: an R error frees it */
  SEXP ptr = PROTECT(gbtmr_wrap(h));
  st = gbtmr_panel(id, age, y, exposure, risk, risk_names, tcov, tcov_names, Rf_asLogical(drop_missing) == TRUE,
                   gbtm_family_real_response(o.family), &h->panel, &err);
  if (st == GBTM_OK) st = gbtmr_weights(h->panel, weight_ids, weights, weight_name, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  int se_kind = Rf_asInteger(se);
  o.se = se_kind == 1 || (se_kind < 0 && gbtm_panel_weighted(h->panel)) ? GBTM_SE_ROBUST : GBTM_SE_MODEL;
  bool seen = false;
  o.interrupt = gbtmr_interrupt;
  o.interrupt_user = &seen;
  st = gbtm_fit(h->panel, &o, &h->fit, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  UNPROTECT(1);
  return ptr;
}

static SEXP num(double x) { return Rf_ScalarReal(x); }

/* list elements by name */
typedef struct builder {
  SEXP list, names;
  int n;
} builder;

static void put(builder *b, const char *name, SEXP value) {
  PROTECT(value);
  SET_VECTOR_ELT(b->list, b->n, value);
  SET_STRING_ELT(b->names, b->n, Rf_mkChar(name));
  b->n++;
  UNPROTECT(1);
}

static SEXP str_or_null(const char *s) { return s ? Rf_mkString(s) : R_NilValue; }

/* A P x P covariance as an R matrix, or NULL. */
static SEXP covariance(const gbtm_fit_result *r, gbtm_se_kind kind, int P) {
  const double *v = gbtm_fit_result_covariance(r, kind);
  if (!v || P == 0) return R_NilValue;
  SEXP m = PROTECT(Rf_allocMatrix(REALSXP, P, P));
  memcpy(REAL(m), v, (size_t)P * P * sizeof(double)); /* symmetric: row- and column-major agree */
  UNPROTECT(1);
  return m;
}

SEXP gbtmr_info(SEXP ptr) {
  rfit *h = gbtmr_handle(ptr);
  const gbtm_fit_result *r = h->fit;
  const gbtm_fit_summary *sm = gbtm_fit_result_summary(r);
  const gbtm_model *m = gbtm_fit_result_model(r);
  const gbtm_data_summary *ds = gbtm_fit_result_data(r);
  int K = gbtm_model_groups(m), P = sm->n_params;
  builder b = {PROTECT(Rf_allocVector(VECSXP, 48)), PROTECT(Rf_allocVector(STRSXP, 48)), 0};
  put(&b, "family", Rf_mkString(gbtm_family_name(gbtm_model_family(m))));
  put(&b, "groups", Rf_ScalarInteger(K));
  SEXP order = PROTECT(Rf_allocVector(INTSXP, K)), iorder = PROTECT(Rf_allocVector(INTSXP, K));
  SEXP labels = PROTECT(Rf_allocVector(STRSXP, K));
  for (int k = 0; k < K; k++) {
    INTEGER(order)[k] = gbtm_model_order(m, k);
    INTEGER(iorder)[k] = gbtm_model_iorder(m, k);
    SET_STRING_ELT(labels, k, Rf_mkChar(gbtm_model_label(m, k)));
  }
  put(&b, "order", order);
  put(&b, "iorder", iorder);
  put(&b, "labels", labels);
  UNPROTECT(3);
  put(&b, "centre", num(gbtm_model_centre(m)));
  put(&b, "scale", num(gbtm_model_scale(m)));
  put(&b, "age_range", Rf_allocVector(REALSXP, 2));
  REAL(VECTOR_ELT(b.list, b.n - 1))[0] = gbtm_model_age_min(m);
  REAL(VECTOR_ELT(b.list, b.n - 1))[1] = gbtm_model_age_max(m);
  put(&b, "refgroup", Rf_ScalarInteger(gbtm_model_refgroup(m) + 1));
  int R = gbtm_model_n_risk(m), C = gbtm_model_n_tcov(m);
  SEXP rn = PROTECT(Rf_allocVector(STRSXP, R)), tn = PROTECT(Rf_allocVector(STRSXP, C));
  for (int j = 0; j < R; j++) SET_STRING_ELT(rn, j, Rf_mkChar(gbtm_model_risk_name(m, j)));
  for (int j = 0; j < C; j++) SET_STRING_ELT(tn, j, Rf_mkChar(gbtm_model_tcov_name(m, j)));
  put(&b, "risk", rn);
  put(&b, "tcov", tn);
  UNPROTECT(2);
  /* the summary */
  put(&b, "loglik", num(sm->loglik));
  put(&b, "n_params", Rf_ScalarInteger(P));
  put(&b, "n_persons", num((double)sm->n_persons));
  put(&b, "n_obs", num((double)sm->n_obs));
  put(&b, "bic", num(sm->bic));
  put(&b, "bic_obs", num(sm->bic_obs));
  put(&b, "aic", num(sm->aic));
  put(&b, "entropy", num(sm->entropy));
  put(&b, "converged", Rf_ScalarLogical(sm->converged));
  put(&b, "iterations", Rf_ScalarInteger(sm->iterations));
  put(&b, "starts", Rf_ScalarInteger(sm->starts));
  put(&b, "starts_failed", Rf_ScalarInteger(sm->starts_failed));
  put(&b, "best_replicated", Rf_ScalarInteger(sm->best_replicated));
  put(&b, "gradient_norm", num(sm->gradient_norm));
  /* the estimates, named as the library names them */
  SEXP est = PROTECT(Rf_allocVector(REALSXP, P)), en = PROTECT(Rf_allocVector(STRSXP, P));
  SEXP boundary = PROTECT(Rf_allocVector(LGLSXP, P));
  const double *psi = gbtm_fit_result_estimates(r);
  for (int j = 0; j < P; j++) {
    REAL(est)[j] = psi ? psi[j] : NA_REAL;
    SET_STRING_ELT(en, j, Rf_mkChar(gbtm_fit_result_param_name(r, j)));
    LOGICAL(boundary)[j] = gbtm_fit_result_on_boundary(r, j);
  }
  Rf_setAttrib(est, R_NamesSymbol, en);
  put(&b, "estimates", est);
  put(&b, "boundary", boundary);
  UNPROTECT(3);
  put(&b, "vcov_model", covariance(r, GBTM_SE_MODEL, P));
  put(&b, "vcov_robust", covariance(r, GBTM_SE_ROBUST, P));
  put(&b, "inference_note", Rf_mkString(gbtm_fit_result_inference_note(r)));
  put(&b, "se", Rf_mkString(sm->se == GBTM_SE_ROBUST ? "robust" : "model"));
  /* the groups */
  SEXP gs = PROTECT(Rf_allocMatrix(REALSXP, K, 4));
  for (int k = 0; k < K; k++) {
    const gbtm_group_summary *g = gbtm_fit_result_group(r, k);
    REAL(gs)[k] = g->share;
    REAL(gs)[K + k] = g->assigned_share;
    REAL(gs)[2 * K + k] = g->avepp;
    REAL(gs)[3 * K + k] = g->occ;
  }
  put(&b, "group_summary", gs);
  UNPROTECT(1);
  /* the posteriors and their ids */
  const double *tau = gbtm_fit_result_posterior(r);
  const char *const *ids = gbtm_fit_result_ids(r);
  size_t N = sm->n_persons;
  if (tau && ids) {
    SEXP post = PROTECT(Rf_allocMatrix(REALSXP, (int)N, K)), pid = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)N));
    for (size_t i = 0; i < N; i++) {
      SET_STRING_ELT(pid, (R_xlen_t)i, Rf_mkChar(ids[i]));
      for (int k = 0; k < K; k++) REAL(post)[(size_t)k * N + i] = tau[i * K + k];
    }
    put(&b, "posterior", post);
    put(&b, "ids", pid);
    UNPROTECT(2);
  } else {
    put(&b, "posterior", R_NilValue);
    put(&b, "ids", R_NilValue);
  }
  SEXP data = PROTECT(Rf_allocVector(REALSXP, 6));
  REAL(data)[0] = (double)ds->persons, REAL(data)[1] = (double)ds->observations, REAL(data)[2] = (double)ds->ages;
  REAL(data)[3] = ds->age_min, REAL(data)[4] = ds->age_max, REAL(data)[5] = ds->total_count;
  put(&b, "data", data);
  UNPROTECT(1);
  /* the weights (eq. W): column, sum, smallest, largest as given; NULL unweighted */
  if (ds->weight_column[0]) {
    SEXP w = PROTECT(Rf_allocVector(REALSXP, 3));
    REAL(w)[0] = ds->weight_sum, REAL(w)[1] = ds->weight_min, REAL(w)[2] = ds->weight_max;
    Rf_setAttrib(w, R_NamesSymbol, PROTECT(Rf_allocVector(STRSXP, 3)));
    const char *wn[] = {"sum", "min", "max"};
    for (int j = 0; j < 3; j++) SET_STRING_ELT(Rf_getAttrib(w, R_NamesSymbol), j, Rf_mkChar(wn[j]));
    put(&b, "weight", w);
    put(&b, "weight_column", Rf_mkString(ds->weight_column));
    UNPROTECT(2);
  } else {
    put(&b, "weight", R_NilValue);
    put(&b, "weight_column", R_NilValue);
  }
  put(&b, "failures", Rf_mkString(gbtm_fit_result_failures(r)));
  const gbtm_model_file_info *fi = gbtm_fit_result_file_info(r);
  put(&b, "file_version", fi ? Rf_ScalarInteger(fi->format_version) : R_NilValue);
  put(&b, "file_command", fi ? str_or_null(fi->command_line) : R_NilValue);
  put(&b, "has_data", Rf_ScalarLogical(h->panel != NULL));
  SEXP list = PROTECT(Rf_lengthgets(b.list, b.n)), names = PROTECT(Rf_lengthgets(b.names, b.n));
  Rf_setAttrib(list, R_NamesSymbol, names);
  UNPROTECT(4);
  return list;
}
