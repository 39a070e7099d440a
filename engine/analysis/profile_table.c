/* profile_table.c: the person variables of a profile (gbtm_person_table,
 * gbtm.h; DESIGN §9 Data): one row per person of a CSV file (any dialect)
 * or a Stata, SPSS or SAS file, read with the panel readers' tokenizer
 * (csv_tokens.h) or table (native_table.h), so that every message names
 * FILE:LINE:COLUMN (a native file: its row and variable position). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/idtable.h"
#include "formats/csv_dialect.h"
#include "formats/csv_tokens.h"
#include "formats/native_table.h"

enum { CELL_MISSING = 0, CELL_NUMBER, CELL_TEXT };

typedef struct cell {
  const char *s; /* the text (CSV; a native string), not owned */
  uint32_t len;
  uint8_t kind;
  bool nonfinite; /* a text cell that reads as a number out of range: "inf", "nan", "1e999" */
  double num;
  const char *label; /* a native number's value label */
} cell;

typedef struct column {
  char *name;
  size_t field;           /* 1-based column (field, or the native variable's position) */
  double *value;          /* [rows] */
  int n_levels;           /* > 0: a text column */
  char **level;
  int n_labels;
  double *label_value;
  char **label_text;
  uint64_t text_line;     /* the first text cell (0: none) */
  char text[CSV_SHOW + 8];
} column;

struct gbtm_person_table {
  char *path;
  size_t n, rows;
  column *col;
  idtable *ids;
};

typedef struct builder {
  gbtm_person_table *t;
  cell *cells;        /* [persons * n] the person's first row */
  uint64_t *line;     /* [persons] its line */
  size_t cap;
  bool repeated;
} builder;

static char *copy_text(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) memcpy(d, s, n), d[n] = '\0';
  return d;
}

static bool same_cell(const cell *a, const cell *b) {
  if (a->kind != b->kind) return false;
  if (a->kind == CELL_MISSING) return true;
  if (a->kind == CELL_NUMBER) return a->num == b->num;
  return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static void shown(char *buf, size_t cap, const cell *c) {
  size_t used = 0;
  buf[0] = '\0';
  if (c->kind == CELL_MISSING) snprintf(buf, cap, "(missing)");
  else if (c->s) csv_append_shown(buf, cap, &used, c->s, c->len);
  else snprintf(buf, cap, "%.17g", c->num);
}

/* One row: its id and cells; a new person, or a repeat checked against
 * the person's first row. */
static gbtm_status add_row(builder *b, const char *id, size_t id_len, size_t id_field, uint64_t line,
                           const cell *cells, gbtm_error *err) {
  gbtm_person_table *t = b->t;
  if (id_len == 0)
    return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: the person id is missing", t->path,
                     (unsigned long long)line, id_field);
  uint32_t person;
  bool added;
  if (!idtable_intern(t->ids, id, id_len, &person, &added))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s:%llu: out of memory storing person ids", t->path,
                     (unsigned long long)line);
  if (!added) {
    if (!b->repeated)
      return gbtm_fail(err, GBTM_ERR_PARSE,
                       "%s:%llu:%zu: person id \"%s\" is on two rows (first on line %llu); the person "
                       "data must have one row per person",
                       t->path, (unsigned long long)line, id_field, idtable_id(t->ids, person),
                       (unsigned long long)b->line[person]);
    for (size_t j = 0; j < t->n; j++)
      if (!same_cell(&b->cells[person * t->n + j], &cells[j])) {
        char a[CSV_SHOW + 8], c[CSV_SHOW + 8];
        shown(a, sizeof a, &b->cells[person * t->n + j]);
        shown(c, sizeof c, &cells[j]);
        return gbtm_fail(err, GBTM_ERR_PARSE,
                         "%s:%llu:%zu: variable \"%s\" of person \"%s\" is \"%s\" here but \"%s\" on line "
                         "%llu: a person variable must be constant within a person",
                         t->path, (unsigned long long)line, t->col[j].field, t->col[j].name,
                         idtable_id(t->ids, person), c, a, (unsigned long long)b->line[person]);
      }
    return GBTM_OK;
  }
  if (person >= b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 1024;
    cell *c = realloc(b->cells, cap * (t->n ? t->n : 1) * sizeof *c);
    if (c) b->cells = c;
    uint64_t *l = realloc(b->line, cap * sizeof *l);
    if (l) b->line = l;
    if (!c || !l) return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", t->path);
    b->cap = cap;
  }
  memcpy(b->cells + (size_t)person * t->n, cells, t->n * sizeof *cells);
  b->line[person] = line;
  return GBTM_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Column j's values from the persons' cells: numbers, or codes into its
 * sorted text levels when a cell is text; value labels collected. */
