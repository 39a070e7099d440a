/* panel_columns.c: the check of gbtm_csv_columns that every reader makes
 * before reading: the covariates' names, and no column named for two
 * things. */
#include "formats/panel_columns.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static const char *covariate_name(const gbtm_csv_columns *c, int j) {
  return j < c->n_risk ? c->risk[j] : c->tcov[j - c->n_risk];
}

/* A column and the option that names it. */
typedef struct column_role {
  const char *name, *option;
} column_role;

/* Appends name (when given) to roles, at most cap of them. */
static void add_role(column_role *roles, size_t *n, size_t cap, const char *name, const char *option) {
  if (name && *n < cap) roles[(*n)++] = (column_role){name, option};
}

/* One column cannot be two things: the id, an age, a count, an exposure and
 * each covariate are different columns of the file. */
static gbtm_status roles_distinct(const char *path, const gbtm_csv_columns *c, gbtm_error *err) {
  size_t waves = c->wide ? c->waves : 1;
  size_t cap = 4 + (size_t)GBTM_MAX_RISK + (3 + (size_t)GBTM_MAX_TCOV) * waves;
  column_role *roles = malloc(cap * sizeof *roles);
  if (!roles) return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory checking the columns", path);
  size_t n = 0;
  add_role(roles, &n, cap, c->id, "--id");
  if (c->wide) {
    for (size_t w = 0; w < c->waves; w++) {
      add_role(roles, &n, cap, c->count_cols ? c->count_cols[w] : NULL, "--count-cols");
      add_role(roles, &n, cap, c->age_cols ? c->age_cols[w] : NULL, "--age-cols");
      add_role(roles, &n, cap, c->exposure_cols ? c->exposure_cols[w] : NULL, "--exposure-cols");
      for (int j = 0; j < c->n_tcov; j++)
        add_role(roles, &n, cap, c->tcov_cols[j] ? c->tcov_cols[j][w] : NULL, "--tcov");
    }
  } else {
    add_role(roles, &n, cap, c->age, "--age");
    add_role(roles, &n, cap, c->count, "--count");
    add_role(roles, &n, cap, c->exposure, "--exposure");
    for (int j = 0; j < c->n_tcov; j++) add_role(roles, &n, cap, c->tcov[j], "--tcov");
  }
  for (int j = 0; j < c->n_risk; j++)
    add_role(roles, &n, cap, c->risk[j], c->weight && j == c->n_risk - 1 ? "--weight" : "--risk");
  gbtm_status st = GBTM_OK;
  for (size_t i = 1; st == GBTM_OK && i < n; i++)
    for (size_t l = 0; l < i; l++)
      if (strcmp(roles[i].name, roles[l].name) == 0) {
        if (strcmp(roles[i].option, roles[l].option) == 0)
          st = gbtm_fail(err, GBTM_ERR_USAGE, "%s: the column \"%s\" is named twice by %s", path, roles[i].name,
                         roles[i].option);
        else
          st = gbtm_fail(err, GBTM_ERR_USAGE, "%s: the column \"%s\" is named by %s and by %s: one column cannot be both",
                         path, roles[i].name, roles[l].option, roles[i].option);
        break;
      }
  free(roles);
  return st;
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
  return roles_distinct(path, c, err);
}
