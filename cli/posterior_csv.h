/* posterior_csv.h: posterior group probabilities as CSV,
 * id,group,p1,...,pK, the file of `gbtm fit --posterior` and the output of
 * `gbtm classify`. */
#ifndef GBTM_CLI_POSTERIOR_CSV_H
#define GBTM_CLI_POSTERIOR_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gbtm.h"

#define GBTM_MAX_KEEP 64 /* --keep columns at most */

/* The modal group of one person's K probabilities (0-based, the first on ties). */
int posterior_modal(const double *p, int K);

/* Writes a header row and one row per person of panel, in panel order:
 * the id (quoted when it holds a comma, quote, line break or surrounding
 * space), the modal group numbered from 1, and tau[i*K..i*K+K-1] with %.17g. */
void posterior_csv_write(FILE *fp, const gbtm_panel *panel, const double *tau, int K);

/* The same for N persons named by ids (a fit's, gbtm_fit_result_ids). */
void posterior_csv_write_ids(FILE *fp, const char *const *ids, size_t N, const double *tau, int K);

/* --keep COLS: person columns of the data file copied into the posterior
 * CSV, after p1..pK, under their own names. */
typedef struct posterior_keep {
  int n;
  char *name[GBTM_MAX_KEEP];
  gbtm_person_table *table; /* read by posterior_keep_read */
} posterior_keep;

/* Appends the comma-separated names of text; false with why when one is
 * empty, named twice, or a column of the posterior file (id, group, pK). */
bool posterior_keep_parse(posterior_keep *keep, const char *text, char *why, size_t why_size);
/* Reads the kept columns of the data file, its id column and dialect as
 * columns has them (repeated rows of a person, the long layout, must
 * agree). Reports a failure (cmd's error) and returns
 * its exit status, or -1 on success. */
int posterior_keep_read(const char *cmd, posterior_keep *keep, const char *data, const gbtm_csv_columns *columns);
void posterior_keep_free(posterior_keep *keep);

/* posterior_csv_write_ids with the kept columns (keep NULL or empty: none):
 * a number as %.17g, a text as read, a missing value or a person the data
 * lacks as an empty field. */
void posterior_csv_write_panel_kept(FILE *fp, const gbtm_panel *panel, const double *tau, int K,
                                    const posterior_keep *keep);
void posterior_csv_write_kept(FILE *fp, const char *const *ids, size_t N, const double *tau, int K,
                              const posterior_keep *keep);

#endif
