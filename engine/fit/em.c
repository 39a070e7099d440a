/* em.c: one EM run (DESIGN §3).
 *
 * E-step: engine/fit/estep.c. M-step: pi_k = mean_i tau_ik (eq. M without risk
 * factors, so theta_k = log pi_k - log pi_1), then each group's beta (eq. MP)
 * and alpha (eq. MZ) by the family's Newton solve on K x T statistics.
 * The gradient of eq. L comes from the same statistics (Fisher's identity):
 *   d/d theta_k = sum_i tau_ik - N pi_k,  d/d beta_k, d/d alpha_k: engine/families/.
 * With weights (eq. W) every sum over persons is weighted, w_i tau_ik (the
 * E-step's statistics and sum_tau), and N is sum_i w_i.
 * Acceleration: SQUAREM (Varadhan & Roland 2008, scheme S3) with the
 * step-length bound of their implementation: from params0, two EM steps give
 * r = params1 - params0 and v = params2 - 2 params1 + params0, the step a = -|r|/|v| is
 * kept in [-amax, -1], and params0 - 2a r + a^2 v is accepted when its log L is
 * no lower than that of params1; otherwise the run goes on from params2. Since
 * a = -1 gives params2 itself, the log-likelihood never decreases. Should a
 * run fail after it took a SQUAREM step, it runs again from where it began
 * by plain EM (em_iterate; DESIGN §3).
 * Convergence: max |gradient| <= tol (DESIGN §3), not a change in log L.
 * A run whose log L stops moving before that is marked stalled, not
 * converged: the Newton polish (engine/fit/polish.c) then decides.
 */
#include "fit/em.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/basis.h"
#include "base/error.h"

#define MIN_SHARE 1e-6
#define STALL_REL 1e-12 /* relative gain in log L per cycle that counts as none */
#define STALL_CYCLES 3

gbtm_status em_ws_init(em_ws *ws, const gbtm_panel *panel, const gbtm_fit_options *o,
                       double centre, double scale, gbtm_error *err) {
  memset(ws, 0, sizeof *ws);
  ws->panel = panel;
  ws->fam = family_get(o->family);
  ws->K = o->groups;
  ws->ns = ws->fam->n_stats;
  ws->T = panel->T;
  size_t P = (size_t)ws->K;
  for (int k = 0; k < ws->K; k++) {
    ws->nb[k] = o->order[k] + 1;
    ws->inflated[k] = ws->fam->zero_inflated && o->iorder[k] >= 0;
    ws->na[k] = ws->inflated[k] ? o->iorder[k] + 1 : 0;
    ws->off_beta[k] = P;
    P += (size_t)ws->nb[k];
    ws->off_alpha[k] = P;
    P += (size_t)ws->na[k];
  }
  ws->has_phi = ws->fam->phi_name != NULL;
  ws->phi_common = ws->has_phi && o->phi_common;
  for (int k = 0; k < ws->K; k++) {
    ws->fpar[k] = (family_par){1.0, o->ymin, o->ymax};
    ws->off_phi[k] = P;
    if (ws->has_phi && !ws->phi_common) P++;
  }
  if (ws->phi_common) P++;
  ws->P = P;
  size_t KT = (size_t)ws->K * ws->T;
  ws->X = malloc(ws->T * GBTM_MAX_COEF * sizeof *ws->X);
  ws->eta = calloc(KT, sizeof *ws->eta);
  ws->zeta = calloc(KT, sizeof *ws->zeta);
  ws->stats = calloc(KT * (size_t)ws->ns, sizeof *ws->stats);
  ws->grad = calloc(P, sizeof *ws->grad);
  if (!ws->X || !ws->eta || !ws->zeta || !ws->stats || !ws->grad) {
    em_ws_free(ws);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the EM workspace (%d groups, %zu ages)", ws->K, ws->T);
  }
  basis_matrix(panel->age, ws->T, centre, scale, ws->X);
  gbtm_status st = estep_ctx_alloc(panel, ws->fam, ws->K, o->kernel, o->threads, panel->procs, &ws->ctx, err);
  if (st != GBTM_OK) em_ws_free(ws);
  return st;
}

