/* panel_h5.c: reading HDF5 panels (DESIGN §1), the HDF5 side of
 * gbtm_panel_read(); gbtm_panel_write_h5() is in panel_h5_write.c. A large
 * panel in CSV costs seconds of parsing at every fit; in HDF5 it is a
 * handful of arrays, each read in one call, and h5py or R's hdf5r read and
 * write it with no gbtm code.
 *
 * Layout, format versions 1 to 3 (docs/manual.md "HDF5 panels"). One entry per observed
 * cell; gbtm writes the entries grouped by person (in panel order) and
 * ascending in age within a person, and reads them in any order.
 *
 *   /panel                    group; attribute format_version (integer) = 1, 2 or 3
 *     id        [n]  int64 when every id is a canonical decimal integer
 *                    (no sign but '-', no leading zeros), else fixed-length
 *                    UTF-8 strings NUL-padded to the longest id. Read: any
 *                    integer type, or fixed- or variable-length strings.
 *     id_bytes  versions 2 and 3 instead of id (version 2 written when an id is longer than
 *     id_offsets     GBTM_H5_FIXED_ID_MAX bytes): uint8, the UTF-8 ids of
 *                    every entry one after the other, and int64 [n + 1],
 *                    entry a's id being bytes offsets[a] to offsets[a + 1];
 *                    the offsets run from 0 to the bytes, never backwards.
 *     age       [n]  float64 (read: any number type)
 *     count     [n]  int32 (read: any integer type), 0 .. 2147483647; or,
 *                    version 3, float64 when a response is a real (a family
 *                    with real_response; read: any number type, finite)
 *     exposure  [n]  float64 > 0 (optional; read whenever present)
 *     risk/NAME [n]  float64, a time-stable risk factor, equal on all the
 *                    entries of a person; NaN = missing
 *     tcov/NAME [n]  float64, a time-varying covariate; NaN = missing
 *
 * The covariates read are those gbtm_csv_columns names (risk[], tcov[]),
 * whatever else the file holds. Numbers are little-endian in the file and
 * native in memory. Messages name the file and the dataset ("panel.h5:
 * /panel/count has 99 entries, /panel/id 100"); an entry is named by its
 * 0-based index as h5py indexes it ("/panel/count[17]"), and the checks
 * made while building the panel give its 1-based number as the line
 * ("panel.h5:18:2: duplicate (id, age) ...").
 *
 * Reading checks the format version and every dataset's presence, type
 * class, rank and length, and reads each whole dataset with one H5Dread.
 * Persons are numbered by first appearance: a run of entries with the same
 * id costs one comparison per entry; when the runs' ids ascend (as ids
 * sorted by a program, or written by gbtm from such a file, do), each run
 * is a new person with no hashing at all, else each run is looked up in a
 * hash table (idtable.h). When each person's entries form one run with
 * ascending ages, the panel is built straight from the columns
 * (panel_sorted.c); otherwise through rows and panel_build_covariates(), which
 * accepts any order. HDF5's own error printing is off during these calls
 * and restored after them. */
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/csv_tokens.h" /* csv_alloc_large */
#include "base/h5util.h"
#include "base/idtable.h"
#include "families/family.h"
#include "panel/panel.h"
#include "panel/panel_covariates.h"
#include "formats/panel_columns.h"
#include "formats/panel_h5.h"
#include "panel/panel_sorted.h"
#include "base/sha256.h"

/* ---- datasets ------------------------------------------------------------ */

/* Deflate, the strongest of HDF5's own filters, packs at most about 1032
 * bytes into one; a filtered dataset that declares more than this many
 * times its stored bytes cannot hold its entries. */
#define H5_PACK_MAX 1100

/* Whether HDF5 can read the dataset's filters, and its storage can hold
 * the need bytes its extent declares: all of them when stored as they are
 * (a chunked dataset of which no chunk was written holds none), 1 in
 * H5_PACK_MAX when compressed, and no more than the file's file_bytes (0:
 * not known). Checked before anything is allocated for the entries, so a
 * small file cannot make the reader allocate what it only declares. */
static bool storage_holds(h5io *io, hid_t ds, const char *path, hsize_t need, size_t file_bytes) {
  hid_t dcpl = H5Dget_create_plist(ds);
  int nf = dcpl >= 0 ? H5Pget_nfilters(dcpl) : 0;
  bool ok = true;
  for (int i = 0; i < nf && ok; i++) {
    unsigned flags, config;
    size_t nelmts = 0;
    char name[64] = "";
    H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &nelmts, NULL, sizeof name, name, &config);
    if (id >= 0 && H5Zfilter_avail(id) <= 0)
      ok = h5_fail(io, GBTM_ERR_PARSE,
                   "%s is compressed with HDF5 filter %d%s%s%s, which this HDF5 library does not have (install "
                   "the filter's plugin, or write the file again without it, e.g. h5repack -f NONE)",
                   path, (int)id, *name ? " (" : "", name, *name ? ")" : "");
  }
  if (dcpl >= 0) H5Pclose(dcpl);
  if (!ok) return false;
  hsize_t held = H5Dget_storage_size(ds);
  if (file_bytes && held > file_bytes)
    return h5_fail(io, GBTM_ERR_PARSE, "%s claims %llu bytes of storage in a file of %zu bytes (the file is damaged)",
                   path, (unsigned long long)held, file_bytes);
  if (nf == 0 && held < need)
    return h5_fail(io, GBTM_ERR_PARSE, "%s holds %llu bytes of data for %llu expected (the file is damaged)",
                   path, (unsigned long long)held, (unsigned long long)need);
  if (nf > 0 && need / H5_PACK_MAX > held)
    return h5_fail(io, GBTM_ERR_PARSE,
                   "%s holds %llu bytes of compressed data for the %llu its size declares, more than any "
                   "compression packs (the file is damaged)",
                   path, (unsigned long long)held, (unsigned long long)need);
  return true;
}

/* Opens the dataset at path ("/panel/age") and checks that it exists, that
 * its type class is cls (or, with allow_integer, an integer) and that it
 * has rank 1, and that its storage holds what it declares (storage_holds;
 * file_bytes: the file's size, 0 when not known); its length into *n. -1
 * (reported) otherwise. */
