/* main.c: the gbtm command. It reads the subcommand's name and hands the
 * remaining arguments to that subcommand, looked up in a table of
 * {name, function, summary}; `gbtm --help` prints the table. Numbers are
 * printed in the "C" locale so that reports and files read the same (and
 * parse) wherever they are produced. After the subcommand, a failure to
 * write standard output (a full disk, a closed pipe) is an error too. */
#include <gsl/gsl_errno.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "gbtm.h"

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} command;

static const command commands[] = {
    {"fit", cmd_fit, "fit a group-based trajectory model to a panel (CSV or HDF5)"},
    {"simulate", cmd_simulate, "draw a panel from a model or the built-in cohort"},
    {"select", cmd_select, "fit a range of group numbers and orders, compare their criteria"},
    {"plot", cmd_plot, "draw trajectories or selection criteria as an SVG figure"},
    {"show", cmd_show, "print the report of a model saved by gbtm fit -o"},
    {"classify", cmd_classify, "place persons against the groups of a saved model"},
    {"convert", cmd_convert, "rewrite a panel as an HDF5 panel (fast to read) or as long CSV"},
    {"test", cmd_test, "Wald tests of linear hypotheses on a saved model's parameters"},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static void print_usage(FILE *out) {
  fprintf(out,
          "usage: gbtm <command> [options]\n"
          "       gbtm <command> --help\n"
          "       gbtm --version\n"
          "\n"
          "Group-based trajectory models: finite mixtures of Poisson and zero-inflated\n"
          "Poisson regressions of counts on a polynomial in age.\n"
          "\n"
          "commands:\n");
  for (int i = 0; i < N_COMMANDS; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nExit status: 0 ok, 1 failed fit, 2 bad usage or input.\n");
}

static const command *find_command(const char *name) {
  for (int i = 0; i < N_COMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

static int unknown_command(const char *name) {
  cli_error(NULL, "unknown command \"%s\"", name);
  fputc('\n', stderr);
  print_usage(stderr);
  return CLI_EXIT_USAGE;
}

/* Under mpirun: the commands that run distributed. */
static bool distributed(const char *name) { return strcmp(name, "fit") == 0 || strcmp(name, "select") == 0; }

static int run(int argc, char **argv);

int main(int argc, char **argv) {
  setlocale(LC_NUMERIC, "C");
  gsl_set_error_handler_off(); /* GSL's default handler aborts; we check statuses instead */
  gbtm_blas_threads_init();           /* at once: OpenBLAS's idle threads spin from the start */
  gbtm_error err = {GBTM_OK, ""};
  if (gbtm_processes_init(&argc, &argv, &cli_procs, &err) != GBTM_OK) {
    cli_error(NULL, "%s", err.message);
    gbtm_processes_finalize(cli_procs);
    return CLI_EXIT_USAGE;
  }
  if (!cli_root()) { /* rank 0 speaks for all */
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) {
      gbtm_processes_abort(CLI_EXIT_USAGE);
      return CLI_EXIT_USAGE;
    }
  }
  int status;
  if (cli_procs && (argc < 2 || !distributed(argv[1]))) {
    cli_error(NULL, "under mpirun only gbtm fit and gbtm select run (on many processes); run gbtm %s alone",
              argc < 2 ? "" : argv[1]);
    status = CLI_EXIT_USAGE;
  } else {
    status = run(argc, argv);
  }
  gbtm_processes_finalize(cli_procs);
  return status;
}

static int run(int argc, char **argv) {
  if (argc < 2) {
    cli_error(NULL, "missing command");
    fputc('\n', stderr);
    print_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  int status;
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
      (strcmp(name, "help") == 0 && argc == 2)) {
    print_usage(stdout);
    status = CLI_EXIT_OK;
  } else if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
    printf("gbtm %s\n", GBTM_VERSION);
    status = CLI_EXIT_OK;
  } else if (strcmp(name, "help") == 0) {
    /* gbtm help CMD = gbtm CMD --help */
    const command *cmd = find_command(argv[2]);
    if (!cmd) return unknown_command(argv[2]);
    char *help_argv[] = {(char *)cmd->name, "--help", NULL};
    status = cmd->run(2, help_argv);
  } else {
    const command *cmd = find_command(name);
    if (!cmd) return unknown_command(name);
    status = cmd->run(argc - 1, argv + 1);
  }

  errno = 0;
  if (fflush(stdout) != 0 || ferror(stdout)) {
    cli_error(find_command(name) ? name : NULL, "could not write the output: %s",
              strerror(errno ? errno : EIO));
    if (status == CLI_EXIT_OK) status = CLI_EXIT_USAGE;
  }
  return status;
}
