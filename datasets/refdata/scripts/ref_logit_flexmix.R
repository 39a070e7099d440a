# ref_logit_flexmix.R: reference for the logit (Bernoulli) group-based
# trajectory model, K = 1..4 groups, computed with flexmix.
#
# Data: datasets/refdata/cambridge_binary.csv (195 persons, ages 10..32, 0/1),
# fitted with polynomial orders d = 2 and d = 3, and a synthetic three-group
# binary panel drawn here (set.seed(20240605): 500 persons, ages 12..30,
# shares 0.5/0.3/0.2, logit p = (-3, 0.5, -0.5), (-0.3, -1.2, -1.5),
# (0.5, 0.8, -0.3) in (1, s, s^2)), written to
# datasets/refdata/synthetic_logit3groups.csv (id,age,count) with the drawn
# groups in synthetic_logit3groups_truegroup.csv, fitted with d = 2.
# s = (age - c)/h with c the middle and h the half range of the data's ages
# (s in [-1, 1], gbtm's default basis): Cambridge c = 21, h = 11; synthetic
# c = 21, h = 9.
#
# Each fit: flexmix(cbind(count, 1 - count) ~ poly(s, d, raw = TRUE) | id,
# k = K, model = FLXMRglm(family = "binomial")), minprior = 0, tolerance 1e-8,
# from many seeds (one random initial partition each: 30 for Cambridge, 15 for
# the synthetic panel); the best log L of the runs that kept all K groups is
# flexmix's maximum. The best run of each of the 3 best distinct maxima is
# then polished by a direct maximisation of the same mixture log-likelihood
# (BFGS with the analytic gradient, then Newton steps), to give the maximum to
# more digits than EM's stopping rule; the highest polished value is the
# reference. Groups are reported sorted by their mean
# probability over the data's ages, lowest first. Number of parameters
# K (d + 1) + K - 1. Output with 17 significant digits:
# datasets/refdata/computed_flexmix_<version>_logit_gbtm.txt.
#
#   Rscript datasets/refdata/scripts/ref_logit_flexmix.R
suppressPackageStartupMessages(library(flexmix))

here <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1) dirname(normalizePath(f)) else getwd()
})
out_dir <- normalizePath(file.path(here, ".."))
g17 <- function(x) sprintf("%.17g", x)

# ---- synthetic data -----------------------------------------------------------
set.seed(20240605)
n <- 500
ages <- 12:30
B_true <- rbind(c(-3, 0.5, -0.5), c(-0.3, -1.2, -1.5), c(0.5, 0.8, -0.3))
pi_true <- c(0.5, 0.3, 0.2)
group <- sample(1:3, n, replace = TRUE, prob = pi_true)
panel <- expand.grid(age = ages, id = seq_len(n))[, c("id", "age")]
s <- (panel$age - 21) / 9
gc <- group[panel$id]
panel$count <- rbinom(nrow(panel), 1, plogis(B_true[gc, 1] + B_true[gc, 2] * s + B_true[gc, 3] * s^2))
syn_file <- file.path(out_dir, "synthetic_logit3groups.csv")
write.csv(panel, syn_file, row.names = FALSE, quote = FALSE)
write.csv(data.frame(id = seq_len(n), group = group),
          file.path(out_dir, "synthetic_logit3groups_truegroup.csv"), row.names = FALSE, quote = FALSE)

# ---- the mixture log-likelihood for the polish --------------------------------
# th = (b_1 (d+1), ..., b_K, alpha_2..alpha_K), share logits with alpha_1 = 0.
mix <- function(X, y, pid) {
  np <- max(pid); q <- ncol(X)
  pieces <- function(th, K) {
    B <- matrix(th[1:(K * q)], K, q, byrow = TRUE)
    a <- c(0, if (K > 1) th[K * q + 1:(K - 1)])
    lpi <- a - max(a) - log(sum(exp(a - max(a))))
    eta <- X %*% t(B)
    lf <- y * plogis(eta, log.p = TRUE) + (1 - y) * plogis(-eta, log.p = TRUE)
    lp <- rowsum(lf, pid, reorder = FALSE) + matrix(lpi, np, K, byrow = TRUE)
    mx <- apply(lp, 1, max)
    li <- mx + log(rowSums(exp(lp - mx)))
    list(eta = eta, lp = lp, li = li, lpi = lpi)
  }
  ll <- function(th, K) sum(pieces(th, K)$li)
  gr <- function(th, K) {
    P <- pieces(th, K)
    w <- exp(P$lp - P$li)
    wc <- w[pid, , drop = FALSE]
    gB <- t(crossprod(X, wc * (y - plogis(P$eta))))
    g <- c(t(gB))
    if (K > 1) g <- c(g, colSums(w)[-1] - np * exp(P$lpi[-1]))
    g
  }
  list(ll = ll, gr = gr)
}

