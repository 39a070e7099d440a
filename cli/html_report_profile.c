/* html_report_profile.c: the profiles of the groups in `gbtm report`'s
 * page (html_report_profile, html_report.h): the profile that `gbtm
 * profile` computes (profile_cli.h, DESIGN §9) as tables, one per
 * variable, with a row per group and the modal, proportional and BCH
 * estimates (and ML3 for a distal outcome) with standard errors; a
 * categorical variable has a block of rows per category. Under each table
 * its Wald tests and notes. Every name, category and label is escaped
 * (html.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "html_report.h"

/* The decimals that give the largest |value| of a variable four
 * significant digits (0 to 6), used for all its estimates and standard
 * errors so that a column's numbers line up. */
static int variable_decimals(const gbtm_profile *p, int v) {
  const gbtm_profile_var_info *in = gbtm_profile_var_info_of(p, v);
  double top = 0.0;
  for (int q = 0; q < in->n_quantities; q++)
    for (int k = 0; k < gbtm_profile_groups(p); k++)
      for (int m = 0; m <= GBTM_PROFILE_ML3; m++) {
        if (m == GBTM_PROFILE_ML3 && !in->distal) continue;
        double e, s;
        gbtm_profile_estimate(p, v, q, k, (gbtm_profile_method)m, &e, &s);
        if (isfinite(e) && fabs(e) > top) top = fabs(e);
      }
  if (!(top > 0.0)) return 4;
  int d = 3 - (int)floor(log10(top));
  return d < 0 ? 0 : d > 6 ? 6 : d;
}

static void number_cell(html *h, double x, int decimals, bool se) {
  char buf[64];
  html_open(h, "td", se ? "class=\"se\"" : NULL);
  if (isfinite(x)) snprintf(buf, sizeof buf, "%.*f", decimals, x);
  else snprintf(buf, sizeof buf, "-");
  html_text(h, buf);
  html_close(h, "td");
}

/* "p = 0.0172", or "p < 0.0001". */
static void p_text(char *buf, size_t size, double p) {
  if (p < 1e-4) snprintf(buf, size, "p < 0.0001");
  else snprintf(buf, size, "p = %.4f", p);
}

/* "Equal in all groups (BCH, Wald): chi2 = 10.17, df = 3, p = 0.0172." */
static void wald_text(html *h, const char *what, double chi2, int df, double p) {
  char pb[32];
  if (!isfinite(chi2)) {
    html_textf(h, "Equal in all groups (%s, Wald): not available.", what);
    return;
  }
  p_text(pb, sizeof pb, p);
  html_textf(h, "Equal in all groups (%s, Wald): chi2 = %.2f, df = %d, %s.", what, chi2, df, pb);
}

/* " Pairs of groups (BCH, Wald p): 1-2 0.0268; 1-3 0.3216; ..." (the
 * pairs that have a test). */
static void pairs_text(html *h, const gbtm_profile *p, int v, bool ml3) {
  int K = gbtm_profile_groups(p), shown = 0;
  for (int k = 0; k < K; k++)
    for (int l = k + 1; l < K; l++) {
      double c, pv;
      int df;
      gbtm_profile_pair(p, v, k, l, ml3, &c, &df, &pv);
      if (!isfinite(c)) continue;
      if (shown++ == 0) html_textf(h, " Pairs of groups (%s, Wald p): ", ml3 ? "ML3" : "BCH");
      else html_text(h, "; ");
      if (pv < 1e-4) html_textf(h, "%d\u2013%d <0.0001", k + 1, l + 1);
      else html_textf(h, "%d\u2013%d %.4f", k + 1, l + 1, pv);
    }
  if (shown) html_text(h, ".");
}

