/* check_panel_h5.c: HDF5 panels (engine/panel_h5.c, panel_h5_write.c,
 * panel_sorted.c) and gbtm_panel_read(). A panel written and read back is
 * the same panel, with exposures and covariates, string and integer ids;
 * files written by other programs (entries in any order, ids of any
 * integer or string type, counts of any integer type) read into the panel
 * that panel_build() makes of the same rows, so that the direct builder for
 * sorted entries and the general one agree to the bit; and every damaged or
 * foreign file fails with a message naming the file and the dataset:
 * sizes declared beyond what the file holds, a missing filter, numbers
 * that are no count or age. */
#include <check.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gbtm.h"
#include "panel/panel.h"
#include "panel_equal.h"
#include "formats/panel_h5.h"
#include "formats/panel_read.h"
#include "base/sha256.h"
#include "testutil.h"

/* ---- writing test files with the HDF5 API ------------------------------- */

/* A fresh file path (the file itself removed). */
static void fresh_path(char *path) {
  test_write_file(path, "");
  unlink(path);
}

/* A new file with the group /panel and, when version >= 0, its attribute
 * format_version. */
static hid_t h5_new(const char *path, int version) {
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(file, 0);
  hid_t g = H5Gcreate2(file, "panel", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(g, 0);
  if (version >= 0) {
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, "format_version", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(H5Awrite(a, H5T_NATIVE_INT, &version), 0);
    H5Aclose(a);
    H5Sclose(space);
  }
  H5Gclose(g);
  return file;
}

/* A dataset at path (groups created on the way) of rank 1 (n entries) or
 * rank 2 (n x 2 when two is true). */
static void h5_put(hid_t file, const char *path, hid_t ftype, hid_t mtype, size_t n, bool two, const void *buf) {
  hsize_t dims[2] = {n, 2};
  hid_t space = H5Screate_simple(two ? 2 : 1, dims, NULL);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t ds = H5Dcreate2(file, path, ftype, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(ds, 0);
  ck_assert_int_ge(H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
  H5Dclose(ds);
  H5Pclose(lcpl);
  H5Sclose(space);
}

/* Fixed-length strings of width w from ids. */
static void h5_put_strings(hid_t file, const char *path, const char *const *ids, size_t n, size_t w, bool spacepad) {
  char *buf = calloc(n, w);
  for (size_t a = 0; a < n; a++) {
    memset(buf + a * w, spacepad ? ' ' : '\0', w);
    memcpy(buf + a * w, ids[a], strlen(ids[a]));
  }
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, w);
  H5Tset_strpad(t, spacepad ? H5T_STR_SPACEPAD : H5T_STR_NULLPAD);
  h5_put(file, path, t, t, n, false, buf);
  H5Tclose(t);
  free(buf);
}

static void h5_put_vlen_strings(hid_t file, const char *path, const char *const *ids, size_t n) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  h5_put(file, path, t, t, n, false, ids);
  H5Tclose(t);
}

/* ---- the rows of a small panel ------------------------------------------- */

/* Rows with covariates: sex (risk) and emp (time-varying). */
typedef struct rows {
  size_t n;
  const char *id[16];
  double age[16];
  int64_t count[16];
  int32_t count32[16];
  double exposure[16];
  double sex[16], emp[16];
} rows;

/* Three persons in an order no writer would choose: ids interleaved, ages
 * descending; person "10" is observed at two fractional ages. */
static rows shuffled_rows(void) {
  rows r = {.n = 9,
            .id = {"b", "a", "b", "10", "a", "a", "10", "b", "b"},
            .age = {15, 13, 12, 12.5, 12, 14, 11.25, 14, 13},
            .count = {0, 2, 1, 0, 0, 5, 1, 300, 0},
            .exposure = {1, 0.5, 1, 1, 1, 1, 0.25, 1, 1},
            .sex = {1, 0, 1, 0, 0, 0, 0, 1, 1},
            .emp = {0.5, -1, 2, 3, 4, 5, 6, 7, 8}};
  for (size_t a = 0; a < r.n; a++) r.count32[a] = (int32_t)r.count[a];
  return r;
}

/* The panel gbtm_panel_from_rows_covariates() builds of r (panel_build). */
static gbtm_panel *panel_of(const rows *r, bool exposure, bool with_covariates) {
  gbtm_panel_covariates c = {0};
  double risk[16], tcov[16];
  if (with_covariates) {
    c.n_risk = 1;
    c.risk_name[0] = "sex";
    c.n_tcov = 1;
    c.tcov_name[0] = "emp";
    memcpy(risk, r->sex, sizeof risk);
    memcpy(tcov, r->emp, sizeof tcov);
    c.risk = risk;
    c.tcov = tcov;
  }
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  gbtm_status st = gbtm_panel_from_rows_covariates(r->n, r->id, r->age, r->count, exposure ? r->exposure : NULL,
                                            with_covariates ? &c : NULL, "rows", &p, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  return p;
}

/* Writes r as an HDF5 panel with ids as fixed strings. */
static void write_rows(const char *path, const rows *r, bool exposure, bool with_covariates) {
  hid_t f = h5_new(path, 1);
  h5_put_strings(f, "/panel/id", r->id, r->n, 4, false);
  h5_put(f, "/panel/age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->n, false, r->age);
  h5_put(f, "/panel/count", H5T_STD_I32LE, H5T_NATIVE_INT32, r->n, false, r->count32);
  if (exposure) h5_put(f, "/panel/exposure", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->n, false, r->exposure);
  if (with_covariates) {
    h5_put(f, "/panel/risk/sex", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->n, false, r->sex);
    h5_put(f, "/panel/tcov/emp", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->n, false, r->emp);
  }
  H5Fclose(f);
}

static gbtm_csv_columns covariate_columns(bool drop) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  c.risk[c.n_risk++] = "sex";
  c.tcov[c.n_tcov++] = "emp";
  c.drop_missing = drop;
  return c;
}

static gbtm_panel *read_ok(const char *path, const gbtm_csv_columns *cols) {
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  gbtm_status st = gbtm_panel_read(path, cols, &p, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  return p;
}

/* Expects status and the message with "%s" standing for path. */
static void expect_error(const char *path, const gbtm_csv_columns *cols, gbtm_status status, const char *format) {
  char want[1024];
  gbtm_panel *p = (gbtm_panel *)&want; /* must be reset to NULL */
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_read(path, cols, &p, &err), status);
  ck_assert_ptr_null(p);
  snprintf(want, sizeof want, format, path);
  ck_assert_str_eq(err.message, want);
}

/* The type class of a dataset of the file at path. */
static H5T_class_t class_of(const char *path, const char *dataset) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t ds = H5Dopen2(f, dataset, H5P_DEFAULT);
  hid_t t = H5Dget_type(ds);
  H5T_class_t c = H5Tget_class(t);
  H5Tclose(t);
  H5Dclose(ds);
  H5Fclose(f);
  return c;
}

/* ---- round trips ---------------------------------------------------------- */

static void roundtrip(const gbtm_panel *p, const gbtm_csv_columns *cols) {
  char path[64];
  fresh_path(path);
  gbtm_error err = {0};
  ck_assert_msg(gbtm_panel_write_h5(p, path, &err) == GBTM_OK, "%s", err.message);
  gbtm_panel *q = read_ok(path, cols);
  ck_assert_panels_equal(p, q);
  gbtm_panel_free(q);
  unlink(path);
}

START_TEST(test_roundtrip_random) {
  for (int k = 0; k < 4; k++) {
    gbtm_panel *p = test_random_panel(300, 20, 0.2, k & 1 ? 0.3 : 0.0, 5 + (unsigned long)k, k & 2);
    roundtrip(p, NULL);
    gbtm_panel_free(p);
  }
}
END_TEST

START_TEST(test_roundtrip_covariates) {
  rows r = shuffled_rows();
  gbtm_panel *p = panel_of(&r, true, true);
  gbtm_csv_columns c = covariate_columns(false);
  roundtrip(p, &c);
  /* covariates not asked for are not read */
  char path[64];
  fresh_path(path);
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_write_h5(p, path, &err), GBTM_OK);
  ck_assert_int_eq(class_of(path, "/panel/id"), H5T_STRING);
  gbtm_panel *q = read_ok(path, NULL);
  ck_assert_int_eq(q->n_risk, 0);
  ck_assert_int_eq(q->n_tcov, 0);
  ck_assert_uint_eq(q->n_obs, p->n_obs);
  ck_assert(q->has_exposure);
  gbtm_panel_free(q);
  c.n_tcov = 0;
  c.risk[0] = "iq";
  expect_error(path, &c, GBTM_ERR_PARSE, "%s: /panel/risk/iq is missing");
  c.risk[0] = "sex";
  c.exposure = "e"; /* asking for exposure: the dataset must be there; it is */
  q = read_ok(path, &c);
  gbtm_panel_free(q);
  unlink(path);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_integer_ids) {
  const char *ids[] = {"17", "-3", "0", "123456789012", "17", "9223372036854775807"};
  double age[] = {1, 2, 3, 4, 5, 6};
  int64_t y[] = {1, 0, 2, 0, 1, 3};
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_from_rows(6, ids, age, y, NULL, "rows", &p, &err), GBTM_OK);
  char path[64];
  fresh_path(path);
  ck_assert_int_eq(gbtm_panel_write_h5(p, path, &err), GBTM_OK);
  ck_assert_int_eq(class_of(path, "/panel/id"), H5T_INTEGER);
  gbtm_panel *q = read_ok(path, NULL);
  ck_assert_panels_equal(p, q);
  gbtm_panel_free(q);
  gbtm_panel_free(p);
  /* not canonical: strings */
  const char *odd[][2] = {{"007", "1"}, {"+5", "1"}, {"-0", "1"}, {"1e3", "2"}, {"9223372036854775808", "1"}};
  for (size_t k = 0; k < sizeof odd / sizeof *odd; k++) {
    ck_assert_int_eq(gbtm_panel_from_rows(2, odd[k], age, y, NULL, "rows", &p, &err), GBTM_OK);
    ck_assert_int_eq(gbtm_panel_write_h5(p, path, &err), GBTM_OK);
    ck_assert_int_eq(class_of(path, "/panel/id"), H5T_STRING);
    q = read_ok(path, NULL);
    ck_assert_panels_equal(p, q);
    gbtm_panel_free(q);
    gbtm_panel_free(p);
  }
  unlink(path);
}
END_TEST

