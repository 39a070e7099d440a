/* parse_select.c: the option parser of `gbtm select` on its own, for the
 * fuzz target fuzz_options: cli/cmd_select.c compiled here whole,
 * with its command function renamed (see parse_fit.c). */
#define cmd_select fuzz_cmd_select_whole
#include "cmd_select.c"

#include "fuzz_parse.h"

int fuzz_parse_select(int argc, char **argv) {
  select_args a;
  optind = 0; /* a full restart of getopt's state (glibc) */
  int rc = parse_args(argc, argv, &a);
  cli_columns_free(&a.column_args);
  return rc;
}
