/* read_csv.c reads a long CSV file (one row per person and age, a header
 * row naming the columns) into a panel (DESIGN §1), with the covariates of
 * gbtm_csv_columns: risk factors and time-varying covariates, one column
 * each. A wide file (columns->wide) is read_wide.c's (the dispatcher,
 * panel_read.c, picks the layout).
 *
 * The file is read whole and tokenised in place (csv_tokens.h). The only
 * per-row allocation is the copy of a new person id (idtable.c); a run of
 * rows of the same person costs one memcmp per row instead of a hash
 * lookup. The row loop is compiled three times: into rows with and
 * without covariates, so that files without them pay nothing for them,
 * and, for files without covariates whose rows come grouped by person with
 * ages ascending (as gbtm writes them), into columns of cells, parsed by
 * all threads in chunks (read_as_cells). Covariate values go to one
 * array in row order, NaN for a missing value (empty, "." or "NA"), and
 * panel_build_covariates() reports or drops the missing ones. Every malformed
 * input is reported as FILE:LINE:COLUMN, with COLUMN the 1-based field
 * number; duplicates (id, age) are found in panel_build(). A row whose
 * count is missing (empty, "." or "NA") is dropped and counted
 * (panel->missing_responses), its other fields unread. */
#include <math.h>
#include <omp.h>
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
#include "formats/read_csv.h"
#include "panel/panel_sorted.h"

#define MAX_COVARIATES (GBTM_MAX_RISK + GBTM_MAX_TCOV)

/* The header: the 0-based field index of each named column. */
typedef struct csv_header {
  size_t fields;                   /* number of fields */
  size_t id, age, count, exposure; /* SIZE_MAX = exposure not read */
  int n_covariates;                /* risk factors, then time-varying covariates */
  size_t covariate_field[MAX_COVARIATES]; /* their fields */
  int *slot;                       /* [fields]: the covariate of a field, or -1 */
} csv_header;

/* The cells as columns (read_cells): entries start[i] .. start[i+1] - 1
 * are person i's, ages ascending. */
typedef struct csv_cells {
  double *age;
  int32_t *count;
  double *exposure; /* NULL without an exposure column */
  size_t *start;    /* [persons + 1] */
  size_t persons;
  bool grouped;     /* false: a person's rows were not one run with ages ascending */
} csv_cells;

/* The data rows. On success rows[0..*n_rows), the ids in table and, with
 * covariates, values[row * n_covariates + c]; or, into_cells, the cells as
 * columns while the rows come grouped by person with ages ascending
 * (stopping, with cells->grouped false, at the first row that is not).
 * Inlined into its three callers: rows with and without covariates, and
 * cells. */