fit_data <- function(label, file, centre, half, d, Ks, nstart) {
  dat <- read.csv(file, colClasses = c(id = "character"))
  dat$id <- factor(dat$id, levels = unique(dat$id))
  dat$s <- (dat$age - centre) / half
  pid <- as.integer(dat$id)
  X <- outer(dat$s, 0:d, `^`)
  M <- mix(X, dat$count, pid)
  sa <- (sort(unique(dat$age)) - centre) / half
  Xa <- outer(sa, 0:d, `^`)
  f <- as.formula(sprintf("cbind(count, 1 - count) ~ poly(s, %d, raw = TRUE) | id", d))
  ctrl <- list(minprior = 0, tolerance = 1e-8, iter.max = 100000)
  out <- c("", sprintf("######## %s, d = %d: %d persons, %d rows, ones %d; s = (age - %g)/%g ########",
                       label, d, nlevels(dat$id), nrow(dat), sum(dat$count), centre, half))
  for (K in Ks) {
    t0 <- proc.time()[["elapsed"]]
    ns <- if (K == 1) 1 else nstart
    vals <- rep(NA_real_, ns); best <- NULL; fits <- vector("list", ns)
    for (r in seq_len(ns)) {
      set.seed(1000 * K + r)
      fit <- tryCatch(suppressWarnings(flexmix(f, data = dat, k = K,
                        model = FLXMRglm(family = "binomial"),
                        control = ctrl)),
                      error = function(e) NULL)
      if (is.null(fit) || length(fit@prior) != K) next
      vals[r] <- as.numeric(logLik(fit))
      fits[[r]] <- fit
      if (is.null(best) || vals[r] > as.numeric(logLik(best))) best <- fit
    }
    v <- vals[is.finite(vals)]
    # Polish the best run of each of the (up to) 3 best distinct maxima.
    polish <- function(fit) {
      cf <- parameters(fit)                 # (d+1) x K
      pr <- fit@prior
      th <- c(cf, if (K > 1) log(pr / pr[1])[-1])
      o <- suppressWarnings(optim(th, M$ll, M$gr, K = K, method = "BFGS",
                                  control = list(fnscale = -1, reltol = 1e-15, maxit = 20000)))
      th <- o$par
      for (it in 1:50) {
        H <- optimHess(th, M$ll, M$gr, K = K)
        step <- tryCatch(solve(H, M$gr(th, K)), error = function(e) rep(0, length(th)))
        if (!all(is.finite(step)) || M$ll(th - step, K) < M$ll(th, K) - 1e-9) break
        th <- th - step
        if (max(abs(step)) < 1e-12) break
      }
      th
    }
    cand <- which(is.finite(vals))[order(-vals[is.finite(vals)])]
    cand <- cand[!duplicated(round(vals[cand], 3))][1:min(3, length(unique(round(v, 3))))]
    ths <- lapply(fits[cand], polish)
    lls <- sapply(ths, M$ll, K = K)
    th <- ths[[which.max(lls)]]
    cf <- parameters(best)
    pr <- best@prior
    ll_fm <- as.numeric(logLik(best))
    ll_at_fm <- M$ll(c(cf, if (K > 1) log(pr / pr[1])[-1]), K)
    ll_pol <- M$ll(th, K)
    gmax <- max(abs(M$gr(th, K)))
    B <- matrix(th[1:(K * (d + 1))], K, d + 1, byrow = TRUE)
    a <- c(0, if (K > 1) th[K * (d + 1) + 1:(K - 1)])
    pis <- exp(a) / sum(exp(a))
    mp <- rowMeans(plogis(B %*% t(Xa)))
    ord <- order(mp)
    # flexmix's own estimates, in the same order (matched by mean probability)
    mpf <- colMeans(plogis(Xa %*% cf))
    ordf <- order(mpf)
    distinct <- unique(round(sort(v, decreasing = TRUE), 4))
    out <- c(out, "",
      sprintf("== %s, d = %d, K = %d: parameters %d ==", label, d, K, K * (d + 1) + K - 1),
      sprintf("flexmix best logLik = %s (runs %d, kept all %d groups %d, within 1e-6 of best %d, within 1e-3 %d; %.1f s)",
              g17(ll_fm), ns, K, length(v), sum(abs(v - max(v)) <= 1e-6), sum(abs(v - max(v)) <= 1e-3),
              proc.time()[["elapsed"]] - t0),
      sprintf("distinct flexmix maxima (rounded to 1e-4): %s", paste(format(head(distinct, 8), nsmall = 4), collapse = " ")),
      sprintf("mixture log-likelihood evaluated here at flexmix's estimates = %s", g17(ll_at_fm)),
      sprintf("flexmix shares (sorted groups): %s", paste(g17(pr[ordf]), collapse = " ")),
      sprintf("flexmix coefficients (sorted groups, b0..b%d each): %s", d,
              paste(apply(cf[, ordf, drop = FALSE], 2, function(z) paste(g17(z), collapse = " ")), collapse = " | ")),
      sprintf("polished from the best runs of the %d best distinct flexmix maxima: %s",
              length(lls), paste(g17(lls), collapse = " ")),
      sprintf("polished logLik = %s (polished - flexmix = %s; max |gradient| = %s)",
              g17(ll_pol), g17(ll_pol - ll_fm), g17(gmax)))
    for (j in seq_along(ord)) {
      k <- ord[j]
      out <- c(out, sprintf("group %d: pi = %s  mean p = %s  b = %s", j, g17(pis[k]), g17(mp[k]),
                            paste(g17(B[k, ]), collapse = " ")))
    }
    cat(out[(length(out) - 7 - K):length(out)], sep = "\n"); cat("\n")
  }
  out
}

