/* cnorm.c: the censored normal family (eq. CN, DESIGN §6 Families), PROC
 * TRAJ's CNORM: a latent y* ~ N(mu, sigma^2) with the identity link
 * mu = eta, observed as y = lo when y* <= lo, hi when y* >= hi (the
 * censoring points, --min/--max, in family_par) and y* between them:
 *   log f(y) = log Phi((lo - mu) / sigma)            y <= lo
 *            = log Phi((mu - hi) / sigma)            y >= hi
 *            = -log sigma - log(2 pi) / 2 - z^2 / 2   otherwise, z = (y - mu) / sigma
 * (R's pnorm(log.p = TRUE) and dnorm(log = TRUE); survival::survreg's
 * censored Gaussian likelihood). sigma is the family's phi. No constant:
 * whether a cell is censored depends on the censoring points, which
 * add_constant does not see. No exposure. Responses are reals, so the
 * family takes the cell path and its M-step is eq. MN. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_erf.h>
#include <math.h>

#include "families/family.h"
#include "fit/cell_newton.h"

#define HALF_LOG_2PI 0.91893853320467274178
#define SQRT_2 1.41421356237309504880
#define LN_2 0.69314718055994530942

/* The terms of a censored cell from c = its standardised bound, oriented so
 * that log f = log Phi(c), with dc/deta = s_eta and dc/dsigma = -c/sigma:
 * lambda = phi(c)/Phi(c) (GSL's hazard of -c), d log Phi/dc = lambda,
 * d2/dc2 = -lambda (c + lambda). */
static family_cell censored(double c, double s_eta, double sigma) {
  family_cell t = {0};
  double lam = gsl_sf_hazard(-c), d2 = -lam * (c + lam), dcs = -c / sigma;
  t.lf = gsl_sf_log_erfc(-c / SQRT_2) - LN_2; /* log Phi(c) */
  t.a_eta = lam * s_eta;
  t.a_phi = lam * dcs;
  t.h_ee = d2 * s_eta * s_eta;
  /* d/dsigma (lam dc/dsigma) = d2 (dc/dsigma)^2 + lam d2c/dsigma2, d2c/dsigma2 = 2c/sigma^2 */
  t.h_pp = d2 * dcs * dcs + lam * 2.0 * c / (sigma * sigma);
  /* d/dsigma (lam s_eta) = d2 dcs s_eta + lam ds_eta/dsigma, ds_eta/dsigma = -s_eta/sigma */
  t.h_ep = d2 * dcs * s_eta - lam * s_eta / sigma;
  return t;
}

/* What a group's cells at one age share: mu, sigma, -log sigma - log(2 pi)/2,
 * the censoring points, and the terms of a cell censored at each (the same
 * for every such cell). */
enum { P_MU, P_SIGMA, P_C, P_LO, P_HI, P_CENSORED_LO, P_CENSORED_HI = P_CENSORED_LO + 6 };
_Static_assert(P_CENSORED_HI + 6 <= FAMILY_PREPARED, "the prepared terms fit");

static void put_cell(const family_cell *t, double *out) {
  out[0] = t->lf, out[1] = t->a_eta, out[2] = t->a_phi, out[3] = t->h_ee, out[4] = t->h_pp, out[5] = t->h_ep;
}

static family_cell get_cell(const double *in) {
  family_cell t = {0};
  t.lf = in[0], t.a_eta = in[1], t.a_phi = in[2], t.h_ee = in[3], t.h_pp = in[4], t.h_ep = in[5];
  return t;
}

static void cell_prepare(double eta, const double *zeta, const family_par *fp, double *pre) {
  (void)zeta;
  const double sigma = fp->phi;
  pre[P_MU] = eta, pre[P_SIGMA] = sigma, pre[P_C] = -log(sigma) - HALF_LOG_2PI, pre[P_LO] = fp->lo, pre[P_HI] = fp->hi;
  family_cell lo = {0}, hi = {0};
  if (!isinf(fp->lo)) lo = censored((fp->lo - eta) / sigma, -1.0 / sigma, sigma);
  if (!isinf(fp->hi)) hi = censored((eta - fp->hi) / sigma, 1.0 / sigma, sigma);
  put_cell(&lo, pre + P_CENSORED_LO);
  put_cell(&hi, pre + P_CENSORED_HI);
}

