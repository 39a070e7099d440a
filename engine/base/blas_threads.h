/* blas_threads.h: one OpenBLAS thread for the whole process
 * (engine/base/blas_threads.c). */
#ifndef GBTM_BLAS_THREADS_H
#define GBTM_BLAS_THREADS_H

/* The first call sets OpenBLAS to one thread and ends the threads it
 * started when it loaded; later calls (from any thread) wait for it, then do nothing. */
void blas_one_thread(void);

#endif