/* ---- files from other writers ---------------------------------------------- */

/* Entries in any order read into the panel of the same rows. */
START_TEST(test_any_order) {
  rows r = shuffled_rows();
  char path[64];
  fresh_path(path);
  gbtm_csv_columns c = covariate_columns(false);
  for (int k = 0; k < 4; k++) {
    bool exposure = k & 1, with_covariates = k & 2;
    write_rows(path, &r, exposure, with_covariates);
    gbtm_panel *want = panel_of(&r, exposure, with_covariates), *got = read_ok(path, with_covariates ? &c : NULL);
    ck_assert_panels_equal(want, got);
    gbtm_panel_free(want);
    gbtm_panel_free(got);
  }
  unlink(path);
}
END_TEST

/* Grouped entries: ascending ids (no hashing), grouped ids that do not
 * ascend (a hash table), and descending ages (rows and panel_build): all
 * give the panel of the same rows. */
START_TEST(test_grouped_orders) {
  rows r = {.n = 7,
            .id = {"c", "c", "a", "a", "a", "b", "b"},
            .age = {12, 13, 12, 14, 15, 13, 12},
            .count = {0, 1, 2, 0, 1, 3, 0},
            .exposure = {1, 1, 0.5, 1, 1, 1, 0.75},
            .sex = {1, 1, 0, 0, 0, 1, 1},
            .emp = {1, 2, 3, 4, 5, 6, 7}};
  for (size_t a = 0; a < r.n; a++) r.count32[a] = (int32_t)r.count[a];
  char path[64];
  fresh_path(path);
  gbtm_csv_columns c = covariate_columns(false);
  for (int k = 0; k < 3; k++) {
    if (k == 1) r.id[0] = r.id[1] = "d"; /* d, a, b: ascending from a: no */
    if (k == 2) r.age[5] = 11;           /* b ascends now, a fast path all through */
    write_rows(path, &r, true, true);
    gbtm_panel *want = panel_of(&r, true, true), *got = read_ok(path, &c);
    ck_assert_panels_equal(want, got);
    gbtm_panel_free(want);
    gbtm_panel_free(got);
  }
  unlink(path);
}
END_TEST

