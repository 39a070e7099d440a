/* check_families.c: the family table's contract (DESIGN §6 Families), for
 * every family of the registry: the lookups by id and by name, every
 * function present, cell_terms' derivatives against central differences of
 * its log f (in eta, zeta and the family's own phi), its log f against
 * cell_loglik plus add_constant, the tables against cell_loglik, the shape
 * of a positive count's terms at unit exposure that the information's
 * windowed path relies on (for the valid responses of a bounded family, and
 * not for a cell_path family), the response and exposure
 * checks of the readers, and
 * log_expected_gradient against differences of log expected. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "families/family.h"
#include "gbtm.h"

static const double ETA[] = {-2.0, 0.3, 1.5};
static const double ZETA[] = {-1.5, 0.0, 2.0};
static const double COUNTS[] = {0.0, 1.0, 4.0};
/* A beta family's responses; a censored family's are COUNTS with the
 * censoring points 0 and 4: censored low, inside, censored high. */
static const double SHARES[] = {0.2, 0.5, 0.9};
static const double *responses(const gbtm_family *fam) {
  return fam->real_why && !fam->censored ? SHARES : COUNTS;
}
static const double E[] = {1.0, 0.5, 2.5};
static const double PHI[] = {0.4, 3.0, 150.0};
/* A family_par of phi, without censoring. */
#define FP(phi) (&(family_par){(phi), fam->censored ? 0.0 : -INFINITY, fam->censored ? 4.0 : INFINITY})

static const gbtm_family *family_at(int f) { return family_get((gbtm_family_id)f); }

START_TEST(registry_lookups) {
  ck_assert_int_ge(gbtm_family_count(), 2);
  for (int f = 0; f < gbtm_family_count(); f++) {
    const gbtm_family *fam = family_at(f);
    ck_assert_ptr_nonnull(fam);
    ck_assert_int_eq(fam->id, f);
    ck_assert(gbtm_family_valid(fam->id));
    gbtm_family_id id;
    ck_assert(gbtm_family_parse(fam->name, &id));
    ck_assert_int_eq(id, fam->id);
    ck_assert_str_eq(gbtm_family_name(fam->id), fam->name);
    ck_assert_str_eq(gbtm_family_title(fam->id), fam->title);
    ck_assert_str_eq(gbtm_family_expected_name(fam->id), fam->expected_name);
    ck_assert(gbtm_family_zero_inflated(fam->id) == fam->zero_inflated);
    ck_assert(!fam->phi_name == !fam->phi_start);
    ck_assert(fam->tables && fam->cell_loglik && fam->cell_stats && fam->regular_stats && fam->mstep &&
              fam->gradient && fam->add_constant && fam->cell_terms && fam->positive_hessian &&
              fam->expected && fam->log_expected_gradient && fam->sample);
  }
  gbtm_family_id id;
  ck_assert(!gbtm_family_parse("negbin", &id));
  ck_assert(gbtm_family_parse("nb", &id) && !gbtm_family_zero_inflated(id));
  ck_assert_str_eq(gbtm_family_phi_name(id), "dispersion");
  ck_assert(gbtm_family_parse("zinb", &id) && gbtm_family_zero_inflated(id));
  ck_assert_ptr_null(gbtm_family_phi_name(GBTM_POISSON));
  ck_assert(!gbtm_family_valid((gbtm_family_id)gbtm_family_count()));
  ck_assert(!gbtm_family_zero_inflated((gbtm_family_id)-1));
  ck_assert_str_eq(gbtm_family_name((gbtm_family_id)gbtm_family_count()), "unknown");
  ck_assert(gbtm_family_parse("zip", &id) && gbtm_family_zero_inflated(id));
  ck_assert(gbtm_family_parse("poisson", &id) && !gbtm_family_zero_inflated(id));
  ck_assert(gbtm_family_parse("logit", &id) && !gbtm_family_zero_inflated(id));
  ck_assert_ptr_null(family_response_why(id, 1, 1.0));
  ck_assert_str_eq(family_response_why(id, 2, 1.0), "is not 0 or 1 (the logit family's response)");
  ck_assert_ptr_null(family_exposure_why(id, 1.0));
  ck_assert_ptr_null(family_exposure_why(id, 5.0)); /* 5 trials */
  ck_assert_ptr_null(family_response_why(id, 5, 5.0));
  ck_assert_ptr_nonnull(family_response_why(id, 6, 5.0));
  ck_assert_ptr_nonnull(family_exposure_why(id, 2.5));
  ck_assert_ptr_nonnull(family_exposure_why(id, 0.5));
  ck_assert(gbtm_family_parse("beta", &id));
  ck_assert_ptr_nonnull(family_exposure_why(id, 2.0));
  ck_assert_ptr_nonnull(family_real_why(id, 0.0, -INFINITY, INFINITY));
  ck_assert_ptr_nonnull(family_real_why(id, 1.0, -INFINITY, INFINITY));
  ck_assert_ptr_null(family_real_why(id, 0.5, -INFINITY, INFINITY));
  ck_assert(gbtm_family_parse("cnorm", &id));
  ck_assert_ptr_nonnull(family_real_why(id, 10.5, 0.0, 10.0));
  ck_assert_ptr_null(family_real_why(id, 10.0, 0.0, 10.0));
  ck_assert(gbtm_family_parse("poisson", &id));
  ck_assert_ptr_null(family_response_why(id, 1000, 1.0));
  ck_assert_ptr_null(family_exposure_why(id, 2.0));
}
END_TEST

