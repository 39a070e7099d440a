/* model_io.c: model files in HDF5 (DESIGN §7). A fitted model outlives the
 * process that made it: the file holds everything `gbtm fit` reported, so
 * that `gbtm show` prints the same report, `gbtm classify` places new persons
 * against the groups, and h5py or R's hdf5r read it with no gbtm code.
 *
 * The layout (every group, dataset and attribute, and what each format
 * version added) is written once, in docs/model-file.md; a change to it
 * takes the next format version and a line there. The writer writes the
 * lowest version that holds the model: version 3 only for person ids
 * longer than 64 bytes (stored by their own length), else version 2 only
 * for models with covariates or a reference group other than the first.
 * A model of several outcomes (gbtm_multi_save, gbtm_multi_load) has a
 * layout of its own, version 11 (the section at the end of this file);
 * gbtm_model_load refuses it with a message saying so.
 *
 * A file is written under a temporary name beside the target (path.XXXXXX),
 * closed, flushed to disk with fsync and renamed over the target
 * (atomic_file.h), so an interrupted save leaves an earlier file whole.
 *
 * The reader checks the format version, then every dataset's presence, type
 * class and shape, that the sizes agree (K, P, N), and the values that size
 * or index anything, then the numbers (model_check.c); a missing, foreign,
 * truncated, inconsistent or impossible file is an error naming the file
 * and what is wrong, never a crash (gbtm_trajectory_table_read() reads
 * /trajectory alone, checked the same way, for figures). Strings are
 * fixed-length, and long ids bytes with offsets, because variable-length
 * ones live in HDF5's global heap, whose damaged records crash the HDF5
 * library (1.10) as it reads them.
 * HDF5's own error printing is off during these calls and restored after
 * them. Every handle is closed on every path (files are opened with
 * H5F_CLOSE_SEMI, so a handle left open would make the close fail). */
#include "modelfile/model_io.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/basis.h"
#include "base/error.h"
#include "fit/fit_result.h"
#include "fit/multi.h"
#include "base/h5util.h"
#include "families/family.h"
#include "modelfile/model_check.h"
#include "panel/panel.h"

#define NCOEF GBTM_MAX_COEF
#define SHAPE_ANY ((hsize_t)-1) /* a dimension the reader learns from the file */

/* An HDF5 group and its path for messages ("" for the root, "/fit"). */
typedef struct node {
  hid_t id;
  char path[48];
} node;

static char *copy_string(const char *s) {
  size_t len = strlen(s) + 1;
  char *c = malloc(len);
  if (c) memcpy(c, s, len);
  return c;
}

/* "parent/name", cut to size (the path is for messages only). */
static void child_path(char *dst, size_t size, const char *parent, const char *name) {
  size_t a = strlen(parent), b = strlen(name);
  if (a > size - 2) a = size - 2;
  if (b > size - 2 - a) b = size - 2 - a;
  memcpy(dst, parent, a);
  dst[a] = '/';
  memcpy(dst + a + 1, name, b);
  dst[a + 1 + b] = '\0';
}

/* ==== writing ============================================================ */

static void w_group(h5io *io, const node *parent, const char *name, node *g) {
  g->id = -1;
  child_path(g->path, sizeof g->path, parent->path, name);
  if (io->st != GBTM_OK) return;
  g->id = H5Gcreate2(parent->id, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g->id < 0) h5_fail(io, GBTM_ERR_IO, "cannot create the group %s", g->path);
}

static void close_group(h5io *io, node *g) {
  if (g->id >= 0 && H5Gclose(g->id) < 0) h5_fail(io, GBTM_ERR_IO, "cannot close the group %s", g->path);
  g->id = -1;
}

/* A dataset of rank 0 (scalar) or rank dims, file type ftype, from buf in
 * memory type mtype. A no-op after a failure. */
