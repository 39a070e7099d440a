/* reduce.h: the one interface through which per-process partial sums are
 * combined (DESIGN §3). Threads reduce inside the E-step over fixed person
 * blocks in block order; a reducer then sums across processes. A NULL
 * reducer means a single process. Only an implementation of this interface
 * may know about MPI. */
#ifndef GBTM_REDUCE_H
#define GBTM_REDUCE_H

#include <stddef.h>

typedef struct gbtm_reducer {
  /* In-place sum of buf[0..n-1] over all processes, identical on each. */
  void (*sum)(const struct gbtm_reducer *self, double *buf, size_t n);
  void *ctx;
} gbtm_reducer;

static inline void reduce_sum(const gbtm_reducer *r, double *buf, size_t n) {
  if (r) r->sum(r, buf, n);
}

#endif
