/* report_covariates.c: what a fit says about covariates.
 *
 * Risk factors (eq. M): for each group k but the reference r, theta_k and
 * gamma_kj are log-odds (ratios) of membership of k against r, so
 * exp(gamma_kj) is the odds ratio of a unit more of factor j, reported
 * with its 95% interval exp(gamma +- 1.96 se) (Wald, as PROC TRAJ's).
 * Time-varying covariates: delta_kj multiplies group k's rate by
 * exp(delta_kj) per unit of covariate j (a rate ratio, with its interval).
 * The trajectories of the report are at w = tcov_fixed. */
#include "report_covariates.h"
#include "report.h"
#include "text_escape.h"

#include <math.h>


#define Z95 1.959963984540054

typedef struct term {
  double est, se, z, p, ratio, lo, hi;
} term;

/* The term of psi[i] (i = gbtm_model_param_index, -1: none) at est. */
static term term_at(const gbtm_fit_result *res, int i, double est) {
  const double *V = gbtm_fit_result_covariance(res, gbtm_fit_result_summary(res)->se);
  size_t P = (size_t)gbtm_fit_result_summary(res)->n_params, j = (size_t)i;
  term t = {est, NAN, NAN, NAN, exp(est), NAN, NAN};
  if (V && i >= 0) {
    t.se = sqrt(V[j * P + j]);
    t.z = est / t.se;
    t.p = erfc(fabs(t.z) / sqrt(2.0)); /* two-sided, normal */
    t.lo = exp(est - Z95 * t.se);
    t.hi = exp(est + Z95 * t.se);
  }
  return t;
}

static const char *num(char *buf, size_t n, double x, int decimals) {
  if (isfinite(x)) snprintf(buf, n, "%.*f", decimals, x);
  else snprintf(buf, n, "-");
  return buf;
}

static void text_row(FILE *out, const char *name, const term *t, bool ratio) {
  char a[32], b[32], c[32], d[32], e[32], f[32], g[32];
  if (t->p < 1e-4) snprintf(d, sizeof d, "<1e-4");
  else num(d, sizeof d, t->p, 4);
  char shown[96];
  fprintf(out, "  %-30s %10s %9s %8s %8s", text_escaped(shown, sizeof shown, name), num(a, sizeof a, t->est, 4), num(b, sizeof b, t->se, 4),
          num(c, sizeof c, t->z, 2), d);
  if (ratio)
    fprintf(out, " %9s  [%s, %s]\n", num(e, sizeof e, t->ratio, 3), num(f, sizeof f, t->lo, 3), num(g, sizeof g, t->hi, 3));
  else
    fputc('\n', out);
}