static gbtm_status finish_column(builder *b, size_t j, gbtm_error *err) {
  gbtm_person_table *t = b->t;
  column *c = &t->col[j];
  size_t R = t->rows;
  c->value = malloc((R ? R : 1) * sizeof *c->value);
  if (!c->value) return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", t->path);
  bool text = false, numeric = true; /* numeric: its text cells are all numbers out of range */
  size_t odd = 0;
  for (size_t i = 0; i < R; i++) {
    const cell *x = &b->cells[i * t->n + j];
    if (x->kind == CELL_TEXT && numeric && !x->nonfinite) numeric = false;
    if (x->kind == CELL_TEXT && !text) {
      odd = i;
      text = true;
      c->text_line = b->line[i];
      size_t used = 0;
      csv_append_shown(c->text, sizeof c->text, &used, x->s, x->len);
    }
    c->value[i] = x->kind == CELL_NUMBER ? x->num : NAN;
    if (x->kind == CELL_NUMBER && x->label) {
      int l;
      for (l = 0; l < c->n_labels && c->label_value[l] != x->num; l++) {}
      if (l == c->n_labels && c->n_labels < 4096) {
        double *v = realloc(c->label_value, (size_t)(l + 1) * sizeof *v);
        if (v) c->label_value = v;
        char **s = realloc(c->label_text, (size_t)(l + 1) * sizeof *s);
        if (s) c->label_text = s;
        char *d = copy_text(x->label, strlen(x->label));
        if (!v || !s || !d) {
          free(d);
          return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", t->path);
        }
        v[l] = x->num, s[l] = d, c->n_labels++;
      }
    }
  }
  if (!text) return GBTM_OK;
  if (numeric) /* a number column with "inf" or "nan" in it, not a column of text */
    return gbtm_fail(err, GBTM_ERR_PARSE,
                     "%s:%llu:%zu: variable \"%s\" is \"%s\", not a finite number (expected a number, or empty, "
                     "\".\" or \"NA\" for a missing value)",
                     t->path, (unsigned long long)b->line[odd], c->field, c->name, c->text);
  idtable *lv = idtable_alloc(16);
  uint32_t *code = malloc((R ? R : 1) * sizeof *code);
  if (!lv || !code) {
    idtable_free(lv), free(code);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", t->path);
  }
  for (size_t i = 0; i < R; i++) {
    const cell *x = &b->cells[i * t->n + j];
    code[i] = UINT32_MAX;
    if (x->kind == CELL_MISSING) continue;
    const char *s = x->s;
    size_t len = x->len;
    csv_trim(&s, &len);
    if (!idtable_intern(lv, s, len, &code[i], NULL)) {
      idtable_free(lv), free(code);
      return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", t->path);
    }
  }
  size_t L = idtable_count(lv);
  char **names = idtable_take_ids(lv, &L);
  idtable_free(lv);
  char **sorted = malloc((L ? L : 1) * sizeof *sorted);
  int *rank = malloc((L ? L : 1) * sizeof *rank);
  if ((L && !names) || !sorted || !rank) {
    for (size_t l = 0; names && l < L; l++) free(names[l]);
    free(names), free(sorted), free(rank), free(code);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", t->path);
  }
  memcpy(sorted, names, L * sizeof *sorted);
  qsort(sorted, L, sizeof *sorted, cmp_str);
  for (size_t l = 0; l < L; l++)
    for (size_t r = 0; r < L; r++)
      if (sorted[r] == names[l]) rank[l] = (int)r;
  for (size_t i = 0; i < R; i++) c->value[i] = code[i] == UINT32_MAX ? NAN : rank[code[i]];
  c->level = sorted;
  c->n_levels = (int)L;
  free(names), free(rank), free(code);
  return GBTM_OK;
}

/* A CSV cell. */
static cell csv_cell(const char *s, size_t len) {
  cell c = {.s = s, .len = (uint32_t)len, .kind = CELL_TEXT};
  if (csv_is_missing(s, len)) c.kind = CELL_MISSING;
  else if (csv_parse_real(s, len, &c.num)) {
    if (isfinite(c.num)) c.kind = CELL_NUMBER;
    else c.nonfinite = true, c.num = 0;
  }
  return c;
}