static void variable_table(html *h, const html_report *r, int v) {
  const gbtm_profile *p = r->profile;
  const gbtm_profile_var_info *in = gbtm_profile_var_info_of(p, v);
  int K = gbtm_profile_groups(p), methods = in->distal ? 4 : 3;
  int decimals = variable_decimals(p, v);
  static const char *const head[] = {"group", "modal", "se", "proportional", "se", "BCH", "se", "ML3", "se"};
  size_t n_cols = 1 + 2 * (size_t)methods;
  html_open(h, "div", "class=\"pvar\"");
  html_raw(h, "\n<table class=\"profile\">\n");
  html_open(h, "caption", NULL);
  html_text(h, in->name);
  html_textf(h, " (%s", gbtm_profile_type_name(in->type));
  if (in->type == GBTM_PROFILE_BINARY) {
    html_text(h, "; the share of ");
    html_text(h, gbtm_profile_quantity(p, v, 0));
  } else if (in->type == GBTM_PROFILE_CATEGORICAL) html_text(h, "; the share of each category");
  else html_text(h, in->type == GBTM_PROFILE_COUNT ? "; the mean count" : "; the mean");
  html_textf(h, "): %zu person%s, %zu missing", in->n_used, in->n_used == 1 ? "" : "s", in->n_missing);
  html_close(h, "caption");
  html_raw(h, "\n<thead><tr>");
  for (size_t j = 0; j < n_cols; j++) {
    html_open(h, "th", j == 0 ? "scope=\"col\" class=\"name\"" : "scope=\"col\"");
    html_text(h, head[j]);
    html_close(h, "th");
  }
  html_raw(h, "</tr></thead>\n");
  for (int q = 0; q < in->n_quantities; q++) {
    html_raw(h, "<tbody>\n"); /* a category's rows kept together on a page */
    if (in->type == GBTM_PROFILE_CATEGORICAL) {
      char sub[512];
      snprintf(sub, sizeof sub, "category %s", gbtm_profile_quantity(p, v, q));
      html_table_subheading(h, sub, n_cols);
    }
    for (int k = 0; k < K; k++) {
      report_group_row row;
      report_group_row_get(r->res, k, &row);
      html_raw(h, "<tr>");
      html_open(h, "th", "scope=\"row\" class=\"name\"");
      html_text(h, row.name);
      html_close(h, "th");
      for (int m = 0; m < methods; m++) {
        double e, s;
        gbtm_profile_estimate(p, v, q, k, (gbtm_profile_method)m, &e, &s);
        number_cell(h, e, decimals, false);
        number_cell(h, s, decimals, true);
      }
      html_raw(h, "</tr>\n");
    }
    html_raw(h, "</tbody>\n");
  }
  html_raw(h, "</table>\n");
  html_open(h, "p", "class=\"note\"");
  wald_text(h, "BCH", in->wald_chi2, in->wald_df, in->wald_p);
  if (in->distal) html_text(h, " "), wald_text(h, "ML3", in->ml3_wald_chi2, in->ml3_wald_df, in->ml3_wald_p);
  pairs_text(h, p, v, false);
  if (in->distal) pairs_text(h, p, v, true);
  if (in->note && in->note[0]) {
    html_text(h, " Note: ");
    html_text(h, in->note);
    html_text(h, ".");
  }
  html_raw(h, "</p>\n</div>\n");
}

/* How the persons matched, and the classification error matrix D (eq. D)
 * with each group's assigned persons. */
static void profile_lead(html *h, const html_report *r) {
  const gbtm_profile *p = r->profile;
  const profile_cli_counts *c = r->profile_counts;
  int K = gbtm_profile_groups(p);
  html_open(h, "p", "class=\"note\"");
  html_textf(h, "%zu person%s of ", c->matched, c->matched == 1 ? "" : "s");
  html_text(h, r->profile_persons);
  html_textf(h, " matched to the model's %zu", c->model);
  if (c->not_in_model)
    html_textf(h, "; %zu person%s of the person data not in the model (left out)", c->not_in_model,
               c->not_in_model == 1 ? "" : "s");
  if (c->not_in_data)
    html_textf(h, "; %zu person%s of the model not in the person data (counted in the classification errors only)",
               c->not_in_data, c->not_in_data == 1 ? "" : "s");
  html_text(h, ". Each group's value by modal assignment (the persons assigned to the group), by posterior "
               "weights (proportional), and by the BCH method, which corrects for the classification errors "
               "below; distal outcomes also by the ML three-step method (ML3). The Wald tests are on the BCH "
               "(and ML3) estimates. Missing values leave a person out of that variable only.");
  html_raw(h, "</p>\n");

  const char *head[GBTM_MAX_GROUPS + 2];
  char names[GBTM_MAX_GROUPS][16];
  head[0] = "group", head[1] = "assigned";
  for (int s = 0; s < K; s++) snprintf(names[s], sizeof names[s], "%d", s + 1), head[2 + s] = names[s];
  html_table_begin(h, "Classification errors D[k][s] = P(modal group s | group k)", head, (size_t)K + 2);
  for (int k = 0; k < K; k++) {
    report_group_row row;
    report_group_row_get(r->res, k, &row);
    char cell[GBTM_MAX_GROUPS + 2][32];
    const char *cells[GBTM_MAX_GROUPS + 2];
    cells[0] = row.name;
    snprintf(cell[1], sizeof cell[1], "%zu", gbtm_profile_modal_count(p, k)), cells[1] = cell[1];
    for (int s = 0; s < K; s++)
      snprintf(cell[2 + s], sizeof cell[2 + s], "%.4f", gbtm_profile_error_matrix(p)[k * K + s]),
          cells[2 + s] = cell[2 + s];
    html_table_row(h, cells, (size_t)K + 2);
  }
  html_table_end(h);
  if (!gbtm_profile_bch_available(p)) {
    html_open(h, "p", "class=\"note\"");
    html_text(h, "BCH not available: ");
    html_text(h, gbtm_profile_bch_note(p));
    html_raw(h, "</p>\n");
  }
}

void html_report_profile(html *h, const html_report *r) {
  const gbtm_profile *p = r->profile;
  if (!p) return;
  html_section_begin(h, "profile", "Profiles of the groups");
  profile_lead(h, r);
  for (int distal = 0; distal <= 1; distal++) {
    bool any = false;
    for (int v = 0; v < gbtm_profile_n_vars(p); v++) {
      if (gbtm_profile_var_info_of(p, v)->distal != (bool)distal) continue;
      if (!any) html_element(h, "h3", NULL, distal ? "Distal outcomes" : "Person variables");
      any = true;
      variable_table(h, r, v);
    }
  }
  html_section_end(h);
}
