/* cmd_simulate.c: `gbtm simulate --preset NAME -o FILE.csv [options]`,
 * drawing a synthetic panel from a built-in cohort (gbtm_preset) or from a
 * saved model (`--model MODEL.h5`, a fit's parameters) and writing it as a
 * long CSV file (id,age,count[,exposure]), optionally with each person's true
 * group. The story: parse the options, look up the preset or load the model,
 * apply the design options, simulate, write the panel and the truth, print a
 * one-line summary (or a JSON object), free.
 *
 * A saved model has no design of its own, so draws from it observe each
 * person at the integer ages from the model's first age to an end age drawn
 * uniformly between the middle and the end of its age range, without gaps
 * or custody unless asked for: data-like examples that can be shared
 * without sharing records.
 *
 * The true groups are what recovery tests and demonstrations compare a fit
 * with, so they are written 1-based, as `gbtm fit` numbers its groups. */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "cli_util.h"
#include "outfile.h"
#include "output_check.h"
#include "commands.h"
#include "gbtm.h"
#include "gbtm_presets.h"
#include "json.h"
#include "text_escape.h"

#define CMD "simulate"
#define DEFAULT_PRESET "rapporteur-2024"
#define PRESETS "rapporteur-2024, rapporteur-2024-covariates, rapporteur-2024-profiles"
#define DEFAULT_SEED 1

enum {
  OPT_PRESET = 256, /* long-only options: values outside the char range */
  OPT_N,
  OPT_SEED,
  OPT_CUSTODY,
  OPT_GAPS,
  OPT_TRUTH,
  OPT_JSON,
  OPT_MODEL,
  OPT_PERSONS
};

