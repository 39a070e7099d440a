/* report_bootstrap.c: the parametric-bootstrap part of the fit report
 * (gbtm fit --bootstrap B): percentile intervals of the shares and of each
 * group's expected count by age, as text and as a "bootstrap" JSON member. */
#include "report_bootstrap.h"

#include "report.h"

void report_bootstrap_text(FILE *out, const gbtm_fit_result *res, const gbtm_bootstrap *b) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  fprintf(out, "\nParametric bootstrap, %d refits: 95%% percentile intervals\n", gbtm_bootstrap_replicates(b));
  for (int k = 0; k < gbtm_model_groups(m); k++) {
    double lo, hi;
    gbtm_bootstrap_share(b, k, &lo, &hi);
    char a[32], c[32], d[32];
    fprintf(out, "  group %d share %s [%s, %s]\n", k + 1,
            report_fixed(a, sizeof a, gbtm_fit_result_group(res, k)->share, 4), report_fixed(c, sizeof c, lo, 4),
            report_fixed(d, sizeof d, hi, 4));
  }
  const char *phi = gbtm_family_phi_name(gbtm_model_family(m));
  for (int k = 0; phi && k < gbtm_model_groups(m); k++) {
    double lo, hi;
    gbtm_bootstrap_phi(b, k, &lo, &hi);
    char a[32], c[32], d[32];
    fprintf(out, "  group %d %s %s [%s, %s]\n", k + 1, phi, report_fixed(a, sizeof a, gbtm_model_phi(m, k), 4),
            report_fixed(c, sizeof c, lo, 4), report_fixed(d, sizeof d, hi, 4));
  }
  fprintf(out, "  %8s", "age");
  for (int k = 0; k < gbtm_model_groups(m); k++) fprintf(out, "  group %-13d", k + 1);
  fputc('\n', out);
  const double *age = gbtm_bootstrap_ages(b);
  for (size_t t = 0; t < gbtm_bootstrap_n_ages(b); t++) {
    char a[32], c[32];
    fprintf(out, "  %8s", report_general(a, sizeof a, age[t], 4));
    for (int k = 0; k < gbtm_model_groups(m); k++) {
      double lo, hi;
      gbtm_bootstrap_trajectory(b, k, t, &lo, &hi);
      fprintf(out, "  [%7s, %7s]", report_fixed(a, sizeof a, lo, 4), report_fixed(c, sizeof c, hi, 4));
    }
    fputc('\n', out);
  }
}

static void bootstrap_json(json_writer *w, const gbtm_fit_result *res, const gbtm_bootstrap *b) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  json_key(w, "bootstrap");
  json_object_begin(w);
  json_kv_int(w, "replicates", gbtm_bootstrap_replicates(b));
  json_kv_double(w, "level", 0.95);
  json_kv_double_array(w, "ages", gbtm_bootstrap_ages(b), gbtm_bootstrap_n_ages(b));
  json_key(w, "group");
  json_array_begin(w);
  for (int k = 0; k < gbtm_model_groups(m); k++) {
    double ci[2];
    json_object_begin(w);
    gbtm_bootstrap_share(b, k, &ci[0], &ci[1]);
    json_kv_double_array(w, "share_ci", ci, 2);
    const char *phi = gbtm_family_phi_name(gbtm_model_family(m));
    if (phi) { /* "dispersion_ci" */
      char key[64];
      snprintf(key, sizeof key, "%s_ci", phi);
      gbtm_bootstrap_phi(b, k, &ci[0], &ci[1]);
      json_kv_double_array(w, key, ci, 2);
    }
    json_key(w, "trajectory");
    json_array_begin(w);
    for (size_t t = 0; t < gbtm_bootstrap_n_ages(b); t++) {
      gbtm_bootstrap_trajectory(b, k, t, &ci[0], &ci[1]);
      json_object_begin(w);
      json_kv_double(w, "lower", ci[0]);
      json_kv_double(w, "upper", ci[1]);
      json_object_end(w);
    }
    json_array_end(w);
    json_object_end(w);
  }
  json_array_end(w);
  json_object_end(w);
}

void report_json_with_bootstrap(FILE *out, const char *data_name, const gbtm_fit_result *res,
                                const gbtm_bootstrap *b) {
  json_writer w;
  json_init(&w, out);
  json_object_begin(&w);
  report_json_members(&w, data_name, res, NULL);
  bootstrap_json(&w, res, b);
  json_object_end(&w);
  json_end(&w);
}
