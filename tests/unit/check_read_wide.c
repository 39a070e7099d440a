/* check_read_wide.c: the wide CSV reader (engine/formats/read_wide.c), the layout
 * of PROC TRAJ. The same random data written in the long and in the wide
 * layout read into identical panels (persons, cells, exposures, risk
 * factors, time-varying covariates), also with missing covariates dropped;
 * missing waves are skipped whatever their other cells hold; and every
 * malformed row fails with its exact FILE:LINE:COLUMN message. */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gbtm.h"
#include "formats/read_csv.h"
#include "formats/read_wide.h"
#include "panel/panel.h"
#include "panel_equal.h"
#include "testutil.h"

#define WAVES 6

static const char *COUNT[WAVES] = {"y1", "y2", "y3", "y4", "y5", "y6"};
static const char *AGE[WAVES] = {"t1", "t2", "t3", "t4", "t5", "t6"};
static const char *EXPO[WAVES] = {"e1", "e2", "e3", "e4", "e5", "e6"};
static const char *EMP[WAVES] = {"w1", "w2", "w3", "w4", "w5", "w6"};

/* The wide columns of the generated files. */
static gbtm_csv_columns wide_columns(bool exposure, bool covariates, bool drop) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  c.wide = true;
  c.waves = WAVES;
  c.count_cols = COUNT;
  c.age_cols = AGE;
  c.exposure_cols = exposure ? EXPO : NULL;
  if (covariates) {
    c.risk[c.n_risk++] = "sex";
    c.tcov[c.n_tcov++] = "emp";
    c.tcov_cols[0] = EMP;
  }
  c.drop_missing = drop;
  return c;
}

/* The long columns of the same data. */
static gbtm_csv_columns long_columns(bool exposure, bool covariates, bool drop) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  c.exposure = exposure ? "exposure" : NULL;
  if (covariates) {
    c.risk[c.n_risk++] = "sex";
    c.tcov[c.n_tcov++] = "emp";
  }
  c.drop_missing = drop;
  return c;
}

/* Text that grows. */
typedef struct text {
  char *s;
  size_t used, cap;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->used, t->cap - t->used, fmt, ap);
    va_end(ap);
    if ((size_t)n < t->cap - t->used) {
      t->used += (size_t)n;
      return;
    }
    t->cap = 2 * t->cap + (size_t)n + 64;
    t->s = realloc(t->s, t->cap);
  }
}

/* n random persons in both layouts: in the long file each person's rows in
 * reverse wave order; in the wide file the unobserved waves' cells marked
 * missing in each spelling, and their other cells holding junk that must
 * not be read. With missing, some risk factors and covariates are NA. */
static void make_files(size_t n, unsigned long seed, bool missing, char *long_path, char *wide_path) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  text lt = {malloc(64), 0, 64}, wt = {malloc(64), 0, 64};
  put(&lt, "id,age,count,exposure,sex,emp\n");
  put(&wt, "id,sex");
  for (int w = 0; w < WAVES; w++) put(&wt, ",%s,%s,%s,%s", COUNT[w], AGE[w], EXPO[w], EMP[w]);
  put(&wt, "\n");
  const char *gap[3] = {"", ".", "NA"};
  for (size_t i = 0; i < n; i++) {
    char sex[8] = "NA";
    if (!(missing && gsl_rng_uniform(rng) < 0.1)) snprintf(sex, sizeof sex, "%lu", gsl_rng_uniform_int(rng, 2));
    bool seen[WAVES];
    char cells[WAVES][4][32];
    double base = 10.0 + 0.25 * (double)gsl_rng_uniform_int(rng, 4);
    for (int w = 0; w < WAVES; w++) {
      seen[w] = gsl_rng_uniform(rng) < 0.8;
      double e = gsl_rng_uniform(rng) < 0.2 ? 0.1 + 0.8 * gsl_rng_uniform(rng) : 1.0;
      /* ages ascend by wave except that waves 2 and 3 swap, for some */
      double age = base + w + ((i % 3 == 0 && (w == 2 || w == 3)) ? (w == 2 ? 1 : -1) : 0);
      snprintf(cells[w][0], 32, "%lu", gsl_rng_uniform_int(rng, 4));
      snprintf(cells[w][1], 32, "%.17g", age);
      snprintf(cells[w][2], 32, "%.17g", e);
      if (missing && gsl_rng_uniform(rng) < 0.1) snprintf(cells[w][3], 32, ".");
      else snprintf(cells[w][3], 32, "%.17g", gsl_rng_uniform(rng) - 0.5);
    }
    for (int w = WAVES; w-- > 0;)
      if (seen[w]) put(&lt, "id%zu,%s,%s,%s,%s,%s\n", i, cells[w][1], cells[w][0], cells[w][2], sex, cells[w][3]);
    put(&wt, "id%zu,%s", i, sex);
    for (int w = 0; w < WAVES; w++) {
      if (seen[w])
        put(&wt, ",%s,%s,%s,%s", cells[w][0], cells[w][1], cells[w][2], cells[w][3]);
      else
        put(&wt, ",%s,%s,junk,junk", gap[gsl_rng_uniform_int(rng, 3)], gap[gsl_rng_uniform_int(rng, 3)]);
    }
    put(&wt, "\n");
  }
  test_write_file(long_path, lt.s);
  test_write_file(wide_path, wt.s);
  free(lt.s);
  free(wt.s);
  gsl_rng_free(rng);
}

