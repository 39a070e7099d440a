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
  CLI_EXIT_USAGE = 2 /* bad usage or bad input, or out of memory (cli_exit_code) */
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

/* --report-centre C (a finite number) and --report-basis age|s (basis_s
 * false or true): how the reports show coefficients (report.h's
 * report_view). */
bool cli_parse_report_centre(const char *text, double *centre, char *why, size_t why_size);
bool cli_parse_report_basis(const char *text, bool *basis_s, char *why, size_t why_size);
#define CLI_REPORT_HELP \
  "  --report-basis B   show coefficients on age (powers of age - C) or on the\n" \
  "                     fitted basis s (default: age; JSON gives both)\n" \
  "  --report-centre C  the centre C of the age scale, e.g. 0 for raw age or\n" \
  "                     the sample's mean age (default: 0)\n"

/* --labels "incidental,early peak,...": the groups' names in their
 * reported order, split at commas into labels (at most GBTM_MAX_GROUPS,
 * each 1 to GBTM_NAME_MAX - 1 bytes), their number into *n. */
typedef char cli_label[GBTM_NAME_MAX];
bool cli_parse_labels(const char *text, cli_label *labels, int *n, char *why, size_t why_size);
#define CLI_LABELS_HELP \
  "  --labels L1,L2,... the groups' names in their reported order (group 1\n" \
  "                     first), shown in the report and plots and saved in the\n" \
  "                     model file (default: numbers only)\n"

/* --pilot: "auto" (-1), "none" (0) or a number of persons >= 1. */
bool cli_parse_pilot(const char *text, long *out, char *why, size_t why_size);
/* --starts auto|N and the options of auto (DESIGN §3, eq. ROUNDS), shared by
 * fit and select: their getopt codes, entries and help. */
#define CLI_OPT_STARTS 910
#define CLI_OPT_MAX_STARTS 911
#define CLI_OPT_REPLICATIONS 912
#define CLI_OPT_TIME_LIMIT 913
#define CLI_STARTS_OPTIONS                                         \
  {"starts", required_argument, NULL, CLI_OPT_STARTS},             \
  {"max-starts", required_argument, NULL, CLI_OPT_MAX_STARTS},     \
  {"replications", required_argument, NULL, CLI_OPT_REPLICATIONS}, \
  {"time-limit", required_argument, NULL, CLI_OPT_TIME_LIMIT}
#define CLI_STARTS_HELP \
  "  --starts S         auto: random starts drawn in rounds of 20, each run for\n" \
  "                     30 E-steps, the best 25%% of each round then run to\n" \
  "                     convergence, until the best log-likelihood has been\n" \
  "                     reached by --replications long runs or --max-starts are\n" \
  "                     drawn; or a fixed number S of starts, the best 25%% run\n" \
  "                     to convergence (default: auto)\n" \
  "  --max-starts N     auto: the budget, in starts drawn (default: %d)\n" \
  "  --replications R   auto: long runs that must reach the best log-likelihood\n" \
  "                     (default: %d)\n" \
  "  --time-limit SEC   auto: no new round after SEC seconds; a fit it cuts short\n" \
  "                     is flagged (default: none)\n"

/* "auto" or a number >= 1 into *out; false (with why) otherwise. */
bool cli_parse_starts(const char *text, int *out, char *why, size_t why_size);
/* Applies one of CLI_STARTS_OPTIONS (opt) to o; false with why when its
 * value is malformed or opt is not one of them. */
bool cli_starts_option(int opt, const char *arg, gbtm_fit_options *o, char *why, size_t why_size);
/* given: --max-starts, --replications, --time-limit given; false (reported)
 * when one is given with a fixed number of starts. */
bool cli_starts_fixed_only(const char *cmd, const gbtm_fit_options *o, const bool given[3]);

