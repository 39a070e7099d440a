/* criteria.h: the fit criteria of DESIGN §5 from log L, p, N and the
 * posterior matrix. */
#ifndef GBTM_CRITERIA_H
#define GBTM_CRITERIA_H

#include "gbtm.h"

/* Fills bic, bic_obs, bic_traj, bic_traj_obs and aic of s from s->loglik,
 * s->n_params, s->n_persons and s->n_obs. */
void criteria_information(gbtm_fit_summary *s);

/* From the n x K posteriors tau of this process's persons (all persons
 * when procs is NULL) and the shares pi: per-group assigned share, AvePP
 * and OCC over all persons into g[0..K-1]; returns the entropy
 * 1 + sum_i sum_k tau_ik ln tau_ik / (N ln K) (1 when K = 1). Collective. */
double criteria_classification(const double *tau, size_t n, int K, const double *share,
                               const gbtm_reducer *procs, gbtm_group_summary *g);

#endif
