/* report_covariates.h: the covariate part of a fit report (text and JSON). */
#ifndef GBTM_REPORT_COVARIATES_H
#define GBTM_REPORT_COVARIATES_H

#include <stdio.h>

#include "gbtm.h"
#include "json.h"

/* Nothing when the model has no covariates. */
void report_text_covariates(FILE *out, const gbtm_fit_result *res);
void report_json_covariates(json_writer *w, const gbtm_fit_result *res);

#endif
