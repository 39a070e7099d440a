/* panel_part.c: distributed panels (gbtm_panel_read_part). Each process
 * reads its own block of persons (read_csv.c, read_wide.c and panel_h5.c
 * take the block's byte or row range), and panel_distribute() makes the
 * blocks one panel: the sizes of the whole, one age grid for all blocks
 * (every kernel indexes ages by their place in the grid, so the grids must
 * agree), and a check that each person lies in one block only. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/panel_part.h"

#include "panel/age_set.h"
#include "panel/panel.h"

/* ---- one age grid ---------------------------------------------------------- */

/* Rebuilds p's cells on the grid g (sorted, holding p's ages): the windows
 * and gaps change, the observed cells do not. */
static gbtm_status regrid(gbtm_panel *p, const age_set *g, const char *source, gbtm_error *err) {
  size_t n = p->n, TG = g->count;
  uint32_t *map = malloc(p->T * sizeof *map), *t = malloc(p->T * sizeof *t);
  double *y = malloc(p->T * sizeof *y);
  double *e = malloc(p->T * sizeof *e), *age = malloc(TG * sizeof *age);
  gbtm_panel q = *p;
  q.T = TG;
  q.lo = malloc(n * sizeof *q.lo), q.hi = malloc(n * sizeof *q.hi);
  q.skip_start = malloc((n + 1) * sizeof *q.skip_start);
  q.skip_t = q.nz_t = q.ex_t = NULL, q.nz_y = q.ex_y = NULL, q.ex_e = NULL;
  bool ok = map && t && y && e && age && q.lo && q.hi && q.skip_start;
  for (size_t a = 0; ok && a < p->T; a++) map[a] = age_set_rank(g, p->age[a]);
  size_t n_skip = 0;
  for (size_t i = 0; ok && i < n; i++) {
    size_t m = panel_person_cells(p, i, NULL, NULL, NULL), ex = p->ex_start[i + 1] - p->ex_start[i];
    q.lo[i] = map[p->lo[i]], q.hi[i] = map[p->hi[i]];
    q.skip_start[i] = n_skip;
    n_skip += (size_t)(q.hi[i] - q.lo[i]) + 1 - m + ex;
  }
  if (ok) q.skip_start[n] = n_skip;
  ok = ok && panel_alloc_cells(&q);
  if (ok) {
    memcpy(age, g->ages, TG * sizeof *age);
    q.age = age;
    panel_filler f;
    panel_filler_init(&f);
    for (size_t i = 0; i < n; i++) {
      panel_fill_person(&q, &f, i);
      size_t m = panel_person_cells(p, i, t, y, e);
      for (size_t c = 0; c < m; c++) panel_fill_cell(&q, &f, map[t[c]], y[c], e[c]);
    }
    /* the old cells go, the new take their place */
    free(p->age), free(p->lo), free(p->hi), free(p->skip_start), free(p->skip_t);
    free(p->nz_t), free(p->nz_y), free(p->ex_t), free(p->ex_y), free(p->ex_e);
    *p = q;
  } else {
    free(age), free(q.lo), free(q.hi), free(q.skip_start), free(q.skip_t);
    free(q.nz_t), free(q.nz_y), free(q.ex_t), free(q.ex_y), free(q.ex_e);
  }
  free(map), free(t), free(y), free(e);
  return ok ? GBTM_OK : gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory for this block's panel", source);
}

/* The union of the blocks' age grids (an age_set, as the builders make a
 * grid), and p rebuilt on it. */
static gbtm_status one_grid(gbtm_panel *p, const gbtm_reducer *procs, const char *source, gbtm_error *err) {
  size_t before, total;
  reduce_offsets(procs, p->T, &before, &total);
  double *all = calloc(total, sizeof *all);
  age_set g;
  bool ok = age_set_init(&g);
  gbtm_status st = all && ok ? GBTM_OK : gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory for the age grid", source);
  if ((st = reduce_agree(procs, st, err)) == GBTM_OK) {
    memcpy(all + before, p->age, p->T * sizeof *all);
    reduce_sum(procs, all, total); /* each block fills its own place: a gather */
    for (size_t a = 0; ok && a < total; a++) ok = age_set_add(&g, all[a]);
    if (!ok) {
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory for the age grid", source);
    } else {
      age_set_sort(&g);
      if (g.count != p->T) st = regrid(p, &g, source, err);
    }
    st = reduce_agree(procs, st, err);
  }
  age_set_free(&g);
  free(all);
  return st;
}

