/* read_wide.h: the reader of the wide CSV layout (PROC TRAJ's,
 * read_wide.c), which the dispatcher of engine/formats/panel_read.c calls. */
#ifndef GBTM_READ_WIDE_H
#define GBTM_READ_WIDE_H

#include "gbtm.h"

/* Reads the wide CSV file at path with columns (columns->wide set); the
 * whole file when procs is NULL, else this process's block of persons
 * (gbtm_panel_read_part; collective). */
gbtm_status panel_read_wide(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                            gbtm_panel **out, gbtm_error *err);

/* panel_read_wide() with real saying whether the responses are reals (a
 * family with real_response: each count field a finite decimal real, kept
 * as read) or counts, whatever columns->family is; panel_read_wide() takes
 * it from columns->family. */
gbtm_status panel_read_wide_with(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                                 bool real, gbtm_panel **out, gbtm_error *err);

#endif
