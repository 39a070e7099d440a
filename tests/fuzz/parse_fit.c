/* parse_fit.c: the option parser of `gbtm fit` on its own, for the fuzz
 * target fuzz_options. cli/cmd_fit.c is compiled here whole, with
 * its command function renamed, so that its static parse_args() runs
 * exactly as the command runs it, without reading data or fitting; the
 * command itself is not changed. */
#define cmd_fit fuzz_cmd_fit_whole
#include "cmd_fit.c"

#include "fuzz_parse.h"

int fuzz_parse_fit(int argc, char **argv) {
  fit_args a;
  optind = 0; /* a full restart of getopt's state (glibc) */
  int rc = parse_args(argc, argv, &a);
  cli_columns_free(&a.column_args);
  return rc;
}
