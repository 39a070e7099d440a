/* cmd_fit.c: `gbtm fit DATA.csv [options]`, fitting a group-based
 * trajectory model to a long CSV panel. The story: parse the options, read
 * the panel, check the options against it, fit, print the report (text or
 * JSON), write the posterior file and the model file, free.
 *
 * Usage errors are caught before the data is read where they can be (a list
 * of orders of the wrong length, a malformed number); the checks that need
 * the data (K against the persons, orders against the distinct ages) are the
 * library's, so that every caller gets the same messages. The posterior file
 * and the model file (-o, HDF5: gbtm_model_save_reserved) are created under
 * temporary names before the fit, so that an unwritable folder is reported
 * before hours of work, and renamed into place at the end; a failed run
 * leaves existing files as they were. The model file records the command
 * line as it was typed and the SHA-256 of the data file, so that a result
 * can be traced to its data. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_covariates.h"
#include "cli_util.h"
#include "cmdline.h"
#include "memory_limit.h"
#include "outfile.h"
#include "output_check.h"
#include "commands.h"
#include "gbtm.h"
#include "posterior_csv.h"
#include "profile_cli.h"
#include "report.h"
#include "report_bootstrap.h"
#include "report_multi.h"

#define CMD "fit"

enum {
  OPT_FAMILY = CLI_OPT_COLUMNS_END, /* long-only options: values outside the char range */
  OPT_GROUPS,
  OPT_ORDER,
  OPT_IORDER,
  OPT_DISPERSION,
  OPT_YMIN,
  OPT_YMAX,
  OPT_START_FROM,
  OPT_SEED,
  OPT_THREADS,
  OPT_KERNEL,
  OPT_CENTRE,
  OPT_SCALE,
  OPT_MAX_ITER,
  OPT_PILOT,
  OPT_TOL,
  OPT_NO_ACCEL,
  OPT_SE,
  OPT_BOOTSTRAP,
  OPT_JSON,
  OPT_POSTERIOR,
  OPT_MAX_MEMORY,
  OPT_REPORT_CENTRE,
  OPT_REPORT_BASIS,
  OPT_LABELS,
  OPT_KEEP, /* --keep, --profile, --vars, --distal, --type: profile_cli.h */
  OPT_PROFILE,
  OPT_VARS,
  OPT_DISTAL,
  OPT_TYPE,
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
    {"start-from", required_argument, NULL, OPT_START_FROM},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"centre", required_argument, NULL, OPT_CENTRE},
    {"center", required_argument, NULL, OPT_CENTRE},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"max-iter", required_argument, NULL, OPT_MAX_ITER},
    {"pilot", required_argument, NULL, OPT_PILOT},
    {"tol", required_argument, NULL, OPT_TOL},
    {"no-accel", no_argument, NULL, OPT_NO_ACCEL},
    {"se", required_argument, NULL, OPT_SE},
    {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
    {"json", no_argument, NULL, OPT_JSON},
    {"report-centre", required_argument, NULL, OPT_REPORT_CENTRE},
    {"report-basis", required_argument, NULL, OPT_REPORT_BASIS},
    {"labels", required_argument, NULL, OPT_LABELS},
    {"weight", required_argument, NULL, OPT_WEIGHT},
    {"posterior", required_argument, NULL, OPT_POSTERIOR},
    {"keep", required_argument, NULL, OPT_KEEP},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"vars", required_argument, NULL, OPT_VARS},
    {"distal", required_argument, NULL, OPT_DISTAL},
    {"type", required_argument, NULL, OPT_TYPE},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Everything the command line asks for. */
typedef struct fit_args {
  const char *data;           /* DATA.csv */
  gbtm_csv_columns columns;   /* column names */
  cli_columns column_args;    /* the data-column options, owning their lists */
  gbtm_fit_options options;   /* the fit, orders expanded once K is known */
  const char *order_text;     /* --order as given, or NULL */
  const char *iorder_text;    /* --iorder as given, or NULL */
  bool dispersion_given;      /* --dispersion */
  bool bounds_given;          /* --min or --max */
  const char *posterior_path; /* --posterior FILE, or NULL */
  const char *output;         /* -o FILE: the model file, or NULL */
  bool json, quiet;
  int bootstrap; /* --bootstrap B refits, 0 = none */
  const char *max_memory; /* --max-memory SIZE as given, or NULL */
  report_view view;       /* --report-centre, --report-basis */
  cli_label labels[GBTM_MAX_GROUPS]; /* --labels, n_labels of them (0: none) */
  int n_labels;
  const char *start_from; /* --start-from MODEL.h5, or NULL */
  bool auto_given[3];     /* --max-starts, --replications, --time-limit */
  const char *keep_text;  /* --keep COLS, or NULL */
  const char *profile_path, *vars_text, *distal_text, *type_text; /* --profile PERSONS, its variables */
  bool se_given;          /* --se: else robust when weighted (eq. W) */
} fit_args;