/* A cell's features: y itself. */
static void cell_features(double y, double E, double *f) {
  (void)E;
  f[0] = y;
}

static family_cell prepared_terms(const double *pre, const double *group, const double *f) {
  (void)group;
  const double y = f[0];
  if (y <= pre[P_LO]) return get_cell(pre + P_CENSORED_LO);
  if (y >= pre[P_HI]) return get_cell(pre + P_CENSORED_HI);
  family_cell t = {0};
  const double sigma = pre[P_SIGMA], z = (y - pre[P_MU]) / sigma, s2 = sigma * sigma;
  t.lf = pre[P_C] - 0.5 * z * z;
  t.a_eta = z / sigma;
  t.h_ee = -1.0 / s2;
  t.a_phi = (z * z - 1.0) / sigma;
  t.h_pp = (1.0 - 3.0 * z * z) / s2;
  t.h_ep = -2.0 * z / s2;
  return t;
}

static family_cell cell_terms(double eta, const double *zeta, const family_par *fp, double y, double E) {
  double pre[FAMILY_PREPARED], f[FAMILY_FEATURES];
  cell_prepare(eta, zeta, fp, pre);
  cell_features(y, E, f);
  return prepared_terms(pre, NULL, f);
}

static double prepared_loglik(const double *pre, const double *group, const double *f) {
  (void)group;
  const double y = f[0];
  if (y <= pre[P_LO]) return pre[P_CENSORED_LO];
  if (y >= pre[P_HI]) return pre[P_CENSORED_HI];
  const double z = (y - pre[P_MU]) / pre[P_SIGMA];
  return pre[P_C] - 0.5 * z * z;
}

static double cell_loglik(double eta, const double *zeta, const family_par *fp, double y, double E) {
  double pre[FAMILY_PREPARED], f[FAMILY_FEATURES];
  cell_prepare(eta, zeta, fp, pre);
  cell_features(y, E, f);
  return prepared_loglik(pre, NULL, f);
}

static void prepared_stats(const double *pre, const double *group, const double *f, double w, double *st, size_t t,
                           size_t T) {
  family_cell c = prepared_terms(pre, group, f);
  cell_newton_add(&c, w, st, t, T);
}

static void tables(const double *eta, const double *zeta, const family_par *fp, size_t T, double *base, double *pos,
                   double *lin) {
  for (size_t t = 0; t < T; t++) {
    base[t] = cell_loglik(eta[t], zeta ? zeta + t : NULL, fp, 0.0, 1.0);
    pos[t] = lin[t] = 0.0;
  }
}

static void cell_stats(double eta, const double *zeta, const family_par *fp, double y, double E, double w, double *st,
                       size_t t, size_t T) {
  double pre[FAMILY_PREPARED], f[FAMILY_FEATURES];
  cell_prepare(eta, zeta, fp, pre);
  cell_features(y, E, f);
  prepared_stats(pre, NULL, f, w, st, t, T);
}

/* Responses of 0 among the regular cells (the others came by cell_stats). */
static void regular_stats(const double *eta, const double *zeta, const family_par *fp, size_t T, const double *TO,
                          const double *TP, const double *TY, double *st) {
  (void)TY;
  for (size_t t = 0; t < T; t++) {
    family_cell c = cell_terms(eta[t], zeta ? zeta + t : NULL, fp, 0.0, 1.0);
    cell_newton_add(&c, TO[t] - TP[t], st, t, T);
  }
}

static double add_constant(double c, double y, double E) {
  (void)y, (void)E;
  return c;
}

static void positive_hessian(const family_cell *one, double w, double h[3]) { /* not used: the cell path */
  h[0] = w * one->h_ee;
  h[1] = h[2] = 0.0;
}

/* G(d) = E (Z + d)+ = d Phi(d) + phi(d) for a standard normal Z, and
 * for d < 0 as phi(d) (1 - |d| / h(|d|)), h the hazard phi / (1 - Phi),
 * which does not cancel in the tail. */
