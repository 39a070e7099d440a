# flexmix_fit.R: fits the same Poisson group-based trajectory model as
# `gbtm fit --family poisson` with R's flexmix, for the side-by-side comparison
# in bench/flexmix_compare.sh.
#
#   Rscript bench/flexmix_fit.R FILE K D STARTS [SEED]
#
# FILE is a long CSV with columns id,age,count[,exposure]. The model is a
# K-component mixture of Poisson regressions on a degree-D polynomial in
# s = (age - c) / h, with c the midpoint and h the half range of the ages,
# so that the polynomial spans the same space as gbtm's basis (DESIGN.md §2);
# `| id` keeps each person in one component for all ages (eq. L). An exposure
# column enters as offset log(exposure) given to FLXMRglm (a formula offset()
# would be silently ignored by flexmix). minprior = 0 keeps all K components.
#
# It runs STARTS single flexmix fits, each from its own seed SEED + r (random
# initial partition), keeps the best log-likelihood, and prints
#   flexmix loglik=L seconds=T replicated=R/STARTS failed=F
# where T is the wall time of reading FILE and all the fits, and R counts the
# fits within 1e-6 of the best log-likelihood. Exit status 1 if no fit
# succeeded, 2 on bad arguments.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 4 || length(args) > 5) {
  cat("usage: Rscript bench/flexmix_fit.R FILE K D STARTS [SEED]\n", file = stderr())
  quit(status = 2)
}
file <- args[[1]]
k <- as.integer(args[[2]])
d <- as.integer(args[[3]])
starts <- as.integer(args[[4]])
seed0 <- if (length(args) == 5) as.integer(args[[5]]) else 0L
if (is.na(k) || k < 1 || is.na(d) || d < 0 || is.na(starts) || starts < 1 || is.na(seed0)) {
  cat("flexmix_fit.R: K >= 1, D >= 0, STARTS >= 1 and SEED must be integers\n", file = stderr())
  quit(status = 2)
}

suppressPackageStartupMessages(library(flexmix))

t0 <- proc.time()[["elapsed"]]
panel <- read.csv(file, colClasses = c(id = "character"))
for (col in c("id", "age", "count")) {
  if (!col %in% names(panel)) {
    cat(sprintf("flexmix_fit.R: %s has no column \"%s\"\n", file, col), file = stderr())
    quit(status = 2)
  }
}
panel$id <- factor(panel$id, levels = unique(panel$id))

# The basis of DESIGN.md §2: s in [-1, 1] over the observed ages.
lo <- min(panel$age)
hi <- max(panel$age)
centre <- (lo + hi) / 2
scale <- if (hi > lo) (hi - lo) / 2 else 1
panel$s <- (panel$age - centre) / scale

f <- if (d == 0) count ~ 1 | id else count ~ poly(s, d, raw = TRUE) | id
driver <- if ("exposure" %in% names(panel)) {
  FLXMRglm(family = "poisson", offset = log(panel$exposure))
} else {
  FLXMRglm(family = "poisson")
}
ctrl <- list(minprior = 0, tolerance = 1e-10, iter.max = 100000, verbose = 0)

logliks <- rep(NA_real_, starts)
best <- NULL
for (r in seq_len(starts)) {
  set.seed(seed0 + r)
  # glm.fit warns "fitted rates numerically 0" at tiny exposures; harmless.
  fit <- tryCatch(suppressWarnings(flexmix(f, data = panel, k = k, model = driver,
                                           control = ctrl)),
                  error = function(e) NULL)
  if (is.null(fit) || length(fit@prior) != k) next
  logliks[r] <- as.numeric(logLik(fit))
  if (is.null(best) || logliks[r] > as.numeric(logLik(best))) best <- fit
}
seconds <- proc.time()[["elapsed"]] - t0

if (is.null(best)) {
  cat(sprintf("flexmix_fit.R: none of the %d starts kept %d components\n", starts, k),
      file = stderr())
  quit(status = 1)
}
top <- max(logliks, na.rm = TRUE)
cat(sprintf("flexmix loglik=%.10f seconds=%.3f replicated=%d/%d failed=%d\n", top, seconds,
            sum(abs(logliks - top) <= 1e-6, na.rm = TRUE), starts, sum(is.na(logliks))))
cat(sprintf("  shares: %s\n", paste(sprintf("%.5f", sort(best@prior)), collapse = " ")))
cat(sprintf("  basis: centre=%.17g scale=%.17g\n", centre, scale))
