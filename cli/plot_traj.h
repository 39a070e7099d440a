/* plot_traj.h: the trajectory figure of a model, drawn as `gbtm plot` draws
 * it (cli/cmd_plot.c) and as `gbtm report` inlines it into an HTML page
 * (cli/html_report.c): each group's expected response by age, its 95% band,
 * the observed means of a model file, a legend with the fitted shares; and
 * the chart frame the criteria figure shares. */
#ifndef GBTM_CLI_PLOT_TRAJ_H
#define GBTM_CLI_PLOT_TRAJ_H

#include <stdbool.h>
#include <stdio.h>

#include "cli_util.h"
#include "gbtm.h"
#include "svg.h"

#define CURVE_POINTS 241 /* points per trajectory line */
#define MAX_TICKS 32

/* A chart frame: the plot area, its axes with ticks, grid lines and labels. */
typedef struct frame {
  double left, top, width, height;
  svg_axis x, y;
  double xticks[MAX_TICKS], yticks[MAX_TICKS];
  int nx, ny;
} frame;

/* Sets up a frame over the data ranges and draws its grid, axes and labels.
 * integer_x: ticks at whole numbers only (K). */
void frame_draw(svg *s, frame *f, double xlo, double xhi, double ylo, double yhi, bool integer_x,
                const char *xlabel, const char *ylabel);

/* A model's trajectories, with each group's 95% band where the input has
 * one (the "trajectory" array of gbtm fit --json: age, mean, lower, upper;
 * the trajectory table of a model file), and its observed means where the
 * input has them (a model file saved with its data). */
typedef struct traj_plot {
  gbtm_model *model; /* owned */
  size_t n_band[GBTM_MAX_GROUPS];
  double *band_age[GBTM_MAX_GROUPS], *band_lo[GBTM_MAX_GROUPS], *band_hi[GBTM_MAX_GROUPS];
  gbtm_trajectory_table *table; /* of a model file, or NULL */
  double share[GBTM_MAX_GROUPS]; /* the fitted (population) shares the legend gives */
  char title[512], subtitle[512];
} traj_plot;

/* Frees what tp holds and zeroes it. */
void traj_plot_free(traj_plot *tp);

/* What a trajectory figure takes from its command line. */
typedef struct traj_style {
  const char *cmd;             /* the command, for messages ("plot") */
  const char *input;           /* the input's name, for the default title */
  const char *title;           /* --title, or NULL: one naming the data */
  svg_format format;           /* SVG, PNG, PDF, or SVG_FORMAT_INLINE for an HTML page */
  const char *xlabel, *ylabel; /* the axis labels, or NULL: Age and the family's */
  double ymin, ymax;           /* the y range, NaN: from 0 to the data's */
  const cli_label *labels;     /* --labels for this figure only, n_labels of them (0: the model's) */
  int n_labels;
} traj_style;

/* --labels names every group of the model drawn; false (reported) if not. */
bool traj_labels_fit(const traj_style *a, const gbtm_model *m);
/* Draws the figure to out; false (reported) when it could not be drawn (cairo). */
bool traj_draw(FILE *out, const traj_plot *tp, const traj_style *a);
/* The title (a->title, or one naming the data) and the subtitle: the
 * family, the orders, log L and BIC. */
void traj_titles_set(traj_plot *tp, const traj_style *a, const char *name, double ll, double bic);
/* The trajectories of the model file a->input: the model and its fit from
 * gbtm_model_load(), the bands and observed means from its trajectory
 * table. false (reported) when the file cannot be read. */
bool traj_from_model_file(traj_plot *tp, const traj_style *a);

#endif
