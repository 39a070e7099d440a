/* report_multi.h: the report of a multi-trajectory fit (eq. MT), as text
 * and as one JSON object with an "outcomes" array. */
#ifndef GBTM_REPORT_MULTI_H
#define GBTM_REPORT_MULTI_H

#include <stdio.h>

#include "gbtm.h"

void report_multi_text(FILE *out, const char *data, const gbtm_multi_result *res);
void report_multi_json(FILE *out, const char *data, const gbtm_multi_result *res);
/* Whether fit's command line is a multi-trajectory one (cmd_fit_multi.c). */
bool fit_is_multi(int argc, char **argv);
int cmd_fit_multi(int argc, char **argv);

#endif
