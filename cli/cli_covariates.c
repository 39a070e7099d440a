/* cli_covariates.c: --refgroup K and --tcov-fixed W1,...,WC, shared by the
 * commands that fit (cli_covariates.h). Values are checked against the data
 * by the library (gbtm_fit_options_check). */
#include "cli_covariates.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

bool cli_covariate_option(int opt, const char *arg, gbtm_fit_options *o, bool *handled, char *why,
                          size_t why_size) {
  *handled = opt == CLI_OPT_REFGROUP || opt == CLI_OPT_TCOV_FIXED;
  if (opt == CLI_OPT_REFGROUP) {
    int k;
    if (!cli_parse_int("--refgroup", arg, 1, GBTM_MAX_GROUPS, &k, why, why_size)) return false;
    o->refgroup = k - 1;
    return true;
  }
  if (opt != CLI_OPT_TCOV_FIXED) return true;
  const char *s = arg;
  for (int j = 0;; j++) {
    if (j == GBTM_MAX_TCOV) {
      snprintf(why, why_size, "--tcov-fixed: at most %d values", GBTM_MAX_TCOV);
      return false;
    }
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || (*end != ',' && *end != '\0') || memchr(s, 'x', (size_t)(end - s)) ||
        memchr(s, 'X', (size_t)(end - s))) { /* decimal numbers only, as in the data */
      snprintf(why, why_size, "--tcov-fixed: \"%s\" is not a list of finite decimal numbers", arg);
      return false;
    }
    o->tcov_fixed[j] = v;
    if (*end == '\0') return true;
    s = end + 1;
  }
}
