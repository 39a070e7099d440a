# test-profile.R: gbtm_profile() against `gbtm profile --json` on the
# cohort rapporteur-2024-profiles: every estimate and standard error of
# every method, the Wald and pairwise tests, the classification error
# matrix and the counts of matched persons, to 1e-10; and the person
# characteristics of gbtm_simulate_cohort(persons = TRUE) are the
# command's --persons file.

pdir <- tempfile("gbtm-profile")
dir.create(pdir)

profile_cohort <- function() {
  panel <- file.path(pdir, "panel.csv")
  persons <- file.path(pdir, "persons.csv")
  if (!file.exists(persons))
    run_cli("simulate", "--preset", "rapporteur-2024-profiles", "--n", "400", "--seed", "3", "-o", panel,
            "--persons", persons)
  p <- read.csv(persons, colClasses = c(id = "character"))
  # a categorical text variable besides the file's binary, continuous and
  # count-like columns
  p$income_band <- ifelse(p$income < 15000, "low", ifelse(p$income < 25000, "middle", "high"))
  path <- file.path(pdir, "persons2.csv")
  write.csv(p, path, row.names = FALSE, quote = FALSE)
  list(panel = panel, persons = path, data = read.csv(panel, colClasses = c(id = "character")), p = p)
}

# The command's JSON as the rows of gbtm_profile()'s estimates.
cli_estimates <- function(j) {
  rows <- list()
  for (v in c(j$variables, j$distal)) {
    blocks <- if (!is.null(v$categories)) v$categories else list(list(category = v$level, groups = v$groups))
    for (b in blocks)
      for (g in b$groups)
        for (m in c("modal", "proportional", "bch", "ml3"))
          if (!is.null(g[[m]]))
            rows[[length(rows) + 1L]] <- data.frame(variable = v$name, category = if (is.null(b$category)) NA else
                                                    b$category, group = g$group, method = m,
                                                    estimate = as.numeric(g[[m]]$estimate), se = as.numeric(g[[m]]$se))
  }
  do.call(rbind, rows)
}

num <- function(x) if (is.null(x)) NA_real_ else as.numeric(x)

expect_profile_equal <- function(prof, j) {
  ce <- cli_estimates(j)
  key <- function(d) paste(d$variable, d$category, d$group, d$method)
  mine <- prof$estimates
  expect_setequal(key(mine), key(ce))
  m <- mine[match(key(ce), key(mine)), ]
  expect_identical(is.na(m$estimate), is.na(ce$estimate))
  expect_close(m$estimate[!is.na(ce$estimate)], ce$estimate[!is.na(ce$estimate)])
  expect_close(m$se[!is.na(ce$se)], ce$se[!is.na(ce$se)])
  for (v in c(j$variables, j$distal)) {
    vi <- prof$variables[prof$variables$variable == v$name, ]
    expect_identical(vi$type, v$type)
    expect_equal(vi$n_used, v$n_used)
    expect_equal(vi$n_missing, v$n_missing)
    for (m in c("bch", if (!is.null(v$wald_ml3)) "ml3")) {
      jt <- if (m == "bch") v$wald else v$wald_ml3
      t <- prof$tests[prof$tests$variable == v$name & prof$tests$method == m, ]
      expect_close(c(t$statistic, t$df, t$p.value), c(num(jt$chi2), jt$df, num(jt$p)))
      jp <- if (m == "bch") v$pairs else v$pairs_ml3
      pr <- prof$pairs[prof$pairs$variable == v$name & prof$pairs$method == m, ]
      expect_equal(nrow(pr), length(jp))
      for (i in seq_along(jp)) {
        expect_equal(c(pr$group1[i], pr$group2[i]), unlist(jp[[i]]$groups))
        expect_close(c(pr$statistic[i], pr$p.value[i]), c(num(jp[[i]]$chi2), num(jp[[i]]$p)))
      }
    }
  }
  K <- length(j$classification_error)
  expect_close(prof$classification_error, matrix(unlist(j$classification_error), K, K, byrow = TRUE))
  expect_identical(prof$bch_available, j$bch_available)
  expect_equal(prof$persons, unlist(j$persons[c("model", "matched", "not_in_model", "not_in_data")]))
}

test_that("the built-in cohort's person characteristics are the command's --persons", {
  co <- profile_cohort()
  d <- gbtm_simulate_cohort(400, 3, preset = "rapporteur-2024-profiles", persons = TRUE)
  p <- attr(d, "persons")
  cli <- read.csv(file.path(pdir, "persons.csv"), colClasses = c(id = "character"))
  expect_identical(names(p), names(cli))
  for (n in names(p)) expect_identical(if (is.numeric(p[[n]])) as.numeric(p[[n]]) else p[[n]],
                                       if (is.numeric(cli[[n]])) as.numeric(cli[[n]]) else cli[[n]])
  expect_identical(d$count, co$data$count)
  expect_error(gbtm_simulate_cohort(10, 1, persons = TRUE), "no person characteristics")
})

