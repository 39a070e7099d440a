/* family.h: the table of functions behind which each count family lives
 * (DESIGN §6 Families), like GSL's algorithm tables. Adding a family means a
 * new file in engine/families/ and one line in family_registry.c; nothing
 * outside them tests which family a model has.
 *
 * A group k of a family has, at each age t of the grid, the log-rate
 * eta_t = x_t'beta_k and, when zero-inflated, the logit zeta_t = x_t'alpha_k
 * (zeta == NULL when the group has none). The kernels split log f into
 *   log f(y | E) = v(y, E) + (y log E - log y!)
 * where the bracket is the cell's constant (add_constant, summed into eq.
 * L's c_i by the E-step) and v is the family's "variable part". For a regular cell (E = 1) v is
 *   v(y) = base_t + [y > 0] pos_t + y lin_t,
 * which is what lets the E-step be matrix products (DESIGN §3).
 * The M-step works on n_stats sufficient statistics per (k, t), stored
 * st[s * T + t].
 */
#ifndef GBTM_FAMILY_H
#define GBTM_FAMILY_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "gbtm.h"

/* What one group's M-step or sampler needs about the design. */
typedef struct family_group {
  const double *X; /* T x GBTM_MAX_COEF basis, row-major; columns used: nb / na */
  size_t T;
  int nb; /* d_k + 1 */
  int na; /* q_k + 1, 0 = no zero inflation */
} family_group;

/* What a group's cells need beside eta and zeta (DESIGN §6 Families): the
 * family's own parameter phi beyond the linear predictors (NB's dispersion
 * r), positive, one per group or shared, on its natural scale (1 for a
 * family without one; the EM moves log phi, while the model file, the
 * covariance and the reports hold phi itself); and the response's censoring
 * points lo < hi (the censored normal's --min/--max; -inf and +inf for
 * other families). */
typedef struct family_par {
  double phi;
  double lo, hi;
} family_par;

/* phi = 1, no censoring: what a family without either is given. */
extern const family_par family_par_none;

/* One cell's terms for the score and the observed information (eq. I,
 * DESIGN §4): log f(y | E) in full, its constant y log E - log y! included,
 * and its first (a_) and second (h_) derivatives in eta and zeta (those in
 * zeta 0 where the group has no zero inflation). */
typedef struct family_cell {
  double lf, a_eta, a_zeta, h_ee, h_ez, h_zz;
  double a_phi, h_ep, h_zp, h_pp; /* in phi, 0 for a family without one */
} family_cell;

/* The most doubles a family prepares per group and age (cell_prepare). */
#define FAMILY_PREPARED 24
/* The most doubles a family prepares per group (group_prepare). */
#define FAMILY_GROUP_PREPARED 192
/* The most doubles of a cell's features (cell_features). */
#define FAMILY_FEATURES 2