/* Ids and counts of other types, ages as integers, exposures as float32. */
START_TEST(test_other_types) {
  rows r = shuffled_rows();
  const char *int_ids[] = {"2", "1", "2", "10", "1", "1", "10", "2", "2"};
  int32_t i32[9];
  uint16_t u16[9];
  uint8_t y8[9] = {0, 2, 1, 0, 0, 5, 1, 255, 0};
  int32_t age32[9];
  float e32[9];
  for (int a = 0; a < 9; a++) {
    i32[a] = atoi(int_ids[a]);
    u16[a] = (uint16_t)i32[a];
    age32[a] = (int32_t)floor(r.age[a]);
    e32[a] = (float)r.exposure[a];
  }
  rows w = r;
  for (int a = 0; a < 9; a++) {
    w.id[a] = int_ids[a];
    w.age[a] = age32[a];
    w.count[a] = y8[a];
    w.exposure[a] = (double)e32[a];
  }
  char path[64];
  fresh_path(path);
  for (int k = 0; k < 2; k++) {
    hid_t f = h5_new(path, 1);
    if (k == 0) h5_put(f, "/panel/id", H5T_STD_I32BE, H5T_NATIVE_INT32, 9, false, i32);
    else h5_put(f, "/panel/id", H5T_STD_U16LE, H5T_NATIVE_UINT16, 9, false, u16);
    h5_put(f, "/panel/age", H5T_STD_I32LE, H5T_NATIVE_INT32, 9, false, age32);
    h5_put(f, "/panel/count", H5T_STD_U8LE, H5T_NATIVE_UINT8, 9, false, y8);
    h5_put(f, "/panel/exposure", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 9, false, e32);
    H5Fclose(f);
    gbtm_panel *want = panel_of(&w, true, false), *got = read_ok(path, NULL);
    ck_assert_panels_equal(want, got);
    gbtm_panel_free(want);
    gbtm_panel_free(got);
  }
  /* variable-length and space-padded strings */
  for (int k = 0; k < 2; k++) {
    hid_t f = h5_new(path, 1);
    if (k == 0) h5_put_vlen_strings(f, "/panel/id", r.id, r.n);
    else h5_put_strings(f, "/panel/id", r.id, r.n, 6, true);
    h5_put(f, "/panel/age", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, r.n, false, r.age);
    h5_put(f, "/panel/count", H5T_STD_I64LE, H5T_NATIVE_INT64, r.n, false, r.count);
    H5Fclose(f);
    gbtm_panel *want = panel_of(&r, false, false), *got = read_ok(path, NULL);
    ck_assert_panels_equal(want, got);
    gbtm_panel_free(want);
    gbtm_panel_free(got);
  }
  unlink(path);
}
END_TEST

START_TEST(test_drop_missing) {
  rows r = shuffled_rows();
  r.sex[1] = r.sex[4] = r.sex[5] = NAN; /* person a */
  r.emp[0] = NAN;                       /* one row of b */
  char path[64];
  fresh_path(path);
  write_rows(path, &r, true, true);
  gbtm_csv_columns c = covariate_columns(false);
  expect_error(path, &c, GBTM_ERR_DATA,
               "%s: /panel/risk/sex[1]: missing value of risk factor \"sex\" (or drop such persons with "
               "--drop-missing)");
  c = covariate_columns(true);
  gbtm_panel *got = read_ok(path, &c);
  ck_assert_uint_eq(got->n, 2);
  ck_assert_uint_eq(got->dropped_rows, 4);
  ck_assert_uint_eq(got->dropped_persons, 1);
  ck_assert_uint_eq(got->n_obs, 5);
  gbtm_panel_free(got);
  r.sex[1] = r.sex[4] = r.sex[5] = 0;
  r.emp[0] = 1;
  r.emp[2] = NAN;
  write_rows(path, &r, true, true);
  c = covariate_columns(false);
  expect_error(path, &c, GBTM_ERR_DATA,
               "%s: /panel/tcov/emp[2]: missing value of time-varying covariate \"emp\" (or drop such rows "
               "with --drop-missing)");
  r.emp[2] = INFINITY;
  write_rows(path, &r, true, true);
  expect_error(path, &c, GBTM_ERR_PARSE,
               "%s: /panel/tcov/emp[2] = inf is not a finite number (NaN marks a missing value)");
  unlink(path);
}
END_TEST

