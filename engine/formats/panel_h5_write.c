/* panel_h5_write.c: gbtm_panel_write_h5(), a panel as an HDF5 panel (the
 * layout: engine/formats/panel_h5.c and docs/manual.md "HDF5 panels"). One dataset per
 * column, one entry per observed cell: persons in panel order, each
 * person's cells ascending in age, which is the order in which
 * gbtm_panel_read() loads a panel fastest (panel_sorted.c). Datasets are
 * contiguous and uncompressed, so that each is read back in one call at the
 * speed of the disk. Ids are stored as int64 when every id is a canonical
 * decimal integer (what "%lld" prints back), else as fixed-length UTF-8
 * strings as long as the longest (format version 1); when an id is longer
 * than GBTM_H5_FIXED_ID_MAX bytes, by their own length instead (version 2:
 * id_bytes and id_offsets, write_packed_ids), so that one long id does not
 * widen every entry. /panel/count is int32 when every response is a count
 * (an integer), as always; float64 when one is a real (a family with
 * real_response), which is format version 3 (with the ids of version 2). The file is written under a temporary
 * name in the same folder and renamed into place (atomic_file.h), so that a
 * failed or interrupted write leaves no file, or an earlier one whole. */
#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic_file.h"
#include "base/h5util.h"
#include "panel/panel.h"

/* Whether id is a canonical decimal integer that fits int64: what "%lld"
 * prints back, so that an int64 dataset keeps the id exactly. */
static bool canonical_integer(const char *id, long long *value) {
  const char *p = id + (id[0] == '-');
  size_t len = strlen(p);
  if (len == 0 || len > 19 || (p[0] == '0' && (len > 1 || id[0] == '-'))) return false;
  for (size_t i = 0; i < len; i++)
    if (p[i] < '0' || p[i] > '9') return false;
  errno = 0;
  char *end;
  long long v = strtoll(id, &end, 10);
  if (errno == ERANGE || *end != '\0') return false;
  *value = v;
  return true;
}

