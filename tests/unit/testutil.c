/* testutil.c: helpers shared by the Check suites. */
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void test_write_file(char *path, const char *text) {
  strcpy(path, "/tmp/gbtm_test_XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) { perror("mkstemp"); exit(1); }
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len) { perror("write"); exit(1); }
  close(fd);
}

const char *test_refdata(char *buf, size_t len, const char *name) {
  const char *dir = getenv("GBTM_REFDATA");
  snprintf(buf, len, "%s/%s", dir ? dir : "datasets/refdata", name);
  return buf;
}

gbtm_panel *test_cohort(size_t n, uint64_t seed) {
  gbtm_model truth;
  gbtm_sim_design design;
  gbtm_panel *p = NULL;
  gbtm_error err;
  if (!model_preset("rapporteur-2024", n, seed, &truth, &design) ||
      gbtm_simulate(&truth, &design, &p, NULL, &err) != GBTM_OK) {
    fprintf(stderr, "test_cohort: cannot draw the built-in cohort\n");
    exit(1);
  }
  return p;
}

/* A random unbalanced panel: n persons on ages 10..10+T-1 (step 0.5 when
 * fractional), windows of random length, gaps with probability gap, and an
 * exposure below 1 in a share exp_share of cells. */
gbtm_panel *test_random_panel(size_t n, int T, double gap, double exp_share, unsigned long seed,
                                bool fractional) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  size_t cap = n * (size_t)T, m = 0;
  char **ids = malloc(cap * sizeof *ids);
  double *age = malloc(cap * sizeof *age), *e = malloc(cap * sizeof *e);
  int64_t *y = malloc(cap * sizeof *y);
  char(*names)[24] = malloc(n * sizeof *names);
  for (size_t i = 0; i < n; i++) {
    snprintf(names[i], sizeof names[i], "p%zu", i);
    int lo = (int)gsl_rng_uniform_int(rng, (unsigned long)T / 2);
    int hi = lo + (int)gsl_rng_uniform_int(rng, (unsigned long)(T - lo));
    double rate = exp(gsl_ran_gaussian(rng, 1.0) - 1.0);
    for (int t = lo; t <= hi; t++) {
      if (t != lo && gsl_rng_uniform(rng) < gap) continue;
      ids[m] = names[i];
      age[m] = 10.0 + (fractional ? 0.5 * t : t);
      e[m] = gsl_rng_uniform(rng) < exp_share ? 0.05 + 0.9 * gsl_rng_uniform(rng) : 1.0;
      y[m] = gsl_rng_uniform(rng) < 0.4 ? 0 : (int64_t)gsl_ran_poisson(rng, rate * e[m] * 2.0);
      m++;
    }
  }
  gbtm_panel *p = NULL;
  gbtm_error err;
  gbtm_status st = gbtm_panel_from_rows(m, (const char *const *)ids, age, y, exp_share > 0 ? e : NULL,
                                        "random", &p, &err);
  if (st != GBTM_OK) {
    fprintf(stderr, "%s\n", err.message);
    exit(1);
  }
  free(ids), free(age), free(e), free(y), free(names);
  gsl_rng_free(rng);
  return p;
}

