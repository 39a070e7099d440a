/* cmd_report.c: `gbtm report MODEL.h5 -o REPORT.html`, writing the report
 * of a saved model as one self-contained HTML page (html_report.h): the
 * model summary, the groups, the trajectory figure of `gbtm plot` inline,
 * the coefficients with their standard errors (on the age scale by
 * default, as `gbtm show` prints them) and the fit criteria; it prints on
 * A4. With --profile PERSONS --vars ..., also the profiles of the groups
 * that `gbtm profile` computes (profile_cli.h, the same options and run).
 * --labels and --title name things in this page only: the model file is
 * only read. The story: parse the options, load the model and its
 * trajectories, apply the labels, profile the groups, write the page under
 * a temporary name, rename it into place, free. */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli_util.h"
#include "commands.h"
#include "gbtm.h"
#include "html.h"
#include "html_report.h"
#include "outfile.h"
#include "output_check.h"
#include "plot_traj.h"
#include "profile_cli.h"
#include "report.h"

#define CMD "report"

enum {
  OPT_TITLE = CLI_OPT_COLUMNS_END,
  OPT_LABELS,
  OPT_REPORT_CENTRE,
  OPT_REPORT_BASIS,
  OPT_PROFILE,
  OPT_VARS,
  OPT_DISTAL,
  OPT_TYPE,
  OPT_DATA
};

