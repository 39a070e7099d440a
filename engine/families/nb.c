/* nb.c: the negative binomial (NB2) family and its zero-inflated form
 * (eq. NB, DESIGN §6 Families). With mu = E exp(eta) and dispersion r > 0
 * (phi; Var y = mu + mu^2 / r):
 *   log f(y) = lgamma(y + r) - lgamma(r) - log y! + r log(r / (r + mu))
 *            + y log(mu / (r + mu))                     (R's dnbinom(y, size = r, mu = mu))
 * split as the constant y log E - log y! and
 *   v(y) = [lgamma(y + r) - lgamma(r)] - r log1p(mu / r) + y (eta - log(r + mu)).
 * zinb: omega = logistic(zeta), f(0) = omega + (1 - omega) p0 with
 * log p0 = L0 = -r log1p(mu / r), f(y > 0) = (1 - omega) f_NB(y); a group
 * without zero inflation (zeta == NULL) is NB.
 * Positive counts are not linear in y (lgamma(y + r)), so the family takes
 * the cell path, and its M-step is eq. MN (engine/fit/cell_newton.c) on the
 * tau-weighted cell terms. */
#include <gsl/gsl_randist.h>
#include <math.h>

#include "families/family.h"
#include "fit/cell_newton.h"
#include "fit/glm.h"

/* Below this count the differences of lgamma, digamma and trigamma at
 * y + r and r are summed term by term (exact and cheap); above, the
 * functions themselves. */
#define SUM_BELOW 64

static double logistic(double x) { return x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }

/* psi(x) and psi'(x) for x > 0: the recurrence up to 6, then their
 * asymptotic series (Abramowitz & Stegun 6.3.18, 6.4.12). */
static void digammas(double x, double *p1, double *p2) {
  double a = 0.0, b = 0.0;
  for (; x < 6.0; x += 1.0) a -= 1.0 / x, b += 1.0 / (x * x);
  double i = 1.0 / x, i2 = i * i;
  *p1 = a + log(x) - 0.5 * i - i2 * (1.0 / 12 - i2 * (1.0 / 120 - i2 * (1.0 / 252 - i2 / 240)));
  *p2 = b + i + 0.5 * i2 + i * i2 * (1.0 / 6 - i2 * (1.0 / 30 - i2 * (1.0 / 42 - i2 / 30)));
}

/* lgamma(y + r) - lgamma(r) into *lg and, when d1 is given,
 * psi(y + r) - psi(r) and psi'(y + r) - psi'(r) into *d1, *d2. */
static void gamma_diffs(double y, double r, double *lg, double *d1, double *d2) {
  if (y < SUM_BELOW && y == floor(y) && r < 1e30) {
    /* the logarithm of products of up to 8 terms (each below 1e30 + 64:
     * no overflow), one log per 8 terms */
    double a = 0.0, b = 0.0, c = 0.0, prod = 1.0;
    for (int j = 0; j < (int)y; j++) {
      double q = r + j;
      prod *= q;
      if ((j & 7) == 7) a += log(prod), prod = 1.0;
      if (d1) b += 1.0 / q, c -= 1.0 / (q * q);
    }
    *lg = a + log(prod);
    if (d1) *d1 = b, *d2 = c;
    return;
  }
  *lg = lgamma(y + r) - lgamma(r);
  if (!d1) return;
  double pa, qa, pb, qb;
  digammas(y + r, &pa, &qa);
  digammas(r, &pb, &qb);
  *d1 = pa - pb, *d2 = qa - qb;
}

/* What a group's cells share at every age: gamma_diffs(y, r) for each
 * count y below SUM_BELOW, at group[y], group[SUM_BELOW + y] and
 * group[2 SUM_BELOW + y]. */
_Static_assert(3 * SUM_BELOW <= FAMILY_GROUP_PREPARED, "the group's table fits");

static void group_prepare(const family_par *fp, double *group) {
  for (int y = 0; y < SUM_BELOW; y++) gamma_diffs(y, fp->phi, group + y, group + SUM_BELOW + y, group + 2 * SUM_BELOW + y);
}

