/* read_wide.c reads a wide CSV file, the layout of SAS PROC TRAJ, into a
 * panel (DESIGN §1): one row per person with an id column, `waves` count
 * columns and as many age columns (wave w of a person is observed at the
 * age in its age column), optionally as many exposure columns, one column
 * per risk factor, and `waves` columns per time-varying covariate.
 *
 * Each observed wave becomes one row of the long layout, so the panel is
 * built (panel_build_covariates) exactly as from the long file with the same
 * observations: persons in the order of the rows, the same cells and
 * covariates. A count cell that is empty, "." or "NA" marks a wave that was
 * not observed; its age may be given (PROC TRAJ fills the ages of every
 * wave: such a wave is a missing response, counted in
 * panel->missing_responses), but a count without an age is an error; the
 * exposure and covariate cells of a wave not observed are not read. A
 * row with no observed wave adds no person. An id on two rows is an error,
 * as is the same age twice in one row. Missing covariates are reported here
 * with their exact column (the column of a time-varying covariate differs
 * by wave), or with drop_missing passed on as NaN for panel_build_covariates() to
 * drop. The tokenizer and number parsers are the long reader's
 * (csv_tokens.h), and the messages are its FILE:LINE:COLUMN ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/csv_dialect.h"
#include "formats/csv_part.h"
#include "formats/csv_tokens.h"
#include "base/idtable.h"
#include "panel/panel.h"
#include "panel/panel_covariates.h"
#include "formats/panel_columns.h"
#include "families/family.h"
#include "formats/read_wide.h"

#define SHOW CSV_SHOW
#define MAX_COVARIATES (GBTM_MAX_RISK + GBTM_MAX_TCOV)

/* The fields of the wanted columns (0-based), from the header. */
typedef struct wide_header {
  size_t fields;
  size_t waves;
  size_t id;
  size_t *count, *age, *exposure; /* [waves]; exposure NULL when not read */
  size_t risk[GBTM_MAX_RISK];
  size_t *tcov[GBTM_MAX_TCOV]; /* [waves] each */
} wide_header;

/* The state of one read: the file, the columns, the header, and the rows
 * and covariate values made so far. */
typedef struct wide_reader {
  csv_reader r;
  const gbtm_csv_columns *cols;
  wide_header h;
  size_t *where; /* storage of the header's field lists */
  char **text;   /* [fields] the fields of the current row */
  size_t *len;
  idtable *table;
  panel_row *rows;
  double *values; /* [rows x n_covariates] */
  size_t n_rows, cap;
  int n_covariates;
  bool real; /* the responses are reals (a family with real_response) */
  size_t missing; /* waves with an age and no count: dropped, counted */
} wide_reader;

static void wide_reader_free(wide_reader *w) {
  free(w->r.buf);
  free(w->where);
  free(w->text);
  free(w->len);
  idtable_free(w->table);
  free(w->rows);
  free(w->values);
}

/* The wanted names in one list, in the order of wide_header: id, counts,
 * ages, exposures, risk factors, then the waves of each time-varying
 * covariate. */
static gbtm_status read_header(wide_reader *w, gbtm_error *err) {
  const gbtm_csv_columns *c = w->cols;
  size_t W = c->waves, E = c->exposure_cols ? W : 0;
  size_t n = 1 + 2 * W + E + (size_t)c->n_risk + (size_t)c->n_tcov * W;
  const char **names = malloc(n * sizeof *names);
  w->where = malloc(n * sizeof *w->where);
  if (!names || !w->where) {
    free(names);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the header", w->r.path);
  }
  size_t k = 0;
  names[k++] = c->id;
  for (size_t v = 0; v < W; v++) names[k++] = c->count_cols[v];
  for (size_t v = 0; v < W; v++) names[k++] = c->age_cols[v];
  for (size_t v = 0; v < E; v++) names[k++] = c->exposure_cols[v];
  for (int j = 0; j < c->n_risk; j++) names[k++] = c->risk[j];
  for (int j = 0; j < c->n_tcov; j++)
    for (size_t v = 0; v < W; v++) names[k++] = c->tcov_cols[j][v];
  gbtm_status st = csv_read_header(&w->r, n, names, w->where, &w->h.fields, err);
  free(names);
  if (st != GBTM_OK) return st;
  wide_header *h = &w->h;
  h->waves = W;
  k = 0;
  h->id = w->where[k++];
  h->count = w->where + k, k += W;
  h->age = w->where + k, k += W;
  h->exposure = E ? w->where + k : NULL, k += E;
  for (int j = 0; j < c->n_risk; j++) h->risk[j] = w->where[k++];
  for (int j = 0; j < c->n_tcov; j++) h->tcov[j] = w->where + k, k += W;
  w->text = malloc(h->fields * sizeof *w->text);
  w->len = malloc(h->fields * sizeof *w->len);
  if (!w->text || !w->len)
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the header", w->r.path);
  return GBTM_OK;
}

