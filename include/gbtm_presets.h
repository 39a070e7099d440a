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
 * Rapporteur's 2024 study (four groups, shares 36/28/21/15),
 * "rapporteur-2024-covariates", the same with two risk factors and one
 * time-varying covariate (engine/model/simulate_covariates.c), and
 * "rapporteur-2024-profiles", the model and design of rapporteur-2024 (the
 * same panel for a seed) with person characteristics drawn by
 * gbtm_preset_persons() below: the true model into
 * *model (owned by the caller: gbtm_model_free) and the design for n persons
 * (n = 0: the preset's own number) drawn with seed into *design.
 * GBTM_ERR_USAGE for an unknown preset name, GBTM_ERR_NOMEM; *model is then
 * NULL and *design as it was. */
gbtm_status gbtm_preset(const char *name, size_t n, uint64_t seed, gbtm_model **model,
                        gbtm_sim_design *design, gbtm_error *err);

/* ---- person characteristics ("rapporteur-2024-profiles") ------------------ */

/* One person's characteristics in the cohort "rapporteur-2024-profiles":
 * SYNTHETIC, drawn given the person's true group only (independent of the
 * counts given the group), calibrated where the study gives figures and
 * otherwise documented assumptions (engine/model/simulate_profiles.c).
 * Flags are 0 or 1. */
typedef struct gbtm_preset_person {
  int female;                   /* sex: 1 woman, 0 man */
  double age_first_trafficking; /* age at the first trafficking offence, years (one decimal) */
  int starts_with_trafficking;  /* the career starts with the trafficking offence */
  int first_offence_minor;      /* the first offence of any kind before age 18 */
  int mental_health;            /* risk factors */
  int unstable_family;
  int criminal_environment;
  int no_qualification;
  double income;                /* yearly income in euros, a multiple of 100 */
  int reoffend_5y;              /* distal outcome: reoffends within five years */
} gbtm_preset_person;

/* Whether the preset name has person characteristics. */
bool gbtm_preset_has_persons(const char *name);

/* The characteristics of n persons whose true groups (0-based, as
 * gbtm_simulate() returns them) are group[0..n-1], into out[0..n-1]; drawn
 * from a random stream of their own, derived from seed, so that the panel
 * gbtm_simulate() draws with the same seed is the same whether they are
 * drawn or not. GBTM_ERR_USAGE for a preset without persons or a group out
 * of range. */
gbtm_status gbtm_preset_persons(const char *name, size_t n, uint64_t seed, const int *group,
                                gbtm_preset_person *out, gbtm_error *err);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* GBTM_PRESETS_H */
