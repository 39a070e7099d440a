/* report.c: the text and JSON reports of a fitted model (report.h).
 *
 * The text report is read by people choosing a model: it names every
 * criterion by its formula, because the same word "BIC" means
 * -2 log L + p ln N in R and log L - p/2 ln N (higher is better) in PROC TRAJ
 * and Stata traj, and N may be persons or observed cells. Numbers are
 * rounded for reading there; the JSON report carries them with %.17g.
 * Undefined figures (NaN, such as the OCC of a group with AvePP = 1) print as
 * "-" in text and null in JSON, never as a number; so does any other figure
 * that is not finite (the model reader refuses such values in a file, and
 * this is the last line of defence: no report prints NaN or inf). */
#include "report.h"
#include "report_covariates.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "json.h"
#include "text_escape.h"

#define LABEL_WIDTH 34
#define LEVEL 0.95

/* Standard error of psi[j] from the report's covariance, NaN when none
 * (no covariance, or psi[j] on the boundary). */
static double param_se(const gbtm_fit_result *res, size_t j) {
  const double *V = gbtm_fit_result_covariance(res, gbtm_fit_result_summary(res)->se);
  size_t P = (size_t)gbtm_fit_result_summary(res)->n_params;
  return V && !gbtm_fit_result_on_boundary(res, (int)j) ? sqrt(V[j * P + j]) : NAN;
}

/* Whether any parameter is on the boundary. */
static bool any_boundary(const gbtm_fit_result *res) {
  for (int j = 0; j < gbtm_fit_result_summary(res)->n_params; j++)
    if (gbtm_fit_result_on_boundary(res, j)) return true;
  return false;
}

/* The standard errors of group k's beta (or alpha) into se[]. */
static void group_se(const gbtm_fit_result *res, int k, bool alpha, double *se, size_t n) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  gbtm_param_kind kind = alpha ? GBTM_PARAM_ALPHA : GBTM_PARAM_BETA;
  for (size_t j = 0; j < n; j++) {
    int i = gbtm_model_param_index(m, kind, k, (int)j);
    se[j] = i < 0 ? NAN : param_se(res, (size_t)i);
  }
}

/* The ages at which trajectories are tabulated: the fitted range in
 * T - 1 equal steps (the data's grid when its ages are evenly spaced). */
static size_t trajectory_ages(const gbtm_fit_result *res, double *age, size_t max) {
  const gbtm_data_summary *d = gbtm_fit_result_data(res);
  const gbtm_model *m = gbtm_fit_result_model(res);
  size_t T = d->ages < max ? d->ages : max;
  if (T < 2) {
    age[0] = gbtm_model_age_min(m);
    return 1;
  }
  for (size_t t = 0; t < T; t++) age[t] = gbtm_model_age_min(m) + (gbtm_model_age_max(m) - gbtm_model_age_min(m)) * (double)t / (double)(T - 1);
  return T;
}

/* ---- formatting helpers ------------------------------------------------ */

const char *report_fixed(char *buf, size_t size, double x, int decimals) {
  if (isfinite(x))
    snprintf(buf, size, "%.*f", decimals, x);
  else
    snprintf(buf, size, "-");
  return buf;
}

const char *report_general(char *buf, size_t size, double x, int digits) {
  if (isfinite(x))
    snprintf(buf, size, "%.*g", digits, x);
  else
    snprintf(buf, size, "-");
  return buf;
}

/* A coefficient: six decimals, or exponent form when that would hide digits. */
static const char *coef_text(char *buf, size_t size, double x) {
  double a = fabs(x);
  if (!isfinite(x))
    snprintf(buf, size, "-");
  else if (x == 0.0 || (a >= 1e-3 && a < 1e6))
    snprintf(buf, size, "%.6f", x);
  else
    snprintf(buf, size, "%.6e", x);
  return buf;
}

/* The list "2, 2, 3" of K orders, with -1 written as "none". */
static void order_list(const int *order, int K, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int k = 0; k < K && used < size; k++) {
    int n = order[k] >= 0 ? snprintf(buf + used, size - used, "%s%d", k ? ", " : "", order[k])
                          : snprintf(buf + used, size - used, "%snone", k ? ", " : "");
    if (n < 0) break;
    used += (size_t)n;
  }
}

/* "s = (age - 28.5) / 16.5", with "+" for a negative centre. */
static void basis_text(const gbtm_model *m, char *buf, size_t size) {
  if (gbtm_model_centre(m) < 0)
    snprintf(buf, size, "s = (age + %g) / %g", -gbtm_model_centre(m), gbtm_model_scale(m));
  else
    snprintf(buf, size, "s = (age - %g) / %g", gbtm_model_centre(m), gbtm_model_scale(m));
}

