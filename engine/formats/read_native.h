/* read_native.h: the reader of Stata (.dta), SPSS (.sav) and SAS
 * (.sas7bdat, .xpt) files (read_native.c), in the long or the wide layout
 * that the columns describe, which the dispatcher of panel_read.c calls
 * for a file native_format_of() (native_table.h) recognises. */
#ifndef GBTM_READ_NATIVE_H
#define GBTM_READ_NATIVE_H

#include "formats/native_table.h"
#include "gbtm.h"

/* Reads the file at path, of format, with the columns naming its
 * variables (NULL: the defaults), as the CSV readers read the same data:
 * the same panel from the same observations. */
gbtm_status panel_read_native(const char *path, native_format format, const gbtm_csv_columns *columns,
                              gbtm_panel **out, gbtm_error *err);

#endif
