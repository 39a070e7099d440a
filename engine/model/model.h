/* model.h: the definition of gbtm_model, an opaque handle in gbtm.h (which
 * documents its meaning): a plain value, safe to copy, for the engine and
 * the tests that build models as values, and its covariate terms
 * (engine/model/model.c). Its public getters, setters and allocation are
 * engine/model/model_access.c. */
#ifndef GBTM_MODEL_H
#define GBTM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "families/family.h"
#include "gbtm.h"

struct gbtm_model {
  gbtm_family_id family;
  int groups;                                   /* K */
  int order[GBTM_MAX_GROUPS];                   /* d_k, 0..5 */
  int iorder[GBTM_MAX_GROUPS];                  /* q_k, -1..5 (zero-inflated families only) */
  double centre, scale;                         /* basis */
  double age_min, age_max;                      /* fitted age range */
  double theta[GBTM_MAX_GROUPS];                /* membership log-odds */
  double beta[GBTM_MAX_GROUPS][GBTM_MAX_COEF];  /* log-rate coefficients */
  double alpha[GBTM_MAX_GROUPS][GBTM_MAX_COEF]; /* logit zero-inflation coefficients */
  int refgroup;                                 /* 0-based reference group of theta */
  int n_risk;                                   /* risk factors R */
  char risk_name[GBTM_MAX_RISK][GBTM_NAME_MAX];
  double gamma[GBTM_MAX_GROUPS][GBTM_MAX_RISK]; /* risk log-odds ratios (0 in refgroup) */
  int n_tcov;                                   /* time-varying covariates C */
  char tcov_name[GBTM_MAX_TCOV][GBTM_NAME_MAX];
  double delta[GBTM_MAX_GROUPS][GBTM_MAX_TCOV]; /* their log-rate coefficients */
  double tcov_fixed[GBTM_MAX_TCOV];             /* w at which trajectories are reported */
  double phi[GBTM_MAX_GROUPS];                  /* the family's phi (family.h), 1 without one */
  bool phi_common;                              /* one phi for all groups (--dispersion common) */
  double ymin, ymax;                            /* the response's censoring points (cnorm), else -inf, +inf */
  char label[GBTM_MAX_GROUPS][GBTM_NAME_MAX];   /* each group's name (--labels), "" when none */
};

/* Whether any group has a label. */
bool model_has_labels(const gbtm_model *m);

/* What group k's cells need beside eta and zeta (family.h). */
family_par model_family_par(const gbtm_model *m, int k);

/* Whether the model's family has phi (NB's dispersion, DESIGN §6 Families). */
bool model_has_phi(const gbtm_model *m);

/* Whether group k has a zero-inflation part: its family has one
 * (DESIGN §6 Families) and iorder[k] >= 0. */
bool model_inflated(const gbtm_model *m, int k);

/* zeta = x'alpha_k at age, for a group with zero inflation. */
double model_zeta(const gbtm_model *m, int k, double age);

/* The built-in cohort name (gbtm_preset, include/gbtm_presets.h) into a
 * caller's model and design (engine/model/simulate.c); false for an unknown
 * name. */
bool model_preset(const char *name, size_t n, uint64_t seed, gbtm_model *model,
                  gbtm_sim_design *design);

/* ---- the covariate terms (model.c): eq. M with risk factors and the
 * time-varying part of log lambda, shared by the direct log-likelihood,
 * classification, inference and simulation ---- */

/* eq. M: log pi_k(z) for risk factors z (NULL: all 0), into logpi[K]. */
void model_log_shares(const gbtm_model *m, const double *z, double *logpi);
/* w'delta_k for time-varying covariates w[0..n_tcov-1]. */
double model_tcov_shift(const gbtm_model *m, int k, const double *w);
/* GBTM_OK when the panel has the model's covariates (names, in order), or
 * the model has none (the panel's are then not used); otherwise
 * GBTM_ERR_DATA naming both lists. */
gbtm_status model_panel_match(const gbtm_model *m, const gbtm_panel *p, gbtm_error *err);
/* "risk factors (a, b) and time-varying covariates (w)" into buf. */
void model_covariate_list(int n_risk, const char (*risk)[GBTM_NAME_MAX], int n_tcov,
                          const char (*tcov)[GBTM_NAME_MAX], char *buf, size_t len);

#endif
