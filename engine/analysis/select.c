/* select.c: choosing the number of groups and their orders (DESIGN §5):
 * - gbtm_select() sweeps K and d (the same d in every group), seeding each
 *   K from the K-1 solution with its largest group split, and sums each
 *   model up in the figures reviewers ask for (criteria, the smallest AvePP,
 *   OCC and share, replication) with the usual adequacy flags;
 * - gbtm_cv_run() cross-validates one model over V folds of persons:
 *   the held-out log-likelihood (eq. L) and crimCV's CVE;
 * - gbtm_refine() drops non-significant top polynomial terms one at a time,
 *   by likelihood-ratio tests (backward elimination).
 *
 * crimCV's CVE (R package crimCV, R/dmZIP.R and R/dmZIPt.R, rcv = TRUE) is
 * leave-one-out: for each person i it refits the model to the other N-1
 * persons, starting from the fit to all the data only, computes i's
 * posterior group probabilities p_ik from all of i's cells under the refit
 * (prob_k prod_t f_k(y_it), by log-sum-exp), predicts
 * yhat_it = sum_k p_ik (1 - omega_kt) lambda_kt with lambda_kt including the
 * time at risk, and reports cv = mean |y - yhat| (the absolute error; cv2,
 * the squared error, is kept beside it) and lcv = -2 sum_i log L_i of the
 * held-out persons. gbtm follows that definition with these differences:
 * - V folds of persons instead of N (V = N is crimCV's leave-one-out);
 * - each fold fit runs the random starts of the main fit besides the start
 *   from the full-data solution (crimCV uses that start alone);
 * - the mean runs over the observed cells only: crimCV codes a missing cell
 *   as a negative count and its mean(abs(Dat - cvDat)) keeps those cells
 *   (y is then the negative code); on complete panels the two agree;
 * - the held-out log-likelihood is reported as log L, not as -2 log L;
 * - a failed fold fit leaves its persons out of the CVE (crimCV does the
 *   same) and makes the held-out log L NaN (crimCV adds 0). */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/basis.h"
#include "base/error.h"
#include "formats/panel_part.h"
#include "model/model.h"
#include "panel/panel.h"

#define LR_LEVEL 0.05 /* chi-square 1 df: accept a drop when LR < 3.841 */

/* ---- folds ------------------------------------------------------------- */

gbtm_status gbtm_cv_folds(size_t n, int folds, uint64_t seed, int *fold, gbtm_error *err) {
  if (folds < 2 || (size_t)folds > n)
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "cross-validation needs between 2 and %zu folds (the persons); got %d", n,
                     folds);
  size_t *perm = malloc(n * sizeof *perm);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!perm || !rng) {
    free(perm);
    gsl_rng_free(rng);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %d folds", folds);
  }
  gsl_rng_set(rng, (unsigned long)seed);
  for (size_t i = 0; i < n; i++) perm[i] = i;
  gsl_ran_shuffle(rng, perm, n, sizeof *perm);
  for (size_t j = 0; j < n; j++) fold[perm[j]] = (int)(j % (size_t)folds);
  free(perm);
  gsl_rng_free(rng);
  return GBTM_OK;
}

/* The training and held-out panels of every fold, built once and shared by
 * all the models of a sweep. */
typedef struct cv_split {
  int V;
  gbtm_panel **train, **test;
} cv_split;

static void cv_split_free(cv_split *s) {
  for (int v = 0; v < s->V; v++) {
    if (s->train) gbtm_panel_free(s->train[v]);
    if (s->test) gbtm_panel_free(s->test[v]);
  }
  free(s->train);
  free(s->test);
  memset(s, 0, sizeof *s);
}

