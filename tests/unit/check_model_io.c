/* check_model_io.c: model files (engine/modelfile/model_io.c) and classification
 * (engine/model/classify.c), and the SHA-256 behind the data fingerprint.
 * - SHA-256 meets the FIPS 180-4 test vectors, in one piece and in chunks.
 * - fit -> save -> load -> save -> load gives bit-identical parameters,
 *   criteria, covariances and posteriors (memcmp of the doubles), for a
 *   Poisson and a ZIP fit, and a fit without standard errors or posteriors
 *   loads without them.
 * - Classifying the training data under the loaded model reproduces the
 *   stored posteriors to 1e-12; the observed trajectories in the file equal
 *   a direct computation from the data rows.
 * - Every bad file the tests make themselves (missing, not HDF5, truncated,
 *   newer format version, datasets missing or of the wrong type or shape,
 *   groups that disagree in size) gives the exact status and a message
 *   naming the file, and leaves no HDF5 handle open.
 * - A save stopped between writing the temporary file and the rename, or a
 *   writer killed with SIGKILL at 30 random moments of its saves, leaves
 *   the earlier file whole and loadable. */
#include <check.h>
#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/sha256.h"
#include "gbtm.h"
#include "model/model.h"
#include "gbtm_presets.h"
#include "modelfile/model_io.h"

/* ---- helpers -------------------------------------------------------------- */

static char dir[64];

static void make_dir(void) {
  strcpy(dir, "/tmp/gbtm_model_io_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Removes dir and every file in it. */
static void remove_dir(void) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char path[512];
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
  closedir(d);
  rmdir(dir);
}

/* Files in dir whose names start with prefix. */
static int count_files(const char *prefix) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d))) n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
  closedir(d);
  return n;
}

static const char *in_dir(char *buf, size_t size, const char *name) {
  snprintf(buf, size, "%s/%s", dir, name);
  return buf;
}

static void copy_file(const char *from, const char *to) {
  FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
  ck_assert(a && b);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, a)) > 0) ck_assert_uint_eq(fwrite(buf, 1, n, b), n);
  fclose(a);
  ck_assert_int_eq(fclose(b), 0);
}

static long file_size(const char *path) {
  struct stat sb;
  ck_assert_int_eq(stat(path, &sb), 0);
  return (long)sb.st_size;
}

/* The preset cohort, n persons. */
static gbtm_panel *cohort(size_t n, uint64_t seed) {
  gbtm_model truth;
  gbtm_sim_design design;
  ck_assert(model_preset("rapporteur-2024", n, seed, &truth, &design));
  gbtm_panel *p = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_simulate(&truth, &design, &p, NULL, &err) == GBTM_OK, "%s", err.message);
  return p;
}

static gbtm_fit_result *fit(const gbtm_panel *p, gbtm_family_id family, int K, bool inference,
                            bool keep_posterior) {
  gbtm_fit_options o = gbtm_fit_options_default();
  o.family = family;
  o.groups = K;
  o.starts = 4;
  o.seed = 11;
  o.inference = inference;
  o.keep_posterior = keep_posterior;
  if (family == GBTM_ZIP)
    for (int k = 0; k < K; k++) o.iorder[k] = 0;
  gbtm_fit_result *r = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_fit(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  return r;
}

static void save(const gbtm_fit_result *r, const gbtm_panel *p, const char *path) {
  gbtm_save_info info = {"gbtm fit data.csv --groups 3", "data.csv",
                         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 11, p};
  gbtm_error err;
  ck_assert_msg(gbtm_model_save(r, &info, path, &err) == GBTM_OK, "%s", err.message);
}

static gbtm_fit_result *load(const char *path) {
  gbtm_fit_result *r = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_model_load(path, &r, &err) == GBTM_OK, "%s", err.message);
  ck_assert_ptr_nonnull(r);
  return r;
}

/* Bit-identical doubles (NaN included). */
static void same_doubles(const double *a, const double *b, size_t n, const char *what) {
  if (!a || !b) {
    ck_assert_msg(a == b, "%s: present in one result only", what);
    return;
  }
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(memcmp(&a[i], &b[i], sizeof(double)) == 0, "%s[%zu]: %.17g != %.17g", what, i, a[i], b[i]);
}

#define SAME(a, b, field) same_doubles(&(a)->field, &(b)->field, 1, #field)

