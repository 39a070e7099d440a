# simulate.R: the built-in synthetic cohorts of gbtm (gbtm_preset,
# gbtm_simulate) as a data frame, the rows the gbtm command's
# `gbtm simulate` writes.

gbtm_simulate_cohort <- function(n = 0L, seed = 1, preset = "rapporteur-2024") {
  r <- .Call(C_gbtmr_simulate, as.character(preset), as.double(n), as.double(seed))
  path <- tempfile(fileext = ".csv")
  on.exit(unlink(path))
  .Call(C_gbtmr_write_panel, r[[1]], path)
  d <- read.csv(path, colClasses = c(id = "character"))
  attr(d, "group") <- r[[2]]
  d
}
