/* inference.h: the gradient and observed information of eq. L (DESIGN §4)
 * at a model, the score outer products for the robust covariance, and the
 * parameter vector psi they are about (psi_layout): the full model's
 * parameters in the order of gbtm_fit_result_estimates(), which is not the
 * EM's vector (em.h's params). */
#ifndef GBTM_INFERENCE_H
#define GBTM_INFERENCE_H

#include "model/model.h"
#include "panel/panel.h"

typedef struct inference {
  size_t P;
  double loglik;
  double *grad; /* P: gradient of eq. L */
  double *info; /* P x P: observed information I = -Hessian of eq. L (eq. I) */
  double *meat; /* P x P: sum_i s_i s_i' (with weights, eq. W: sum_i w_i^2 s_i s_i') */
} inference;

/* Length of psi for a model (its number of free parameters). */
size_t inference_n_params(const gbtm_model *m);

/* Where each block of psi starts: for each group k but the reference,
 * theta_k (at theta_at[k]) then its risk log-odds ratios gamma_k (from
 * gamma_at[k] = theta_at[k] + 1); then per group beta_k (from beta_at[k]),
 * delta_k (delta_at[k]), alpha_k (alpha_at[k]) and, for a family with
 * phi, phi_k itself (phi_at[k]). The reference group has no theta or gamma. */
typedef struct psi_layout {
  size_t P;
  size_t theta_at[GBTM_MAX_GROUPS], gamma_at[GBTM_MAX_GROUPS];
  size_t beta_at[GBTM_MAX_GROUPS], delta_at[GBTM_MAX_GROUPS], alpha_at[GBTM_MAX_GROUPS];
  size_t phi_at[GBTM_MAX_GROUPS];
} psi_layout;

void inference_layout(const gbtm_model *m, psi_layout *l);
/* psi <-> model (theta and gamma relative to the reference group). */
void inference_pack(const gbtm_model *m, double *psi);
void inference_unpack(gbtm_model *m, const double *psi);
#define INFERENCE_NAME_MAX 80
/* Name of parameter j: "theta[2]", "theta[2][unstable]", "beta[1][0]",
 * "delta[1][employed]", "alpha[3][1]" (1-based groups, 0-based powers,
 * covariates by name), into buf. */
void inference_param_name(const gbtm_model *m, size_t j, char *buf, size_t len);

/* Computes log L, the gradient, the information and the meat at m, in
 * parallel over fixed person blocks (threads 0 = OpenMP default); the result
 * does not depend on the number of threads. */
gbtm_status inference_compute(const gbtm_model *m, const gbtm_panel *p, int threads, inference *out,
                              gbtm_error *err);
void inference_free(inference *inf);

#endif
