/* simulate_covariates.h: simulation with covariates (engine/model/simulate_covariates.c),
 * called by gbtm_simulate() and gbtm_preset() (engine/model/simulate.c). */
#ifndef GBTM_SIMULATE_COVARIATES_H
#define GBTM_SIMULATE_COVARIATES_H

#include "model/model.h"
#include "panel/panel.h"

/* gbtm_simulate() for a model with risk factors or time-varying
 * covariates; the design is already checked. */
gbtm_status simulate_covariates(const gbtm_model *m, const gbtm_sim_design *d, gbtm_panel **out, int *group,
                                gbtm_error *err);
/* Adds the covariates of "rapporteur-2024-covariates" to the
 * rapporteur-2024 model and design. */
void preset_rapporteur_2024_covariates(gbtm_model *m, gbtm_sim_design *d);

/* Whether group k of m has, at eta and zeta, an expected response that is
 * finite and no larger than the samplers draw (engine/model/simulate.c). */
bool simulable(const gbtm_model *m, int k, double eta, double zeta);

#endif
