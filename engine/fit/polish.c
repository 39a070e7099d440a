/* polish.c: Newton's method on eq. L with the observed information
 * (engine/fit/inference.c), and the covariances of the estimate:
 *   model-based  V = I^-1,
 *   robust       V = I^-1 M I^-1,  M = sum_i s_i s_i'   (DESIGN §4).
 * The Newton decrement g'I^-1g is the convergence criterion once I exists
 * (DESIGN §3). An information matrix that is not positive definite (a
 * boundary estimate, e.g. a zero inflation running to 0) stops the polish
 * and is reported with the parameters that span its null or negative
 * directions, from LAPACK's symmetric eigen-decomposition; standard errors
 * are then not given rather than given as NaN. */
#include "fit/polish.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fit/glm.h"
#include "base/lapack.h"

#define EXTEND_MAX 8.0 /* the longest multiple of a Newton step tried (see polish_ascend) */
#define FINAL_STEPS 1  /* Newton steps at most after convergence (see polish_ascend) */

/* Whether the model's expected counts and zero probabilities are finite at
 * every age of the panel (a step along a flat direction may not make a
 * rate overflow where a zero probability of 1 hides it from eq. L). */
static bool finite_at_ages(const gbtm_model *m, const gbtm_panel *p) {
  const double *ages = gbtm_panel_ages(p);
  for (int k = 0; k < m->groups; k++)
    for (size_t t = 0; t < gbtm_panel_n_ages(p); t++)
      if (!isfinite(gbtm_model_expected(m, k, ages[t])) || !isfinite(gbtm_model_omega(m, k, ages[t])))
        return false;
  return true;
}

/* eq. L at a candidate model, NaN where an expected count or zero
 * probability is not finite at some age (finite_at_ages). */
static double loglik_at(const gbtm_model *cand, const gbtm_panel *p, polish_loglik_fn loglik, void *ctx) {
  return finite_at_ages(cand, p) ? loglik(ctx, cand) : NAN;
}

/* I's eigenvalues, ascending, into w (P), and with vectors the eigenvector
 * of w[e] into a[e P .. e P + P) (a: P x P, scratch without vectors), by
 * LAPACK's dsyev; false when out of memory or LAPACK fails. */
static bool eigen(const double *info, size_t P, bool vectors, double *w, double *a) {
  int n = (int)P, lwork = 8 * n + 64, ok = 0;
  double *work = malloc((size_t)lwork * sizeof *work);
  if (!work) return false;
  memcpy(a, info, P * P * sizeof *a);
  dsyev_(vectors ? "V" : "N", "L", &n, a, &n, w, work, &lwork, &ok);
  free(work);
  return ok == 0;
}

/* Names the parameters loading on I's eigenvalues <= 1e-10 x the largest;
 * what: "not positive definite" or "nearly singular". */
static void explain_indefinite(const gbtm_model *m, const double *info, size_t P, const char *what, char *note,
                               size_t len) {
  double *a = malloc(P * P * sizeof *a), *w = malloc(P * sizeof *w);
  int used = snprintf(note, len, "the information matrix is %s", what);
  if (a && w && eigen(info, P, true, w, a)) {
    double top = fabs(w[P - 1]);
    used += snprintf(note + used, len - (size_t)used, " (smallest eigenvalue %.3g, largest %.3g); parameters involved:",
                     w[0], w[P - 1]);
    bool named[2 * GBTM_MAX_GROUPS * (1 + 2 * GBTM_MAX_COEF)] = {false};
    for (size_t e = 0; e < P && w[e] <= 1e-10 * top && (size_t)used < len; e++)
      for (size_t j = 0; j < P && (size_t)used < len; j++)
        if (fabs(a[e * P + j]) > 0.3 && !named[j]) {
          char name[32];
          named[j] = true;
          inference_param_name(m, j, name, sizeof name);
          used += snprintf(note + used, len - (size_t)used, " %s", name);
        }
  }
  free(a), free(w);
}

