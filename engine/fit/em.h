/* em.h: one EM run from one start (DESIGN §3): parameters as a flat vector
 * (params), E-step, M-step, the analytic gradient of eq. L, and the
 * SQUAREM-accelerated loop with its convergence test. */
#ifndef GBTM_EM_H
#define GBTM_EM_H

#include "fit/estep.h"

#include <pthread.h>

/* The interrupt hook of a fit (gbtm_fit_options.interrupt): fn is called
 * on the calling thread only; stop, once set, ends every run's EM. */
typedef struct em_interrupt {
  bool (*fn)(void *user);
  void *user;
  pthread_t caller;
  int stop; /* read and written atomically */
} em_interrupt;

/* Whether the fit was asked to stop: stop, or, on the caller's thread, fn
 * returning true (which sets stop). False for NULL. */
bool em_interrupted(em_interrupt *in);

/* The EM's flat parameter vector, params (not inference.h's psi, which
 * orders the full model's parameters for the covariance): theta[0..K-1]
 * (theta[0] = 0, the reference group), then per group beta_k (nb_k values,
 * from off_beta[k]) and alpha_k (na_k values, from off_alpha[k]), then for
 * a family with phi (family.h) log phi_k at off_phi[k]; P values in all. */
typedef struct em_ws {
  const gbtm_panel *panel;
  em_interrupt *interrupt; /* NULL: none (set by the fit after em_ws_init) */
  const gbtm_family *fam;
  estep_ctx *ctx;
  int K, ns;
  size_t T, P; /* ages, length of params */
  int nb[GBTM_MAX_GROUPS], na[GBTM_MAX_GROUPS];
  size_t off_beta[GBTM_MAX_GROUPS], off_alpha[GBTM_MAX_GROUPS], off_phi[GBTM_MAX_GROUPS];
  bool has_phi, phi_common; /* phi_common: one log phi, at off_phi[0] = off_phi[k] */
  family_par fpar[GBTM_MAX_GROUPS]; /* phi = exp(log phi_k) of the last E-step, and the censoring points */
  bool inflated[GBTM_MAX_GROUPS];
  double *X;     /* T x GBTM_MAX_COEF */
  double *eta, *zeta; /* K x T */
  double logpi[GBTM_MAX_GROUPS];
  double sum_tau[GBTM_MAX_GROUPS];
  double *stats; /* K x ns x T, of the last E-step */
  double *grad;  /* P */
} em_ws;

/* The state of a run: its parameters and what the last E-step found there. */
typedef struct em_run {
  double *params;    /* P */
  double loglik;
  double grad_norm;  /* max |grad| at params */
  int iterations;    /* E-steps so far */
  bool converged;
  bool stalled;      /* log L stopped moving before the gradient test passed */
  bool replica;      /* its polish stopped at a better run's maximum (engine/fit/fit.c) */
  bool plain;        /* SQUAREM failed on it: plain EM from then on (em_iterate) */
  bool out_of_memory; /* its failure: no memory for its iterates (the fit's, not the start's) */
  const char *failure; /* static reason, NULL while alive */
  int failed_group;    /* 1-based group the failure names, 0 if none */
} em_run;

gbtm_status em_ws_init(em_ws *ws, const gbtm_panel *panel, const gbtm_fit_options *o,
                       double centre, double scale, gbtm_error *err);
void em_ws_free(em_ws *ws);

/* E-step at params (tau_in given or NULL; tau_out NULL or N x K). Leaves stats,
 * sum_tau in ws; returns log L (NaN on failure). */
double em_estep(em_ws *ws, const double *params, const double *tau_in, double *tau_out);
/* The E-step at params that also writes each person's group
 * log-likelihoods l_ik (N x K, without c_i and log pi_k) to lrow, for the
 * several-outcome E-step of eq. MT (engine/fit/multi.c). */
double em_estep_rows(em_ws *ws, const double *params, double *lrow);
/* M-step from the last E-step's statistics: params_out from params_in. Returns
 * NULL or a static reason (and sets *group, 1-based). */
const char *em_mstep(em_ws *ws, const double *params_in, double *params_out, int *group);
/* max |grad| of eq. L at params, from the last E-step (which must be at params). */
double em_gradient(em_ws *ws, const double *params);

/* Starting values from given posteriors tau (N x K) and, for zero-inflated
 * groups, starting zero-inflation coefficients alpha0 (K x GBTM_MAX_COEF);
 * phi from the family's phi_start on the panel's mean and variance. */
const char *em_start_from_tau(em_ws *ws, const double *tau, const double *alpha0, double *params,
                              int *group);

/* Runs EM (SQUAREM when accelerate, falling back to plain EM from where it
 * began should SQUAREM's steps end in a failure) on run until
 * run->iterations reaches max_iterations, convergence (max|grad| <= tol_abs),
 * a failure, or a stall:
 * a cycle that gains at most handoff_gain in log L (when > 0: the point to
 * hand over to Newton's method), or three cycles that gain nothing beyond
 * rounding (run->stalled). */
void em_iterate(em_ws *ws, em_run *run, int max_iterations, double tol_abs, double handoff_gain,
                bool accelerate, gbtm_progress_fn progress, void *user, gbtm_progress *info);

#endif
