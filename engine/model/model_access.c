/* model_access.c: the public face of the opaque gbtm_model (gbtm.h):
 * allocation, getters and checked setters over engine/model/model.h. */
#include "model/model.h"

#include <math.h>
#include <stdlib.h>

#include <string.h>

#include "base/error.h"

/* ---- allocation ------------------------------------------------------------ */

gbtm_status gbtm_model_new(gbtm_family_id family, int groups, gbtm_model **out, gbtm_error *err) {
  *out = NULL;
  if (!gbtm_family_valid(family))
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: unknown family %d", (int)family);
  if (groups < 1 || groups > GBTM_MAX_GROUPS)
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: %d groups, expected 1 to %d", groups, GBTM_MAX_GROUPS);
  gbtm_model *m = calloc(1, sizeof *m);
  if (!m) return gbtm_fail(err, GBTM_ERR_NOMEM, "model: out of memory");
  m->family = family;
  m->groups = groups;
  m->scale = 1.0;
  for (int k = 0; k < GBTM_MAX_GROUPS; k++) m->iorder[k] = -1, m->phi[k] = 1.0;
  m->ymin = -INFINITY, m->ymax = INFINITY;
  *out = m;
  return GBTM_OK;
}

gbtm_model *gbtm_model_copy(const gbtm_model *model) {
  if (!model) return NULL;
  gbtm_model *m = malloc(sizeof *m);
  if (m) *m = *model;
  return m;
}

void gbtm_model_free(gbtm_model *model) { free(model); }

/* ---- getters ---------------------------------------------------------------- */

static bool group_ok(const gbtm_model *m, int k) { return m && k >= 0 && k < m->groups; }

gbtm_family_id gbtm_model_family(const gbtm_model *m) { return m->family; }
int gbtm_model_groups(const gbtm_model *m) { return m->groups; }
int gbtm_model_order(const gbtm_model *m, int k) { return group_ok(m, k) ? m->order[k] : -1; }
int gbtm_model_iorder(const gbtm_model *m, int k) { return group_ok(m, k) ? m->iorder[k] : -1; }
double gbtm_model_centre(const gbtm_model *m) { return m->centre; }
double gbtm_model_scale(const gbtm_model *m) { return m->scale; }
double gbtm_model_age_min(const gbtm_model *m) { return m->age_min; }
double gbtm_model_age_max(const gbtm_model *m) { return m->age_max; }
double gbtm_model_theta(const gbtm_model *m, int k) { return group_ok(m, k) ? m->theta[k] : NAN; }

double gbtm_model_beta(const gbtm_model *m, int k, int j) {
  return group_ok(m, k) && j >= 0 && j <= m->order[k] ? m->beta[k][j] : NAN;
}

double gbtm_model_phi(const gbtm_model *m, int k) {
  return group_ok(m, k) && model_has_phi(m) ? m->phi[k] : NAN;
}

bool gbtm_model_censoring(const gbtm_model *m, double *lo, double *hi) {
  bool censored = m && gbtm_family_censored(m->family);
  *lo = censored ? m->ymin : -INFINITY;
  *hi = censored ? m->ymax : INFINITY;
  return censored;
}

bool gbtm_model_phi_common(const gbtm_model *m) { return m && model_has_phi(m) && m->phi_common; }

double gbtm_model_alpha(const gbtm_model *m, int k, int j) {
  return group_ok(m, k) && j >= 0 && j <= m->iorder[k] ? m->alpha[k][j] : NAN;
}

int gbtm_model_refgroup(const gbtm_model *m) { return m->refgroup; }
int gbtm_model_n_risk(const gbtm_model *m) { return m->n_risk; }

const char *gbtm_model_risk_name(const gbtm_model *m, int j) {
  return j >= 0 && j < m->n_risk ? m->risk_name[j] : NULL;
}

double gbtm_model_gamma(const gbtm_model *m, int k, int j) {
  return group_ok(m, k) && j >= 0 && j < m->n_risk ? m->gamma[k][j] : NAN;
}

int gbtm_model_n_tcov(const gbtm_model *m) { return m->n_tcov; }

const char *gbtm_model_tcov_name(const gbtm_model *m, int j) {
  return j >= 0 && j < m->n_tcov ? m->tcov_name[j] : NULL;
}

double gbtm_model_delta(const gbtm_model *m, int k, int j) {
  return group_ok(m, k) && j >= 0 && j < m->n_tcov ? m->delta[k][j] : NAN;
}

double gbtm_model_tcov_fixed(const gbtm_model *m, int j) {
  return j >= 0 && j < m->n_tcov ? m->tcov_fixed[j] : NAN;
}

/* ---- setters ---------------------------------------------------------------- */

static gbtm_status check_group(const gbtm_model *m, int k, gbtm_error *err) {
  if (group_ok(m, k)) return GBTM_OK;
  return gbtm_fail(err, GBTM_ERR_USAGE, "model: group %d out of range (the model has %d groups)",
                   k + 1, m ? m->groups : 0);
}