static hid_t r_open(h5io *io, hid_t file, const char *path, H5T_class_t cls, bool allow_integer,
                    size_t file_bytes, hsize_t *n) {
  if (io->st != GBTM_OK) return -1;
  /* H5Lexists wants each parent to exist: check the path link by link */
  char part[GBTM_NAME_MAX + 32];
  for (const char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
    size_t len = slash ? (size_t)(slash - path) : strlen(path);
    if (len >= sizeof part) len = sizeof part - 1;
    memcpy(part, path, len);
    part[len] = '\0';
    if (H5Lexists(file, part, H5P_DEFAULT) <= 0) {
      h5_fail(io, GBTM_ERR_PARSE, "%s is missing", path);
      return -1;
    }
    if (!slash) break;
  }
  hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
  if (ds < 0) {
    h5_fail(io, GBTM_ERR_PARSE, "%s is not a readable dataset", path);
    return -1;
  }
  hid_t type = H5Dget_type(ds);
  H5T_class_t c = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  size_t size = type >= 0 ? H5Tget_size(type) : 0;
  if (type >= 0) H5Tclose(type);
  if (c != cls && !(allow_integer && c == H5T_INTEGER)) {
    h5_fail(io, GBTM_ERR_PARSE, "%s is %s, expected %s", path, h5_class_name(c),
         cls == H5T_FLOAT ? "a number" : cls == H5T_INTEGER ? "an integer" : "an integer or a string");
    H5Dclose(ds);
    return -1;
  }
  /* A damaged file can claim any element size; converting it would
   * allocate that much per entry. Numbers have at most 8 bytes, ids at
   * most 64 KiB. */
  if (size < 1 || size > (c == H5T_STRING ? 65536u : 8u)) {
    h5_fail(io, GBTM_ERR_PARSE, "%s has entries of %zu bytes, expected %s (the file is damaged)", path, size,
            c == H5T_STRING ? "at most 65536" : "1 to 8");
    H5Dclose(ds);
    return -1;
  }
  hid_t space = H5Dget_space(ds);
  H5S_class_t sc = space >= 0 ? H5Sget_simple_extent_type(space) : H5S_NO_CLASS;
  int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  hsize_t d[H5S_MAX_RANK];
  if (rank > 0 && H5Sget_simple_extent_dims(space, d, NULL) < 0) rank = -1;
  if (space >= 0) H5Sclose(space);
  if (sc != H5S_SIMPLE || rank != 1) {
    if (sc == H5S_NULL || rank < 0)
      h5_fail(io, GBTM_ERR_PARSE, "%s holds no data", path);
    else if (rank == 0)
      h5_fail(io, GBTM_ERR_PARSE, "%s is a scalar, expected one entry per observation (rank 1)", path);
    else {
      char shape[128];
      size_t used = 0;
      for (int j = 0; j < rank && used < sizeof shape; j++)
        used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%llu", j ? "x" : "",
                                 (unsigned long long)d[j]);
      h5_fail(io, GBTM_ERR_PARSE, "%s has rank %d (shape %s), expected rank 1: one entry per observation",
           path, rank, shape);
    }
    H5Dclose(ds);
    return -1;
  }
  if (!storage_holds(io, ds, path, d[0] > UINT64_MAX / size ? UINT64_MAX : d[0] * size, file_bytes)) {
    H5Dclose(ds);
    return -1;
  }
  *n = d[0];
  return ds;
}

/* Checks that the dataset at path has n entries, as the ids have (ids:
 * "/panel/id", or in version 2 "the ids of /panel/id_offsets"). */
static bool same_length(h5io *io, const char *path, hsize_t got, hsize_t n, const char *ids) {
  if (got == n) return true;
  return h5_fail(io, GBTM_ERR_PARSE, "%s has %llu entries, %s %llu", path, (unsigned long long)got, ids,
              (unsigned long long)n);
}

/* The cells of the file as columns. */
typedef struct h5cells {
  size_t n;          /* entries read: the block's */
  size_t from;       /* the block's first entry in the file */
  hsize_t total;     /* entries in the file */
  size_t n_persons;
  char **ids;        /* [n_persons] owned until handed to a builder */
  bool grouped;      /* each person's entries form one run */
  size_t *start;     /* [n_persons + 1] when grouped */
  uint32_t *person;  /* [n] when not grouped */
  double *age;       /* [n] */
  int32_t *count;    /* [n], or NULL when real */
  bool real;         /* the responses are reals (a family with real_response) */
  double *response;  /* [n] when real, else NULL */
  gbtm_family_id family; /* whose real responses are checked (family_real_why) */
  double ymin, ymax;  /* the censoring points they are checked against */
  double *exposure;  /* [n] or NULL */
  double *values;    /* [n x covariates] or NULL */
  bool missing;      /* a covariate value is NaN */
  size_t file_bytes; /* the file's size when read whole, else 0 */
  uint64_t max_bytes; /* the read's memory limit (0: none) */
  size_t n_covariates; /* the covariates read */
  int version;       /* the file's format version */
  const char *ids_name; /* the ids in messages of lengths (same_length) */
} h5cells;

static void cells_free(h5cells *c) {
  if (c->ids)
    for (size_t i = 0; i < c->n_persons; i++) free(c->ids[i]);
  free(c->ids);
  free(c->start);
  free(c->person);
  free(c->age);
  free(c->count);
  free(c->response);
  free(c->exposure);
  free(c->values);
}

/* Entries [from, from + n) of a dataset of total entries as mtype into
 * buf: the whole dataset, or a hyperslab of it (one process's block). */
static bool read_rows(hid_t ds, hid_t mtype, hsize_t from, hsize_t n, hsize_t total, void *buf) {
  if (from == 0 && n == total) return H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
  hid_t fspace = H5Dget_space(ds), mspace = H5Screate_simple(1, &n, NULL);
  bool ok = fspace >= 0 && mspace >= 0 && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &from, NULL, &n, NULL) >= 0 &&
            H5Dread(ds, mtype, mspace, fspace, H5P_DEFAULT, buf) >= 0;
  if (fspace >= 0) H5Sclose(fspace);
  if (mspace >= 0) H5Sclose(mspace);
  return ok;
}

/* The block of c of a dataset as mtype into buf, and closes ds. */
static void r_read(h5io *io, hid_t ds, const char *path, hid_t mtype, const h5cells *c, void *buf) {
  if (ds < 0) return;
  if (io->st == GBTM_OK && !read_rows(ds, mtype, c->from, c->n, c->total, buf))
    h5_fail(io, GBTM_ERR_PARSE, "cannot read %s (the file is damaged)", path);
  H5Dclose(ds);
}

