/* cmd_classify.c: `gbtm classify MODEL.h5 DATA.csv [-o OUT.csv] [--json]`,
 * placing persons, who may be new, against the groups of a saved model: the
 * posterior probability of each group given the person's counts (eq. M,
 * eq. L) and the modal group. The story: parse, reserve the output file,
 * load the model, read the data, warn about extrapolation, classify, write,
 * free.
 *
 * A trajectory is a polynomial in age fitted over the model's age range;
 * outside it the polynomial is extrapolated and may run anywhere, so persons
 * observed at such ages are named in a warning rather than classified in
 * silence.
 *
 * A model of several outcomes (format version 11) is classified by eq. MTP
 * (classify_multi): each outcome's column of DATA.csv, named as in the fit,
 * read with that outcome's family; a missing value is a missing cell. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "cli_util.h"
#include "commands.h"
#include "gbtm.h"
#include "json.h"
#include "outfile.h"
#include "output_check.h"
#include "posterior_csv.h"
#include "text_escape.h"

#define CMD "classify"
#define NAMES_SHOWN 10 /* persons named in the extrapolation warning */

enum { OPT_JSON = CLI_OPT_COLUMNS_END, OPT_KEEP };

static const struct option long_options[] = {CLI_COLUMN_OPTIONS,
                                             {"output", required_argument, NULL, 'o'},
                                             {"json", no_argument, NULL, OPT_JSON},
                                             {"keep", required_argument, NULL, OPT_KEEP},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

typedef struct classify_args {
  const char *model, *data, *output;
  gbtm_csv_columns columns;
  cli_columns column_args; /* the data-column options, owning their lists */
  bool json;
  posterior_keep keep; /* --keep COLS */
} classify_args;

static void print_help(FILE *out) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  fprintf(out,
          "usage: gbtm classify MODEL.h5 DATA.csv [-o OUT.csv] [--json] [options]\n"
          "\n"
          "Computes each person's posterior group probabilities under a model saved with\n"
          "gbtm fit -o MODEL.h5, and the modal group (the most probable one). DATA.csv\n"
          "is a long file as gbtm fit reads; its persons may be new ones. Persons\n"
          "observed at ages outside the model's fitted age range are named in a warning:\n"
          "there the trajectories are extrapolated polynomials.\n"
          "\n"
          "Data:\n"
          "  --id NAME          column of person ids (default: %s)\n"
          "  --age NAME         column of ages (default: %s)\n"
          "  --count NAME       column of counts (default: %s)\n"
          "  --exposure NAME    column of exposures, the time at risk, > 0\n"
          "                     (default: %s)\n"
          "%s"
          "\n"
          "Output:\n"
          "  -o, --output FILE  write the CSV id,group,p1,...,pK to FILE (group: the modal\n"
          "                     group, numbered as gbtm fit numbers them) and print a\n"
          "                     summary (default: the CSV on standard output)\n"
          "  --json             print {\"model\": ..., \"persons\": [{\"id\", \"group\", \"p\"}]}\n"
          "                     instead of the CSV or the summary (default: off)\n"
          "  --keep COLS        copy these person columns of DATA (constant within a\n"
          "                     person) into the CSV, after p1..pK (default: none)\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 ok, 2 bad usage or input (a file that is missing or malformed).\n",
          c.id, c.age, c.count, c.exposure ? c.exposure : "none, all exposures 1", CLI_COLUMN_HELP);
}