static gbtm_panel *read_ok(const char *path, const gbtm_csv_columns *cols) {
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  gbtm_status st = gbtm_panel_read_csv(path, cols, &p, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  return p;
}

START_TEST(test_wide_equals_long) {
  char lp[64], wp[64];
  make_files(400, 17, false, lp, wp);
  for (int k = 0; k < 4; k++) {
    bool exposure = k & 1, covariates = k & 2;
    gbtm_csv_columns lc = long_columns(exposure, covariates, false);
    gbtm_csv_columns wc = wide_columns(exposure, covariates, false);
    gbtm_panel *a = read_ok(lp, &lc), *b = read_ok(wp, &wc);
    ck_assert_panels_equal(a, b);
    ck_assert_uint_gt(a->n, 390); /* a person with no observed wave adds no one */
    ck_assert_int_eq(a->has_exposure, exposure);
    gbtm_panel_free(a);
    gbtm_panel_free(b);
  }
  unlink(lp);
  unlink(wp);
}
END_TEST

START_TEST(test_wide_equals_long_dropping) {
  char lp[64], wp[64];
  make_files(400, 29, true, lp, wp);
  gbtm_csv_columns lc = long_columns(true, true, true), wc = wide_columns(true, true, true);
  gbtm_panel *a = read_ok(lp, &lc), *b = read_ok(wp, &wc);
  ck_assert_panels_equal(a, b);
  ck_assert_uint_gt(a->dropped_rows, 0);
  ck_assert_uint_gt(a->dropped_persons, 0);
  ck_assert_uint_eq(a->dropped_rows, b->dropped_rows);
  ck_assert_uint_eq(a->dropped_persons, b->dropped_persons);
  gbtm_panel_free(a);
  gbtm_panel_free(b);
  unlink(lp);
  unlink(wp);
}
END_TEST

/* Expects status and the message with "%s" standing for the file's path. */
static void expect_error(const char *text, const gbtm_csv_columns *cols, gbtm_status status, const char *format) {
  char path[64], want[1024];
  test_write_file(path, text);
  gbtm_panel *p = (gbtm_panel *)&want; /* must be reset to NULL */
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_read_csv(path, cols, &p, &err), status);
  ck_assert_ptr_null(p);
  snprintf(want, sizeof want, format, path);
  ck_assert_str_eq(err.message, want);
  unlink(path);
}

static const char *C3[3] = {"y1", "y2", "y3"}, *A3[3] = {"t1", "t2", "t3"}, *E3[3] = {"e1", "e2", "e3"},
                  *W3[3] = {"w1", "w2", "w3"};

static gbtm_csv_columns three(bool exposure, bool cov, bool drop) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  c.wide = true;
  c.waves = 3;
  c.count_cols = C3;
  c.age_cols = A3;
  c.exposure_cols = exposure ? E3 : NULL;
  if (cov) {
    c.risk[c.n_risk++] = "sex";
    c.tcov[c.n_tcov++] = "emp";
    c.tcov_cols[0] = W3;
  }
  c.drop_missing = drop;
  return c;
}

#define HEAD "id,sex,y1,y2,y3,t1,t2,t3,e1,e2,e3,w1,w2,w3\n"

