/* panel_columns.h: the check of gbtm_csv_columns that every panel reader
 * (read_csv.c, read_wide.c, panel_h5.c) makes before reading. */
#ifndef GBTM_PANEL_COLUMNS_H
#define GBTM_PANEL_COLUMNS_H

#include "gbtm.h"

/* Checks the covariates of columns (path names the data in messages):
 * counts within GBTM_MAX_RISK and GBTM_MAX_TCOV, every name given,
 * shorter than GBTM_NAME_MAX and named once; and that no column is named
 * for two things (the id, an age, a count, an exposure, a covariate). */
gbtm_status panel_columns_check(const char *path, const gbtm_csv_columns *columns, gbtm_error *err);

#endif
