/* model_cov.h: the covariate terms of a model (engine/model/model.c): eq. M with
 * risk factors and the time-varying part of log lambda, shared by the
 * direct log-likelihood, classification, inference and simulation. */
#ifndef GBTM_MODEL_COV_H
#define GBTM_MODEL_COV_H

#include "base/error.h"
#include "model/model.h"
#include "panel/panel.h"

/* eq. M: log pi_k(z) for risk factors z (NULL: all 0), into logpi[K]. */
void model_log_shares(const gbtm_model *m, const double *z, double *logpi);
/* w'delta_k for time-varying covariates w[0..n_tcov-1]. */
double model_tcov_shift(const gbtm_model *m, int k, const double *w);
/* GBTM_OK when the panel has the model's covariates (names, in order), or
 * the model has none (the panel's are then not used); otherwise
 * GBTM_ERR_DATA naming both lists. */
gbtm_status model_panel_match(const gbtm_model *m, const gbtm_panel *p, gbtm_error *err);
/* "risk factors (a, b) and time-varying covariates (w)" into buf. */
void model_covariate_list(int n_risk, const char (*risk)[GBTM_NAME_MAX], int n_tcov,
                          const char (*tcov)[GBTM_NAME_MAX], char *buf, size_t len);

#endif
