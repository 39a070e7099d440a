/* outfile.c: the commands' output files (outfile.h), the library's
 * gbtm_atomic_file with its messages printed the commands' way and its
 * temporary name held for the signal handler. */
#include "outfile.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "signals.h"

char *outfile_hold_name(const char *path, bool by_name) {
  char *tmp = NULL;
  gbtm_error err;
  if (gbtm_atomic_file_check(path, by_name, NULL, &tmp, &err) != GBTM_OK || !tmp) return NULL; /* the write reports it */
  /* A file of this name holds this process's number but is not being
   * written (one write per target): a killed process that had the number. */
  unlink(tmp);
  if (!signals_hold(tmp)) {
    free(tmp);
    return NULL;
  }
  return tmp;
}

void outfile_release_name(char *tmp) {
  if (tmp) signals_release(tmp);
  free(tmp);
}

static bool start(outfile *f, const char *cmd, const char *path, bool by_name) {
  char *tmp = outfile_hold_name(path, by_name);
  gbtm_error err;
  gbtm_status st = by_name ? gbtm_atomic_file_reserve(f, path, &err) : gbtm_atomic_file_open(f, path, &err);
  if (st == GBTM_OK && f->tmp) signals_hold(f->tmp); /* normally the name held above */
  outfile_release_name(tmp);
  if (st == GBTM_OK) return true;
  cli_error(cmd, "%s", err.message);
  return false;
}

bool outfile_open(outfile *f, const char *cmd, const char *path) { return start(f, cmd, path, false); }

bool outfile_reserve(outfile *f, const char *cmd, const char *path) { return start(f, cmd, path, true); }

bool outfile_commit(outfile *f, const char *cmd) {
  char *tmp = f->tmp ? strdup(f->tmp) : NULL;
  gbtm_error err;
  bool ok = gbtm_atomic_file_commit(f, &err) == GBTM_OK;
  outfile_release_name(tmp);
  if (!ok) cli_error(cmd, "%s", err.message);
  return ok;
}

void outfile_discard(outfile *f) {
  char *tmp = f->tmp ? strdup(f->tmp) : NULL;
  gbtm_atomic_file_discard(f);
  outfile_release_name(tmp);
}