void em_ws_free(em_ws *ws) {
  estep_ctx_free(ws->ctx);
  free(ws->X);
  free(ws->eta);
  free(ws->zeta);
  free(ws->stats);
  free(ws->grad);
  memset(ws, 0, sizeof *ws);
}

/* log pi = theta - log sum exp(theta) (eq. M). */
static void log_shares(int K, const double *theta, double *logpi) {
  double mx = theta[0], s = 0.0;
  for (int k = 1; k < K; k++) mx = fmax(mx, theta[k]);
  for (int k = 0; k < K; k++) s += exp(theta[k] - mx);
  for (int k = 0; k < K; k++) logpi[k] = theta[k] - mx - log(s);
}

static double estep_at(em_ws *ws, const double *params, const double *tau_in, double *tau_out, double *lrow) {
  log_shares(ws->K, params, ws->logpi);
  for (int k = 0; k < ws->K; k++) {
    basis_predict(ws->X, ws->T, ws->nb[k], params + ws->off_beta[k], ws->eta + k * ws->T);
    if (ws->inflated[k]) basis_predict(ws->X, ws->T, ws->na[k], params + ws->off_alpha[k], ws->zeta + k * ws->T);
  }
  for (int k = 0; k < ws->K && ws->has_phi; k++) ws->fpar[k].phi = exp(params[ws->off_phi[k]]);
  estep_params par = {ws->eta, ws->zeta, ws->inflated, ws->logpi, ws->fpar};
  estep_out out = {0.0, ws->sum_tau, ws->stats, tau_out, lrow};
  if (estep_run(ws->ctx, &par, tau_in, &out, NULL) != GBTM_OK) return NAN;
  return out.loglik;
}

double em_estep(em_ws *ws, const double *params, const double *tau_in, double *tau_out) {
  return estep_at(ws, params, tau_in, tau_out, NULL);
}

double em_estep_rows(em_ws *ws, const double *params, double *lrow) { return estep_at(ws, params, NULL, NULL, lrow); }

static const char *check_shares(const em_ws *ws, int *group) {
  for (int k = 0; k < ws->K; k++)
    if (!(ws->sum_tau[k] / panel_weight_total(ws->panel) >= MIN_SHARE)) { /* eq. W: sum_i w_i tau_ik / sum_i w_i */
      *group = k + 1;
      return "group emptied (share below 1e-6)";
    }
  return NULL;
}

/* eq. MN for a phi shared by the groups, after each group's own step: one
 * Newton step in psi = log phi of sum_k Q_k, from the groups' dQ_k/dphi
 * and d2Q_k/dphi2 (the family's phi_curvature):
 *   g = phi sum_k q'_k,  H = phi^2 sum_k q''_k + phi sum_k q'_k,
 * a unit step uphill where H is not negative, and no step longer than 2. */
static const char *common_phi_step(em_ws *ws, const double *params_in, double *params_out) {
  size_t stride = (size_t)ws->ns * ws->T;
  double d1 = 0.0, d2 = 0.0;
  for (int k = 0; k < ws->K; k++) {
    family_group g = {ws->X, ws->T, ws->nb[k], ws->na[k]};
    double a = 0.0, h = 0.0;
    ws->fam->phi_curvature(&g, ws->stats + k * stride, &a, &h);
    d1 += a, d2 += h;
  }
  double phi = exp(params_in[ws->off_phi[0]]);
  double g = phi * d1, H = phi * phi * d2 + phi * d1; /* in log phi */
  double step = H < 0.0 ? -g / H : (g > 0.0 ? 1.0 : -1.0);
  if (!isfinite(step)) return "non-finite step of the common phi (eq. MN)";
  if (fabs(step) > 2.0) step = step > 0.0 ? 2.0 : -2.0;
  params_out[ws->off_phi[0]] = params_in[ws->off_phi[0]] + step;
  return NULL;
}

