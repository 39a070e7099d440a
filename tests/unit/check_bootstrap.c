/* check_bootstrap.c: the parametric bootstrap, its refits by the automatic
 * rule of starts (DESIGN eq. ROUNDS), gives the same intervals for any
 * number of threads, its intervals contain the estimates, and their
 * widths agree with the delta-method intervals within a factor of two (both
 * estimate the same sampling spread). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtm.h"
#include "testutil.h"

START_TEST(bootstrap_intervals) {
  gbtm_panel *p = test_cohort(630, 3);
  gbtm_error err;
  gbtm_fit_options o = gbtm_fit_options_default();
  o.groups = 4;
  o.starts = 6;
  gbtm_fit_result *r = NULL;
  ck_assert_msg(gbtm_fit(p, &o, &r, &err) == GBTM_OK, "%s", err.message);
  gbtm_bootstrap *b1 = NULL, *b2 = NULL;
  ck_assert_msg(gbtm_bootstrap_run(r, p, 40, GBTM_STARTS_AUTO, 7, 1, 0.95, &b1, &err) == GBTM_OK, "%s", err.message);
  ck_assert_msg(gbtm_bootstrap_run(r, p, 40, GBTM_STARTS_AUTO, 7, 2, 0.95, &b2, &err) == GBTM_OK, "%s", err.message);
  ck_assert_int_eq(gbtm_bootstrap_replicates(b1), 40);
  for (int k = 0; k < 4; k++) {
    double lo1, hi1, lo2, hi2, se, dlo, dhi;
    gbtm_bootstrap_share(b1, k, &lo1, &hi1);
    gbtm_bootstrap_share(b2, k, &lo2, &hi2);
    ck_assert(lo1 == lo2 && hi1 == hi2);
    double share = gbtm_fit_result_group(r, k)->share;
    ck_assert_msg(lo1 < share && share < hi1, "group %d share %.4f outside [%.4f, %.4f]", k + 1, share, lo1, hi1);
    ck_assert_int_eq(gbtm_fit_result_share_interval(r, k, GBTM_SE_MODEL, 0.95, &se, &dlo, &dhi), GBTM_OK);
    double ratio = (hi1 - lo1) / (dhi - dlo);
    ck_assert_msg(ratio > 0.5 && ratio < 2.0, "group %d: bootstrap width / delta width = %.3f", k + 1, ratio);
    size_t T = gbtm_bootstrap_n_ages(b1);
    for (size_t t = 0; t < T; t++) {
      gbtm_bootstrap_trajectory(b1, k, t, &lo1, &hi1);
      gbtm_bootstrap_trajectory(b2, k, t, &lo2, &hi2);
      ck_assert(lo1 == lo2 && hi1 == hi2);
      ck_assert(lo1 <= hi1);
    }
  }
  gbtm_bootstrap_free(b1);
  gbtm_bootstrap_free(b2);
  gbtm_fit_result_free(r);
  gbtm_panel_free(p);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bootstrap");
  TCase *tc = tcase_create("percentile");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, bootstrap_intervals);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
