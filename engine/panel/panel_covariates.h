/* panel_covariates.h: panels with covariates (gbtm_csv_columns): their
 * values checked, the rows with missing ones dropped, the cells built by
 * panel_build_rows() (panel.h, which depends on nothing here), and the
 * values copied into the panel in the order of its cells. */
#ifndef GBTM_PANEL_COVARIATES_H
#define GBTM_PANEL_COVARIATES_H

#include "panel/panel.h"

/* Covariate values of the rows given to panel_build_covariates(), in the
 * caller's row order: values[r * (n_risk + n_tcov) + j], the risk factors
 * first; NaN is missing. column[j] is the source column of covariate j for
 * messages (0: none). Names are copied into the panel (GBTM_NAME_MAX). */
typedef struct panel_covariates_in {
  int n_risk, n_tcov;
  const char *risk_name[GBTM_MAX_RISK];
  const char *tcov_name[GBTM_MAX_TCOV];
  const double *values;
  size_t column[GBTM_MAX_RISK + GBTM_MAX_TCOV];
  bool drop_missing;
  /* The last risk factor is the person-level weight (eq. W; read by
   * gbtm_panel_read as a risk factor, then moved out of them): its values
   * must be finite and > 0, and messages call it the weight. */
  bool weight_last;
} panel_covariates_in;

/* panel_build() with covariates (covariates may be NULL): missing values
 * are an error naming source:line:column, or with
 * covariates->drop_missing the rows with a missing time-varying covariate
 * and the persons with a missing risk factor are left out (and counted); a
 * risk factor that differs between rows of one person is an error naming
 * the person and both lines. At most 2^32 - 1 rows with covariates. Takes
 * ownership of ids (each string and the array), also on failure. */
gbtm_status panel_build_covariates(panel_row *rows, size_t n_rows, char **ids, size_t n_persons,
                                   const char *source, size_t age_column,
                                   const panel_covariates_in *covariates, gbtm_panel **out,
                                   gbtm_error *err);

/* The panel_covariates_in of the covariates of a panel's cells, for
 * rebuilding a panel from its own cells in panel_person_cells order,
 * persons in the order of persons[0..n-1]: *values is allocated (caller
 * frees), NULL and GBTM_OK when p has no covariates. */
gbtm_status panel_covariates_of_cells(const gbtm_panel *p, const size_t *persons, size_t n,
                                      panel_covariates_in *covariates, double **values,
                                      gbtm_error *err);

#endif