/* The smallest eigenvalue of I over its largest (NaN when LAPACK fails). A
 * positive definite I whose ratio is below NEAR_SINGULAR has an inverse
 * with no correct digits along its weakest direction: a parameter at a
 * boundary (a zero inflation run to 0, a rate to 0 at ages with no counts)
 * whose "standard error" would be any huge number rounding makes it. */
#define NEAR_SINGULAR 1e-12
static double eigen_ratio(const double *info, size_t P) {
  double *a = malloc(P * P * sizeof *a), *w = malloc(P * sizeof *w);
  double ratio = NAN;
  if (a && w && eigen(info, P, false, w, a) && w[P - 1] > 0.0) ratio = w[0] / w[P - 1];
  free(a), free(w);
  return ratio;
}

/* chol holds I's Cholesky factor on success (lower, column-major). */
static bool factor(const double *info, size_t P, double *chol) {
  int n = (int)P, ok = 0;
  memcpy(chol, info, P * P * sizeof *chol);
  dpotrf_("L", &n, chol, &n, &ok);
  return ok == 0;
}

/* Zero inflations running to 0. Along an intercept alpha_k running to
 * -inf, eq. L rises towards its supremum by about c e^alpha, whose
 * gradient and information are both c e^alpha: Newton in alpha moves it by
 * about 1 per step and the decrement falls by only e^-1 per step, an
 * information matrix each, and the information turns singular on the
 * way. Where it can, the step moves omega instead (omega_system), which
 * reaches the boundary in one step; the steps that move alpha (Levenberg-
 * Marquardt's, and intercepts of iorder > 0) and the omega steps that stop
 * short of it still need this. So after each step every intercept below
 * BOUNDARY_ALPHA is tried at ALPHA_FLOOR, one at a time, and left there
 * when log L does not fall (beyond rounding): an E-step per try (without
 * the tries the 20,000-person test of check_inference took one more step
 * with the omega step). At the floor omega = 4e-18, and
 * c e^alpha is below what eq. L resolves at any size (c <= 1e9 cells at
 * |log L| >= 1e4), so an intercept at the floor is held there, out of the
 * Newton system (boundary_hold). An interior maximum below BOUNDARY_ALPHA
 * loses c e^alpha at the floor, which eq. L resolves, and is not moved.
 * The estimate is a point of the supremum; its standard errors are
 * withheld as at any boundary (polish_covariances). */
#define BOUNDARY_ALPHA -6.0
#define ALPHA_FLOOR -40.0


static void run_to_boundary(gbtm_model *m, const gbtm_panel *p, polish_loglik_fn loglik, void *ctx, double *ll) {
  for (int k = 0; k < m->groups; k++) {
    if (!(model_inflated(m, k) && m->alpha[k][0] < BOUNDARY_ALPHA &&
          m->alpha[k][0] > ALPHA_FLOOR))
      continue;
    gbtm_model cand = *m;
    cand.alpha[k][0] = ALPHA_FLOOR;
    double llc = loglik_at(&cand, p, loglik, ctx);
    if (isfinite(llc) && llc >= *ll - 1e-14 * fabs(*ll)) { /* rises, or within rounding */
      *m = cand;
      *ll = llc;
    }
  }
}

#define ALPHA_RELEASED -4.0

void polish_release_boundary(gbtm_model *m) {
  for (int k = 0; k < m->groups; k++)
    if (model_inflated(m, k) && m->alpha[k][0] <= ALPHA_FLOOR) m->alpha[k][0] = ALPHA_RELEASED;
}

/* At convergence, the held intercepts whose gradient at the floor is
 * positive: each is tried at -4, -8, ..., -20 and moved to the best of
 * them when that raises log L (beyond rounding), at most RELEASES times;
 * true when one moved. In omega = logistic(alpha) a group's zero-inflation
 * terms are concave (the log of omega + (1 - omega) e^-lambda for a zero,
 * log(1 - omega) for a count), so a positive derivative at omega = 0 (the
 * sign of alpha's gradient, which the information's sums carry however
 * small) says the maximum lies inside: an intercept held while the other
 * parameters still moved is let go. This is the boundary's Karush-Kuhn-Tucker check. */
