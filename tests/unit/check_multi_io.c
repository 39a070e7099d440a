/* check_multi_io.c: model files of several outcomes (format version 11,
 * docs/model-file.md; engine/modelfile/model_io.c). A drawn Poisson + NB fit
 * (one person's id longer than 64 bytes, one person without NB cells) is
 * saved and loaded back with every number, name and id exactly equal;
 * gbtm_multi_classify on the fitted panels gives the fit's posteriors to
 * 1e-12 (eq. MTP); gbtm_model_load refuses the file as one of several
 * outcomes, gbtm_multi_load refuses a file of one outcome; a newer format
 * version, a missing dataset, a NaN coefficient and a parameter count the
 * models do not have are errors naming the file and what is
 * wrong. */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fit/multi.h"
#include "testutil.h"

#define O2 2
#define N_PERSONS 300

static const char *const names[O2] = {"theft", "violence"};
static char dir[] = "/tmp/check_multi_io.XXXXXX";

static const char *in_dir(char *buf, size_t size, const char *name) {
  snprintf(buf, size, "%s/%s", dir, name);
  return buf;
}

/* Two groups (shares 0.6 / 0.4) over ages 10..20, s = (age - 15) / 5:
 * outcome 0 Poisson (order 2), outcome 1 NB (order 1, r = 2); a cell is
 * missing with probability 0.1, person 1 has no cells of outcome 1. */
static void draw(gbtm_panel **panels) {
  static const double b[O2][2][3] = {{{-1.0, 0.5, -0.5}, {0.5, 0.8, -0.8}}, {{-1.5, 0.3, 0.0}, {0.2, -0.5, 0.0}}};
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 11);
  size_t cap = N_PERSONS * 11, n[O2] = {0};
  char(*idbuf)[96] = malloc(N_PERSONS * sizeof *idbuf);
  for (size_t i = 0; i < N_PERSONS; i++) snprintf(idbuf[i], sizeof idbuf[i], "p%zu", i);
  memset(idbuf[0], 'x', 80); /* a long id: stored by its bytes and offsets */
  idbuf[0][80] = '\0';
  const char **id[O2];
  double *age[O2];
  int64_t *y[O2];
  for (int o = 0; o < O2; o++) {
    id[o] = malloc(cap * sizeof *id[o]);
    age[o] = malloc(cap * sizeof *age[o]);
    y[o] = malloc(cap * sizeof *y[o]);
  }
  for (size_t i = 0; i < N_PERSONS; i++) {
    int g = gsl_rng_uniform(rng) < 0.6 ? 0 : 1;
    for (int a = 10; a <= 20; a++) {
      double s = (a - 15) / 5.0;
      for (int o = 0; o < O2; o++) {
        double mu = exp(b[o][g][0] + b[o][g][1] * s + b[o][g][2] * s * s);
        int64_t v = o == 1 ? (int64_t)gsl_ran_negative_binomial(rng, 2.0 / (2.0 + mu), 2.0)
                           : (int64_t)gsl_ran_poisson(rng, mu);
        if (gsl_rng_uniform(rng) < 0.1 || (o == 1 && i == 1)) continue;
        id[o][n[o]] = idbuf[i], age[o][n[o]] = a, y[o][n[o]] = v;
        n[o]++;
      }
    }
  }
  for (int o = 0; o < O2; o++) {
    gbtm_error err;
    ck_assert_int_eq(gbtm_panel_from_rows(n[o], id[o], age[o], y[o], NULL, "rows", &panels[o], &err), GBTM_OK);
    free(id[o]);
    free(age[o]);
    free(y[o]);
  }
  free(idbuf);
  gsl_rng_free(rng);
}

static gbtm_multi_result *fit(gbtm_panel **panels) {
  gbtm_fit_options op[O2];
  for (int o = 0; o < O2; o++) {
    op[o] = gbtm_fit_options_default();
    op[o].family = o == 1 ? GBTM_NB : GBTM_POISSON;
    op[o].groups = 2;
    op[o].threads = 1;
    for (int k = 0; k < 2; k++) op[o].order[k] = o == 1 ? 1 : 2;
  }
  gbtm_error err;
  gbtm_multi_result *r = NULL;
  ck_assert_msg(gbtm_fit_multi((const gbtm_panel *const *)panels, op, names, O2, &r, &err) == GBTM_OK, "%s",
                err.message);
  return r;
}