#define CLI_PILOT_HELP \
  "  --pilot N          on a large panel the starts run on a pilot subsample of\n" \
  "                     about N persons and its estimate on all persons: auto\n" \
  "                     (50000 from 200000 persons on), none, or N (default:\n" \
  "                     auto; not with covariates)\n"

/* Which families cli_family_list names: all, those with zero inflation, or
 * those with a parameter of their own (--dispersion). */
typedef enum cli_family_filter {
  CLI_FAMILIES_ALL,
  CLI_FAMILIES_INFLATED,
  CLI_FAMILIES_PHI,
  CLI_FAMILIES_CENSORED,
  CLI_FAMILIES_REAL
} cli_family_filter;

/* The names of the families (DESIGN §6 Families) that which selects, as
 * poisson, zip or nb (quoted: "poisson", "zip" or "nb"), into buf[size];
 * returns buf. */
const char *cli_family_list(cli_family_filter which, bool quoted, char *buf, size_t size);

/* --dispersion group|common into *common; false (with why) for other text. */
bool cli_parse_dispersion(const char *arg, bool *common, char *why, size_t why_size);
/* Whether --dispersion applies to the family; if not, says so (cmd's error)
 * naming the families it applies to. */
bool cli_dispersion_applies(const char *cmd, gbtm_family_id family);
/* Whether --min and --max apply to the options' family (a censored one),
 * and are finite and in order; if not, says so (cmd's error). */
bool cli_bounds_apply(const char *cmd, const gbtm_fit_options *o);

/* Per-group integers: "2" gives 2 to all k groups; "2,3,1" gives one value
 * per group and must have exactly k values. Each value must lie in lo..hi.
 * out has room for k entries. */
bool cli_parse_int_list(const char *option, const char *text, int k, int lo, int hi, int *out,
                        char *why, size_t why_size);

/* Progress printer for gbtm_fit_options.progress. On a terminal it redraws
 * one line (a bar over the starts of the current phase) at most ten times a
 * second; otherwise it prints nothing during the first two seconds, then
 * one line per start, and one every 10 seconds within a start that runs
 * longer. Pass the state as progress_user. */