static gbtm_status check_power(const gbtm_model *m, int k, int j, double v, const char *name,
                               gbtm_error *err) {
  gbtm_status st = check_group(m, k, err);
  if (st != GBTM_OK) return st;
  if (j < 0 || j > GBTM_MAX_ORDER)
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: %s[%d][%d]: power %d out of range 0 to %d", name,
                     k + 1, j, j, GBTM_MAX_ORDER);
  if (!isfinite(v))
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: %s[%d][%d] is not finite", name, k + 1, j);
  return GBTM_OK;
}

gbtm_status gbtm_model_set_basis(gbtm_model *m, double centre, double scale, gbtm_error *err) {
  if (!isfinite(centre) || !(scale > 0 && isfinite(scale)))
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: basis centre %g, scale %g: expected a finite "
                     "centre and a finite scale > 0", centre, scale);
  m->centre = centre;
  m->scale = scale;
  return GBTM_OK;
}

gbtm_status gbtm_model_set_age_range(gbtm_model *m, double age_min, double age_max, gbtm_error *err) {
  if (!isfinite(age_min) || !isfinite(age_max) || age_min > age_max)
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: age range %g to %g: expected finite ages, the "
                     "lowest first", age_min, age_max);
  m->age_min = age_min;
  m->age_max = age_max;
  return GBTM_OK;
}

gbtm_status gbtm_model_set_order(gbtm_model *m, int k, int order, gbtm_error *err) {
  gbtm_status st = check_group(m, k, err);
  if (st != GBTM_OK) return st;
  if (order < 0 || order > GBTM_MAX_ORDER)
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: group %d: order %d out of range 0 to %d", k + 1,
                     order, GBTM_MAX_ORDER);
  m->order[k] = order;
  return GBTM_OK;
}

gbtm_status gbtm_model_set_iorder(gbtm_model *m, int k, int iorder, gbtm_error *err) {
  gbtm_status st = check_group(m, k, err);
  if (st != GBTM_OK) return st;
  if (iorder < -1 || iorder > GBTM_MAX_ORDER)
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: group %d: zero-inflation order %d out of range "
                     "-1 to %d", k + 1, iorder, GBTM_MAX_ORDER);
  m->iorder[k] = iorder;
  return GBTM_OK;
}

gbtm_status gbtm_model_set_theta(gbtm_model *m, int k, double theta, gbtm_error *err) {
  gbtm_status st = check_group(m, k, err);
  if (st != GBTM_OK) return st;
  if (!isfinite(theta)) return gbtm_fail(err, GBTM_ERR_USAGE, "model: theta[%d] is not finite", k + 1);
  m->theta[k] = theta;
  return GBTM_OK;
}

gbtm_status gbtm_model_set_beta(gbtm_model *m, int k, int j, double beta, gbtm_error *err) {
  gbtm_status st = check_power(m, k, j, beta, "beta", err);
  if (st == GBTM_OK) m->beta[k][j] = beta;
  return st;
}

gbtm_status gbtm_model_set_alpha(gbtm_model *m, int k, int j, double alpha, gbtm_error *err) {
  gbtm_status st = check_power(m, k, j, alpha, "alpha", err);
  if (st == GBTM_OK) m->alpha[k][j] = alpha;
  return st;
}

gbtm_status gbtm_model_set_phi(gbtm_model *m, int k, double phi, bool common, gbtm_error *err) {
  gbtm_status st = check_group(m, common ? 0 : k, err);
  if (st != GBTM_OK) return st;
  if (!model_has_phi(m))
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: the %s family has no parameter of its own", gbtm_family_name(m->family));
  if (!(isfinite(phi) && phi > 0.0))
    return gbtm_fail(err, GBTM_ERR_USAGE, "model: %s[%d] is not a finite positive number", gbtm_family_phi_name(m->family),
                     k + 1);
  m->phi_common = common;
  if (common)
    for (int j = 0; j < m->groups; j++) m->phi[j] = phi;
  else
    m->phi[k] = phi;
  return GBTM_OK;
}

gbtm_status gbtm_model_set_refgroup(gbtm_model *m, int refgroup, gbtm_error *err) {
  gbtm_status st = check_group(m, refgroup, err);
  if (st == GBTM_OK) m->refgroup = refgroup;
  return st;
}

bool model_has_labels(const gbtm_model *m) {
  for (int k = 0; k < m->groups; k++)
    if (m->label[k][0]) return true;
  return false;
}

gbtm_status gbtm_model_set_label(gbtm_model *m, int k, const char *label, gbtm_error *err) {
  gbtm_status st = check_group(m, k, err);
  if (st != GBTM_OK) return st;
  size_t n = strlen(label);
  if (n >= GBTM_NAME_MAX)
    return gbtm_fail(err, GBTM_ERR_USAGE, "group %d's label is %zu bytes long (at most %d)", k + 1, n, GBTM_NAME_MAX - 1);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f)
      return gbtm_fail(err, GBTM_ERR_USAGE, "group %d's label has a control character (byte %zu)", k + 1, i + 1);
  memcpy(m->label[k], label, n + 1);
  return GBTM_OK;
}

const char *gbtm_model_label(const gbtm_model *m, int k) { return group_ok(m, k) ? m->label[k] : ""; }
