/* model_check.h: the values of a model file, checked after its datasets
 * were read (model_io.c): every number finite where the layout says so
 * (docs/model-file.md), shares and probabilities in [0, 1] summing to 1,
 * the estimates of /cov equal to the parameters of /params, and rates that
 * do not overflow over the model's age range. One check for every command
 * that reads a model (show, classify, simulate --model, plot, test). */
#ifndef GBTM_MODEL_CHECK_H
#define GBTM_MODEL_CHECK_H

#include "base/h5util.h"
#include "fit/fit_result.h"

/* Checks a loaded result; records the first fault in io ("FILE: /dataset
 * ... , expected ..."). */
void model_check(h5io *io, const gbtm_fit_result *r);

/* Checks one model's parameters and rates (messages name /params/...);
 * model_check() calls it, the reader of several outcomes calls it on each. */
void model_check_params(h5io *io, const gbtm_model *m);

/* Checks a trajectory table read from a file. */
void model_check_trajectory(h5io *io, const gbtm_trajectory_table *t);

#endif
