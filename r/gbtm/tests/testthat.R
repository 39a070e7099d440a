# testthat.R: runs the tests of tests/testthat (R CMD check, and
# tests/cli/test_r_package.sh).
library(testthat)
library(gbtm)
test_check("gbtm")
