/* read_native.c reads a Stata, SPSS or SAS file (its wanted variables
 * read by native_table.c through ReadStat) into a panel, in the long
 * layout (one row per person and age) or the wide one (PROC TRAJ's: one row
 * per person, the waves in variables), with the covariates of
 * gbtm_csv_columns: the same rows as the CSV readers make of the same
 * data, built by panel_build_covariates(), so that every format gives the
 * same panel.
 *
 * Missing values are the file's own: system missing, Stata's and SAS's
 * .a-.z (tagged), SPSS's user-defined missing values, and an empty string.
 * A missing count drops its row (long) or wave (wide) and is counted, as in
 * CSV; a missing covariate is an error or, with drop_missing, dropped. A
 * numeric id with value labels is the person's label (an id column
 * "labelled" with names); a labelled risk factor is its numeric code. A
 * string variable where a number is wanted is read as CSV text would be.
 * A bad value is reported as "FILE: row N, variable "NAME": ..." with the
 * row 1-based. */
#include "formats/read_native.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/idtable.h"
#include "families/family.h"
#include "formats/csv_tokens.h"
#include "formats/panel_columns.h"
#include "panel/panel.h"
#include "panel/panel_covariates.h"

#define MAX_COVARIATES (GBTM_MAX_RISK + GBTM_MAX_TCOV)

/* The wanted variables' slots in the table: as read_wide.c's header, id,
 * counts, ages, exposures (one each in the long layout, waves of each in
 * the wide), risk factors, then the time-varying covariates (one each, or
 * waves of each). */
typedef struct native_reader {
  native_table t;
  const gbtm_csv_columns *cols;
  const char **names; /* [n_wanted] */
  size_t waves;       /* 1 in the long layout */
  size_t id, count, age, exposure, risk, tcov; /* first slots; exposure SIZE_MAX: none */
  bool real;
  idtable *table;
  panel_row *rows;
  double *values;
  size_t n_rows, cap, missing;
  int n_covariates;
} native_reader;

/* ---- values ------------------------------------------------------------------ */

static const native_cell *cell_at(const native_reader *n, size_t row, size_t slot) {
  return &n->t.cells[row * n->t.n_wanted + slot];
}

/* A cell as a message shows it. */
static const char *shown(const native_cell *c, char *buf, size_t size) {
  if (c->kind == NATIVE_STRING) {
    size_t used = 0;
    buf[0] = '\0';
    csv_append_shown(buf, size, &used, c->string, strlen(c->string));
  } else if (c->kind == NATIVE_NUMBER) {
    snprintf(buf, size, "%.17g", c->number);
  } else {
    snprintf(buf, size, "missing");
  }
  return buf;
}

/* "FILE: row N, variable "NAME": WHAT "VALUE" WHY". */
static gbtm_status bad_value(const native_reader *n, size_t row, size_t slot, const char *what, const char *why,
                             gbtm_error *err) {
  char buf[4 * CSV_SHOW + 8];
  return gbtm_fail(err, GBTM_ERR_PARSE, "%s: row %zu, variable \"%s\": %s \"%s\" %s", n->t.path, row + 1,
                   n->names[slot], what, shown(cell_at(n, row, slot), buf, sizeof buf), why);
}

/* Whether a cell is missing: a missing value, or a string that CSV would
 * read as missing (empty, "." or "NA"). */
static bool is_missing(const native_cell *c) {
  return c->kind == NATIVE_MISSING || (c->kind == NATIVE_STRING && csv_is_missing(c->string, strlen(c->string)));
}

/* A number from a cell that is not missing: the number, or a string read
 * as CSV reads a number. */
static bool number(const native_cell *c, double *v) {
  if (c->kind == NATIVE_NUMBER) {
    *v = c->number;
    return true;
  }
  return c->kind == NATIVE_STRING && csv_parse_real(c->string, strlen(c->string), v);
}

/* A covariate: a finite number, or NaN when missing; false when neither. */
static bool covariate_value(const native_cell *c, double *v) {
  if (is_missing(c)) {
    *v = NAN;
    return true;
  }
  return number(c, v) && isfinite(*v);
}

/* The covariate in slot at row into *v: NaN when missing (an error
 * unless drop_missing). */