/* ---- each person in one block ------------------------------------------------ */

typedef struct id_key {
  uint64_t h[2];
  uint64_t person; /* index among all */
} id_key;

static uint64_t fnv1a(const char *s, uint64_t h) {
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

static int cmp_key(const void *a, const void *b) {
  const id_key *x = a, *y = b;
  for (int j = 0; j < 2; j++)
    if (x->h[j] != y->h[j]) return x->h[j] < y->h[j] ? -1 : 1;
  return (x->person > y->person) - (x->person < y->person);
}

/* Rank 0 gathers two 64-bit hashes of every id and looks for a repeat. */
static gbtm_status one_block_each(const gbtm_panel *p, const gbtm_reducer *procs, const char *source,
                                  gbtm_error *err) {
  id_key *mine = malloc((p->n ? p->n : 1) * sizeof *mine);
  for (size_t i = 0; mine && i < p->n; i++)
    mine[i] = (id_key){{fnv1a(p->id[i], 14695981039346656037u), fnv1a(p->id[i], 1469598103934665603u)},
                       p->first + i};
  gbtm_status st = mine ? GBTM_OK : gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", source);
  if ((st = reduce_agree(procs, st, err)) != GBTM_OK) return st;
  void *got = NULL;
  bool ok = procs->gather(procs, mine, p->n * sizeof *mine, &got);
  free(mine);
  if (procs->rank == 0 && !ok) st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", source);
  if (procs->rank == 0 && ok) {
    id_key *k = got;
    size_t N = p->all.n;
    qsort(k, N, sizeof *k, cmp_key);
    for (size_t a = 1; a < N; a++)
      if (k[a].h[0] == k[a - 1].h[0] && k[a].h[1] == k[a - 1].h[1]) {
        size_t i = (size_t)k[a - 1].person;
        st = gbtm_fail(err, GBTM_ERR_DATA,
                       "%s: the rows of a person are not consecutive, so the person is in two processes' "
                       "blocks (persons %zu and %zu of the file%s%s): keep each person's rows together "
                       "(`gbtm convert` writes them so)",
                       source, i + 1, (size_t)k[a].person + 1, i < p->n ? ", id " : "", i < p->n ? p->id[i] : "");
        break;
      }
  }
  free(got);
  return reduce_agree(procs, st, err);
}

/* ---- the whole ------------------------------------------------------------------- */

gbtm_status panel_distribute(gbtm_panel *p, const gbtm_reducer *procs, const char *source, gbtm_error *err) {
  p->procs = procs;
  double s[8] = {(double)p->n, (double)p->n_obs, (double)p->n_nonzero, p->total, p->has_exposure,
                 (double)p->dropped_rows, (double)p->dropped_persons, (double)p->missing_responses};
  size_t before, total;
  reduce_offsets(procs, p->n, &before, &total);
  reduce_sum(procs, s, 8);
  p->first = before;
  p->all = (panel_sizes){(size_t)s[0], (size_t)s[1], (size_t)s[2], s[3], s[4] > 0.0, (size_t)s[5], (size_t)s[6],
                        (size_t)s[7]};
  gbtm_status st = GBTM_OK;
  if (p->n == 0)
    st = gbtm_fail(err, GBTM_ERR_USAGE, "%s: process %d of %d has no persons (%zu in all): run fewer processes",
                   source, procs->rank, procs->size, p->all.n);
  if ((st = reduce_agree(procs, st, err)) != GBTM_OK) return st;
  if ((st = one_grid(p, procs, source, err)) != GBTM_OK) return st;
  return one_block_each(p, procs, source, err);
}
