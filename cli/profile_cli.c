/* profile_cli.c: the profile of the groups as `gbtm profile` and `gbtm
 * fit --profile` run it (profile_cli.h): the person data read and matched
 * to the model's persons by id, the library's profile (gbtm_profile_run,
 * DESIGN §9), and its text, CSV and JSON. */
#include "profile_cli.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "cli_util.h"
#include "json.h"

static bool add_name(profile_request *r, const char *s, size_t n, bool distal, char *why, size_t why_size) {
  if (n == 0) {
    snprintf(why, why_size, "%s: an empty variable name", distal ? "--distal" : "--vars");
    return false;
  }
  for (int v = 0; v < r->n_vars; v++)
    if (strlen(r->name[v]) == n && memcmp(r->name[v], s, n) == 0) {
      snprintf(why, why_size, "variable \"%.*s\" is named twice (--vars, --distal)", (int)n, s);
      return false;
    }
  if (r->n_vars == PROFILE_CLI_MAX_VARS) {
    snprintf(why, why_size, "more than %d variables", PROFILE_CLI_MAX_VARS);
    return false;
  }
  char *d = malloc(n + 1);
  if (!d) {
    snprintf(why, why_size, "out of memory");
    return false;
  }
  memcpy(d, s, n), d[n] = '\0';
  r->name[r->n_vars] = d;
  r->distal[r->n_vars] = distal;
  r->type[r->n_vars++] = GBTM_PROFILE_AUTO;
  return true;
}

bool profile_request_vars(profile_request *r, const char *text, bool distal, char *why, size_t why_size) {
  for (const char *p = text;;) {
    const char *c = strchr(p, ',');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    if (!add_name(r, p, n, distal, why, why_size)) return false;
    if (!c) return true;
    p = c + 1;
  }
}

static bool one_type(profile_request *r, const char *text, char *why, size_t why_size);

bool profile_request_type(profile_request *r, const char *text, char *why, size_t why_size) {
  char buf[512];
  for (const char *p = text;;) {
    const char *c = strchr(p, ',');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, p, n), buf[n] = '\0';
    if (!one_type(r, buf, why, why_size)) return false;
    if (!c) return true;
    p = c + 1;
  }
}

static bool one_type(profile_request *r, const char *text, char *why, size_t why_size) {
  const char *eq = strrchr(text, '=');
  static const gbtm_profile_type types[] = {GBTM_PROFILE_BINARY, GBTM_PROFILE_CATEGORICAL,
                                            GBTM_PROFILE_CONTINUOUS, GBTM_PROFILE_COUNT};
  if (!eq || eq == text) {
    snprintf(why, why_size, "--type \"%s\": expected NAME=binary|categorical|continuous|count", text);
    return false;
  }
  for (size_t t = 0; t < sizeof types / sizeof *types; t++)
    if (strcmp(eq + 1, gbtm_profile_type_name(types[t])) == 0) {
      if (r->n_types == PROFILE_CLI_MAX_VARS) break;
      size_t n = (size_t)(eq - text);
      char *d = malloc(n + 1);
      if (!d) break;
      memcpy(d, text, n), d[n] = '\0';
      r->type_name[r->n_types] = d;
      r->type_value[r->n_types++] = types[t];
      return true;
    }
  snprintf(why, why_size, "--type \"%s\": the type must be binary, categorical, continuous or count", text);
  return false;
}

bool profile_request_finish(profile_request *r, char *why, size_t why_size) {
  for (int t = 0; t < r->n_types; t++) {
    int v;
    for (v = 0; v < r->n_vars && strcmp(r->name[v], r->type_name[t]) != 0; v++) {}
    if (v == r->n_vars) {
      snprintf(why, why_size, "--type names \"%s\", which is not among --vars or --distal", r->type_name[t]);
      return false;
    }
    if (r->type_value[t] == GBTM_PROFILE_COUNT && !r->distal[v]) {
      snprintf(why, why_size, "--type %s=count: count is a type of distal outcomes (--distal)", r->name[v]);
      return false;
    }
    r->type[v] = r->type_value[t];
  }
  return true;
}

