/* check_csv_covariates.c: covariate columns of the long CSV reader
 * (engine/formats/read_csv.c) and of the long CSV writer (gbtm_panel_write_csv):
 * risk factors land per person and time-varying covariates per cell in age
 * order; empty, "." and "NA" are missing, an error without drop_missing and
 * dropped (and counted) with it; text, inf and nan are errors naming
 * FILE:LINE:COLUMN and the covariate; a missing column names the header; a
 * risk factor must not vary within a person; and a panel written with its
 * covariates reads back identical. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gbtm.h"
#include "panel/panel.h"
#include "panel_equal.h"
#include "testutil.h"

/* Columns with risk factors and time-varying covariates by name. */
static gbtm_csv_columns covariate_columns(const char *risk, const char *tcov, bool drop) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  if (risk) c.risk[c.n_risk++] = risk;
  if (tcov) c.tcov[c.n_tcov++] = tcov;
  c.drop_missing = drop;
  return c;
}

static gbtm_panel *read_ok(const char *text, const gbtm_csv_columns *cols) {
  char path[64];
  test_write_file(path, text);
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  gbtm_status st = gbtm_panel_read_csv(path, cols, &p, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  unlink(path);
  return p;
}

/* Expects status and the message with "%s" standing for the file's path. */
static void expect_error(const char *text, const gbtm_csv_columns *cols, gbtm_status status,
                         const char *format) {
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

START_TEST(test_values_land_per_person_and_cell) {
  /* rows out of order: cells are stored ascending in age */
  gbtm_csv_columns c = gbtm_csv_columns_default();
  c.risk[c.n_risk++] = "sex";
  c.risk[c.n_risk++] = "cohort";
  c.tcov[c.n_tcov++] = "emp";
  gbtm_panel *p = read_ok("id,age,count,emp,sex,other,cohort\n"
                          "a,13,2,0.25,1,x,1990\n"
                          "b,12,1,-3,0,y,1991\n"
                          "a,12,0,\"0.5\",1,z,1990\n"
                          "b,14,0, 1e-3 ,0,w,1991\n",
                          &c);
  ck_assert_uint_eq(gbtm_panel_n_persons(p), 2);
  ck_assert_int_eq(gbtm_panel_n_risk(p), 2);
  ck_assert_int_eq(gbtm_panel_n_tcov(p), 1);
  ck_assert_str_eq(gbtm_panel_risk_name(p, 0), "sex");
  ck_assert_str_eq(gbtm_panel_risk_name(p, 1), "cohort");
  ck_assert_str_eq(gbtm_panel_tcov_name(p, 0), "emp");
  ck_assert_ptr_null(gbtm_panel_risk_name(p, 2));
  const double *risk = gbtm_panel_risk(p);
  ck_assert(risk[0] == 1 && risk[1] == 1990 && risk[2] == 0 && risk[3] == 1991);
  /* a: ages 12, 13; b: 12, 14 */
  ck_assert(p->obs_start[0] == 0 && p->obs_start[1] == 2 && p->obs_start[2] == 4);
  ck_assert(p->tcov[0] == 0.5 && p->tcov[1] == 0.25 && p->tcov[2] == -3 && p->tcov[3] == 1e-3);
  ck_assert_double_eq_tol(gbtm_panel_tcov_mean(p, 0), (0.5 + 0.25 - 3 + 1e-3) / 4, 1e-15);
  ck_assert_uint_eq(gbtm_panel_dropped_rows(p), 0);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_no_covariates_asked_none_read) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  gbtm_panel *p = read_ok("id,age,count,sex\na,12,0,x\na,13,1,\n", &c);
  ck_assert_int_eq(gbtm_panel_n_risk(p), 0);
  ck_assert_int_eq(gbtm_panel_n_tcov(p), 0);
  ck_assert_ptr_null(p->risk);
  ck_assert_ptr_null(p->tcov);
  gbtm_panel_free(p);
}
END_TEST

/* Each spelling of a missing value is missing. */
START_TEST(test_missing_spellings) {
  const char *spelled[] = {"", ".", "NA", " NA ", " ", "\"\""};
  for (size_t k = 0; k < sizeof spelled / sizeof *spelled; k++) {
    char text[256];
    snprintf(text, sizeof text, "id,age,count,sex\na,12,0,1\nb,12,1,%s\n", spelled[k]);
    gbtm_csv_columns c = covariate_columns("sex", NULL, false);
    expect_error(text, &c, GBTM_ERR_DATA,
                 "%s:3:4: missing value of risk factor \"sex\" (or drop such persons with --drop-missing)");
    snprintf(text, sizeof text, "id,age,count,emp\na,12,0,1\na,13,1,%s\n", spelled[k]);
    c = covariate_columns(NULL, "emp", false);
    expect_error(text, &c, GBTM_ERR_DATA,
                 "%s:3:4: missing value of time-varying covariate \"emp\" (or drop such rows with "
                 "--drop-missing)");
  }
}
END_TEST

/* Text, infinities, NaN and overflow are not values. */
START_TEST(test_bad_values) {
  struct {
    const char *cell, *shown;
  } bad[] = {{"abc", "abc"}, {"inf", "inf"}, {"-Infinity", "-Infinity"}, {"nan", "nan"},
             {"1e400", "1e400"}, {"N/A", "N/A"}, {"0x", "0x"}};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    char text[256], want[256];
    snprintf(text, sizeof text, "id,age,count,sex,emp\na,12,0,1,0\nb,12,1,%s,0\n", bad[k].cell);
    snprintf(want, sizeof want,
             "%%s:3:4: risk factor \"sex\" is \"%s\", not a finite number (a missing value is empty, "
             "\".\" or \"NA\")",
             bad[k].shown);
    gbtm_csv_columns c = covariate_columns("sex", "emp", true);
    expect_error(text, &c, GBTM_ERR_PARSE, want);
    snprintf(text, sizeof text, "id,age,count,sex,emp\na,12,0,1,0\nb,12,1,0,%s\n", bad[k].cell);
    snprintf(want, sizeof want,
             "%%s:3:5: time-varying covariate \"emp\" is \"%s\", not a finite number (a missing value is "
             "empty, \".\" or \"NA\")",
             bad[k].shown);
    expect_error(text, &c, GBTM_ERR_PARSE, want);
  }
}
END_TEST