/* The block of c of a numeric dataset as doubles, into x (room for c->n). */
static void r_doubles(h5io *io, hid_t file, const char *path, const h5cells *c, double *x) {
  hsize_t got = 0;
  hid_t ds = r_open(io, file, path, H5T_FLOAT, true, c->file_bytes, &got);
  if (ds >= 0 && !same_length(io, path, got, c->total, c->ids_name)) {
    H5Dclose(ds);
    return;
  }
  r_read(io, ds, path, H5T_NATIVE_DOUBLE, c, x);
}

/* The attribute format_version of /panel: an integer, 1 up to ours; 0 on
 * failure. */
static int check_version(h5io *io, hid_t g) {
  if (io->st != GBTM_OK) return 0;
  if (H5Aexists(g, "format_version") <= 0) {
    h5_fail(io, GBTM_ERR_PARSE, "/panel has no attribute format_version (this gbtm reads version %d)",
         GBTM_PANEL_FORMAT_VERSION);
    return 0;
  }
  hid_t a = H5Aopen(g, "format_version", H5P_DEFAULT);
  hid_t type = a >= 0 ? H5Aget_type(a) : -1, space = a >= 0 ? H5Aget_space(a) : -1;
  H5T_class_t c = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  hssize_t npoints = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  long long version = 0;
  if (c != H5T_INTEGER || npoints != 1)
    h5_fail(io, GBTM_ERR_PARSE, "the attribute format_version of /panel is not one integer");
  else if (H5Aread(a, H5T_NATIVE_LLONG, &version) < 0)
    h5_fail(io, GBTM_ERR_PARSE, "cannot read the attribute format_version of /panel");
  else if (version > GBTM_PANEL_FORMAT_VERSION)
    h5_fail(io, GBTM_ERR_PARSE, "/panel has format_version %lld, newer than this gbtm reads (%d)", version,
         GBTM_PANEL_FORMAT_VERSION);
  else if (version < 1)
    h5_fail(io, GBTM_ERR_PARSE, "/panel has format_version %lld, expected %d", version,
         GBTM_PANEL_FORMAT_VERSION);
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (a >= 0) H5Aclose(a);
  return io->st == GBTM_OK ? (int)version : 0;
}

/* ---- ids -------------------------------------------------------------------- */

/* /panel/id in memory, whatever its type. */
typedef struct id_column {
  enum { ID_SIGNED, ID_UNSIGNED, ID_FIXED, ID_VARIABLE, ID_PACKED } kind;
  const int64_t *v; /* integers (as uint64_t when unsigned) */
  const char *fixed; /* n x width bytes */
  size_t width;
  bool spacepad;
  char *const *var; /* n strings (NULL = "") */
  const unsigned char *bytes; /* version 2: the entries' ids, from byte base */
  const long long *off;       /* entry a's id: bytes off[a] - base to off[a + 1] - base */
  long long base;
} id_column;

/* Whether entries a and b hold the same id as stored (equal text may be
 * stored two ways in fixed-length strings: then two runs, which the
 * ordering test sends to the hash table, which merges them). */
static inline bool id_same(const id_column *c, size_t a, size_t b) {
  switch (c->kind) {
  case ID_SIGNED:
  case ID_UNSIGNED: return c->v[a] == c->v[b];
  case ID_FIXED: { /* eight bytes at a time: ids are short, a call would cost more */
    const char *x = c->fixed + a * c->width, *y = c->fixed + b * c->width;
    size_t w = c->width;
    for (; w >= 8; w -= 8, x += 8, y += 8) {
      uint64_t p, q;
      memcpy(&p, x, 8);
      memcpy(&q, y, 8);
      if (p != q) return false;
    }
    for (; w > 0; w--)
      if (*x++ != *y++) return false;
    return true;
  }
  case ID_VARIABLE: return strcmp(c->var[a] ? c->var[a] : "", c->var[b] ? c->var[b] : "") == 0;
  case ID_PACKED: {
    long long la = c->off[a + 1] - c->off[a];
    return la == c->off[b + 1] - c->off[b] &&
           memcmp(c->bytes + (c->off[a] - c->base), c->bytes + (c->off[b] - c->base), (size_t)la) == 0;
  }
  }
  return false;
}

/* The text of entry a's id and its length (tmp: room for an integer). */
static size_t id_text(const id_column *c, size_t a, char tmp[24], const char **text) {
  switch (c->kind) {
  case ID_SIGNED: *text = tmp; return (size_t)snprintf(tmp, 24, "%" PRId64, c->v[a]);
  case ID_UNSIGNED: *text = tmp; return (size_t)snprintf(tmp, 24, "%" PRIu64, (uint64_t)c->v[a]);
  case ID_FIXED: {
    const char *s = c->fixed + a * c->width;
    size_t len = strnlen(s, c->width);
    if (c->spacepad)
      while (len > 0 && s[len - 1] == ' ') len--;
    *text = s;
    return len;
  }
  case ID_VARIABLE: *text = c->var[a] ? c->var[a] : ""; return strlen(*text);
  case ID_PACKED: *text = (const char *)c->bytes + (c->off[a] - c->base); return (size_t)(c->off[a + 1] - c->off[a]);
  }
  *text = "";
  return 0;
}

/* Whether the id of entry b sorts after that of entry a: numerically for
 * integers; for strings in byte order (*lex) and in the order of length,
 * then bytes (*shortlex: "P999" before "P1000"). Ids that ascend in any one
 * strict order are distinct. */
static void id_after(const id_column *c, size_t a, size_t b, bool *lex, bool *shortlex) {
  if (c->kind == ID_SIGNED) {
    *lex = *lex && c->v[b] > c->v[a];
    *shortlex = false;
    return;
  }
  if (c->kind == ID_UNSIGNED) {
    *lex = *lex && (uint64_t)c->v[b] > (uint64_t)c->v[a];
    *shortlex = false;
    return;
  }
  char ta[24], tb[24];
  const char *sa, *sb;
  size_t la = id_text(c, a, ta, &sa), lb = id_text(c, b, tb, &sb);
  int d = memcmp(sa, sb, la < lb ? la : lb);
  *lex = *lex && (d < 0 || (d == 0 && la < lb));
  *shortlex = *shortlex && (la < lb || (la == lb && d < 0));
}