typedef struct gbtm_family {
  const char *name;  /* the --family and model-file spelling, "zip" */
  const char *title; /* for titles of reports, "Zero-inflated Poisson" */
  const char *expected_name; /* what expected() gives, in reports: "expected count" */
  /* What the linear predictor eta is, in reports: "log rate"; and what
   * exp of a time-varying covariate's coefficient is: "rate ratio". */
  const char *predictor_name;
  const char *ratio_name;
  gbtm_family_id id;
  /* The first model-file format version that names the family
   * (docs/model-file.md): a model of it is written in at least this one. */
  int since_format;
  int n_stats;
  bool zero_inflated; /* has alpha blocks and an iorder per group */
  /* For a family with trials: why a count above 1 is refused where there
   * is one trial, after 'count "2" ': "is not 0 or 1 (...)". */
  const char *response_why;
  /* NULL: the family takes exposures; else why an exposure other than 1 is
   * refused, after 'exposure "2" ': "is not 1 (...)". */
  const char *exposure_why;
  /* Its log f is eq. P's, with eq. Z's zero inflation where the group has
   * one: gbtm_model_loglik (engine/model/model.c) then writes it out
   * directly, apart from the family's functions, so that tests can hold
   * the E-step against it. */
  bool poisson_density;
  /* The exposure is a number of trials n (logit's --trials): a whole
   * number >= 1, and a response is a count of 0..n (response_why then
   * says why a response above 1 is refused where n is 1). */
  bool trials;
  /* The name of phi in reports, model files and tests ("dispersion"),
   * NULL for a family without one. */
  const char *phi_name;
  /* The response is censored at family_par's lo and hi (cnorm's --min and
   * --max, by default the data's range), which the model keeps. */
  bool censored;
  /* Trajectories' intervals on the response's own scale (the mean may be 0
   * or negative), not on the log scale. */
  bool band_identity;
  /* Whether log f is not base + [y > 0] pos + y lin at E = 1: the E-step
   * then takes every positive count by cell_loglik and cell_stats, the
   * tables giving only base = v(0) (pos = lin = 0), and the information
   * takes its cell-by-cell path. */
  bool cell_path;
  /* Responses are reals, not counts: the readers parse a decimal real, and
   * the panel keeps it (false for the count families). */
  bool real_response;

  /* base, pos, lin (T each) of regular cells from eta, zeta. */
  void (*tables)(const double *eta, const double *zeta, const family_par *fp, size_t T, double *base, double *pos,
                 double *lin);
  /* v(y, E) of one exception cell. */
  double (*cell_loglik)(double eta, const double *zeta, const family_par *fp, double y, double E);
  /* st_s(t) += w * (statistic s of one exception cell at age t). */
  void (*cell_stats)(double eta, const double *zeta, const family_par *fp, double y, double E, double w,
                     double *st, size_t t, size_t T);
  /* st += the statistics of regular cells from their posterior-weighted
   * totals: TO_t = sum tau (regular observed), TP_t = sum tau (regular y>0),
   * TY_t = sum tau y (regular). */
  void (*regular_stats)(const double *eta, const double *zeta, const family_par *fp, size_t T, const double *TO,
                        const double *TP, const double *TY, double *st);
  /* eq. MP / MZ: maximises the group's complete-data log-likelihood over
   * beta (and alpha) given st, starting from their current values. Returns 0,
   * or a static text naming why it failed. A family with phi also moves
   * *log_phi (one Newton step of the group's complete-data log-likelihood,
   * DESIGN §3, eq. MN). */
  const char *(*mstep)(const family_group *g, const double *st, double *beta, double *alpha, double *log_phi);
  /* Gradient of eq. L with respect to beta (nb) and alpha (na), from the
   * statistics computed at the same parameters (Fisher's identity). */
  void (*gradient)(const family_group *g, const double *st, const double *eta,
                   const double *zeta, const family_par *fp, double *grad_beta, double *grad_alpha, double *grad_phi);
  /* c plus the constant of one observed cell (y, E): the part of log f free
   * of the parameters, which the kernels leave out of v. The E-step sums it
   * over a person's cells in ascending age into eq. L's c_i (DESIGN §1). */
  double (*add_constant)(double c, double y, double E);
  /* eq. I, per cell: the terms of a cell (y, E). The information's unit
   * exposure tables rely on a positive count's terms being those of a count
   * of 1 but for y eta - log y! in lf and y in a_eta (DESIGN §6 Families). */
  family_cell (*cell_terms)(double eta, const double *zeta, const family_par *fp, double y, double E);
  /* h = w x (h_ee, h_ez, h_zz) of a positive count at unit exposure, which
   * do not depend on y, from one = cell_terms(eta, zeta, 1, 1). */
  void (*positive_hessian)(const family_cell *one, double w, double h[3]);
  /* Expected count per unit exposure, mu = (1 - omega) lambda. */
  double (*expected)(double eta, const double *zeta, const family_par *fp);
  /* d log mu / d eta, d log mu / d zeta (0 without zeta) and d log mu /
   * d phi (0 without phi), for the delta method's intervals of
   * trajectories (DESIGN §4). */
  void (*log_expected_gradient)(double eta, const double *zeta, const family_par *fp, double *d_eta, double *d_zeta,
                                double *d_phi);
  /* One draw of the count at exposure E. */
  double (*sample)(gsl_rng *rng, double eta, const double *zeta, const family_par *fp, double E);
  /* dQ/dphi and d2Q/dphi2 of the group's complete-data log-likelihood Q
   * from its statistics (eq. MN), for a phi shared by the groups (NULL
   * without phi). */
  void (*phi_curvature)(const family_group *g, const double *st, double *d1, double *d2);
  /* phi's start from the mean and variance of the observed responses
   * (NULL without phi). */
  double (*phi_start)(double mean, double variance);
  /* The intercept's start from the mean response (NULL: log of the mean
   * count, floored at half a count over all cells). */
  double (*eta_start)(double mean);
  /* Optional, for the cell path's speed: what the cells of one group at one
   * age share (from eta, zeta and family_par: the costly functions of the
   * mean), prepared once per E-step into pre[FAMILY_PREPARED]; what a
   * group's cells share at every age (functions of phi alone), prepared
   * into group[FAMILY_GROUP_PREPARED] (group_prepare, optional: NULL, and
   * the prepared functions are given group == NULL, as they may always
   * be); and what a cell's response and exposure give every group
   * (cell_features, required with cell_prepare), computed once per cell
   * into f[FAMILY_FEATURES]. From the three, a cell's v(y, E), statistics
   * and terms: the same numbers as cell_loglik, cell_stats and cell_terms.
   * NULL: the E-step calls those. */
  void (*cell_prepare)(double eta, const double *zeta, const family_par *fp, double *pre);
  void (*group_prepare)(const family_par *fp, double *group);
  void (*cell_features)(double y, double E, double *f);
  double (*prepared_loglik)(const double *pre, const double *group, const double *f);
  void (*prepared_stats)(const double *pre, const double *group, const double *f, double w, double *st, size_t t,
                         size_t T);
  family_cell (*prepared_terms)(const double *pre, const double *group, const double *f); /* cell_terms's numbers */
  /* 0, or the number n of a cell's features in which v and the statistics
   * are linear (beta's log y and log(1 - y)): then prepared_loglik is
   * pre[0] + pre[1] f[0] + ... + pre[n] f[n - 1], computed in that order, and
   * prepared_stats adds w, w f[0], ..., w f[n - 1] to the last n + 1
   * statistics, and the E-step does both itself, for every group at once. */
  int linear_features;
  /* For a family with real_response: NULL when it takes the response y
   * (lo and hi: the censoring points the data are read with), else why
   * not, after 'count "0" ': "is not strictly between 0 and 1 (...)".
   * NULL: every finite real. */
  const char *(*real_why)(double y, double lo, double hi);
} gbtm_family;