static void print_help(FILE *out) {
  gbtm_fit_options d = gbtm_fit_options_default();
  gbtm_csv_columns c = gbtm_csv_columns_default();
  char all[128], inflated[128], with_phi[128], censored[128];
  fprintf(out,
          "usage: gbtm fit DATA.csv [options]\n"
          "\n"
          "Fits a group-based trajectory model, a finite mixture of regressions of\n"
          "counts (Poisson, negative binomial, their zero-inflated forms) or of 0/1\n"
          "responses (logit) on a polynomial in age, by EM from random starts, and\n"
          "prints the groups, their coefficients and the fit criteria. DATA.csv is a long file with a header row and one row per person\n"
          "and age (in any order), a wide file (--wide), an HDF5 panel, or a Stata\n"
          "(.dta), SPSS (.sav) or SAS (.sas7bdat, .xpt) file in either layout.\n"
          "\n"
          "Data:\n"
          "  --id NAME          column of person ids (default: %s)\n"
          "  --age NAME         column of ages (default: %s)\n"
          "  --count NAME       column of counts (default: %s); a list Y1,Y2,... of a\n"
          "                     long CSV file's columns fits a multi-trajectory model,\n"
          "                     one membership for several outcomes, with --family,\n"
          "                     --order, --iorder and --dispersion listed per outcome\n"
          "                     with ';' (docs/manual.md, \"Several outcomes\")\n"
          "  --exposure NAME    column of exposures, the time at risk, > 0\n"
          "                     (default: %s)\n"
          "  --weight NAME      column of person-level sampling weights (PROC TRAJ's\n"
          "                     WEIGHT), one value per person, finite and > 0,\n"
          "                     rescaled to mean 1; standard errors then default to\n"
          "                     robust (default: none, unweighted)\n"
          "%s",
          c.id, c.age, c.count, c.exposure ? c.exposure : "none, all exposures 1", CLI_COLUMN_HELP);
  fprintf(out,
          "\n"
          "Model:\n"
          "  --family FAMILY    %s (default: %s); --model FAMILY is the same\n"
          "  --groups K         number of groups, 1 to %d (default: %d)\n"
          "  --order D          polynomial order in age of the log rate, 0 to %d: one\n"
          "                     value for all groups or D1,...,DK (default: %d)\n"
          "  --iorder Q         %s only: order of the logit of zero inflation, -1 (none)\n"
          "                     to %d: one value or Q1,...,QK (default: %d)\n"
          "  --dispersion D     %s only: group (one dispersion per group) or common\n"
          "                     (one for all groups) (default: group)\n"
          "  --min Y, --max Y   %s only: the censoring points; a response at or\n"
          "                     beyond one is censored there (default: the data's\n"
          "                     smallest and largest response)\n"
          "  --centre X         basis centre, s = (age - X) / H (default: the middle of\n"
          "                     the data's age range)\n"
          "  --scale H          basis scale, > 0 (default: half the data's age range)\n"
          CLI_COVARIATE_HELP,
          cli_family_list(CLI_FAMILIES_ALL, false, all, sizeof all), gbtm_family_name(d.family), GBTM_MAX_GROUPS, d.groups,
          GBTM_MAX_ORDER, d.order[0], cli_family_list(CLI_FAMILIES_INFLATED, false, inflated, sizeof inflated), GBTM_MAX_ORDER,
          d.iorder[0], cli_family_list(CLI_FAMILIES_PHI, false, with_phi, sizeof with_phi),
          cli_family_list(CLI_FAMILIES_CENSORED, false, censored, sizeof censored));
  fprintf(out,
          "\n"
          "Estimation:\n"
          CLI_STARTS_HELP
          "  --start-from MODEL.h5\n"
          "                     also start from a saved model with the same groups and\n"
          "                     orders, run to convergence first (default: none)\n"
          "  --seed N           seed from which all starts derive (default: %llu)\n"
          "  --max-iter N       E-steps per start at most (default: %d)\n"
          "  --tol X            converged when the max-norm of the gradient of log L is\n"
          "                     at most X per person (default: %g)\n"
          "  --no-accel         plain EM, without SQUAREM acceleration\n"
          "                     (default: %s)\n"
          CLI_PILOT_HELP
          "  --threads N        threads, 0 = all cores; more than %d are capped at %d\n"
          "                     (default: %d)\n"
          "  --kernel KERNEL    auto, dense or sparse (default: %s)\n"
          "  --se KIND          standard errors and intervals: model (inverse observed\n"
          "                     information), robust (sandwich) or none; with model or\n"
          "                     robust the EM estimate is polished by Newton's method\n"
          "                     until the Newton decrement is below 1e-8 (default: model;\n"
          "                     robust with --weight)\n"
          "  --bootstrap B      also B parametric-bootstrap refits (cohorts drawn from\n"
          "                     the fit on the data's design, each refitted from the\n"
          "                     estimate and by the rule of --starts), for percentile\n"
          "                     intervals of shares and trajectories (default: none)\n",
          d.max_starts, d.replications, (unsigned long long)d.seed,
          d.max_iterations, d.tol_gradient, d.accelerate ? "accelerated" : "plain", GBTM_MAX_THREADS,
          GBTM_MAX_THREADS, d.threads,
          gbtm_kernel_name(d.kernel));
  fputs(CLI_MAX_MEMORY_HELP, out);
  fprintf(out,
          "\n"
          "Output:\n"
          "  --json             print the report as one JSON object (default: text)\n"
          CLI_REPORT_HELP
          CLI_LABELS_HELP
          "  --posterior FILE   write the posterior group probabilities as CSV:\n"
          "                     id,group,p1,...,pK with group the modal group\n"
          "                     (default: not written)\n"
          "  --keep COLS        with --posterior: copy these person columns of DATA\n"
          "                     (constant within a person) into it, after p1..pK\n"
          "  --profile PERSONS  after the fit, profile the groups by the person\n"
          "                     variables of PERSONS, as gbtm profile does (not with\n"
          "                     --json); with:\n"
          PROFILE_CLI_HELP
          "  -o, --output FILE  save the model as an HDF5 model file, with the\n"
          "                     posteriors, this command line and the data file's\n"
          "                     SHA-256, for gbtm show, gbtm classify and gbtm simulate\n"
          "                     --model (default: not saved)\n"
          "  -q, --quiet        no progress on stderr (default: progress on)\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 ok (a fit that did not converge is reported with a warning),\n"
          "1 no start of the fit succeeded, 2 bad usage or input, or out of memory.\n");
}

