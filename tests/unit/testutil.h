/* testutil.h: small helpers shared by the Check suites (temporary files,
 * reference-data paths). */
#ifndef GBTM_TESTUTIL_H
#define GBTM_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gbtm.h"
#include "model/model.h"
#include "gbtm_presets.h"

/* Writes text to a fresh temporary file and returns its path (static buffer
 * of the caller: path must hold 64 bytes). */
void test_write_file(char *path, const char *text);
/* Path of a file in shared/refdata (GBTM_REFDATA), into buf. */
const char *test_refdata(char *buf, size_t len, const char *name);

/* The built-in cohort (gbtm_preset "rapporteur-2024") of n persons, drawn
 * with seed. Exits on failure. */
gbtm_panel *test_cohort(size_t n, uint64_t seed);

/* A random unbalanced panel: n persons on T ages from 10 (step 0.5 when
 * fractional), windows of random length, gaps with probability gap, and an
 * exposure below 1 in a share exp_share of cells. Exits on failure. */
gbtm_panel *test_random_panel(size_t n, int T, double gap, double exp_share, unsigned long seed,
                              bool fractional);

#endif