/* Checks the id text of entry a, the start of a run. */
static bool check_id(h5io *io, const id_column *c, size_t a, const char *text, size_t len) {
  bool packed = c->kind == ID_PACKED;
  if (len == 0)
    return packed ? h5_fail(io, GBTM_ERR_PARSE, "/panel/id_offsets gives entry %zu an empty id", a)
                  : h5_fail(io, GBTM_ERR_PARSE, "/panel/id[%zu] is empty", a);
  if (memchr(text, '\0', len))
    return packed ? h5_fail(io, GBTM_ERR_PARSE, "/panel/id_bytes holds a NUL byte in the id of entry %zu", a)
                  : h5_fail(io, GBTM_ERR_PARSE, "/panel/id[%zu] contains a NUL byte", a);
  return true;
}

/* Persons from the runs of equal ids, when the runs' ids ascend: each run
 * a new person. */
static void persons_of_ascending_runs(h5io *io, const id_column *c, size_t runs, h5cells *out) {
  out->ids = calloc(runs, sizeof *out->ids);
  out->start = malloc((runs + 1) * sizeof *out->start);
  if (!out->ids || !out->start) {
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %zu persons", runs);
    return;
  }
  out->n_persons = runs;
  out->grouped = true;
  size_t i = 0;
  for (size_t a = 0; a < out->n && io->st == GBTM_OK; a++) {
    if (a > 0 && id_same(c, a, a - 1)) continue;
    char tmp[24];
    const char *text;
    size_t len = id_text(c, a, tmp, &text);
    if (!check_id(io, c, out->from + a, text, len)) break;
    if (!(out->ids[i] = malloc(len + 1))) {
      h5_fail(io, GBTM_ERR_NOMEM, "out of memory storing person ids");
      break;
    }
    memcpy(out->ids[i], text, len);
    out->ids[i][len] = '\0';
    out->start[i++] = a;
  }
  out->start[runs] = out->n;
}

/* Persons by a hash table of the runs' ids, in order of first appearance;
 * grouped when no id comes back after another's run. */
static void persons_by_table(h5io *io, const id_column *c, size_t runs, h5cells *out) {
  idtable *table = idtable_alloc(runs);
  out->person = malloc(out->n * sizeof *out->person);
  if (!table || !out->person) {
    idtable_free(table);
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %zu entries", out->n);
    return;
  }
  bool grouped = true;
  uint32_t person = 0;
  for (size_t a = 0; a < out->n && io->st == GBTM_OK; a++) {
    if (a > 0 && id_same(c, a, a - 1)) {
      out->person[a] = person;
      continue;
    }
    char tmp[24];
    const char *text;
    size_t len = id_text(c, a, tmp, &text);
    bool added;
    if (!check_id(io, c, out->from + a, text, len)) break;
    if (!idtable_intern(table, text, len, &person, &added)) {
      h5_fail(io, GBTM_ERR_NOMEM, "out of memory storing person ids");
      break;
    }
    grouped = grouped && added;
    out->person[a] = person;
  }
  out->ids = idtable_take_ids(table, &out->n_persons);
  idtable_free(table);
  if (io->st != GBTM_OK || !grouped) return;
  /* one run per person: the runs are the persons */
  if (!(out->start = malloc((out->n_persons + 1) * sizeof *out->start))) {
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %zu persons", out->n_persons);
    return;
  }
  for (size_t a = 0; a < out->n; a++)
    if (a == 0 || out->person[a] != out->person[a - 1]) out->start[out->person[a]] = a;
  out->start[out->n_persons] = out->n;
  out->grouped = true;
}

/* The persons of the id column: runs counted, then numbered. */
static void assign_persons(h5io *io, const id_column *c, h5cells *out) {
  size_t runs = 0, last = 0;
  bool lex = true, shortlex = true;
  for (size_t a = 0; a < out->n; a++) {
    if (a > 0 && id_same(c, a, a - 1)) continue;
    if (runs > 0 && (lex || shortlex)) id_after(c, last, a, &lex, &shortlex);
    last = a;
    runs++;
  }
  bool ascending = lex || shortlex;
  if (runs > UINT32_MAX - 1) {
    h5_fail(io, GBTM_ERR_DATA, "/panel/id: more than %u persons", UINT32_MAX - 1);
    return;
  }
  if (ascending)
    persons_of_ascending_runs(io, c, runs, out);
  else
    persons_by_table(io, c, runs, out);
}

/* Entries [from, from + n) of /panel/id (ds, of type ftype) as an
 * id_column: *buf holds them until ids_free(). */
typedef struct id_load {
  id_column c;
  void *buf;
  hid_t mtype;
  hsize_t n;
  bool variable;
  bool filled; /* read from the file: variable strings to reclaim */
} id_load;

static void ids_free(id_load *l) {
  if (l->filled && l->variable) {
    hid_t space = H5Screate_simple(1, &l->n, NULL);
    if (space >= 0) {
#if H5_VERSION_GE(1, 12, 0)
      H5Treclaim(l->mtype, space, H5P_DEFAULT, l->buf);
#else
      H5Dvlen_reclaim(l->mtype, space, H5P_DEFAULT, l->buf);
#endif
      H5Sclose(space);
    }
  }
  free(l->buf);
  if (l->mtype >= 0) H5Tclose(l->mtype);
  *l = (id_load){.mtype = -1};
}

/* Where the ids are read from: /panel/id (ds, of type ftype), or in
 * version 2 /panel/id_bytes (ds, of n_bytes bytes) by the checked offsets
 * off [entries + 1] of /panel/id_offsets. */
typedef struct id_source {
  hid_t ds;
  hid_t ftype;
  const long long *off; /* NULL: /panel/id */
  hsize_t n_bytes;
} id_source;

/* Version 2: the bytes of entries [from, from + n). */
static bool ids_load_packed(h5io *io, const id_source *s, hsize_t from, hsize_t n, id_load *l) {
  id_column *c = &l->c;
  c->kind = ID_PACKED;
  c->off = s->off + from;
  c->base = c->off[0];
  hsize_t len = (hsize_t)(c->off[n] - c->off[0]);
  c->bytes = l->buf = len <= SIZE_MAX - 1 ? csv_alloc_large((size_t)len + 1) : NULL;
  if (!l->buf) {
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory reading /panel/id_bytes");
    return false;
  }
  if (len > 0 && !read_rows(s->ds, H5T_NATIVE_UCHAR, (hsize_t)c->base, len, s->n_bytes, l->buf)) {
    h5_fail(io, GBTM_ERR_PARSE, "cannot read /panel/id_bytes (the file is damaged)");
    ids_free(l);
    return false;
  }
  return true;
}

