/* cmd_select.c: `gbtm select DATA.csv --groups 1:6 [options]`, fitting
 * every number of groups K and polynomial order d of the given ranges (the
 * same d in every group), and printing one row per model with every
 * criterion reviewers ask for, the best model by BIC marked and the models
 * that break the usual adequacy rules flagged (DESIGN §5). With --cv V each
 * model is cross-validated over V folds of persons; with --refine the best
 * model's orders are refined by likelihood-ratio tests; with -o DIR the
 * table is saved as DIR/select.csv and DIR/select.json and every fitted
 * model as the HDF5 model file DIR/model_K<K>_D<d>.h5 (gbtm_model_save(),
 * with the data, so that its trajectory table holds the observed means),
 * the refined one as DIR/model_refined.h5.
 *
 * The story: parse the options, read the panel, open the output files,
 * sweep (progress on stderr), refine, print, save, free. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_covariates.h"
#include "cli_util.h"
#include "cmdline.h"
#include "commands.h"
#include "gbtm.h"
#include "json.h"
#include "memory_limit.h"
#include "outfile.h"
#include "output_check.h"
#include "report.h"
#include "text_escape.h"

#define CMD "select"

enum {
  OPT_FAMILY = CLI_OPT_COLUMNS_END, /* long-only options: values outside the char range */
  OPT_GROUPS,
  OPT_ORDER,
  OPT_IORDER,
  OPT_DISPERSION,
  OPT_YMIN,
  OPT_YMAX,
  OPT_SEED,
  OPT_THREADS,
  OPT_PILOT,
  OPT_CV,
  OPT_JSON,
  OPT_REFINE,
  OPT_MAX_MEMORY,
  OPT_LABELS,
  OPT_WEIGHT
};

static const struct option long_options[] = {
    CLI_COLUMN_OPTIONS,
    CLI_COVARIATE_OPTIONS,
    {"family", required_argument, NULL, OPT_FAMILY},
    {"model", required_argument, NULL, OPT_FAMILY}, /* the earlier spelling of --family */
    {"groups", required_argument, NULL, OPT_GROUPS},
    {"order", required_argument, NULL, OPT_ORDER},
    {"iorder", required_argument, NULL, OPT_IORDER},
    {"dispersion", required_argument, NULL, OPT_DISPERSION},
    {"min", required_argument, NULL, OPT_YMIN},
    {"max", required_argument, NULL, OPT_YMAX},
    CLI_STARTS_OPTIONS,
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"pilot", required_argument, NULL, OPT_PILOT},
    {"cv", required_argument, NULL, OPT_CV},
    {"json", no_argument, NULL, OPT_JSON},
    {"labels", required_argument, NULL, OPT_LABELS},
    {"weight", required_argument, NULL, OPT_WEIGHT},
    {"output", required_argument, NULL, 'o'},
    {"refine", no_argument, NULL, OPT_REFINE},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

typedef struct select_args {
  const char *data;
  gbtm_csv_columns columns;
  cli_columns column_args; /* the data-column options, owning their lists */
  gbtm_select_options options;
  const char *dir; /* -o DIR or NULL */
  bool json, quiet, refine, iorder_given, dispersion_given, bounds_given;
  const char *max_memory; /* --max-memory SIZE as given, or NULL */
  cli_label labels[GBTM_MAX_GROUPS]; /* --labels for the models with as many groups, n_labels of them */
  int n_labels;
  bool auto_given[3]; /* --max-starts, --replications, --time-limit */
} select_args;

