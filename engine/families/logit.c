/* logit.c: the binary logit family (eq. B, DESIGN §6 Families): y in {0, 1},
 * p = 1 / (1 + exp(-eta)), log f = y eta - log(1 + exp(eta)) (R's
 * dbinom(y, 1, p, log = TRUE); no constant); with a number of trials n
 * (--trials, carried where other families carry the exposure, E = n) the
 * binomial y in 0..n, log f = log C(n, y) + y eta - n log(1 + exp(eta))
 * (R's dbinom(y, n, p, log = TRUE)), constant log C(n, y).
 * Sufficient statistics per age (eq. MB): S_t = sum tau y, R_t = sum tau n. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "families/family.h"
#include "fit/glm.h"

enum { ST_S, ST_R, N_STATS };

/* p = logistic(eta), without overflow for either sign of eta. */
static double logistic(double eta) {
  if (eta >= 0.0) return 1.0 / (1.0 + exp(-eta));
  double e = exp(eta);
  return e / (1.0 + e);
}

static void tables(const double *eta, const double *zeta, const family_par *fp, size_t T, double *base, double *pos,
                   double *lin) {
  (void)fp;
  (void)zeta;
  for (size_t t = 0; t < T; t++) {
    base[t] = -log1pexp(eta[t]); /* v(0) = -log(1 + e^eta) */
    pos[t] = 0.0;
    lin[t] = eta[t]; /* v(1) = eta - log(1 + e^eta) */
  }
}

static double cell_loglik(double eta, const double *zeta, const family_par *fp, double y, double E) {
  (void)fp;
  (void)zeta;
  return E == 1.0 ? y * eta - log1pexp(eta) : y * eta - E * log1pexp(eta);
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

/* eq. MB: a weighted logistic regression on the age grid. */
static const char *mstep(const family_group *g, const double *st, double *beta, double *alpha,
                         double *log_phi) {
  (void)log_phi;
  (void)alpha;
  return glm_logit_newton(g->X, g->T, g->nb, st + ST_S * g->T, st + ST_R * g->T, beta);
}

/* d log L / d beta = X'(S - R p) (Fisher's identity). */
static void gradient(const family_group *g, const double *st, const double *eta,
                     const double *zeta, const family_par *fp, double *grad_beta, double *grad_alpha, double *grad_phi) {
  (void)fp, (void)grad_phi;
  (void)zeta, (void)grad_alpha;
  for (int j = 0; j < g->nb; j++) grad_beta[j] = 0.0;
  for (size_t t = 0; t < g->T; t++) {
    double r = st[ST_S * g->T + t] - st[ST_R * g->T + t] * logistic(eta[t]);
    for (int j = 0; j < g->nb; j++) grad_beta[j] += g->X[t * GBTM_MAX_COEF + j] * r;
  }
}

/* eq. B has no constant. */
/* log C(n, y) with n = E trials; none for a 0/1 response. */
static double add_constant(double c, double y, double E) {
  if (E == 1.0) return c;
  return c + lgamma(E + 1.0) - lgamma(y + 1.0) - lgamma(E - y + 1.0);
}

/* eq. I: log f = y eta - log(1 + e^eta); d/deta = y - p, d2/deta2 = -p (1 - p);
 * with n = E trials log f = log C(n, y) + y eta - n log(1 + e^eta),
 * d/deta = y - n p, d2/deta2 = -n p (1 - p). */
static family_cell cell_terms(double eta, const double *zeta, const family_par *fp, double y, double E) {
  (void)fp;
  (void)zeta;
  family_cell c = {0};
  double p = logistic(eta);
  if (E == 1.0) {
    c.lf = y * eta - log1pexp(eta);
    c.a_eta = y - p;
    c.h_ee = -p * (1.0 - p);
    return c;
  }
  c.lf = add_constant(0.0, y, E) + y * eta - E * log1pexp(eta);
  c.a_eta = y - E * p;
  c.h_ee = -E * p * (1.0 - p);
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
  return logistic(eta);
}

/* d log p / d eta = 1 - p. */
static void log_expected_gradient(double eta, const double *zeta, const family_par *fp, double *d_eta, double *d_zeta,
                                  double *d_phi) {
  (void)fp;
  *d_phi = 0.0;
  (void)zeta;
  *d_eta = 1.0 - logistic(eta);
  *d_zeta = 0.0;
}

/* A Bernoulli draw, or a binomial one of E trials. */
static double sample(gsl_rng *rng, double eta, const double *zeta, const family_par *fp, double E) {
  (void)fp;
  (void)zeta;
  if (E == 1.0) return gsl_rng_uniform(rng) < logistic(eta) ? 1 : 0;
  return (double)gsl_ran_binomial(rng, logistic(eta), (unsigned int)E);
}

const gbtm_family gbtm_family_logit = {
    .name = "logit",
    .since_format = 4,
    .title = "Binary logit",
    .expected_name = "probability",
    .predictor_name = "logit",
    .ratio_name = "odds ratio",
    .id = GBTM_LOGIT,
    .n_stats = N_STATS,
    .zero_inflated = false,
    .trials = true,
    .response_why = "is not 0 or 1 (the logit family's response)",
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