static inline __attribute__((always_inline)) gbtm_status
read_rows_impl(csv_reader *r, const csv_header *h, const gbtm_csv_columns *cols, idtable *table,
               panel_row *rows, double *values, csv_cells *cells, size_t *n_rows, size_t *missing, gbtm_error *err,
               const bool with_covariates, const bool into_cells, const bool real) {
  size_t n = 0;
  uint32_t last = 0;           /* the person of the previous row, */
  const char *last_id = NULL;  /* its id */
  size_t last_len = 0;         /* and length (0: none yet) */
  panel_row one;               /* the row, into_cells */
  for (csv_skip_empty_lines(r); r->pos < r->size; csv_skip_empty_lines(r)) {
    uint64_t line = r->line;
    char *text[4] = {NULL, NULL, NULL, NULL}; /* id, age, count, exposure */
    size_t len[4] = {0, 0, 0, 0};
    char *ctext[MAX_COVARIATES];
    size_t clen[MAX_COVARIATES];
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
      if (with_covariates && f < h->fields && h->slot[f] >= 0) ctext[h->slot[f]] = t, clen[h->slot[f]] = l;
      f++;
    } while (term == CSV_FIELD_COMMA);
    if (f != h->fields)
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: expected %zu fields, found %zu", r->path,
                       (unsigned long long)line, f < h->fields ? f + 1 : h->fields + 1, h->fields,
                       f);
    if (csv_is_missing(text[2], len[2])) { /* a missing response: the row is dropped, and counted */
      if (into_cells) { /* the rows' reader counts it */
        cells->grouped = false;
        return GBTM_OK;
      }
      (*missing)++;
      continue;
    }
    unsigned long long ln = (unsigned long long)line;
    panel_row *row = into_cells ? &one : &rows[n];
    row->line = line;
    bool run = n > 0; /* the row continues the previous row's person */

    if (len[0] == 0)
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: id is empty", r->path, ln, h->id + 1);
    if (len[0] == last_len && memcmp(text[0], last_id, len[0]) == 0) {
      row->person = last;
    } else {
      run = false;
      bool added;
      if (memchr(text[0], '\0', len[0]))
        return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: id contains a NUL byte", r->path, ln,
                         h->id + 1);
      if (!idtable_intern(table, text[0], len[0], &row->person, &added))
        return gbtm_fail(err, GBTM_ERR_NOMEM, "%s:%llu: out of memory storing person ids",
                         r->path, ln);
      if (into_cells && !added) { /* a person seen before: not grouped */
        cells->grouped = false;
        return GBTM_OK;
      }
      last = row->person;
      last_id = idtable_id(table, last);
      last_len = len[0];
    }

    if (!csv_parse_real(text[1], len[1], &row->age) || !csv_age_ok(row->age))
      return csv_bad_age(err, r->path, line, h->age + 1, text[1], len[1]);

    int64_t count = 0;
    const char *why = NULL;
    row->real_response = real;
    if (real) { /* a real response: any finite decimal */
      if (!csv_parse_response(text[2], len[2], &row->count))
        return csv_bad_response(err, r->path, line, h->count + 1, text[2], len[2]);
      if ((why = family_real_why(cols->family, row->count, cols->ymin, cols->ymax)))
        return csv_bad_field(err, r->path, line, h->count + 1, "count", text[2], len[2], why);
    } else {
      int bad = csv_parse_count(text[2], len[2], &count);
      if (bad) return csv_bad_count(err, r->path, line, h->count + 1, text[2], len[2], bad);
      row->count = (double)count;
    }

    row->exposure = 1.0;
    if (h->exposure != SIZE_MAX &&
        (!csv_parse_real(text[3], len[3], &row->exposure) || !isfinite(row->exposure) ||
         !(row->exposure > 0.0)))
      return csv_bad_field(err, r->path, line, h->exposure + 1, exposure_word(cols->family), text[3], len[3],
                           "is not a finite number > 0");
    if (h->exposure != SIZE_MAX && (why = family_exposure_why(cols->family, row->exposure)))
      return csv_bad_field(err, r->path, line, h->exposure + 1, exposure_word(cols->family), text[3], len[3], why);
    if (!real && (why = family_response_why(cols->family, count, row->exposure)))
      return csv_bad_field(err, r->path, line, h->count + 1, "count", text[2], len[2], why);

    if (into_cells) {
      if (run && !(row->age > cells->age[n - 1])) { /* ages not ascending */
        cells->grouped = false;
        return GBTM_OK;
      }
      if (!run) cells->start[cells->persons++] = n;
      cells->age[n] = row->age;
      cells->count[n] = (int32_t)count;
      if (cells->exposure) cells->exposure[n] = row->exposure;
    }
    if (with_covariates) {
      double *v = values + n * (size_t)h->n_covariates;
      for (int c = 0; c < h->n_covariates; c++)
        if (!csv_parse_covariate(ctext[c], clen[c], &v[c]) && cols->weight && c == cols->n_risk - 1)
          return csv_bad_field(err, r->path, line, h->covariate_field[c] + 1, "weight", ctext[c], clen[c],
                               "is not a finite number > 0 (a missing value is empty, \".\" or \"NA\")");
        else if (!csv_parse_covariate(ctext[c], clen[c], &v[c]))
          return csv_bad_covariate(err, r->path, line, h->covariate_field[c] + 1, c < cols->n_risk,
                                   c < cols->n_risk ? cols->risk[c] : cols->tcov[c - cols->n_risk],
                                   ctext[c], clen[c]);
    }
    n++;
  }
  *n_rows = n;
  if (into_cells) cells->start[cells->persons] = n;
  return GBTM_OK;
}