static void print_help(FILE *out) {
  gbtm_select_options d = gbtm_select_options_default();
  gbtm_csv_columns c = gbtm_csv_columns_default();
  char all[128], inflated[128], with_phi[128], censored[128];
  fprintf(out,
          "usage: gbtm select DATA.csv [--groups K1:K2] [--order D1:D2 | --order D] [options]\n"
          "\n"
          "Fits every number of groups K and polynomial order d of the given ranges,\n"
          "with the same order in every group, and prints one row per model: log L,\n"
          "parameters p, BIC with N persons and with N observations (in the form\n"
          "-2 log L + p ln N, smaller is better, and in PROC TRAJ's form\n"
          "log L - p/2 ln N, higher is better), AIC, entropy, the smallest AvePP,\n"
          "OCC and group share, and how many long runs reached the best log L. The\n"
          "best model by BIC (N persons) is marked with '*'. Each K > 1 starts, besides\n"
          "its random starts, from the K-1 solution with its largest group split.\n"
          "\n"
          "Data (a long or wide CSV file or an HDF5 panel, as for gbtm fit):\n"
          "  --id NAME          column of person ids (default: %s)\n"
          "  --age NAME         column of ages (default: %s)\n"
          "  --count NAME       column of counts (default: %s)\n"
          "  --exposure NAME    column of exposures, > 0 (default: none, all 1)\n"
          "  --weight NAME      column of person-level sampling weights, one value per\n"
          "                     person, finite and > 0, rescaled to mean 1: every fit\n"
          "                     and the cross-validated log L are weighted (default:\n"
          "                     none)\n"
          "%s",
          c.id, c.age, c.count, CLI_COLUMN_HELP);
  fprintf(out,
          "\n"
          "Models:\n"
          "  --groups K1:K2     range of the number of groups, or one K (default: %d:%d)\n"
          "  --order D1:D2      range of polynomial orders of the log rate, or one order;\n"
          "                     the same order in every group (default: %d)\n"
          "  --family FAMILY    %s (default: %s); --model FAMILY is the same\n"
          "  --iorder Q         %s only: order of the logit of zero inflation in every\n"
          "                     group, -1 (none) to %d (default: %d)\n"
          "  --dispersion D     %s only: group (one dispersion per group) or common\n"
          "                     (one for all groups) (default: group)\n"
          "  --min Y, --max Y   %s only: the censoring points (default: the data's\n"
          "                     smallest and largest response)\n"
          CLI_STARTS_HELP
          "  --seed N           seed of the starts and of the folds (default: %llu)\n"
          "  --threads N        threads, 0 = all cores; more than %d are capped at %d\n"
          "                     (default: %d)\n"
          CLI_PILOT_HELP
          CLI_COVARIATE_HELP,
          d.groups_min, d.groups_max, d.order_min, cli_family_list(CLI_FAMILIES_ALL, false, all, sizeof all),
          gbtm_family_name(d.fit.family), cli_family_list(CLI_FAMILIES_INFLATED, false, inflated, sizeof inflated), GBTM_MAX_ORDER,
          d.fit.iorder[0], cli_family_list(CLI_FAMILIES_PHI, false, with_phi, sizeof with_phi),
          cli_family_list(CLI_FAMILIES_CENSORED, false, censored, sizeof censored), d.fit.max_starts, d.fit.replications, (unsigned long long)d.fit.seed, GBTM_MAX_THREADS, GBTM_MAX_THREADS,
          d.fit.threads);
  fputs(CLI_MAX_MEMORY_HELP, out);
  fprintf(out,
          "\n"
          "Cross-validation and refinement:\n"
          "  --cv V             V-fold cross-validation over persons: each fold is fitted\n"
          "                     on the other V-1 folds (also from the fit to all data) and\n"
          "                     the table adds the held-out log-likelihood (summed over\n"
          "                     folds, higher is better) and crimCV's CVE, the mean\n"
          "                     |y - yhat| over the held-out observed cells with yhat from\n"
          "                     each person's posterior groups (smaller is better)\n"
          "                     (default: no cross-validation)\n"
          "  --refine           starting from the best model by BIC, drop top polynomial\n"
          "                     terms one at a time: each step fits, for every distinct\n"
          "                     order, the model with one group of that order lowered by\n"
          "                     one, and keeps the best of them when a likelihood-ratio\n"
          "                     test finds the term not significant,\n"
          "                     2 (log L - log L reduced) < 3.841 (chi-square, 1 df, 5%%);\n"
          "                     it stops when the best drop is significant, and reports\n"
          "                     every test (likelihood-ratio tests rather than Wald tests\n"
          "                     of single coefficients) (default: off)\n");
  fprintf(out,
          "\n"
          "Output:\n"
          "  --json             print {\"models\": [...], \"best_bic\": i}: per model the keys\n"
          "                     of gbtm fit --json plus min_avepp, min_occ, min_share,\n"
          "                     cv_loglik, cve and flags (default: text)\n"
          "  --labels L1,L2,... the groups' names (group 1 first) for the models with\n"
          "                     as many groups; saved in their model files\n"
          "  -o, --output DIR   also save the table as DIR/select.csv and\n"
          "                     DIR/select.json, and every fitted model as the model\n"
          "                     file DIR/model_K<K>_D<d>.h5 (with --refine, the refined\n"
          "                     model as DIR/model_refined.h5; DIR is created if\n"
          "                     missing)\n"
          "  -q, --quiet        no progress on stderr (default: progress on)\n"
          "  -h, --help         show this help\n"
          "\n"
          "Flags: avepp (a group's AvePP < 0.7), occ (a group's OCC < 5), small (a group\n"
          "under 5%%), unreplicated (the best log L reached by one long run only; with\n"
          "--starts auto, by fewer than --replications), unconverged, failed (no start\n"
          "succeeded).\n"
          "\n"
          "Exit status: 0 ok, 1 no model could be fitted, 2 bad usage or input, or out of\n"
          "memory.\n");
}

/* "A:B" or "A" into lo..hi, each within min..max. */
static bool parse_range(const char *option, const char *text, int min, int max, int *lo, int *hi,
                        char *why, size_t why_size) {
  const char *colon = strchr(text, ':');
  if (!colon) {
    if (!cli_parse_int(option, text, min, max, lo, why, why_size)) return false;
    *hi = *lo;
    return true;
  }
  char first[64];
  size_t len = (size_t)(colon - text);
  if (len >= sizeof first) {
    snprintf(why, why_size, "%s: \"%s\" is not a range A:B", option, text);
    return false;
  }
  memcpy(first, text, len);
  first[len] = '\0';
  if (!cli_parse_int(option, first, min, max, lo, why, why_size) ||
      !cli_parse_int(option, colon + 1, min, max, hi, why, why_size))
    return false;
  if (*lo > *hi) {
    snprintf(why, why_size, "%s: the range %s is empty (%d > %d)", option, text, *lo, *hi);
    return false;
  }
  return true;
}