/* Reads one option's value into a; returns false (with why) if malformed. */
static bool apply_option(fit_args *a, int opt, const char *arg, char *why, size_t why_size) {
  gbtm_fit_options *o = &a->options;
  if (cli_column_option(opt, arg, &a->column_args)) return true;
  bool handled;
  bool ok = cli_covariate_option(opt, arg, o, &handled, why, why_size);
  if (handled) return ok;
  switch (opt) {
  case OPT_FAMILY:
    if (!gbtm_family_parse(arg, &o->family)) {
      char names[128];
      snprintf(why, why_size, "--family: \"%s\" is not a family (%s)", arg,
               cli_family_list(CLI_FAMILIES_ALL, false, names, sizeof names));
      return false;
    }
    return true;
  case OPT_GROUPS:
    return cli_parse_int("--groups", arg, 1, GBTM_MAX_GROUPS, &o->groups, why, why_size);
  case OPT_ORDER: a->order_text = arg; return true;
  case OPT_IORDER: a->iorder_text = arg; return true;
  case OPT_DISPERSION:
    a->dispersion_given = true;
    return cli_parse_dispersion(arg, &o->phi_common, why, why_size);
  case OPT_YMIN:
  case OPT_YMAX:
    a->bounds_given = true;
    return cli_parse_double(opt == OPT_YMIN ? "--min" : "--max", arg, opt == OPT_YMIN ? &o->ymin : &o->ymax, why,
                            why_size);
  case CLI_OPT_STARTS: return cli_starts_option(opt, arg, o, why, why_size);
  case CLI_OPT_MAX_STARTS:
  case CLI_OPT_REPLICATIONS:
  case CLI_OPT_TIME_LIMIT:
    a->auto_given[opt - CLI_OPT_MAX_STARTS] = true;
    return cli_starts_option(opt, arg, o, why, why_size);
  case OPT_START_FROM: a->start_from = arg; return true;
  case OPT_SEED: return cli_parse_u64("--seed", arg, &o->seed, why, why_size);
  case OPT_THREADS: return cli_parse_int("--threads", arg, 0, INT_MAX, &o->threads, why, why_size);
  case OPT_KERNEL:
    if (!gbtm_kernel_parse(arg, &o->kernel)) {
      snprintf(why, why_size, "--kernel: \"%s\" is not a kernel (auto, dense or sparse)", arg);
      return false;
    }
    return true;
  case OPT_CENTRE: return cli_parse_double("--centre", arg, &o->centre, why, why_size);
  case OPT_SCALE:
    if (!cli_parse_double("--scale", arg, &o->scale, why, why_size)) return false;
    if (!(o->scale > 0.0)) {
      snprintf(why, why_size, "--scale: %s is not > 0", arg);
      return false;
    }
    return true;
  case OPT_MAX_ITER:
    return cli_parse_int("--max-iter", arg, 1, INT_MAX, &o->max_iterations, why, why_size);
  case OPT_TOL:
    if (!cli_parse_double("--tol", arg, &o->tol_gradient, why, why_size)) return false;
    if (!(o->tol_gradient > 0.0)) {
      snprintf(why, why_size, "--tol: %s is not > 0", arg);
      return false;
    }
    return true;
  case OPT_NO_ACCEL: o->accelerate = false; return true;
  case OPT_PILOT: return cli_parse_pilot(arg, &o->pilot, why, why_size);
  case OPT_BOOTSTRAP: return cli_parse_int("--bootstrap", arg, 2, 1000000, &a->bootstrap, why, why_size);
  case OPT_SE:
    a->se_given = true;
    if (strcmp(arg, "model") == 0 || strcmp(arg, "robust") == 0) {
      o->se = arg[0] == 'r' ? GBTM_SE_ROBUST : GBTM_SE_MODEL;
      o->inference = true;
    } else if (strcmp(arg, "none") == 0) {
      o->inference = false;
    } else {
      snprintf(why, why_size, "--se: \"%s\" is not model, robust or none", arg);
      return false;
    }
    return true;
  case OPT_JSON: a->json = true; return true;
  case OPT_REPORT_CENTRE: return cli_parse_report_centre(arg, &a->view.centre, why, why_size);
  case OPT_REPORT_BASIS: return cli_parse_report_basis(arg, &a->view.basis_s, why, why_size);
  case OPT_LABELS: return cli_parse_labels(arg, a->labels, &a->n_labels, why, why_size);
  case OPT_WEIGHT: a->columns.weight = arg; return true;
  case OPT_POSTERIOR: a->posterior_path = arg; return true;
  case OPT_KEEP: a->keep_text = arg; return true;
  case OPT_PROFILE: a->profile_path = arg; return true;
  case OPT_VARS: a->vars_text = arg; return true;
  case OPT_DISTAL: a->distal_text = arg; return true;
  case OPT_TYPE: a->type_text = arg; return true;
  case OPT_MAX_MEMORY:
    a->max_memory = arg;
    return cli_memory_limit_parse(arg, why, why_size);
  case 'o': a->output = arg; return true;
  case 'q': a->quiet = true; return true;
  }
  snprintf(why, why_size, "option %d is not handled", opt);
  return false;
}