const char *em_mstep(em_ws *ws, const double *params_in, double *params_out, int *group) {
  *group = 0;
  const char *why = check_shares(ws, group);
  if (why) return why;
  if (params_out != params_in) memcpy(params_out, params_in, ws->P * sizeof *params_out);
  for (int k = 0; k < ws->K; k++) params_out[k] = log(ws->sum_tau[k]) - log(ws->sum_tau[0]);
  size_t stride = (size_t)ws->ns * ws->T;
  for (int k = 0; k < ws->K; k++) {
    family_group g = {ws->X, ws->T, ws->nb[k], ws->na[k]};
    why = ws->fam->mstep(&g, ws->stats + k * stride, params_out + ws->off_beta[k], params_out + ws->off_alpha[k],
                         ws->has_phi && !ws->phi_common ? params_out + ws->off_phi[k] : NULL);
    if (why) {
      *group = k + 1;
      return why;
    }
  }
  if (ws->phi_common && (why = common_phi_step(ws, params_in, params_out))) return why;
  for (size_t j = 0; j < ws->P; j++)
    if (!isfinite(params_out[j])) return "non-finite parameter after the M-step";
  return NULL;
}

double em_gradient(em_ws *ws, const double *params) {
  double gmax = 0.0, N = panel_weight_total(ws->panel); /* eq. W: sum_i w_i (N unweighted) */
  size_t stride = (size_t)ws->ns * ws->T;
  ws->grad[0] = 0.0;
  for (int k = 1; k < ws->K; k++) ws->grad[k] = ws->sum_tau[k] - N * exp(ws->logpi[k]);
  if (ws->phi_common) ws->grad[ws->off_phi[0]] = 0.0;
  for (int k = 0; k < ws->K; k++) {
    family_group g = {ws->X, ws->T, ws->nb[k], ws->na[k]};
    double grad_phi = 0.0;
    ws->fam->gradient(&g, ws->stats + k * stride, ws->eta + k * ws->T,
                      ws->inflated[k] ? ws->zeta + k * ws->T : NULL, &ws->fpar[k], ws->grad + ws->off_beta[k],
                      ws->grad + ws->off_alpha[k], &grad_phi);
    if (ws->has_phi && !ws->phi_common) ws->grad[ws->off_phi[k]] = ws->fpar[k].phi * grad_phi; /* in log phi */
    if (ws->phi_common) ws->grad[ws->off_phi[0]] += ws->fpar[k].phi * grad_phi;
  }
  (void)params;
  for (size_t j = 0; j < ws->P; j++) gmax = fmax(gmax, fabs(ws->grad[j]));
  return isfinite(gmax) ? gmax : INFINITY;
}

/* The variance of the observed responses over all processes (zeros are
 * the cells not listed). */
static double panel_variance(const gbtm_panel *p) {
  double s[3] = {0.0, 0.0, (double)p->n_obs};
  for (size_t j = 0; j < p->nz_start[p->n]; j++) s[0] += p->nz_y[j], s[1] += (double)p->nz_y[j] * p->nz_y[j];
  for (size_t j = 0; j < p->ex_start[p->n]; j++) s[0] += p->ex_y[j], s[1] += (double)p->ex_y[j] * p->ex_y[j];
  reduce_sum(p->procs, s, 3);
  double mean = s[0] / s[2];
  return s[2] > 1.0 ? (s[1] - s[2] * mean * mean) / (s[2] - 1.0) : 0.0;
}