static bool ids_load(h5io *io, const id_source *s, hsize_t from, hsize_t n, hsize_t total, id_load *l) {
  *l = (id_load){.mtype = -1, .n = n};
  if (io->st != GBTM_OK) return false;
  if (s->off) return ids_load_packed(io, s, from, n, l);
  hid_t ds = s->ds, ftype = s->ftype;
  H5T_class_t cls = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
  l->variable = cls == H5T_STRING && H5Tis_variable_str(ftype) > 0;
  id_column *c = &l->c;
  if (cls == H5T_INTEGER) {
    c->kind = H5Tget_sign(ftype) == H5T_SGN_NONE ? ID_UNSIGNED : ID_SIGNED;
    l->mtype = H5Tcopy(c->kind == ID_SIGNED ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64);
    c->v = l->buf = csv_alloc_large((size_t)n * sizeof *c->v);
  } else if (l->variable) {
    c->kind = ID_VARIABLE;
    l->mtype = H5Tcopy(H5T_C_S1);
    if (l->mtype >= 0 && (H5Tset_size(l->mtype, H5T_VARIABLE) < 0 || H5Tset_cset(l->mtype, H5Tget_cset(ftype)) < 0)) {
      H5Tclose(l->mtype);
      l->mtype = -1;
    }
    c->var = l->buf = calloc((size_t)n, sizeof(char *));
  } else {
    c->kind = ID_FIXED;
    c->width = H5Tget_size(ftype);
    c->spacepad = H5Tget_strpad(ftype) == H5T_STR_SPACEPAD;
    l->mtype = H5Tcopy(ftype);
    c->fixed = l->buf = c->width > 0 && n <= SIZE_MAX / c->width ? csv_alloc_large((size_t)n * c->width) : NULL;
  }
  if (io->st == GBTM_OK && !l->buf) h5_fail(io, GBTM_ERR_NOMEM, "out of memory reading /panel/id");
  if (io->st == GBTM_OK && l->mtype < 0) h5_fail(io, GBTM_ERR_PARSE, "cannot read /panel/id");
  bool read = io->st == GBTM_OK && read_rows(ds, l->mtype, from, n, total, l->buf);
  if (io->st == GBTM_OK && !read) h5_fail(io, GBTM_ERR_PARSE, "cannot read /panel/id (the file is damaged)");
  l->filled = read;
  if (!read) ids_free(l);
  return read;
}

/* The cut near entry x of the block boundaries: moved past the entries
 * with the id of the entry before, so that a person (whose entries are
 * consecutive) is not cut. */
#define CUT_WINDOW 4096
static hsize_t cut_entries(h5io *io, const id_source *s, hsize_t total, hsize_t x) {
  while (x > 0 && x < total && io->st == GBTM_OK) {
    hsize_t n = total - (x - 1) < CUT_WINDOW ? total - (x - 1) : CUT_WINDOW;
    id_load l;
    if (!ids_load(io, s, x - 1, n, total, &l)) return x;
    size_t i = 1;
    while (i < n && id_same(&l.c, i, i - 1)) i++;
    ids_free(&l);
    x += i - 1;
    if (i < n) break; /* the run ended inside the window */
  }
  return x;
}

/* Version 2: /panel/id_offsets and /panel/id_bytes opened, their sizes
 * checked against their storage (r_open), and the offsets read whole and
 * checked (h5_id_offsets_ok) into s; the entries into *n. */
static void open_packed(h5io *io, hid_t file, const h5cells *out, id_source *s, long long **off, hsize_t *n) {
  hsize_t n_off = 0;
  hid_t ds = r_open(io, file, "/panel/id_offsets", H5T_INTEGER, false, out->file_bytes, &n_off);
  if (ds < 0) return;
  s->ds = r_open(io, file, "/panel/id_bytes", H5T_INTEGER, false, out->file_bytes, &s->n_bytes);
  if (io->st == GBTM_OK && n_off == 0)
    h5_fail(io, GBTM_ERR_PARSE, "/panel/id_offsets has no entries, expected one more than the observations");
  else if (io->st == GBTM_OK && n_off - 1 > SIZE_MAX / sizeof **off - 1)
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %llu entries", (unsigned long long)n_off);
  else if (io->st == GBTM_OK && !(*off = csv_alloc_large((size_t)n_off * sizeof **off)))
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory reading /panel/id_offsets");
  else if (io->st == GBTM_OK && H5Dread(ds, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, *off) < 0)
    h5_fail(io, GBTM_ERR_PARSE, "cannot read /panel/id_offsets (the file is damaged)");
  else if (io->st == GBTM_OK && !h5_id_offsets_ok(*off, (size_t)(n_off - 1), (unsigned long long)s->n_bytes))
    h5_fail(io, GBTM_ERR_PARSE,
            "/panel/id_offsets must run from 0 up to the %llu bytes of /panel/id_bytes, never decreasing",
            (unsigned long long)s->n_bytes);
  H5Dclose(ds);
  s->off = *off;
  *n = n_off ? n_off - 1 : 0;
}

/* The ids (/panel/id, or in version 2 /panel/id_bytes by /panel/id_offsets):
 * the block's entries (all of them, or the block of process rank of size)
 * and their persons into out. */
