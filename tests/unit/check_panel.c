/* check_panel.c: the sparse panel of engine/panel/panel.h. Small panels whose
 * windows, skip, nonzero and exception cells and constants c_i are worked
 * out by hand; random panels in random row order held against a dense
 * reference; the long CSV round trip; and every error of
 * gbtm_panel_from_rows() and panel_build() with its exact message. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gbtm.h"
#include "families/family.h"
#include "fit/estep.h"
#include "panel/panel.h"
#include "testutil.h"

/* c_i of eq. L for the count families (their constant is Poisson's). */
static double c_i(const gbtm_panel *p, size_t i) { return estep_person_constant(p, &gbtm_family_poisson, i); }

/* Holds two panels equal in every field, bit for bit. */
static void assert_panels_equal(const gbtm_panel *p, const gbtm_panel *q) {
  ck_assert_uint_eq(p->n, q->n);
  ck_assert_uint_eq(p->T, q->T);
  ck_assert_uint_eq(p->n_obs, q->n_obs);
  ck_assert_uint_eq(p->n_nonzero, q->n_nonzero);
  ck_assert(p->total == q->total);
  ck_assert(p->has_exposure == q->has_exposure);
  ck_assert(memcmp(p->age, q->age, p->T * sizeof *p->age) == 0);
  for (size_t i = 0; i < p->n; i++) {
    ck_assert_str_eq(p->id[i], q->id[i]);
    ck_assert_uint_eq(p->lo[i], q->lo[i]);
    ck_assert_uint_eq(p->hi[i], q->hi[i]);
  }
  ck_assert(memcmp(p->skip_start, q->skip_start, (p->n + 1) * sizeof(size_t)) == 0);
  ck_assert(memcmp(p->nz_start, q->nz_start, (p->n + 1) * sizeof(size_t)) == 0);
  ck_assert(memcmp(p->ex_start, q->ex_start, (p->n + 1) * sizeof(size_t)) == 0);
  size_t ns = p->skip_start[p->n], nz = p->nz_start[p->n], nx = p->ex_start[p->n];
  ck_assert(memcmp(p->skip_t, q->skip_t, ns * sizeof *p->skip_t) == 0);
  ck_assert(memcmp(p->nz_t, q->nz_t, nz * sizeof *p->nz_t) == 0);
  ck_assert(memcmp(p->nz_y, q->nz_y, nz * sizeof *p->nz_y) == 0);
  ck_assert(memcmp(p->ex_t, q->ex_t, nx * sizeof *p->ex_t) == 0);
  ck_assert(memcmp(p->ex_y, q->ex_y, nx * sizeof *p->ex_y) == 0);
  ck_assert(memcmp(p->ex_e, q->ex_e, nx * sizeof *p->ex_e) == 0);
}

/* Seven rows of three persons, out of order, with a gap, a non-integer age
 * and two exposures below 1. */
static const char *const MIXED_ID[] = {"bob", "al", "bob", "al", "bob", "al", "cy"};
static const double MIXED_AGE[] = {13, 15.5, 12, 12, 15.5, 14, 14};
static const int64_t MIXED_COUNT[] = {1, 3, 0, 2, 0, 0, 4};
static const double MIXED_EXPOSURE[] = {1, 0.5, 1, 1, 1, 0.25, 1};