/* gamma_diffs from the group's table when it holds y (the same numbers). */
static void table_diffs(const double *group, double y, double r, double *lg, double *d1, double *d2) {
  if (group && y < SUM_BELOW && y == floor(y)) {
    size_t j = (size_t)y;
    *lg = group[j];
    if (d1) *d1 = group[SUM_BELOW + j], *d2 = group[2 * SUM_BELOW + j];
    return;
  }
  gamma_diffs(y, r, lg, d1, d2);
}

/* A cell's features: its count and exposure. */
static void cell_features(double y, double E, double *f) { f[0] = y, f[1] = E; }

/* v(0) = L0 = -r log1p(mu / r), NB's log p0. */
static double log_p0(double mu, double r) { return -r * log1p(mu / r); }

/* log(e^a + e^b) */
static double log_add(double a, double b) {
  double m = a > b ? a : b;
  return m + log1p(exp(-fabs(a - b)));
}

static void tables(const double *eta, const double *zeta, const family_par *fp, size_t T, double *base, double *pos,
                   double *lin) {
  const double phi = fp->phi;
  for (size_t t = 0; t < T; t++) {
    double l0 = log_p0(exp(eta[t]), phi);
    base[t] = zeta ? log_add(zeta[t], l0) - log1pexp(zeta[t]) : l0;
    pos[t] = 0.0;
    lin[t] = 0.0;
  }
}

/* eq. I for eq. NB, s = r + mu:
 *   d/deta = r (y - mu) / s,              d2/deta2 = -r mu (r + y) / s^2,
 *   d/dr   = D1 - log1p(mu/r) + (mu - y)/s,
 *   d2/dr2 = D2 + 1/r - 1/s - (mu - y)/s^2,   d2/deta dr = mu (y - mu) / s^2,
 * D1, D2 the differences of psi and psi' at y + r and r. A zero of a zinb
 * group, with u = logistic(zeta - L0) its zero-state responsibility and
 * L0's derivatives L_e = -r mu/s, L_r = -log1p(mu/r) + mu/s, L_ee = -r^2 mu/s^2,
 * L_rr = 1/r - 1/s - mu/s^2, L_er = -mu^2/s^2:
 *   d/dzeta = u - omega, d2/dzeta2 = u(1-u) - omega(1-omega),
 *   d/da = (1-u) L_a, d2/da db = (1-u) L_ab + u(1-u) L_a L_b, d2/dzeta da = -u(1-u) L_a;
 * a positive count adds -log(1 + e^zeta) to log f, -omega and -omega(1-omega)
 * in zeta. */
/* What a group's cells at one age share: eta, r, exp(eta) and at unit
 * exposure log1p(mu / r) and log(r + mu); with zero inflation zeta,
 * omega = logistic(zeta) and log(1 + e^zeta). */
enum { P_ETA, P_R, P_EXP, P_L1, P_LOGS, P_INFLATED, P_Z, P_OMEGA, P_L1PZ };

static void cell_prepare(double eta, const double *zeta, const family_par *fp, double *pre) {
  const double r = fp->phi, mu = exp(eta);
  pre[P_ETA] = eta, pre[P_R] = r, pre[P_EXP] = mu, pre[P_L1] = log1p(mu / r), pre[P_LOGS] = log(r + mu);
  pre[P_INFLATED] = zeta != NULL;
  pre[P_Z] = pre[P_OMEGA] = pre[P_L1PZ] = 0.0;
  if (zeta) pre[P_Z] = *zeta, pre[P_OMEGA] = logistic(*zeta), pre[P_L1PZ] = log1pexp(*zeta);
}

/* mu, s = r + mu, log1p(mu / r) and log(s) of a cell at exposure E. */
static void cell_mean(const double *pre, double E, double *mu, double *s, double *l1, double *log_s) {
  if (E == 1.0) {
    *mu = pre[P_EXP], *s = pre[P_R] + *mu, *l1 = pre[P_L1], *log_s = pre[P_LOGS];
    return;
  }
  *mu = E * pre[P_EXP], *s = pre[P_R] + *mu, *l1 = log1p(*mu / pre[P_R]), *log_s = log(*s);
}

