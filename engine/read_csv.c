/* read_csv.c reads a long CSV file (one row per person and age, a header
 * row naming the columns) into a panel (DESIGN §1), with the covariates of
 * gbtm_csv_columns: risk factors and time-varying covariates, one column
 * each. A wide file (columns->wide) goes to read_wide.c.
 *
 * The file is read whole and tokenised in place (csv_tokens.h). The only
 * per-row allocation is the copy of a new person id (idtable.c); a run of
 * rows of the same person costs one memcmp per row instead of a hash
 * lookup. The row loop is compiled twice, with and without covariates, so
 * that files without them pay nothing for them. Covariate values go to one
 * array in row order, NaN for a missing value (empty, "." or "NA"), and
 * panel_build_cov() reports or drops the missing ones. Every malformed
 * input is reported as FILE:LINE:COLUMN, with COLUMN the 1-based field
 * number; duplicates (id, age) are found in panel_build(). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_tokens.h"
#include "idtable.h"
#include "panel.h"
#include "panel_read.h"

#define SHOW CSV_SHOW
#define NCOV (GBTM_MAX_RISK + GBTM_MAX_TCOV)

/* The header: the 0-based field index of each named column. */
typedef struct csv_header {
  size_t fields;                   /* number of fields */
  size_t id, age, count, exposure; /* SIZE_MAX = exposure not read */
  int n_cov;                       /* risk factors, then time-varying covariates */
  size_t cov[NCOV];                /* their fields */
  int *slot;                       /* [fields]: the covariate of a field, or -1 */
} csv_header;

/* The data rows. On success rows[0..*n_rows), the ids in table and, with
 * covariates, values[row * n_cov + c]. Inlined into its two callers, with
 * and without covariates. */
static inline __attribute__((always_inline)) gbtm_status
read_rows_impl(csv_reader *r, const csv_header *h, const gbtm_csv_columns *cols, idtable *table,
               panel_row *rows, double *values, size_t *n_rows, gbtm_error *err, const bool with_cov) {
  size_t n = 0;
  uint32_t last = 0;           /* the person of the previous row, */
  const char *last_id = NULL;  /* its id */
  size_t last_len = 0;         /* and length (0: none yet) */
  for (csv_skip_empty_lines(r); r->pos < r->size; csv_skip_empty_lines(r)) {
    uint64_t line = r->line;
    char *text[4] = {NULL, NULL, NULL, NULL}; /* id, age, count, exposure */
    size_t len[4] = {0, 0, 0, 0};
    char *ctext[NCOV];
    size_t clen[NCOV];
    size_t f = 0;
    int term;
    do {
      char *t;
      size_t l;
      term = csv_next_field(r, line, f + 1, &t, &l, err);
      if (term == CSV_FIELD_ERROR) return GBTM_ERR_PARSE;
      if (f == h->id) text[0] = t, len[0] = l;
      if (f == h->age) text[1] = t, len[1] = l;
      if (f == h->count) text[2] = t, len[2] = l;
      if (f == h->exposure) text[3] = t, len[3] = l;
      if (with_cov && f < h->fields && h->slot[f] >= 0) ctext[h->slot[f]] = t, clen[h->slot[f]] = l;
      f++;
    } while (term == CSV_FIELD_COMMA);
    if (f != h->fields)
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: expected %zu fields, found %zu", r->path,
                       (unsigned long long)line, f < h->fields ? f + 1 : h->fields + 1, h->fields,
                       f);
    unsigned long long ln = (unsigned long long)line;
    panel_row *row = &rows[n];
    row->line = line;

    if (len[0] == 0)
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: id is empty", r->path, ln, h->id + 1);
    if (len[0] == last_len && memcmp(text[0], last_id, len[0]) == 0) {
      row->person = last;
    } else {
      if (memchr(text[0], '\0', len[0]))
        return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: id contains a NUL byte", r->path, ln,
                         h->id + 1);
      if (!idtable_intern(table, text[0], len[0], &row->person, NULL))
        return gbtm_fail(err, GBTM_ERR_NOMEM, "%s:%llu: out of memory storing person ids",
                         r->path, ln);
      last = row->person;
      last_id = idtable_id(table, last);
      last_len = len[0];
    }

    if (!csv_parse_real(text[1], len[1], &row->age) || !isfinite(row->age))
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: age \"%.*s\" is not a finite number",
                       r->path, ln, h->age + 1, (int)(len[1] < SHOW ? len[1] : SHOW), text[1]);

    int bad = csv_parse_count(text[2], len[2], &row->count);
    if (bad)
      return gbtm_fail(err, GBTM_ERR_PARSE,
                       bad == 1 ? "%s:%llu:%zu: count \"%.*s\" is not a non-negative integer"
                                : "%s:%llu:%zu: count \"%.*s\" too large (at most 2147483647)",
                       r->path, ln, h->count + 1, (int)(len[2] < SHOW ? len[2] : SHOW), text[2]);

    row->exposure = 1.0;
    if (h->exposure != SIZE_MAX &&
        (!csv_parse_real(text[3], len[3], &row->exposure) || !isfinite(row->exposure) ||
         !(row->exposure > 0.0)))
      return gbtm_fail(err, GBTM_ERR_PARSE,
                       "%s:%llu:%zu: exposure \"%.*s\" is not a finite number > 0", r->path, ln,
                       h->exposure + 1, (int)(len[3] < SHOW ? len[3] : SHOW), text[3]);

    if (with_cov) {
      double *v = values + n * (size_t)h->n_cov;
      for (int c = 0; c < h->n_cov; c++)
        if (!csv_parse_covariate(ctext[c], clen[c], &v[c]))
          return csv_bad_covariate(err, r->path, line, h->cov[c] + 1, c < cols->n_risk,
                                   c < cols->n_risk ? cols->risk[c] : cols->tcov[c - cols->n_risk],
                                   ctext[c], clen[c]);
    }
    n++;
  }
  *n_rows = n;
  return GBTM_OK;
}

