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
#include "plot_traj.h"
#include "svg.h"

#define CMD "plot"

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

/* What a trajectory figure takes from the command line (plot_traj.h). */
static traj_style style_of(const plot_args *a) {
  return (traj_style){.cmd = CMD, .input = a->input, .title = a->title, .format = a->format, .xlabel = a->xlabel,
                      .ylabel = a->ylabel, .ymin = a->ymin, .ymax = a->ymax, .labels = a->labels,
                      .n_labels = a->n_labels};
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

/* Titles from the model's object o and the file's root (its data's name). */
static void traj_titles(traj_plot *tp, const plot_args *a, const json_value *o,
                        const json_value *root) {
  traj_style style = style_of(a);
  const json_value *data = json_value_get(root, "data");
  const json_value *file = json_value_get(data, "file");
  if (!file) file = data; /* select.json names its data at the top */
  const char *name = file && file->type == JSON_STRING ? file->string : a->input;
  double ll = NAN, bic = NAN;
  json_value_number(json_value_get(o, "loglik"), &ll);
  json_value_number(json_value_get(o, "bic"), &bic);
  traj_titles_set(tp, &style, name, ll, bic);
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
    traj_style style = style_of(&a);
    if (traj_from_model_file(&tp, &style) && traj_labels_fit(&style, tp.model) && outfile_open(&f, CMD, a.output) &&
        traj_draw(f.fp, &tp, &style) && outfile_commit(&f, CMD))
      rc = CLI_EXIT_OK;
    outfile_discard(&f);
    traj_plot_free(&tp);
    return rc;
  }

  traj_style style = style_of(&a);
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
    if (!traj_labels_fit(&style, tp.model)) goto done;
  }
  if (!outfile_open(&f, CMD, a.output)) goto done;
  if (one) {
    if (!traj_draw(f.fp, &tp, &style)) goto done;
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