START_TEST(test_errors) {
  gbtm_csv_columns c = three(false, false, false);
  { /* an age and no count: a missing wave (PROC TRAJ's convention), counted */
    char path[64];
    test_write_file(path, HEAD "a,0,1,2,3,12,13,14,1,1,1,0,0,0\nb,0,1,.,3,12,13,14,1,1,1,0,0,0\n"
                               "c,0,.,NA,,12,13,14,1,1,1,0,0,0\n");
    gbtm_panel *p = read_ok(path, &c);
    ck_assert_uint_eq(p->n, 2);
    ck_assert_uint_eq(p->n_obs, 5);
    ck_assert_uint_eq(gbtm_panel_missing_responses(p), 4);
    gbtm_panel_free(p);
    unlink(path);
  }
  expect_error(HEAD "a,0,1,2,3,12,13,14,1,1,1,0,0,0\nb,0,1,2,3,12,13,,1,1,1,0,0,0\n", &c, GBTM_ERR_PARSE,
               "%s:3:8: wave 3 has a count \"3\" (column y3) but no age (column t3 is missing): a count "
               "and its age are both given or both missing");
  expect_error(HEAD "a,0,1,2,x,12,13,14,1,1,1,0,0,0\n", &c, GBTM_ERR_PARSE,
               "%s:2:5: count \"x\" is not a non-negative integer");
  expect_error(HEAD "a,0,1,2,3,12,13,old,1,1,1,0,0,0\n", &c, GBTM_ERR_PARSE,
               "%s:2:8: age \"old\" is not a finite number");
  expect_error(HEAD "a,0,1,2,3,12,13,12,1,1,1,0,0,0\n", &c, GBTM_ERR_PARSE,
               "%s:2:8: age 12 appears twice in the row (also in column 6)");
  expect_error(HEAD "a,0,1,2,3,12,13,14,1,1,1,0,0,0\na,0,1,2,3,15,16,17,1,1,1,0,0,0\n", &c, GBTM_ERR_PARSE,
               "%s:3:1: id \"a\" is on an earlier row too: the wide layout has one row per person");
  expect_error(HEAD ",0,1,2,3,12,13,14,1,1,1,0,0,0\n", &c, GBTM_ERR_PARSE, "%s:2:1: id is empty");
  expect_error(HEAD "a,0,1,2,3,12,13,14,1,1,1,0,0\n", &c, GBTM_ERR_PARSE, "%s:2:14: expected 14 fields, found 13");
  expect_error(HEAD "a,0,,,,,,,1,1,1,0,0,0\n", &c, GBTM_ERR_PARSE, "%s:2:1: no observed waves");
  expect_error("id,y1,y2,t1,t3\na,1,1,1,1\n", &c, GBTM_ERR_PARSE,
               "%s:1:1: missing column \"y3\" in header (found: id,y1,y2,t1,t3)");
  c = three(true, false, false);
  expect_error(HEAD "a,0,1,2,3,12,13,14,1,0,1,0,0,0\n", &c, GBTM_ERR_PARSE,
               "%s:2:10: exposure \"0\" is not a finite number > 0");
  expect_error(HEAD "a,0,1,2,3,12,13,14,1,,1,0,0,0\n", &c, GBTM_ERR_PARSE,
               "%s:2:10: exposure \"\" is not a finite number > 0");
  c = three(false, true, false);
  expect_error(HEAD "a,0,1,2,3,12,13,14,1,1,1,0,.,0\n", &c, GBTM_ERR_DATA,
               "%s:2:13: missing value of time-varying covariate \"emp\" (or drop such rows with "
               "--drop-missing)");
  expect_error(HEAD "a,NA,1,2,3,12,13,14,1,1,1,0,0,0\n", &c, GBTM_ERR_DATA,
               "%s:2:2: missing value of risk factor \"sex\" (or drop such persons with --drop-missing)");
  expect_error(HEAD "a,0,1,2,3,12,13,14,1,1,1,0,yes,0\n", &c, GBTM_ERR_PARSE,
               "%s:2:13: time-varying covariate \"emp\" is \"yes\", not a finite number (a missing value "
               "is empty, \".\" or \"NA\")");
  /* columns the reader cannot use */
  c = three(false, false, false);
  c.waves = 0;
  expect_error(HEAD, &c, GBTM_ERR_USAGE, "%s: the wide layout needs the count and age columns of each wave");
  c = three(false, true, false);
  c.tcov_cols[0] = NULL;
  expect_error(HEAD, &c, GBTM_ERR_USAGE, "%s: a column of the wide layout has no name");
}
END_TEST

/* A wave without count and age is skipped whatever its other cells hold;
 * missing covariates of observed waves are dropped with drop_missing. */
/* Real responses (a family with real_response), through
 * panel_read_wide_with(): kept exactly, the same panel as the long layout
 * gives; what is not a finite decimal real is refused with FILE:LINE:COLUMN;
 * a count family refuses a real as before. */
