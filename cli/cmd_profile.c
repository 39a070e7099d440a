/* cmd_profile.c: `gbtm profile MODEL.h5 PERSONS --vars COLS [--distal COL]
 * [--type NAME=T] [--data PANEL] [--json] [-o OUT.csv]`: person variables
 * and distal outcomes by trajectory group, by modal assignment, posterior
 * weights, and the BCH and ML three-step methods that correct for
 * classification error (DESIGN §9). The story: parse, reserve the output
 * file, load the model, take its posteriors (or classify --data), profile
 * (profile_cli.c), write, free. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "gbtm.h"
#include "outfile.h"
#include "output_check.h"
#include "profile_cli.h"

#define CMD "profile"

enum { OPT_JSON = CLI_OPT_COLUMNS_END, OPT_VARS, OPT_DISTAL, OPT_TYPE, OPT_DATA, OPT_LABELS };

static const struct option long_options[] = {CLI_COLUMN_OPTIONS,
                                             {"vars", required_argument, NULL, OPT_VARS},
                                             {"distal", required_argument, NULL, OPT_DISTAL},
                                             {"type", required_argument, NULL, OPT_TYPE},
                                             {"data", required_argument, NULL, OPT_DATA},
                                             {"labels", required_argument, NULL, OPT_LABELS},
                                             {"output", required_argument, NULL, 'o'},
                                             {"json", no_argument, NULL, OPT_JSON},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

typedef struct profile_args {
  const char *model, *output, *data;
  gbtm_csv_columns columns;
  cli_columns column_args;
  profile_request req;
  cli_label labels[GBTM_MAX_GROUPS];
  int n_labels;
  bool json;
} profile_args;

static void print_help(FILE *out) {
  fprintf(out,
          "usage: gbtm profile MODEL.h5 PERSONS --vars A,B,... [--distal COL] [options]\n"
          "\n"
          "Describes the groups of a model saved with gbtm fit -o MODEL.h5 by person\n"
          "variables read from PERSONS (CSV, Stata, SPSS or SAS; one row per person,\n"
          "matched to the model's persons by id): each group's mean or shares by modal\n"
          "assignment, by posterior weights, and by the BCH method, which corrects for\n"
          "the classification error; distal outcomes also by the ML three-step method.\n"
          "Wald tests say whether the groups differ. Persons of PERSONS not in the\n"
          "model, and the model's persons not in PERSONS, are counted and reported.\n"
          "\n"
          "Variables:\n"
          PROFILE_CLI_HELP);
  profile_cli_print_data_help(out);
  fprintf(out,
          "\n"
          "Output:\n"
          "  --labels L1,L2,... the groups' names, group 1 first, for this output only\n"
          "                     (default: the model's labels, else numbers)\n"
          "  -o, --output FILE  write the estimates as CSV to FILE: variable, type,\n"
          "                     quantity, group, label, method, estimate, se, n_used,\n"
          "                     n_missing (the tables are printed too)\n"
          "  --json             print the profile as JSON instead of the tables\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 ok, 2 bad usage or input (a file that is missing or malformed).\n");
}

static int parse_args(int argc, char **argv, profile_args *a) {
  memset(a, 0, sizeof *a);
  cli_columns_init(&a->column_args, &a->columns);
  opterr = 0;
  optind = 0;
  int opt, longindex = -1;
  cli_given given = {{false}};
  char why[512];
  while ((opt = getopt_long(argc, argv, ":ho:", long_options, &longindex)) != -1) {
    bool repeatable = opt == OPT_DISTAL || opt == OPT_TYPE;
    if (!repeatable && !cli_option_once(CMD, opt, long_options, &longindex, &given)) return CLI_EXIT_USAGE;
    longindex = -1;
    if (cli_column_option(opt, optarg, &a->column_args)) continue;
    bool ok = true;
    switch (opt) {
    case 'h': print_help(stdout); return CLI_EXIT_OK;
    case 'o': a->output = optarg; break;
    case OPT_JSON: a->json = true; break;
    case OPT_DATA: a->data = optarg; break;
    case OPT_VARS: ok = profile_request_vars(&a->req, optarg, false, why, sizeof why); break;
    case OPT_DISTAL: ok = profile_request_vars(&a->req, optarg, true, why, sizeof why); break;
    case OPT_TYPE: ok = profile_request_type(&a->req, optarg, why, sizeof why); break;
    case OPT_LABELS: ok = cli_parse_labels(optarg, a->labels, &a->n_labels, why, sizeof why); break;
    default: cli_option_problem(CMD, opt, argv, long_options); return CLI_EXIT_USAGE;
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
  if (argc - optind != 2) {
    if (argc - optind > 2)
      cli_error(CMD, "unexpected argument \"%s\" (usage: gbtm profile MODEL.h5 PERSONS --vars A,B,...)",
                argv[optind + 2]);
    else
      cli_error(CMD, "missing %s argument (usage: gbtm profile MODEL.h5 PERSONS --vars A,B,...)",
                argc - optind == 0 ? "MODEL" : "PERSONS");
    return CLI_EXIT_USAGE;
  }
  if (a->req.n_vars == 0) {
    cli_error(CMD, "no variables to profile: give --vars A,B,... or --distal COL");
    return CLI_EXIT_USAGE;
  }
  a->model = argv[optind];
  a->req.persons = argv[optind + 1];
  a->req.id = a->columns.id;
  a->req.delimiter = a->columns.delimiter, a->req.decimal = a->columns.decimal;
  cli_file inputs[] = {{"the model", a->model, false}, {"the person data", a->req.persons, false},
                       {"--data", a->data, false}};
  cli_file output = {"-o", a->output, false};
  if (!output_check(CMD, inputs, a->data ? 3 : 2, &output, 1)) return CLI_EXIT_USAGE;
  return -1;
}

int cmd_profile(int argc, char **argv) {
  profile_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) {
    cli_columns_free(&a.column_args);
    profile_request_free(&a.req);
    return rc;
  }
  outfile out = {0};
  gbtm_fit_result *res = NULL;
  profile_cli_posteriors pp = {0};
  if (a.output && !outfile_open(&out, CMD, a.output)) {
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_status st = gbtm_model_load(a.model, &res, &err);
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
    goto done;
  }
  const gbtm_model *m = gbtm_fit_result_model(res);
  int K = gbtm_model_groups(m);
  if (a.n_labels > 0 && a.n_labels != K) {
    cli_error(CMD, "--labels names %d groups, the model has %d", a.n_labels, K);
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  rc = profile_cli_posteriors_get(CMD, res, a.model, a.data, &a.columns, &a.column_args, &pp);
  if (rc >= 0) goto done;
  const char *labels[GBTM_MAX_GROUPS];
  for (int k = 0; k < K; k++) {
    const char *l = a.n_labels > 0 ? a.labels[k] : gbtm_model_label(m, k);
    labels[k] = l && l[0] ? l : NULL;
  }
  rc = profile_cli_run(CMD, &a.req, pp.tau, pp.ids, pp.N, K, labels, a.json, a.json ? NULL : stdout,
                       a.output ? out.fp : NULL);
  if (rc == CLI_EXIT_OK && a.output && !outfile_commit(&out, CMD)) rc = CLI_EXIT_USAGE;

done:
  cli_columns_free(&a.column_args); /* again: a no-op when freed */
  profile_request_free(&a.req);
  outfile_discard(&out);
  profile_cli_posteriors_free(&pp);
  gbtm_fit_result_free(res);
  return rc;
}
