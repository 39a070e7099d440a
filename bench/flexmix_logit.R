# flexmix_logit.R: fits the logit (0/1) group-based trajectory model with R's
# flexmix, for bench/flexmix_logit.sh:
#
#   Rscript bench/flexmix_logit.R FILE K STARTS [SEED]
#
# FILE is a long CSV id,age,count with 0/1 responses. The model is
# stepFlexmix(cbind(count, 1 - count) ~ poly(s, 2, raw = TRUE) | id, k = K,
# nrep = STARTS, model = FLXMRglm(family = "binomial")), with s = (age - c) / h
# (c the midpoint, h the half range of the ages: gbtm's basis, so the same
# polynomial space) and minprior = 0 so that all K groups are kept
# (datasets/refdata/scripts/ref_logit_flexmix.R's formulation). Prints
#   flexmix loglik=L seconds=T
# with T the wall time of reading FILE and the stepFlexmix call (R's start-up
# and loading flexmix excluded).
args <- commandArgs(trailingOnly = TRUE)
file <- args[[1]]; k <- as.integer(args[[2]]); starts <- as.integer(args[[3]])
seed <- if (length(args) >= 4) as.integer(args[[4]]) else 1L
suppressPackageStartupMessages(library(flexmix))
t0 <- proc.time()[["elapsed"]]
panel <- read.csv(file, colClasses = c(id = "character"))
panel$id <- factor(panel$id, levels = unique(panel$id))
lo <- min(panel$age); hi <- max(panel$age)
panel$s <- (panel$age - (lo + hi) / 2) / ((hi - lo) / 2)
set.seed(seed)
fit <- suppressWarnings(stepFlexmix(cbind(count, 1 - count) ~ poly(s, 2, raw = TRUE) | id, data = panel,
                                    k = k, nrep = starts, model = FLXMRglm(family = "binomial"),
                                    control = list(minprior = 0), verbose = FALSE))
seconds <- proc.time()[["elapsed"]] - t0
cat(sprintf("flexmix loglik=%.10f seconds=%.3f groups=%d\n", as.numeric(logLik(fit)), seconds, length(fit@prior)))