/* "2", or "2 early peak" when the group has a label (--labels). */
static void group_name(const gbtm_model *m, int k, char *buf, size_t size) {
  const char *l = gbtm_model_label(m, k);
  if (*l) snprintf(buf, size, "%d %s", k + 1, l);
  else snprintf(buf, size, "%d", k + 1);
}

static void label(FILE *out, const char *text) { fprintf(out, "  %-*s", LABEL_WIDTH, text); }

static bool model_inflated(const gbtm_model *m, int k) {
  return gbtm_family_zero_inflated(gbtm_model_family(m)) && gbtm_model_iorder(m, k) >= 0;
}

/* ---- text report ------------------------------------------------------- */

static void text_data(FILE *out, const char *data_name, const gbtm_fit_result *res) {
  const gbtm_data_summary *d = gbtm_fit_result_data(res);
  char buf[64];
  fprintf(out, "Data%s", data_name ? ": " : "");
  text_escape_put(out, data_name, false);
  fputc('\n', out);
  label(out, "persons");
  fprintf(out, "%zu\n", d->persons);
  label(out, "observations (person-ages)");
  fprintf(out, "%zu\n", d->observations);
  label(out, "distinct ages");
  fprintf(out, "%zu, from %s", d->ages, report_general(buf, sizeof buf, d->age_min, 6));
  fprintf(out, " to %s\n", report_general(buf, sizeof buf, d->age_max, 6));
  if (gbtm_family_real_response(gbtm_model_family(gbtm_fit_result_model(res)))) { /* a scale, not counts */
    label(out, "responses of 0");
    fprintf(out, "%s%%\n", report_fixed(buf, sizeof buf, 100.0 * d->zero_share, 1));
    label(out, "mean response");
    fprintf(out, "%s\n", report_general(buf, sizeof buf, d->total_count / (double)d->observations, 6));
  } else {
    label(out, "zero counts");
    fprintf(out, "%s%%\n", report_fixed(buf, sizeof buf, 100.0 * d->zero_share, 1));
    label(out, "total count");
    fprintf(out, "%s\n", report_fixed(buf, sizeof buf, d->total_count, 0));
  }
  label(out, "exposure");
  fprintf(out, "%s\n", d->exposure ? "yes" : "no (all 1)");
  if (d->missing_responses > 0) {
    label(out, "missing responses (dropped)");
    fprintf(out, "%zu\n", d->missing_responses);
  }
  if (d->weight_column[0]) { /* eq. W */
    label(out, "weight");
    text_escape_put(out, d->weight_column, false);
    fprintf(out, " (sum %s", report_general(buf, sizeof buf, d->weight_sum, 6));
    fprintf(out, ", from %s", report_general(buf, sizeof buf, d->weight_min, 6));
    fprintf(out, " to %s; rescaled to mean 1)\n", report_general(buf, sizeof buf, d->weight_max, 6));
  }
}

/* The family as the text report names it: its name where its title says no
 * more ("poisson"), else its title in lower case first and its name
 * ("zero-inflated Poisson (zip)"). */
static const char *family_phrase(gbtm_family_id family, char *buf, size_t size) {
  const char *name = gbtm_family_name(family), *title = gbtm_family_title(family);
  size_t i = 0;
  while (name[i] && tolower((unsigned char)name[i]) == tolower((unsigned char)title[i])) i++;
  if (!name[i] && !title[i]) snprintf(buf, size, "%s", name);
  else snprintf(buf, size, "%c%s (%s)", tolower((unsigned char)title[0]), title + 1, name);
  return buf;
}

