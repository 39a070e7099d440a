/* output_check.h: the check every writing command makes before any work:
 * each output can be written (its folder exists and is writable; it is not
 * a folder, socket or hard-linked file), no output is one of the inputs
 * (the same device and inode, links followed, whatever path names it), and
 * no two outputs are the same file. */
#ifndef GBTM_CLI_OUTPUT_CHECK_H
#define GBTM_CLI_OUTPUT_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* A file the command reads or writes, and the words that name its role in
 * a message ("the data", "-o", "--posterior"). A NULL path is skipped. */
typedef struct cli_file {
  const char *role;
  const char *path;
  bool by_name; /* an output written by name (HDF5) */
} cli_file;

/* Installs the signal handling (signals.h) and checks the outputs against
 * the inputs and each other. False (reported as "gbtm CMD: error: ...")
 * when the command must stop with exit status 2. */
bool output_check(const char *cmd, const cli_file *inputs, size_t n_inputs, const cli_file *outputs,
                  size_t n_outputs);

#endif
