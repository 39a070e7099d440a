/* init.c: the package's .Call entry points, registered with R. */
#include "gbtmr.h"

#include <R_ext/Rdynload.h>

SEXP gbtmr_fit(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP,
               SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP gbtmr_info(SEXP);
SEXP gbtmr_save(SEXP, SEXP, SEXP);
SEXP gbtmr_load(SEXP);
SEXP gbtmr_classify(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP gbtmr_trajectory(SEXP, SEXP, SEXP, SEXP);
SEXP gbtmr_wald(SEXP, SEXP, SEXP);
SEXP gbtmr_bootstrap(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP gbtmr_simulate(SEXP, SEXP, SEXP, SEXP);
SEXP gbtmr_write_panel(SEXP, SEXP);
SEXP gbtmr_select(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP,
                  SEXP, SEXP, SEXP);
SEXP gbtmr_profile(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP gbtmr_version(void);
SEXP gbtmr_report(SEXP, SEXP, SEXP);
SEXP gbtmr_observed(SEXP);

SEXP gbtmr_version(void) { return Rf_mkString(GBTM_VERSION); }

/* (through void (*)(void), the generic function pointer type, as
 * R_CallMethodDef's DL_FUNC stands for any .Call entry) */
#define CALL(name, n) {#name, (DL_FUNC)(void (*)(void))name, n}

static const R_CallMethodDef calls[] = {
    CALL(gbtmr_fit, 21),
    CALL(gbtmr_info, 1),
    CALL(gbtmr_save, 3),
    CALL(gbtmr_load, 1),
    CALL(gbtmr_classify, 9),
    CALL(gbtmr_trajectory, 4),
    CALL(gbtmr_wald, 3),
    CALL(gbtmr_bootstrap, 6),
    CALL(gbtmr_simulate, 4),
    CALL(gbtmr_write_panel, 2),
    CALL(gbtmr_select, 19),
    CALL(gbtmr_version, 0),
    CALL(gbtmr_report, 3),
    CALL(gbtmr_observed, 1),
    CALL(gbtmr_profile, 8),
    {NULL, NULL, 0}};

void R_init_gbtm(DllInfo *dll) {
  R_registerRoutines(dll, NULL, calls, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
  R_forceSymbols(dll, TRUE);
}
