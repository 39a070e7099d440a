/* cmd_show.c: `gbtm show MODEL.h5 [--json]`, printing the report of a saved
 * model. The report is the one `gbtm fit` printed when the model was made,
 * from what the file holds (the data summary and the data's name included),
 * so that `gbtm show --json` gives the same object as `gbtm fit --json` did;
 * the text report starts with where the file came from (its command line,
 * the data's SHA-256, when it was written). A model of several outcomes
 * (format version 11) prints the report `gbtm fit --count a,b,...` printed,
 * text (after the same lines of where the file came from) or JSON. The story: parse, load, print, free. */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "gbtm.h"
#include "report.h"
#include "report_multi.h"
#include "text_escape.h"

#define CMD "show"
#define LABEL_WIDTH 34

enum { OPT_JSON = 256, OPT_REPORT_CENTRE, OPT_REPORT_BASIS };

static const struct option long_options[] = {{"json", no_argument, NULL, OPT_JSON},
                                             {"report-centre", required_argument, NULL, OPT_REPORT_CENTRE},
                                             {"report-basis", required_argument, NULL, OPT_REPORT_BASIS},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

static void print_help(FILE *out) {
  fprintf(out,
          "usage: gbtm show MODEL.h5 [--json] [--report-basis age|s] [--report-centre C]\n"
          "\n"
          "Prints the report of a model saved with gbtm fit -o MODEL.h5: the data\n"
          "summary, the groups with their coefficients, standard errors and\n"
          "trajectories, and the fit criteria, as gbtm fit printed them. The text\n"
          "report starts with the file's origin: the command that made it, the\n"
          "SHA-256 of its data file, when it was written and by which gbtm.\n"
          "\n"
          "Options:\n"
          "  --json        print the report as one JSON object, the one gbtm fit --json\n"
          "                printed (default: text)\n"
          CLI_REPORT_HELP
          "  -h, --help    show this help\n"
          "\n"
          "Exit status: 0 ok, 2 bad usage or a file that is missing or not a model file.\n");
}

static void label(const char *text) { printf("  %-*s", LABEL_WIDTH, text); }

/* Where the file came from; its strings with control characters escaped
 * (text_escape.h). */
static void print_origin(const char *path, const gbtm_model_file_info *f) {
  char version[96], created[96];
  printf("Model file: ");
  text_escape_put(stdout, path, false);
  putchar('\n');
  label("format version");
  printf("%d, written by gbtm %s at %s\n", f->format_version, text_escaped(version, sizeof version, f->gbtm_version),
         text_escaped(created, sizeof created, f->created));
  label("command");
  text_escape_put(stdout, *f->command_line ? f->command_line : "-", false);
  putchar('\n');
  label("data SHA-256");
  text_escape_put(stdout, *f->data_sha256 ? f->data_sha256 : "-", false);
  putchar('\n');
  label("seed");
  printf("%" PRIu64 "\n\n", f->seed);
}

/* A model of several outcomes: the report of the fit that made it. */
static int show_multi(const char *path, bool json) {
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_multi_result *res = NULL;
  gbtm_status st = gbtm_multi_load(path, &res, &err);
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    return cli_exit_code(st);
  }
  const char *data = gbtm_multi_result_data_name(res);
  if (json) report_multi_json(stdout, data ? data : "", res);
  else {
    print_origin(path, gbtm_multi_result_file_info(res));
    report_multi_text(stdout, data ? data : "", res);
  }
  gbtm_multi_result_free(res);
  return CLI_EXIT_OK;
}

int cmd_show(int argc, char **argv) {
  bool json = false;
  report_view view = report_view_default;
  char why[256];
  opterr = 0; /* our own messages */
  optind = 0; /* a full restart of getopt's state (glibc) */
  int opt;
  int longindex = -1;
  cli_given given = {{false}};
  while ((opt = getopt_long(argc, argv, ":h", long_options, &longindex)) != -1) {
    if (!cli_option_once(CMD, opt, long_options, &longindex, &given)) return CLI_EXIT_USAGE;
    if (opt == 'h') {
      print_help(stdout);
      return CLI_EXIT_OK;
    }
    if (opt == OPT_JSON) {
      json = true;
      continue;
    }
    if ((opt == OPT_REPORT_CENTRE && !cli_parse_report_centre(optarg, &view.centre, why, sizeof why)) ||
        (opt == OPT_REPORT_BASIS && !cli_parse_report_basis(optarg, &view.basis_s, why, sizeof why))) {
      cli_error(CMD, "%s", why);
      return CLI_EXIT_USAGE;
    }
    if (opt == OPT_REPORT_CENTRE || opt == OPT_REPORT_BASIS) continue;
    if (opt == '?' && optopt == OPT_JSON)
      cli_error(CMD, "option \"%s\" takes no value", argv[optind - 1]);
    else if (opt == '?' && optopt != 0)
      cli_error(CMD, "unknown option \"-%c\" (see gbtm show --help)", optopt);
    else
      cli_error(CMD, "unknown option \"%s\" (see gbtm show --help)", argv[optind - 1]);
    return CLI_EXIT_USAGE;
  }
  if (optind >= argc) {
    cli_error(CMD, "missing MODEL argument (usage: gbtm show MODEL.h5 [--json])");
    return CLI_EXIT_USAGE;
  }
  if (argc - optind > 1) {
    cli_error(CMD, "unexpected argument \"%s\" (usage: gbtm show MODEL.h5 [--json])", argv[optind + 1]);
    return CLI_EXIT_USAGE;
  }
  const char *path = argv[optind];

  gbtm_error err = {.status = GBTM_OK, .message = ""};
  if (gbtm_model_file_is_multi(path)) return show_multi(path, json);
  gbtm_fit_result *res = NULL;
  gbtm_status st = gbtm_model_load(path, &res, &err);
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    return cli_exit_code(st);
  }
  const gbtm_model_file_info *info = gbtm_fit_result_file_info(res);
  const char *data_name = *info->data_name ? info->data_name : NULL;
  if (json) {
    report_json(stdout, data_name, res, &view);
  } else {
    print_origin(path, info);
    report_text(stdout, data_name, res, &view);
  }
  gbtm_fit_result_free(res);
  return CLI_EXIT_OK;
}
