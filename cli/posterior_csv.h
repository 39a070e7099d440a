/* posterior_csv.h: posterior group probabilities as CSV,
 * id,group,p1,...,pK, the file of `gbtm fit --posterior` and the output of
 * `gbtm classify`. */
#ifndef GBTM_CLI_POSTERIOR_CSV_H
#define GBTM_CLI_POSTERIOR_CSV_H

#include <stdio.h>

#include "gbtm.h"

/* The modal group of one person's K probabilities (0-based, the first on ties). */
int posterior_modal(const double *p, int K);

/* Writes a header row and one row per person of panel, in panel order:
 * the id (quoted when it holds a comma, quote, line break or surrounding
 * space), the modal group numbered from 1, and tau[i*K..i*K+K-1] with %.17g. */
void posterior_csv_write(FILE *fp, const gbtm_panel *panel, const double *tau, int K);

/* The same for N persons named by ids (a fit's, gbtm_fit_result_ids). */
void posterior_csv_write_ids(FILE *fp, const char *const *ids, size_t N, const double *tau, int K);

#endif
