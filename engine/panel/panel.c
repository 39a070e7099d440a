/* panel.c builds the sparse person x age panel of engine/panel/panel.h from rows
 * in any order, and gives it back as cells, accessors and long CSV.
 *
 * Building (panel_build) takes O(n) in the number of rows n when they come
 * sorted by person and age, as files written person by person do, and
 * O(n log n) otherwise:
 * 1. one pass for the age grid (the distinct ages, exact double equality,
 *    through a hash set), the counts and age range of each person, and
 *    whether the rows are sorted by (person, age, line);
 * 2. if not, a sort (by person with the counts, then each person's rows),
 *    so each person's rows are contiguous and a repeated (id, age) is a
 *    pair of neighbours;
 * 3. the windows and CSR offsets from the counts;
 * 4. one pass to fill the cells.
 */
#include "panel/panel.h"

#include "panel/age_set.h"
#include "base/atomic_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


gbtm_csv_columns gbtm_csv_columns_default(void) {
  gbtm_csv_columns c = {0};
  c.id = "id";
  c.age = "age";
  c.count = "count";
  c.ymin = -INFINITY;
  c.ymax = INFINITY;
  return c;
}

void gbtm_panel_free(gbtm_panel *p) {
  if (!p) return;
  if (p->id)
    for (size_t i = 0; i < p->n; i++) free(p->id[i]);
  free(p->id);
  free(p->age);
  free(p->lo);
  free(p->hi);
  free(p->skip_start);
  free(p->skip_t);
  free(p->nz_start);
  free(p->nz_t);
  free(p->nz_y);
  free(p->ex_start);
  free(p->ex_t);
  free(p->ex_y);
  free(p->ex_e);
  free(p->risk);
  free(p->obs_start);
  free(p->tcov);
  free(p->weight);
  free(p);
}

/* Sizes of the whole panel (of all processes' blocks when distributed). */
size_t gbtm_panel_n_persons(const gbtm_panel *p) { return p ? panel_sizes_all(p).n : 0; }
size_t gbtm_panel_n_obs(const gbtm_panel *p) { return p ? panel_sizes_all(p).n_obs : 0; }
size_t gbtm_panel_n_nonzero(const gbtm_panel *p) { return p ? panel_sizes_all(p).n_nonzero : 0; }
size_t gbtm_panel_n_ages(const gbtm_panel *p) { return p ? p->T : 0; }
const double *gbtm_panel_ages(const gbtm_panel *p) { return p ? p->age : NULL; }
bool gbtm_panel_has_exposure(const gbtm_panel *p) { return p && p->has_exposure; }
double gbtm_panel_total_count(const gbtm_panel *p) { return p ? p->total : 0.0; }

const char *gbtm_panel_id(const gbtm_panel *p, size_t i) {
  return p && i < p->n ? p->id[i] : NULL;
}

/* ---- rows -------------------------------------------------------------- */

static int cmp_row(const panel_row *x, const panel_row *y) {
  if (x->person != y->person) return x->person < y->person ? -1 : 1;
  if (x->age != y->age) return x->age < y->age ? -1 : 1;
  return (x->line > y->line) - (x->line < y->line);
}

static int cmp_row_void(const void *a, const void *b) { return cmp_row(a, b); }

/* Sorts the m rows of one person by (age, line): by insertion when few. */
static void sort_person_rows(panel_row *r, size_t m) {
  if (m > 24) {
    qsort(r, m, sizeof *r, cmp_row_void);
    return;
  }
  for (size_t k = 1; k < m; k++) {
    panel_row x = r[k];
    size_t j = k;
    for (; j > 0 && cmp_row(&r[j - 1], &x) > 0; j--) r[j] = r[j - 1];
    r[j] = x;
  }
}

/* The rows sorted by (person, age, line) in a new array: a counting sort
 * by person (cells[i] rows of person i), then each person's rows, which are
 * few, so O(n + sum m_i log m_i). NULL when out of memory. */
static panel_row *sort_rows(const panel_row *rows, size_t n_rows, const size_t *cells,
                            size_t n_persons) {
  panel_row *out = malloc(n_rows * sizeof *out);
  size_t *next = malloc((n_persons ? n_persons : 1) * sizeof *next);
  if (!out || !next) {
    free(out);
    free(next);
    return NULL;
  }
  for (size_t i = 0, at = 0; i < n_persons; i++) {
    next[i] = at;
    at += cells[i];
  }
  for (size_t j = 0; j < n_rows; j++) out[next[rows[j].person]++] = rows[j];
  for (size_t i = 0, a = 0; i < n_persons; i++) { /* next[i] is now the end of person i */
    sort_person_rows(out + a, next[i] - a);
    a = next[i];
  }
  free(next);
  return out;
}


/* The index of age a in the grid: next when it matches (rows of a person
 * usually step through consecutive ages), else by hash. */