typedef struct cli_progress {
  const char *cmd;   /* the subcommand, for the line prefix */
  bool tty;          /* stderr is a terminal */
  double t0;         /* when the work began (monotonic seconds) */
  double last_draw;  /* when the terminal line was last redrawn */
  double last_line;  /* when a line was last printed (line mode; 0: none yet) */
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

/* Whether s ends in suffix, ignoring case. */
bool cli_ends_with(const char *s, const char *suffix);
/* Whether a file name asks for HDF5 (.h5 or .hdf5). */
bool cli_is_h5_name(const char *name);

/* Seconds on a monotonic clock. */
double cli_now(void);

/* ---- the data-column options of every command that reads a panel ------ */

/* getopt_long values of the data-column options; a command's own long-only
 * options start at CLI_OPT_COLUMNS_END. */
enum {
  CLI_OPT_ID = 256,
  CLI_OPT_AGE,
  CLI_OPT_COUNT,
  CLI_OPT_EXPOSURE,
  CLI_OPT_RISK,
  CLI_OPT_TCOV,
  CLI_OPT_DROP_MISSING,
  CLI_OPT_WIDE,
  CLI_OPT_COUNT_COLS,
  CLI_OPT_AGE_COLS,
  CLI_OPT_EXPOSURE_COLS,
  CLI_OPT_TRIALS,
  CLI_OPT_DELIMITER,
  CLI_OPT_DECIMAL,
  CLI_OPT_COLUMNS_END
};

#define CLI_COLUMN_OPTIONS                                                                        \
  {"id", required_argument, NULL, CLI_OPT_ID}, {"age", required_argument, NULL, CLI_OPT_AGE},    \
      {"count", required_argument, NULL, CLI_OPT_COUNT},                                          \
      {"exposure", required_argument, NULL, CLI_OPT_EXPOSURE},                                    \
      {"risk", required_argument, NULL, CLI_OPT_RISK},                                            \
      {"tcov", required_argument, NULL, CLI_OPT_TCOV},                                            \
      {"drop-missing", no_argument, NULL, CLI_OPT_DROP_MISSING},                                  \
      {"wide", no_argument, NULL, CLI_OPT_WIDE},                                                  \
      {"count-cols", required_argument, NULL, CLI_OPT_COUNT_COLS},                                \
      {"age-cols", required_argument, NULL, CLI_OPT_AGE_COLS},                                    \
      {"exposure-cols", required_argument, NULL, CLI_OPT_EXPOSURE_COLS},                          \
      {"trials", required_argument, NULL, CLI_OPT_TRIALS},                                        \
      {"delimiter", required_argument, NULL, CLI_OPT_DELIMITER},                                  \
      {"decimal", required_argument, NULL, CLI_OPT_DECIMAL}

/* The --help lines of the covariate and wide-layout options (after a
 * command's --id ... --exposure lines). */
#define CLI_COLUMN_HELP                                                                           \
  "  --trials NAME      --family logit: column of the number of trials n of a\n"                 \
  "                     response counted out of n (binomial) (default: 0/1)\n"                    \
  "  --risk COLS        risk factors: time-stable columns (one value per person)\n"               \
  "                     that predict group membership (default: none)\n"                          \
  "  --tcov COLS        time-varying covariates: columns that shift the log rate;\n"              \
  "                     with --wide, NAME=COLS entries separated by ';' or given\n"               \
  "                     as repeated --tcov, e.g. 'employed=e1-e20' (default: none)\n"            \
  "  --drop-missing     drop the rows with a missing time-varying covariate and\n"               \
  "                     the persons with a missing risk factor (a missing value is\n"            \
  "                     empty, '.' or NA) (default: a missing value is an error)\n"              \
  "  --wide             the wide layout of PROC TRAJ: one row per person, with the\n"            \
  "                     waves in columns (default: the long layout)\n"                           \
  "  --count-cols COLS  --wide: the count column of each wave, e.g. y1-y20\n"                    \
  "  --age-cols COLS    --wide: the age column of each wave, e.g. t1-t20\n"                      \
  "  --exposure-cols COLS\n"                                                                      \
  "                     --wide: the exposure column of each wave (default: none)\n"              \
  "                     COLS are names separated by commas, with ranges: y1-y20 is\n"            \
  "                     y1,y2,...,y20. A missing count (empty, '.' or NA; with\n"                \
  "                     --wide, a wave with an age and no count) is dropped and\n"               \
  "                     counted on stderr\n"                                                     \
  "  --delimiter D      CSV: the delimiter, ',' ';' or 'tab' (default: detected\n"               \
  "                     from the header)\n"                                                      \
  "  --decimal M        CSV: the decimal mark, '.' or ',' (decimal commas, with\n"               \
  "                     ';' or tab as the delimiter) (default: '.')\n"                          \
  "                     DATA may also be an HDF5 panel (see gbtm convert), or a\n"               \
  "                     Stata .dta, SPSS .sav or SAS .sas7bdat file, whose\n"                    \
  "                     variables the column options name\n"

/* The data-column options as given, and the storage of the column lists
 * they expand to: cli_columns_init() ties it to the command's
 * gbtm_csv_columns, cli_column_option() records each option, and
 * cli_columns_finish() checks them all and fills the gbtm_csv_columns, whose
 * strings live until cli_columns_free(). */
enum { CLI_LIST_ARGS = 16 }; /* repeated --risk or --tcov options at most */

typedef struct cli_columns {
  gbtm_csv_columns *columns; /* the command's */
  const char *risk[CLI_LIST_ARGS], *tcov[CLI_LIST_ARGS]; /* the options' values */
  int n_risk, n_tcov;
  const char *count_cols, *age_cols, *exposure_cols;
  bool wide, long_columns; /* --wide; --age, --count or --exposure given */
  bool exposure_given, trials_given; /* --exposure; --trials (which names the exposure column) */
  char problem[256];       /* the first option that could not be recorded */
  char **owned;            /* the strings of the expanded lists */
  size_t n_owned, cap_owned;
  const char **lists[3 + GBTM_MAX_TCOV]; /* count, age, exposure, tcov columns */
} cli_columns;

/* Sets *columns to gbtm_csv_columns_default() and c to no options, tied to
 * columns. */
void cli_columns_init(cli_columns *c, gbtm_csv_columns *columns);
/* Records a data-column option; false when opt is not one. */
bool cli_column_option(int opt, const char *arg, cli_columns *c);
/* Checks the options together and fills the command's gbtm_csv_columns:
 * lists expanded, at most GBTM_MAX_RISK risk factors and GBTM_MAX_TCOV
 * time-varying covariates, and with --wide the count, age and exposure
 * lists (and each covariate's) of one length ("--count-cols lists 20
 * columns, --age-cols 19"). False with a message in why[why_size]. */
bool cli_columns_finish(cli_columns *c, char *why, size_t why_size);
void cli_columns_free(cli_columns *c);
/* --trials only with a family that has trials, --exposure only with one
 * that takes exposures; otherwise says which (cmd's error). */
bool cli_columns_family(const char *cmd, const cli_columns *c, gbtm_family_id family);

/* Expands a list of column names: names separated by commas, where
 * PREFIXm-PREFIXn (m <= n, both decimal; e.g. y1-y20) stands for PREFIXm,
 * PREFIXm+1, ..., PREFIXn (numbers zero-padded to m's width when m is
 * written with a leading zero: y01-y12). Appends the names (malloc'd each)
 * to *names (a growing malloc'd array of *n, capacity *cap). False with a
 * message naming option in why[why_size]. */
bool cli_expand_columns(const char *option, const char *text, char ***names, size_t *n, size_t *cap,
                        char *why, size_t why_size);

/* After reading a panel: "gbtm CMD: dropped 12 rows and 3 persons with
 * missing covariates" on stderr when --drop-missing dropped any, and "gbtm
 * CMD: 4 missing responses dropped" when the reader dropped cells whose
 * response was missing. */
void cli_report_dropped(const char *cmd, const gbtm_panel *panel);

/* ---- processes (mpirun) ---- */

/* The processes of this run (set by main.c), NULL for one process. Only
 * rank 0 prints and writes files: the others' standard output and error
 * go to /dev/null. */
extern const gbtm_reducer *cli_procs;
bool cli_root(void);

/* One exit code for all processes: the largest of their rc (collective). */
int cli_agree(int rc);

struct option;

/* When getopt_long returned ':' (a value is missing) or '?' (an unknown
 * option, an ambiguous abbreviation, or a value given to a flag), reports it
 * as `gbtm CMD: error: ...` and returns true; false for any other opt.
 * table is the command's long options. */
bool cli_option_problem(const char *cmd, int opt, char **argv, const struct option *table);
/* The options given so far on one command line (cli_option_once). */
enum { CLI_OPT_MAX = 1024 }; /* getopt_long values are below (cli_covariates.h: 900, 901; CLI_STARTS_OPTIONS: 910-913) */
typedef struct cli_given {
  bool seen[CLI_OPT_MAX];
} cli_given;
/* After getopt_long(..., table, longindex) returned opt: false, reported
 * as `gbtm CMD: error: --groups given twice` (the option as written), when
 * the option was given before; --risk and --tcov may be repeated. Sets
 * *longindex back to -1, which getopt_long leaves for a short option. */
bool cli_option_once(const char *cmd, int opt, const struct option *table, int *longindex, cli_given *given);
/* The single DATA operand after the options; false (reported) when it is
 * missing or followed by more. */
bool cli_data_operand(const char *cmd, int argc, char **argv, const char **data);

#endif
