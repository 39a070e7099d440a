/* multi.h: the engine's side of the multi-trajectory model (eq. MT,
 * DESIGN §10): the joint parameter vector x over several outcomes, the
 * joint E-step, gradient, M-step and information (multi.c). The unit tests
 * hold the gradient and the information to finite differences of log L. */
#ifndef GBTM_MULTI_H
#define GBTM_MULTI_H

#include "fit/em.h"
#include "model/model.h"

/* x: theta_1..theta_K (theta_1 = 0, the reference group), then for each
 * outcome o its EM vector after theta (em.h), from off[o]; P values. The
 * free parameters psi are x[1..P-1]. */
typedef struct multi {
  int O, K;
  size_t N, P;
  const gbtm_panel *panel[GBTM_MAX_OUTCOMES];
  gbtm_fit_options opt[GBTM_MAX_OUTCOMES];
  em_ws ws[GBTM_MAX_OUTCOMES];
  size_t *map[GBTM_MAX_OUTCOMES]; /* panel o's person i -> joint person */
  size_t off[GBTM_MAX_OUTCOMES];
  double *par[GBTM_MAX_OUTCOMES]; /* outcome o's EM vector (scratch) */
  char **ids;                     /* N joint person ids */
  double centre, scale;
  double cconst;                  /* sum_o sum_i c_io */
  double *lrow, *tau_o;           /* max n_o x K scratch */
  double *l, *tau;                /* N x K: sum_o l_iko; the posteriors */
  double logpi[GBTM_MAX_GROUPS], sum_tau[GBTM_MAX_GROUPS];
} multi;

/* The result of gbtm_fit_multi() or gbtm_multi_load() (model_io.c). */
struct gbtm_multi_result {
  int O, K;
  size_t N;
  char name[GBTM_MAX_OUTCOMES][GBTM_NAME_MAX];
  gbtm_model model[GBTM_MAX_OUTCOMES];
  size_t cells[GBTM_MAX_OUTCOMES];
  double loglik, grad_norm, share[GBTM_MAX_GROUPS];
  int iterations, n_params;
  bool converged;
  double *tau;
  char **ids;
  int n_est;
  double *est, *cov;
  char **pname;
  gbtm_model_file_info *file_info; /* the root attributes of a model file (NULL after a fit) */
};

gbtm_status multi_init(multi *m, const gbtm_panel *const *panels, const gbtm_fit_options *options, int O,
                       gbtm_error *err);
void multi_free(multi *m);
/* eq. MT at x (NaN on failure); leaves tau, sum_tau, logpi and every
 * outcome's statistics at x. */
double multi_estep(multi *m, const double *x);
/* The gradient of eq. MT (P values; g[0] = 0) from the last E-step. */
void multi_gradient(multi *m, double *g);
/* The M-step from the last E-step (at x): xn. NULL or a reason. */
const char *multi_mstep(multi *m, const double *x, double *xn, int *group);
/* eq. MTI: the observed information over psi ((P-1) x (P-1), row-major)
 * by central differences of the gradient; leaves the E-step at x. */
gbtm_status multi_information(multi *m, const double *x, double *info, gbtm_error *err);

#endif
