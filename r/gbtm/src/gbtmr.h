/* gbtmr.h: what the C files of the R package share: the fit handle held by
 * an R external pointer, panels built from R vectors, and errors raised as
 * R conditions carrying the library's message. */
#ifndef GBTMR_H
#define GBTMR_H

#include <gbtm.h>
#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>

/* A fit (or a loaded model) and, for a fit, its data: freed by the
 * external pointer's finalizer. */
typedef struct rfit {
  gbtm_fit_result *fit;
  gbtm_panel *panel; /* NULL for a model read from a file */
} rfit;

/* The handle of an external pointer made by gbtmr_wrap(); an R error when
 * it was freed or is not one. */
rfit *gbtmr_handle(SEXP ptr);
/* An external pointer owning h (malloc'd), with its finalizer. */
SEXP gbtmr_wrap(rfit *h);

/* Raises the library's failure as an R error: "<status text>: <message>".
 * Call it only after freeing the C objects of the call. */
void gbtmr_fail(gbtm_status st, const gbtm_error *err) __attribute__((noreturn));

/* A panel from the columns of the data (rows in any order): id (character),
 * age, y (double, no NA: the R side drops missing responses), exposure
 * (double or NULL), risk and tcov (numeric matrices n x R and n x C, NA =
 * missing, or NULL) with their names; real: the family's responses are
 * reals. Integer families refuse a y that is not a whole number. */
gbtm_status gbtmr_panel(SEXP id, SEXP age, SEXP y, SEXP exposure, SEXP risk, SEXP risk_names, SEXP tcov,
                        SEXP tcov_names, bool drop_missing, bool real, gbtm_panel **out, gbtm_error *err);

/* Sets the panel's person-level sampling weights (eq. W): ids (character,
 * one per person, any order) with their weights (double), and the name of
 * their column; ids NULL: unweighted. GBTM_ERR_DATA (naming the person)
 * for a weight that is not finite or not > 0. */
gbtm_status gbtmr_weights(gbtm_panel *panel, SEXP ids, SEXP weights, SEXP name, gbtm_error *err);

/* The interrupt hook of gbtm_fit_options: R_CheckUserInterrupt, run through
 * R_ToplevelExec so that its jump does not cross the library; user is a
 * bool that stays true once an interrupt was seen. */
bool gbtmr_interrupt(void *user);

#endif
