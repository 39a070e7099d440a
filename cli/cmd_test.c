/* cmd_test.c: `gbtm test MODEL.h5 'EXPR'`, Wald tests of linear hypotheses
 * on a saved model's parameters (DESIGN §4; PROC TRAJ's %TRAJTEST). The
 * story: parse, load the model, test, print. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "json.h"
#include "text_escape.h"

#define CMD "test"

static void usage(FILE *out) {
  fprintf(out,
          "usage: gbtm test MODEL.h5 'EXPR' [--se model|robust] [--json]\n"
          "\n"
          "Wald test of linear hypotheses on the parameters of a model saved by\n"
          "gbtm fit -o: chi-square = (R psi - r)' (R V R')^-1 (R psi - r), with df the\n"
          "number of equations. EXPR is one or more equations separated by ',' or ';',\n"
          "each side a sum of terms [number *] name, or a number. Names are those of\n"
          "gbtm show: theta[k] (k >= 2), beta[k][j] and alpha[k][j] (group k from 1,\n"
          "power j from 0). Examples:\n"
          "  gbtm test model.h5 'beta[2][1] = beta[3][1], beta[2][2] = beta[3][2]'\n"
          "      (groups 2 and 3 have the same shape)\n"
          "  gbtm test model.h5 'beta[4][2] = 0'   (no quadratic term in group 4)\n"
          "\n"
          "  --se KIND   the covariance: model (inverse information) or robust\n"
          "              (sandwich) (default: the one the model was fitted with)\n"
          "  --json      print {\"test\", \"chi2\", \"df\", \"p\", \"se\"} as JSON\n"
          "  -h, --help  show this help\n"
          "\n"
          "Exit status: 0 ok, 2 bad usage, input or expression.\n");
}

int cmd_test(int argc, char **argv) {
  static const struct option opts[] = {{"se", required_argument, NULL, 's'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *se_text = NULL;
  bool json = false;
  int c;
  optind = 1;
  opterr = 0;
  int longindex = -1;
  cli_given given = {{false}};
  while ((c = getopt_long(argc, argv, "h", opts, &longindex)) != -1) {
    if (!cli_option_once(CMD, c, opts, &longindex, &given)) return CLI_EXIT_USAGE;
    switch (c) {
    case 's': se_text = optarg; break;
    case 'j': json = true; break;
    case 'h': usage(stdout); return CLI_EXIT_OK;
    default:
      cli_error(CMD, "unknown option \"%s\" (see gbtm test --help)", argv[optind - 1]);
      return CLI_EXIT_USAGE;
    }
  }
  if (argc - optind != 2) {
    cli_error(CMD, "expected a model file and an expression (see gbtm test --help)");
    return CLI_EXIT_USAGE;
  }
  const char *path = argv[optind], *expr = argv[optind + 1];
  gbtm_error err;
  gbtm_fit_result *res = NULL;
  gbtm_status st = gbtm_model_load(path, &res, &err);
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    return cli_exit_code(st);
  }
  gbtm_se_kind kind = gbtm_fit_result_summary(res)->se;
  if (se_text && strcmp(se_text, "model") == 0)
    kind = GBTM_SE_MODEL;
  else if (se_text && strcmp(se_text, "robust") == 0)
    kind = GBTM_SE_ROBUST;
  else if (se_text) {
    cli_error(CMD, "--se: \"%s\" is not model or robust", se_text);
    gbtm_fit_result_free(res);
    return CLI_EXIT_USAGE;
  }
  double chi2, p;
  int df;
  st = gbtm_wald_test(res, kind, expr, &chi2, &df, &p, &err);
  gbtm_fit_result_free(res);
  if (st != GBTM_OK) {
    cli_error(CMD, "%s: %s", path, err.message);
    return CLI_EXIT_USAGE;
  }
  const char *se_name = kind == GBTM_SE_ROBUST ? "robust" : "model";
  if (json) {
    json_writer w;
    json_init(&w, stdout);
    json_object_begin(&w);
    json_kv_string(&w, "test", expr);
    json_kv_double(&w, "chi2", chi2);
    json_kv_int(&w, "df", df);
    json_kv_double(&w, "p", p);
    json_kv_string(&w, "se", se_name);
    json_object_end(&w);
    json_end(&w);
  } else {
    printf("Wald test of ");
    text_escape_put(stdout, expr, false);
    printf("\n  chi-square = %.4f, df = %d, p = %.4g (%s standard errors)\n", chi2, df, p, se_name);
  }
  return CLI_EXIT_OK;
}
