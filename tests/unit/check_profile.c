/* check_profile.c: the profile of the groups (gbtm_profile_run, DESIGN §9)
 * on cases worked by hand: posteriors of 0 and 1 make the modal,
 * proportional and BCH estimates one (and the ML three-step the group
 * means); a two-group case whose classification-error matrix (eq. D) and
 * BCH estimate (eq. BCH) are computed here; the Wald test's degrees of
 * freedom; missing values, one-valued variables and a singular D. */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gbtm.h"
#include "testutil.h"

static gbtm_profile *run(const double *tau, size_t N, int K, const gbtm_profile_var *v, int n) {
  gbtm_profile *p = NULL;
  gbtm_error err;
  ck_assert_msg(gbtm_profile_run(tau, N, K, NULL, v, n, &p, &err) == GBTM_OK, "%s", err.message);
  return p;
}

/* Posteriors 0/1: every method is the group mean (share). */
START_TEST(certain_posteriors_agree) {
  enum { N = 9, K = 3 };
  double tau[N * K] = {0};
  int g[N] = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  double z[N] = {1, 2, 4, 0, 5, 7, 3, 3, 9}, b[N] = {1, 0, 0, 1, 1, 0, 0, 0, 1};
  for (int i = 0; i < N; i++) tau[i * K + g[i]] = 1;
  gbtm_profile_var v[2] = {{.name = "z", .type = GBTM_PROFILE_CONTINUOUS, .distal = true, .x = z},
                           {.name = "b", .x = b}};
  gbtm_profile *p = run(tau, N, K, v, 2);
  const double *D = gbtm_profile_error_matrix(p);
  for (int k = 0; k < K; k++)
    for (int s = 0; s < K; s++) ck_assert(D[k * K + s] == (k == s));
  ck_assert(gbtm_profile_bch_available(p));
  ck_assert_int_eq(gbtm_profile_var_info_of(p, 1)->type, GBTM_PROFILE_BINARY);
  ck_assert_str_eq(gbtm_profile_quantity(p, 1, 0), "1");
  double means[K] = {7.0 / 3, 4, 5}, shares[K] = {1.0 / 3, 2.0 / 3, 1.0 / 3};
  for (int k = 0; k < K; k++) {
    double e[4], s[4];
    for (int m = 0; m < 4; m++) gbtm_profile_estimate(p, 0, 0, k, (gbtm_profile_method)m, &e[m], &s[m]);
    ck_assert(fabs(e[0] - means[k]) < 1e-12);
    ck_assert(e[1] == e[0] && e[2] == e[0]);
    ck_assert(fabs(e[3] - means[k]) < 1e-7); /* ML3: EM to its tolerance */
    /* eq. ML3I with D = I: Var mu_k = sigma^2 / n_k, sigma^2 the pooled
     * ML variance (sum of squares 14/3 + 26 + 24 over 9 persons) */
    double s2 = (14.0 / 3 + 26 + 24) / 9;
    ck_assert_msg(fabs(s[3] - sqrt(s2 / 3)) < 1e-6 * s[3], "ML3 SE %.10g, expected %.10g", s[3], sqrt(s2 / 3));
    ck_assert(s[1] == s[2]);                  /* proportional and BCH: the same sandwich */
    /* modal: the usual s / sqrt(n); the sandwich has n for n - 1 */
    ck_assert(fabs(s[0] * s[0] - s[1] * s[1] * 3.0 / 2.0) < 1e-12);
    for (int m = 0; m < 3; m++) gbtm_profile_estimate(p, 1, 0, k, (gbtm_profile_method)m, &e[m], &s[m]);
    ck_assert(fabs(e[0] - shares[k]) < 1e-12 && e[1] == e[0] && e[2] == e[0]);
    ck_assert(fabs(s[0] - sqrt(shares[k] * (1 - shares[k]) / 3)) < 1e-12 && s[1] == s[0] && s[2] == s[0]);
  }
  gbtm_profile_free(p);
}
END_TEST

