# ref_nb_mixture_optim.R: reference for the NB2 group-based trajectory model
# with K = 2 and K = 3 groups (log link, Var = mu + mu^2 / r_k, exposure as
# offset, each person in one group for all ages).
#
# Draws a synthetic two-group overdispersed panel (set.seed(20240604): 500
# persons, ages 12..30, s = (age - 21) / 9; group 1 (share 0.65):
# log mu = log(exposure) - 0.5 + 0.4 s - 1.0 s^2, r = 1.5; group 2 (0.35):
# log mu = log(exposure) + 1.0 - 0.3 s - 0.5 s^2, r = 4; a quarter of the cells
# with an exposure below 1), writes it to datasets/refdata/synthetic_nb2groups.csv
# (id,age,count,exposure) and the drawn groups to
# datasets/refdata/synthetic_nb2groups_truegroup.csv (id,group). It maximises the
# mixture log-likelihood
#   log L = sum_i log sum_k pi_k prod_t dnbinom(y_it; size = r_k, mu = mu_kit)
# directly over all parameters (b_k quadratic in s, log r_k, logits of the
# shares with group 1's fixed at 0): optim BFGS with the analytic gradient from
# 40 starts for K = 2 and 80 for K = 3 (half from random partitions of the persons, half
# from the one-group fit plus noise), then Newton steps from the best (Hessian by
# differencing the analytic gradient). Groups are reported sorted by their mean
# rate over ages 12..30 at exposure 1, lowest first. The numbers go with 17
# significant digits to datasets/refdata/computed_R_<version>_nb2_mixture_optim.txt.
#
#   Rscript datasets/refdata/scripts/ref_nb_mixture_optim.R
suppressPackageStartupMessages(library(MASS))

here <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1) dirname(normalizePath(f)) else getwd()
})
out_dir <- normalizePath(file.path(here, ".."))
g17 <- function(x) sprintf("%.17g", x)

# ---- data ---------------------------------------------------------------------
set.seed(20240604)
n <- 500
ages <- 12:30
B_true <- rbind(c(-0.5, 0.4, -1.0), c(1.0, -0.3, -0.5))
r_true <- c(1.5, 4)
pi_true <- c(0.65, 0.35)
group <- sample(1:2, n, replace = TRUE, prob = pi_true)
panel <- expand.grid(age = ages, id = seq_len(n))[, c("id", "age")]
ncell <- nrow(panel)
panel$exposure <- ifelse(runif(ncell) < 0.25, round(runif(ncell, 0.05, 1), 3), 1)
s <- (panel$age - 21) / 9
g <- group[panel$id]
mu <- panel$exposure * exp(B_true[g, 1] + B_true[g, 2] * s + B_true[g, 3] * s^2)
panel$count <- rnbinom(ncell, size = r_true[g], mu = mu)
panel <- panel[, c("id", "age", "count", "exposure")]
data_file <- file.path(out_dir, "synthetic_nb2groups.csv")
write.csv(panel, data_file, row.names = FALSE, quote = FALSE)
write.csv(data.frame(id = seq_len(n), group = group),
          file.path(out_dir, "synthetic_nb2groups_truegroup.csv"), row.names = FALSE, quote = FALSE)

# ---- the mixture likelihood (on the file as written) -------------------------
d <- read.csv(data_file)
d$s <- (d$age - 21) / 9
X <- cbind(1, d$s, d$s^2)
y <- d$count
off <- log(d$exposure)
pid <- match(d$id, unique(d$id))
np <- max(pid)
q <- ncol(X)

unpack <- function(th, K) {
  B <- matrix(th[1:(K * q)], K, q, byrow = TRUE)
  lr <- th[K * q + 1:K]
  a <- c(0, if (K > 1) th[K * q + K + 1:(K - 1)])
  list(B = B, lr = lr, lpi = a - max(a) - log(sum(exp(a - max(a)))))
}
# Per-person log f_k (n x K), cell-level pieces for the gradient.
pieces <- function(th, K) {
  u <- unpack(th, K)
  eta <- off + X %*% t(u$B)             # cells x K
  m <- exp(eta)
  r <- matrix(exp(u$lr), nrow(X), K, byrow = TRUE)
  lf <- dnbinom(y, size = r, mu = m, log = TRUE)
  lf <- matrix(lf, nrow(X), K)
  lp <- rowsum(lf, pid, reorder = FALSE) + matrix(u$lpi, np, K, byrow = TRUE)
  mx <- apply(lp, 1, max)
  li <- mx + log(rowSums(exp(lp - mx)))
  list(u = u, m = m, r = r, lp = lp, li = li)
}
ll <- function(th, K) sum(pieces(th, K)$li)
gr <- function(th, K) {
  P <- pieces(th, K)
  w <- exp(P$lp - P$li)                  # posterior, persons x K
  wc <- w[pid, , drop = FALSE]           # per cell
  m <- P$m; r <- P$r
  ge <- r * (y - m) / (r + m)
  glr <- r * (digamma(y + r) - digamma(r) + log(r) - log(r + m) + (m - y) / (r + m))
  gB <- t(crossprod(X, wc * ge))         # K x q
  g <- c(t(gB), colSums(wc * glr))
  if (K > 1) g <- c(g, colSums(w)[-1] - np * exp(P$u$lpi[-1]))
  g
}
sort_groups <- function(th, K) {
  u <- unpack(th, K)
  Xa <- cbind(1, (ages - 21) / 9, ((ages - 21) / 9)^2)
  rate <- rowMeans(exp(u$B %*% t(Xa)))
  o <- order(rate)
  list(B = u$B[o, , drop = FALSE], r = exp(u$lr[o]), pi = exp(u$lpi[o]), rate = rate[o],
       post_share = NULL, order = o)
}