#define RELEASES 2
static bool release_up(gbtm_model *m, const gbtm_panel *p, const double *grad, polish_loglik_fn loglik, void *ctx,
                       double *ll, int *released) {
  psi_layout l;
  inference_layout(m, &l);
  bool any = false;
  for (int k = 0; k < m->groups; k++) {
    if (!(model_inflated(m, k) && m->alpha[k][0] <= ALPHA_FLOOR && grad[l.alpha_at[k]] > 0.0 &&
          released[k] < RELEASES))
      continue;
    released[k]++;
    gbtm_model best = *m;
    double best_ll = *ll + 1e-14 * fabs(*ll);
    for (double a = -4.0; a >= -20.0; a -= 4.0) {
      gbtm_model cand = *m;
      cand.alpha[k][0] = a;
      double llc = loglik_at(&cand, p, loglik, ctx);
      if (isfinite(llc) && llc > best_ll) best = cand, best_ll = llc;
    }
    if (best.alpha[k][0] != m->alpha[k][0]) *m = best, *ll = best_ll, any = true;
  }
  return any;
}

/* Intercepts at ALPHA_FLOOR (or below) leave the Newton system: their rows
 * and columns of I become those of the identity, their gradient 0, so
 * their step is 0 and the decrement is that of the other parameters. */
static void boundary_hold(const gbtm_model *m, double *info, double *grad) {
  psi_layout l;
  inference_layout(m, &l);
  for (int k = 0; k < m->groups; k++) {
    if (!(model_inflated(m, k) && m->alpha[k][0] <= ALPHA_FLOOR)) continue;
    size_t j = l.alpha_at[k];
    for (size_t a = 0; a < l.P; a++) info[a * l.P + j] = info[j * l.P + a] = 0.0;
    info[j * l.P + j] = 1.0;
    grad[j] = 0.0;
  }
}

/* Zero inflations in omega. Where a group's zero inflation is its
 * intercept alone (iorder 0) and below 1/2, the Newton step moves omega =
 * logistic(alpha) rather than alpha, while the gradient says it heads
 * down: in omega the group's zero-inflation terms are concave (release_up)
 * and the boundary omega = 0 lies at a finite distance, where in alpha it
 * lies at -inf and Newton moves alpha by about 1 per step. An intercept
 * climbing from near 0 stays in alpha: in omega, where eq. L is nearly
 * linear there, the steps creep up. The system changes by the chain rule (eq. I in
 * omega): with d = omega (1 - omega) = dalpha/domega^-1,
 *   g_omega = g_alpha / d,
 *   I_omega[j][c] = I[j][c] / d (c != j),
 *   I_omega[j][j] = (I[j][j] + g_alpha (1 - 2 omega)) / d^2
 * (the second term from d2alpha/domega2 = -(1 - 2 omega) / d^2), and a step
 * to omega <= 0 puts the intercept at ALPHA_FLOOR. At a maximum g = 0 and
 * I_omega = J I J: the same verdict, decrement and covariances. */
typedef struct omega_map {
  int n;
  size_t j[GBTM_MAX_GROUPS]; /* psi index of the intercept */
  double omega[GBTM_MAX_GROUPS];
} omega_map;

/* I and g (after boundary_hold) into the system in omega of the
 * intercepts it lists in om, in place. */
static void omega_system(const gbtm_model *m, double *info, double *grad, size_t P, omega_map *om) {
  psi_layout l;
  inference_layout(m, &l);
  om->n = 0;
  for (int k = 0; k < m->groups; k++) {
    double a = m->alpha[k][0];
    size_t j = l.alpha_at[k];
    if (!(model_inflated(m, k) && m->iorder[k] == 0 && a > ALPHA_FLOOR && a < 0.0 && grad[j] < 0.0)) continue;
    double w = 1.0 / (1.0 + exp(-a)), d = w * (1.0 - w);
    info[j * P + j] = (info[j * P + j] + grad[j] * (1.0 - 2.0 * w)) / (d * d);
    for (size_t c = 0; c < P; c++)
      if (c != j) info[j * P + c] /= d, info[c * P + j] /= d;
    grad[j] /= d;
    om->j[om->n] = j;
    om->omega[om->n++] = w;
  }
}

