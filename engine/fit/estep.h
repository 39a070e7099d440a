/* estep.h: the E-step of DESIGN §3: group log-likelihoods of every person,
 * posteriors by log-sum-exp, and the K x T sufficient statistics that the
 * M-step needs, in one pass over the panel. Two kernels compute the same
 * numbers: a dense one (dgemm on person x age matrices) and a sparse one
 * (window prefix sums plus the nonzero and exception cells). */
#ifndef GBTM_ESTEP_H
#define GBTM_ESTEP_H

#include "families/family.h"
#include "panel/panel.h"
#include "base/reduce.h"

typedef struct estep_ctx estep_ctx;

/* Prepares the kernel for a panel and K groups: kernel AUTO picks dense or
 * sparse from the panel's density; threads 0 = the OpenMP default. The
 * panel must outlive the context. */
gbtm_status estep_ctx_alloc(const gbtm_panel *panel, const gbtm_family *family, int K,
                            gbtm_kernel kernel, int threads, const gbtm_reducer *reducer,
                            estep_ctx **out, gbtm_error *err);
void estep_ctx_free(estep_ctx *ctx);
gbtm_kernel estep_kernel(const estep_ctx *ctx);
int estep_threads(const estep_ctx *ctx);

/* c_i of eq. L, the part of person i's log-likelihood that no parameter
 * touches: the family's add_constant over their observed cells, ascending
 * in age. */
double estep_person_constant(const gbtm_panel *panel, const gbtm_family *family, size_t i);

/* The current parameters, as per-(k, t) arrays over the age grid. */
typedef struct estep_params {
  const double *eta;   /* K x T: x_t'beta_k */
  const double *zeta;  /* K x T: x_t'alpha_k (rows of groups without inflation unused) */
  const bool *inflated; /* K: group has zeta */
  const double *logpi; /* K: log pi_k */
  const family_par *fpar; /* K: each group's family_par (family.h), or NULL: family_par_none */
} estep_params;

/* Results: the caller provides stats (K x n_stats x T) and sum_tau (K). */
typedef struct estep_out {
  double loglik;   /* eq. L at the parameters (0 when tau was given) */
  double *sum_tau; /* K: sum_i tau_ik */
  double *stats;   /* K x n_stats x T */
  double *tau;     /* N x K posteriors out, or NULL not to keep them */
  /* N x K: each person's group log-likelihoods l_ik of pass 1, without c_i
   * and without log pi_k (eq. MT sums them over outcomes), or NULL; left
   * unwritten when tau was given. */
  double *lrow;
} estep_out;

/* One E-step. With tau_in (N x K) the posteriors are taken as given (for
 * starts) instead of computed. Deterministic whatever the thread count. */
gbtm_status estep_run(estep_ctx *ctx, const estep_params *par, const double *tau_in,
                      estep_out *out, gbtm_error *err);

#endif