/* Two groups, four persons: D and the BCH estimate by hand. */
START_TEST(two_groups_by_hand) {
  double tau[8] = {0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.4, 0.6};
  double z[4] = {1, 3, 10, 20};
  gbtm_profile_var v = {.name = "z", .type = GBTM_PROFILE_CONTINUOUS, .x = z};
  gbtm_profile *p = run(tau, 4, 2, &v, 1);
  const double *D = gbtm_profile_error_matrix(p);
  /* modal groups 1, 1, 2, 2: D[k][s] = sum of tau_ik over modal s / sum tau_ik */
  double d00 = 1.7 / 2.4, d01 = 0.7 / 2.4, d10 = 0.3 / 1.6, d11 = 1.3 / 1.6;
  ck_assert(fabs(D[0] - d00) < 1e-15 && fabs(D[1] - d01) < 1e-15);
  ck_assert(fabs(D[2] - d10) < 1e-15 && fabs(D[3] - d11) < 1e-15);
  double det = d00 * d11 - d01 * d10;
  double inv[4] = {d11 / det, -d01 / det, -d10 / det, d00 / det};
  /* eq. BCH: w_ik = inv[W_i][k] */
  int W[4] = {0, 0, 1, 1};
  for (int k = 0; k < 2; k++) {
    double sw = 0, swz = 0, sww = 0;
    for (int i = 0; i < 4; i++) sw += inv[W[i] * 2 + k], swz += inv[W[i] * 2 + k] * z[i];
    double mu = swz / sw;
    for (int i = 0; i < 4; i++) sww += pow(inv[W[i] * 2 + k] * (z[i] - mu), 2);
    double e, s;
    gbtm_profile_estimate(p, 0, 0, k, GBTM_PROFILE_BCH, &e, &s);
    ck_assert_msg(fabs(e - mu) < 1e-12, "group %d: %.17g, expected %.17g", k, e, mu);
    ck_assert(fabs(s - sqrt(sww) / fabs(sw)) < 1e-12);
    double pw = 0, pwz = 0;
    for (int i = 0; i < 4; i++) pw += tau[i * 2 + k], pwz += tau[i * 2 + k] * z[i];
    gbtm_profile_estimate(p, 0, 0, k, GBTM_PROFILE_PROPORTIONAL, &e, &s);
    ck_assert(fabs(e - pwz / pw) < 1e-12);
  }
  /* the rows of D^-1 sum to 1, so the BCH weights of a person do too */
  ck_assert(fabs(inv[0] + inv[1] - 1) < 1e-12 && fabs(inv[2] + inv[3] - 1) < 1e-12);
  gbtm_profile_free(p);
}
END_TEST

/* Wald tests: df, the pair test of two groups as the overall one, and z^2. */
START_TEST(wald_tests) {
  enum { N = 400, K = 2 };
  double tau[N * K], x[N], c[N];
  unsigned s = 7;
  for (int i = 0; i < N; i++) {
    s = s * 1103515245u + 12345u;
    double u = (s >> 8) / 16777216.0;
    int g = i % 2;
    tau[i * K + g] = 0.75 + 0.2 * u, tau[i * K + 1 - g] = 1 - tau[i * K + g];
    x[i] = g + u;
    c[i] = (double)((i / 2) % 3);
  }
  gbtm_profile_var v[2] = {{.name = "x", .type = GBTM_PROFILE_CONTINUOUS, .x = x},
                           {.name = "c", .type = GBTM_PROFILE_CATEGORICAL, .x = c}};
  gbtm_profile *p = run(tau, N, K, v, 2);
  const gbtm_profile_var_info *in = gbtm_profile_var_info_of(p, 0);
  ck_assert_int_eq(in->wald_df, 1);
  double chi2, pv;
  int df;
  gbtm_profile_pair(p, 0, 0, 1, false, &chi2, &df, &pv);
  ck_assert(isfinite(in->wald_chi2) && fabs(chi2 - in->wald_chi2) < 1e-9 * chi2);
  ck_assert(fabs(in->wald_p - gsl_cdf_chisq_Q(in->wald_chi2, 1)) < 1e-15);
  in = gbtm_profile_var_info_of(p, 1);
  ck_assert_int_eq(in->n_quantities, 3);
  ck_assert_int_eq(in->wald_df, 2); /* (K - 1)(C - 1) */
  ck_assert(isfinite(in->wald_chi2));
  /* shares of the categories sum to 1 in each group, for every method */
  for (int m = 0; m < 3; m++)
    for (int k = 0; k < K; k++) {
      double sum = 0, e, se;
      for (int q = 0; q < 3; q++) gbtm_profile_estimate(p, 1, q, k, (gbtm_profile_method)m, &e, &se), sum += e;
      ck_assert(fabs(sum - 1) < 1e-12);
    }
  gbtm_profile_free(p);
}
END_TEST

/* Missing values are counted, persons absent are neither used nor
 * missing, a one-valued variable has no test, a singular D no BCH. */
