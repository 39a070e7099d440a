/* zip.c: the zero-inflated Poisson family (eq. Z):
 *   omega = 1 / (1 + exp(-zeta)), zeta = x'alpha (no exposure term),
 *   f(0) = omega + (1 - omega) exp(-lambda),
 *   f(y > 0) = (1 - omega) lambda^y exp(-lambda) / y!,  lambda = E exp(x'beta).
 * A group without zero inflation (zeta == NULL) is Poisson.
 * Statistics per age: S = sum tau y, R = sum tau (1-u) E (eq. MP),
 * U = sum tau u, V = sum tau [observed] (eq. MZ), where
 * u = omega / (omega + (1-omega) exp(-lambda)) = logistic(zeta + lambda) is
 * the zero-state responsibility of a zero count (0 for y > 0). */
#include <gsl/gsl_randist.h>
#include <math.h>

#include "families/family.h"
#include "fit/glm.h"

enum { ST_S, ST_R, ST_U, ST_V, N_STATS };

static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

/* log f(0) = log(exp(zeta) + exp(-lambda)) - log(1 + exp(zeta)), stably. */
static double log_f0(double zeta, double lambda) {
  double a = zeta, b = -lambda;
  double m = a > b ? a : b;
  return m + log1p(exp(-fabs(a - b))) - log1pexp(zeta);
}

static void tables(const double *eta, const double *zeta, const family_par *fp, size_t T, double *base, double *pos,
                   double *lin) {
  (void)fp;
  for (size_t t = 0; t < T; t++) {
    double lambda = exp(eta[t]);
    lin[t] = eta[t];
    if (zeta) {
      base[t] = log_f0(zeta[t], lambda);              /* A_t */
      pos[t] = -log1pexp(zeta[t]) - lambda - base[t]; /* B_t - A_t */
    } else {
      base[t] = -lambda;
      pos[t] = 0.0;
    }
  }
}

static double cell_loglik(double eta, const double *zeta, const family_par *fp, double y, double E) {
  (void)fp;
  double lambda = E * exp(eta);
  if (!zeta) return y * eta - lambda;
  if (y == 0.0) return log_f0(*zeta, lambda);
  return -log1pexp(*zeta) + y * eta - lambda;
}

static void cell_stats(double eta, const double *zeta, const family_par *fp, double y, double E, double w, double *st,
                       size_t t, size_t T) {
  (void)fp;
  double u = (zeta && y == 0.0) ? logistic(*zeta + E * exp(eta)) : 0.0;
  st[ST_S * T + t] += w * y;
  st[ST_R * T + t] += w * (1.0 - u) * E;
  st[ST_U * T + t] += w * u;
  st[ST_V * T + t] += w;
}

static void regular_stats(const double *eta, const double *zeta, const family_par *fp, size_t T, const double *TO,
                          const double *TP, const double *TY, double *st) {
  (void)fp;
  for (size_t t = 0; t < T; t++) {
    double zeros = TO[t] - TP[t];
    double u0 = zeta ? logistic(zeta[t] + exp(eta[t])) : 0.0;
    st[ST_S * T + t] += TY[t];
    st[ST_R * T + t] += (1.0 - u0) * zeros + TP[t];
    st[ST_U * T + t] += u0 * zeros;
    st[ST_V * T + t] += TO[t];
  }
}

/* eq. MP for beta, eq. MZ for alpha: the complete-data likelihood separates. */
static const char *mstep(const family_group *g, const double *st, double *beta, double *alpha,
                         double *log_phi) {
  (void)log_phi;
  const char *why = glm_poisson_newton(g->X, g->T, g->nb, st + ST_S * g->T, st + ST_R * g->T, beta);
  if (why || g->na == 0) return why;
  return glm_logit_newton(g->X, g->T, g->na, st + ST_U * g->T, st + ST_V * g->T, alpha);
}

/* d log L / d beta = X'(S - R lambda), d log L / d alpha = X'(U - V omega). */
static void gradient(const family_group *g, const double *st, const double *eta,
                     const double *zeta, const family_par *fp, double *grad_beta, double *grad_alpha, double *grad_phi) {
  (void)fp, (void)grad_phi;
  for (int j = 0; j < g->nb; j++) grad_beta[j] = 0.0;
  for (int j = 0; j < g->na; j++) grad_alpha[j] = 0.0;
  for (size_t t = 0; t < g->T; t++) {
    const double *x = g->X + t * GBTM_MAX_COEF;
    double rb = st[ST_S * g->T + t] - st[ST_R * g->T + t] * exp(eta[t]);
    for (int j = 0; j < g->nb; j++) grad_beta[j] += x[j] * rb;
    if (g->na > 0) {
      double ra = st[ST_U * g->T + t] - st[ST_V * g->T + t] * logistic(zeta[t]);
      for (int j = 0; j < g->na; j++) grad_alpha[j] += x[j] * ra;
    }
  }
}

