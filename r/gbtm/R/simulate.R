# simulate.R: the built-in synthetic cohorts of gbtm (gbtm_preset,
# gbtm_simulate) as a data frame, the rows the gbtm command's
# `gbtm simulate` writes, and with persons = TRUE the person
# characteristics (gbtm_preset_persons) `gbtm simulate --persons` writes.

gbtm_simulate_cohort <- function(n = 0L, seed = 1, preset = "rapporteur-2024", persons = FALSE) {
  r <- .Call(C_gbtmr_simulate, as.character(preset), as.double(n), as.double(seed), isTRUE(persons))
  path <- tempfile(fileext = ".csv")
  on.exit(unlink(path))
  .Call(C_gbtmr_write_panel, r[[1]], path)
  d <- read.csv(path, colClasses = c(id = "character"))
  attr(d, "group") <- r[[2]]
  if (isTRUE(persons)) attr(d, "persons") <- as.data.frame(r[[3]], stringsAsFactors = FALSE)
  d
}
