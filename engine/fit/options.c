/* options.c: fit options, their defaults and their validation before any
 * work starts (liblinear's check_parameter, in our manners). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "families/family.h"
#include "model/model.h"
#include "panel/panel.h"

gbtm_fit_options gbtm_fit_options_default(void) {
  gbtm_fit_options o;
  memset(&o, 0, sizeof o);
  o.family = GBTM_POISSON;
  o.groups = 1;
  for (int k = 0; k < GBTM_MAX_GROUPS; k++) {
    o.order[k] = 2;
    o.iorder[k] = 0;
  }
  o.centre = NAN;
  o.scale = NAN;
  o.starts = GBTM_STARTS_AUTO;
  o.max_starts = 5000;
  o.replications = 10;
  o.time_limit = 0.0;
  o.seed = 1;
  o.pilot = -1;
  o.short_iterations = 30;
  o.keep_fraction = 0.25;
  o.max_iterations = 5000;
  o.tol_gradient = 1e-9;
  o.accelerate = true;
  o.threads = 0;
  o.kernel = GBTM_KERNEL_AUTO;
  o.keep_posterior = true;
  o.inference = true;
  o.se = GBTM_SE_MODEL;
  o.refgroup = 0;
  for (int j = 0; j < GBTM_MAX_TCOV; j++) o.tcov_fixed[j] = NAN;
  o.ymin = -INFINITY;
  o.ymax = INFINITY;
  return o;
}

gbtm_status gbtm_fit_options_check(const gbtm_fit_options *o, const gbtm_panel *p,
                                   gbtm_error *err) {
  if (!gbtm_family_valid(o->family))
    return gbtm_fail(err, GBTM_ERR_USAGE, "unknown model family %d", (int)o->family);
  if (p) { /* a panel read for another family, or built from rows */
    const gbtm_family *f = family_get(o->family);
    panel_sizes all = panel_sizes_all(p);
    if (f->exposure_why && all.has_exposure)
      return gbtm_fail(err, GBTM_ERR_DATA, "the %s family has no exposure, but the data have exposures other than 1",
                       f->name);
    if (f->trials) /* every count within its trials (a panel not read for the family) */
      for (size_t i = 0; i < p->n; i++) {
        for (size_t j = p->nz_start[i]; j < p->nz_start[i + 1]; j++)
          if (p->nz_y[j] > 1.0)
            return gbtm_fail(err, GBTM_ERR_DATA, "the %s family's response is 0 or 1, or a count of trials (--trials), "
                             "but the data have larger counts", f->name);
        for (size_t j = p->ex_start[i]; j < p->ex_start[i + 1]; j++)
          if (family_exposure_why(o->family, p->ex_e[j]) || p->ex_y[j] > p->ex_e[j])
            return gbtm_fail(err, GBTM_ERR_DATA, "the %s family's response is a count of 0 to its trials, but the data have "
                             "a count of %g at %g trials", f->name, p->ex_y[j], p->ex_e[j]);
      }
  }
  if (p && panel_sizes_all(p).n_nonzero == 0)
    return gbtm_fail(err, GBTM_ERR_DATA, "every count in the data is zero: there is no trajectory to fit");
  if (family_get(o->family)->censored) {
    if (isnan(o->ymin) || isnan(o->ymax) || !(o->ymin < o->ymax))
      return gbtm_fail(err, GBTM_ERR_USAGE, "the censoring points must be ordered, --min below --max (got %g and %g)",
                       o->ymin, o->ymax);
    if (p) { /* the data's responses inside [ymin, ymax] */
      double lo, hi;
      panel_response_range(p, &lo, &hi);
      if (lo < o->ymin || hi > o->ymax)
        return gbtm_fail(err, GBTM_ERR_DATA, "the data have responses from %g to %g, outside the censoring points %g (--min) and %g (--max)",
                         lo, hi, o->ymin, o->ymax);
    }
  }
  if (o->groups < 1 || o->groups > GBTM_MAX_GROUPS)
    return gbtm_fail(err, GBTM_ERR_USAGE, "groups must be between 1 and %d (got %d)",
                     GBTM_MAX_GROUPS, o->groups);
  if (p && (size_t)o->groups > panel_n_all(p))
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "groups (%d) exceed the number of persons in the data (%zu)", o->groups, panel_n_all(p));
  for (int k = 0; k < o->groups; k++) {
    if (o->order[k] < 0 || o->order[k] > GBTM_MAX_ORDER)
      return gbtm_fail(err, GBTM_ERR_USAGE, "order of group %d must be between 0 and %d (got %d)",
                       k + 1, GBTM_MAX_ORDER, o->order[k]);
    if (p && (size_t)o->order[k] >= p->T)
      return gbtm_fail(err, GBTM_ERR_USAGE,
                       "order of group %d (%d) must be below the number of distinct ages (%zu)",
                       k + 1, o->order[k], p->T);
    if (gbtm_family_zero_inflated(o->family)) {
      if (o->iorder[k] < -1 || o->iorder[k] > GBTM_MAX_ORDER)
        return gbtm_fail(err, GBTM_ERR_USAGE,
                         "iorder of group %d must be between -1 and %d (got %d)", k + 1,
                         GBTM_MAX_ORDER, o->iorder[k]);
      if (p && o->iorder[k] >= 0 && (size_t)o->iorder[k] >= p->T)
        return gbtm_fail(err, GBTM_ERR_USAGE,
                         "iorder of group %d (%d) must be below the number of distinct ages (%zu)",
                         k + 1, o->iorder[k], p->T);
    }
  }
  if (o->starts != GBTM_STARTS_AUTO && o->starts < (o->start_from ? 0 : 1))
    return gbtm_fail(err, GBTM_ERR_USAGE, "starts must be at least 1, or automatic (got %d)", o->starts);
  if (o->starts == GBTM_STARTS_AUTO) {
    if (o->max_starts < 1 || o->max_starts > GBTM_MAX_STARTS_BUDGET)
      return gbtm_fail(err, GBTM_ERR_USAGE, "the budget of starts must be between 1 and %d (got %d)",
                       GBTM_MAX_STARTS_BUDGET, o->max_starts);
    if (o->replications < 1)
      return gbtm_fail(err, GBTM_ERR_USAGE, "the replications of the best must be at least 1 (got %d)",
                       o->replications);
    if (!(o->time_limit >= 0.0) || !isfinite(o->time_limit))
      return gbtm_fail(err, GBTM_ERR_USAGE, "the time limit must be a finite number of seconds >= 0 (got %g)",
                       o->time_limit);
  }
  if (o->short_iterations < 0 || o->max_iterations < 1)
    return gbtm_fail(err, GBTM_ERR_USAGE, "iteration limits must be positive");
  if (!(o->keep_fraction > 0.0 && o->keep_fraction <= 1.0))
    return gbtm_fail(err, GBTM_ERR_USAGE, "keep fraction must be in (0, 1] (got %g)", o->keep_fraction);
  if (!(o->tol_gradient > 0.0) || !isfinite(o->tol_gradient))
    return gbtm_fail(err, GBTM_ERR_USAGE, "tolerance must be a finite number > 0 (got %g)", o->tol_gradient);
  if (o->threads < 0) return gbtm_fail(err, GBTM_ERR_USAGE, "threads must be >= 0 (got %d)", o->threads);
  if (o->pilot < -1) return gbtm_fail(err, GBTM_ERR_USAGE, "pilot must be >= 0 persons, or -1 for automatic (got %ld)", o->pilot);
  if (!isnan(o->centre) && !isfinite(o->centre))
    return gbtm_fail(err, GBTM_ERR_USAGE, "basis centre must be finite");
  if (!isnan(o->scale) && !(isfinite(o->scale) && o->scale > 0.0))
    return gbtm_fail(err, GBTM_ERR_USAGE, "basis scale must be a finite number > 0 (got %g)", o->scale);
  if (o->refgroup < 0 || o->refgroup >= o->groups)
    return gbtm_fail(err, GBTM_ERR_USAGE, "reference group must be between 1 and %d (got %d)", o->groups,
                     o->refgroup + 1);
  for (int j = 0; j < GBTM_MAX_TCOV; j++)
    if (!isnan(o->tcov_fixed[j]) && !isfinite(o->tcov_fixed[j]))
      return gbtm_fail(err, GBTM_ERR_USAGE, "--tcov-fixed values must be finite");
  for (int j = p ? p->n_tcov : GBTM_MAX_TCOV; j < GBTM_MAX_TCOV; j++)
    if (!isnan(o->tcov_fixed[j]))
      return gbtm_fail(err, GBTM_ERR_USAGE, "--tcov-fixed gives a value for time-varying covariate %d, but the data has %d",
                       j + 1, p ? p->n_tcov : 0);
  if (p && (p->n_risk > 0 || p->n_tcov > 0)) {
    /* theta and gamma: (K-1)(1+R); per group d+1+C (+ q+1): at most one per person */
    gbtm_model m = {0};
    m.family = o->family, m.groups = o->groups, m.n_risk = p->n_risk, m.n_tcov = p->n_tcov;
    for (int k = 0; k < o->groups; k++) m.order[k] = o->order[k], m.iorder[k] = gbtm_family_zero_inflated(o->family) ? o->iorder[k] : -1;
    if ((size_t)gbtm_model_n_params(&m) > p->n_obs)
      return gbtm_fail(err, GBTM_ERR_USAGE, "the model has %d parameters but the data only %zu observations",
                       gbtm_model_n_params(&m), p->n_obs);
  }
  if (o->kernel != GBTM_KERNEL_AUTO && o->kernel != GBTM_KERNEL_DENSE && o->kernel != GBTM_KERNEL_SPARSE)
    return gbtm_fail(err, GBTM_ERR_USAGE, "unknown kernel %d", (int)o->kernel);
  return GBTM_OK;
}

static const char *const kernel_names[] = {
    [GBTM_KERNEL_AUTO] = "auto", [GBTM_KERNEL_DENSE] = "dense", [GBTM_KERNEL_SPARSE] = "sparse"};

const char *gbtm_kernel_name(gbtm_kernel kernel) {
  return (unsigned)kernel < sizeof kernel_names / sizeof kernel_names[0] ? kernel_names[kernel] : "unknown";
}

bool gbtm_kernel_parse(const char *name, gbtm_kernel *out) {
  for (size_t k = 0; k < sizeof kernel_names / sizeof kernel_names[0]; k++)
    if (strcmp(name, kernel_names[k]) == 0) {
      *out = (gbtm_kernel)k;
      return true;
    }
  return false;
}
