/* cmd_fit_multi.c: `gbtm fit DATA.csv --count y1,y2,...`, the
 * multi-trajectory model (eq. MT, DESIGN §10) of several outcomes held in
 * columns of one long CSV file. Per-outcome options take lists separated
 * by ';' in the outcomes' order (',' still separates groups); one value
 * applies to every outcome. Each outcome is read as its own panel (a
 * missing value drops that outcome's cell only). What the multi-trajectory
 * fit does not take yet is refused with exit 2 (docs/manual.md, "Several
 * outcomes"). */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_util.h"
#include "commands.h"
#include "gbtm.h"
#include "outfile.h"
#include "cmdline.h"
#include "output_check.h"
#include "posterior_csv.h"
#include "report_multi.h"

#define CMD "fit"
#define MAX_LIST 1024

enum {
  M_ID = 1000,
  M_AGE,
  M_COUNT,
  M_FAMILY,
  M_GROUPS,
  M_ORDER,
  M_IORDER,
  M_DISPERSION,
  M_SEED,
  M_THREADS,
  M_MAX_ITER,
  M_JSON,
  M_POSTERIOR,
  M_OUTPUT = 'o',
};

static const struct option multi_options[] = {
    {"id", required_argument, NULL, M_ID},
    {"age", required_argument, NULL, M_AGE},
    {"count", required_argument, NULL, M_COUNT},
    {"family", required_argument, NULL, M_FAMILY},
    {"model", required_argument, NULL, M_FAMILY},
    {"groups", required_argument, NULL, M_GROUPS},
    {"order", required_argument, NULL, M_ORDER},
    {"iorder", required_argument, NULL, M_IORDER},
    {"dispersion", required_argument, NULL, M_DISPERSION},
    {"seed", required_argument, NULL, M_SEED},
    {"threads", required_argument, NULL, M_THREADS},
    {"max-iter", required_argument, NULL, M_MAX_ITER},
    {"json", no_argument, NULL, M_JSON},
    {"posterior", required_argument, NULL, M_POSTERIOR},
    {"output", required_argument, NULL, M_OUTPUT},
    {"quiet", no_argument, NULL, 'q'},
    {NULL, 0, NULL, 0},
};

/* Whether the value of option name (as "--name V" or "--name=V") holds c. */
static bool option_holds(int argc, char **argv, const char *name, char c) {
  size_t n = strlen(name);
  for (int j = 1; j < argc; j++) {
    if (!strcmp(argv[j], "--")) break;
    if (strncmp(argv[j], name, n) != 0) continue;
    if (argv[j][n] == '=' && strchr(argv[j] + n + 1, c)) return true;
    if (argv[j][n] == '\0' && j + 1 < argc && strchr(argv[j + 1], c)) return true;
  }
  return false;
}

bool fit_is_multi(int argc, char **argv) {
  return option_holds(argc, argv, "--count", ',') || option_holds(argc, argv, "--family", ';') ||
         option_holds(argc, argv, "--order", ';') || option_holds(argc, argv, "--iorder", ';') ||
         option_holds(argc, argv, "--dispersion", ';');
}

/* Splits text at sep into at most max parts (text is modified). */
static int split(char *text, char sep, char **parts, int max) {
  int n = 0;
  for (char *s = text;; n++) {
    if (n == max) return max + 1;
    parts[n] = s;
    char *e = strchr(s, sep);
    if (!e) return n + 1;
    *e = '\0';
    s = e + 1;
  }
}

/* The part of a per-outcome list for outcome o: its own, or the only one. */
static bool per_outcome(const char *option, const char *text, int O, char **parts, char *buf, size_t size) {
  if (strlen(text) >= size) {
    cli_error(CMD, "%s: a list of more than %zu characters", option, size - 1);
    return false;
  }
  snprintf(buf, size, "%s", text);
  int n = split(buf, ';', parts, GBTM_MAX_OUTCOMES);
  if (n == 1) {
    for (int o = 1; o < O; o++) parts[o] = parts[0];
    return true;
  }
  if (n != O) {
    cli_error(CMD, "%s lists %d value%s separated by ';', --count %d outcomes", option, n, n == 1 ? "" : "s", O);
    return false;
  }
  return true;
}

