/* outfile.h: output files that appear whole or not at all. A file is
 * written under a temporary name beside its final one (so that an
 * unwritable folder is reported before any work) and renamed into place
 * when complete; a run that fails leaves an existing file as it was. */
#ifndef GBTM_CLI_OUTFILE_H
#define GBTM_CLI_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "gbtm.h"

typedef gbtm_atomic_file outfile;

/* Creates path.XXXXXX beside path, mode 0666 & ~umask. On failure reports
 * "gbtm <cmd>: error: PATH: cannot create the file: ..." and returns false. */
bool outfile_open(outfile *f, const char *cmd, const char *path);
/* Closes the file and renames it into place; false (reported) on a write
 * error, and the temporary file is removed. */
bool outfile_commit(outfile *f, const char *cmd);
/* Removes the temporary file of a run that did not get to the end; a no-op
 * on a committed or never opened (zeroed) outfile. */
void outfile_discard(outfile *f);

#endif
