/* panel_covariates.c: the covariates of a panel (gbtm_csv_columns): the
 * time-stable risk factors of eq. M, one value per person, and the
 * time-varying covariates of log lambda, one value per observed cell.
 *
 * panel_build_covariates() calls prepare() on the rows in the caller's
 * order (missing values: an error, or rows and persons dropped), builds the
 * panel of the rows left (panel_build_rows, panel.c), and calls fill() on
 * the rows sorted by person and age, which is the order of each person's
 * observed cells (panel_person_cells). */
#include "panel/panel_covariates.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/reduce.h"

static const char *covariate_name(const panel_covariates_in *covariates, int j) {
  return j < covariates->n_risk ? covariates->risk_name[j] : covariates->tcov_name[j - covariates->n_risk];
}

/* Whether covariate j is the weight (panel_covariates_in.weight_last). */
static bool is_weight(const panel_covariates_in *covariates, size_t j) {
  return covariates->weight_last && (int)j == covariates->n_risk - 1;
}

/* The weights given (eq. W): every one present finite and > 0. */
static gbtm_status check_weights(const panel_row *rows, size_t n, const panel_covariates_in *covariates,
                                 const char *source, gbtm_error *err) {
  if (!covariates->weight_last) return GBTM_OK;
  size_t nc = (size_t)(covariates->n_risk + covariates->n_tcov), c = (size_t)covariates->n_risk - 1;
  for (size_t j = 0; j < n; j++) {
    double w = covariates->values[j * nc + c];
    if (isnan(w) || (isfinite(w) && w > 0.0)) continue;
    char col[32] = "";
    if (covariates->column[c]) snprintf(col, sizeof col, ":%zu", covariates->column[c]);
    return gbtm_fail(err, GBTM_ERR_DATA, "%s:%llu%s: weight \"%s\" is %.17g; a weight must be finite and > 0",
                     source, (unsigned long long)rows[j].line, col, covariates->risk_name[c], w);
  }
  return GBTM_OK;
}

static gbtm_status check_names(const panel_covariates_in *covariates, gbtm_error *err) {
  if (covariates->n_risk < 0 || covariates->n_risk > GBTM_MAX_RISK || covariates->n_tcov < 0 || covariates->n_tcov > GBTM_MAX_TCOV)
    return gbtm_fail(err, GBTM_ERR_USAGE, "at most %d risk factors and %d time-varying covariates",
                     GBTM_MAX_RISK, GBTM_MAX_TCOV);
  int nc = covariates->n_risk + covariates->n_tcov;
  for (int j = 0; j < nc; j++) {
    const char *name = covariate_name(covariates, j);
    if (!name || !name[0]) return gbtm_fail(err, GBTM_ERR_USAGE, "covariate %d has no name", j + 1);
    if (strlen(name) >= GBTM_NAME_MAX)
      return gbtm_fail(err, GBTM_ERR_USAGE, "covariate name \"%s\" is longer than %d bytes", name,
                       GBTM_NAME_MAX - 1);
    for (int l = 0; l < j; l++)
      if (strcmp(name, covariate_name(covariates, l)) == 0)
        return gbtm_fail(err, GBTM_ERR_USAGE, "covariate \"%s\" is named twice", name);
  }
  return GBTM_OK;
}

/* On the rows in the caller's order: sets rows[j].index = j, then either
 * reports the first missing value or, with drop_missing, drops rows and
 * persons (compacting rows and ids, freeing the dropped ids) and counts
 * them. */
