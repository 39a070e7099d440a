/* profile.c: profiles of the groups (DESIGN §9): the classification-error
 * matrix (eq. D) and its inverse, each variable's type (DESIGN §9 Types),
 * the estimates of every method and the tests, and the accessors of the
 * result (gbtm_profile_*, gbtm.h). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/profile.h"
#include "base/error.h"

#define AUTO_CATEGORICAL_MAX 6 /* whole-number variables with 3..6 values are categorical */
#define PROFILE_COUNT_MAX 2147483647.0 /* the largest count, as in a panel's counts */

const char *gbtm_profile_type_name(gbtm_profile_type type) {
  switch (type) {
  case GBTM_PROFILE_BINARY: return "binary";
  case GBTM_PROFILE_CATEGORICAL: return "categorical";
  case GBTM_PROFILE_CONTINUOUS: return "continuous";
  case GBTM_PROFILE_COUNT: return "count";
  default: return "auto";
  }
}

const char *gbtm_profile_method_name(gbtm_profile_method method) {
  switch (method) {
  case GBTM_PROFILE_MODAL: return "modal";
  case GBTM_PROFILE_PROPORTIONAL: return "proportional";
  case GBTM_PROFILE_BCH: return "bch";
  default: return "ml3";
  }
}

/* eq. D and its inverse; p->bch false (with a note) when D is singular. */
static void error_matrix(gbtm_profile *p, const double *tau, const int *modal) {
  int K = p->K;
  double col[GBTM_MAX_GROUPS] = {0};
  memset(p->D, 0, sizeof p->D);
  for (size_t i = 0; i < p->N; i++)
    for (int k = 0; k < K; k++) {
      double t = tau[i * (size_t)K + (size_t)k];
      p->D[k * K + modal[i]] += t;
      col[k] += t;
    }
  for (int k = 0; k < K; k++) {
    p->share[k] = col[k] / (double)p->N;
    for (int s = 0; s < K; s++) p->D[k * K + s] = col[k] > 0 ? p->D[k * K + s] / col[k] : NAN;
  }
  gsl_matrix *LU = gsl_matrix_alloc((size_t)K, (size_t)K), *inv = gsl_matrix_alloc((size_t)K, (size_t)K);
  gsl_permutation *perm = gsl_permutation_alloc((size_t)K);
  p->bch = false;
  snprintf(p->bch_note, sizeof p->bch_note,
           "the classification-error matrix D is singular (a group is never the modal one, or two "
           "groups are not told apart): BCH estimates are not available");
  bool finite = true;
  for (int a = 0; a < K * K; a++) finite = finite && isfinite(p->D[a]);
  if (LU && inv && perm && finite) {
    memcpy(LU->data, p->D, (size_t)K * (size_t)K * sizeof(double));
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int sign;
    double lo = INFINITY, hi = 0;
    if (gsl_linalg_LU_decomp(LU, perm, &sign) == 0) {
      for (int k = 0; k < K; k++) {
        double d = fabs(gsl_matrix_get(LU, (size_t)k, (size_t)k));
        lo = fmin(lo, d), hi = fmax(hi, d);
      }
      if (hi > 0 && lo > 1e-10 * hi && gsl_linalg_LU_invert(LU, perm, inv) == 0) {
        memcpy(p->Dinv, inv->data, (size_t)K * (size_t)K * sizeof(double));
        p->bch = true;
        p->bch_note[0] = '\0';
      }
    }
    gsl_set_error_handler(old);
  }
  gsl_matrix_free(LU), gsl_matrix_free(inv);
  gsl_permutation_free(perm);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* A number's name: its value label when it has one, else %.15g. */
static char *value_name(const gbtm_profile_var *in, double x) {
  for (int l = 0; l < in->n_labels; l++)
    if (in->label_value[l] == x && in->label_text[l]) return dup_str(in->label_text[l]);
  char buf[64];
  snprintf(buf, sizeof buf, "%.15g", x);
  return dup_str(buf);
}

/* The distinct values of the persons used (sorted, at most cap; *more
 * when there are more), whether all are whole and non-negative. */
static int distinct_values(const double *x, const bool *used, size_t N, double *val, int cap, bool *more) {
  int n = 0;
  *more = false;
  for (size_t i = 0; i < N; i++) {
    if (!used[i]) continue;
    int j;
    for (j = 0; j < n && val[j] != x[i]; j++) {}
    if (j < n) continue;
    if (n == cap) {
      *more = true;
      break;
    }
    val[n++] = x[i];
  }
  qsort(val, (size_t)n, sizeof *val, cmp_double);
  return n;
}

static void add_note(profile_var *v, const char *text) {
  size_t u = strlen(v->note);
  snprintf(v->note + u, sizeof v->note - u, "%s%s", u ? "; " : "", text);
}

/* One variable: its type, z (N x Q), and every method's estimates. */
static gbtm_status run_var(gbtm_profile *p, const double *tau, const int *modal, const bool *present,
                           const gbtm_profile_var *in, profile_var *v, gbtm_error *err) {
  size_t N = p->N;
  int K = p->K;
  v->name = dup_str(in->name ? in->name : "");
  v->scale = 1;
  v->info.distal = in->distal;
  bool *used = malloc(N * sizeof *used);
  double val[PROFILE_MAX_CATEGORIES + 1];
  if (!v->name || !used) {
    free(used);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory profiling \"%s\"", in->name);
  }
  for (size_t i = 0; i < N; i++) {
    bool here = !present || present[i];
    used[i] = here && isfinite(in->x[i]);
    v->info.n_used += used[i];
    v->info.n_missing += here && !used[i];
  }
  bool more = false, whole = true, nonneg = true, small = true;
  int nd;
  if (in->n_levels > 0) {
    if (in->n_levels > PROFILE_MAX_CATEGORIES) {
      free(used);
      return gbtm_fail(err, GBTM_ERR_DATA, "variable \"%s\" has %d categories, more than %d", v->name,
                       in->n_levels, PROFILE_MAX_CATEGORIES);
    }
    nd = in->n_levels;
    for (int l = 0; l < nd; l++) val[l] = l;
  } else {
    nd = distinct_values(in->x, used, N, val, PROFILE_MAX_CATEGORIES, &more);
    for (size_t i = 0; i < N; i++)
      if (used[i]) whole = whole && in->x[i] == floor(in->x[i]), nonneg = nonneg && in->x[i] >= 0,
                   small = small && fabs(in->x[i]) <= PROFILE_COUNT_MAX;
  }
  gbtm_profile_type t = in->type;
  if (in->n_levels > 0 && (t == GBTM_PROFILE_CONTINUOUS || t == GBTM_PROFILE_COUNT)) {
    free(used);
    return gbtm_fail(err, GBTM_ERR_DATA, "variable \"%s\" has text values and cannot be %s", v->name,
                     gbtm_profile_type_name(t));
  }
  if (t == GBTM_PROFILE_AUTO) {
    bool zero_one = !more && nd <= 2 && in->n_levels == 0 && (val[0] == 0 || val[0] == 1) &&
                    (nd < 2 || val[1] == 1);
    if (in->n_levels > 0 || in->n_labels > 0) t = nd <= 2 ? GBTM_PROFILE_BINARY : GBTM_PROFILE_CATEGORICAL;
    else if (in->distal) t = zero_one || (!more && nd <= 2 && !whole) ? GBTM_PROFILE_BINARY
                             : whole && nonneg && small               ? GBTM_PROFILE_COUNT
                                                                      : GBTM_PROFILE_CONTINUOUS;
    else if (!more && nd <= 2) t = GBTM_PROFILE_BINARY;
    else if (!more && nd <= AUTO_CATEGORICAL_MAX && whole) t = GBTM_PROFILE_CATEGORICAL;
    else t = GBTM_PROFILE_CONTINUOUS;
  }
  if (t == GBTM_PROFILE_BINARY && nd > 2) {
    free(used);
    return gbtm_fail(err, GBTM_ERR_DATA, "binary variable \"%s\" has more than two values", v->name);
  }
  if (t == GBTM_PROFILE_CATEGORICAL && more) {
    free(used);
    return gbtm_fail(err, GBTM_ERR_DATA, "categorical variable \"%s\" has more than %d values", v->name,
                     PROFILE_MAX_CATEGORIES);
  }
  if (t == GBTM_PROFILE_COUNT && !(whole && nonneg && small)) {
    free(used);
    return gbtm_fail(err, GBTM_ERR_DATA,
                     "count variable \"%s\" has a value that is not a whole number from 0 to 2147483647",
                     v->name);
  }
  v->info.type = t;
  /* the quantities and z */
  double level = 1; /* binary: the value whose share is reported */
  if (t == GBTM_PROFILE_BINARY) {
    /* no value at all (nd 0): the share of 1, as for a 0/1 variable */
    bool zero_one = nd == 0 || ((val[0] == 0 || val[0] == 1) && (nd < 2 || val[1] == 1));
    level = in->n_levels > 0 ? (double)(in->n_levels - 1) : zero_one ? 1 : val[nd - 1];
  }
  v->Q = t == GBTM_PROFILE_CATEGORICAL ? (nd > 0 ? nd : 1) : 1;
  int Q = v->Q, KQ = K * Q;
  v->category = calloc((size_t)Q, sizeof *v->category);
  double *z = malloc(N * (size_t)Q * sizeof *z);
  bool ok = v->category && z;
  for (int m = 0; ok && m < PROFILE_METHODS; m++) {
    v->est[m] = malloc((size_t)KQ * sizeof(double));
    v->se[m] = malloc((size_t)KQ * sizeof(double));
    ok = v->est[m] && v->se[m];
    for (int a = 0; ok && a < KQ; a++) v->est[m][a] = v->se[m][a] = NAN;
  }
  for (int q = 0; ok && q < Q; q++) {
    if (t == GBTM_PROFILE_CONTINUOUS || t == GBTM_PROFILE_COUNT) v->category[q] = dup_str("");
    else {
      double x = t == GBTM_PROFILE_BINARY ? level : val[q];
      v->category[q] = in->n_levels > 0 ? dup_str(in->levels[(int)x]) : value_name(in, x);
    }
    ok = v->category[q] != NULL;
  }
  if (!ok) {
    free(used), free(z);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory profiling \"%s\"", v->name);
  }
  /* A continuous variable far from 1 in magnitude (1e308, 1e-200) is
   * profiled as x / c, c a power of 2 near its largest |x|, so that the
   * sums of squares of eq. PV and eq. ML3 neither overflow nor underflow;
   * the estimates, SEs and covariances are kept for x / c (the tests do
   * not depend on c), gbtm_profile_estimate multiplies back by c (exact). */
  double c = 1;
  if (t == GBTM_PROFILE_CONTINUOUS) {
    double mx = 0;
    for (size_t i = 0; i < N; i++)
      if (used[i]) mx = fmax(mx, fabs(in->x[i]));
    if (mx > 0x1p256 || (mx > 0 && mx < 0x1p-256)) c = ldexp(1.0, ilogb(mx));
  }
  for (size_t i = 0; i < N; i++) {
    double *zi = z + i * (size_t)Q, x = in->x[i];
    if (!used[i]) continue;
    if (t == GBTM_PROFILE_BINARY) zi[0] = x == level;
    else if (t == GBTM_PROFILE_CATEGORICAL)
      for (int q = 0; q < Q; q++) zi[q] = x == val[q];
    else zi[0] = x / c;
  }
  v->testable = nd > 1; /* one value: equal in every group, no test (not one of rounding noise) */
  if (v->info.n_used == 0) add_note(v, "no person has a value");
  else if (nd == 1) add_note(v, "one value only: no test");
  bool usual = t == GBTM_PROFILE_CONTINUOUS || t == GBTM_PROFILE_COUNT;
  ok = profile_weighted(p, tau, modal, used, z, GBTM_PROFILE_MODAL, usual, v) &&
       profile_weighted(p, tau, modal, used, z, GBTM_PROFILE_PROPORTIONAL, usual, v);
  if (ok && p->bch) ok = profile_weighted(p, tau, modal, used, z, GBTM_PROFILE_BCH, usual, v);
  else if (ok) add_note(v, "BCH: the classification-error matrix is singular");
  int Qt = t == GBTM_PROFILE_CATEGORICAL ? Q - 1 : 1;
  v->info.wald_chi2 = v->info.wald_p = v->info.ml3_wald_chi2 = v->info.ml3_wald_p = NAN;
  v->info.wald_df = v->info.ml3_wald_df = (K - 1) * Qt;
  if (ok && p->bch && nd > 1 && K > 1)
    profile_wald(K, Q, Qt, v->est[GBTM_PROFILE_BCH], v->cov[GBTM_PROFILE_BCH], &v->info.wald_chi2,
                 &v->info.wald_df, &v->info.wald_p);
  if (ok && in->distal && t == GBTM_PROFILE_CATEGORICAL) add_note(v, "ML3: not for a categorical outcome");
  else if (ok && in->distal && !p->bch) /* eq. ML3 is not identified when D is singular */
    add_note(v, "ML3: the classification-error matrix is singular");
  else if (ok && in->distal && v->info.n_used > 0) {
    ok = profile_ml3(p, modal, used, z, t, v);
    if (ok && nd > 1 && K > 1)
      profile_wald(K, 1, 1, v->est[GBTM_PROFILE_ML3], v->cov[GBTM_PROFILE_ML3], &v->info.ml3_wald_chi2,
                   &v->info.ml3_wald_df, &v->info.ml3_wald_p);
  }
  v->scale = c;
  free(used), free(z);
  if (!ok) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory profiling \"%s\"", v->name);
  return GBTM_OK;
}