typedef struct multi_args {
  const char *id, *age, *count, *family, *order, *iorder, *dispersion, *data, *posterior, *output;
  int groups, max_iter, threads;
  unsigned long long seed;
  bool json;
} multi_args;

static bool parse_number(const char *option, const char *arg, long long lo, long long hi, long long *out) {
  char *end;
  long long v = strtoll(arg, &end, 10);
  if (*arg == '\0' || *end != '\0' || v < lo || v > hi) {
    cli_error(CMD, "%s: \"%s\" is not a whole number from %lld to %lld", option, arg, lo, hi);
    return false;
  }
  *out = v;
  return true;
}

static int parse(int argc, char **argv, multi_args *a) {
  memset(a, 0, sizeof *a);
  a->groups = 1, a->max_iter = -1, a->seed = 1;
  opterr = 0;
  int opt;
  long long v;
  while ((opt = getopt_long(argc, argv, ":qo:", multi_options, NULL)) != -1) {
    switch (opt) {
    case M_ID: a->id = optarg; break;
    case M_AGE: a->age = optarg; break;
    case M_COUNT: a->count = optarg; break;
    case M_FAMILY: a->family = optarg; break;
    case M_ORDER: a->order = optarg; break;
    case M_IORDER: a->iorder = optarg; break;
    case M_DISPERSION: a->dispersion = optarg; break;
    case M_JSON: a->json = true; break;
    case M_POSTERIOR: a->posterior = optarg; break;
    case M_OUTPUT: a->output = optarg; break;
    case 'q': break;
    case M_GROUPS:
      if (!parse_number("--groups", optarg, 1, GBTM_MAX_GROUPS, &v)) return CLI_EXIT_USAGE;
      a->groups = (int)v;
      break;
    case M_SEED:
      if (!parse_number("--seed", optarg, 0, LLONG_MAX, &v)) return CLI_EXIT_USAGE;
      a->seed = (unsigned long long)v;
      break;
    case M_THREADS:
      if (!parse_number("--threads", optarg, 0, GBTM_MAX_THREADS, &v)) return CLI_EXIT_USAGE;
      a->threads = (int)v;
      break;
    case M_MAX_ITER:
      if (!parse_number("--max-iter", optarg, 1, INT_MAX, &v)) return CLI_EXIT_USAGE;
      a->max_iter = (int)v;
      break;
    case ':': cli_error(CMD, "%s needs a value", argv[optind - 1]); return CLI_EXIT_USAGE;
    default:
      cli_error(CMD,
                "%s is not available with several outcomes (--count with a list): a multi-trajectory fit takes "
                "--id, --age, --count, --family, --groups, --order, --iorder, --dispersion, --seed, --threads, "
                "--max-iter, --posterior, -o, --json and --quiet (docs/manual.md, \"Several outcomes\")",
                argv[optind - 1]);
      return CLI_EXIT_USAGE;
    }
  }
  if (!cli_data_operand(CMD, argc, argv, &a->data)) return CLI_EXIT_USAGE;
  if (!a->count || !strchr(a->count, ',')) {
    cli_error(CMD, "lists separated by ';' are for several outcomes: give them with --count y1,y2,...");
    return CLI_EXIT_USAGE;
  }
  return -1;
}

/* A file the long CSV reader does not read (HDF5, Stata, SPSS, SAS). */
static bool not_csv(const char *path) {
  const char *dot = strrchr(path, '.');
  static const char *const ext[] = {".h5", ".hdf5", ".dta", ".sav", ".zsav", ".sas7bdat", ".xpt", ".por"};
  for (size_t j = 0; dot && j < sizeof ext / sizeof ext[0]; j++)
    if (!strcmp(dot, ext[j])) return true;
  FILE *fp = fopen(path, "rb");
  unsigned char sig[8] = {0};
  size_t n = fp ? fread(sig, 1, sizeof sig, fp) : 0;
  if (fp) fclose(fp);
  return n == 8 && !memcmp(sig, "\x89HDF\r\n\x1a\n", 8);
}

