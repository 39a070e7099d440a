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

#include <math.h>

#include "fit/inference.h"

#define Z95 1.959963984540054

typedef struct term {
  double est, se, z, p, ratio, lo, hi;
} term;

static term term_at(const gbtm_fit_result *res, size_t j, double est) {
  const double *V = gbtm_fit_result_cov(res, gbtm_fit_result_summary(res)->se);
  size_t P = (size_t)gbtm_fit_result_summary(res)->n_params;
  term t = {est, NAN, NAN, NAN, exp(est), NAN, NAN};
  if (V) {
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
  fprintf(out, "  %-30s %10s %9s %8s %8s", name, num(a, sizeof a, t->est, 4), num(b, sizeof b, t->se, 4),
          num(c, sizeof c, t->z, 2), d);
  if (ratio)
    fprintf(out, " %9s  [%s, %s]\n", num(e, sizeof e, t->ratio, 3), num(f, sizeof f, t->lo, 3), num(g, sizeof g, t->hi, 3));
  else
    fputc('\n', out);
}

void report_text_covariates(FILE *out, const gbtm_fit_result *res) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  if (m->n_risk == 0 && m->n_tcov == 0) return;
  psi_layout l;
  inference_layout(m, &l);
  if (m->n_risk > 0) {
    fprintf(out, "\nMembership (multinomial logit against group %d)\n", m->refgroup + 1);
    fprintf(out, "  %-30s %10s %9s %8s %8s %9s  %s\n", "", "estimate", "se", "z", "p", "odds ratio",
            "95% interval");
    for (int k = 0; k < m->groups; k++) {
      if (k == m->refgroup) continue;
      char name[96];
      snprintf(name, sizeof name, "group %d: intercept", k + 1);
      term t = term_at(res, l.theta_at[k], m->theta[k]);
      text_row(out, name, &t, false);
      for (int j = 0; j < m->n_risk; j++) {
        snprintf(name, sizeof name, "group %d: %s", k + 1, m->risk_name[j]);
        t = term_at(res, l.gamma_at[k] + (size_t)j, m->gamma[k][j]);
        text_row(out, name, &t, true);
      }
    }
  }
  if (m->n_tcov > 0) {
    fprintf(out, "\nTime-varying covariates (log rate)\n");
    fprintf(out, "  %-30s %10s %9s %8s %8s %9s  %s\n", "", "estimate", "se", "z", "p", "rate ratio",
            "95% interval");
    for (int k = 0; k < m->groups; k++)
      for (int j = 0; j < m->n_tcov; j++) {
        char name[96];
        snprintf(name, sizeof name, "group %d: %s", k + 1, m->tcov_name[j]);
        term t = term_at(res, l.delta_at[k] + (size_t)j, m->delta[k][j]);
        text_row(out, name, &t, true);
      }
    fprintf(out, "  (trajectories below are drawn at");
    for (int j = 0; j < m->n_tcov; j++) fprintf(out, "%s %s = %g", j ? "," : "", m->tcov_name[j], m->tcov_fixed[j]);
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
  json_kv_int(w, "refgroup", m->refgroup + 1);
  if (m->n_risk == 0 && m->n_tcov == 0) return;
  psi_layout l;
  inference_layout(m, &l);
  json_key(w, "membership");
  json_array_begin(w);
  for (int k = 0; k < m->groups && m->n_risk > 0; k++) {
    if (k == m->refgroup) continue;
    term t = term_at(res, l.theta_at[k], m->theta[k]);
    json_term(w, k + 1, "intercept", &t, NULL);
    for (int j = 0; j < m->n_risk; j++) {
      t = term_at(res, l.gamma_at[k] + (size_t)j, m->gamma[k][j]);
      json_term(w, k + 1, m->risk_name[j], &t, "odds_ratio");
    }
  }
  json_array_end(w);
  json_key(w, "tcov");
  json_array_begin(w);
  for (int k = 0; k < m->groups; k++)
    for (int j = 0; j < m->n_tcov; j++) {
      term t = term_at(res, l.delta_at[k] + (size_t)j, m->delta[k][j]);
      json_term(w, k + 1, m->tcov_name[j], &t, "rate_ratio");
    }
  json_array_end(w);
  json_key(w, "tcov_fixed");
  json_object_begin(w);
  for (int j = 0; j < m->n_tcov; j++) json_kv_double(w, m->tcov_name[j], m->tcov_fixed[j]);
  json_object_end(w);
}