static gbtm_status prepare(panel_row *rows, size_t *n_rows, char **ids, size_t *n_persons,
                           const panel_covariates_in *covariates, const char *source, size_t *dropped_rows,
                           size_t *dropped_persons, gbtm_error *err) {
  *dropped_rows = *dropped_persons = 0;
  gbtm_status st = check_names(covariates, err);
  if (st != GBTM_OK) return st;
  size_t n = *n_rows, np = *n_persons, nc = (size_t)(covariates->n_risk + covariates->n_tcov);
  if (n > UINT32_MAX)
    return gbtm_fail(err, GBTM_ERR_DATA, "%s: more than %u rows with covariates", source, UINT32_MAX);
  for (size_t j = 0; j < n; j++) rows[j].index = (uint32_t)j;
  if ((st = check_weights(rows, n, covariates, source, err)) != GBTM_OK) return st;
  if (!covariates->drop_missing) {
    for (size_t j = 0; j < n; j++)
      for (size_t c = 0; c < nc; c++)
        if (isnan(covariates->values[j * nc + c])) {
          char col[32] = "";
          if (covariates->column[c]) snprintf(col, sizeof col, ":%zu", covariates->column[c]);
          return gbtm_fail(err, GBTM_ERR_DATA,
                           "%s:%llu%s: missing value of %s \"%s\" (or drop such %s with --drop-missing)",
                           source, (unsigned long long)rows[j].line, col,
                           is_weight(covariates, c) ? "weight"
                           : (int)c < covariates->n_risk ? "risk factor" : "time-varying covariate",
                           covariate_name(covariates, (int)c), (int)c < covariates->n_risk ? "persons" : "rows");
        }
    return GBTM_OK;
  }
  /* Persons with a missing risk factor on any row go whole; rows with a
   * missing time-varying covariate go alone; persons left without rows go. */
  unsigned char *gone = calloc(np ? np : 1, 1);
  size_t *rows_left = calloc(np ? np : 1, sizeof *rows_left);
  uint32_t *remap = malloc((np ? np : 1) * sizeof *remap);
  if (!gone || !rows_left || !remap) {
    free(gone), free(rows_left), free(remap);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory dropping missing covariates");
  }
  for (size_t j = 0; j < n; j++)
    for (int c = 0; c < covariates->n_risk; c++)
      if (isnan(covariates->values[j * nc + (size_t)c])) gone[rows[j].person] = 1;
  size_t kept = 0;
  for (size_t j = 0; j < n; j++) {
    bool drop = gone[rows[j].person];
    for (size_t c = (size_t)covariates->n_risk; c < nc && !drop; c++) drop = isnan(covariates->values[j * nc + c]);
    if (drop) continue;
    rows_left[rows[j].person]++;
    rows[kept++] = rows[j];
  }
  size_t np_kept = 0;
  for (size_t i = 0; i < np; i++) {
    if (rows_left[i] == 0) {
      free(ids[i]);
      ids[i] = NULL;
      continue;
    }
    remap[i] = (uint32_t)np_kept;
    ids[np_kept++] = ids[i];
  }
  for (size_t j = 0; j < kept; j++) rows[j].person = remap[rows[j].person];
  *dropped_rows = n - kept;
  *dropped_persons = np - np_kept;
  *n_rows = kept;
  *n_persons = np_kept;
  free(gone), free(rows_left), free(remap);
  return GBTM_OK;
}

/* On the rows sorted by (person, age), one per observed cell: copies the
 * covariates into p and checks that risk factors are constant per person. */