/* cell_terms' first and second derivatives against central differences of
 * its lf and first derivatives; its lf against cell_loglik + add_constant. */
START_TEST(cell_terms_derivatives) {
  const double h = 1e-5;
  for (int f = 0; f < gbtm_family_count(); f++) {
    const gbtm_family *fam = family_at(f);
    for (int inflated = 0; inflated <= (fam->zero_inflated ? 1 : 0); inflated++)
      for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++)
          for (size_t c = 0; c < 3; c++)
            for (size_t d = 0; d < 3; d++)
              for (size_t q = 0; q < (fam->phi_name ? 3 : 1); q++) {
              double eta = ETA[a], z = ZETA[b], y = responses(fam)[c], e = E[d], phi = fam->phi_name ? PHI[q] : 1.0;
              if (family_exposure_why(fam->id, e)) continue;
              if (!fam->real_response && family_response_why(fam->id, (long long)y, e)) continue;
              const double *zeta = inflated ? &z : NULL;
              family_cell t = fam->cell_terms(eta, zeta, FP(phi), y, e);
              double v = fam->cell_loglik(eta, zeta, FP(phi), y, e) + fam->add_constant(0.0, y, e);
              ck_assert_double_eq_tol(t.lf, v, 1e-12 * (1.0 + fabs(v)));
              family_cell ep = fam->cell_terms(eta + h, zeta, FP(phi), y, e), em = fam->cell_terms(eta - h, zeta, FP(phi), y, e);
              ck_assert_double_eq_tol(t.a_eta, (ep.lf - em.lf) / (2 * h), 1e-6 * (1.0 + fabs(t.a_eta)));
              ck_assert_double_eq_tol(t.h_ee, (ep.a_eta - em.a_eta) / (2 * h), 1e-6 * (1.0 + fabs(t.h_ee)));
              if (fam->phi_name) { /* phi, by a relative step */
                double hp = h * phi, pp = phi + hp, pm = phi - hp;
                family_cell p = fam->cell_terms(eta, zeta, FP(pp), y, e), m = fam->cell_terms(eta, zeta, FP(pm), y, e);
                ck_assert_double_eq_tol(t.a_phi, (p.lf - m.lf) / (2 * hp), 1e-6 * (1.0 + fabs(t.a_phi)));
                ck_assert_double_eq_tol(t.h_pp, (p.a_phi - m.a_phi) / (2 * hp), 1e-6 * (1.0 + fabs(t.h_pp)));
                ck_assert_double_eq_tol(t.h_ep, (p.a_eta - m.a_eta) / (2 * hp), 1e-6 * (1.0 + fabs(t.h_ep)));
                ck_assert_double_eq_tol(t.h_zp, (p.a_zeta - m.a_zeta) / (2 * hp), 1e-6 * (1.0 + fabs(t.h_zp)));
              } else {
                ck_assert(t.a_phi == 0.0 && t.h_ep == 0.0 && t.h_zp == 0.0 && t.h_pp == 0.0);
              }
              if (!zeta) {
                ck_assert(t.a_zeta == 0.0 && t.h_ez == 0.0 && t.h_zz == 0.0);
                continue;
              }
              double zp = z + h, zm = z - h;
              family_cell p = fam->cell_terms(eta, &zp, FP(phi), y, e), m = fam->cell_terms(eta, &zm, FP(phi), y, e);
              ck_assert_double_eq_tol(t.a_zeta, (p.lf - m.lf) / (2 * h), 1e-6 * (1.0 + fabs(t.a_zeta)));
              ck_assert_double_eq_tol(t.h_zz, (p.a_zeta - m.a_zeta) / (2 * h), 1e-6 * (1.0 + fabs(t.h_zz)));
              ck_assert_double_eq_tol(t.h_ez, (p.a_eta - m.a_eta) / (2 * h), 1e-6 * (1.0 + fabs(t.h_ez)));
            }
  }
}
END_TEST

