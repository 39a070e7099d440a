/* error.c: status texts and the one helper that fills a gbtm_error. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>

const char *gbtm_status_str(gbtm_status status) {
  switch (status) {
  case GBTM_OK: return "ok";
  case GBTM_ERR_USAGE: return "invalid usage";
  case GBTM_ERR_IO: return "input/output error";
  case GBTM_ERR_PARSE: return "malformed input";
  case GBTM_ERR_DATA: return "unusable data";
  case GBTM_ERR_NOMEM: return "out of memory";
  case GBTM_ERR_FIT: return "fit failed";
  case GBTM_ERR_INTERNAL: return "internal error";
  case GBTM_ERR_INTERRUPTED: return "interrupted";
  }
  return "unknown status";
}

gbtm_status gbtm_fail(gbtm_error *err, gbtm_status status, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->status = status;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return status;
}