static void w_data(h5io *io, const node *g, const char *name, hid_t ftype, hid_t mtype, int rank,
                   const hsize_t *dims, const void *buf) {
  if (io->st != GBTM_OK) return;
  hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, NULL);
  hid_t ds = -1;
  bool ok = space >= 0;
  if (ok) ok = (ds = H5Dcreate2(g->id, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0;
  if (ok) ok = H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
  if (ds >= 0 && H5Dclose(ds) < 0) ok = false;
  if (space >= 0 && H5Sclose(space) < 0) ok = false;
  if (!ok) h5_fail(io, GBTM_ERR_IO, "cannot write %s/%s", g->path, name);
}

static void w_f64(h5io *io, const node *g, const char *name, double x) {
  w_data(io, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL, &x);
}

static void w_f64s(h5io *io, const node *g, const char *name, hsize_t rows, hsize_t cols,
                   const double *x) {
  hsize_t dims[2] = {rows, cols};
  w_data(io, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, cols ? 2 : 1, dims, x);
}

static void w_i32(h5io *io, const node *g, const char *name, int x) {
  w_data(io, g, name, H5T_STD_I32LE, H5T_NATIVE_INT, 0, NULL, &x);
}

static void w_i64(h5io *io, const node *g, const char *name, size_t x) {
  long long v = (long long)x;
  w_data(io, g, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, 0, NULL, &v);
}

/* A scalar attribute of the root. */
static void w_attr(h5io *io, hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *buf) {
  if (io->st != GBTM_OK) return;
  hid_t space = H5Screate(H5S_SCALAR), attr = -1;
  bool ok = space >= 0;
  if (ok) ok = (attr = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0;
  if (ok) ok = H5Awrite(attr, mtype, buf) >= 0;
  if (attr >= 0 && H5Aclose(attr) < 0) ok = false;
  if (space >= 0 && H5Sclose(space) < 0) ok = false;
  if (!ok) h5_fail(io, GBTM_ERR_IO, "cannot write the root attribute %s", name);
}

/* n strings (n = 0: a scalar) as fixed-length UTF-8, as long as the
 * longest (at least 1), padded with NULs. Fixed-length strings lie in the
 * dataset itself; variable-length ones would lie in HDF5's global heap,
 * whose damaged records the HDF5 library does not survive reading. */
static void w_strings(h5io *io, const node *g, const char *name, hsize_t n, const char *const *s,
                      hid_t attr_loc) {
  if (io->st != GBTM_OK) return;
  size_t count = n ? (size_t)n : 1, width = 1;
  for (size_t j = 0; j < count; j++) {
    size_t len = s[j] ? strlen(s[j]) : 0;
    if (len > width) width = len;
  }
  char *buf = calloc(count, width);
  hid_t type = buf ? H5Tcopy(H5T_C_S1) : -1;
  if (type < 0 || H5Tset_size(type, width) < 0 || H5Tset_strpad(type, H5T_STR_NULLPAD) < 0 ||
      H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
    h5_fail(io, buf ? GBTM_ERR_IO : GBTM_ERR_NOMEM, "cannot write %s%s%s", attr_loc >= 0 ? "the root attribute " : g->path,
         attr_loc >= 0 ? "" : "/", name);
  } else {
    for (size_t j = 0; j < count; j++)
      if (s[j]) memcpy(buf + j * width, s[j], strlen(s[j]));
    if (attr_loc >= 0)
      w_attr(io, attr_loc, name, type, type, buf);
    else
      w_data(io, g, name, type, type, n ? 1 : 0, &n, buf);
  }
  if (type >= 0) H5Tclose(type);
  free(buf);
}

static void w_str(h5io *io, const node *g, const char *name, const char *s) {
  w_strings(io, g, name, 0, &s, -1);
}

static void w_strs(h5io *io, const node *g, const char *name, hsize_t n, const char *const *s) {
  w_strings(io, g, name, n, s, -1);
}

static void w_attr_str(h5io *io, hid_t loc, const char *name, const char *s) {
  w_strings(io, NULL, name, 0, &s, loc);
}

/* Ids up to GBTM_H5_FIXED_ID_MAX bytes are written as fixed-length
 * strings (versions 1 and 2), at most this many bytes a person; a longer
 * id takes version 3, whose ids take their own length each (write_ids). */
#define FIXED_ID_MAX GBTM_H5_FIXED_ID_MAX

static bool long_ids_of(const char *const *ids, size_t N) {
  for (size_t i = 0; ids && i < N; i++)
    if (ids[i] && strlen(ids[i]) > FIXED_ID_MAX) return true;
  return false;
}

static bool long_ids(const gbtm_fit_result *r) {
  return r->posterior && long_ids_of((const char *const *)r->ids, r->data.persons);
}

/* The lowest version that holds the result (docs/model-file.md). */
static int format_version(const gbtm_fit_result *r) {
  const gbtm_model *m = &r->model;
  int version = m->n_risk > 0 || m->n_tcov > 0 || m->refgroup != 0 ? 2 : 1;
  if (long_ids(r)) version = 3;
  int family = family_get(m->family)->since_format;
  if (family > version) version = family;
  if (r->boundary) version = 7;
  if (model_has_labels(m)) version = 8;
  if (r->data.missing_responses > 0) version = 9;
  return r->data.weight_column[0] ? 10 : version; /* a weighted fit (eq. W) */
}

static void write_root_version(h5io *io, hid_t file, const gbtm_save_info *info, int version) {
  char created[32] = "";
  time_t now = time(NULL);
  struct tm utc;
  if (gmtime_r(&now, &utc)) strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &utc);
  unsigned long long seed = info ? info->seed : 0;
  w_attr(io, file, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT, &version);
  w_attr_str(io, file, "gbtm_version", GBTM_VERSION);
  w_attr_str(io, file, "created", created);
  w_attr_str(io, file, "command_line", info ? info->command_line : NULL);
  w_attr(io, file, "seed", H5T_STD_U64LE, H5T_NATIVE_ULLONG, &seed);
  w_attr_str(io, file, "data_name", info ? info->data_name : NULL);
  w_attr_str(io, file, "data_sha256", !info ? NULL : info->data_sha256 ? info->data_sha256 : gbtm_panel_sha256(info->panel));
}

static void write_root(h5io *io, hid_t file, const gbtm_save_info *info, const gbtm_fit_result *r) {
  write_root_version(io, file, info, format_version(r));
}

static void write_model(h5io *io, const node *root, const gbtm_model *m) {
  node g;
  w_group(io, root, "model", &g);
  hsize_t K = (hsize_t)m->groups;
  w_str(io, &g, "family", gbtm_family_name(m->family));
  w_i32(io, &g, "groups", m->groups);
  w_data(io, &g, "order", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &K, m->order);
  w_data(io, &g, "iorder", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &K, m->iorder);
  w_f64(io, &g, "centre", m->centre);
  w_f64(io, &g, "scale", m->scale);
  w_f64(io, &g, "age_min", m->age_min);
  w_f64(io, &g, "age_max", m->age_max);
  if (m->refgroup != 0) w_i32(io, &g, "refgroup", m->refgroup);
  if (model_has_phi(m) && m->phi_common) w_i32(io, &g, "phi_common", 1);
  if (family_get(m->family)->censored) { /* the censoring points */
    w_f64(io, &g, "ymin", m->ymin);
    w_f64(io, &g, "ymax", m->ymax);
  }
  if (model_has_labels(m)) { /* version 8 */
    const char *lp[GBTM_MAX_GROUPS];
    for (int k = 0; k < m->groups; k++) lp[k] = m->label[k];
    w_strs(io, &g, "labels", K, lp);
  }
  close_group(io, &g);
}

/* /params/gamma and /params/delta with their names, and tcov_fixed. */
static void write_covariates(h5io *io, const node *g, const gbtm_model *m) {
  hsize_t K = (hsize_t)m->groups;
  double buf[GBTM_MAX_GROUPS * GBTM_MAX_RISK];
  const char *names[GBTM_MAX_RISK];
  if (m->n_risk > 0) {
    for (int k = 0; k < m->groups; k++)
      for (int j = 0; j < m->n_risk; j++) buf[k * m->n_risk + j] = m->gamma[k][j];
    for (int j = 0; j < m->n_risk; j++) names[j] = m->risk_name[j];
    w_f64s(io, g, "gamma", K, (hsize_t)m->n_risk, buf);
    w_strs(io, g, "gamma_names", (hsize_t)m->n_risk, names);
  }
  if (m->n_tcov > 0) {
    for (int k = 0; k < m->groups; k++)
      for (int j = 0; j < m->n_tcov; j++) buf[k * m->n_tcov + j] = m->delta[k][j];
    for (int j = 0; j < m->n_tcov; j++) names[j] = m->tcov_name[j];
    w_f64s(io, g, "delta", K, (hsize_t)m->n_tcov, buf);
    w_strs(io, g, "delta_names", (hsize_t)m->n_tcov, names);
    w_f64s(io, g, "tcov_fixed", (hsize_t)m->n_tcov, 0, m->tcov_fixed);
  }
}

static void write_params(h5io *io, const node *root, const gbtm_model *m) {
  node g;
  w_group(io, root, "params", &g);
  char theta_names[GBTM_MAX_GROUPS][24], coef_names[NCOEF][24];
  const char *tp[GBTM_MAX_GROUPS], *cp[NCOEF];
  for (int k = 0; k < m->groups; k++) {
    snprintf(theta_names[k], sizeof theta_names[k], "theta[%d]", k + 1);
    tp[k] = theta_names[k];
  }
  for (int j = 0; j < NCOEF; j++) {
    basis_coef_name(j, coef_names[j], sizeof coef_names[j]);
    cp[j] = coef_names[j];
  }
  hsize_t K = (hsize_t)m->groups;
  w_f64s(io, &g, "theta", K, 0, m->theta);
  w_strs(io, &g, "theta_names", K, tp);
  w_f64s(io, &g, "beta", K, NCOEF, &m->beta[0][0]);
  w_strs(io, &g, "beta_names", NCOEF, cp);
  w_f64s(io, &g, "alpha", K, NCOEF, &m->alpha[0][0]);
  w_strs(io, &g, "alpha_names", NCOEF, cp);
  if (model_has_phi(m)) w_f64s(io, &g, gbtm_family_phi_name(m->family), K, 0, m->phi); /* "dispersion" */
  write_covariates(io, &g, m);
  close_group(io, &g);
}

static void write_covariance(h5io *io, const node *root, const gbtm_fit_result *r) {
  if (!r->psi || io->st != GBTM_OK) return;
  hsize_t P = (hsize_t)r->summary.n_params;
  const char **names = malloc((P ? P : 1) * sizeof *names);
  if (!names) {
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory writing the parameter names");
    return;
  }
  for (hsize_t j = 0; j < P; j++) names[j] = r->names ? r->names[j] : "";
  node g;
  w_group(io, root, "cov", &g);
  w_f64s(io, &g, "estimates", P, 0, r->psi);
  w_strs(io, &g, "names", P, names);
  if (r->covariance[GBTM_SE_MODEL]) w_f64s(io, &g, "model", P, P, r->covariance[GBTM_SE_MODEL]);
  if (r->covariance[GBTM_SE_ROBUST]) w_f64s(io, &g, "robust", P, P, r->covariance[GBTM_SE_ROBUST]);
  w_str(io, &g, "note", r->inference_note);
  if (r->boundary) { /* version 7 */
    int *on = malloc((P ? P : 1) * sizeof *on);
    if (!on) h5_fail(io, GBTM_ERR_NOMEM, "out of memory writing the boundary parameters");
    for (hsize_t j = 0; on && j < P; j++) on[j] = r->boundary[j] ? 1 : 0;
    if (on) w_data(io, &g, "boundary", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &P, on);
    free(on);
  }
  close_group(io, &g);
  free(names);
}

static void write_fit(h5io *io, const node *root, const gbtm_fit_result *r) {
  const gbtm_fit_summary *s = &r->summary;
  node g;
  w_group(io, root, "fit", &g);
  w_f64(io, &g, "loglik", s->loglik);
  w_i32(io, &g, "n_params", s->n_params);
  w_i64(io, &g, "n_persons", s->n_persons);
  w_i64(io, &g, "n_obs", s->n_obs);
  w_f64(io, &g, "bic", s->bic);
  w_f64(io, &g, "bic_obs", s->bic_obs);
  w_f64(io, &g, "bic_traj", s->bic_traj);
  w_f64(io, &g, "bic_traj_obs", s->bic_traj_obs);
  w_f64(io, &g, "aic", s->aic);
  w_f64(io, &g, "entropy", s->entropy);
  w_i32(io, &g, "converged", s->converged ? 1 : 0);
  w_i32(io, &g, "iterations", s->iterations);
  w_f64(io, &g, "gradient_norm", s->gradient_norm);
  w_f64(io, &g, "newton_decrement", s->newton_decrement);
  w_str(io, &g, "se", s->se == GBTM_SE_ROBUST ? "robust" : "model");
  w_i32(io, &g, "starts", s->starts);
  w_i32(io, &g, "starts_long", s->starts_long);
  w_i32(io, &g, "starts_converged", s->starts_converged);
  w_i32(io, &g, "starts_failed", s->starts_failed);
  w_i32(io, &g, "best_replicated", s->best_replicated);
  w_i64(io, &g, "pilot_persons", s->pilot_persons);
  w_str(io, &g, "kernel", gbtm_kernel_name(s->kernel));
  w_i32(io, &g, "threads", s->threads);
  w_f64(io, &g, "fit_seconds", s->seconds);
  w_str(io, &g, "failures", r->failures);
  close_group(io, &g);
}

static void write_data(h5io *io, const node *root, const gbtm_data_summary *d) {
  node g;
  w_group(io, root, "data", &g);
  w_i64(io, &g, "persons", d->persons);
  w_i64(io, &g, "observations", d->observations);
  w_i64(io, &g, "ages", d->ages);
  w_f64(io, &g, "age_min", d->age_min);
  w_f64(io, &g, "age_max", d->age_max);
  w_f64(io, &g, "zero_share", d->zero_share);
  w_f64(io, &g, "total_count", d->total_count);
  w_i32(io, &g, "exposure", d->exposure ? 1 : 0);
  if (d->missing_responses > 0) w_i64(io, &g, "missing_responses", d->missing_responses); /* version 9 */
  if (d->weight_column[0]) { /* version 10: the weight column and its values as given (eq. W) */
    w_str(io, &g, "weight_column", d->weight_column);
    w_f64(io, &g, "weight_sum", d->weight_sum);
    w_f64(io, &g, "weight_min", d->weight_min);
    w_f64(io, &g, "weight_max", d->weight_max);
  }
  close_group(io, &g);
}

static void write_groups(h5io *io, const node *root, const fit_group_table *t) {
  hsize_t K = (hsize_t)t->groups;
  node g;
  w_group(io, root, "groups", &g);
  w_f64s(io, &g, "share", K, 0, t->share);
  w_f64s(io, &g, "assigned_share", K, 0, t->assigned_share);
  w_f64s(io, &g, "avepp", K, 0, t->avepp);
  w_f64s(io, &g, "occ", K, 0, t->occ);
  w_f64s(io, &g, "share_se", K, 0, t->share_se);
  w_f64s(io, &g, "share_lower", K, 0, t->share_lower);
  w_f64s(io, &g, "share_upper", K, 0, t->share_upper);
  close_group(io, &g);
}

static void write_trajectory(h5io *io, const node *root, const gbtm_trajectory_table *t) {
  if (io->st != GBTM_OK) return;
  size_t K = (size_t)t->groups, T = t->ages;
  node g;
  w_group(io, root, "trajectory", &g);
  w_f64s(io, &g, "age", T, 0, t->age);
  w_f64s(io, &g, "expected", K, T, t->expected);
  w_f64s(io, &g, "lower", K, T, t->lower);
  w_f64s(io, &g, "upper", K, T, t->upper);
  if (t->observed) w_f64s(io, &g, "observed", K, T, t->observed);
  close_group(io, &g);
}

/* Version 3: the ids as one uint8 dataset of their UTF-8 bytes, one after
 * the other, and int64 offsets [N + 1] (id i is bytes offsets[i] to
 * offsets[i + 1]), so that one long id costs its own length only. */
static void write_ids(h5io *io, const node *g, const char *const *ids, size_t N) {
  if (io->st != GBTM_OK) return;
  size_t total = 0;
  long long *offsets = malloc((N + 1) * sizeof *offsets);
  for (size_t i = 0; offsets && i < N; i++) {
    offsets[i] = (long long)total;
    total += ids[i] ? strlen(ids[i]) : 0;
  }
  unsigned char *bytes = offsets ? malloc(total ? total : 1) : NULL;
  if (!bytes) {
    free(offsets);
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory writing the person ids");
    return;
  }
  offsets[N] = (long long)total;
  for (size_t i = 0; i < N; i++)
    if (ids[i]) memcpy(bytes + offsets[i], ids[i], (size_t)(offsets[i + 1] - offsets[i]));
  hsize_t n_bytes = total, n_offsets = N + 1;
  w_data(io, g, "id_bytes", H5T_STD_U8LE, H5T_NATIVE_UCHAR, 1, &n_bytes, bytes);
  w_data(io, g, "id_offsets", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &n_offsets, offsets);
  free(bytes);
  free(offsets);
}

static void write_posterior(h5io *io, const node *root, const gbtm_fit_result *r) {
  if (!r->posterior || !r->ids) return;
  node g;
  w_group(io, root, "posterior", &g);
  if (long_ids(r))
    write_ids(io, &g, (const char *const *)r->ids, r->data.persons);
  else
    w_strs(io, &g, "ids", r->data.persons, (const char *const *)r->ids);
  w_f64s(io, &g, "tau", r->data.persons, (hsize_t)r->model.groups, r->posterior);
  close_group(io, &g);
}

/* The temporary file of f created for writing, HDF5's own error printing
 * held back until finish_file (a failure is in io; file is then < 0). */
static hid_t create_file(h5io *io, const atomic_file *f, h5quiet *q, hid_t *fapl) {
  h5_quiet_begin(q);
  hid_t file = -1;
  if ((*fapl = h5_write_access()) < 0)
    h5_fail(io, GBTM_ERR_IO, "cannot set up the HDF5 file access");
  else if ((file = H5Fcreate(f->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, *fapl)) < 0)
    h5_fail(io, GBTM_ERR_IO, "cannot create the HDF5 file %s", f->tmp);
  return file;
}

/* Closes what create_file opened, flushing the file to disk when every
 * write succeeded. */
static void finish_file(h5io *io, const atomic_file *f, hid_t file, hid_t fapl, h5quiet *q) {
  int closed = file >= 0 ? h5_close_written(file, io->st == GBTM_OK ? f->tmp : NULL) : 0;
  if (closed) h5_fail(io, GBTM_ERR_IO, "cannot write the file: %s", strerror(closed));
  if (fapl >= 0) H5Pclose(fapl);
  h5_quiet_end(q);
}

gbtm_status model_io_write(const gbtm_fit_result *r, const gbtm_save_info *info, const atomic_file *f,
                           gbtm_error *err) {
  h5io io = {f->path, err, GBTM_OK};
  const gbtm_model *m = &r->model;
  if (m->groups < 1 || m->groups > GBTM_MAX_GROUPS)
    return gbtm_fail(err, GBTM_ERR_USAGE, "%s: the model has %d groups (1 to %d)", f->path, m->groups,
                     GBTM_MAX_GROUPS);
  const gbtm_panel *panel = info ? info->panel : NULL;
  if (panel && r->posterior && panel_n_all(panel) != r->data.persons)
    return gbtm_fail(err, GBTM_ERR_USAGE, "%s: the data has %zu persons, the fit %zu", f->path, panel_n_all(panel),
                     r->data.persons);
  /* Everything the file holds is computed before it is written: the
   * tables of the groups and the trajectories (a failure of the latter is
   * reported where it goes). */
  fit_group_table groups;
  fit_result_groups(r, &groups);
  gbtm_trajectory_table *trajectory = NULL;
  gbtm_error trajectory_err;
  gbtm_status trajectory_st = fit_result_trajectory(r, panel, &trajectory, &trajectory_err);
  h5quiet q;
  hid_t fapl, file = create_file(&io, f, &q, &fapl);
  node root = {file, ""};
  write_root(&io, file, info, r);
  write_model(&io, &root, m);
  write_params(&io, &root, m);
  write_covariance(&io, &root, r);
  write_fit(&io, &root, r);
  write_data(&io, &root, &r->data);
  write_groups(&io, &root, &groups);
  if (trajectory_st != GBTM_OK) h5_fail(&io, trajectory_err.status, "%s", trajectory_err.message);
  else write_trajectory(&io, &root, trajectory);
  write_posterior(&io, &root, r);
  finish_file(&io, f, file, fapl, &q);
  gbtm_trajectory_table_free(trajectory);
  return io.st;
}

gbtm_status gbtm_model_save(const gbtm_fit_result *r, const gbtm_save_info *info, const char *path,
                            gbtm_error *err) {
  atomic_file f;
  gbtm_status st = atomic_file_reserve(&f, path, err);
  if (st != GBTM_OK) return st;
  if ((st = model_io_write(r, info, &f, err)) != GBTM_OK) {
    atomic_file_discard(&f);
    return st;
  }
  return atomic_file_commit(&f, err);
}

/* ==== reading ============================================================ */

/* "4", "3x6" ("T" for a dimension not fixed). */
static const char *dims_text(int rank, const hsize_t *d, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int j = 0; j < rank && used < size; j++) {
    int n = d[j] == SHAPE_ANY ? snprintf(buf + used, size - used, "%sT", j ? "x" : "")
                              : snprintf(buf + used, size - used, "%s%llu", j ? "x" : "",
                                         (unsigned long long)d[j]);
    if (n < 0) break;
    used += (size_t)n;
  }
  return buf;
}

