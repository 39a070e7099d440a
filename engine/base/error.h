/* error.h: filling a gbtm_error with a status and a message, in one call. */
#ifndef GBTM_ERROR_H
#define GBTM_ERROR_H

#include "gbtm.h"

/* Sets err (when not NULL) to status and a printf-style message; returns status. */
gbtm_status gbtm_fail(gbtm_error *err, gbtm_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