static gbtm_status cv_split_build(const gbtm_panel *p, int V, uint64_t seed, cv_split *s,
                                  gbtm_error *err) {
  memset(s, 0, sizeof *s);
  size_t N = panel_n_all(p); /* the folds of all persons; this process takes its own */
  int *fold = malloc((N ? N : 1) * sizeof *fold);
  size_t *in = malloc(p->n * sizeof *in), *out = malloc(p->n * sizeof *out);
  s->train = calloc((size_t)(V > 0 ? V : 1), sizeof *s->train);
  s->test = calloc((size_t)(V > 0 ? V : 1), sizeof *s->test);
  gbtm_status st = GBTM_OK;
  if (!fold || !in || !out || !s->train || !s->test) {
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %d folds", V);
    goto done;
  }
  s->V = V;
  if ((st = gbtm_cv_folds(N, V, seed, fold, err)) != GBTM_OK) goto done;
  for (int v = 0; v < V && st == GBTM_OK; v++) {
    size_t n_in = 0, n_out = 0;
    for (size_t i = 0; i < p->n; i++) {
      if (fold[p->first + i] == v) out[n_out++] = i;
      else in[n_in++] = i;
    }
    st = gbtm_panel_subset(p, in, n_in, &s->train[v], err);
    if (st == GBTM_OK) st = gbtm_panel_subset(p, out, n_out, &s->test[v], err);
    if (p->procs) { /* each fold's blocks become one panel */
      st = reduce_agree(p->procs, st, err);
      if (st == GBTM_OK) st = panel_distribute(s->train[v], p->procs, "the training set", err);
      if (st == GBTM_OK) st = panel_distribute(s->test[v], p->procs, "the test set", err);
    }
  }
done:
  if (st != GBTM_OK) cv_split_free(s);
  free(fold);
  free(in);
  free(out);
  return st;
}

/* ---- held-out predictions ---------------------------------------------- */

/* Over the persons of test under model m: the posterior group probabilities
 * of each person from all their cells (eq. L terms by log-sum-exp), and the
 * sum over their observed cells of |y - yhat|, yhat = sum_k p_ik mu_kt E_it
 * (mu = (1 - omega) lambda per unit exposure), into *abs_sum and *cells;
 * *loglik gets eq. L of test, for a check against gbtm_model_loglik. A
 * cell's log f is its family's (cell_terms, DESIGN §6 Families). */
static gbtm_status heldout_errors(const gbtm_model *m, const gbtm_panel *test, double *abs_sum,
                                  size_t *cells, double *loglik, gbtm_error *err) {
  size_t T = test->T;
  int K = m->groups;
  const gbtm_family *fam = family_get(m->family);
  double *eta = malloc(T * (size_t)K * sizeof *eta), *zeta = malloc(T * (size_t)K * sizeof *zeta);
  double *mu = malloc(T * (size_t)K * sizeof *mu);
  uint32_t *t = malloc(T * sizeof *t);
  double *y = malloc(T * sizeof *y);
  double *e = malloc(T * sizeof *e);
  if (!eta || !zeta || !mu || !t || !y || !e) {
    free(eta), free(zeta), free(mu), free(t), free(y), free(e);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the held-out predictions");
  }
  for (size_t a = 0; a < T; a++)
    for (int k = 0; k < K; k++) {
      double x[GBTM_MAX_COEF];
      basis_row(test->age[a], m->centre, m->scale, m->order[k] + 1, x);
      double v = 0.0;
      for (int j = 0; j <= m->order[k]; j++) v += x[j] * m->beta[k][j];
      eta[a * K + k] = v;
      zeta[a * K + k] = model_inflated(m, k) ? model_zeta(m, k, test->age[a]) : 0.0;
      mu[a * K + k] = gbtm_model_expected(m, k, test->age[a]);
    }
  double share[GBTM_MAX_GROUPS], sum = 0.0, ll = 0.0;
  gbtm_model_shares(m, share);
  size_t n_cells = 0;
  for (size_t i = 0; i < test->n; i++) {
    size_t nc = panel_person_cells(test, i, t, y, e);
    double l[GBTM_MAX_GROUPS], mx = -INFINITY, s = 0.0;
    for (int k = 0; k < K; k++) {
      bool inflated = model_inflated(m, k);
      const family_par fp = model_family_par(m, k);
      l[k] = log(share[k]);
      for (size_t c = 0; c < nc; c++)
        l[k] += fam->cell_terms(eta[t[c] * K + k], inflated ? &zeta[t[c] * K + k] : NULL, &fp, y[c], e[c]).lf;
      mx = fmax(mx, l[k]);
    }
    for (int k = 0; k < K; k++) s += l[k] = exp(l[k] - mx);
    for (int k = 0; k < K; k++) l[k] /= s; /* p_ik */
    ll += panel_weight(test, i) * (mx + log(s)); /* eq. W: the held-out persons' weights, the whole panel's scale */
    for (size_t c = 0; c < nc; c++) {
      double yhat = 0.0;
      for (int k = 0; k < K; k++) yhat += l[k] * mu[t[c] * K + k];
      sum += fabs((double)y[c] - yhat * e[c]);
    }
    n_cells += nc;
  }
  free(eta), free(zeta), free(mu), free(t), free(y), free(e);
  double s3[3] = {sum, (double)n_cells, ll};
  reduce_sum(test->procs, s3, 3);
  *abs_sum = s3[0];
  *cells = (size_t)s3[1];
  *loglik = s3[2];
  return GBTM_OK;
}