/* cand = the model at psi + t step, the intercepts of om (NULL: none) at
 * omega + t step: at ALPHA_FLOOR where that is at or below the floor's
 * omega, NaN (which loglik_at rejects) where it is 1 or more. */
static void take_step(gbtm_model *cand, const double *psi, const double *step, double t, const omega_map *om,
                      size_t P, double *trial) {
  for (size_t j = 0; j < P; j++) trial[j] = psi[j] + t * step[j];
  for (int e = 0; om && e < om->n; e++) {
    double w = om->omega[e] + t * step[om->j[e]];
    trial[om->j[e]] = w >= 1.0 ? NAN : w > 0.0 ? fmax(log(w / (1.0 - w)), ALPHA_FLOOR) : ALPHA_FLOOR;
  }
  inference_unpack(cand, trial);
}

static double direct_loglik(void *ctx, const gbtm_model *m) {
  double ll;
  return gbtm_model_loglik(m, ctx, &ll, NULL) == GBTM_OK ? ll : NAN;
}

/* Where I is not positive definite: its eigenvector of the most negative
 * eigenvalue, signed to ascend (g'v >= 0), into v; false when I has no
 * negative eigenvalue or LAPACK fails. */
static bool negative_direction(const double *info, const double *grad, size_t P, double *v) {
  double *a = malloc(P * P * sizeof *a), *w = malloc(P * sizeof *w);
  bool found = a && w && eigen(info, P, true, w, a) && w[0] < 0.0;
  if (found) {
    double gv = 0.0;
    for (size_t j = 0; j < P; j++) gv += grad[j] * a[j];
    for (size_t j = 0; j < P; j++) v[j] = gv < 0.0 ? -a[j] : a[j];
  }
  free(a), free(w);
  return found;
}

/* Along a direction of negative curvature eq. L is convex: no quadratic
 * model bounds the step, so it is searched by doubling, from t = 0.01
 * (psi's units) while log L rises, up to CURVATURE_MAX; each try an
 * E-step. True when log L rose. (A zero inflation let go from the floor
 * can sit in such a region, where Levenberg-Marquardt steps, an
 * information matrix each, gain next to nothing.) */
#define CURVATURE_MAX 64.0
static bool curvature_search(gbtm_model *m, const gbtm_panel *p, const double *v, size_t P,
                             polish_loglik_fn loglik, void *ctx, double *ll, double *psi, double *trial) {
  inference_pack(m, psi);
  bool moved = false;
  for (double t = 0.01; t <= CURVATURE_MAX; t *= 2.0) {
    gbtm_model cand = *m;
    take_step(&cand, psi, v, t, NULL, P, trial);
    double llc = loglik_at(&cand, p, loglik, ctx);
    if (!(isfinite(llc) && llc > *ll)) break;
    *m = cand;
    *ll = llc;
    moved = true;
  }
  return moved;
}

/* A positive definite I + mu I for the smallest mu = 1e-6 max|I_jj| x 10^n
 * (Levenberg-Marquardt), factored into chol; false when none is found. */
static bool factor_damped(const double *info, size_t P, double *chol, double *work) {
  double top = 0.0;
  for (size_t j = 0; j < P; j++) top = fmax(top, fabs(info[j * P + j]));
  for (double mu = 1e-6 * (top > 0.0 ? top : 1.0); mu < 1e12 * (top > 0.0 ? top : 1.0); mu *= 10.0) {
    memcpy(work, info, P * P * sizeof *work);
    for (size_t j = 0; j < P; j++) work[j * P + j] += mu;
    if (factor(work, P, chol)) return true;
  }
  return false;
}

