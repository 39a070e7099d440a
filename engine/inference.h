/* inference.h: the gradient and observed information of eq. L (DESIGN §4)
 * at a model, the score outer products for the robust covariance, and the
 * parameter vector they are about:
 *   psi = (theta_2..theta_K, then per group beta_k, then alpha_k),
 * group 1 being the reference (theta_1 = 0). */
#ifndef GBTM_INFERENCE_H
#define GBTM_INFERENCE_H

#include "panel.h"

typedef struct inference {
  size_t P;
  double loglik;
  double *grad; /* P: gradient of eq. L */
  double *info; /* P x P: observed information I = -Hessian of eq. L (eq. I) */
  double *meat; /* P x P: sum_i s_i s_i' */
} inference;

/* Length of psi for a model (its number of free parameters). */
size_t inference_n_params(const gbtm_model *m);
/* Offsets in psi of each group's beta (ob[k]) and alpha (oa[k]). */
void inference_offsets(const gbtm_model *m, size_t *ob, size_t *oa);
/* psi <-> model. */
void inference_pack(const gbtm_model *m, double *psi);
void inference_unpack(gbtm_model *m, const double *psi);
/* Name of parameter j: "theta[2]", "beta[1][0]", "alpha[3][1]" (1-based
 * groups, 0-based powers), into buf. */
void inference_param_name(const gbtm_model *m, size_t j, char *buf, size_t len);

/* Computes log L, the gradient, the information and the meat at m, in
 * parallel over fixed person blocks (threads 0 = OpenMP default); the result
 * does not depend on the number of threads. */
gbtm_status inference_compute(const gbtm_model *m, const gbtm_panel *p, int threads, inference *out,
                              gbtm_error *err);
void inference_free(inference *inf);

#endif
