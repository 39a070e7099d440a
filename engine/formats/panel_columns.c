/* panel_columns.c: the check of the covariate names of gbtm_csv_columns
 * that every reader makes before reading. */
#include "formats/panel_columns.h"

#include <string.h>

#include "base/error.h"

static const char *covariate_name(const gbtm_csv_columns *c, int j) {
  return j < c->n_risk ? c->risk[j] : c->tcov[j - c->n_risk];
}

gbtm_status panel_columns_check(const char *path, const gbtm_csv_columns *c, gbtm_error *err) {
  if (c->n_risk < 0 || c->n_risk > GBTM_MAX_RISK || c->n_tcov < 0 || c->n_tcov > GBTM_MAX_TCOV)
    return gbtm_fail(err, GBTM_ERR_USAGE, "%s: at most %d risk factors and %d time-varying covariates",
                     path, GBTM_MAX_RISK, GBTM_MAX_TCOV);
  int nc = c->n_risk + c->n_tcov;
  for (int j = 0; j < nc; j++) {
    const char *name = covariate_name(c, j);
    if (!name || !name[0])
      return gbtm_fail(err, GBTM_ERR_USAGE, "%s: covariate %d has no name", path, j + 1);
    if (strlen(name) >= GBTM_NAME_MAX)
      return gbtm_fail(err, GBTM_ERR_USAGE, "%s: covariate name \"%s\" is longer than %d bytes", path,
                       name, GBTM_NAME_MAX - 1);
    for (int l = 0; l < j; l++)
      if (strcmp(name, covariate_name(c, l)) == 0)
        return gbtm_fail(err, GBTM_ERR_USAGE, "%s: covariate \"%s\" is named twice", path, name);
  }
  return GBTM_OK;
}