static gbtm_panel *mixed_panel(void) {
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  gbtm_status st = gbtm_panel_from_rows(7, MIXED_ID, MIXED_AGE, MIXED_COUNT, MIXED_EXPOSURE,
                                        "rows", &p, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  ck_assert_ptr_nonnull(p);
  return p;
}

START_TEST(test_mixed_by_hand) {
  gbtm_panel *p = mixed_panel();
  /* Persons in order of first appearance, ages 12 13 14 15.5 (t = 0..3). */
  ck_assert_uint_eq(gbtm_panel_n_persons(p), 3);
  ck_assert_str_eq(gbtm_panel_id(p, 0), "bob");
  ck_assert_str_eq(gbtm_panel_id(p, 1), "al");
  ck_assert_str_eq(gbtm_panel_id(p, 2), "cy");
  ck_assert_ptr_null(gbtm_panel_id(p, 3));
  ck_assert_uint_eq(gbtm_panel_n_ages(p), 4);
  const double *age = gbtm_panel_ages(p);
  ck_assert(age[0] == 12 && age[1] == 13 && age[2] == 14 && age[3] == 15.5);
  ck_assert_uint_eq(gbtm_panel_n_obs(p), 7);
  ck_assert_uint_eq(gbtm_panel_n_nonzero(p), 4);
  ck_assert(gbtm_panel_total_count(p) == 10.0);
  ck_assert(gbtm_panel_has_exposure(p));

  /* bob: t 0 1 3 (gap at 2), y 0 1 0; al: t 0 (y 2), 2 (y 0, E .25),
   * 3 (y 3, E .5), gap at 1; cy: t 2 only, y 4. */
  const uint32_t lo[] = {0, 0, 2}, hi[] = {3, 3, 2};
  const size_t skip_start[] = {0, 1, 4, 4}, nz_start[] = {0, 1, 2, 3}, ex_start[] = {0, 0, 2, 2};
  const uint32_t skip_t[] = {2, 1, 2, 3}, nz_t[] = {1, 0, 2}, ex_t[] = {2, 3};
  const double nz_y[] = {1, 2, 4}, ex_y[] = {0, 3};
  const double ex_e[] = {0.25, 0.5};
  for (int i = 0; i < 3; i++) {
    ck_assert_uint_eq(p->lo[i], lo[i]);
    ck_assert_uint_eq(p->hi[i], hi[i]);
  }
  for (int i = 0; i < 4; i++) {
    ck_assert_uint_eq(p->skip_start[i], skip_start[i]);
    ck_assert_uint_eq(p->nz_start[i], nz_start[i]);
    ck_assert_uint_eq(p->ex_start[i], ex_start[i]);
  }
  for (int j = 0; j < 4; j++) ck_assert_uint_eq(p->skip_t[j], skip_t[j]);
  for (int j = 0; j < 3; j++) {
    ck_assert_uint_eq(p->nz_t[j], nz_t[j]);
    ck_assert_int_eq(p->nz_y[j], nz_y[j]);
  }
  for (int j = 0; j < 2; j++) {
    ck_assert_uint_eq(p->ex_t[j], ex_t[j]);
    ck_assert_int_eq(p->ex_y[j], ex_y[j]);
    ck_assert(p->ex_e[j] == ex_e[j]);
  }
  /* c_i = sum (y log E - log y!). */
  ck_assert_double_eq_tol(c_i(p, 0), -log(1.0), 1e-15);
  ck_assert_double_eq_tol(c_i(p, 1), -log(2.0) + 3 * log(0.5) - log(6.0), 1e-14);
  ck_assert_double_eq_tol(c_i(p, 2), -log(24.0), 1e-14);

  /* The observed cells of al, rebuilt. */
  uint32_t t[4];
  double y[4];
  double e[4];
  ck_assert_uint_eq(panel_person_cells(p, 1, t, y, e), 3);
  ck_assert(t[0] == 0 && y[0] == 2 && e[0] == 1.0);
  ck_assert(t[1] == 2 && y[1] == 0 && e[1] == 0.25);
  ck_assert(t[2] == 3 && y[2] == 3 && e[2] == 0.5);
  ck_assert_uint_eq(panel_person_cells(p, 0, t, y, e), 3);
  ck_assert(t[0] == 0 && y[0] == 0 && e[0] == 1.0);
  ck_assert(t[1] == 1 && y[1] == 1 && e[1] == 1.0);
  ck_assert(t[2] == 3 && y[2] == 0 && e[2] == 1.0);
  ck_assert_uint_eq(panel_person_cells(p, 2, t, y, NULL), 1);
  ck_assert(t[0] == 2 && y[0] == 4);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_ages_exact_equality) {
  /* 0.1 + 0.2 is not 0.3; -0 and +0 are one age; no exposure given. */
  const char *id[] = {"x", "x", "x", "y", "y"};
  const double age[] = {0.1 + 0.2, 0.3, -0.0, 0.0, 0.3};
  const int64_t count[] = {0, 5, 1, 0, 0};
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_from_rows(5, id, age, count, NULL, "rows", &p, &err), GBTM_OK);
  ck_assert_uint_eq(p->T, 3);
  ck_assert(p->age[0] == 0.0 && p->age[1] == 0.3 && p->age[2] == 0.1 + 0.2);
  ck_assert(!signbit(p->age[0]));
  ck_assert(!p->has_exposure);
  ck_assert_uint_eq(p->ex_start[2], 0);
  /* y: t 0 and 1 observed, 2 is a gap */
  ck_assert_uint_eq(p->lo[1], 0);
  ck_assert_uint_eq(p->hi[1], 1);
  ck_assert_uint_eq(p->skip_start[2], 0);
  ck_assert_double_eq_tol(c_i(p, 0), -lgamma(6.0), 1e-13);
  ck_assert(c_i(p, 1) == 0.0);
  gbtm_panel_free(p);
}
END_TEST

