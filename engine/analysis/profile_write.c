/* profile_write.c: a profile of the groups as text tables or CSV
 * (gbtm_profile_write_text, gbtm_profile_write_csv). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/profile.h"

static void group_name(char *buf, size_t size, const char *const *labels, int k) {
  if (labels && labels[k] && labels[k][0]) snprintf(buf, size, "%d %s", k + 1, labels[k]);
  else snprintf(buf, size, "%d", k + 1);
}

/* An estimate and its SE, both to the decimals that show the SE's first
 * three significant digits (no exponent form for incomes and ages). */
static void cell(FILE *fp, double est, double se) {
  char b[64];
  if (!isfinite(est)) snprintf(b, sizeof b, "-");
  else if (!isfinite(se) || fabs(est) >= 1e9) snprintf(b, sizeof b, "%.4g", est);
  else if (se <= 1e-12 * fabs(est)) snprintf(b, sizeof b, "%.4g (0)", est); /* one value: rounding, not spread */
  else {
    int d = 2 - (int)floor(log10(se));
    d = d < 0 ? 0 : d > 8 ? 8 : d;
    snprintf(b, sizeof b, "%.*f (%.*f)", d, est, d, se);
  }
  fprintf(fp, " %20s", b);
}

static void test_line(FILE *fp, const char *what, double chi2, int df, double p) {
  if (isfinite(chi2)) fprintf(fp, "  %s: chi2 = %.4g, df = %d, p = %.4g\n", what, chi2, df, p);
  else fprintf(fp, "  %s: not available\n", what);
}

void gbtm_profile_write_text(const gbtm_profile *p, FILE *fp, const char *const *labels) {
  int K = p->K;
  char g[80];
  fprintf(fp, "Classification errors D[k][s] = P(modal group s | group k):\n%-24s", "  group");
  for (int s = 0; s < K; s++) fprintf(fp, " %7d", s + 1);
  fputc('\n', fp);
  for (int k = 0; k < K; k++) {
    group_name(g, sizeof g, labels, k);
    fprintf(fp, "  %-22.22s", g);
    for (int s = 0; s < K; s++) fprintf(fp, " %7.4f", p->D[k * K + s]);
    fputc('\n', fp);
  }
  if (!p->bch) fprintf(fp, "note: %s\n", p->bch_note);
  for (int v = 0; v < p->n_vars; v++) {
    const profile_var *x = &p->vars[v];
    bool ml3 = x->info.distal;
    fprintf(fp, "\n%s%s (%s; %zu persons, %zu missing)\n", ml3 ? "distal outcome " : "", x->name,
            gbtm_profile_type_name(x->info.type), x->info.n_used, x->info.n_missing);
    for (int q = 0; q < x->Q; q++) {
      if (x->info.type == GBTM_PROFILE_BINARY) fprintf(fp, "  share of %s\n", x->category[q]);
      else if (x->info.type == GBTM_PROFILE_CATEGORICAL) fprintf(fp, "  category %s\n", x->category[q]);
      fprintf(fp, "  %-22s %20s %20s %20s", "group", "modal", "proportional", "BCH");
      if (ml3) fprintf(fp, " %20s", "ML3");
      fputc('\n', fp);
      for (int k = 0; k < K; k++) {
        group_name(g, sizeof g, labels, k);
        fprintf(fp, "  %-22.22s", g);
        for (int m = 0; m < PROFILE_METHODS - !ml3; m++) {
          double e, s;
          gbtm_profile_estimate(p, v, q, k, (gbtm_profile_method)m, &e, &s);
          cell(fp, e, s);
        }
        fputc('\n', fp);
      }
    }
    test_line(fp, "equal in all groups (BCH, Wald)", x->info.wald_chi2, x->info.wald_df, x->info.wald_p);
    if (ml3) test_line(fp, "equal in all groups (ML3, Wald)", x->info.ml3_wald_chi2, x->info.ml3_wald_df,
                       x->info.ml3_wald_p);
    for (int k = 0; k < K; k++)
      for (int l = k + 1; l < K; l++) {
        double c, pv;
        int df;
        gbtm_profile_pair(p, v, k, l, false, &c, &df, &pv);
        char what[64];
        snprintf(what, sizeof what, "groups %d and %d (BCH)", k + 1, l + 1);
        if (isfinite(c)) test_line(fp, what, c, df, pv);
      }
    if (x->note[0]) fprintf(fp, "  note: %s\n", x->note);
  }
}

/* A CSV field, quoted when it needs to be. */
static void field(FILE *fp, const char *s) {
  if (!strpbrk(s, ",\"\r\n") && !(s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' '))) {
    fputs(s, fp);
    return;
  }
  fputc('"', fp);
  for (; *s; s++) {
    if (*s == '"') fputc('"', fp);
    fputc(*s, fp);
  }
  fputc('"', fp);
}

static void number(FILE *fp, double x) {
  if (isfinite(x)) fprintf(fp, ",%.17g", x);
  else fputs(",", fp);
}

void gbtm_profile_write_csv(const gbtm_profile *p, FILE *fp, const char *const *labels) {
  fputs("variable,type,quantity,group,label,method,estimate,se,n_used,n_missing\n", fp);
  for (int v = 0; v < p->n_vars; v++) {
    const profile_var *x = &p->vars[v];
    for (int q = 0; q < x->Q; q++)
      for (int k = 0; k < p->K; k++)
        for (int m = 0; m < PROFILE_METHODS - !x->info.distal; m++) {
          double e, s;
          gbtm_profile_estimate(p, v, q, k, (gbtm_profile_method)m, &e, &s);
          field(fp, x->name);
          fprintf(fp, ",%s,", gbtm_profile_type_name(x->info.type));
          field(fp, x->category[q]);
          fprintf(fp, ",%d,", k + 1);
          field(fp, labels && labels[k] ? labels[k] : "");
          fprintf(fp, ",%s", gbtm_profile_method_name((gbtm_profile_method)m));
          number(fp, e);
          number(fp, s);
          fprintf(fp, ",%zu,%zu\n", x->info.n_used, x->info.n_missing);
        }
  }
}
