/* testutil.h: small helpers shared by the Check suites (temporary files,
 * reference-data paths). */
#ifndef GBTM_TESTUTIL_H
#define GBTM_TESTUTIL_H

#include <stddef.h>

/* Writes text to a fresh temporary file and returns its path (static buffer
 * of the caller: path must hold 64 bytes). */
void test_write_file(char *path, const char *text);
/* Path of a file in shared/refdata (GBTM_REFDATA), into buf. */
const char *test_refdata(char *buf, size_t len, const char *name);

#endif