/* The fold fits of one model; progress through report (may be NULL). */
typedef void (*fold_report_fn)(int fold, int folds, void *user);

static gbtm_status cv_evaluate(const cv_split *s, const gbtm_fit_options *options, double centre,
                               double scale, const gbtm_model *start, fold_report_fn report,
                               void *user, gbtm_cv_result *out, gbtm_error *err) {
  gbtm_fit_options fo = *options;
  fo.centre = centre;
  fo.scale = scale;
  fo.start_from = start;
  fo.keep_posterior = false;
  fo.inference = false;
  fo.progress = NULL;
  fo.progress_user = NULL;
  memset(out, 0, sizeof *out);
  out->folds = s->V;
  double abs_sum = 0.0, ll = 0.0;
  for (int v = 0; v < s->V; v++) {
    if (report) report(v, s->V, user);
    gbtm_fit_result *r = NULL;
    gbtm_error ferr = {GBTM_OK, ""};
    gbtm_status st = gbtm_fit(s->train[v], &fo, &r, &ferr);
    if (st == GBTM_ERR_FIT || st == GBTM_ERR_DATA || st == GBTM_ERR_USAGE) {
      out->folds_failed++; /* e.g. a group emptied, or too few ages in the fold */
      continue;
    }
    if (st != GBTM_OK) {
      if (err) *err = ferr;
      return st;
    }
    const gbtm_model *m = gbtm_fit_result_model(r);
    double fold_ll = NAN, check = NAN, fold_abs = 0.0;
    size_t fold_cells = 0;
    st = gbtm_model_loglik(m, s->test[v], &fold_ll, err);
    if (st == GBTM_OK) st = heldout_errors(m, s->test[v], &fold_abs, &fold_cells, &check, err);
    gbtm_fit_result_free(r);
    if (st != GBTM_OK) return st;
    if (!(fabs(check - fold_ll) <= 1e-9 * fabs(fold_ll) + 1e-9)) /* two evaluations of eq. L */
      return gbtm_fail(err, GBTM_ERR_INTERNAL, "held-out log-likelihood %.17g differs from %.17g",
                       check, fold_ll);
    ll += fold_ll;
    abs_sum += fold_abs;
    out->cells += fold_cells;
  }
  out->loglik = out->folds_failed ? NAN : ll;
  out->cve = out->cells ? abs_sum / (double)out->cells : NAN;
  return GBTM_OK;
}

/* The basis of options, or the panel's default where NaN. */
static void fit_basis(const gbtm_panel *p, const gbtm_fit_options *o, double *centre,
                      double *scale) {
  basis_default(p->age[0], p->age[p->T - 1], centre, scale);
  if (!isnan(o->centre)) *centre = o->centre;
  if (!isnan(o->scale)) *scale = o->scale;
}

gbtm_status gbtm_cv_run(const gbtm_panel *panel, const gbtm_fit_options *options, int folds,
                        uint64_t seed, const gbtm_model *start, gbtm_cv_result *out,
                        gbtm_error *err) {
  memset(out, 0, sizeof *out);
  gbtm_status st = gbtm_fit_options_check(options, panel, err);
  if (st != GBTM_OK) return st;
  double centre, scale;
  fit_basis(panel, options, &centre, &scale);
  cv_split s;
  if ((st = cv_split_build(panel, folds, seed, &s, err)) != GBTM_OK) return st;
  st = cv_evaluate(&s, options, centre, scale, start, NULL, NULL, out, err);
  cv_split_free(&s);
  return st;
}

/* ---- the sweep --------------------------------------------------------- */

struct gbtm_select_result {
  size_t count;
  gbtm_select_entry *entry;
  gbtm_fit_result **fit; /* owned, entry[i].fit */
  char **failure;        /* owned, entry[i].failure */
  int best;
};

