# test-cli.R: the package against the gbtm command on the same data: the
# cohort, log L, the criteria, the estimates and their standard errors, the
# trajectories, the posteriors, model files both ways, and classification.

dir <- tempfile("gbtm-cli")
dir.create(dir)

test_that("the built-in cohort is the command's", {
  co <- cli_cohort(300, 7, dir)
  mine <- gbtm_simulate_cohort(300, 7)
  expect_identical(mine$id, co$data$id)
  expect_identical(as.numeric(mine$age), as.numeric(co$data$age))
  expect_identical(as.numeric(mine$count), as.numeric(co$data$count))
  expect_length(attr(mine, "group"), 300L)
})

test_that("a fit agrees with gbtm fit --json and --posterior to 1e-10", {
  co <- cli_cohort(300, 7, dir)
  json <- file.path(dir, "fit.json")
  post <- file.path(dir, "post.csv")
  out <- run_cli("fit", co$path, "--groups", "3", "--order", "2", "--starts", "10", "--seed", "1", "--quiet",
                 "--json", "--posterior", post, "-o", file.path(dir, "cli.h5"))
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  fit <- gbtm(co$data, groups = 3, order = 2, starts = 10, seed = 1)
  expect_close(fit$loglik, j$loglik)
  expect_close(BIC(fit), j$bic)
  expect_close(AIC(fit), j$aic)
  expect_close(fit$entropy, j$entropy)
  expect_equal(nobs(fit), j$n_persons)
  expect_equal(attr(logLik(fit), "df"), j$n_params)
  est <- coef(fit)
  se <- sqrt(diag(vcov(fit)))
  sm <- summary(fit)
  for (k in 1:3) {
    g <- j$group[[k]]
    b <- sprintf("beta[%d][%d]", k, 0:2)
    expect_close(est[b], unlist(g$beta))
    expect_close(se[b], unlist(g$beta_se))
    expect_close(fit$group_summary[k, 1], g$share)
    expect_close(fit$group_summary[k, 3], g$avepp)
    expect_close(sm$shares$std.error[k], g$share_se)
    expect_close(c(sm$shares$lower[k], sm$shares$upper[k]), unlist(g$share_ci))
    age <- sm$age_coefficients[sm$age_coefficients$group == k, ]
    expect_identical(age$term, c("intercept", "age", "age^2"))
    expect_close(age$estimate, unlist(g$beta_age))
    expect_close(age$std.error, unlist(g$beta_age_se))
    tr <- predict(fit, type = "trajectory")
    tr <- tr[tr$group == k, ]
    cli_tr <- do.call(rbind, lapply(g$trajectory, function(t) c(t$age, t$mean, t$lower, t$upper)))
    expect_close(tr$age, cli_tr[, 1])
    expect_close(tr$mean, cli_tr[, 2])
    expect_close(tr$lower, cli_tr[, 3])
    expect_close(tr$upper, cli_tr[, 4])
  }
  p <- read.csv(post, colClasses = c(id = "character"))
  mine <- posterior(fit)
  expect_identical(mine$id, p$id)
  expect_identical(mine$group, p$group)
  expect_close(as.matrix(mine[, c("p1", "p2", "p3")]), as.matrix(p[, c("p1", "p2", "p3")]))
  # the robust covariance's standard errors
  out <- run_cli("fit", co$path, "--groups", "3", "--starts", "10", "--seed", "1", "--quiet", "--json", "--se", "robust")
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  rse <- sqrt(diag(vcov(fit, type = "robust")))
  for (k in 1:3) expect_close(rse[sprintf("beta[%d][%d]", k, 0:2)], unlist(j$group[[k]]$beta_se))
})

test_that("the formula interface is the same fit", {
  co <- cli_cohort(300, 7, dir)
  a <- gbtm(co$data, groups = 2, starts = 5, seed = 3)
  b <- gbtm(count ~ age | id, co$data, groups = 2, starts = 5, seed = 3)
  c <- gbtm(count ~ age | id, data = co$data, groups = 2, starts = 5, seed = 3)
  expect_identical(a$loglik, b$loglik)
  expect_identical(a$loglik, c$loglik)
  expect_identical(coef(a), coef(b))
})