/* Everything a fit result holds, bit for bit. */
static void same_result(const gbtm_fit_result *x, const gbtm_fit_result *y) {
  const gbtm_model *a = gbtm_fit_result_model(x), *b = gbtm_fit_result_model(y);
  ck_assert_int_eq(a->family, b->family);
  ck_assert_int_eq(a->groups, b->groups);
  int K = a->groups;
  for (int k = 0; k < K; k++) {
    ck_assert_int_eq(a->order[k], b->order[k]);
    ck_assert_int_eq(a->iorder[k], b->iorder[k]);
  }
  same_doubles(a->theta, b->theta, (size_t)K, "theta");
  same_doubles(&a->beta[0][0], &b->beta[0][0], (size_t)K * GBTM_MAX_COEF, "beta");
  same_doubles(&a->alpha[0][0], &b->alpha[0][0], (size_t)K * GBTM_MAX_COEF, "alpha");
  SAME(a, b, centre);
  SAME(a, b, scale);
  SAME(a, b, age_min);
  SAME(a, b, age_max);

  const gbtm_fit_summary *s = gbtm_fit_result_summary(x), *t = gbtm_fit_result_summary(y);
  SAME(s, t, loglik);
  SAME(s, t, bic);
  SAME(s, t, bic_obs);
  SAME(s, t, bic_traj);
  SAME(s, t, bic_traj_obs);
  SAME(s, t, aic);
  SAME(s, t, entropy);
  SAME(s, t, gradient_norm);
  SAME(s, t, newton_decrement);
  SAME(s, t, seconds);
  ck_assert_int_eq(s->n_params, t->n_params);
  ck_assert_uint_eq(s->n_persons, t->n_persons);
  ck_assert_uint_eq(s->n_obs, t->n_obs);
  ck_assert_int_eq(s->converged, t->converged);
  ck_assert_int_eq(s->iterations, t->iterations);
  ck_assert_int_eq(s->starts, t->starts);
  ck_assert_int_eq(s->starts_long, t->starts_long);
  ck_assert_int_eq(s->starts_converged, t->starts_converged);
  ck_assert_int_eq(s->starts_failed, t->starts_failed);
  ck_assert_int_eq(s->best_replicated, t->best_replicated);
  ck_assert_int_eq(s->kernel, t->kernel);
  ck_assert_int_eq(s->threads, t->threads);
  ck_assert_int_eq(s->se, t->se);
  ck_assert_str_eq(gbtm_fit_result_failures(x), gbtm_fit_result_failures(y));

  for (int k = 0; k < K; k++) {
    const gbtm_group_summary *g = gbtm_fit_result_group(x, k), *h = gbtm_fit_result_group(y, k);
    SAME(g, h, share);
    SAME(g, h, assigned_share);
    SAME(g, h, avepp);
    SAME(g, h, occ);
  }
  const gbtm_data_summary *d = gbtm_fit_result_data(x), *e = gbtm_fit_result_data(y);
  ck_assert_uint_eq(d->persons, e->persons);
  ck_assert_uint_eq(d->observations, e->observations);
  ck_assert_uint_eq(d->ages, e->ages);
  SAME(d, e, age_min);
  SAME(d, e, age_max);
  SAME(d, e, zero_share);
  SAME(d, e, total_count);
  ck_assert_int_eq(d->exposure, e->exposure);

  size_t N = d->persons, P = (size_t)s->n_params;
  same_doubles(gbtm_fit_result_posterior(x), gbtm_fit_result_posterior(y), N * (size_t)K, "tau");
  const char *const *ix = gbtm_fit_result_ids(x), *const *iy = gbtm_fit_result_ids(y);
  ck_assert((ix == NULL) == (iy == NULL));
  for (size_t i = 0; ix && i < N; i++) ck_assert_str_eq(ix[i], iy[i]);
  same_doubles(gbtm_fit_result_estimates(x), gbtm_fit_result_estimates(y), P, "psi");
  for (int c = 0; c < 2; c++)
    same_doubles(gbtm_fit_result_covariance(x, (gbtm_se_kind)c), gbtm_fit_result_covariance(y, (gbtm_se_kind)c), P * P, "cov");
  for (size_t j = 0; gbtm_fit_result_estimates(x) && j < P; j++)
    ck_assert_str_eq(gbtm_fit_result_param_name(x, (int)j), gbtm_fit_result_param_name(y, (int)j));
  ck_assert_str_eq(gbtm_fit_result_inference_note(x), gbtm_fit_result_inference_note(y));
}

