/* profile_bch.c: the weighted group means of a profile (DESIGN §9): the
 * modal, proportional and BCH estimates (eq. PW), their sandwich
 * covariances (eq. PV), and the Wald tests of equal groups (eq. WALD). */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/profile.h"

/* w_ik of method m: [W_i = k] (modal), tau_ik (proportional), or the BCH
 * weight (D^-1)[W_i][k] (eq. BCH). */
static inline double weight(const gbtm_profile *p, const double *tau, const int *modal, size_t i, int k,
                            int m) {
  int K = p->K;
  if (m == GBTM_PROFILE_MODAL) return modal[i] == k ? 1.0 : 0.0;
  if (m == GBTM_PROFILE_PROPORTIONAL) return tau[i * (size_t)K + (size_t)k];
  return p->Dinv[modal[i] * K + k];
}

bool profile_weighted(const gbtm_profile *p, const double *tau, const int *modal, const bool *used,
                      const double *z, int m, bool modal_usual_se, profile_var *v) {
  int K = p->K, Q = v->Q, KQ = K * Q;
  double W[GBTM_MAX_GROUPS] = {0};
  double *est = v->est[m], *se = v->se[m];
  double *cov = calloc((size_t)KQ * (size_t)KQ, sizeof *cov);
  double *S = calloc((size_t)KQ, sizeof *S), *u = malloc((size_t)KQ * sizeof *u);
  if (!cov || !S || !u) {
    free(cov), free(S), free(u);
    return false;
  }
  /* eq. PW: mu_kq = sum_i w_ik z_iq / sum_i w_ik */
  for (size_t i = 0; i < p->N; i++) {
    if (!used[i]) continue;
    const double *zi = z + i * (size_t)Q;
    for (int k = 0; k < K; k++) {
      double w = weight(p, tau, modal, i, k, m);
      if (w == 0) continue;
      W[k] += w;
      for (int q = 0; q < Q; q++) S[k * Q + q] += w * zi[q];
    }
  }
  for (int k = 0; k < K; k++)
    for (int q = 0; q < Q; q++) est[k * Q + q] = W[k] > 0 ? S[k * Q + q] / W[k] : NAN;
  /* eq. PV: V[(k,q),(l,r)] = sum_i u_ikq u_ilr / (W_k W_l), u_ikq = w_ik (z_iq - mu_kq) */
  for (size_t i = 0; i < p->N; i++) {
    if (!used[i]) continue;
    const double *zi = z + i * (size_t)Q;
    for (int k = 0; k < K; k++) {
      double w = weight(p, tau, modal, i, k, m);
      for (int q = 0; q < Q; q++) u[k * Q + q] = w == 0 || W[k] <= 0 ? 0.0 : w / W[k] * (zi[q] - est[k * Q + q]);
    }
    for (int a = 0; a < KQ; a++) {
      if (u[a] == 0) continue;
      for (int b = a; b < KQ; b++) cov[a * KQ + b] += u[a] * u[b];
    }
  }
  for (int a = 0; a < KQ; a++)
    for (int b = a; b < KQ; b++) {
      double x = cov[a * KQ + b]; /* u carries 1 / W_k: no W_k W_l to underflow (a share near 0) */
      if (W[a / Q] <= 0 || W[b / Q] <= 0) x = NAN;
      cov[a * KQ + b] = cov[b * KQ + a] = x;
    }
  /* The modal method's usual SE of a mean: s / sqrt(n), s with n - 1. */
  if (m == GBTM_PROFILE_MODAL && modal_usual_se)
    for (int a = 0; a < KQ; a++)
      for (int b = 0; b < KQ; b++) {
        double n = W[a / Q];
        if (a / Q == b / Q) cov[a * KQ + b] = n > 1 ? cov[a * KQ + b] * n / (n - 1) : NAN;
      }
  for (int a = 0; a < KQ; a++) se[a] = sqrt(cov[a * KQ + a]);
  free(v->cov[m]);
  v->cov[m] = cov;
  free(S), free(u);
  return true;
}