static bool apply_option(select_args *a, int opt, const char *arg, char *why, size_t why_size) {
  gbtm_select_options *o = &a->options;
  if (cli_column_option(opt, arg, &a->column_args)) return true;
  bool handled;
  bool ok = cli_covariate_option(opt, arg, &o->fit, &handled, why, why_size);
  if (handled) return ok;
  switch (opt) {
  case OPT_FAMILY:
    if (!gbtm_family_parse(arg, &o->fit.family)) {
      char names[128];
      snprintf(why, why_size, "--family: \"%s\" is not a family (%s)", arg,
               cli_family_list(CLI_FAMILIES_ALL, false, names, sizeof names));
      return false;
    }
    return true;
  case OPT_GROUPS:
    return parse_range("--groups", arg, 1, GBTM_MAX_GROUPS, &o->groups_min, &o->groups_max, why,
                       why_size);
  case OPT_ORDER:
    return parse_range("--order", arg, 0, GBTM_MAX_ORDER, &o->order_min, &o->order_max, why,
                       why_size);
  case OPT_YMIN:
  case OPT_YMAX:
    a->bounds_given = true;
    return cli_parse_double(opt == OPT_YMIN ? "--min" : "--max", arg, opt == OPT_YMIN ? &o->fit.ymin : &o->fit.ymax,
                            why, why_size);
  case OPT_DISPERSION:
    a->dispersion_given = true;
    return cli_parse_dispersion(arg, &o->fit.phi_common, why, why_size);
  case OPT_IORDER:
    a->iorder_given = true;
    return cli_parse_int("--iorder", arg, -1, GBTM_MAX_ORDER, &o->fit.iorder[0], why, why_size);
  case CLI_OPT_STARTS: return cli_starts_option(opt, arg, &o->fit, why, why_size);
  case CLI_OPT_MAX_STARTS:
  case CLI_OPT_REPLICATIONS:
  case CLI_OPT_TIME_LIMIT:
    a->auto_given[opt - CLI_OPT_MAX_STARTS] = true;
    return cli_starts_option(opt, arg, &o->fit, why, why_size);
  case OPT_SEED: return cli_parse_u64("--seed", arg, &o->fit.seed, why, why_size);
  case OPT_THREADS: return cli_parse_int("--threads", arg, 0, INT_MAX, &o->fit.threads, why, why_size);
  case OPT_PILOT: return cli_parse_pilot(arg, &o->fit.pilot, why, why_size);
  case OPT_CV: return cli_parse_int("--cv", arg, 2, INT_MAX, &o->cv_folds, why, why_size);
  case OPT_JSON: a->json = true; return true;
  case OPT_LABELS: return cli_parse_labels(arg, a->labels, &a->n_labels, why, why_size);
  case OPT_WEIGHT: a->columns.weight = arg; return true;
  case 'o': a->dir = arg; return true;
  case OPT_REFINE: a->refine = true; return true;
  case OPT_MAX_MEMORY:
    a->max_memory = arg;
    return cli_memory_limit_parse(arg, why, why_size);
  case 'q': a->quiet = true; return true;
  }
  snprintf(why, why_size, "option %d is not handled", opt);
  return false;
}

/* Returns -1 to go on, or the exit status to end with. */
static int parse_args(int argc, char **argv, select_args *a) {
  memset(a, 0, sizeof *a);
  cli_columns_init(&a->column_args, &a->columns);
  a->options = gbtm_select_options_default();
  a->options.fit.keep_posterior = false;
  char why[512];
  opterr = 0;
  int opt;
  int longindex = -1;
  cli_given given = {{false}};
  while ((opt = getopt_long(argc, argv, ":hqo:", long_options, &longindex)) != -1) {
    if (!cli_option_once(CMD, opt, long_options, &longindex, &given)) return CLI_EXIT_USAGE;
    if (opt == 'h') {
      print_help(stdout);
      return CLI_EXIT_OK;
    }
    if (cli_option_problem(CMD, opt, argv, long_options)) return CLI_EXIT_USAGE;
    if (!apply_option(a, opt, optarg, why, sizeof why)) {
      cli_error(CMD, "%s", why);
      return CLI_EXIT_USAGE;
    }
  }
  if (!cli_columns_finish(&a->column_args, why, sizeof why)) {
    cli_error(CMD, "%s", why);
    return CLI_EXIT_USAGE;
  }
  if (!cli_data_operand(CMD, argc, argv, &a->data)) return CLI_EXIT_USAGE;
  if (a->iorder_given && !gbtm_family_zero_inflated(a->options.fit.family)) {
    char names[128];
    cli_error(CMD, "--iorder applies only to --family %s", cli_family_list(CLI_FAMILIES_INFLATED, false, names, sizeof names));
    return CLI_EXIT_USAGE;
  }
  if (!cli_starts_fixed_only(CMD, &a->options.fit, a->auto_given)) return CLI_EXIT_USAGE;
  if (a->dispersion_given && !cli_dispersion_applies(CMD, a->options.fit.family)) return CLI_EXIT_USAGE;
  if (!cli_columns_family(CMD, &a->column_args, a->options.fit.family)) return CLI_EXIT_USAGE;
  if (a->bounds_given && !cli_bounds_apply(CMD, &a->options.fit)) return CLI_EXIT_USAGE;
  return -1;
}

/* ---- progress ----------------------------------------------------------- */

typedef struct select_progress {
  bool tty, drawn;
  double t0, last_draw;
} select_progress;

static void on_progress(const gbtm_select_progress *p, void *user) {
  select_progress *sp = user;
  double now = cli_now();
  if (!sp->tty) { /* one line per model */
    if (!p->entry) return;
    const gbtm_select_entry *e = p->entry;
    if (!e->fit) {
      fprintf(stderr, "gbtm %s: model %d of %d (K=%d, order %d): failed (%.1f s)\n", CMD,
              p->index + 1, p->count, p->groups, p->order, e->seconds);
      return;
    }
    const gbtm_fit_summary *s = gbtm_fit_result_summary(e->fit);
    fprintf(stderr, "gbtm %s: model %d of %d (K=%d, order %d): log L %.4f, BIC %.2f (%.1f s)\n",
            CMD, p->index + 1, p->count, p->groups, p->order, s->loglik, s->bic, e->seconds);
    return;
  }
  if (!p->entry && sp->drawn && now - sp->last_draw < 0.1) return;
  enum { WIDTH = 20 };
  char bar[WIDTH + 1];
  double done = p->index + (p->entry ? 1.0 : (p->folds > 0 && strcmp(p->phase, "cv") == 0
                                                  ? 0.5 + 0.5 * p->fold / (double)p->folds
                                                  : 0.0));
  int filled = (int)(done * WIDTH / p->count);
  for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '.';
  bar[WIDTH] = '\0';
  char what[64] = "";
  if (!p->entry && strcmp(p->phase, "cv") == 0)
    snprintf(what, sizeof what, ", fold %d/%d", p->fold + 1, p->folds);
  fprintf(stderr, "\r\033[Kgbtm %s: [%s] model %d/%d: K=%d, order %d%s, %.0f s", CMD, bar,
          p->index + 1, p->count, p->groups, p->order, what, now - sp->t0);
  fflush(stderr);
  sp->drawn = true;
  sp->last_draw = now;
}

