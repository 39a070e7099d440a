/* blas_threads.c: one OpenBLAS thread for the whole process.
 *
 * Every BLAS and LAPACK call of gbtm runs on one OpenBLAS thread: dense
 * E-step blocks call dgemm from several OpenMP threads at once, and
 * OpenBLAS's own threads would only compete with them; the other calls
 * (the information's outer products, the polish's P x P factorisations)
 * are too small to share.
 *
 * Setting one thread is not enough: OpenBLAS's pthreads build starts its
 * threads when it loads, and each waits for work by spinning on
 * sched_yield() for some 2^28 cycles before it sleeps, which is the whole
 * of a small fit, and a spinning thread takes a core from an OpenMP thread
 * (measured: bench/RESULTS.md, "Measurements that decided the code's
 * rules"). OPENBLAS_NUM_THREADS=1 before loading does the same, but a program
 * cannot set it for itself. So the first call sets one thread and ends
 * them through blas_thread_shutdown_, OpenBLAS's own (it uses it before a
 * fork): a weak reference, NULL in builds that have no such threads (the
 * serial build), where there is nothing to end. Later calls do nothing:
 * OpenBLAS 0.3.21 starts a thread again at every openblas_set_num_threads
 * after the shutdown, even to one; with one thread set, no BLAS or LAPACK
 * call starts any (checked by counting /proc/self/task around dgemm and
 * dpotrf). */
#include "base/blas_threads.h"
#include "gbtm.h" /* gbtm_blas_threads_init, exported from the shared library */

#include <pthread.h>

void openblas_set_num_threads(int n);
int blas_thread_shutdown_(void) __attribute__((weak));

static void one_thread(void) {
  openblas_set_num_threads(1);
  if (blas_thread_shutdown_) blas_thread_shutdown_();
}

void blas_one_thread(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, one_thread);
}

void gbtm_blas_threads_init(void) { blas_one_thread(); }