static const struct option long_options[] = {
    {"preset", required_argument, NULL, OPT_PRESET},
    {"model", required_argument, NULL, OPT_MODEL},
    {"n", required_argument, NULL, OPT_N},
    {"seed", required_argument, NULL, OPT_SEED},
    {"custody", required_argument, NULL, OPT_CUSTODY},
    {"gaps", required_argument, NULL, OPT_GAPS},
    {"output", required_argument, NULL, 'o'},
    {"truth", required_argument, NULL, OPT_TRUTH},
    {"persons", required_argument, NULL, OPT_PERSONS},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Everything the command line asks for. */
typedef struct sim_args {
  const char *preset;   /* --preset NAME, or NULL */
  const char *model;    /* --model MODEL.h5, or NULL */
  const char *output;   /* -o FILE */
  const char *truth;    /* --truth FILE, or NULL */
  const char *persons;  /* --persons FILE, or NULL */
  uint64_t n;           /* --n, 0 = the preset's default */
  uint64_t seed;        /* --seed */
  double custody, gaps; /* --custody, --gaps; < 0 = the preset's */
  bool json;
} sim_args;

static void print_help(FILE *out) {
  gbtm_model *m = NULL;
  gbtm_sim_design d = {0};
  gbtm_preset(DEFAULT_PRESET, 0, DEFAULT_SEED, &m, &d, NULL); /* the defaults of the design */
  gbtm_model_free(m);
  fprintf(out,
          "usage: gbtm simulate --preset NAME -o FILE.csv [options]\n"
          "       gbtm simulate --model MODEL.h5 -o FILE.csv [options]\n"
          "\n"
          "Draws a synthetic panel of offence counts from a built-in cohort or from a\n"
          "model saved with gbtm fit -o, and writes it as a long CSV file, id,age,count\n"
          "(and exposure when any differs from 1). Each person is observed at the\n"
          "integer ages from the first age to an end age drawn uniformly, with missing\n"
          "years; the same seed gives the same file. From a saved model the ages run\n"
          "over the model's fitted age range, the end ages from its middle to its end,\n"
          "with no missing years and no custody unless --gaps or --custody ask for them.\n"
          "\n"
          "Presets:\n"
          "  rapporteur-2024    synthetic cohort calibrated to the published figures of\n"
          "                     the National Rapporteur's 2024 study of offenders of\n"
          "                     domestic sexual exploitation: Poisson, four groups\n"
          "                     (incidental 36%%, early peak 28%%, late peak 21%%,\n"
          "                     continuous 15%%), ages %g..%g, end ages %g..%g\n"
          "  rapporteur-2024-covariates\n"
          "                     the same with risk factors unstable_family (40%% of\n"
          "                     persons) and no_qualification (50%%) that raise the odds\n"
          "                     of the early-peak, late-peak and continuous groups, and\n"
          "                     the time-varying covariate employed (50%% of years) that\n"
          "                     lowers offending (engine/model/simulate_covariates.c)\n"
          "  rapporteur-2024-profiles\n"
          "                     the panel of rapporteur-2024 (the same counts for a\n"
          "                     seed) with SYNTHETIC person characteristics drawn given\n"
          "                     the true group (--persons): sex, age at the first\n"
          "                     trafficking offence, whether the career starts with it,\n"
          "                     first offence as a minor, four risk factors, income and\n"
          "                     reoffending within five years; calibrated where the\n"
          "                     study gives figures, assumed otherwise (docs/manual.md)\n"
          "\n"
          "Options:\n"
          "  --preset NAME      the cohort to draw: %s\n"
          "  --model MODEL.h5   draw from a saved model instead of a preset (its risk\n"
          "                     factors and time-varying covariates are drawn as 0 or 1\n"
          "                     with probability 1/2 each)\n"
          "  -o, --output FILE  the file to write (required): long CSV, or an HDF5\n"
          "                     panel when the name ends in .h5 or .hdf5\n"
          "  --n N              persons, at least 1 (default: the preset's, %zu, or the\n"
          "                     number the model was fitted to)\n"
          "  --seed N           seed of the random numbers (default: %d)\n"
          "  --gaps P           probability that a year is missing, in [0, 1)\n"
          "                     (default: the preset's, %g)\n"
          "  --custody P        probability that a year is partly spent in custody, in\n"
          "                     [0, 1]; its exposure is then uniform in (0.1, 0.9)\n"
          "                     (default: the preset's, %g)\n"
          "  --truth FILE       also write each person's true group as CSV: id,group,\n"
          "                     groups numbered from 1 as gbtm fit numbers them\n"
          "                     (default: not written)\n"
          "  --persons FILE     with rapporteur-2024-profiles, also write each person's\n"
          "                     characteristics as CSV: id,group,sex,\n"
          "                     age_first_trafficking,starts_with_trafficking,\n"
          "                     first_offence_minor,mental_health,unstable_family,\n"
          "                     criminal_environment,no_qualification,income,\n"
          "                     reoffend_5y (sex female or male, flags 0 or 1, income\n"
          "                     in euros a year); drawn from a random stream of their\n"
          "                     own, so the panel is the same with or without them\n"
          "                     (default: not written)\n"
          "  --json             print the summary as one JSON object (default: text)\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 ok, 2 bad usage or a file that cannot be written.\n",
          d.age_lo, d.age_hi, d.end_lo, d.age_hi, DEFAULT_PRESET, d.n, DEFAULT_SEED, d.gap_prob,
          d.custody_prob);
}

/* A probability in [0, hi] (hi_open: [0, hi)). */
static bool parse_prob(const char *option, const char *arg, bool hi_open, double *out, char *why,
                       size_t why_size) {
  if (!cli_parse_double(option, arg, out, why, why_size)) return false;
  if (*out < 0.0 || *out > 1.0 || (hi_open && *out == 1.0)) {
    snprintf(why, why_size, "%s: %s is not a probability in [0, 1%s", option, arg,
             hi_open ? ")" : "]");
    return false;
  }
  return true;
}

/* Reads one option's value into a; returns false (with why) if malformed. */
static bool apply_option(sim_args *a, int opt, const char *arg, char *why, size_t why_size) {
  switch (opt) {
  case OPT_PRESET: a->preset = arg; return true;
  case OPT_MODEL: a->model = arg; return true;
  case 'o': a->output = arg; return true;
  case OPT_TRUTH: a->truth = arg; return true;
  case OPT_PERSONS: a->persons = arg; return true;
  case OPT_N:
    if (!cli_parse_u64("--n", arg, &a->n, why, why_size)) return false;
    if (a->n < 1 || a->n > UINT32_MAX) {
      snprintf(why, why_size, "--n: %s is out of range (1 to %" PRIu32 ")", arg, UINT32_MAX);
      return false;
    }
    return true;
  case OPT_SEED: return cli_parse_u64("--seed", arg, &a->seed, why, why_size);
  case OPT_CUSTODY: return parse_prob("--custody", arg, false, &a->custody, why, why_size);
  case OPT_GAPS: return parse_prob("--gaps", arg, true, &a->gaps, why, why_size);
  case OPT_JSON: a->json = true; return true;
  }
  snprintf(why, why_size, "option %d is not handled", opt);
  return false;
}

/* Parses the command line into a. Returns -1 to go on, or the exit status
 * to end with (0 after --help, 2 after a usage error, already reported). */
static int parse_args(int argc, char **argv, sim_args *a) {
  memset(a, 0, sizeof *a);
  a->seed = DEFAULT_SEED;
  a->custody = a->gaps = -1.0; /* not given */
  char why[512];
  opterr = 0; /* our own messages */
  optind = 0; /* a full restart of getopt's state (glibc) */
  int opt;
  int longindex = -1;
  cli_given given = {{false}};
  while ((opt = getopt_long(argc, argv, ":ho:", long_options, &longindex)) != -1) {
    if (!cli_option_once(CMD, opt, long_options, &longindex, &given)) return CLI_EXIT_USAGE;
    if (opt == 'h') {
      print_help(stdout);
      return CLI_EXIT_OK;
    }
    if (cli_option_problem(CMD, opt, argv, long_options)) return CLI_EXIT_USAGE;
    if (!apply_option(a, opt, optarg, why, sizeof why)) {
      cli_error(CMD, "%s", why);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    cli_error(CMD, "unexpected argument \"%s\" (usage: gbtm simulate --preset NAME -o FILE.csv)",
              argv[optind]);
    return CLI_EXIT_USAGE;
  }
  if (!a->preset && !a->model) {
    cli_error(CMD, "missing --preset NAME (%s) or --model MODEL.h5", PRESETS);
    return CLI_EXIT_USAGE;
  }
  if (a->preset && a->model) {
    cli_error(CMD, "--preset and --model both name what to draw from; give one");
    return CLI_EXIT_USAGE;
  }
  if (!a->output) {
    cli_error(CMD, "missing -o FILE.csv, the file to write");
    return CLI_EXIT_USAGE;
  }
  if (a->persons && !gbtm_preset_has_persons(a->preset)) {
    cli_error(CMD, "--persons: %s has no person characteristics (only rapporteur-2024-profiles has)",
              a->preset ? a->preset : "a saved model");
    return CLI_EXIT_USAGE;
  }
  cli_file model = {"--model", a->model, false};
  cli_file outputs[] = {{"-o", a->output, cli_is_h5_name(a->output)}, {"--truth", a->truth, false},
                        {"--persons", a->persons, false}};
  if (!output_check(CMD, &model, 1, outputs, 3)) return CLI_EXIT_USAGE;
  return -1;
}

/* ---- the truth file ------------------------------------------------------ */

/* id,group with groups 1-based, one row per person in panel order. The ids
 * are the simulation's ("P000001"), which need no CSV quoting. */
static void write_truth(FILE *fp, const gbtm_panel *panel, const int *group) {
  fputs("id,group\n", fp);
  size_t n = gbtm_panel_n_persons(panel);
  for (size_t i = 0; i < n; i++) fprintf(fp, "%s,%d\n", gbtm_panel_id(panel, i), group[i] + 1);
}

/* ---- the persons file ---------------------------------------------------- */

/* The person characteristics of rapporteur-2024-profiles, one row per
 * person in panel order: id, the true group (1-based) and the
 * characteristics of gbtm_preset_person. false (reported) when they cannot
 * be drawn. */
static bool write_persons(FILE *fp, const sim_args *a, const gbtm_sim_design *d, const gbtm_panel *panel,
                          const int *group) {
  size_t n = gbtm_panel_n_persons(panel);
  gbtm_preset_person *p = malloc((n ? n : 1) * sizeof *p);
  if (!p) {
    cli_error(CMD, "out of memory for %zu persons", n);
    return false;
  }
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_status st = gbtm_preset_persons(a->preset, n, d->seed, group, p, &err);
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    free(p);
    return false;
  }
  fputs("id,group,sex,age_first_trafficking,starts_with_trafficking,first_offence_minor,mental_health,"
        "unstable_family,criminal_environment,no_qualification,income,reoffend_5y\n",
        fp);
  for (size_t i = 0; i < n; i++)
    fprintf(fp, "%s,%d,%s,%.1f,%d,%d,%d,%d,%d,%d,%.0f,%d\n", gbtm_panel_id(panel, i), group[i] + 1,
            p[i].female ? "female" : "male", p[i].age_first_trafficking, p[i].starts_with_trafficking,
            p[i].first_offence_minor, p[i].mental_health, p[i].unstable_family, p[i].criminal_environment,
            p[i].no_qualification, p[i].income, p[i].reoffend_5y);
  free(p);
  return true;
}

/* ---- the command -------------------------------------------------------- */

static void print_summary(const sim_args *a, const gbtm_sim_design *d, const gbtm_panel *panel,
                          const int *group, int K, bool real) {
  size_t n = gbtm_panel_n_persons(panel);
  size_t count[GBTM_MAX_GROUPS] = {0};
  for (size_t i = 0; i < n; i++) count[group[i]]++;
  if (a->json) {
    json_writer w;
    json_init(&w, stdout);
    json_object_begin(&w);
    if (a->preset)
      json_kv_string(&w, "preset", a->preset);
    else
      json_kv_string(&w, "model", a->model);
    json_kv_uint(&w, "seed", d->seed);
    json_kv_uint(&w, "persons", n);
    json_kv_uint(&w, "observed", gbtm_panel_n_obs(panel));
    json_kv_uint(&w, "nonzero", gbtm_panel_n_nonzero(panel));
    json_kv_double(&w, "total_count", gbtm_panel_total_count(panel));
    json_kv_double(&w, "gap_prob", d->gap_prob);
    json_kv_double(&w, "custody_prob", d->custody_prob);
    json_key(&w, "group_persons");
    json_array_begin(&w);
    for (int k = 0; k < K; k++) json_uint(&w, count[k]);
    json_array_end(&w);
    json_kv_string(&w, "output", a->output);
    json_kv_string(&w, "truth", a->truth);
    if (a->persons) json_kv_string(&w, "persons", a->persons);
    json_object_end(&w);
    json_end(&w);
    return;
  }
  text_escape_put(stdout, a->preset ? a->preset : a->model, false);
  if (real) /* a scale, not counts */
    printf(" (seed %" PRIu64 "): %zu persons, %zu observed years, mean response %.6g; persons per group", d->seed, n,
           gbtm_panel_n_obs(panel), gbtm_panel_total_count(panel) / (double)gbtm_panel_n_obs(panel));
  else
    printf(" (seed %" PRIu64 "): %zu persons, %zu observed years, %zu with offences, "
           "%.0f offences; persons per group",
           d->seed, n, gbtm_panel_n_obs(panel), gbtm_panel_n_nonzero(panel), gbtm_panel_total_count(panel));
  for (int k = 0; k < K; k++) printf(" %zu", count[k]);
  printf("\nwrote ");
  text_escape_put(stdout, a->output, false);
  if (a->truth) {
    printf(" and ");
    text_escape_put(stdout, a->truth, false);
  }
  if (a->persons) {
    printf(" and ");
    text_escape_put(stdout, a->persons, false);
  }
  printf("\n");
}

/* A saved model and the design of draws from it: the integer ages of its
 * fitted range, end ages from the middle of the range, no gaps or custody.
 * Returns -1 to go on, or the exit status to end with (reported). */
static int model_design(const sim_args *a, gbtm_model **out, gbtm_sim_design *design) {
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_fit_result *res = NULL;
  gbtm_status st = gbtm_model_load(a->model, &res, &err);
  if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    return cli_exit_code(st);
  }
  gbtm_model *model = *out = gbtm_model_copy(gbtm_fit_result_model(res));
  size_t persons = gbtm_fit_result_data(res)->persons;
  gbtm_fit_result_free(res);
  if (!model) {
    cli_error(CMD, "out of memory for the model");
    return cli_exit_code(GBTM_ERR_NOMEM);
  }
  double lo = ceil(gbtm_model_age_min(model)), hi = floor(gbtm_model_age_max(model));
  if (lo > hi) {
    cli_error(CMD, "%s: the model's age range %g to %g holds no whole age to draw at", a->model,
              gbtm_model_age_min(model), gbtm_model_age_max(model));
    return CLI_EXIT_USAGE;
  }
  design->n = a->n ? (size_t)a->n : persons;
  design->age_lo = lo;
  design->age_hi = hi;
  design->end_lo = ceil(0.5 * (lo + hi));
  design->gap_prob = 0.0;
  design->custody_prob = 0.0;
  design->seed = a->seed;
  /* A model file does not say how its covariates were distributed: draw
   * each as a fair coin, 0 or 1. */
  for (int j = 0; j < GBTM_MAX_RISK; j++) design->risk_prob[j] = 0.5;
  for (int j = 0; j < GBTM_MAX_TCOV; j++) design->tcov_prob[j] = 0.5;
  return -1;
}