/* The profile request of --profile, --vars, --distal and --type into r;
 * false with why. */
static bool fit_profile_request(const fit_args *a, profile_request *r, char *why, size_t why_size) {
  memset(r, 0, sizeof *r);
  r->persons = a->profile_path;
  r->id = a->columns.id;
  r->delimiter = a->columns.delimiter, r->decimal = a->columns.decimal;
  return (!a->vars_text || profile_request_vars(r, a->vars_text, false, why, why_size)) &&
         (!a->distal_text || profile_request_vars(r, a->distal_text, true, why, why_size)) &&
         (!a->type_text || profile_request_type(r, a->type_text, why, why_size)) &&
         profile_request_finish(r, why, why_size);
}

/* --keep and --profile's options, checked before the fit (reported). */
static bool fit_profile_options(fit_args *a) {
  char why[512];
  if (a->keep_text) {
    posterior_keep keep = {0};
    bool ok = posterior_keep_parse(&keep, a->keep_text, why, sizeof why);
    posterior_keep_free(&keep);
    if (!a->posterior_path) snprintf(why, sizeof why, "--keep copies columns into the --posterior file: give --posterior FILE"), ok = false;
    if (!ok) return cli_error(CMD, "%s", why), false;
  }
  if (!a->profile_path) {
    if (a->vars_text || a->distal_text || a->type_text)
      return cli_error(CMD, "--vars, --distal and --type go with --profile PERSONS"), false;
    return true;
  }
  if (a->json) return cli_error(CMD, "--profile prints tables, not JSON: run gbtm profile MODEL.h5 PERSONS --json"), false;
  if (!a->vars_text && !a->distal_text) return cli_error(CMD, "--profile: give the variables with --vars or --distal"), false;
  profile_request r;
  bool ok = fit_profile_request(a, &r, why, sizeof why);
  profile_request_free(&r);
  if (!ok) cli_error(CMD, "%s", why);
  return ok;
}