/* Reports a dataset of the wrong shape: "has shape 2x6, expected 3x6",
 * "is a scalar, expected shape 4", "has shape 2, expected a scalar". */
static void shape_mismatch(h5io *io, const node *g, const char *name, int rank, const hsize_t *d,
                           int want_rank, const hsize_t *want) {
  char a[96], b[96];
  dims_text(rank, d, a, sizeof a);
  dims_text(want_rank, want, b, sizeof b);
  if (want_rank == 0)
    h5_fail(io, GBTM_ERR_PARSE, "%s/%s has shape %s, expected a scalar", g->path, name, a);
  else if (rank == 0)
    h5_fail(io, GBTM_ERR_PARSE, "%s/%s is a scalar, expected shape %s", g->path, name, b);
  else
    h5_fail(io, GBTM_ERR_PARSE, "%s/%s has shape %s, expected %s", g->path, name, a, b);
}

/* Opens group name of the root; -1 (reported) when missing. */
static void r_group(h5io *io, const node *root, const char *name, bool optional, node *g) {
  g->id = -1;
  child_path(g->path, sizeof g->path, root->path, name);
  if (io->st != GBTM_OK) return;
  htri_t ex = H5Lexists(root->id, name, H5P_DEFAULT);
  if (ex <= 0) {
    if (!optional) h5_fail(io, GBTM_ERR_PARSE, "the group %s is missing", g->path);
    return;
  }
  if ((g->id = H5Gopen2(root->id, name, H5P_DEFAULT)) < 0)
    h5_fail(io, GBTM_ERR_PARSE, "%s is not a readable group", g->path);
}

static bool r_exists(h5io *io, const node *g, const char *name) {
  return io->st == GBTM_OK && g->id >= 0 && H5Lexists(g->id, name, H5P_DEFAULT) > 0;
}

/* Element sizes a model file can hold: numbers of at most 8 bytes (a
 * damaged file can claim any size, and reading it converted would allocate
 * that much per element) and fixed-length strings of at most 64 KiB. */
#define MAX_STRING_BYTES 65536
static bool type_size_ok(H5T_class_t cls, size_t size) {
  if (cls == H5T_INTEGER || cls == H5T_FLOAT) return size >= 1 && size <= 8;
  if (cls == H5T_STRING) return size <= MAX_STRING_BYTES;
  return true;
}

/* Opens dataset name of g and checks its type class and its shape (rank
 * dims, SHAPE_ANY matching any size; the actual dims into got when not
 * NULL). Returns -1 (reported) on any mismatch. */
static hid_t r_open(h5io *io, const node *g, const char *name, H5T_class_t cls, int rank,
                    const hsize_t *want, hsize_t *got) {
  if (io->st != GBTM_OK) return -1;
  if (H5Lexists(g->id, name, H5P_DEFAULT) <= 0) {
    h5_fail(io, GBTM_ERR_PARSE, "%s/%s is missing", g->path, name);
    return -1;
  }
  hid_t ds = H5Dopen2(g->id, name, H5P_DEFAULT);
  if (ds < 0) {
    h5_fail(io, GBTM_ERR_PARSE, "%s/%s is not a readable dataset", g->path, name);
    return -1;
  }
  hid_t type = H5Dget_type(ds);
  H5T_class_t c = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  size_t size = type >= 0 ? H5Tget_size(type) : 0;
  if (type >= 0) H5Tclose(type);
  if (c != cls) {
    h5_fail(io, GBTM_ERR_PARSE, "%s/%s is %s, expected %s", g->path, name, h5_class_name(c), h5_class_name(cls));
    H5Dclose(ds);
    return -1;
  }
  if (!type_size_ok(c, size)) {
    h5_fail(io, GBTM_ERR_PARSE, "%s/%s has elements of %zu bytes, more than any gbtm model file holds (the file is damaged)",
         g->path, name, size);
    H5Dclose(ds);
    return -1;
  }
  hid_t space = H5Dget_space(ds);
  H5S_class_t sc = space >= 0 ? H5Sget_simple_extent_type(space) : H5S_NO_CLASS;
  int r = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  hsize_t d[H5S_MAX_RANK];
  if (r > 0 && H5Sget_simple_extent_dims(space, d, NULL) < 0) r = -1;
  if (space >= 0) H5Sclose(space);
  bool match = r == rank && sc == (rank == 0 ? H5S_SCALAR : H5S_SIMPLE);
  for (int j = 0; match && j < rank; j++) match = want[j] == SHAPE_ANY || d[j] == want[j];
  if (!match) {
    if (sc == H5S_NULL || r < 0)
      h5_fail(io, GBTM_ERR_PARSE, "%s/%s holds no data", g->path, name);
    else
      shape_mismatch(io, g, name, r, d, rank, want);
    H5Dclose(ds);
    return -1;
  }
  hsize_t need = size, held;
  for (int j = 0; j < rank; j++) need *= d[j];
  if (h5_data_short(ds, need, &held)) {
    h5_fail(io, GBTM_ERR_PARSE, "%s/%s holds %llu bytes of data for %llu expected (the file is damaged)", g->path,
            name, (unsigned long long)held, (unsigned long long)need);
    H5Dclose(ds);
    return -1;
  }
  for (int j = 0; got && j < rank; j++) got[j] = d[j];
  return ds;
}