START_TEST(degenerate_input) {
  double tau[8] = {1, 0, 0.6, 0.4, 0.2, 0.8, 0.1, 0.9};
  double x[4] = {1, NAN, 3, NAN}, one[4] = {5, 5, 5, 5};
  bool present[4] = {true, true, true, false};
  gbtm_profile_var v[2] = {{.name = "x", .type = GBTM_PROFILE_CONTINUOUS, .x = x}, {.name = "one", .x = one}};
  gbtm_profile *p = NULL;
  gbtm_error err;
  ck_assert_int_eq(gbtm_profile_run(tau, 4, 2, present, v, 2, &p, &err), GBTM_OK);
  ck_assert_uint_eq(gbtm_profile_var_info_of(p, 0)->n_used, 2);
  ck_assert_uint_eq(gbtm_profile_var_info_of(p, 0)->n_missing, 1);
  const gbtm_profile_var_info *in = gbtm_profile_var_info_of(p, 1);
  ck_assert_uint_eq(in->n_used, 3);
  ck_assert(isnan(in->wald_chi2));
  ck_assert(strstr(in->note, "one value") != NULL);
  double e, s;
  gbtm_profile_estimate(p, 1, 0, 0, GBTM_PROFILE_BCH, &e, &s);
  ck_assert(e == 1.0 || fabs(e - 1.0) < 1e-12); /* the share of the one value 5: all */
  gbtm_profile_free(p);
  /* everyone's modal group is 1: D's second column is zero */
  double tau2[6] = {0.9, 0.1, 0.6, 0.4, 0.55, 0.45};
  double z2[3] = {1, 2, 3};
  gbtm_profile_var w = {.name = "z", .type = GBTM_PROFILE_CONTINUOUS, .x = z2};
  ck_assert_int_eq(gbtm_profile_run(tau2, 3, 2, NULL, &w, 1, &p, &err), GBTM_OK);
  ck_assert(!gbtm_profile_bch_available(p));
  ck_assert(strstr(gbtm_profile_bch_note(p), "singular") != NULL);
  gbtm_profile_estimate(p, 0, 0, 0, GBTM_PROFILE_BCH, &e, &s);
  ck_assert(isnan(e));
  gbtm_profile_estimate(p, 0, 0, 0, GBTM_PROFILE_PROPORTIONAL, &e, &s);
  ck_assert(isfinite(e));
  gbtm_profile_free(p);
  /* a binary variable with three values, posteriors that are not probabilities */
  double three[3] = {0, 1, 2};
  gbtm_profile_var t = {.name = "t", .type = GBTM_PROFILE_BINARY, .x = three};
  ck_assert_int_eq(gbtm_profile_run(tau2, 3, 2, NULL, &t, 1, &p, &err), GBTM_ERR_DATA);
  ck_assert(p == NULL && strstr(err.message, "\"t\"") != NULL);
  double bad[2] = {1.5, -0.5};
  ck_assert_int_eq(gbtm_profile_run(bad, 1, 2, NULL, &w, 1, &p, &err), GBTM_ERR_DATA);
}
END_TEST

/* The ML three-step on a large sample with known classification errors:
 * the estimates near the truth, within 4 SEs; Bernoulli and Poisson too. */
