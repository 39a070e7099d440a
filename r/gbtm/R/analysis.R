# analysis.R: choosing the number of groups (gbtm_select), Wald tests of
# linear hypotheses on the estimates (gbtm_wald_test) and the parametric
# bootstrap (gbtm_bootstrap_run).

gbtm_select <- function(data, id = "id", age = "age", y = "count", groups = 1:4, order = 2L,
                        family = "poisson", iorder = NULL, exposure = NULL, risk = NULL, tcov = NULL,
                        starts = "auto", seed = 1, threads = 0L, cv_folds = 0L, drop_missing = FALSE,
                        weight = NULL) {
  rows <- panel_rows(data, id, age, y, exposure, risk, tcov, weight, drop_missing)
  opts <- fit_options(1L, 2L, family, iorder, starts, seed, threads)
  ranges <- as.integer(c(min(groups), max(groups), min(order), max(order)))
  df <- interruptible(.Call(C_gbtmr_select, rows$id, rows$age, rows$y, rows$exposure, rows$risk, rows$risk_names,
                            rows$tcov, rows$tcov_names, isTRUE(drop_missing), family, ranges, opts$iorder[1],
                            opts$starts, opts$seed, opts$threads, as.integer(cv_folds),
                            rows$weight_ids, rows$weights, rows$weight_name))
  best <- attr(df, "best")
  attr(df, "best") <- NULL
  df <- as.data.frame(df, stringsAsFactors = FALSE)
  df$best <- seq_len(nrow(df)) == best
  df
}

gbtm_test <- function(fit, hypothesis, type = NULL) {
  if (!inherits(fit, "gbtm")) stop("gbtm_test() needs a gbtm fit", call. = FALSE)
  type <- se_type(fit, type)
  if (!is.character(hypothesis) || length(hypothesis) != 1L)
    stop("hypothesis must be one text, e.g. \"beta[1][2] = 0\"", call. = FALSE)
  r <- .Call(C_gbtmr_wald, fit$ptr, type == "robust", hypothesis)
  structure(list(statistic = c(chisq = r[1]), parameter = c(df = r[2]), p.value = r[3],
                 hypothesis = hypothesis, type = type), class = "gbtm_test")
}

print.gbtm_test <- function(x, ...) {
  cat(sprintf("Wald test (%s covariance): %s\nchi-square %.4f on %d df, p = %.4g\n", x$type, x$hypothesis,
              x$statistic, as.integer(x$parameter), x$p.value))
  invisible(x)
}

gbtm_bootstrap <- function(fit, B = 200L, starts = "auto", seed = 1, threads = 0L, level = 0.95) {
  if (!inherits(fit, "gbtm")) stop("gbtm_bootstrap() needs a gbtm fit", call. = FALSE)
  if (identical(starts, "auto")) starts <- -1L
  starts <- as.integer(starts)
  if (length(starts) != 1L || is.na(starts) || starts < -1L)
    stop("starts must be \"auto\" or a number of starts", call. = FALSE)
  r <- .Call(C_gbtmr_bootstrap, fit$ptr, as.integer(B), starts, as.double(seed), as.integer(threads), as.double(level))
  k <- fit$groups
  shares <- data.frame(group = seq_len(k), share = fit$group_summary[, 1], lower = r[[1]][, 1], upper = r[[1]][, 2])
  ages <- r[[2]]
  traj <- data.frame(age = rep(ages, each = k), group = rep(seq_len(k), length(ages)),
                     lower = as.vector(r[[3]]), upper = as.vector(r[[4]]))
  structure(list(shares = shares, trajectories = traj, replicates = r[[5]], B = as.integer(B), level = level),
            class = "gbtm_bootstrap")
}

print.gbtm_bootstrap <- function(x, ...) {
  cat(sprintf("Parametric bootstrap: %d of %d refits; %g%% percentile intervals of the shares\n", x$replicates,
              x$B, 100 * x$level))
  print(x$shares, row.names = FALSE)
  invisible(x)
}
