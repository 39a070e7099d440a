/* classify.h: posterior group probabilities of the persons of a panel
 * under a saved model (cmd_classify.c), shared by `gbtm classify` and
 * `gbtm profile --data`. */
#ifndef GBTM_CLI_CLASSIFY_H
#define GBTM_CLI_CLASSIFY_H

#include "cli_util.h"
#include "gbtm.h"

/* Reads the panel at data with the columns c (the model's covariates and
 * family filled in from res's model), warns about ages outside the model's
 * range, and classifies its persons: *panel and *tau (N x K, malloc'd) for
 * the caller to free. Reports failures (cmd's error) and returns the exit
 * status, or -1 on success. column_args is freed. */
int classify_panel(const char *cmd, const gbtm_fit_result *res, const char *data, gbtm_csv_columns *c,
                   cli_columns *column_args, gbtm_panel **panel, double **tau);

#endif
