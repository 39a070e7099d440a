/* plot_traj.c: the trajectory figure of a model and the chart frame
 * (plot_traj.h), shared by `gbtm plot` (cli/cmd_plot.c) and `gbtm report`
 * (cli/html_report.c), so that the figure in a report is the one plot
 * draws. */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "gbtm.h"
#include "plot_traj.h"
#include "svg.h"

/* ---- frames ------------------------------------------------------------- */

/* Sets up a frame over the data ranges and draws its grid, axes and labels.
 * integer_x: ticks at whole numbers only (K). */
void frame_draw(svg *s, frame *f, double xlo, double xhi, double ylo, double yhi,
                       bool integer_x, const char *xlabel, const char *ylabel) {
  f->nx = svg_nice_ticks(&xlo, &xhi, integer_x ? (int)fmin(10, xhi - xlo + 1) : 8, f->xticks,
                         MAX_TICKS);
  if (integer_x) { /* keep whole-number ticks, a half step of room at each end */
    int n = 0;
    for (int i = 0; i < f->nx; i++)
      if (f->xticks[i] == floor(f->xticks[i])) f->xticks[n++] = f->xticks[i];
    f->nx = n;
    xlo -= 0.5;
    xhi += 0.5;
  }
  f->ny = svg_nice_ticks(&ylo, &yhi, 6, f->yticks, MAX_TICKS);
  f->x = (svg_axis){xlo, xhi, f->left, f->left + f->width};
  f->y = (svg_axis){ylo, yhi, f->top + f->height, f->top};
  char buf[64];
  double ystep = f->ny > 1 ? f->yticks[1] - f->yticks[0] : 1.0;
  double xstep = f->nx > 1 ? f->xticks[1] - f->xticks[0] : 1.0;
  for (int i = 0; i < f->ny; i++) {
    double y = svg_axis_map(&f->y, f->yticks[i]);
    svg_line(s, f->left, y, f->left + f->width, y, "#e3e3e3", 1.0, NULL);
    svg_tick_label(f->yticks[i], ystep, buf, sizeof buf);
    svg_text(s, f->left - 8, y + 4, "end", 12, false, 0, "tick", buf);
  }
  for (int i = 0; i < f->nx; i++) {
    double x = svg_axis_map(&f->x, f->xticks[i]);
    svg_line(s, x, f->top + f->height, x, f->top + f->height + 5, "#444444", 1.0, NULL);
    svg_tick_label(f->xticks[i], xstep, buf, sizeof buf);
    svg_text(s, x, f->top + f->height + 19, "middle", 12, false, 0, "tick", buf);
  }
  svg_rect(s, f->left, f->top, f->width, f->height, NULL, "#444444");
  svg_text(s, f->left + f->width / 2, f->top + f->height + 40, "middle", 14, false, 0, "axis-label",
           xlabel);
  svg_text(s, f->left - 58, f->top + f->height / 2, "middle", 14, false, -90, "axis-label", ylabel);
}

/* ---- trajectories --------------------------------------------------------- */

void traj_plot_free(traj_plot *tp) {
  for (int k = 0; k < GBTM_MAX_GROUPS; k++) {
    free(tp->band_age[k]);
    free(tp->band_lo[k]);
    free(tp->band_hi[k]);
  }
  gbtm_trajectory_table_free(tp->table);
  gbtm_model_free(tp->model);
  memset(tp, 0, sizeof *tp);
}

/* --labels names every group of the model drawn; false (reported) if not. */
bool traj_labels_fit(const traj_style *a, const gbtm_model *m) {
  if (a->n_labels == 0 || a->n_labels == gbtm_model_groups(m)) return true;
  cli_error(a->cmd, "--labels names %d groups, the model has %d", a->n_labels, gbtm_model_groups(m));
  return false;
}