static const struct option long_options[] = {CLI_COLUMN_OPTIONS,
                                             {"output", required_argument, NULL, 'o'},
                                             {"title", required_argument, NULL, OPT_TITLE},
                                             {"labels", required_argument, NULL, OPT_LABELS},
                                             {"report-centre", required_argument, NULL, OPT_REPORT_CENTRE},
                                             {"report-basis", required_argument, NULL, OPT_REPORT_BASIS},
                                             {"profile", required_argument, NULL, OPT_PROFILE},
                                             {"vars", required_argument, NULL, OPT_VARS},
                                             {"distal", required_argument, NULL, OPT_DISTAL},
                                             {"type", required_argument, NULL, OPT_TYPE},
                                             {"data", required_argument, NULL, OPT_DATA},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

typedef struct report_args {
  const char *input, *output, *title;
  cli_label labels[GBTM_MAX_GROUPS]; /* --labels for this page only, n_labels of them (0: the model's) */
  int n_labels;
  report_view view;
  const char *data;           /* --data PANEL: the persons to profile, classified under the model */
  gbtm_csv_columns columns;   /* --id and --data's columns */
  cli_columns column_args;
  bool column_given;          /* a column option given (they go with --profile) */
  profile_request req;        /* --profile PERSONS --vars --distal --type (req.persons NULL: none) */
} report_args;

static void print_help(FILE *out) {
  fprintf(out,
          "usage: gbtm report MODEL.h5 -o REPORT.html [--title TEXT] [--labels L1,L2,...]\n"
          "                   [--profile PERSONS --vars A,B,... [--distal COL]]\n"
          "\n"
          "Writes the report of a model saved with gbtm fit -o MODEL.h5 as one\n"
          "self-contained HTML page: the model summary (family, K, orders, persons,\n"
          "observations, log L, BIC, AIC, the starts), the groups (shares, AvePP,\n"
          "OCC, names), the trajectory figure of gbtm plot, the coefficients with\n"
          "their standard errors as gbtm show prints them, and the fit criteria;\n"
          "with --profile, also the profiles of the groups that gbtm profile prints.\n"
          "The page needs no network (its style and figure are inline) and prints\n"
          "on A4, each table and the figure kept on one page (a table longer than a\n"
          "page breaks between rows, its header repeated).\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE  the page to write (required): a name ending in .html\n"
          "                     or .htm (or one without an extension, such as a pipe)\n"
          "  --title TEXT       the page's title (default: one naming the data)\n"
          "  --labels L1,L2,... the groups' names in this page only; the model file\n"
          "                     is not changed (default: those the model was saved\n"
          "                     with, or numbers)\n" CLI_REPORT_HELP
          "  -h, --help         show this help\n"
          "\n"
          "Profiles of the groups (as gbtm profile computes them):\n"
          "  --profile PERSONS  person data (CSV, Stata, SPSS or SAS; one row per\n"
          "                     person, matched to the model's persons by id): a\n"
          "                     table per variable of each group's modal,\n"
          "                     proportional and BCH estimates with standard errors\n"
          "                     and the Wald tests (distal outcomes also ML3)\n"
          PROFILE_CLI_HELP);
  profile_cli_print_data_help(out);
  fprintf(out,
          "\n"
          "Exit status: 0 ok, 2 bad usage or input.\n");
}

/* A page's name: .html or .htm (any case), or no extension (a pipe,
 * /dev/stdout), as gbtm plot takes a figure's name. */
static bool html_name(const char *path) {
  const char *base = strrchr(path, '/');
  const char *dot = strrchr(base ? base + 1 : path, '.');
  return !dot || strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0;
}

static int parse_args(int argc, char **argv, report_args *a) {
  memset(a, 0, sizeof *a);
  a->view = report_view_default;
  cli_columns_init(&a->column_args, &a->columns);
  opterr = 0;
  optind = 0; /* a full restart of getopt's state (glibc) */
  int opt;
  int longindex = -1;
  cli_given given = {{false}};
  char why[512];
  while ((opt = getopt_long(argc, argv, ":ho:", long_options, &longindex)) != -1) {
    bool repeatable = opt == OPT_DISTAL || opt == OPT_TYPE; /* as gbtm profile takes them */
    if (!repeatable && !cli_option_once(CMD, opt, long_options, &longindex, &given)) return CLI_EXIT_USAGE;
    longindex = -1;
    if (cli_column_option(opt, optarg, &a->column_args)) {
      a->column_given = true;
      continue;
    }
    bool ok = true;
    switch (opt) {
    case 'h': print_help(stdout); return CLI_EXIT_OK;
    case 'o': a->output = optarg; break;
    case OPT_TITLE: a->title = optarg; break;
    case OPT_LABELS: ok = cli_parse_labels(optarg, a->labels, &a->n_labels, why, sizeof why); break;
    case OPT_REPORT_CENTRE: ok = cli_parse_report_centre(optarg, &a->view.centre, why, sizeof why); break;
    case OPT_REPORT_BASIS: ok = cli_parse_report_basis(optarg, &a->view.basis_s, why, sizeof why); break;
    case OPT_PROFILE: a->req.persons = optarg; break;
    case OPT_DATA: a->data = optarg; break;
    case OPT_VARS: ok = profile_request_vars(&a->req, optarg, false, why, sizeof why); break;
    case OPT_DISTAL: ok = profile_request_vars(&a->req, optarg, true, why, sizeof why); break;
    case OPT_TYPE: ok = profile_request_type(&a->req, optarg, why, sizeof why); break;
    default:
      cli_option_problem(CMD, opt, argv, long_options);
      return CLI_EXIT_USAGE;
    }
    if (!ok) {
      cli_error(CMD, "%s", why);
      return CLI_EXIT_USAGE;
    }
  }
  if (!cli_columns_finish(&a->column_args, why, sizeof why) || !profile_request_finish(&a->req, why, sizeof why)) {
    cli_error(CMD, "%s", why);
    return CLI_EXIT_USAGE;
  }
  if (!a->req.persons && (a->req.n_vars > 0 || a->req.n_types > 0 || a->data || a->column_given)) {
    cli_error(CMD, "--vars, --distal, --type, --data and the column options (--id, ...) go with --profile PERSONS");
    return CLI_EXIT_USAGE;
  }
  if (a->req.persons && a->req.n_vars == 0) {
    cli_error(CMD, "--profile: give the variables with --vars A,B,... or --distal COL");
    return CLI_EXIT_USAGE;
  }
  a->req.id = a->columns.id;
  a->req.delimiter = a->columns.delimiter, a->req.decimal = a->columns.decimal;
  if (optind >= argc) {
    cli_error(CMD, "missing MODEL argument (usage: gbtm report MODEL.h5 -o REPORT.html)");
    return CLI_EXIT_USAGE;
  }
  if (argc - optind > 1) {
    cli_error(CMD, "unexpected argument \"%s\" (usage: gbtm report MODEL.h5 -o REPORT.html)", argv[optind + 1]);
    return CLI_EXIT_USAGE;
  }
  if (!a->output) {
    cli_error(CMD, "missing -o REPORT.html (the file to write)");
    return CLI_EXIT_USAGE;
  }
  a->input = argv[optind];
  cli_file inputs[] = {{"the model", a->input, false}, {"--profile", a->req.persons, false},
                       {"--data", a->data, false}};
  cli_file output = {"-o", a->output, false};
  if (!output_check(CMD, inputs, 3, &output, 1)) return CLI_EXIT_USAGE;
  if (!html_name(a->output)) {
    cli_error(CMD, "-o %s: the report is an HTML page; its name ends in .html or .htm", a->output);
    return CLI_EXIT_USAGE;
  }
  return -1;
}

int cmd_report(int argc, char **argv) {
  report_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) {
    cli_columns_free(&a.column_args);
    profile_request_free(&a.req);
    return rc;
  }

  traj_style style = {.cmd = CMD,
                      .input = a.input,
                      .format = SVG_FORMAT_INLINE,
                      .ymin = NAN,
                      .ymax = NAN,
                      .labels = a.labels,
                      .n_labels = a.n_labels};
  traj_plot tp;
  memset(&tp, 0, sizeof tp);
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_fit_result *res = NULL;
  profile_cli_posteriors pp = {0};
  gbtm_profile *profile = NULL;
  profile_cli_counts counts = {0};
  outfile f = {0};
  rc = CLI_EXIT_USAGE;
  gbtm_status st = gbtm_model_load(a.input, &res, &err);
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
    goto done;
  }
  if (!traj_from_model_file(&tp, &style) || !traj_labels_fit(&style, tp.model)) goto done;
  if (a.n_labels > 0) { /* this page's names; the file is not written */
    const char *lp[GBTM_MAX_GROUPS];
    for (int k = 0; k < a.n_labels; k++) lp[k] = a.labels[k];
    if ((st = gbtm_fit_result_set_labels(res, lp, a.n_labels, &err)) != GBTM_OK) {
      cli_error_status(CMD, st, &err);
      rc = cli_exit_code(st);
      goto done;
    }
  }
  if (a.req.persons) { /* the profiles, as gbtm profile computes them, before anything is written */
    int K = gbtm_model_groups(gbtm_fit_result_model(res));
    int prc = profile_cli_posteriors_get(CMD, res, a.input, a.data, &a.columns, &a.column_args, &pp);
    if (prc < 0) prc = profile_cli_compute(CMD, &a.req, pp.tau, pp.ids, pp.N, K, &profile, &counts);
    if (prc != CLI_EXIT_OK) {
      rc = prc;
      goto done;
    }
  }
  html_report r = {.model_path = a.input, .title = a.title, .res = res, .figure = &tp, .style = &style,
                   .view = &a.view, .profile = profile, .profile_counts = &counts,
                   .profile_persons = a.req.persons};
  if (!outfile_open(&f, CMD, a.output)) goto done;
  html h = {f.fp};
  html_report_begin(&h, &r);
  html_report_summary(&h, &r);
  html_report_groups(&h, &r);
  if (!html_report_figure(&h, &r)) goto done;
  html_report_coefficients(&h, &r);
  html_report_fit(&h, &r);
  html_report_profile(&h, &r);
  html_report_end(&h, &r);
  if (outfile_commit(&f, CMD)) rc = CLI_EXIT_OK;

done:
  outfile_discard(&f);
  gbtm_profile_free(profile);
  profile_cli_posteriors_free(&pp);
  cli_columns_free(&a.column_args);
  profile_request_free(&a.req);
  traj_plot_free(&tp);
  gbtm_fit_result_free(res);
  return rc;
}
