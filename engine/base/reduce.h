/* reduce.h: the one interface through which processes combine their partial
 * results (DESIGN §3). Each process holds a block of persons; threads
 * reduce inside a process over fixed person blocks in block order, and a
 * reducer then sums across processes. A NULL reducer means one process.
 * Only an implementation of this interface (engine/base/processes.c, with
 * the MPI plugin engine/base/mpi/) knows about MPI; the numerics call the
 * helpers below and nothing else.
 *
 * Every call is collective: all processes make the same calls in the same
 * order, with the same n. The engine keeps to this by taking every decision
 * that leads to a call from reduced (hence identical) numbers. */
#ifndef GBTM_REDUCE_H
#define GBTM_REDUCE_H

#include <stdbool.h>
#include <stddef.h>

#include "gbtm.h"

/* At most this many processes (the reduce_* helpers keep one double per
 * process on the stack). */
#define GBTM_MAX_PROCESSES 4096

struct gbtm_reducer {
  int rank, size; /* this process, of size */
  /* In-place sum of buf[0..n-1] over all processes, bit-identical on each
   * (summed in one place, then sent to all). */
  void (*sum)(const struct gbtm_reducer *self, double *buf, size_t n);
  /* Each process's len bytes, concatenated in rank order into *all (malloc,
   * caller frees) on rank 0; *all is NULL elsewhere. False when out of
   * memory (on rank 0). */
  bool (*gather)(const struct gbtm_reducer *self, const void *mine, size_t len, void **all);
  void *ctx;
};

static inline void reduce_sum(const gbtm_reducer *r, double *buf, size_t n) {
  if (r && r->size > 1) r->sum(r, buf, n);
}

static inline int reduce_rank(const gbtm_reducer *r) { return r ? r->rank : 0; }
static inline int reduce_size(const gbtm_reducer *r) { return r ? r->size : 1; }

/* Every process's x, into v[0..size) on every process (v has room for
 * reduce_size(r) values). */
void reduce_each(const gbtm_reducer *r, double x, double *v);

/* One status for all processes: OK when st is OK everywhere, else the status
 * and message of the lowest-ranked process that failed, on every process
 * (err, which may be NULL locally, receives it). */
gbtm_status reduce_agree(const gbtm_reducer *r, gbtm_status st, gbtm_error *err);

/* This process's value's place among all: *before = the sum over lower
 * ranks, *total = the sum over all (exact below 2^53). */
void reduce_offsets(const gbtm_reducer *r, size_t value, size_t *before, size_t *total);

/* The largest of x over all processes. */
double reduce_max(const gbtm_reducer *r, double x);

#endif
