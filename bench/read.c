/* read.c: how fast gbtm reads a panel file (CSV or HDF5).
 *
 * Reads FILE with gbtm_panel_read() (the reader of gbtm fit: parsing,
 * checks, and the compact panel of DESIGN §3 built) R times, and prints
 * the median time and the rate in MB of file per second:
 *
 *   read FILE [--repeat R]
 *
 * The first read may find the file outside the page cache; the median of
 * R >= 3 is of reads from memory, which is what the rate is about (a disk
 * adds its own limit). The last line is machine-readable:
 *   read file=... bytes=... persons=... obs=... repeats=... s=... mb_per_s=...
 * with MB = 10^6 bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gbtm.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const char *file = NULL;
  int repeat = 5;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--help") == 0) {
      printf("usage: read FILE [--repeat R]   (R >= 1, default 5)\n");
      return 0;
    } else if (!file && argv[i][0] != '-') {
      file = argv[i];
    } else {
      fprintf(stderr, "read: unexpected argument \"%s\" (try --help)\n", argv[i]);
      return 2;
    }
  }
  struct stat sb;
  if (!file || repeat < 1 || repeat > 1000 || stat(file, &sb) != 0) {
    fprintf(stderr, "read: %s\n", !file ? "missing FILE" : repeat < 1 || repeat > 1000 ? "--repeat: 1 to 1000" : "cannot open FILE");
    return 2;
  }
  double *s = malloc((size_t)repeat * sizeof *s);
  if (!s) return 2;
  size_t persons = 0, obs = 0;
  for (int r = 0; r < repeat; r++) {
    gbtm_panel *p = NULL;
    gbtm_error err;
    double t0 = now();
    if (gbtm_panel_read(file, NULL, &p, &err) != GBTM_OK) {
      fprintf(stderr, "read: %s\n", err.message);
      free(s);
      return 1;
    }
    s[r] = now() - t0;
    persons = gbtm_panel_n_persons(p);
    obs = gbtm_panel_n_obs(p);
    gbtm_panel_free(p);
    printf("read %d: %.3f s\n", r + 1, s[r]);
  }
  qsort(s, (size_t)repeat, sizeof *s, cmp_double);
  double median = repeat % 2 ? s[repeat / 2] : 0.5 * (s[repeat / 2 - 1] + s[repeat / 2]);
  printf("read file=%s bytes=%lld persons=%zu obs=%zu repeats=%d s=%.4f mb_per_s=%.1f\n", file,
         (long long)sb.st_size, persons, obs, repeat, median, (double)sb.st_size / 1e6 / median);
  free(s);
  return 0;
}