/* log_expected_gradient against central differences of log expected. */
START_TEST(expected_gradient) {
  const double h = 1e-6;
  for (int f = 0; f < gbtm_family_count(); f++) {
    const gbtm_family *fam = family_at(f);
    for (int inflated = 0; inflated <= (fam->zero_inflated ? 1 : 0); inflated++)
      for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++) {
          double eta = ETA[a], z = ZETA[b], zp = z + h, zm = z - h, d_eta, d_zeta, d_phi, phi = PHI[b];
          const double *zeta = inflated ? &z : NULL;
          fam->log_expected_gradient(eta, zeta, FP(phi), &d_eta, &d_zeta, &d_phi);
          /* d log mu as d mu / mu: mu may be 0 or negative on a band_identity family's scale */
          double mu = fam->expected(eta, zeta, FP(phi));
          double fd_eta = (fam->expected(eta + h, zeta, FP(phi)) - fam->expected(eta - h, zeta, FP(phi))) / (2 * h) / mu;
          ck_assert_double_eq_tol(d_eta, fd_eta, 1e-6 * (1.0 + fabs(d_eta)));
          double fd_zeta =
              inflated ? (fam->expected(eta, &zp, FP(phi)) - fam->expected(eta, &zm, FP(phi))) / (2 * h) / mu : 0.0;
          ck_assert_double_eq_tol(d_zeta, fd_zeta, 1e-6 * (1.0 + fabs(d_zeta)));
          double hp = h * phi;
          double fd_phi = (fam->expected(eta, zeta, FP(phi + hp)) - fam->expected(eta, zeta, FP(phi - hp))) / (2 * hp) / mu;
          ck_assert_double_eq_tol(d_phi, fd_phi, 1e-6 * (1.0 + fabs(d_phi)));
        }
  }
}
END_TEST

/* At unit exposure a positive count's terms are those of a count of 1 but
 * for y eta - log y! in lf and y in a_eta, and positive_hessian is w times
 * their second derivatives. */
START_TEST(positive_counts_at_unit_exposure) {
  for (int f = 0; f < gbtm_family_count(); f++) {
    const gbtm_family *fam = family_at(f);
    if (fam->cell_path) continue;
    for (int inflated = 0; inflated <= (fam->zero_inflated ? 1 : 0); inflated++)
      for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++) {
          double eta = ETA[a], z = ZETA[b];
          const double *zeta = inflated ? &z : NULL;
          family_cell one = fam->cell_terms(eta, zeta, FP(1.0), 1.0, 1.0);
          double hp[3];
          fam->positive_hessian(&one, 2.5, hp);
          for (int y = 1; y <= (fam->trials ? 1 : 7); y++) {
            family_cell t = fam->cell_terms(eta, zeta, FP(1.0), y, 1.0);
            double lf = one.lf + (y - 1) * eta - lgamma(y + 1.0);
            ck_assert_double_eq_tol(t.lf, lf, 1e-12 * (1.0 + fabs(lf)));
            ck_assert_double_eq_tol(t.a_eta, one.a_eta + (y - 1), 1e-12 * (1.0 + fabs(t.a_eta)));
            ck_assert(t.a_zeta == one.a_zeta);
            ck_assert(t.h_ee == one.h_ee && t.h_ez == one.h_ez && t.h_zz == one.h_zz);
            ck_assert_double_eq_tol(hp[0], 2.5 * t.h_ee, 1e-14 * (1.0 + fabs(hp[0])));
            ck_assert_double_eq_tol(hp[1], 2.5 * t.h_ez, 1e-14 * (1.0 + fabs(hp[1])));
            ck_assert_double_eq_tol(hp[2], 2.5 * t.h_zz, 1e-14 * (1.0 + fabs(hp[2])));
          }
        }
  }
}
END_TEST

/* The E-step's tables against cell_loglik at unit exposure: v(0) = base,
 * and for a family without the cell path v(y > 0) = base + pos + y lin. */