/* --profile: the profile of the fit's groups (profile_cli.c). */
static int fit_profile_run(const fit_args *a, const gbtm_fit_result *res) {
  char why[512];
  profile_request r;
  int rc = CLI_EXIT_USAGE;
  const gbtm_model *m = gbtm_fit_result_model(res);
  const char *labels[GBTM_MAX_GROUPS];
  for (int k = 0; k < gbtm_model_groups(m); k++) labels[k] = gbtm_model_label(m, k)[0] ? gbtm_model_label(m, k) : NULL;
  if (!fit_profile_request(a, &r, why, sizeof why)) cli_error(CMD, "%s", why);
  else if (!gbtm_fit_result_posterior(res) || !gbtm_fit_result_ids(res)) cli_error(CMD, "the fit kept no posterior probabilities");
  else {
    fputc('\n', stdout);
    rc = profile_cli_run(CMD, &r, gbtm_fit_result_posterior(res), gbtm_fit_result_ids(res),
                         gbtm_fit_result_data(res)->persons, gbtm_model_groups(m), labels, false, stdout, NULL);
  }
  profile_request_free(&r);
  return rc;
}

/* --profile's person data read and checked before the fit (its columns,
 * one row per person, numbers where numbers are needed, a person of the
 * panel among them), so that a mistake there does not wait for the fit.
 * Returns -1 to go on, or the exit status (reported). */
static int fit_profile_check(const fit_args *a, const gbtm_panel *panel) {
  char why[512];
  profile_request r;
  if (!fit_profile_request(a, &r, why, sizeof why)) {
    profile_request_free(&r);
    cli_error(CMD, "%s", why);
    return CLI_EXIT_USAGE;
  }
  const char *names[PROFILE_CLI_MAX_VARS];
  for (int v = 0; v < r.n_vars; v++) names[v] = r.name[v];
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_person_table *t = NULL;
  gbtm_status st = gbtm_person_table_read(r.persons, r.id, (size_t)r.n_vars, names, false, r.delimiter,
                                          r.decimal, &t, &err);
  for (int v = 0; st == GBTM_OK && v < r.n_vars; v++) { /* as profile_cli_run requires them */
    gbtm_profile_type ty = r.type[v];
    if (ty != GBTM_PROFILE_CONTINUOUS && ty != GBTM_PROFILE_COUNT && !(r.distal[v] && ty == GBTM_PROFILE_AUTO))
      continue;
    char what[64];
    snprintf(what, sizeof what, "%s %s", ty == GBTM_PROFILE_AUTO ? "distal" : gbtm_profile_type_name(ty),
             r.distal[v] ? "outcome" : "variable");
    st = gbtm_person_table_require_numeric(t, (size_t)v, what, &err);
  }
  int rc = -1;
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
  } else {
    size_t n = gbtm_panel_n_persons(panel), matched = 0;
    for (size_t i = 0; i < n && matched == 0; i++) matched += gbtm_person_table_find(t, gbtm_panel_id(panel, i)) != SIZE_MAX;
    if (n > 0 && matched == 0) {
      cli_error(CMD, "--profile: no person of %s is a person of %s (ids from column \"%s\")", r.persons, a->data,
                r.id);
      rc = CLI_EXIT_USAGE;
    }
  }
  gbtm_person_table_free(t);
  profile_request_free(&r);
  return rc;
}

/* Parses the command line into a. Returns -1 to go on, or the exit status
 * to end with (0 after --help, 2 after a usage error, already reported). */
