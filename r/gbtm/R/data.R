# data.R: the rows of a data frame as the columns libgbtm builds a panel
# from (ids as text, ages and responses as doubles, covariates as
# matrices); rows whose response is NA are missing observations, dropped.

column <- function(data, name, what) {
  if (!is.character(name) || length(name) != 1L)
    stop(sprintf("%s must name one column of the data", what), call. = FALSE)
  if (!name %in% names(data))
    stop(sprintf("the data has no column \"%s\" (%s)", name, what), call. = FALSE)
  data[[name]]
}

as_ids <- function(x) {
  if (is.factor(x)) x <- as.character(x)
  if (is.integer(x)) x <- as.character(x)
  if (is.numeric(x)) x <- ifelse(is.na(x), NA_character_, sprintf("%.15g", x)) # 100000 as "100000", not "1e+05"
  if (!is.character(x)) stop("the id column must be a factor, character or a number", call. = FALSE)
  x
}

covariate_matrix <- function(data, names, what, keep) {
  if (is.null(names) || length(names) == 0L) return(NULL)
  if (!is.character(names)) stop(sprintf("%s must be column names", what), call. = FALSE)
  m <- vapply(names, function(n) {
    v <- column(data, n, what)
    if (is.logical(v)) v <- as.numeric(v)
    if (!is.numeric(v)) stop(sprintf("column \"%s\" (%s) must be numeric", n, what), call. = FALSE)
    as.double(v)
  }, numeric(nrow(data)))
  m <- matrix(m, nrow = nrow(data), dimnames = list(NULL, names))
  m[keep, , drop = FALSE]
}

# The columns of the panel of data: a list of id, age, y, exposure, risk,
# risk_names, tcov, tcov_names, how many rows were dropped for a missing
# response (or a missing weight with drop_missing), and the persons'
# weights (weight_ids, weights, weight_name; NULL unweighted).
panel_rows <- function(data, id, age, y, exposure = NULL, risk = NULL, tcov = NULL, weight = NULL,
                       drop_missing = FALSE) {
  if (!is.data.frame(data)) stop("data must be a data frame", call. = FALSE)
  ids <- as_ids(column(data, id, "id"))
  wt <- person_weights(data, weight, ids, isTRUE(drop_missing))
  ages <- column(data, age, "age")
  if (!is.numeric(ages)) stop(sprintf("the age column \"%s\" must be numeric", age), call. = FALSE)
  resp <- column(data, y, "response")
  if (is.logical(resp)) resp <- as.numeric(resp)
  if (!is.numeric(resp)) stop(sprintf("the response column \"%s\" must be numeric", y), call. = FALSE)
  keep <- !is.na(resp)
  if (!is.null(wt)) keep <- keep & wt$keep
  bad <- which(keep & (is.na(ids) | is.na(ages)))
  if (length(bad))
    stop(sprintf("data: row %d: the %s is missing", bad[1], if (is.na(ids[bad[1]])) "id" else "age"), call. = FALSE)
  ex <- NULL
  if (!is.null(exposure)) {
    ex <- column(data, exposure, "exposure")
    if (!is.numeric(ex)) stop(sprintf("the exposure column \"%s\" must be numeric", exposure), call. = FALSE)
    ex <- as.double(ex[keep])
  }
  rm <- covariate_matrix(data, risk, "risk factors", keep)
  tm <- covariate_matrix(data, tcov, "time-varying covariates", keep)
  list(id = ids[keep], age = as.double(ages[keep]), y = as.double(resp[keep]), exposure = ex,
       risk = rm, risk_names = if (is.null(rm)) NULL else colnames(rm),
       tcov = tm, tcov_names = if (is.null(tm)) NULL else colnames(tm),
       dropped = sum(!keep), weight_ids = if (!is.null(wt)) wt$ids[wt$ids %in% ids[keep]],
       weights = if (!is.null(wt)) wt$values[wt$ids %in% ids[keep]], weight_name = if (!is.null(wt)) wt$name)
}

# `response ~ age | id`: the names of the three columns.
formula_columns <- function(f) {
  bad <- function() stop("the formula must read response ~ age | id", call. = FALSE)
  if (length(f) != 3L) bad()
  rhs <- f[[3L]]
  if (!is.call(rhs) || !identical(rhs[[1L]], as.name("|"))) bad()
  parts <- list(f[[2L]], rhs[[2L]], rhs[[3L]])
  if (!all(vapply(parts, is.name, logical(1)))) bad()
  vapply(parts, as.character, character(1))
}

# Person-level sampling weights (eq. W) of the rows of data: weight is a
# column name or a numeric vector of nrow(data); constant within a person,
# finite and > 0. A missing weight is an error naming the row and person,
# or with drop_missing the person's rows are dropped (as the library's
# readers do). Returns list(keep = the rows left, ids, values = one weight
# per person, name) or NULL without weights.
person_weights <- function(data, weight, ids, drop_missing) {
  if (is.null(weight)) return(NULL)
  if (is.character(weight)) {
    name <- weight
    w <- column(data, weight, "weight")
  } else if (is.numeric(weight) || is.logical(weight) && all(is.na(weight))) {
    if (length(weight) != nrow(data))
      stop(sprintf("weight must name a column or hold one value per row of data (%d), not %d", nrow(data),
                   length(weight)), call. = FALSE)
    name <- "weight"
    w <- weight
  } else stop("weight must name a column of data or be a numeric vector", call. = FALSE)
  if (is.logical(w) && all(is.na(w))) w <- as.double(w)
  if (!is.numeric(w)) stop(sprintf("the weight column \"%s\" must be numeric", name), call. = FALSE)
  w <- as.double(w)
  ok <- !is.na(ids)
  miss <- which(ok & is.na(w))
  keep <- rep(TRUE, length(w))
  if (length(miss)) {
    if (!drop_missing)
      stop(sprintf("data: row %d: the weight of person \"%s\" is missing (drop_missing = TRUE drops the person)",
                   miss[1], ids[miss[1]]), call. = FALSE)
    keep <- !(ids %in% ids[miss])
  }
  bad <- which(keep & ok & !(is.finite(w) & w > 0))
  if (length(bad))
    stop(sprintf("data: row %d: the weight of person \"%s\" is %g, not a finite number > 0", bad[1], ids[bad[1]],
                 w[bad[1]]), call. = FALSE)
  sel <- which(keep & ok)
  first <- sel[!duplicated(ids[sel])]
  ref <- w[first][match(ids[sel], ids[first])]
  diff <- sel[w[sel] != ref]
  if (length(diff)) {
    r <- diff[1]
    r0 <- first[match(ids[r], ids[first])]
    stop(sprintf("data: row %d: the weight of person \"%s\" is %g, not %g as on row %d (a weight is one value per person)",
                 r, ids[r], w[r], w[r0], r0), call. = FALSE)
  }
  list(keep = keep, ids = ids[first], values = w[first], name = name)
}
