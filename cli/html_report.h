/* html_report.h: the sections of `gbtm report`'s HTML page (html_report.c):
 * each writes one part of the page through an HTML writer (html.h) from a
 * fitted model, with the tables of the text report (report.h) and the
 * trajectory figure of `gbtm plot` (plot_traj.h). A new part is one more
 * function of the same form, called by cmd_report.c between two of these
 * (as the profiles of the groups are, html_report_profile.c). */
#ifndef GBTM_CLI_HTML_REPORT_H
#define GBTM_CLI_HTML_REPORT_H

#include <stdbool.h>

#include "gbtm.h"
#include "html.h"
#include "plot_traj.h"
#include "profile_cli.h"
#include "report.h"

/* What the page shows; all borrowed. */
typedef struct html_report {
  const char *model_path;     /* the model file, as named on the command line */
  const char *title;          /* the page's title (--title), or NULL: one naming the data */
  const gbtm_fit_result *res; /* the model, its labels as the page names the groups */
  const traj_plot *figure;    /* its trajectories (traj_from_model_file) */
  const traj_style *style;    /* how the figure is drawn; format SVG_FORMAT_INLINE */
  const report_view *view;    /* how the coefficients are shown */
  const gbtm_profile *profile; /* the profiles of the groups (--profile), or NULL: none */
  const profile_cli_counts *profile_counts; /* how its person data matched the model's persons */
  const char *profile_persons;              /* that person data's file */
} html_report;

/* The document's head (title, the stylesheet for screen and A4 print) and
 * the page's heading. */
void html_report_begin(html *h, const html_report *r);
/* The model summary: data, family, K, orders, N, observations, log L,
 * BIC, AIC, the starts line. */
void html_report_summary(html *h, const html_report *r);
/* The groups: shares, assigned shares, AvePP, OCC, names. */
void html_report_groups(html *h, const html_report *r);
/* The trajectory figure, inline SVG; false (reported) if it could not be drawn. */
bool html_report_figure(html *h, const html_report *r);
/* Each group's coefficients with standard errors, z and p. */
void html_report_coefficients(html *h, const html_report *r);
/* The fit criteria and convergence. */
void html_report_fit(html *h, const html_report *r);
/* The profiles of the groups (nothing when r->profile is NULL): how the
 * persons matched, the classification errors, and per variable a table of
 * each group's modal, proportional and BCH estimates (ML3 for distal
 * outcomes) with standard errors, then its Wald tests and notes
 * (html_report_profile.c). */
void html_report_profile(html *h, const html_report *r);
/* Where the model came from, and the end of the document. */
void html_report_end(html *h, const html_report *r);

#endif
