/* panel_h5.h: the reader of HDF5 panels (docs/manual.md "HDF5 panels",
 * panel_h5.c), which the dispatcher of engine/formats/panel_read.c calls. */
#ifndef GBTM_PANEL_H5_H
#define GBTM_PANEL_H5_H

#include "gbtm.h"

/* Reads the HDF5 panel at path with columns (NULL: the defaults); the
 * whole panel when procs is NULL, else this process's block of persons
 * (gbtm_panel_read_part; collective). */
gbtm_status panel_read_h5(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                          gbtm_panel **out, gbtm_error *err);

/* panel_read_h5() with real saying whether the responses are reals (a
 * family with real_response: /panel/count of any number type, each entry
 * finite, kept as read) or counts (an integer type), whatever
 * columns->family is; panel_read_h5() takes it from columns->family. */
gbtm_status panel_read_h5_with(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                               bool real, gbtm_panel **out, gbtm_error *err);

#endif
