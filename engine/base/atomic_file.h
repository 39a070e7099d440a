/* atomic_file.h: files that appear whole or not at all. A file is written
 * under a temporary name .NAME.gbtm-tmp-PID in the folder of its target
 * (the name path's symbolic links lead to), flushed and fsynced, then
 * renamed over the target; a run that fails removes the temporary file and
 * leaves any earlier file as it was. A device or FIFO is written directly.
 * The full contract is gbtm_atomic_file's in gbtm.h. */
#ifndef GBTM_ATOMIC_FILE_H
#define GBTM_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "gbtm.h"

/* The public gbtm_atomic_file (gbtm.h), by its internal name. */
typedef gbtm_atomic_file atomic_file;

/* gbtm_atomic_file_check() (gbtm.h). */
gbtm_status atomic_file_check(const char *path, bool by_name, char **target, char **tmp, gbtm_error *err);
/* Creates the temporary file, mode 0666 & ~umask, open as f->fp.
 * "PATH: cannot create the file: <reason>" on failure. */
gbtm_status atomic_file_open(atomic_file *f, const char *path, gbtm_error *err);
/* The same, but closes the stream: for writers that open files by name
 * (HDF5), which then write f->tmp themselves before the commit. */
gbtm_status atomic_file_reserve(atomic_file *f, const char *path, gbtm_error *err);
/* Flushes, fsyncs, closes and renames into place; on failure removes the
 * temporary file: "PATH: cannot write the file: <reason>". */
gbtm_status atomic_file_commit(atomic_file *f, gbtm_error *err);
/* Removes the temporary file of a write that did not get to the end; a
 * no-op on a committed or zeroed atomic_file. */
void atomic_file_discard(atomic_file *f);

#endif
