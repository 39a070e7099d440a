/* panel_rows.c: panels made from rows that the caller holds
 * (gbtm_panel_from_rows, gbtm_panel_from_rows_covariates) and from some persons of
 * a panel (gbtm_panel_subset), through panel_build_covariates(), so that
 * they are built and checked like any panel read from a file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/idtable.h"
#include "panel/panel.h"
#include "panel/panel_covariates.h"

gbtm_status gbtm_panel_from_rows(size_t n, const char *const *id, const double *age,
                                 const int64_t *count, const double *exposure,
                                 const char *source, gbtm_panel **out, gbtm_error *err) {
  return gbtm_panel_from_rows_covariates(n, id, age, count, exposure, NULL, source, out, err);
}

/* The rows' panel, with the responses as counts (count) or as reals (real). */
static gbtm_status from_rows(size_t n, const char *const *id, const double *age, const int64_t *count,
                             const double *real, const double *exposure, const gbtm_panel_covariates *covariates,
                             const char *source, gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  if (!source) source = "rows";
  if (n == 0) return gbtm_fail(err, GBTM_ERR_PARSE, "%s: no data rows", source);
  panel_row *rows = malloc(n * sizeof *rows);
  idtable *table = idtable_alloc(0);
  if (!rows || !table) {
    free(rows);
    idtable_free(table);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory reading %s", source);
  }
  gbtm_status st = GBTM_OK;
  for (size_t j = 0; j < n && st == GBTM_OK; j++) {
    unsigned long long line = (unsigned long long)j + 1;
    double e = exposure ? exposure[j] : 1.0;
    if (!id[j] || !id[j][0])
      st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:1: id is empty", source, line);
    else if (!isfinite(age[j]))
      st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:2: age \"%.17g\" is not a finite number", source,
                     line, age[j]);
    else if (real && !isfinite(real[j]))
      st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:3: count \"%.17g\" is not a finite number", source,
                     line, real[j]);
    else if (!real && count[j] < 0)
      st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:3: count \"%lld\" is not a non-negative integer",
                     source, line, (long long)count[j]);
    else if (!real && count[j] > INT32_MAX)
      st = gbtm_fail(err, GBTM_ERR_PARSE,
                     "%s:%llu:3: count \"%lld\" too large (at most 2147483647)", source, line,
                     (long long)count[j]);
    else if (!(isfinite(e) && e > 0.0))
      st = gbtm_fail(err, GBTM_ERR_PARSE,
                     "%s:%llu:4: exposure \"%.17g\" is not a finite number > 0", source, line, e);
    else if (!idtable_intern(table, id[j], strlen(id[j]), &rows[j].person, NULL))
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory reading %s", source);
    rows[j].age = age[j];
    rows[j].count = real ? real[j] : (double)count[j];
    rows[j].exposure = e;
    rows[j].line = line;
    rows[j].real_response = real != NULL;
  }
  if (st != GBTM_OK) {
    free(rows);
    idtable_free(table);
    return st;
  }
  size_t n_ids;
  char **ids = idtable_take_ids(table, &n_ids);
  idtable_free(table);
  panel_covariates_in in = {0};
  double *values = NULL;
  if (covariates && covariates->n_risk + covariates->n_tcov > 0) {
    int R = covariates->n_risk, C = covariates->n_tcov, nc = R + C;
    if (R < 0 || R > GBTM_MAX_RISK || C < 0 || C > GBTM_MAX_TCOV || (R && !covariates->risk) || (C && !covariates->tcov)) {
      free(rows);
      for (size_t i = 0; i < n_ids; i++) free(ids[i]);
      free(ids);
      return gbtm_fail(err, GBTM_ERR_USAGE, "%s: malformed covariates", source);
    }
    if (!(values = malloc(n * (size_t)nc * sizeof *values))) {
      free(rows);
      for (size_t i = 0; i < n_ids; i++) free(ids[i]);
      free(ids);
      return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory reading %s", source);
    }
    for (size_t j = 0; j < n; j++) {
      for (int c = 0; c < R; c++) values[j * (size_t)nc + (size_t)c] = covariates->risk[j * (size_t)R + (size_t)c];
      for (int c = 0; c < C; c++) values[j * (size_t)nc + (size_t)(R + c)] = covariates->tcov[j * (size_t)C + (size_t)c];
    }
    in.n_risk = R;
    in.n_tcov = C;
    for (int c = 0; c < R; c++) in.risk_name[c] = covariates->risk_name[c];
    for (int c = 0; c < C; c++) in.tcov_name[c] = covariates->tcov_name[c];
    for (int c = 0; c < nc; c++) in.column[c] = (size_t)(5 + c);
    in.values = values;
    in.drop_missing = covariates->drop_missing;
  }
  st = panel_build_covariates(rows, n, ids, n_ids, source, 2, values ? &in : NULL, out, err);
  free(values);
  free(rows);
  return st;
}