static gbtm_status read_rows(csv_reader *r, const csv_header *h, const gbtm_csv_columns *cols,
                             idtable *table, panel_row *rows, size_t *n_rows, size_t *missing, bool real,
                             gbtm_error *err) {
  return read_rows_impl(r, h, cols, table, rows, NULL, NULL, n_rows, missing, err, false, false, real);
}

static gbtm_status read_rows_covariates(csv_reader *r, const csv_header *h, const gbtm_csv_columns *cols,
                                 idtable *table, panel_row *rows, double *values, size_t *n_rows,
                                 size_t *missing, bool real, gbtm_error *err) {
  return read_rows_impl(r, h, cols, table, rows, values, NULL, n_rows, missing, err, true, false, real);
}

static gbtm_status read_cells(csv_reader *r, const csv_header *h, const gbtm_csv_columns *cols,
                              idtable *table, csv_cells *cells, size_t *n_rows, gbtm_error *err) {
  return read_rows_impl(r, h, cols, table, NULL, NULL, cells, n_rows, NULL, err, false, true, false);
}

/* The header's fields for the columns, and the covariates' slots. */
static gbtm_status read_header(csv_reader *r, const gbtm_csv_columns *cols, csv_header *h,
                               gbtm_error *err) {
  const char *names[4 + MAX_COVARIATES] = {cols->id, cols->age, cols->count, cols->exposure};
  size_t where[4 + MAX_COVARIATES];
  h->n_covariates = cols->n_risk + cols->n_tcov;
  for (int c = 0; c < h->n_covariates; c++)
    names[4 + c] = c < cols->n_risk ? cols->risk[c] : cols->tcov[c - cols->n_risk];
  h->slot = NULL;
  gbtm_status st = csv_read_header(r, 4 + (size_t)h->n_covariates, names, where, &h->fields, err);
  if (st != GBTM_OK) return st;
  h->id = where[0], h->age = where[1], h->count = where[2], h->exposure = where[3];
  if (h->n_covariates == 0) return GBTM_OK;
  if (!(h->slot = malloc(h->fields * sizeof *h->slot)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the header", r->path);
  for (size_t f = 0; f < h->fields; f++) h->slot[f] = -1;
  for (int c = 0; c < h->n_covariates; c++) {
    h->covariate_field[c] = where[4 + c];
    h->slot[h->covariate_field[c]] = c; /* distinct names: distinct fields */
  }
  return GBTM_OK;
}

/* One thread's share of read_as_cells: the lines of buf[from, to) into
 * the columns from row base on (a chunk's rows are at most its lines), its
 * own starts and ids. */
typedef struct cells_chunk {
  csv_reader r;
  csv_cells c;
  idtable *table;
  size_t base, n; /* first row slot, rows read */
  gbtm_status st;
  gbtm_error err;
} cells_chunk;

/* Bytes of rows a thread parses at least (smaller files are one chunk). */
#define CHUNK_MIN ((size_t)8 << 20)
#define CHUNKS_MAX 64

/* The chunks' persons as one list, into c (whose columns are the chunks'
 * rows, moved together; c->start allocated here) and *ids: a chunk's
 * first run continues the last run before it when it has the same id (and
 * its ages go on ascending); every other run must be an id no earlier
 * chunk holds. Sets c->grouped false when not so; false when out of
 * memory. */
static bool join_chunks(cells_chunk *ch, int nc, csv_cells *c, char ***ids) {
  size_t persons = 0, rows = 0;
  for (int j = 0; j < nc; j++) persons += ch[j].c.persons, rows += ch[j].n;
  bool *cont = calloc((size_t)nc, sizeof *cont), fresh = true;
  *ids = malloc((persons ? persons : 1) * sizeof **ids);
  c->start = malloc((persons + 1) * sizeof *c->start);
  if (!cont || !*ids || !c->start) {
    free(cont);
    free(*ids);
    *ids = NULL;
    return false;
  }
  int prev = -1; /* the last chunk with rows */
  for (int j = 0; j < nc; j++) {
    if (ch[j].n == 0) continue;
    if (prev >= 0) {
      const cells_chunk *a = &ch[prev], *b = &ch[j];
      uint32_t last = (uint32_t)(a->c.persons - 1);
      cont[j] = idtable_len(a->table, last) == idtable_len(b->table, 0) &&
                memcmp(idtable_id(a->table, last), idtable_id(b->table, 0), idtable_len(b->table, 0)) == 0;
      if (cont[j] && !(b->c.age[0] > a->c.age[a->n - 1])) c->grouped = false;
    }
    prev = j;
  }
  /* every other id of chunk j in no earlier chunk: lookups, in parallel */
#pragma omp parallel for schedule(dynamic, 1) reduction(&& : fresh) if (nc > 1)
  for (int j = 1; j < nc; j++)
    for (uint32_t i = cont[j] ? 1 : 0; i < ch[j].c.persons && fresh; i++)
      for (int k = 0; k < j && fresh; k++)
        if (idtable_find(ch[k].table, idtable_id(ch[j].table, i), idtable_len(ch[j].table, i))) fresh = false;
  c->grouped = c->grouped && fresh;
  size_t p = 0, at = 0;
  for (int j = 0; j < nc && c->grouped; j++) {
    size_t n_ids;
    char **mine = idtable_take_ids(ch[j].table, &n_ids);
    for (size_t i = 0; i < n_ids; i++) {
      if (i == 0 && cont[j]) {
        free(mine[0]);
        continue;
      }
      (*ids)[p] = mine[i];
      c->start[p++] = at + ch[j].c.start[i];
    }
    free(mine);
    if (at != ch[j].base) { /* rows up against the previous chunk's (empty lines made room) */
      memmove(c->age + at, c->age + ch[j].base, ch[j].n * sizeof *c->age);
      memmove(c->count + at, c->count + ch[j].base, ch[j].n * sizeof *c->count);
      if (c->exposure) memmove(c->exposure + at, c->exposure + ch[j].base, ch[j].n * sizeof *c->exposure);
    }
    at += ch[j].n;
  }
  c->persons = p;
  c->start[p] = rows;
  free(cont);
  return true;
}

/* Without covariates, the panel straight from columns of cells
 * (panel_sorted.c) while the rows come grouped by person with ages
 * ascending, as gbtm writes them: 12 bytes a row (20 with exposures)
 * instead of a 48-byte panel_row, and no sorting. The file is parsed by
 * all threads at once, in chunks cut at line ends (not where a quote may
 * hold a line break: a file with any '"' is one chunk), each with its own
 * id table and line numbers; the chunks are then joined (join_chunks), and
 * the first error in file order is the one reported. Cells are read
 * faster than rows, the more so on several threads (the fresh memory of a
 * 48-byte row, first touched, is much of a row's cost; measured:
 * bench/RESULTS.md, "Measurements that decided the code's rules").
 * *done is false, with nothing
 * built or reported, when the rows are not so grouped: the caller then
 * reads the same text as rows, which accepts any order and reports
 * repeated ages with their lines (r->pos is the
 * caller's to set back). Frees r->buf (NULL) once the rows are read as
 * cells. */
static gbtm_status read_as_cells(csv_reader *r, const csv_header *h, const gbtm_csv_columns *cols,
                                 uint64_t header_line, gbtm_panel **out, bool *done, gbtm_error *err) {
  size_t data = r->size - r->pos;
  int nc = omp_get_max_threads();
  if ((size_t)nc > data / CHUNK_MIN) nc = (int)(data / CHUNK_MIN);
  if (nc > CHUNKS_MAX) nc = CHUNKS_MAX;
  if (nc < 1 || memchr(r->buf + r->pos, '"', data)) nc = 1;
  csv_cells c = {.grouped = true};
  bool with_exposure = h->exposure != SIZE_MAX;
  cells_chunk *ch = calloc((size_t)nc, sizeof *ch);
  gbtm_status st = GBTM_OK;
  if (!ch) st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", r->path);
  /* the cuts: after the first line feed at or past each nc-th of the data */
  size_t from = r->pos;
  for (int j = 0; j < nc && st == GBTM_OK; j++) {
    size_t to = r->size;
    if (j + 1 < nc) {
      size_t at = r->pos + data / (size_t)nc * (size_t)(j + 1);
      const char *lf = memchr(r->buf + at, '\n', r->size - at);
      to = lf ? (size_t)(lf - r->buf) + 1 : r->size;
      if (to < from) to = from;
    }
    ch[j].r = *r;
    ch[j].r.pos = from;
    ch[j].r.size = to;
    from = to;
  }
  /* each chunk's first line and row slot, from the line feeds before it */
  size_t lines = 0, *mine = st == GBTM_OK ? malloc((size_t)nc * sizeof *mine) : NULL;
  if (st == GBTM_OK && !mine) st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", r->path);
#pragma omp parallel for schedule(static, 1) num_threads(nc) if (nc > 1 && mine)
  for (int j = 0; j < (mine ? nc : 0); j++) mine[j] = csv_count_lines(r->buf + ch[j].r.pos, ch[j].r.size - ch[j].r.pos);
  size_t cap = 1; /* rows at most: the line feeds, and a last line without one */
  for (int j = 0; j < nc && st == GBTM_OK; j++) cap += mine[j];
  if (st == GBTM_OK) {
    c.age = csv_alloc_large(cap * sizeof *c.age);
    c.count = csv_alloc_large(cap * sizeof *c.count);
    c.exposure = with_exposure ? csv_alloc_large(cap * sizeof *c.exposure) : NULL;
    if (!c.age || !c.count || (with_exposure && !c.exposure))
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", r->path);
  }
  for (int j = 0; j < nc && st == GBTM_OK; j++) {
    ch[j].r.line = r->line + lines;
    ch[j].base = lines;
    lines += mine[j];
    ch[j].c = (csv_cells){c.age + ch[j].base, c.count + ch[j].base, with_exposure ? c.exposure + ch[j].base : NULL,
                          malloc((mine[j] + 2) * sizeof *c.start), 0, true};
    ch[j].table = idtable_alloc(0);
    if (!ch[j].c.start || !ch[j].table)
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", r->path);
  }
  if (st == GBTM_OK) {
#pragma omp parallel for schedule(static, 1) num_threads(nc) if (nc > 1)
    for (int j = 0; j < nc; j++) ch[j].st = read_cells(&ch[j].r, h, cols, ch[j].table, &ch[j].c, &ch[j].n, &ch[j].err);
    for (int j = 0; j < nc; j++) c.grouped = c.grouped && ch[j].c.grouped;
    for (int j = 0; j < nc && st == GBTM_OK && c.grouped; j++)
      if (ch[j].st != GBTM_OK) st = ch[j].st, *err = ch[j].err; /* the first in file order */
  }
  char **ids = NULL;
  size_t n = 0;
  if (st == GBTM_OK && c.grouped) {
    for (int j = 0; j < nc; j++) n += ch[j].n;
    if (n == 0)
      st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:1: no data rows", r->path, (unsigned long long)header_line + 1);
    else if (!join_chunks(ch, nc, &c, &ids))
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory storing person ids", r->path);
  }
  if (st == GBTM_OK && c.grouped) { /* the text is no longer needed: its memory goes before the panel's comes */
    free(r->buf);
    r->buf = NULL;
  }
  *done = st != GBTM_OK;
  if (st == GBTM_OK && c.grouped) {
    bool sorted = false;
    st = panel_build_sorted(c.persons, c.start, ids, c.age, c.count, c.exposure, NULL, r->path, out, &sorted, err);
    if (st == GBTM_OK && !sorted) /* grouped cells ascend: the text, gone, is not read again */
      st = gbtm_fail(err, GBTM_ERR_INTERNAL, "%s: rows grouped by person were not sorted", r->path);
    *done = true;
    if (!(st == GBTM_OK && sorted)) { /* not the panel's */
      for (size_t i = 0; i < c.persons; i++) free(ids[i]);
      free(ids);
    }
  } else {
    free(ids); /* join_chunks left none in it */
  }
  for (int j = 0; ch && j < nc; j++) {
    free(ch[j].c.start);
    idtable_free(ch[j].table);
  }
  free(ch);
  free(mine);
  free(c.age);
  free(c.count);
  free(c.exposure);
  free(c.start);
  return st;
}

/* Opens path (a part of it, under procs) and reads its header. */
static gbtm_status open_csv(const char *path, const gbtm_csv_columns *cols, const gbtm_reducer *procs, csv_reader *r,
                            csv_header *h, uint64_t *header_line, gbtm_error *err) {
  h->slot = NULL;
  gbtm_status st = procs ? csv_open_part(r, path, procs, cols->id, err) : csv_open(r, path, cols->max_bytes, err);
  if (st == GBTM_OK && !procs) st = csv_dialect_apply(r, cols->delimiter, cols->decimal, err);
  if (st != GBTM_OK) return st;
  *header_line = r->line;
  if ((st = read_header(r, cols, h, err)) != GBTM_OK) {
    free(r->buf);
    free(h->slot);
    h->slot = NULL;
  }
  return st;
}

gbtm_status panel_read_long(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                            gbtm_panel **out, gbtm_error *err) {
  return panel_read_long_with(path, columns, procs, columns && family_real_response(columns->family), out, err);
}

gbtm_status panel_read_long_with(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                                 bool real, gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
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
    cols.max_bytes = columns->max_bytes;
    cols.delimiter = columns->delimiter;
    cols.decimal = columns->decimal;
    cols.family = columns->family;
    cols.ymin = columns->ymin, cols.ymax = columns->ymax;
    cols.weight = columns->weight;
  }
  gbtm_status st = panel_columns_check(path, &cols, err);
  if (st != GBTM_OK) return st;
  csv_reader r;
  csv_header h;
  uint64_t header_line;
  if ((st = open_csv(path, &cols, procs, &r, &h, &header_line, err)) != GBTM_OK) return st;
  size_t nc = (size_t)h.n_covariates;
  /* Cells first, without covariates; the rows when they are not grouped,
   * from the same text: the file is read once (a pipe cannot be read
   * twice). Quoted fields are unescaped in place, so text with a quote
   * goes to the rows at once. Real responses go to the rows too (the
   * cells hold counts). */
  if (nc == 0 && !real && !memchr(r.buf + r.pos, '"', r.size - r.pos)) {
    bool done;
    size_t pos = r.pos;
    uint64_t line = r.line;
    st = read_as_cells(&r, &h, &cols, header_line, out, &done, err);
    if (done) {
      free(r.buf);
      free(h.slot);
      if (st == GBTM_OK) memcpy((*out)->sha256, r.sha256, sizeof r.sha256);
      return st;
    }
    r.pos = pos, r.line = line;
  }
  size_t cap = csv_count_lines(r.buf + r.pos, r.size - r.pos) + 1;
  panel_row *rows = csv_alloc_large(cap * sizeof *rows);
  double *values = nc ? csv_alloc_large(cap * nc * sizeof *values) : NULL;
  idtable *table = idtable_alloc(0);
  size_t n_rows = 0, missing = 0;
  if (!rows || !table || (nc && !values))
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", path);
  else if (nc)
    st = read_rows_covariates(&r, &h, &cols, table, rows, values, &n_rows, &missing, real, err);
  else
    st = read_rows(&r, &h, &cols, table, rows, &n_rows, &missing, real, err);
  free(r.buf);
  if (st == GBTM_OK && n_rows == 0)
    st = missing ? gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:1: no data rows with a response (%zu missing)", path,
                             (unsigned long long)header_line + 1, missing)
                 : gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:1: no data rows", path,
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
  panel_covariates_in in = {0};
  if (nc) {
    in.n_risk = cols.n_risk;
    in.n_tcov = cols.n_tcov;
    for (int c = 0; c < cols.n_risk; c++) in.risk_name[c] = cols.risk[c];
    for (int c = 0; c < cols.n_tcov; c++) in.tcov_name[c] = cols.tcov[c];
    for (size_t c = 0; c < nc; c++) in.column[c] = h.covariate_field[c] + 1;
    in.values = values;
    in.drop_missing = cols.drop_missing;
    in.weight_last = cols.weight != NULL;
  }
  st = panel_build_covariates(rows, n_rows, ids, n_ids, path, h.age + 1, nc ? &in : NULL, out, err);
  if (st == GBTM_OK) {
    memcpy((*out)->sha256, r.sha256, sizeof r.sha256);
    (*out)->missing_responses = missing;
  }
  free(rows);
  free(values);
  free(h.slot);
  return st;
}