lines <- c(
  "Logit (Bernoulli) group-based trajectory models fitted with flexmix:",
  "flexmix(cbind(count, 1 - count) ~ poly(s, d, raw = TRUE) | id, k = K, model = FLXMRglm(family = \"binomial\"),",
  "        control = list(minprior = 0, tolerance = 1e-8, iter.max = 100000)); one run per seed 1000 K + r, r = 1..starts;",
  "log L = sum_i log sum_k pi_k prod_t p_kt^y (1 - p_kt)^(1 - y), logit p_kt = b_k0 + b_k1 s + ... + b_kd s^d",
  "'polished': the same log L maximised from the best run of each of flexmix's 3 best distinct maxima by BFGS (analytic gradient) and Newton steps; groups sorted by mean p over the data's ages",
  sprintf("generated by datasets/refdata/scripts/ref_logit_flexmix.R; %s; flexmix %s",
          R.version.string, packageDescription("flexmix")$Version),
  sprintf("synthetic_logit3groups.csv: set.seed(20240605), true shares %s, true b (1, s, s^2) per group: %s; drawn group sizes %s",
          paste(pi_true, collapse = "/"), paste(apply(B_true, 1, paste, collapse = ", "), collapse = " | "),
          paste(tabulate(group, 3), collapse = "/")))
camb <- file.path(out_dir, "cambridge_binary.csv")
lines <- c(lines,
  fit_data("cambridge_binary.csv", camb, 21, 11, 2, 1:4, 30),
  fit_data("cambridge_binary.csv", camb, 21, 11, 3, 1:4, 30),
  fit_data("synthetic_logit3groups.csv", syn_file, 21, 9, 2, 1:4, 15))
res <- file.path(out_dir, sprintf("computed_flexmix_%s_logit_gbtm.txt", packageDescription("flexmix")$Version))
writeLines(lines, res)
