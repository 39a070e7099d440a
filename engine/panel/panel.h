/* panel.h defines the in-memory person x age panel (DESIGN §1, §3).
 *
 * Offence panels are mostly zeros, so a panel holds, per person i:
 * - a window [lo_i, hi_i] of age indices: the first and last observed ages;
 * - "skip" cells inside the window that are not regular: the unobserved ages
 *   (gaps) and the observed cells whose exposure differs from 1;
 * - the nonzero responses of regular cells (regular = observed with E = 1), CSR;
 * - the exception cells (observed with E != 1: age index, response, exposure), CSR.
 * A response is a double: a count for the count families (exact, they are
 * integers below 2^31), a real for a family with real_response
 * (engine/families/family.h). A nonzero cell is one whose response != 0.
 * The part of eq. L that no parameter touches, c_i, is the family's
 * (add_constant, engine/families/family.h): the E-step sums it.
 * So every regular cell is "in the window and not skipped", and its count is
 * 0 unless listed among the nonzeros. Kernels add a per-(k,t) base value over
 * the window by prefix sums, take the skip cells back out, and add the
 * nonzero and exception cells (engine/fit/estep.c).
 */
#ifndef GBTM_PANEL_H
#define GBTM_PANEL_H

#include <math.h>

#include "base/error.h"
#include "gbtm.h"
#include "base/reduce.h"

/* The largest magnitude of an age that the readers accept: the sum and the
 * difference of two ages, and so the default basis centre and scale of
 * DESIGN §2 (s = (age - centre) / scale in [-1, 1]), stay finite. */
#define PANEL_AGE_MAX 1e300

/* Sizes of a panel, or of all the blocks of a distributed one. */
typedef struct panel_sizes {
  size_t n, n_obs, n_nonzero;
  double total;
  bool has_exposure;
  size_t dropped_rows, dropped_persons;
  size_t missing_responses; /* cells whose response was missing: dropped by the readers */
} panel_sizes;

struct gbtm_panel {
  size_t n;         /* persons */
  size_t T;         /* distinct ages */
  size_t n_obs;     /* observed cells */
  size_t n_nonzero; /* observed cells with y != 0 */
  double total;     /* sum of responses */
  bool has_exposure;
  double *age; /* T ascending */
  char **id;   /* n person ids */
  uint32_t *lo, *hi; /* n windows, lo <= hi */
  size_t *skip_start; /* n + 1 */
  uint32_t *skip_t;
  size_t *nz_start; /* n + 1 */
  uint32_t *nz_t;
  double *nz_y;     /* the responses, != 0 */
  size_t *ex_start; /* n + 1 */
  uint32_t *ex_t;
  double *ex_y;
  double *ex_e;
  /* covariates (gbtm_csv_columns): risk factors per person, time-varying
   * covariates per observed cell (cells ascending in age within a person,
   * person i's from obs_start[i]) */
  int n_risk, n_tcov;
  char risk_name[GBTM_MAX_RISK][GBTM_NAME_MAX];
  char tcov_name[GBTM_MAX_TCOV][GBTM_NAME_MAX];
  double *risk;      /* n x n_risk, or NULL */
  size_t *obs_start; /* n + 1, or NULL without time-varying covariates */
  double *tcov;      /* n_obs x n_tcov, or NULL */
  size_t dropped_rows, dropped_persons; /* by drop_missing */
  size_t missing_responses; /* cells (rows, waves) with a missing response, dropped by the reader */
  /* A block of persons of a distributed panel (gbtm_panel_read_part,
   * engine/formats/panel_part.h): the processes, the index of this block's first
   * person among all, and the sizes of the whole. One process: NULL, 0 and
   * unused. */
  const gbtm_reducer *procs;
  size_t first;
  panel_sizes all;
  char sha256[65]; /* the data file's SHA-256, set by its reader; "" when unknown */
  /* Person-level sampling weights (eq. W; gbtm_panel_set_weights,
   * panel_weights.c): n values, or NULL when unweighted. Rescaled to mean 1
   * over all persons when set; a subset (gbtm_panel_subset) keeps its
   * persons' values, so weight_total (the sum over all processes' persons)
   * is the subset's own. weight_given: the sum, min and max as given. */
  double *weight;
  double weight_total;
  char weight_name[GBTM_NAME_MAX];
  double weight_given[3];
};

/* Person i's weight (1 without weights) and the sum of the weights over
 * all persons (N without weights): eq. W. */
static inline double panel_weight(const gbtm_panel *p, size_t i) { return p->weight ? p->weight[i] : 1.0; }
static inline double panel_weight_total(const gbtm_panel *p) {
  return p->weight ? p->weight_total : (double)(p->procs ? p->all.n : p->n);
}

/* The whole panel's sizes, whichever process asks. */
static inline panel_sizes panel_sizes_all(const gbtm_panel *p) {
  if (p->procs) return p->all;
  return (panel_sizes){p->n, p->n_obs, p->n_nonzero, p->total, p->has_exposure, p->dropped_rows,
                       p->dropped_persons, p->missing_responses};
}