void profile_request_free(profile_request *r) {
  for (int v = 0; v < r->n_vars; v++) free(r->name[v]);
  for (int t = 0; t < r->n_types; t++) free(r->type_name[t]);
  r->n_vars = r->n_types = 0;
}

void profile_cli_print_data_help(FILE *out) {
  gbtm_csv_columns c = gbtm_csv_columns_default();
  fprintf(out,
          "  --id NAME          column of person ids, in PERSONS and in --data\n"
          "                     (default: %s)\n"
          "  --data PANEL       a model file without posteriors (saved by gbtm select):\n"
          "                     classify the persons of PANEL first, as gbtm classify\n"
          "                     does; its columns as gbtm classify takes them:\n"
          "  --age NAME         column of ages (default: %s)\n"
          "  --count NAME       column of counts (default: %s)\n"
          "  --exposure NAME    column of exposures (default: %s)\n"
          "%s"
          "\n"
          "  --delimiter and --decimal apply to PERSONS too.\n",
          c.id, c.age, c.count, c.exposure ? c.exposure : "none, all exposures 1", CLI_COLUMN_HELP);
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_estimate(json_writer *w, const char *key, double e, double s) {
  json_key(w, key);
  json_object_begin(w);
  json_kv_double(w, "estimate", e);
  json_kv_double(w, "se", s);
  json_object_end(w);
}

static void json_groups(json_writer *w, const gbtm_profile *p, int v, int q, const char *const *labels) {
  const gbtm_profile_var_info *in = gbtm_profile_var_info_of(p, v);
  json_key(w, "groups");
  json_array_begin(w);
  for (int k = 0; k < gbtm_profile_groups(p); k++) {
    json_object_begin(w);
    json_kv_int(w, "group", k + 1);
    if (labels && labels[k]) json_kv_string(w, "label", labels[k]);
    for (int m = 0; m <= GBTM_PROFILE_ML3; m++) {
      if (m == GBTM_PROFILE_ML3 && !in->distal) continue;
      double e, s;
      gbtm_profile_estimate(p, v, q, k, (gbtm_profile_method)m, &e, &s);
      json_estimate(w, gbtm_profile_method_name((gbtm_profile_method)m), e, s);
    }
    json_object_end(w);
  }
  json_array_end(w);
}

static void json_test(json_writer *w, const char *key, double chi2, int df, double p) {
  json_key(w, key);
  json_object_begin(w);
  json_kv_double(w, "chi2", chi2);
  json_kv_int(w, "df", df);
  json_kv_double(w, "p", p);
  json_object_end(w);
}

static void json_variable(json_writer *w, const gbtm_profile *p, int v, const char *const *labels) {
  const gbtm_profile_var_info *in = gbtm_profile_var_info_of(p, v);
  int K = gbtm_profile_groups(p);
  json_object_begin(w);
  json_kv_string(w, "name", in->name);
  json_kv_string(w, "type", gbtm_profile_type_name(in->type));
  json_kv_uint(w, "n_used", in->n_used);
  json_kv_uint(w, "n_missing", in->n_missing);
  if (in->type == GBTM_PROFILE_CATEGORICAL) {
    json_key(w, "categories");
    json_array_begin(w);
    for (int q = 0; q < in->n_quantities; q++) {
      json_object_begin(w);
      json_kv_string(w, "category", gbtm_profile_quantity(p, v, q));
      json_groups(w, p, v, q, labels);
      json_object_end(w);
    }
    json_array_end(w);
  } else {
    if (in->type == GBTM_PROFILE_BINARY) json_kv_string(w, "level", gbtm_profile_quantity(p, v, 0));
    json_groups(w, p, v, 0, labels);
  }
  json_test(w, "wald", in->wald_chi2, in->wald_df, in->wald_p);
  if (in->distal) json_test(w, "wald_ml3", in->ml3_wald_chi2, in->ml3_wald_df, in->ml3_wald_p);
  for (int ml3 = 0; ml3 <= (in->distal ? 1 : 0); ml3++) {
    json_key(w, ml3 ? "pairs_ml3" : "pairs");
    json_array_begin(w);
    for (int k = 0; k < K; k++)
      for (int l = k + 1; l < K; l++) {
        double c, pv;
        int df;
        gbtm_profile_pair(p, v, k, l, ml3, &c, &df, &pv);
        json_object_begin(w);
        json_key(w, "groups");
        json_array_begin(w);
        json_int(w, k + 1);
        json_int(w, l + 1);
        json_array_end(w);
        json_kv_double(w, "chi2", c);
        json_kv_int(w, "df", df);
        json_kv_double(w, "p", pv);
        json_object_end(w);
      }
    json_array_end(w);
  }
  json_kv_string(w, "note", in->note);
  json_object_end(w);
}

static void print_json(const gbtm_profile *p, const profile_cli_counts *mc, const char *const *labels) {
  int K = gbtm_profile_groups(p);
  json_writer w;
  json_init(&w, stdout);
  json_object_begin(&w);
  json_key(&w, "persons");
  json_object_begin(&w);
  json_kv_uint(&w, "model", mc->model);
  json_kv_uint(&w, "matched", mc->matched);
  json_kv_uint(&w, "not_in_model", mc->not_in_model);
  json_kv_uint(&w, "not_in_data", mc->not_in_data);
  json_object_end(&w);
  json_key(&w, "classification_error");
  json_array_begin(&w);
  for (int k = 0; k < K; k++) {
      json_array_begin(&w);
      for (int s = 0; s < K; s++) json_double(&w, gbtm_profile_error_matrix(p)[k * K + s]);
      json_array_end(&w);
    }
  json_array_end(&w);
  json_kv_bool(&w, "bch_available", gbtm_profile_bch_available(p));
  json_kv_string(&w, "bch_note", gbtm_profile_bch_note(p));
  for (int distal = 0; distal <= 1; distal++) {
    json_key(&w, distal ? "distal" : "variables");
    json_array_begin(&w);
    for (int v = 0; v < gbtm_profile_n_vars(p); v++)
      if (gbtm_profile_var_info_of(p, v)->distal == (bool)distal) json_variable(&w, p, v, labels);
    json_array_end(&w);
  }
  json_object_end(&w);
  json_end(&w);
}

/* ---- the run --------------------------------------------------------------- */

int profile_cli_posteriors_get(const char *cmd, const gbtm_fit_result *res, const char *model_path,
                               const char *data, gbtm_csv_columns *c, cli_columns *column_args,
                               profile_cli_posteriors *out) {
  memset(out, 0, sizeof *out);
  if (data) {
    int rc = classify_panel(cmd, res, data, c, column_args, &out->panel, &out->tau_owned);
    if (rc >= 0) return rc;
    size_t N = gbtm_panel_n_persons(out->panel);
    out->ids_owned = malloc((N ? N : 1) * sizeof *out->ids_owned);
    if (!out->ids_owned) {
      cli_error(cmd, "out of memory");
      return cli_exit_code(GBTM_ERR_NOMEM);
    }
    for (size_t i = 0; i < N; i++) out->ids_owned[i] = gbtm_panel_id(out->panel, i);
    out->tau = out->tau_owned, out->ids = out->ids_owned, out->N = N;
    return -1;
  }
  cli_columns_free(column_args);
  out->tau = gbtm_fit_result_posterior(res);
  out->ids = gbtm_fit_result_ids(res);
  if (!out->tau || !out->ids) {
    cli_error(cmd, "%s holds no posterior probabilities (a model of gbtm select): give the panel with --data "
                   "PANEL to classify its persons",
              model_path);
    return CLI_EXIT_USAGE;
  }
  out->N = gbtm_fit_result_data(res)->persons;
  return -1;
}

void profile_cli_posteriors_free(profile_cli_posteriors *p) {
  free(p->tau_owned);
  free(p->ids_owned);
  gbtm_panel_free(p->panel);
  memset(p, 0, sizeof *p);
}

int profile_cli_compute(const char *cmd, const profile_request *r, const double *tau, const char *const *ids,
                        size_t N, int K, gbtm_profile **out, profile_cli_counts *counts) {
  *out = NULL;
  memset(counts, 0, sizeof *counts);
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  gbtm_person_table *t = NULL;
  const char *names[PROFILE_CLI_MAX_VARS];
  for (int v = 0; v < r->n_vars; v++) {
    names[v] = r->name[v];
    if (r->id && strcmp(r->name[v], r->id) == 0) { /* the id is what matches persons, not a variable */
      cli_error(cmd, "%s: \"%s\" is the id column (--id), not a person variable to profile", r->persons, r->id);
      return CLI_EXIT_USAGE;
    }
  }
  gbtm_status st = gbtm_person_table_read(r->persons, r->id, (size_t)r->n_vars, names, false, r->delimiter, r->decimal, &t, &err);
  if (st != GBTM_OK) {
    cli_error_status(cmd, st, &err);
    return cli_exit_code(st);
  }
  for (int v = 0; v < r->n_vars; v++) {
    gbtm_profile_type ty = r->type[v];
    if (ty != GBTM_PROFILE_CONTINUOUS && ty != GBTM_PROFILE_COUNT && !(r->distal[v] && ty == GBTM_PROFILE_AUTO))
      continue;
    char what[64];
    snprintf(what, sizeof what, "%s %s", ty == GBTM_PROFILE_AUTO ? "distal" : gbtm_profile_type_name(ty),
             r->distal[v] ? "outcome" : "variable");
    st = gbtm_person_table_require_numeric(t, (size_t)v, what, &err);
    if (st != GBTM_OK) {
      cli_error_status(cmd, st, &err);
      gbtm_person_table_free(t);
      return cli_exit_code(st);
    }
  }
  profile_cli_counts mc = {.model = N};
  size_t *row = malloc((N ? N : 1) * sizeof *row);
  bool *present = malloc((N ? N : 1) * sizeof *present);
  double *x = malloc((N ? N : 1) * (size_t)(r->n_vars ? r->n_vars : 1) * sizeof *x);
  gbtm_profile_var *vars = calloc((size_t)(r->n_vars ? r->n_vars : 1), sizeof *vars);
  const char **levels[PROFILE_CLI_MAX_VARS] = {NULL};
  int rc = CLI_EXIT_OK;
  gbtm_profile *p = NULL;
  if (!row || !present || !x || !vars) {
    cli_error(cmd, "out of memory for the profile of %zu persons", N);
    rc = cli_exit_code(GBTM_ERR_NOMEM);
    goto done;
  }
  for (size_t i = 0; i < N; i++) {
    row[i] = gbtm_person_table_find(t, ids[i]);
    present[i] = row[i] != SIZE_MAX;
    mc.matched += present[i];
  }
  mc.not_in_data = N - mc.matched;
  mc.not_in_model = gbtm_person_table_rows(t) - mc.matched;
  if (mc.matched == 0) {
    cli_error(cmd, "no person of %s is a person of the model (%zu persons there, %zu in the model; ids from "
                   "column \"%s\")",
              r->persons, gbtm_person_table_rows(t), N, r->id);
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  if (mc.not_in_model > 0)
    cli_warning(cmd, "%zu person%s of %s %s not in the model (left out)", mc.not_in_model,
                mc.not_in_model == 1 ? "" : "s", r->persons, mc.not_in_model == 1 ? "is" : "are");
  if (mc.not_in_data > 0)
    cli_warning(cmd, "%zu person%s of the model %s not in %s (counted in the classification errors only)",
                mc.not_in_data, mc.not_in_data == 1 ? "" : "s", mc.not_in_data == 1 ? "is" : "are", r->persons);
  for (int v = 0; v < r->n_vars; v++) {
    const double *val = gbtm_person_table_values(t, (size_t)v);
    double *xv = x + (size_t)v * N;
    for (size_t i = 0; i < N; i++) xv[i] = present[i] ? val[row[i]] : NAN;
    vars[v].name = r->name[v];
    vars[v].type = r->type[v];
    vars[v].distal = r->distal[v];
    vars[v].x = xv;
    int L = gbtm_person_table_n_levels(t, (size_t)v);
    if (L > 0) {
      levels[v] = malloc((size_t)L * sizeof *levels[v]);
      if (!levels[v]) {
        cli_error(cmd, "out of memory");
        rc = cli_exit_code(GBTM_ERR_NOMEM);
        goto done;
      }
      for (int l = 0; l < L; l++) levels[v][l] = gbtm_person_table_level(t, (size_t)v, l);
      vars[v].n_levels = L;
      vars[v].levels = levels[v];
    }
  }
  /* value labels: gathered per variable into arrays the table owns */
  double *lval[PROFILE_CLI_MAX_VARS] = {NULL};
  const char **ltxt[PROFILE_CLI_MAX_VARS] = {NULL};
  for (int v = 0; v < r->n_vars && rc == CLI_EXIT_OK; v++) {
    int n = gbtm_person_table_n_labels(t, (size_t)v);
    if (n == 0) continue;
    lval[v] = malloc((size_t)n * sizeof *lval[v]);
    ltxt[v] = malloc((size_t)n * sizeof *ltxt[v]);
    if (!lval[v] || !ltxt[v]) {
      cli_error(cmd, "out of memory");
      rc = cli_exit_code(GBTM_ERR_NOMEM);
      break;
    }
    for (int l = 0; l < n; l++)
      lval[v][l] = gbtm_person_table_label_value(t, (size_t)v, l),
      ltxt[v][l] = gbtm_person_table_label_text(t, (size_t)v, l);
    vars[v].n_labels = n, vars[v].label_value = lval[v], vars[v].label_text = ltxt[v];
  }
  if (rc == CLI_EXIT_OK) {
    st = gbtm_profile_run(tau, N, K, present, vars, r->n_vars, &p, &err);
    if (st != GBTM_OK) {
      cli_error_status(cmd, st, &err);
      rc = cli_exit_code(st);
    }
  }
  if (rc == CLI_EXIT_OK) *out = p, p = NULL, *counts = mc;
  for (int v = 0; v < r->n_vars; v++) free(lval[v]), free(ltxt[v]);
done:
  for (int v = 0; v < r->n_vars; v++) free(levels[v]);
  gbtm_profile_free(p);
  free(row), free(present), free(x), free(vars);
  gbtm_person_table_free(t);
  return rc;
}

int profile_cli_run(const char *cmd, const profile_request *r, const double *tau, const char *const *ids,
                    size_t N, int K, const char *const *labels, bool json, FILE *text_out, FILE *csv_out) {
  gbtm_profile *p = NULL;
  profile_cli_counts mc;
  int rc = profile_cli_compute(cmd, r, tau, ids, N, K, &p, &mc);
  if (rc != CLI_EXIT_OK) return rc;
  if (text_out) {
    fprintf(text_out, "Profile of the groups: %zu person%s of %s matched to the model's %zu", mc.matched,
            mc.matched == 1 ? "" : "s", r->persons, N);
    if (mc.not_in_model) fprintf(text_out, "; %zu not in the model", mc.not_in_model);
    fprintf(text_out, "\n");
    gbtm_profile_write_text(p, text_out, labels);
  }
  if (csv_out) gbtm_profile_write_csv(p, csv_out, labels);
  if (json) print_json(p, &mc, labels);
  gbtm_profile_free(p);
  return CLI_EXIT_OK;
}