static void text_model(FILE *out, const gbtm_model *m) {
  char buf[256];
  int K = gbtm_model_groups(m);
  fprintf(out, "\nModel: %s, %d group%s\n", family_phrase(gbtm_model_family(m), buf, sizeof buf), K,
          K == 1 ? "" : "s");
  char orders[48];
  snprintf(orders, sizeof orders, "orders (%s)", gbtm_family_predictor_name(gbtm_model_family(m)));
  label(out, orders);
  int order[GBTM_MAX_GROUPS] = {0};
  for (int k = 0; k < K; k++) order[k] = gbtm_model_order(m, k);
  order_list(order, K, buf, sizeof buf);
  fprintf(out, "%s\n", buf);
  if (gbtm_family_zero_inflated(gbtm_model_family(m))) {
    label(out, "orders (zero inflation)");
    for (int k = 0; k < K; k++) order[k] = gbtm_model_iorder(m, k);
    order_list(order, K, buf, sizeof buf);
    fprintf(out, "%s\n", buf);
  }
  label(out, "basis");
  basis_text(m, buf, sizeof buf);
  fprintf(out, "%s\n", buf);
  double lo, hi;
  if (gbtm_model_censoring(m, &lo, &hi)) {
    label(out, "censored at");
    fprintf(out, "%.10g and %.10g\n", lo, hi);
  }
  if (gbtm_model_phi_common(m)) {
    label(out, gbtm_family_phi_name(gbtm_model_family(m)));
    fprintf(out, "one for all groups\n");
  }
}

static void text_groups(FILE *out, const gbtm_model *m, const gbtm_fit_result *res, const report_view *view) {
  char a[32], b[32], c[32], d[32];
  fprintf(out, "\n%-*s%10s %10s %10s %10s\n", LABEL_WIDTH + 2, "Groups", "share", "assigned",
          "AvePP", "OCC");
  for (int k = 0; k < gbtm_model_groups(m); k++) {
    report_group_row row;
    report_group_row_get(res, k, &row);
    label(out, row.name);
    fprintf(out, "%10s %10s %10s %10s\n", row.share, row.assigned, row.avepp, row.occ);
  }
  fprintf(out, "  (AvePP: mean posterior of the persons assigned to the group, rule of thumb"
               " >= 0.7;\n   OCC: odds of correct classification, rule of thumb >= 5)\n");

  /* With risk factors a share depends on the factors: no interval here;
   * the membership table gives odds ratios instead. */
  bool have_se = gbtm_fit_result_covariance(res, gbtm_fit_result_summary(res)->se) != NULL && gbtm_model_n_risk(m) == 0;
  if (have_se) {
    fprintf(out, "\n%-*s%10s %10s   %s\n", LABEL_WIDTH + 2, "Group shares", "share", "se",
            "95% interval (delta method, logit scale)");
    for (int k = 0; k < gbtm_model_groups(m); k++) {
      double se, lo, hi;
      gbtm_fit_result_share_interval(res, k, gbtm_fit_result_summary(res)->se, LEVEL, &se, &lo, &hi);
      char name[64];
      group_name(m, k, name, sizeof name);
      label(out, name);
      fprintf(out, "%10s %10s   [%s, %s]\n", report_fixed(a, sizeof a, gbtm_fit_result_group(res, k)->share, 4),
              report_fixed(b, sizeof b, se, 4), report_fixed(c, sizeof c, lo, 4), report_fixed(d, sizeof d, hi, 4));
    }
  }
  for (int k = 0; k < gbtm_model_groups(m); k++) {
    char title[128];
    report_coef_title(res, k, view, title, sizeof title);
    fprintf(out, "\n%-*s%14s %12s %9s %9s\n", LABEL_WIDTH + 2, title, "estimate", "se", "z", "p");
    report_coef_row rows[REPORT_MAX_COEF_ROWS];
    int n = report_group_coefs(res, k, view, rows);
    for (int r = 0; r < n; r++) {
      label(out, rows[r].name);
      if (rows[r].family_parameter) /* positive, so no z test against 0 */
        fprintf(out, "%14s %12s\n", rows[r].estimate, rows[r].se);
      else
        fprintf(out, "%14s %12s %9s %9s\n", rows[r].estimate, rows[r].se, rows[r].z, rows[r].p);
    }
  }
}

/* ---- rows shared by the text report and the HTML report ------------------ */

void report_group_row_get(const gbtm_fit_result *res, int k, report_group_row *row) {
  const gbtm_group_summary *g = gbtm_fit_result_group(res, k);
  group_name(gbtm_fit_result_model(res), k, row->name, sizeof row->name);
  report_fixed(row->share, sizeof row->share, g->share, 4);
  report_fixed(row->assigned, sizeof row->assigned, g->assigned_share, 4);
  report_fixed(row->avepp, sizeof row->avepp, g->avepp, 4);
  report_fixed(row->occ, sizeof row->occ, g->occ, 2);
}

void report_coef_title(const gbtm_fit_result *res, int k, const report_view *view, char *buf, size_t size) {
  char gname[64];
  if (!view) view = &report_view_default;
  group_name(gbtm_fit_result_model(res), k, gname, sizeof gname);
  snprintf(buf, size, "Group %s coefficients%s", gname, view->basis_s ? "" : " (age scale)");
}