static bool same(const double *a, const double *b, size_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

static void expect_equal(const gbtm_multi_result *a, const gbtm_multi_result *b) {
  ck_assert_int_eq(a->O, b->O);
  ck_assert_int_eq(a->K, b->K);
  ck_assert_uint_eq(a->N, b->N);
  ck_assert(same(&a->loglik, &b->loglik, 1) && same(&a->grad_norm, &b->grad_norm, 1));
  ck_assert(same(a->share, b->share, (size_t)a->K));
  ck_assert_int_eq(a->iterations, b->iterations);
  ck_assert_int_eq(a->n_params, b->n_params);
  ck_assert_int_eq(a->converged, b->converged);
  for (int o = 0; o < a->O; o++) {
    const gbtm_model *x = &a->model[o], *y = &b->model[o];
    ck_assert_str_eq(a->name[o], b->name[o]);
    ck_assert_uint_eq(a->cells[o], b->cells[o]);
    ck_assert_int_eq(x->family, y->family);
    ck_assert_int_eq(x->groups, y->groups);
    ck_assert_int_eq(x->phi_common, y->phi_common);
    ck_assert(same(&x->centre, &y->centre, 1) && same(&x->scale, &y->scale, 1));
    ck_assert(same(&x->age_min, &y->age_min, 1) && same(&x->age_max, &y->age_max, 1));
    ck_assert(same(x->theta, y->theta, (size_t)a->K) && same(x->phi, y->phi, (size_t)a->K));
    for (int k = 0; k < a->K; k++) {
      ck_assert_int_eq(x->order[k], y->order[k]);
      ck_assert_int_eq(x->iorder[k], y->iorder[k]);
      ck_assert(same(x->beta[k], y->beta[k], GBTM_MAX_COEF) && same(x->alpha[k], y->alpha[k], GBTM_MAX_COEF));
    }
  }
  ck_assert_int_eq(a->n_est, b->n_est);
  size_t P = (size_t)a->n_est;
  ck_assert(same(a->est, b->est, P));
  for (size_t j = 0; j < P; j++) ck_assert_str_eq(a->pname[j], b->pname[j]);
  ck_assert_ptr_nonnull(a->cov);
  ck_assert_ptr_nonnull(b->cov);
  ck_assert(same(a->cov, b->cov, P * P));
  for (size_t i = 0; i < a->N; i++) ck_assert_str_eq(a->ids[i], b->ids[i]);
  ck_assert(same(a->tau, b->tau, a->N * (size_t)a->K));
  ck_assert(same((double[]){gbtm_multi_result_bic(a)}, (double[]){gbtm_multi_result_bic(b)}, 1));
}

static void set_version(const char *path, int version) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  ck_assert(f >= 0);
  hid_t attr = H5Aopen(f, "format_version", H5P_DEFAULT);
  ck_assert(attr >= 0 && H5Awrite(attr, H5T_NATIVE_INT, &version) >= 0);
  H5Aclose(attr);
  H5Fclose(f);
}

static void set_int(const char *path, const char *object, int v) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  ck_assert(f >= 0);
  hid_t ds = H5Dopen2(f, object, H5P_DEFAULT);
  ck_assert(ds >= 0 && H5Dwrite(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0);
  H5Dclose(ds);
  H5Fclose(f);
}

static void drop(const char *path, const char *object) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  ck_assert(f >= 0 && H5Ldelete(f, object, H5P_DEFAULT) >= 0);
  H5Fclose(f);
}

/* /outcomes/2/params/beta[1][0] set to NaN. */
static void poison_beta(const char *path) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  ck_assert(f >= 0);
  hid_t ds = H5Dopen2(f, "/outcomes/2/params/beta", H5P_DEFAULT);
  double b[2 * GBTM_MAX_COEF];
  ck_assert(ds >= 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, b) >= 0);
  b[GBTM_MAX_COEF] = NAN;
  ck_assert(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, b) >= 0);
  H5Dclose(ds);
  H5Fclose(f);
}

static void load_fails(const char *path, gbtm_status want, const char *text) {
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_multi_result *r = NULL;
  ck_assert_int_eq(gbtm_multi_load(path, &r, &err), want);
  ck_assert_ptr_null(r);
  ck_assert_msg(strstr(err.message, path) && strstr(err.message, text), "%s", err.message);
}