static void progress_finish(select_progress *sp) {
  if (sp->tty && sp->drawn) fputs("\r\033[K", stderr);
  sp->drawn = false;
}

/* ---- flags -------------------------------------------------------------- */

static const struct {
  unsigned bit;
  const char *name;
} flag_names[] = {{GBTM_FLAG_FAILED, "failed"},          {GBTM_FLAG_AVEPP, "avepp"},
                  {GBTM_FLAG_OCC, "occ"},                {GBTM_FLAG_SMALL_GROUP, "small"},
                  {GBTM_FLAG_NOT_REPLICATED, "unreplicated"}, {GBTM_FLAG_NOT_CONVERGED, "unconverged"}};
enum { N_FLAGS = sizeof flag_names / sizeof flag_names[0] };

/* "avepp,small" or "" */
static void flags_text(unsigned flags, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < N_FLAGS; i++)
    if (flags & flag_names[i].bit) {
      int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", flag_names[i].name);
      if (n < 0 || (size_t)n >= size - used) break;
      used += (size_t)n;
    }
}

/* ---- the table ---------------------------------------------------------- */

static const char *num(char *buf, size_t size, double x, int decimals) {
  if (isfinite(x)) snprintf(buf, size, "%.*f", decimals, x);
  else snprintf(buf, size, "-");
  return buf;
}

static void print_table(FILE *out, const select_args *a, const gbtm_panel *panel,
                        const gbtm_select_result *r) {
  const gbtm_select_options *o = &a->options;
  bool cv = o->cv_folds > 0, inflated = gbtm_family_zero_inflated(o->fit.family);
  fprintf(out, "Data: ");
  text_escape_put(out, a->data, false);
  fprintf(out, ", %zu persons, %zu observations (person-ages)\n",
          gbtm_panel_n_persons(panel), gbtm_panel_n_obs(panel));
  if (gbtm_panel_weighted(panel)) { /* eq. W */
    double sum, min, max;
    gbtm_panel_weight_given(panel, &sum, &min, &max);
    fprintf(out, "Weight: ");
    text_escape_put(out, gbtm_panel_weight_name(panel), false);
    fprintf(out, " (sum %.6g, from %.6g to %.6g; rescaled to mean 1: log L is weighted, BIC's N is the persons)\n",
            sum, min, max);
  }
  fprintf(out, "Models: %s, K %d to %d, order %d to %d in every group", gbtm_family_name(o->fit.family),
          o->groups_min, o->groups_max, o->order_min, o->order_max);
  if (inflated) fprintf(out, ", zero-inflation order %d", o->fit.iorder[0]);
  if (gbtm_family_phi_name(o->fit.family))
    fprintf(out, ", %s %s", o->fit.phi_common ? "one" : "a", gbtm_family_phi_name(o->fit.family));
  if (gbtm_family_phi_name(o->fit.family) && !o->fit.phi_common) fputs(" per group", out);
  if (o->fit.starts == GBTM_STARTS_AUTO)
    fprintf(out, "; starts auto (until %d long runs reach the best, at most %d), seed %llu", o->fit.replications,
            o->fit.max_starts, (unsigned long long)o->fit.seed);
  else
    fprintf(out, "; %d starts, seed %llu", o->fit.starts, (unsigned long long)o->fit.seed);
  if (cv) fprintf(out, "; %d-fold cross-validation", o->cv_folds);
  fprintf(out, "\n\n");
  fprintf(out, "%-1s %2s %5s %12s %4s %11s %11s %12s %12s %11s %7s %6s %7s %6s %5s", "", "K",
          inflated ? "d/q" : "d", "log L", "p", "BIC(N)", "BIC(Nobs)", "traj(N)", "traj(Nobs)", "AIC",
          "entropy", "AvePP", "OCC", "share", "repl");
  if (cv) fprintf(out, " %12s %8s", "cv log L", "CVE");
  fprintf(out, "  %s\n", "flags");
  int best = gbtm_select_result_best(r);
  char b[16][48];
  for (size_t i = 0; i < gbtm_select_result_count(r); i++) {
    const gbtm_select_entry *e = gbtm_select_result_entry(r, i);
    char orders[16], flags[128], repl[24];
    if (inflated) snprintf(orders, sizeof orders, "%d/%d", e->order, e->iorder);
    else snprintf(orders, sizeof orders, "%d", e->order);
    flags_text(e->flags, flags, sizeof flags);
    if (!e->fit) {
      fprintf(out, "%-1s %2d %5s %12s  %s\n", "", e->groups, orders, "-", flags);
      continue;
    }
    const gbtm_fit_summary *s = gbtm_fit_result_summary(e->fit);
    snprintf(repl, sizeof repl, "%d/%d", s->best_replicated, s->starts_long);
    fprintf(out, "%-1s %2d %5s %12s %4d %11s %11s %12s %12s %11s %7s %6s %7s %6s %5s",
            (int)i == best ? "*" : "", e->groups, orders, num(b[0], 48, s->loglik, 2), s->n_params,
            num(b[1], 48, s->bic, 2), num(b[2], 48, s->bic_obs, 2), num(b[3], 48, s->bic_traj, 2),
            num(b[4], 48, s->bic_traj_obs, 2), num(b[5], 48, s->aic, 2),
            num(b[6], 48, s->entropy, 3), num(b[7], 48, e->min_avepp, 3),
            num(b[8], 48, e->min_occ, 1), num(b[9], 48, e->min_share, 3), repl);
    if (cv) fprintf(out, " %12s %8s", num(b[10], 48, e->cv.loglik, 2), num(b[11], 48, e->cv.cve, 4));
    fprintf(out, "  %s\n", flags);
  }
  fprintf(out,
          "\n* best by BIC(N). BIC(N) = -2 log L + p ln N persons, BIC(Nobs) = -2 log L + p ln N obs\n"
          "  and AIC = -2 log L + 2p: smaller is better. traj(N), traj(Nobs) = log L - p/2 ln N: the\n"
          "  BIC that PROC TRAJ and Stata traj print, higher is better.\n"
          "  AvePP, OCC, share: the smallest over the groups (rules of thumb: AvePP >= 0.7,\n"
          "  OCC >= 5, share >= 5%%). repl: long runs that reached the best log L, of those run.\n");
  if (cv)
    fprintf(out, "  cv log L: held-out log-likelihood summed over the %d folds, higher is better;\n"
                 "  CVE: mean |y - yhat| over held-out cells (crimCV), smaller is better.\n",
            o->cv_folds);
  fprintf(out, "  flags: avepp, occ, small: a group breaks that rule; unreplicated: the best log L\n"
               "  was reached once (%s); unconverged; failed: no start succeeded.\n",
          o->fit.starts == GBTM_STARTS_AUTO ? "automatic starts: by fewer long runs than asked for" : "by one long run");
}

