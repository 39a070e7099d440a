# make_native_seeds.R: writes the seeds of fuzz_native (tests/fuzz/corpus/native/)
# with R's haven: one small panel holding the long layout's variables (id, age,
# count, sex) and the wide layout's (y1..y3, t1..t3), as .dta, .sav, .sas7bdat
# and .xpt, and a .dta with a labelled numeric id and a Stata .a missing count.
# Usage (from the source root): Rscript tests/fuzz/make_native_seeds.R
suppressMessages(library(haven))
out <- "tests/fuzz/corpus/native"
d <- data.frame(id = c("a", "a", "b", "b"), age = c(12, 13, 12, 14), count = c(0, 2, 1, NA), sex = c(0, 0, 1, 1),
                y1 = c(0, 1, NA, 0), y2 = c(1, NA, 2, 0), y3 = c(0, 0, 1, NA), t1 = 12, t2 = 13, t3 = c(14, 14, NA, 14))
write_dta(d, file.path(out, "seed.dta"))
write_sav(d, file.path(out, "seed.sav"))
suppressWarnings(write_sas(d, file.path(out, "seed.sas7bdat")))
write_xpt(d, file.path(out, "seed.xpt"))
s <- d
s$id <- labelled(c(1, 1, 2, 2), c(P1 = 1, P2 = 2))
s$count <- c(0, 2, tagged_na("a"), 1)
write_dta(s, file.path(out, "labelled.dta"))
