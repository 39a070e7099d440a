# conditions.R: a fit or sweep that Ctrl-C stopped (the library's interrupt
# hook; its error reads "interrupted: ...") is signalled as an "interrupt"
# condition first, so that tryCatch(..., interrupt = ) sees it as it sees
# Ctrl-C elsewhere in R; unhandled, it is the error.

interruptible <- function(expr) {
  withCallingHandlers(expr, error = function(e) {
    msg <- conditionMessage(e)
    if (startsWith(msg, "interrupted: "))
      signalCondition(structure(list(message = msg, call = NULL), class = c("interrupt", "condition")))
  })
}