static gbtm_status covariate(const native_reader *n, size_t row, size_t slot, bool risk, double *v, gbtm_error *err) {
  /* the weight (eq. W) is read as the last risk factor, under its own name */
  const char *kind = risk && n->cols->weight && strcmp(n->names[slot], n->cols->weight) == 0 ? "weight"
                     : risk ? "risk factor" : "time-varying covariate";
  if (!covariate_value(cell_at(n, row, slot), v))
    return bad_value(n, row, slot, kind,
                     "is not a finite number (a missing value is a missing value of the file, or \"\", \".\" or \"NA\")",
                     err);
  if (isnan(*v) && !n->cols->drop_missing)
    return gbtm_fail(err, GBTM_ERR_DATA, "%s: row %zu, variable \"%s\": missing value of %s (or drop such %s with --drop-missing)",
                     n->t.path, row + 1, n->names[slot], kind, risk ? "persons" : "rows");
  return GBTM_OK;
}

/* The person id of row: a string, a number's value label, or the number
 * as %.17g writes it (12 for 12.0). */
static gbtm_status person_of(native_reader *n, size_t row, uint32_t *person, bool *added, gbtm_error *err) {
  const native_cell *c = cell_at(n, row, n->id);
  char buf[64];
  const char *id = NULL;
  if (c->kind == NATIVE_STRING && c->string[0]) id = c->string;
  else if (c->kind == NATIVE_NUMBER && c->string) id = c->string;
  else if (c->kind == NATIVE_NUMBER) id = (snprintf(buf, sizeof buf, "%.17g", c->number), buf);
  if (!id)
    return gbtm_fail(err, GBTM_ERR_PARSE, "%s: row %zu, variable \"%s\": id is missing", n->t.path, row + 1,
                     n->names[n->id]);
  if (!idtable_intern(n->table, id, strlen(id), person, added))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: row %zu: out of memory storing person ids", n->t.path, row + 1);
  return GBTM_OK;
}

/* Room for waves more rows. */
static bool reserve(native_reader *n) {
  size_t need = n->n_rows + n->waves;
  if (need <= n->cap) return true;
  size_t cap = n->cap ? 2 * n->cap : 1024;
  while (cap < need) cap *= 2;
  panel_row *rows = realloc(n->rows, cap * sizeof *rows);
  if (!rows) return false;
  n->rows = rows;
  if (n->n_covariates) {
    double *values = realloc(n->values, cap * (size_t)n->n_covariates * sizeof *values);
    if (!values) return false;
    n->values = values;
  }
  n->cap = cap;
  return true;
}

/* Wave v of row (the long layout: v = 0) into the next row of the panel,
 * its count present: age, count, exposure and time-varying covariates;
 * the risk factors are given. */
static gbtm_status read_cell(native_reader *n, size_t row, size_t v, uint32_t person, const double *risk,
                             gbtm_error *err) {
  const gbtm_csv_columns *c = n->cols;
  panel_row *r = &n->rows[n->n_rows];
  r->line = row + 1;
  r->person = person;
  size_t sa = n->age + v, sc = n->count + v;
  const native_cell *age = cell_at(n, row, sa), *count = cell_at(n, row, sc);
  if (is_missing(age) || !number(age, &r->age) || !csv_age_ok(r->age))
    return bad_value(n, row, sa, "age", is_missing(age) ? "is missing (a count needs its age)" : "is not a finite number",
                     err);
  const char *why = NULL;
  r->real_response = n->real;
  double y;
  if (!number(count, &y) || !isfinite(y))
    return bad_value(n, row, sc, "count", n->real ? "is not a finite number" : "is not a non-negative integer", err);
  if (n->real) {
    if ((why = family_real_why(c->family, y, c->ymin, c->ymax))) return bad_value(n, row, sc, "count", why, err);
  } else {
    if (!(y >= 0.0) || y != floor(y)) return bad_value(n, row, sc, "count", "is not a non-negative integer", err);
    if (y > (double)INT32_MAX) return bad_value(n, row, sc, "count", "too large (at most 2147483647)", err);
  }
  r->count = y;
  r->exposure = 1.0;
  if (n->exposure != SIZE_MAX) {
    size_t se = n->exposure + v;
    const native_cell *e = cell_at(n, row, se);
    if (is_missing(e) || !number(e, &r->exposure) || !isfinite(r->exposure) || !(r->exposure > 0.0))
      return bad_value(n, row, se, exposure_word(c->family), "is not a finite number > 0", err);
    if ((why = family_exposure_why(c->family, r->exposure)))
      return bad_value(n, row, se, exposure_word(c->family), why, err);
  }
  if (!n->real && (why = family_response_why(c->family, (long long)y, r->exposure)))
    return bad_value(n, row, sc, "count", why, err);
  if (n->n_covariates) {
    double *val = n->values + n->n_rows * (size_t)n->n_covariates;
    for (int j = 0; j < c->n_risk; j++) val[j] = risk[j];
    for (int j = 0; j < c->n_tcov; j++) {
      gbtm_status st = covariate(n, row, n->tcov + (size_t)j * n->waves + v, false, &val[c->n_risk + j], err);
      if (st != GBTM_OK) return st;
    }
  }
  for (size_t q = n->n_rows; n->waves > 1 && q-- > 0 && n->rows[q].line == r->line;)
    if (n->rows[q].age == r->age)
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s: row %zu, variable \"%s\": age %.17g appears twice in the row", n->t.path,
                       row + 1, n->names[sa], r->age);
  r->index = (uint32_t)(n->t.index[sa] - 1);
  n->n_rows++;
  return GBTM_OK;
}

