/* html_report.c: the sections of `gbtm report`'s page (html_report.h). The
 * page is one self-contained file: the stylesheet is inline, the figure is
 * inline SVG, and nothing is fetched from elsewhere, so that it can be
 * archived or mailed and prints on A4 (@page; tables and the figure kept
 * whole on a page). The numbers are those of the text report (report.h),
 * rounded as there; every string from the model or the command line is
 * escaped (html.h). */
#include "html_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

static const char stylesheet[] =
    "@page { size: A4; margin: 16mm 15mm 18mm 15mm; }\n"
    "html { background: #ffffff; }\n"
    "body { font-family: \"DejaVu Sans\", Helvetica, Arial, sans-serif; font-size: 10pt; color: #1d1d1d;\n"
    "  max-width: 180mm; margin: 12mm auto; padding: 0 6mm; line-height: 1.35; }\n"
    "h1 { font-size: 16pt; margin: 0 0 2pt; }\n"
    "h2 { font-size: 12.5pt; margin: 16pt 0 4pt; border-bottom: 1px solid #bbbbbb;\n"
    "  break-after: avoid; page-break-after: avoid; }\n"
    "h3 { font-size: 11pt; margin: 12pt 0 2pt; break-after: avoid; page-break-after: avoid; }\n"
    "p.lead { color: #444444; margin: 0 0 8pt; }\n"
    "p.note { color: #555555; font-size: 8.5pt; margin: 2pt 0 8pt; }\n"
    "table { border-collapse: collapse; margin: 4pt 0 10pt; font-variant-numeric: tabular-nums;\n"
    "  break-inside: avoid; page-break-inside: avoid; }\n"
    "caption { text-align: left; font-weight: bold; padding: 2pt 0; }\n"
    "thead { display: table-header-group; }\n"
    "tr, table.profile tbody { break-inside: avoid; page-break-inside: avoid; }\n"
    "div.pvar { break-inside: avoid; page-break-inside: avoid; }\n"
    "table.profile { font-size: 9pt; width: 100%; }\n"
    "table.profile td.se { color: #555555; }\n"
    "th, td { padding: 1.5pt 7pt; border-bottom: 1px solid #e2e2e2; text-align: right; vertical-align: top; }\n"
    "thead th { border-bottom: 1px solid #777777; }\n"
    "th.name { text-align: left; font-weight: normal; }\n"
    "thead th.name, tr.sub th { font-weight: bold; }\n"
    "tr.sub th { padding-top: 5pt; color: #444444; }\n"
    "table.summary td { text-align: left; }\n"
    "figure { margin: 4pt 0 10pt; break-inside: avoid; page-break-inside: avoid; }\n"
    "figure svg { display: block; width: 100%; max-width: 180mm; height: auto; }\n"
    "footer { margin-top: 16pt; color: #555555; font-size: 8.5pt; border-top: 1px solid #bbbbbb; }\n"
    "@media print { body { margin: 0; padding: 0; max-width: none; } }\n";

/* The data's name: the file's, or the model file's name. */
static const char *data_name(const html_report *r) {
  const gbtm_model_file_info *fi = gbtm_fit_result_file_info(r->res);
  return fi && fi->data_name && *fi->data_name ? fi->data_name : r->model_path;
}

