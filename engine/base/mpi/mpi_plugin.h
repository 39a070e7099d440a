/* mpi_plugin.h: the functions of the MPI plugin, gbtm-mpi.so (mpi_plugin.c),
 * which processes.c loads only in a process that mpirun started, so that no
 * other run loads Open MPI. They are MPI's calls and nothing else. */
#ifndef GBTM_MPI_PLUGIN_H
#define GBTM_MPI_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/reduce.h"

/* MPI_Init_thread (funnelled), then this process's rank and the run's
 * size. False when MPI did not start. */
bool gbtm_mpi_start(int *argc, char ***argv, int *rank, int *size);
/* The reducer's sum and gather (reduce.h) over MPI_COMM_WORLD. */
void gbtm_mpi_sum(const gbtm_reducer *self, double *buf, size_t n);
bool gbtm_mpi_gather(const gbtm_reducer *self, const void *mine, size_t len, void **all);
/* MPI_Abort of every process, exit status code. */
void gbtm_mpi_abort(int code);
/* MPI_Finalize, when MPI started and is not finalized yet. */
void gbtm_mpi_stop(void);

#endif