static gbtm_status read_rows(csv_reader *r, const csv_header *h, const gbtm_csv_columns *cols,
                             idtable *table, panel_row *rows, size_t *n_rows, gbtm_error *err) {
  return read_rows_impl(r, h, cols, table, rows, NULL, n_rows, err, false);
}

static gbtm_status read_rows_cov(csv_reader *r, const csv_header *h, const gbtm_csv_columns *cols,
                                 idtable *table, panel_row *rows, double *values, size_t *n_rows,
                                 gbtm_error *err) {
  return read_rows_impl(r, h, cols, table, rows, values, n_rows, err, true);
}

/* The header's fields for the columns, and the covariates' slots. */
static gbtm_status read_header(csv_reader *r, const gbtm_csv_columns *cols, csv_header *h,
                               gbtm_error *err) {
  const char *names[4 + NCOV] = {cols->id, cols->age, cols->count, cols->exposure};
  size_t where[4 + NCOV];
  h->n_cov = cols->n_risk + cols->n_tcov;
  for (int c = 0; c < h->n_cov; c++)
    names[4 + c] = c < cols->n_risk ? cols->risk[c] : cols->tcov[c - cols->n_risk];
  h->slot = NULL;
  gbtm_status st = csv_read_header(r, 4 + (size_t)h->n_cov, names, where, &h->fields, err);
  if (st != GBTM_OK) return st;
  h->id = where[0], h->age = where[1], h->count = where[2], h->exposure = where[3];
  if (h->n_cov == 0) return GBTM_OK;
  if (!(h->slot = malloc(h->fields * sizeof *h->slot)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the header", r->path);
  for (size_t f = 0; f < h->fields; f++) h->slot[f] = -1;
  for (int c = 0; c < h->n_cov; c++) {
    h->cov[c] = where[4 + c];
    h->slot[h->cov[c]] = c; /* distinct names: distinct fields */
  }
  return GBTM_OK;
}

gbtm_status gbtm_panel_read_csv(const char *path, const gbtm_csv_columns *columns,
                                gbtm_panel **out, gbtm_error *err) {
  return panel_read_csv(path, columns, NULL, out, err);
}

gbtm_status panel_read_csv(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                           gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  if (columns && columns->wide) return panel_read_wide(path, columns, procs, out, err);
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  if (columns) {
    if (columns->id) cols.id = columns->id;
    if (columns->age) cols.age = columns->age;
    if (columns->count) cols.count = columns->count;
    cols.exposure = columns->exposure;
    cols.n_risk = columns->n_risk;
    cols.n_tcov = columns->n_tcov;
    memcpy(cols.risk, columns->risk, sizeof cols.risk);
    memcpy(cols.tcov, columns->tcov, sizeof cols.tcov);
    cols.drop_missing = columns->drop_missing;
  }
  gbtm_status st = panel_columns_check(path, &cols, err);
  if (st != GBTM_OK) return st;
  csv_reader r;
  if ((st = procs ? csv_open_part(&r, path, procs, cols.id, err) : csv_open(&r, path, err)) != GBTM_OK)
    return st;
  csv_header h;
  uint64_t header_line = r.line;
  st = read_header(&r, &cols, &h, err);
  if (st != GBTM_OK) {
    free(r.buf);
    free(h.slot);
    return st;
  }
  size_t cap = csv_count_lines(r.buf + r.pos, r.size - r.pos) + 1, nc = (size_t)h.n_cov;
  panel_row *rows = csv_alloc_large(cap * sizeof *rows);
  double *values = nc ? csv_alloc_large(cap * nc * sizeof *values) : NULL;
  idtable *table = idtable_alloc(0);
  size_t n_rows = 0;
  if (!rows || !table || (nc && !values))
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", path);
  else if (nc)
    st = read_rows_cov(&r, &h, &cols, table, rows, values, &n_rows, err);
  else
    st = read_rows(&r, &h, &cols, table, rows, &n_rows, err);
  free(r.buf);
  if (st == GBTM_OK && n_rows == 0)
    st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:1: no data rows", path,
                   (unsigned long long)header_line + 1);
  if (st != GBTM_OK) {
    free(rows);
    free(values);
    free(h.slot);
    idtable_free(table);
    return st;
  }
  size_t n_ids;
  char **ids = idtable_take_ids(table, &n_ids);
  idtable_free(table);
  panel_cov_in in = {0};
  if (nc) {
    in.n_risk = cols.n_risk;
    in.n_tcov = cols.n_tcov;
    for (int c = 0; c < cols.n_risk; c++) in.risk_name[c] = cols.risk[c];
    for (int c = 0; c < cols.n_tcov; c++) in.tcov_name[c] = cols.tcov[c];
    for (size_t c = 0; c < nc; c++) in.column[c] = h.cov[c] + 1;
    in.values = values;
    in.drop_missing = cols.drop_missing;
  }
  st = panel_build_cov(rows, n_rows, ids, n_ids, path, h.age + 1, nc ? &in : NULL, out, err);
  free(rows);
  free(values);
  free(h.slot);
  return st;
}