gbtm_status gbtm_profile_run(const double *tau, size_t N, int K, const bool *present,
                             const gbtm_profile_var *vars, int n_vars, gbtm_profile **out, gbtm_error *err) {
  *out = NULL;
  if (!tau || N == 0 || K < 1 || K > GBTM_MAX_GROUPS || n_vars < 0 || (n_vars > 0 && !vars))
    return gbtm_fail(err, GBTM_ERR_USAGE, "a profile needs posteriors of 1 to %d groups for at least one person",
                     GBTM_MAX_GROUPS);
  for (size_t a = 0; a < N * (size_t)K; a++)
    if (!(tau[a] >= 0 && tau[a] <= 1))
      return gbtm_fail(err, GBTM_ERR_DATA, "posterior of person %zu, group %zu is %g, not a probability",
                       a / (size_t)K + 1, a % (size_t)K + 1, tau[a]);
  gbtm_profile *p = calloc(1, sizeof *p);
  int *modal = malloc(N * sizeof *modal);
  if (!p || !modal) {
    free(p), free(modal);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the profile of %zu persons", N);
  }
  p->K = K, p->N = N;
  for (size_t i = 0; i < N; i++) {
    const double *t = tau + i * (size_t)K;
    int best = 0; /* the modal group, the first on ties (posterior_modal) */
    for (int k = 1; k < K; k++)
      if (t[k] > t[best]) best = k;
    modal[i] = best;
    p->modal_count[best]++;
    p->n_present += !present || present[i];
  }
  error_matrix(p, tau, modal);
  gbtm_status st = GBTM_OK;
  p->vars = calloc((size_t)(n_vars > 0 ? n_vars : 1), sizeof *p->vars);
  if (!p->vars) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the profile");
  for (int v = 0; st == GBTM_OK && v < n_vars; v++) {
    p->n_vars = v + 1;
    st = run_var(p, tau, modal, present, &vars[v], &p->vars[v], err);
  }
  free(modal);
  if (st != GBTM_OK) {
    gbtm_profile_free(p);
    return st;
  }
  for (int v = 0; v < p->n_vars; v++) {
    p->vars[v].info.name = p->vars[v].name;
    p->vars[v].info.note = p->vars[v].note;
    p->vars[v].info.n_quantities = p->vars[v].Q;
  }
  *out = p;
  return GBTM_OK;
}