test_that("a profile agrees with gbtm profile --json to 1e-10", {
  co <- profile_cohort()
  h5 <- file.path(pdir, "m.h5")
  run_cli("fit", co$panel, "--groups", "3", "--starts", "10", "--seed", "1", "--quiet", "-o", h5)
  vars <- c("sex", "age_first_trafficking", "mental_health", "income_band")
  out <- run_cli("profile", h5, co$persons, "--vars", paste(vars, collapse = ","), "--distal", "reoffend_5y",
                 "--distal", "income", "--type", "income=continuous", "--json")
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  fit <- read_gbtm(h5)
  prof <- gbtm_profile(fit, co$p, vars = vars, distal = c("reoffend_5y", "income"), type = c(income = "continuous"))
  expect_s3_class(prof, "gbtm_profile")
  expect_profile_equal(prof, j)
  expect_identical(unique(prof$estimates$method[prof$estimates$variable == "reoffend_5y"]),
                   c("modal", "proportional", "bch", "ml3"))
  expect_setequal(prof$estimates$category[prof$estimates$variable == "income_band"], c("high", "low", "middle"))
  expect_output(print(prof), "Wald test of equal groups \\(ml3\\)")
  # the same fit made here: the same profile
  mine <- gbtm(co$data, groups = 3, starts = 10, seed = 1)
  expect_profile_equal(gbtm_profile(mine, co$p, vars = vars, distal = c("reoffend_5y", "income"),
                                    type = c(income = "continuous")), j)
})

test_that("unmatched persons are counted as the command counts them, with messages", {
  co <- profile_cohort()
  h5 <- file.path(pdir, "m.h5")
  p <- co$p[-(1:5), ]
  p <- rbind(p, transform(p[1:2, ], id = c("X1", "X2")))
  path <- file.path(pdir, "persons3.csv")
  write.csv(p, path, row.names = FALSE, quote = FALSE)
  out <- run_cli("profile", h5, path, "--vars", "sex,income_band", "--distal", "reoffend_5y", "--json")
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  fit <- read_gbtm(h5)
  expect_message(expect_message(prof <- gbtm_profile(fit, p, vars = c("sex", "income_band"), distal = "reoffend_5y"),
                                "2 persons of persons are not in the fit"), "5 persons of the fit are not in persons")
  expect_profile_equal(prof, j)
  expect_error(gbtm_profile(fit, transform(p, id = paste0("Z", id)), vars = "sex"), "no person of persons")
  expect_error(gbtm_profile(fit, rbind(p, p[1, ]), vars = "sex"), "one row per person")
  expect_error(gbtm_profile(fit, p, vars = "nope"), "no column \"nope\"")
  expect_error(gbtm_profile(fit, p, distal = "sex"), "holds text")
  expect_error(gbtm_profile(fit, p, vars = "income", type = c(income = "count")), "distal outcomes")
})

test_that("a fit without posteriors is profiled from its data, as gbtm profile --data", {
  co <- profile_cohort()
  h5 <- file.path(pdir, "m.h5")
  fit <- read_gbtm(h5)
  fit$posterior <- NULL
  expect_error(gbtm_profile(fit, co$p, vars = "sex"), "data =")
  out <- run_cli("profile", h5, co$persons, "--vars", "sex,mental_health", "--data", co$panel, "--json")
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  expect_profile_equal(gbtm_profile(fit, co$p, vars = c("sex", "mental_health"), data = co$data), j)
})

test_that("value labels of a Stata file read by haven are the command's reading of the file", {
  skip_if_not_installed("haven")
  co <- profile_cohort()
  h5 <- file.path(pdir, "m.h5")
  p <- co$p
  p$sex <- haven::labelled(ifelse(p$sex == "female", 1, 0), c(man = 0, woman = 1))
  p$mental_health <- haven::labelled(p$mental_health, c(no = 0, yes = 1))
  p$income_band <- NULL
  dta <- file.path(pdir, "persons.dta")
  haven::write_dta(p, dta)
  out <- run_cli("profile", h5, dta, "--vars", "sex,mental_health,income", "--distal", "reoffend_5y", "--json")
  j <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  prof <- gbtm_profile(read_gbtm(h5), haven::read_dta(dta), vars = c("sex", "mental_health", "income"),
                       distal = "reoffend_5y")
  expect_profile_equal(prof, j)
  expect_identical(unique(prof$estimates$category[prof$estimates$variable == "sex"]), "woman")
})