/* One row of the file: one cell (long) or a person's waves (wide). */
static gbtm_status read_row(native_reader *n, size_t row, gbtm_error *err) {
  const gbtm_csv_columns *c = n->cols;
  bool wide = c->wide;
  bool any = false; /* a wave with a count */
  for (size_t v = 0; v < n->waves; v++) {
    if (!is_missing(cell_at(n, row, n->count + v))) any = true;
    else if (!wide || !is_missing(cell_at(n, row, n->age + v))) n->missing++; /* a missing response */
  }
  if (!any) return GBTM_OK;
  uint32_t person;
  bool added;
  gbtm_status st = person_of(n, row, &person, &added, err);
  if (st != GBTM_OK) return st;
  if (wide && !added) {
    char buf[4 * CSV_SHOW + 8];
    return gbtm_fail(err, GBTM_ERR_PARSE,
                     "%s: row %zu, variable \"%s\": id \"%s\" is on an earlier row too: the wide layout has one row per "
                     "person",
                     n->t.path, row + 1, n->names[n->id], shown(cell_at(n, row, n->id), buf, sizeof buf));
  }
  double risk[GBTM_MAX_RISK];
  for (int j = 0; j < c->n_risk; j++)
    if ((st = covariate(n, row, n->risk + (size_t)j, true, &risk[j], err)) != GBTM_OK) return st;
  if (!reserve(n)) return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: row %zu: out of memory", n->t.path, row + 1);
  for (size_t v = 0; v < n->waves; v++) {
    if (is_missing(cell_at(n, row, n->count + v))) continue;
    if ((st = read_cell(n, row, v, person, risk, err)) != GBTM_OK) return st;
  }
  return GBTM_OK;
}

/* ---- the columns -------------------------------------------------------------- */