static gbtm_status read_csv_rows(builder *b, csv_reader *r, const char *id, const char *const *names,
                                 gbtm_error *err) {
  gbtm_person_table *t = b->t;
  size_t n = t->n, fields = 0;
  const char **want = malloc((n + 1) * sizeof *want);
  size_t *where = malloc((n + 1) * sizeof *where);
  cell *cells = malloc((n ? n : 1) * sizeof *cells);
  const char **text = NULL;
  size_t *len = NULL;
  gbtm_status st = GBTM_OK;
  if (!want || !where || !cells) st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", t->path);
  if (st == GBTM_OK) {
    want[0] = id;
    for (size_t j = 0; j < n; j++) want[j + 1] = names[j];
    st = csv_read_header(r, n + 1, want, where, &fields, err);
  }
  if (st == GBTM_OK) {
    text = malloc(fields * sizeof *text), len = malloc(fields * sizeof *len);
    if (!text || !len) st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", t->path);
    for (size_t j = 0; j < n; j++) t->col[j].field = where[j + 1] + 1;
  }
  for (csv_skip_empty_lines(r); st == GBTM_OK && r->pos < r->size; csv_skip_empty_lines(r)) {
    uint64_t line = r->line;
    size_t f = 0;
    int term;
    do {
      char *tx;
      size_t l;
      term = csv_next_field(r, line, f + 1, &tx, &l, err);
      if (term == CSV_FIELD_ERROR) {
        st = GBTM_ERR_PARSE;
        break;
      }
      if (f < fields) text[f] = tx, len[f] = l;
      f++;
    } while (term == CSV_FIELD_COMMA);
    if (st != GBTM_OK) break;
    if (f != fields) {
      st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: expected %zu fields, found %zu", t->path,
                     (unsigned long long)line, f < fields ? f + 1 : fields + 1, fields, f);
      break;
    }
    for (size_t j = 0; j < n; j++) cells[j] = csv_cell(text[where[j + 1]], len[where[j + 1]]);
    const char *is = text[where[0]];
    size_t il = len[where[0]];
    csv_trim(&is, &il);
    if (csv_is_missing(is, il)) il = 0;
    st = add_row(b, is, il, where[0] + 1, line, cells, err);
  }
  free(want), free(where), free(cells), free(text), free(len);
  return st;
}

static gbtm_status read_native_rows(builder *b, native_format format, const char *id, const char *const *names,
                                    native_table *nt, gbtm_error *err) {
  gbtm_person_table *t = b->t;
  size_t n = t->n;
  const char **want = malloc((n + 1) * sizeof *want);
  cell *cells = malloc((n ? n : 1) * sizeof *cells);
  if (!want || !cells) {
    free(want), free(cells);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", t->path);
  }
  want[0] = id;
  for (size_t j = 0; j < n; j++) want[j + 1] = names[j];
  gbtm_status st = native_table_read(t->path, format, n + 1, want, 0, nt, err);
  for (size_t j = 0; st == GBTM_OK && j <= n; j++)
    if (nt->index[j] == 0)
      st = gbtm_fail(err, GBTM_ERR_PARSE, "%s: no variable \"%s\" (found: %s)", t->path, want[j], nt->found);
  for (size_t j = 0; st == GBTM_OK && j < n; j++) t->col[j].field = (size_t)nt->index[j + 1];
  for (size_t row = 0; st == GBTM_OK && row < nt->rows; row++) {
    const native_cell *nc = nt->cells + row * (n + 1);
    for (size_t j = 0; j < n; j++) {
      const native_cell *x = &nc[j + 1];
      cell c = {0};
      if (x->kind == NATIVE_NUMBER && isfinite(x->number)) c.kind = CELL_NUMBER, c.num = x->number, c.label = x->string;
      else if (x->kind == NATIVE_STRING) c = csv_cell(x->string, strlen(x->string));
      cells[j] = c;
    }
    char buf[64];
    const char *is = "";
    if (nc[0].kind == NATIVE_STRING) is = nc[0].string;
    else if (nc[0].kind == NATIVE_NUMBER && nc[0].string) is = nc[0].string;
    else if (nc[0].kind == NATIVE_NUMBER) is = (snprintf(buf, sizeof buf, "%.17g", nc[0].number), buf);
    st = add_row(b, is, strlen(is), (size_t)nt->index[0], row + 1, cells, err);
  }
  free(want), free(cells);
  return st;
}

