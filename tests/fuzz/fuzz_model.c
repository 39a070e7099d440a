/* fuzz_model.c: libFuzzer target for the model-file reader,
 * gbtm_model_load(), and for what gbtm show, gbtm plot, gbtm classify and
 * gbtm test do with a file it accepts: the text and JSON reports
 * (cli/report.c, written to /dev/null), the trajectory table,
 * classifying a small fixed panel, a Wald test, and the share and
 * trajectory intervals. The input is the file's bytes; the seeds are
 * small valid model files (scripts/fuzz.sh makes them). A crash, a
 * sanitizer report or a leak is a bug; so is a refusal without a message
 * naming the file, or a loaded model whose group count is out of range. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"
#include "gbtm.h"
#include "model/model.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink; /* /dev/null, for the reports */
static gbtm_panel *panel; /* 3 persons at ages 12..15, for classify */

static void setup(void) {
  sink = fopen("/dev/null", "w");
  static const char *const id[] = {"a", "a", "a", "b", "b", "c", "c", "c"};
  static const double age[] = {12, 13, 15, 12, 14, 13, 14, 15};
  static const int64_t count[] = {0, 2, 1, 0, 0, 5, 3, 0};
  gbtm_error err;
  if (!sink || gbtm_panel_from_rows(8, id, age, count, NULL, "rows", &panel, &err) != GBTM_OK)
    abort();
}

static void use(const char *path, const gbtm_fit_result *res) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  if (m->groups < 1 || m->groups > GBTM_MAX_GROUPS) abort();
  report_text(sink, "data.csv", res);
  report_json(sink, NULL, res);
  double *tau = malloc(gbtm_panel_n_persons(panel) * (size_t)m->groups * sizeof *tau);
  gbtm_error err;
  if (!tau) abort();
  gbtm_model_classify(m, panel, tau, &err);
  gbtm_model_outside_range(m, panel, NULL);
  free(tau);
  double chi2, p, se, lo, hi, mean;
  int df;
  gbtm_wald_test(res, GBTM_SE_MODEL, "beta[1][0] = 0", &chi2, &df, &p, &err);
  for (int k = 0; k < m->groups; k++) {
    gbtm_fit_result_share_interval(res, k, GBTM_SE_ROBUST, 0.95, &se, &lo, &hi);
    gbtm_fit_result_trajectory_interval(res, k, m->age_min, GBTM_SE_MODEL, 0.95, &mean, &lo, &hi);
  }
  gbtm_trajectory_table *table = NULL;
  if (gbtm_trajectory_table_read(path, &table, &err) == GBTM_OK && !table) abort();
  gbtm_trajectory_table_free(table);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!sink) setup();
  const char *path = fuzz_file(data, size);
  gbtm_fit_result *res = NULL;
  gbtm_error err = {GBTM_OK, ""};
  gbtm_status st = gbtm_model_load(path, &res, &err);
  if (st == GBTM_OK) {
    if (!res) abort();
    use(path, res);
  } else if (res || !strstr(err.message, path)) {
    abort();
  }
  gbtm_fit_result_free(res);
  return 0;
}
