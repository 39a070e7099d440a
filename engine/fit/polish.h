/* polish.h: the Newton polish of eq. L after EM and the covariances of the
 * estimate (DESIGN §3 Convergence, §4). */
#ifndef GBTM_POLISH_H
#define GBTM_POLISH_H

#include "fit/inference.h"

#include <math.h>

#define POLISH_DECREMENT_TOL 1e-8
#define POLISH_DECREMENT_REL 1e-14

/* The Newton decrement below which a fit has converged: 1e-8, or 1e-14 of
 * |log L| when that is more. log L is a sum over all cells and carries
 * rounding of about that relative size, which the gradient carries too: on
 * large panels a fixed decrement falls below what the arithmetic resolves,
 * and the polish would step on without gain. */
static inline double polish_tolerance(double loglik) {
  double rel = POLISH_DECREMENT_REL * fabs(loglik);
  return rel > POLISH_DECREMENT_TOL ? rel : POLISH_DECREMENT_TOL;
}

/* Evaluates eq. L at a model (for the line search); NULL means
 * gbtm_model_loglik. */
typedef double (*polish_loglik_fn)(void *ctx, const gbtm_model *m);

typedef struct polish_result {
  bool pd;           /* the last I computed was positive definite */
  bool same;         /* stopped at the rival's maximum (see polish_rival) */
  bool short_of;     /* stopped: cannot reach the rival's log L */
  double decrement;  /* g'I^-1g at the last I computed, before any final step (NaN when not pd) */
  double loglik;     /* at the end, by the loglik function */
  int iterations;    /* Newton steps taken */
} polish_result;

/* Newton steps on eq. L from m (in place), halving a step that would lower
 * log L (and extending one along a flat direction), until the Newton
 * decrement g'I^-1g < polish_tolerance(log L), no step raises log L, or
 * max_steps. Where I is not positive definite: when damped, a
 * Levenberg-Marquardt step (I + mu 1)^-1 g instead, then a search along
 * I's direction of most negative curvature; otherwise a stop. Used
 * after EM (engine/fit/fit.c) and from the fit without covariates to the one
 * with them. */
/* Called after each step that moved (may be NULL): its number from 1 and
 * the log-likelihood reached. */
typedef struct polish_progress {
  void (*step)(void *user, int step, double loglik);
  void *user;
} polish_progress;

/* The log L of a run already polished to its maximum (a fit's best so
 * far): a polish given one stops early, at a positive definite I, once its
 * own run is at that maximum (|log L - loglik| <= tol and decrement <= tol)
 * or cannot reach it (log L + 2 decrement < loglik - tol; twice the
 * decrement, since along a direction running to a boundary the remaining
 * gain is the decrement, not half of it). Only the best run of a fit needs
 * the precision of polish_tolerance(); the others only need to be told
 * apart from it. */
typedef struct polish_rival {
  double loglik, tol;
} polish_rival;

gbtm_status polish_ascend(gbtm_model *m, const gbtm_panel *p, int threads, polish_loglik_fn loglik,
                          void *ctx, bool damped, int max_steps, const polish_progress *progress,
                          const polish_rival *rival, polish_result *out, gbtm_error *err);

/* At m: the model-based covariance I^-1 and the robust I^-1 M I^-1 (P x P,
 * row-major; set, and out->ok true, only when the information of the free
 * parameters is positive definite and, in its correlation form, not nearly
 * singular), the gradient max-norm, the decrement, and otherwise a note
 * naming the parameters of I's null or negative directions. Parameters on
 * the boundary (a zero inflation held at omega = 0) are marked in
 * boundary[P]; their rows and columns of both covariances are 0, and the
 * others' are the covariance given them (I_FF^-1, DESIGN §4). */
typedef struct polish_covariance {
  bool ok;
  double grad_norm, decrement, loglik;
  size_t boundary; /* parameters on the boundary (boundary[j] true) */
  char note[512];
} polish_covariance;

/* Intercepts held at the floor of polish_ascend (a zero inflation run to
 * 0) are set back to -4 (omega 0.018), for a fit that starts from m on
 * other data (the pilot's maxima on the whole panel, a start model): at
 * the floor eq. L is flat and no step would leave it, however much the new
 * data want a zero inflation; from -4, where eq. L is concave in it,
 * Newton's steps take it to the new maximum, or down to the floor again if
 * the new data want none. Not from further down: there the information can
 * be indefinite and the steps creep. */
void polish_release_boundary(gbtm_model *m);

gbtm_status polish_covariances(const gbtm_model *m, const gbtm_panel *p, int threads,
                               double *covariance_model, double *covariance_robust, bool *boundary,
                               polish_covariance *out, gbtm_error *err);

#endif