static void print_csv(FILE *out, const gbtm_select_result *r) {
  fputs("groups,order,iorder,loglik,n_params,n_persons,n_obs,bic,bic_obs,bic_traj,bic_traj_obs,"
        "aic,entropy,min_avepp,min_occ,min_share,best_replicated,starts_long,converged,cv_loglik,"
        "cve,flags,best_bic\n",
        out);
  int best = gbtm_select_result_best(r);
  for (size_t i = 0; i < gbtm_select_result_count(r); i++) {
    const gbtm_select_entry *e = gbtm_select_result_entry(r, i);
    char flags[128];
    flags_text(e->flags, flags, sizeof flags);
    fprintf(out, "%d,%d,%d", e->groups, e->order, e->iorder);
    if (e->fit) {
      const gbtm_fit_summary *s = gbtm_fit_result_summary(e->fit);
      double v[] = {s->loglik};
      fprintf(out, ",%.17g,%d,%zu,%zu", v[0], s->n_params, s->n_persons, s->n_obs);
      double c[] = {s->bic, s->bic_obs, s->bic_traj, s->bic_traj_obs, s->aic, s->entropy,
                    e->min_avepp, e->min_occ, e->min_share};
      for (size_t j = 0; j < sizeof c / sizeof c[0]; j++) {
        if (isfinite(c[j])) fprintf(out, ",%.17g", c[j]);
        else fputc(',', out);
      }
      fprintf(out, ",%d,%d,%s", s->best_replicated, s->starts_long, s->converged ? "TRUE" : "FALSE");
    } else {
      fputs(",,,,,,,,,,,,,,,,", out);
    }
    double cvv[] = {e->cv.folds ? e->cv.loglik : NAN, e->cv.folds ? e->cv.cve : NAN};
    for (int j = 0; j < 2; j++) {
      if (isfinite(cvv[j])) fprintf(out, ",%.17g", cvv[j]);
      else fputc(',', out);
    }
    fprintf(out, ",\"%s\",%s\n", flags, (int)i == best ? "TRUE" : "FALSE");
  }
}

/* ---- refinement --------------------------------------------------------- */

typedef struct refine_log {
  gbtm_refine_step *steps;
  size_t n, cap;
  bool oom;
} refine_log;

static void on_step(const gbtm_refine_step *step, void *user) {
  refine_log *log = user;
  if (log->n == log->cap) {
    size_t cap = log->cap ? 2 * log->cap : 16;
    gbtm_refine_step *s = realloc(log->steps, cap * sizeof *s);
    if (!s) {
      log->oom = true;
      return;
    }
    log->steps = s;
    log->cap = cap;
  }
  log->steps[log->n++] = *step;
}

static void order_text(const int *order, int K, char *buf, size_t size);

/* The orders of m as order_text() gives them. */
static void model_order_text(const gbtm_model *m, char *buf, size_t size) {
  int order[GBTM_MAX_GROUPS] = {0};
  for (int k = 0; k < gbtm_model_groups(m); k++) order[k] = gbtm_model_order(m, k);
  order_text(order, gbtm_model_groups(m), buf, size);
}

static void order_text(const int *order, int K, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int k = 0; k < K; k++) {
    int n = snprintf(buf + used, size - used, "%s%d", k ? ", " : "", order[k]);
    if (n < 0 || (size_t)n >= size - used) break;
    used += (size_t)n;
  }
}