/* false (reported) when the figure could not be drawn (cairo). */
bool traj_draw(FILE *out, const traj_plot *tp, const traj_style *a) {
  const gbtm_model *m = tp->model;
  int K = gbtm_model_groups(m);
  const double *share = tp->share;
  double age[CURVE_POINTS], mu[GBTM_MAX_GROUPS][CURVE_POINTS], ymax = 0.0;
  for (int i = 0; i < CURVE_POINTS; i++)
    age[i] = gbtm_model_age_min(m) + (gbtm_model_age_max(m) - gbtm_model_age_min(m)) * i / (CURVE_POINTS - 1.0);
  bool bands = false;
  for (int k = 0; k < K; k++) {
    for (int i = 0; i < CURVE_POINTS; i++) {
      mu[k][i] = gbtm_model_expected(m, k, age[i]);
      if (isfinite(mu[k][i])) ymax = fmax(ymax, mu[k][i]);
    }
    for (size_t i = 0; i < tp->n_band[k]; i++)
      if (isfinite(tp->band_hi[k][i])) ymax = fmax(ymax, tp->band_hi[k][i]);
    /* a band is drawn (and named in the legend) where it has finite points */
    for (size_t i = 0; tp->n_band[k] > 1 && i < tp->n_band[k]; i++)
      bands |= isfinite(tp->band_lo[k][i]) && isfinite(tp->band_hi[k][i]);
  }
  const gbtm_trajectory_table *tt = tp->table;
  const double *obs = tt ? tt->observed : NULL;
  bool points = false;
  for (size_t i = 0; obs && i < (size_t)K * tt->ages; i++)
    if (isfinite(obs[i])) {
      ymax = fmax(ymax, obs[i]);
      points = true;
    }
  svg s;
  double W = 860, H = 540;
  if (!svg_begin_as(&s, a->format, out, W, H, tp->title)) {
    cli_error(a->cmd, "cannot make the figure's image (cairo)");
    return false;
  }
  svg_text(&s, 70, 30, "start", 18, true, 0, "title", tp->title);
  svg_text(&s, 70, 50, "start", 13, false, 0, "subtitle", tp->subtitle);
  frame f = {.left = 80, .top = 70, .width = 560, .height = 380};
  const char *what = gbtm_family_expected_name(gbtm_model_family(m));
  char ylabel[64];
  snprintf(ylabel, sizeof ylabel, "%c%s per age", toupper((unsigned char)what[0]), what + 1);
  double ylo = isfinite(a->ymin) ? a->ymin : 0.0, yhi = isfinite(a->ymax) ? a->ymax : ymax > 0 ? ymax * 1.05 : 1.0;
  if (!(ylo < yhi)) yhi = ylo + 1.0; /* --ymin above the data */
  frame_draw(&s, &f, gbtm_model_age_min(m), gbtm_model_age_max(m), ylo, yhi, false, a->xlabel ? a->xlabel : "Age",
             a->ylabel ? a->ylabel : ylabel);
  double px[CURVE_POINTS], py[CURVE_POINTS];
  svg_clip_begin(&s, "plot-area", f.left, f.top, f.width, f.height);
  for (int k = 0; k < K; k++) { /* bands first, under every line */
    size_t n = tp->n_band[k];
    double *bx = malloc((n ? n : 1) * sizeof *bx), *blo = malloc((n ? n : 1) * sizeof *blo),
           *bhi = malloc((n ? n : 1) * sizeof *bhi);
    if (bx && blo && bhi) {
      for (size_t i = 0; i < n; i++) {
        bx[i] = svg_axis_map(&f.x, tp->band_age[k][i]);
        blo[i] = svg_axis_map(&f.y, tp->band_lo[k][i]);
        bhi[i] = svg_axis_map(&f.y, tp->band_hi[k][i]);
      }
      svg_band(&s, bx, blo, bhi, n, "band", svg_colour(k), 0.18);
    }
    free(bx), free(blo), free(bhi);
  }
  for (int k = 0; k < K; k++) {
    for (int i = 0; i < CURVE_POINTS; i++) {
      px[i] = svg_axis_map(&f.x, age[i]);
      py[i] = svg_axis_map(&f.y, mu[k][i]);
    }
    char id[32];
    snprintf(id, sizeof id, "trajectory-%d", k + 1);
    svg_path(&s, px, py, CURVE_POINTS, "trajectory", id, svg_colour(k), 2.6, svg_dash(k));
    /* markers along the line, every sixth of the range, offset per group */
    for (int j = 0; j < 6; j++) {
      int i = (int)((j + 0.5 + 0.5 * k / (double)K) * (CURVE_POINTS - 1) / 6.0);
      svg_marker(&s, svg_shape(k), px[i], py[i], 4.5, svg_colour(k), "#ffffff", "marker");
    }
  }
  for (int k = 0; points && k < K; k++) /* observed means: hollow markers, on top */
    for (size_t t = 0; t < tt->ages; t++) {
      double v = obs[(size_t)k * tt->ages + t];
      if (isfinite(v) && isfinite(tt->age[t]))
        svg_marker(&s, svg_shape(k), svg_axis_map(&f.x, tt->age[t]), svg_axis_map(&f.y, v), 3.6,
                   "#ffffff", svg_colour(k), "observed");
    }
  svg_clip_end(&s);
  /* legend */
  double lx = f.left + f.width + 25, ly = f.top + 10;
  svg_text(&s, lx, ly, "start", 14, true, 0, "legend-title", "Group (share)");
  for (int k = 0; k < K; k++) {
    double y = ly + 26 + 24 * k;
    svg_line(&s, lx, y - 4, lx + 40, y - 4, svg_colour(k), 2.6, svg_dash(k));
    svg_marker(&s, svg_shape(k), lx + 20, y - 4, 4.5, svg_colour(k), "#ffffff", "marker");
    char label[96];
    const char *name = a->n_labels ? a->labels[k] : gbtm_model_label(m, k);
    if (*name) snprintf(label, sizeof label, "%d %s: %.1f%%", k + 1, name, 100.0 * share[k]);
    else snprintf(label, sizeof label, "%d: %.1f%%", k + 1, 100.0 * share[k]);
    svg_text(&s, lx + 50, y, "start", 13, false, 0, "legend", label);
  }
  if (bands) {
    double y = ly + 26 + 24 * K + 10;
    svg_rect_translucent(&s, lx, y - 12, 40, 14, "#555555", 0.25);
    svg_text(&s, lx + 50, y, "start", 13, false, 0, "legend", "95% band");
  }
  if (points) {
    double y = ly + 26 + 24 * K + (bands ? 34 : 10);
    svg_circle(&s, lx + 20, y - 4, 3.6, "#ffffff", "#555555", 1.2, NULL);
    svg_text(&s, lx + 50, y, "start", 13, false, 0, "legend", "observed mean");
    svg_text(&s, lx + 50, y + 16, "start", 11, false, 0, "legend-note", "(posterior-weighted)");
  }
  if (!svg_end(&s)) {
    cli_error(a->cmd, "cannot write the figure (cairo)");
    return false;
  }
  return true;
}

