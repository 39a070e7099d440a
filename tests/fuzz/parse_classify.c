/* parse_classify.c: the option parser of `gbtm classify` on its own, for
 * the fuzz target fuzz_options: cli/cmd_classify.c compiled here
 * whole, with its command function renamed (see parse_fit.c). */
#define cmd_classify fuzz_cmd_classify_whole
#include "cmd_classify.c"

#include "fuzz_parse.h"

int fuzz_parse_classify(int argc, char **argv) {
  classify_args a;
  int rc = parse_args(argc, argv, &a);
  cli_columns_free(&a.column_args);
  posterior_keep_free(&a.keep); /* as cmd_classify does after its parse */
  return rc;
}
