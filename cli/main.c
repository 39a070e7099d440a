/* main.c: the commands module's entry point, which the gbtm executable
 * (cli/launcher/launcher.c) calls with a subcommand's name in argv[1]: it
 * sets up the run (numbers in the "C" locale, so that reports and files
 * read the same and parse wherever they are made; GSL's errors as
 * statuses; BLAS threads; the processes of an mpirun) and hands the
 * remaining arguments to the subcommand. After the subcommand, a failure
 * to write standard output (a full disk, a closed pipe) is an error too. */
#include <gsl/gsl_errno.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "command_list.h"
#include "commands.h"
#include "gbtm.h"

#define ENTRY(name, summary) {#name, cmd_##name},
static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
} commands[] = {GBTM_COMMANDS(ENTRY)};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

/* Under mpirun: the commands that run distributed. */
static bool distributed(const char *name) { return strcmp(name, "fit") == 0 || strcmp(name, "select") == 0; }

static int run(int argc, char **argv);

__attribute__((visibility("default"))) int gbtm_commands_main(int argc, char **argv);

int gbtm_commands_main(int argc, char **argv) {
  setlocale(LC_NUMERIC, "C");
  gsl_set_error_handler_off(); /* GSL's default handler aborts; we check statuses instead */
  gbtm_blas_threads_init();           /* at once: OpenBLAS's idle threads spin from the start */
  gbtm_hdf5_errors_off();             /* gbtm's messages say what HDF5 found, never HDF5's own */
  gbtm_error err = {GBTM_OK, ""};
  if (gbtm_processes_init(&argc, &argv, &cli_procs, &err) != GBTM_OK) {
    cli_error(NULL, "%s", err.message);
    gbtm_processes_finalize(cli_procs);
    return CLI_EXIT_USAGE;
  }
  if (!cli_root()) { /* rank 0 speaks for all */
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) {
      gbtm_processes_abort(cli_procs, CLI_EXIT_USAGE);
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
  int i = 0;
  while (i < N_COMMANDS && (argc < 2 || strcmp(commands[i].name, argv[1]) != 0)) i++;
  if (i == N_COMMANDS) { /* the launcher lets only the names through */
    cli_error(NULL, "unknown command \"%s\" (see gbtm --help)", argc < 2 ? "" : argv[1]);
    return CLI_EXIT_USAGE;
  }
  int status = commands[i].run(argc - 1, argv + 1);
  errno = 0;
  if (fflush(stdout) != 0 || ferror(stdout)) {
    cli_error(commands[i].name, "could not write the output: %s",
              strerror(errno ? errno : EIO));
    if (status == CLI_EXIT_OK) status = CLI_EXIT_USAGE;
  }
  return status;
}