/* Outcome o's options from the lists. */
static bool outcome_options(const multi_args *a, char **fam, char **ord, char **iord, char **disp, int o,
                            const char *name, gbtm_fit_options *op) {
  char why[512];
  *op = gbtm_fit_options_default();
  op->groups = a->groups, op->seed = a->seed, op->threads = a->threads;
  if (a->max_iter > 0) op->max_iterations = a->max_iter;
  if (fam && !gbtm_family_parse(fam[o], &op->family)) {
    cli_error(CMD, "--family: \"%s\" (outcome %s) is not a family", fam[o], name);
    return false;
  }
  if (gbtm_family_censored(op->family)) {
    cli_error(CMD, "--family %s: a censored family takes --min and --max, not available with several outcomes yet",
              fam[o]);
    return false;
  }
  if (ord && !cli_parse_int_list("--order", ord[o], op->groups, INT_MIN, INT_MAX, op->order, why, sizeof why)) {
    cli_error(CMD, "%s (outcome %s)", why, name);
    return false;
  }
  if (iord) {
    if (!gbtm_family_zero_inflated(op->family)) {
      if (strcmp(iord[o], "-1") != 0) {
        cli_error(CMD, "--iorder: outcome %s's family %s has no zero inflation (give -1 there)", name,
                  gbtm_family_name(op->family));
        return false;
      }
    } else if (!cli_parse_int_list("--iorder", iord[o], op->groups, INT_MIN, INT_MAX, op->iorder, why, sizeof why)) {
      cli_error(CMD, "%s (outcome %s)", why, name);
      return false;
    }
  }
  if (disp) {
    if (!strcmp(disp[o], "common")) op->phi_common = true;
    else if (strcmp(disp[o], "group") != 0) {
      cli_error(CMD, "--dispersion: \"%s\" (outcome %s) is neither group nor common", disp[o], name);
      return false;
    }
  }
  return true;
}

