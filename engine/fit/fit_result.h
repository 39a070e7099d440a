/* fit_result.h: the contents of a gbtm_fit_result, shared by the code that
 * makes one: the EM driver (fit.c) and the model-file reader; its
 * accessors, release and tables are fit_result.c's. */
#ifndef GBTM_FIT_RESULT_H
#define GBTM_FIT_RESULT_H

#include "gbtm.h"
#include "fit/inference.h"

struct gbtm_fit_result {
  gbtm_model model;
  gbtm_fit_summary summary;
  gbtm_group_summary group[GBTM_MAX_GROUPS];
  gbtm_data_summary data;
  double *posterior; /* N x K or NULL */
  char **ids;        /* N person ids (owned) or NULL */
  char *failures;    /* "start 3: ...\n" lines, or NULL */
  /* inference: estimates psi, names, covariances (NULL when unavailable) */
  double *psi;            /* P */
  char (*names)[INFERENCE_NAME_MAX]; /* P */
  double *covariance[2];  /* P x P each: [GBTM_SE_MODEL], [GBTM_SE_ROBUST] */
  char *inference_note;   /* or NULL */
  bool *boundary;         /* P: parameters on the boundary (no SE), or NULL when none */
  /* the distinct maxima of the long runs, best first (log L more than
   * 1e-6 apart): n_maxima EM vectors (params of em.h), or NULL;
   * a pilot's hand them to the fit of the whole panel (engine/fit/fit.c) */
  double *maxima;
  int n_maxima;
  double *observed;       /* K x T observed rates of the panel's ages (then
                             K x T scratch), or NULL: fit_observed_rates() */
  /* a result read from a model file: its root attributes, one allocation
   * (the strings follow the struct), or NULL */
  gbtm_model_file_info *file_info;
};

/* Fills the data summary of a panel (of all processes' persons). */
void fit_result_describe(const gbtm_panel *panel, gbtm_data_summary *data);

/* The observed trajectories of the model file: at each age t of the panel,
 * sum_i tau_ik y_it / sum_i tau_ik E_it over all persons (NaN where no one
 * is observed), from tau (this process's persons x groups) into obs[0..KT)
 * (obs has room for 2 K T). Collective. */
void fit_observed_rates(const gbtm_panel *panel, int groups, const double *tau, double *obs);

/* The groups' table of a model file: per group its share, assigned share,
 * average posterior, odds of correct classification (gbtm_group_summary)
 * and its share's standard error and 95% interval
 * (gbtm_fit_result_share_interval with the fit's kind of standard
 * errors). */
typedef struct fit_group_table {
  int groups;
  double share[GBTM_MAX_GROUPS], assigned_share[GBTM_MAX_GROUPS];
  double avepp[GBTM_MAX_GROUPS], occ[GBTM_MAX_GROUPS];
  double share_se[GBTM_MAX_GROUPS], share_lower[GBTM_MAX_GROUPS], share_upper[GBTM_MAX_GROUPS];
} fit_group_table;

void fit_result_groups(const gbtm_fit_result *r, fit_group_table *t);

/* The trajectory table of a model file (gbtm_trajectory_table): at the
 * panel's ages (without a panel: a grid over the model's age range, 1-year
 * steps, at most 1000), each group's expected count, its 95% band, and
 * with a panel the observed rates (kept by the fit, else from the panel's
 * posteriors under the model, which is then collective). The caller frees
 * *out with gbtm_trajectory_table_free(). */
gbtm_status fit_result_trajectory(const gbtm_fit_result *r, const gbtm_panel *panel,
                                  gbtm_trajectory_table **out, gbtm_error *err);

#endif