void html_report_begin(html *h, const html_report *r) {
  const gbtm_model *m = gbtm_fit_result_model(r->res);
  char title[1024];
  if (r->title) snprintf(title, sizeof title, "%s", r->title);
  else snprintf(title, sizeof title, "Group-based trajectory model: %s", data_name(r));
  html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
  html_raw(h, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
  html_element(h, "title", NULL, title);
  html_raw(h, "<style>\n");
  html_raw(h, stylesheet);
  html_raw(h, "</style>\n</head>\n<body>\n<header>\n");
  html_element(h, "h1", NULL, title);
  html_open(h, "p", "class=\"lead\"");
  int K = gbtm_model_groups(m);
  html_textf(h, "%s model with %d group%s, fitted to %zu persons; written by gbtm %s from ",
             gbtm_family_title(gbtm_model_family(m)), K, K == 1 ? "" : "s", gbtm_fit_result_summary(r->res)->n_persons,
             GBTM_VERSION);
  html_text(h, r->model_path);
  html_raw(h, ".</p>\n</header>\n");
}

/* "2, 2, 3" (-1: "none") of the K orders. */
static void orders_text(const gbtm_model *m, bool zero_inflation, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int k = 0; k < gbtm_model_groups(m) && used < size; k++) {
    int o = zero_inflation ? gbtm_model_iorder(m, k) : gbtm_model_order(m, k);
    int n = o >= 0 ? snprintf(buf + used, size - used, "%s%d", k ? ", " : "", o)
                   : snprintf(buf + used, size - used, "%snone", k ? ", " : "");
    if (n < 0) break;
    used += (size_t)n;
  }
}

void html_report_summary(html *h, const html_report *r) {
  const gbtm_model *m = gbtm_fit_result_model(r->res);
  const gbtm_fit_summary *s = gbtm_fit_result_summary(r->res);
  const gbtm_data_summary *d = gbtm_fit_result_data(r->res);
  gbtm_family_id fam = gbtm_model_family(m);
  char buf[512], num[64];
  html_section_begin(h, "summary", "Model summary");
  html_raw(h, "<table class=\"summary\">\n<tbody>\n");
#define ROW(label, value)                                                                                   \
  do {                                                                                                      \
    const char *cells_[2] = {(label), (value)};                                                             \
    html_table_row(h, cells_, 2);                                                                           \
  } while (0)
  ROW("data", data_name(r));
  snprintf(buf, sizeof buf, "%s (%s)", gbtm_family_title(fam), gbtm_family_name(fam));
  ROW("family", buf);
  snprintf(buf, sizeof buf, "%d", gbtm_model_groups(m));
  ROW("groups K", buf);
  char what[128];
  snprintf(what, sizeof what, "orders (%s)", gbtm_family_predictor_name(fam));
  orders_text(m, false, buf, sizeof buf);
  ROW(what, buf);
  if (gbtm_family_zero_inflated(fam)) {
    orders_text(m, true, buf, sizeof buf);
    ROW("orders (zero inflation)", buf);
  }
  snprintf(buf, sizeof buf, "%zu", s->n_persons);
  ROW("N persons", buf);
  snprintf(buf, sizeof buf, "%zu person-ages, %zu distinct ages from %s", d->observations, d->ages,
           report_general(num, sizeof num, d->age_min, 6));
  snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " to %s", report_general(num, sizeof num, d->age_max, 6));
  ROW("observations", buf);
  ROW("log L", report_fixed(num, sizeof num, s->loglik, 4));
  ROW("BIC = -2 log L + p ln N persons", report_fixed(num, sizeof num, s->bic, 4));
  ROW("AIC = -2 log L + 2 p", report_fixed(num, sizeof num, s->aic, 4));
  snprintf(buf, sizeof buf, "%d", s->n_params);
  ROW("parameters p", buf);
  ROW("starts", report_starts_text(r->res, buf, sizeof buf));
  ROW("converged", s->converged ? "yes" : "NO");
#undef ROW
  html_table_end(h);
  if (gbtm_model_n_risk(m) > 0 || gbtm_model_n_tcov(m) > 0)
    html_element(h, "p", "class=\"note\"",
                 "The model has risk factors or time-varying covariates; their coefficients are not in this "
                 "report (gbtm show prints them).");
  html_section_end(h);
}

void html_report_groups(html *h, const html_report *r) {
  const gbtm_model *m = gbtm_fit_result_model(r->res);
  static const char *const head[] = {"group", "share", "assigned", "AvePP", "OCC"};
  html_section_begin(h, "groups", "Groups");
  html_table_begin(h, NULL, head, 5);
  for (int k = 0; k < gbtm_model_groups(m); k++) {
    report_group_row row;
    report_group_row_get(r->res, k, &row);
    const char *cells[5] = {row.name, row.share, row.assigned, row.avepp, row.occ};
    html_table_row(h, cells, 5);
  }
  html_table_end(h);
  html_element(h, "p", "class=\"note\"",
               "share: the fitted share; assigned: the share of persons whose highest posterior is the group; "
               "AvePP: mean posterior of the persons assigned to the group (rule of thumb >= 0.7); OCC: odds of "
               "correct classification (rule of thumb >= 5).");
  html_section_end(h);
}

