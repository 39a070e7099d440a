/* cmd_convert.c: `gbtm convert DATA -o OUT [column options]`, rewriting a
 * panel in another layout: any input gbtm reads (long CSV, wide CSV, HDF5
 * panel), with its covariates, to an HDF5 panel (docs/manual.md "HDF5 panels"), or
 * to long CSV when OUT ends in .csv (wide CSV with --to-wide). A large panel converted once to HDF5
 * loads in a fraction of the time its CSV takes, at every later fit.
 *
 * The story: parse, read the panel (the reader's message and exit status 2
 * on bad input), write it crash-safely (a temporary name renamed into
 * place, so a failed run leaves no output file and an earlier one as it
 * was), print a one-line summary. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "outfile.h"
#include "output_check.h"
#include "gbtm.h"
#include "text_escape.h"

#define CMD "convert"

static const struct option long_options[] = {CLI_COLUMN_OPTIONS,
                                             {"output", required_argument, NULL, 'o'},
                                             {"to-wide", no_argument, NULL, 'W'},
                                             {"family", required_argument, NULL, 'F'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

typedef struct convert_args {
  const char *data, *output;
  gbtm_csv_columns columns;
  cli_columns column_args;
  bool csv;  /* write CSV (OUT ends in .csv) */
  bool wide; /* --to-wide: the wide layout */
} convert_args;

static void print_help(FILE *out) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  char real[128];
  fprintf(out,
          "usage: gbtm convert DATA -o OUT.h5 [options]\n"
          "       gbtm convert DATA -o OUT.csv [--to-wide] [options]\n"
          "\n"
          "Reads a panel (a long or wide CSV file, an HDF5 panel, or a Stata, SPSS\n"
          "or SAS file) with the\n"
          "covariates the options name, and writes it as an HDF5 panel, which gbtm\n"
          "fit, select and classify read much faster than CSV (layout: docs/manual.md\n"
          "\"HDF5 panels\"), or as a long CSV file when OUT ends in .csv: id,age,count, the\n"
          "exposure when any differs from 1, then the risk factors and the\n"
          "time-varying covariates. Persons keep the order of their first appearance,\n"
          "each person's observations ascending in age.\n"
          "\n"
          "Data:\n"
          "  --id NAME          column of person ids (default: %s)\n"
          "  --age NAME         column of ages (default: %s)\n"
          "  --count NAME       column of counts (default: %s)\n"
          "  --exposure NAME    column of exposures, the time at risk, > 0\n"
          "                     (default: %s)\n"
          "  --family FAMILY    the family the data are for: its responses are read and\n"
          "                     checked as it takes them (reals for %s) (default:\n"
          "                     counts, as poisson)\n"
          "%s"
          "\n"
          "Output:\n"
          "  -o, --output FILE  the file to write: an HDF5 panel (.h5, .hdf5) or long\n"
          "                     CSV (.csv) (required)\n"
          "  --to-wide          with -o OUT.csv, write the wide layout of PROC TRAJ: one\n"
          "                     row per person, id, the risk factors, then per wave w\n"
          "                     age<w>, count<w>[, exposure<w>], <covariate><w>; the\n"
          "                     options that read it back are printed\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 ok, 2 bad usage or input (no output file is left behind).\n",
          c.id, c.age, c.count, c.exposure ? c.exposure : "none, all exposures 1",
          cli_family_list(CLI_FAMILIES_REAL, false, real, sizeof real), CLI_COLUMN_HELP);
}