/* A dataset [n] of file type ftype from buf (memory type mtype) in g. */
static void w_data(h5io *io, hid_t g, const char *what, const char *name, hid_t ftype, hid_t mtype,
                   hsize_t n, const void *buf) {
  if (io->st != GBTM_OK) return;
  hid_t space = H5Screate_simple(1, &n, NULL), ds = -1;
  bool ok = space >= 0;
  if (ok) ok = (ds = H5Dcreate2(g, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0;
  if (ok) ok = H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
  if (ds >= 0 && H5Dclose(ds) < 0) ok = false;
  if (space >= 0 && H5Sclose(space) < 0) ok = false;
  if (!ok) h5_fail(io, GBTM_ERR_IO, "cannot write %s", what);
}

/* What one dataset of the panel holds, per observed cell. */
typedef enum column_kind { COL_AGE, COL_COUNT, COL_REAL, COL_EXPOSURE, COL_RISK, COL_TCOV } column_kind;

/* Fills out[0..n_obs) with column kind (j: the covariate) cell by cell,
 * persons in order and ages ascending (panel_person_cells). */
static void fill_column(const gbtm_panel *p, column_kind kind, int j, void *out, uint32_t *t,
                        double *y, double *e) {
  double *d = out;
  int32_t *c = out;
  size_t a = 0, R = (size_t)p->n_risk, C = (size_t)p->n_tcov;
  for (size_t i = 0; i < p->n; i++) {
    size_t m = panel_person_cells(p, i, t, y, e);
    for (size_t q = 0; q < m; q++, a++) switch (kind) {
      case COL_AGE: d[a] = p->age[t[q]]; break;
      case COL_COUNT: c[a] = (int32_t)y[q]; break; /* a count (panel_count_value) */
      case COL_REAL: d[a] = y[q]; break;
      case COL_EXPOSURE: d[a] = e[q]; break;
      case COL_RISK: d[a] = p->risk[i * R + (size_t)j]; break;
      case COL_TCOV: d[a] = p->tcov[(p->obs_start[i] + q) * C + (size_t)j]; break;
      }
  }
}

/* Whether an id is longer than fixed-length strings hold (version 2). */
static bool long_ids(const gbtm_panel *p) {
  for (size_t i = 0; i < p->n; i++)
    if (strlen(p->id[i]) > GBTM_H5_FIXED_ID_MAX) return true;
  return false;
}

/* Version 2: /panel/id_bytes, the UTF-8 bytes of the id of every entry one
 * after the other, and /panel/id_offsets [n + 1] (entry a's id is bytes
 * offsets[a] to offsets[a + 1]), entries in the order of the columns. */
static void write_packed_ids(h5io *io, hid_t g, const gbtm_panel *p, uint32_t *t) {
  if (io->st != GBTM_OK) return;
  size_t n = p->n_obs, total = 0;
  long long *offsets = malloc((n + 1) * sizeof *offsets);
  for (size_t i = 0; offsets && i < p->n; i++) {
    size_t len = strlen(p->id[i]), m = panel_person_cells(p, i, t, NULL, NULL);
    if (total > SIZE_MAX / 2 - m * len) { /* cannot happen in memory that holds the panel */
      free(offsets);
      offsets = NULL;
    } else
      total += m * len;
  }
  unsigned char *bytes = offsets ? malloc(total ? total : 1) : NULL;
  if (!bytes) {
    free(offsets);
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory writing /panel/id_bytes");
    return;
  }
  size_t a = 0, at = 0;
  for (size_t i = 0; i < p->n; i++) {
    size_t len = strlen(p->id[i]), m = panel_person_cells(p, i, t, NULL, NULL);
    for (size_t q = 0; q < m; q++, a++, at += len) {
      offsets[a] = (long long)at;
      memcpy(bytes + at, p->id[i], len);
    }
  }
  offsets[a] = (long long)at;
  w_data(io, g, "/panel/id_bytes", "id_bytes", H5T_STD_U8LE, H5T_NATIVE_UCHAR, total, bytes);
  w_data(io, g, "/panel/id_offsets", "id_offsets", H5T_STD_I64LE, H5T_NATIVE_LLONG, n + 1, offsets);
  free(bytes);
  free(offsets);
}

/* /panel/id: int64 when every id is a canonical integer, else strings. */
static void write_ids(h5io *io, hid_t g, const gbtm_panel *p, uint32_t *t) {
  if (io->st != GBTM_OK) return;
  size_t n = p->n_obs, width = 1;
  bool integers = true;
  long long v;
  for (size_t i = 0; i < p->n; i++) {
    size_t len = strlen(p->id[i]);
    if (len > width) width = len;
    if (integers && !canonical_integer(p->id[i], &v)) integers = false;
  }
  if (integers) {
    int64_t *buf = malloc((n ? n : 1) * sizeof *buf);
    if (!buf) {
      h5_fail(io, GBTM_ERR_NOMEM, "out of memory writing /panel/id");
      return;
    }
    for (size_t i = 0, a = 0; i < p->n; i++) {
      size_t m = panel_person_cells(p, i, t, NULL, NULL);
      canonical_integer(p->id[i], &v);
      for (size_t q = 0; q < m; q++) buf[a++] = (int64_t)v;
    }
    w_data(io, g, "/panel/id", "id", H5T_STD_I64LE, H5T_NATIVE_INT64, n, buf);
    free(buf);
    return;
  }
  char *buf = n <= SIZE_MAX / width ? calloc(n ? n : 1, width) : NULL;
  hid_t type = buf ? H5Tcopy(H5T_C_S1) : -1;
  if (!buf)
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory writing /panel/id");
  else if (type < 0 || H5Tset_size(type, width) < 0 || H5Tset_strpad(type, H5T_STR_NULLPAD) < 0 ||
           H5Tset_cset(type, H5T_CSET_UTF8) < 0)
    h5_fail(io, GBTM_ERR_IO, "cannot write /panel/id");
  else {
    for (size_t i = 0, a = 0; i < p->n; i++) {
      size_t m = panel_person_cells(p, i, t, NULL, NULL), len = strlen(p->id[i]);
      for (size_t q = 0; q < m; q++, a++) memcpy(buf + a * width, p->id[i], len);
    }
    w_data(io, g, "/panel/id", "id", type, type, n, buf);
  }
  if (type >= 0) H5Tclose(type);
  free(buf);
}

/* A subgroup "risk" or "tcov" of /panel with one float64 dataset per
 * covariate. */
static void write_covariates(h5io *io, hid_t g, const gbtm_panel *p, column_kind kind, double *buf,
                             uint32_t *t, double *y, double *e) {
  int n = kind == COL_RISK ? p->n_risk : p->n_tcov;
  const char *group = kind == COL_RISK ? "risk" : "tcov";
  if (io->st != GBTM_OK || n == 0) return;
  hid_t sub = H5Gcreate2(g, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (sub < 0) {
    h5_fail(io, GBTM_ERR_IO, "cannot create the group /panel/%s", group);
    return;
  }
  for (int j = 0; j < n && io->st == GBTM_OK; j++) {
    const char *name = kind == COL_RISK ? p->risk_name[j] : p->tcov_name[j];
    char what[GBTM_NAME_MAX + 16];
    snprintf(what, sizeof what, "/panel/%s/%s", group, name);
    if (strchr(name, '/') || strcmp(name, ".") == 0) {
      h5_fail(io, GBTM_ERR_USAGE, "the covariate \"%s\" cannot name a dataset (a '/' or a lone '.')", name);
      break;
    }
    fill_column(p, kind, j, buf, t, y, e);
    w_data(io, sub, what, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, p->n_obs, buf);
  }
  if (H5Gclose(sub) < 0) h5_fail(io, GBTM_ERR_IO, "cannot close the group /panel/%s", group);
}

/* The panel into the open file. */
static void write_panel(h5io *io, hid_t file, const gbtm_panel *p) {
  size_t n = p->n_obs, T = p->T ? p->T : 1;
  bool integers = panel_integer_responses(p); /* else /panel/count is float64 */
  int version = 1;
  uint32_t *t = malloc(T * sizeof *t);
  double *y = malloc(T * sizeof *y);
  double *e = malloc(T * sizeof *e);
  double *buf = malloc((n ? n : 1) * sizeof *buf); /* one column at a time */
  if (!t || !y || !e || !buf) h5_fail(io, GBTM_ERR_NOMEM, "out of memory writing the panel");
  hid_t g = io->st == GBTM_OK ? H5Gcreate2(file, "panel", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
  if (io->st == GBTM_OK && g < 0) h5_fail(io, GBTM_ERR_IO, "cannot create the group /panel");
  if (io->st == GBTM_OK) {
    version = !integers ? 3 : long_ids(p) ? 2 : 1; /* the lowest that holds the panel */
    hid_t space = H5Screate(H5S_SCALAR), attr = -1;
    bool ok = space >= 0 &&
              (attr = H5Acreate2(g, "format_version", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
              H5Awrite(attr, H5T_NATIVE_INT, &version) >= 0;
    if (attr >= 0 && H5Aclose(attr) < 0) ok = false;
    if (space >= 0 && H5Sclose(space) < 0) ok = false;
    if (!ok) h5_fail(io, GBTM_ERR_IO, "cannot write the attribute format_version of /panel");
  }
  if (version >= 2) /* versions 2 and 3 hold the ids packed */
    write_packed_ids(io, g, p, t);
  else
    write_ids(io, g, p, t);
  if (io->st == GBTM_OK) {
    fill_column(p, COL_AGE, 0, buf, t, y, e);
    w_data(io, g, "/panel/age", "age", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, buf);
  }
  if (io->st == GBTM_OK && integers) {
    fill_column(p, COL_COUNT, 0, buf, t, y, e); /* int32 fit in the doubles' room */
    w_data(io, g, "/panel/count", "count", H5T_STD_I32LE, H5T_NATIVE_INT32, n, buf);
  } else if (io->st == GBTM_OK) { /* a real response: version 3 */
    fill_column(p, COL_REAL, 0, buf, t, y, e);
    w_data(io, g, "/panel/count", "count", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, buf);
  }
  if (io->st == GBTM_OK && p->has_exposure) {
    fill_column(p, COL_EXPOSURE, 0, buf, t, y, e);
    w_data(io, g, "/panel/exposure", "exposure", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, buf);
  }
  write_covariates(io, g, p, COL_RISK, buf, t, y, e);
  write_covariates(io, g, p, COL_TCOV, buf, t, y, e);
  if (g >= 0 && H5Gclose(g) < 0) h5_fail(io, GBTM_ERR_IO, "cannot close the group /panel");
  free(t);
  free(y);
  free(e);
  free(buf);
}

gbtm_status gbtm_panel_write_h5(const gbtm_panel *panel, const char *path, gbtm_error *err) {
  atomic_file f;
  gbtm_status st = atomic_file_reserve(&f, path, err);
  if (st != GBTM_OK) return st;
  h5io io = {path, err, GBTM_OK};
  h5quiet q;
  h5_quiet_begin(&q);
  hid_t fapl = h5_write_access(), file = -1;
  if (fapl < 0)
    h5_fail(&io, GBTM_ERR_IO, "cannot set up the HDF5 file access");
  else if ((file = H5Fcreate(f.tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0)
    h5_fail(&io, GBTM_ERR_IO, "cannot create the HDF5 file %s", f.tmp);
  if (file >= 0) write_panel(&io, file, panel);
  int closed = file >= 0 ? h5_close_written(file, io.st == GBTM_OK ? f.tmp : NULL) : 0;
  if (closed) h5_fail(&io, GBTM_ERR_IO, "cannot write the file: %s", strerror(closed));
  if (fapl >= 0) H5Pclose(fapl);
  h5_quiet_end(&q);
  if (io.st != GBTM_OK) {
    atomic_file_discard(&f);
    return io.st;
  }
  return atomic_file_commit(&f, err);
}
