/* reduce.c: agreement, offsets and maxima across processes, built on the
 * reducer's sum (reduce.h), so that they hold for any implementation. */
#include "base/reduce.h"

#include <math.h>
#include <string.h>

#include "base/error.h"

void reduce_each(const gbtm_reducer *r, double x, double *v) {
  int R = reduce_size(r);
  for (int q = 0; q < R; q++) v[q] = 0.0;
  v[reduce_rank(r)] = x;
  reduce_sum(r, v, (size_t)R); /* each fills its own place: a gather to all */
}

gbtm_status reduce_agree(const gbtm_reducer *r, gbtm_status st, gbtm_error *err) {
  if (reduce_size(r) == 1) return st;
  /* Who failed: buf[rank] = status. Then the lowest failed rank's message,
   * one character per double (a few kilobytes, once per checkpoint). */
  enum { M = sizeof err->message };
  size_t R = (size_t)r->size;
  double buf[GBTM_MAX_PROCESSES + M];
  reduce_each(r, (double)st, buf);
  int first = -1;
  for (size_t q = 0; q < R && first < 0; q++)
    if (buf[q] != 0.0) first = (int)q;
  gbtm_status out = first < 0 ? GBTM_OK : (gbtm_status)buf[first];
  if (first >= 0) {
    memset(buf + R, 0, M * sizeof *buf);
    if (first == r->rank && err)
      for (size_t c = 0; c < M && err->message[c]; c++) buf[R + c] = (unsigned char)err->message[c];
    r->sum(r, buf + R, M);
    if (err) {
      for (size_t c = 0; c < M; c++) err->message[c] = (char)(unsigned char)buf[R + c];
      err->message[M - 1] = '\0';
      err->status = out;
    }
  }
  return out;
}

void reduce_offsets(const gbtm_reducer *r, size_t value, size_t *before, size_t *total) {
  double v[GBTM_MAX_PROCESSES];
  reduce_each(r, (double)value, v);
  *before = *total = 0;
  for (int q = 0; q < reduce_size(r); q++) {
    if (q < reduce_rank(r)) *before += (size_t)v[q];
    *total += (size_t)v[q];
  }
}

double reduce_max(const gbtm_reducer *r, double x) {
  if (reduce_size(r) == 1) return x;
  double v[GBTM_MAX_PROCESSES], m = -INFINITY;
  reduce_each(r, x, v);
  for (int q = 0; q < reduce_size(r); q++) m = fmax(m, v[q]);
  return m;
}

/* ---- the public names (gbtm.h) ------------------------------------------ */

int gbtm_processes_rank(const gbtm_reducer *procs) { return reduce_rank(procs); }

int gbtm_processes_count(const gbtm_reducer *procs) { return reduce_size(procs); }

double gbtm_processes_max(const gbtm_reducer *procs, double x) { return reduce_max(procs, x); }