static uint32_t age_index(const gbtm_panel *p, const age_set *s, double a, uint32_t next) {
  if (next < p->T && p->age[next] == a) return next;
  return age_set_rank(s, a);
}

gbtm_status panel_build(panel_row *rows, size_t n_rows, char **ids, size_t n_persons,
                        const char *source, size_t age_column, gbtm_panel **out,
                        gbtm_error *err) {
  return panel_build_rows(rows, n_rows, ids, n_persons, source, age_column, out, NULL, err);
}

/* Takes ownership of ids (each string and the array), also on failure. */
gbtm_status panel_build_rows(panel_row *rows, size_t n_rows, char **ids, size_t n_persons,
                             const char *source, size_t age_column, gbtm_panel **out,
                             panel_row **sorted_rows, gbtm_error *err) {
  *out = NULL;
  if (sorted_rows) *sorted_rows = NULL;
  if (!source) source = "rows";
  gbtm_panel *p = calloc(1, sizeof *p);
  if (!p) {
    for (size_t i = 0; i < n_persons; i++) free(ids[i]);
    free(ids);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory building the panel");
  }
  p->id = ids;
  p->n = n_persons;
  if (n_rows == 0) {
    gbtm_panel_free(p);
    return gbtm_fail(err, GBTM_ERR_PARSE, "%s: no data rows", source);
  }
  gbtm_status st = GBTM_OK;
  age_set ages;
  bool ages_ok = age_set_init(&ages);
  /* Per person while counting: cells, regular nonzero cells and exception
   * cells (in the three start arrays), and the first and last age. */
  p->skip_start = calloc(n_persons + 1, sizeof *p->skip_start);
  p->nz_start = calloc(n_persons + 1, sizeof *p->nz_start);
  p->ex_start = calloc(n_persons + 1, sizeof *p->ex_start);
  p->lo = malloc((n_persons ? n_persons : 1) * sizeof *p->lo);
  p->hi = malloc((n_persons ? n_persons : 1) * sizeof *p->hi);
  double *amin = malloc((n_persons ? n_persons : 1) * sizeof *amin);
  double *amax = malloc((n_persons ? n_persons : 1) * sizeof *amax);
  panel_row *copy = NULL; /* the sorted rows, when sorted into a copy */
  if (!ages_ok || !p->skip_start || !p->nz_start || !p->ex_start || !p->lo || !p->hi ||
      !amin || !amax)
    goto nomem;

  /* 1. One pass: the last guards on the fields (readers check them first,
   * with columns), the age grid, the counts per person, and whether the
   * rows already come sorted by (person, age, line); if they do, a repeated
   * (id, age) is a pair of neighbours. */
  size_t *cells = p->skip_start, *nonzero = p->nz_start, *except = p->ex_start;
  size_t dup = 0; /* the repeated row with the earliest line, 0 = none */
  bool sorted = true;
  for (size_t j = 0; j < n_rows; j++) {
    const panel_row *r = &rows[j];
    const char *what = NULL;
    if (r->person >= n_persons) {
      st = gbtm_fail(err, GBTM_ERR_INTERNAL, "%s:%llu: person index %lu out of range", source,
                     (unsigned long long)r->line, (unsigned long)r->person);
      goto fail;
    }
    if (!isfinite(r->age)) what = "age is not a finite number";
    else if (r->real_response && !isfinite(r->count)) what = "count is not a finite number";
    else if (!r->real_response && (!(r->count >= 0) || r->count != floor(r->count)))
      what = "count is not a non-negative integer";
    else if (!r->real_response && r->count > INT32_MAX) what = "count too large (at most 2147483647)";
    else if (!(isfinite(r->exposure) && r->exposure > 0.0))
      what = "exposure is not a finite number > 0";
    if (what) {
      st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu: %s", source, (unsigned long long)r->line, what);
      goto fail;
    }
    if (!age_set_add(&ages, r->age)) goto nomem;
    if (j > 0 && sorted) {
      int c = cmp_row(r - 1, r);
      if (c > 0) sorted = false;
      else if (r[-1].person == r->person && r[-1].age == r->age &&
               (!dup || r->line < rows[dup].line))
        dup = j;
    }
    size_t i = r->person;
    if (cells[i]++ == 0) amin[i] = amax[i] = r->age;
    else if (r->age < amin[i]) amin[i] = r->age;
    else if (r->age > amax[i]) amax[i] = r->age;
    if (r->exposure != 1.0) except[i]++;
    else if (r->count != 0) nonzero[i]++;
  }

  /* 2. Otherwise sort them (in place by qsort when memory is short), and
   * look for repeats. */
  if (!sorted) {
    copy = sort_rows(rows, n_rows, cells, n_persons);
    if (copy) rows = copy;
    else qsort(rows, n_rows, sizeof *rows, cmp_row_void);
    dup = 0;
    for (size_t j = 1; j < n_rows; j++)
      if (rows[j].person == rows[j - 1].person && rows[j].age == rows[j - 1].age &&
          (!dup || rows[j].line < rows[dup].line))
        dup = j;
  }
  if (dup) {
    const panel_row *r = &rows[dup];
    st = gbtm_fail(err, GBTM_ERR_PARSE,
                   "%s:%llu:%zu: duplicate (id, age) = (%s, %.17g); first seen on line %llu",
                   source, (unsigned long long)r->line, age_column, ids[r->person], r->age,
                   (unsigned long long)rows[dup - 1].line);
    goto fail;
  }

  /* 3. The grid, the windows, and the CSR offsets from the counts. */
  age_set_sort(&ages);
  p->T = ages.count;
  p->age = malloc(p->T * sizeof *p->age);
  if (!p->age) goto nomem;
  memcpy(p->age, ages.ages, p->T * sizeof *p->age);
  size_t n_skip = 0, n_nz = 0, n_ex = 0;
  for (size_t i = 0; i < n_persons; i++) {
    size_t m = cells[i], nz = nonzero[i], ex = except[i];
    if (m == 0) {
      st = gbtm_fail(err, GBTM_ERR_INTERNAL, "%s: person %zu has no rows", source, i);
      goto fail;
    }
    p->lo[i] = age_set_rank(&ages, amin[i]);
    p->hi[i] = age_set_rank(&ages, amax[i]);
    size_t gaps = (size_t)(p->hi[i] - p->lo[i]) + 1 - m; /* m <= window: no repeats */
    if (n_skip > SIZE_MAX / 8 - gaps - ex) goto nomem;
    p->skip_start[i] = n_skip;
    p->nz_start[i] = n_nz;
    p->ex_start[i] = n_ex;
    n_skip += gaps + ex;
    n_nz += nz;
    n_ex += ex;
  }
  p->skip_start[n_persons] = n_skip;
  p->nz_start[n_persons] = n_nz;
  p->ex_start[n_persons] = n_ex;
  if (!panel_alloc_cells(p)) goto nomem;

  /* 4. Fill, ascending in t within each person (rows are sorted now). */
  panel_filler f;
  panel_filler_init(&f);
  size_t a = 0;
  for (size_t i = 0; i < n_persons; i++) {
    panel_fill_person(p, &f, i);
    for (; a < n_rows && rows[a].person == i; a++) {
      const panel_row *r = &rows[a];
      panel_fill_cell(p, &f, age_index(p, &ages, r->age, f.next), r->count, r->exposure);
    }
  }
  p->n_obs = n_rows;
  p->n_nonzero = f.n_nonzero;
  p->total = f.total;
  p->has_exposure = f.has_exposure;
  age_set_free(&ages);
  free(amin);
  free(amax);
  if (sorted_rows) *sorted_rows = rows; /* the copy when sorted into one: the caller frees it */
  else free(copy);
  *out = p;
  return GBTM_OK;

nomem:
  st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory building the panel");
fail:
  age_set_free(&ages);
  free(amin);
  free(amax);
  free(copy);
  gbtm_panel_free(p);
  return st;
}

