# conditions.R: the library's failures as R errors of class "gbtm_error"
# (with the status: "usage", "io", "parse", "data", "nomem", "fit",
# "internal", "interrupted") carrying its message; a fit or sweep that Ctrl-C stopped (the library's interrupt
# hook; its error has status "interrupted") is signalled as an "interrupt"
# condition first, so that tryCatch(..., interrupt = ) sees it as it sees
# Ctrl-C elsewhere in R; unhandled, it is the error.

interruptible <- function(expr) {
  withCallingHandlers(expr, error = function(e) {
    if (inherits(e, "gbtm_error_interrupted"))
      signalCondition(structure(list(message = conditionMessage(e), call = NULL), class = c("interrupt", "condition")))
  })
}

# Called from C (src/handle.c) once the call's C objects are freed.
gbtm_condition <- function(message, status) {
  stop(structure(class = c(paste0("gbtm_error_", status), "gbtm_error", "error", "condition"),
                 list(message = message, call = NULL, status = status)))
}
