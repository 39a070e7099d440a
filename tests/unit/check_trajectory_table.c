/* check_trajectory_table.c: gbtm_trajectory_table_read() (engine/modelfile/model_io.c),
 * the reader `gbtm plot model.h5` draws from.
 * - A file saved with its data: the table holds the same doubles as the
 *   file's /trajectory datasets (memcmp against a direct HDF5 read), at the
 *   data's ages, with the model's expected counts inside their bands.
 * - A file saved without data or standard errors: no observed rates, NaN
 *   bands, ages on the model's grid.
 * - A missing file, a truncated one and one whose /trajectory/observed has
 *   the wrong shape give the exact status and a message naming the file. */
#include <check.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gbtm.h"
#include "model/model.h"
#include "testutil.h"

static char dir[64];

static const char *in_dir(char *buf, size_t size, const char *name) {
  snprintf(buf, size, "%s/%s", dir, name);
  return buf;
}

static gbtm_fit_result *fit_cohort(const gbtm_panel *p, bool inference) {
  gbtm_fit_options o = gbtm_fit_options_default();
  o.groups = 3;
  o.starts = 4;
  o.seed = 5;
  o.inference = inference;
  gbtm_fit_result *r = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_fit(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  return r;
}

static void save(const gbtm_fit_result *r, const gbtm_panel *p, const char *path) {
  gbtm_save_info info = {"gbtm select d.csv -o out", "d.csv", "", 5, p};
  gbtm_error err;
  ck_assert_msg(gbtm_model_save(r, &info, path, &err) == GBTM_OK, "%s", err.message);
}

/* n doubles of a dataset, read with the HDF5 API. */
static double *h5_read(const char *path, const char *name, size_t n) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert(f >= 0);
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  ck_assert(ds >= 0);
  hid_t space = H5Dget_space(ds);
  ck_assert_int_eq(H5Sget_simple_extent_npoints(space), (hssize_t)n);
  double *x = malloc(n * sizeof *x);
  ck_assert(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
  return x;
}

static void same_doubles(const double *a, const char *path, const char *name, size_t n) {
  double *b = h5_read(path, name, n);
  ck_assert_msg(memcmp(a, b, n * sizeof *a) == 0, "%s differs from the file", name);
  free(b);
}

START_TEST(with_data) {
  gbtm_panel *p = test_cohort(250, 9);
  gbtm_error err;
  gbtm_fit_result *r = fit_cohort(p, true);
  char path[256];
  save(r, p, in_dir(path, sizeof path, "with.h5"));

  gbtm_trajectory_table *t = NULL;
  ck_assert_msg(gbtm_trajectory_table_read(path, &t, &err) == GBTM_OK, "%s", err.message);
  size_t T = gbtm_panel_n_ages(p), K = 3;
  ck_assert_int_eq(t->groups, 3);
  ck_assert_uint_eq(t->ages, T);
  ck_assert_ptr_nonnull(t->observed);
  ck_assert(memcmp(t->age, gbtm_panel_ages(p), T * sizeof(double)) == 0);
  same_doubles(t->age, path, "/trajectory/age", T);
  same_doubles(t->expected, path, "/trajectory/expected", K * T);
  same_doubles(t->lower, path, "/trajectory/lower", K * T);
  same_doubles(t->upper, path, "/trajectory/upper", K * T);
  same_doubles(t->observed, path, "/trajectory/observed", K * T);
  const gbtm_model *m = gbtm_fit_result_model(r);
  size_t finite_obs = 0;
  for (size_t k = 0; k < K; k++)
    for (size_t j = 0; j < T; j++) {
      double e = t->expected[k * T + j];
      ck_assert(e == gbtm_model_expected(m, (int)k, t->age[j]));
      ck_assert_msg(t->lower[k * T + j] < e && e < t->upper[k * T + j],
                    "group %zu age %g: %g not in (%g, %g)", k + 1, t->age[j], e,
                    t->lower[k * T + j], t->upper[k * T + j]);
      finite_obs += isfinite(t->observed[k * T + j]) && t->observed[k * T + j] >= 0.0;
    }
  ck_assert_uint_eq(finite_obs, K * T); /* every age of the data has persons */
  gbtm_trajectory_table_free(t);
  gbtm_trajectory_table_free(NULL);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
  unlink(path);
}
END_TEST

START_TEST(without_data) {
  gbtm_panel *p = test_cohort(150, 4);
  gbtm_error err;
  gbtm_fit_result *r = fit_cohort(p, false);
  char path[256];
  save(r, NULL, in_dir(path, sizeof path, "bare.h5"));
  gbtm_trajectory_table *t = NULL;
  ck_assert_msg(gbtm_trajectory_table_read(path, &t, &err) == GBTM_OK, "%s", err.message);
  const gbtm_model *m = gbtm_fit_result_model(r);
  ck_assert_ptr_null(t->observed);
  ck_assert(t->age[0] == m->age_min && t->age[t->ages - 1] == m->age_max);
  for (size_t j = 0; j < 3 * t->ages; j++) ck_assert(isnan(t->lower[j]) && isnan(t->upper[j]));
  gbtm_trajectory_table_free(t);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
  unlink(path);
}
END_TEST

START_TEST(bad_files) {
  gbtm_panel *p = test_cohort(150, 4);
  gbtm_error err;
  gbtm_fit_result *r = fit_cohort(p, false);
  char path[256], cut[256], msg[600];
  save(r, p, in_dir(path, sizeof path, "good.h5"));
  gbtm_trajectory_table *t = (gbtm_trajectory_table *)1;

  in_dir(cut, sizeof cut, "missing.h5");
  ck_assert_int_eq(gbtm_trajectory_table_read(cut, &t, &err), GBTM_ERR_IO);
  ck_assert_ptr_null(t);
  snprintf(msg, sizeof msg, "%s: cannot open the file: No such file or directory", cut);
  ck_assert_str_eq(err.message, msg);

  FILE *in = fopen(path, "rb"), *out = fopen(in_dir(cut, sizeof cut, "cut.h5"), "wb");
  char buf[2048];
  ck_assert_uint_eq(fread(buf, 1, sizeof buf, in), sizeof buf);
  ck_assert_uint_eq(fwrite(buf, 1, sizeof buf, out), sizeof buf);
  fclose(in);
  fclose(out);
  ck_assert_int_eq(gbtm_trajectory_table_read(cut, &t, &err), GBTM_ERR_PARSE);
  snprintf(msg, sizeof msg, "%s: the HDF5 file is damaged or truncated", cut);
  ck_assert_str_eq(err.message, msg);

  /* /trajectory/observed replaced by a 2 x T dataset */
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  ck_assert(f >= 0);
  ck_assert(H5Ldelete(f, "/trajectory/observed", H5P_DEFAULT) >= 0);
  hsize_t dims[2] = {2, gbtm_panel_n_ages(p)};
  hid_t space = H5Screate_simple(2, dims, NULL);
  hid_t ds = H5Dcreate2(f, "/trajectory/observed", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT);
  ck_assert(ds >= 0);
  H5Dclose(ds);
  H5Sclose(space);
  H5Fclose(f);
  ck_assert_int_eq(gbtm_trajectory_table_read(path, &t, &err), GBTM_ERR_PARSE);
  snprintf(msg, sizeof msg, "%s: /trajectory/observed has shape 2x%zu, expected 3x%zu", path,
           gbtm_panel_n_ages(p), gbtm_panel_n_ages(p));
  ck_assert_str_eq(err.message, msg);
  ck_assert_ptr_null(t);
  ck_assert_int_eq(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);

  unlink(path);
  unlink(cut);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

int main(void) {
  strcpy(dir, "/tmp/gbtm_traj_table_XXXXXX");
  if (!mkdtemp(dir)) return 1;
  Suite *s = suite_create("trajectory_table");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, with_data);
  tcase_add_test(tc, without_data);
  tcase_add_test(tc, bad_files);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  rmdir(dir);
  return failed ? 1 : 0;
}
