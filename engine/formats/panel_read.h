/* panel_read.h: the panel readers behind gbtm_panel_read() and
 * gbtm_panel_read_csv() (include/gbtm.h): one per data layout, and the
 * checks of gbtm_csv_columns that all of them share. */
#ifndef GBTM_PANEL_READ_H
#define GBTM_PANEL_READ_H

#include <stdbool.h>

#include "gbtm.h"

/* Each reader reads the whole file when procs is NULL, else this process's
 * block of persons (gbtm_panel_read_part; collective). */

/* A CSV file, long or wide: engine/formats/read_csv.c. */
gbtm_status panel_read_csv(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                           gbtm_panel **out, gbtm_error *err);

/* The wide CSV layout (PROC TRAJ's): engine/formats/read_wide.c. */
gbtm_status panel_read_wide(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                            gbtm_panel **out, gbtm_error *err);

/* An HDF5 panel (README "HDF5 panels"): engine/panel_h5.c. */
gbtm_status panel_read_h5(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                          gbtm_panel **out, gbtm_error *err);

/* Whether the file at path starts with the HDF5 signature (at offset 0, or
 * after a user block of 512, 1024, 2048, ... bytes). False when it cannot
 * be read: the CSV reader then reports why. */
bool panel_is_h5(const char *path);

/* Checks the covariates of columns (path names the data in messages):
 * counts within GBTM_MAX_RISK and GBTM_MAX_TCOV, every name given,
 * shorter than GBTM_NAME_MAX and named once. */
gbtm_status panel_columns_check(const char *path, const gbtm_csv_columns *columns, gbtm_error *err);

#endif