int cmd_simulate(int argc, char **argv) {
  sim_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) return rc;

  gbtm_model *model = NULL;
  gbtm_sim_design design;
  if (a.model) {
    if ((rc = model_design(&a, &model, &design)) >= 0) {
      gbtm_model_free(model);
      return rc;
    }
  } else {
    gbtm_error perr = {.status = GBTM_OK, .message = ""};
    gbtm_status pst = gbtm_preset(a.preset, (size_t)a.n, a.seed, &model, &design, &perr);
    if (pst == GBTM_ERR_USAGE) {
      cli_error(CMD, "unknown preset \"%s\" (presets: %s)", a.preset, PRESETS);
      return CLI_EXIT_USAGE;
    }
    if (pst != GBTM_OK) {
      cli_error_status(CMD, pst, &perr);
      return cli_exit_code(pst);
    }
  }
  if (a.gaps >= 0.0) design.gap_prob = a.gaps;
  if (a.custody >= 0.0) design.custody_prob = a.custody;

  outfile truth = {0}, persons = {0};
  if ((a.truth && !outfile_open(&truth, CMD, a.truth)) || (a.persons && !outfile_open(&persons, CMD, a.persons))) {
    outfile_discard(&truth);
    gbtm_model_free(model);
    return CLI_EXIT_USAGE;
  }
  int *group = malloc(design.n * sizeof *group);
  if (!group) {
    cli_error(CMD, "out of memory for %zu persons", design.n);
    outfile_discard(&truth);
    outfile_discard(&persons);
    gbtm_model_free(model);
    return cli_exit_code(GBTM_ERR_NOMEM);
  }
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_panel *panel = NULL;
  gbtm_status st = gbtm_simulate(model, &design, &panel, group, &err);
  /* the characteristics are drawn before the panel is written, so that a
   * failure leaves no file */
  bool drawn = st != GBTM_OK || !a.persons || write_persons(persons.fp, &a, &design, panel, group);
  if (st == GBTM_OK && drawn) {
    bool h5 = cli_is_h5_name(a.output);
    char *tmp = outfile_hold_name(a.output, h5);
    st = h5 ? gbtm_panel_write_h5(panel, a.output, &err) : gbtm_panel_write_csv(panel, a.output, &err);
    outfile_release_name(tmp);
  }
  if (!drawn) {
    rc = CLI_EXIT_USAGE; /* reported */
  } else if (st != GBTM_OK) {
    cli_error_status(CMD, st, &err);
    rc = cli_exit_code(st);
  } else {
    if (a.truth) write_truth(truth.fp, panel, group);
    if ((a.truth && !outfile_commit(&truth, CMD)) || (a.persons && !outfile_commit(&persons, CMD))) {
      rc = CLI_EXIT_USAGE;
    } else {
      print_summary(&a, &design, panel, group, gbtm_model_groups(model),
                    gbtm_family_real_response(gbtm_model_family(model)));
      rc = CLI_EXIT_OK;
    }
  }
  outfile_discard(&truth);
  outfile_discard(&persons);
  gbtm_panel_free(panel);
  gbtm_model_free(model);
  free(group);
  return rc;
}
