/* report_bootstrap.h: the bootstrap part of the fit report. */
#ifndef GBTM_CLI_REPORT_BOOTSTRAP_H
#define GBTM_CLI_REPORT_BOOTSTRAP_H

#include <stdio.h>

#include "gbtm.h"
#include "json.h"

void report_bootstrap_text(FILE *out, const gbtm_fit_result *res, const gbtm_bootstrap *b);
/* The fit's JSON object (report_json's members) with a "bootstrap" member. */
void report_json_with_bootstrap(FILE *out, const char *data_name, const gbtm_fit_result *res,
                                const gbtm_bootstrap *b);

#endif