int report_group_coefs(const gbtm_fit_result *res, int k, const report_view *view,
                       report_coef_row rows[REPORT_MAX_COEF_ROWS]) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  if (!view) view = &report_view_default;
  int n_rows = 0;
  for (int part = 0; part < 2; part++) {
    bool alpha = part == 1;
    if (alpha && !model_inflated(m, k)) break;
    size_t n = (size_t)(alpha ? gbtm_model_iorder(m, k) : gbtm_model_order(m, k)) + 1;
    double se[GBTM_MAX_COEF], age[GBTM_MAX_COEF];
    if (view->basis_s)
      group_se(res, k, alpha, se, n);
    else /* eq. AB: the same polynomial in powers of (age - C) */
      gbtm_fit_result_age_coefficients(res, alpha ? GBTM_PARAM_ALPHA : GBTM_PARAM_BETA, k, view->centre,
                                       gbtm_fit_result_summary(res)->se, age, se);
    for (size_t j = 0; j < n; j++) {
      report_coef_row *row = &rows[n_rows++];
      char pw[40];
      if (view->basis_s) gbtm_basis_coef_name((int)j, pw, sizeof pw);
      else gbtm_age_coef_name((int)j, view->centre, pw, sizeof pw);
      snprintf(row->name, sizeof row->name, "%s %s",
               alpha ? "logit zero" : gbtm_family_predictor_name(gbtm_model_family(m)), pw);
      double est = !view->basis_s ? age[j] : alpha ? gbtm_model_alpha(m, k, j) : gbtm_model_beta(m, k, j);
      double z = est / se[j];
      double pval = erfc(fabs(z) / sqrt(2.0)); /* two-sided, normal */
      if (pval < 1e-4)
        snprintf(row->p, sizeof row->p, "<1e-4");
      else
        report_fixed(row->p, sizeof row->p, pval, 4);
      int i = gbtm_model_param_index(m, alpha ? GBTM_PARAM_ALPHA : GBTM_PARAM_BETA, k, (int)j);
      coef_text(row->estimate, sizeof row->estimate, est);
      if (gbtm_fit_result_on_boundary(res, i)) snprintf(row->se, sizeof row->se, "boundary");
      else coef_text(row->se, sizeof row->se, se[j]);
      report_fixed(row->z, sizeof row->z, z, 2);
      row->family_parameter = false;
    }
  }
  const char *phi_name = gbtm_family_phi_name(gbtm_model_family(m));
  if (phi_name) { /* the family's own parameter */
    report_coef_row *row = &rows[n_rows++];
    int i = gbtm_model_param_index(m, GBTM_PARAM_PHI, k, 0);
    snprintf(row->name, sizeof row->name, "%s", phi_name);
    coef_text(row->estimate, sizeof row->estimate, gbtm_model_phi(m, k));
    coef_text(row->se, sizeof row->se, i < 0 ? NAN : param_se(res, (size_t)i));
    row->z[0] = row->p[0] = '\0';
    row->family_parameter = true;
  }
  return n_rows;
}

/* Each group's expected count by age with its 95% interval. */
static void text_trajectories(FILE *out, const gbtm_fit_result *res) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  gbtm_se_kind kind = gbtm_fit_result_summary(res)->se;
  double age[512];
  size_t T = trajectory_ages(res, age, 512);
  bool have_se = gbtm_fit_result_covariance(res, kind) != NULL;
  const char *what = gbtm_family_expected_name(gbtm_model_family(m));
  fprintf(out, "\n%c%s by age%s\n  %8s", toupper((unsigned char)what[0]), what + 1,
          !have_se ? "" : gbtm_family_band_log_scale(gbtm_model_family(m)) ? " (95% interval, delta method on the log scale)"
                                                                        : " (95% interval, delta method)",
          "age");
  for (int k = 0; k < gbtm_model_groups(m); k++) {
    char h[32];
    snprintf(h, sizeof h, "group %d", k + 1);
    fprintf(out, have_se ? "  %-26s" : "  %10s", h);
  }
  fputc('\n', out);
  for (size_t t = 0; t < T; t++) {
    char a[32];
    fprintf(out, "  %8s", report_general(a, sizeof a, age[t], 4));
    for (int k = 0; k < gbtm_model_groups(m); k++) {
      double mean, lo, hi;
      gbtm_fit_result_trajectory_interval(res, k, age[t], kind, LEVEL, &mean, &lo, &hi);
      char a[32], b[32], c[32];
      if (have_se)
        fprintf(out, "  %8s [%7s, %7s]", report_fixed(a, sizeof a, mean, 4), report_fixed(b, sizeof b, lo, 4),
                report_fixed(c, sizeof c, hi, 4));
      else
        fprintf(out, "  %10s", report_fixed(a, sizeof a, mean, 4));
    }
    fputc('\n', out);
  }
}

