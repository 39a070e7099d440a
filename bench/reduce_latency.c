/* reduce_latency.c: the time of one reduction across processes (reduce.h),
 * the only communication of a distributed fit, at the sizes the fit sends:
 * an E-step's statistics (1 + K + 3 K T + K T doubles, ZIP, K = 4, T = 34)
 * and an information matrix (1 + P + 2 P^2 + 3 K T doubles, P = 23). Run it
 * under mpirun; it goes through gbtm's own reducer, as the fit does.
 * Prints: processes, doubles, microseconds per sum (median of 7 rounds of
 * 200 sums). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "gbtm.h"
#include "base/reduce.h"

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const gbtm_reducer *r = NULL;
  gbtm_error err;
  if (gbtm_processes_init(&argc, &argv, &r, &err) != GBTM_OK) {
    fprintf(stderr, "reduce_latency: %s\n", err.message);
    return 1;
  }
  const size_t K = 4, T = 34, P = 23, sizes[2] = {1 + K + 3 * K * T + K * T, 1 + P + 2 * P * P + 3 * K * T};
  double *buf = calloc(sizes[1] > sizes[0] ? sizes[1] : sizes[0], sizeof *buf);
  for (int s = 0; buf && s < 2; s++) {
    double round_us[7];
    for (int k = 0; k < 7; k++) {
      reduce_sum(r, buf, sizes[s]); /* all start together */
      double t0 = omp_get_wtime();
      for (int j = 0; j < 200; j++) reduce_sum(r, buf, sizes[s]);
      round_us[k] = (omp_get_wtime() - t0) / 200 * 1e6;
    }
    qsort(round_us, 7, sizeof *round_us, by_value);
    if (reduce_rank(r) == 0) printf("processes %d doubles %zu us_per_sum %.2f\n", reduce_size(r), sizes[s], round_us[3]);
  }
  free(buf);
  gbtm_processes_finalize(r);
  return 0;
}
