/* poisson.c: the Poisson family (eq. P): lambda = E exp(x'beta),
 * log f = y log lambda - lambda - log y!. Sufficient statistics per age
 * (eq. MP): S_t = sum tau y, R_t = sum tau E. */
#include <gsl/gsl_randist.h>
#include <math.h>

#include "families/family.h"
#include "fit/glm.h"

enum { ST_S, ST_R, N_STATS };

static void tables(const double *eta, const double *zeta, const family_par *fp, size_t T, double *base, double *pos,
                   double *lin) {
  (void)fp;
  (void)zeta;
  for (size_t t = 0; t < T; t++) {
    base[t] = -exp(eta[t]); /* v(0) = -lambda */
    pos[t] = 0.0;
    lin[t] = eta[t]; /* v(y) = y eta - lambda */
  }
}

static double cell_loglik(double eta, const double *zeta, const family_par *fp, double y, double E) {
  (void)fp;
  (void)zeta;
  return y * eta - E * exp(eta);
}

static void cell_stats(double eta, const double *zeta, const family_par *fp, double y, double E, double w, double *st,
                       size_t t, size_t T) {
  (void)fp;
  (void)eta, (void)zeta;
  st[ST_S * T + t] += w * y;
  st[ST_R * T + t] += w * E;
}

static void regular_stats(const double *eta, const double *zeta, const family_par *fp, size_t T, const double *TO,
                          const double *TP, const double *TY, double *st) {
  (void)fp;
  (void)eta, (void)zeta, (void)TP;
  for (size_t t = 0; t < T; t++) {
    st[ST_S * T + t] += TY[t];
    st[ST_R * T + t] += TO[t];
  }
}

/* eq. MP */
static const char *mstep(const family_group *g, const double *st, double *beta, double *alpha,
                         double *log_phi) {
  (void)log_phi;
  (void)alpha;
  return glm_poisson_newton(g->X, g->T, g->nb, st + ST_S * g->T, st + ST_R * g->T, beta);
}

/* d log L / d beta = X'(S - R lambda) (Fisher's identity). */
static void gradient(const family_group *g, const double *st, const double *eta,
                     const double *zeta, const family_par *fp, double *grad_beta, double *grad_alpha, double *grad_phi) {
  (void)fp, (void)grad_phi;
  (void)zeta, (void)grad_alpha;
  for (int j = 0; j < g->nb; j++) grad_beta[j] = 0.0;
  for (size_t t = 0; t < g->T; t++) {
    double r = st[ST_S * g->T + t] - st[ST_R * g->T + t] * exp(eta[t]);
    for (int j = 0; j < g->nb; j++) grad_beta[j] += g->X[t * GBTM_MAX_COEF + j] * r;
  }
}

/* y log E - log y!, as c - log y! + y log E (eq. P). */
static double add_constant(double c, double y, double E) {
  if (y > 0.0) c -= lgamma(y + 1.0);
  if (E != 1.0) c += y * log(E);
  return c;
}

/* eq. I: log f = y (eta + log E) - log y! - lambda; d/deta = y - lambda,
 * d2/deta2 = -lambda. */
static family_cell cell_terms(double eta, const double *zeta, const family_par *fp, double y, double E) {
  (void)fp;
  (void)zeta;
  family_cell c = {0};
  double lambda = E * exp(eta);
  c.lf = (y > 0.0 ? y * (eta + log(E)) - lgamma(y + 1.0) : 0.0) - lambda;
  c.a_eta = y - lambda;
  c.h_ee = -lambda;
  return c;
}

/* -0.0 where the term is absent: x + -0.0 is x, whatever the sign of x's zero. */
static void positive_hessian(const family_cell *one, double w, double h[3]) {
  h[0] = w * one->h_ee;
  h[1] = -0.0;
  h[2] = -0.0;
}

static double expected(double eta, const double *zeta, const family_par *fp) {
  (void)fp;
  (void)zeta;
  return exp(eta);
}

static void log_expected_gradient(double eta, const double *zeta, const family_par *fp, double *d_eta, double *d_zeta,
                                  double *d_phi) {
  (void)fp;
  *d_phi = 0.0;
  (void)eta, (void)zeta;
  *d_eta = 1.0;
  *d_zeta = 0.0;
}

static double sample(gsl_rng *rng, double eta, const double *zeta, const family_par *fp, double E) {
  (void)fp;
  (void)zeta;
  return (double)gsl_ran_poisson(rng, E * exp(eta));
}

const gbtm_family gbtm_family_poisson = {
    .name = "poisson",
    .since_format = 1,
    .poisson_density = true,
    .title = "Poisson",
    .expected_name = "expected count",
    .predictor_name = "log rate",
    .ratio_name = "rate ratio",
    .id = GBTM_POISSON,
    .n_stats = N_STATS,
    .zero_inflated = false,
    .tables = tables,
    .cell_loglik = cell_loglik,
    .cell_stats = cell_stats,
    .regular_stats = regular_stats,
    .mstep = mstep,
    .gradient = gradient,
    .add_constant = add_constant,
    .cell_terms = cell_terms,
    .positive_hessian = positive_hessian,
    .expected = expected,
    .log_expected_gradient = log_expected_gradient,
    .sample = sample,
};
