/* check_vmath.c: the E-step's vector exp and log (engine/fit/vmath.h) against
 * glibc's exp and log: within 1e-15 relative over their domains (measured:
 * about 4e-16 and 6e-16, two to three units in the last place), exact at
 * the points the softmax relies on (exp(0) = 1, exp(-inf) = 0), and NaN
 * kept as NaN. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "fit/vmath.h"

static double rel(double a, double b) { return fabs(a - b) / fmax(fabs(b), 1e-300); }

/* Evenly spaced and pseudo-random points of [lo, hi], four at a time. */
static double worst(bool is_exp, double lo, double hi, int n) {
  double w = 0.0;
  unsigned long long u = 88172645463325252ULL;
  for (int i = 0; i < n; i += 4) {
    v4d x;
    for (int q = 0; q < 4; q++) {
      u ^= u << 13, u ^= u >> 7, u ^= u << 17; /* xorshift64 */
      double f = (i + q) % 2 ? (double)(u >> 11) / 9007199254740992.0 : (double)(i + q) / n;
      x[q] = lo + (hi - lo) * f;
    }
    v4d y = is_exp ? v4d_exp_nonpos(x) : v4d_log_pos(x);
    for (int q = 0; q < 4; q++) {
      double ref = is_exp ? exp(x[q]) : log(x[q]);
      if (ref != 0.0) w = fmax(w, rel(y[q], ref));
    }
  }
  return w;
}

START_TEST(exp_accuracy) {
  ck_assert_double_le(worst(true, -1.0, 0.0, 400000), 1e-15);
  ck_assert_double_le(worst(true, -50.0, 0.0, 400000), 1e-15);
  ck_assert_double_le(worst(true, -706.0, 0.0, 400000), 1e-15);
}
END_TEST

START_TEST(exp_special) {
  v4d y = v4d_exp_nonpos((v4d){0.0, -INFINITY, -800.0, NAN});
  ck_assert(y[0] == 1.0);
  ck_assert(y[1] == 0.0);
  ck_assert(y[2] == 0.0);
  ck_assert(isnan(y[3]));
  y = v4d_exp_nonpos((v4d){-706.5, -1e-300, -0.34657359027997265471, -708.0});
  ck_assert_double_le(rel(y[0], exp(-706.5)), 1e-15);
  ck_assert(y[1] == 1.0);
  ck_assert_double_le(rel(y[2], 0.70710678118654752440), 1e-15);
  ck_assert(y[3] == 0.0); /* below -707: 0, not a misread exponent */
}
END_TEST

START_TEST(log_accuracy) {
  ck_assert_double_le(worst(false, 1.0, 16.0, 400000), 1e-15);  /* the softmax's sums */
  ck_assert_double_le(worst(false, 1.001, 1.5, 400000), 1e-15); /* near 1 */
  ck_assert_double_le(worst(false, 1e-300, 1e300, 400000), 1e-15);
}
END_TEST

START_TEST(log_special) {
  v4d y = v4d_log_pos((v4d){1.0, 2.0, NAN, 0.5});
  ck_assert(y[0] == 0.0);
  ck_assert_double_le(rel(y[1], 0.69314718055994530942), 1e-15);
  ck_assert(isnan(y[2]));
  ck_assert_double_le(rel(y[3], -0.69314718055994530942), 1e-15);
}
END_TEST

int main(void) {
  Suite *s = suite_create("vmath");
  TCase *tc = tcase_create("vmath");
  tcase_add_test(tc, exp_accuracy);
  tcase_add_test(tc, exp_special);
  tcase_add_test(tc, log_accuracy);
  tcase_add_test(tc, log_special);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