/* The wanted names in the order of native_reader's slots. */
static gbtm_status wanted_names(native_reader *n, gbtm_error *err) {
  const gbtm_csv_columns *c = n->cols;
  size_t W = n->waves;
  bool exposure = c->wide ? c->exposure_cols != NULL : c->exposure != NULL;
  size_t total = 1 + 2 * W + (exposure ? W : 0) + (size_t)c->n_risk + (size_t)c->n_tcov * W;
  if (!(n->names = calloc(total, sizeof *n->names)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", n->t.path);
  size_t k = 0;
  n->id = k;
  n->names[k++] = c->id;
  n->count = k;
  for (size_t v = 0; v < W; v++) n->names[k++] = c->wide ? c->count_cols[v] : c->count;
  n->age = k;
  for (size_t v = 0; v < W; v++) n->names[k++] = c->wide ? c->age_cols[v] : c->age;
  n->exposure = exposure ? k : SIZE_MAX;
  for (size_t v = 0; exposure && v < W; v++) n->names[k++] = c->wide ? c->exposure_cols[v] : c->exposure;
  n->risk = k;
  for (int j = 0; j < c->n_risk; j++) n->names[k++] = c->risk[j];
  n->tcov = k;
  for (int j = 0; j < c->n_tcov; j++)
    for (size_t v = 0; v < W; v++) n->names[k++] = c->wide ? c->tcov_cols[j][v] : c->tcov[j];
  n->t.n_wanted = total;
  return GBTM_OK;
}

/* Every wanted variable is in the file. */
static gbtm_status all_found(const native_reader *n, gbtm_error *err) {
  for (size_t k = 0; k < n->t.n_wanted; k++)
    if (!n->t.index[k])
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s: no variable \"%s\" in this %s file (found: %s)", n->t.path, n->names[k],
                       native_format_name(n->t.format), n->t.found);
  return GBTM_OK;
}

/* The columns as the reader needs them (as read_wide.c's): every list
 * given, waves >= 1, no column named for two things. */
static gbtm_status check_columns(const char *path, const gbtm_csv_columns *c, gbtm_error *err) {
  if (c->wide) {
    if (c->waves == 0 || !c->count_cols || !c->age_cols)
      return gbtm_fail(err, GBTM_ERR_USAGE, "%s: the wide layout needs the count and age columns of each wave", path);
    bool given = true;
    for (size_t v = 0; v < c->waves; v++) {
      given = given && c->count_cols[v] && c->age_cols[v] && (!c->exposure_cols || c->exposure_cols[v]);
      for (int j = 0; j < c->n_tcov; j++) given = given && c->tcov_cols[j] && c->tcov_cols[j][v];
    }
    if (!given) return gbtm_fail(err, GBTM_ERR_USAGE, "%s: a column of the wide layout has no name", path);
  }
  return panel_columns_check(path, c, err);
}

gbtm_status panel_read_native(const char *path, native_format format, const gbtm_csv_columns *columns,
                              gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  gbtm_csv_columns cols = columns ? *columns : gbtm_csv_columns_default();
  gbtm_csv_columns d = gbtm_csv_columns_default();
  if (!cols.id) cols.id = d.id;
  if (!cols.wide && !cols.age) cols.age = d.age;
  if (!cols.wide && !cols.count) cols.count = d.count;
  gbtm_status st = check_columns(path, &cols, err);
  if (st != GBTM_OK) return st;
  native_reader n = {0};
  n.cols = &cols;
  n.t.path = path;
  n.t.format = format;
  n.waves = cols.wide ? cols.waves : 1;
  n.real = family_real_response(cols.family);
  n.n_covariates = cols.n_risk + cols.n_tcov;
  if ((st = wanted_names(&n, err)) != GBTM_OK) return st;
  size_t wanted = n.t.n_wanted;
  if ((st = native_table_read(path, format, wanted, n.names, cols.max_bytes, &n.t, err)) != GBTM_OK) {
    free(n.names);
    return st;
  }
  if ((st = all_found(&n, err)) == GBTM_OK && !(n.table = idtable_alloc(0)))
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", path);
  for (size_t row = 0; st == GBTM_OK && row < n.t.rows; row++) st = read_row(&n, row, err);
  if (st == GBTM_OK && n.n_rows == 0)
    st = gbtm_fail(err, GBTM_ERR_PARSE, "%s: no rows with a count (%zu rows, %zu missing counts)", path, n.t.rows,
                   n.missing);
  if (st == GBTM_OK) {
    size_t n_ids;
    char **ids = idtable_take_ids(n.table, &n_ids);
    panel_covariates_in in = {0};
    if (n.n_covariates) {
      in.n_risk = cols.n_risk;
      in.n_tcov = cols.n_tcov;
      for (int j = 0; j < cols.n_risk; j++) {
        in.risk_name[j] = cols.risk[j];
        in.column[j] = (size_t)n.t.index[n.risk + (size_t)j];
      }
      for (int j = 0; j < cols.n_tcov; j++) {
        in.tcov_name[j] = cols.tcov[j];
        in.column[cols.n_risk + j] = cols.wide ? 0 : (size_t)n.t.index[n.tcov + (size_t)j];
      }
      in.values = n.values;
      in.drop_missing = cols.drop_missing;
      in.weight_last = cols.weight != NULL;
    }
    st = panel_build_covariates(n.rows, n.n_rows, ids, n_ids, path, (size_t)n.t.index[n.age],
                                n.n_covariates ? &in : NULL, out, err);
    if (st == GBTM_OK) {
      memcpy((*out)->sha256, n.t.sha256, sizeof n.t.sha256);
      (*out)->missing_responses = n.missing;
    }
  }
  idtable_free(n.table);
  free(n.rows);
  free(n.values);
  free(n.names);
  native_table_free(&n.t);
  return st;
}
