# methods.R: what a fit says: print, summary (the tables of gbtm's
# report), coef, vcov, logLik (so that AIC() and BIC() agree with gbtm's:
# BIC's n is the number of persons), nobs, the estimates as a data frame.

group_table <- function(x) {
  g <- x$group_summary
  data.frame(group = seq_len(x$groups), label = x$labels, order = x$order,
             share = g[, 1], assigned = g[, 2], avepp = g[, 3], occ = g[, 4])
}

print.gbtm <- function(x, digits = 4L, ...) {
  cat(sprintf("Group-based trajectory model: %s, %d group%s, orders %s\n", x$family, x$groups,
              if (x$groups == 1L) "" else "s", paste(x$order, collapse = ",")))
  cat(sprintf("%g persons, %g observations; log L %.*f, BIC %.*f, AIC %.*f (%d parameters)\n",
              x$n_persons, x$n_obs, digits, x$loglik, digits, x$bic, digits, x$aic, x$n_params))
  if (!is.null(x$weight))
    cat(sprintf("Weighted by %s (rescaled to mean 1); %s standard errors\n", x$weight_column,
                if (identical(x$se, "robust")) "robust" else "model-based"))
  if (!isTRUE(x$converged)) cat("Warning: the best start did not converge\n")
  print(group_table(x), digits = digits, row.names = FALSE)
  invisible(x)
}

vcov.gbtm <- function(object, type = NULL, ...) {
  type <- se_type(object, type)
  v <- object[[paste0("vcov_", type)]]
  if (is.null(v)) stop(paste("no covariance:", if (nzchar(object$inference_note)) object$inference_note
                             else "the information matrix is not available"), call. = FALSE)
  dimnames(v) <- list(names(object$estimates), names(object$estimates))
  v
}

coef.gbtm <- function(object, ...) object$estimates

# The estimates with standard errors, z and p (Wald) as a data frame:
# term (the library's name, "beta[2][1]"), kind, group, power, estimate,
# std.error, statistic, p.value.
as.data.frame.gbtm <- function(x, row.names = NULL, optional = FALSE, type = NULL, ...) {
  type <- se_type(x, type)
  est <- x$estimates
  v <- x[[paste0("vcov_", type)]]
  se <- if (is.null(v)) rep(NA_real_, length(est)) else sqrt(pmax(diag(v), 0))
  se[x$boundary] <- NA_real_
  term <- names(est)
  kind <- sub("\\[.*", "", term)
  idx <- regmatches(term, gregexpr("[0-9]+", term))
  group <- vapply(idx, function(i) as.integer(i[1]), integer(1))
  power <- vapply(idx, function(i) if (length(i) > 1L) as.integer(i[2]) else NA_integer_, integer(1))
  z <- est / se
  data.frame(term = term, kind = kind, group = group, index = power, estimate = unname(est),
             std.error = unname(se), statistic = unname(z), p.value = 2 * pnorm(-abs(unname(z))),
             row.names = row.names)
}

# The report's tables the library computes: the shares with their
# delta-method 95% intervals (logit scale), and each group's coefficients
# on the age scale, powers of (age - centre).
report_tables <- function(x, type, centre) {
  r <- .Call(C_gbtmr_report, x$ptr, type == "robust", as.double(centre))
  shares <- data.frame(group = seq_len(x$groups), share = r[[1]][, 1], std.error = r[[1]][, 2],
                       lower = r[[1]][, 3], upper = r[[1]][, 4])
  t <- r[[2]]
  z <- t[, 4] / t[, 5]
  age <- data.frame(group = as.integer(t[, 1]), part = ifelse(t[, 2] == 0, "trajectory", "zero inflation"),
                    term = r[[3]], estimate = t[, 4], std.error = t[, 5], statistic = z,
                    p.value = 2 * pnorm(-abs(z)), stringsAsFactors = FALSE)
  list(shares = shares, age = age)
}

summary.gbtm <- function(object, type = NULL, centre = 0, ...) {
  type <- se_type(object, type)
  rt <- report_tables(object, type, centre)
  structure(list(fit = object, coefficients = as.data.frame(object, type = type), groups = group_table(object),
                 shares = rt$shares, age_coefficients = rt$age, centre = centre,
                 criteria = c(loglik = object$loglik, bic = object$bic, bic_obs = object$bic_obs, aic = object$aic,
                              entropy = object$entropy, parameters = object$n_params),
                 type = type), class = "summary.gbtm")
}

print.summary.gbtm <- function(x, digits = 4L, ...) {
  f <- x$fit
  cat(sprintf("Group-based trajectory model: %s, %d group%s\n", f$family, f$groups, if (f$groups == 1L) "" else "s"))
  cat(sprintf("Data: %g persons, %g observations, ages %g to %g\n", f$n_persons, f$n_obs, f$age_range[1], f$age_range[2]))
  if (!is.null(f$weight))
    cat(sprintf("Weight: %s (sum %g, from %g to %g; rescaled to mean 1)\n", f$weight_column, f$weight[["sum"]],
                f$weight[["min"]], f$weight[["max"]]))
  cat(sprintf("Basis: s = (age - %g) / %g\n", f$centre, f$scale))
  cat(sprintf("Fit: %s after %d E-steps; %d starts (%d failed), the best reached by %d long runs\n",
              if (isTRUE(f$converged)) "converged" else "NOT converged", f$iterations, f$starts,
              f$starts_failed, f$best_replicated))
  cat("\nCriteria:\n")
  print(x$criteria, digits = digits + 4L)
  cat("\nGroups:\n")
  print(x$groups, digits = digits, row.names = FALSE)
  cat("\nGroup shares (95% intervals, delta method on the logit scale):\n")
  print(x$shares, digits = digits, row.names = FALSE)
  cat(sprintf("\nCoefficients on the age scale (powers of age%s):\n",
              if (x$centre == 0) "" else sprintf(" - %g", x$centre)))
  print(x$age_coefficients, digits = digits, row.names = FALSE)
  cat(sprintf("\nEstimates on the basis s = (age - %g) / %g (%s standard errors%s):\n", f$centre, f$scale,
              if (x$type == "robust") "robust (sandwich)" else "model-based (inverse information)",
              if (is.null(f$weight)) "" else if (x$type == "robust") ", as the fit is weighted"
              else "; the fit is weighted: robust is the right variance"))
  co <- x$coefficients[, c("term", "estimate", "std.error", "statistic", "p.value")]
  print(co, digits = digits, row.names = FALSE)
  if (nzchar(f$inference_note)) cat("Note:", f$inference_note, "\n")
  invisible(x)
}

logLik.gbtm <- function(object, ...) {
  structure(object$loglik, df = object$n_params, nobs = object$n_persons, class = "logLik")
}

nobs.gbtm <- function(object, ...) object$n_persons