gbtm_status gbtm_person_table_read(const char *path, const char *id, size_t n, const char *const *names,
                                   bool repeated, char delimiter, char decimal, gbtm_person_table **out,
                                   gbtm_error *err) {
  *out = NULL;
  gbtm_person_table *t = calloc(1, sizeof *t);
  builder b = {.t = t, .repeated = repeated};
  csv_reader r = {0};
  native_table nt;
  memset(&nt, 0, sizeof nt);
  gbtm_status st = GBTM_OK;
  if (!t || !(t->path = copy_text(path, strlen(path))) || !(t->col = calloc(n ? n : 1, sizeof *t->col)) ||
      !(t->ids = idtable_alloc(1024)))
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", path);
  if (t) t->n = n;
  for (size_t j = 0; st == GBTM_OK && j < n; j++)
    if (!(t->col[j].name = copy_text(names[j], strlen(names[j]))))
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", path);
  native_format format = native_format_of(path);
  if (st == GBTM_OK && format != NATIVE_NONE) st = read_native_rows(&b, format, id, names, &nt, err);
  else if (st == GBTM_OK) {
    st = csv_open(&r, path, 0, err);
    if (st == GBTM_OK) st = csv_dialect_apply(&r, delimiter, decimal, err);
    if (st == GBTM_OK) st = read_csv_rows(&b, &r, id, names, err);
  }
  if (st == GBTM_OK) t->rows = idtable_count(t->ids);
  for (size_t j = 0; st == GBTM_OK && j < n; j++) st = finish_column(&b, j, err);
  free(r.buf);
  if (format != NATIVE_NONE) native_table_free(&nt);
  free(b.cells), free(b.line);
  if (st != GBTM_OK) {
    gbtm_person_table_free(t);
    return st;
  }
  *out = t;
  return GBTM_OK;
}

void gbtm_person_table_free(gbtm_person_table *t) {
  if (!t) return;
  for (size_t j = 0; t->col && j < t->n; j++) {
    column *c = &t->col[j];
    free(c->name), free(c->value), free(c->label_value);
    for (int l = 0; l < c->n_levels; l++) free(c->level[l]);
    for (int l = 0; l < c->n_labels; l++) free(c->label_text[l]);
    free(c->level), free(c->label_text);
  }
  free(t->col);
  idtable_free(t->ids);
  free(t->path);
  free(t);
}

size_t gbtm_person_table_rows(const gbtm_person_table *t) { return t->rows; }
const char *gbtm_person_table_id(const gbtm_person_table *t, size_t i) {
  return i < t->rows ? idtable_id(t->ids, (uint32_t)i) : NULL;
}

size_t gbtm_person_table_find(const gbtm_person_table *t, const char *id) {
  size_t len = strlen(id);
  if (!idtable_find(t->ids, id, len)) return SIZE_MAX;
  uint32_t i; /* present: interning finds it without adding */
  return idtable_intern(t->ids, id, len, &i, NULL) ? i : SIZE_MAX;
}

bool gbtm_person_table_numeric(const gbtm_person_table *t, size_t j) { return t->col[j].n_levels == 0; }
const double *gbtm_person_table_values(const gbtm_person_table *t, size_t j) { return t->col[j].value; }
int gbtm_person_table_n_levels(const gbtm_person_table *t, size_t j) { return t->col[j].n_levels; }
const char *gbtm_person_table_level(const gbtm_person_table *t, size_t j, int l) {
  return l >= 0 && l < t->col[j].n_levels ? t->col[j].level[l] : NULL;
}
int gbtm_person_table_n_labels(const gbtm_person_table *t, size_t j) { return t->col[j].n_labels; }
double gbtm_person_table_label_value(const gbtm_person_table *t, size_t j, int l) {
  return t->col[j].label_value[l];
}
const char *gbtm_person_table_label_text(const gbtm_person_table *t, size_t j, int l) {
  return t->col[j].label_text[l];
}

gbtm_status gbtm_person_table_require_numeric(const gbtm_person_table *t, size_t j, const char *what,
                                              gbtm_error *err) {
  const column *c = &t->col[j];
  if (c->n_levels == 0) return GBTM_OK;
  return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: %s \"%s\" is \"%s\", not a number", t->path,
                   (unsigned long long)c->text_line, c->field, what, c->name, c->text);
}
