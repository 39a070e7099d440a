# test-weights.R: person-level sampling weights (eq. W) against `gbtm fit
# --weight` and `gbtm select --weight`: log L, the criteria, the estimates,
# the robust standard errors (the default of a weighted fit, as the
# command's), the model-based ones when asked, and the posteriors, to
# 1e-10; and the weight column's errors.

wdir <- tempfile("gbtm-weights")
dir.create(wdir)

weighted_cohort <- function() {
  co <- cli_cohort(300, 7, wdir)
  d <- co$data
  d$w <- c(0.5, 1, 2.5)[as.integer(sub("P", "", d$id)) %% 3 + 1]
  path <- file.path(wdir, "weighted.csv")
  write.csv(d, path, row.names = FALSE, quote = FALSE)
  list(path = path, data = d)
}

test_that("a weighted fit agrees with gbtm fit --weight --json to 1e-10, robust by default", {
  co <- weighted_cohort()
  post <- file.path(wdir, "wpost.csv")
  out <- run_cli("fit", co$path, "--weight", "w", "--groups", "3", "--starts", "10", "--seed", "1", "--quiet",
                 "--json", "--posterior", post)
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  expect_identical(j$se, "robust")
  fit <- gbtm(co$data, groups = 3, starts = 10, seed = 1, weight = "w")
  expect_identical(fit$se, "robust")
  expect_identical(fit$weight_column, "w")
  expect_close(fit$weight, unlist(j$data$weight[c("sum", "min", "max")]))
  expect_close(fit$loglik, j$loglik)
  expect_close(BIC(fit), j$bic)
  expect_close(fit$entropy, j$entropy)
  est <- coef(fit)
  se <- sqrt(diag(vcov(fit)))
  expect_close(se, sqrt(diag(vcov(fit, type = "robust"))))
  sm <- summary(fit)
  expect_identical(sm$type, "robust")
  for (k in 1:3) {
    g <- j$group[[k]]
    b <- sprintf("beta[%d][%d]", k, 0:2)
    expect_close(est[b], unlist(g$beta))
    expect_close(se[b], unlist(g$beta_se))
    expect_close(fit$group_summary[k, 1], g$share)
    expect_close(sm$shares$std.error[k], g$share_se)
    age <- sm$age_coefficients[sm$age_coefficients$group == k, ]
    expect_close(age$std.error, unlist(g$beta_age_se))
  }
  expect_output(print(sm), "robust \\(sandwich\\) standard errors, as the fit is weighted")
  expect_output(print(sm), "Weight: w \\(sum")
  expect_output(print(fit), "Weighted by w \\(rescaled to mean 1\\); robust standard errors")
  p <- read.csv(post, colClasses = c(id = "character"))
  mine <- posterior(fit)
  expect_identical(mine$id, p$id)
  expect_close(as.matrix(mine[, c("p1", "p2", "p3")]), as.matrix(p[, c("p1", "p2", "p3")]))
  # the weights as a vector: the same fit
  fit2 <- gbtm(co$data[, c("id", "age", "count")], groups = 3, starts = 10, seed = 1, weight = co$data$w)
  expect_identical(fit2$loglik, fit$loglik)
  expect_identical(fit2$weight_column, "weight")
  # se = "model": the command's --se model
  out <- run_cli("fit", co$path, "--weight", "w", "--groups", "3", "--starts", "10", "--seed", "1", "--quiet",
                 "--json", "--se", "model")
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  fm <- gbtm(co$data, groups = 3, starts = 10, seed = 1, weight = "w", se = "model")
  expect_identical(fm$se, "model")
  sem <- sqrt(diag(vcov(fm)))
  for (k in 1:3) expect_close(sem[sprintf("beta[%d][%d]", k, 0:2)], unlist(j$group[[k]]$beta_se))
  expect_output(print(summary(fm)), "the fit is weighted: robust is the right variance")
  # an unweighted fit keeps model-based standard errors unless asked
  expect_identical(gbtm(co$data, groups = 1, starts = 1)$se, "model")
  expect_identical(gbtm(co$data, groups = 1, starts = 1, se = "robust")$se, "robust")
})

test_that("a weighted model saved here keeps its weights and standard errors", {
  co <- weighted_cohort()
  fit <- gbtm(co$data, groups = 2, starts = 5, seed = 1, weight = "w")
  h5 <- file.path(wdir, "w.h5")
  write_gbtm(fit, h5)
  back <- read_gbtm(h5)
  expect_identical(back$se, "robust")
  expect_identical(back$weight_column, "w")
  expect_identical(vcov(back), vcov(fit))
})

test_that("a weighted sweep agrees with gbtm select --weight", {
  co <- weighted_cohort()
  out <- run_cli("select", co$path, "--weight", "w", "--groups", "1:2", "--order", "2", "--starts", "5", "--seed",
                 "1", "--quiet", "--json")
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  s <- gbtm_select(co$data, groups = 1:2, order = 2, starts = 5, seed = 1, weight = "w")
  expect_close(s$loglik, vapply(j$models, function(m) m$loglik, 0))
  expect_close(s$bic, vapply(j$models, function(m) m$bic, 0))
})

test_that("weights that are not one finite positive value per person are refused, naming the row", {
  co <- weighted_cohort()
  d <- co$data
  d$w[2] <- 7
  expect_error(gbtm(d, weight = "w"), sprintf("row 2: the weight of person \"%s\" is 7, not .* as on row 1", d$id[1]))
  d <- co$data
  d$w[3] <- NA
  expect_error(gbtm(d, weight = "w"), sprintf("row 3: the weight of person \"%s\" is missing", d$id[3]))
  # drop_missing drops the person, as the command's --drop-missing
  a <- gbtm(d, groups = 1, starts = 1, weight = "w", drop_missing = TRUE)
  b <- gbtm(co$data[co$data$id != d$id[3], ], groups = 1, starts = 1, weight = "w")
  expect_identical(a$loglik, b$loglik)
  expect_equal(a$n_persons, 299)
  d <- co$data
  d$w[d$id == d$id[1]] <- 0
  expect_error(gbtm(d, weight = "w"), "row 1: the weight of person .* is 0, not a finite number > 0")
  expect_error(gbtm(co$data, weight = 1:3), "one value per row")
  expect_error(gbtm(co$data, weight = "nope"), "no column \"nope\"")
})