gbtm_status polish_ascend(gbtm_model *m, const gbtm_panel *p, int threads, polish_loglik_fn loglik,
                          void *ctx, bool damped, int max_steps, const polish_progress *progress,
                          const polish_rival *rival, polish_result *out, gbtm_error *err) {
  if (!loglik) {
    loglik = direct_loglik;
    ctx = (void *)p;
  }
  size_t P = inference_n_params(m);
  memset(out, 0, sizeof *out);
  out->decrement = NAN;
  double *chol = malloc(P * P * sizeof *chol), *step = malloc(P * sizeof *step), *psi = malloc(P * sizeof *psi),
         *trial = malloc(P * sizeof *trial), *gheld = malloc(P * sizeof *gheld),
         *negv = malloc(P * sizeof *negv), *oinfo = malloc(P * P * sizeof *oinfo), *ograd = malloc(P * sizeof *ograd),
         *work = damped ? malloc(P * P * sizeof *work) : NULL;
  if (!chol || !step || !psi || !trial || !gheld || !negv || !oinfo || !ograd || (damped && !work)) {
    free(chol), free(step), free(psi), free(trial), free(gheld), free(negv), free(oinfo), free(ograd), free(work);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory in the Newton polish");
  }
  gbtm_status st = GBTM_OK;
  double ll = loglik(ctx, m);
  int idle = 0; /* steps in a row that gained nothing */
  int finals = 0; /* steps taken after convergence */
  int released[GBTM_MAX_GROUPS] = {0}; /* releases of held intercepts (release_up) */
  for (int it = 0; it < max_steps; it++) {
    inference inf;
    if ((st = inference_compute(m, p, threads, &inf, err)) != GBTM_OK) break;
    memcpy(gheld, inf.grad, P * sizeof *gheld); /* before boundary_hold zeroes the held entries */
    boundary_hold(m, inf.info, inf.grad);
    /* the step in omega where that system is positive definite (omega_system) */
    omega_map om;
    memcpy(oinfo, inf.info, P * P * sizeof *oinfo);
    memcpy(ograd, inf.grad, P * sizeof *ograd);
    omega_system(m, oinfo, ograd, P, &om);
    bool in_omega = om.n > 0 && factor(oinfo, P, chol);
    if (!in_omega) om.n = 0;
    const double *g = in_omega ? ograd : inf.grad;
    out->pd = in_omega || factor(inf.info, P, chol);
    /* Damped: where I is not positive definite, a Levenberg-Marquardt step
     * (I + mu 1)^-1 g, an ascent direction for any mu that makes it so. */
    bool direction = out->pd || (damped && factor_damped(inf.info, P, chol, work));
    bool curved = !out->pd && damped && negative_direction(inf.info, inf.grad, P, negv);
    double dec = NAN;
    if (direction) {
      int n = (int)P, one = 1, ok = 0;
      memcpy(step, g, P * sizeof *step);
      dpotrs_("L", &n, &one, chol, &n, step, &n, &ok);
      dec = 0.0;
      for (size_t j = 0; j < P; j++) dec += g[j] * step[j];
    }
    inference_free(&inf);
    out->decrement = out->pd ? dec : NAN;
    if (!direction) break;
    if (rival && out->pd) { /* told apart from the rival (polish_rival) */
      out->same = fabs(ll - rival->loglik) <= rival->tol && dec <= rival->tol;
      out->short_of = ll + 2.0 * dec < rival->loglik - rival->tol;
      if (out->same || out->short_of) break;
    }
    /* Converged: the step at hand is taken still, whole or not at all
     * (FINAL_STEPS): it leaves the estimates at the precision of the sums
     * rather than of the tolerance, which is what makes one process, many
     * threads and many processes give the same answer to 1e-9. */
    bool last = out->pd && !(dec >= polish_tolerance(ll));
    if (last && finals == 0 && release_up(m, p, gheld, loglik, ctx, &ll, released)) continue;
    if (last) finals++;
    inference_pack(m, psi);
    bool moved = false;
    double s = 1.0, ll_before = ll;
    for (; s > (last ? 0.75 : 1e-6); s *= 0.5) {
      gbtm_model cand = *m;
      take_step(&cand, psi, step, s, &om, P, trial);
      double llc = loglik_at(&cand, p, loglik, ctx);
      if (isfinite(llc) && llc >= ll - (last ? 1e-14 * fabs(ll) : 0.0)) { /* the last: within rounding */
        *m = cand;
        ll = llc;
        moved = true;
        break;
      }
    }
    /* A full step that gained more than the quadratic model's dec/2 shows
     * a log-likelihood flatter ahead than that model: a direction running
     * to a boundary (a zero inflation going to 0), where Newton converges
     * only linearly, by about e^-1 per step. Such a step is tried at 2, 4,
     * ... up to EXTEND_MAX times its length, kept while the log-likelihood
     * still rises and every expected count stays finite. Each try costs an
     * E-step, not an information matrix; EXTEND_MAX is set by the
     * measurement in bench/RESULTS.md ("Measurements that decided the
     * code's rules"). */
    /* After the final step no information is computed: the covariances
     * compute their own at the estimate (engine/fit/fit.c), and a second one here
     * (an information matrix costs many E-steps) would only stop. */
    if (last) {
      if (!moved || finals >= FINAL_STEPS) break;
      continue;
    }
    bool flat = moved && s == 1.0 && ll - ll_before > 0.5 * dec;
    for (double e = 2.0; flat && e <= EXTEND_MAX; e *= 2.0) {
      gbtm_model cand = *m;
      take_step(&cand, psi, step, e, &om, P, trial);
      double llc = loglik_at(&cand, p, loglik, ctx);
      if (!(isfinite(llc) && llc > ll)) break;
      *m = cand;
      ll = llc;
    }
    if (curved && curvature_search(m, p, negv, P, loglik, ctx, &ll, psi, trial)) moved = true;
    if (moved) run_to_boundary(m, p, loglik, ctx, &ll);
    if (!moved) break;
    /* Steps that gain nothing the arithmetic resolves, three in a row: the
     * maximum as far as eq. L can tell (the verdict stays the decrement's). */
    idle = ll - ll_before <= 1e-15 * fabs(ll) ? idle + 1 : 0;
    if (idle >= 3) break;
    out->iterations++;
    if (progress && progress->step) progress->step(progress->user, out->iterations, ll);
  }
  out->loglik = ll;
  free(chol), free(step), free(psi), free(trial), free(gheld), free(negv), free(oinfo), free(ograd), free(work);
  return st;
}

