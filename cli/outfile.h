/* outfile.h: output files that appear whole or not at all. A file is
 * written under a temporary name .NAME.gbtm-tmp-PID beside its target (so
 * that an unwritable folder is reported before any work) and renamed into
 * place when complete; a run that fails leaves an existing file as it was.
 * The temporary name is held for the signal handler (signals.h), which
 * removes it if the command is interrupted. */
#ifndef GBTM_CLI_OUTFILE_H
#define GBTM_CLI_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "gbtm.h"

typedef gbtm_atomic_file outfile;

/* Creates the temporary file, mode 0666 & ~umask, open as f->fp
 * (gbtm_atomic_file_open). On failure reports "gbtm <cmd>: error: PATH:
 * cannot create the file: ..." and returns false. */
bool outfile_open(outfile *f, const char *cmd, const char *path);
/* The same for a file written by name, f->tmp (gbtm_atomic_file_reserve). */
bool outfile_reserve(outfile *f, const char *cmd, const char *path);
/* Closes the file and renames it into place; false (reported) on a write
 * error, and the temporary file is removed. */
bool outfile_commit(outfile *f, const char *cmd);
/* Removes the temporary file of a run that did not get to the end; a no-op
 * on a committed or never opened (zeroed) outfile. */
void outfile_discard(outfile *f);

/* For a library function that writes path itself through a temporary file
 * (gbtm_panel_write_csv, by_name false; gbtm_panel_write_h5, by_name
 * true): holds the temporary name it will use, so that a signal removes
 * it. Returns the name (or NULL) for outfile_release_name. */
char *outfile_hold_name(const char *path, bool by_name);
/* Forgets and frees a name from outfile_hold_name (NULL: nothing). */
void outfile_release_name(char *tmp);

#endif