gbtm_select_options gbtm_select_options_default(void) {
  gbtm_select_options o;
  memset(&o, 0, sizeof o);
  o.fit = gbtm_fit_options_default();
  o.groups_min = 1;
  o.groups_max = 6;
  o.order_min = o.order_max = 2;
  o.cv_folds = 0;
  return o;
}

void gbtm_select_result_free(gbtm_select_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->count; i++) {
    if (r->fit) gbtm_fit_result_free(r->fit[i]);
    if (r->failure) free(r->failure[i]);
  }
  free(r->fit);
  free(r->failure);
  free(r->entry);
  free(r);
}

size_t gbtm_select_result_count(const gbtm_select_result *r) { return r ? r->count : 0; }

gbtm_status gbtm_select_result_set_labels(gbtm_select_result *r, const char *const *labels, int n, gbtm_error *err) {
  for (size_t i = 0; r && i < r->count; i++)
    if (r->fit[i] && r->entry[i].groups == n) {
      gbtm_status st = gbtm_fit_result_set_labels(r->fit[i], labels, n, err);
      if (st != GBTM_OK) return st;
    }
  return GBTM_OK;
}

const gbtm_select_entry *gbtm_select_result_entry(const gbtm_select_result *r, size_t i) {
  return r && i < r->count ? &r->entry[i] : NULL;
}

int gbtm_select_result_best(const gbtm_select_result *r) { return r ? r->best : -1; }

/* The smallest AvePP, OCC and share of a fit and the rules they break. */
static void judge(const gbtm_fit_result *fit, gbtm_select_entry *e) {
  const gbtm_fit_summary *s = gbtm_fit_result_summary(fit);
  int K = gbtm_fit_result_model(fit)->groups;
  e->min_avepp = e->min_occ = NAN;
  e->min_share = INFINITY;
  bool unassigned = false;
  for (int k = 0; k < K; k++) {
    const gbtm_group_summary *g = gbtm_fit_result_group(fit, k);
    if (isnan(g->avepp)) unassigned = true;
    else if (isnan(e->min_avepp) || g->avepp < e->min_avepp) e->min_avepp = g->avepp;
    if (isfinite(g->occ) && (isnan(e->min_occ) || g->occ < e->min_occ)) e->min_occ = g->occ;
    if (g->share < e->min_share) e->min_share = g->share;
  }
  e->flags = 0;
  if (K > 1) {
    if (unassigned || e->min_avepp < GBTM_RULE_AVEPP) e->flags |= GBTM_FLAG_AVEPP;
    if (e->min_occ < GBTM_RULE_OCC) e->flags |= GBTM_FLAG_OCC;
    if (e->min_share < GBTM_RULE_SHARE) e->flags |= GBTM_FLAG_SMALL_GROUP;
  }
  if (s->starts_auto ? !s->replicated : s->starts_long > 1 && s->best_replicated < 2) e->flags |= GBTM_FLAG_NOT_REPLICATED;
  if (!s->converged) e->flags |= GBTM_FLAG_NOT_CONVERGED;
}

/* Options for the model (K, d) of a sweep. */
static gbtm_fit_options model_options(const gbtm_select_options *o, int K, int d, double centre,
                                      double scale) {
  gbtm_fit_options fo = o->fit;
  fo.groups = K;
  for (int k = 0; k < GBTM_MAX_GROUPS; k++) {
    fo.order[k] = d;
    fo.iorder[k] = o->fit.iorder[0];
  }
  fo.centre = centre;
  fo.scale = scale;
  fo.start_from = NULL;
  if (fo.refgroup >= K) fo.refgroup = 0; /* models with fewer groups than the reference: group 1 */
  return fo;
}

typedef struct fold_progress {
  const gbtm_select_options *o;
  gbtm_select_progress info;
} fold_progress;

static void report_fold(int fold, int folds, void *user) {
  fold_progress *fp = user;
  fp->info.phase = "cv";
  fp->info.fold = fold;
  fp->info.folds = folds;
  fp->o->progress(&fp->info, fp->o->progress_user);
}

