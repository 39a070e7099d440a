/* gbtm_presets.h: the built-in synthetic cohorts of gbtm, for simulation
 * (gbtm simulate --preset) and tests: true models and designs that
 * gbtm_simulate() (gbtm.h) draws panels from. Conventions as in gbtm.h. */
#ifndef GBTM_PRESETS_H
#define GBTM_PRESETS_H

#include "gbtm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every declaration up to the matching pop below is the library's public
 * interface: the one exported from libgbtm.so, whose other symbols are
 * hidden (-fvisibility=hidden). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* The built-in synthetic cohorts: "rapporteur-2024", calibrated to the
 * Rapporteur's 2024 study (four groups, shares 36/28/21/15), and
 * "rapporteur-2024-covariates", the same with two risk factors and one
 * time-varying covariate (engine/model/simulate_covariates.c): the true model into
 * *model (owned by the caller: gbtm_model_free) and the design for n persons
 * (n = 0: the preset's own number) drawn with seed into *design.
 * GBTM_ERR_USAGE for an unknown preset name, GBTM_ERR_NOMEM; *model is then
 * NULL and *design as it was. */
gbtm_status gbtm_preset(const char *name, size_t n, uint64_t seed, gbtm_model **model,
                        gbtm_sim_design *design, gbtm_error *err);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* GBTM_PRESETS_H */