one <- glm.nb(count ~ s + I(s^2) + offset(log(exposure)), data = d,
              control = glm.control(epsilon = 1e-12, maxit = 200))
b1 <- coef(one); lth1 <- log(one$theta)

fit_K <- function(K, nstart = 40) {
  starts <- list()
  for (j in seq_len(nstart / 2)) {           # random partitions of the persons
    part <- sample(1:K, np, replace = TRUE)
    B <- t(sapply(1:K, function(k) {
      sel <- part[pid] == k
      coef(glm.fit(X[sel, ], y[sel], family = poisson(), offset = off[sel]))
    }))
    starts[[length(starts) + 1]] <- c(t(B), rep(lth1, K), rep(0, K - 1))
  }
  for (j in seq_len(nstart / 2)) {           # the one-group fit plus noise
    B <- matrix(b1, K, q, byrow = TRUE) + matrix(rnorm(K * q, 0, c(0.8, 0.5, 0.5)), K, q, byrow = TRUE)
    starts[[length(starts) + 1]] <- c(t(B), lth1 + rnorm(K, 0, 0.5), rnorm(K - 1, 0, 0.5))
  }
  runs <- lapply(starts, function(th0) {
    # Line searches may probe sizes r_k that overflow: NaN there, not an error.
    o <- tryCatch(suppressWarnings(optim(th0, ll, gr, K = K, method = "BFGS",
                        control = list(fnscale = -1, reltol = 1e-14, maxit = 20000))),
                  error = function(e) NULL)
    if (is.null(o) || !is.finite(o$value)) list(value = NA_real_, par = NULL) else o
  })
  vals <- sapply(runs, `[[`, "value")
  th <- runs[[which.max(vals)]]$par
  for (it in 1:50) {
    H <- optimHess(th, ll, gr, K = K)
    step <- tryCatch(solve(H, gr(th, K)), error = function(e) rep(0, length(th)))
    th_new <- th - step
    if (!is.finite(ll(th_new, K)) || ll(th_new, K) < ll(th, K) - 1e-9) break
    th <- th_new
    if (max(abs(step)) < 1e-12) break
  }
  list(K = K, vals = vals, th = th, ll = ll(th, K), g = gr(th, K),
       H = optimHess(th, ll, gr, K = K))
}

fits <- list(fit_K(2, 40), fit_K(3, 80))

res <- file.path(out_dir, sprintf("computed_R_%s.%s_nb2_mixture_optim.txt", R.version$major, R.version$minor))
lines <- c(
  "NB2 group-based trajectory model on synthetic_nb2groups.csv:",
  "log L = sum_i log sum_k pi_k prod_t dnbinom(count_it; size = r_k, mu = exposure_it exp(b_k0 + b_k1 s + b_k2 s^2)),",
  "s = (age - 21)/9 (ages 12..30 -> s in [-1, 1]); full constants (dnbinom); each person in one group for all ages",
  sprintf("generated by datasets/refdata/scripts/ref_nb_mixture_optim.R, set.seed(20240604): %d persons x %d ages = %d rows, total count %d, zeros %d, cells with exposure < 1: %d",
          n, length(ages), nrow(d), sum(y), sum(y == 0), sum(d$exposure < 1)),
  sprintf("true values: group 1 b = (%s), r = %s, pi = %s; group 2 b = (%s), r = %s, pi = %s; drawn group sizes %d / %d",
          paste(B_true[1, ], collapse = ", "), r_true[1], pi_true[1],
          paste(B_true[2, ], collapse = ", "), r_true[2], pi_true[2], sum(group == 1), sum(group == 2)),
  sprintf("%s (stats::optim; MASS %s for the one-group start)", R.version.string, packageDescription("MASS")$Version),
  "",
  sprintf("K = 1 (MASS::glm.nb): logLik = %s, theta = %s, b = %s", g17(as.numeric(logLik(one))),
          g17(one$theta), paste(g17(b1), collapse = " "))
)
for (f in fits) {
  K <- f$K
  sg <- sort_groups(f$th, K)
  v <- f$vals[is.finite(f$vals)]
  distinct <- unique(round(sort(v, decreasing = TRUE), 4))
  lines <- c(lines, "",
    sprintf("== K = %d: parameters %d (%d b, %d log r, %d share logits) ==", K, length(f$th), K * q, K, K - 1),
    sprintf("logLik = %s", g17(f$ll)),
    sprintf("starts: %d, converged to a finite value: %d, within 1e-6 of the best BFGS value: %d, within 1e-3: %d",
            length(f$vals), length(v), sum(abs(v - max(v)) <= 1e-6), sum(abs(v - max(v)) <= 1e-3)),
    sprintf("distinct BFGS maxima (rounded to 1e-4): %s", paste(format(head(distinct, 10), nsmall = 4), collapse = " ")),
    sprintf("max |gradient| after the Newton polish = %s; largest Hessian eigenvalue = %s (negative: a maximum)",
            g17(max(abs(f$g))), g17(max(eigen(f$H, symmetric = TRUE, only.values = TRUE)$values))))
  for (k in 1:K) {
    lines <- c(lines,
      sprintf("group %d: pi = %s  r = %s  b0 = %s  b1 = %s  b2 = %s  (mean rate over ages 12..30 = %s)",
              k, g17(sg$pi[k]), g17(sg$r[k]), g17(sg$B[k, 1]), g17(sg$B[k, 2]), g17(sg$B[k, 3]),
              g17(sg$rate[k])))
  }
}
writeLines(lines, res)
cat(lines, sep = "\n")
