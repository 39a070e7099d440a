/* model.c: model files (gbtm_model_save, gbtm_model_load), classification
 * of new data, trajectories with their intervals, Wald tests, the
 * parametric bootstrap, and the built-in cohort, from R. */
#include "gbtmr.h"

#include <gbtm_presets.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

SEXP gbtmr_save(SEXP ptr, SEXP path, SEXP command) {
  rfit *h = gbtmr_handle(ptr);
  gbtm_error err = {0};
  gbtm_save_info info;
  memset(&info, 0, sizeof info);
  info.command_line = CHAR(STRING_ELT(command, 0));
  info.data_name = "R data frame";
  info.panel = h->panel;
  gbtm_status st = gbtm_model_save(h->fit, &info, CHAR(STRING_ELT(path, 0)), &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  return R_NilValue;
}

SEXP gbtmr_load(SEXP path) {
  gsl_set_error_handler_off();
  gbtm_error err = {0};
  rfit *h = calloc(1, sizeof *h);
  if (!h) Rf_error("out of memory");
  SEXP ptr = PROTECT(gbtmr_wrap(h));
  gbtm_status st = gbtm_model_load(CHAR(STRING_ELT(path, 0)), &h->fit, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  UNPROTECT(1);
  return ptr;
}

/* The posteriors (N x K) of the persons of new data under the fit's model,
 * with their ids (in order of first appearance). */
SEXP gbtmr_classify(SEXP ptr, SEXP id, SEXP age, SEXP y, SEXP exposure, SEXP risk, SEXP risk_names, SEXP tcov,
                    SEXP tcov_names) {
  rfit *h = gbtmr_handle(ptr);
  const gbtm_model *m = gbtm_fit_result_model(h->fit);
  gbtm_error err = {0};
  rfit *tmp = calloc(1, sizeof *tmp); /* the new panel, owned by a pointer of its own */
  if (!tmp) Rf_error("out of memory");
  PROTECT(gbtmr_wrap(tmp)); /* owns the panel */
  gbtm_status st = gbtmr_panel(id, age, y, exposure, risk, risk_names, tcov, tcov_names, false,
                               gbtm_family_real_response(gbtm_model_family(m)), &tmp->panel, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  size_t N = gbtm_panel_n_persons(tmp->panel);
  int K = gbtm_model_groups(m);
  double *tau = (double *)R_alloc(N * (size_t)K + 1, sizeof *tau);
  if ((st = gbtm_model_classify(m, tmp->panel, tau, &err)) != GBTM_OK) gbtmr_fail(st, &err);
  SEXP post = PROTECT(Rf_allocMatrix(REALSXP, (int)N, K)), ids = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)N));
  for (size_t i = 0; i < N; i++) {
    SET_STRING_ELT(ids, (R_xlen_t)i, Rf_mkChar(gbtm_panel_id(tmp->panel, i)));
    for (int k = 0; k < K; k++) REAL(post)[(size_t)k * N + i] = tau[i * K + k];
  }
  Rf_setAttrib(post, Rf_install("ids"), ids);
  UNPROTECT(3);
  return post;
}

/* Each group's expected response at the ages, with its delta-method
 * interval (kind "model" or "robust", level): a list of K x T matrices
 * mean, lower, upper (NaN bounds without a covariance). */
SEXP gbtmr_trajectory(SEXP ptr, SEXP ages, SEXP robust, SEXP level) {
  rfit *h = gbtmr_handle(ptr);
  const gbtm_model *m = gbtm_fit_result_model(h->fit);
  int K = gbtm_model_groups(m), T = LENGTH(ages);
  gbtm_se_kind kind = Rf_asLogical(robust) == TRUE ? GBTM_SE_ROBUST : GBTM_SE_MODEL;
  SEXP mean = PROTECT(Rf_allocMatrix(REALSXP, K, T)), lo = PROTECT(Rf_allocMatrix(REALSXP, K, T)),
       hi = PROTECT(Rf_allocMatrix(REALSXP, K, T));
  for (int k = 0; k < K; k++)
    for (int t = 0; t < T; t++) {
      double mu, l, u;
      if (gbtm_fit_result_trajectory_interval(h->fit, k, REAL(ages)[t], kind, Rf_asReal(level), &mu, &l, &u) !=
          GBTM_OK) {
        mu = gbtm_model_expected(m, k, REAL(ages)[t]);
        l = u = NA_REAL;
      }
      REAL(mean)[t * K + k] = mu, REAL(lo)[t * K + k] = l, REAL(hi)[t * K + k] = u;
    }
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 3)), names = PROTECT(Rf_allocVector(STRSXP, 3));
  SET_VECTOR_ELT(out, 0, mean), SET_VECTOR_ELT(out, 1, lo), SET_VECTOR_ELT(out, 2, hi);
  SET_STRING_ELT(names, 0, Rf_mkChar("mean")), SET_STRING_ELT(names, 1, Rf_mkChar("lower"));
  SET_STRING_ELT(names, 2, Rf_mkChar("upper"));
  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(5);
  return out;
}

