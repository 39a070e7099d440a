/* family_registry.c: the one list of families; adding a family adds a line. */
#include <math.h>
#include <string.h>

#include "families/family.h"

static const gbtm_family *const families[] = {
    [GBTM_POISSON] = &gbtm_family_poisson,
    [GBTM_ZIP] = &gbtm_family_zip,
    [GBTM_LOGIT] = &gbtm_family_logit,
    [GBTM_NB] = &gbtm_family_nb,
    [GBTM_ZINB] = &gbtm_family_zinb,
    [GBTM_CNORM] = &gbtm_family_cnorm,
    [GBTM_BETA] = &gbtm_family_beta,
};

const family_par family_par_none = {1.0, -INFINITY, INFINITY};

const gbtm_family *family_get(gbtm_family_id id) {
  if ((unsigned)id >= sizeof families / sizeof families[0]) return NULL;
  return families[id];
}

const char *family_response_why(gbtm_family_id id, long long y, double E) {
  const gbtm_family *f = family_get(id);
  if (!f) return NULL;
  if (f->trials && (double)y > E) return E == 1.0 ? f->response_why : "is more than its number of trials";
  return NULL;
}

const char *family_exposure_why(gbtm_family_id id, double E) {
  const gbtm_family *f = family_get(id);
  if (!f || E == 1.0) return NULL;
  if (f->trials && !(E >= 1.0 && E <= 2147483647.0 && E == floor(E)))
    return "is not a whole number, 1 or more (the logit family's --trials)";
  return f->exposure_why;
}

bool family_real_response(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f && f->real_response;
}

bool gbtm_family_parse(const char *name, gbtm_family_id *out) {
  for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
    if (strcmp(name, families[i]->name) == 0) {
      *out = families[i]->id;
      return true;
    }
  return false;
}

const char *gbtm_family_name(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f ? f->name : "unknown";
}

const char *gbtm_family_title(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f ? f->title : "unknown";
}

const char *gbtm_family_expected_name(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f ? f->expected_name : "unknown";
}

const char *gbtm_family_predictor_name(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f ? f->predictor_name : "unknown";
}

const char *gbtm_family_ratio_name(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f ? f->ratio_name : "unknown";
}

int gbtm_family_count(void) { return (int)(sizeof families / sizeof families[0]); }

bool gbtm_family_valid(gbtm_family_id id) { return family_get(id) != NULL; }

bool gbtm_family_zero_inflated(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f && f->zero_inflated;
}

const char *gbtm_family_phi_name(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f ? f->phi_name : NULL;
}

bool gbtm_family_censored(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f && f->censored;
}

const char *family_real_why(gbtm_family_id id, double y, double lo, double hi) {
  const gbtm_family *f = family_get(id);
  if (!f || !f->real_why) return NULL;
  return f->real_why(y, lo, hi);
}

bool gbtm_family_real_response(gbtm_family_id id) { return family_real_response(id); }

bool gbtm_family_trials(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f && f->trials;
}

bool gbtm_family_band_log_scale(gbtm_family_id id) {
  const gbtm_family *f = family_get(id);
  return f && !f->band_identity;
}