START_TEST(test_missing_column) {
  gbtm_csv_columns c = covariate_columns("sex", "emp", false);
  expect_error("id,age,count,sex\na,12,0,1\n", &c, GBTM_ERR_PARSE,
               "%s:1:1: missing column \"emp\" in header (found: id,age,count,sex)");
  c = covariate_columns("gender", NULL, false);
  expect_error("\n\nid,age,count,sex\na,12,0,1\n", &c, GBTM_ERR_PARSE,
               "%s:3:1: missing column \"gender\" in header (found: id,age,count,sex)");
}
END_TEST

START_TEST(test_risk_varies_within_person) {
  gbtm_csv_columns c = covariate_columns("sex", NULL, false);
  expect_error("id,age,count,sex\na,12,0,1\nb,12,0,0\na,13,1,0\n", &c, GBTM_ERR_DATA,
               "%s:4:4: risk factor \"sex\" of person a varies within the person (0 here, 1 on line 2); "
               "a risk factor is time-stable");
}
END_TEST

/* drop_missing drops the persons with a missing risk factor (all their
 * rows) and the rows with a missing time-varying covariate, and a person
 * left without rows; the counts are what was dropped. */
START_TEST(test_drop_missing_counts) {
  gbtm_csv_columns c = covariate_columns("sex", "emp", true);
  gbtm_panel *p = read_ok("id,age,count,sex,emp\n"
                          "a,12,0,1,0\n"
                          "a,13,2,1,NA\n" /* row dropped */
                          "b,12,1,.,1\n"  /* person b dropped: 2 rows */
                          "b,13,1,0,1\n"
                          "c,12,0,0,\n"   /* c's only row: row and person dropped */
                          "d,12,3,0,1\n"
                          "d,13,0,0,0\n",
                          &c);
  ck_assert_uint_eq(gbtm_panel_n_persons(p), 2);
  ck_assert_str_eq(gbtm_panel_id(p, 0), "a");
  ck_assert_str_eq(gbtm_panel_id(p, 1), "d");
  ck_assert_uint_eq(gbtm_panel_n_obs(p), 3);
  ck_assert_uint_eq(gbtm_panel_dropped_rows(p), 4);
  ck_assert_uint_eq(gbtm_panel_dropped_persons(p), 2);
  ck_assert(gbtm_panel_total_count(p) == 3.0);
  gbtm_panel_free(p);
  c = covariate_columns(NULL, "emp", true);
  expect_error("id,age,count,emp\na,12,0,.\nb,12,1,\n", &c, GBTM_ERR_DATA,
               "%s: every row has a missing covariate (2 dropped)");
}
END_TEST