/* The smallest and largest response over all processes' observed cells
 * (the regular cells not listed are 0). */
static inline void panel_response_range(const gbtm_panel *p, double *lo, double *hi) {
  size_t listed = p->nz_start[p->n] + p->ex_start[p->n];
  double a = p->n_obs > listed ? 0.0 : INFINITY, b = -a;
  for (size_t j = 0; j < p->nz_start[p->n]; j++) a = fmin(a, p->nz_y[j]), b = fmax(b, p->nz_y[j]);
  for (size_t j = 0; j < p->ex_start[p->n]; j++) a = fmin(a, p->ex_y[j]), b = fmax(b, p->ex_y[j]);
  *lo = -reduce_max(p->procs, -a);
  *hi = reduce_max(p->procs, b);
}

/* Persons in the whole panel. */
static inline size_t panel_n_all(const gbtm_panel *p) { return p->procs ? p->all.n : p->n; }

/* One observed row on its way into a panel. */
typedef struct panel_row {
  uint32_t person; /* index into the id list */
  double age;
  double count; /* the response: a count, or a real when real_response */
  double exposure;
  uint64_t line; /* source line, for messages */
  uint32_t index; /* position in the caller's rows (set by panel_build_covariates) */
  /* The response is a real (a family with real_response): any finite
   * value; else a count, an integer in 0 .. INT32_MAX (panel_build checks). */
  bool real_response;
} panel_row;

/* Builds a panel from rows (reordered in place) and n_persons ids (the panel
 * takes ownership of ids and of each string, also on failure). source and
 * age_column name the origin in messages ("file.csv", column of the age
 * field): duplicates are reported as source:line:column. */
gbtm_status panel_build(panel_row *rows, size_t n_rows, char **ids, size_t n_persons,
                        const char *source, size_t age_column, gbtm_panel **out,
                        gbtm_error *err);

/* panel_build() that also hands back the rows sorted by (person, age,
 * line), which is the order of the panel's observed cells: *sorted_rows is
 * rows itself (sorted in place) or a sorted copy that the caller frees;
 * NULL on failure. sorted_rows may be NULL when not wanted. The covariates' builder
 * (panel_covariates.h) fills them in that order. */
gbtm_status panel_build_rows(panel_row *rows, size_t n_rows, char **ids, size_t n_persons,
                             const char *source, size_t age_column, gbtm_panel **out,
                             panel_row **sorted_rows, gbtm_error *err);

/* ---- what the panel builders share (panel.c, panel_sorted.c, simulate.c) */

/* Allocates skip_t, nz_t/nz_y and ex_t/ex_y/ex_e for the totals in
 * skip_start[n], nz_start[n] and ex_start[n]; false when out of memory. */
bool panel_alloc_cells(gbtm_panel *p);

/* Fills the cells person by person, each person's ascending in age, with
 * one set of expressions for every builder, so that their panels are
 * identical to the bit: panel_fill_person() at a person's start,
 * panel_fill_cell() per observed cell. */
typedef struct panel_filler {
  size_t s, z, x;          /* next skip, nonzero and exception cell */
  size_t n_nonzero;        /* cells with y != 0 so far */
  double total;            /* their responses */
  bool has_exposure;       /* an exposure != 1 so far */
  uint32_t next;           /* the next age index of this person's window */
} panel_filler;

void panel_filler_init(panel_filler *f);

static inline void panel_fill_person(const gbtm_panel *p, panel_filler *f, size_t i) {
  f->next = p->lo[i];
}

/* Cell (t, y, e): the gaps before it are skip cells; an exposure != 1 makes
 * it an exception (and a skip cell), else a response != 0 a nonzero cell. */
static inline void panel_fill_cell(gbtm_panel *p, panel_filler *f, uint32_t t, double y, double e) {
  for (uint32_t u = f->next; u < t; u++) p->skip_t[f->s++] = u; /* gaps */
  f->next = t + 1;
  if (y != 0.0) {
    f->n_nonzero++;
    f->total += y;
  }
  if (e != 1.0) {
    f->has_exposure = true;
    p->skip_t[f->s++] = t;
    p->ex_t[f->x] = t;
    p->ex_y[f->x] = y;
    p->ex_e[f->x++] = e;
  } else if (y != 0.0) {
    p->nz_t[f->z] = t;
    p->nz_y[f->z++] = y;
  }
}

/* Writes the observed cells of person i, ascending in age, into t[], y[]
 * and e[] (each with room for panel->T entries); returns how many. */
size_t panel_person_cells(const gbtm_panel *panel, size_t i, uint32_t *t, double *y,
                          double *e);

/* Whether a response is a count: an integer in 0 .. INT32_MAX. */
static inline bool panel_count_value(double y) { return y >= 0.0 && y <= INT32_MAX && y == floor(y); }

/* Whether every response of the panel is a count (panel_count_value), as
 * the count families' panels always are. */
bool panel_integer_responses(const gbtm_panel *panel);

#endif