/* The fields of one row into w->text, w->len; checks their number. */
static gbtm_status split_row(wide_reader *w, uint64_t line, gbtm_error *err) {
  size_t f = 0;
  int term;
  do {
    char *t;
    size_t l;
    term = csv_next_field(&w->r, line, f + 1, &t, &l, err);
    if (term == CSV_FIELD_ERROR) return GBTM_ERR_PARSE;
    if (f < w->h.fields) w->text[f] = t, w->len[f] = l;
    f++;
  } while (term == CSV_FIELD_COMMA);
  if (f != w->h.fields)
    return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: expected %zu fields, found %zu", w->r.path,
                     (unsigned long long)line, f < w->h.fields ? f + 1 : w->h.fields + 1, w->h.fields, f);
  return GBTM_OK;
}

/* Room for the rows of one more person (waves of them). */
static bool reserve(wide_reader *w) {
  size_t need = w->n_rows + w->h.waves;
  if (need <= w->cap) return true;
  size_t cap = w->cap ? 2 * w->cap : 1024;
  while (cap < need) cap *= 2;
  panel_row *rows = realloc(w->rows, cap * sizeof *rows);
  if (!rows) return false;
  w->rows = rows;
  if (w->n_covariates) {
    double *values = realloc(w->values, cap * (size_t)w->n_covariates * sizeof *values);
    if (!values) return false;
    w->values = values;
  }
  w->cap = cap;
  return true;
}

/* A missing covariate without drop_missing: the message of
 * panel_build_covariates(), at the covariate's column of this wave. */
static gbtm_status missing_value(const wide_reader *w, uint64_t line, size_t field, bool risk,
                                 const char *name, gbtm_error *err) {
  bool weight = risk && w->cols->weight && strcmp(name, w->cols->weight) == 0;
  return gbtm_fail(err, GBTM_ERR_DATA,
                   "%s:%llu:%zu: missing value of %s \"%s\" (or drop such %s with --drop-missing)",
                   w->r.path, (unsigned long long)line, field + 1,
                   weight ? "weight" : risk ? "risk factor" : "time-varying covariate", name, risk ? "persons" : "rows");
}

/* A covariate cell into *v (NaN when missing and dropping). */
static gbtm_status covariate(const wide_reader *w, uint64_t line, size_t field, bool risk,
                             const char *name, double *v, gbtm_error *err) {
  const char *t = w->text[field];
  size_t l = w->len[field];
  if (!csv_parse_covariate(t, l, v) && risk && w->cols->weight && strcmp(name, w->cols->weight) == 0)
    return csv_bad_field(err, w->r.path, line, field + 1, "weight", t, l,
                         "is not a finite number > 0 (a missing value is empty, \".\" or \"NA\")");
  if (!csv_parse_covariate(t, l, v)) return csv_bad_covariate(err, w->r.path, line, field + 1, risk, name, t, l);
  if (isnan(*v) && !w->cols->drop_missing) return missing_value(w, line, field, risk, name, err);
  return GBTM_OK;
}