static int parse_args(int argc, char **argv, fit_args *a) {
  memset(a, 0, sizeof *a);
  cli_columns_init(&a->column_args, &a->columns);
  a->options = gbtm_fit_options_default();
  char why[512];
  opterr = 0; /* our own messages */
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

  /* Per-group lists need K; the library checks their values against the data. */
  gbtm_fit_options *o = &a->options;
  if (a->order_text &&
      !cli_parse_int_list("--order", a->order_text, o->groups, INT_MIN, INT_MAX, o->order, why,
                          sizeof why)) {
    cli_error(CMD, "%s", why);
    return CLI_EXIT_USAGE;
  }
  if (a->iorder_text) {
    if (!gbtm_family_zero_inflated(o->family)) {
      char names[128];
      cli_error(CMD, "--iorder applies only to --family %s", cli_family_list(CLI_FAMILIES_INFLATED, false, names, sizeof names));
      return CLI_EXIT_USAGE;
    }
    if (!cli_parse_int_list("--iorder", a->iorder_text, o->groups, INT_MIN, INT_MAX, o->iorder,
                            why, sizeof why)) {
      cli_error(CMD, "%s", why);
      return CLI_EXIT_USAGE;
    }
  }
  if (!cli_starts_fixed_only(CMD, o, a->auto_given)) return CLI_EXIT_USAGE;
  if (a->dispersion_given && !cli_dispersion_applies(CMD, o->family)) return CLI_EXIT_USAGE;
  if (!cli_columns_family(CMD, &a->column_args, o->family)) return CLI_EXIT_USAGE;
  if (a->bounds_given && !cli_bounds_apply(CMD, o)) return CLI_EXIT_USAGE;
  cli_file inputs[] = {{"the data", a->data, false}, {"--profile", a->profile_path, false}};
  cli_file outputs[] = {{"--posterior", a->posterior_path, false}, {"-o", a->output, true}};
  if (!output_check(CMD, inputs, a->profile_path ? 2 : 1, outputs, 2)) return CLI_EXIT_USAGE;
  if (!fit_profile_options(a)) return CLI_EXIT_USAGE;
  o->keep_posterior = a->posterior_path != NULL || a->output != NULL || a->profile_path != NULL;
  return -1;
}

/* ---- the command -------------------------------------------------------- */

static void warn_about(const fit_args *a, const gbtm_fit_result *res) {
  const gbtm_fit_summary *s = gbtm_fit_result_summary(res);
  if (!s->converged && s->stop == GBTM_STOP_MAX_ITER)
    cli_warning(CMD,
                "the fit did not converge in %d iterations, the limit (gradient norm %.3g); "
                "the estimates may not be a maximum: try a larger --max-iter",
                s->iterations, s->gradient_norm);
  else if (!s->converged && s->stop == GBTM_STOP_STALLED)
    cli_warning(CMD,
                "the fit did not converge: the log-likelihood stopped rising after %d iterations, below the "
                "limit, with the gradient norm at %.3g; the estimate may be on a boundary (e.g. a zero "
                "inflation running to 0) or a flat ridge: try fewer groups or lower orders",
                s->iterations, s->gradient_norm);
  else if (!s->converged)
    cli_warning(CMD,
                "the fit did not converge: Newton's method ended with its decrement above the tolerance "
                "(gradient norm %.3g); the estimates may not be a maximum",
                s->gradient_norm);
  if (s->starts_auto && !s->replicated)
    cli_warning(CMD,
                "the best log-likelihood was reached by %d long run%s, not the %d asked for, %s: it may not be "
                "the highest maximum; try a larger --max-starts%s",
                s->best_replicated, s->best_replicated == 1 ? "" : "s", s->replications,
                s->time_limited ? "when the time limit ended the rounds" : "within the budget of starts",
                s->time_limited ? " or --time-limit" : "");
  else if (!s->starts_auto && s->best_replicated == 1 && a->options.starts > 1)
    cli_warning(CMD, "the best log-likelihood was found by only one start; try more --starts");
}

/* --start-from: the saved model, which must have the fit's family, groups
 * and orders; its basis becomes the fit's unless --centre or --scale is
 * given. Returns -1 to go on with *start (freed by the caller), or the exit
 * status (reported). */
