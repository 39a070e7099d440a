/* panel_read.c: gbtm_panel_read(), which reads a panel whatever its format.
 * An HDF5 file is recognised by its 8-byte signature, which the HDF5 format
 * places at offset 0 or, after a user block, at offset 512, 1024, 2048, ...;
 * a Stata, SPSS or SAS file by its signature or its extension
 * (native_format_of, native_table.h), read in the long or the wide layout
 * by read_native.c; any other file is CSV, in the long or the wide layout that the columns
 * describe (gbtm_panel_read_csv). Recognising the format by content rather
 * than by the file's name lets a panel keep any name. This is the one
 * place that picks a reader, by format and by layout: the readers depend
 * on nothing here. */
#include "formats/panel_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "panel/panel.h"
#include "base/reduce.h"
#include "formats/panel_h5.h"
#include "formats/panel_part.h"
#include "formats/read_csv.h"
#include "formats/read_native.h"
#include "formats/read_wide.h"

#define H5_SIGNATURE "\x89HDF\r\n\x1a\n"

bool panel_is_h5(const char *path) {
  /* Only a regular file is opened here: the bytes of a pipe or a FIFO are
   * the CSV reader's, which refuses an HDF5 signature it finds in them. */
  struct stat sb;
  if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return false;
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  struct stat st;
  bool is = false;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
    for (long long at = 0; !is && at + 8 <= (long long)st.st_size; at = at ? 2 * at : 512) {
      char sig[8];
      if (fseeko(f, (off_t)at, SEEK_SET) != 0 || fread(sig, 1, sizeof sig, f) != sizeof sig) break;
      is = memcmp(sig, H5_SIGNATURE, sizeof sig) == 0;
    }
  }
  fclose(f);
  return is;
}

/* A CSV file in the layout that columns describe: wide (PROC TRAJ's) or
 * long. */
static gbtm_status read_csv_layout(const char *path, const gbtm_csv_columns *columns,
                                   const gbtm_reducer *procs, gbtm_panel **out, gbtm_error *err) {
  if (columns && columns->wide) return panel_read_wide(path, columns, procs, out, err);
  return panel_read_long(path, columns, procs, out, err);
}

static gbtm_status read_any(const char *path, const gbtm_csv_columns *columns, gbtm_panel **out,
                            gbtm_error *err) {
  if (panel_is_h5(path)) return panel_read_h5(path, columns, NULL, out, err);
  native_format format = native_format_of(path);
  if (format != NATIVE_NONE) return panel_read_native(path, format, columns, out, err);
  return read_csv_layout(path, columns, NULL, out, err);
}

/* A weighted read (eq. W): the readers take the weight column as one more
 * risk factor, the last (one value per person, checked constant within a
 * person, finite and > 0, missing dropped with the person under
 * drop_missing: panel_covariates.c, weight_last), which is then moved out
 * of the risk factors into the panel's weights. */
static gbtm_status read_weighted(const char *path, const gbtm_csv_columns *columns, bool csv_only,
                                 gbtm_panel **out, gbtm_error *err) {
  if (!columns || !columns->weight) {
    if (csv_only) return read_csv_layout(path, columns, NULL, out, err);
    return read_any(path, columns, out, err);
  }
  if (!columns->weight[0]) return gbtm_fail(err, GBTM_ERR_USAGE, "%s: the weight column has no name", path);
  if (columns->n_risk < 0 || columns->n_risk >= GBTM_MAX_RISK)
    return gbtm_fail(err, GBTM_ERR_USAGE, "%s: a weight takes one of the %d risk-factor places: at most %d risk "
                     "factors with a weight", path, GBTM_MAX_RISK, GBTM_MAX_RISK - 1);
  for (int j = 0; j < columns->n_risk; j++)
    if (columns->risk[j] && strcmp(columns->risk[j], columns->weight) == 0)
      return gbtm_fail(err, GBTM_ERR_USAGE,
                       "%s: the column \"%s\" is named by --risk and by --weight: one column cannot be both", path,
                       columns->weight);
  for (int j = 0; j < columns->n_tcov; j++)
    if (columns->tcov[j] && strcmp(columns->tcov[j], columns->weight) == 0)
      return gbtm_fail(err, GBTM_ERR_USAGE,
                       "%s: the column \"%s\" is named by --tcov and by --weight: one column cannot be both", path,
                       columns->weight);
  gbtm_csv_columns cols = *columns;
  cols.risk[cols.n_risk++] = columns->weight;
  gbtm_status st = csv_only ? read_csv_layout(path, &cols, NULL, out, err) : read_any(path, &cols, out, err);
  if (st != GBTM_OK) return st;
  gbtm_panel *p = *out;
  size_t R = (size_t)p->n_risk, n = p->n;
  double *w = malloc((n ? n : 1) * sizeof *w);
  if (!w) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the weights");
  for (size_t i = 0; w && i < n; i++) w[i] = p->risk[i * R + R - 1];
  if (st == GBTM_OK) st = gbtm_panel_set_weights(p, w, columns->weight, err);
  free(w);
  if (st == GBTM_OK) { /* the risk factors without the weight */
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j + 1 < R; j++) p->risk[i * (R - 1) + j] = p->risk[i * R + j];
    p->n_risk--;
    if (p->n_risk == 0) {
      free(p->risk);
      p->risk = NULL;
    }
    p->risk_name[p->n_risk][0] = '\0';
  }
  if (st != GBTM_OK) {
    gbtm_panel_free(p);
    *out = NULL;
  }
  return st;
}

gbtm_status gbtm_panel_read(const char *path, const gbtm_csv_columns *columns, gbtm_panel **out,
                            gbtm_error *err) {
  *out = NULL;
  return read_weighted(path, columns, false, out, err);
}

gbtm_status gbtm_panel_read_csv(const char *path, const gbtm_csv_columns *columns,
                                gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  return read_weighted(path, columns, true, out, err);
}

gbtm_status gbtm_panel_read_part(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                                 gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  if (reduce_size(procs) == 1) return gbtm_panel_read(path, columns, out, err);
  if (columns && columns->weight)
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "%s: a weighted panel (--weight) is read by one process: run without MPI, or with one "
                     "process", path);
  if (native_format_of(path) != NATIVE_NONE)
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "%s: a %s file is read by one process: convert it to an HDF5 panel (gbtm convert) to "
                     "read it by blocks",
                     path, native_format_name(native_format_of(path)));
  /* Every process reads (the CSV reader agrees on its cuts on the way),
   * then all agree on the outcome before the blocks become one panel. */
  gbtm_status st = panel_is_h5(path) ? panel_read_h5(path, columns, procs, out, err)
                                     : read_csv_layout(path, columns, procs, out, err);
  if ((st = reduce_agree(procs, st, err)) == GBTM_OK) st = panel_distribute(*out, procs, path, err);
  if (st != GBTM_OK) {
    gbtm_panel_free(*out);
    *out = NULL;
  }
  return st;
}