static double positive_part(double d) {
  if (d < -38.0) return 0.0; /* phi(d) underflows: G(d) < 1e-300 */
  if (d >= 0.0) return d * gsl_cdf_ugaussian_P(d) + gsl_ran_ugaussian_pdf(d);
  return gsl_ran_ugaussian_pdf(d) * (1.0 - -d / gsl_sf_hazard(-d));
}

/* The mean of the observed (censored) response, what the observed means
 * estimate: clip(y*, lo, hi) = lo + (y* - lo)+ - (y* - hi)+, so with
 * d_lo = (mu - lo)/sigma and d_hi = (mu - hi)/sigma
 *   E y = lo + sigma G(d_lo) - sigma G(d_hi)   (mu in place of lo + sigma G(d_lo) when lo = -inf),
 *   dE/dmu = Phi(d_lo) - Phi(d_hi),  dE/dsigma = phi(d_lo) - phi(d_hi). */
static double censored_mean(double mu, double sigma, double lo, double hi, double *d_mu, double *d_sigma) {
  double m = mu, dm = 1.0, ds = 0.0;
  if (!isinf(lo)) {
    double d = (mu - lo) / sigma;
    m = lo + sigma * positive_part(d);
    dm = gsl_cdf_ugaussian_P(d);
    ds = gsl_ran_ugaussian_pdf(d);
  }
  if (!isinf(hi)) {
    double d = (mu - hi) / sigma;
    m -= sigma * positive_part(d);
    dm -= gsl_cdf_ugaussian_P(d);
    ds -= gsl_ran_ugaussian_pdf(d);
  }
  *d_mu = dm;
  *d_sigma = ds;
  return m;
}

static double expected(double eta, const double *zeta, const family_par *fp) {
  (void)zeta;
  double dm, ds;
  return censored_mean(eta, fp->phi, fp->lo, fp->hi, &dm, &ds);
}

/* d log E y, as (d E y) / E y: the band is drawn on the response's own
 * scale (band_identity), where E y may be 0 or negative. */
static void log_expected_gradient(double eta, const double *zeta, const family_par *fp, double *d_eta, double *d_zeta,
                                  double *d_phi) {
  (void)zeta;
  double dm, ds, m = censored_mean(eta, fp->phi, fp->lo, fp->hi, &dm, &ds);
  *d_eta = dm / m;
  *d_zeta = 0.0;
  *d_phi = ds / m;
}

static double sample(gsl_rng *rng, double eta, const double *zeta, const family_par *fp, double E) {
  (void)zeta, (void)E;
  double y = eta + gsl_ran_gaussian(rng, fp->phi);
  return y <= fp->lo ? fp->lo : y >= fp->hi ? fp->hi : y;
}

static double phi_start(double mean, double variance) {
  (void)mean;
  return variance > 0.0 ? sqrt(variance) : 1.0;
}

static double eta_start(double mean) { return mean; }

static const char *real_why(double y, double lo, double hi) {
  return y < lo || y > hi ? "is outside the censoring points (--min and --max)" : NULL;
}

const gbtm_family gbtm_family_cnorm = {
    .name = "cnorm",
    .title = "Censored normal",
    .id = GBTM_CNORM,
    .since_format = 6,
    .expected_name = "mean",
    .predictor_name = "mean",
    .ratio_name = "difference",
    .n_stats = CN_STATS,
    .zero_inflated = false,
    .exposure_why = "is not 1 (the cnorm family has no exposure)",
    .phi_name = "sigma",
    .cell_path = true,
    .real_response = true,
    .censored = true,
    .band_identity = true,
    .tables = tables,
    .cell_loglik = cell_loglik,
    .cell_stats = cell_stats,
    .regular_stats = regular_stats,
    .mstep = cell_newton_step,
    .gradient = cell_newton_gradient,
    .add_constant = add_constant,
    .cell_terms = cell_terms,
    .positive_hessian = positive_hessian,
    .expected = expected,
    .log_expected_gradient = log_expected_gradient,
    .sample = sample,
    .phi_start = phi_start,
    .phi_curvature = cell_newton_phi,
    .eta_start = eta_start,
    .real_why = real_why,
    .cell_prepare = cell_prepare,
    .cell_features = cell_features,
    .prepared_loglik = prepared_loglik,
    .prepared_stats = prepared_stats,
    .prepared_terms = prepared_terms,
};