START_TEST(ml3_recovers_means) {
  enum { N = 20000, K = 2 };
  double *tau = malloc(N * K * sizeof *tau), *y = malloc(N * sizeof *y), *b = malloc(N * sizeof *b),
         *c = malloc(N * sizeof *c);
  double mu[2] = {0, 2}, pb[2] = {0.2, 0.6}, lam[2] = {1, 4};
  unsigned long s = 11;
  for (int i = 0; i < N; i++) {
    s = s * 6364136223846793005ul + 1442695040888963407ul;
    double u1 = ((s >> 11) + 0.5) / 9007199254740992.0;
    s = s * 6364136223846793005ul + 1442695040888963407ul;
    double u2 = ((s >> 11) + 0.5) / 9007199254740992.0;
    s = s * 6364136223846793005ul + 1442695040888963407ul;
    double u3 = ((s >> 11) + 0.5) / 9007199254740992.0;
    /* calibrated posteriors: the modal group m has posterior t in
     * 0.65 .. 0.95, and the true group is m with probability t */
    int m = i % 2;
    double t = 0.65 + 0.3 * u3;
    tau[i * K + m] = t, tau[i * K + 1 - m] = 1 - t;
    s = s * 6364136223846793005ul + 1442695040888963407ul;
    int g = ((s >> 11) + 0.5) / 9007199254740992.0 < t ? m : 1 - m;
    y[i] = mu[g] + sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
    b[i] = u1 < pb[g];
    /* Poisson by inversion */
    double pk = exp(-lam[g]), cdf = pk;
    int k = 0;
    while (u2 > cdf && k < 100) k++, pk *= lam[g] / k, cdf += pk;
    c[i] = k;
  }
  gbtm_profile_var v[3] = {{.name = "y", .distal = true, .type = GBTM_PROFILE_CONTINUOUS, .x = y},
                           {.name = "b", .distal = true, .x = b},
                           {.name = "c", .distal = true, .x = c}};
  gbtm_profile *p = run(tau, N, K, v, 3);
  ck_assert_int_eq(gbtm_profile_var_info_of(p, 1)->type, GBTM_PROFILE_BINARY);
  ck_assert_int_eq(gbtm_profile_var_info_of(p, 2)->type, GBTM_PROFILE_COUNT);
  const double *truth[3] = {mu, pb, lam};
  for (int j = 0; j < 3; j++)
    for (int k = 0; k < K; k++)
      for (int m = GBTM_PROFILE_BCH; m <= GBTM_PROFILE_ML3; m++) {
        double e, se;
        gbtm_profile_estimate(p, j, 0, k, (gbtm_profile_method)m, &e, &se);
        ck_assert_msg(isfinite(se) && se > 0 && fabs(e - truth[j][k]) < 4 * se,
                      "var %d group %d method %d: %g (%g), truth %g", j, k, m, e, se, truth[j][k]);
      }
  /* the modal means are pulled toward each other */
  double e0, e1, se;
  gbtm_profile_estimate(p, 0, 0, 0, GBTM_PROFILE_MODAL, &e0, &se);
  gbtm_profile_estimate(p, 0, 0, 1, GBTM_PROFILE_MODAL, &e1, &se);
  ck_assert(e1 - e0 < 2 - 10 * se);
  gbtm_profile_free(p);
  free(tau), free(y), free(b), free(c);
}
END_TEST

/* The person table: one row per person, text levels, a duplicate id. */
START_TEST(person_table) {
  char path[64];
  test_write_file(path, "id,z,c\n1,0.5,a\n2,NA,b\n3,2,a\n");
  const char *names[2] = {"z", "c"};
  gbtm_person_table *t = NULL;
  gbtm_error err;
  ck_assert_int_eq(gbtm_person_table_read(path, "id", 2, names, false, 0, 0, &t, &err), GBTM_OK);
  ck_assert_uint_eq(gbtm_person_table_rows(t), 3);
  ck_assert(gbtm_person_table_numeric(t, 0) && !gbtm_person_table_numeric(t, 1));
  ck_assert(isnan(gbtm_person_table_values(t, 0)[1]));
  ck_assert_int_eq(gbtm_person_table_n_levels(t, 1), 2);
  ck_assert_str_eq(gbtm_person_table_level(t, 1, 1), "b");
  ck_assert(gbtm_person_table_values(t, 1)[1] == 1);
  ck_assert_uint_eq(gbtm_person_table_find(t, "3"), 2);
  ck_assert(gbtm_person_table_find(t, "4") == SIZE_MAX);
  ck_assert_int_eq(gbtm_person_table_require_numeric(t, 1, "continuous variable", &err), GBTM_ERR_PARSE);
  char want[128];
  snprintf(want, sizeof want, "%s:2:3: continuous variable \"c\" is \"a\", not a number", path);
  ck_assert_str_eq(err.message, want);
  gbtm_person_table_free(t);
  unlink(path);
  test_write_file(path, "id,z\n1,0.5\n2,1\n1,0.5\n");
  ck_assert_int_eq(gbtm_person_table_read(path, "id", 1, names, false, 0, 0, &t, &err), GBTM_ERR_PARSE);
  snprintf(want, sizeof want, "%s:4:1: person id \"1\" is on two rows", path);
  ck_assert_msg(strncmp(err.message, want, strlen(want)) == 0, "%s", err.message);
  ck_assert_int_eq(gbtm_person_table_read(path, "id", 1, names, true, 0, 0, &t, &err), GBTM_OK);
  ck_assert_uint_eq(gbtm_person_table_rows(t), 2);
  gbtm_person_table_free(t);
  unlink(path);
}
END_TEST

int main(void) {
  gsl_set_error_handler_off();
  Suite *s = suite_create("profile");
  TCase *tc = tcase_create("tests");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, certain_posteriors_agree);
  tcase_add_test(tc, two_groups_by_hand);
  tcase_add_test(tc, wald_tests);
  tcase_add_test(tc, degenerate_input);
  tcase_add_test(tc, ml3_recovers_means);
  tcase_add_test(tc, person_table);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
