/* read_csv.h: the reader of the long CSV layout (read_csv.c), which the
 * dispatcher of engine/formats/panel_read.c calls. */
#ifndef GBTM_READ_CSV_H
#define GBTM_READ_CSV_H

#include "gbtm.h"

/* Reads the long CSV file at path (one row per person and age) with the
 * columns (NULL: the defaults); the whole file when procs is NULL, else
 * this process's block of persons (gbtm_panel_read_part; collective). */
gbtm_status panel_read_long(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                            gbtm_panel **out, gbtm_error *err);

/* panel_read_long() with real saying whether the responses are reals (a
 * family with real_response: each count field a finite decimal real, kept
 * as read) or counts, whatever columns->family is; panel_read_long() takes
 * it from columns->family. */
gbtm_status panel_read_long_with(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                                 bool real, gbtm_panel **out, gbtm_error *err);

#endif
