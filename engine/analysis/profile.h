/* profile.h: the inside of a profile of the groups (gbtm_profile, DESIGN
 * §9): the classification-error matrix, the per-variable estimates of the
 * modal, proportional, BCH and ML three-step methods, and the tests, shared
 * by profile.c (the run and the accessors), profile_bch.c (weighted means
 * and their sandwich covariances, Wald tests), profile_ml3.c (the ML
 * three-step for distal outcomes) and profile_write.c (text and CSV). */
#ifndef GBTM_PROFILE_H
#define GBTM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "gbtm.h"

#define PROFILE_METHODS 4 /* gbtm_profile_method */
#define PROFILE_MAX_CATEGORIES 64

/* One variable's results: Q quantities (1, or the C categories of a
 * categorical variable), for each method an estimate and SE per group and
 * quantity, est[m][k * Q + q]; the BCH covariance of the K*Q estimates. */
typedef struct profile_var {
  gbtm_profile_var_info info;
  char *name;
  char **category;  /* [Q] names of the quantities (categories, or the level reported) */
  int Q;
  double *est[PROFILE_METHODS], *se[PROFILE_METHODS]; /* [K*Q] each */
  double *cov[PROFILE_METHODS]; /* [(K*Q)^2] or NULL: the covariance of a method's estimates */
  bool testable; /* more than one value: the tests are computed */
  double scale; /* est, se and cov are of x / scale (run_var: a continuous x far from 1 in magnitude) */
  char note[256];
} profile_var;

struct gbtm_profile {
  int K;
  size_t N, n_present;
  double D[GBTM_MAX_GROUPS * GBTM_MAX_GROUPS];    /* eq. D, D[k*K+s] */
  double Dinv[GBTM_MAX_GROUPS * GBTM_MAX_GROUPS]; /* its inverse (eq. BCH) */
  bool bch;            /* D could be inverted */
  char bch_note[160];
  size_t modal_count[GBTM_MAX_GROUPS];
  double share[GBTM_MAX_GROUPS]; /* mean posterior */
  int n_vars;
  profile_var *vars;
};

/* eq. PW: the weighted means sum_i w_ik z_iq / sum_i w_ik of the persons
 * used[i], for the weights of method m (modal, proportional or BCH) and
 * their covariance (eq. PV) into v->est[m], v->se[m], v->cov[m]; z is
 * N x Q (row-major). Returns false when out of memory. */
bool profile_weighted(const gbtm_profile *p, const double *tau, const int *modal, const bool *used,
                      const double *z, int m, bool modal_usual_se, profile_var *v);

/* eq. WALD: the test that each of the first Qt quantities is equal in all
 * groups, from estimates est[K*Q] and covariance cov; NaN chi2 when the
 * covariance of the contrasts is singular. */
void profile_wald(int K, int Q, int Qt, const double *est, const double *cov, double *chi2, int *df,
                  double *pval);

/* The test that groups k and l are equal in the first Qt quantities. */
void profile_pair_test(int K, int Q, int Qt, int k, int l, const double *est, const double *cov,
                       double *chi2, int *df, double *pval);

/* eq. ML3: the ML three-step estimates of a distal outcome y (NaN missing,
 * persons used[i]) of type (binary, count or continuous) into
 * v->est[GBTM_PROFILE_ML3] etc. Returns false when out of memory; a fit
 * that cannot give SEs leaves them NaN with a note. */
bool profile_ml3(const gbtm_profile *p, const int *modal, const bool *used, const double *y,
                 gbtm_profile_type type, profile_var *v);

#endif