void gbtm_profile_free(gbtm_profile *p) {
  if (!p) return;
  for (int v = 0; v < p->n_vars; v++) {
    profile_var *x = &p->vars[v];
    for (int q = 0; x->category && q < x->Q; q++) free(x->category[q]);
    free(x->category);
    free(x->name);
    for (int m = 0; m < PROFILE_METHODS; m++) free(x->est[m]), free(x->se[m]), free(x->cov[m]);
  }
  free(p->vars);
  free(p);
}

int gbtm_profile_groups(const gbtm_profile *p) { return p->K; }
const double *gbtm_profile_error_matrix(const gbtm_profile *p) { return p->D; }
bool gbtm_profile_bch_available(const gbtm_profile *p) { return p->bch; }
const char *gbtm_profile_bch_note(const gbtm_profile *p) { return p->bch_note; }
size_t gbtm_profile_modal_count(const gbtm_profile *p, int k) {
  return k >= 0 && k < p->K ? p->modal_count[k] : 0;
}
int gbtm_profile_n_vars(const gbtm_profile *p) { return p->n_vars; }

const gbtm_profile_var_info *gbtm_profile_var_info_of(const gbtm_profile *p, int v) {
  return v >= 0 && v < p->n_vars ? &p->vars[v].info : NULL;
}