static void print_refine(FILE *out, const refine_log *log, const gbtm_fit_result *start,
                         const gbtm_fit_result *final) {
  const gbtm_model *m0 = gbtm_fit_result_model(start), *m = gbtm_fit_result_model(final);
  char buf[128], red[128], b1[48], b2[48];
  model_order_text(m0, buf, sizeof buf);
  fprintf(out,
          "\nRefinement of the best model by BIC, K = %d, orders %s: in each step every\n"
          "distinct order is lowered by one in one group (the fit decides which), and the\n"
          "best candidate is kept when 2 (log L - log L reduced) < 3.841 (chi-square,\n"
          "1 df, 5%%). Orders are listed by group, groups from the lowest trajectory.\n",
          gbtm_model_groups(m0), buf);
  for (size_t i = 0; i < log->n; i++) {
    const gbtm_refine_step *s = &log->steps[i];
    order_text(s->order, s->groups, buf, sizeof buf);
    order_text(s->reduced, s->groups, red, sizeof red);
    if (isnan(s->p_value)) {
      fprintf(out, "  step %d: %s -> %s: no start succeeded\n", s->step, buf, red);
      continue;
    }
    fprintf(out, "  step %d: %s -> %s: log L %s -> %s, LR %.3f, p %.3g%s\n", s->step, buf, red,
            num(b1, sizeof b1, s->loglik, 4), num(b2, sizeof b2, s->loglik_reduced, 4), s->lr,
            s->p_value, s->accepted ? ": dropped" : "");
  }
  const gbtm_fit_summary *s = gbtm_fit_result_summary(final);
  model_order_text(m, buf, sizeof buf);
  fprintf(out, "Refined orders: %s; log L %s, p %d, BIC(N) %s\n", buf,
          num(b1, sizeof b1, s->loglik, 4), s->n_params, num(b2, sizeof b2, s->bic, 2));
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_entry(json_writer *w, const char *data_name, const gbtm_select_entry *e, bool best) {
  json_object_begin(w);
  if (e->fit) {
    report_json_members(w, data_name, e->fit, NULL);
  } else {
    json_kv_int(w, "groups", e->groups);
    json_kv_string(w, "failure", e->failure);
  }
  json_kv_int(w, "order", e->order);
  json_kv_double(w, "min_avepp", e->min_avepp);
  json_kv_double(w, "min_occ", e->min_occ);
  json_kv_double(w, "min_share", e->min_share);
  json_kv_int(w, "cv_folds", e->cv.folds);
  json_kv_double(w, "cv_loglik", e->cv.folds ? e->cv.loglik : NAN);
  json_kv_double(w, "cve", e->cv.folds ? e->cv.cve : NAN);
  json_kv_int(w, "cv_folds_failed", e->cv.folds_failed);
  json_key(w, "flags");
  json_array_begin(w);
  for (int i = 0; i < N_FLAGS; i++)
    if (e->flags & flag_names[i].bit) json_string(w, flag_names[i].name);
  json_array_end(w);
  json_kv_bool(w, "best_bic", best);
  json_kv_double(w, "seconds", e->seconds);
  json_object_end(w);
}

static void print_json(FILE *out, const select_args *a, const gbtm_panel *panel, const gbtm_select_result *r,
                       const refine_log *log, const gbtm_fit_result *refined) {
  json_writer w;
  json_init(&w, out);
  json_object_begin(&w);
  json_kv_string(&w, "data", a->data);
  json_kv_string(&w, "criterion", "bic");
  json_kv_int(&w, "cv_folds", a->options.cv_folds);
  json_key(&w, "weight"); /* eq. W: null when unweighted */
  if (gbtm_panel_weighted(panel)) {
    double sum, min, max;
    gbtm_panel_weight_given(panel, &sum, &min, &max);
    json_object_begin(&w);
    json_kv_string(&w, "column", gbtm_panel_weight_name(panel));
    json_kv_double(&w, "sum", sum);
    json_kv_double(&w, "min", min);
    json_kv_double(&w, "max", max);
    json_kv_string(&w, "scaling", "mean 1");
    json_object_end(&w);
  } else {
    json_null(&w);
  }
  json_key(&w, "models");
  json_array_begin(&w);
  int best = gbtm_select_result_best(r);
  for (size_t i = 0; i < gbtm_select_result_count(r); i++)
    json_entry(&w, a->data, gbtm_select_result_entry(r, i), (int)i == best);
  json_array_end(&w);
  json_key(&w, "best_bic");
  if (best >= 0) json_int(&w, best);
  else json_null(&w);
  if (refined) {
    json_key(&w, "refine");
    json_object_begin(&w);
    json_key(&w, "steps");
    json_array_begin(&w);
    for (size_t i = 0; i < log->n; i++) {
      const gbtm_refine_step *s = &log->steps[i];
      json_object_begin(&w);
      json_kv_int(&w, "step", s->step);
      json_kv_int(&w, "from", s->from);
      json_key(&w, "order");
      json_array_begin(&w);
      for (int k = 0; k < s->groups; k++) json_int(&w, s->order[k]);
      json_array_end(&w);
      json_key(&w, "reduced");
      json_array_begin(&w);
      for (int k = 0; k < s->groups; k++) json_int(&w, s->reduced[k]);
      json_array_end(&w);
      json_kv_double(&w, "loglik", s->loglik);
      json_kv_double(&w, "loglik_reduced", s->loglik_reduced);
      json_kv_double(&w, "lr", s->lr);
      json_kv_double(&w, "p_value", s->p_value);
      json_kv_bool(&w, "dropped", s->accepted);
      json_object_end(&w);
    }
    json_array_end(&w);
    json_key(&w, "model");
    json_object_begin(&w);
    report_json_members(&w, a->data, refined, NULL);
    json_object_end(&w);
    json_object_end(&w);
  }
  json_object_end(&w);
  json_end(&w);
}

/* ---- the command ---------------------------------------------------------- */

/* DIR/name into buf; false (reported) when too long. */
static bool dir_path(char *buf, size_t size, const char *dir, const char *name) {
  int n = snprintf(buf, size, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= size) {
    cli_error(CMD, "%s: the path is too long", dir);
    return false;
  }
  return true;
}

/* Writes every fitted model of the sweep as DIR/model_K<K>_D<d>.h5 and the
 * refined one (or NULL) as DIR/model_refined.h5, with the command line, the
 * data's name and SHA-256, the seed and the panel (whose observed means go
 * into each file's trajectory table), each under its temporary name in
 * files[] (count() + 1 of them, zeroed), for the caller to commit once every
 * output of the run is written; false (reported) on the first failure. */
static bool write_models(const select_args *a, const char *command_line, const gbtm_panel *panel,
                         const gbtm_select_result *r, const gbtm_fit_result *refined, outfile *files) {
  gbtm_error err = {GBTM_OK, ""};
  char path[4096], name[64];
  gbtm_save_info info = {command_line, a->data, NULL, a->options.fit.seed, panel}; /* the panel's SHA-256 */
  for (size_t i = 0; i <= gbtm_select_result_count(r); i++) {
    const gbtm_fit_result *fit = refined;
    snprintf(name, sizeof name, "model_refined.h5");
    if (i < gbtm_select_result_count(r)) {
      const gbtm_select_entry *e = gbtm_select_result_entry(r, i);
      fit = e->fit;
      snprintf(name, sizeof name, "model_K%d_D%d.h5", e->groups, e->order);
    }
    if (!fit) continue;
    if (!dir_path(path, sizeof path, a->dir, name) || !outfile_reserve(&files[i], CMD, path)) return false;
    gbtm_status st = gbtm_model_save_reserved(fit, &info, &files[i], &err);
    if (st != GBTM_OK) {
      cli_error_status(CMD, st, &err);
      return false;
    }
  }
  return true;
}

/* Whether f's text reached its temporary file; false (reported with the
 * reason) when it did not. */
static bool flushed(outfile *f) {
  errno = 0;
  if (fflush(f->fp) == 0 && !ferror(f->fp)) return true;
  cli_error(CMD, "%s: cannot write the file: %s", f->path, strerror(errno ? errno : EIO));
  return false;
}

/* Writes the folder's files whole or not at all: every file is written
 * under its temporary name first (select.csv and select.json flushed, each
 * model file saved), and only then are they renamed into place, so that a
 * full disk, a size limit or a signal leaves none of them. */
static bool write_folder(const select_args *a, const char *command_line, const gbtm_panel *panel,
                         const gbtm_select_result *r, const refine_log *log, const gbtm_fit_result *refined,
                         outfile *csv, outfile *json) {
  size_t n = gbtm_select_result_count(r) + 1;
  outfile *models = calloc(n, sizeof *models);
  if (!models) {
    cli_error(CMD, "%s: out of memory for the model files", a->dir);
    return false;
  }
  print_csv(csv->fp, r);
  print_json(json->fp, a, panel, r, log, refined);
  bool ok = flushed(csv) && flushed(json) && write_models(a, command_line, panel, r, refined, models);
  if (ok) { /* all written: into place */
    ok = outfile_commit(csv, CMD) && outfile_commit(json, CMD);
    for (size_t i = 0; ok && i < n; i++)
      if (models[i].path) ok = outfile_commit(&models[i], CMD);
  }
  for (size_t i = 0; i < n; i++) outfile_discard(&models[i]);
  free(models);
  return ok;
}

/* The folder that will hold dir, which is not there yet: writable? */
static bool parent_writable(const char *dir) {
  char parent[4096];
  if (!dir_path(parent, sizeof parent, dir, "")) return false;
  size_t n = strlen(parent);
  while (n > 1 && parent[n - 1] == '/') parent[--n] = '\0';
  char *slash = strrchr(parent, '/');
  if (!slash) snprintf(parent, sizeof parent, ".");
  else slash[slash == parent] = '\0';
  if (access(parent, W_OK | X_OK) == 0) return true;
  cli_error(CMD, "%s: cannot create the folder: %s", dir, strerror(errno));
  return false;
}

/* Before any work: the files of -o DIR (select.csv, select.json, a model
 * file per K and d, model_refined.h5) checked against the data and each
 * other (output_check.h). */
static bool check_outputs(const select_args *a) {
  cli_file data = {"the data", a->data, false};
  struct stat st;
  if (!a->dir || stat(a->dir, &st) != 0) /* a DIR not there yet holds no file */
    return output_check(CMD, &data, 1, NULL, 0) && (!a->dir || parent_writable(a->dir));
  if (!S_ISDIR(st.st_mode)) {
    cli_error(CMD, "-o %s: not a folder (select writes a folder of files)", a->dir);
    return false;
  }
  const gbtm_select_options *o = &a->options;
  size_t n = 3 + (size_t)(o->groups_max - o->groups_min + 1) * (size_t)(o->order_max - o->order_min + 1);
  cli_file *outputs = calloc(n, sizeof *outputs);
  char **paths = calloc(n, sizeof *paths);
  char path[4096], name[64];
  size_t used = 0;
  bool ok = outputs && paths;
  for (int i = -3; ok && used < n; i++) {
    int k = 0, d = 0;
    if (i >= 0) {
      k = o->groups_min + i % (o->groups_max - o->groups_min + 1);
      d = o->order_min + i / (o->groups_max - o->groups_min + 1);
      if (d > o->order_max) break;
      snprintf(name, sizeof name, "model_K%d_D%d.h5", k, d);
    } else {
      if (i == -1 && !a->refine) continue;
      snprintf(name, sizeof name, "%s", i == -3 ? "select.csv" : i == -2 ? "select.json" : "model_refined.h5");
    }
    if (!dir_path(path, sizeof path, a->dir, name)) break;
    ok = (paths[used] = strdup(path)) != NULL;
    outputs[used] = (cli_file){"-o", paths[used], i != -3 && i != -2};
    used++;
  }
  if (!ok) cli_error(CMD, "out of memory");
  ok = ok && output_check(CMD, &data, 1, outputs, used);
  for (size_t i = 0; paths && i < n; i++) free(paths[i]);
  free(paths);
  free(outputs);
  return ok;
}

static void warn_about(const gbtm_select_result *r) {
  int best = gbtm_select_result_best(r);
  if (best < 0) return;
  const gbtm_select_entry *e = gbtm_select_result_entry(r, (size_t)best);
  if (e->flags) {
    char flags[128];
    flags_text(e->flags, flags, sizeof flags);
    cli_warning(CMD, "the best model by BIC (K=%d, order %d) breaks adequacy rules: %s",
                e->groups, e->order, flags);
  }
}

int cmd_select(int argc, char **argv) {
  /* As typed: getopt reorders argv while it parses. */
  char *command_line = cmdline_text("gbtm", argc, argv);
  if (!command_line) {
    cli_error(CMD, "out of memory for the command line");
    return cli_exit_code(GBTM_ERR_NOMEM);
  }
  select_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc < 0 && !check_outputs(&a)) rc = CLI_EXIT_USAGE;
  if (rc >= 0) {
    cli_columns_free(&a.column_args);
    free(command_line);
    return rc;
  }
  /* Before anything is read or created: will the data and the largest fit fit? */
  int starts = a.options.fit.starts == GBTM_STARTS_AUTO ? a.options.fit.max_starts : a.options.fit.starts;
  gbtm_memory_work work = {a.options.groups_max, starts, a.options.fit.threads,
                      a.columns.n_risk + a.columns.n_tcov, a.columns.exposure != NULL,
                      false, a.options.cv_folds, 0};
  if (!cli_procs && (rc = cli_memory_limit_check(CMD, a.max_memory, a.data, &a.columns, &work)) >= 0) {
    cli_columns_free(&a.column_args);
    free(command_line);
    return rc;
  }

  outfile csv = {0}, json = {0};
  bool created_dir = false; /* -o DIR made by this run */
  gbtm_error err = {GBTM_OK, ""};
  gbtm_panel *panel = NULL;
  gbtm_select_result *res = NULL;
  gbtm_fit_result *refined = NULL;
  refine_log log = {0};
  rc = CLI_EXIT_OK;

  a.columns.family = a.options.fit.family; /* refuse a response the family does not take */
  a.columns.ymin = a.options.fit.ymin, a.columns.ymax = a.options.fit.ymax;
  gbtm_status st = gbtm_panel_read_part(a.data, &a.columns, cli_procs, &panel, &err);
  cli_columns_free(&a.column_args); /* the panel keeps the names it needs */
  if (st == GBTM_OK) cli_report_dropped(CMD, panel);
  /* a weighted fit's standard errors (the refined model's): the sandwich (eq. W) */
  if (st == GBTM_OK && gbtm_panel_weighted(panel)) a.options.fit.se = GBTM_SE_ROBUST;
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    free(command_line);
    return cli_exit_code(st);
  }
  if (a.dir && cli_root()) { /* rank 0 writes the files */
    char path[4096];
    if (mkdir(a.dir, 0777) == 0) created_dir = true;
    if (!created_dir && errno != EEXIST) {
      cli_error(CMD, "%s: cannot create the folder: %s", a.dir, strerror(errno));
      rc = CLI_EXIT_USAGE;
    } else if (!dir_path(path, sizeof path, a.dir, "select.csv") || !outfile_open(&csv, CMD, path) ||
        !dir_path(path, sizeof path, a.dir, "select.json") || !outfile_open(&json, CMD, path)) {
      rc = CLI_EXIT_USAGE;
    }
  }
  if ((rc = cli_agree(rc)) != CLI_EXIT_OK) goto done;

  select_progress progress = {isatty(fileno(stderr)) == 1, false, cli_now(), 0.0};
  if (!a.quiet) {
    a.options.progress = on_progress;
    a.options.progress_user = &progress;
  }
  st = gbtm_select(panel, &a.options, &res, &err);
  if (!a.quiet) progress_finish(&progress);
  if (st == GBTM_OK && a.n_labels > 0) {
    const char *lp[GBTM_MAX_GROUPS];
    for (int k = 0; k < a.n_labels; k++) lp[k] = a.labels[k];
    st = gbtm_select_result_set_labels(res, lp, a.n_labels, &err);
  }
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
    goto done;
  }
  int best = gbtm_select_result_best(res);
  if (best < 0) {
    cli_error(CMD, "no model could be fitted");
    const gbtm_select_entry *e = gbtm_select_result_entry(res, 0);
    if (e && e->failure[0]) fprintf(stderr, "%s\n", e->failure);
    rc = CLI_EXIT_FIT;
    goto done;
  }

  const gbtm_select_entry *chosen = gbtm_select_result_entry(res, (size_t)best);
  if (a.refine) {
    gbtm_fit_options fo = a.options.fit;
    const gbtm_model *m = gbtm_fit_result_model(chosen->fit);
    fo.groups = gbtm_model_groups(m);
    for (int k = 0; k < gbtm_model_groups(m); k++) {
      fo.order[k] = gbtm_model_order(m, k);
      fo.iorder[k] = gbtm_model_iorder(m, k);
    }
    fo.centre = gbtm_model_centre(m);
    fo.scale = gbtm_model_scale(m);
    fo.start_from = m;
    fo.progress = NULL;
    if (!a.quiet) fprintf(stderr, "gbtm %s: refining the orders of K=%d\n", CMD, gbtm_model_groups(m));
    st = gbtm_refine(panel, &fo, on_step, &log, &refined, &err);
    if (st == GBTM_OK && log.oom) st = GBTM_ERR_NOMEM;
    if (st != GBTM_OK) {
      cli_error_status(CMD, st, &err);
      rc = cli_exit_code(st);
      goto done;
    }
  }

  if (a.json) {
    print_json(stdout, &a, panel, res, &log, refined);
  } else {
    print_table(stdout, &a, panel, res);
    if (refined) print_refine(stdout, &log, chosen->fit, refined);
  }
  warn_about(res);
  if (a.dir && cli_root()) {
    if (!write_folder(&a, command_line, panel, res, &log, refined, &csv, &json)) rc = CLI_EXIT_USAGE;
  }

done:
  outfile_discard(&csv);
  outfile_discard(&json);
  if (created_dir && rc != CLI_EXIT_OK) rmdir(a.dir); /* the folder this run made, if still empty */
  free(log.steps);
  gbtm_fit_result_free(refined);
  gbtm_select_result_free(res);
  gbtm_panel_free(panel);
  free(command_line);
  return rc;
}