/* Observed cells of person i: the window less the skip cells, merged with
 * the exception cells (which are among the skip cells). Any of t, y, e may
 * be NULL when not wanted. */
bool panel_alloc_cells(gbtm_panel *p) {
  size_t n_skip = p->skip_start[p->n], n_nz = p->nz_start[p->n], n_ex = p->ex_start[p->n];
  p->skip_t = malloc((n_skip ? n_skip : 1) * sizeof *p->skip_t);
  p->nz_t = malloc((n_nz ? n_nz : 1) * sizeof *p->nz_t);
  p->nz_y = malloc((n_nz ? n_nz : 1) * sizeof *p->nz_y);
  p->ex_t = malloc((n_ex ? n_ex : 1) * sizeof *p->ex_t);
  p->ex_y = malloc((n_ex ? n_ex : 1) * sizeof *p->ex_y);
  p->ex_e = malloc((n_ex ? n_ex : 1) * sizeof *p->ex_e);
  return p->skip_t && p->nz_t && p->nz_y && p->ex_t && p->ex_y && p->ex_e;
}

void panel_filler_init(panel_filler *f) {
  memset(f, 0, sizeof *f);
}

size_t panel_person_cells(const gbtm_panel *p, size_t i, uint32_t *t, double *y, double *e) {
  size_t c = 0, s = p->skip_start[i], s_end = p->skip_start[i + 1];
  size_t z = p->nz_start[i], z_end = p->nz_start[i + 1];
  size_t x = p->ex_start[i], x_end = p->ex_start[i + 1];
  for (size_t u = p->lo[i]; u <= p->hi[i]; u++) {
    if (s < s_end && p->skip_t[s] == u) {
      s++;
      if (x < x_end && p->ex_t[x] == u) {
        if (t) t[c] = (uint32_t)u;
        if (y) y[c] = p->ex_y[x];
        if (e) e[c] = p->ex_e[x];
        c++;
        x++;
      }
      continue;
    }
    double count = 0.0;
    if (z < z_end && p->nz_t[z] == u) count = p->nz_y[z++];
    if (t) t[c] = (uint32_t)u;
    if (y) y[c] = count;
    if (e) e[c] = 1.0;
    c++;
  }
  return c;
}