/* chi2 = c' (R V R')^-1 c for the contrasts c = R theta given as rows of
 * R (nr x KQ); NaN when R V R' is not positive definite. */
static double quadratic(int KQ, int nr, const double *R, const double *est, const double *cov) {
  gsl_matrix *M = gsl_matrix_alloc((size_t)nr, (size_t)nr);
  gsl_vector *c = gsl_vector_alloc((size_t)nr), *x = gsl_vector_alloc((size_t)nr);
  gsl_vector *work = gsl_vector_alloc(3 * (size_t)nr); /* gsl_linalg_cholesky_rcond's */
  double chi2 = NAN;
  if (!M || !c || !x || !work) goto done;
  for (int a = 0; a < nr; a++) {
    double ca = 0;
    for (int j = 0; j < KQ; j++) ca += R[a * KQ + j] * est[j];
    gsl_vector_set(c, (size_t)a, ca);
    for (int b = 0; b < nr; b++) {
      double s = 0;
      for (int i = 0; i < KQ; i++) {
        if (R[a * KQ + i] == 0) continue;
        for (int j = 0; j < KQ; j++) s += R[a * KQ + i] * cov[i * KQ + j] * R[b * KQ + j];
      }
      gsl_matrix_set(M, (size_t)a, (size_t)b, s);
    }
  }
  for (int a = 0; a < nr; a++)
    if (!isfinite(gsl_vector_get(c, (size_t)a))) goto done;
  for (int a = 0; a < nr * nr; a++)
    if (!isfinite(M->data[a])) goto done;
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int bad = gsl_linalg_cholesky_decomp1(M);
  double rcond = 0;
  if (!bad) bad = gsl_linalg_cholesky_rcond(M, &rcond, work);
  if (!bad && rcond > 1e-12) bad = gsl_linalg_cholesky_solve(M, c, x);
  else bad = 1;
  gsl_set_error_handler(old);
  if (!bad) {
    double s = 0;
    for (int a = 0; a < nr; a++) s += gsl_vector_get(c, (size_t)a) * gsl_vector_get(x, (size_t)a);
    chi2 = s;
  }
done:
  gsl_matrix_free(M);
  gsl_vector_free(c);
  gsl_vector_free(x);
  gsl_vector_free(work);
  return chi2;
}

/* eq. WALD over the contrast rows R, df = rows. */
static void test_rows(int KQ, int nr, const double *R, const double *est, const double *cov, double *chi2,
                      int *df, double *pval) {
  *df = nr;
  *chi2 = nr > 0 && cov ? quadratic(KQ, nr, R, est, cov) : NAN;
  *pval = isfinite(*chi2) ? gsl_cdf_chisq_Q(*chi2, nr) : NAN;
}

void profile_wald(int K, int Q, int Qt, const double *est, const double *cov, double *chi2, int *df,
                  double *pval) {
  int KQ = K * Q, nr = (K - 1) * Qt;
  double *R = calloc((size_t)(nr > 0 ? nr : 1) * (size_t)KQ, sizeof *R);
  if (!R) {
    *chi2 = *pval = NAN, *df = nr;
    return;
  }
  int a = 0;
  for (int k = 1; k < K; k++)
    for (int q = 0; q < Qt; q++, a++) R[a * KQ + k * Q + q] = 1, R[a * KQ + q] = -1;
  test_rows(KQ, nr, R, est, cov, chi2, df, pval);
  free(R);
}

void profile_pair_test(int K, int Q, int Qt, int k, int l, const double *est, const double *cov,
                       double *chi2, int *df, double *pval) {
  int KQ = K * Q;
  double *R = calloc((size_t)(Qt > 0 ? Qt : 1) * (size_t)KQ, sizeof *R);
  if (!R) {
    *chi2 = *pval = NAN, *df = Qt;
    return;
  }
  for (int q = 0; q < Qt; q++) R[q * KQ + l * Q + q] = 1, R[q * KQ + k * Q + q] = -1;
  test_rows(KQ, Qt, R, est, cov, chi2, df, pval);
  free(R);
}