/* The loader left no HDF5 object open. */
static void no_open_handles(void) {
  ck_assert_int_eq(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
}

/* Expects gbtm_model_load to fail with status and exactly message (after
 * "PATH: "), or, when message is NULL, with a message that names the file. */
static void load_fails(const char *path, gbtm_status status, const char *message) {
  static gbtm_fit_result *const sentinel = (gbtm_fit_result *)&sentinel;
  gbtm_fit_result *r = sentinel; /* the loader must reset it to NULL */
  gbtm_error err = {GBTM_OK, ""};
  gbtm_status st = gbtm_model_load(path, &r, &err);
  ck_assert_msg(st == status, "%s: status %d (%s), expected %d", path, st, err.message, status);
  ck_assert_int_eq(err.status, status);
  ck_assert_ptr_null(r);
  size_t len = strlen(path);
  ck_assert_msg(strncmp(err.message, path, len) == 0 && strncmp(err.message + len, ": ", 2) == 0,
                "message does not name the file: %s", err.message);
  if (message) ck_assert_str_eq(err.message + len + 2, message);
  no_open_handles();
}

/* Rewrites one dataset of a model file with the HDF5 API. */
static void replace_dataset(const char *path, const char *name, hid_t ftype, hid_t mtype, int rank,
                            const hsize_t *dims, const void *buf) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  ck_assert(f >= 0);
  ck_assert(H5Ldelete(f, name, H5P_DEFAULT) >= 0);
  if (ftype >= 0) {
    hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(f, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert(ds >= 0);
    ck_assert(H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Dclose(ds);
    H5Sclose(space);
  }
  ck_assert(H5Fclose(f) >= 0);
}

/* ---- SHA-256 --------------------------------------------------------------- */

START_TEST(sha256_vectors) {
  /* FIPS 180-4 examples (csrc.nist.gov, SHA256.pdf and SHA2_Additional). */
  static const struct {
    const char *text;
    const char *hex;
  } v[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
  };
  char hex[65];
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    sha256_hex_of(v[i].text, strlen(v[i].text), hex);
    ck_assert_str_eq(hex, v[i].hex);
  }
  /* One million "a", also through a file read in blocks. */
  size_t n = 1000000;
  char *a = malloc(n);
  ck_assert_ptr_nonnull(a);
  memset(a, 'a', n);
  sha256_hex_of(a, n, hex);
  ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  make_dir();
  char path[256];
  FILE *f = fopen(in_dir(path, sizeof path, "a.txt"), "wb");
  ck_assert_uint_eq(fwrite(a, 1, n, f), n);
  fclose(f);
  gbtm_error err;
  ck_assert_int_eq(sha256_file(path, hex, &err), GBTM_OK);
  ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  ck_assert_int_eq(sha256_file(in_dir(path, sizeof path, "none.txt"), hex, &err), GBTM_ERR_IO);
  char want[512];
  snprintf(want, sizeof want, "%s: cannot open the file: No such file or directory", path);
  ck_assert_str_eq(err.message, want);
  free(a);
  remove_dir();
}
END_TEST

/* The compression with the processor's SHA extensions and the portable
 * one give the same state over many blocks of pseudo-random bytes, so that
 * whichever a machine uses, the vectors above hold for both. */
START_TEST(sha256_compressions_agree) {
  enum { BLOCKS = 257 };
  static unsigned char data[64 * BLOCKS];
  uint64_t x = 88172645463325252ULL;
  for (size_t i = 0; i < sizeof data; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    data[i] = (unsigned char)(x >> 32);
  }
  uint32_t a[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  uint32_t b[8];
  memcpy(b, a, sizeof a);
  sha256_compress_portable(a, data, BLOCKS);
  if (!sha256_compress_accelerated(b, data, BLOCKS)) return; /* nothing to compare */
  for (int j = 0; j < 8; j++) ck_assert_uint_eq(a[j], b[j]);
}
END_TEST

/* The readers fingerprint the data they read (gbtm_panel_sha256): the file's
 * bytes, as sha256sum gives them; a panel of rows has none; a model file
 * saved with the panel and no data_sha256 records the panel's. */
START_TEST(panel_sha256) {
  make_dir();
  gbtm_panel *p = cohort(40, 3);
  ck_assert_str_eq(gbtm_panel_sha256(p), "");
  char csv[256], h5[256], model[256], want[65];
  gbtm_error err;
  ck_assert_int_eq(gbtm_panel_write_csv(p, in_dir(csv, sizeof csv, "p.csv"), &err), GBTM_OK);
  ck_assert_int_eq(gbtm_panel_write_h5(p, in_dir(h5, sizeof h5, "p.h5"), &err), GBTM_OK);
  const char *files[2] = {csv, h5};
  for (int i = 0; i < 2; i++) {
    gbtm_panel *q = NULL;
    ck_assert_msg(gbtm_panel_read(files[i], NULL, &q, &err) == GBTM_OK, "%s", err.message);
    ck_assert_int_eq(sha256_file(files[i], want, &err), GBTM_OK);
    ck_assert_str_eq(gbtm_panel_sha256(q), want);
    if (i == 0) {
      gbtm_fit_options o = gbtm_fit_options_default();
      o.groups = 1;
      o.starts = 2;
      o.inference = false;
      gbtm_fit_result *r = NULL;
      ck_assert_msg(gbtm_fit(q, &o, &r, &err) == GBTM_OK, "%s", err.message);
      gbtm_save_info info = {"gbtm fit p.csv", "p.csv", NULL, 1, q};
      ck_assert_int_eq(gbtm_model_save(r, &info, in_dir(model, sizeof model, "m.h5"), &err), GBTM_OK);
      gbtm_fit_result *l = load(model);
      ck_assert_str_eq(gbtm_fit_result_file_info(l)->data_sha256, want);
      gbtm_fit_result_free(l);
      gbtm_fit_result_free(r);
    }
    gbtm_panel_free(q);
  }
  gbtm_panel_free(p);
  remove_dir();
}
END_TEST

/* ---- round trips ------------------------------------------------------------- */

static void round_trip(gbtm_family_id family, int K, bool inference, bool keep_posterior) {
  make_dir();
  gbtm_panel *p = cohort(300, 2);
  gbtm_fit_result *r = fit(p, family, K, inference, keep_posterior);
  char a[256], b[256];
  save(r, keep_posterior ? p : NULL, in_dir(a, sizeof a, "a.h5"));
  gbtm_fit_result *l1 = load(a);
  same_result(r, l1);
  save(l1, NULL, in_dir(b, sizeof b, "b.h5"));
  gbtm_fit_result *l2 = load(b);
  same_result(r, l2);
  ck_assert_ptr_null(gbtm_fit_result_file_info(r));
  const gbtm_model_file_info *info = gbtm_fit_result_file_info(l2);
  ck_assert_ptr_nonnull(info);
  ck_assert_int_eq(info->format_version, 1);
  ck_assert_str_eq(info->gbtm_version, GBTM_VERSION);
  ck_assert_str_eq(info->command_line, "gbtm fit data.csv --groups 3");
  ck_assert_str_eq(info->data_name, "data.csv");
  ck_assert_str_eq(info->data_sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ck_assert_uint_eq(info->seed, 11);
  ck_assert_uint_eq(strlen(info->created), 20); /* 2024-05-01T12:00:00Z */
  ck_assert(info->created[10] == 'T' && info->created[19] == 'Z');
  ck_assert(count_files("a.h5.") == 0 && count_files("b.h5.") == 0); /* no temporary left */
  if (!inference) ck_assert_ptr_null(gbtm_fit_result_estimates(l2));
  if (!keep_posterior) ck_assert(!gbtm_fit_result_posterior(l2) && !gbtm_fit_result_ids(l2));
  no_open_handles();
  gbtm_fit_result_free(l2);
  gbtm_fit_result_free(l1);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
  remove_dir();
}

START_TEST(round_trip_poisson) { round_trip(GBTM_POISSON, 3, true, true); }
END_TEST

START_TEST(round_trip_zip) { round_trip(GBTM_ZIP, 2, true, true); }
END_TEST

START_TEST(round_trip_bare) { round_trip(GBTM_POISSON, 2, false, false); }
END_TEST

/* ---- classification ------------------------------------------------------------ */

START_TEST(classify_reproduces_posteriors) {
  make_dir();
  gbtm_panel *p = cohort(300, 2);
  gbtm_fit_result *r = fit(p, GBTM_POISSON, 3, true, true);
  char a[256];
  save(r, p, in_dir(a, sizeof a, "a.h5"));
  gbtm_fit_result *l = load(a);
  const gbtm_model *m = gbtm_fit_result_model(l);
  size_t N = gbtm_panel_n_persons(p);
  double *tau = malloc(N * 3 * sizeof *tau);
  gbtm_error err;
  ck_assert_int_eq(gbtm_model_classify(m, p, tau, &err), GBTM_OK);
  const double *stored = gbtm_fit_result_posterior(l);
  double worst = 0.0;
  for (size_t i = 0; i < N * 3; i++) worst = fmax(worst, fabs(tau[i] - stored[i]));
  ck_assert_msg(worst <= 1e-12, "classify differs from the stored posteriors by %.3g", worst);
  ck_assert_uint_eq(gbtm_model_outside_range(m, p, NULL), 0);

  /* New persons: one within the range, one observed past its end. */
  const char *ids[] = {"new1", "new1", "new2", "new2"};
  double age[] = {20, 21, 44, m->age_max + 1};
  int64_t count[] = {0, 1, 2, 0};
  gbtm_panel *q = NULL;
  ck_assert_int_eq(gbtm_panel_from_rows(4, ids, age, count, NULL, "rows", &q, &err), GBTM_OK);
  bool outside[2];
  ck_assert_uint_eq(gbtm_model_outside_range(m, q, outside), 1);
  ck_assert(!outside[0] && outside[1]);
  ck_assert_int_eq(gbtm_model_classify(m, q, tau, &err), GBTM_OK);
  for (int i = 0; i < 2; i++) {
    double s = 0.0;
    for (int k = 0; k < 3; k++) {
      ck_assert(tau[i * 3 + k] >= 0.0 && tau[i * 3 + k] <= 1.0);
      s += tau[i * 3 + k];
    }
    ck_assert_double_eq_tol(s, 1.0, 1e-12);
  }
  /* A model that cannot be: no groups. */
  gbtm_model bad = *m;
  bad.groups = 0;
  ck_assert_int_eq(gbtm_model_classify(&bad, q, tau, &err), GBTM_ERR_USAGE);
  free(tau);
  gbtm_panel_free(q);
  gbtm_fit_result_free(l);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
  remove_dir();
}
END_TEST

/* Reads a float64 dataset of a file into a new array (n values). */
static double *read_f64(const char *path, const char *name, size_t n) {
  double *x = malloc(n * sizeof *x);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  hid_t space = H5Dget_space(ds);
  ck_assert_int_eq(H5Sget_simple_extent_npoints(space), (hssize_t)n);
  ck_assert(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
  return x;
}

/* The trajectory table: at the data's ages, the expected counts of the model
 * and the observed weighted rates sum_i tau_ik y_it / sum_i tau_ik E_it,
 * computed here from the rows of the data file. */
START_TEST(trajectory_table) {
  make_dir();
  gbtm_model truth;
  gbtm_sim_design design;
  ck_assert(model_preset("rapporteur-2024", 200, 5, &truth, &design));
  design.custody_prob = 0.2; /* exposures below 1 too */
  gbtm_panel *p = NULL;
  gbtm_error err;
  ck_assert_int_eq(gbtm_simulate(&truth, &design, &p, NULL, &err), GBTM_OK);
  gbtm_fit_result *r = fit(p, GBTM_POISSON, 2, true, true);
  char a[256], csv[256];
  save(r, p, in_dir(a, sizeof a, "a.h5"));
  ck_assert_int_eq(gbtm_panel_write_csv(p, in_dir(csv, sizeof csv, "d.csv"), &err), GBTM_OK);

  size_t T = gbtm_panel_n_ages(p), N = gbtm_panel_n_persons(p);
  const double *ages = gbtm_panel_ages(p);
  const gbtm_model *m = gbtm_fit_result_model(r);
  double *age = read_f64(a, "/trajectory/age", T), *exp_ = read_f64(a, "/trajectory/expected", 2 * T);
  double *obs = read_f64(a, "/trajectory/observed", 2 * T);
  for (size_t t = 0; t < T; t++) {
    ck_assert(age[t] == ages[t]);
    for (int k = 0; k < 2; k++) ck_assert(exp_[k * T + t] == gbtm_model_expected(m, k, ages[t]));
  }
  double *tau = malloc(N * 2 * sizeof *tau), *num = calloc(2 * T, sizeof *num), *den = calloc(2 * T, sizeof *den);
  ck_assert_int_eq(gbtm_model_classify(m, p, tau, &err), GBTM_OK);
  FILE *f = fopen(csv, "r");
  char line[256];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
  ck_assert(strncmp(line, "id,age,count,exposure", 21) == 0);
  while (fgets(line, sizeof line, f)) {
    unsigned person;
    double ag, y, e;
    ck_assert_int_eq(sscanf(line, "P%u,%lf,%lf,%lf", &person, &ag, &y, &e), 4);
    size_t i = person - 1, t = 0;
    while (ages[t] != ag) t++;
    for (int k = 0; k < 2; k++) {
      num[k * T + t] += tau[i * 2 + k] * y;
      den[k * T + t] += tau[i * 2 + k] * e;
    }
  }
  fclose(f);
  for (size_t j = 0; j < 2 * T; j++)
    ck_assert_msg(fabs(obs[j] - num[j] / den[j]) <= 1e-12 * fmax(1.0, obs[j]), "observed[%zu] %.17g, direct %.17g", j,
                  obs[j], num[j] / den[j]);
  free(age), free(exp_), free(obs), free(tau), free(num), free(den);
  no_open_handles();
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
  remove_dir();
}
END_TEST

/* ---- bad files ------------------------------------------------------------------- */

START_TEST(bad_files) {
  make_dir();
  gbtm_panel *p = cohort(200, 3);
  gbtm_fit_result *r = fit(p, GBTM_POISSON, 3, true, true);
  char good[256], path[256], msg[512];
  save(r, p, in_dir(good, sizeof good, "good.h5"));

  load_fails(in_dir(path, sizeof path, "missing.h5"), GBTM_ERR_IO, "cannot open the file: No such file or directory");
  load_fails(dir, GBTM_ERR_IO, "not a regular file");

  FILE *f = fopen(in_dir(path, sizeof path, "text.h5"), "w");
  fputs("id,age,count\nP1,12,0\n", f);
  fclose(f);
  load_fails(path, GBTM_ERR_PARSE, "not an HDF5 file");
  f = fopen(in_dir(path, sizeof path, "empty.h5"), "w");
  fclose(f);
  load_fails(path, GBTM_ERR_PARSE, "not an HDF5 file");

  /* Truncated copies: every length gives a parse error naming the file;
   * past the signature it is called damaged or truncated. */
  long size = file_size(good);
  long lengths[] = {4, 100, 1000, 5000, size / 4, size / 2, size - 100, size - 1};
  for (size_t j = 0; j < sizeof lengths / sizeof lengths[0]; j++) {
    in_dir(path, sizeof path, "cut.h5");
    copy_file(good, path);
    ck_assert_int_eq(truncate(path, lengths[j]), 0);
    load_fails(path, GBTM_ERR_PARSE, lengths[j] >= 100 ? "the HDF5 file is damaged or truncated" : NULL);
  }

  /* A newer format version. */
  copy_file(good, in_dir(path, sizeof path, "newer.h5"));
  hid_t h = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t attr = H5Aopen(h, "format_version", H5P_DEFAULT);
  int newer = GBTM_MODEL_FORMAT_VERSION + 1;
  ck_assert(H5Awrite(attr, H5T_NATIVE_INT, &newer) >= 0);
  H5Aclose(attr);
  H5Fclose(h);
  char newer_message[128];
  snprintf(newer_message, sizeof newer_message,
           "format version %d is newer than this gbtm reads (version %d); read it with a newer gbtm", newer,
           GBTM_MODEL_FORMAT_VERSION);
  load_fails(path, GBTM_ERR_PARSE, newer_message);

  /* A dataset of the wrong shape, of the wrong type, or missing. */
  double beta[2][6] = {{0}};
  hsize_t dims[2] = {2, 6};
  copy_file(good, in_dir(path, sizeof path, "shape.h5"));
  replace_dataset(path, "/params/beta", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, beta);
  load_fails(path, GBTM_ERR_PARSE, "/params/beta has shape 2x6, expected 3x6");

  copy_file(good, in_dir(path, sizeof path, "type.h5"));
  int one = 1;
  replace_dataset(path, "/fit/loglik", H5T_STD_I32LE, H5T_NATIVE_INT, 0, NULL, &one);
  load_fails(path, GBTM_ERR_PARSE, "/fit/loglik is an integer, expected a floating-point number");

  copy_file(good, in_dir(path, sizeof path, "type2.h5"));
  double three_groups = 3.0;
  replace_dataset(path, "/model/groups", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL, &three_groups);
  load_fails(path, GBTM_ERR_PARSE, "/model/groups is a floating-point number, expected an integer");

  copy_file(good, in_dir(path, sizeof path, "scalar.h5"));
  replace_dataset(path, "/fit/aic", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, beta);
  load_fails(path, GBTM_ERR_PARSE, "/fit/aic has shape 2, expected a scalar");

  copy_file(good, in_dir(path, sizeof path, "missing_ds.h5"));
  replace_dataset(path, "/fit/entropy", -1, -1, 0, NULL, NULL);
  load_fails(path, GBTM_ERR_PARSE, "/fit/entropy is missing");

  copy_file(good, in_dir(path, sizeof path, "missing_group.h5"));
  replace_dataset(path, "/data", -1, -1, 0, NULL, NULL);
  load_fails(path, GBTM_ERR_PARSE, "the group /data is missing");

  /* Groups that disagree in size. */
  copy_file(good, in_dir(path, sizeof path, "groups.h5"));
  double share[2] = {0.5, 0.5};
  replace_dataset(path, "/groups/share", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, share);
  load_fails(path, GBTM_ERR_PARSE, "/groups/share has shape 2, expected 3");

  copy_file(good, in_dir(path, sizeof path, "groups2.h5"));
  int four = 4;
  replace_dataset(path, "/model/groups", H5T_STD_I32LE, H5T_NATIVE_INT, 0, NULL, &four);
  load_fails(path, GBTM_ERR_PARSE, "/model/order has shape 3, expected 4");

  copy_file(good, in_dir(path, sizeof path, "groups3.h5"));
  int many = GBTM_MAX_GROUPS + 1;
  replace_dataset(path, "/model/groups", H5T_STD_I32LE, H5T_NATIVE_INT, 0, NULL, &many);
  snprintf(msg, sizeof msg, "/model/groups holds %d, expected 1 to %d", many, GBTM_MAX_GROUPS);
  load_fails(path, GBTM_ERR_PARSE, msg);

  copy_file(good, in_dir(path, sizeof path, "persons.h5"));
  double tau[10][3] = {{0}};
  hsize_t tdims[2] = {10, 3};
  replace_dataset(path, "/posterior/tau", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, tdims, tau);
  load_fails(path, GBTM_ERR_PARSE, "/posterior/tau has shape 10x3, expected 200x3");

  copy_file(good, in_dir(path, sizeof path, "params.h5"));
  int p12 = 12;
  replace_dataset(path, "/fit/n_params", H5T_STD_I32LE, H5T_NATIVE_INT, 0, NULL, &p12);
  load_fails(path, GBTM_ERR_PARSE, "/fit/n_params is 12, but the model in /model has 11 parameters");

  /* Damaged element sizes (found by fuzz_model): a number or a string
   * type claiming kilobytes per element is refused before any read. */
  copy_file(good, in_dir(path, sizeof path, "wide_int.h5"));
  hid_t wide_int = H5Tcopy(H5T_STD_I32LE);
  ck_assert(H5Tset_size(wide_int, 4096) >= 0);
  static unsigned char big[70000];
  big[0] = 3;
  replace_dataset(path, "/model/groups", wide_int, wide_int, 0, NULL, big);
  H5Tclose(wide_int);
  load_fails(path, GBTM_ERR_PARSE,
             "/model/groups has elements of 4096 bytes, more than any gbtm model file holds (the file is damaged)");

  copy_file(good, in_dir(path, sizeof path, "wide_string.h5"));
  hid_t wide_str = H5Tcopy(H5T_C_S1);
  ck_assert(H5Tset_size(wide_str, sizeof big) >= 0);
  memcpy(big, "poisson", 8);
  replace_dataset(path, "/model/family", wide_str, wide_str, 0, NULL, big);
  H5Tclose(wide_str);
  snprintf(msg, sizeof msg,
           "/model/family has elements of %zu bytes, more than any gbtm model file holds (the file is damaged)",
           sizeof big);
  load_fails(path, GBTM_ERR_PARSE, msg);

  /* The good file is still good. */
  gbtm_fit_result *l = load(good);
  same_result(r, l);
  gbtm_fit_result_free(l);
  no_open_handles();
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
  remove_dir();
}
END_TEST

START_TEST(save_failures) {
  make_dir();
  gbtm_panel *p = cohort(100, 4);
  gbtm_fit_result *r = fit(p, GBTM_POISSON, 1, true, true);
  char path[256], want[512];
  in_dir(path, sizeof path, "no/such/folder/m.h5");
  gbtm_error err;
  ck_assert_int_eq(gbtm_model_save(r, NULL, path, &err), GBTM_ERR_IO);
  snprintf(want, sizeof want, "%s: cannot create the file: No such file or directory", path);
  ck_assert_str_eq(err.message, want);
  /* Without info, the file still loads, with empty attributes. */
  ck_assert_int_eq(gbtm_model_save(r, NULL, in_dir(path, sizeof path, "m.h5"), &err), GBTM_OK);
  gbtm_fit_result *l = load(path);
  same_result(r, l);
  ck_assert_str_eq(gbtm_fit_result_file_info(l)->command_line, "");
  gbtm_fit_result_free(l);
  ck_assert_int_eq(count_files("m.h5."), 0);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
  remove_dir();
}
END_TEST

/* ---- interrupted saves ------------------------------------------------------------ */

/* A save stopped after the temporary file is complete and before the
 * rename: the target is the earlier file, whole. */
START_TEST(interrupted_save_staged) {
  make_dir();
  gbtm_panel *p = cohort(200, 6);
  gbtm_fit_result *r2 = fit(p, GBTM_POISSON, 2, true, true), *r3 = fit(p, GBTM_POISSON, 3, true, true);
  char path[256];
  save(r2, p, in_dir(path, sizeof path, "m.h5"));
  atomic_file f;
  gbtm_error err;
  ck_assert_int_eq(atomic_file_reserve(&f, path, &err), GBTM_OK);
  ck_assert_int_eq(model_io_write(r3, NULL, &f, &err), GBTM_OK);
  /* ... the process dies here. */
  gbtm_fit_result *l = load(path);
  same_result(r2, l);
  gbtm_fit_result_free(l);
  gbtm_fit_result *t = load(f.tmp); /* the new file was whole, only unpublished */
  same_result(r3, t);
  gbtm_fit_result_free(t);
  char tmp[256];
  snprintf(tmp, sizeof tmp, "%s", f.tmp);
  atomic_file_discard(&f);
  ck_assert_int_ne(access(tmp, F_OK), 0);
  ck_assert_int_eq(count_files("m.h5."), 0);
  gbtm_fit_result_free(r2);
  gbtm_fit_result_free(r3);
  gbtm_panel_free(p);
  remove_dir();
}
END_TEST

/* splitmix64: the fixed-seed random moments of interrupted_save_killed. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* A writer saving two models in turn over one file, killed with SIGKILL 30
 * times at random moments (a fixed seed) within its first four saves:
 * each time the file loads and is one of the two models, bit for bit. */
START_TEST(interrupted_save_killed) {
  make_dir();
  gbtm_panel *p = cohort(300, 7);
  gbtm_fit_result *r[2] = {fit(p, GBTM_POISSON, 2, true, true), fit(p, GBTM_POISSON, 3, true, true)};
  char path[256];
  save(r[0], NULL, in_dir(path, sizeof path, "m.h5"));
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  save(r[1], NULL, path);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long save_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
  uint64_t state = 20240601;
  for (int trial = 0; trial < 30; trial++) {
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
      for (int j = 0;; j++) gbtm_model_save(r[j % 2], NULL, path, NULL);
    }
    /* Anywhere from the start of the first save to the end of the fourth. */
    long us = (long)(next_random(&state) % (uint64_t)(4 * save_us + 1));
    struct timespec wait = {us / 1000000L, (us % 1000000L) * 1000L};
    nanosleep(&wait, NULL);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    gbtm_fit_result *l = load(path);
    int K = gbtm_fit_result_model(l)->groups;
    ck_assert(K == 2 || K == 3);
    same_result(r[K - 2], l);
    gbtm_fit_result_free(l);
  }
  gbtm_fit_result_free(r[0]);
  gbtm_fit_result_free(r[1]);
  gbtm_panel_free(p);
  remove_dir(); /* also the temporary files the killed writer left */
}
END_TEST

int main(void) {
  Suite *s = suite_create("model_io");
  TCase *tc = tcase_create("files");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, sha256_vectors);
  tcase_add_test(tc, sha256_compressions_agree);
  tcase_add_test(tc, panel_sha256);
  tcase_add_test(tc, round_trip_poisson);
  tcase_add_test(tc, round_trip_zip);
  tcase_add_test(tc, round_trip_bare);
  tcase_add_test(tc, classify_reproduces_posteriors);
  tcase_add_test(tc, trajectory_table);
  tcase_add_test(tc, bad_files);
  tcase_add_test(tc, save_failures);
  tcase_add_test(tc, interrupted_save_staged);
  tcase_add_test(tc, interrupted_save_killed);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
