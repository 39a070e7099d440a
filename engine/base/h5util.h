/* h5util.h: what the HDF5 readers and writers (model files: model_io.c;
 * panels: panel_h5.c, panel_h5_write.c) share: one place for the first failure of a call, with
 * messages "FILE: what", and HDF5's own error printing turned off while
 * gbtm calls HDF5 (the library reports through gbtm_error instead). */
#ifndef GBTM_H5UTIL_H
#define GBTM_H5UTIL_H

#include <hdf5.h>
#include <stdbool.h>

#include "base/error.h"
#include "gbtm.h"

/* The newest format version of HDF5 panels that this gbtm writes and
 * reads (docs/manual.md "HDF5 panels"): 1 with fixed-length ids, 2 when an
 * id is longer than GBTM_H5_FIXED_ID_MAX, 3 when a response is a real (a
 * float64 /panel/count). */
#define GBTM_PANEL_FORMAT_VERSION 3

/* Ids up to this many bytes are written as fixed-length strings (model
 * files before version 3, panels of version 1); a longer id makes the
 * writers store the ids by their own length: a uint8 dataset id_bytes of
 * the ids one after the other and int64 id_offsets (id i is bytes
 * offsets[i] to offsets[i + 1]). */
#define GBTM_H5_FIXED_ID_MAX 64

/* One read or write: the file's name for messages and the first failure. */
typedef struct h5io {
  const char *file;
  gbtm_error *err;
  gbtm_status st; /* the first failure; GBTM_OK so far */
} h5io;

/* Records the first failure as "FILE: message"; returns false. */
bool h5_fail(h5io *io, gbtm_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* HDF5's automatic error printing, saved and turned off, then restored. */
typedef struct h5quiet {
  H5E_auto2_t func;
  void *data;
  bool saved;
} h5quiet;

void h5_quiet_begin(h5quiet *q);
void h5_quiet_end(const h5quiet *q);

/* The file access of the files gbtm writes (model files, panels): closing
 * waits for no open object, and the format is that of HDF5 1.8 and later,
 * whose superblock and object headers carry checksums, so that a file
 * damaged on disk is refused by HDF5 rather than decoded. The file is built
 * in memory (HDF5's core driver, no backing store) and written out by
 * h5_close_written(): HDF5 1.10 crashes at exit after a failed close of a
 * file that could not be flushed (a full disk, a file-size limit), so
 * HDF5 itself never writes to disk. -1 on failure. */
hid_t h5_write_access(void);

/* Writes the image of file (created with h5_write_access) to path, when
 * path is not NULL, and closes file: 0, or the errno of the failure (EIO
 * for one of HDF5's). */
int h5_close_written(hid_t file, const char *path);

/* Whether a dataset stored in one piece (compact or contiguous) holds fewer
 * bytes than its need bytes of elements; *held gets what it holds. A
 * damaged layout message (a compact dataset of 0 bytes) makes Debian's
 * HDF5 1.10 copy from a null pointer in H5Dread instead of failing, so the
 * readers check this first. Chunked data may be compressed: not checked. */
bool h5_data_short(hid_t ds, hsize_t need, hsize_t *held);

/* Whether the n + 1 offsets of n ids stored by their own length run from
 * 0 up to the total bytes of id_bytes, never decreasing. */
bool h5_id_offsets_ok(const long long *offsets, size_t n, unsigned long long total);

/* A type class in words, for messages: "an integer", "a string", ... */
const char *h5_class_name(H5T_class_t c);

#endif