/* ---- errors ------------------------------------------------------------------ */

START_TEST(test_errors) {
  rows r = shuffled_rows();
  char path[64];
  fresh_path(path);
  gbtm_csv_columns none = gbtm_csv_columns_default();

  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: no group /panel: not an HDF5 panel (see docs/manual.md \"HDF5 panels\")");

  f = h5_new(path, -1);
  H5Fclose(f);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel has no attribute format_version (this gbtm reads version 3)");

  f = h5_new(path, 4);
  H5Fclose(f);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel has format_version 4, newer than this gbtm reads (3)");

  f = h5_new(path, 1);
  h5_put_strings(f, "/panel/id", r.id, r.n, 4, false);
  h5_put(f, "/panel/age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r.n, false, r.age);
  H5Fclose(f);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel/count is missing");

  f = h5_new(path, 1);
  h5_put_strings(f, "/panel/id", r.id, r.n, 4, false);
  h5_put_strings(f, "/panel/age", r.id, r.n, 4, false);
  H5Fclose(f);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel/age is a string, expected a number");

  f = h5_new(path, 1);
  h5_put_strings(f, "/panel/id", r.id, r.n, 4, false);
  h5_put(f, "/panel/age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r.n, false, r.age);
  h5_put(f, "/panel/count", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r.n, false, r.age);
  H5Fclose(f);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel/count is a floating-point number, expected an integer");

  f = h5_new(path, 1);
  h5_put(f, "/panel/id", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r.n, false, r.age);
  H5Fclose(f);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel/id is a floating-point number, expected an integer or a string");

  double two[8] = {12, 13, 14, 15, 16, 17, 18, 19};
  f = h5_new(path, 1);
  h5_put_strings(f, "/panel/id", r.id, 4, 4, false);
  h5_put(f, "/panel/age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 4, true, two);
  H5Fclose(f);
  expect_error(path, &none, GBTM_ERR_PARSE,
               "%s: /panel/age has rank 2 (shape 4x2), expected rank 1: one entry per observation");

  f = h5_new(path, 1);
  h5_put_strings(f, "/panel/id", r.id, r.n, 4, false);
  h5_put(f, "/panel/age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r.n, false, r.age);
  h5_put(f, "/panel/count", H5T_STD_I32LE, H5T_NATIVE_INT32, r.n - 1, false, r.count32);
  H5Fclose(f);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel/count has 8 entries, /panel/id 9");

  r.count32[2] = -1;
  write_rows(path, &r, false, false);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel/count[2] = -1 is not a count (0 to 2147483647)");
  r.count32[2] = 1;
  r.age[3] = NAN;
  write_rows(path, &r, false, false);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel/age[3] = nan is not a finite number");
  r.age[3] = 12.5;
  r.exposure[4] = 0;
  write_rows(path, &r, true, false);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel/exposure[4] = 0 is not a finite number > 0");
  r.exposure[4] = 1;
  write_rows(path, &r, false, false);
  gbtm_csv_columns want_exposure = gbtm_csv_columns_default();
  want_exposure.exposure = "exposure";
  expect_error(path, &want_exposure, GBTM_ERR_PARSE, "%s: /panel/exposure is missing");
  r.id[1] = "";
  write_rows(path, &r, false, false);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: /panel/id[1] is empty");
  r.id[1] = "a";

  /* found while building: entries numbered from 1 as lines */
  r.age[5] = 12; /* a twice at 12 */
  write_rows(path, &r, false, false);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s:6:2: duplicate (id, age) = (a, 12); first seen on line 5");
  r.age[5] = 14;
  r.sex[5] = 1;
  write_rows(path, &r, false, true);
  gbtm_csv_columns c = covariate_columns(false);
  expect_error(path, &c, GBTM_ERR_DATA,
               "%s:6: risk factor \"sex\" of person a varies within the person (1 here, 0 on line 5); a "
               "risk factor is time-stable");
  /* the same, entries sorted: the direct builder */
  rows s = {.n = 3, .id = {"a", "a", "b"}, .age = {1, 2, 1}, .count32 = {0, 1, 2}, .sex = {0, 1, 0}, .emp = {0, 0, 0}};
  write_rows(path, &s, false, true);
  expect_error(path, &c, GBTM_ERR_DATA,
               "%s:2: risk factor \"sex\" of person a varies within the person (1 here, 0 on line 1); a "
               "risk factor is time-stable");

  gbtm_csv_columns wide = gbtm_csv_columns_default();
  wide.wide = true;
  expect_error(path, &wide, GBTM_ERR_USAGE,
               "%s: an HDF5 panel has one entry per observation: the wide layout applies to CSV files only");
  unlink(path);
}
END_TEST

/* A truncated file, and a file that is not HDF5 at all. */
START_TEST(test_damaged) {
  rows r = shuffled_rows();
  char path[64];
  fresh_path(path);
  write_rows(path, &r, true, true);
  FILE *fp = fopen(path, "rb");
  fseek(fp, 0, SEEK_END);
  long size = ftell(fp);
  fclose(fp);
  ck_assert_int_eq(truncate(path, size / 2), 0);
  gbtm_csv_columns none = gbtm_csv_columns_default();
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: the HDF5 file is damaged or truncated");
  ck_assert_int_eq(truncate(path, 600), 0);
  expect_error(path, &none, GBTM_ERR_PARSE, "%s: the HDF5 file is damaged or truncated");
  unlink(path);
  /* not HDF5: gbtm_panel_read reads CSV; the HDF5 reader refuses it */
  test_write_file(path, "id,age,count\na,1,1\n");
  ck_assert(!panel_is_h5(path));
  gbtm_panel *p = read_ok(path, NULL);
  gbtm_panel_free(p);
  gbtm_error err = {0};
  ck_assert_int_eq(panel_read_h5(path, NULL, NULL, &p, &err), GBTM_ERR_PARSE);
  char want[128];
  snprintf(want, sizeof want, "%s: not an HDF5 file", path);
  ck_assert_str_eq(err.message, want);
  unlink(path);
  ck_assert(!panel_is_h5("/nonexistent/file.h5"));
}
END_TEST

/* A panel of two persons with /panel/count written by the caller (count:
 * false) or as int32 (true). */
static hid_t small_panel(const char *path, bool count) {
  hid_t f = h5_new(path, 1);
  const int64_t id[2] = {1, 2};
  const double age[2] = {1, 2};
  const int32_t y[2] = {0, 1};
  h5_put(f, "/panel/id", H5T_STD_I64LE, H5T_NATIVE_INT64, 2, false, id);
  h5_put(f, "/panel/age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, false, age);
  if (count) h5_put(f, "/panel/count", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, false, y);
  return f;
}

/* A chunked dataset at path of n entries of type, of which no chunk is
 * written; with filter > 0, through that filter (optional). */
static void h5_put_unwritten(hid_t file, const char *path, hid_t type, hsize_t n, int filter) {
  hid_t space = H5Screate_simple(1, &n, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hsize_t chunk = 1 << 16;
  ck_assert_int_ge(H5Pset_chunk(dcpl, 1, &chunk), 0);
  if (filter > 0) ck_assert_int_ge(H5Pset_filter(dcpl, (H5Z_filter_t)filter, H5Z_FLAG_OPTIONAL, 0, NULL), 0);
  hid_t ds = H5Dcreate2(file, path, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  ck_assert_int_ge(ds, 0);
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(space);
}

/* What a file declares is checked against what it holds before anything
 * is allocated: 2e8 entries in a few kilobytes are refused at once. */
START_TEST(test_declared_sizes) {
  char path[64];
  fresh_path(path);
  hid_t f = h5_new(path, 1);
  h5_put_unwritten(f, "/panel/id", H5T_STD_I64LE, 200000000, 0);
  h5_put_unwritten(f, "/panel/age", H5T_IEEE_F64LE, 200000000, 0);
  h5_put_unwritten(f, "/panel/count", H5T_STD_I32LE, 200000000, 0);
  H5Fclose(f);
  expect_error(path, NULL, GBTM_ERR_PARSE,
               "%s: /panel/id holds 0 bytes of data for 1600000000 expected (the file is damaged)");
  /* compressed (deflate), and still no chunk */
  fresh_path(path);
  f = h5_new(path, 1);
  h5_put_unwritten(f, "/panel/id", H5T_STD_I64LE, 200000000, H5Z_FILTER_DEFLATE);
  H5Fclose(f);
  expect_error(path, NULL, GBTM_ERR_PARSE,
               "%s: /panel/id holds 0 bytes of compressed data for the 1600000000 its size declares, more than any "
               "compression packs (the file is damaged)");
  /* the memory limit of the read applies to the entries a file declares */
  fresh_path(path);
  f = small_panel(path, true);
  H5Fclose(f);
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  cols.max_bytes = 4096;
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_read(path, &cols, &p, &err), GBTM_ERR_USAGE);
  ck_assert_msg(strstr(err.message, "more than the memory limit of the read") != NULL, "%s", err.message);
  cols.max_bytes = 1 << 20;
  p = read_ok(path, &cols);
  gbtm_panel_free(p);
  unlink(path);
}
END_TEST

/* A filter that passes the bytes through, registered to write a file and
 * unregistered to read it as a program without the filter would. */
static size_t identity_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes,
                              size_t *buf_size, void **buf) {
  (void)flags, (void)cd_nelmts, (void)cd_values, (void)buf_size, (void)buf;
  return nbytes;
}

/* A filter this HDF5 lacks is named as such, not as damage. */
START_TEST(test_missing_filter) {
  const H5Z_class2_t lzf = {H5Z_CLASS_T_VERS, 32000, 1, 1, "lzf", NULL, NULL, identity_filter};
  ck_assert_int_ge(H5Zregister(&lzf), 0); /* LZF's registered number, here a stand-in */
  char path[64];
  fresh_path(path);
  hid_t f = small_panel(path, false);
  hsize_t n = 2;
  hid_t space = H5Screate_simple(1, &n, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
  ck_assert_int_ge(H5Pset_chunk(dcpl, 1, &n), 0);
  ck_assert_int_ge(H5Pset_filter(dcpl, 32000, H5Z_FLAG_MANDATORY, 0, NULL), 0);
  hid_t ds = H5Dcreate2(f, "/panel/count", H5T_STD_I32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  const int32_t y[2] = {0, 1};
  ck_assert_int_ge(H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, y), 0);
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(f);
  ck_assert_int_ge(H5Zunregister(32000), 0);
  expect_error(path, NULL, GBTM_ERR_PARSE,
               "%s: /panel/count is compressed with HDF5 filter 32000 (lzf), which this HDF5 library does not have "
               "(install the filter's plugin, or write the file again without it, e.g. h5repack -f NONE)");
  unlink(path);
}
END_TEST

/* A uint64 count beyond int64 is shown as stored; ages that would
 * overflow the basis are refused. */
START_TEST(test_impossible_numbers) {
  char path[64];
  fresh_path(path);
  hid_t f = small_panel(path, false);
  const uint64_t y[2] = {0, 18446744073709551615ULL};
  h5_put(f, "/panel/count", H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, false, y);
  H5Fclose(f);
  expect_error(path, NULL, GBTM_ERR_PARSE,
               "%s: /panel/count[1] = 18446744073709551615 is not a count (0 to 2147483647)");
  fresh_path(path);
  f = h5_new(path, 1);
  const int64_t id[2] = {1, 2};
  const double age[2] = {-1e308, 1e308};
  const int32_t c[2] = {0, 1};
  h5_put(f, "/panel/id", H5T_STD_I64LE, H5T_NATIVE_INT64, 2, false, id);
  h5_put(f, "/panel/age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, false, age);
  h5_put(f, "/panel/count", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, false, c);
  H5Fclose(f);
  expect_error(path, NULL, GBTM_ERR_PARSE,
               "%s: /panel/age[0] = -1e+308 is beyond -1e300 to 1e300 (the polynomial in age would overflow)");
  unlink(path);
}
END_TEST

/* The fingerprint is that of the file's bytes, taken as they were read. */
START_TEST(test_sha256_of_bytes_read) {
  char path[64];
  fresh_path(path);
  hid_t f = small_panel(path, true);
  H5Fclose(f);
  gbtm_panel *p = read_ok(path, NULL);
  FILE *fp = fopen(path, "rb");
  ck_assert_ptr_nonnull(fp);
  static unsigned char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf, fp);
  fclose(fp);
  char want[65];
  sha256_hex_of(buf, n, want);
  ck_assert_str_eq(gbtm_panel_sha256(p), want);
  gbtm_panel_free(p);
  unlink(path);
}
END_TEST

/* The signature after a user block, whatever the file's name. */
START_TEST(test_user_block) {
  char path[64];
  fresh_path(path);
  strcat(path, ".csv");
  rows r = shuffled_rows();
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_userblock(fcpl, 1024);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose(fcpl);
  H5Fclose(f);
  f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t g = H5Gcreate2(f, "panel", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t space = H5Screate(H5S_SCALAR);
  int one = 1;
  hid_t a = H5Acreate2(g, "format_version", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_INT, &one);
  H5Aclose(a);
  H5Sclose(space);
  H5Gclose(g);
  h5_put_strings(f, "/panel/id", r.id, r.n, 4, false);
  h5_put(f, "/panel/age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r.n, false, r.age);
  h5_put(f, "/panel/count", H5T_STD_I32LE, H5T_NATIVE_INT32, r.n, false, r.count32);
  H5Fclose(f);
  ck_assert(panel_is_h5(path));
  gbtm_panel *want = panel_of(&r, false, false), *got = read_ok(path, NULL);
  ck_assert_panels_equal(want, got);
  gbtm_panel_free(want);
  gbtm_panel_free(got);
  unlink(path);
}
END_TEST

/* A write that fails leaves no file behind. */
START_TEST(test_write_failures) {
  rows r = shuffled_rows();
  gbtm_panel *p = panel_of(&r, false, false);
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_write_h5(p, "/nonexistent/dir/panel.h5", &err), GBTM_ERR_IO);
  ck_assert_msg(strncmp(err.message, "/nonexistent/dir/panel.h5: ", 27) == 0, "%s", err.message);
  gbtm_panel_free(p);
  /* a covariate named with '/' cannot be a dataset: nothing is written */
  gbtm_panel_covariates c = {.n_risk = 1, .risk_name = {"a/b"}};
  double risk[16] = {0};
  c.risk = risk;
  ck_assert_int_eq(gbtm_panel_from_rows_covariates(r.n, r.id, r.age, r.count, NULL, &c, "rows", &p, &err), GBTM_OK);
  char dir[] = "/tmp/gbtm_h5_XXXXXX", path[128];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/panel.h5", dir);
  ck_assert_int_eq(gbtm_panel_write_h5(p, path, &err), GBTM_ERR_USAGE);
  char want[256];
  snprintf(want, sizeof want, "%s: the covariate \"a/b\" cannot name a dataset (a '/' or a lone '.')", path);
  ck_assert_str_eq(err.message, want);
  ck_assert_int_eq(rmdir(dir), 0); /* empty: no file, no temporary */
  gbtm_panel_free(p);
}
END_TEST

/* ---- ids by their own length (format version 2) ---------------------------- */

/* The attribute format_version of /panel of the file at path. */
static int version_of(const char *path) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = H5Aopen_by_name(f, "panel", "format_version", H5P_DEFAULT, H5P_DEFAULT);
  int v = -1;
  ck_assert_int_ge(H5Aread(a, H5T_NATIVE_INT, &v), 0);
  H5Aclose(a);
  H5Fclose(f);
  return v;
}

static long file_size(const char *path) {
  FILE *fp = fopen(path, "rb");
  ck_assert_ptr_nonnull(fp);
  fseek(fp, 0, SEEK_END);
  long size = ftell(fp);
  fclose(fp);
  return size;
}

/* One 100 KB id among 200 persons of 10 observations: the file is about
 * the size of its ids (a fixed-length string dataset would take 2000 x
 * 100 KB), every id reads back intact, and short ids still write version 1. */
START_TEST(test_long_ids) {
  enum { PERSONS = 200, AGES = 10, N = PERSONS * AGES, LONG = 100000 };
  char *big = malloc(LONG + 1);
  memset(big, 'x', LONG);
  big[LONG] = '\0';
  static char names[PERSONS][16];
  const char **id = malloc(N * sizeof *id);
  double *age = malloc(N * sizeof *age);
  int64_t *count = malloc(N * sizeof *count);
  for (int i = 0; i < PERSONS; i++) {
    snprintf(names[i], sizeof names[i], "p%d", i);
    for (int t = 0; t < AGES; t++) {
      id[i * AGES + t] = i == 7 ? big : names[i];
      age[i * AGES + t] = 10 + t;
      count[i * AGES + t] = (i + t) % 3;
    }
  }
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_msg(gbtm_panel_from_rows_covariates(N, (const char *const *)id, age, count, NULL, NULL, "rows", &p, &err) == GBTM_OK, "%s",
                err.message);
  char path[64];
  fresh_path(path);
  ck_assert_msg(gbtm_panel_write_h5(p, path, &err) == GBTM_OK, "%s", err.message);
  ck_assert_int_eq(version_of(path), 2);
  long size = file_size(path), data = (long)AGES * LONG + N * 24;
  ck_assert_msg(size < 2 * data, "%ld bytes for %ld bytes of data", size, data);
  gbtm_panel *q = read_ok(path, NULL);
  ck_assert_uint_eq(q->n, p->n);
  for (size_t i = 0; i < p->n; i++) ck_assert_str_eq(q->id[i], p->id[i]);
  ck_assert_uint_eq(strlen(q->id[7]), LONG);
  ck_assert_panels_equal(p, q);
  gbtm_panel_free(q);
  gbtm_panel_free(p);

  /* short ids: version 1, /panel/id as before */
  for (int t = 0; t < AGES; t++) id[7 * AGES + t] = "q7";
  ck_assert(gbtm_panel_from_rows_covariates(N, (const char *const *)id, age, count, NULL, NULL, "rows", &p, &err) == GBTM_OK);
  ck_assert_msg(gbtm_panel_write_h5(p, path, &err) == GBTM_OK, "%s", err.message);
  ck_assert_int_eq(version_of(path), 1);
  ck_assert_int_eq(class_of(path, "/panel/id"), H5T_STRING);
  gbtm_panel_free(p);
  unlink(path);
  free(big), free(id), free(age), free(count);
}
END_TEST

/* A version-2 file with the given offsets [4] over the bytes "aabbbcc". */
static void write_packed(const char *path, const long long *off, const char *bytes, size_t n_bytes) {
  double age[3] = {1, 2, 1};
  int32_t count[3] = {0, 1, 2};
  hid_t f = h5_new(path, 2);
  h5_put(f, "/panel/id_bytes", H5T_STD_U8LE, H5T_NATIVE_UCHAR, n_bytes, false, bytes);
  h5_put(f, "/panel/id_offsets", H5T_STD_I64LE, H5T_NATIVE_LLONG, 4, false, off);
  h5_put(f, "/panel/age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, false, age);
  h5_put(f, "/panel/count", H5T_STD_I32LE, H5T_NATIVE_INT32, 3, false, count);
  H5Fclose(f);
}

START_TEST(test_packed_ids_damaged) {
  char path[64];
  fresh_path(path);
  const char *bytes = "aaaabbb";
  long long good[4] = {0, 2, 4, 7};
  write_packed(path, good, bytes, 7);
  gbtm_panel *q = read_ok(path, NULL);
  ck_assert_uint_eq(q->n, 2); /* "aa", "aa", "bbb" */
  ck_assert_str_eq(q->id[0], "aa");
  ck_assert_str_eq(q->id[1], "bbb");
  gbtm_panel_free(q);
  const char *refused = "%s: /panel/id_offsets must run from 0 up to the 7 bytes of /panel/id_bytes, never decreasing";
  long long backwards[4] = {0, 4, 2, 7};
  write_packed(path, backwards, bytes, 7);
  expect_error(path, NULL, GBTM_ERR_PARSE, refused);
  long long past[4] = {0, 2, 4, 9};
  write_packed(path, past, bytes, 7);
  expect_error(path, NULL, GBTM_ERR_PARSE, refused);
  long long late[4] = {1, 2, 4, 7};
  write_packed(path, late, bytes, 7);
  expect_error(path, NULL, GBTM_ERR_PARSE, refused);
  write_packed(path, good, "aaaab\0b", 7);
  expect_error(path, NULL, GBTM_ERR_PARSE, "%s: /panel/id_bytes holds a NUL byte in the id of entry 2");
  long long empty[4] = {0, 0, 4, 7};
  write_packed(path, empty, bytes, 7);
  expect_error(path, NULL, GBTM_ERR_PARSE, "%s: /panel/id_offsets gives entry 0 an empty id");
  unlink(path);
}
END_TEST

/* ---- real responses (format version 3) ------------------------------------- */

/* A panel of real responses (a family with real_response) is written with a
 * float64 /panel/count in format version 3 (with long ids too) and read
 * back by panel_read_h5_with() exactly; a count family refuses that
 * dataset as before; a panel of counts is still written as int32 in
 * version 1, and reads the same as reals; a non-finite real is refused. */
START_TEST(test_real_responses) {
  enum { N = 7 };
  static char big[300];
  memset(big, 'z', sizeof big - 1);
  const char *id[N] = {"a", "a", "a", "b", "b", "c", "c"};
  const double age[N] = {10, 11, 12, 10, 12, 11, 12};
  const double y[N] = {0.1, -2.5, 0, 1e-300, 3, 0.30000000000000004, 7};
  const double e[N] = {1, 0.5, 1, 1, 1, 1, 2};
  gbtm_error err = {0};
  char path[64];
  for (int longid = 0; longid < 2; longid++) {
    if (longid) id[3] = id[4] = big;
    gbtm_panel *p = NULL, *q = NULL;
    ck_assert_msg(gbtm_panel_from_rows_real(N, id, age, y, e, NULL, "rows", &p, &err) == GBTM_OK, "%s", err.message);
    fresh_path(path);
    ck_assert_msg(gbtm_panel_write_h5(p, path, &err) == GBTM_OK, "%s", err.message);
    ck_assert_int_eq(version_of(path), 3);
    ck_assert_int_eq(class_of(path, "/panel/count"), H5T_FLOAT);
    gbtm_csv_columns cols = gbtm_csv_columns_default();
    cols.exposure = "exposure";
    ck_assert_msg(panel_read_h5_with(path, &cols, NULL, true, &q, &err) == GBTM_OK, "%s", err.message);
    ck_assert_panels_equal(p, q);
    ck_assert(q->nz_y[0] == 0.1 && q->ex_y[0] == -2.5);
    gbtm_panel_free(q);
    expect_error(path, &cols, GBTM_ERR_PARSE, "%s: /panel/count is a floating-point number, expected an integer");
    unlink(path);
    gbtm_panel_free(p);
  }

  /* counts: int32 in version 1, as before; the same panel read as reals */
  const int64_t count[N] = {0, 2, 0, 1, 3, 0, 7};
  id[3] = id[4] = "b";
  gbtm_panel *p = NULL, *q = NULL;
  ck_assert_int_eq(gbtm_panel_from_rows(N, id, age, count, e, "rows", &p, &err), GBTM_OK);
  fresh_path(path);
  ck_assert_int_eq(gbtm_panel_write_h5(p, path, &err), GBTM_OK);
  ck_assert_int_eq(version_of(path), 1);
  ck_assert_int_eq(class_of(path, "/panel/count"), H5T_INTEGER);
  ck_assert_int_eq(panel_read_h5_with(path, NULL, NULL, true, &q, &err), GBTM_OK);
  ck_assert_panels_equal(p, q);
  gbtm_panel_free(q);
  q = read_ok(path, NULL);
  ck_assert_panels_equal(p, q);
  gbtm_panel_free(q);
  unlink(path);
  gbtm_panel_free(p);

  /* a float64 count written by another program: kept; inf and NaN refused */
  const double bad[2] = {INFINITY, NAN};
  for (int k = 0; k < 3; k++) {
    fresh_path(path);
    hid_t f = small_panel(path, false);
    double v[2] = {0.75, k < 2 ? bad[k] : -4.25};
    h5_put(f, "/panel/count", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, false, v);
    H5Fclose(f);
    p = (gbtm_panel *)&err;
    gbtm_status st = panel_read_h5_with(path, NULL, NULL, true, &p, &err);
    if (k < 2) {
      char want[256];
      snprintf(want, sizeof want, "%s: /panel/count[1] = %s is not a finite number", path, k ? "nan" : "inf");
      ck_assert_int_eq(st, GBTM_ERR_PARSE);
      ck_assert_ptr_null(p);
      ck_assert_str_eq(err.message, want);
    } else {
      ck_assert_msg(st == GBTM_OK, "%s", err.message);
      ck_assert(p->nz_y[0] == 0.75 && p->nz_y[1] == -4.25 && p->total == 0.75 - 4.25);
      gbtm_panel_free(p);
    }
    unlink(path);
  }
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("panel_h5");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_roundtrip_random);
  tcase_add_test(tc, test_roundtrip_covariates);
  tcase_add_test(tc, test_integer_ids);
  tcase_add_test(tc, test_any_order);
  tcase_add_test(tc, test_grouped_orders);
  tcase_add_test(tc, test_other_types);
  tcase_add_test(tc, test_drop_missing);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_damaged);
  tcase_add_test(tc, test_user_block);
  tcase_add_test(tc, test_write_failures);
  tcase_add_test(tc, test_declared_sizes);
  tcase_add_test(tc, test_missing_filter);
  tcase_add_test(tc, test_impossible_numbers);
  tcase_add_test(tc, test_sha256_of_bytes_read);
  tcase_add_test(tc, test_long_ids);
  tcase_add_test(tc, test_real_responses);
  tcase_add_test(tc, test_packed_ids_damaged);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* the test's own HDF5 calls are checked */
  SRunner *sr = srunner_create(suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