/* xorshift64*: a fixed, portable stream for the random panels. */
static uint64_t rng_next(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}
static double rng_unif(uint64_t *s) { return (double)(rng_next(s) >> 11) * 0x1.0p-53; }

enum { RN = 300, RT = 40 };

/* A random panel: RN persons on the ages 10, 10.5, ..., each cell observed
 * with probability 0.6, counts mostly zero, some exposures below 1. Builds
 * it from rows in file order or shuffled, and holds every person's cells,
 * window, constant and the totals against the dense truth. */
static void check_random_panel(uint64_t seed, bool shuffle) {
  static bool obs[RN][RT];
  static int32_t cnt[RN][RT];
  static double expo[RN][RT];
  static char names[RN][16];
  size_t n = 0, nonzero = 0;
  double total = 0;
  for (int i = 0; i < RN; i++) {
    snprintf(names[i], sizeof names[i], "p%04d", i);
    int any = 0;
    for (int t = 0; t < RT; t++) {
      obs[i][t] = rng_unif(&seed) < 0.6 || (t == RT - 1 && !any);
      any += obs[i][t];
      double u = rng_unif(&seed);
      cnt[i][t] = u < 0.7 ? 0 : u < 0.9 ? 1 : (int32_t)(rng_next(&seed) % 300);
      expo[i][t] = rng_unif(&seed) < 0.2 ? 0.05 + 0.9 * rng_unif(&seed) : 1.0;
      if (obs[i][t]) {
        n++;
        nonzero += cnt[i][t] > 0;
        total += cnt[i][t];
      }
    }
  }
  const char **id = malloc(n * sizeof *id);
  double *age = malloc(n * sizeof *age), *e = malloc(n * sizeof *e);
  int64_t *y = malloc(n * sizeof *y);
  size_t j = 0;
  for (int i = 0; i < RN; i++)
    for (int t = 0; t < RT; t++)
      if (obs[i][t]) {
        id[j] = names[i];
        age[j] = 10 + 0.5 * t;
        y[j] = cnt[i][t];
        e[j++] = expo[i][t];
      }
  for (size_t k = n - 1; shuffle && k > 0; k--) {
    size_t r = rng_next(&seed) % (k + 1);
    const char *ti = id[k];
    id[k] = id[r], id[r] = ti;
    double ta = age[k];
    age[k] = age[r], age[r] = ta;
    int64_t ty = y[k];
    y[k] = y[r], y[r] = ty;
    double te = e[k];
    e[k] = e[r], e[r] = te;
  }
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_from_rows(n, id, age, y, e, "random", &p, &err), GBTM_OK);
  ck_assert_uint_eq(p->n, RN);
  ck_assert_uint_eq(p->T, RT);
  ck_assert_uint_eq(p->n_obs, n);
  ck_assert_uint_eq(p->n_nonzero, nonzero);
  ck_assert(p->total == total);
  ck_assert(p->has_exposure);
  for (int t = 0; t < RT; t++) ck_assert(p->age[t] == 10 + 0.5 * t);

  /* Persons come in order of first appearance. */
  size_t next = 0;
  for (size_t k = 0; k < n; k++) {
    size_t found = SIZE_MAX;
    for (size_t i = 0; i < next; i++)
      if (strcmp(p->id[i], id[k]) == 0) found = i;
    if (found == SIZE_MAX) ck_assert_str_eq(p->id[next++], id[k]);
  }
  ck_assert_uint_eq(next, RN);

  uint32_t ct[RT];
  double cy[RT];
  double ce[RT];
  for (size_t i = 0; i < RN; i++) {
    int who = atoi(p->id[i] + 1);
    size_t nc = panel_person_cells(p, i, ct, cy, ce), c = 0;
    double logc = 0;
    int first = -1, last = -1;
    for (int t = 0; t < RT; t++) {
      if (!obs[who][t]) continue;
      if (first < 0) first = t;
      last = t;
      ck_assert_uint_lt(c, nc);
      ck_assert_uint_eq(ct[c], (uint32_t)t);
      ck_assert_int_eq(cy[c], cnt[who][t]);
      ck_assert(ce[c] == expo[who][t]);
      logc += cnt[who][t] * log(expo[who][t]) - lgamma(cnt[who][t] + 1.0);
      c++;
    }
    ck_assert_uint_eq(c, nc);
    ck_assert_uint_eq(p->lo[i], (uint32_t)first);
    ck_assert_uint_eq(p->hi[i], (uint32_t)last);
    ck_assert_double_eq_tol(c_i(p, i), logc, 1e-12 * (1 + fabs(logc)));
    /* CSR order: strictly ascending in t, inside the window. */
    for (size_t k = p->skip_start[i]; k < p->skip_start[i + 1]; k++) {
      ck_assert(p->skip_t[k] >= p->lo[i] && p->skip_t[k] <= p->hi[i]);
      if (k > p->skip_start[i]) ck_assert_uint_lt(p->skip_t[k - 1], p->skip_t[k]);
    }
    for (size_t k = p->nz_start[i]; k < p->nz_start[i + 1]; k++) {
      ck_assert_int_gt(p->nz_y[k], 0);
      if (k > p->nz_start[i]) ck_assert_uint_lt(p->nz_t[k - 1], p->nz_t[k]);
    }
    for (size_t k = p->ex_start[i]; k < p->ex_start[i + 1]; k++) {
      ck_assert(p->ex_e[k] != 1.0);
      if (k > p->ex_start[i]) ck_assert_uint_lt(p->ex_t[k - 1], p->ex_t[k]);
    }
  }
  gbtm_panel_free(p);
  free(id);
  free(age);
  free(e);
  free(y);
}