gbtm_status gbtm_panel_from_rows_covariates(size_t n, const char *const *id, const double *age,
                                     const int64_t *count, const double *exposure,
                                     const gbtm_panel_covariates *covariates, const char *source,
                                     gbtm_panel **out, gbtm_error *err) {
  return from_rows(n, id, age, count, NULL, exposure, covariates, source, out, err);
}

gbtm_status gbtm_panel_from_rows_real(size_t n, const char *const *id, const double *age,
                                      const double *response, const double *exposure,
                                      const gbtm_panel_covariates *covariates, const char *source,
                                      gbtm_panel **out, gbtm_error *err) {
  return from_rows(n, id, age, NULL, response, exposure, covariates, source, out, err);
}

/* ---- subsets ------------------------------------------------------------ */

/* The weights of a subset (eq. W): its persons' own, not rescaled, so that
 * a held-out fold's log-likelihood is on the whole panel's scale;
 * weight_total is the subset's sum. */
static gbtm_status subset_weights(const gbtm_panel *p, const size_t *persons, size_t n, gbtm_panel *sub,
                                  gbtm_error *err) {
  if (!(sub->weight = malloc(n * sizeof *sub->weight)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for a panel subset's weights");
  double total = 0.0;
  for (size_t j = 0; j < n; j++) total += sub->weight[j] = p->weight[persons[j]];
  reduce_sum(sub->procs, &total, 1);
  sub->weight_total = total;
  memcpy(sub->weight_name, p->weight_name, sizeof sub->weight_name);
  memcpy(sub->weight_given, p->weight_given, sizeof sub->weight_given);
  return GBTM_OK;
}

/* The persons[0..n-1] of p as a new panel, through rows and panel_build, so
 * that the subset is built and checked like any other panel: its age grid
 * is the distinct ages of those persons. Cost O(cells of the subset). */
gbtm_status gbtm_panel_subset(const gbtm_panel *p, const size_t *persons, size_t n,
                              gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  if (n == 0) return gbtm_fail(err, GBTM_ERR_USAGE, "panel subset: no persons");
  unsigned char *seen = calloc(p->n, 1);
  if (!seen) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for a panel subset");
  size_t n_rows = 0;
  for (size_t j = 0; j < n; j++) {
    size_t i = persons[j];
    if (i >= p->n || seen[i]) {
      bool twice = i < p->n;
      free(seen);
      if (twice) return gbtm_fail(err, GBTM_ERR_USAGE, "panel subset: person %zu given twice", i);
      return gbtm_fail(err, GBTM_ERR_USAGE, "panel subset: person %zu out of range (%zu persons)",
                       i, p->n);
    }
    seen[i] = 1;
    n_rows += panel_person_cells(p, i, NULL, NULL, NULL);
  }
  free(seen);
  panel_row *rows = malloc(n_rows * sizeof *rows);
  char **ids = calloc(n, sizeof *ids);
  uint32_t *t = malloc((p->T ? p->T : 1) * sizeof *t);
  double *y = malloc((p->T ? p->T : 1) * sizeof *y);
  double *e = malloc((p->T ? p->T : 1) * sizeof *e);
  bool ok = rows && ids && t && y && e;
  size_t r = 0;
  for (size_t j = 0; ok && j < n; j++) {
    size_t i = persons[j], len = strlen(p->id[i]) + 1;
    if (!(ids[j] = malloc(len))) {
      ok = false;
      break;
    }
    memcpy(ids[j], p->id[i], len);
    size_t nc = panel_person_cells(p, i, t, y, e);
    for (size_t c = 0; c < nc; c++, r++)
      rows[r] = (panel_row){.person = (uint32_t)j, .age = p->age[t[c]], .count = y[c],
                            .exposure = e[c], .line = (uint64_t)r + 1,
                            .real_response = !panel_count_value(y[c])};
  }
  free(t);
  free(y);
  free(e);
  if (!ok) {
    if (ids)
      for (size_t j = 0; j < n; j++) free(ids[j]);
    free(ids);
    free(rows);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for a panel subset");
  }
  panel_covariates_in covariates;
  double *values = NULL;
  gbtm_status st = panel_covariates_of_cells(p, persons, n, &covariates, &values, err);
  if (st != GBTM_OK) {
    for (size_t j = 0; j < n; j++) free(ids[j]);
    free(ids);
    free(rows);
    return st;
  }
  st = panel_build_covariates(rows, n_rows, ids, n, "subset", 2, values ? &covariates : NULL, out, err); /* takes ids */
  free(values);
  free(rows);
  if (st == GBTM_OK && p->weight) st = subset_weights(p, persons, n, *out, err);
  if (st != GBTM_OK) {
    gbtm_panel_free(*out);
    *out = NULL;
  }
  return st;
}
