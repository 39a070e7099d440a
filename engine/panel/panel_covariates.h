/* panel_covariates.h: the covariate steps of panel_build_cov() (engine/panel/panel.c). */
#ifndef GBTM_PANEL_COVARIATES_H
#define GBTM_PANEL_COVARIATES_H

#include "panel/panel.h"

/* On the rows in the caller's order: sets rows[j].index = j, then either
 * reports the first missing value or, with drop_missing, drops rows and
 * persons (compacting rows and ids, freeing the dropped ids) and counts
 * them. */
gbtm_status panel_cov_prepare(panel_row *rows, size_t *n_rows, char **ids, size_t *n_persons,
                              const panel_cov_in *cov, const char *source, size_t *dropped_rows,
                              size_t *dropped_persons, gbtm_error *err);

/* On the rows sorted by (person, age), one per observed cell: copies the
 * covariates into p and checks that risk factors are constant per person. */
gbtm_status panel_cov_fill(gbtm_panel *p, const panel_row *rows, const panel_cov_in *cov,
                           const char *source, gbtm_error *err);

#endif