gbtm_status gbtm_select(const gbtm_panel *panel, const gbtm_select_options *o,
                        gbtm_select_result **out, gbtm_error *err) {
  *out = NULL;
  if (o->groups_min < 1 || o->groups_max > GBTM_MAX_GROUPS || o->groups_min > o->groups_max)
    return gbtm_fail(err, GBTM_ERR_USAGE, "groups must be a range within 1..%d (got %d..%d)",
                     GBTM_MAX_GROUPS, o->groups_min, o->groups_max);
  if (o->order_min < 0 || o->order_max > GBTM_MAX_ORDER || o->order_min > o->order_max)
    return gbtm_fail(err, GBTM_ERR_USAGE, "orders must be a range within 0..%d (got %d..%d)",
                     GBTM_MAX_ORDER, o->order_min, o->order_max);
  if (o->cv_folds != 0 && (o->cv_folds < 2 || (size_t)o->cv_folds > panel_n_all(panel)))
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "cross-validation needs between 2 and %zu folds (the persons); got %d",
                     panel_n_all(panel), o->cv_folds);
  double centre, scale;
  fit_basis(panel, &o->fit, &centre, &scale);
  /* Every model's options are checked before any work. */
  for (int d = o->order_min; d <= o->order_max; d++)
    for (int K = o->groups_min; K <= o->groups_max; K++) {
      gbtm_fit_options fo = model_options(o, K, d, centre, scale);
      gbtm_status st = gbtm_fit_options_check(&fo, panel, err);
      if (st != GBTM_OK) return st;
    }

  size_t n_models = (size_t)(o->order_max - o->order_min + 1) * (size_t)(o->groups_max - o->groups_min + 1);
  gbtm_select_result *r = calloc(1, sizeof *r);
  if (!r) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %zu models", n_models);
  r->entry = calloc(n_models, sizeof *r->entry);
  r->fit = calloc(n_models, sizeof *r->fit);
  r->failure = calloc(n_models, sizeof *r->failure);
  r->best = -1;
  cv_split split = {0};
  gbtm_status st = GBTM_OK;
  if (!r->entry || !r->fit || !r->failure) {
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for %zu models", n_models);
    goto fail;
  }
  r->count = n_models;
  if (o->cv_folds && (st = cv_split_build(panel, o->cv_folds, o->fit.seed, &split, err)) != GBTM_OK)
    goto fail;

  size_t m = 0;
  for (int d = o->order_min; d <= o->order_max; d++) {
    const gbtm_model *prev = NULL; /* the K-1 solution of this d */
    for (int K = o->groups_min; K <= o->groups_max; K++, m++) {
      double t0 = omp_get_wtime();
      gbtm_select_entry *e = &r->entry[m];
      e->groups = K;
      e->order = d;
      e->iorder = gbtm_family_zero_inflated(o->fit.family) ? o->fit.iorder[0] : -1;
      e->failure = "";
      fold_progress fp = {o, {"fit", (int)m, (int)n_models, K, d, 0, o->cv_folds, NULL}};
      if (o->progress) o->progress(&fp.info, o->progress_user);

      gbtm_fit_options fo = model_options(o, K, d, centre, scale);
      fo.start_from = prev;
      gbtm_error ferr = {GBTM_OK, ""};
      st = gbtm_fit(panel, &fo, &r->fit[m], &ferr);
      if (st == GBTM_ERR_FIT) { /* no start succeeded: an entry, not an error */
        size_t len = strlen(ferr.message) + 1;
        if ((r->failure[m] = malloc(len))) {
          memcpy(r->failure[m], ferr.message, len);
          e->failure = r->failure[m];
        }
        e->flags = GBTM_FLAG_FAILED;
        e->min_avepp = e->min_occ = e->min_share = NAN;
        e->cv.loglik = e->cv.cve = NAN;
        prev = NULL;
        st = GBTM_OK;
      } else if (st != GBTM_OK) {
        if (err) *err = ferr;
        goto fail;
      } else {
        e->fit = r->fit[m];
        judge(e->fit, e);
        prev = gbtm_fit_result_model(e->fit);
        if (o->cv_folds) {
          fo.start_from = NULL;
          st = cv_evaluate(&split, &fo, centre, scale, prev, o->progress ? report_fold : NULL, &fp,
                           &e->cv, err);
          if (st != GBTM_OK) goto fail;
        }
        double bic = gbtm_fit_result_summary(e->fit)->bic;
        if (r->best < 0 || bic < gbtm_fit_result_summary(r->entry[r->best].fit)->bic) r->best = (int)m;
      }
      e->seconds = omp_get_wtime() - t0;
      fp.info.phase = "done";
      fp.info.entry = e;
      if (o->progress) o->progress(&fp.info, o->progress_user);
    }
  }
  cv_split_free(&split);
  *out = r;
  return GBTM_OK;

