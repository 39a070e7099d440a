/* fit.c: the EM driver (DESIGN §3): random starts from one seed, a short EM
 * for every start, the best share of them run to convergence, the best log L
 * and how often it was replicated, groups put in a stable order, and the
 * fit criteria (DESIGN §5). Each start's numbers depend only on the seed and
 * its index, and each E-step reduces over fixed person blocks in block
 * order, so the answer does not depend on the number of threads. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/basis.h"
#include "fit/criteria.h"
#include "fit/em.h"
#include "base/error.h"
#include "fit/fit_result.h"
#include "fit/moves.h"
#include "fit/polish.h"
#include "base/seeds.h"
#include "fit/starts.h"
#include "fit/threads.h"
#include "formats/panel_part.h"
#include "fit/tuning.h"

#define ALPHA_SPREAD 1.5      /* sd of the random age terms of starting alphas */
#define REPLICATION_TOL 1e-6
#define POLISH_MAX_STEPS 100 /* Newton or Levenberg-Marquardt steps of a polish */
#define HANDOFF_GAIN 1e-3    /* log L gain per EM cycle below which Newton takes over (DESIGN §3), */
#define HANDOFF_PER_PERSON 1e-6 /* or this much per person when that is more */

/* Rank 0 receives every process's posteriors and ids, in person order; the
 * others keep none (only rank 0 writes files). */