/* Returns -1 to go on, or the exit status to end with (already reported). */
static int parse_args(int argc, char **argv, classify_args *a) {
  memset(a, 0, sizeof *a);
  cli_columns_init(&a->column_args, &a->columns);
  opterr = 0; /* our own messages */
  optind = 0; /* a full restart of getopt's state (glibc) */
  int opt;
  int longindex = -1;
  cli_given given = {{false}};
  char why[512];
  while ((opt = getopt_long(argc, argv, ":ho:", long_options, &longindex)) != -1) {
    if (!cli_option_once(CMD, opt, long_options, &longindex, &given)) return CLI_EXIT_USAGE;
    if (cli_column_option(opt, optarg, &a->column_args)) continue;
    switch (opt) {
    case 'h': print_help(stdout); return CLI_EXIT_OK;
    case 'o': a->output = optarg; break;
    case OPT_JSON: a->json = true; break;
    case OPT_KEEP:
      if (!posterior_keep_parse(&a->keep, optarg, why, sizeof why)) {
        cli_error(CMD, "%s", why);
        return CLI_EXIT_USAGE;
      }
      break;
    default:
      cli_option_problem(CMD, opt, argv, long_options);
      return CLI_EXIT_USAGE;
    }
  }
  if (!cli_columns_finish(&a->column_args, why, sizeof why)) {
    cli_error(CMD, "%s", why);
    return CLI_EXIT_USAGE;
  }
  if (argc - optind < 2) {
    cli_error(CMD, "missing %s argument (usage: gbtm classify MODEL.h5 DATA.csv [-o OUT.csv])",
              argc - optind == 0 ? "MODEL" : "DATA");
    return CLI_EXIT_USAGE;
  }
  if (argc - optind > 2) {
    cli_error(CMD, "unexpected argument \"%s\" (usage: gbtm classify MODEL.h5 DATA.csv [-o OUT.csv])",
              argv[optind + 2]);
    return CLI_EXIT_USAGE;
  }
  a->model = argv[optind];
  a->data = argv[optind + 1];
  cli_file inputs[] = {{"the model", a->model, false}, {"the data", a->data, false}};
  cli_file output = {"-o", a->output, false};
  if (!output_check(CMD, inputs, 2, &output, 1)) return CLI_EXIT_USAGE;
  return -1;
}

/* Names the persons observed outside the model's age range. */
static void warn_extrapolation(const char *cmd, const gbtm_model *m, const gbtm_panel *panel) {
  size_t N = gbtm_panel_n_persons(panel);
  bool *outside = malloc(N * sizeof *outside);
  size_t n = gbtm_model_outside_range(m, panel, outside);
  if (n == 0 || !outside) {
    if (n > 0) cli_warning(cmd, "%zu persons are observed at ages outside the model's range", n);
    free(outside);
    return;
  }
  char names[1024];
  size_t used = 0, shown = 0;
  names[0] = '\0';
  for (size_t i = 0; i < N && shown < NAMES_SHOWN; i++) {
    if (!outside[i]) continue;
    int w = snprintf(names + used, sizeof names - used, "%s%s", shown ? ", " : "", gbtm_panel_id(panel, i));
    if (w < 0 || (size_t)w >= sizeof names - used) break;
    used += (size_t)w;
    shown++;
  }
  char more[64] = "";
  if (shown < n) snprintf(more, sizeof more, " and %zu more", n - shown);
  cli_warning(cmd,
              "%zu person%s observed at ages outside the model's range %g to %g, where the "
              "trajectories are extrapolated: %s%s",
              n, n == 1 ? " is" : "s are", gbtm_model_age_min(m), gbtm_model_age_max(m), names, more);
  free(outside);
}

static void print_json(const char *model_path, const gbtm_panel *panel, const double *tau, int K) {
  json_writer w;
  json_init(&w, stdout);
  json_object_begin(&w);
  json_kv_string(&w, "model", model_path);
  json_key(&w, "persons");
  json_array_begin(&w);
  size_t N = gbtm_panel_n_persons(panel);
  for (size_t i = 0; i < N; i++) {
    const double *p = tau + i * (size_t)K;
    json_object_begin(&w);
    json_kv_string(&w, "id", gbtm_panel_id(panel, i));
    json_kv_int(&w, "group", posterior_modal(p, K) + 1);
    json_kv_double_array(&w, "p", p, (size_t)K);
    json_object_end(&w);
  }
  json_array_end(&w);
  json_object_end(&w);
  json_end(&w);
}

