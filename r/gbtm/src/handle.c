/* handle.c: fit handles held by R external pointers (freed by their
 * finalizers), errors as R conditions, and the interrupt hook. */
#include "gbtmr.h"

#include <stdlib.h>

static void finalize(SEXP ptr) {
  rfit *h = R_ExternalPtrAddr(ptr);
  if (!h) return;
  gbtm_fit_result_free(h->fit);
  gbtm_panel_free(h->panel);
  free(h);
  R_ClearExternalPtr(ptr);
}

SEXP gbtmr_wrap(rfit *h) {
  SEXP ptr = PROTECT(R_MakeExternalPtr(h, Rf_install("gbtm_fit"), R_NilValue));
  R_RegisterCFinalizerEx(ptr, finalize, TRUE);
  UNPROTECT(1);
  return ptr;
}

rfit *gbtmr_handle(SEXP ptr) {
  if (TYPEOF(ptr) != EXTPTRSXP || R_ExternalPtrTag(ptr) != Rf_install("gbtm_fit"))
    Rf_error("not a gbtm fit handle");
  rfit *h = R_ExternalPtrAddr(ptr);
  if (!h || !h->fit) Rf_error("the fit's handle is empty (an object saved with save() keeps no fit: use write_gbtm)");
  return h;
}

/* Raised by R/conditions.R's gbtm_condition(), in the package's namespace:
 * an error of class "gbtm_error" with the status's name. */
void gbtmr_fail(gbtm_status st, const gbtm_error *err) {
  static const char *const names[] = {"ok", "usage", "io", "parse", "data", "nomem", "fit", "internal", "interrupted"};
  const char *name = (unsigned)st < sizeof names / sizeof *names ? names[st] : "internal";
  char text[sizeof err->message + 64];
  snprintf(text, sizeof text, "%s: %s", gbtm_status_str(st), err && err->message[0] ? err->message : gbtm_status_str(st));
  SEXP ns = PROTECT(R_FindNamespace(Rf_mkString("gbtm")));
  SEXP call = PROTECT(Rf_lang3(Rf_install("gbtm_condition"), Rf_mkString(text), Rf_mkString(name)));
  Rf_eval(call, ns);
  UNPROTECT(2);
  Rf_error("%s", text); /* not reached: gbtm_condition stops */
}

static void check(void *unused) {
  (void)unused;
  R_CheckUserInterrupt();
}

bool gbtmr_interrupt(void *user) {
  bool *seen = user;
  if (!*seen && !R_ToplevelExec(check, NULL)) *seen = true;
  return *seen;
}
