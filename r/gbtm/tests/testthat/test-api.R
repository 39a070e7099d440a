# test-api.R: the package's own contracts: errors as R conditions with the
# library's message, the methods, selection, the bootstrap.

test_that("bad input is an R error carrying the library's message", {
  d <- gbtm_simulate_cohort(120, 2)
  expect_error(gbtm(d, groups = 2, order = 9), "order of group 1 must be between 0 and 5")
  expect_error(gbtm(d, y = "nope"), "no column \"nope\"")
  d2 <- d
  d2$count[5] <- 1.5
  expect_error(gbtm(d2, groups = 1), "row 5: the response 1.5 is not a whole number")
  d3 <- d
  d3$age[3] <- NA
  expect_error(gbtm(d3), "row 3: the age is missing")
  bad <- tempfile(fileext = ".h5")
  writeLines("not a model", bad)
  expect_error(read_gbtm(bad), paste0(basename(bad), ": not an HDF5 file"))
  expect_error(read_gbtm(file.path(tempdir(), "missing.h5")), "missing.h5")
  expect_error(gbtm(d, family = "gamma"), "unknown family")
  e <- tryCatch(gbtm(d, groups = 2, order = 9), error = function(e) e)
  expect_s3_class(e, "gbtm_error")
  expect_s3_class(e, "gbtm_error_usage")
  expect_identical(e$status, "usage")
  e <- tryCatch(read_gbtm(bad), error = function(e) e)
  expect_identical(e$status, "parse")
})

test_that("the methods answer from the fit", {
  d <- gbtm_simulate_cohort(200, 4)
  fit <- gbtm(d, groups = 2, starts = 5, seed = 1, threads = 1)
  expect_s3_class(fit, "gbtm")
  expect_output(print(fit), "2 groups")
  expect_output(print(summary(fit)), "Estimates")
  expect_equal(BIC(fit), -2 * fit$loglik + fit$n_params * log(nobs(fit)))
  expect_equal(BIC(fit), fit$bic)
  expect_equal(AIC(fit), fit$aic)
  tab <- as.data.frame(fit)
  expect_equal(tab$estimate, unname(coef(fit)))
  expect_equal(nrow(vcov(fit)), length(coef(fit)))
  expect_length(fitted(fit), nrow(d))
  cls <- predict(fit, d, type = "class")
  expect_identical(cls$group, posterior(fit)$group)
  expect_equal(sum(posterior(fit)$p1 + posterior(fit)$p2), nrow(posterior(fit)))
  f <- tempfile(fileext = ".pdf")
  grDevices::pdf(f)
  plot(fit)
  grDevices::dev.off()
  expect_true(file.size(f) > 0)
})

test_that("gbtm_select returns a data frame with logical flags", {
  d <- gbtm_simulate_cohort(200, 4)
  s <- gbtm_select(d, groups = 1:3, starts = 5, threads = 1)
  expect_s3_class(s, "data.frame")
  expect_equal(s$groups, 1:3)
  for (col in c("converged", "avepp_low", "occ_low", "small_group", "not_replicated", "failed", "best"))
    expect_type(s[[col]], "logical")
  expect_equal(sum(s$best), 1L)
  expect_equal(which(s$best), which.min(s$bic))
})

test_that("the bootstrap's intervals hold the estimates", {
  d <- gbtm_simulate_cohort(200, 4)
  fit <- gbtm(d, groups = 2, starts = 5, seed = 1, threads = 1)
  b <- gbtm_bootstrap(fit, B = 20, seed = 2, threads = 1)
  expect_equal(b$replicates, 20L)
  expect_true(all(b$shares$lower <= b$shares$share & b$shares$share <= b$shares$upper))
  expect_error(gbtm_bootstrap(read_gbtm({
    p <- tempfile(fileext = ".h5"); write_gbtm(fit, p); p
  })), "needs the fitted data")
})
