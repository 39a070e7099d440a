/* profile_cli.h: the profile of the groups as the commands run it
 * (profile_cli.c): the options --vars, --type and --distal, reading the
 * person data, matching its ids to the model's persons, and the output as
 * text, CSV and JSON. Shared by `gbtm profile`, `gbtm fit --profile` and
 * `gbtm report --profile`. */
#ifndef GBTM_CLI_PROFILE_CLI_H
#define GBTM_CLI_PROFILE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli_util.h"
#include "gbtm.h"

#define PROFILE_CLI_MAX_VARS 256

typedef struct profile_request {
  const char *persons;  /* PERSONS, the person data */
  const char *id;       /* its id column */
  char delimiter, decimal; /* its CSV dialect (gbtm_csv_columns's) */
  int n_vars;
  char *name[PROFILE_CLI_MAX_VARS];
  gbtm_profile_type type[PROFILE_CLI_MAX_VARS];
  bool distal[PROFILE_CLI_MAX_VARS];
  int n_types;                         /* --type name=t, checked against the names at the end */
  char *type_name[PROFILE_CLI_MAX_VARS];
  gbtm_profile_type type_value[PROFILE_CLI_MAX_VARS];
} profile_request;

/* --vars A,B,C (distal false) or --distal A,B (distal true): appends names;
 * false with why when a name is empty, given twice or too many. */
bool profile_request_vars(profile_request *r, const char *text, bool distal, char *why, size_t why_size);
/* --type name=binary|categorical|continuous|count[,name=...]. */
bool profile_request_type(profile_request *r, const char *text, char *why, size_t why_size);
/* Applies the --type options to the variables; false with why when one
 * names no variable of --vars or --distal. */
bool profile_request_finish(profile_request *r, char *why, size_t why_size);
void profile_request_free(profile_request *r);

/* The help lines of --vars, --distal and --type. */
#define PROFILE_CLI_HELP                                                                     \
  "  --vars A,B,...     person variables to profile by group (modal, proportional\n"         \
  "                     and BCH estimates, Wald tests of equal groups)\n"                    \
  "  --distal A,B,...   distal outcomes (binary, count or continuous): also their\n"      \
  "                     ML three-step estimates\n"                                          \
  "  --type NAME=T,...  declare a variable binary, categorical, continuous or count\n"     \
  "                     (default: detected, see the manual's \"Profiles of the groups\")\n"

/* The persons a profile is of: their posteriors (N x K) and ids, the
 * model's own or (--data) those of a panel classified under it. */
typedef struct profile_cli_posteriors {
  const double *tau;
  const char *const *ids;
  size_t N;
  gbtm_panel *panel; /* owned, with --data */
  double *tau_owned;
  const char **ids_owned;
} profile_cli_posteriors;

/* The posteriors of res (the model file model_path), or with data (not
 * NULL) those of the panel at data in the columns c, classified as `gbtm
 * classify` does. Reports failures (cmd's error) and returns the exit
 * status, or -1 on success; column_args is freed either way. Free out with
 * profile_cli_posteriors_free. */
int profile_cli_posteriors_get(const char *cmd, const gbtm_fit_result *res, const char *model_path,
                               const char *data, gbtm_csv_columns *c, cli_columns *column_args,
                               profile_cli_posteriors *out);
void profile_cli_posteriors_free(profile_cli_posteriors *p);

/* How the person data's ids matched the model's persons. */
typedef struct profile_cli_counts {
  size_t model, matched, not_in_model, not_in_data;
} profile_cli_counts;

/* The help lines of --id, --data and the columns of --data (those of gbtm
 * classify), ending with the note that --delimiter and --decimal apply to
 * PERSONS too. */
void profile_cli_print_data_help(FILE *out);

/* Reads the person data, matches its ids to ids[0..N) (the posterior's
 * persons; the unmatched are counted and warned about on stderr) and runs
 * the profile: *out (gbtm_profile_free) and the counts. Returns the exit
 * status (problems reported as cmd's errors; *out NULL then). */
int profile_cli_compute(const char *cmd, const profile_request *r, const double *tau, const char *const *ids,
                        size_t N, int K, gbtm_profile **out, profile_cli_counts *counts);

/* Reads the person data, matches its ids to ids[0..N) (the posterior's
 * persons), runs the profile (profile_cli_compute) and writes it: the text tables on text_out
 * (when not NULL), the JSON on stdout (json), the CSV on csv_out (when not
 * NULL). labels[K]: the groups' names (NULL entries: none). Returns the
 * exit status (problems reported as cmd's errors). */
int profile_cli_run(const char *cmd, const profile_request *r, const double *tau, const char *const *ids,
                    size_t N, int K, const char *const *labels, bool json, FILE *text_out, FILE *csv_out);

#endif