/* One observed wave v of the row at line into the next row. */
static gbtm_status read_wave(wide_reader *w, uint64_t line, size_t v, const double *risk,
                             gbtm_error *err) {
  const wide_header *h = &w->h;
  const gbtm_csv_columns *c = w->cols;
  unsigned long long ln = (unsigned long long)line;
  panel_row *row = &w->rows[w->n_rows];
  row->line = line;
  size_t fa = h->age[v], fc = h->count[v];
  if (!csv_parse_real(w->text[fa], w->len[fa], &row->age) || !csv_age_ok(row->age))
    return csv_bad_age(err, w->r.path, line, fa + 1, w->text[fa], w->len[fa]);
  const char *why = NULL;
  row->real_response = w->real;
  if (w->real) { /* a real response: any finite decimal */
    if (!csv_parse_response(w->text[fc], w->len[fc], &row->count))
      return csv_bad_response(err, w->r.path, line, fc + 1, w->text[fc], w->len[fc]);
    if ((why = family_real_why(c->family, row->count, c->ymin, c->ymax)))
      return csv_bad_field(err, w->r.path, line, fc + 1, "count", w->text[fc], w->len[fc], why);
  } else {
    int64_t count;
    int bad = csv_parse_count(w->text[fc], w->len[fc], &count);
    if (bad) return csv_bad_count(err, w->r.path, line, fc + 1, w->text[fc], w->len[fc], bad);
    row->count = (double)count;
  }
  row->exposure = 1.0;
  if (h->exposure) {
    size_t fe = h->exposure[v];
    if (!csv_parse_real(w->text[fe], w->len[fe], &row->exposure) || !isfinite(row->exposure) ||
        !(row->exposure > 0.0))
      return csv_bad_field(err, w->r.path, line, fe + 1, exposure_word(c->family), w->text[fe], w->len[fe],
                           "is not a finite number > 0");
    if ((why = family_exposure_why(c->family, row->exposure)))
      return csv_bad_field(err, w->r.path, line, fe + 1, exposure_word(c->family), w->text[fe], w->len[fe], why);
  }
  if (!w->real && (why = family_response_why(c->family, (long long)row->count, row->exposure)))
    return csv_bad_field(err, w->r.path, line, fc + 1, "count", w->text[fc], w->len[fc], why);
  if (w->n_covariates) {
    double *val = w->values + w->n_rows * (size_t)w->n_covariates;
    for (int j = 0; j < c->n_risk; j++) val[j] = risk[j];
    for (int j = 0; j < c->n_tcov; j++) {
      gbtm_status st = covariate(w, line, h->tcov[j][v], false, c->tcov[j], &val[c->n_risk + j], err);
      if (st != GBTM_OK) return st;
    }
  }
  /* the same age twice in one row (across rows an id cannot repeat) */
  for (size_t q = w->n_rows; q-- > 0 && w->rows[q].line == line;)
    if (w->rows[q].age == row->age)
      return gbtm_fail(err, GBTM_ERR_PARSE,
                       "%s:%llu:%zu: age %.17g appears twice in the row (also in column %zu)", w->r.path,
                       ln, fa + 1, row->age, (size_t)w->rows[q].index + 1);
  row->index = (uint32_t)fa; /* the age's column until panel_build_covariates() renumbers */
  w->n_rows++;
  return GBTM_OK;
}

/* One person's row. */
static gbtm_status read_row(wide_reader *w, gbtm_error *err) {
  uint64_t line = w->r.line;
  unsigned long long ln = (unsigned long long)line;
  const wide_header *h = &w->h;
  const gbtm_csv_columns *c = w->cols;
  gbtm_status st = split_row(w, line, err);
  if (st != GBTM_OK) return st;
  const char *id = w->text[h->id];
  size_t id_len = w->len[h->id];
  if (id_len == 0) return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: id is empty", w->r.path, ln, h->id + 1);
  if (memchr(id, '\0', id_len))
    return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: id contains a NUL byte", w->r.path, ln, h->id + 1);
  bool any = false; /* a wave with a count or an age */
  for (size_t v = 0; v < h->waves && !any; v++)
    any = !csv_is_missing(w->text[h->count[v]], w->len[h->count[v]]) ||
          !csv_is_missing(w->text[h->age[v]], w->len[h->age[v]]);
  if (!any) return GBTM_OK; /* nothing observed: no person */
  double risk[GBTM_MAX_RISK];
  for (int j = 0; j < c->n_risk; j++)
    if ((st = covariate(w, line, h->risk[j], true, c->risk[j], &risk[j], err)) != GBTM_OK) return st;
  if (!reserve(w)) return gbtm_fail(err, GBTM_ERR_NOMEM, "%s:%llu: out of memory", w->r.path, ln);
  size_t first = w->n_rows;
  for (size_t v = 0; v < h->waves; v++) {
    size_t fc = h->count[v], fa = h->age[v];
    bool no_count = csv_is_missing(w->text[fc], w->len[fc]);
    bool no_age = csv_is_missing(w->text[fa], w->len[fa]);
    if (no_count && no_age) continue;
    if (no_count) { /* an age and no count: a missing wave (PROC TRAJ's convention), counted */
      w->missing++;
      continue;
    }
    if (no_age) {
      size_t have = fc, lack = fa;
      char shown[4 * SHOW + 8];
      size_t used = 0;
      shown[0] = '\0';
      csv_append_shown(shown, sizeof shown, &used, w->text[have], w->len[have]);
      return gbtm_fail(err, GBTM_ERR_PARSE,
                       "%s:%llu:%zu: wave %zu has %s \"%s\" (column %s) but no %s (column %s is "
                       "missing): a count and its age are both given or both missing",
                       w->r.path, ln, lack + 1, v + 1, "a count", shown, c->count_cols[v], "age",
                       c->age_cols[v]);
    }
    if ((st = read_wave(w, line, v, risk, err)) != GBTM_OK) return st;
  }
  if (w->n_rows == first) return GBTM_OK; /* every wave missing: no person */
  uint32_t person;
  bool added;
  if (!idtable_intern(w->table, id, id_len, &person, &added))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s:%llu: out of memory storing person ids", w->r.path, ln);
  if (!added) {
    char shown[4 * SHOW + 8];
    size_t used = 0;
    shown[0] = '\0';
    csv_append_shown(shown, sizeof shown, &used, id, id_len);
    return gbtm_fail(err, GBTM_ERR_PARSE,
                     "%s:%llu:%zu: id \"%s\" is on an earlier row too: the wide layout has one row per "
                     "person",
                     w->r.path, ln, h->id + 1, shown);
  }
  for (size_t q = first; q < w->n_rows; q++) w->rows[q].person = person;
  return GBTM_OK;
}

