/* panel_sorted.h: building a panel straight from columns of cells that come
 * grouped by person and ascending in age (engine/panel/panel_sorted.c), as an
 * HDF5 panel written by gbtm holds them. */
#ifndef GBTM_PANEL_SORTED_H
#define GBTM_PANEL_SORTED_H

#include <stdbool.h>

#include "panel/panel_covariates.h"

/* The cells of n_persons persons: person i's are entries start[i] ..
 * start[i+1] - 1 of age[], count[] and exposure[] (NULL: all 1), with
 * covariate values covariates->values[entry * (n_risk + n_tcov) + j] (covariates may be
 * NULL; no value may be missing). Ages must be finite, counts in
 * 0..INT32_MAX and exposures finite and > 0 (the caller checks them).
 *
 * When every person's ages are strictly ascending, builds the panel that
 * panel_build_covariates() builds from the same cells, and takes ownership of ids
 * (each string and the array). Otherwise sets *sorted = false, builds
 * nothing and leaves ids to the caller, who then goes through
 * panel_build_covariates(). A risk factor that differs between a person's cells is
 * an error naming source and the entries (1-based, as lines); ids are then
 * the caller's too. */
gbtm_status panel_build_sorted(size_t n_persons, const size_t *start, char **ids, const double *age,
                               const int32_t *count, const double *exposure, const panel_covariates_in *covariates,
                               const char *source, gbtm_panel **out, bool *sorted, gbtm_error *err);

#endif