START_TEST(test_real_responses) {
  gbtm_csv_columns c = three(true, true, false);
  char wide[64], lng[64], want[512];
  test_write_file(wide, HEAD "a,1,0.25,-1.5,.,12,13,.,1,0.5,.,0,1,.\nb,0,0,3,1e-7,12,14,15,1,1,1,1,0,1\n");
  test_write_file(lng, "id,age,count,exposure,sex,emp\na,12,0.25,1,1,0\na,13,-1.5,0.5,1,1\nb,12,0,1,0,1\n"
                       "b,14,3,1,0,0\nb,15,1e-7,1,0,1\n");
  gbtm_panel *p = NULL, *q = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(panel_read_wide_with(wide, &c, NULL, true, &p, &err), GBTM_OK);
  gbtm_csv_columns l = gbtm_csv_columns_default();
  l.exposure = "exposure";
  l.risk[l.n_risk++] = "sex";
  l.tcov[l.n_tcov++] = "emp";
  ck_assert_int_eq(panel_read_long_with(lng, &l, NULL, true, &q, &err), GBTM_OK);
  ck_assert_panels_equal(p, q);
  ck_assert(p->nz_y[0] == 0.25 && p->nz_y[1] == 3 && p->nz_y[2] == 1e-7);
  ck_assert(p->ex_y[0] == -1.5 && p->ex_e[0] == 0.5);
  gbtm_panel_free(p), gbtm_panel_free(q);
  unlink(lng);

  /* written as wide CSV (%.17g) and read back */
  ck_assert_int_eq(panel_read_wide_with(wide, &c, NULL, true, &p, &err), GBTM_OK);
  size_t waves = 0;
  ck_assert_int_eq(gbtm_panel_write_wide_csv(p, lng, &waves, &err), GBTM_OK);
  gbtm_csv_columns back = three(true, true, false);
  const char *bc[3] = {"count1", "count2", "count3"}, *ba[3] = {"age1", "age2", "age3"},
             *be[3] = {"exposure1", "exposure2", "exposure3"}, *bw[3] = {"emp1", "emp2", "emp3"};
  back.count_cols = bc, back.age_cols = ba, back.exposure_cols = be, back.tcov_cols[0] = bw;
  ck_assert_int_eq(panel_read_wide_with(lng, &back, NULL, true, &q, &err), GBTM_OK);
  ck_assert_panels_equal(p, q);
  gbtm_panel_free(p), gbtm_panel_free(q);
  unlink(lng);
  unlink(wide);

  const char *bad[] = {"inf", "nan", "0x1p3", "1e999", "abc"};
  for (size_t j = 0; j < sizeof bad / sizeof *bad; j++) {
    char text[256];
    snprintf(text, sizeof text, HEAD "a,0,0.5,%s,1,12,13,14,1,1,1,0,0,0\n", bad[j]);
    test_write_file(wide, text);
    p = (gbtm_panel *)&err;
    ck_assert_int_eq(panel_read_wide_with(wide, &c, NULL, true, &p, &err), GBTM_ERR_PARSE);
    ck_assert_ptr_null(p);
    snprintf(want, sizeof want, "%s:2:4: count \"%s\" is not a finite number (a decimal real)", wide, bad[j]);
    ck_assert_str_eq(err.message, want);
    unlink(wide);
  }
  c = three(false, false, false);
  expect_error(HEAD "a,0,1,1.5,3,12,13,14,1,1,1,0,0,0\n", &c, GBTM_ERR_PARSE,
               "%s:2:4: count \"1.5\" is not a non-negative integer");
  test_write_file(wide, HEAD "a,0,1,1.5,3,12,13,14,1,1,1,0,0,0\n");
  ck_assert_int_eq(panel_read_wide_with(wide, &c, NULL, false, &p, &err), GBTM_ERR_PARSE);
  snprintf(want, sizeof want, "%s:2:4: count \"1.5\" is not a non-negative integer", wide);
  ck_assert_str_eq(err.message, want);
  unlink(wide);
}
END_TEST

START_TEST(test_missing_waves_and_drops) {
  char path[64];
  test_write_file(path, HEAD
                  "a,1,0,.,2,12,.,14,1,junk,0.5,0,x,1\n"
                  "b,NA,1,1,1,12,13,14,1,1,1,0,0,0\n" /* person dropped: 3 rows */
                  "c,0,NA,1,1,NA,13,14,junk,1,1,.,1,.\n"); /* 2 observed, 1 dropped */
  gbtm_csv_columns c = three(true, true, true);
  gbtm_panel *p = read_ok(path, &c);
  ck_assert_uint_eq(p->n, 2);
  ck_assert_str_eq(p->id[0], "a");
  ck_assert_str_eq(p->id[1], "c");
  ck_assert_uint_eq(p->n_obs, 3);
  ck_assert_uint_eq(p->dropped_rows, 4);
  ck_assert_uint_eq(p->dropped_persons, 1);
  ck_assert(p->risk[0] == 1 && p->risk[1] == 0);
  ck_assert(p->tcov[0] == 0 && p->tcov[1] == 1 && p->tcov[2] == 1);
  ck_assert(p->has_exposure);
  gbtm_panel_free(p);
  unlink(path);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("read_wide");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_wide_equals_long);
  tcase_add_test(tc, test_wide_equals_long_dropping);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_missing_waves_and_drops);
  tcase_add_test(tc, test_real_responses);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