static double prepared_loglik(const double *pre, const double *group, const double *f) {
  const double y = f[0], E = f[1];
  double mu, s, l1, log_s, r = pre[P_R];
  cell_mean(pre, E, &mu, &s, &l1, &log_s);
  if (y == 0.0) {
    double l0 = -r * l1;
    return pre[P_INFLATED] ? log_add(pre[P_Z], l0) - pre[P_L1PZ] : l0;
  }
  double lg;
  table_diffs(group, y, r, &lg, NULL, NULL);
  double v = lg + -r * l1 + y * (pre[P_ETA] - log_s);
  return pre[P_INFLATED] ? v - pre[P_L1PZ] : v;
}

static double cell_loglik(double eta, const double *zeta, const family_par *fp, double y, double E) {
  double pre[FAMILY_PREPARED], f[FAMILY_FEATURES];
  cell_prepare(eta, zeta, fp, pre);
  cell_features(y, E, f);
  return prepared_loglik(pre, NULL, f);
}

/* eq. I for eq. NB, s = r + mu:
 *   d/deta = r (y - mu) / s,              d2/deta2 = -r mu (r + y) / s^2,
 *   d/dr   = D1 - log1p(mu/r) + (mu - y)/s,
 *   d2/dr2 = D2 + 1/r - 1/s - (mu - y)/s^2,   d2/deta dr = mu (y - mu) / s^2,
 * D1, D2 the differences of psi and psi' at y + r and r. A zero of a zinb
 * group, with u = logistic(zeta - L0) its zero-state responsibility and
 * L0's derivatives L_e = -r mu/s, L_r = -log1p(mu/r) + mu/s, L_ee = -r^2 mu/s^2,
 * L_rr = 1/r - 1/s - mu/s^2, L_er = -mu^2/s^2:
 *   d/dzeta = u - omega, d2/dzeta2 = u(1-u) - omega(1-omega),
 *   d/da = (1-u) L_a, d2/da db = (1-u) L_ab + u(1-u) L_a L_b, d2/dzeta da = -u(1-u) L_a;
 * a positive count adds -log(1 + e^zeta) to log f, -omega and -omega(1-omega)
 * in zeta. */
/* The terms of a cell; with_lf false leaves log f out (the statistics do
 * not read it), and so its constant's lgamma. */
static inline family_cell terms(const double *pre, const double *group, const double *f, bool with_lf) {
  family_cell c = {0};
  const double y = f[0], E = f[1];
  double mu, s, l1, log_s, r = pre[P_R];
  cell_mean(pre, E, &mu, &s, &l1, &log_s);
  double lg, D1, D2;
  table_diffs(group, y, r, &lg, &D1, &D2);
  double cst = !with_lf ? 0.0 : (y > 0.0 ? -lgamma(y + 1.0) : 0.0) + (E != 1.0 ? y * log(E) : 0.0);
  if (pre[P_INFLATED] && y == 0.0) {
    double z = pre[P_Z], omega = pre[P_OMEGA], L0 = -r * l1;
    double Le = -r * mu / s, Lr = -l1 + mu / s, Lee = -r * r * mu / (s * s), Lrr = 1.0 / r - 1.0 / s - mu / (s * s);
    double Ler = -mu * mu / (s * s), u = logistic(z - L0), uu = u * (1.0 - u);
    c.lf = log_add(z, L0) - pre[P_L1PZ];
    c.a_zeta = u - omega;
    c.h_zz = uu - omega * (1.0 - omega);
    c.a_eta = (1.0 - u) * Le;
    c.a_phi = (1.0 - u) * Lr;
    c.h_ee = (1.0 - u) * Lee + uu * Le * Le;
    c.h_pp = (1.0 - u) * Lrr + uu * Lr * Lr;
    c.h_ep = (1.0 - u) * Ler + uu * Le * Lr;
    c.h_ez = -uu * Le;
    c.h_zp = -uu * Lr;
    return c;
  }
  if (with_lf) c.lf = lg - r * l1 + y * (pre[P_ETA] - log_s) + cst;
  c.a_eta = r * (y - mu) / s;
  c.h_ee = -r * mu * (r + y) / (s * s);
  c.a_phi = D1 - l1 + (mu - y) / s;
  c.h_pp = D2 + 1.0 / r - 1.0 / s - (mu - y) / (s * s);
  c.h_ep = mu * (y - mu) / (s * s);
  if (pre[P_INFLATED]) {
    double omega = pre[P_OMEGA];
    c.lf -= pre[P_L1PZ];
    c.a_zeta = -omega;
    c.h_zz = -omega * (1.0 - omega);
  }
  return c;
}