/* y log E - log y!, that of its Poisson part, as c - log y! + y log E (eq. Z). */
static double add_constant(double c, double y, double E) {
  if (y > 0.0) c -= lgamma(y + 1.0);
  if (E != 1.0) c += y * log(E);
  return c;
}

/* eq. I. With lambda = E exp(eta), omega = logistic(zeta) and
 * u = logistic(zeta + lambda) (the zero-state responsibility of a zero):
 *   a count y > 0:  d/deta = y - lambda,          d2/deta2 = -lambda,
 *                   d/dzeta = -omega,             d2/dzeta2 = -omega(1-omega);
 *   y = 0:          d/deta = -lambda(1-u),        d2/deta2 = -lambda(1-u)(1 - u lambda),
 *                   d/dzeta = u - omega,          d2/dzeta2 = u(1-u) - omega(1-omega),
 *                   d2/deta dzeta = lambda u (1-u).
 * Without zero inflation the Poisson terms. */
static family_cell cell_terms(double eta, const double *zeta, const family_par *fp, double y, double E) {
  (void)fp;
  family_cell c = {0};
  double lambda = E * exp(eta);
  double logpois = (y > 0.0 ? y * (eta + log(E)) - lgamma(y + 1.0) : 0.0) - lambda;
  if (!zeta) {
    c.lf = logpois;
    c.a_eta = y - lambda;
    c.h_ee = -lambda;
    return c;
  }
  double z = *zeta, omega = 1.0 / (1.0 + exp(-z));
  if (y > 0.0) {
    c.lf = -log1pexp(z) + logpois;
    c.a_eta = y - lambda;
    c.h_ee = -lambda;
    c.a_zeta = -omega;
    c.h_zz = -omega * (1.0 - omega);
    return c;
  }
  double m = z > -lambda ? z : -lambda;
  c.lf = m + log1p(exp(-fabs(z + lambda))) - log1pexp(z);
  double u = 1.0 / (1.0 + exp(-(z + lambda)));
  c.a_eta = -lambda * (1.0 - u);
  c.h_ee = -lambda * (1.0 - u) * (1.0 - u * lambda);
  c.a_zeta = u - omega;
  c.h_ez = lambda * u * (1.0 - u);
  c.h_zz = u * (1.0 - u) - omega * (1.0 - omega);
  return c;
}

/* omega = -one->a_zeta; -0.0 where the term is absent: x + -0.0 is x. */
static void positive_hessian(const family_cell *one, double w, double h[3]) {
  double omega = -one->a_zeta;
  h[0] = w * one->h_ee;
  h[1] = -0.0;
  h[2] = -(w * omega * (1.0 - omega));
}

static double expected(double eta, const double *zeta, const family_par *fp) {
  (void)fp;
  return (zeta ? 1.0 - logistic(*zeta) : 1.0) * exp(eta);
}

/* log mu = eta + log(1 - omega): d/deta = 1, d/dzeta = -omega. */
static void log_expected_gradient(double eta, const double *zeta, const family_par *fp, double *d_eta, double *d_zeta,
                                  double *d_phi) {
  (void)fp;
  *d_phi = 0.0;
  (void)eta;
  *d_eta = 1.0;
  *d_zeta = zeta ? -logistic(*zeta) : 0.0;
}

static double sample(gsl_rng *rng, double eta, const double *zeta, const family_par *fp, double E) {
  (void)fp;
  if (zeta && gsl_rng_uniform(rng) < logistic(*zeta)) return 0;
  return (double)gsl_ran_poisson(rng, E * exp(eta));
}

const gbtm_family gbtm_family_zip = {
    .name = "zip",
    .since_format = 1,
    .poisson_density = true,
    .title = "Zero-inflated Poisson",
    .expected_name = "expected count",
    .predictor_name = "log rate",
    .ratio_name = "rate ratio",
    .id = GBTM_ZIP,
    .n_stats = N_STATS,
    .zero_inflated = true,
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
