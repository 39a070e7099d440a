# io.R: model files shared with the gbtm command (gbtm_model_save,
# gbtm_model_load; docs/model-file.md).

write_gbtm <- function(fit, path) {
  if (!inherits(fit, "gbtm")) stop("write_gbtm() needs a gbtm fit", call. = FALSE)
  if (!is.character(path) || length(path) != 1L) stop("path must be one file name", call. = FALSE)
  .Call(C_gbtmr_save, fit$ptr, path.expand(path), paste(deparse(fit$call), collapse = " "))
  invisible(fit)
}

read_gbtm <- function(path) {
  if (!is.character(path) || length(path) != 1L) stop("path must be one file name", call. = FALSE)
  ptr <- .Call(C_gbtmr_load, path.expand(path))
  fit <- new_gbtm(ptr, match.call())
  fit$path <- path
  fit
}
