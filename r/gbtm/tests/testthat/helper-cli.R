# helper-cli.R: the gbtm command the package is compared with (GBTM_BIN,
# set by tests/cli/test_r_package.sh); the comparisons are skipped without it.

gbtm_bin <- function() {
  bin <- Sys.getenv("GBTM_BIN")
  if (!nzchar(bin) || !file.exists(bin)) skip("GBTM_BIN does not name the gbtm command")
  skip_if_not_installed("jsonlite")
  bin
}

run_cli <- function(...) {
  out <- suppressWarnings(system2(gbtm_bin(), shQuote(c(...)), stdout = TRUE, stderr = FALSE))
  status <- attr(out, "status")
  if (!is.null(status) && status != 0) stop(paste(c("gbtm failed:", out), collapse = "\n"))
  out
}

# A cohort simulated by the command, read as a data frame.
cli_cohort <- function(n, seed, dir) {
  path <- file.path(dir, "cohort.csv")
  run_cli("simulate", "--preset", "rapporteur-2024", "--n", n, "--seed", seed, "-o", path)
  list(path = path, data = read.csv(path, colClasses = c(id = "character")))
}

expect_close <- function(a, b, tol = 1e-10) {
  a <- unname(as.vector(a))
  b <- unname(as.vector(b))
  expect_equal(length(a), length(b))
  expect_true(all(abs(a - b) <= tol * pmax(1, abs(b))), info = sprintf("largest difference %g", max(abs(a - b))))
}
