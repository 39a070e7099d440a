/* cmd_plot.c: `gbtm plot INPUT -o FIGURE.svg`, drawing a self-contained
 * SVG figure for a report:
 * - from the select.json of `gbtm select -o DIR` (or its --json output):
 *   BIC and the held-out log-likelihood against the number of groups K, one
 *   line per polynomial order, the best model by BIC marked; with
 *   --model K[:D] or --model best, that model's trajectories instead;
 * - from the output of `gbtm fit --json`: the model's trajectories;
 * - from a model file (gbtm fit -o, gbtm select -o DIR): its trajectories,
 *   with the observed posterior-weighted group means of its trajectory
 *   table (gbtm_trajectory_table_read()) as points.
 * A trajectory figure draws each group's expected count by age as a line,
 * its 95% band where the input has one, the observed means as hollow
 * markers where it has them, and a legend giving the shares. Lines differ in colour (the
 * Okabe-Ito palette, safe for colour-blind readers), dash pattern and
 * marker shape, so that the figure also reads in grey.
 *
 * The story: parse the options, read the input, pick the figure, write it
 * under a temporary name, rename it into place, free. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli_util.h"
#include "commands.h"
#include "gbtm.h"
#include "json_read.h"
#include "outfile.h"
#include "output_check.h"
#include "svg.h"

#define CMD "plot"
#define CURVE_POINTS 241 /* points per trajectory line */
#define MAX_TICKS 32

enum { OPT_MODEL = 256, OPT_TITLE, OPT_XLABEL, OPT_YLABEL, OPT_YMIN, OPT_YMAX, OPT_LABELS };