bool panel_integer_responses(const gbtm_panel *p) {
  for (size_t j = 0; j < p->nz_start[p->n]; j++)
    if (!panel_count_value(p->nz_y[j])) return false;
  for (size_t j = 0; j < p->ex_start[p->n]; j++)
    if (!panel_count_value(p->ex_y[j])) return false;
  return true;
}

/* ---- writing long CSV ------------------------------------------------- */

/* Writes id, quoted CSV-style when it holds a comma, quote or line break. */
static void put_id(FILE *f, const char *id) {
  if (!strpbrk(id, ",\"\n\r")) {
    fputs(id, f);
    return;
  }
  putc('"', f);
  for (const char *c = id; *c; c++) {
    if (*c == '"') putc('"', f);
    putc(*c, f);
  }
  putc('"', f);
}

/* Writes the panel to f, with its covariates as columns named by their
 * names (risk factors, then time-varying covariates); false on a write
 * error (errno set by stdio). */
static bool write_cells(const gbtm_panel *p, FILE *f, char *age_text, uint32_t *t, double *y,
                        double *e) {
  size_t R = (size_t)p->n_risk, C = (size_t)p->n_tcov;
  for (size_t u = 0; u < p->T; u++) snprintf(age_text + 32 * u, 32, "%.17g", p->age[u]);
  fputs(p->has_exposure ? "id,age,count,exposure" : "id,age,count", f);
  for (size_t j = 0; j < R + C; j++) {
    putc(',', f);
    put_id(f, j < R ? p->risk_name[j] : p->tcov_name[j - R]);
  }
  putc('\n', f);
  for (size_t i = 0; i < p->n; i++) {
    size_t nc = panel_person_cells(p, i, t, y, e);
    char risk_text[GBTM_MAX_RISK * 32 + 1] = ""; /* ",v1,v2": the same on each row */
    for (size_t j = 0, used = 0; j < R; j++)
      used += (size_t)snprintf(risk_text + used, sizeof risk_text - used, ",%.17g", p->risk[i * R + j]);
    for (size_t c = 0; c < nc; c++) {
      put_id(f, p->id[i]);
      putc(',', f);
      fputs(age_text + 32 * (size_t)t[c], f);
      if (panel_count_value(y[c])) {
        char buf[16], *q = buf + sizeof buf;
        *--q = '\0';
        uint32_t v = (uint32_t)y[c];
        do *--q = (char)('0' + v % 10); while (v /= 10);
        *--q = ',';
        fputs(q, f);
      } else {
        fprintf(f, ",%.17g", y[c]); /* a real response */
      }
      if (p->has_exposure) {
        if (e[c] == 1.0) fputs(",1", f);
        else fprintf(f, ",%.17g", e[c]);
      }
      if (R) fputs(risk_text, f);
      for (size_t j = 0; j < C; j++) fprintf(f, ",%.17g", p->tcov[(p->obs_start[i] + c) * C + j]);
      putc('\n', f);
    }
    if (ferror(f)) return false;
  }
  return !ferror(f);
}

gbtm_status gbtm_panel_write_csv(const gbtm_panel *p, const char *path, gbtm_error *err) {
  char *age_text = malloc((p->T ? p->T : 1) * 32);
  uint32_t *t = malloc((p->T ? p->T : 1) * sizeof *t);
  double *y = malloc((p->T ? p->T : 1) * sizeof *y);
  double *e = malloc((p->T ? p->T : 1) * sizeof *e);
  atomic_file f = {0};
  gbtm_status st = GBTM_OK;
  if (!age_text || !t || !y || !e) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory writing %s", path);
  if (st == GBTM_OK) st = atomic_file_open(&f, path, err);
  if (st == GBTM_OK) {
    setvbuf(f.fp, NULL, _IOFBF, 1 << 20);
    if (write_cells(p, f.fp, age_text, t, y, e))
      st = atomic_file_commit(&f, err);
    else
      st = gbtm_fail(err, GBTM_ERR_IO, "%s: cannot write the file: %s", path, strerror(errno ? errno : EIO));
  }
  atomic_file_discard(&f);
  free(age_text);
  free(t);
  free(y);
  free(e);
  return st;
}