int report_fit_rows(const gbtm_fit_result *res, report_fit_row rows[REPORT_MAX_FIT_ROWS]) {
  const gbtm_fit_summary *s = gbtm_fit_result_summary(res);
  int n = 0;
#define ROW(h, l) (rows[n].heading = (h), rows[n].label = (l), rows[n++].value)
#define ROW_SIZE sizeof rows[0].value
  report_fixed(ROW(NULL, "log L"), ROW_SIZE, s->loglik, 4);
  snprintf(ROW(NULL, "parameters p"), ROW_SIZE, "%d", s->n_params);
  snprintf(ROW(NULL, "N persons"), ROW_SIZE, "%zu", s->n_persons);
  snprintf(ROW(NULL, "N obs (person-ages)"), ROW_SIZE, "%zu", s->n_obs);
  report_fixed(ROW("smaller is better", "BIC = -2 log L + p ln N persons"), ROW_SIZE, s->bic, 4);
  report_fixed(ROW(NULL, "BIC = -2 log L + p ln N obs"), ROW_SIZE, s->bic_obs, 4);
  report_fixed(ROW(NULL, "AIC = -2 log L + 2 p"), ROW_SIZE, s->aic, 4);
  report_fixed(ROW("PROC TRAJ / Stata traj form, higher is better", "BIC = log L - p/2 ln N persons"), ROW_SIZE,
               s->bic_traj, 4);
  report_fixed(ROW(NULL, "BIC = log L - p/2 ln N obs"), ROW_SIZE, s->bic_traj_obs, 4);
  report_fixed(ROW("", "entropy"), ROW_SIZE, s->entropy, 4); /* "": the end of the criteria */
  snprintf(ROW(NULL, "iterations"), ROW_SIZE, "%d", s->iterations);
  report_general(ROW(NULL, "gradient norm (max)"), ROW_SIZE, s->gradient_norm, 3);
  char *v = ROW(NULL, "Newton decrement g'I^-1g");
  if (isnan(s->newton_decrement)) snprintf(v, ROW_SIZE, "- (the information matrix is not positive definite)");
  else report_general(v, ROW_SIZE, s->newton_decrement, 3);
  snprintf(ROW(NULL, "converged"), ROW_SIZE, "%s", s->converged ? "yes" : "NO");
  bool weighted = gbtm_fit_result_data(res)->weight_column[0], have = gbtm_fit_result_covariance(res, s->se);
  snprintf(ROW(NULL, "standard errors"), ROW_SIZE, "%s%s",
           have ? (s->se == GBTM_SE_ROBUST ? "robust (sandwich)" : "model-based (inverse information)")
                : "not available",
           have && weighted ? (s->se == GBTM_SE_ROBUST ? ", as the fit is weighted"
                                                      : "; the fit is weighted: robust (--se robust) is the right variance")
                            : "");
#undef ROW
#undef ROW_SIZE
  return n;
}

const char *report_starts_text(const gbtm_fit_result *res, char *buf, size_t size) {
  const gbtm_fit_summary *s = gbtm_fit_result_summary(res);
  snprintf(buf, size, "best log-likelihood replicated %d of %d long runs (%d started, %d long runs converged)",
           s->best_replicated, s->starts_long, s->starts, s->starts_converged);
  return buf;
}