fail:
  cv_split_free(&split);
  gbtm_select_result_free(r);
  return st;
}

/* ---- refining the orders ----------------------------------------------- */

gbtm_status gbtm_refine(const gbtm_panel *panel, const gbtm_fit_options *options,
                        gbtm_refine_step_fn on_step, void *user, gbtm_fit_result **out,
                        gbtm_error *err) {
  *out = NULL;
  gbtm_fit_result *cur = NULL;
  gbtm_status st = gbtm_fit(panel, options, &cur, err);
  if (st != GBTM_OK) return st;
  const double critical = gsl_cdf_chisq_Qinv(LR_LEVEL, 1.0); /* 3.841 */
  const int K = options->groups;
  for (int round = 1;; round++) {
    const gbtm_model *m = gbtm_fit_result_model(cur);
    /* The candidates: one per distinct order d > 0 among the groups. */
    int from[GBTM_MAX_GROUPS], n_cand = 0;
    for (int k = 0; k < K; k++) {
      bool seen = false;
      for (int c = 0; c < n_cand; c++) seen |= from[c] == m->order[k];
      if (m->order[k] > 0 && !seen) from[n_cand++] = m->order[k];
    }
    if (n_cand == 0) break;
    gbtm_fit_result *fits[GBTM_MAX_GROUPS] = {NULL};
    gbtm_refine_step steps[GBTM_MAX_GROUPS];
    int best = -1;
    for (int c = 0; c < n_cand; c++) {
      int d = from[c], g = -1; /* the group of order d with the smallest |top coefficient| */
      for (int k = 0; k < K; k++)
        if (m->order[k] == d && (g < 0 || fabs(m->beta[k][d]) < fabs(m->beta[g][d]))) g = k;
      gbtm_refine_step *step = &steps[c];
      memset(step, 0, sizeof *step);
      step->step = round;
      step->groups = K;
      step->from = d;
      memcpy(step->order, m->order, sizeof step->order);
      step->loglik = gbtm_fit_result_summary(cur)->loglik;

      gbtm_fit_options fo = *options;
      memcpy(fo.order, m->order, sizeof fo.order);
      fo.order[g] = d - 1;
      memcpy(fo.iorder, m->iorder, sizeof fo.iorder);
      fo.centre = m->centre;
      fo.scale = m->scale;
      fo.start_from = m; /* its coefficient d of group g is not carried over */
      gbtm_error ferr = {GBTM_OK, ""};
      st = gbtm_fit(panel, &fo, &fits[c], &ferr);
      if (st == GBTM_ERR_FIT) { /* the candidate cannot be fitted */
        memcpy(step->reduced, fo.order, sizeof step->reduced);
        step->loglik_reduced = step->lr = step->p_value = NAN;
        continue;
      }
      if (st != GBTM_OK) {
        if (err) *err = ferr;
        for (int j = 0; j <= c; j++) gbtm_fit_result_free(fits[j]);
        gbtm_fit_result_free(cur);
        return st;
      }
      memcpy(step->reduced, gbtm_fit_result_model(fits[c])->order, sizeof step->reduced);
      step->loglik_reduced = gbtm_fit_result_summary(fits[c])->loglik;
      step->lr = 2.0 * (step->loglik - step->loglik_reduced);
      step->p_value = step->lr > 0.0 ? gsl_cdf_chisq_Q(step->lr, 1.0) : 1.0;
      if (best < 0 || step->loglik_reduced > steps[best].loglik_reduced) best = c;
    }
    bool drop = best >= 0 && steps[best].lr < critical;
    if (drop) steps[best].accepted = true;
    for (int c = 0; c < n_cand; c++)
      if (on_step) on_step(&steps[c], user);
    if (drop) {
      gbtm_fit_result_free(cur);
      cur = fits[best];
      fits[best] = NULL;
    }
    for (int c = 0; c < n_cand; c++) gbtm_fit_result_free(fits[c]);
    if (!drop) break;
  }
  *out = cur;
  return GBTM_OK;
}