static void read_ids(h5io *io, hid_t file, int rank, int size, h5cells *out) {
  hsize_t n = 0;
  id_source s = {-1, -1, NULL, 0};
  long long *off = NULL;
  const char *name = out->version >= 2 ? "the ids of /panel/id_offsets" : "/panel/id";
  out->ids_name = name;
  if (out->version >= 2)
    open_packed(io, file, out, &s, &off, &n);
  else if ((s.ds = r_open(io, file, "/panel/id", H5T_STRING, true, out->file_bytes, &n)) >= 0)
    s.ftype = H5Dget_type(s.ds);
  out->total = n;
  hsize_t from = 0, to = n;
  if (io->st != GBTM_OK) {
  } else if (n == 0) {
    h5_fail(io, GBTM_ERR_PARSE, "%s has no entries (no data rows)", out->version >= 2 ? "/panel/id_offsets" : name);
  } else if (n > UINT32_MAX && size == 1) {
    h5_fail(io, GBTM_ERR_DATA, "%s has %llu entries, more than %u", name, (unsigned long long)n, UINT32_MAX);
  } else if (size > 1) {
    from = cut_entries(io, &s, n, (hsize_t)((double)n * rank / size));
    to = cut_entries(io, &s, n, (hsize_t)((double)n * (rank + 1) / size));
    if (io->st == GBTM_OK && from == to)
      h5_fail(io, GBTM_ERR_USAGE, "process %d of %d has no persons (a person's entries are not cut): run fewer processes",
              rank, size);
    else if (to - from > UINT32_MAX)
      h5_fail(io, GBTM_ERR_DATA, "a block of %s has %llu entries, more than %u: run more processes", name,
              (unsigned long long)(to - from), UINT32_MAX);
  }
  out->from = (size_t)from;
  out->n = (size_t)(to - from);
  if (io->st == GBTM_OK && out->max_bytes) { /* before anything is allocated for the entries */
    double width = s.off ? 8.0 + (double)(s.off[to] - s.off[from]) / (double)(to - from)
                         : (double)(s.ftype >= 0 ? H5Tget_size(s.ftype) : 8);
    if (s.ftype >= 0 && H5Tis_variable_str(s.ftype) > 0) width += 32; /* the strings, short ids as a guess */
    /* per entry: the id, age, count, exposure and covariates read, and a row */
    double need = (double)out->file_bytes +
                  (double)out->n * (width + 8 + 8 + 8 + 16 * (double)out->n_covariates + (double)sizeof(panel_row));
    if (need > (double)out->max_bytes)
      h5_fail(io, GBTM_ERR_USAGE,
              "%s declares %llu entries: reading them needs about %.0f bytes, more than the memory limit "
              "of the read (%llu bytes, --max-memory)",
              name, (unsigned long long)out->n, need, (unsigned long long)out->max_bytes);
  }
  id_load l;
  if (io->st == GBTM_OK && ids_load(io, &s, from, to - from, n, &l)) {
    assign_persons(io, &l.c, out);
    ids_free(&l);
  }
  if (s.ftype >= 0) H5Tclose(s.ftype);
  if (s.ds >= 0) H5Dclose(s.ds);
  free(off);
}

/* ---- cells and covariates ------------------------------------------------- */

/* Ages, counts and exposures (whenever present; required by want_exposure). */
static void read_cells(h5io *io, hid_t file, bool want_exposure, h5cells *c) {
  if (io->st != GBTM_OK) return;
  size_t n = c->n;
  if (!(c->age = csv_alloc_large(n * sizeof *c->age)) ||
      !(c->real ? (void *)(c->response = csv_alloc_large(n * sizeof *c->response))
                : (void *)(c->count = csv_alloc_large(n * sizeof *c->count)))) {
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory for %zu entries", n);
    return;
  }
  r_doubles(io, file, "/panel/age", c, c->age);
  for (size_t a = 0; a < n && io->st == GBTM_OK; a++)
    if (!csv_age_ok(c->age[a]))
      h5_fail(io, GBTM_ERR_PARSE, "/panel/age[%zu] = %g %s", c->from + a, c->age[a],
              isfinite(c->age[a]) ? "is beyond -1e300 to 1e300 (the polynomial in age would overflow)"
                                  : "is not a finite number");

  const char *why;
  if (c->real) { /* reals (version 3, float64), or integers: any number type */
    r_doubles(io, file, "/panel/count", c, c->response);
    for (size_t a = 0; a < n && io->st == GBTM_OK; a++)
      if (!isfinite(c->response[a]))
        h5_fail(io, GBTM_ERR_PARSE, "/panel/count[%zu] = %g is not a finite number", c->from + a, c->response[a]);
      else if ((why = family_real_why(c->family, c->response[a], c->ymin, c->ymax)))
        h5_fail(io, GBTM_ERR_PARSE, "/panel/count[%zu] = %.17g %s", c->from + a, c->response[a], why);
  }
  hsize_t got = 0;
  hid_t ds = c->real ? -1 : r_open(io, file, "/panel/count", H5T_INTEGER, false, c->file_bytes, &got);
  if (ds >= 0 && !same_length(io, "/panel/count", got, c->total, c->ids_name)) {
    H5Dclose(ds);
    ds = -1;
  }
  if (ds >= 0) { /* signed and at most 32 bits: straight into int32 */
    hid_t ftype = H5Dget_type(ds);
    bool narrow = ftype >= 0 && H5Tget_sign(ftype) == H5T_SGN_2 && H5Tget_size(ftype) <= 4;
    bool unsig = ftype >= 0 && H5Tget_sign(ftype) == H5T_SGN_NONE; /* read as stored: uint64 beyond int64 too */
    if (ftype >= 0) H5Tclose(ftype);
    int64_t *wide = narrow ? NULL : malloc(n * sizeof *wide);
    if (!narrow && !wide) h5_fail(io, GBTM_ERR_NOMEM, "out of memory reading /panel/count");
    r_read(io, ds, "/panel/count", narrow ? H5T_NATIVE_INT32 : unsig ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64, c,
           narrow ? (void *)c->count : (void *)wide);
    for (size_t a = 0; a < n && io->st == GBTM_OK; a++) {
      int64_t y = narrow ? c->count[a] : wide[a];
      if (unsig && (uint64_t)y > INT32_MAX)
        h5_fail(io, GBTM_ERR_PARSE, "/panel/count[%zu] = %" PRIu64 " is not a count (0 to 2147483647)", c->from + a,
                (uint64_t)y);
      else if (y < 0 || y > INT32_MAX)
        h5_fail(io, GBTM_ERR_PARSE, "/panel/count[%zu] = %" PRId64 " is not a count (0 to 2147483647)", c->from + a, y);
      c->count[a] = (int32_t)y;
    }
    free(wide);
  }

  bool has = io->st == GBTM_OK && H5Lexists(file, "/panel/exposure", H5P_DEFAULT) > 0;
  if (io->st == GBTM_OK && want_exposure && !has) h5_fail(io, GBTM_ERR_PARSE, "/panel/exposure is missing");
  if (io->st != GBTM_OK || !has) return;
  if (!(c->exposure = csv_alloc_large(n * sizeof *c->exposure))) {
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory reading /panel/exposure");
    return;
  }
  r_doubles(io, file, "/panel/exposure", c, c->exposure);
  for (size_t a = 0; a < n && io->st == GBTM_OK; a++)
    if (!(isfinite(c->exposure[a]) && c->exposure[a] > 0.0))
      h5_fail(io, GBTM_ERR_PARSE, "/panel/exposure[%zu] = %g is not a finite number > 0", c->from + a, c->exposure[a]);
}