/* "classified N persons; modal group counts n1 n2 ...; wrote FILE". */
static void print_summary(const classify_args *a, const gbtm_panel *panel, const double *tau, int K) {
  size_t N = gbtm_panel_n_persons(panel), count[GBTM_MAX_GROUPS] = {0};
  for (size_t i = 0; i < N; i++) count[posterior_modal(tau + i * (size_t)K, K)]++;
  printf("classified %zu person%s against ", N, N == 1 ? "" : "s");
  text_escape_put(stdout, a->model, false);
  printf("; persons per modal group:");
  for (int k = 0; k < K; k++) printf(" %zu", count[k]);
  printf("\nwrote ");
  text_escape_put(stdout, a->output, false);
  printf("\n");
}

/* Without --risk and --tcov, the model's covariates are read from the
 * columns (long layout) or datasets (HDF5) of the same names. */
static void covariates_of_model(gbtm_csv_columns *c, const gbtm_model *m) {
  if (c->n_risk > 0 || c->n_tcov > 0 || (c->wide && gbtm_model_n_tcov(m) > 0)) return;
  c->n_risk = gbtm_model_n_risk(m);
  for (int j = 0; j < gbtm_model_n_risk(m); j++) c->risk[j] = gbtm_model_risk_name(m, j);
  c->n_tcov = gbtm_model_n_tcov(m);
  for (int j = 0; j < gbtm_model_n_tcov(m); j++) c->tcov[j] = gbtm_model_tcov_name(m, j);
}

int classify_panel(const char *cmd, const gbtm_fit_result *res, const char *data, gbtm_csv_columns *c,
                   cli_columns *column_args, gbtm_panel **panel, double **tau) {
  /* the data are read as the model's family's, within its censoring points */
  const gbtm_model *m = gbtm_fit_result_model(res);
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  *panel = NULL, *tau = NULL;
  covariates_of_model(c, m);
  c->family = gbtm_model_family(m);
  gbtm_model_censoring(m, &c->ymin, &c->ymax);
  if (!cli_columns_family(cmd, column_args, c->family)) {
    cli_columns_free(column_args);
    return CLI_EXIT_USAGE;
  }
  gbtm_status st = gbtm_panel_read(data, c, panel, &err);
  cli_columns_free(column_args); /* the panel keeps the names it needs */
  if (st == GBTM_OK) {
    cli_report_dropped(cmd, *panel);
    warn_extrapolation(cmd, m, *panel);
    *tau = malloc(gbtm_panel_n_persons(*panel) * (size_t)gbtm_model_groups(m) * sizeof **tau);
    if (!*tau) {
      cli_error(cmd, "out of memory for %zu persons", gbtm_panel_n_persons(*panel));
      gbtm_panel_free(*panel);
      *panel = NULL;
      return cli_exit_code(GBTM_ERR_NOMEM);
    }
    st = gbtm_model_classify(m, *panel, *tau, &err);
  }
  if (st != GBTM_OK) {
    cli_error_status(cmd, st, &err);
    free(*tau), *tau = NULL;
    gbtm_panel_free(*panel), *panel = NULL;
    return cli_exit_code(st);
  }
  return -1;
}

/* A model of several outcomes: the shared posteriors of the data's persons
 * as CSV (id, group, p1..pK), to OUT or stdout. */