SEXP gbtmr_wald(SEXP ptr, SEXP robust, SEXP expr) {
  rfit *h = gbtmr_handle(ptr);
  gbtm_error err = {0};
  double chi2, p;
  int df;
  gbtm_status st = gbtm_wald_test(h->fit, Rf_asLogical(robust) == TRUE ? GBTM_SE_ROBUST : GBTM_SE_MODEL,
                                  CHAR(STRING_ELT(expr, 0)), &chi2, &df, &p, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  SEXP out = PROTECT(Rf_allocVector(REALSXP, 3));
  REAL(out)[0] = chi2, REAL(out)[1] = df, REAL(out)[2] = p;
  UNPROTECT(1);
  return out;
}

/* Percentile intervals of B parametric-bootstrap refits, each refitted
 * with starts random starts (-1: the automatic rule) besides the estimate: a list of the
 * share bounds (K x 2), the ages, and the trajectory bounds (K x T each). */
SEXP gbtmr_bootstrap(SEXP ptr, SEXP B, SEXP starts, SEXP seed, SEXP threads, SEXP level) {
  rfit *h = gbtmr_handle(ptr);
  if (!h->panel) Rf_error("the bootstrap needs the fitted data: a model read from a file has none");
  gbtm_error err = {0};
  gbtm_bootstrap *boot = NULL;
  gbtm_status st = gbtm_bootstrap_run(h->fit, h->panel, Rf_asInteger(B), Rf_asInteger(starts), (uint64_t)Rf_asReal(seed),
                                      Rf_asInteger(threads), Rf_asReal(level), &boot, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  int K = gbtm_model_groups(gbtm_fit_result_model(h->fit));
  size_t T = gbtm_bootstrap_n_ages(boot);
  /* copied into plain memory first: no R allocation while boot is held */
  double *buf = malloc((2 * (size_t)K + T + 2 * (size_t)K * T) * sizeof *buf);
  if (!buf) {
    gbtm_bootstrap_free(boot);
    Rf_error("out of memory");
  }
  double *ages = buf + 2 * K, *traj = ages + T;
  for (int k = 0; k < K; k++) gbtm_bootstrap_share(boot, k, &buf[k], &buf[K + k]);
  memcpy(ages, gbtm_bootstrap_ages(boot), T * sizeof *ages);
  for (int k = 0; k < K; k++)
    for (size_t t = 0; t < T; t++)
      gbtm_bootstrap_trajectory(boot, k, t, &traj[t * K + k], &traj[K * T + t * K + k]);
  int reps = gbtm_bootstrap_replicates(boot);
  gbtm_bootstrap_free(boot);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 5));
  SEXP sh = PROTECT(Rf_allocMatrix(REALSXP, K, 2)), ag = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)T));
  SEXP lo = PROTECT(Rf_allocMatrix(REALSXP, K, (int)T)), hi = PROTECT(Rf_allocMatrix(REALSXP, K, (int)T));
  memcpy(REAL(sh), buf, 2 * (size_t)K * sizeof(double));
  memcpy(REAL(ag), ages, T * sizeof(double));
  memcpy(REAL(lo), traj, (size_t)K * T * sizeof(double));
  memcpy(REAL(hi), traj + (size_t)K * T, (size_t)K * T * sizeof(double));
  free(buf);
  SET_VECTOR_ELT(out, 0, sh), SET_VECTOR_ELT(out, 1, ag), SET_VECTOR_ELT(out, 2, lo), SET_VECTOR_ELT(out, 3, hi);
  SET_VECTOR_ELT(out, 4, Rf_ScalarInteger(reps));
  UNPROTECT(5);
  return out;
}

/* The built-in cohort: a list of id, age, count, exposure (NULL when all
 * are 1) and each person's true group (1-based, by person). */
/* The person characteristics of a preset that has them (gbtm_preset_persons),
 * in panel order, as the columns `gbtm simulate --persons` writes. */