static gbtm_status gather_persons(const gbtm_panel *p, int K, gbtm_fit_result *res, gbtm_error *err) {
  const gbtm_reducer *r = p->procs;
  size_t len = 0;
  for (size_t i = 0; i < p->n; i++) len += strlen(p->id[i]) + 1;
  char *mine = malloc(len ? len : 1), *at = mine;
  for (size_t i = 0; mine && i < p->n; i++) {
    size_t l = strlen(p->id[i]) + 1;
    memcpy(at, p->id[i], l);
    at += l;
  }
  gbtm_status st = reduce_agree(r, mine ? GBTM_OK : gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the ids"), err);
  if (st != GBTM_OK) {
    free(mine);
    return st;
  }
  void *tau = NULL, *ids = NULL;
  bool ok = r->gather(r, res->posterior, p->n * (size_t)K * sizeof(double), &tau);
  ok = r->gather(r, mine, len, &ids) && ok;
  free(mine);
  free(res->posterior);
  res->posterior = NULL;
  size_t N = p->all.n;
  if (r->rank == 0 && ok && (res->ids = calloc(N, sizeof *res->ids))) {
    const char *s = ids;
    for (size_t i = 0; i < N && ok; i++, s += strlen(s) + 1)
      if (!(res->ids[i] = malloc(strlen(s) + 1))) ok = false;
      else memcpy(res->ids[i], s, strlen(s) + 1);
    res->posterior = tau;
    tau = NULL;
  }
  st = r->rank == 0 && (!ok || !res->ids) ? gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the posteriors") : GBTM_OK;
  free(tau), free(ids);
  return reduce_agree(r, st, err);
}

/* Copies the person ids (the result outlives the panel). */
static char **copy_ids(const gbtm_panel *p) {
  char **ids = calloc(p->n, sizeof *ids);
  for (size_t i = 0; ids && i < p->n; i++) {
    size_t len = strlen(p->id[i]) + 1;
    if (!(ids[i] = malloc(len))) {
      for (size_t j = 0; j < i; j++) free(ids[j]);
      free(ids);
      return NULL;
    }
    memcpy(ids[i], p->id[i], len);
  }
  return ids;
}

/* params from a given model (DESIGN §3 layout of em.h), for the extra start of
 * options->start_from: the same K as it is, or K-1 groups with the largest
 * split in two (its share halved, log rates moved apart by +-SPLIT_SHIFT). */
#define SPLIT_SHIFT 0.25
static const char *params_from_model(const em_ws *ws, const gbtm_model *m, double *params) {
  int K = ws->K;
  if (m->groups != K && m->groups != K - 1) return "the start model has neither K nor K-1 groups";
  double share[GBTM_MAX_GROUPS];
  gbtm_model_shares(m, share);
  int src[GBTM_MAX_GROUPS], split = 0;
  for (int k = 0; k < m->groups; k++) {
    src[k] = k;
    if (share[k] > share[split]) split = k;
  }
  double sh[GBTM_MAX_GROUPS];
  for (int k = 0; k < m->groups; k++) sh[k] = share[k];
  if (m->groups == K - 1) {
    src[K - 1] = split;
    sh[split] *= 0.5;
    sh[K - 1] = sh[split];
  }
  memset(params, 0, ws->P * sizeof *params);
  for (int k = 0; k < K; k++) {
    const int s = src[k];
    params[k] = log(sh[k]) - log(sh[0]);
    for (int j = 0; j < ws->nb[k] && j <= m->order[s]; j++) params[ws->off_beta[k] + j] = m->beta[s][j];
    for (int j = 0; j < ws->na[k] && j <= m->iorder[s]; j++) params[ws->off_alpha[k] + j] = m->alpha[s][j];
    if (ws->na[k] > 0 && m->iorder[s] < 0) params[ws->off_alpha[k]] = -4.0; /* omega about 2% */
    if (ws->has_phi) params[ws->off_phi[k]] = log(m->phi[s]);
  }
  if (m->groups == K - 1) {
    params[ws->off_beta[split]] += SPLIT_SHIFT;
    params[ws->off_beta[K - 1]] -= SPLIT_SHIFT;
  }
  return NULL;
}

static void note_failure(char **buf, size_t *len, int s, const em_run *run) {
  char line[256];
  int n = run->failed_group
              ? snprintf(line, sizeof line, "start %d: group %d: %s\n", s + 1, run->failed_group, run->failure)
              : snprintf(line, sizeof line, "start %d: %s\n", s + 1, run->failure);
  char *grown = realloc(*buf, *len + (size_t)n + 1);
  if (!grown) return;
  memcpy(grown + *len, line, (size_t)n + 1);
  *buf = grown;
  *len += (size_t)n;
}

/* Order of groups: increasing mean expected count over the age grid (DESIGN §3). */
static void group_order(const em_ws *ws, const double *params, int *perm) {
  double mean[GBTM_MAX_GROUPS];
  double eta[1], zeta[1];
  for (int k = 0; k < ws->K; k++) {
    double s = 0.0;
    for (size_t t = 0; t < ws->T; t++) {
      const double *x = ws->X + t * GBTM_MAX_COEF;
      eta[0] = zeta[0] = 0.0;
      for (int j = 0; j < ws->nb[k]; j++) eta[0] += x[j] * params[ws->off_beta[k] + j];
      for (int j = 0; j < ws->na[k]; j++) zeta[0] += x[j] * params[ws->off_alpha[k] + j];
      family_par fp = ws->fpar[k];
      if (ws->has_phi) fp.phi = exp(params[ws->off_phi[k]]);
      s += ws->fam->expected(eta[0], ws->inflated[k] ? zeta : NULL, &fp);
    }
    mean[k] = s / (double)ws->T;
    perm[k] = k;
  }
  for (int a = 1; a < ws->K; a++) /* insertion sort: stable, K is small */
    for (int b = a; b > 0 && mean[perm[b]] < mean[perm[b - 1]]; b--) {
      int tmp = perm[b];
      perm[b] = perm[b - 1];
      perm[b - 1] = tmp;
    }
}

static void fill_model(const em_ws *ws, const gbtm_fit_options *o, const double *params, const int *perm,
                       double centre, double scale, gbtm_model *m) {
  memset(m, 0, sizeof *m);
  m->family = o->family;
  m->groups = ws->K;
  m->centre = centre;
  m->scale = scale;
  m->age_min = ws->panel->age[0];
  m->age_max = ws->panel->age[ws->T - 1];
  for (int j = 0; j < ws->K; j++) {
    int k = perm[j];
    m->theta[j] = params[k] - params[perm[0]];
    m->order[j] = o->order[k];
    m->iorder[j] = gbtm_family_zero_inflated(o->family) ? o->iorder[k] : -1;
    for (int c = 0; c < ws->nb[k]; c++) m->beta[j][c] = params[ws->off_beta[k] + c];
    for (int c = 0; c < ws->na[k]; c++) m->alpha[j][c] = params[ws->off_alpha[k] + c];
    m->phi[j] = ws->has_phi ? exp(params[ws->off_phi[k]]) : 1.0;
  }
  for (int j = ws->K; j < GBTM_MAX_GROUPS; j++) m->phi[j] = 1.0;
  m->phi_common = ws->has_phi && o->phi_common;
  m->ymin = o->ymin, m->ymax = o->ymax;
}

/* The model of a run's params, its groups in the run's order. */
static void run_model(const em_ws *ws, const gbtm_fit_options *o, const double *params, double centre, double scale,
                      gbtm_model *m) {
  int ident[GBTM_MAX_GROUPS];
  for (int k = 0; k < ws->K; k++) ident[k] = k;
  fill_model(ws, o, params, ident, centre, scale, m);
}

static int by_loglik_desc(const void *a, const void *b, const void *runs) {
  const em_run *r = runs;
  double la = r[*(const int *)a].loglik, lb = r[*(const int *)b].loglik;
  if (la != lb) return la < lb ? 1 : -1;
  return *(const int *)a - *(const int *)b;
}

/* qsort_r is not C11: a small stable insertion sort of start indices. */
static void sort_runs(int *idx, int n, const em_run *runs) {
  for (int a = 1; a < n; a++)
    for (int b = a; b > 0 && by_loglik_desc(&idx[b], &idx[b - 1], runs) < 0; b--) {
      int tmp = idx[b];
      idx[b] = idx[b - 1];
      idx[b - 1] = tmp;
    }
}

/* The reference group of eq. M: theta and gamma relative to group r. */
static void set_refgroup(gbtm_model *m, int r) {
  double t = m->theta[r], g[GBTM_MAX_RISK];
  memcpy(g, m->gamma[r], sizeof g);
  for (int k = 0; k < m->groups; k++) {
    m->theta[k] -= t;
    for (int j = 0; j < m->n_risk; j++) m->gamma[k][j] -= g[j];
  }
  m->refgroup = r;
}

/* Covariates (eq. M with risk factors; w'delta_k in log lambda): the fit
 * without them, found from the random starts by EM, is the start; their
 * coefficients begin at 0, and a damped Newton ascent on eq. L with the
 * observed information (engine/fit/polish.c) takes every parameter to the
 * maximum: EM's M-step would need a weighted GLM over all cells per
 * iteration, while Newton converges in a few passes from a start this
 * close. *converged: the ascent ended at a positive definite information
 * with a decrement below polish_tolerance(). */
#define COVARIATE_STEPS 500
static gbtm_status add_covariates(gbtm_model *m, const gbtm_panel *p, const gbtm_fit_options *o,
                                  double *ll, bool *converged, gbtm_error *err) {
  m->n_risk = p->n_risk;
  m->n_tcov = p->n_tcov;
  memcpy(m->risk_name, p->risk_name, sizeof m->risk_name);
  memcpy(m->tcov_name, p->tcov_name, sizeof m->tcov_name);
  for (int j = 0; j < p->n_tcov; j++)
    m->tcov_fixed[j] = isnan(o->tcov_fixed[j]) ? gbtm_panel_tcov_mean(p, j) : o->tcov_fixed[j];
  polish_result pr;
  gbtm_status st = polish_ascend(m, p, o->threads, NULL, NULL, true, COVARIATE_STEPS, NULL, NULL, &pr, err);
  if (st != GBTM_OK) return st;
  if (!isfinite(pr.loglik))
    return gbtm_fail(err, GBTM_ERR_FIT, "the fit with covariates reached no finite log-likelihood");
  *ll = pr.loglik;
  *converged = pr.pd && pr.decrement < polish_tolerance(pr.loglik);
  return GBTM_OK;
}

/* Estimates, names and both covariances at the reported model; the
 * convergence verdict becomes the Newton decrement's (DESIGN §3). */
static gbtm_status attach_inference(gbtm_fit_result *res, const gbtm_panel *panel,
                                    const gbtm_fit_options *o, gbtm_error *err) {
  size_t P = (size_t)res->summary.n_params;
  res->psi = malloc(P * sizeof *res->psi);
  res->names = malloc(P * sizeof *res->names);
  res->covariance[0] = malloc(P * P * sizeof(double));
  res->covariance[1] = malloc(P * P * sizeof(double));
  if (!res->psi || !res->names || !res->covariance[0] || !res->covariance[1])
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the covariances");
  inference_pack(&res->model, res->psi);
  for (size_t j = 0; j < P; j++) inference_param_name(&res->model, j, res->names[j], sizeof res->names[j]);
  polish_covariance pc;
  if (!(res->boundary = malloc(P * sizeof *res->boundary)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the covariances");
  gbtm_status st =
      polish_covariances(&res->model, panel, o->threads, res->covariance[0], res->covariance[1], res->boundary, &pc, err);
  if (st != GBTM_OK) return st;
  if (!pc.ok || pc.boundary == 0) free(res->boundary), res->boundary = NULL;
  gbtm_fit_summary *sm = &res->summary;
  sm->gradient_norm = pc.grad_norm;
  sm->newton_decrement = pc.decrement;
  if (pc.ok) {
    sm->converged = pc.decrement < polish_tolerance(pc.loglik);
    if (sm->converged) sm->stop = GBTM_STOP_CONVERGED;
    else if (sm->stop == GBTM_STOP_CONVERGED) sm->stop = GBTM_STOP_NEWTON;
  } else {
    free(res->covariance[0]);
    free(res->covariance[1]);
    res->covariance[0] = res->covariance[1] = NULL;
    size_t len = strlen(pc.note) + 1;
    if ((res->inference_note = malloc(len))) memcpy(res->inference_note, pc.note, len);
  }
  return GBTM_OK;
}

/* What one thread needs to run starts: its own E-step workspace, posterior
 * buffer and generator. */
typedef struct worker {
  em_ws ws;
  double *tau;
  double *params_scratch; /* P */
  gsl_rng *rng;
} worker;

static void workers_free(worker *w, int n) {
  for (int j = 0; w && j < n; j++) {
    em_ws_free(&w[j].ws);
    free(w[j].tau);
    free(w[j].params_scratch);
    gsl_rng_free(w[j].rng);
  }
  free(w);
}

/* Where starts run in parallel, one thread each, their E-steps report
 * nothing; each run is reported once it ends, one report at a time. */
static void report_run(const gbtm_fit_options *o, gbtm_progress *info, const em_run *run) {
  if (!o->progress || run->failure) return;
  info->iteration = run->iterations;
  info->loglik = run->loglik;
#pragma omp critical(gbtm_fit_progress)
  o->progress(info, o->progress_user);
}

/* A start: posteriors from the start's own generator, an M-step, a short EM. */
static void run_start(worker *w, const start_profiles *prof, const gbtm_fit_options *o, int s,
                      double tol_abs, em_run *run, gbtm_progress *info) {
  int K = o->groups;
  if (em_interrupted(w->ws.interrupt)) { /* the starts left after an interrupt do not begin */
    run->failure = "interrupted";
    return;
  }
  gsl_rng_set(w->rng, seed_stream(o->seed, 0, s));
  starts_tau(prof, K, s, w->rng, w->tau);
  /* Zero inflation starts at 1% to 70% in the middle of the age range,
   * with random age terms. */
  double alpha0[GBTM_MAX_GROUPS * GBTM_MAX_COEF];
  for (int k = 0; k < K; k++) {
    double omega = 0.01 + 0.69 * gsl_rng_uniform(w->rng);
    alpha0[k * GBTM_MAX_COEF] = log(omega / (1.0 - omega));
    for (int j = 1; j < GBTM_MAX_COEF; j++)
      alpha0[k * GBTM_MAX_COEF + j] = gsl_ran_gaussian(w->rng, ALPHA_SPREAD);
  }
  run->failure = em_start_from_tau(&w->ws, w->tau, alpha0, run->params, &run->failed_group);
  if (!run->failure)
    em_iterate(&w->ws, run, o->short_iterations < o->max_iterations ? o->short_iterations : o->max_iterations, tol_abs, 0.0,
               o->accelerate, info ? o->progress : NULL, o->progress_user, info);
}

/* eq. L at a model, by the E-step kernel of a worker (the line search of
 * the Newton polish). */
static double worker_loglik(void *ctx, const gbtm_model *m) {
  worker *w = ctx;
  params_from_model(&w->ws, m, w->params_scratch);
  return em_estep(&w->ws, w->params_scratch, NULL, NULL);
}

/* A Newton step of a long run as progress (phase "newton"). */
typedef struct newton_report {
  const gbtm_fit_options *o;
  gbtm_progress info;
} newton_report;

static void report_newton_step(void *user, int step, double loglik) {
  newton_report *r = user;
  r->info.iteration = step;
  r->info.loglik = loglik;
  r->o->progress(&r->info, r->o->progress_user);
}

/* Newton polish of a run (DESIGN §3, §4): true when it ended at a positive
 * definite information, with run's parameters, log L and verdict updated;
 * its steps reported as progress when info is not NULL. rival: the best
 * run polished before it, or NULL (polish_rival). */
static bool polish_run(worker *w, const gbtm_fit_options *o, double centre, double scale, int threads,
                       const gbtm_progress *info, const polish_rival *rival, em_run *run) {
  gbtm_model m;
  run_model(&w->ws, o, run->params, centre, scale, &m);
  polish_result pr;
  /* Newton steps, and Levenberg-Marquardt steps where I is not positive
   * definite on the way (near a boundary, e.g. a zero inflation running to
   * 0): near the maximum they gain in a few steps what EM gains in
   * thousands of iterations. */
  newton_report report = {o, {"newton", 0, 0, 0, 0.0}};
  if (info) report.info.start = info->start, report.info.starts = info->starts;
  polish_progress progress = {report_newton_step, &report};
  if (polish_ascend(&m, w->ws.panel, threads, worker_loglik, w, true, POLISH_MAX_STEPS,
                    info && o->progress ? &progress : NULL, rival, &pr, NULL) != GBTM_OK ||
      !pr.pd)
    return false;
  params_from_model(&w->ws, &m, run->params);
  run->loglik = pr.loglik;
  /* a replica is at the rival's maximum as far as log L tells (REPLICATION_TOL) */
  run->replica = pr.same;
  run->converged = pr.same || pr.decrement < polish_tolerance(pr.loglik);
  return true;
}

/* A run that failed for want of memory fails the fit (GBTM_ERR_NOMEM), not just its start. */
static bool out_of_memory(const em_run *runs, int n) {
  for (int s = 0; s < n; s++)
    if (runs[s].out_of_memory) return true;
  return false;
}

static bool all_failed(const em_run *runs, const int *idx, int n) {
  for (int j = 0; j < n; j++)
    if (!runs[idx[j]].failure) return false;
  return true;
}

/* The gain per EM cycle at which Newton's method takes over: 1e-3, or
 * 1e-6 per person on large panels. log L and its gains grow with N while
 * Newton's region of fast convergence does not shrink, so a fixed 1e-3
 * would keep the long runs of a large fit in EM for hundreds of cycles
 * for what two or three Newton steps do. */
static double handoff_gain(const gbtm_panel *p) {
  double per_person = HANDOFF_PER_PERSON * (double)panel_n_all(p);
  return per_person > HANDOFF_GAIN ? per_person : HANDOFF_GAIN;
}

/* The long runs idx[from..to-1]: EM to convergence, handing over to
 * Newton's method (DESIGN §3) once a cycle gains less than handoff_gain() when
 * inference is on; where the information is not positive definite there,
 * EM goes on to its own criterion. The EM runs side by side where by_start;
 * the polishes run one after the other, from the highest log L down, each
 * against the best run polished before it (polish_rival): only the best is
 * polished to the end, and the order does not depend on the threads. */
static void long_phase(worker *wk, int nw, const gbtm_fit_options *o, em_run *runs, const int *idx, int from,
                       int to, int total, double tol_abs, double centre, double scale, bool by_start, double rival0) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(nw) if (nw > 1)
  for (int j = from; j < to; j++) {
    em_run *run = &runs[idx[j]];
    worker *w = &wk[omp_get_thread_num()];
    gbtm_progress info = {"long", j, total, 0, 0.0};
    if (!run->converged && !run->stalled)
      em_iterate(&w->ws, run, o->max_iterations, tol_abs, o->inference ? handoff_gain(w->ws.panel) : 0.0, o->accelerate,
                 by_start ? NULL : o->progress, o->progress_user, &info);
    if (by_start && !o->inference) report_run(o, &info, run);
  }
  if (!o->inference) return;
  int order[to - from > 0 ? to - from : 1], n = 0;
  for (int j = from; j < to; j++) order[n++] = idx[j];
  sort_runs(order, n, runs);
  polish_rival rival = {rival0, REPLICATION_TOL};
  for (int j = 0; j < n; j++) {
    em_run *run = &runs[order[j]];
    if (run->failure) continue;
    int pos = from;
    while (idx[pos] != order[j]) pos++;
    gbtm_progress info = {"long", pos, total, 0, 0.0};
    worker *w = &wk[0];
    if (!polish_run(w, o, centre, scale, o->threads, &info, isfinite(rival.loglik) ? &rival : NULL, run))
      em_iterate(&w->ws, run, o->max_iterations, tol_abs, 0.0, o->accelerate, o->progress, o->progress_user, &info);
    if (!run->failure && !run->replica && run->loglik > rival.loglik) rival.loglik = run->loglik;
    if (by_start) report_run(o, &info, run);
  }
}

/* The distinct maxima of the long runs idx[0..keep) into res, best first:
 * the best, then the others whose log L is more than REPLICATION_TOL below
 * every one kept before (replicas and failures left out). */
static gbtm_status record_maxima(const em_run *runs, const int *idx, int keep, int best, size_t P,
                                 gbtm_fit_result *res, gbtm_error *err) {
  int order[keep > 0 ? keep : 1], n = 0;
  for (int j = 0; j < keep; j++)
    if (!runs[idx[j]].failure && !runs[idx[j]].replica && idx[j] != best) order[n++] = idx[j];
  sort_runs(order, n, runs);
  if (!(res->maxima = malloc(((size_t)n + 1) * P * sizeof *res->maxima)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the maxima of the long runs");
  memcpy(res->maxima, runs[best].params, P * sizeof *res->maxima);
  res->n_maxima = 1;
  double last = runs[best].loglik;
  for (int j = 0; j < n; j++) {
    if (runs[order[j]].loglik >= last - REPLICATION_TOL) continue;
    last = runs[order[j]].loglik;
    memcpy(res->maxima + (size_t)res->n_maxima++ * P, runs[order[j]].params, P * sizeof *res->maxima);
  }
  return GBTM_OK;
}

/* ---- the pilot (DESIGN §3 Starts) ----------------------------------------
 * On a large panel the starts run on a pilot subsample: every m-th person
 * over all processes, m = N / the pilot's size, with every m-th person of
 * each age those miss (starts_pilot_persons), fitted as any panel (short
 * runs, long runs, Newton polish). Its distinct maxima (record_maxima)
 * are then the starts of the long runs on the whole panel, polished from
 * the best down (long_phase). The starts only have to find the basins of
 * the maxima, which a 50,000-person subsample finds as well as the whole
 * panel, for a twentieth of the cost at 1M persons; the estimate, its
 * convergence and its standard errors are the whole panel's. Zero
 * inflations the pilot ran to 0 start again on the whole panel
 * (polish_release_boundary). */
static size_t pilot_wanted(const gbtm_panel *p, const gbtm_fit_options *o) {
  size_t N = panel_n_all(p);
  if (o->start_from || p->n_risk > 0 || p->n_tcov > 0) return 0;
  size_t n = o->pilot < 0 ? (N >= GBTM_PILOT_FROM ? GBTM_PILOT_PERSONS : 0) : (size_t)o->pilot;
  return n > 0 && 2 * n <= N ? n : 0; /* a pilot of at most half the panel */
}

/* The pilot's progress, its phases named "pilot short" and so on. */
static void pilot_progress(const gbtm_progress *pr, void *user) {
  const gbtm_fit_options *o = user;
  char phase[32];
  snprintf(phase, sizeof phase, "pilot %s", pr->phase);
  gbtm_progress q = *pr;
  q.phase = phase;
  o->progress(&q, o->progress_user);
}

static gbtm_status fit_pilot(const gbtm_panel *p, const gbtm_fit_options *o, double centre, double scale,
                             size_t want, gbtm_fit_result **out, gbtm_error *err) {
  *out = NULL;
  size_t *persons = NULL, n = 0, before, total;
  gbtm_panel *sub = NULL;
  gbtm_status st = starts_pilot_persons(p, panel_n_all(p) / want, &persons, &n, err);
  if (st != GBTM_OK) return st;
  reduce_offsets(p->procs, n, &before, &total);
  if (2 * total > panel_n_all(p)) { /* a pilot of more than half the panel: none, the starts on all */
    free(persons);
    return GBTM_OK;
  }
  st = gbtm_panel_subset(p, persons, n, &sub, err);
  free(persons);
  if (p->procs) { /* the blocks of the pilot become one panel */
    st = reduce_agree(p->procs, st, err);
    if (st == GBTM_OK) st = panel_distribute(sub, p->procs, "the pilot", err);
  }
  gbtm_fit_options po = *o;
  po.pilot = 0;
  po.centre = centre, po.scale = scale;
  po.keep_posterior = false;
  po.progress = o->progress ? pilot_progress : NULL;
  po.progress_user = (void *)o;
  if (st == GBTM_OK) st = gbtm_fit(sub, &po, out, err);
  gbtm_panel_free(sub);
  return st;
}

/* Small panels run whole starts in parallel, one thread each; large ones
 * run starts in turn with every thread on the E-step. Either way each start
 * computes the same numbers. */
#define PARALLEL_STARTS_MAX_CELLS 4000000.0
#define PILOT_MAXIMA 5 /* the pilot's best maxima run on the whole panel after automatic starts */

/* What the phases of gbtm_fit share. */
typedef struct fit_state {
  const gbtm_panel *panel;
  const gbtm_fit_options *o;
  double wall0, centre, scale, tol_abs;
  int S, K;
  size_t N;
  bool by_start; /* the starts run side by side, one thread each */
  int nw;        /* workers */
  worker *wk;
  start_profiles prof;
  em_run *runs; /* S + 1: the starts, then the run of o->start_from */
  int *idx;     /* the runs that succeeded, best log L first */
  double *params_all;
  gbtm_fit_result *pilot;
  char *failures;
  size_t failures_len;
  int n_ok, keep; /* runs that succeeded; of them, the runs run long */
  bool rounds;    /* --starts auto without a pilot: starts drawn in rounds (fit_rounds) */
  int drawn;      /* starts drawn: S, or fewer when the rounds stopped early */
  bool time_limited;
  bool rule_met; /* rounds: the best replicated as eq. ROUNDS asks */
  int best, converged, failed, replicated;
  double loglik; /* at the best estimate, with the covariates when any */
  double share[GBTM_MAX_GROUPS];
  bool covariates_converged;
  gbtm_fit_result *res;
  em_interrupt intr; /* o->interrupt, shared by the workers' EM */
} fit_state;

/* Setup: the basis, one EM workspace per worker, and either a pilot fit on
 * a subset (whose maxima become the starts) or the profiles that random
 * starts are drawn around. */
static gbtm_status fit_setup(fit_state *fs, gbtm_error *err) {
  const gbtm_panel *panel = fs->panel;
  const gbtm_fit_options *o = fs->o;
  basis_default(panel->age[0], panel->age[panel->T - 1], &fs->centre, &fs->scale);
  if (!isnan(o->centre)) fs->centre = o->centre;
  if (!isnan(o->scale)) fs->scale = o->scale;

  bool automatic = o->starts == GBTM_STARTS_AUTO;
  int S = fs->S = fs->drawn = automatic ? o->max_starts : o->starts, K = fs->K = o->groups;
  size_t N = fs->N = panel->n;
  int threads = fit_threads(o->threads, 0);
  /* (not between processes: a start's E-steps sum across them in turn) */
  fs->by_start = threads > 1 && S > 1 && (double)N * (double)panel->T <= PARALLEL_STARTS_MAX_CELLS && !panel->procs;
  int nw = fs->nw = fs->by_start ? (threads < S ? threads : S) : 1;
  gbtm_fit_options wo = *o;
  if (fs->by_start) wo.threads = 1;

  fs->wk = calloc((size_t)nw, sizeof *fs->wk);
  fs->runs = calloc((size_t)S + 1, sizeof *fs->runs); /* + the start_from run */
  fs->idx = malloc(((size_t)S + 1) * sizeof *fs->idx);
  fs->res = calloc(1, sizeof *fs->res);
  if (!fs->wk || !fs->runs || !fs->idx || !fs->res)
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %d starts", S);
  gbtm_status st;
  for (int j = 0; j < nw; j++) {
    worker *w = &fs->wk[j];
    if ((st = em_ws_init(&w->ws, panel, &wo, fs->centre, fs->scale, err)) != GBTM_OK) return st;
    if (o->interrupt) w->ws.interrupt = &fs->intr;
    w->tau = malloc(N * (size_t)K * sizeof *w->tau);
    w->rng = gsl_rng_alloc(gsl_rng_mt19937);
    w->params_scratch = malloc(w->ws.P * sizeof *w->params_scratch);
    if (!w->tau || !w->rng || !w->params_scratch)
      return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %d starts", S);
  }
  fs->params_all = calloc(((size_t)S + 1) * fs->wk[0].ws.P, sizeof *fs->params_all);
  if (!fs->params_all) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %d starts", S);
  size_t pilot_n = pilot_wanted(panel, o);
  if (pilot_n && (st = fit_pilot(panel, o, fs->centre, fs->scale, pilot_n, &fs->pilot, err)) != GBTM_OK)
    return st;
  if (!fs->pilot && (st = starts_profiles(panel, &fs->prof, err)) != GBTM_OK) return st;
  fs->rounds = automatic && !fs->pilot; /* with a pilot the pilot's fit ran the rounds */
  return GBTM_OK;
}

/* The run of o->start_from (runs[S]): its params, the start model's
 * boundaries decided anew (polish_release_boundary). */
static gbtm_status start_model_params(fit_state *fs, gbtm_error *err) {
  const gbtm_fit_options *o = fs->o;
  if (o->start_from->family != o->family || o->start_from->centre != fs->centre ||
      o->start_from->scale != fs->scale)
    return gbtm_fail(err, GBTM_ERR_USAGE, "the start model differs from the fit in family or basis");
  gbtm_model start = *o->start_from;
  polish_release_boundary(&start);
  const char *why = params_from_model(&fs->wk[0].ws, &start, fs->runs[fs->S].params);
  return why ? gbtm_fail(err, GBTM_ERR_USAGE, "%s", why) : GBTM_OK;
}

/* Starts: a short EM from every random start (or the pilot's maxima in
 * their places), ranked by log L; the best share of them, and the start
 * model of o->start_from ahead of them, are the runs to run long. */
static gbtm_status fit_starts(fit_state *fs, gbtm_error *err) {
  const gbtm_fit_options *o = fs->o;
  int S = fs->S;
  em_ws *ws0 = &fs->wk[0].ws;
  em_run *runs = fs->runs;
  int *idx = fs->idx;
  const gbtm_fit_result *pilot = fs->pilot;
  fs->tol_abs = o->tol_gradient * (double)panel_n_all(fs->panel);
  for (int s = 0; s <= S; s++) runs[s].params = fs->params_all + (size_t)s * ws0->P;
#pragma omp parallel for schedule(dynamic, 1) num_threads(fs->nw) if (fs->nw > 1 && !pilot)
  for (int s = 0; s < (pilot ? 0 : S); s++) {
    gbtm_progress info = {"short", s, S, 0, 0.0};
    run_start(&fs->wk[omp_get_thread_num()], &fs->prof, o, s, fs->tol_abs, &runs[s], fs->by_start ? NULL : &info);
    if (fs->by_start) report_run(o, &info, &runs[s]);
  }
  if (out_of_memory(runs, S)) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the EM iterates of the starts");
  int n_ok = 0;
  for (int s = 0; s < (pilot ? 0 : S); s++) {
    if (runs[s].failure) note_failure(&fs->failures, &fs->failures_len, s, &runs[s]);
    else idx[n_ok++] = s;
  }
  /* the pilot's maxima, in the starts' places: after automatic starts the
   * best PILOT_MAXIMA of them (its rounds ran many more long runs than a
   * fixed S would, and each maximum is a long run on the whole panel) */
  int n_max = pilot ? pilot->n_maxima : 0;
  if (pilot && pilot->summary.starts_auto && n_max > PILOT_MAXIMA) n_max = PILOT_MAXIMA;
  for (int j = 0; j < n_max && j < S; j++) {
    gbtm_model m;
    run_model(ws0, o, pilot->maxima + (size_t)j * ws0->P, fs->centre, fs->scale, &m);
    polish_release_boundary(&m); /* the whole panel decides its boundaries anew */
    params_from_model(ws0, &m, runs[j].params);
    idx[n_ok++] = j;
  }
  if (n_ok == 0 && !o->start_from)
    return gbtm_fail(err, GBTM_ERR_FIT, "no start succeeded (%d tried):\n%s", S, fs->failures ? fs->failures : "");
  sort_runs(idx, n_ok, runs);
  int keep = pilot ? n_ok : (int)ceil(o->keep_fraction * S);
  if (keep < 1) keep = 1;
  if (keep > n_ok) keep = n_ok;
  if (o->start_from) { /* the given start joins the long runs */
    gbtm_status st = start_model_params(fs, err);
    if (st != GBTM_OK) return st;
    memmove(idx + 1, idx, (size_t)n_ok * sizeof *idx); /* it goes first, ahead of the ranked starts */
    idx[0] = S;
    n_ok++;
    keep++;
  }
  fs->n_ok = n_ok;
  fs->keep = keep;
  return GBTM_OK;
}

/* ---- rounds: --starts auto (DESIGN §3, eq. ROUNDS) ----------------------
 * Each round draws ROUND_STARTS random starts, start r the same numbers as
 * start r of a fixed number (run_start), and, once a maximum is known,
 * ROUND_MOVES split-and-merge moves from the best maximum so far (eq.
 * SMEM, engine/fit/moves.c), each from its own generator
 * seed_stream(seed, MOVE_SALT, m). After the short EM the best
 * keep_fraction of the round's random starts and the best MOVES_LONG of
 * its moves run long, polished against the best maximum so far (long_phase's
 * rival). The rounds stop once the best log L has been reached by
 * o->replications long runs that did not begin at it (a move from the
 * best maximum that comes back to it is no evidence), at least half of
 * them random starts (moves between neighbouring maxima replicate a local
 * maximum quickly), when o->max_starts
 * starts and moves are drawn, or, with a time limit, when it has passed at
 * the end of a round. Every decision depends on the runs' results only,
 * never on the threads (nor on the clock, but for the optional limit). */
#define ROUND_STARTS 20
#define ROUND_MOVES 8
#define MOVES_LONG 4
#define OTHER_ORIGINS 4
#define MAXIMA_GROUP 0.01 /* log L within this of a maximum's highest run are that maximum */
#define MOVE_SALT 0x2545F4914F6CDD1DULL /* the moves' streams differ from the starts' */

/* A split-and-merge move m from the maximum at: its own generator, the
 * move, a short EM. */
static void run_move(worker *w, const start_profiles *prof, const gbtm_fit_options *o, const double *at, int m,
                     double tol_abs, em_run *run) {
  if (em_interrupted(w->ws.interrupt)) {
    run->failure = "interrupted";
    return;
  }
  gsl_rng_set(w->rng, seed_stream(o->seed, MOVE_SALT, m));
  run->failure = m % 2 == 0 ? moves_split_merge(&w->ws, prof, at, w->rng, w->tau, run->params, &run->failed_group)
                            : moves_jitter(&w->ws, at, m % 4 == 3, w->rng, run->params, &run->failed_group);
  if (!run->failure)
    em_iterate(&w->ws, run, o->short_iterations < o->max_iterations ? o->short_iterations : o->max_iterations, tol_abs,
               0.0, o->accelerate, NULL, NULL, NULL);
}

/* The best log L of the long runs idx[0..n) that did not fail (its run in
 * *at, one that is not a replica where there is one); in *reached how
 * many ended within REPLICATION_TOL of it and began elsewhere (origin:
 * NaN for a random start or the start model, else the log L of the
 * maximum a move began at), and in *by_starts how many of those began at
 * a random start or the start model. */
static double long_runs_best(const em_run *runs, const double *origin, const int *idx, int n, int *at, int *reached,
                             int *by_starts) {
  double best = -INFINITY;
  *at = -1;
  for (int j = 0; j < n; j++) {
    const em_run *r = &runs[idx[j]];
    if (!r->failure && (r->loglik > best || (*at >= 0 && r->loglik == best && runs[*at].replica && !r->replica)))
      best = r->loglik, *at = idx[j];
  }
  *reached = *by_starts = 0;
  for (int j = 0; j < n; j++)
    if (!runs[idx[j]].failure && fabs(runs[idx[j]].loglik - best) <= REPLICATION_TOL &&
        !(fabs(origin[idx[j]] - best) <= REPLICATION_TOL)) {
      (*reached)++;
      *by_starts += isnan(origin[idx[j]]);
    }
  return best;
}

/* Ranks the round's runs slots[0..n) that did not fail (the others noted),
 * best first: the first take go to idx (from *n_long), the others to rest. */
static void round_rank(fit_state *fs, int *slots, int n, int take, int *n_long, int *rest, int *n_rest) {
  int ok = 0;
  for (int j = 0; j < n; j++) {
    if (fs->runs[slots[j]].failure) note_failure(&fs->failures, &fs->failures_len, slots[j], &fs->runs[slots[j]]);
    else slots[ok++] = slots[j];
  }
  sort_runs(slots, ok, fs->runs);
  for (int j = 0; j < ok; j++)
    if (j < take) fs->idx[(*n_long)++] = slots[j];
    else rest[(*n_rest)++] = slots[j];
}

/* The long runs idx[0..n) at the next-best distinct maxima below best
 * (MAXIMA_GROUP apart), highest first, at most OTHER_ORIGINS, into out. */
static int next_maxima(const em_run *runs, const int *idx, int n, double best, int *out) {
  int order[n > 0 ? n : 1], m = 0, k = 0;
  for (int j = 0; j < n; j++)
    if (!runs[idx[j]].failure && runs[idx[j]].loglik < best - MAXIMA_GROUP) order[m++] = idx[j];
  sort_runs(order, m, runs);
  for (int j = 0; j < m && k < OTHER_ORIGINS; j++)
    if (k == 0 || runs[order[j]].loglik < runs[out[k - 1]].loglik - MAXIMA_GROUP) out[k++] = order[j];
  return k;
}

static gbtm_status fit_rounds(fit_state *fs, gbtm_error *err) {
  const gbtm_fit_options *o = fs->o;
  int S = fs->S; /* the budget */
  em_ws *ws0 = &fs->wk[0].ws;
  em_run *runs = fs->runs;
  int *idx = fs->idx;
  fs->tol_abs = o->tol_gradient * (double)panel_n_all(fs->panel);
  for (int s = 0; s <= S; s++) runs[s].params = fs->params_all + (size_t)s * ws0->P;
  int *rest = malloc(((size_t)S + 1) * sizeof *rest); /* short runs not run long, in rounds */
  double *origin = malloc(((size_t)S + 1) * sizeof *origin);
  if (!rest || !origin) {
    free(rest), free(origin);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %d starts", S);
  }
  for (int s = 0; s <= S; s++) origin[s] = NAN;
  int n_long = 0, done = 0, n_rest = 0, used = 0, drawn = 0, moved = 0, reached = 0, at = -1;
  int others[OTHER_ORIGINS];
  double best = -INFINITY;
  gbtm_status st = GBTM_OK;
  if (o->start_from && (st = start_model_params(fs, err)) == GBTM_OK) idx[n_long++] = S; /* first, in round 1 */
  while (st == GBTM_OK && used < S && !em_interrupted(o->interrupt ? &fs->intr : NULL)) {
    int nr = S - used < ROUND_STARTS ? S - used : ROUND_STARTS;
    int nm = at >= 0 && fs->K > 1 ? (S - used - nr < ROUND_MOVES ? S - used - nr : ROUND_MOVES) : 0;
    int src[ROUND_MOVES]; /* the run each move begins at: half the best, half the next maxima in turn */
    int n_others = at >= 0 ? next_maxima(runs, idx, n_long, best, others) : 0;
    for (int j = 0; j < nm; j++)
      src[j] = j < nm / 2 || n_others == 0 ? at : others[(moved / ROUND_MOVES + j) % n_others];
#pragma omp parallel for schedule(dynamic, 1) num_threads(fs->nw) if (fs->nw > 1)
    for (int j = 0; j < nr + nm; j++) {
      worker *w = &fs->wk[omp_get_thread_num()];
      em_run *run = &runs[used + j];
      if (j < nr) {
        gbtm_progress info = {"short", drawn + j, drawn + nr, 0, 0.0};
        run_start(w, &fs->prof, o, drawn + j, fs->tol_abs, run, fs->by_start ? NULL : &info);
        if (fs->by_start) report_run(o, &info, run);
      } else {
        run_move(w, &fs->prof, o, runs[src[j - nr]].params, moved + j - nr, fs->tol_abs, run);
      }
    }
    if (out_of_memory(runs + used, nr + nm)) {
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the EM iterates of the starts");
      break;
    }
    int slots[ROUND_STARTS + ROUND_MOVES];
    for (int j = 0; j < nr + nm; j++) slots[j] = used + j;
    for (int j = nr; j < nr + nm; j++) origin[used + j] = runs[src[j - nr]].loglik;
    int take = (int)ceil(o->keep_fraction * nr);
    round_rank(fs, slots, nr, take < 1 ? 1 : take, &n_long, rest, &n_rest);
    round_rank(fs, slots + nr, nm / 2, MOVES_LONG / 2, &n_long, rest, &n_rest);
    round_rank(fs, slots + nr + nm / 2, nm - nm / 2, MOVES_LONG / 2, &n_long, rest, &n_rest);
    used += nr + nm, drawn += nr, moved += nm;
    long_phase(fs->wk, fs->nw, o, runs, idx, done, n_long, n_long, fs->tol_abs, fs->centre, fs->scale, fs->by_start,
               best);
    done = n_long;
    if (out_of_memory(runs, S + 1)) {
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the EM iterates of the long runs");
      break;
    }
    int by_starts;
    best = long_runs_best(runs, origin, idx, n_long, &at, &reached, &by_starts);
    /* R runs that began elsewhere, at least half of them random starts */
    fs->rule_met = reached >= o->replications && 2 * by_starts >= o->replications;
    if (fs->rule_met) break;
    if (o->time_limit > 0.0 && used < S && omp_get_wtime() - fs->wall0 >= o->time_limit) {
      fs->time_limited = true;
      break;
    }
  }
  fs->drawn = used;
  if (st == GBTM_OK) { /* the short runs left, best first, should every long run fail (fit_long_runs) */
    sort_runs(rest, n_rest, runs);
    memcpy(idx + n_long, rest, (size_t)n_rest * sizeof *idx);
    fs->n_ok = n_long + n_rest;
    fs->keep = n_long;
    if (fs->n_ok == 0)
      st = gbtm_fail(err, GBTM_ERR_FIT, "no start succeeded (%d tried):\n%s", used, fs->failures ? fs->failures : "");
  }
  free(rest), free(origin);
  return st;
}

/* The next-best distinct maxima of the long runs idx[0..keep) below the
 * best log L (DESIGN §3, eq. ROUNDS), highest first, with how many long
 * runs reached each: runs within MAXIMA_GROUP of the highest of a group
 * are one maximum. A run whose polish stopped because it could not reach
 * the best (polish_rival) counts at the log L where it stopped. */
static void other_maxima(const em_run *runs, const int *idx, int keep, double best, gbtm_fit_summary *sm) {
  int order[keep > 0 ? keep : 1], n = 0;
  for (int j = 0; j < keep; j++)
    if (!runs[idx[j]].failure && runs[idx[j]].loglik < best - REPLICATION_TOL) order[n++] = idx[j];
  sort_runs(order, n, runs);
  sm->n_other_maxima = 0;
  double head = INFINITY;
  for (int j = 0; j < n; j++) {
    double ll = runs[order[j]].loglik;
    if (ll < head - MAXIMA_GROUP) {
      if (sm->n_other_maxima == GBTM_MAX_OTHER_MAXIMA) break;
      head = ll;
      sm->other_loglik[sm->n_other_maxima] = ll;
      sm->other_count[sm->n_other_maxima++] = 0;
    }
    sm->other_count[sm->n_other_maxima - 1]++;
  }
}

/* Long runs: EM to convergence from each kept start, each then polished by
 * Newton steps when inference is wanted (long_phase); should all fail, the
 * next-best starts take their turn. Then the best maximum, how many runs
 * converged, failed and replicated it, and the distinct maxima. */
static gbtm_status fit_long_runs(fit_state *fs, gbtm_error *err) {
  const gbtm_fit_options *o = fs->o;
  int S = fs->S, keep = fs->keep;
  em_run *runs = fs->runs;
  const int *idx = fs->idx;
  if (!fs->rounds) long_phase(fs->wk, fs->nw, o, runs, idx, 0, keep, keep, fs->tol_abs, fs->centre, fs->scale, fs->by_start, -INFINITY);
  /* Should every long run fail, the next-best short runs take their turn. */
  while (keep < fs->n_ok && all_failed(runs, idx, keep)) {
    long_phase(fs->wk, fs->nw, o, runs, idx, keep, keep + 1, keep + 1, fs->tol_abs, fs->centre, fs->scale,
               fs->by_start, -INFINITY);
    keep++;
  }
  fs->keep = keep;
  if (out_of_memory(runs, S + 1)) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the EM iterates of the long runs");
  for (int j = 0; j < keep; j++)
    if (runs[idx[j]].failure) note_failure(&fs->failures, &fs->failures_len, idx[j], &runs[idx[j]]);
  int best = -1, converged = 0, failed = 0;
  for (int s = 0; s < fs->drawn; s++) failed += runs[s].failure != NULL;
  failed += o->start_from && runs[S].failure;
  for (int j = 0; j < keep; j++) {
    const em_run *run = &runs[idx[j]];
    if (run->failure) continue;
    converged += run->converged;
    if (!run->replica && (best < 0 || run->loglik > runs[best].loglik)) best = idx[j];
  }
  if (best < 0)
    return gbtm_fail(err, GBTM_ERR_FIT, "no start succeeded (%d tried):\n%s", fs->drawn, fs->failures ? fs->failures : "");
  int replicated = 0;
  for (int j = 0; j < keep; j++) {
    const em_run *run = &runs[idx[j]];
    if (!run->failure && fabs(run->loglik - runs[best].loglik) <= REPLICATION_TOL) replicated++;
  }
  fs->best = best;
  fs->converged = converged;
  fs->failed = failed;
  fs->replicated = replicated;
  other_maxima(runs, idx, keep, runs[best].loglik, &fs->res->summary);
  return record_maxima(runs, idx, keep, best, fs->wk[0].ws.P, fs->res, err);
}

/* Polish: the model at the best maximum, its groups in their stable order
 * and their posteriors; with covariates, the fit of the full model from it
 * (Newton, polish_ascend) and the posteriors under that; the groups'
 * shares. */
static gbtm_status fit_polish(fit_state *fs, gbtm_error *err) {
  const gbtm_panel *panel = fs->panel;
  const gbtm_fit_options *o = fs->o;
  gbtm_fit_result *res = fs->res;
  int K = fs->K;
  size_t N = fs->N;
  em_ws *ws0 = &fs->wk[0].ws;
  /* Final E-step at the best estimate, for the posteriors. */
  const em_run *b = &fs->runs[fs->best];
  double *tau = fs->wk[0].tau;
  double ll = em_estep(ws0, b->params, NULL, tau);
  int perm[GBTM_MAX_GROUPS];
  group_order(ws0, b->params, perm);
  fill_model(ws0, o, b->params, perm, fs->centre, fs->scale, &res->model);
  res->posterior = malloc(N * (size_t)K * sizeof *res->posterior);
  if (!res->posterior) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the posteriors");
  for (size_t i = 0; i < N; i++)
    for (int j = 0; j < K; j++) res->posterior[i * K + j] = tau[i * K + perm[j]];
  set_refgroup(&res->model, o->refgroup);
  bool covariates = panel->n_risk > 0 || panel->n_tcov > 0;
  fs->covariates_converged = true;
  gbtm_status st;
  if (covariates && ((st = add_covariates(&res->model, panel, o, &ll, &fs->covariates_converged, err)) != GBTM_OK ||
                     (st = gbtm_model_classify(&res->model, panel, res->posterior, err)) != GBTM_OK))
    return st;
  fs->loglik = ll;
  double *share = fs->share;
  gbtm_model_shares(&res->model, share);
  if (res->model.n_risk > 0) /* the mean of pi_k(z_i), which is the mean posterior at the maximum */
    for (int k = 0; k < K; k++) {
      share[k] = 0.0;
      for (size_t i = 0; i < N; i++) share[k] += panel_weight(panel, i) * res->posterior[i * K + k]; /* eq. W */
    }
  if (res->model.n_risk > 0) {
    reduce_sum(panel->procs, share, (size_t)K);
    for (int k = 0; k < K; k++) share[k] /= panel_weight_total(panel);
  }
  return GBTM_OK;
}

/* Result: the summary (criteria, classification, the starts' tally, the
 * pilot's when there was one), the inference, the observed trajectories,
 * the posteriors and ids when kept, and the failed starts. */
static gbtm_status fit_make_result(fit_state *fs, gbtm_error *err) {
  const gbtm_panel *panel = fs->panel;
  const gbtm_fit_options *o = fs->o;
  gbtm_fit_result *res = fs->res;
  const gbtm_fit_result *pilot = fs->pilot;
  int K = fs->K;
  em_ws *ws0 = &fs->wk[0].ws;
  const em_run *b = &fs->runs[fs->best];
  bool covariates = panel->n_risk > 0 || panel->n_tcov > 0;
  gbtm_status st;
  gbtm_fit_summary *sm = &res->summary;
  sm->loglik = fs->loglik;
  sm->n_params = gbtm_model_n_params(&res->model);
  sm->n_persons = panel_n_all(panel);
  sm->n_obs = panel_sizes_all(panel).n_obs;
  criteria_information(sm);
  sm->entropy = criteria_classification(res->posterior, fs->N, K, fs->share, panel->procs, res->group);
  sm->converged = covariates ? fs->covariates_converged : b->converged;
  sm->stop = sm->converged                         ? GBTM_STOP_CONVERGED
             : covariates                          ? GBTM_STOP_NEWTON
             : b->iterations >= o->max_iterations ? GBTM_STOP_MAX_ITER
             : b->stalled                          ? GBTM_STOP_STALLED
                                                   : GBTM_STOP_NEWTON;
  sm->iterations = b->iterations;
  sm->gradient_norm = b->grad_norm;
  sm->starts = fs->drawn;
  sm->starts_auto = fs->rounds;
  sm->replications = fs->rounds ? o->replications : 0;
  sm->replicated = fs->rounds && fs->rule_met;
  sm->time_limited = fs->time_limited;
  sm->starts_long = fs->keep;
  sm->starts_converged = fs->converged;
  sm->starts_failed = fs->failed;
  sm->best_replicated = fs->replicated;
  if (pilot) { /* the starts are the pilot's */
    const gbtm_fit_summary *ps = &pilot->summary;
    sm->starts_long = ps->starts_long;
    sm->starts_converged = ps->starts_converged;
    sm->starts_failed = ps->starts_failed + fs->failed;
    sm->best_replicated = ps->best_replicated;
    sm->pilot_persons = ps->n_persons;
    sm->starts = ps->starts;
    sm->starts_auto = ps->starts_auto;
    sm->replications = ps->replications;
    sm->replicated = ps->replicated;
    sm->time_limited = ps->time_limited;
    sm->n_other_maxima = ps->n_other_maxima;
    memcpy(sm->other_loglik, ps->other_loglik, sizeof sm->other_loglik);
    memcpy(sm->other_count, ps->other_count, sizeof sm->other_count);
  }
  sm->kernel = estep_kernel(ws0->ctx);
  sm->threads = fs->by_start ? fs->nw : estep_threads(ws0->ctx);
  sm->processes = reduce_size(panel->procs);
  sm->se = o->se;
  sm->newton_decrement = NAN;
  if (o->inference && (st = attach_inference(res, panel, o, err)) != GBTM_OK) return st;
  sm->seconds = omp_get_wtime() - fs->wall0;
  /* the observed trajectories of a model file (from all processes' persons) */
  if (!(res->observed = malloc(2 * (size_t)K * panel->T * sizeof *res->observed)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the observed trajectories");
  fit_observed_rates(panel, K, res->posterior, res->observed);
  if (!o->keep_posterior) {
    free(res->posterior);
    res->posterior = NULL;
  }
  fit_result_describe(panel, &res->data);
  if (o->keep_posterior && panel->procs && (st = gather_persons(panel, K, res, err)) != GBTM_OK) return st;
  if (o->keep_posterior && !panel->procs && !(res->ids = copy_ids(panel)))
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the person ids");
  if (fs->pilot && fs->pilot->failures && !fs->failures) { /* the pilot's failed starts */
    fs->failures = fs->pilot->failures;
    fs->pilot->failures = NULL;
  }
  res->failures = fs->failures;
  fs->failures = NULL;
  return GBTM_OK;
}

/* The censoring points of a censored family (family.h): those given, else
 * the smallest and largest response over all processes (PROC TRAJ's MIN
 * and MAX default); -inf and +inf for other families. */
static void resolve_censoring(const gbtm_panel *p, gbtm_fit_options *o) {
  if (!family_get(o->family)->censored) {
    o->ymin = -INFINITY, o->ymax = INFINITY;
    return;
  }
  double lo, hi;
  panel_response_range(p, &lo, &hi);
  if (isinf(o->ymin) && o->ymin < 0) o->ymin = lo;
  if (isinf(o->ymax) && o->ymax > 0) o->ymax = hi;
}

gbtm_status gbtm_fit(const gbtm_panel *panel, const gbtm_fit_options *options, gbtm_fit_result **out,
                     gbtm_error *err) {
  *out = NULL;
  gbtm_fit_options resolved = *options, *o = &resolved;
  fit_state fs = {.panel = panel, .o = o, .wall0 = omp_get_wtime()};
  fs.intr = (em_interrupt){o->interrupt, o->interrupt_user, pthread_self(), 0};
  em_interrupt *intr = o->interrupt ? &fs.intr : NULL;
  gbtm_status st = gbtm_fit_options_check(o, panel, err);
  if (st != GBTM_OK) return st;
  resolve_censoring(panel, o);
  /* An interrupt ends the runs (their EM stops, em_iterate) and is checked
   * between the phases; the phases' own failures after it give way to it. */
  if ((st = fit_setup(&fs, err)) == GBTM_OK && !em_interrupted(intr) &&
      (st = (fs.rounds ? fit_rounds : fit_starts)(&fs, err)) == GBTM_OK && !em_interrupted(intr) &&
      (st = fit_long_runs(&fs, err)) == GBTM_OK && !em_interrupted(intr) && (st = fit_polish(&fs, err)) == GBTM_OK &&
      !em_interrupted(intr) && (st = fit_make_result(&fs, err)) == GBTM_OK) {
    *out = fs.res;
    fs.res = NULL;
  }
  if (st == GBTM_ERR_INTERRUPTED || (intr && intr->stop)) {
    gbtm_fit_result_free(*out);
    *out = NULL;
    st = gbtm_fail(err, GBTM_ERR_INTERRUPTED, "the fit was interrupted");
  }
  gbtm_fit_result_free(fs.pilot);
  gbtm_fit_result_free(fs.res);
  free(fs.failures);
  free(fs.idx);
  free(fs.params_all);
  free(fs.runs);
  starts_profiles_free(&fs.prof);
  workers_free(fs.wk, fs.nw);
  return st;
}