START_TEST(test_random_sorted) { check_random_panel(12345, false); }
END_TEST

START_TEST(test_random_shuffled) {
  check_random_panel(987654321, true);
  check_random_panel(42, true);
}
END_TEST

/* Writes p to a fresh directory, reads it back and holds it equal. */
static void round_trip(const gbtm_panel *p, bool with_exposure) {
  char dir[] = "/tmp/gbtm_panel_XXXXXX", path[64];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/out.csv", dir);
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_write_csv(p, path, &err), GBTM_OK);
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  if (with_exposure) cols.exposure = "exposure";
  gbtm_panel *q = NULL;
  gbtm_status st = gbtm_panel_read_csv(path, &cols, &q, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  assert_panels_equal(p, q);
  gbtm_panel_free(q);
  /* Nothing but the file is left in the folder. */
  DIR *d = opendir(dir);
  int entries = 0;
  for (struct dirent *de; (de = readdir(d));)
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) entries++;
  closedir(d);
  ck_assert_int_eq(entries, 1);
  unlink(path);
  rmdir(dir);
}

START_TEST(test_write_read_round_trip) {
  gbtm_panel *p = mixed_panel();
  round_trip(p, true);
  gbtm_panel_free(p);

  /* Ids that need quoting, ages that need 17 digits, no exposure. */
  const char *id[] = {"a,b", "say \"hi\"", "two\nlines", "a,b", "plain"};
  const double age[] = {0.1, 0.1 + 0.2, 1e-300, 1.0 / 3.0, -2.5};
  const int64_t count[] = {7, 0, 2147483647, 0, 1};
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_from_rows(5, id, age, count, NULL, "rows", &p, &err), GBTM_OK);
  ck_assert(!p->has_exposure);
  round_trip(p, false);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_write_text) {
  /* The exact text: header with exposure, persons in order, ages ascending. */
  gbtm_panel *p = mixed_panel();
  char dir[] = "/tmp/gbtm_panel_XXXXXX", path[64];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/out.csv", dir);
  FILE *f = fopen(path, "w");
  fputs("old content\n", f);
  fclose(f);
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_write_csv(p, path, &err), GBTM_OK);
  char text[512] = {0};
  f = fopen(path, "r");
  size_t len = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[len] = '\0';
  ck_assert_str_eq(text, "id,age,count,exposure\n"
                         "bob,12,0,1\nbob,13,1,1\nbob,15.5,0,1\n"
                         "al,12,2,1\nal,14,0,0.25\nal,15.5,3,0.5\n"
                         "cy,14,4,1\n");
  unlink(path);
  rmdir(dir);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_write_error) {
  gbtm_panel *p = mixed_panel();
  gbtm_error err = {0};
  const char *path = "/nonexistent_gbtm_dir/out.csv";
  ck_assert_int_eq(gbtm_panel_write_csv(p, path, &err), GBTM_ERR_IO);
  ck_assert_int_eq(err.status, GBTM_ERR_IO);
  char want[256];
  snprintf(want, sizeof want, "%s: cannot create the file: %s", path,
           strerror(ENOENT));
  ck_assert_str_eq(err.message, want);
  gbtm_panel_free(p);
}
END_TEST