/* The covariates that columns names, as panel_covariates_in values. */
static void read_covariates(h5io *io, hid_t file, const gbtm_csv_columns *cols, h5cells *c) {
  size_t nc = (size_t)(cols->n_risk + cols->n_tcov), n = c->n;
  if (io->st != GBTM_OK || nc == 0) return;
  double *x = malloc(n * sizeof *x);
  c->values = n <= SIZE_MAX / sizeof(double) / nc ? malloc(n * nc * sizeof *c->values) : NULL;
  if (!x || !c->values) {
    free(x);
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory reading the covariates");
    return;
  }
  for (size_t j = 0; j < nc && io->st == GBTM_OK; j++) {
    bool risk = (int)j < cols->n_risk;
    const char *name = risk ? cols->risk[j] : cols->tcov[j - (size_t)cols->n_risk];
    char path[GBTM_NAME_MAX + 16];
    snprintf(path, sizeof path, "/panel/%s/%s", risk ? "risk" : "tcov", name);
    if (strchr(name, '/')) {
      h5_fail(io, GBTM_ERR_USAGE, "the covariate \"%s\" cannot name a dataset (a '/')", name);
      break;
    }
    r_doubles(io, file, path, c, x);
    for (size_t a = 0; a < n && io->st == GBTM_OK; a++) {
      if (isinf(x[a]))
        h5_fail(io, GBTM_ERR_PARSE, "%s[%zu] = %g is not a finite number (NaN marks a missing value)", path, c->from + a,
             x[a]);
      else if (isnan(x[a]) && !cols->drop_missing)
        h5_fail(io, GBTM_ERR_DATA, "%s[%zu]: missing value of %s \"%s\" (or drop such %s with --drop-missing)",
             path, c->from + a,
             risk && cols->weight && strcmp(name, cols->weight) == 0 ? "weight" /* eq. W */
             : risk ? "risk factor" : "time-varying covariate",
             name, risk ? "persons" : "rows");
      c->missing = c->missing || isnan(x[a]);
      c->values[a * nc + j] = x[a];
    }
  }
  free(x);
}

/* ---- the file ---------------------------------------------------------------- */

/* The file's bytes in memory, read once and hashed as they arrive: HDF5
 * then reads them from memory (its core driver), so the fingerprint is
 * that of the bytes the panel was read from, and the file is not opened
 * again. HDF5 hands its image calls to these callbacks, which give it the
 * one buffer without copying it and leave its freeing to the reader. */
typedef struct h5image {
  unsigned char *buf;
  size_t size;
} h5image;

static void *image_malloc(size_t size, H5FD_file_image_op_t op, void *udata) {
  (void)op;
  h5image *im = udata;
  return size == im->size ? im->buf : NULL;
}
static void *image_memcpy(void *dest, const void *src, size_t size, H5FD_file_image_op_t op, void *udata) {
  (void)op, (void)udata;
  return dest == src ? dest : memcpy(dest, src, size);
}
static void *image_realloc(void *ptr, size_t size, H5FD_file_image_op_t op, void *udata) {
  (void)ptr, (void)size, (void)op, (void)udata;
  return NULL; /* read only */
}
static herr_t image_free(void *ptr, H5FD_file_image_op_t op, void *udata) {
  (void)ptr, (void)op, (void)udata;
  return 0;
}
static void *image_udata_copy(void *udata) { return udata; }
static herr_t image_udata_free(void *udata) {
  (void)udata;
  return 0;
}

#define H5_SIGNATURE "\x89HDF\r\n\x1a\n"

/* Reads the file whole into im, its SHA-256 into sha256; a file that is
 * not regular (HDF5 is read out of order) or larger than max_bytes (0: no
 * limit) is refused. */
static void read_image(h5io *io, uint64_t max_bytes, h5image *im, char sha256[65]) {
  int fd = open(io->file, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0)
    h5_fail(io, GBTM_ERR_IO, "cannot open: %s", strerror(errno));
  else if (!S_ISREG(sb.st_mode))
    h5_fail(io, GBTM_ERR_USAGE, "not a regular file: an HDF5 panel is read out of order, so not from a pipe or a device");
  else if (max_bytes && (uint64_t)sb.st_size > max_bytes)
    h5_fail(io, GBTM_ERR_USAGE, "%llu bytes, more than the memory limit of the read (%llu bytes, --max-memory)",
            (unsigned long long)sb.st_size, (unsigned long long)max_bytes);
  else if (!(im->buf = csv_alloc_large((size_t)sb.st_size)))
    h5_fail(io, GBTM_ERR_NOMEM, "out of memory reading the file (%llu bytes)", (unsigned long long)sb.st_size);
  sha256_ctx hash;
  sha256_init(&hash);
  im->size = 0;
  while (io->st == GBTM_OK && im->size < (size_t)sb.st_size) {
    ssize_t got = read(fd, im->buf + im->size, (size_t)sb.st_size - im->size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      h5_fail(io, GBTM_ERR_IO, "cannot read: %s", got < 0 ? strerror(errno) : "the file became shorter");
      break;
    }
    sha256_update(&hash, im->buf + im->size, (size_t)got);
    im->size += (size_t)got;
  }
  if (fd >= 0) close(fd);
  if (io->st != GBTM_OK) return;
  unsigned char digest[32];
  sha256_final(&hash, digest);
  sha256_hex(digest, sha256);
}

/* Opens the file for reading; -1 (reported) when it is missing, not HDF5
 * or damaged. With im, from the bytes read into im (one process reading
 * the whole file); else by name (a block of it, under several processes).
 * The caller closes both handles when not -1. */
