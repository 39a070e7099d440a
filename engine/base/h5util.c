/* h5util.c: failures, quiet HDF5 calls and type names for the HDF5
 * readers and writers (h5util.h). */
#include "base/h5util.h"

#include <stdarg.h>
#include <stdio.h>

bool h5_fail(h5io *io, gbtm_status st, const char *fmt, ...) {
  if (io->st == GBTM_OK) {
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    io->st = gbtm_fail(io->err, st, "%s: %s", io->file, msg);
  }
  return false;
}

void h5_quiet_begin(h5quiet *q) {
  q->saved = H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data) >= 0;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void h5_quiet_end(const h5quiet *q) {
  if (q->saved) H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

void gbtm_hdf5_errors_off(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

const char *h5_class_name(H5T_class_t c) {
  switch (c) {
  case H5T_INTEGER: return "an integer";
  case H5T_FLOAT: return "a floating-point number";
  case H5T_STRING: return "a string";
  case H5T_COMPOUND: return "a compound type";
  default: return "of another type";
  }
}

bool h5_data_short(hid_t ds, hsize_t need, hsize_t *held) {
  hid_t dcpl = H5Dget_create_plist(ds);
  H5D_layout_t layout = dcpl >= 0 ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
  if (dcpl >= 0) H5Pclose(dcpl);
  *held = H5Dget_storage_size(ds);
  return layout != H5D_CHUNKED && *held < need;
}

hid_t h5_write_access(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl >= 0 && (H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI) < 0 ||
                    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0)) {
    H5Pclose(fapl);
    fapl = -1;
  }
  return fapl;
}