/* Returns -1 to go on, or the exit status to end with (already reported). */
static int parse_args(int argc, char **argv, convert_args *a) {
  memset(a, 0, sizeof *a);
  cli_columns_init(&a->column_args, &a->columns);
  opterr = 0; /* our own messages */
  optind = 0; /* a full restart of getopt's state (glibc) */
  int opt;
  int longindex = -1;
  cli_given given = {{false}};
  while ((opt = getopt_long(argc, argv, ":ho:", long_options, &longindex)) != -1) {
    if (!cli_option_once(CMD, opt, long_options, &longindex, &given)) return CLI_EXIT_USAGE;
    if (cli_column_option(opt, optarg, &a->column_args)) continue;
    switch (opt) {
    case 'h': print_help(stdout); return CLI_EXIT_OK;
    case 'o': a->output = optarg; break;
    case 'W': a->wide = true; break;
    case 'F':
      if (!gbtm_family_parse(optarg, &a->columns.family)) {
        char names[128];
        cli_error(CMD, "--family: \"%s\" is not a family (%s)", optarg,
                  cli_family_list(CLI_FAMILIES_ALL, false, names, sizeof names));
        return CLI_EXIT_USAGE;
      }
      break;
    default:
      cli_option_problem(CMD, opt, argv, long_options);
      return CLI_EXIT_USAGE;
    }
  }
  char why[512];
  if (!cli_columns_finish(&a->column_args, why, sizeof why)) {
    cli_error(CMD, "%s", why);
    return CLI_EXIT_USAGE;
  }
  if (!cli_columns_family(CMD, &a->column_args, a->columns.family)) return CLI_EXIT_USAGE;
  if (optind >= argc) {
    cli_error(CMD, "missing DATA argument (usage: gbtm convert DATA -o OUT.h5)");
    return CLI_EXIT_USAGE;
  }
  if (argc - optind > 1) {
    cli_error(CMD, "unexpected argument \"%s\" (usage: gbtm convert DATA -o OUT.h5)", argv[optind + 1]);
    return CLI_EXIT_USAGE;
  }
  a->data = argv[optind];
  if (!a->output) {
    cli_error(CMD, "missing -o OUT (an .h5 or .hdf5 file for an HDF5 panel, .csv for long CSV)");
    return CLI_EXIT_USAGE;
  }
  a->csv = cli_ends_with(a->output, ".csv");
  if (!a->csv && !cli_is_h5_name(a->output)) {
    cli_error(CMD, "-o %s: the name must end in .h5 or .hdf5 (an HDF5 panel) or .csv (long CSV)",
              a->output);
    return CLI_EXIT_USAGE;
  }
  if (a->wide && !a->csv) {
    cli_error(CMD, "--to-wide writes CSV: -o must name a .csv file");
    return CLI_EXIT_USAGE;
  }
  cli_file data = {"the data", a->data, false}, output = {"-o", a->output, !a->csv};
  if (!output_check(CMD, &data, 1, &output, 1)) return CLI_EXIT_USAGE;
  return -1;
}

/* The options that read a wide file of W waves back (write_wide.c). */
static void print_wide_options(const gbtm_panel *p, size_t W) {
  printf("read it with: --wide --count-cols count1-count%zu --age-cols age1-age%zu", W, W);
  if (gbtm_panel_has_exposure(p)) printf(" --exposure-cols exposure1-exposure%zu", W);
  for (int j = 0; j < gbtm_panel_n_risk(p); j++)
    printf("%s%s", j ? "," : " --risk ", gbtm_panel_risk_name(p, j));
  for (int j = 0; j < gbtm_panel_n_tcov(p); j++) {
    const char *name = gbtm_panel_tcov_name(p, j);
    printf(" --tcov '%s=%s1-%s%zu'", name, name, name, W);
  }
  putchar('\n');
}

int cmd_convert(int argc, char **argv) {
  convert_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) {
    cli_columns_free(&a.column_args);
    return rc;
  }
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_panel *panel = NULL;
  size_t waves = 0;
  gbtm_status st = gbtm_panel_read(a.data, &a.columns, &panel, &err);
  if (st == GBTM_OK) {
    cli_report_dropped(CMD, panel);
    char *tmp = outfile_hold_name(a.output, !a.csv);
    st = a.wide  ? gbtm_panel_write_wide_csv(panel, a.output, &waves, &err)
         : a.csv ? gbtm_panel_write_csv(panel, a.output, &err)
                 : gbtm_panel_write_h5(panel, a.output, &err);
    outfile_release_name(tmp);
  }
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
  } else {
    size_t n = gbtm_panel_n_persons(panel), obs = gbtm_panel_n_obs(panel);
    printf("wrote ");
    text_escape_put(stdout, a.output, false);
    printf(": %zu person%s, %zu observation%s, %d risk factor%s, %d time-varying covariate%s\n", n, n == 1 ? "" : "s", obs, obs == 1 ? "" : "s", gbtm_panel_n_risk(panel),
           gbtm_panel_n_risk(panel) == 1 ? "" : "s", gbtm_panel_n_tcov(panel),
           gbtm_panel_n_tcov(panel) == 1 ? "" : "s");
    if (a.wide) print_wide_options(panel, waves);
    rc = CLI_EXIT_OK;
  }
  gbtm_panel_free(panel);
  cli_columns_free(&a.column_args);
  return rc;
}
