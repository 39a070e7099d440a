/* mpi_plugin.c: the MPI plugin, gbtm-mpi.so (mpi_plugin.h): the only code
 * that calls MPI. processes.c loads it in a process that mpirun started.
 *
 * The sum is MPI_Reduce to rank 0 followed by MPI_Bcast, not MPI_Allreduce:
 * Allreduce may round differently on different ranks, and every decision
 * of the engine must come out the same on all of them (reduce.h). */
#include "base/mpi/mpi_plugin.h"

#include <mpi.h>
#include <stdlib.h>

bool gbtm_mpi_start(int *argc, char ***argv, int *rank, int *size) {
  int provided;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return false;
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return true;
}

/* Sums through a reused buffer; the messages are a few kilobytes. */
void gbtm_mpi_sum(const gbtm_reducer *self, double *buf, size_t n) {
  while (n > 0) { /* MPI counts are int */
    int c = n > (1u << 30) ? (1 << 30) : (int)n;
    if (self->rank == 0)
      MPI_Reduce(MPI_IN_PLACE, buf, c, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    else
      MPI_Reduce(buf, NULL, c, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Bcast(buf, c, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    buf += c;
    n -= (size_t)c;
  }
}

bool gbtm_mpi_gather(const gbtm_reducer *self, const void *mine, size_t len, void **all) {
  *all = NULL;
  int R = self->size, me = self->rank;
  long long l = (long long)len, *lens = me == 0 ? calloc((size_t)R, sizeof *lens) : NULL;
  int *cnt = me == 0 ? calloc((size_t)R, sizeof *cnt) : NULL, *at = me == 0 ? calloc((size_t)R, sizeof *at) : NULL;
  MPI_Gather(&l, 1, MPI_LONG_LONG, lens, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  size_t total = 0;
  bool ok = me != 0 || (lens && cnt && at);
  for (int q = 0; ok && me == 0 && q < R; q++) {
    if (lens[q] > (long long)(1u << 31) - 1 - (long long)total) ok = false; /* MPI displacements are int */
    at[q] = (int)total, cnt[q] = (int)lens[q];
    total += (size_t)lens[q];
  }
  char *buf = ok && me == 0 ? malloc(total ? total : 1) : NULL;
  ok = ok && (me != 0 || buf);
  /* A failed rank 0 still takes part, receiving nothing. */
  if (me == 0 && !ok && cnt)
    for (int q = 0; q < R; q++) cnt[q] = 0, at[q] = 0;
  int count_in = ok || me != 0 ? (int)len : 0;
  MPI_Gatherv(mine, count_in, MPI_BYTE, buf, cnt, at, MPI_BYTE, 0, MPI_COMM_WORLD);
  free(lens), free(cnt), free(at);
  if (me == 0 && !ok) {
    free(buf);
    return false;
  }
  *all = buf;
  return true;
}

void gbtm_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

void gbtm_mpi_stop(void) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Finalize();
}
