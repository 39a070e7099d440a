/* beta.c: the beta family (eq. BE, DESIGN §6 Families), for responses
 * strictly inside (0, 1) (PROC TRAJ's and trajeR's BETA): the mean
 * mu = logistic(eta) and a precision phi (the family's own parameter),
 * a = mu phi, b = (1 - mu) phi:
 *   log f(y) = lgamma(phi) - lgamma(a) - lgamma(b) + (a - 1) log y + (b - 1) log(1 - y)
 * (R's dbeta(y, a, b, log = TRUE)), split as the constant -log y - log(1 - y)
 * and v(y) = lgamma(phi) - lgamma(a) - lgamma(b) + a log y + b log(1 - y).
 * No exposure. Responses are reals, so the family takes the cell path and
 * its M-step is eq. MN. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_psi.h>
#include <float.h>
#include <math.h>

#include "families/family.h"
#include "fit/cell_newton.h"
#include "fit/glm.h"

static double logistic(double x) { return x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }

/* What a group's cells at one age share: the constant lgamma(phi) -
 * lgamma(a) - lgamma(b), a = mu phi and b = (1 - mu) phi first (v's
 * coefficients: the family's linear_features), then mu, phi,
 * m' = mu (1 - mu), psi and psi' at a, b and phi. */
enum { P_C, P_A, P_B, P_MU, P_PHI, P_M1, P_PA, P_PB, P_TA, P_TB, P_PP, P_TP };

static void cell_prepare(double eta, const double *zeta, const family_par *fp, double *pre) {
  (void)zeta;
  const double phi = fp->phi, mu = logistic(eta), a = mu * phi, b = (1.0 - mu) * phi;
  pre[P_MU] = mu, pre[P_PHI] = phi, pre[P_M1] = mu * (1.0 - mu), pre[P_A] = a, pre[P_B] = b;
  pre[P_C] = lgamma(phi) - lgamma(a) - lgamma(b);
  pre[P_PA] = gsl_sf_psi(a), pre[P_PB] = gsl_sf_psi(b), pre[P_TA] = gsl_sf_psi_1(a), pre[P_TB] = gsl_sf_psi_1(b);
  pre[P_PP] = gsl_sf_psi(phi), pre[P_TP] = gsl_sf_psi_1(phi);
}

/* eq. I for eq. BE, with m' = mu (1 - mu) = dmu/deta, y* = log(y / (1 - y))
 * and mu* = psi(a) - psi(b):
 *   d/deta = phi m' (y* - mu*),
 *   d2/deta2 = phi m' (1 - 2 mu)(y* - mu*) - phi^2 m'^2 (psi'(a) + psi'(b)),
 *   d/dphi = psi(phi) + mu (log y - psi(a)) + (1 - mu)(log(1 - y) - psi(b)),
 *   d2/dphi2 = psi'(phi) - mu^2 psi'(a) - (1 - mu)^2 psi'(b),
 *   d2/deta dphi = m' (y* - mu*) - phi m' (mu psi'(a) - (1 - mu) psi'(b)). */
/* A cell's features: log y and log(1 - y), computed once for all groups;
 * log(1 - y) as log(u) (-y) / (u - 1), u = 1 - y (Goldberg's form of
 * log1p, within a few units in the last place, and cheaper). */
static void cell_features(double y, double E, double *f) {
  (void)E;
  const double u = 1.0 - y;
  f[0] = log(y), f[1] = u == 1.0 ? -y : log(u) * -y / (u - 1.0);
}

/* The statistics: eq. MN's per age (CN_*) and, beside them, the sums of
 * the cells' w, w log y and w log(1 - y). Each of a cell's terms above is
 * c0 + c1 log y + c2 log(1 - y), the c's the group's and the age's, so a
 * cell adds three numbers for each group, and regular_stats turns the
 * sums into eq. MN's statistics once per E-step. */
enum { S_W = CN_STATS, S_LY, S_L1Y, BETA_STATS };
_Static_assert(S_W == BETA_STATS - 3, "the sums are the last statistics (linear_features)");

