/* fuzz_file.h: the fuzz targets hand their input to readers that take a
 * path. One file per fuzz process, in a private folder under $TMPDIR (else
 * /dev/shm, a memory file system, where there is one, else /tmp), holds
 * the current input; it is removed when the process exits through exit().
 * libFuzzer ends some runs with _Exit(), so scripts/fuzz.sh points TMPDIR
 * at a folder of its own and removes it after each target. (A memfd's
 * /proc/self/fd path will not do: HDF5 resolves a file's real path.) */
#ifndef GBTM_FUZZ_FILE_H
#define GBTM_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Replaces the file's content with data[0..size) and returns its path
 * (the same for the whole run); aborts when the system refuses. */
const char *fuzz_file(const uint8_t *data, size_t size);

#endif