/* The parameters on the boundary at m: every zero-inflation coefficient of
 * a group whose intercept is held at ALPHA_FLOOR (omega = 0 at every age,
 * where its slopes are not identified either). Returns their number. */
static size_t boundary_params(const gbtm_model *m, bool *on) {
  psi_layout l;
  inference_layout(m, &l);
  size_t n = 0;
  for (size_t j = 0; j < l.P; j++) on[j] = false;
  for (int k = 0; k < m->groups; k++) {
    if (!(model_inflated(m, k) && m->alpha[k][0] <= ALPHA_FLOOR)) continue;
    for (int j = 0; j <= m->iorder[k]; j++) on[l.alpha_at[k] + (size_t)j] = true, n++;
  }
  return n;
}

gbtm_status polish_covariances(const gbtm_model *m, const gbtm_panel *p, int threads,
                               double *covariance_model, double *covariance_robust, bool *boundary,
                               polish_covariance *out, gbtm_error *err) {
  memset(out, 0, sizeof *out);
  size_t P = inference_n_params(m);
  inference inf;
  gbtm_status st = inference_compute(m, p, threads, &inf, err);
  if (st != GBTM_OK) return st;
  out->loglik = inf.loglik;
  for (size_t j = 0; j < P; j++) out->grad_norm = fmax(out->grad_norm, fabs(inf.grad[j]));
  out->decrement = NAN;
  out->boundary = boundary_params(m, boundary);
  /* F: the free parameters, F_n of them; R = D I_FF D with D = diag(I_FF)^-1/2
   * (eq. V's correlation form, DESIGN §4), whose eigenvalue ratio judges
   * singularity whatever the parameters' scales. */
  size_t n_free = P - out->boundary;
  size_t *free_at = malloc(P * sizeof *free_at);
  double *chol = malloc(P * P * sizeof *chol), *R = malloc(P * P * sizeof *R), *tmp = malloc(P * P * sizeof *tmp),
         *g = malloc(P * sizeof *g), *d = malloc(P * sizeof *d);
  if (!free_at || !chol || !R || !tmp || !g || !d) {
    free(free_at), free(chol), free(R), free(tmp), free(g), free(d);
    inference_free(&inf);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the covariances");
  }
  for (size_t j = 0, f = 0; j < P; j++)
    if (!boundary[j]) free_at[f++] = j;
  bool pd = true;
  for (size_t a = 0; a < n_free; a++) {
    double v = inf.info[free_at[a] * P + free_at[a]];
    pd = pd && v > 0.0;
    d[a] = v > 0.0 ? 1.0 / sqrt(v) : 0.0;
  }
  for (size_t a = 0; a < n_free; a++)
    for (size_t c = 0; c < n_free; c++) R[a * n_free + c] = d[a] * inf.info[free_at[a] * P + free_at[c]] * d[c];
  pd = pd && factor(R, n_free, chol);
  bool near_singular = pd && !(eigen_ratio(R, n_free) > NEAR_SINGULAR);
  int n = (int)n_free, one = 1, ok = 0;
  if (pd) { /* the decrement of the free parameters: g_F' I_FF^-1 g_F */
    for (size_t a = 0; a < n_free; a++) g[a] = d[a] * inf.grad[free_at[a]];
    memcpy(tmp, g, n_free * sizeof *tmp);
    dpotrs_("L", &n, &one, chol, &n, tmp, &n, &ok);
    out->decrement = 0.0;
    for (size_t a = 0; a < n_free; a++) out->decrement += g[a] * tmp[a];
  }
  if (pd && !near_singular) {
    /* V_FF = D R^-1 D; the boundary parameters' rows and columns 0 (fixed
     * at the boundary: the covariance of the free parameters given them) */
    dpotri_("L", &n, chol, &n, &ok);
    for (size_t j = 0; j < P * P; j++) covariance_model[j] = 0.0;
    for (size_t a = 0; a < n_free; a++)
      for (size_t c = 0; c <= a; c++) {
        double v = d[a] * chol[c * n_free + a] * d[c];
        covariance_model[free_at[a] * P + free_at[c]] = covariance_model[free_at[c] * P + free_at[a]] = v;
      }
    /* robust: V M V */
    for (size_t a = 0; a < P; a++)
      for (size_t c = 0; c < P; c++) {
        double s = 0.0;
        for (size_t l = 0; l < P; l++) s += covariance_model[a * P + l] * inf.meat[l * P + c];
        tmp[a * P + c] = s;
      }
    for (size_t a = 0; a < P; a++)
      for (size_t c = 0; c < P; c++) {
        double s = 0.0;
        for (size_t l = 0; l < P; l++) s += tmp[a * P + l] * covariance_model[l * P + c];
        covariance_robust[a * P + c] = s;
      }
    out->ok = true;
    for (size_t j = 0; j < P; j++)
      if (!boundary[j] &&
          (!(covariance_model[j * P + j] > 0.0) || !isfinite(covariance_model[j * P + j]) ||
           !(covariance_robust[j * P + j] >= 0.0) || !isfinite(covariance_robust[j * P + j])))
        out->ok = false;
    if (!out->ok) snprintf(out->note, sizeof out->note, "the inverse information has a non-positive variance");
  } else {
    explain_indefinite(m, inf.info, P, near_singular ? "nearly singular" : "not positive definite", out->note,
                       sizeof out->note);
  }
  free(free_at), free(chol), free(R), free(tmp), free(g), free(d);
  inference_free(&inf);
  return GBTM_OK;
}