/* The columns as the reader needs them: every list given, waves >= 1. */
static gbtm_status check_columns(const char *path, const gbtm_csv_columns *c, gbtm_error *err) {
  if (c->waves == 0 || !c->count_cols || !c->age_cols)
    return gbtm_fail(err, GBTM_ERR_USAGE, "%s: the wide layout needs the count and age columns of each wave",
                     path);
  bool given = true;
  for (size_t v = 0; v < c->waves; v++) {
    given = given && c->count_cols[v] && c->age_cols[v] && (!c->exposure_cols || c->exposure_cols[v]);
    for (int j = 0; j < c->n_tcov; j++) given = given && c->tcov_cols[j] && c->tcov_cols[j][v];
  }
  if (!given)
    return gbtm_fail(err, GBTM_ERR_USAGE, "%s: a column of the wide layout has no name", path);
  return panel_columns_check(path, c, err);
}

gbtm_status panel_read_wide(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                            gbtm_panel **out, gbtm_error *err) {
  return panel_read_wide_with(path, columns, procs, family_real_response(columns->family), out, err);
}

gbtm_status panel_read_wide_with(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                                 bool real, gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  gbtm_csv_columns cols = *columns;
  if (!cols.id) cols.id = "id";
  gbtm_status st = check_columns(path, &cols, err);
  if (st != GBTM_OK) return st;
  wide_reader w = {0};
  w.cols = &cols;
  w.real = real;
  w.n_covariates = cols.n_risk + cols.n_tcov;
  st = procs ? csv_open_part(&w.r, path, procs, cols.id, err) : csv_open(&w.r, path, cols.max_bytes, err);
  if (st == GBTM_OK && !procs) st = csv_dialect_apply(&w.r, cols.delimiter, cols.decimal, err);
  if (st != GBTM_OK)
    return st;
  uint64_t header_line = w.r.line;
  if ((st = read_header(&w, err)) == GBTM_OK && !(w.table = idtable_alloc(0)))
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", path);
  for (csv_skip_empty_lines(&w.r); st == GBTM_OK && w.r.pos < w.r.size; csv_skip_empty_lines(&w.r))
    st = read_row(&w, err);
  if (st == GBTM_OK && w.n_rows == 0)
    st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:1: no observed waves", path,
                   (unsigned long long)header_line + 1);
  if (st != GBTM_OK) {
    wide_reader_free(&w);
    return st;
  }
  size_t n_ids;
  char **ids = idtable_take_ids(w.table, &n_ids);
  panel_covariates_in in = {0};
  if (w.n_covariates) {
    in.n_risk = cols.n_risk;
    in.n_tcov = cols.n_tcov;
    for (int j = 0; j < cols.n_risk; j++) {
      in.risk_name[j] = cols.risk[j];
      in.column[j] = w.h.risk[j] + 1;
    }
    for (int j = 0; j < cols.n_tcov; j++) in.tcov_name[j] = cols.tcov[j]; /* column: by wave */
    in.values = w.values;
    in.drop_missing = cols.drop_missing;
    in.weight_last = cols.weight != NULL;
  }
  st = panel_build_covariates(w.rows, w.n_rows, ids, n_ids, path, w.h.age[0] + 1, w.n_covariates ? &in : NULL, out, err);
  if (st == GBTM_OK) {
    memcpy((*out)->sha256, w.r.sha256, sizeof w.r.sha256);
    (*out)->missing_responses = w.missing;
  }
  wide_reader_free(&w);
  return st;
}
