/* memory_limit.h: the --max-memory SIZE option of the commands that read a
 * panel and fit it (fit, select): before the data is read, the memory the
 * read and the fit will need is estimated (gbtm_memory_estimate) and
 * the run is refused, with exit status 2 and a message giving both sizes,
 * when it is more than the limit. The default limit is the memory the
 * system has available (MemAvailable in /proc/meminfo). */
#ifndef GBTM_CLI_MEMORY_LIMIT_H
#define GBTM_CLI_MEMORY_LIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "gbtm.h"

/* The lines of --help for the option. */
#define CLI_MAX_MEMORY_HELP                                                                      \
  "  --max-memory SIZE  refuse to start when reading the data and fitting would\n"              \
  "                     need more memory than SIZE (e.g. 512M, 8G; K, M, G, T are\n"           \
  "                     powers of 1024) (default: the memory available, MemAvailable\n"        \
  "                     of /proc/meminfo)\n"

/* Whether text is a valid SIZE; when not, false with a message naming
 * --max-memory in why[why_size]. */
bool cli_memory_limit_parse(const char *text, char *why, size_t why_size);

/* Checks the estimate for the data file against limit (the option's text,
 * or NULL for the default). Returns -1 to go on, or the exit status to end
 * with after a message on stderr as `gbtm CMD: error: ...`: 2 for a
 * malformed SIZE or an estimate above the limit. A data file that cannot
 * be scanned is left to the reader to report (-1). The limit also goes to
 * the reader as columns->max_bytes: input that was not estimated (a pipe,
 * a device, an HDF5 panel) is refused there as it arrives. */
int cli_memory_limit_check(const char *cmd, const char *limit, const char *data,
                           gbtm_csv_columns *columns, const gbtm_memory_work *work);

#endif