test_that("ids as factors or numbers, and missing responses, give the same fit", {
  co <- cli_cohort(300, 7, dir)
  d <- co$data
  a <- gbtm(d, groups = 2, starts = 5, seed = 3)
  d2 <- d
  d2$id <- factor(d2$id)
  expect_identical(gbtm(d2, groups = 2, starts = 5, seed = 3)$loglik, a$loglik)
  d3 <- d
  d3$id <- as.integer(sub("P", "", d3$id))
  expect_identical(gbtm(d3, groups = 2, starts = 5, seed = 3)$loglik, a$loglik)
  d4 <- rbind(d, data.frame(id = "P000001", age = 99, count = NA))
  expect_identical(gbtm(d4, groups = 2, starts = 5, seed = 3)$loglik, a$loglik)
})

test_that("a model saved by the command loads, and one saved here classifies with the command", {
  co <- cli_cohort(300, 7, dir)
  h5 <- file.path(dir, "cli2.h5")
  run_cli("fit", co$path, "--groups", "2", "--starts", "10", "--seed", "1", "--quiet", "-o", h5)
  m <- read_gbtm(h5)
  fit <- gbtm(co$data, groups = 2, starts = 10, seed = 1)
  expect_close(m$loglik, fit$loglik)
  expect_close(coef(m), coef(fit))
  expect_close(vcov(m), vcov(fit))
  expect_close(predict(m, co$data)$p1, posterior(fit)$p1)
  # the observed means plot() draws: from the data here, from the file's table there
  here <- gbtm:::observed_means(fit)
  there <- gbtm:::observed_means(m)
  expect_close(here$age, there$age)
  expect_close(here$mean, there$mean)
  mine <- file.path(dir, "r.h5")
  write_gbtm(fit, mine)
  cls <- file.path(dir, "classes.csv")
  run_cli("classify", mine, co$path, "-o", cls)
  p <- read.csv(cls, colClasses = c(id = "character"))
  post <- posterior(fit)
  expect_identical(p$id, post$id)
  expect_close(as.matrix(p[, c("p1", "p2")]), as.matrix(post[, c("p1", "p2")]))
  back <- read_gbtm(mine)
  expect_identical(back$loglik, fit$loglik)
  expect_identical(coef(back), coef(fit))
})

test_that("a Wald test agrees with gbtm test", {
  co <- cli_cohort(300, 7, dir)
  h5 <- file.path(dir, "wald.h5")
  run_cli("fit", co$path, "--groups", "2", "--starts", "10", "--seed", "1", "--quiet", "-o", h5)
  fit <- read_gbtm(h5)
  hyp <- "beta[1][2] = beta[2][2]"
  out <- run_cli("test", h5, hyp, "--json")
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  t <- gbtm_test(fit, hyp)
  expect_close(unname(t$statistic), j$chi2)
  expect_equal(unname(t$parameter), j$df)
  expect_close(t$p.value, j$p)
})

test_that("a model with risk factors and a time-varying covariate agrees with the command", {
  path <- file.path(dir, "cov.csv")
  run_cli("simulate", "--preset", "rapporteur-2024-covariates", "--n", "300", "--seed", "2", "-o", path)
  d <- read.csv(path, colClasses = c(id = "character"))
  out <- run_cli("fit", path, "--groups", "2", "--risk", "unstable_family,no_qualification", "--tcov", "employed",
                 "--starts", "5", "--seed", "1", "--quiet", "--json")
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  fit <- gbtm(d, groups = 2, risk = c("unstable_family", "no_qualification"), tcov = "employed", starts = 5,
              seed = 1)
  expect_close(fit$loglik, j$loglik)
  expect_close(BIC(fit), j$bic)
  est <- coef(fit)
  se <- sqrt(diag(vcov(fit)))
  m <- j$membership
  expect_close(est[c("theta[2]", "theta[2][unstable_family]", "theta[2][no_qualification]")],
               vapply(m, function(r) r$estimate, 0))
  expect_close(se[c("theta[2]", "theta[2][unstable_family]", "theta[2][no_qualification]")],
               vapply(m, function(r) r$se, 0))
  expect_close(est[c("delta[1][employed]", "delta[2][employed]")], vapply(j$tcov, function(r) r$estimate, 0))
  expect_close(se[c("delta[1][employed]", "delta[2][employed]")], vapply(j$tcov, function(r) r$se, 0))
})