static int classify_multi(const classify_args *a, outfile *out) {
  if (a->json || a->keep.n > 0) {
    cli_error(CMD, "%s: a model with several outcomes: --json and --keep not yet supported by gbtm classify",
              a->model);
    return CLI_EXIT_USAGE;
  }
  const gbtm_csv_columns *c = &a->columns; /* each outcome is read from the column it was fitted on */
  if (strcmp(c->count, gbtm_csv_columns_default().count) != 0 || c->exposure || c->n_risk || c->n_tcov || c->wide) {
    cli_error(CMD,
              "%s: a model with several outcomes reads each outcome from the column of its name in long CSV data; "
              "--count, --exposure, --risk, --tcov and the wide layout are not taken (only --id and --age)",
              a->model);
    return CLI_EXIT_USAGE;
  }
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_multi_result *res = NULL;
  gbtm_panel *panels[GBTM_MAX_OUTCOMES] = {NULL};
  double *tau = NULL;
  char **ids = NULL;
  size_t n = 0;
  gbtm_status st = gbtm_multi_load(a->model, &res, &err);
  int O = st == GBTM_OK ? gbtm_multi_result_outcomes(res) : 0;
  for (int o = 0; o < O && st == GBTM_OK; o++) {
    gbtm_csv_columns col = gbtm_csv_columns_default();
    col.id = a->columns.id, col.age = a->columns.age;
    col.count = gbtm_multi_result_name(res, o);
    col.family = gbtm_model_family(gbtm_multi_result_model(res, o));
    st = gbtm_panel_read_csv(a->data, &col, &panels[o], &err);
  }
  for (int o = 0; o < O && st == GBTM_OK; o++) /* each outcome's ages against its model's */
    warn_extrapolation(CMD, gbtm_multi_result_model(res, o), panels[o]);
  if (st == GBTM_OK) st = gbtm_multi_classify(res, (const gbtm_panel *const *)panels, &tau, &ids, &n, &err);
  int rc = CLI_EXIT_OK;
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
  } else {
    int K = gbtm_multi_result_groups(res);
    posterior_csv_write_ids(a->output ? out->fp : stdout, (const char *const *)ids, n, tau, K);
    if (a->output && !outfile_commit(out, CMD)) rc = CLI_EXIT_USAGE;
  }
  for (size_t i = 0; ids && i < n; i++) free(ids[i]);
  free(ids);
  free(tau);
  for (int o = 0; o < O; o++) gbtm_panel_free(panels[o]);
  gbtm_multi_result_free(res);
  return rc;
}

int cmd_classify(int argc, char **argv) {
  classify_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) {
    cli_columns_free(&a.column_args);
    posterior_keep_free(&a.keep);
    return rc;
  }

  outfile out = {0};
  if (a.output && !outfile_open(&out, CMD, a.output)) {
    cli_columns_free(&a.column_args);
    posterior_keep_free(&a.keep);
    return CLI_EXIT_USAGE;
  }
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_fit_result *res = NULL;
  gbtm_panel *panel = NULL;
  double *tau = NULL;
  if (gbtm_model_file_is_multi(a.model)) { /* eq. MTP */
    rc = classify_multi(&a, &out);
    cli_columns_free(&a.column_args);
    goto done;
  }
  gbtm_status st = gbtm_model_load(a.model, &res, &err);
  if (st != GBTM_OK) {
    cli_columns_free(&a.column_args);
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
    goto done;
  }
  gbtm_csv_columns data_columns = a.columns; /* its names outlive classify_panel's free: argv's */
  rc = classify_panel(CMD, res, a.data, &a.columns, &a.column_args, &panel, &tau);
  if (rc >= 0) goto done;
  if (a.keep.n > 0 && (rc = posterior_keep_read(CMD, &a.keep, a.data, &data_columns)) >= 0) goto done;
  int K = gbtm_model_groups(gbtm_fit_result_model(res));
  if (a.output) {
    posterior_csv_write_panel_kept(out.fp, panel, tau, K, &a.keep);
    if (!outfile_commit(&out, CMD)) {
      rc = CLI_EXIT_USAGE;
      goto done;
    }
  }
  if (a.json)
    print_json(a.model, panel, tau, K);
  else if (a.output)
    print_summary(&a, panel, tau, K);
  else
    posterior_csv_write_panel_kept(stdout, panel, tau, K, &a.keep);
  rc = CLI_EXIT_OK;

done:
  outfile_discard(&out);
  posterior_keep_free(&a.keep);
  free(tau);
  gbtm_panel_free(panel);
  gbtm_fit_result_free(res);
  return rc;
}