START_TEST(test_covariate_names_checked) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  for (int j = 0; j < GBTM_MAX_RISK; j++) c.risk[j] = "x";
  c.n_risk = GBTM_MAX_RISK + 1;
  expect_error("id,age,count\na,1,1\n", &c, GBTM_ERR_USAGE,
               "%s: at most 8 risk factors and 4 time-varying covariates");
  c = covariate_columns("sex", "sex", false);
  expect_error("id,age,count,sex\na,1,1,1\n", &c, GBTM_ERR_USAGE, "%s: covariate \"sex\" is named twice");
  c = covariate_columns("", NULL, false);
  expect_error("id,age,count,sex\na,1,1,1\n", &c, GBTM_ERR_USAGE, "%s: covariate 1 has no name");
}
END_TEST

/* A panel written as CSV with its covariates reads back the same. */
START_TEST(test_write_csv_roundtrip) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  c.exposure = "e";
  c.risk[c.n_risk++] = "sex";
  c.risk[c.n_risk++] = "iq";
  c.tcov[c.n_tcov++] = "emp";
  c.tcov[c.n_tcov++] = "married";
  gbtm_panel *p = read_ok("id,age,count,e,sex,iq,emp,married\n"
                          "\"x,1\",14,0,0.5,1,101.25,0.1,0\n"
                          "\"x,1\",12,4,1,1,101.25,0.30000000000000004,1\n"
                          "y,12.5,1,1,0,-7e-300,2,1\n",
                          &c);
  char path[64];
  test_write_file(path, "");
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_write_csv(p, path, &err), GBTM_OK);
  FILE *f = fopen(path, "r");
  char header[256];
  ck_assert_ptr_nonnull(fgets(header, sizeof header, f));
  fclose(f);
  ck_assert_str_eq(header, "id,age,count,exposure,sex,iq,emp,married\n");
  c.exposure = "exposure";
  gbtm_panel *q = NULL;
  ck_assert_int_eq(gbtm_panel_read_csv(path, &c, &q, &err), GBTM_OK);
  ck_assert_panels_equal(p, q);
  unlink(path);
  gbtm_panel_free(p);
  gbtm_panel_free(q);
}
END_TEST

/* A bigger file: every cell's covariate is the one on its row. */
START_TEST(test_many_rows) {
  size_t persons = 300, waves = 9;
  size_t cap = 64 + persons * waves * 64;
  char *text = malloc(cap);
  size_t used = (size_t)snprintf(text, cap, "id,age,count,w,z\n");
  for (size_t i = 0; i < persons; i++)
    for (size_t k = waves; k-- > 0;) /* descending ages: the reader sorts */
      used += (size_t)snprintf(text + used, cap - used, "p%zu,%zu,%zu,%zu.5,%zu\n", i, 20 + k, (i + k) % 3,
                               i * 100 + k, i % 7);
  char path[64];
  test_write_file(path, text);
  free(text);
  gbtm_csv_columns c = covariate_columns("z", "w", false);
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_read_csv(path, &c, &p, &err), GBTM_OK);
  unlink(path);
  ck_assert_uint_eq(p->n_obs, persons * waves);
  for (size_t i = 0; i < persons; i++) {
    ck_assert(p->risk[i] == (double)(i % 7));
    for (size_t k = 0; k < waves; k++) ck_assert(p->tcov[p->obs_start[i] + k] == (double)(i * 100 + k) + 0.5);
  }
  gbtm_panel_free(p);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("csv_covariates");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_values_land_per_person_and_cell);
  tcase_add_test(tc, test_no_covariates_asked_none_read);
  tcase_add_test(tc, test_missing_spellings);
  tcase_add_test(tc, test_bad_values);
  tcase_add_test(tc, test_missing_column);
  tcase_add_test(tc, test_risk_varies_within_person);
  tcase_add_test(tc, test_drop_missing_counts);
  tcase_add_test(tc, test_covariate_names_checked);
  tcase_add_test(tc, test_write_csv_roundtrip);
  tcase_add_test(tc, test_many_rows);
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
