/* panel_equal.h: a Check assertion that two panels are the same panel,
 * field by field and bit for bit (engine/panel/panel.h): the persons and their
 * ids in order, the age grid, windows, skip, nonzero and exception cells,
 * the constants c_i, and the covariates (not what drop_missing dropped,
 * which the tests check themselves). For the tests of the readers,
 * which must build the same panel from the same data in any layout. */
#ifndef GBTM_TEST_PANEL_EQUAL_H
#define GBTM_TEST_PANEL_EQUAL_H

#include <check.h>
#include <string.h>

#include "panel/panel.h"

static inline void panel_arrays_eq(const void *a, const void *b, size_t bytes, const char *what) {
  ck_assert_msg(bytes == 0 || memcmp(a, b, bytes) == 0, "panels differ in %s", what);
}

static inline void ck_assert_panels_equal(const gbtm_panel *a, const gbtm_panel *b) {
  ck_assert_uint_eq(a->n, b->n);
  ck_assert_uint_eq(a->T, b->T);
  ck_assert_uint_eq(a->n_obs, b->n_obs);
  ck_assert_uint_eq(a->n_nonzero, b->n_nonzero);
  ck_assert_msg(a->total == b->total, "totals %.17g and %.17g", a->total, b->total);
  ck_assert_int_eq(a->has_exposure, b->has_exposure);
  size_t n = a->n;
  panel_arrays_eq(a->age, b->age, a->T * sizeof *a->age, "age grid");
  for (size_t i = 0; i < n; i++) ck_assert_str_eq(a->id[i], b->id[i]);
  panel_arrays_eq(a->lo, b->lo, n * sizeof *a->lo, "lo");
  panel_arrays_eq(a->hi, b->hi, n * sizeof *a->hi, "hi");
  panel_arrays_eq(a->skip_start, b->skip_start, (n + 1) * sizeof *a->skip_start, "skip_start");
  panel_arrays_eq(a->nz_start, b->nz_start, (n + 1) * sizeof *a->nz_start, "nz_start");
  panel_arrays_eq(a->ex_start, b->ex_start, (n + 1) * sizeof *a->ex_start, "ex_start");
  panel_arrays_eq(a->skip_t, b->skip_t, a->skip_start[n] * sizeof *a->skip_t, "skip_t");
  panel_arrays_eq(a->nz_t, b->nz_t, a->nz_start[n] * sizeof *a->nz_t, "nz_t");
  panel_arrays_eq(a->nz_y, b->nz_y, a->nz_start[n] * sizeof *a->nz_y, "nz_y");
  panel_arrays_eq(a->ex_t, b->ex_t, a->ex_start[n] * sizeof *a->ex_t, "ex_t");
  panel_arrays_eq(a->ex_y, b->ex_y, a->ex_start[n] * sizeof *a->ex_y, "ex_y");
  panel_arrays_eq(a->ex_e, b->ex_e, a->ex_start[n] * sizeof *a->ex_e, "ex_e");
  ck_assert_int_eq(a->n_risk, b->n_risk);
  ck_assert_int_eq(a->n_tcov, b->n_tcov);
  for (int j = 0; j < a->n_risk; j++) ck_assert_str_eq(a->risk_name[j], b->risk_name[j]);
  for (int j = 0; j < a->n_tcov; j++) ck_assert_str_eq(a->tcov_name[j], b->tcov_name[j]);
  if (a->n_risk) panel_arrays_eq(a->risk, b->risk, n * (size_t)a->n_risk * sizeof *a->risk, "risk factors");
  if (a->n_tcov) {
    panel_arrays_eq(a->obs_start, b->obs_start, (n + 1) * sizeof *a->obs_start, "obs_start");
    panel_arrays_eq(a->tcov, b->tcov, a->n_obs * (size_t)a->n_tcov * sizeof *a->tcov,
                    "time-varying covariates");
  }
}

#endif
