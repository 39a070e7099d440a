/* check_interrupt.c: gbtm_fit_options.interrupt. A callback that answers
 * true at its n-th call stops the fit with GBTM_ERR_INTERRUPTED and no
 * result (the sanitized build checks that everything was freed), whether
 * the starts run side by side or in turn, fixed or automatic; it is called
 * on the calling thread only, and not again once it answered true; a
 * callback that never answers true leaves the fit as it is without one. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>

#include "gbtm.h"
#include "testutil.h"

typedef struct counter {
  int calls, stop_at;
  pthread_t caller;
  bool other_thread; /* called from a thread other than the caller */
} counter;

static bool count_calls(void *user) {
  counter *c = user;
  if (!pthread_equal(pthread_self(), c->caller)) c->other_thread = true;
  return ++c->calls >= c->stop_at;
}

static void interrupted_at(const gbtm_panel *p, int starts, int threads, int stop_at) {
  gbtm_fit_options o = gbtm_fit_options_default();
  o.groups = 3;
  o.starts = starts;
  o.threads = threads;
  counter c = {0, stop_at, pthread_self(), false};
  o.interrupt = count_calls;
  o.interrupt_user = &c;
  gbtm_fit_result *r = (gbtm_fit_result *)&c; /* must come back NULL */
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_fit(p, &o, &r, &err), GBTM_ERR_INTERRUPTED);
  ck_assert_ptr_null(r);
  ck_assert_int_eq(err.status, GBTM_ERR_INTERRUPTED);
  ck_assert_str_eq(gbtm_status_str(GBTM_ERR_INTERRUPTED), "interrupted");
  ck_assert_int_eq(c.calls, stop_at); /* never asked again after true */
  ck_assert(!c.other_thread);
}

START_TEST(stops_fixed_starts) {
  gbtm_panel *p = test_cohort(400, 5);
  /* one thread: every E-step is the caller's (91 calls in a whole fit) */
  interrupted_at(p, 8, 1, 1);
  interrupted_at(p, 8, 1, 7);
  interrupted_at(p, 8, 1, 60);
  /* two threads, the starts side by side: how many of them the caller runs
   * depends on the scheduling, but the fit asks between its phases too */
  interrupted_at(p, 8, 2, 1);
  interrupted_at(p, 8, 2, 3);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(stops_automatic_starts) {
  gbtm_panel *p = test_cohort(400, 5);
  interrupted_at(p, GBTM_STARTS_AUTO, 1, 40);
  interrupted_at(p, GBTM_STARTS_AUTO, 2, 2);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(false_changes_nothing) {
  gbtm_panel *p = test_cohort(400, 5);
  gbtm_fit_options o = gbtm_fit_options_default();
  o.groups = 3;
  o.starts = 8;
  gbtm_fit_result *plain = NULL, *hooked = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_fit(p, &o, &plain, &err) == GBTM_OK, "%s", err.message);
  counter c = {0, 1 << 30, pthread_self(), false};
  o.interrupt = count_calls;
  o.interrupt_user = &c;
  ck_assert_msg(gbtm_fit(p, &o, &hooked, &err) == GBTM_OK, "%s", err.message);
  ck_assert(c.calls > 0 && !c.other_thread);
  ck_assert(gbtm_fit_result_summary(plain)->loglik == gbtm_fit_result_summary(hooked)->loglik);
  gbtm_fit_result_free(plain);
  gbtm_fit_result_free(hooked);
  gbtm_panel_free(p);
}
END_TEST

int main(void) {
  Suite *s = suite_create("interrupt");
  TCase *tc = tcase_create("fit");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, stops_fixed_starts);
  tcase_add_test(tc, stops_automatic_starts);
  tcase_add_test(tc, false_changes_nothing);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