static hid_t open_file(h5io *io, h5image *im, hid_t *fapl) {
  *fapl = -1;
  struct stat sb;
  if (!im && stat(io->file, &sb) != 0) {
    h5_fail(io, GBTM_ERR_IO, "cannot open: %s", strerror(errno));
    return -1;
  }
  if (!im && !S_ISREG(sb.st_mode)) {
    h5_fail(io, GBTM_ERR_IO, "not a regular file");
    return -1;
  }
  hid_t file = -1;
  htri_t is = 0;
  if (im) /* the signature, at 0 or after a user block of 512, 1024, ... bytes */
    for (size_t at = 0; !is && at + 8 <= im->size; at = at ? 2 * at : 512) is = memcmp(im->buf + at, H5_SIGNATURE, 8) == 0;
  else
    is = H5Fis_hdf5(io->file);
  H5FD_file_image_callbacks_t calls = {image_malloc, image_memcpy, image_realloc, image_free,
                                       image_udata_copy, image_udata_free, im};
  if (is == 0)
    h5_fail(io, GBTM_ERR_PARSE, "not an HDF5 file");
  else if (is < 0)
    h5_fail(io, GBTM_ERR_PARSE, "the HDF5 file is damaged or truncated");
  else if ((*fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 || H5Pset_fclose_degree(*fapl, H5F_CLOSE_SEMI) < 0 ||
           (im && (H5Pset_fapl_core(*fapl, 1 << 16, 0) < 0 || H5Pset_file_image_callbacks(*fapl, &calls) < 0 ||
                   H5Pset_file_image(*fapl, im->buf, im->size) < 0)))
    h5_fail(io, GBTM_ERR_IO, "cannot set up the HDF5 file access");
  else {
    /* The core driver refuses an image under the name of a file that
     * exists, and shares the open files of one name: a name no file can
     * have (below a device, not a folder), unique while the image lives. */
    char name[64];
    snprintf(name, sizeof name, "/dev/null/gbtm-image-%p", im ? (void *)im->buf : NULL);
    if ((file = H5Fopen(im ? name : io->file, H5F_ACC_RDONLY, *fapl)) < 0)
      h5_fail(io, GBTM_ERR_PARSE, "the HDF5 file is damaged or truncated");
  }
  return file;
}

/* The panel of the cells, straight from the columns when they allow it,
 * else through rows and panel_build_covariates(). Takes c->ids. */
static gbtm_status build(h5cells *c, const gbtm_csv_columns *cols, const char *path, gbtm_panel **out,
                         gbtm_error *err) {
  panel_covariates_in in = {0};
  if (c->values) {
    in.n_risk = cols->n_risk;
    in.n_tcov = cols->n_tcov;
    for (int j = 0; j < cols->n_risk; j++) in.risk_name[j] = cols->risk[j];
    for (int j = 0; j < cols->n_tcov; j++) in.tcov_name[j] = cols->tcov[j];
    in.values = c->values;
    in.drop_missing = cols->drop_missing;
    in.weight_last = cols->weight != NULL;
  }
  if (c->grouped && !c->missing && !c->real) { /* the columns hold counts */
    bool sorted;
    gbtm_status st = panel_build_sorted(c->n_persons, c->start, c->ids, c->age, c->count, c->exposure,
                                        c->values ? &in : NULL, path, out, &sorted, err);
    if (st != GBTM_OK || sorted) {
      if (st == GBTM_OK) c->ids = NULL, c->n_persons = 0; /* the panel's now */
      return st;
    }
  }
  panel_row *rows = csv_alloc_large(c->n * sizeof *rows);
  if (!rows) return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory for %zu entries", path, c->n);
  for (size_t i = 0; c->grouped && i < c->n_persons; i++)
    for (size_t a = c->start[i]; a < c->start[i + 1]; a++) rows[a].person = (uint32_t)i;
  for (size_t a = 0; a < c->n; a++) {
    if (!c->grouped) rows[a].person = c->person[a];
    rows[a].age = c->age[a];
    rows[a].count = c->real ? c->response[a] : c->count[a];
    rows[a].exposure = c->exposure ? c->exposure[a] : 1.0;
    rows[a].line = (uint64_t)(c->from + a) + 1;
    rows[a].real_response = c->real;
  }
  char **ids = c->ids;
  size_t n_persons = c->n_persons;
  c->ids = NULL, c->n_persons = 0; /* panel_build_covariates takes them */
  gbtm_status st = panel_build_covariates(rows, c->n, ids, n_persons, path, 2, c->values ? &in : NULL, out, err);
  free(rows);
  return st;
}

gbtm_status panel_read_h5(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                          gbtm_panel **out, gbtm_error *err) {
  return panel_read_h5_with(path, columns, procs, columns && family_real_response(columns->family), out, err);
}

gbtm_status panel_read_h5_with(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                               bool real, gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  gbtm_csv_columns cols = columns ? *columns : gbtm_csv_columns_default();
  if (cols.wide)
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "%s: an HDF5 panel has one entry per observation: the wide layout applies to CSV "
                     "files only",
                     path);
  gbtm_status st = panel_columns_check(path, &cols, err);
  if (st != GBTM_OK) return st;
  h5io io = {path, err, GBTM_OK};
  h5quiet q;
  h5_quiet_begin(&q);
  h5image image = {0};
  char sha256[65] = "";
  bool whole = reduce_size(procs) == 1; /* this process reads the whole file */
  if (whole) read_image(&io, cols.max_bytes, &image, sha256);
  hid_t fapl = -1, file = io.st == GBTM_OK ? open_file(&io, whole ? &image : NULL, &fapl) : -1, g = -1;
  if (io.st == GBTM_OK) {
    if (H5Lexists(file, "panel", H5P_DEFAULT) <= 0)
      h5_fail(&io, GBTM_ERR_PARSE, "no group /panel: not an HDF5 panel%s (see docs/manual.md \"HDF5 panels\")",
           H5Lexists(file, "model", H5P_DEFAULT) > 0 ? " but a model file" : "");
    else if ((g = H5Gopen2(file, "panel", H5P_DEFAULT)) < 0)
      h5_fail(&io, GBTM_ERR_PARSE, "/panel is not a readable group");
  }
  h5cells cells = {0};
  cells.real = real;
  cells.family = cols.family, cells.ymin = cols.ymin, cells.ymax = cols.ymax;
  cells.version = check_version(&io, g);
  cells.file_bytes = whole ? image.size : 0;
  cells.max_bytes = cols.max_bytes;
  cells.n_covariates = (size_t)(cols.n_risk + cols.n_tcov);
  read_ids(&io, file, reduce_rank(procs), reduce_size(procs), &cells);
  read_cells(&io, file, cols.exposure != NULL, &cells);
  read_covariates(&io, file, &cols, &cells);
  if (g >= 0) H5Gclose(g);
  if (file >= 0 && H5Fclose(file) < 0) h5_fail(&io, GBTM_ERR_INTERNAL, "a handle of the file was left open");
  if (fapl >= 0) H5Pclose(fapl);
  h5_quiet_end(&q);
  free(image.buf);
  st = io.st == GBTM_OK ? build(&cells, &cols, path, out, err) : io.st;
  cells_free(&cells);
  if (st == GBTM_OK) memcpy((*out)->sha256, sha256, sizeof sha256); /* "" for a block */
  return st;
}
