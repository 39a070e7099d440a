/* fit_preset.c: a program built against an installed libgbtm
 * (tests/cli/test_install.sh): simulates the built-in cohort
 * rapporteur-2024 (gbtm_preset, gbtm_simulate), fits two groups of order 2
 * from 10 starts with seed 1, and prints log L as %.17g. Arguments: the
 * number of persons and the cohort's seed. */
#include <gbtm.h>
#include <gbtm_presets.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: fit_preset N SEED\n");
    return 2;
  }
  gsl_set_error_handler_off();
  gbtm_error err = {0};
  gbtm_model *truth = NULL;
  gbtm_sim_design design;
  gbtm_panel *panel = NULL;
  gbtm_fit_result *fit = NULL;
  gbtm_status st = gbtm_preset("rapporteur-2024", strtoul(argv[1], NULL, 10), strtoull(argv[2], NULL, 10), &truth,
                               &design, &err);
  if (st == GBTM_OK) st = gbtm_simulate(truth, &design, &panel, NULL, &err);
  if (st == GBTM_OK) {
    gbtm_fit_options o = gbtm_fit_options_default();
    o.groups = 2;
    o.order[0] = o.order[1] = 2;
    o.starts = 10;
    o.seed = 1;
    st = gbtm_fit(panel, &o, &fit, &err);
  }
  if (st == GBTM_OK) printf("%.17g\n", gbtm_fit_result_summary(fit)->loglik);
  else fprintf(stderr, "fit_preset: %s: %s\n", gbtm_status_str(st), err.message);
  gbtm_fit_result_free(fit);
  gbtm_panel_free(panel);
  gbtm_model_free(truth);
  return st == GBTM_OK ? 0 : 1;
}
