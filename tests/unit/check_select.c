/* check_select.c: model selection and cross-validation (engine/analysis/select.c)
 * and panel subsets (engine/panel/panel.c):
 * - a subset keeps its persons' cells, and eq. L of a panel is the sum over
 *   the subsets of a partition; bad index lists are refused;
 * - folds are a partition of the persons, balanced, and fixed by the seed;
 * - every criterion of a sweep's table equals the DESIGN §5 formula
 *   recomputed here from log L, p, N and the posteriors, the flags follow the
 *   rules, and the best model is the smallest BIC;
 * - gbtm_cv_run equals a cross-validation done here by hand from the public
 *   API (folds, subsets, fits, eq. L, and crimCV's CVE with posteriors
 *   computed here);
 * - on a simulated cohort of 5000 persons in 4 well-separated groups, BIC
 *   picks K = 4 among K = 1..6;
 * - refinement from order 3 finds the rapporteur-2024 cohort's true orders. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbtm.h"
#include "model/model.h"
#include "gbtm_presets.h"
#include "panel/panel.h"

static gbtm_panel *preset_panel(size_t n, uint64_t seed, gbtm_model *truth) {
  gbtm_model m;
  gbtm_sim_design d;
  ck_assert(model_preset("rapporteur-2024", n, seed, &m, &d));
  gbtm_panel *p = NULL;
  gbtm_error err = {GBTM_OK, ""};
  ck_assert_msg(gbtm_simulate(&m, &d, &p, NULL, &err) == GBTM_OK, "%s", err.message);
  if (truth) *truth = m;
  return p;
}

static bool close_to(double a, double b, double rel) {
  return fabs(a - b) <= rel * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* ---- subsets ------------------------------------------------------------ */