/* The title (--title, or one naming the data) and the subtitle: the
 * family, the orders, log L and BIC. */
void traj_titles_set(traj_plot *tp, const traj_style *a, const char *name, double ll,
                            double bic) {
  const gbtm_model *m = tp->model;
  if (a->title) snprintf(tp->title, sizeof tp->title, "%s", a->title);
  else snprintf(tp->title, sizeof tp->title, "Trajectories of %d group%s: %s", gbtm_model_groups(m),
                gbtm_model_groups(m) == 1 ? "" : "s", name);
  char orders[64] = "";
  size_t used = 0;
  for (int k = 0; k < gbtm_model_groups(m) && used < sizeof orders; k++) {
    int n = snprintf(orders + used, sizeof orders - used, "%s%d", k ? "," : "", gbtm_model_order(m, k));
    if (n < 0) break;
    used += (size_t)n;
  }
  /* A value the input lacks (null) or cannot hold prints as "-". */
  char ll_text[32] = "-", bic_text[32] = "-";
  if (isfinite(ll)) snprintf(ll_text, sizeof ll_text, "%.2f", ll);
  if (isfinite(bic)) snprintf(bic_text, sizeof bic_text, "%.2f", bic);
  snprintf(tp->subtitle, sizeof tp->subtitle,
           "%s model, polynomial orders %s; log L %s, BIC %s (-2 log L + p ln N)",
           gbtm_family_title(gbtm_model_family(m)), orders, ll_text, bic_text);
}

/* The trajectories of a model file: the model and its fit from
 * gbtm_model_load(), the bands and observed means from its trajectory
 * table. false (reported) when the file cannot be read. */
bool traj_from_model_file(traj_plot *tp, const traj_style *a) {
  gbtm_error err = {GBTM_OK, ""};
  gbtm_fit_result *r = NULL;
  gbtm_status st = gbtm_model_load(a->input, &r, &err);
  if (st == GBTM_OK) st = gbtm_trajectory_table_read(a->input, &tp->table, &err);
  if (st != GBTM_OK) {
    cli_error_status(a->cmd, st, &err);
    gbtm_fit_result_free(r);
    return false;
  }
  const gbtm_trajectory_table *t = tp->table;
  if (!(tp->model = gbtm_model_copy(gbtm_fit_result_model(r)))) {
    cli_error(a->cmd, "out of memory");
    gbtm_fit_result_free(r);
    return false;
  }
  bool ok = t->groups == gbtm_model_groups(tp->model);
  if (!ok)
    cli_error(a->cmd, "%s: the trajectory table has %d groups, the model %d", a->input, t->groups,
              gbtm_model_groups(tp->model));
  for (int k = 0; ok && k < t->groups; k++) {
    size_t n = t->ages;
    tp->band_age[k] = malloc(n * sizeof(double));
    tp->band_lo[k] = malloc(n * sizeof(double));
    tp->band_hi[k] = malloc(n * sizeof(double));
    if (!tp->band_age[k] || !tp->band_lo[k] || !tp->band_hi[k]) {
      cli_error(a->cmd, "out of memory");
      ok = false;
      break;
    }
    memcpy(tp->band_age[k], t->age, n * sizeof(double));
    memcpy(tp->band_lo[k], t->lower + (size_t)k * n, n * sizeof(double));
    memcpy(tp->band_hi[k], t->upper + (size_t)k * n, n * sizeof(double));
    tp->n_band[k] = n;
    /* the fitted share: with risk factors the mean of pi_k(z_i), not the
     * share of a person whose factors are all 0 */
    tp->share[k] = gbtm_fit_result_group(r, k)->share;
  }
  if (ok) {
    const gbtm_model_file_info *fi = gbtm_fit_result_file_info(r);
    const char *name = fi && fi->data_name && fi->data_name[0] ? fi->data_name : a->input;
    const gbtm_fit_summary *s = gbtm_fit_result_summary(r);
    traj_titles_set(tp, a, name, s->loglik, s->bic);
  }
  gbtm_fit_result_free(r);
  return ok;
}

