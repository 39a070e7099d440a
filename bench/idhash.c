/* idhash.c: whether person ids crafted to collide slow the CSV reader.
 *
 * Crafts N ids (default 400,000) whose hashes under the unkeyed hash that
 * engine/base/idtable.c used before it was keyed (FNV-1a and a mixing step)
 * agree in their low BITS bits (default 13), so that under that hash they
 * crowd into a few runs of slots of the id table; and N ordinary ids of the
 * same form (8 characters) that were not chosen so. Writes a long CSV file
 * of each (one row per person) in DIR, reads each with gbtm_panel_read()
 * R times, and prints the median times and their ratio:
 *
 *   idhash DIR [--persons N] [--bits BITS] [--repeat R]
 *
 * The last line is machine-readable:
 *   idhash persons=... bits=... ordinary_s=... crafted_s=... ratio=... */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static const char ALPHABET[65] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/* One byte of FNV-1a, and the mixing step the old table applied after it. */
static inline uint64_t fnv_step(uint64_t h, unsigned char c) { return (h ^ c) * 1099511628211ULL; }
static inline uint64_t mix(uint64_t h) {
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 32);
}

/* Writes n ids "P" + 7 characters: every candidate in counting order when
 * mask is 0, else only those whose old hash has (hash & mask) == 0. The
 * state after the first six characters is kept, so a candidate costs two
 * FNV steps and the mixing. */
static void write_ids(FILE *f, size_t n, uint64_t mask) {
  size_t found = 0;
  uint64_t h0 = fnv_step(14695981039346656037ULL, 'P');
  char id[9] = "P";
  for (uint64_t hi = 0; found < n; hi++) { /* characters 1..5, as a base-64 number */
    uint64_t h = h0, x = hi;
    for (int k = 1; k <= 5; k++, x >>= 6) id[k] = ALPHABET[x & 63], h = fnv_step(h, (unsigned char)id[k]);
    for (int a = 0; a < 64 && found < n; a++) {
      uint64_t ha = fnv_step(h, (unsigned char)ALPHABET[a]);
      for (int b = 0; b < 64 && found < n; b++) {
        if (mask && (mix(fnv_step(ha, (unsigned char)ALPHABET[b])) & mask) != 0) continue;
        id[6] = ALPHABET[a], id[7] = ALPHABET[b], id[8] = '\0';
        fprintf(f, "%s,1,%zu\n", id, found % 3);
        found++;
      }
    }
  }
}

static double median_read(const char *path, int repeat) {
  double *s = malloc((size_t)repeat * sizeof *s);
  if (!s) exit(2);
  for (int r = 0; r < repeat; r++) {
    gbtm_panel *p = NULL;
    gbtm_error err;
    double t0 = now();
    if (gbtm_panel_read(path, NULL, &p, &err) != GBTM_OK) {
      fprintf(stderr, "idhash: %s\n", err.message);
      exit(1);
    }
    s[r] = now() - t0;
    gbtm_panel_free(p);
  }
  qsort(s, (size_t)repeat, sizeof *s, cmp_double);
  double m = s[repeat / 2];
  free(s);
  return m;
}

int main(int argc, char **argv) {
  const char *dir = NULL;
  size_t persons = 400000;
  int bits = 13, repeat = 5;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--persons") == 0 && i + 1 < argc) persons = (size_t)atoll(argv[++i]);
    else if (strcmp(argv[i], "--bits") == 0 && i + 1 < argc) bits = atoi(argv[++i]);
    else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = atoi(argv[++i]);
    else if (!dir && argv[i][0] != '-') dir = argv[i];
    else {
      fprintf(stderr, "usage: idhash DIR [--persons N] [--bits BITS] [--repeat R]\n");
      return 2;
    }
  }
  if (!dir || persons < 1 || bits < 1 || bits > 20 || repeat < 1 || repeat > 100) {
    fprintf(stderr, "usage: idhash DIR [--persons N] [--bits 1-20] [--repeat 1-100]\n");
    return 2;
  }
  char path[2][4096];
  const char *name[2] = {"ordinary", "crafted"};
  double t[2];
  for (int k = 0; k < 2; k++) {
    snprintf(path[k], sizeof path[k], "%s/idhash_%s.csv", dir, name[k]);
    FILE *f = fopen(path[k], "w");
    if (!f) {
      fprintf(stderr, "idhash: cannot write %s\n", path[k]);
      return 2;
    }
    double t0 = now();
    fprintf(f, "id,age,count\n");
    write_ids(f, persons, k ? ((uint64_t)1 << bits) - 1 : 0);
    fclose(f);
    printf("%s ids written in %.1f s\n", name[k], now() - t0);
  }
  for (int k = 0; k < 2; k++) {
    t[k] = median_read(path[k], repeat);
    printf("%s: %.4f s (median of %d)\n", name[k], t[k], repeat);
    remove(path[k]);
  }
  printf("idhash persons=%zu bits=%d ordinary_s=%.4f crafted_s=%.4f ratio=%.2f\n", persons, bits, t[0], t[1],
         t[1] / t[0]);
  return 0;
}
