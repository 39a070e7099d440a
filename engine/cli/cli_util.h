/* cli_util.h: helpers shared by the gbtm subcommands: messages on stderr in
 * the "gbtm <cmd>: error: ..." form, the mapping from library status to exit
 * status, strict parsing of option values (a whole string must be one number
 * in range, or the option is rejected with a message that names it), lists
 * of per-group orders, and the progress printer passed to gbtm_fit(). */
#ifndef GBTM_CLI_UTIL_H
#define GBTM_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gbtm.h"

/* Exit statuses of every subcommand (DESIGN §8). */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FIT = 1,  /* the fit failed (or the library failed internally) */
  CLI_EXIT_USAGE = 2 /* bad usage or bad input */
};

/* Prints "gbtm <cmd>: error: <message>\n" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "gbtm <cmd>: warning: <message>\n" to stderr. */
void cli_warning(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a library failure: err->message, or the status text when empty. */
void cli_error_status(const char *cmd, gbtm_status status, const gbtm_error *err);

/* The exit status for a library status: 0 for GBTM_OK, 1 for a failed fit,
 * out of memory or an internal error, 2 for usage, I/O, parse and data errors. */
int cli_exit_code(gbtm_status status);

/* Strict parsers of an option's value. Each accepts the whole of text and
 * nothing else (no trailing characters, no empty string); on failure it
 * returns false and writes a message naming the option (e.g. "--groups")
 * into why[why_size]. */
bool cli_parse_int(const char *option, const char *text, int lo, int hi, int *out, char *why,
                   size_t why_size);
bool cli_parse_u64(const char *option, const char *text, uint64_t *out, char *why,
                   size_t why_size);
/* A finite double (a decimal or hexadecimal number; not nan or inf). */
bool cli_parse_double(const char *option, const char *text, double *out, char *why,
                      size_t why_size);

/* Per-group integers: "2" gives 2 to all k groups; "2,3,1" gives one value
 * per group and must have exactly k values. Each value must lie in lo..hi.
 * out has room for k entries. */
bool cli_parse_int_list(const char *option, const char *text, int k, int lo, int hi, int *out,
                        char *why, size_t why_size);

/* Progress printer for gbtm_fit_options.progress. On a terminal it redraws
 * one line (a bar over the starts of the current phase) at most ten times a
 * second; otherwise it prints nothing during the first two seconds, then at
 * most one line per start. Pass the state as progress_user. */
typedef struct cli_progress {
  const char *cmd;   /* the subcommand, for the line prefix */
  bool tty;          /* stderr is a terminal */
  double t0;         /* when the work began (monotonic seconds) */
  double last_draw;  /* when the terminal line was last redrawn */
  bool drawn;        /* a terminal line is showing */
  bool have_last;    /* the fields below hold a report not yet printed */
  char phase[16];    /* the latest report: its phase (copied), */
  int start, starts; /* its start and the starts of its phase, */
  int iteration;     /* its E-steps so far */
  double loglik;     /* and its log-likelihood */
} cli_progress;

/* Prepares p for a piece of work that begins now. */
void cli_progress_init(cli_progress *p, const char *cmd);
/* The gbtm_progress_fn: user is a cli_progress *. */
void cli_progress_report(const gbtm_progress *progress, void *user);
/* Ends the progress display when the work has ended: clears the terminal
 * line, or in line mode prints the last start if lines were due. */
void cli_progress_finish(cli_progress *p);

/* Seconds on a monotonic clock. */
double cli_now(void);

/* ---- the data-column options of every command that reads a long CSV ---- */

/* getopt_long values of --id, --age, --count and --exposure; a command's own
 * long-only options start at CLI_OPT_COLUMNS_END. */
enum { CLI_OPT_ID = 256, CLI_OPT_AGE, CLI_OPT_COUNT, CLI_OPT_EXPOSURE, CLI_OPT_COLUMNS_END };

#define CLI_COLUMN_OPTIONS                                                                        \
  {"id", required_argument, NULL, CLI_OPT_ID}, {"age", required_argument, NULL, CLI_OPT_AGE},    \
      {"count", required_argument, NULL, CLI_OPT_COUNT},                                          \
      {"exposure", required_argument, NULL, CLI_OPT_EXPOSURE}

/* Sets the column named by a column option; false when opt is not one. */
bool cli_column_option(int opt, const char *arg, gbtm_csv_columns *columns);

struct option;

/* When getopt_long returned ':' (a value is missing) or '?' (an unknown
 * option, an ambiguous abbreviation, or a value given to a flag), reports it
 * as `gbtm CMD: error: ...` and returns true; false for any other opt.
 * table is the command's long options. */
bool cli_option_problem(const char *cmd, int opt, char **argv, const struct option *table);
/* The single DATA operand after the options; false (reported) when it is
 * missing or followed by more. */
bool cli_data_operand(const char *cmd, int argc, char **argv, const char **data);

#endif