int cmd_fit_multi(int argc, char **argv) {
  multi_args a;
  int rc = parse(argc, argv, &a);
  if (rc >= 0) return rc;
  struct stat sb;
  if (stat(a.data, &sb) != 0 || !S_ISREG(sb.st_mode)) { /* each outcome reads the file once */
    cli_error(CMD, "%s: several outcomes are read from a regular file (not a pipe or a missing file)", a.data);
    return CLI_EXIT_USAGE;
  }
  if (not_csv(a.data)) {
    cli_error(CMD, "%s: several outcomes are read from a long CSV file only (not yet HDF5, Stata, SPSS or SAS)",
              a.data);
    return CLI_EXIT_USAGE;
  }
  char names_buf[MAX_LIST], fam_buf[MAX_LIST], ord_buf[MAX_LIST], iord_buf[MAX_LIST], disp_buf[MAX_LIST];
  char *names[GBTM_MAX_OUTCOMES + 1], *fam[GBTM_MAX_OUTCOMES], *ord[GBTM_MAX_OUTCOMES],
      *iord[GBTM_MAX_OUTCOMES], *disp[GBTM_MAX_OUTCOMES];
  if (strlen(a.count) >= sizeof names_buf) { /* never cut short: a cut name could name another column */
    cli_error(CMD, "--count: a list of more than %zu characters", sizeof names_buf - 1);
    return CLI_EXIT_USAGE;
  }
  snprintf(names_buf, sizeof names_buf, "%s", a.count);
  int O = split(names_buf, ',', names, GBTM_MAX_OUTCOMES);
  if (O > GBTM_MAX_OUTCOMES) {
    cli_error(CMD, "--count lists more than %d outcomes", GBTM_MAX_OUTCOMES);
    return CLI_EXIT_USAGE;
  }
  for (int o = 0; o < O; o++) {
    if (!*names[o]) {
      cli_error(CMD, "--count: an empty column name in \"%s\"", a.count);
      return CLI_EXIT_USAGE;
    }
    for (int p = 0; p < o; p++)
      if (!strcmp(names[o], names[p])) {
        cli_error(CMD, "--count names %s twice", names[o]);
        return CLI_EXIT_USAGE;
      }
  }
  if ((a.family && !per_outcome("--family", a.family, O, fam, fam_buf, sizeof fam_buf)) ||
      (a.order && !per_outcome("--order", a.order, O, ord, ord_buf, sizeof ord_buf)) ||
      (a.iorder && !per_outcome("--iorder", a.iorder, O, iord, iord_buf, sizeof iord_buf)) ||
      (a.dispersion && !per_outcome("--dispersion", a.dispersion, O, disp, disp_buf, sizeof disp_buf)))
    return CLI_EXIT_USAGE;
  gbtm_fit_options opt[GBTM_MAX_OUTCOMES];
  for (int o = 0; o < O; o++)
    if (!outcome_options(&a, a.family ? fam : NULL, a.order ? ord : NULL, a.iorder ? iord : NULL,
                         a.dispersion ? disp : NULL, o, names[o], &opt[o]))
      return CLI_EXIT_USAGE;

  /* The posterior file: checked and created before the fit, renamed into
   * place after it (outfile.h). */
  cli_file inputs[1] = {{"the data", a.data, false}},
           outputs[2] = {{"--posterior", a.posterior, false}, {"-o", a.output, true}};
  if (!output_check(CMD, inputs, 1, outputs, 2)) return CLI_EXIT_USAGE;
  outfile post = {0}, model_file = {0};
  if (a.posterior && !outfile_open(&post, CMD, a.posterior)) return CLI_EXIT_USAGE;
  if (a.output && !outfile_reserve(&model_file, CMD, a.output)) {
    outfile_discard(&post);
    return CLI_EXIT_USAGE;
  }
  gbtm_panel *panels[GBTM_MAX_OUTCOMES] = {NULL};
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_status st = GBTM_OK;
  int unread = -1; /* the outcome whose column could not be read */
  for (int o = 0; o < O && st == GBTM_OK; o++) {
    gbtm_csv_columns col = gbtm_csv_columns_default();
    if (a.id) col.id = a.id;
    if (a.age) col.age = a.age;
    col.count = names[o];
    col.family = opt[o].family;
    st = gbtm_panel_read_csv(a.data, &col, &panels[o], &err);
    if (st != GBTM_OK) unread = o;
  }
  gbtm_multi_result *res = NULL;
  if (st == GBTM_OK)
    st = gbtm_fit_multi((const gbtm_panel *const *)panels, opt, (const char *const *)names, O, &res, &err);
  /* Both outputs or neither: the posteriors are written and flushed (a
   * write error reported through outfile_commit), the model saved, and only
   * then is each renamed into place. */
  if (st == GBTM_OK && a.posterior) {
    posterior_csv_write_ids(post.fp, gbtm_multi_result_ids(res), gbtm_multi_result_persons(res),
                            gbtm_multi_result_posterior(res), gbtm_multi_result_groups(res));
    if (fflush(post.fp) != 0 || ferror(post.fp)) {
      outfile_commit(&post, CMD); /* fails, reporting the write error */
      rc = CLI_EXIT_USAGE;
    }
  }
  if (st == GBTM_OK && rc < 0 && a.output) { /* format version 11 (docs/model-file.md) */
    char *command_line = cmdline_text("gbtm", argc, argv);
    gbtm_save_info info = {command_line, a.data, gbtm_panel_sha256(panels[0]), a.seed, NULL};
    gbtm_error save_err = {.status = GBTM_OK, .message = ""};
    gbtm_status ss = gbtm_multi_save_reserved(res, &info, &model_file, &save_err);
    free(command_line);
    if (ss != GBTM_OK) {
      cli_error_status(CMD, ss, &save_err);
      rc = cli_exit_code(ss);
    } else if (!outfile_commit(&model_file, CMD)) {
      rc = CLI_EXIT_USAGE;
    }
  }
  if (st == GBTM_OK && rc < 0 && a.posterior && !outfile_commit(&post, CMD)) rc = CLI_EXIT_USAGE;
  outfile_discard(&post);
  outfile_discard(&model_file);
  if (st == GBTM_OK && rc < 0) {
    if (a.json) report_multi_json(stdout, a.data, res);
    else report_multi_text(stdout, a.data, res);
  } else if (st != GBTM_OK && unread >= 0) {
    cli_error(CMD, "%s (outcome %s)", err.message, names[unread]);
    rc = cli_exit_code(st);
  } else if (st != GBTM_OK) {
    cli_error(CMD, "%s", err.message);
    rc = cli_exit_code(st);
  }
  gbtm_multi_result_free(res);
  for (int o = 0; o < O; o++) gbtm_panel_free(panels[o]);
  return rc < 0 ? CLI_EXIT_OK : rc;
}
