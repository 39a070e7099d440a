/* report.h: the reports of a fitted model, as text for people and as one
 * JSON object for programs (DESIGN §5, §8). They depend only on what they
 * are given, not on command-line state, so that `gbtm fit` and the commands
 * that print a stored model share them. */
#ifndef GBTM_CLI_REPORT_H
#define GBTM_CLI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "gbtm.h"
#include "json.h"

/* How the coefficients are shown: on the age scale about centre (powers of
 * age - centre; 0: raw age), the default, or (basis_s) on the fitted basis
 * s (eq. AB, DESIGN §2). JSON gives both (beta and beta_age) either way. */
typedef struct report_view {
  double centre;
  bool basis_s;
} report_view;

/* Raw age. */
extern const report_view report_view_default;

/* Prints the data summary, the model, the groups with their coefficients
 * and the fit criteria to out, all from what the result holds (its data
 * summary included), so that a fit loaded from a model file prints as it
 * did when it was made.
 * data_name: how to name the data (e.g. the file name); may be NULL.
 * res: the fit (borrowed). view: NULL for report_view_default. */
void report_text(FILE *out, const char *data_name, const gbtm_fit_result *res, const report_view *view);

/* Prints the same content as one JSON object and a newline to out, numbers
 * with %.17g and undefined ones (NaN, inf) as null. Arguments as above. */
void report_json(FILE *out, const char *data_name, const gbtm_fit_result *res, const report_view *view);

/* Writes the members of that object (not its braces) into the object that
 * w has open, so that a caller can add its own members or put fit objects
 * in an array (gbtm select). Arguments as above. */
void report_json_members(json_writer *w, const char *data_name, const gbtm_fit_result *res,
                         const report_view *view);

/* x into buf with `decimals` decimals (report_fixed) or `digits`
 * significant digits (%g, report_general), or "-" when x is not finite:
 * no text report prints NaN or inf. Return buf. */
const char *report_fixed(char *buf, size_t size, double x, int decimals);
const char *report_general(char *buf, size_t size, double x, int digits);

/* ---- rows shared by the text report and the HTML report (cli/html_report.c) */

/* Group k's row of the group table, as the text report prints it: its
 * name ("2" or "2 early peak"; the label unescaped), share, assigned share,
 * AvePP and OCC ("-" where undefined). */
typedef struct report_group_row {
  char name[64], share[32], assigned[32], avepp[32], occ[32];
} report_group_row;
void report_group_row_get(const gbtm_fit_result *res, int k, report_group_row *row);

/* Group k's coefficient rows in view (NULL: the default): the predictor's
 * terms, the zero inflation's, then the family's own parameter
 * (family_parameter: positive, no z and p); returns how many. title: the
 * table's title ("Group 2 early peak coefficients (age scale)"). */
#define REPORT_MAX_COEF_ROWS (2 * GBTM_MAX_COEF + 1)
typedef struct report_coef_row {
  char name[64], estimate[32], se[32], z[32], p[32];
  bool family_parameter;
} report_coef_row;
int report_group_coefs(const gbtm_fit_result *res, int k, const report_view *view,
                       report_coef_row rows[REPORT_MAX_COEF_ROWS]);
void report_coef_title(const gbtm_fit_result *res, int k, const report_view *view, char *buf, size_t size);

/* The fit criteria and convergence rows of the "Fit" section (log L, p, N,
 * BIC in both forms, AIC, entropy, iterations, gradient, converged,
 * standard errors); heading, where not NULL, starts a new block of rows
 * ("" ends the previous one without a title). Returns how many. */
#define REPORT_MAX_FIT_ROWS 24
typedef struct report_fit_row {
  const char *heading, *label;
  char value[160];
} report_fit_row;
int report_fit_rows(const gbtm_fit_result *res, report_fit_row rows[REPORT_MAX_FIT_ROWS]);

/* The starts line: "best log-likelihood replicated 7 of 10 long runs (...)"
 * into buf; returns buf. */
const char *report_starts_text(const gbtm_fit_result *res, char *buf, size_t size);

#endif