static void text_fit(FILE *out, const gbtm_fit_result *res) {
  const gbtm_fit_summary *s = gbtm_fit_result_summary(res);
  char buf[256];
  fprintf(out, "\nFit\n");
  report_fit_row rows[REPORT_MAX_FIT_ROWS];
  int n = report_fit_rows(res, rows);
  for (int r = 0; r < n; r++) {
    if (rows[r].heading && *rows[r].heading) fprintf(out, "  %s:\n", rows[r].heading);
    label(out, rows[r].label);
    fprintf(out, "%s\n", rows[r].value);
  }
  if (any_boundary(res)) {
    fprintf(out, "  %*son the boundary, without standard errors:", LABEL_WIDTH, "");
    for (int j = 0; j < gbtm_fit_result_summary(res)->n_params; j++)
      if (gbtm_fit_result_on_boundary(res, j)) fprintf(out, " %s", gbtm_fit_result_param_name(res, j));
    fprintf(out, "\n  %*s(a zero inflation held at 0; the other standard errors are given it)\n", LABEL_WIDTH, "");
  }
  if (*gbtm_fit_result_inference_note(res)) {
    fprintf(out, "  %*s", LABEL_WIDTH, "");
    text_escape_put(out, gbtm_fit_result_inference_note(res), false);
    fputc('\n', out);
  }
  label(out, "starts");
  fprintf(out, "%s\n", report_starts_text(res, buf, sizeof buf));
  if (s->starts_auto) {
    fprintf(out, "  %*sautomatic: drawn in rounds until %d long runs reach the best; ", LABEL_WIDTH, "", s->replications);
    fprintf(out, "%s\n", s->replicated     ? "reached"
                         : s->time_limited ? "NOT reached: the time limit ended the rounds"
                                           : "NOT reached within the budget of starts");
  }
  for (int j = 0; s->starts_auto && j < s->n_other_maxima; j++)
    fprintf(out, "  %*s%s log-likelihood %.2f, reached by %d long run%s\n", LABEL_WIDTH, "", j ? "      " : "next best:",
            s->other_loglik[j], s->other_count[j], s->other_count[j] == 1 ? "" : "s");
  if (s->pilot_persons)
    fprintf(out, "  %*son a pilot of %zu persons; its estimate then run to convergence on all %zu\n", LABEL_WIDTH, "",
            s->pilot_persons, s->n_persons);
  label(out, "failed starts");
  fprintf(out, "%d\n", s->starts_failed);
  const char *why = gbtm_fit_result_failures(res);
  for (int shown = 0; *why && shown < 10; shown++) {
    size_t len = strcspn(why, "\n");
    char line[512], shown[2048];
    snprintf(line, sizeof line, "%.*s", (int)len, why);
    fprintf(out, "  %*s%s\n", LABEL_WIDTH, "", text_escaped(shown, sizeof shown, line));
    why += len + (why[len] == '\n');
  }
  if (*why) fprintf(out, "  %*s...\n", LABEL_WIDTH, "");
  label(out, "kernel");
  fprintf(out, "%s, %d thread%s", gbtm_kernel_name(s->kernel), s->threads, s->threads == 1 ? "" : "s");
  if (s->processes > 1) fprintf(out, " in each of %d processes", s->processes);
  fputc('\n', out);
}

const report_view report_view_default = {0.0, false};

void report_text(FILE *out, const char *data_name, const gbtm_fit_result *res, const report_view *view) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  if (!view) view = &report_view_default;
  text_data(out, data_name, res);
  text_model(out, m);
  label(out, "coefficients reported on");
  if (view->basis_s) fprintf(out, "the basis s (--report-basis s)\n");
  else if (view->centre == 0.0) fprintf(out, "age (raw age; --report-centre C for age - C)\n");
  else fprintf(out, "age - %g (--report-centre)\n", view->centre);
  text_groups(out, m, res, view);
  report_text_covariates(out, res);
  text_trajectories(out, res);
  text_fit(out, res);
}

/* ---- JSON report ------------------------------------------------------- */

static void json_failures(json_writer *w, const char *why) {
  json_key(w, "failures");
  json_array_begin(w);
  while (*why) {
    size_t len = strcspn(why, "\n");
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), why);
    if (len > 0) json_string(w, line);
    why += len + (why[len] == '\n');
  }
  json_array_end(w);
}

/* --starts auto's tally (DESIGN §3, eq. ROUNDS); model files do not keep it. */
static void json_auto_starts(json_writer *w, const gbtm_fit_summary *s) {
  json_kv_string(w, "starts_mode", "auto");
  json_kv_int(w, "replications", s->replications);
  json_kv_bool(w, "best_not_replicated", !s->replicated);
  json_kv_bool(w, "time_limited", s->time_limited);
  json_key(w, "other_maxima");
  json_array_begin(w);
  for (int j = 0; j < s->n_other_maxima; j++) {
    json_object_begin(w);
    json_kv_double(w, "loglik", s->other_loglik[j]);
    json_kv_int(w, "long_runs", s->other_count[j]);
    json_object_end(w);
  }
  json_array_end(w);
}