static family_cell prepared_terms(const double *pre, const double *group, const double *f) {
  return terms(pre, group, f, true);
}

static family_cell cell_terms(double eta, const double *zeta, const family_par *fp, double y, double E) {
  double pre[FAMILY_PREPARED], f[FAMILY_FEATURES];
  cell_prepare(eta, zeta, fp, pre);
  cell_features(y, E, f);
  return prepared_terms(pre, NULL, f);
}

/* The statistics: eq. MN's per age (CN_*) and, beside them, the sums of
 * w, w y, w D1 and w D2 of the positive counts at unit exposure: each of
 * their terms above is linear in y, D1 and D2 with coefficients of the
 * group and age, so such a cell adds four numbers for each group, and
 * regular_stats turns the sums into eq. MN's statistics once per E-step.
 * Other cells (a zero, an exposure) add their terms. */
enum { S_W = CN_STATS, S_Y, S_D1, S_D2, NB_STATS };

static void prepared_stats(const double *pre, const double *group, const double *f, double w, double *st, size_t t,
                           size_t T) {
  const double y = f[0], E = f[1];
  if (y > 0.0 && E == 1.0) {
    double lg, D1, D2;
    table_diffs(group, y, pre[P_R], &lg, &D1, &D2);
    st[S_W * T + t] += w;
    st[S_Y * T + t] += w * y;
    st[S_D1 * T + t] += w * D1;
    st[S_D2 * T + t] += w * D2;
    return;
  }
  family_cell c = terms(pre, group, f, false);
  cell_newton_add(&c, w, st, t, T);
}

static void cell_stats(double eta, const double *zeta, const family_par *fp, double y, double E, double w, double *st,
                       size_t t, size_t T) {
  double pre[FAMILY_PREPARED], f[FAMILY_FEATURES];
  cell_prepare(eta, zeta, fp, pre);
  cell_features(y, E, f);
  prepared_stats(pre, NULL, f, w, st, t, T);
}

/* The positive counts came by cell_stats (the cell path) into the sums
 * S0 = sum w, Sy = sum w y, S1 = sum w D1, S2 = sum w D2, whose terms'
 * sums are, s = r + mu,
 *   a_eta: r (Sy - mu S0) / s,   h_ee: -r mu (r S0 + Sy) / s^2,
 *   a_phi: S1 - log1p(mu/r) S0 + (mu S0 - Sy) / s,
 *   h_pp: S2 + (1/r - 1/s) S0 - (mu S0 - Sy) / s^2,   h_ep: mu (Sy - mu S0) / s^2,
 * and with zero inflation a_zeta: -omega S0, h_zz: -omega (1 - omega) S0;
 * then the zeros, TO - TP of them at each age. */