const char *em_start_from_tau(em_ws *ws, const double *tau, const double *alpha0, double *params,
                              int *group) {
  panel_sizes all = panel_sizes_all(ws->panel);
  double rate = (all.total > 0.5 ? all.total : 0.5) / (double)all.n_obs;
  memset(params, 0, ws->P * sizeof *params);
  double log_phi = ws->has_phi ? log(ws->fam->phi_start(all.total / (double)all.n_obs, panel_variance(ws->panel))) : 0.0;
  double eta0 = ws->fam->eta_start ? ws->fam->eta_start(all.total / (double)all.n_obs) : log(rate);
  for (int k = 0; k < ws->K; k++) {
    params[ws->off_beta[k]] = eta0;
    for (int j = 0; j < ws->na[k]; j++) params[ws->off_alpha[k] + j] = alpha0[k * GBTM_MAX_COEF + j];
    if (ws->has_phi) params[ws->off_phi[k]] = log_phi;
  }
  em_estep(ws, params, tau, NULL);
  return em_mstep(ws, params, params, group);
}

/* group is read through a pointer: in fail_if(run, em_mstep(..., &group),
 * group) the order in which arguments are evaluated is unspecified, and a
 * group passed by value could be read before em_mstep sets it. */
static bool fail_if(em_run *run, const char *why, const int *group) {
  if (!why) return false;
  run->failure = why;
  run->failed_group = group ? *group : 0;
  return true;
}

/* The cycles of em_iterate from run->params, with work (3 P) for the EM
 * and SQUAREM points; true when the run took a SQUAREM step, a point that
 * plain EM would not have reached (even a = -1 gives params2 only up to
 * rounding, which decides the fate of a near-singular M-step). */
static bool em_cycles(em_ws *ws, em_run *run, double *work, int max_iterations, double tol_abs, double handoff_gain,
                      bool accelerate, gbtm_progress_fn progress, void *user, gbtm_progress *info) {
  size_t P = ws->P;
  double *params1 = work, *params2 = params1 + P, *paramsx = params2 + P;
  double *params0 = run->params, amax = 1.0;
  int group = 0;
  bool stepped = false;
  double ll0 = em_estep(ws, params0, NULL, NULL), g0;
  run->iterations++;
  if (fail_if(run, isfinite(ll0) ? NULL : "non-finite log-likelihood", NULL)) return false;
  g0 = em_gradient(ws, params0);
  double ll_prev = -INFINITY, g_prev = INFINITY;
  int flat = 0;
  for (;;) {
    /* A cycle that gains at most handoff_gain hands over to Newton at once.
     * Without a handoff, STALL_CYCLES cycles in a row whose gain is at
     * rounding level and whose gradient shrinks by less than 10% mean EM is
     * creeping towards a boundary (a zero inflation running to 0) or along
     * a flat ridge, where its rate is sublinear: the run is marked stalled. */
    bool no_gain = ll0 - ll_prev <= fmax(STALL_REL * fabs(ll0), handoff_gain);
    flat = (no_gain && (handoff_gain > 0.0 || g0 > 0.9 * g_prev)) ? flat + 1 : 0;
    ll_prev = ll0;
    g_prev = g0;
    run->loglik = ll0;
    run->grad_norm = g0;
    if (progress) {
      info->iteration = run->iterations;
      info->loglik = ll0;
      progress(info, user);
    }
    if (em_interrupted(ws->interrupt)) {
      run->failure = "interrupted";
      break;
    }
    if (g0 <= tol_abs) {
      run->converged = true;
      break;
    }
    if (run->iterations >= max_iterations) break;
    if (flat >= (handoff_gain > 0.0 ? 1 : STALL_CYCLES)) {
      run->stalled = true;
      break;
    }
    if (fail_if(run, em_mstep(ws, params0, params1, &group), &group)) break;
    double ll1 = em_estep(ws, params1, NULL, NULL);
    run->iterations++;
    if (fail_if(run, isfinite(ll1) ? NULL : "non-finite log-likelihood", NULL)) break;
    double g1 = em_gradient(ws, params1);
    if (!accelerate || g1 <= tol_abs || run->iterations >= max_iterations) {
      memcpy(params0, params1, P * sizeof *params0);
      ll0 = ll1, g0 = g1;
      continue;
    }
    if (fail_if(run, em_mstep(ws, params1, params2, &group), &group)) break;
    double nr = 0.0, nv = 0.0;
    for (size_t j = 0; j < P; j++) {
      double rj = params1[j] - params0[j], vj = params2[j] - 2.0 * params1[j] + params0[j];
      nr += rj * rj, nv += vj * vj;
    }
    nr = sqrt(nr), nv = sqrt(nv);
    double a = nv > 0.0 ? -nr / nv : -1.0;
    if (a > -1.0) a = -1.0;
    if (a < -amax) a = -amax;
    for (size_t j = 0; j < P; j++) {
      double rj = params1[j] - params0[j], vj = params2[j] - 2.0 * params1[j] + params0[j];
      paramsx[j] = params0[j] - 2.0 * a * rj + a * a * vj;
    }
    double llx = em_estep(ws, paramsx, NULL, NULL);
    run->iterations++;
    int g_ignored = 0;
    if (a == -1.0 || (isfinite(llx) && llx >= ll1 && !check_shares(ws, &g_ignored))) {
      if (a == -amax) amax *= 4.0;
      stepped = true;
      memcpy(params0, paramsx, P * sizeof *params0);
      ll0 = llx;
      if (fail_if(run, isfinite(ll0) ? NULL : "non-finite log-likelihood", NULL)) break;
      g0 = em_gradient(ws, params0);
    } else {
      if (a == -amax) amax = fmax(1.0, amax / 4.0);
      memcpy(params0, params2, P * sizeof *params0);
      ll0 = em_estep(ws, params0, NULL, NULL);
      run->iterations++;
      if (fail_if(run, isfinite(ll0) ? NULL : "non-finite log-likelihood", NULL)) break;
      g0 = em_gradient(ws, params0);
    }
  }
  return stepped;
}