static void json_data(json_writer *w, const char *data_name, const gbtm_fit_result *res) {
  const gbtm_data_summary *d = gbtm_fit_result_data(res);
  json_key(w, "data");
  json_object_begin(w);
  json_kv_string(w, "file", data_name);
  json_kv_uint(w, "persons", d->persons);
  json_kv_uint(w, "observations", d->observations);
  json_kv_uint(w, "ages", d->ages);
  json_kv_double(w, "zero_share", d->zero_share);
  json_kv_double(w, "total_count", d->total_count);
  json_kv_bool(w, "exposure", d->exposure);
  json_kv_uint(w, "missing_responses", d->missing_responses); /* dropped as they were read */
  json_key(w, "weight"); /* eq. W: null when unweighted */
  if (d->weight_column[0]) {
    json_object_begin(w);
    json_kv_string(w, "column", d->weight_column);
    json_kv_double(w, "sum", d->weight_sum);
    json_kv_double(w, "min", d->weight_min);
    json_kv_double(w, "max", d->weight_max);
    json_kv_string(w, "scaling", "mean 1");
    json_object_end(w);
  } else {
    json_null(w);
  }
  json_object_end(w);
}

static void json_groups(json_writer *w, const gbtm_model *m, const gbtm_fit_result *res, double report_centre) {
  json_key(w, "group");
  json_array_begin(w);
  for (int k = 0; k < gbtm_model_groups(m); k++) {
    const gbtm_group_summary *g = gbtm_fit_result_group(res, k);
    json_object_begin(w);
    json_kv_int(w, "group", k + 1);
    json_kv_string(w, "label", gbtm_model_label(m, k)); /* --labels, "" when none */
    json_kv_double(w, "share", g->share);
    json_kv_double(w, "assigned_share", g->assigned_share);
    json_kv_double(w, "avepp", g->avepp);
    json_kv_double(w, "occ", g->occ);
    json_kv_int(w, "order", gbtm_model_order(m, k));
    double coef[GBTM_MAX_COEF], se[GBTM_MAX_COEF];
    for (int j = 0; j <= gbtm_model_order(m, k); j++) coef[j] = gbtm_model_beta(m, k, j);
    json_kv_double_array(w, "beta", coef, (size_t)gbtm_model_order(m, k) + 1);
    group_se(res, k, false, se, (size_t)gbtm_model_order(m, k) + 1);
    json_kv_double_array(w, "beta_se", se, (size_t)gbtm_model_order(m, k) + 1);
    /* eq. AB: on powers of (age - report_centre) */
    gbtm_fit_result_age_coefficients(res, GBTM_PARAM_BETA, k, report_centre, gbtm_fit_result_summary(res)->se, coef, se);
    json_kv_double_array(w, "beta_age", coef, (size_t)gbtm_model_order(m, k) + 1);
    json_kv_double_array(w, "beta_age_se", se, (size_t)gbtm_model_order(m, k) + 1);
    if (gbtm_family_zero_inflated(gbtm_model_family(m))) {
      size_t na = gbtm_model_iorder(m, k) >= 0 ? (size_t)gbtm_model_iorder(m, k) + 1 : 0;
      json_kv_int(w, "iorder", gbtm_model_iorder(m, k));
      for (int j = 0; j <= gbtm_model_iorder(m, k); j++) coef[j] = gbtm_model_alpha(m, k, j);
      json_kv_double_array(w, "alpha", coef, na);
      group_se(res, k, true, se, na);
      json_kv_double_array(w, "alpha_se", se, na);
      if (na) gbtm_fit_result_age_coefficients(res, GBTM_PARAM_ALPHA, k, report_centre, gbtm_fit_result_summary(res)->se, coef, se);
      json_kv_double_array(w, "alpha_age", coef, na);
      json_kv_double_array(w, "alpha_age_se", se, na);
    }
    const char *phi_name = gbtm_family_phi_name(gbtm_model_family(m));
    if (phi_name) { /* "dispersion" and "dispersion_se" */
      char key[64];
      int i = gbtm_model_param_index(m, GBTM_PARAM_PHI, k, 0);
      json_kv_double(w, phi_name, gbtm_model_phi(m, k));
      snprintf(key, sizeof key, "%s_se", phi_name);
      json_kv_double(w, key, i < 0 ? NAN : param_se(res, (size_t)i));
    }
    gbtm_se_kind kind = gbtm_fit_result_summary(res)->se;
    double sse, ci[2];
    gbtm_fit_result_share_interval(res, k, kind, LEVEL, &sse, &ci[0], &ci[1]);
    json_kv_double(w, "share_se", sse);
    json_kv_double_array(w, "share_ci", ci, 2);
    double age[512];
    size_t T = trajectory_ages(res, age, 512);
    json_key(w, "trajectory");
    json_array_begin(w);
    for (size_t t = 0; t < T; t++) {
      double mean, lo, hi;
      gbtm_fit_result_trajectory_interval(res, k, age[t], kind, LEVEL, &mean, &lo, &hi);
      json_object_begin(w);
      json_kv_double(w, "age", age[t]);
      json_kv_double(w, "mean", mean);
      json_kv_double(w, "lower", lo);
      json_kv_double(w, "upper", hi);
      json_object_end(w);
    }
    json_array_end(w);
    json_object_end(w);
  }
  json_array_end(w);
}