extern const gbtm_family gbtm_family_poisson;
extern const gbtm_family gbtm_family_zip;
extern const gbtm_family gbtm_family_logit;
extern const gbtm_family gbtm_family_nb;
extern const gbtm_family gbtm_family_zinb;
extern const gbtm_family gbtm_family_cnorm;
extern const gbtm_family gbtm_family_beta;

/* The table of a family id (never NULL for a valid id). */
const gbtm_family *family_get(gbtm_family_id id);

/* NULL when family id takes the real response y read with the censoring
 * points lo and hi (a family without real_why takes every finite real),
 * else its real_why. */
const char *family_real_why(gbtm_family_id id, double y, double lo, double hi);

/* NULL when family id takes the count y at exposure (or trials) E (an
 * invalid id takes every count), else why not. */
const char *family_response_why(gbtm_family_id id, long long y, double E);
/* NULL when family id takes the exposure E, else its exposure_why (for a
 * family with trials, why E is not a whole number of them). */
const char *family_exposure_why(gbtm_family_id id, double E);
/* What the exposure column is called in messages: "trials" for a family
 * with trials, else "exposure". */
static inline const char *exposure_word(gbtm_family_id id) { return gbtm_family_trials(id) ? "trials" : "exposure"; }
/* Whether family id's responses are reals (real_response); false for an
 * invalid id. */
bool family_real_response(gbtm_family_id id);

#endif