bool html_report_figure(html *h, const html_report *r) {
  char *svg_text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&svg_text, &len);
  if (!mem) {
    cli_error(r->style->cmd, "out of memory for the figure");
    return false;
  }
  bool ok = traj_draw(mem, r->figure, r->style);
  if (fclose(mem) != 0 || !svg_text) {
    if (ok) cli_error(r->style->cmd, "out of memory for the figure");
    ok = false;
  }
  if (ok) {
    html_section_begin(h, "figure", "Trajectories");
    html_raw(h, "<figure>\n");
    html_raw(h, svg_text); /* escaped by the SVG writer (svg.h) */
    html_raw(h, "</figure>\n");
    html_section_end(h);
  }
  free(svg_text);
  return ok;
}

void html_report_coefficients(html *h, const html_report *r) {
  const gbtm_model *m = gbtm_fit_result_model(r->res);
  const report_view *view = r->view ? r->view : &report_view_default;
  static const char *const head[] = {"term", "estimate", "se", "z", "p"};
  html_section_begin(h, "coefficients", "Coefficients");
  char note[256];
  if (view->basis_s) snprintf(note, sizeof note, "On the fitted basis s (--report-basis s).");
  else if (view->centre == 0.0) snprintf(note, sizeof note, "On the age scale: powers of raw age.");
  else snprintf(note, sizeof note, "On the age scale: powers of age - %g (--report-centre).", view->centre);
  html_element(h, "p", "class=\"note\"", note);
  for (int k = 0; k < gbtm_model_groups(m); k++) {
    char title[128];
    report_coef_title(r->res, k, view, title, sizeof title);
    report_coef_row rows[REPORT_MAX_COEF_ROWS];
    int n = report_group_coefs(r->res, k, view, rows);
    html_table_begin(h, title, head, 5);
    for (int j = 0; j < n; j++) {
      const char *cells[5] = {rows[j].name, rows[j].estimate, rows[j].se, rows[j].z, rows[j].p};
      html_table_row(h, cells, 5);
    }
    html_table_end(h);
  }
  html_section_end(h);
}

void html_report_fit(html *h, const html_report *r) {
  static const char *const head[] = {"criterion", "value"};
  report_fit_row rows[REPORT_MAX_FIT_ROWS];
  int n = report_fit_rows(r->res, rows);
  html_section_begin(h, "fit", "Fit criteria");
  html_table_begin(h, NULL, head, 2);
  for (int j = 0; j < n; j++) {
    if (rows[j].heading && *rows[j].heading) html_table_subheading(h, rows[j].heading, 2);
    else if (rows[j].heading) html_table_subheading(h, "classification and convergence", 2);
    const char *cells[2] = {rows[j].label, rows[j].value};
    html_table_row(h, cells, 2);
  }
  html_table_end(h);
  html_section_end(h);
}

void html_report_end(html *h, const html_report *r) {
  const gbtm_model_file_info *fi = gbtm_fit_result_file_info(r->res);
  html_raw(h, "<footer>\n<p>");
  html_text(h, "Model file ");
  html_text(h, r->model_path);
  if (fi) {
    html_textf(h, ", format version %d, written by gbtm ", fi->format_version);
    html_text(h, fi->gbtm_version);
    html_text(h, " at ");
    html_text(h, fi->created);
    html_text(h, ". Command: ");
    html_text(h, *fi->command_line ? fi->command_line : "-");
    html_text(h, ". Data SHA-256: ");
    html_text(h, *fi->data_sha256 ? fi->data_sha256 : "-");
  }
  html_raw(h, ".</p>\n</footer>\n</body>\n</html>\n");
}