void report_json_members(json_writer *w, const char *data_name, const gbtm_fit_result *res, const report_view *view) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  if (!view) view = &report_view_default;
  const gbtm_fit_summary *s = gbtm_fit_result_summary(res);
  json_kv_string(w, "model", gbtm_family_name(gbtm_model_family(m)));
  json_kv_int(w, "groups", gbtm_model_groups(m));
  json_kv_uint(w, "n_persons", s->n_persons);
  json_kv_uint(w, "n_obs", s->n_obs);
  json_kv_int(w, "n_params", s->n_params);
  json_kv_double(w, "loglik", s->loglik);
  json_kv_double(w, "bic", s->bic);
  json_kv_double(w, "bic_obs", s->bic_obs);
  json_kv_double(w, "bic_traj", s->bic_traj);
  json_kv_double(w, "bic_traj_obs", s->bic_traj_obs);
  json_kv_double(w, "aic", s->aic);
  json_kv_double(w, "entropy", s->entropy);
  json_kv_bool(w, "converged", s->converged);
  json_kv_int(w, "iterations", s->iterations);
  json_kv_double(w, "gradient_norm", s->gradient_norm);
  json_kv_double(w, "newton_decrement", s->newton_decrement);
  json_kv_string(w, "se", s->se == GBTM_SE_ROBUST ? "robust" : "model");
  json_kv_string(w, "inference_note", gbtm_fit_result_inference_note(res));
  json_key(w, "boundary"); /* the parameters on the boundary, without standard errors */
  json_array_begin(w);
  for (int j = 0; j < s->n_params; j++)
    if (gbtm_fit_result_on_boundary(res, j)) json_string(w, gbtm_fit_result_param_name(res, j));
  json_array_end(w);
  json_kv_int(w, "starts", s->starts);
  json_kv_double(w, "fit_seconds", s->seconds);
  json_kv_int(w, "starts_long", s->starts_long);
  json_kv_int(w, "starts_converged", s->starts_converged);
  json_kv_int(w, "starts_failed", s->starts_failed);
  json_kv_int(w, "best_replicated", s->best_replicated);
  json_kv_uint(w, "pilot_persons", s->pilot_persons);
  if (s->starts_auto) json_auto_starts(w, s);
  json_failures(w, gbtm_fit_result_failures(res));
  json_kv_string(w, "kernel", gbtm_kernel_name(s->kernel));
  json_kv_int(w, "threads", s->threads);
  json_kv_int(w, "processes", s->processes > 1 ? s->processes : 1);
  json_key(w, "basis");
  json_object_begin(w);
  json_kv_double(w, "centre", gbtm_model_centre(m));
  json_kv_double(w, "scale", gbtm_model_scale(m));
  json_object_end(w);
  double range[2] = {gbtm_model_age_min(m), gbtm_model_age_max(m)};
  json_kv_double_array(w, "age_range", range, 2);
  double censoring[2];
  if (gbtm_model_censoring(m, &censoring[0], &censoring[1])) json_kv_double_array(w, "censoring", censoring, 2);
  if (gbtm_family_phi_name(gbtm_model_family(m))) {
    char key[64];
    snprintf(key, sizeof key, "%s_common", gbtm_family_phi_name(gbtm_model_family(m)));
    json_kv_bool(w, key, gbtm_model_phi_common(m));
  }
  json_data(w, data_name, res);
  json_kv_double(w, "report_centre", view->centre); /* beta_age and alpha_age are on powers of (age - it) */
  json_groups(w, m, res, view->centre);
  report_json_covariates(w, res);
}

void report_json(FILE *out, const char *data_name, const gbtm_fit_result *res, const report_view *view) {
  json_writer w;
  json_init(&w, out);
  json_object_begin(&w);
  report_json_members(&w, data_name, res, view);
  json_object_end(&w);
  json_end(&w);
}
