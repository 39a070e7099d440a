/* launcher.c: the gbtm executable. Linked against the C library only, it
 * answers `gbtm --help`, `gbtm --version` and bad usage itself, so that
 * these start as fast as any small program. For a subcommand it loads the
 * commands module (gbtm-commands.so, in the folder of the executable: the
 * commands of cli/ and the library, with GSL, OpenBLAS and HDF5) and runs
 * it, so that only a run that needs those libraries loads them. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command_list.h"
#include "text_escape.h"
#include "gbtm.h"

enum { EXIT_OK = 0, EXIT_USAGE = 2 };

#define ENTRY(name, summary) {#name, summary},
static const struct {
  const char *name, *summary;
} commands[] = {GBTM_COMMANDS(ENTRY)};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static void print_usage(FILE *out) {
  fprintf(out,
          "usage: gbtm <command> [options]\n"
          "       gbtm <command> --help\n"
          "       gbtm --version\n"
          "\n"
          "Group-based trajectory models: finite mixtures of Poisson and zero-inflated\n"
          "Poisson regressions of counts, and of logit regressions of 0/1 outcomes, on a\n"
          "polynomial in age.\n"
          "\n"
          "commands:\n");
  for (int i = 0; i < N_COMMANDS; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nExit status: 0 ok, 1 failed fit, 2 bad usage or input, or out of memory.\n");
}

static bool known_command(const char *name) {
  for (int i = 0; i < N_COMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0) return true;
  return false;
}

/* "gbtm: error: <what>", the usage, exit status 2. */
static int usage_error(const char *what, const char *arg) {
  fprintf(stderr, "gbtm: error: %s \"", what);
  text_escape_put(stderr, arg, false);
  fprintf(stderr, "\"\n\n");
  print_usage(stderr);
  return EXIT_USAGE;
}

/* The status after gbtm's own output: a failure to write it is an error. */
static int written(void) {
  errno = 0;
  if (fflush(stdout) == 0 && !ferror(stdout)) return EXIT_OK;
  fprintf(stderr, "gbtm: error: could not write the output: %s\n", strerror(errno ? errno : EIO));
  return EXIT_USAGE;
}

/* Loads the commands module from the executable's folder and runs it. */
static int run_module(int argc, char **argv) {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path);
  char *slash = NULL;
  for (ssize_t i = 0; i < n && (size_t)n < sizeof path; i++)
    if (path[i] == '/') slash = path + i;
  if (!slash || (size_t)(slash + 1 - path) + sizeof GBTM_COMMANDS_MODULE > sizeof path) {
    fprintf(stderr, "gbtm: error: cannot find the folder of the gbtm executable (/proc/self/exe), "
                    "where its commands module " GBTM_COMMANDS_MODULE " is\n");
    return EXIT_USAGE;
  }
  memcpy(slash + 1, GBTM_COMMANDS_MODULE, sizeof GBTM_COMMANDS_MODULE);
  /* gbtm runs one BLAS thread (its parallel regions are its own threads:
   * engine/base/blas_threads.c); said before OpenBLAS loads, its thread pool
   * is never started, so that a small address-space limit (ulimit -v),
   * which makes a pool thread retry its buffer's allocation for ever, cannot
   * hang the command. A value the user set is kept. */
  setenv("OPENBLAS_NUM_THREADS", "1", 0);
  /* Never closed: the libraries it loads (OpenMP, OpenBLAS) keep threads
   * until the process ends. */
  void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    fprintf(stderr,
            "gbtm: error: cannot load the commands module: %s (gbtm needs " GBTM_COMMANDS_MODULE
            " in the folder of the gbtm executable, as the build leaves it)\n",
            dlerror());
    return EXIT_USAGE;
  }
  int (*entry)(int, char **);
  *(void **)&entry = dlsym(module, GBTM_COMMANDS_ENTRY); /* POSIX's way to a function */
  if (!entry) {
    fprintf(stderr, "gbtm: error: %s is not gbtm's commands module (no " GBTM_COMMANDS_ENTRY ")\n", path);
    return EXIT_USAGE;
  }
  return entry(argc, argv);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "gbtm: error: missing command\n\n");
    print_usage(stderr);
    return EXIT_USAGE;
  }
  const char *name = argv[1];
  bool help = strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0;
  bool version = strcmp(name, "--version") == 0 || strcmp(name, "version") == 0;
  if (version || (help && argc == 2)) {
    if (argc > 2) return usage_error("unexpected argument", argv[2]);
    if (version)
      printf("gbtm %s\n", GBTM_VERSION);
    else
      print_usage(stdout);
    return written();
  }
  if (strcmp(name, "help") == 0) { /* gbtm help CMD = gbtm CMD --help */
    if (!known_command(argv[2])) return usage_error("unknown command", argv[2]);
    if (argc > 3) return usage_error("unexpected argument", argv[3]);
    char *help_argv[] = {argv[0], argv[2], "--help", NULL};
    return run_module(3, help_argv);
  }
  if (help) return usage_error("unexpected argument", argv[2]);
  if (!known_command(name)) return usage_error("unknown command", name);
  return run_module(argc, argv);
}
