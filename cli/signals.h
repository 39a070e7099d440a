/* signals.h: the command's signal handling. SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT remove the temporary files of the outputs being written, then
 * end the process by the signal's default action (so that its exit status
 * is the signal's); SIGXFSZ is ignored, so that a write beyond a file-size
 * limit fails with EFBIG and is reported. The library installs none of
 * this: a program that embeds it keeps control of its signals. */
#ifndef GBTM_CLI_SIGNALS_H
#define GBTM_CLI_SIGNALS_H

#include <stdbool.h>

/* Installs the handlers (once; later calls do nothing). */
void signals_install(void);
/* Records a temporary file to remove on a signal; false when the table
 * (a fixed number of files written at once) is full or path too long. */
bool signals_hold(const char *path);
/* Forgets path (recorded by signals_hold) once it is renamed or removed. */
void signals_release(const char *path);

#endif
