/* cli_covariates.h: the options of commands that fit models with
 * covariates (fit, select): --refgroup and --tcov-fixed. The covariates
 * themselves are data columns (--risk, --tcov: cli_util.h). */
#ifndef GBTM_CLI_COVARIATES_H
#define GBTM_CLI_COVARIATES_H

#include <stdbool.h>
#include <stddef.h>

#include "gbtm.h"

enum { CLI_OPT_REFGROUP = 900, CLI_OPT_TCOV_FIXED };

#define CLI_COVARIATE_OPTIONS                                                                     \
  {"refgroup", required_argument, NULL, CLI_OPT_REFGROUP},                                        \
      {"tcov-fixed", required_argument, NULL, CLI_OPT_TCOV_FIXED}

#define CLI_COVARIATE_HELP                                                                        \
  "  --refgroup K       with --risk: the reference group of membership, whose\n"                  \
  "                     odds the others are compared with (default: 1)\n"                         \
  "  --tcov-fixed W1,.. with --tcov: the covariate values at which trajectories\n"                \
  "                     are drawn and reported (default: each one's mean)\n"

/* Applies opt when it is one of these options: *handled is then true and
 * the return false (with why) when the value is malformed. */
bool cli_covariate_option(int opt, const char *arg, gbtm_fit_options *o, bool *handled, char *why,
                          size_t why_size);

#endif