/* from_rows on one bad row among good ones: status and exact message. */
static void expect_rows_error(const char *bad_id, double bad_age, int64_t bad_count,
                              double bad_exposure, gbtm_status status, const char *message) {
  const char *id[] = {"a", "a", bad_id};
  const double age[] = {1, 2, bad_age};
  const int64_t count[] = {0, 1, bad_count};
  const double exposure[] = {1, 1, bad_exposure};
  gbtm_panel *p = (gbtm_panel *)&id; /* must be reset to NULL */
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_from_rows(3, id, age, count, exposure, "mem", &p, &err), status);
  ck_assert_ptr_null(p);
  ck_assert_int_eq(err.status, status);
  ck_assert_str_eq(err.message, message);
}

START_TEST(test_rows_errors) {
  expect_rows_error("", 3, 0, 1, GBTM_ERR_PARSE, "mem:3:1: id is empty");
  expect_rows_error(NULL, 3, 0, 1, GBTM_ERR_PARSE, "mem:3:1: id is empty");
  expect_rows_error("b", NAN, 0, 1, GBTM_ERR_PARSE, "mem:3:2: age \"nan\" is not a finite number");
  expect_rows_error("b", INFINITY, 0, 1, GBTM_ERR_PARSE,
                    "mem:3:2: age \"inf\" is not a finite number");
  expect_rows_error("b", 3, -1, 1, GBTM_ERR_PARSE,
                    "mem:3:3: count \"-1\" is not a non-negative integer");
  expect_rows_error("b", 3, 2147483648LL, 1, GBTM_ERR_PARSE,
                    "mem:3:3: count \"2147483648\" too large (at most 2147483647)");
  expect_rows_error("b", 3, 0, 0, GBTM_ERR_PARSE,
                    "mem:3:4: exposure \"0\" is not a finite number > 0");
  expect_rows_error("b", 3, 0, -0.5, GBTM_ERR_PARSE,
                    "mem:3:4: exposure \"-0.5\" is not a finite number > 0");
  expect_rows_error("b", 3, 0, INFINITY, GBTM_ERR_PARSE,
                    "mem:3:4: exposure \"inf\" is not a finite number > 0");
  expect_rows_error("a", 1, 0, 1, GBTM_ERR_PARSE,
                    "mem:3:2: duplicate (id, age) = (a, 1); first seen on line 1");
  expect_rows_error("a", 2, 5, 0.5, GBTM_ERR_PARSE,
                    "mem:3:2: duplicate (id, age) = (a, 2); first seen on line 2");

  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_from_rows(0, NULL, NULL, NULL, NULL, "mem", &p, &err),
                   GBTM_ERR_PARSE);
  ck_assert_str_eq(err.message, "mem: no data rows");
  ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_duplicate_earliest_reported) {
  /* Three copies of (a, 12) and one of (b, 5), out of order: the report
   * names the earliest repeated line and the line it repeats. */
  const char *id[] = {"b", "a", "a", "b", "a", "a"};
  const double age[] = {5, 12, 13, 5, 12, 12};
  const int64_t count[] = {0, 0, 0, 0, 0, 0};
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_from_rows(6, id, age, count, NULL, "d", &p, &err), GBTM_ERR_PARSE);
  ck_assert_str_eq(err.message, "d:4:2: duplicate (id, age) = (b, 5); first seen on line 1");
}
END_TEST

