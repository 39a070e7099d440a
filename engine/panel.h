/* panel.h defines the in-memory person x age panel (DESIGN §1, §3).
 *
 * Offence panels are mostly zeros, so a panel holds, per person i:
 * - a window [lo_i, hi_i] of age indices: the first and last observed ages;
 * - "skip" cells inside the window that are not regular: the unobserved ages
 *   (gaps) and the observed cells whose exposure differs from 1;
 * - the nonzero counts of regular cells (regular = observed with E = 1), CSR;
 * - the exception cells (observed with E != 1: age index, count, exposure), CSR;
 * - c_i = sum over observed cells of (y log E - log y!), the part of eq. L
 *   that no parameter touches.
 * So every regular cell is "in the window and not skipped", and its count is
 * 0 unless listed among the nonzeros. Kernels add a per-(k,t) base value over
 * the window by prefix sums, take the skip cells back out, and add the
 * nonzero and exception cells (engine/estep.c).
 */
#ifndef GBTM_PANEL_H
#define GBTM_PANEL_H

#include "error.h"
#include "gbtm.h"

struct gbtm_panel {
  size_t n;         /* persons */
  size_t T;         /* distinct ages */
  size_t n_obs;     /* observed cells */
  size_t n_nonzero; /* observed cells with y > 0 */
  double total;     /* sum of counts */
  bool has_exposure;
  double *age; /* T ascending */
  char **id;   /* n person ids */
  uint32_t *lo, *hi; /* n windows, lo <= hi */
  size_t *skip_start; /* n + 1 */
  uint32_t *skip_t;
  size_t *nz_start; /* n + 1 */
  uint32_t *nz_t;
  int32_t *nz_y;
  size_t *ex_start; /* n + 1 */
  uint32_t *ex_t;
  int32_t *ex_y;
  double *ex_e;
  double *logc; /* n */
};

/* One observed row on its way into a panel. */
typedef struct panel_row {
  uint32_t person; /* index into the id list */
  double age;
  int64_t count;
  double exposure;
  uint64_t line; /* source line, for messages */
} panel_row;

/* Builds a panel from rows (reordered in place) and n_persons ids (the panel
 * takes ownership of ids and of each string, also on failure). source and
 * age_column name the origin in messages ("file.csv", column of the age
 * field): duplicates are reported as source:line:column. */
gbtm_status panel_build(panel_row *rows, size_t n_rows, char **ids, size_t n_persons,
                        const char *source, size_t age_column, gbtm_panel **out,
                        gbtm_error *err);

/* Writes the observed cells of person i, ascending in age, into t[], y[]
 * and e[] (each with room for panel->T entries); returns how many. */
size_t panel_person_cells(const gbtm_panel *panel, size_t i, uint32_t *t, int32_t *y,
                          double *e);

#endif