static gbtm_status fill(gbtm_panel *p, const panel_row *rows, const panel_covariates_in *covariates,
                        const char *source, gbtm_error *err) {
  size_t nc = (size_t)(covariates->n_risk + covariates->n_tcov), R = (size_t)covariates->n_risk, C = (size_t)covariates->n_tcov;
  p->n_risk = covariates->n_risk;
  p->n_tcov = covariates->n_tcov;
  for (size_t j = 0; j < R; j++) snprintf(p->risk_name[j], GBTM_NAME_MAX, "%s", covariates->risk_name[j]);
  for (size_t j = 0; j < C; j++) snprintf(p->tcov_name[j], GBTM_NAME_MAX, "%s", covariates->tcov_name[j]);
  if (R && !(p->risk = malloc(p->n * R * sizeof *p->risk)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the risk factors");
  if (C && (!(p->tcov = malloc(p->n_obs * C * sizeof *p->tcov)) ||
            !(p->obs_start = malloc((p->n + 1) * sizeof *p->obs_start))))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the time-varying covariates");
  size_t a = 0;
  for (size_t i = 0; i < p->n; i++) {
    size_t first = a;
    if (C) p->obs_start[i] = a;
    for (size_t c = 0; c < R; c++) p->risk[i * R + c] = covariates->values[(size_t)rows[a].index * nc + c];
    for (; a < p->n_obs && rows[a].person == i; a++) {
      const double *v = covariates->values + (size_t)rows[a].index * nc;
      for (size_t c = 0; c < R; c++)
        if (v[c] != p->risk[i * R + c]) {
          char col[32] = "";
          if (covariates->column[c]) snprintf(col, sizeof col, ":%zu", covariates->column[c]);
          if (is_weight(covariates, c))
            return gbtm_fail(err, GBTM_ERR_DATA,
                             "%s:%llu%s: weight \"%s\" of person %s varies within the person "
                             "(%.17g here, %.17g on line %llu); a weight is one value per person",
                             source, (unsigned long long)rows[a].line, col, covariates->risk_name[c], p->id[i],
                             v[c], p->risk[i * R + c], (unsigned long long)rows[first].line);
          return gbtm_fail(err, GBTM_ERR_DATA,
                           "%s:%llu%s: risk factor \"%s\" of person %s varies within the person "
                           "(%.17g here, %.17g on line %llu); a risk factor is time-stable",
                           source, (unsigned long long)rows[a].line, col, covariates->risk_name[c], p->id[i],
                           v[c], p->risk[i * R + c], (unsigned long long)rows[first].line);
        }
      for (size_t c = 0; c < C; c++) p->tcov[a * C + c] = v[R + c];
    }
  }
  if (C) p->obs_start[p->n] = a;
  return GBTM_OK;
}

gbtm_status panel_build_covariates(panel_row *rows, size_t n_rows, char **ids, size_t n_persons,
                                   const char *source, size_t age_column,
                                   const panel_covariates_in *covariates, gbtm_panel **out,
                                   gbtm_error *err) {
  *out = NULL;
  if (!covariates) return panel_build(rows, n_rows, ids, n_persons, source, age_column, out, err);
  if (!source) source = "rows";
  size_t dropped_rows = 0, dropped_persons = 0;
  gbtm_status st = prepare(rows, &n_rows, ids, &n_persons, covariates, source, &dropped_rows,
                           &dropped_persons, err);
  if (st == GBTM_OK && n_rows == 0 && dropped_rows > 0)
    st = gbtm_fail(err, GBTM_ERR_DATA, "%s: every row has a missing covariate (%zu dropped)", source,
                   dropped_rows);
  if (st != GBTM_OK) {
    for (size_t i = 0; i < n_persons; i++) free(ids[i]);
    free(ids);
    return st;
  }
  gbtm_panel *p;
  panel_row *sorted;
  if ((st = panel_build_rows(rows, n_rows, ids, n_persons, source, age_column, &p, &sorted, err)) != GBTM_OK)
    return st;
  p->dropped_rows = dropped_rows;
  p->dropped_persons = dropped_persons;
  st = fill(p, sorted, covariates, source, err);
  if (sorted != rows) free(sorted);
  if (st != GBTM_OK) {
    gbtm_panel_free(p);
    return st;
  }
  *out = p;
  return GBTM_OK;
}

gbtm_status panel_covariates_of_cells(const gbtm_panel *p, const size_t *persons, size_t n,
                                      panel_covariates_in *covariates, double **values, gbtm_error *err) {
  memset(covariates, 0, sizeof *covariates);
  *values = NULL;
  size_t R = (size_t)p->n_risk, C = (size_t)p->n_tcov, nc = R + C;
  if (nc == 0) return GBTM_OK;
  size_t cells = 0;
  for (size_t j = 0; j < n; j++) cells += panel_person_cells(p, persons[j], NULL, NULL, NULL);
  double *v = malloc((cells ? cells : 1) * nc * sizeof *v);
  if (!v) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory copying covariates");
  size_t r = 0;
  for (size_t j = 0; j < n; j++) {
    size_t i = persons[j], m = panel_person_cells(p, i, NULL, NULL, NULL);
    for (size_t c = 0; c < m; c++, r++) {
      for (size_t l = 0; l < R; l++) v[r * nc + l] = p->risk[i * R + l];
      for (size_t l = 0; l < C; l++) v[r * nc + R + l] = p->tcov[(p->obs_start[i] + c) * C + l];
    }
  }
  covariates->n_risk = p->n_risk;
  covariates->n_tcov = p->n_tcov;
  for (size_t l = 0; l < R; l++) covariates->risk_name[l] = p->risk_name[l];
  for (size_t l = 0; l < C; l++) covariates->tcov_name[l] = p->tcov_name[l];
  covariates->values = v;
  *values = v;
  return GBTM_OK;
}

int gbtm_panel_n_risk(const gbtm_panel *p) { return p ? p->n_risk : 0; }
int gbtm_panel_n_tcov(const gbtm_panel *p) { return p ? p->n_tcov : 0; }
const double *gbtm_panel_risk(const gbtm_panel *p) { return p ? p->risk : NULL; }
size_t gbtm_panel_dropped_rows(const gbtm_panel *p) { return p ? panel_sizes_all(p).dropped_rows : 0; }
size_t gbtm_panel_dropped_persons(const gbtm_panel *p) { return p ? panel_sizes_all(p).dropped_persons : 0; }
size_t gbtm_panel_missing_responses(const gbtm_panel *p) { return p ? panel_sizes_all(p).missing_responses : 0; }

const char *gbtm_panel_risk_name(const gbtm_panel *p, int j) {
  return p && j >= 0 && j < p->n_risk ? p->risk_name[j] : NULL;
}

const char *gbtm_panel_tcov_name(const gbtm_panel *p, int j) {
  return p && j >= 0 && j < p->n_tcov ? p->tcov_name[j] : NULL;
}

double gbtm_panel_tcov_mean(const gbtm_panel *p, int j) {
  if (!p || j < 0 || j >= p->n_tcov || panel_sizes_all(p).n_obs == 0) return NAN;
  double s = 0.0;
  for (size_t a = 0; a < p->n_obs; a++) s += p->tcov[a * (size_t)p->n_tcov + (size_t)j];
  reduce_sum(p->procs, &s, 1);
  return s / (double)panel_sizes_all(p).n_obs;
}
