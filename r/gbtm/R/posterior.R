# posterior.R: the posterior group probabilities of the fitted persons,
# predictions for new data (posteriors, modal groups, trajectories) and
# fitted values.

posterior_frame <- function(ids, p, fit) {
  k <- ncol(p)
  colnames(p) <- paste0("p", seq_len(k))
  modal <- max.col(p, ties.method = "first")
  data.frame(id = ids, group = modal, p, stringsAsFactors = FALSE)
}

posterior <- function(fit) {
  if (!inherits(fit, "gbtm")) stop("posterior() needs a gbtm fit", call. = FALSE)
  if (is.null(fit$posterior)) stop("the fit keeps no posteriors", call. = FALSE)
  posterior_frame(fit$ids, fit$posterior, fit)
}

# The expected response of each group at ages, with its interval: a data
# frame of age, group, mean, lower, upper.
trajectory_frame <- function(fit, ages, type = "model", level = 0.95) {
  ages <- as.double(ages)
  tr <- .Call(C_gbtmr_trajectory, fit$ptr, ages, type == "robust", as.double(level))
  k <- fit$groups
  data.frame(age = rep(ages, each = k), group = rep(seq_len(k), length(ages)),
             mean = as.vector(tr$mean), lower = as.vector(tr$lower), upper = as.vector(tr$upper))
}

predict.gbtm <- function(object, newdata = NULL, type = c("posterior", "class", "trajectory"),
                         se = NULL, level = 0.95, ...) {
  type <- match.arg(type)
  if (type == "trajectory") {
    ages <- if (is.null(newdata)) seq(object$age_range[1], object$age_range[2])
            else if (is.data.frame(newdata)) newdata[[if (is.null(object$columns)) "age" else object$columns$age]]
            else newdata
    return(trajectory_frame(object, ages, se_type(object, se), level))
  }
  if (is.null(newdata)) {
    post <- posterior(object)
  } else {
    cl <- object$columns
    if (is.null(cl)) cl <- list(id = "id", age = "age", y = "count", exposure = NULL,
                                risk = if (length(object$risk)) object$risk, tcov = if (length(object$tcov)) object$tcov)
    rows <- panel_rows(newdata, cl$id, cl$age, cl$y, cl$exposure, cl$risk, cl$tcov)
    p <- .Call(C_gbtmr_classify, object$ptr, rows$id, rows$age, rows$y, rows$exposure, rows$risk, rows$risk_names,
               rows$tcov, rows$tcov_names)
    post <- posterior_frame(attr(p, "ids"), unname(p[, , drop = FALSE]), object)
  }
  if (type == "class") post[, c("id", "group")] else post
}

# The posterior-weighted expected response of each observation of the
# fitted data, at its exposure (time-varying covariates at the values the
# trajectories are reported at).
fitted.gbtm <- function(object, ...) {
  rows <- object$rows
  if (is.null(rows)) stop("a model read from a file has no data: use predict()", call. = FALSE)
  tr <- .Call(C_gbtmr_trajectory, object$ptr, rows$age, FALSE, 0.95)$mean # K x n
  p <- object$posterior[match(rows$id, object$ids), , drop = FALSE]
  mu <- rowSums(p * t(tr))
  if (!is.null(rows$exposure)) mu <- mu * rows$exposure
  mu
}