START_TEST(tables_match_cells) {
  for (int f = 0; f < gbtm_family_count(); f++) {
    const gbtm_family *fam = family_at(f);
    for (int inflated = 0; inflated <= (fam->zero_inflated ? 1 : 0); inflated++)
      for (size_t q = 0; q < 3; q++) {
        double base[3], pos[3], lin[3], phi = fam->phi_name ? PHI[q] : 1.0;
        fam->tables(ETA, inflated ? ZETA : NULL, FP(phi), 3, base, pos, lin);
        for (size_t t = 0; t < 3; t++) {
          const double *zeta = inflated ? ZETA + t : NULL;
          double v0 = fam->cell_loglik(ETA[t], zeta, FP(phi), 0.0, 1.0);
          if (responses(fam)[0] == 0.0) ck_assert_double_eq_tol(base[t], v0, 1e-12 * (1.0 + fabs(v0)));
          if (fam->cell_path) {
            ck_assert(pos[t] == 0.0 && lin[t] == 0.0);
            continue;
          }
          double v1 = fam->cell_loglik(ETA[t], zeta, FP(phi), 1.0, 1.0);
          ck_assert_double_eq_tol(base[t] + pos[t] + lin[t], v1, 1e-12 * (1.0 + fabs(v1)));
        }
      }
  }
}
END_TEST

/* A family's prepared cells give cell_loglik's and cell_stats' numbers,
 * to the bit. */
START_TEST(prepared_cells) {
  for (int f = 0; f < gbtm_family_count(); f++) {
    const gbtm_family *fam = family_at(f);
    if (!fam->cell_prepare) continue;
    ck_assert(fam->prepared_loglik && fam->prepared_stats && fam->prepared_terms);
    for (int inflated = 0; inflated <= (fam->zero_inflated ? 1 : 0); inflated++)
      for (size_t a = 0; a < 3; a++)
        for (size_t q = 0; q < 3; q++)
          for (size_t c = 0; c < 3; c++) {
            double eta = ETA[a], z = ZETA[q], y = responses(fam)[c], pre[FAMILY_PREPARED];
            double group[FAMILY_GROUP_PREPARED], f[FAMILY_FEATURES];
            const double *zeta = inflated ? &z : NULL;
            fam->cell_prepare(eta, zeta, FP(PHI[q]), pre);
            if (fam->group_prepare) fam->group_prepare(FP(PHI[q]), group);
            ck_assert(fam->cell_features);
            fam->cell_features(y, 1.0, f);
            /* with the group's table and without it (group == NULL) */
            for (int g = 0; g < (fam->group_prepare ? 2 : 1); g++) {
              const double *gr = g ? group : NULL;
              ck_assert(fam->prepared_loglik(pre, gr, f) == fam->cell_loglik(eta, zeta, FP(PHI[q]), y, 1.0));
              double s1[2 * 16] = {0}, s2[2 * 16] = {0};
              ck_assert_int_le(fam->n_stats, 16);
              fam->prepared_stats(pre, gr, f, 0.7, s1, 1, 2);
              fam->cell_stats(eta, zeta, FP(PHI[q]), y, 1.0, 0.7, s2, 1, 2);
              for (int j = 0; j < 2 * fam->n_stats; j++) ck_assert(s1[j] == s2[j]);
              family_cell u = fam->prepared_terms(pre, gr, f), v = fam->cell_terms(eta, zeta, FP(PHI[q]), y, 1.0);
              ck_assert(u.lf == v.lf && u.a_eta == v.a_eta && u.a_zeta == v.a_zeta && u.a_phi == v.a_phi);
              ck_assert(u.h_ee == v.h_ee && u.h_ez == v.h_ez && u.h_zz == v.h_zz && u.h_ep == v.h_ep);
              ck_assert(u.h_zp == v.h_zp && u.h_pp == v.h_pp);
            }
            /* linear_features: v and the statistics as the E-step computes them itself */
            int n = fam->linear_features;
            if (n) {
              ck_assert(n <= FAMILY_FEATURES && fam->n_stats >= n + 1 && !fam->group_prepare);
              double v = pre[0];
              for (int j = 0; j < n; j++) v += pre[1 + j] * f[j];
              ck_assert(v == fam->prepared_loglik(pre, NULL, f));
              double s1[2 * 16] = {0}, s2[2 * 16] = {0};
              fam->prepared_stats(pre, NULL, f, 0.7, s1, 1, 2);
              size_t s0 = (size_t)(fam->n_stats - 1 - n) * 2 + 1;
              s2[s0] += 0.7;
              for (int j = 0; j < n; j++) s2[s0 + (size_t)(1 + j) * 2] += 0.7 * f[j];
              for (int j = 0; j < 2 * fam->n_stats; j++) ck_assert(s1[j] == s2[j]);
            }
          }
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("families");
  TCase *tc = tcase_create("families");
  tcase_add_test(tc, registry_lookups);
  tcase_add_test(tc, cell_terms_derivatives);
  tcase_add_test(tc, positive_counts_at_unit_exposure);
  tcase_add_test(tc, expected_gradient);
  tcase_add_test(tc, tables_match_cells);
  tcase_add_test(tc, prepared_cells);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