static void regular_stats(const double *eta, const double *zeta, const family_par *fp, size_t T, const double *TO,
                          const double *TP, const double *TY, double *st) {
  (void)TY;
  for (size_t t = 0; t < T; t++) {
    double pre[FAMILY_PREPARED];
    cell_prepare(eta[t], zeta ? zeta + t : NULL, fp, pre);
    const double S0 = st[S_W * T + t], Sy = st[S_Y * T + t], r = pre[P_R], mu = pre[P_EXP], s = r + mu;
    const double dev = Sy - mu * S0; /* sum w (y - mu) */
    st[CN_AE * T + t] += r * dev / s;
    st[CN_HEE * T + t] += -r * mu * (r * S0 + Sy) / (s * s);
    st[CN_AP * T + t] += st[S_D1 * T + t] - pre[P_L1] * S0 - dev / s;
    st[CN_HPP * T + t] += st[S_D2 * T + t] + (1.0 / r - 1.0 / s) * S0 + dev / (s * s);
    st[CN_HEP * T + t] += mu * dev / (s * s);
    if (pre[P_INFLATED]) {
      st[CN_AZ * T + t] += -pre[P_OMEGA] * S0;
      st[CN_HZZ * T + t] += -pre[P_OMEGA] * (1.0 - pre[P_OMEGA]) * S0;
    }
    double f[FAMILY_FEATURES] = {0.0, 1.0};
    family_cell c = terms(pre, NULL, f, false);
    cell_newton_add(&c, TO[t] - TP[t], st, t, T);
  }
}

/* y log E - log y!, as for Poisson. */
static double add_constant(double c, double y, double E) {
  if (y > 0.0) c -= lgamma(y + 1.0);
  if (E != 1.0) c += y * log(E);
  return c;
}

/* Not used: the family takes the cell path. */
static void positive_hessian(const family_cell *one, double w, double h[3]) {
  h[0] = w * one->h_ee;
  h[1] = w * one->h_ez;
  h[2] = w * one->h_zz;
}

static double expected(double eta, const double *zeta, const family_par *fp) {
  (void)fp;
  return (zeta ? 1.0 - logistic(*zeta) : 1.0) * exp(eta);
}

/* log mu = eta + log(1 - omega): the dispersion does not enter the mean. */
static void log_expected_gradient(double eta, const double *zeta, const family_par *fp, double *d_eta, double *d_zeta,
                                  double *d_phi) {
  (void)eta, (void)fp;
  *d_eta = 1.0;
  *d_zeta = zeta ? -logistic(*zeta) : 0.0;
  *d_phi = 0.0;
}

/* A gamma-Poisson draw: GSL's negative binomial with p = r / (r + mu), n = r. */
static double sample(gsl_rng *rng, double eta, const double *zeta, const family_par *fp, double E) {
  const double phi = fp->phi;
  if (zeta && gsl_rng_uniform(rng) < logistic(*zeta)) return 0;
  double mu = E * exp(eta);
  return (double)gsl_ran_negative_binomial(rng, phi / (phi + mu), phi);
}

/* The moment estimate r = mean^2 / (variance - mean), within [0.05, 1e4]
 * (1e4 when the data are not overdispersed). */
static double phi_start(double mean, double variance) {
  double r = variance > mean ? mean * mean / (variance - mean) : 1e4;
  return r < 0.05 ? 0.05 : r > 1e4 ? 1e4 : r;
}

#define NB_COMMON                                                                                                    \
  .since_format = 5, .expected_name = "expected count", .predictor_name = "log rate", .ratio_name = "rate ratio",   \
  .n_stats = NB_STATS, .phi_name = "dispersion", .cell_path = true, .tables = tables, .cell_loglik = cell_loglik,     \
  .cell_stats = cell_stats, .regular_stats = regular_stats, .mstep = cell_newton_step,                               \
  .gradient = cell_newton_gradient,                                                                                 \
  .add_constant = add_constant, .cell_terms = cell_terms, .positive_hessian = positive_hessian,                      \
  .expected = expected, .log_expected_gradient = log_expected_gradient, .sample = sample, .phi_start = phi_start,      \
  .phi_curvature = cell_newton_phi, .cell_prepare = cell_prepare, .group_prepare = group_prepare,                   \
  .cell_features = cell_features, .prepared_loglik = prepared_loglik,                                                \
  .prepared_stats = prepared_stats, .prepared_terms = prepared_terms

const gbtm_family gbtm_family_nb = {
    .name = "nb",
    .title = "Negative binomial",
    .id = GBTM_NB,
    .zero_inflated = false,
    NB_COMMON,
};

const gbtm_family gbtm_family_zinb = {
    .name = "zinb",
    .title = "Zero-inflated negative binomial",
    .id = GBTM_ZINB,
    .zero_inflated = true,
    NB_COMMON,
};
