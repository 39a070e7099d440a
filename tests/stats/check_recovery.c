/* check_recovery.c: recovery of known parameters. Cohorts of 20,000 persons
 * are drawn (fixed seeds) from the built-in rapporteur-2024 model, four
 * Poisson groups with quadratic log rates, and each is fitted from random
 * starts. Over the replicates:
 * - every fitted share is within 1 percentage point of the truth;
 * - the first replicate's coefficients are within 3 Monte-Carlo standard
 *   deviations of the truth, the spread measured over the replicates;
 * - the Monte-Carlo mean of each coefficient is within 3 standard errors of
 *   the mean (sd / sqrt(R)) of the truth: no detectable bias. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gbtm.h"
#include "model/model.h"
#include "gbtm_presets.h"

#define N_PERSONS 20000
#define REPLICATES 10

START_TEST(recovers_rapporteur_model) {
  gbtm_model truth;
  gbtm_sim_design design;
  ck_assert(model_preset("rapporteur-2024", N_PERSONS, 1, &truth, &design));
  int K = truth.groups, nc = truth.order[0] + 1;
  double true_share[GBTM_MAX_GROUPS];
  gbtm_model_shares(&truth, true_share);
  double est[REPLICATES][GBTM_MAX_GROUPS][GBTM_MAX_COEF];
  for (int r = 0; r < REPLICATES; r++) {
    design.seed = 1000 + (uint64_t)r;
    gbtm_panel *p = NULL;
    gbtm_error err;
    ck_assert_msg(gbtm_simulate(&truth, &design, &p, NULL, &err) == GBTM_OK, "%s", err.message);
    gbtm_fit_options o = gbtm_fit_options_default();
    o.groups = K;
    for (int k = 0; k < K; k++) o.order[k] = truth.order[k];
    o.centre = truth.centre;
    o.scale = truth.scale;
    o.starts = 8;
    o.keep_posterior = false;
    gbtm_fit_result *res = NULL;
    ck_assert_msg(gbtm_fit(p, &o, &res, &err) == GBTM_OK, "%s", err.message);
    const gbtm_model *m = gbtm_fit_result_model(res);
    ck_assert(gbtm_fit_result_summary(res)->converged);
    double share[GBTM_MAX_GROUPS];
    gbtm_model_shares(m, share);
    for (int k = 0; k < K; k++) {
      ck_assert_msg(fabs(share[k] - true_share[k]) < 0.01, "replicate %d group %d: share %.4f, truth %.4f", r,
                    k + 1, share[k], true_share[k]);
      for (int j = 0; j < nc; j++) est[r][k][j] = m->beta[k][j];
    }
    gbtm_fit_result_free(res);
    gbtm_panel_free(p);
  }
  for (int k = 0; k < K; k++)
    for (int j = 0; j < nc; j++) {
      double mean = 0.0, ss = 0.0;
      for (int r = 0; r < REPLICATES; r++) mean += est[r][k][j] / REPLICATES;
      for (int r = 0; r < REPLICATES; r++) ss += (est[r][k][j] - mean) * (est[r][k][j] - mean);
      double sd = sqrt(ss / (REPLICATES - 1)), truth_kj = truth.beta[k][j];
      printf("group %d beta%d: truth %+.4f, mean %+.4f, MC sd %.4f\n", k + 1, j, truth_kj, mean, sd);
      ck_assert_msg(fabs(est[0][k][j] - truth_kj) <= 3.0 * sd, "group %d beta%d: %.4f vs truth %.4f (sd %.4f)",
                    k + 1, j, est[0][k][j], truth_kj, sd);
      ck_assert_msg(fabs(mean - truth_kj) <= 3.0 * sd / sqrt(REPLICATES),
                    "group %d beta%d: MC mean %.4f vs truth %.4f (se %.4f)", k + 1, j, mean, truth_kj,
                    sd / sqrt(REPLICATES));
    }
}
END_TEST

int main(void) {
  Suite *s = suite_create("recovery");
  TCase *tc = tcase_create("rapporteur");
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, recovers_rapporteur_model);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
