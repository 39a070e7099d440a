/* csv_part.h: one process's block of a CSV file (csv_part.c), for the
 * readers of gbtm_panel_read_part. */
#ifndef GBTM_CSV_PART_H
#define GBTM_CSV_PART_H

#include "formats/csv_tokens.h"

/* csv_open() for one process's block of the file (csv_part.c; collective):
 * the buffer holds the header and the block's lines, whole persons, and
 * after csv_read_header() the lines are counted as in the whole file.
 * id_name is the column that holds the person id. */
gbtm_status csv_open_part(csv_reader *r, const char *path, const gbtm_reducer *procs, const char *id_name,
                          gbtm_error *err);

#endif
