/* cell_newton.h: the M-step of a family whose complete-data log-likelihood
 * has no closed-form maximiser (eq. MN, DESIGN §3): one Newton step of
 * Q_k(beta, alpha, log phi) = sum_i tau_ik log f_k(y_i) from the current
 * parameters, with Q's gradient and Hessian gathered by the E-step as the
 * tau-weighted sums of the cells' terms (family_cell) per age. */
#ifndef GBTM_CELL_NEWTON_H
#define GBTM_CELL_NEWTON_H

#include "families/family.h"

/* The statistics per age, st[s * T + t]: the sums of the cells' a_eta,
 * a_zeta, a_phi, h_ee, h_ez, h_zz, h_ep, h_zp and h_pp. */
enum {
  CN_AE, CN_AZ, CN_AP, CN_HEE, CN_HEZ, CN_HZZ, CN_HEP, CN_HZP, CN_HPP, CN_STATS
};

/* st += w x the terms of cell c at age t. */
void cell_newton_add(const family_cell *c, double w, double *st, size_t t, size_t T);

/* The step from beta (g->nb), alpha (g->na) and *log_phi (NULL: the family
 * has no phi, whose rows are then left out), in place. Where Q's Hessian
 * is not negative definite it is shifted (Levenberg) until it is; a step
 * longer than CN_MAX_STEP in any coordinate is shortened to it. Returns
 * NULL or a static reason. */
const char *cell_newton_step(const family_group *g, const double *st, double *beta, double *alpha,
                             double *log_phi);

/* sum_t AP_t and sum_t HPP_t: dQ/dphi and d2Q/dphi2. */
void cell_newton_phi(const family_group *g, const double *st, double *d1, double *d2);

/* d log L / d (beta, alpha, phi) from the same statistics (Fisher's
 * identity): X'a_eta, X'a_zeta and sum a_phi. With cell_newton_step, a
 * family's gradient and mstep as they are (eta, zeta and fp are not read:
 * the statistics were gathered at them). */
void cell_newton_gradient(const family_group *g, const double *st, const double *eta, const double *zeta,
                          const family_par *fp, double *grad_beta, double *grad_alpha, double *grad_phi);

#endif
