/* processes.c: the processes of a run, and the only code that knows about
 * MPI (reduce.h). Built with GBTM_MPI (CMake -DGBTM_MPI=ON), a gbtm started
 * by mpirun joins MPI_COMM_WORLD; started any other way, or built without
 * MPI, it is one process and never calls MPI at all.
 *
 * The sum is MPI_Reduce to rank 0 followed by MPI_Bcast, not MPI_Allreduce:
 * Allreduce may round differently on different ranks, and every decision
 * of the engine must come out the same on all of them (reduce.h). */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/reduce.h"

#ifdef GBTM_MPI
#include <mpi.h>

/* MPI's own state (MPI_Initialized, MPI_Finalized) says whether this
 * process joined; the reducer is the caller's (gbtm_processes_init). */
static bool mpi_running(void) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

/* Sums through a reused buffer; the messages are a few kilobytes. */
static void mpi_sum(const gbtm_reducer *self, double *buf, size_t n) {
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

static bool mpi_gather(const gbtm_reducer *self, const void *mine, size_t len, void **all) {
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

gbtm_status gbtm_processes_init(int *argc, char ***argv, const gbtm_reducer **out, gbtm_error *err) {
  *out = NULL;
  /* Only a process that mpirun (or another PMIx launcher) started joins MPI. */
  if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_SIZE")) return GBTM_OK;
  int provided;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    return gbtm_fail(err, GBTM_ERR_INTERNAL, "MPI did not start");
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size > GBTM_MAX_PROCESSES)
    return gbtm_fail(err, GBTM_ERR_USAGE, "%d processes: gbtm runs on at most %d", size, GBTM_MAX_PROCESSES);
  if (size == 1) return GBTM_OK;
  gbtm_reducer *r = malloc(sizeof *r);
  if (!r) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory starting the processes");
  *r = (gbtm_reducer){rank, size, mpi_sum, mpi_gather, NULL};
  *out = r;
  return GBTM_OK;
}

void gbtm_processes_abort(int code) {
  if (mpi_running()) MPI_Abort(MPI_COMM_WORLD, code);
}

void gbtm_processes_finalize(const gbtm_reducer *procs) {
  free((void *)procs);
  if (mpi_running()) MPI_Finalize();
}

#else /* one process */

gbtm_status gbtm_processes_init(int *argc, char ***argv, const gbtm_reducer **out, gbtm_error *err) {
  (void)argc, (void)argv;
  *out = NULL;
  const char *size = getenv("OMPI_COMM_WORLD_SIZE");
  if (size && atoi(size) > 1)
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "started by mpirun, but this gbtm was built without MPI (configure with -DGBTM_MPI=ON)");
  return GBTM_OK;
}

void gbtm_processes_abort(int code) { (void)code; }
void gbtm_processes_finalize(const gbtm_reducer *procs) { (void)procs; }

#endif
