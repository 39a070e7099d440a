/* panel.c: gbtm panels from the columns of an R data frame
 * (gbtm_panel_from_rows_covariates, gbtm_panel_from_rows_real) and their
 * person-level sampling weights (gbtm_panel_set_weights, eq. W). */
#include "gbtmr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A numeric matrix n x m (column-major, R's) as rows (r * m + j), names
 * into name[]; false when it is not one. */
static bool matrix_rows(SEXP x, SEXP names, size_t n, int *m, const double **rows, const char **name,
                        int max, const char *what, gbtm_error *err) {
  *m = 0;
  *rows = NULL;
  if (Rf_isNull(x)) return true;
  int cols = Rf_ncols(x);
  if (cols > max) {
    snprintf(err->message, sizeof err->message, "at most %d %s, not %d", max, what, cols);
    return false;
  }
  double *out = (double *)R_alloc(n * (size_t)cols + 1, sizeof *out);
  const double *v = REAL(x);
  for (size_t r = 0; r < n; r++)
    for (int j = 0; j < cols; j++) {
      double d = v[(size_t)j * n + r];
      out[r * (size_t)cols + j] = ISNA(d) || ISNAN(d) ? NAN : d;
    }
  for (int j = 0; j < cols; j++) name[j] = CHAR(STRING_ELT(names, j));
  *m = cols;
  *rows = out;
  return true;
}

gbtm_status gbtmr_panel(SEXP id, SEXP age, SEXP y, SEXP exposure, SEXP risk, SEXP risk_names, SEXP tcov,
                        SEXP tcov_names, bool drop_missing, bool real, gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  size_t n = (size_t)XLENGTH(id);
  const char **ids = (const char **)R_alloc(n + 1, sizeof *ids);
  for (size_t r = 0; r < n; r++) ids[r] = CHAR(STRING_ELT(id, (R_xlen_t)r));
  const double *yv = REAL(y);
  gbtm_panel_covariates cov;
  memset(&cov, 0, sizeof cov);
  cov.drop_missing = drop_missing;
  err->status = GBTM_ERR_USAGE;
  if (!matrix_rows(risk, risk_names, n, &cov.n_risk, &cov.risk, cov.risk_name, GBTM_MAX_RISK, "risk factors", err) ||
      !matrix_rows(tcov, tcov_names, n, &cov.n_tcov, &cov.tcov, cov.tcov_name, GBTM_MAX_TCOV,
                   "time-varying covariates", err))
    return GBTM_ERR_USAGE;
  const double *ex = Rf_isNull(exposure) ? NULL : REAL(exposure);
  if (real)
    return gbtm_panel_from_rows_real(n, ids, REAL(age), yv, ex, &cov, "data", out, err);
  int64_t *count = (int64_t *)R_alloc(n + 1, sizeof *count);
  for (size_t r = 0; r < n; r++) {
    if (!(yv[r] == floor(yv[r])) || fabs(yv[r]) > 9e15) {
      snprintf(err->message, sizeof err->message, "data: row %zu: the response %g is not a whole number", r + 1,
               yv[r]);
      return GBTM_ERR_PARSE;
    }
    count[r] = (int64_t)yv[r];
  }
  return gbtm_panel_from_rows_covariates(n, ids, REAL(age), count, ex, &cov, "data", out, err);
}

/* ---- person-level sampling weights (eq. W) ---------------------------------- */

typedef struct id_weight {
  const char *id;
  double w;
} id_weight;

static int by_id(const void *a, const void *b) {
  return strcmp(((const id_weight *)a)->id, ((const id_weight *)b)->id);
}

gbtm_status gbtmr_weights(gbtm_panel *panel, SEXP ids, SEXP weights, SEXP name, gbtm_error *err) {
  if (Rf_isNull(ids)) return GBTM_OK;
  size_t n = (size_t)XLENGTH(ids), N = gbtm_panel_n_persons(panel);
  id_weight *t = (id_weight *)R_alloc(n + 1, sizeof *t);
  for (size_t i = 0; i < n; i++) t[i].id = CHAR(STRING_ELT(ids, (R_xlen_t)i)), t[i].w = REAL(weights)[i];
  qsort(t, n, sizeof *t, by_id);
  double *w = (double *)R_alloc(N + 1, sizeof *w);
  for (size_t i = 0; i < N; i++) {
    id_weight key = {gbtm_panel_id(panel, i), 0};
    const id_weight *hit = bsearch(&key, t, n, sizeof *t, by_id);
    if (!hit) { /* R/data.R gives every person of the rows a weight */
      snprintf(err->message, sizeof err->message, "person \"%s\" has no weight", key.id);
      return err->status = GBTM_ERR_INTERNAL;
    }
    w[i] = hit->w;
  }
  return gbtm_panel_set_weights(panel, w, CHAR(STRING_ELT(name, 0)), err);
}