void report_text_covariates(FILE *out, const gbtm_fit_result *res) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  if (gbtm_model_n_risk(m) == 0 && gbtm_model_n_tcov(m) == 0) return;
  if (gbtm_model_n_risk(m) > 0) {
    fprintf(out, "\nMembership (multinomial logit against group %d)\n", gbtm_model_refgroup(m) + 1);
    fprintf(out, "  %-30s %10s %9s %8s %8s %9s  %s\n", "", "estimate", "se", "z", "p", "odds ratio",
            "95% interval");
    for (int k = 0; k < gbtm_model_groups(m); k++) {
      if (k == gbtm_model_refgroup(m)) continue;
      char name[96];
      snprintf(name, sizeof name, "group %d: intercept", k + 1);
      term t = term_at(res, gbtm_model_param_index(m, GBTM_PARAM_THETA, k, 0), gbtm_model_theta(m, k));
      text_row(out, name, &t, false);
      for (int j = 0; j < gbtm_model_n_risk(m); j++) {
        snprintf(name, sizeof name, "group %d: %s", k + 1, gbtm_model_risk_name(m, j));
        t = term_at(res, gbtm_model_param_index(m, GBTM_PARAM_GAMMA, k, j), gbtm_model_gamma(m, k, j));
        text_row(out, name, &t, true);
      }
    }
  }
  if (gbtm_model_n_tcov(m) > 0) {
    fprintf(out, "\nTime-varying covariates (%s)\n", gbtm_family_predictor_name(gbtm_model_family(m)));
    fprintf(out, "  %-30s %10s %9s %8s %8s %9s  %s\n", "", "estimate", "se", "z", "p", gbtm_family_ratio_name(gbtm_model_family(m)),
            "95% interval");
    for (int k = 0; k < gbtm_model_groups(m); k++)
      for (int j = 0; j < gbtm_model_n_tcov(m); j++) {
        char name[96];
        snprintf(name, sizeof name, "group %d: %s", k + 1, gbtm_model_tcov_name(m, j));
        term t = term_at(res, gbtm_model_param_index(m, GBTM_PARAM_DELTA, k, j), gbtm_model_delta(m, k, j));
        text_row(out, name, &t, true);
      }
    fprintf(out, "  (trajectories below are drawn at");
    for (int j = 0; j < gbtm_model_n_tcov(m); j++) {
      char v[32];
      char name[96];
      fprintf(out, "%s %s = %s", j ? "," : "", text_escaped(name, sizeof name, gbtm_model_tcov_name(m, j)),
              report_general(v, sizeof v, gbtm_model_tcov_fixed(m, j), 6));
    }
    fprintf(out, ")\n");
  }
}

static void json_term(json_writer *w, int group, const char *name, const term *t, const char *ratio) {
  json_object_begin(w);
  json_kv_int(w, "group", group);
  json_kv_string(w, "term", name);
  json_kv_double(w, "estimate", t->est);
  json_kv_double(w, "se", t->se);
  json_kv_double(w, "z", t->z);
  json_kv_double(w, "p", t->p);
  if (ratio) {
    json_kv_double(w, ratio, t->ratio);
    double ci[2] = {t->lo, t->hi};
    json_kv_double_array(w, "ci", ci, 2);
  }
  json_object_end(w);
}

void report_json_covariates(json_writer *w, const gbtm_fit_result *res) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  json_kv_int(w, "refgroup", gbtm_model_refgroup(m) + 1);
  if (gbtm_model_n_risk(m) == 0 && gbtm_model_n_tcov(m) == 0) return;
  json_key(w, "membership");
  json_array_begin(w);
  for (int k = 0; k < gbtm_model_groups(m) && gbtm_model_n_risk(m) > 0; k++) {
    if (k == gbtm_model_refgroup(m)) continue;
    term t = term_at(res, gbtm_model_param_index(m, GBTM_PARAM_THETA, k, 0), gbtm_model_theta(m, k));
    json_term(w, k + 1, "intercept", &t, NULL);
    for (int j = 0; j < gbtm_model_n_risk(m); j++) {
      t = term_at(res, gbtm_model_param_index(m, GBTM_PARAM_GAMMA, k, j), gbtm_model_gamma(m, k, j));
      json_term(w, k + 1, gbtm_model_risk_name(m, j), &t, "odds_ratio");
    }
  }
  json_array_end(w);
  json_key(w, "tcov");
  json_array_begin(w);
  for (int k = 0; k < gbtm_model_groups(m); k++)
    for (int j = 0; j < gbtm_model_n_tcov(m); j++) {
      term t = term_at(res, gbtm_model_param_index(m, GBTM_PARAM_DELTA, k, j), gbtm_model_delta(m, k, j));
      json_term(w, k + 1, gbtm_model_tcov_name(m, j), &t, "rate_ratio");
    }
  json_array_end(w);
  json_key(w, "tcov_fixed");
  json_object_begin(w);
  for (int j = 0; j < gbtm_model_n_tcov(m); j++) json_kv_double(w, gbtm_model_tcov_name(m, j), gbtm_model_tcov_fixed(m, j));
  json_object_end(w);
}