static family_cell prepared_terms(const double *pre, const double *group, const double *f) {
  (void)group;
  family_cell c = {0};
  const double mu = pre[P_MU], phi = pre[P_PHI], m1 = pre[P_M1], ta = pre[P_TA], tb = pre[P_TB];
  const double ly = f[0], l1y = f[1], ys = ly - l1y, ms = pre[P_PA] - pre[P_PB];
  c.lf = pre[P_C] + (pre[P_A] - 1.0) * ly + (pre[P_B] - 1.0) * l1y;
  c.a_eta = phi * m1 * (ys - ms);
  c.h_ee = phi * m1 * (1.0 - 2.0 * mu) * (ys - ms) - phi * phi * m1 * m1 * (ta + tb);
  c.a_phi = pre[P_PP] + mu * (ly - pre[P_PA]) + (1.0 - mu) * (l1y - pre[P_PB]);
  c.h_pp = pre[P_TP] - mu * mu * ta - (1.0 - mu) * (1.0 - mu) * tb;
  c.h_ep = m1 * (ys - ms) - phi * m1 * (mu * ta - (1.0 - mu) * tb);
  return c;
}

static family_cell cell_terms(double eta, const double *zeta, const family_par *fp, double y, double E) {
  double pre[FAMILY_PREPARED], f[FAMILY_FEATURES];
  cell_prepare(eta, zeta, fp, pre);
  cell_features(y, E, f);
  return prepared_terms(pre, NULL, f);
}

static double prepared_loglik(const double *pre, const double *group, const double *f) {
  (void)group;
  return pre[P_C] + pre[P_A] * f[0] + pre[P_B] * f[1];
}

static double cell_loglik(double eta, const double *zeta, const family_par *fp, double y, double E) {
  double pre[FAMILY_PREPARED], f[FAMILY_FEATURES];
  cell_prepare(eta, zeta, fp, pre);
  cell_features(y, E, f);
  return prepared_loglik(pre, NULL, f);
}

static void prepared_stats(const double *pre, const double *group, const double *f, double w, double *st, size_t t,
                           size_t T) {
  (void)pre, (void)group;
  st[S_W * T + t] += w;
  st[S_LY * T + t] += w * f[0];
  st[S_L1Y * T + t] += w * f[1];
}

/* Every response is positive: the zeros' tables are never read but must be finite. */
static void tables(const double *eta, const double *zeta, const family_par *fp, size_t T, double *base, double *pos,
                   double *lin) {
  (void)eta, (void)zeta, (void)fp;
  for (size_t t = 0; t < T; t++) base[t] = pos[t] = lin[t] = 0.0;
}

static void cell_stats(double eta, const double *zeta, const family_par *fp, double y, double E, double w, double *st,
                       size_t t, size_t T) {
  double pre[FAMILY_PREPARED], f[FAMILY_FEATURES];
  cell_prepare(eta, zeta, fp, pre);
  cell_features(y, E, f);
  prepared_stats(pre, NULL, f, w, st, t, T);
}

/* No response is 0: every cell came by cell_stats, into the sums S0 =
 * sum w, S1 = sum w log y, S2 = sum w log(1 - y); with D = S1 - S2 - mu* S0
 * (the sum of w (y* - mu*)), the terms' sums are
 *   a_eta: phi m' D,  h_ee: phi m' (1 - 2 mu) D - phi^2 m'^2 (psi'(a) + psi'(b)) S0,
 *   a_phi: psi(phi) S0 + mu (S1 - psi(a) S0) + (1 - mu)(S2 - psi(b) S0),
 *   h_pp: (psi'(phi) - mu^2 psi'(a) - (1 - mu)^2 psi'(b)) S0,
 *   h_ep: m' D - phi m' (mu psi'(a) - (1 - mu) psi'(b)) S0. */
