# gbtm.R: gbtm(), the fit of a group-based trajectory model to a data
# frame through libgbtm (gbtm_fit), weighted or not (eq. W), and the object
# it returns.

gbtm <- function(data, id = "id", age = "age", y = "count", groups = 1L, order = 2L,
                 family = "poisson", iorder = NULL, exposure = NULL, risk = NULL, tcov = NULL,
                 starts = "auto", seed = 1, threads = 0L, refgroup = 1L, drop_missing = FALSE, weight = NULL,
                 se = c("auto", "model", "robust")) {
  call <- match.call()
  se <- match.arg(se)
  # the formula interface: gbtm(count ~ age | id, data, ...)
  if (inherits(id, "formula") && is.data.frame(data)) {
    f <- id
    id <- "id"
  } else if (inherits(data, "formula")) {
    f <- data
    data <- id
  } else f <- NULL
  if (!is.null(f)) {
    cols <- formula_columns(f)
    y <- cols[1L]
    age <- cols[2L]
    id <- cols[3L]
  }
  rows <- panel_rows(data, id, age, y, exposure, risk, tcov, weight, drop_missing)
  opts <- fit_options(groups, order, family, iorder, starts, seed, threads)
  # se "auto": robust when weighted, as gbtm fit without --se (eq. W)
  se_code <- match(se, c("auto", "model", "robust")) - 2L
  ptr <- interruptible(.Call(C_gbtmr_fit, rows$id, rows$age, rows$y, rows$exposure, rows$risk, rows$risk_names,
                             rows$tcov, rows$tcov_names, isTRUE(drop_missing), opts$family, opts$groups,
                             opts$order, opts$iorder, opts$starts, opts$seed, opts$threads, as.integer(refgroup),
                             rows$weight_ids, rows$weights, rows$weight_name, se_code))
  fit <- new_gbtm(ptr, call)
  fit$rows <- rows
  fit$columns <- list(id = id, age = age, y = y, exposure = exposure, risk = risk, tcov = tcov,
                      weight = if (is.character(weight)) weight)
  fit$options <- opts
  fit
}

fit_options <- function(groups, order, family, iorder, starts, seed, threads) {
  if (!is.character(family) || length(family) != 1L) stop("family must be one name, e.g. \"poisson\"", call. = FALSE)
  groups <- as.integer(groups)
  if (length(groups) != 1L || is.na(groups)) stop("groups must be one whole number", call. = FALSE)
  per_group <- function(x, what) {
    x <- as.integer(x)
    if (anyNA(x)) stop(sprintf("%s must be whole numbers", what), call. = FALSE)
    if (length(x) == 1L) x <- rep(x, max(groups, 1L))
    x
  }
  zi <- family %in% c("zip", "zinb")
  if (is.null(iorder)) iorder <- if (zi) 0L else -1L
  if (identical(starts, "auto")) starts <- -1L
  starts <- as.integer(starts)
  if (length(starts) != 1L || is.na(starts) || starts < -1L)
    stop("starts must be \"auto\" or a number of starts", call. = FALSE)
  list(family = family, groups = groups, order = per_group(order, "order"),
       iorder = per_group(iorder, "iorder"), starts = starts, seed = as.double(seed),
       threads = as.integer(threads))
}

# The R object of a fit handle: the handle and the fit's contents.
new_gbtm <- function(ptr, call) {
  info <- .Call(C_gbtmr_info, ptr)
  structure(c(list(ptr = ptr, call = call), info), class = "gbtm")
}

# The covariance a method uses: the one asked for, else the fit's own
# (robust for a weighted fit unless se = "model" was asked, eq. W).
se_type <- function(fit, type) {
  if (is.null(type)) return(if (identical(fit$se, "robust")) "robust" else "model")
  match.arg(type, c("model", "robust"))
}

group_names <- function(x) {
  lab <- x$labels
  ifelse(nzchar(lab), lab, paste("group", seq_len(x$groups)))
}
