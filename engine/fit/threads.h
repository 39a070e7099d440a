/* threads.h: the number of threads a parallel region of the fit, the
 * inference or the bootstrap opens: the one asked for (0: the runtime's
 * default), capped at GBTM_MAX_THREADS and at the region's work items, so
 * that no --threads value makes OpenMP start more threads than the system
 * allows or the work can use. */
#ifndef GBTM_FIT_THREADS_H
#define GBTM_FIT_THREADS_H

#include <omp.h>

#include "gbtm.h"

/* items: the region's work items, or 0 for no cap by them. */
static inline int fit_threads(int requested, long items) {
  long n = requested > 0 ? requested : omp_get_max_threads();
  if (n > GBTM_MAX_THREADS) n = GBTM_MAX_THREADS;
  if (items > 0 && n > items) n = items;
  return n > 1 ? (int)n : 1;
}

#endif