static void regular_stats(const double *eta, const double *zeta, const family_par *fp, size_t T, const double *TO,
                          const double *TP, const double *TY, double *st) {
  (void)TO, (void)TP, (void)TY;
  for (size_t t = 0; t < T; t++) {
    const double S0 = st[S_W * T + t], S1 = st[S_LY * T + t], S2 = st[S_L1Y * T + t];
    if (S0 == 0.0) continue;
    double pre[FAMILY_PREPARED];
    cell_prepare(eta[t], zeta ? zeta + t : NULL, fp, pre);
    const double mu = pre[P_MU], phi = pre[P_PHI], m1 = pre[P_M1], ta = pre[P_TA], tb = pre[P_TB];
    const double D = S1 - S2 - (pre[P_PA] - pre[P_PB]) * S0;
    st[CN_AE * T + t] += phi * m1 * D;
    st[CN_HEE * T + t] += phi * m1 * (1.0 - 2.0 * mu) * D - phi * phi * m1 * m1 * (ta + tb) * S0;
    st[CN_AP * T + t] += pre[P_PP] * S0 + mu * (S1 - pre[P_PA] * S0) + (1.0 - mu) * (S2 - pre[P_PB] * S0);
    st[CN_HPP * T + t] += (pre[P_TP] - mu * mu * ta - (1.0 - mu) * (1.0 - mu) * tb) * S0;
    st[CN_HEP * T + t] += m1 * D - phi * m1 * (mu * ta - (1.0 - mu) * tb) * S0;
  }
}

/* -log y - log(1 - y). */
static double add_constant(double c, double y, double E) {
  (void)E;
  double f[FAMILY_FEATURES];
  cell_features(y, E, f);
  return c - f[0] - f[1];
}

static void positive_hessian(const family_cell *one, double w, double h[3]) { /* not used: the cell path */
  h[0] = w * one->h_ee;
  h[1] = h[2] = 0.0;
}

static double expected(double eta, const double *zeta, const family_par *fp) {
  (void)zeta, (void)fp;
  return logistic(eta);
}

/* d log mu / d eta = 1 - mu. */
static void log_expected_gradient(double eta, const double *zeta, const family_par *fp, double *d_eta, double *d_zeta,
                                  double *d_phi) {
  (void)zeta, (void)fp;
  *d_eta = 1.0 - logistic(eta);
  *d_zeta = 0.0;
  *d_phi = 0.0;
}

static double sample(gsl_rng *rng, double eta, const double *zeta, const family_par *fp, double E) {
  (void)zeta, (void)E;
  double mu = logistic(eta), y = gsl_ran_beta(rng, mu * fp->phi, (1.0 - mu) * fp->phi);
  /* a draw rounded to 0 or 1 (a mean far in a tail) kept inside (0, 1) */
  return y < DBL_MIN ? DBL_MIN : y > 1.0 - DBL_EPSILON / 2 ? 1.0 - DBL_EPSILON / 2 : y;
}

/* The moment estimate phi = mean (1 - mean) / variance - 1, within [0.5, 1e4]. */
static double phi_start(double mean, double variance) {
  double phi = variance > 0.0 ? mean * (1.0 - mean) / variance - 1.0 : 1e4;
  return phi < 0.5 ? 0.5 : phi > 1e4 ? 1e4 : phi;
}

static double eta_start(double mean) { return log(mean / (1.0 - mean)); }

static const char *real_why(double y, double lo, double hi) {
  (void)lo, (void)hi;
  return y > 0.0 && y < 1.0 ? NULL : "is not strictly between 0 and 1 (the beta family's response)";
}

const gbtm_family gbtm_family_beta = {
    .name = "beta",
    .title = "Beta",
    .id = GBTM_BETA,
    .since_format = 6,
    .expected_name = "mean",
    .predictor_name = "logit mean",
    .ratio_name = "odds ratio",
    .n_stats = BETA_STATS,
    .zero_inflated = false,
    .exposure_why = "is not 1 (the beta family has no exposure)",
    .phi_name = "precision",
    .cell_path = true,
    .real_response = true,
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
    .linear_features = 2,
    .prepared_loglik = prepared_loglik,
    .prepared_stats = prepared_stats,
    .prepared_terms = prepared_terms,
};
