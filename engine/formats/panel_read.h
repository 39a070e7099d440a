/* panel_read.h: the one dispatcher of the panel readers (panel_read.c):
 * gbtm_panel_read(), gbtm_panel_read_csv() and gbtm_panel_read_part()
 * (include/gbtm.h) pick the reader by format (HDF5 or CSV) and layout
 * (long or wide). The readers themselves (read_csv.h, read_wide.h,
 * panel_h5.h) do not know the dispatcher. */
#ifndef GBTM_PANEL_READ_H
#define GBTM_PANEL_READ_H

#include <stdbool.h>

#include "gbtm.h"

/* Whether the file at path starts with the HDF5 signature (at offset 0, or
 * after a user block of 512, 1024, 2048, ... bytes). False when it cannot
 * be read: the CSV reader then reports why. */
bool panel_is_h5(const char *path);

#endif
