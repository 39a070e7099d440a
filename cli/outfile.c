/* outfile.c: the commands' output files (outfile.h), the library's
 * gbtm_atomic_file with its messages printed the commands' way. */
#include "outfile.h"

#include "cli_util.h"

bool outfile_open(outfile *f, const char *cmd, const char *path) {
  gbtm_error err;
  if (gbtm_atomic_file_open(f, path, &err) == GBTM_OK) return true;
  cli_error(cmd, "%s", err.message);
  return false;
}

bool outfile_commit(outfile *f, const char *cmd) {
  gbtm_error err;
  if (gbtm_atomic_file_commit(f, &err) == GBTM_OK) return true;
  cli_error(cmd, "%s", err.message);
  return false;
}

void outfile_discard(outfile *f) { gbtm_atomic_file_discard(f); }