/* Reads all of ds into buf as mtype and closes ds. */
static void r_read(h5io *io, hid_t ds, hid_t mtype, void *buf, const node *g, const char *name) {
  if (ds < 0) return;
  if (H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
    h5_fail(io, GBTM_ERR_PARSE, "cannot read %s/%s (the file is damaged)", g->path, name);
  H5Dclose(ds);
}

/* Checks a dataset the reader does not keep. */
static void r_check(h5io *io, const node *g, const char *name, H5T_class_t cls, int rank,
                    const hsize_t *dims) {
  hid_t ds = r_open(io, g, name, cls, rank, dims, NULL);
  if (ds >= 0) H5Dclose(ds);
}

static void r_f64(h5io *io, const node *g, const char *name, double *x) {
  r_read(io, r_open(io, g, name, H5T_FLOAT, 0, NULL, NULL), H5T_NATIVE_DOUBLE, x, g, name);
}

/* A float64 [rows] (cols = 0) or [rows x cols] dataset. */
static void r_f64s(h5io *io, const node *g, const char *name, hsize_t rows, hsize_t cols, double *x) {
  hsize_t dims[2] = {rows, cols};
  r_read(io, r_open(io, g, name, H5T_FLOAT, cols ? 2 : 1, dims, NULL), H5T_NATIVE_DOUBLE, x, g, name);
}

/* n integers (n = 0: a scalar) each in lo..hi. */
static void r_ints(h5io *io, const node *g, const char *name, hsize_t n, long long lo, long long hi,
                   long long *x) {
  r_read(io, r_open(io, g, name, H5T_INTEGER, n ? 1 : 0, &n, NULL), H5T_NATIVE_LLONG, x, g, name);
  for (hsize_t j = 0; io->st == GBTM_OK && j < (n ? n : 1); j++)
    if (x[j] < lo || x[j] > hi) h5_fail(io, GBTM_ERR_PARSE, "%s/%s holds %lld, expected %lld to %lld", g->path, name, x[j], lo, hi);
}

static int r_int(h5io *io, const node *g, const char *name, long long lo, long long hi) {
  long long v = 0;
  r_ints(io, g, name, 0, lo, hi, &v);
  return io->st == GBTM_OK ? (int)v : 0;
}

static size_t r_count(h5io *io, const node *g, const char *name, long long lo) {
  long long v = 0;
  r_ints(io, g, name, 0, lo, LLONG_MAX, &v);
  return io->st == GBTM_OK ? (size_t)v : 0;
}

/* Reads n strings (n = 0: a scalar) of a dataset or attribute (attr true)
 * into out[] (malloc'd each), variable-length or fixed-length, in the
 * file's character set. obj is open; it is not closed here. */
static void r_strings_of(h5io *io, hid_t obj, bool attr, size_t n, char **out, const char *what) {
  size_t count = n ? n : 1;
  hid_t ftype = attr ? H5Aget_type(obj) : H5Dget_type(obj);
  htri_t var = ftype >= 0 ? H5Tis_variable_str(ftype) : -1;
  size_t fsize = ftype >= 0 ? H5Tget_size(ftype) : 0;
  H5T_cset_t cset = ftype >= 0 ? H5Tget_cset(ftype) : H5T_CSET_ERROR;
  if (ftype >= 0) H5Tclose(ftype);
  hid_t mtype = var >= 0 && cset != H5T_CSET_ERROR ? H5Tcopy(H5T_C_S1) : -1;
  bool ok = mtype >= 0 && H5Tset_cset(mtype, cset) >= 0;
  if (ok && var > 0) {
    char **buf = calloc(count, sizeof *buf);
    ok = buf && H5Tset_size(mtype, H5T_VARIABLE) >= 0 &&
         (attr ? H5Aread(obj, mtype, buf) : H5Dread(obj, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) >= 0;
    for (size_t j = 0; buf && j < count; j++) {
      if (ok && !(out[j] = copy_string(buf[j] ? buf[j] : ""))) ok = false;
      if (buf[j]) H5free_memory(buf[j]);
    }
    free(buf);
  } else if (ok && fsize <= MAX_STRING_BYTES) {
    char *buf = calloc(count, fsize + 1);
    ok = buf && H5Tset_size(mtype, fsize + 1) >= 0 && H5Tset_strpad(mtype, H5T_STR_NULLTERM) >= 0 &&
         (attr ? H5Aread(obj, mtype, buf) : H5Dread(obj, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) >= 0;
    for (size_t j = 0; ok && j < count; j++)
      if (!(out[j] = copy_string(buf + j * (fsize + 1)))) ok = false;
    free(buf);
  } else {
    ok = false;
  }
  if (mtype >= 0) H5Tclose(mtype);
  if (!ok) h5_fail(io, GBTM_ERR_PARSE, "cannot read the strings of %s", what);
}

static void r_strs(h5io *io, const node *g, const char *name, hsize_t n, char **out) {
  hid_t ds = r_open(io, g, name, H5T_STRING, n ? 1 : 0, &n, NULL);
  if (ds < 0) return;
  char what[64];
  snprintf(what, sizeof what, "%s/%s", g->path, name);
  r_strings_of(io, ds, false, (size_t)n, out, what);
  H5Dclose(ds);
}

/* A scalar string dataset; NULL after a failure. */
static char *r_str(h5io *io, const node *g, const char *name) {
  char *s = NULL;
  r_strs(io, g, name, 0, &s);
  if (io->st != GBTM_OK) {
    free(s);
    return NULL;
  }
  return s;
}

/* Opens a root attribute of class cls holding one value; -1 (reported). */
static hid_t r_attr(h5io *io, hid_t file, const char *name, H5T_class_t cls) {
  if (io->st != GBTM_OK) return -1;
  if (H5Aexists(file, name) <= 0) {
    h5_fail(io, GBTM_ERR_PARSE, "the root attribute %s is missing", name);
    return -1;
  }
  hid_t a = H5Aopen(file, name, H5P_DEFAULT);
  if (a < 0) {
    h5_fail(io, GBTM_ERR_PARSE, "the root attribute %s cannot be read", name);
    return -1;
  }
  hid_t type = H5Aget_type(a), space = H5Aget_space(a);
  H5T_class_t c = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  size_t size = type >= 0 ? H5Tget_size(type) : 0;
  hssize_t npoints = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (c != cls) {
    h5_fail(io, GBTM_ERR_PARSE, "the root attribute %s is %s, expected %s", name, h5_class_name(c), h5_class_name(cls));
  } else if (npoints != 1) {
    h5_fail(io, GBTM_ERR_PARSE, "the root attribute %s holds %lld values, expected one", name, (long long)npoints);
  } else if (!type_size_ok(c, size)) {
    h5_fail(io, GBTM_ERR_PARSE, "the root attribute %s has a value of %zu bytes (the file is damaged)", name, size);
  } else {
    return a;
  }
  H5Aclose(a);
  return -1;
}

static char *r_attr_str(h5io *io, hid_t file, const char *name) {
  hid_t a = r_attr(io, file, name, H5T_STRING);
  if (a < 0) return NULL;
  char *s = NULL, what[64];
  snprintf(what, sizeof what, "the root attribute %s", name);
  r_strings_of(io, a, true, 0, &s, what);
  H5Aclose(a);
  if (io->st != GBTM_OK) {
    free(s);
    return NULL;
  }
  return s;
}

static void r_attr_num(h5io *io, hid_t file, const char *name, hid_t mtype, void *x) {
  hid_t a = r_attr(io, file, name, H5T_INTEGER);
  if (a < 0) return;
  if (H5Aread(a, mtype, x) < 0) h5_fail(io, GBTM_ERR_PARSE, "cannot read the root attribute %s", name);
  H5Aclose(a);
}

/* The root attributes into one allocation (the caller's to free); NULL
 * (reported) on failure. */
static gbtm_model_file_info *read_file_info(h5io *io, hid_t file, int version) {
  gbtm_model_file_info *out = NULL;
  unsigned long long seed = 0;
  r_attr_num(io, file, "seed", H5T_NATIVE_ULLONG, &seed);
  static const char *const names[5] = {"gbtm_version", "created", "command_line", "data_name", "data_sha256"};
  char *s[5] = {NULL};
  size_t len = sizeof(gbtm_model_file_info);
  for (int j = 0; j < 5; j++) {
    s[j] = r_attr_str(io, file, names[j]);
    if (s[j]) len += strlen(s[j]) + 1;
  }
  if (io->st == GBTM_OK) {
    gbtm_model_file_info *info = malloc(len);
    if (!info) {
      h5_fail(io, GBTM_ERR_NOMEM, "out of memory");
    } else {
      char *p = (char *)(info + 1);
      const char **dst[5] = {&info->gbtm_version, &info->created, &info->command_line, &info->data_name,
                             &info->data_sha256};
      for (int j = 0; j < 5; j++) {
        size_t n = strlen(s[j]) + 1;
        memcpy(p, s[j], n);
        *dst[j] = p;
        p += n;
      }
      info->format_version = version;
      info->seed = seed;
      out = info;
    }
  }
  for (int j = 0; j < 5; j++) free(s[j]);
  return out;
}

/* The root attributes into one allocation owned by the result. */
static void read_root(h5io *io, hid_t file, gbtm_fit_result *r) {
  int version = 0;
  r_attr_num(io, file, "format_version", H5T_NATIVE_INT, &version);
  if (io->st != GBTM_OK) return;
  if (version > GBTM_MODEL_FORMAT_VERSION) {
    h5_fail(io, GBTM_ERR_PARSE,
         "format version %d is newer than this gbtm reads (version %d); read it with a newer gbtm",
         version, GBTM_MODEL_FORMAT_VERSION);
    return;
  }
  if (version < 1) {
    h5_fail(io, GBTM_ERR_PARSE, "format version %d is not a valid version", version);
    return;
  }
  if (version >= 11 && H5Lexists(file, "multi", H5P_DEFAULT) > 0) { /* gbtm_multi_load() reads it */
    h5_fail(io, GBTM_ERR_USAGE, "a model with several outcomes (format version %d): not yet supported by this command",
            version);
    return;
  }
  r->file_info = read_file_info(io, file, version);
}

static void read_model(h5io *io, const node *root, gbtm_model *m) {
  node g;
  r_group(io, root, "model", false, &g);
  char *family = r_str(io, &g, "family");
  if (family && !gbtm_family_parse(family, &m->family)) {
    char known[256] = "";
    for (int f = 0; f < gbtm_family_count(); f++)
      snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", f ? ", " : "",
               gbtm_family_name((gbtm_family_id)f));
    h5_fail(io, GBTM_ERR_PARSE, "/model/family is \"%s\", expected one of %s", family, known);
  }
  free(family);
  m->groups = r_int(io, &g, "groups", 1, GBTM_MAX_GROUPS);
  long long v[GBTM_MAX_GROUPS];
  hsize_t K = (hsize_t)m->groups;
  r_ints(io, &g, "order", K, 0, GBTM_MAX_ORDER, v);
  for (int k = 0; io->st == GBTM_OK && k < m->groups; k++) m->order[k] = (int)v[k];
  r_ints(io, &g, "iorder", K, -1, GBTM_MAX_ORDER, v);
  for (int k = 0; io->st == GBTM_OK && k < m->groups; k++) m->iorder[k] = (int)v[k];
  r_f64(io, &g, "centre", &m->centre);
  r_f64(io, &g, "scale", &m->scale);
  r_f64(io, &g, "age_min", &m->age_min);
  r_f64(io, &g, "age_max", &m->age_max);
  m->refgroup = r_exists(io, &g, "refgroup") ? r_int(io, &g, "refgroup", 0, m->groups - 1) : 0;
  m->phi_common = r_exists(io, &g, "phi_common") && r_int(io, &g, "phi_common", 0, 1) == 1;
  m->ymin = -INFINITY, m->ymax = INFINITY;
  if (io->st == GBTM_OK && family_get(m->family)->censored) {
    r_f64(io, &g, "ymin", &m->ymin);
    r_f64(io, &g, "ymax", &m->ymax);
    if (io->st == GBTM_OK && !(isfinite(m->ymin) && isfinite(m->ymax) && m->ymin < m->ymax))
      h5_fail(io, GBTM_ERR_PARSE, "/model has the censoring points %g and %g, expected finite numbers in order",
              m->ymin, m->ymax);
  }
  if (io->st == GBTM_OK && r_exists(io, &g, "labels")) { /* version 8: the groups' names */
    char *lab[GBTM_MAX_GROUPS] = {NULL};
    r_strs(io, &g, "labels", (hsize_t)m->groups, lab);
    for (int k = 0; k < m->groups; k++) {
      if (io->st == GBTM_OK && (!lab[k] || strlen(lab[k]) >= GBTM_NAME_MAX))
        h5_fail(io, GBTM_ERR_PARSE, "/model/labels[%d] is longer than %d bytes", k, GBTM_NAME_MAX - 1);
      if (io->st == GBTM_OK) snprintf(m->label[k], GBTM_NAME_MAX, "%s", lab[k]);
      free(lab[k]);
    }
  }
  if (io->st == GBTM_OK && !(isfinite(m->centre) && isfinite(m->scale) && m->scale > 0.0))
    h5_fail(io, GBTM_ERR_PARSE, "/model has centre %g and scale %g, expected finite numbers and a scale > 0",
         m->centre, m->scale);
  if (io->st == GBTM_OK && !(isfinite(m->age_min) && isfinite(m->age_max) && m->age_min <= m->age_max))
    h5_fail(io, GBTM_ERR_PARSE, "/model has the age range %g to %g, expected finite ages in order", m->age_min,
         m->age_max);
  close_group(io, &g);
}

/* The names of one kind of covariate (n of them) into out. */
static void r_names(h5io *io, const node *g, const char *name, int n, char (*out)[GBTM_NAME_MAX]) {
  char *s[GBTM_MAX_RISK] = {NULL};
  r_strs(io, g, name, (hsize_t)n, s);
  for (int j = 0; j < n; j++) {
    if (io->st == GBTM_OK && (!s[j] || !s[j][0] || strlen(s[j]) >= GBTM_NAME_MAX))
      h5_fail(io, GBTM_ERR_PARSE, "/params/%s[%d] is empty or longer than %d bytes", name, j, GBTM_NAME_MAX - 1);
    if (io->st == GBTM_OK) snprintf(out[j], GBTM_NAME_MAX, "%s", s[j]);
    free(s[j]);
  }
}

/* The number of columns of a K x n dataset /params/name (0 when absent). */
static int r_columns(h5io *io, const node *g, const char *name, int max) {
  if (io->st != GBTM_OK || !r_exists(io, g, name)) return 0;
  hid_t ds = H5Dopen2(g->id, name, H5P_DEFAULT);
  hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
  hsize_t d[2] = {0, 0};
  int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  if (rank == 2) H5Sget_simple_extent_dims(sp, d, NULL);
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  if (rank != 2 || d[1] < 1 || d[1] > (hsize_t)max) {
    h5_fail(io, GBTM_ERR_PARSE, "/params/%s must be a K x n matrix with 1 <= n <= %d", name, max);
    return 0;
  }
  return (int)d[1];
}

static void read_covariates(h5io *io, const node *g, gbtm_model *m) {
  hsize_t K = (hsize_t)m->groups;
  double buf[GBTM_MAX_GROUPS * GBTM_MAX_RISK];
  m->n_risk = r_columns(io, g, "gamma", GBTM_MAX_RISK);
  if (m->n_risk > 0) {
    r_f64s(io, g, "gamma", K, (hsize_t)m->n_risk, buf);
    for (int k = 0; io->st == GBTM_OK && k < m->groups; k++)
      for (int j = 0; j < m->n_risk; j++) m->gamma[k][j] = buf[k * m->n_risk + j];
    r_names(io, g, "gamma_names", m->n_risk, m->risk_name);
  }
  m->n_tcov = r_columns(io, g, "delta", GBTM_MAX_TCOV);
  if (m->n_tcov > 0) {
    r_f64s(io, g, "delta", K, (hsize_t)m->n_tcov, buf);
    for (int k = 0; io->st == GBTM_OK && k < m->groups; k++)
      for (int j = 0; j < m->n_tcov; j++) m->delta[k][j] = buf[k * m->n_tcov + j];
    r_names(io, g, "delta_names", m->n_tcov, m->tcov_name);
    r_f64s(io, g, "tcov_fixed", (hsize_t)m->n_tcov, 0, m->tcov_fixed);
  }
}

static void read_params(h5io *io, const node *root, gbtm_model *m) {
  node g;
  r_group(io, root, "params", false, &g);
  hsize_t K = (hsize_t)m->groups, six = NCOEF;
  r_f64s(io, &g, "theta", K, 0, m->theta);
  r_f64s(io, &g, "beta", K, NCOEF, &m->beta[0][0]);
  r_f64s(io, &g, "alpha", K, NCOEF, &m->alpha[0][0]);
  r_check(io, &g, "theta_names", H5T_STRING, 1, &K);
  r_check(io, &g, "beta_names", H5T_STRING, 1, &six);
  r_check(io, &g, "alpha_names", H5T_STRING, 1, &six);
  for (int k = 0; k < GBTM_MAX_GROUPS; k++) m->phi[k] = 1.0;
  if (model_has_phi(m)) r_f64s(io, &g, gbtm_family_phi_name(m->family), K, 0, m->phi);
  read_covariates(io, &g, m);
  close_group(io, &g);
}

static void read_fit(h5io *io, const node *root, gbtm_fit_result *r) {
  gbtm_fit_summary *s = &r->summary;
  node g;
  r_group(io, root, "fit", false, &g);
  r_f64(io, &g, "loglik", &s->loglik);
  s->n_params = r_int(io, &g, "n_params", 1, INT_MAX);
  if (io->st == GBTM_OK && s->n_params != gbtm_model_n_params(&r->model))
    h5_fail(io, GBTM_ERR_PARSE, "/fit/n_params is %d, but the model in /model has %d parameters", s->n_params,
         gbtm_model_n_params(&r->model));
  s->n_persons = r_count(io, &g, "n_persons", 1);
  s->n_obs = r_count(io, &g, "n_obs", 1);
  r_f64(io, &g, "bic", &s->bic);
  r_f64(io, &g, "bic_obs", &s->bic_obs);
  r_f64(io, &g, "bic_traj", &s->bic_traj);
  r_f64(io, &g, "bic_traj_obs", &s->bic_traj_obs);
  r_f64(io, &g, "aic", &s->aic);
  r_f64(io, &g, "entropy", &s->entropy);
  s->converged = r_int(io, &g, "converged", 0, 1) == 1;
  s->iterations = r_int(io, &g, "iterations", 0, INT_MAX);
  r_f64(io, &g, "gradient_norm", &s->gradient_norm);
  r_f64(io, &g, "newton_decrement", &s->newton_decrement);
  char *se = r_str(io, &g, "se");
  if (se && strcmp(se, "model") == 0)
    s->se = GBTM_SE_MODEL;
  else if (se && strcmp(se, "robust") == 0)
    s->se = GBTM_SE_ROBUST;
  else if (se)
    h5_fail(io, GBTM_ERR_PARSE, "/fit/se is \"%s\", expected \"model\" or \"robust\"", se);
  free(se);
  s->starts = r_int(io, &g, "starts", 0, INT_MAX);
  s->starts_long = r_int(io, &g, "starts_long", 0, INT_MAX);
  s->starts_converged = r_int(io, &g, "starts_converged", 0, INT_MAX);
  s->starts_failed = r_int(io, &g, "starts_failed", 0, INT_MAX);
  s->best_replicated = r_int(io, &g, "best_replicated", 0, INT_MAX);
  s->pilot_persons = r_count(io, &g, "pilot_persons", 0);
  char *kernel = r_str(io, &g, "kernel");
  if (kernel && !gbtm_kernel_parse(kernel, &s->kernel))
    h5_fail(io, GBTM_ERR_PARSE, "/fit/kernel is \"%s\", expected \"auto\", \"dense\" or \"sparse\"", kernel);
  free(kernel);
  s->threads = r_int(io, &g, "threads", 0, INT_MAX);
  s->processes = 1; /* (not stored: the answer does not depend on it) */
  r_f64(io, &g, "fit_seconds", &s->seconds);
  char *failures = r_str(io, &g, "failures");
  if (failures && *failures)
    r->failures = failures;
  else
    free(failures);
  close_group(io, &g);
}

static void read_data(h5io *io, const node *root, gbtm_fit_result *r) {
  gbtm_data_summary *d = &r->data;
  node g;
  r_group(io, root, "data", false, &g);
  d->persons = r_count(io, &g, "persons", 1);
  d->observations = r_count(io, &g, "observations", 1);
  d->ages = r_count(io, &g, "ages", 1);
  r_f64(io, &g, "age_min", &d->age_min);
  r_f64(io, &g, "age_max", &d->age_max);
  r_f64(io, &g, "zero_share", &d->zero_share);
  r_f64(io, &g, "total_count", &d->total_count);
  d->exposure = r_int(io, &g, "exposure", 0, 1) == 1;
  d->missing_responses = r_exists(io, &g, "missing_responses") ? r_count(io, &g, "missing_responses", 0) : 0;
  d->weight_column[0] = '\0';
  d->weight_sum = d->weight_min = d->weight_max = NAN;
  if (io->st == GBTM_OK && r_exists(io, &g, "weight_column")) { /* version 10 */
    char *name = r_str(io, &g, "weight_column");
    if (name && io->st == GBTM_OK && (!name[0] || strlen(name) >= GBTM_NAME_MAX))
      h5_fail(io, GBTM_ERR_PARSE, "/data/weight_column is empty or longer than %d bytes", GBTM_NAME_MAX - 1);
    else if (name)
      snprintf(d->weight_column, sizeof d->weight_column, "%s", name);
    free(name);
    r_f64(io, &g, "weight_sum", &d->weight_sum);
    r_f64(io, &g, "weight_min", &d->weight_min);
    r_f64(io, &g, "weight_max", &d->weight_max);
    if (io->st == GBTM_OK && !(d->weight_min > 0.0 && d->weight_min <= d->weight_max && d->weight_sum > 0.0 &&
                               isfinite(d->weight_sum) && isfinite(d->weight_max)))
      h5_fail(io, GBTM_ERR_PARSE, "/data/weight_sum, weight_min and weight_max are not positive and ordered");
  }
  if (io->st == GBTM_OK && d->persons != r->summary.n_persons)
    h5_fail(io, GBTM_ERR_PARSE, "/data/persons is %zu, but /fit/n_persons is %zu", d->persons,
         r->summary.n_persons);
  if (io->st == GBTM_OK && d->observations != r->summary.n_obs)
    h5_fail(io, GBTM_ERR_PARSE, "/data/observations is %zu, but /fit/n_obs is %zu", d->observations,
         r->summary.n_obs);
  close_group(io, &g);
}

static void read_groups(h5io *io, const node *root, gbtm_fit_result *r) {
  node g;
  r_group(io, root, "groups", false, &g);
  hsize_t K = (hsize_t)r->model.groups;
  double col[4][GBTM_MAX_GROUPS];
  static const char *const names[4] = {"share", "assigned_share", "avepp", "occ"};
  for (int c = 0; c < 4; c++) r_f64s(io, &g, names[c], K, 0, col[c]);
  r_check(io, &g, "share_se", H5T_FLOAT, 1, &K);
  r_check(io, &g, "share_lower", H5T_FLOAT, 1, &K);
  r_check(io, &g, "share_upper", H5T_FLOAT, 1, &K);
  for (hsize_t k = 0; io->st == GBTM_OK && k < K; k++) {
    r->group[k].share = col[0][k];
    r->group[k].assigned_share = col[1][k];
    r->group[k].avepp = col[2][k];
    r->group[k].occ = col[3][k];
  }
  close_group(io, &g);
}

static void read_covariance(h5io *io, const node *root, gbtm_fit_result *r) {
  node g;
  r_group(io, root, "cov", true, &g);
  if (g.id < 0) return;
  hsize_t P = (hsize_t)r->summary.n_params;
  r->psi = malloc(P * sizeof *r->psi);
  r->names = calloc(P, sizeof *r->names);
  char **names = calloc(P, sizeof *names);
  if (!r->psi || !r->names || !names) h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %llu parameters", (unsigned long long)P);
  r_f64s(io, &g, "estimates", P, 0, r->psi);
  r_strs(io, &g, "names", P, names);
  for (hsize_t j = 0; io->st == GBTM_OK && j < P; j++) snprintf(r->names[j], sizeof r->names[j], "%s", names[j]);
  for (hsize_t j = 0; names && j < P; j++) free(names[j]);
  free(names);
  static const char *const kinds[2] = {[GBTM_SE_MODEL] = "model", [GBTM_SE_ROBUST] = "robust"};
  for (int c = 0; c < 2; c++) {
    if (!r_exists(io, &g, kinds[c])) continue;
    if (!(r->covariance[c] = malloc(P * P * sizeof(double))))
      h5_fail(io, GBTM_ERR_NOMEM, "out of memory for the covariances");
    r_f64s(io, &g, kinds[c], P, P, r->covariance[c]);
  }
  if (r_exists(io, &g, "boundary")) { /* version 7: the parameters on the boundary */
    long long *on = malloc((P ? P : 1) * sizeof *on);
    bool any = false;
    if (!on) h5_fail(io, GBTM_ERR_NOMEM, "out of memory for the boundary parameters");
    else r_ints(io, &g, "boundary", P, 0, 1, on);
    for (hsize_t j = 0; on && io->st == GBTM_OK && j < P; j++) any = any || on[j];
    if (any && !(r->boundary = malloc(P * sizeof *r->boundary)))
      h5_fail(io, GBTM_ERR_NOMEM, "out of memory for the boundary parameters");
    for (hsize_t j = 0; r->boundary && j < P; j++) r->boundary[j] = on[j] != 0;
    free(on);
  }
  char *note = r_str(io, &g, "note");
  if (note && *note)
    r->inference_note = note;
  else
    free(note);
  close_group(io, &g);
}

static void read_trajectory(h5io *io, const node *root, const gbtm_model *m) {
  node g;
  r_group(io, root, "trajectory", false, &g);
  hsize_t any = SHAPE_ANY, T = 0;
  hid_t ds = r_open(io, &g, "age", H5T_FLOAT, 1, &any, &T);
  if (ds >= 0) H5Dclose(ds);
  if (io->st == GBTM_OK && T == 0) h5_fail(io, GBTM_ERR_PARSE, "/trajectory/age holds no ages");
  /* read and checked as gbtm plot reads it (gbtm_trajectory_table_read),
   * so that every command refuses the same files */
  size_t K = (size_t)m->groups;
  bool observed = r_exists(io, &g, "observed");
  gbtm_trajectory_table t = {m->groups, (size_t)T, NULL, NULL, NULL, NULL, NULL};
  if (io->st == GBTM_OK) {
    t.age = malloc(T * sizeof *t.age);
    t.expected = malloc(K * T * sizeof *t.expected);
    t.lower = malloc(K * T * sizeof *t.lower);
    t.upper = malloc(K * T * sizeof *t.upper);
    t.observed = observed ? malloc(K * T * sizeof *t.observed) : NULL;
    if (!t.age || !t.expected || !t.lower || !t.upper || (observed && !t.observed))
      h5_fail(io, GBTM_ERR_NOMEM, "out of memory for the trajectory table");
  }
  r_f64s(io, &g, "age", T, 0, t.age);
  r_f64s(io, &g, "expected", K, T, t.expected);
  r_f64s(io, &g, "lower", K, T, t.lower);
  r_f64s(io, &g, "upper", K, T, t.upper);
  if (observed) r_f64s(io, &g, "observed", K, T, t.observed);
  if (io->st == GBTM_OK) model_check_trajectory(io, &t);
  free(t.age), free(t.expected), free(t.lower), free(t.upper), free(t.observed);
  close_group(io, &g);
}

/* Version 3's ids (write_ids): the offsets start at 0, do not decrease
 * and end at the number of bytes; no id holds a NUL byte. */
static void read_ids(h5io *io, const node *g, size_t N, char **ids) {
  hsize_t n_offsets = N + 1, any = SHAPE_ANY, total = 0;
  long long *offsets = malloc((N + 1) * sizeof *offsets);
  if (!offsets) h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %zu persons", N);
  hid_t ds = r_open(io, g, "id_offsets", H5T_INTEGER, 1, &n_offsets, NULL);
  r_read(io, ds, H5T_NATIVE_LLONG, offsets, g, "id_offsets");
  ds = r_open(io, g, "id_bytes", H5T_INTEGER, 1, &any, &total);
  if (ds >= 0 && io->st == GBTM_OK) {
    if (!h5_id_offsets_ok(offsets, N, (unsigned long long)total))
      h5_fail(io, GBTM_ERR_PARSE,
              "/posterior/id_offsets must run from 0 up to the %llu bytes of /posterior/id_bytes, never "
              "decreasing",
              (unsigned long long)total);
  }
  unsigned char *bytes = io->st == GBTM_OK ? malloc(total ? total : 1) : NULL;
  if (io->st == GBTM_OK && !bytes)
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %llu bytes of ids", (unsigned long long)total);
  if (io->st == GBTM_OK)
    r_read(io, ds, H5T_NATIVE_UCHAR, bytes, g, "id_bytes");
  else if (ds >= 0)
    H5Dclose(ds);
  for (size_t i = 0; io->st == GBTM_OK && i < N; i++) {
    size_t len = (size_t)(offsets[i + 1] - offsets[i]);
    const unsigned char *id = bytes + offsets[i];
    if (memchr(id, 0, len)) {
      h5_fail(io, GBTM_ERR_PARSE, "/posterior/id_bytes holds a NUL byte in the id of person %zu", i + 1);
    } else if (!(ids[i] = malloc(len + 1))) {
      h5_fail(io, GBTM_ERR_NOMEM, "out of memory for the person ids");
    } else {
      memcpy(ids[i], id, len);
      ids[i][len] = '\0';
    }
  }
  free(bytes);
  free(offsets);
}

static void read_posterior(h5io *io, const node *root, gbtm_fit_result *r) {
  node g;
  r_group(io, root, "posterior", true, &g);
  if (g.id < 0) return;
  size_t N = r->data.persons, K = (size_t)r->model.groups;
  r->ids = calloc(N, sizeof *r->ids);
  r->posterior = malloc(N * K * sizeof *r->posterior);
  if (!r->ids || !r->posterior) h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %zu persons", N);
  if (r_exists(io, &g, "ids") || r->file_info->format_version < 3)
    r_strs(io, &g, "ids", N, r->ids);
  else
    read_ids(io, &g, N, r->ids);
  r_f64s(io, &g, "tau", N, K, r->posterior);
  close_group(io, &g);
}

/* Opens the model file io->file for reading, its access list into *fapl;
 * -1 (reported) when it is missing, not a regular file, not HDF5 or
 * damaged. The caller closes both (H5Fclose, H5Pclose) when not -1. */
static hid_t open_model_file(h5io *io, hid_t *fapl) {
  const char *path = io->file;
  *fapl = -1;
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    h5_fail(io, GBTM_ERR_IO, "cannot open the file: %s", strerror(errno));
    return -1;
  }
  struct stat sb;
  bool regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
  /* The HDF5 signature and the superblock version after it (byte 8) */
  unsigned char head[9];
  bool whole = regular && read(fd, head, sizeof head) == (ssize_t)sizeof head;
  close(fd);
  if (!regular) {
    h5_fail(io, GBTM_ERR_IO, "not a regular file");
    return -1;
  }
  /* gbtm writes model files in HDF5's 1.8 format (h5_write_access):
   * superblock version 2 or later, whose metadata carry checksums. An
   * older superblock is no model file of gbtm's, and its unchecked
   * metadata would reach the decoders of Debian's HDF5 1.10, which fault on
   * some damaged files (tests/fuzz/README.md). */
  if (whole && memcmp(head, "\x89HDF\r\n\x1a\n", 8) == 0 && head[8] < 2) {
    h5_fail(io, GBTM_ERR_PARSE,
            "an HDF5 file with a version %d superblock, not a gbtm model file (gbtm writes version 2 or later)",
            head[8]);
    return -1;
  }
  hid_t file = -1;
#if H5_VERSION_GE(1, 12, 0)
  htri_t is = H5Fis_accessible(path, H5P_DEFAULT);
#else
  htri_t is = H5Fis_hdf5(path);
#endif
  if (is == 0)
    h5_fail(io, GBTM_ERR_PARSE, "not an HDF5 file");
  else if (is < 0)
    h5_fail(io, GBTM_ERR_PARSE, "the HDF5 file is damaged or truncated");
  else if ((*fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 || H5Pset_fclose_degree(*fapl, H5F_CLOSE_SEMI) < 0)
    h5_fail(io, GBTM_ERR_IO, "cannot set up the HDF5 file access");
  else if ((file = H5Fopen(path, H5F_ACC_RDONLY, *fapl)) < 0)
    h5_fail(io, GBTM_ERR_PARSE, "the HDF5 file is damaged or truncated");
  return file;
}

gbtm_status gbtm_model_load(const char *path, gbtm_fit_result **out, gbtm_error *err) {
  *out = NULL;
  h5io io = {path, err, GBTM_OK};
  gbtm_fit_result *r = calloc(1, sizeof *r);
  if (!r) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory");
  h5quiet q;
  h5_quiet_begin(&q);
  hid_t fapl, file = open_model_file(&io, &fapl);
  if (io.st == GBTM_OK) {
    node root = {file, ""};
    read_root(&io, file, r);
    read_model(&io, &root, &r->model);
    read_params(&io, &root, &r->model);
    read_fit(&io, &root, r);
    read_data(&io, &root, r);
    read_groups(&io, &root, r);
    read_covariance(&io, &root, r);
    read_trajectory(&io, &root, &r->model);
    read_posterior(&io, &root, r);
  }
  if (io.st == GBTM_OK) model_check(&io, r);
  if (file >= 0 && H5Fclose(file) < 0) h5_fail(&io, GBTM_ERR_INTERNAL, "a handle of the file was left open");
  if (fapl >= 0) H5Pclose(fapl);
  h5_quiet_end(&q);
  if (io.st != GBTM_OK) {
    gbtm_fit_result_free(r);
    return io.st;
  }
  *out = r;
  return GBTM_OK;
}

/* The trajectory table: /trajectory/age gives T, /trajectory/expected K;
 * then lower and upper of the same shape, and observed when present. */
gbtm_status gbtm_trajectory_table_read(const char *path, gbtm_trajectory_table **out,
                                       gbtm_error *err) {
  *out = NULL;
  h5io io = {path, err, GBTM_OK};
  gbtm_trajectory_table *t = calloc(1, sizeof *t);
  if (!t) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory");
  h5quiet q;
  h5_quiet_begin(&q);
  hid_t fapl, file = open_model_file(&io, &fapl);
  node root = {file, ""}, g = {-1, ""};
  r_group(&io, &root, "trajectory", false, &g);
  hsize_t any = SHAPE_ANY, T = 0, dims[2] = {SHAPE_ANY, 0}, got[2] = {0, 0};
  hid_t ds = r_open(&io, &g, "age", H5T_FLOAT, 1, &any, &T);
  if (ds >= 0) H5Dclose(ds);
  if (io.st == GBTM_OK && T == 0) h5_fail(&io, GBTM_ERR_PARSE, "/trajectory/age holds no ages");
  dims[1] = T;
  if ((ds = r_open(&io, &g, "expected", H5T_FLOAT, 2, dims, got)) >= 0) H5Dclose(ds);
  if (io.st == GBTM_OK && (got[0] < 1 || got[0] > GBTM_MAX_GROUPS))
    h5_fail(&io, GBTM_ERR_PARSE, "/trajectory/expected has %llu rows, expected 1 to %d groups",
         (unsigned long long)got[0], GBTM_MAX_GROUPS);
  size_t K = (size_t)got[0];
  bool observed = r_exists(&io, &g, "observed");
  if (io.st == GBTM_OK) {
    t->groups = (int)K;
    t->ages = (size_t)T;
    t->age = malloc(T * sizeof *t->age);
    t->expected = malloc(K * T * sizeof *t->expected);
    t->lower = malloc(K * T * sizeof *t->lower);
    t->upper = malloc(K * T * sizeof *t->upper);
    t->observed = observed ? malloc(K * T * sizeof *t->observed) : NULL;
    if (!t->age || !t->expected || !t->lower || !t->upper || (observed && !t->observed))
      h5_fail(&io, GBTM_ERR_NOMEM, "out of memory for the trajectory table");
  }
  r_f64s(&io, &g, "age", T, 0, t->age);
  r_f64s(&io, &g, "expected", K, T, t->expected);
  r_f64s(&io, &g, "lower", K, T, t->lower);
  r_f64s(&io, &g, "upper", K, T, t->upper);
  if (observed) r_f64s(&io, &g, "observed", K, T, t->observed);
  close_group(&io, &g);
  if (io.st == GBTM_OK) model_check_trajectory(&io, t);
  if (file >= 0 && H5Fclose(file) < 0) h5_fail(&io, GBTM_ERR_INTERNAL, "a handle of the file was left open");
  if (fapl >= 0) H5Pclose(fapl);
  h5_quiet_end(&q);
  if (io.st != GBTM_OK) {
    gbtm_trajectory_table_free(t);
    return io.st;
  }
  *out = t;
  return GBTM_OK;
}

void gbtm_trajectory_table_free(gbtm_trajectory_table *t) {
  if (!t) return;
  free(t->age), free(t->expected), free(t->lower), free(t->upper), free(t->observed);
  free(t);
}

/* ==== several outcomes: format version 11 (docs/model-file.md) ===========
 * /multi holds what the joint fit reported (eq. MT, DESIGN §10), each
 * /outcomes/<o> (1, 2, ...) one outcome's /model and /params as a file of
 * one outcome holds them (written and read by the same functions), /cov the
 * joint estimates psi, their names and I^-1 (eq. MTI), /posterior the
 * shared posteriors and ids. */

#define MULTI_FORMAT_VERSION 11

static void write_multi_summary(h5io *io, const node *root, const gbtm_multi_result *r) {
  node g;
  w_group(io, root, "multi", &g);
  hsize_t O = (hsize_t)r->O, K = (hsize_t)r->K;
  const char *names[GBTM_MAX_OUTCOMES];
  long long cells[GBTM_MAX_OUTCOMES];
  for (int o = 0; o < r->O; o++) names[o] = r->name[o], cells[o] = (long long)r->cells[o];
  w_i32(io, &g, "outcomes", r->O);
  w_i32(io, &g, "groups", r->K);
  w_i64(io, &g, "persons", r->N);
  w_strs(io, &g, "names", O, names);
  w_data(io, &g, "cells", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &O, cells);
  w_f64(io, &g, "loglik", r->loglik);
  w_i32(io, &g, "n_params", r->n_params);
  w_f64(io, &g, "bic", gbtm_multi_result_bic(r));
  w_f64(io, &g, "aic", gbtm_multi_result_aic(r));
  w_i32(io, &g, "converged", r->converged ? 1 : 0);
  w_i32(io, &g, "iterations", r->iterations);
  w_f64(io, &g, "gradient_norm", r->grad_norm);
  w_f64s(io, &g, "share", K, 0, r->share);
  close_group(io, &g);
}

static void write_multi_parts(h5io *io, const node *root, const gbtm_multi_result *r) {
  node os, g;
  w_group(io, root, "outcomes", &os);
  for (int o = 0; o < r->O; o++) {
    char name[12];
    snprintf(name, sizeof name, "%d", o + 1);
    w_group(io, &os, name, &g);
    write_model(io, &g, &r->model[o]);
    write_params(io, &g, &r->model[o]);
    close_group(io, &g);
  }
  close_group(io, &os);
  hsize_t P = (hsize_t)r->n_est;
  w_group(io, root, "cov", &g);
  w_f64s(io, &g, "estimates", P, 0, r->est);
  w_strs(io, &g, "names", P, (const char *const *)r->pname);
  if (r->cov) w_f64s(io, &g, "model", P, P, r->cov);
  close_group(io, &g);
  w_group(io, root, "posterior", &g);
  if (long_ids_of((const char *const *)r->ids, r->N))
    write_ids(io, &g, (const char *const *)r->ids, r->N);
  else
    w_strs(io, &g, "ids", r->N, (const char *const *)r->ids);
  w_f64s(io, &g, "tau", r->N, (hsize_t)r->K, r->tau);
  close_group(io, &g);
}

gbtm_status gbtm_multi_save_reserved(const gbtm_multi_result *r, const gbtm_save_info *info,
                                     const gbtm_atomic_file *f, gbtm_error *err) {
  h5io io = {f->path, err, GBTM_OK};
  gbtm_save_info own = info ? *info : (gbtm_save_info){0};
  own.panel = NULL; /* the outcomes' panels are not one panel */
  h5quiet q;
  hid_t fapl, file = create_file(&io, f, &q, &fapl);
  node root = {file, ""};
  write_root_version(&io, file, info ? &own : NULL, MULTI_FORMAT_VERSION);
  write_multi_summary(&io, &root, r);
  write_multi_parts(&io, &root, r);
  finish_file(&io, f, file, fapl, &q);
  return io.st;
}

gbtm_status gbtm_multi_save(const gbtm_multi_result *r, const gbtm_save_info *info, const char *path,
                            gbtm_error *err) {
  atomic_file f;
  gbtm_status st = atomic_file_reserve(&f, path, err);
  if (st != GBTM_OK) return st;
  if ((st = gbtm_multi_save_reserved(r, info, &f, err)) != GBTM_OK) {
    atomic_file_discard(&f);
    return st;
  }
  return atomic_file_commit(&f, err);
}

static void read_multi_summary(h5io *io, const node *root, gbtm_multi_result *r) {
  node g;
  r_group(io, root, "multi", false, &g);
  r->O = r_int(io, &g, "outcomes", 1, GBTM_MAX_OUTCOMES);
  r->K = r_int(io, &g, "groups", 1, GBTM_MAX_GROUPS);
  r->N = r_count(io, &g, "persons", 1);
  char *names[GBTM_MAX_OUTCOMES] = {NULL};
  long long cells[GBTM_MAX_OUTCOMES];
  if (io->st == GBTM_OK) r_strs(io, &g, "names", (hsize_t)r->O, names);
  for (int o = 0; o < r->O; o++) {
    if (io->st == GBTM_OK && (!names[o] || !names[o][0] || strlen(names[o]) >= GBTM_NAME_MAX))
      h5_fail(io, GBTM_ERR_PARSE, "/multi/names[%d] is empty or longer than %d bytes", o, GBTM_NAME_MAX - 1);
    if (io->st == GBTM_OK) snprintf(r->name[o], GBTM_NAME_MAX, "%s", names[o]);
    for (int p = 0; io->st == GBTM_OK && p < o; p++) /* one column per outcome, as fit's --count */
      if (!strcmp(r->name[p], r->name[o]))
        h5_fail(io, GBTM_ERR_PARSE, "/multi/names[%d] is \"%s\", as /multi/names[%d]: expected each outcome once", o,
                r->name[o], p);
    free(names[o]);
  }
  if (io->st == GBTM_OK) r_ints(io, &g, "cells", (hsize_t)r->O, 0, LLONG_MAX, cells);
  for (int o = 0; io->st == GBTM_OK && o < r->O; o++) r->cells[o] = (size_t)cells[o];
  r_f64(io, &g, "loglik", &r->loglik);
  r->n_params = r_int(io, &g, "n_params", 1, INT_MAX);
  r->converged = r_int(io, &g, "converged", 0, 1) == 1;
  r->iterations = r_int(io, &g, "iterations", 0, INT_MAX);
  r_f64(io, &g, "gradient_norm", &r->grad_norm);
  if (io->st == GBTM_OK) r_f64s(io, &g, "share", (hsize_t)r->K, 0, r->share);
  if (io->st == GBTM_OK && !isfinite(r->loglik))
    h5_fail(io, GBTM_ERR_PARSE, "/multi/loglik is %g, expected a finite number", r->loglik);
  if (io->st == GBTM_OK && !(r->grad_norm >= 0.0 && r->grad_norm < INFINITY))
    h5_fail(io, GBTM_ERR_PARSE, "/multi/gradient_norm is %g, expected a finite number, 0 or more", r->grad_norm);
  for (int k = 0; io->st == GBTM_OK && k < r->K; k++)
    if (!(r->share[k] >= 0.0 && r->share[k] <= 1.0))
      h5_fail(io, GBTM_ERR_PARSE, "/multi/share[%d] is %g, expected 0 to 1", k, r->share[k]);
  close_group(io, &g);
}

static void read_multi_parts(h5io *io, const node *root, gbtm_multi_result *r) {
  node os, g;
  r_group(io, root, "outcomes", false, &os);
  for (int o = 0; io->st == GBTM_OK && o < r->O; o++) {
    char name[12];
    snprintf(name, sizeof name, "%d", o + 1);
    r_group(io, &os, name, false, &g);
    read_model(io, &g, &r->model[o]);
    if (io->st == GBTM_OK && r->model[o].groups != r->K)
      h5_fail(io, GBTM_ERR_PARSE, "%s/model/groups is %d, but /multi/groups is %d", g.path, r->model[o].groups, r->K);
    read_params(io, &g, &r->model[o]);
    if (io->st == GBTM_OK) { /* the numbers, as a file of one outcome's; messages under /outcomes/<o> */
      gbtm_error one = {.status = GBTM_OK, .message = ""};
      h5io sub = {"", &one, GBTM_OK};
      model_check_params(&sub, &r->model[o]);
      if (sub.st != GBTM_OK) {
        const char *what = strchr(one.message, '/');
        h5_fail(io, sub.st, "%s%s", g.path, what ? what : one.message);
      }
    }
    for (int k = 0; io->st == GBTM_OK && k < r->K; k++)
      if (!(r->model[o].theta[k] == r->model[0].theta[k]))
        h5_fail(io, GBTM_ERR_PARSE, "%s/params/theta[%d] differs from /outcomes/1/params/theta[%d] (one membership)",
                g.path, k, k);
    close_group(io, &g);
  }
  close_group(io, &os);
  if (io->st != GBTM_OK) return;
  int want = r->K - 1; /* theta_2..theta_K, then each outcome's own parameters */
  for (int o = 0; o < r->O; o++) want += gbtm_model_n_params(&r->model[o]) - (r->K - 1);
  if (r->n_params != want) {
    h5_fail(io, GBTM_ERR_PARSE, "/multi/n_params is %d, but the models in /outcomes have %d parameters", r->n_params,
            want);
    return;
  }
  if (r->N > SIZE_MAX / (sizeof(double) * (size_t)r->K)) {
    h5_fail(io, GBTM_ERR_PARSE, "/multi/persons is %zu, more than this machine can hold", r->N);
    return;
  }
  const size_t P = (size_t)r->n_params, N = r->N, K = (size_t)r->K;
  r->n_est = r->n_params;
  r->est = malloc(P * sizeof *r->est);
  r->pname = calloc(P, sizeof *r->pname);
  if (!r->est || !r->pname) {
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %zu parameters", P);
    return;
  }
  r_group(io, root, "cov", false, &g);
  r_f64s(io, &g, "estimates", P, 0, r->est);
  r_strs(io, &g, "names", P, r->pname);
  if (r_exists(io, &g, "model")) {
    if (!(r->cov = malloc(P * P * sizeof *r->cov)))
      h5_fail(io, GBTM_ERR_NOMEM, "out of memory for a %zu x %zu covariance", P, P);
    else
      r_f64s(io, &g, "model", P, P, r->cov);
  }
  for (size_t j = 0; io->st == GBTM_OK && j < P; j++)
    if (!isfinite(r->est[j]))
      h5_fail(io, GBTM_ERR_PARSE, "/cov/estimates[%zu] is %g, expected a finite number", j, r->est[j]);
  /* the names as the fit gives them: theta[2..K], then each outcome's own, prefixed "name:", in outcome order
   * (the counts match: /multi/n_params was checked against the models above) */
  for (size_t j = 0; io->st == GBTM_OK && j + 1 < K; j++) {
    char want[32];
    snprintf(want, sizeof want, "theta[%zu]", j + 2);
    if (strcmp(r->pname[j], want) != 0)
      h5_fail(io, GBTM_ERR_PARSE, "/cov/names[%zu] is \"%s\", expected \"%s\"", j, r->pname[j], want);
  }
  int o = 0;
  size_t left = (size_t)(gbtm_model_n_params(&r->model[0]) - (r->K - 1));
  for (size_t j = K - 1; io->st == GBTM_OK && j < P; j++, left--) {
    while (left == 0 && o + 1 < r->O) left = (size_t)(gbtm_model_n_params(&r->model[++o]) - (r->K - 1));
    size_t len = strlen(r->name[o]);
    if (strncmp(r->pname[j], r->name[o], len) != 0 || r->pname[j][len] != ':' || !r->pname[j][len + 1])
      h5_fail(io, GBTM_ERR_PARSE, "/cov/names[%zu] is \"%s\", expected a parameter of outcome %s (\"%s:...\")", j,
              r->pname[j], r->name[o], r->name[o]);
  }
  close_group(io, &g);
  r_group(io, root, "posterior", false, &g);
  const hsize_t NK[2] = {N, K}; /* /multi/persons against the posteriors held, before allocating for them */
  r_check(io, &g, "tau", H5T_FLOAT, 2, NK);
  if (io->st == GBTM_OK) {
    r->ids = calloc(N, sizeof *r->ids);
    r->tau = malloc(N * K * sizeof *r->tau);
    if (!r->ids || !r->tau) h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %zu persons' posteriors", N);
  }
  if (io->st != GBTM_OK) {
    close_group(io, &g);
    return;
  }
  if (r_exists(io, &g, "ids"))
    r_strs(io, &g, "ids", N, r->ids);
  else
    read_ids(io, &g, N, r->ids);
  r_f64s(io, &g, "tau", N, K, r->tau);
  for (size_t i = 0; io->st == GBTM_OK && i < N; i++) {
    double sum = 0.0;
    for (size_t k = 0; k < K; k++) {
      double t = r->tau[i * K + k];
      if (!(t >= 0.0 && t <= 1.0)) {
        h5_fail(io, GBTM_ERR_PARSE, "/posterior/tau[%zu][%zu] is %g, expected 0 to 1", i, k, t);
        break;
      }
      sum += t;
    }
    if (io->st == GBTM_OK && fabs(sum - 1.0) > 1e-6)
      h5_fail(io, GBTM_ERR_PARSE, "/posterior/tau's row %zu sums to %.17g, expected 1", i, sum);
  }
  close_group(io, &g);
}

/* The format version of an open model file; 0 (reported) when unreadable,
 * newer than this gbtm reads or not valid. */
static int read_version(h5io *io, hid_t file) {
  int version = 0;
  r_attr_num(io, file, "format_version", H5T_NATIVE_INT, &version);
  if (io->st != GBTM_OK) return 0;
  if (version > GBTM_MODEL_FORMAT_VERSION)
    h5_fail(io, GBTM_ERR_PARSE, "format version %d is newer than this gbtm reads (version %d); read it with a newer gbtm",
            version, GBTM_MODEL_FORMAT_VERSION);
  else if (version < 1)
    h5_fail(io, GBTM_ERR_PARSE, "format version %d is not a valid version", version);
  return io->st == GBTM_OK ? version : 0;
}

gbtm_status gbtm_multi_load(const char *path, gbtm_multi_result **out, gbtm_error *err) {
  *out = NULL;
  h5io io = {path, err, GBTM_OK};
  gbtm_multi_result *r = calloc(1, sizeof *r);
  if (!r) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory");
  h5quiet q;
  h5_quiet_begin(&q);
  hid_t fapl, file = open_model_file(&io, &fapl);
  if (io.st == GBTM_OK) {
    node root = {file, ""};
    int version = read_version(&io, file);
    if (io.st == GBTM_OK && (version < MULTI_FORMAT_VERSION || H5Lexists(file, "multi", H5P_DEFAULT) <= 0))
      h5_fail(&io, GBTM_ERR_USAGE, "a model of one outcome, not of several (no /multi)");
    if (io.st == GBTM_OK) r->file_info = read_file_info(&io, file, version);
    read_multi_summary(&io, &root, r);
    read_multi_parts(&io, &root, r);
  }
  if (file >= 0 && H5Fclose(file) < 0) h5_fail(&io, GBTM_ERR_INTERNAL, "a handle of the file was left open");
  if (fapl >= 0) H5Pclose(fapl);
  h5_quiet_end(&q);
  if (io.st != GBTM_OK) {
    gbtm_multi_result_free(r);
    return io.st;
  }
  *out = r;
  return GBTM_OK;
}

int gbtm_model_file_is_multi(const char *path) {
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  h5io io = {path, &err, GBTM_OK};
  h5quiet q;
  h5_quiet_begin(&q);
  hid_t fapl, file = open_model_file(&io, &fapl);
  int multi = 0;
  if (io.st == GBTM_OK)
    multi = read_version(&io, file) >= MULTI_FORMAT_VERSION && H5Lexists(file, "multi", H5P_DEFAULT) > 0;
  if (file >= 0) H5Fclose(file);
  if (fapl >= 0) H5Pclose(fapl);
  h5_quiet_end(&q);
  return multi;
}