const char *gbtm_profile_quantity(const gbtm_profile *p, int v, int q) {
  if (v < 0 || v >= p->n_vars || q < 0 || q >= p->vars[v].Q) return "";
  return p->vars[v].category[q];
}

void gbtm_profile_estimate(const gbtm_profile *p, int v, int q, int k, gbtm_profile_method m,
                           double *estimate, double *se) {
  *estimate = *se = NAN;
  if (v < 0 || v >= p->n_vars || k < 0 || k >= p->K || (int)m < 0 || (int)m >= PROFILE_METHODS) return;
  const profile_var *x = &p->vars[v];
  if (q < 0 || q >= x->Q || (m == GBTM_PROFILE_ML3 && !x->info.distal)) return;
  *estimate = x->est[m][k * x->Q + q] * x->scale;
  *se = x->se[m][k * x->Q + q] * x->scale;
}

void gbtm_profile_pair(const gbtm_profile *p, int v, int k, int l, bool ml3, double *chi2, int *df,
                       double *pval) {
  *chi2 = *pval = NAN, *df = 0;
  if (v < 0 || v >= p->n_vars || k < 0 || l < 0 || k >= p->K || l >= p->K) return;
  const profile_var *x = &p->vars[v];
  int Q = ml3 ? 1 : x->Q, Qt = x->info.type == GBTM_PROFILE_CATEGORICAL ? x->Q - 1 : 1;
  gbtm_profile_method m = ml3 ? GBTM_PROFILE_ML3 : GBTM_PROFILE_BCH;
  *df = Qt;
  if (!x->cov[m] || !x->testable || Qt < 1 || k == l || (ml3 && !x->info.distal)) return;
  profile_pair_test(p->K, Q, Qt, k, l, x->est[m], x->cov[m], chi2, df, pval);
}