START_TEST(subset_cells_and_loglik) {
  gbtm_model m;
  gbtm_panel *p = preset_panel(200, 3, &m);
  gbtm_error err = {GBTM_OK, ""};
  /* A partition: the odd persons in reverse order, the even ones in order. */
  size_t odd[100], even[100], n_odd = 0, n_even = 0;
  for (size_t i = p->n; i-- > 0;)
    if (i % 2) odd[n_odd++] = i;
  for (size_t i = 0; i < p->n; i++)
    if (i % 2 == 0) even[n_even++] = i;
  gbtm_panel *a = NULL, *b = NULL;
  ck_assert_int_eq(gbtm_panel_subset(p, odd, n_odd, &a, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_panel_subset(p, even, n_even, &b, &err), GBTM_OK);
  ck_assert_uint_eq(a->n + b->n, p->n);
  ck_assert_uint_eq(a->n_obs + b->n_obs, p->n_obs);
  ck_assert_uint_eq(a->n_nonzero + b->n_nonzero, p->n_nonzero);
  ck_assert(a->total + b->total == p->total);
  /* Person j of a is person odd[j] of p, with the same cells. */
  uint32_t t1[64], t2[64];
  double y1[64], y2[64];
  double e1[64], e2[64];
  for (size_t j = 0; j < a->n; j++) {
    ck_assert_str_eq(gbtm_panel_id(a, j), gbtm_panel_id(p, odd[j]));
    size_t n1 = panel_person_cells(a, j, t1, y1, e1), n2 = panel_person_cells(p, odd[j], t2, y2, e2);
    ck_assert_uint_eq(n1, n2);
    for (size_t c = 0; c < n1; c++) {
      ck_assert(a->age[t1[c]] == p->age[t2[c]]);
      ck_assert_int_eq(y1[c], y2[c]);
      ck_assert(e1[c] == e2[c]);
    }
  }
  double ll, la, lb;
  ck_assert_int_eq(gbtm_model_loglik(&m, p, &ll, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_loglik(&m, a, &la, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_model_loglik(&m, b, &lb, &err), GBTM_OK);
  ck_assert_msg(close_to(ll, la + lb, 1e-12), "%.17g vs %.17g", ll, la + lb);

  /* Refused: no persons, a repeat, an index out of range. */
  gbtm_panel *bad = NULL;
  size_t twice[] = {4, 7, 4}, out_of_range[] = {1, 200};
  ck_assert_int_eq(gbtm_panel_subset(p, odd, 0, &bad, &err), GBTM_ERR_USAGE);
  ck_assert_int_eq(gbtm_panel_subset(p, twice, 3, &bad, &err), GBTM_ERR_USAGE);
  ck_assert_str_eq(err.message, "panel subset: person 4 given twice");
  ck_assert_int_eq(gbtm_panel_subset(p, out_of_range, 2, &bad, &err), GBTM_ERR_USAGE);
  ck_assert_str_eq(err.message, "panel subset: person 200 out of range (200 persons)");
  ck_assert_ptr_null(bad);
  gbtm_panel_free(a);
  gbtm_panel_free(b);
  gbtm_panel_free(p);
}
END_TEST

/* ---- folds -------------------------------------------------------------- */

START_TEST(folds_partition_and_seed) {
  enum { N = 103, V = 5 };
  int f1[N], f2[N], f3[N];
  gbtm_error err = {GBTM_OK, ""};
  ck_assert_int_eq(gbtm_cv_folds(N, V, 7, f1, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_cv_folds(N, V, 7, f2, &err), GBTM_OK);
  ck_assert_int_eq(gbtm_cv_folds(N, V, 8, f3, &err), GBTM_OK);
  int size[V] = {0}, differ = 0, same_as_index_order = 0;
  for (int i = 0; i < N; i++) {
    ck_assert(f1[i] >= 0 && f1[i] < V); /* each person in exactly one fold */
    ck_assert_int_eq(f1[i], f2[i]);     /* the same seed, the same folds */
    differ += f1[i] != f3[i];
    same_as_index_order += f1[i] == i % V;
    size[f1[i]]++;
  }
  for (int v = 0; v < V; v++) ck_assert(size[v] == N / V || size[v] == N / V + 1);
  ck_assert_int_gt(differ, N / 2);              /* another seed, other folds */
  ck_assert_int_lt(same_as_index_order, N / 2); /* shuffled, not by index */
  ck_assert_int_eq(gbtm_cv_folds(N, 1, 7, f1, &err), GBTM_ERR_USAGE);
  ck_assert_int_eq(gbtm_cv_folds(N, N + 1, 7, f1, &err), GBTM_ERR_USAGE);
  ck_assert_int_eq(gbtm_cv_folds(N, N, 7, f1, &err), GBTM_OK); /* leave-one-out */
  int seen[N] = {0};
  for (int i = 0; i < N; i++) seen[f1[i]]++;
  for (int v = 0; v < N; v++) ck_assert_int_eq(seen[v], 1);
}
END_TEST

/* ---- the table's criteria ------------------------------------------------ */

START_TEST(criteria_match_formulas) {
  gbtm_panel *p = preset_panel(630, 1, NULL);
  gbtm_select_options o = gbtm_select_options_default();
  o.groups_min = 1;
  o.groups_max = 5;
  o.order_min = 1;
  o.order_max = 2;
  o.fit.starts = 8;
  gbtm_select_result *r = NULL;
  gbtm_error err = {GBTM_OK, ""};
  ck_assert_msg(gbtm_select(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  ck_assert_uint_eq(gbtm_select_result_count(r), 10);
  const double N = (double)p->n, Nobs = (double)p->n_obs;
  int best = -1;
  for (size_t i = 0; i < gbtm_select_result_count(r); i++) {
    const gbtm_select_entry *e = gbtm_select_result_entry(r, i);
    ck_assert_int_eq(e->order, 1 + (int)(i / 5)); /* d outer, K inner */
    ck_assert_int_eq(e->groups, 1 + (int)(i % 5));
    ck_assert_ptr_nonnull(e->fit);
    const gbtm_fit_summary *s = gbtm_fit_result_summary(e->fit);
    const gbtm_model *m = gbtm_fit_result_model(e->fit);
    int K = e->groups, d = e->order;
    ck_assert_int_eq(m->groups, K);
    for (int k = 0; k < K; k++) ck_assert_int_eq(m->order[k], d);
    /* p = (K - 1) + sum (d_k + 1) for Poisson */
    double P = (K - 1) + K * (d + 1.0);
    ck_assert_int_eq(s->n_params, (int)P);
    ck_assert_uint_eq(s->n_persons, p->n);
    ck_assert_uint_eq(s->n_obs, p->n_obs);
    double ll = s->loglik, direct;
    ck_assert_int_eq(gbtm_model_loglik(m, p, &direct, &err), GBTM_OK);
    ck_assert(close_to(ll, direct, 1e-9));
    ck_assert(close_to(s->bic, -2 * ll + P * log(N), 1e-12));
    ck_assert(close_to(s->bic_obs, -2 * ll + P * log(Nobs), 1e-12));
    ck_assert(close_to(s->bic_traj, ll - 0.5 * P * log(N), 1e-12));
    ck_assert(close_to(s->bic_traj_obs, ll - 0.5 * P * log(Nobs), 1e-12));
    ck_assert(close_to(s->aic, -2 * ll + 2 * P, 1e-12));
    /* Entropy, AvePP, OCC and shares from the posteriors. */
    const double *tau = gbtm_fit_result_posterior(e->fit);
    ck_assert_ptr_nonnull(tau);
    double share[GBTM_MAX_GROUPS], ent = 0.0, sum_pp[GBTM_MAX_GROUPS] = {0};
    int assigned[GBTM_MAX_GROUPS] = {0};
    gbtm_model_shares(m, share);
    for (size_t n = 0; n < p->n; n++) {
      const double *t = tau + n * K;
      int a = 0;
      for (int k = 0; k < K; k++) {
        if (t[k] > 0) ent += t[k] * log(t[k]);
        if (t[k] > t[a]) a = k;
      }
      assigned[a]++;
      sum_pp[a] += t[a];
    }
    double entropy = K > 1 ? 1.0 + ent / (N * log((double)K)) : 1.0;
    ck_assert(close_to(s->entropy, entropy, 1e-10));
    double min_avepp = INFINITY, min_occ = INFINITY, min_share = INFINITY;
    bool unassigned = false;
    for (int k = 0; k < K; k++) {
      const gbtm_group_summary *g = gbtm_fit_result_group(e->fit, k);
      ck_assert(close_to(g->share, share[k], 1e-12));
      ck_assert(close_to(g->assigned_share, assigned[k] / N, 1e-12));
      min_share = fmin(min_share, share[k]);
      if (!assigned[k]) {
        unassigned = true;
        ck_assert(isnan(g->avepp));
        continue;
      }
      double avepp = sum_pp[k] / assigned[k];
      ck_assert(close_to(g->avepp, avepp, 1e-10));
      min_avepp = fmin(min_avepp, avepp);
      double occ = (avepp / (1 - avepp)) / (share[k] / (1 - share[k]));
      if (K > 1 && isfinite(occ)) {
        ck_assert(close_to(g->occ, occ, 1e-8));
        min_occ = fmin(min_occ, occ);
      }
    }
    ck_assert(close_to(e->min_avepp, min_avepp, 1e-10));
    ck_assert(close_to(e->min_share, min_share, 1e-12));
    if (K == 1) ck_assert(isnan(e->min_occ));
    else ck_assert(close_to(e->min_occ, min_occ, 1e-8));
    /* The flags follow the rules. */
    unsigned flags = 0;
    if (K > 1 && (unassigned || min_avepp < 0.7)) flags |= GBTM_FLAG_AVEPP;
    if (K > 1 && min_occ < 5) flags |= GBTM_FLAG_OCC;
    if (K > 1 && min_share < 0.05) flags |= GBTM_FLAG_SMALL_GROUP;
    if (s->starts_long > 1 && s->best_replicated < 2) flags |= GBTM_FLAG_NOT_REPLICATED;
    if (!s->converged) flags |= GBTM_FLAG_NOT_CONVERGED;
    ck_assert_uint_eq(e->flags, flags);
    ck_assert_int_eq(e->cv.folds, 0);
    if (best < 0 || s->bic < gbtm_fit_result_summary(gbtm_select_result_entry(r, best)->fit)->bic)
      best = (int)i;
  }
  ck_assert_int_eq(gbtm_select_result_best(r), best);
  /* The cohort's own four groups and quadratic trajectories. */
  const gbtm_select_entry *b = gbtm_select_result_entry(r, (size_t)best);
  ck_assert_int_eq(b->groups, 4);
  ck_assert_int_eq(b->order, 2);
  gbtm_select_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

/* ---- cross-validation ----------------------------------------------------- */

/* Posteriors of person i of q under m, from its cells (eq. L terms). */
static void posterior(const gbtm_model *m, const gbtm_panel *q, size_t i, double *pk) {
  uint32_t t[64];
  double y[64];
  double e[64], share[GBTM_MAX_GROUPS], l[GBTM_MAX_GROUPS], mx = -INFINITY, s = 0;
  size_t nc = panel_person_cells(q, i, t, y, e);
  gbtm_model_shares(m, share);
  for (int k = 0; k < m->groups; k++) {
    l[k] = log(share[k]);
    for (size_t c = 0; c < nc; c++) {
      double lambda = e[c] * gbtm_model_expected(m, k, q->age[t[c]]); /* Poisson: omega = 0 */
      l[k] += y[c] * log(lambda) - lambda - lgamma(y[c] + 1.0);
    }
    mx = fmax(mx, l[k]);
  }
  for (int k = 0; k < m->groups; k++) s += exp(l[k] - mx);
  for (int k = 0; k < m->groups; k++) pk[k] = exp(l[k] - mx) / s;
}

START_TEST(cv_matches_hand_computation) {
  gbtm_panel *p = preset_panel(300, 5, NULL);
  gbtm_error err = {GBTM_OK, ""};
  gbtm_fit_options o = gbtm_fit_options_default();
  o.groups = 3;
  o.starts = 6;
  gbtm_fit_result *full = NULL;
  ck_assert_int_eq(gbtm_fit(p, &o, &full, &err), GBTM_OK);
  const gbtm_model *fm = gbtm_fit_result_model(full);
  enum { V = 4 };
  const uint64_t seed = 11;
  gbtm_cv_result cv, again;
  ck_assert_msg(gbtm_cv_run(p, &o, V, seed, fm, &cv, &err) == GBTM_OK, "%s", err.message);
  ck_assert_int_eq(gbtm_cv_run(p, &o, V, seed, fm, &again, &err), GBTM_OK);
  ck_assert(cv.loglik == again.loglik && cv.cve == again.cve); /* deterministic */
  ck_assert_int_eq(cv.folds, V);
  ck_assert_int_eq(cv.folds_failed, 0);
  ck_assert_uint_eq(cv.cells, p->n_obs);

  /* By hand, as documented: fold v fitted on the persons outside it, in
   * index order, basis of the whole panel, starting also from the full fit. */
  int fold[300];
  ck_assert_int_eq(gbtm_cv_folds(p->n, V, seed, fold, &err), GBTM_OK);
  double ll = 0.0, abs_sum = 0.0;
  size_t cells = 0;
  for (int v = 0; v < V; v++) {
    size_t in[300], out[300], n_in = 0, n_out = 0;
    for (size_t i = 0; i < p->n; i++) {
      if (fold[i] == v) out[n_out++] = i;
      else in[n_in++] = i;
    }
    gbtm_panel *train = NULL, *test = NULL;
    ck_assert_int_eq(gbtm_panel_subset(p, in, n_in, &train, &err), GBTM_OK);
    ck_assert_int_eq(gbtm_panel_subset(p, out, n_out, &test, &err), GBTM_OK);
    gbtm_fit_options fo = o;
    fo.centre = fm->centre;
    fo.scale = fm->scale;
    fo.start_from = fm;
    fo.keep_posterior = false;
    fo.inference = false;
    gbtm_fit_result *r = NULL;
    ck_assert_int_eq(gbtm_fit(train, &fo, &r, &err), GBTM_OK);
    const gbtm_model *m = gbtm_fit_result_model(r);
    ck_assert(m->centre == fm->centre && m->scale == fm->scale);
    double l;
    ck_assert_int_eq(gbtm_model_loglik(m, test, &l, &err), GBTM_OK);
    ll += l;
    uint32_t t[64];
    double y[64];
    double e[64], pk[GBTM_MAX_GROUPS];
    for (size_t i = 0; i < test->n; i++) {
      posterior(m, test, i, pk);
      size_t nc = panel_person_cells(test, i, t, y, e);
      for (size_t c = 0; c < nc; c++) {
        double yhat = 0.0;
        for (int k = 0; k < m->groups; k++)
          yhat += pk[k] * gbtm_model_expected(m, k, test->age[t[c]]) * e[c];
        abs_sum += fabs(y[c] - yhat);
      }
      cells += nc;
    }
    gbtm_fit_result_free(r);
    gbtm_panel_free(train);
    gbtm_panel_free(test);
  }
  ck_assert_uint_eq(cells, cv.cells);
  ck_assert_msg(close_to(cv.loglik, ll, 1e-10), "%.17g vs %.17g", cv.loglik, ll);
  ck_assert_msg(close_to(cv.cve, abs_sum / cells, 1e-10), "%.17g vs %.17g", cv.cve, abs_sum / cells);
  /* Held out, the persons are predicted worse than in the fit. */
  ck_assert(cv.loglik < gbtm_fit_result_summary(full)->loglik);
  gbtm_fit_result_free(full);
  gbtm_panel_free(p);
}
END_TEST

/* ---- BIC on well-separated groups ----------------------------------------- */

/* log lambda(age) = log(peak) - ((age - mode)/width)^2 on the basis (c, h). */
static void parabola(gbtm_model *m, int k, double peak, double mode, double width) {
  double d = m->centre - mode, h = m->scale, w2 = width * width;
  m->order[k] = 2;
  m->iorder[k] = -1;
  m->beta[k][0] = log(peak) - d * d / w2;
  m->beta[k][1] = -2.0 * h * d / w2;
  m->beta[k][2] = -h * h / w2;
}

START_TEST(bic_picks_four_separated_groups) {
  gbtm_model m;
  memset(&m, 0, sizeof m);
  m.family = GBTM_POISSON;
  m.groups = 4;
  m.centre = 25.0; /* ages 10..40 */
  m.scale = 15.0;
  m.age_min = 10;
  m.age_max = 40;
  const double share[4] = {0.35, 0.25, 0.22, 0.18};
  for (int k = 0; k < 4; k++) m.theta[k] = log(share[k] / share[0]);
  parabola(&m, 0, 0.05, 25.0, 30.0); /* rare, flat */
  parabola(&m, 1, 2.5, 16.0, 4.0);   /* adolescence-limited */
  parabola(&m, 2, 2.5, 33.0, 5.0);   /* late onset */
  parabola(&m, 3, 4.0, 25.0, 25.0);  /* chronic */
  gbtm_sim_design d = {.n = 5000, .age_lo = 10, .end_lo = 40, .age_hi = 40, .gap_prob = 0.05,
                       .custody_prob = 0.0, .seed = 2024};
  gbtm_panel *p = NULL;
  gbtm_error err = {GBTM_OK, ""};
  ck_assert_int_eq(gbtm_simulate(&m, &d, &p, NULL, &err), GBTM_OK);
  gbtm_select_options o = gbtm_select_options_default();
  o.groups_min = 1;
  o.groups_max = 6;
  o.fit.starts = 8;
  o.fit.keep_posterior = false;
  o.fit.inference = false;
  gbtm_select_result *r = NULL;
  ck_assert_msg(gbtm_select(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  int best = gbtm_select_result_best(r);
  ck_assert_int_ge(best, 0);
  const gbtm_select_entry *b = gbtm_select_result_entry(r, (size_t)best);
  for (size_t i = 0; i < gbtm_select_result_count(r); i++) {
    const gbtm_select_entry *e = gbtm_select_result_entry(r, i);
    printf("separated: K=%d log L %.3f BIC %.3f flags %u\n", e->groups,
           gbtm_fit_result_summary(e->fit)->loglik, gbtm_fit_result_summary(e->fit)->bic, e->flags);
  }
  ck_assert_int_eq(b->groups, 4);
  ck_assert_uint_eq(b->flags, 0); /* well separated: every rule holds */
  /* The shares come back. */
  double est[GBTM_MAX_GROUPS];
  gbtm_model_shares(gbtm_fit_result_model(b->fit), est);
  for (int k = 0; k < 4; k++) ck_assert(est[k] > 0.15 && est[k] < 0.40);
  gbtm_select_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

/* ---- cross-validation in a sweep, and refinement ------------------------ */

START_TEST(select_with_cv) {
  gbtm_panel *p = preset_panel(300, 9, NULL);
  gbtm_select_options o = gbtm_select_options_default();
  o.groups_min = 2;
  o.groups_max = 4;
  o.fit.starts = 4;
  o.cv_folds = 3;
  gbtm_select_result *r = NULL;
  gbtm_error err = {GBTM_OK, ""};
  ck_assert_msg(gbtm_select(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  for (size_t i = 0; i < gbtm_select_result_count(r); i++) {
    const gbtm_select_entry *e = gbtm_select_result_entry(r, i);
    ck_assert_int_eq(e->cv.folds, 3);
    ck_assert_int_eq(e->cv.folds_failed, 0);
    ck_assert(isfinite(e->cv.loglik) && isfinite(e->cv.cve) && e->cv.cve > 0);
    ck_assert_uint_eq(e->cv.cells, p->n_obs);
    ck_assert(e->cv.loglik < gbtm_fit_result_summary(e->fit)->loglik);
  }
  /* Held-out log L improves from 2 to 3 groups on a 4-group cohort. */
  ck_assert(gbtm_select_result_entry(r, 1)->cv.loglik > gbtm_select_result_entry(r, 0)->cv.loglik);
  gbtm_select_result_free(r);

  o.cv_folds = 1;
  ck_assert_int_eq(gbtm_select(p, &o, &r, &err), GBTM_ERR_USAGE);
  ck_assert_ptr_null(r);
  o.cv_folds = 0;
  o.groups_min = 3;
  o.groups_max = 2;
  ck_assert_int_eq(gbtm_select(p, &o, &r, &err), GBTM_ERR_USAGE);
  gbtm_panel_free(p);
}
END_TEST

typedef struct steps {
  gbtm_refine_step s[64];
  int n;
} steps;

static void collect(const gbtm_refine_step *step, void *user) {
  steps *st = user;
  ck_assert_int_lt(st->n, 64);
  st->s[st->n++] = *step;
}

START_TEST(refine_finds_true_orders) {
  gbtm_panel *p = preset_panel(630, 1, NULL);
  gbtm_fit_options o = gbtm_fit_options_default();
  o.groups = 4;
  o.starts = 8;
  for (int k = 0; k < 4; k++) o.order[k] = 3;
  gbtm_fit_result *r = NULL;
  gbtm_error err = {GBTM_OK, ""};
  steps st = {.n = 0};
  ck_assert_msg(gbtm_refine(p, &o, collect, &st, &r, &err) == GBTM_OK, "%s", err.message);
  const gbtm_model *m = gbtm_fit_result_model(r);
  for (int k = 0; k < 4; k++) ck_assert_int_eq(m->order[k], 2); /* the preset's orders */
  /* Every accepted drop was the best of its step and not significant; the
   * last step's best was significant. */
  int accepted = 0, last = st.s[st.n - 1].step;
  double final_ll = NAN;
  for (int i = 0; i < st.n; i++) {
    const gbtm_refine_step *s = &st.s[i];
    ck_assert(close_to(s->lr, 2 * (s->loglik - s->loglik_reduced), 1e-12));
    int sum = 0, sum_red = 0;
    for (int k = 0; k < 4; k++) sum += s->order[k], sum_red += s->reduced[k];
    ck_assert_int_eq(sum_red, sum - 1);
    if (s->accepted) {
      accepted++;
      ck_assert(s->lr < 3.8415);
      final_ll = s->loglik_reduced;
      for (int j = 0; j < st.n; j++)
        if (st.s[j].step == s->step) ck_assert(st.s[j].loglik_reduced <= s->loglik_reduced);
    }
    if (s->step == last) ck_assert(!s->accepted && s->lr >= 3.8415);
  }
  ck_assert_int_eq(accepted, 4); /* 3,3,3,3 -> 2,2,2,2 */
  ck_assert(gbtm_fit_result_summary(r)->loglik == final_ll);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

int main(void) {
  Suite *s = suite_create("select");
  TCase *tc = tcase_create("select");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, subset_cells_and_loglik);
  tcase_add_test(tc, folds_partition_and_seed);
  tcase_add_test(tc, criteria_match_formulas);
  tcase_add_test(tc, cv_matches_hand_computation);
  tcase_add_test(tc, bic_picks_four_separated_groups);
  tcase_add_test(tc, select_with_cv);
  tcase_add_test(tc, refine_finds_true_orders);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