static SEXP preset_persons(const char *preset, const gbtm_sim_design *d, const gbtm_panel *panel, const int *group) {
  size_t n = gbtm_panel_n_persons(panel);
  gbtm_preset_person *p = (gbtm_preset_person *)R_alloc(n + 1, sizeof *p);
  int *g0 = (int *)R_alloc(n + 1, sizeof *g0);
  for (size_t i = 0; i < n; i++) g0[i] = group[i] - 1;
  gbtm_error err = {0};
  gbtm_status st = gbtm_preset_persons(preset, n, d->seed, g0, p, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  const char *names[] = {"id", "group", "sex", "age_first_trafficking", "starts_with_trafficking",
                         "first_offence_minor", "mental_health", "unstable_family", "criminal_environment",
                         "no_qualification", "income", "reoffend_5y"};
  int nc = (int)(sizeof names / sizeof *names);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, nc)), nm = PROTECT(Rf_allocVector(STRSXP, nc));
  for (int c = 0; c < nc; c++) {
    SET_STRING_ELT(nm, c, Rf_mkChar(names[c]));
    SEXPTYPE t = c == 0 || c == 2 ? STRSXP : c == 3 || c == 10 ? REALSXP : INTSXP;
    SET_VECTOR_ELT(out, c, Rf_allocVector(t, (R_xlen_t)n));
  }
  for (size_t i = 0; i < n; i++) {
    R_xlen_t r = (R_xlen_t)i;
    SET_STRING_ELT(VECTOR_ELT(out, 0), r, Rf_mkChar(gbtm_panel_id(panel, i)));
    INTEGER(VECTOR_ELT(out, 1))[r] = group[i];
    SET_STRING_ELT(VECTOR_ELT(out, 2), r, Rf_mkChar(p[i].female ? "female" : "male"));
    /* as the command writes them: one decimal, whole euros */
    REAL(VECTOR_ELT(out, 3))[r] = round(p[i].age_first_trafficking * 10) / 10;
    INTEGER(VECTOR_ELT(out, 4))[r] = p[i].starts_with_trafficking;
    INTEGER(VECTOR_ELT(out, 5))[r] = p[i].first_offence_minor;
    INTEGER(VECTOR_ELT(out, 6))[r] = p[i].mental_health;
    INTEGER(VECTOR_ELT(out, 7))[r] = p[i].unstable_family;
    INTEGER(VECTOR_ELT(out, 8))[r] = p[i].criminal_environment;
    INTEGER(VECTOR_ELT(out, 9))[r] = p[i].no_qualification;
    REAL(VECTOR_ELT(out, 10))[r] = round(p[i].income);
    INTEGER(VECTOR_ELT(out, 11))[r] = p[i].reoffend_5y;
  }
  Rf_setAttrib(out, R_NamesSymbol, nm);
  UNPROTECT(2);
  return out;
}

/* The preset's cohort: the panel (a handle), the true groups (1-based) and,
 * with persons TRUE, the person characteristics (else NULL). */
SEXP gbtmr_simulate(SEXP preset, SEXP n, SEXP seed, SEXP persons) {
  gsl_set_error_handler_off();
  gbtm_error err = {0};
  gbtm_model *truth = NULL;
  gbtm_sim_design design;
  const char *name = CHAR(STRING_ELT(preset, 0));
  bool want = Rf_asLogical(persons) == TRUE;
  if (want && !gbtm_preset_has_persons(name))
    Rf_error("invalid usage: the preset %s has no person characteristics (rapporteur-2024-profiles has)", name);
  rfit *tmp = calloc(1, sizeof *tmp);
  if (!tmp) Rf_error("out of memory");
  SEXP holder = PROTECT(gbtmr_wrap(tmp));
  gbtm_status st = gbtm_preset(name, (size_t)Rf_asReal(n), (uint64_t)Rf_asReal(seed), &truth, &design, &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  SEXP g = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)design.n));
  st = gbtm_simulate(truth, &design, &tmp->panel, INTEGER(g), &err);
  gbtm_model_free(truth);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  for (size_t i = 0; i < design.n; i++) INTEGER(g)[i]++;
  /* the panel's rows are read back by R from the library's CSV writer
   * (R/simulate.R, gbtmr_write_panel) */
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 3));
  SET_VECTOR_ELT(out, 0, holder);
  SET_VECTOR_ELT(out, 1, g);
  if (want) SET_VECTOR_ELT(out, 2, preset_persons(name, &design, tmp->panel, INTEGER(g)));
  UNPROTECT(3);
  return out;
}

/* Writes the panel of a handle (gbtmr_simulate's) as long CSV. */
SEXP gbtmr_write_panel(SEXP holder, SEXP path) {
  rfit *h = R_ExternalPtrAddr(holder);
  if (!h || !h->panel) Rf_error("no panel");
  gbtm_error err = {0};
  gbtm_status st = gbtm_panel_write_csv(h->panel, CHAR(STRING_ELT(path, 0)), &err);
  if (st != GBTM_OK) gbtmr_fail(st, &err);
  return R_NilValue;
}
