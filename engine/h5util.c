/* h5util.c: failures and quiet HDF5 calls for the HDF5 panel reader and
 * writer (h5util.h). */
#include "h5util.h"

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