START_TEST(round_trip) {
  ck_assert_ptr_nonnull(mkdtemp(dir));
  gbtm_panel *panels[O2];
  draw(panels);
  gbtm_multi_result *r = fit(panels), *back = NULL;
  char path[256], one[256], copy[256];
  gbtm_error err;
  gbtm_save_info info = {"gbtm fit d.csv --count theft,violence", "d.csv", "", 7, NULL};
  ck_assert_msg(gbtm_multi_save(r, &info, in_dir(path, sizeof path, "m.h5"), &err) == GBTM_OK, "%s", err.message);
  ck_assert_int_eq(gbtm_model_file_is_multi(path), 1);
  ck_assert_msg(gbtm_multi_load(path, &back, &err) == GBTM_OK, "%s", err.message);
  expect_equal(r, back);
  ck_assert_str_eq(gbtm_multi_result_data_name(back), "d.csv");

  /* eq. MTP from the saved models on the fitted data: the fit's posteriors */
  double *tau = NULL;
  char **ids = NULL;
  size_t n = 0;
  ck_assert_msg(gbtm_multi_classify(back, (const gbtm_panel *const *)panels, &tau, &ids, &n, &err) == GBTM_OK, "%s",
                err.message);
  ck_assert_uint_eq(n, r->N);
  double worst = 0.0;
  for (size_t i = 0; i < n; i++) {
    ck_assert_str_eq(ids[i], r->ids[i]);
    for (int k = 0; k < r->K; k++) worst = fmax(worst, fabs(tau[i * 2 + k] - r->tau[i * 2 + k]));
    free(ids[i]);
  }
  ck_assert_msg(worst <= 1e-12, "posteriors differ by %g", worst);
  free(ids);
  free(tau);

  /* the single-outcome reader refuses it, and the multi reader a file of one outcome */
  gbtm_fit_result *single = NULL;
  ck_assert_int_eq(gbtm_model_load(path, &single, &err), GBTM_ERR_USAGE);
  ck_assert_ptr_nonnull(strstr(err.message, "several outcomes"));
  gbtm_fit_options op = gbtm_fit_options_default();
  op.groups = 1, op.threads = 1;
  ck_assert_int_eq(gbtm_fit(panels[0], &op, &single, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_save(single, NULL, in_dir(one, sizeof one, "one.h5"), &err), GBTM_OK);
  gbtm_fit_result_free(single);
  ck_assert_int_eq(gbtm_model_file_is_multi(one), 0);
  load_fails(one, GBTM_ERR_USAGE, "one outcome");

  /* a newer version; a missing dataset; a missing file */
  char cmd[600];
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, in_dir(copy, sizeof copy, "newer.h5"));
  ck_assert_int_eq(system(cmd), 0);
  set_version(copy, GBTM_MODEL_FORMAT_VERSION + 1);
  load_fails(copy, GBTM_ERR_PARSE, "newer than this gbtm reads");
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, in_dir(copy, sizeof copy, "nobeta.h5"));
  ck_assert_int_eq(system(cmd), 0);
  drop(copy, "/outcomes/2/params/beta");
  load_fails(copy, GBTM_ERR_PARSE, "/outcomes/2/params/beta is missing");
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, in_dir(copy, sizeof copy, "nan.h5"));
  ck_assert_int_eq(system(cmd), 0);
  poison_beta(copy);
  load_fails(copy, GBTM_ERR_PARSE, "/outcomes/2/params/beta[1][0] is NaN");
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, in_dir(copy, sizeof copy, "np.h5"));
  ck_assert_int_eq(system(cmd), 0);
  set_int(copy, "/multi/n_params", 1 << 30);
  load_fails(copy, GBTM_ERR_PARSE, "/multi/n_params is 1073741824, but the models in /outcomes have");
  load_fails(in_dir(copy, sizeof copy, "none.h5"), GBTM_ERR_IO, "cannot open");

  gbtm_multi_result_free(back);
  gbtm_multi_result_free(r);
  for (int o = 0; o < O2; o++) gbtm_panel_free(panels[o]);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("multi_io");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, round_trip);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_set_fork_status(sr, CK_NOFORK);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
