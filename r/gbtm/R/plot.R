# plot.R: the fitted trajectories in base graphics, as `gbtm plot` draws
# them: each group's expected response over the fitted ages with its 95%
# band and the posterior-weighted observed means.

observed_means <- function(x) {
  rows <- x$rows
  if (is.null(rows) && !is.null(x$path)) { # a model file: the rates it was saved with
    t <- .Call(C_gbtmr_observed, path.expand(x$path))
    return(if (is.null(t)) NULL else list(age = t[[1]], mean = t(t[[2]])))
  }
  if (is.null(rows) || is.null(x$posterior)) return(NULL)
  p <- x$posterior[match(rows$id, x$ids), , drop = FALSE]
  yy <- if (is.null(rows$exposure)) rows$y else rows$y / rows$exposure
  ages <- sort(unique(rows$age))
  m <- vapply(seq_len(x$groups), function(k) {
    w <- p[, k]
    num <- tapply(w * yy, factor(rows$age, levels = ages), sum)
    den <- tapply(w, factor(rows$age, levels = ages), sum)
    as.vector(num / den)
  }, numeric(length(ages)))
  list(age = ages, mean = matrix(m, nrow = length(ages)))
}

plot.gbtm <- function(x, band = TRUE, observed = TRUE, type = NULL, xlab = "age",
                      ylab = NULL, main = NULL, col = NULL, legend_pos = "topright", ...) {
  type <- se_type(x, type)
  k <- x$groups
  ages <- seq(x$age_range[1], x$age_range[2], length.out = 101)
  tr <- .Call(C_gbtmr_trajectory, x$ptr, ages, type == "robust", 0.95)
  if (is.null(col)) col <- palette.colors(max(k, 2L) + 1L)[-1L][seq_len(k)]
  obs <- if (observed) observed_means(x) else NULL
  hi <- if (band) tr$upper else tr$mean
  ylim <- range(c(0, tr$mean, hi[is.finite(hi)], if (!is.null(obs)) obs$mean[is.finite(obs$mean)]))
  if (is.null(ylab)) ylab <- "expected response"
  matplot(ages, t(tr$mean), type = "n", xlab = xlab, ylab = ylab, ylim = ylim, main = main, ...)
  for (g in seq_len(k)) {
    if (band && all(is.finite(tr$lower[g, ])))
      polygon(c(ages, rev(ages)), c(tr$lower[g, ], rev(tr$upper[g, ])), col = adjustcolor(col[g], 0.2), border = NA)
    lines(ages, tr$mean[g, ], col = col[g], lwd = 2)
    if (!is.null(obs)) points(obs$age, obs$mean[, g], col = col[g], pch = 16, cex = 0.6)
  }
  share <- x$group_summary[, 1]
  legend(legend_pos, legend = sprintf("%s: %.1f%%", group_names(x), 100 * share), col = col, lwd = 2, bty = "n")
  invisible(x)
}