/* Real responses (a family with real_response): gbtm_panel_from_rows_real()
 * keeps any finite value, a nonzero cell being a value != 0, and refuses a
 * non-finite one; panel_build() refuses a real among counts as before. */
START_TEST(test_real_rows) {
  const char *id[4] = {"a", "a", "b", "b"};
  const double age[4] = {1, 2, 1, 3}, y[4] = {-0.5, 0, 2.25, 1e-310}, e[4] = {1, 1, 0.5, 1};
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_from_rows_real(4, id, age, y, e, NULL, "rows", &p, &err), GBTM_OK);
  ck_assert_uint_eq(p->n_nonzero, 3);
  ck_assert(p->total == -0.5 + 2.25 + 1e-310);
  ck_assert(p->nz_start[2] == 2 && p->nz_y[0] == -0.5 && p->nz_y[1] == 1e-310);
  ck_assert(p->ex_y[0] == 2.25 && p->ex_e[0] == 0.5);
  uint32_t t[3];
  double cy[3], ce[3];
  ck_assert_uint_eq(panel_person_cells(p, 1, t, cy, ce), 2);
  ck_assert(cy[0] == 2.25 && cy[1] == 1e-310 && ce[0] == 0.5);
  gbtm_panel *q = NULL;
  const size_t odd[1] = {1};
  ck_assert_int_eq(gbtm_panel_subset(p, odd, 1, &q, &err), GBTM_OK); /* a subset keeps them */
  ck_assert(q->ex_y[0] == 2.25 && q->nz_y[0] == 1e-310);
  gbtm_panel_free(q);
  gbtm_panel_free(p);

  const double bad[3] = {INFINITY, -INFINITY, NAN};
  const char *shown[3] = {"inf", "-inf", "nan"};
  for (int k = 0; k < 3; k++) {
    double z[4] = {0, 1, 2, bad[k]};
    char want[128];
    p = (gbtm_panel *)&err;
    ck_assert_int_eq(gbtm_panel_from_rows_real(4, id, age, z, NULL, NULL, "rows", &p, &err), GBTM_ERR_PARSE);
    ck_assert_ptr_null(p);
    snprintf(want, sizeof want, "rows:4:3: count \"%s\" is not a finite number", shown[k]);
    ck_assert_str_eq(err.message, want);
  }

  panel_row rows[2] = {{0, 1.0, 0, 1.0, 2, 0, false}, {0, 2.0, 1.5, 1.0, 3, 0, false}};
  char **ids = malloc(sizeof *ids);
  ids[0] = strdup("x");
  ck_assert_int_eq(panel_build(rows, 2, ids, 1, "f.csv", 7, &p, &err), GBTM_ERR_PARSE);
  ck_assert_str_eq(err.message, "f.csv:3: count is not a non-negative integer");
  ids = malloc(sizeof *ids);
  ids[0] = strdup("x");
  rows[1].real_response = true;
  ck_assert_int_eq(panel_build(rows, 2, ids, 1, "f.csv", 7, &p, &err), GBTM_OK);
  ck_assert(p->nz_y[0] == 1.5);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_build_direct) {
  /* panel_build takes the ids also when it fails (checked by the leak
   * sanitiser), and names a person without rows as an internal error. */
  panel_row rows[2] = {{0, 1.0, 0, 1.0, 2, 0, false}, {0, 1.0, 3, 1.0, 3, 0, false}};
  char **ids = malloc(2 * sizeof *ids);
  ids[0] = strdup("x");
  ids[1] = strdup("y");
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(panel_build(rows, 2, ids, 2, "f.csv", 7, &p, &err), GBTM_ERR_PARSE);
  ck_assert_str_eq(err.message, "f.csv:3:7: duplicate (id, age) = (x, 1); first seen on line 2");
  ck_assert_ptr_null(p);

  ids = malloc(2 * sizeof *ids);
  ids[0] = strdup("x");
  ids[1] = strdup("y");
  rows[1].age = 2.0;
  ck_assert_int_eq(panel_build(rows, 2, ids, 2, "f.csv", 7, &p, &err), GBTM_ERR_INTERNAL);
  ck_assert_str_eq(err.message, "f.csv: person 1 has no rows");

  ids = malloc(sizeof *ids);
  ids[0] = strdup("x");
  rows[1].count = (int64_t)INT32_MAX + 1;
  ck_assert_int_eq(panel_build(rows, 2, ids, 1, "f.csv", 7, &p, &err), GBTM_ERR_PARSE);
  ck_assert_str_eq(err.message, "f.csv:3: count too large (at most 2147483647)");

  ids = malloc(sizeof *ids);
  ids[0] = strdup("x");
  ck_assert_int_eq(panel_build(rows, 0, ids, 1, "f.csv", 7, &p, &err), GBTM_ERR_PARSE);
  ck_assert_str_eq(err.message, "f.csv: no data rows");

  ids = malloc(sizeof *ids);
  ids[0] = strdup("x");
  rows[1].count = 3;
  ck_assert_int_eq(panel_build(rows, 2, ids, 1, "f.csv", 7, &p, &err), GBTM_OK);
  ck_assert_uint_eq(p->T, 2);
  ck_assert_double_eq_tol(c_i(p, 0), -log(6.0), 1e-14);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_null_safe) {
  gbtm_panel_free(NULL);
  ck_assert_uint_eq(gbtm_panel_n_persons(NULL), 0);
  ck_assert_uint_eq(gbtm_panel_n_obs(NULL), 0);
  ck_assert_uint_eq(gbtm_panel_n_ages(NULL), 0);
  ck_assert_ptr_null(gbtm_panel_ages(NULL));
  ck_assert_ptr_null(gbtm_panel_id(NULL, 0));
  gbtm_csv_columns c = gbtm_csv_columns_default();
  ck_assert_str_eq(c.id, "id");
  ck_assert_str_eq(c.age, "age");
  ck_assert_str_eq(c.count, "count");
  ck_assert_ptr_null(c.exposure);
}
END_TEST

static Suite *panel_suite(void) {
  Suite *s = suite_create("panel");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_mixed_by_hand);
  tcase_add_test(tc, test_ages_exact_equality);
  tcase_add_test(tc, test_random_sorted);
  tcase_add_test(tc, test_random_shuffled);
  tcase_add_test(tc, test_write_read_round_trip);
  tcase_add_test(tc, test_write_text);
  tcase_add_test(tc, test_write_error);
  tcase_add_test(tc, test_rows_errors);
  tcase_add_test(tc, test_duplicate_earliest_reported);
  tcase_add_test(tc, test_build_direct);
  tcase_add_test(tc, test_real_rows);
  tcase_add_test(tc, test_null_safe);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(panel_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