static const struct option long_options[] = {{"output", required_argument, NULL, 'o'},
                                             {"model", required_argument, NULL, OPT_MODEL},
                                             {"title", required_argument, NULL, OPT_TITLE},
                                             {"xlabel", required_argument, NULL, OPT_XLABEL},
                                             {"ylabel", required_argument, NULL, OPT_YLABEL},
                                             {"ymin", required_argument, NULL, OPT_YMIN},
                                             {"ymax", required_argument, NULL, OPT_YMAX},
                                             {"labels", required_argument, NULL, OPT_LABELS},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

typedef struct plot_args {
  const char *input, *output, *title;
  const char *model; /* --model K[:D] or "best", or NULL */
  svg_format format;  /* from the output's extension */
  const char *xlabel, *ylabel; /* a trajectory figure's axis labels, or NULL: Age and the family's */
  double ymin, ymax; /* its y range, NaN: from 0 to the data's */
  cli_label labels[GBTM_MAX_GROUPS]; /* --labels for this figure only, n_labels of them (0: the model's) */
  int n_labels;
} plot_args;

static void print_help(FILE *out) {
  fprintf(out,
          "usage: gbtm plot INPUT -o FIGURE.svg|.png|.pdf [--model K[:D] | --model best] [--title TEXT]\n"
          "\n"
          "Draws a figure: self-contained SVG, or PNG or PDF. INPUT is one of:\n"
          "  select.json      written by gbtm select -o DIR (or its --json output): BIC\n"
          "                   (-2 log L + p ln N, smaller is better) and, when the\n"
          "                   models were cross-validated, the held-out log-likelihood\n"
          "                   (higher is better) against the number of groups K, one\n"
          "                   line per polynomial order, the best model by BIC marked;\n"
          "                   with --model, that model's trajectories instead\n"
          "  fit.json         the output of gbtm fit --json: the model's trajectories\n"
          "  model.h5         a model file (gbtm fit -o, gbtm select -o DIR): the\n"
          "                   model's trajectories, with the observed means as points\n"
          "\n"
          "A trajectory figure shows each group's expected count by age, its 95%% band\n"
          "when the fit has standard errors (the \"trajectory\" arrays of gbtm fit\n"
          "--json, the trajectory table of a model file), for a model file saved\n"
          "with its data each group's observed mean count at each age, weighted by\n"
          "the posterior probabilities (sum_i tau_ik y_it / sum_i tau_ik E_it), as\n"
          "hollow markers, and the groups' fitted shares in the legend (with risk\n"
          "factors the mean of pi_k(z_i)). Lines differ in colour\n"
          "(Okabe-Ito palette), dash pattern and marker shape, so the figure also\n"
          "reads in grey.\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE  the figure to write (required): .svg, .png (twice the\n"
          "                     figure's size in pixels) or .pdf, by its extension\n"
          "  --model K[:D]      from select.json, draw the trajectories of the model with\n"
          "                     K groups (and order D, when several orders were fitted);\n"
          "                     \"best\" is the best model by BIC (default: the criteria)\n"
          "  --title TEXT       the figure's title (default: one naming the input)\n"
          "  --xlabel TEXT      a trajectory figure's x-axis label (default: Age)\n"
          "  --ylabel TEXT      its y-axis label (default: the family's, e.g. Expected\n"
          "                     count per age)\n"
          "  --ymin Y, --ymax Y its y range; the curves are clipped to it (default: 0\n"
          "                     to a little above the data)\n"
          "  --labels L1,L2,... the groups' names in this figure only (default: those\n"
          "                     the model was saved with, or numbers)\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 ok, 2 bad usage or input.\n");
}

static int parse_args(int argc, char **argv, plot_args *a) {
  memset(a, 0, sizeof *a);
  a->ymin = a->ymax = NAN;
  opterr = 0;
  int opt;
  int longindex = -1;
  cli_given given = {{false}};
  while ((opt = getopt_long(argc, argv, ":ho:", long_options, &longindex)) != -1) {
    if (!cli_option_once(CMD, opt, long_options, &longindex, &given)) return CLI_EXIT_USAGE;
    switch (opt) {
    case 'h': print_help(stdout); return CLI_EXIT_OK;
    case 'o': a->output = optarg; break;
    case OPT_MODEL: a->model = optarg; break;
    case OPT_TITLE: a->title = optarg; break;
    case OPT_XLABEL: a->xlabel = optarg; break;
    case OPT_LABELS: {
      char why[256];
      if (!cli_parse_labels(optarg, a->labels, &a->n_labels, why, sizeof why)) {
        cli_error(CMD, "%s", why);
        return CLI_EXIT_USAGE;
      }
      break;
    }
    case OPT_YLABEL: a->ylabel = optarg; break;
    case OPT_YMIN:
    case OPT_YMAX: {
      char why[256];
      if (!cli_parse_double(opt == OPT_YMIN ? "--ymin" : "--ymax", optarg, opt == OPT_YMIN ? &a->ymin : &a->ymax,
                            why, sizeof why)) {
        cli_error(CMD, "%s", why);
        return CLI_EXIT_USAGE;
      }
      break;
    }
    default:
      cli_option_problem(CMD, opt, argv, long_options);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    cli_error(CMD, "missing INPUT argument (usage: gbtm plot INPUT -o FIGURE.svg)");
    return CLI_EXIT_USAGE;
  }
  if (argc - optind > 1) {
    cli_error(CMD, "unexpected argument \"%s\" (usage: gbtm plot INPUT -o FIGURE.svg)",
              argv[optind + 1]);
    return CLI_EXIT_USAGE;
  }
  if (!a->output) {
    cli_error(CMD, "missing -o FIGURE.svg (the file to write)");
    return CLI_EXIT_USAGE;
  }
  a->input = argv[optind];
  cli_file input = {"the input", a->input, false}, output = {"-o", a->output, false};
  if (!output_check(CMD, &input, 1, &output, 1)) return CLI_EXIT_USAGE;
  /* the format follows the extension; a name without one (a pipe,
   * /dev/stdout) gets SVG */
  if ((a->format = svg_format_of(a->output)) == SVG_FORMAT_UNKNOWN) {
    cli_error(CMD, "-o %s: the figure's format follows its extension: .svg, .png or .pdf", a->output);
    return CLI_EXIT_USAGE;
  }
  if (isfinite(a->ymin) && isfinite(a->ymax) && !(a->ymin < a->ymax)) {
    cli_error(CMD, "--ymin %g is not below --ymax %g", a->ymin, a->ymax);
    return CLI_EXIT_USAGE;
  }
  return -1;
}

/* ---- frames ------------------------------------------------------------- */

/* A chart frame: the plot area, its axes with ticks, grid lines and labels. */
typedef struct frame {
  double left, top, width, height;
  svg_axis x, y;
  double xticks[MAX_TICKS], yticks[MAX_TICKS];
  int nx, ny;
} frame;

/* Sets up a frame over the data ranges and draws its grid, axes and labels.
 * integer_x: ticks at whole numbers only (K). */
static void frame_draw(svg *s, frame *f, double xlo, double xhi, double ylo, double yhi,
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

static void traj_plot_free(traj_plot *tp) {
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
static bool labels_fit(const plot_args *a, const gbtm_model *m) {
  if (a->n_labels == 0 || a->n_labels == gbtm_model_groups(m)) return true;
  cli_error(CMD, "--labels names %d groups, the model has %d", a->n_labels, gbtm_model_groups(m));
  return false;
}

/* false (reported) when the figure could not be drawn (cairo). */
static bool draw_trajectories(FILE *out, const traj_plot *tp, const plot_args *a) {
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
    cli_error(CMD, "cannot make the figure's image (cairo)");
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
    cli_error(CMD, "cannot write the figure (cairo)");
    return false;
  }
  return true;
}

/* A message about input that does not hold a model. */
static bool bad(char *why, size_t size, const char *path, const char *what) {
  snprintf(why, size, "%s: %s", path, what);
  return false;
}

/* The model of a `gbtm fit --json` object (or one of select.json's models),
 * into *out (owned by the caller, also when this fails: NULL or a partial
 * model). */
static bool model_from_json(const json_value *o, const char *path, gbtm_model **out, char *why,
                            size_t size) {
  *out = NULL;
  const json_value *fam = json_value_get(o, "model"), *basis = json_value_get(o, "basis");
  const json_value *range = json_value_get(o, "age_range"), *groups = json_value_get(o, "group");
  double K, centre, scale, lo, hi;
  gbtm_family_id family;
  if (!fam || fam->type != JSON_STRING || !gbtm_family_parse(fam->string, &family)) {
    char names[128], what[160];
    snprintf(what, sizeof what, "expected \"model\": %s", cli_family_list(CLI_FAMILIES_ALL, true, names, sizeof names));
    return bad(why, size, path, what);
  }
  if (!json_value_number(json_value_get(o, "groups"), &K) || !(K >= 1 && K <= GBTM_MAX_GROUPS) ||
      K != floor(K))
    return bad(why, size, path, "expected \"groups\": a number of groups from 1 to 16");
  if (!json_value_number(json_value_get(basis, "centre"), &centre) ||
      !json_value_number(json_value_get(basis, "scale"), &scale) || !isfinite(centre) ||
      !(scale > 0 && isfinite(scale)))
    return bad(why, size, path, "expected \"basis\": {\"centre\": C, \"scale\": H > 0}");
  if (!json_value_number(json_value_at(range, 0), &lo) ||
      !json_value_number(json_value_at(range, 1), &hi) || !isfinite(lo) || !isfinite(hi) || lo > hi)
    return bad(why, size, path, "expected \"age_range\": [lowest age, highest age]");
  if (!groups || groups->type != JSON_ARRAY || groups->count != (size_t)K)
    return bad(why, size, path, "expected \"group\": an array with one object per group");
  gbtm_error err = {GBTM_OK, ""};
  if (gbtm_model_new(family, (int)K, out, &err) != GBTM_OK ||
      gbtm_model_set_basis(*out, centre, scale, &err) != GBTM_OK ||
      gbtm_model_set_age_range(*out, lo, hi, &err) != GBTM_OK)
    return bad(why, size, path, err.status == GBTM_ERR_NOMEM ? "out of memory" : "not a model gbtm can draw");
  gbtm_model *m = *out;
  double share0 = NAN;
  for (int k = 0; k < (int)K; k++) {
    const json_value *g = json_value_at(groups, (size_t)k);
    const json_value *beta = json_value_get(g, "beta"), *alpha = json_value_get(g, "alpha");
    double share, order, iorder = -1;
    char what[128];
    snprintf(what, sizeof what, "group %d: expected \"share\" in (0, 1], \"order\" and \"beta\"", k + 1);
    if (!json_value_number(json_value_get(g, "share"), &share) || !(share > 0 && share <= 1) ||
        !json_value_number(json_value_get(g, "order"), &order) || !(order >= 0 && order <= GBTM_MAX_ORDER) ||
        order != floor(order) || !beta || beta->type != JSON_ARRAY || beta->count != (size_t)order + 1)
      return bad(why, size, path, what);
    if (gbtm_family_zero_inflated(family) &&
        (!json_value_number(json_value_get(g, "iorder"), &iorder) || !(iorder >= -1 && iorder <= GBTM_MAX_ORDER) ||
         iorder != floor(iorder) || !alpha || alpha->type != JSON_ARRAY ||
         alpha->count != (size_t)(iorder + 1))) {
      snprintf(what, sizeof what, "group %d: expected \"iorder\" and \"alpha\" (%s)", k + 1,
               gbtm_family_name(family));
      return bad(why, size, path, what);
    }
    if (gbtm_model_set_order(m, k, (int)order, &err) != GBTM_OK ||
        gbtm_model_set_iorder(m, k, (int)iorder, &err) != GBTM_OK)
      return bad(why, size, path, what);
    double v;
    for (int j = 0; j <= (int)order; j++)
      if (!json_value_number(json_value_at(beta, (size_t)j), &v) ||
          gbtm_model_set_beta(m, k, j, v, &err) != GBTM_OK)
        return bad(why, size, path, what);
    for (int j = 0; j <= (int)iorder; j++)
      if (!json_value_number(json_value_at(alpha, (size_t)j), &v) ||
          gbtm_model_set_alpha(m, k, j, v, &err) != GBTM_OK)
        return bad(why, size, path, what);
    if (k == 0) share0 = share;
    if (gbtm_model_set_theta(m, k, log(share / share0), &err) != GBTM_OK) return bad(why, size, path, what);
    const json_value *lab = json_value_get(g, "label"); /* gbtm fit --labels */
    if (lab && lab->type == JSON_STRING && gbtm_model_set_label(m, k, lab->string, &err) != GBTM_OK)
      return bad(why, size, path, "a group's \"label\" is too long or has a control character");
  }
  return true;
}

/* Each group's band from its "trajectory" array, where present and whole. */
static bool bands_from_json(const json_value *o, traj_plot *tp, const char *path, char *why,
                            size_t size) {
  const json_value *groups = json_value_get(o, "group");
  for (int k = 0; k < gbtm_model_groups(tp->model); k++) {
    const json_value *t = json_value_get(json_value_at(groups, (size_t)k), "trajectory");
    if (!t || t->type != JSON_ARRAY || t->count == 0) continue;
    size_t n = t->count;
    tp->band_age[k] = malloc(n * sizeof(double));
    tp->band_lo[k] = malloc(n * sizeof(double));
    tp->band_hi[k] = malloc(n * sizeof(double));
    if (!tp->band_age[k] || !tp->band_lo[k] || !tp->band_hi[k])
      return bad(why, size, path, "out of memory");
    for (size_t i = 0; i < n; i++) {
      const json_value *e = json_value_at(t, i);
      if (!json_value_number(json_value_get(e, "age"), &tp->band_age[k][i]) ||
          !json_value_number(json_value_get(e, "lower"), &tp->band_lo[k][i]) ||
          !json_value_number(json_value_get(e, "upper"), &tp->band_hi[k][i])) {
        char what[128];
        snprintf(what, sizeof what, "group %d: trajectory[%zu]: expected \"age\", \"lower\" and \"upper\"",
                 k + 1, i);
        return bad(why, size, path, what);
      }
    }
    tp->n_band[k] = n;
  }
  return true;
}

/* The title (--title, or one naming the data) and the subtitle: the
 * family, the orders, log L and BIC. */
static void traj_titles_set(traj_plot *tp, const plot_args *a, const char *name, double ll,
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

/* Titles from the model's object o and the file's root (its data's name). */
static void traj_titles(traj_plot *tp, const plot_args *a, const json_value *o,
                        const json_value *root) {
  const json_value *data = json_value_get(root, "data");
  const json_value *file = json_value_get(data, "file");
  if (!file) file = data; /* select.json names its data at the top */
  const char *name = file && file->type == JSON_STRING ? file->string : a->input;
  double ll = NAN, bic = NAN;
  json_value_number(json_value_get(o, "loglik"), &ll);
  json_value_number(json_value_get(o, "bic"), &bic);
  traj_titles_set(tp, a, name, ll, bic);
}

/* The trajectories of a model file: the model and its fit from
 * gbtm_model_load(), the bands and observed means from its trajectory
 * table. false (reported) when the file cannot be read. */
static bool traj_from_model_file(traj_plot *tp, const plot_args *a) {
  gbtm_error err = {GBTM_OK, ""};
  gbtm_fit_result *r = NULL;
  gbtm_status st = gbtm_model_load(a->input, &r, &err);
  if (st == GBTM_OK) st = gbtm_trajectory_table_read(a->input, &tp->table, &err);
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    gbtm_fit_result_free(r);
    return false;
  }
  const gbtm_trajectory_table *t = tp->table;
  if (!(tp->model = gbtm_model_copy(gbtm_fit_result_model(r)))) {
    cli_error(CMD, "out of memory");
    gbtm_fit_result_free(r);
    return false;
  }
  bool ok = t->groups == gbtm_model_groups(tp->model);
  if (!ok)
    cli_error(CMD, "%s: the trajectory table has %d groups, the model %d", a->input, t->groups,
              gbtm_model_groups(tp->model));
  for (int k = 0; ok && k < t->groups; k++) {
    size_t n = t->ages;
    tp->band_age[k] = malloc(n * sizeof(double));
    tp->band_lo[k] = malloc(n * sizeof(double));
    tp->band_hi[k] = malloc(n * sizeof(double));
    if (!tp->band_age[k] || !tp->band_lo[k] || !tp->band_hi[k]) {
      cli_error(CMD, "out of memory");
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

/* ---- criteria ------------------------------------------------------------- */

typedef struct crit_point {
  int groups, order;
  double bic, cv_loglik;
  bool best;
} crit_point;

/* One chart of value against K, a line per order. */
static void draw_panel(svg *s, frame *f, const crit_point *pt, size_t n, const int *orders,
                       int n_orders, bool cv, const char *ylabel) {
  double kmin = INFINITY, kmax = -INFINITY, vmin = INFINITY, vmax = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    double v = cv ? pt[i].cv_loglik : pt[i].bic;
    if (!isfinite(v)) continue;
    kmin = fmin(kmin, pt[i].groups);
    kmax = fmax(kmax, pt[i].groups);
    vmin = fmin(vmin, v);
    vmax = fmax(vmax, v);
  }
  double pad = 0.05 * (vmax - vmin);
  frame_draw(s, f, kmin, kmax, vmin - pad, vmax + pad, true, "Number of groups K", ylabel);
  for (int o = 0; o < n_orders; o++) {
    double px[GBTM_MAX_GROUPS + 1], py[GBTM_MAX_GROUPS + 1];
    size_t m = 0;
    for (size_t i = 0; i < n && m < GBTM_MAX_GROUPS + 1; i++) {
      if (pt[i].order != orders[o]) continue;
      double v = cv ? pt[i].cv_loglik : pt[i].bic;
      px[m] = isfinite(v) ? svg_axis_map(&f->x, pt[i].groups) : NAN;
      py[m++] = isfinite(v) ? svg_axis_map(&f->y, v) : NAN;
    }
    char id[40];
    snprintf(id, sizeof id, "%s-order-%d", cv ? "cv" : "bic", orders[o]);
    svg_path(s, px, py, m, "criterion", id, svg_colour(o), 2.2, svg_dash(o));
    for (size_t j = 0; j < m; j++)
      if (isfinite(px[j])) svg_marker(s, svg_shape(o), px[j], py[j], 4.5, svg_colour(o), "#ffffff", "point");
  }
  for (size_t i = 0; i < n; i++) { /* the best by BIC, ringed in both panels */
    double v = cv ? pt[i].cv_loglik : pt[i].bic;
    if (!pt[i].best || !isfinite(v)) continue;
    double x = svg_axis_map(&f->x, pt[i].groups), y = svg_axis_map(&f->y, v);
    if (!isfinite(x) || !isfinite(y)) continue; /* an axis whose range overflows */
    svg_circle(s, x, y, 10.0, "none", "#222222", 1.5, "best");
    svg_text(s, x, y + (cv ? 24 : -15), "middle", 12, true, 0, "best-label", "best BIC");
  }
}

static bool draw_criteria(FILE *out, const plot_args *a, const json_value *root, char *why,
                          size_t size) {
  const json_value *models = json_value_get(root, "models");
  crit_point *pt = calloc(models->count ? models->count : 1, sizeof *pt);
  if (!pt) return bad(why, size, a->input, "out of memory");
  int orders[GBTM_MAX_ORDER + 1], n_orders = 0;
  size_t n = 0;
  bool any_cv = false;
  for (size_t i = 0; i < models->count; i++) {
    const json_value *e = json_value_at(models, i);
    double K, d;
    if (!json_value_number(json_value_get(e, "groups"), &K) ||
        !json_value_number(json_value_get(e, "order"), &d) || !(K >= 1 && K <= GBTM_MAX_GROUPS) ||
        !(d >= 0 && d <= GBTM_MAX_ORDER)) {
      free(pt);
      char what[96];
      snprintf(what, sizeof what, "models[%zu]: expected \"groups\" and \"order\"", i);
      return bad(why, size, a->input, what);
    }
    crit_point *p = &pt[n++];
    p->groups = (int)K;
    p->order = (int)d;
    p->bic = p->cv_loglik = NAN;
    json_value_number(json_value_get(e, "bic"), &p->bic);
    json_value_number(json_value_get(e, "cv_loglik"), &p->cv_loglik);
    const json_value *best = json_value_get(e, "best_bic");
    p->best = best && best->type == JSON_BOOL && best->boolean;
    any_cv |= isfinite(p->cv_loglik);
    bool seen = false;
    for (int o = 0; o < n_orders; o++) seen |= orders[o] == p->order;
    if (!seen) orders[n_orders++] = p->order;
  }
  bool any_bic = false;
  for (size_t i = 0; i < n; i++) any_bic |= isfinite(pt[i].bic);
  if (!any_bic) {
    free(pt);
    return bad(why, size, a->input, "no model in \"models\" has a BIC to draw");
  }
  double folds = NAN;
  json_value_number(json_value_get(root, "cv_folds"), &folds);
  const json_value *data = json_value_get(root, "data");
  char title[512], ylab[128];
  if (a->title) snprintf(title, sizeof title, "%s", a->title);
  else snprintf(title, sizeof title, "Choosing the number of groups: %s",
                data && data->type == JSON_STRING ? data->string : a->input);
  svg s;
  double W = 860, H = any_cv ? 760 : 470;
  if (!svg_begin_as(&s, a->format, out, W, H, title)) {
    free(pt);
    return bad(why, size, a->output, "cannot make the figure's image (cairo)");
  }
  svg_text(&s, 80, 30, "start", 18, true, 0, "title", title);
  svg_text(&s, 80, 50, "start", 13, false, 0, "subtitle",
           any_cv ? "Top: BIC, smaller is better. Bottom: held-out log-likelihood, higher is better."
                  : "BIC, smaller is better (no cross-validation in this file: gbtm select --cv V).");
  frame top = {.left = 100, .top = 75, .width = 560, .height = 300};
  draw_panel(&s, &top, pt, n, orders, n_orders, false, "BIC = -2 log L + p ln N");
  if (any_cv) {
    frame bottom = {.left = 100, .top = 445, .width = 560, .height = 250};
    if (isfinite(folds)) snprintf(ylab, sizeof ylab, "Held-out log L (%g-fold)", folds);
    else snprintf(ylab, sizeof ylab, "Held-out log L");
    draw_panel(&s, &bottom, pt, n, orders, n_orders, true, ylab);
  }
  double lx = top.left + top.width + 25, ly = top.top + 10;
  svg_text(&s, lx, ly, "start", 14, true, 0, "legend-title", "Order");
  for (int o = 0; o < n_orders; o++) {
    double y = ly + 26 + 24 * o;
    svg_line(&s, lx, y - 4, lx + 40, y - 4, svg_colour(o), 2.2, svg_dash(o));
    svg_marker(&s, svg_shape(o), lx + 20, y - 4, 4.5, svg_colour(o), "#ffffff", "marker");
    char label[48];
    snprintf(label, sizeof label, "d = %d", orders[o]);
    svg_text(&s, lx + 50, y, "start", 13, false, 0, "legend", label);
  }
  bool ok = svg_end(&s);
  free(pt);
  return ok || bad(why, size, a->output, "cannot write the figure (cairo)");
}

/* The entry of select.json's models that --model names, or NULL. */
static const json_value *pick_model(const json_value *root, const char *spec, char *why,
                                    size_t size, const char *path) {
  const json_value *models = json_value_get(root, "models");
  if (strcmp(spec, "best") == 0) {
    double best;
    if (!json_value_number(json_value_get(root, "best_bic"), &best) || !isfinite(best) ||
        !json_value_at(models, (size_t)best)) {
      bad(why, size, path, "no best model (\"best_bic\") in the file");
      return NULL;
    }
    return json_value_at(models, (size_t)best);
  }
  int K, D = -1;
  char extra;
  if (!(sscanf(spec, "%d:%d%c", &K, &D, &extra) == 2 ||
        (sscanf(spec, "%d%c", &K, &extra) == 1 && !strchr(spec, ':')))) {
    snprintf(why, size, "--model: \"%s\" is not K, K:D or best", spec);
    return NULL;
  }
  const json_value *found = NULL;
  int matches = 0;
  for (size_t i = 0; i < models->count; i++) {
    const json_value *e = json_value_at(models, i);
    double k, d;
    if (!json_value_number(json_value_get(e, "groups"), &k) ||
        !json_value_number(json_value_get(e, "order"), &d))
      continue;
    if ((int)k == K && (D < 0 || (int)d == D)) {
      if (!found) found = e;
      matches++;
    }
  }
  if (!found) snprintf(why, size, "--model %s: no such model in %s", spec, path);
  else if (matches > 1) {
    snprintf(why, size, "--model %s: %d models have K = %d in %s; name the order as K:D", spec,
             matches, K, path);
    return NULL;
  }
  return found;
}

int cmd_plot(int argc, char **argv) {
  plot_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) return rc;
  char why[1024] = "";
  traj_plot tp;
  memset(&tp, 0, sizeof tp);

  /* A model file is a regular file (HDF5 seeks); anything else (a pipe, a
   * FIFO, /dev/stdin) is read once, as JSON, so its first bytes are not
   * consumed by a probe. */
  struct stat st;
  if (stat(a.input, &st) != 0) {
    cli_error(CMD, "%s: cannot open the file: %s", a.input, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  unsigned char magic[8] = {0};
  size_t got = 0;
  if (S_ISREG(st.st_mode)) {
    FILE *probe = fopen(a.input, "rb");
    if (!probe) {
      cli_error(CMD, "%s: cannot open the file: %s", a.input, strerror(errno));
      return CLI_EXIT_USAGE;
    }
    got = fread(magic, 1, sizeof magic, probe);
    fclose(probe);
  }
  if (got == 8 && memcmp(magic, "\x89HDF\r\n\x1a\n", 8) == 0) {
    if (a.model) {
      cli_error(CMD, "--model applies to select.json; %s holds one model", a.input);
      return CLI_EXIT_USAGE;
    }
    outfile f = {0};
    rc = CLI_EXIT_USAGE;
    if (traj_from_model_file(&tp, &a) && labels_fit(&a, tp.model) && outfile_open(&f, CMD, a.output) &&
        draw_trajectories(f.fp, &tp, &a) && outfile_commit(&f, CMD))
      rc = CLI_EXIT_OK;
    outfile_discard(&f);
    traj_plot_free(&tp);
    return rc;
  }

  json_value *root = json_read_file(a.input, why, sizeof why);
  if (!root) {
    cli_error(CMD, "%s", why);
    return CLI_EXIT_USAGE;
  }
  const json_value *models = json_value_get(root, "models");
  bool is_select = models && models->type == JSON_ARRAY;
  bool is_fit = json_value_get(root, "group") != NULL;
  outfile f = {0};
  rc = CLI_EXIT_USAGE;
  if (!is_select && !is_fit) {
    cli_error(CMD, "%s: neither a select.json (\"models\") nor the output of gbtm fit --json "
                   "(\"group\")", a.input);
    goto done;
  }
  if (is_fit && a.model) {
    cli_error(CMD, "--model applies to select.json; %s holds one model", a.input);
    goto done;
  }
  const json_value *one = is_fit ? root : NULL;
  if (is_select && a.model && !(one = pick_model(root, a.model, why, sizeof why, a.input))) {
    cli_error(CMD, "%s", why);
    goto done;
  }
  if (one) {
    if (!model_from_json(one, a.input, &tp.model, why, sizeof why) ||
        !bands_from_json(one, &tp, a.input, why, sizeof why)) {
      cli_error(CMD, "%s", why);
      goto done;
    }
    traj_titles(&tp, &a, one, root);
    gbtm_model_shares(tp.model, tp.share); /* the JSON's fitted shares: the model was built from them */
    if (!labels_fit(&a, tp.model)) goto done;
  }
  if (!outfile_open(&f, CMD, a.output)) goto done;
  if (one) {
    if (!draw_trajectories(f.fp, &tp, &a)) goto done;
  } else if (!draw_criteria(f.fp, &a, root, why, sizeof why)) {
    cli_error(CMD, "%s", why);
    goto done;
  }
  if (outfile_commit(&f, CMD)) rc = CLI_EXIT_OK;

done:
  outfile_discard(&f);
  traj_plot_free(&tp);
  json_value_free(root);
  return rc;
}