static int load_start(fit_args *a, gbtm_fit_result **start) {
  *start = NULL;
  if (!a->start_from) return -1;
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_status st = gbtm_model_load(a->start_from, start, &err);
  if (st != GBTM_OK) {
    cli_error(CMD, "--start-from %s: %s", a->start_from, err.message);
    return CLI_EXIT_USAGE;
  }
  gbtm_fit_options *o = &a->options;
  const gbtm_model *m = gbtm_fit_result_model(*start);
  const char *differs = gbtm_model_family(m) != o->family ? "family differs"
                        : gbtm_model_groups(m) != o->groups ? "number of groups differs"
                                                              : NULL;
  for (int k = 0; !differs && k < o->groups; k++)
    if (gbtm_model_order(m, k) != o->order[k] ||
        (gbtm_family_zero_inflated(o->family) && gbtm_model_iorder(m, k) != o->iorder[k]))
      differs = "orders differ";
  if (differs) {
    cli_error(CMD, "--start-from %s: the model's %s from the fit's (it has %s, %d groups)", a->start_from, differs,
              gbtm_family_name(gbtm_model_family(m)), gbtm_model_groups(m));
    return CLI_EXIT_USAGE;
  }
  if (isnan(o->centre)) o->centre = gbtm_model_centre(m);
  if (isnan(o->scale)) o->scale = gbtm_model_scale(m);
  o->start_from = m;
  return -1;
}

/* Saves the fit into the model file reserved at the start; false (reported)
 * on failure. */
static bool save_model(const fit_args *a, const char *command_line, const gbtm_panel *panel,
                       const gbtm_fit_result *res, outfile *model_file) {
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_save_info info = {command_line, a->data, NULL, a->options.seed, panel}; /* the panel's SHA-256 */
  gbtm_status st = gbtm_model_save_reserved(res, &info, model_file, &err);
  if (st != GBTM_OK) cli_error_status(CMD, st, &err);
  return st == GBTM_OK && outfile_commit(model_file, CMD);
}