/* SQUAREM's fallback (DESIGN §3): its steps can leave EM's path for a
 * point where an M-step is singular, which plain EM from the same start
 * never reaches. A run that fails after a SQUAREM step goes back to where
 * this call found it and runs plain EM from there, and stays plain for the
 * rest of its life (run->plain). */
void em_iterate(em_ws *ws, em_run *run, int max_iterations, double tol_abs, double handoff_gain,
                bool accelerate, gbtm_progress_fn progress, void *user, gbtm_progress *info) {
  size_t P = ws->P;
  double *work = malloc(4 * P * sizeof *work), *entry = work + 3 * P;
  if (!work) {
    run->failure = "out of memory for the EM iterates";
    run->out_of_memory = true;
    return;
  }
  accelerate = accelerate && !run->plain;
  int entry_iterations = run->iterations;
  if (accelerate) memcpy(entry, run->params, P * sizeof *entry);
  bool stepped = em_cycles(ws, run, work, max_iterations, tol_abs, handoff_gain, accelerate, progress, user, info);
  if (run->failure && stepped) {
    memcpy(run->params, entry, P * sizeof *entry);
    run->iterations = entry_iterations;
    run->failure = NULL;
    run->failed_group = 0;
    run->plain = true;
    em_cycles(ws, run, work, max_iterations, tol_abs, handoff_gain, false, progress, user, info);
  }
  free(work);
}

/* The caller thread alone calls the hook (a host such as R may be entered
 * from its own thread only); the other threads see its answer in stop. */
bool em_interrupted(em_interrupt *in) {
  if (!in) return false;
  int stop;
#pragma omp atomic read
  stop = in->stop;
  if (stop) return true;
  if (!pthread_equal(pthread_self(), in->caller) || !in->fn(in->user)) return false;
#pragma omp atomic write
  in->stop = 1;
  return true;
}