int cmd_fit(int argc, char **argv) {
  if (fit_is_multi(argc, argv)) return cmd_fit_multi(argc, argv); /* several outcomes: eq. MT */
  /* As typed: getopt reorders argv while it parses. */
  char *command_line = cmdline_text("gbtm", argc, argv);
  if (!command_line) {
    cli_error(CMD, "out of memory for the command line");
    return cli_exit_code(GBTM_ERR_NOMEM);
  }
  fit_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) {
    cli_columns_free(&a.column_args);
    free(command_line);
    return rc;
  }
  if (a.n_labels > 0 && a.n_labels != a.options.groups) {
    cli_error(CMD, "--labels names %d groups, the fit has %d (--groups)", a.n_labels, a.options.groups);
    cli_columns_free(&a.column_args);
    free(command_line);
    return CLI_EXIT_USAGE;
  }
  if (cli_procs && a.bootstrap > 0) {
    cli_error(CMD, "--bootstrap runs in one process: run it without mpirun");
    cli_columns_free(&a.column_args);
    free(command_line);
    return CLI_EXIT_USAGE;
  }
  /* Before anything is read or created: will the data and the fit fit?
   * (One process: a process of many holds only its block.) */
  gbtm_fit_result *start = NULL;
  if ((rc = load_start(&a, &start)) >= 0) {
    gbtm_fit_result_free(start);
    cli_columns_free(&a.column_args);
    free(command_line);
    return rc;
  }
  int starts = a.options.starts == GBTM_STARTS_AUTO ? a.options.max_starts : a.options.starts;
  gbtm_memory_work work = {a.options.groups, starts, a.options.threads,
                      a.columns.n_risk + a.columns.n_tcov, a.columns.exposure != NULL,
                      a.options.keep_posterior, 0, a.bootstrap};
  if (!cli_procs && (rc = cli_memory_limit_check(CMD, a.max_memory, a.data, &a.columns, &work)) >= 0) {
    gbtm_fit_result_free(start);
    cli_columns_free(&a.column_args);
    free(command_line);
    return rc;
  }

  gbtm_error err = {.status = GBTM_OK, .message = ""};
  outfile posterior = {0}, model_file = {0};
  /* only rank 0 writes; every process learns whether it could */
  bool opened = !cli_root() || !a.posterior_path || outfile_open(&posterior, CMD, a.posterior_path);
  if (cli_agree(opened ? CLI_EXIT_OK : CLI_EXIT_USAGE) != CLI_EXIT_OK) {
    outfile_discard(&posterior);
    gbtm_fit_result_free(start);
    cli_columns_free(&a.column_args);
    free(command_line);
    return CLI_EXIT_USAGE;
  }
  bool reserved = !cli_root() || !a.output || outfile_reserve(&model_file, CMD, a.output);
  if (cli_agree(reserved ? CLI_EXIT_OK : CLI_EXIT_USAGE) != CLI_EXIT_OK) {
    outfile_discard(&model_file);
    outfile_discard(&posterior);
    gbtm_fit_result_free(start);
    cli_columns_free(&a.column_args);
    free(command_line);
    return CLI_EXIT_USAGE;
  }

  gbtm_panel *panel = NULL;
  gbtm_fit_result *res = NULL;
  posterior_keep keep = {0};
  cli_progress progress;
  rc = CLI_EXIT_OK;

  a.columns.family = a.options.family; /* refuse a response the family does not take */
  a.columns.ymin = a.options.ymin, a.columns.ymax = a.options.ymax;
  gbtm_status st = gbtm_panel_read_part(a.data, &a.columns, cli_procs, &panel, &err);
  if (st == GBTM_OK) cli_report_dropped(CMD, panel);
  if (st == GBTM_OK && a.keep_text && cli_root()) {
    char why[512];
    if (!posterior_keep_parse(&keep, a.keep_text, why, sizeof why)) {
      cli_error(CMD, "%s", why);
      rc = CLI_EXIT_USAGE;
      goto done;
    }
    if ((rc = posterior_keep_read(CMD, &keep, a.data, &a.columns)) >= 0) goto done;
    rc = CLI_EXIT_OK;
  }
  if (st == GBTM_OK && a.profile_path && cli_root() && (rc = fit_profile_check(&a, panel)) >= 0) goto done;
  rc = CLI_EXIT_OK;
  /* a weighted fit's standard errors: the sandwich unless --se says (eq. W) */
  if (st == GBTM_OK && gbtm_panel_weighted(panel) && !a.se_given) a.options.se = GBTM_SE_ROBUST;
  if (st == GBTM_OK) st = gbtm_fit_options_check(&a.options, panel, &err);
  if (st == GBTM_OK) {
    if (!a.quiet) {
      cli_progress_init(&progress, CMD);
      a.options.progress = cli_progress_report;
      a.options.progress_user = &progress;
    }
    st = gbtm_fit(panel, &a.options, &res, &err);
    if (!a.quiet) cli_progress_finish(&progress);
  }
  if (st == GBTM_OK && a.n_labels > 0) {
    const char *lp[GBTM_MAX_GROUPS];
    for (int k = 0; k < a.n_labels; k++) lp[k] = a.labels[k];
    st = gbtm_fit_result_set_labels(res, lp, a.n_labels, &err);
  }
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
    goto done;
  }

  gbtm_bootstrap *boot = NULL;
  if (a.bootstrap > 0 && (st = gbtm_bootstrap_run(res, panel, a.bootstrap, a.options.starts, a.options.seed, a.options.threads,
                                                  0.95, &boot, &err)) != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
    goto done;
  }
  if (a.json && boot)
    report_json_with_bootstrap(stdout, a.data, res, boot);
  else if (a.json)
    report_json(stdout, a.data, res, &a.view);
  else
    report_text(stdout, a.data, res, &a.view);
  if (boot && !a.json) report_bootstrap_text(stdout, res, boot);
  gbtm_bootstrap_free(boot);
  warn_about(&a, res);

  if (!cli_root()) goto done; /* rank 0 writes the files */
  /* the profile before the files: a profile that fails leaves none of them */
  if (a.profile_path && (rc = fit_profile_run(&a, res)) != CLI_EXIT_OK) goto done;
  if (a.posterior_path) {
    if (!gbtm_fit_result_posterior(res)) {
      cli_error(CMD, "the fit kept no posterior probabilities");
      rc = CLI_EXIT_FIT;
      goto done;
    }
    posterior_csv_write_kept(posterior.fp, gbtm_fit_result_ids(res), gbtm_fit_result_data(res)->persons,
                             gbtm_fit_result_posterior(res), gbtm_model_groups(gbtm_fit_result_model(res)), &keep);
    if (!outfile_commit(&posterior, CMD)) rc = CLI_EXIT_USAGE;
  }
  if (a.output && !save_model(&a, command_line, panel, res, &model_file)) rc = CLI_EXIT_USAGE;

done:
  posterior_keep_free(&keep);
  outfile_discard(&posterior);
  outfile_discard(&model_file);
  cli_columns_free(&a.column_args);
  free(command_line);
  gbtm_fit_result_free(res);
  gbtm_fit_result_free(start);
  gbtm_panel_free(panel);
  return rc;
}
