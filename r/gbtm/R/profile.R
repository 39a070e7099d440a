# profile.R: gbtm_profile(), the groups of a fit described by person
# variables and distal outcomes (gbtm_profile_run, DESIGN §9): by modal
# assignment, posterior weights, the BCH method and, for distal outcomes,
# the ML three-step method, with Wald tests that the groups differ.

profile_types <- c(auto = 0L, binary = 1L, categorical = 2L, continuous = 3L, count = 4L)
profile_methods <- c("modal", "proportional", "bch", "ml3")

# The posteriors the profile is taken from: the fit's, or those of the
# persons of data classified under the fit's model.
profile_posterior <- function(fit, data) {
  if (!is.null(data)) {
    p <- predict(fit, data)
    return(list(ids = p$id, tau = unname(as.matrix(p[, paste0("p", seq_len(fit$groups)), drop = FALSE]))))
  }
  if (is.null(fit$posterior) || is.null(fit$ids))
    stop(sprintf("%s holds no posterior probabilities (a model of gbtm select): pass the panel as data = to classify its persons",
                 if (is.null(fit$path)) "the fit" else fit$path), call. = FALSE)
  list(ids = fit$ids, tau = unname(fit$posterior))
}

# One person variable as the library takes it: values (numbers, or codes
# 0..L-1 into levels), in the persons' row order, and the value labels of
# a labelled numeric variable (haven's read_dta, read_sav, read_sas: the
# labels the command shows for a native file).
profile_values <- function(v, name, type, distal) {
  levels <- NULL
  labels <- NULL
  lab <- attr(v, "labels", exact = TRUE)
  if (is.numeric(v) && is.numeric(lab) && length(lab) && !is.null(names(lab)))
    labels <- list(as.double(unclass(lab)), names(lab))
  if (is.logical(v)) v <- as.double(v)
  if (is.factor(v)) {
    v <- droplevels(v)
    levels <- levels(v)
    v <- as.integer(v) - 1
  } else if (is.character(v)) {
    v[!is.na(v) & v == ""] <- NA
    levels <- sort(unique(v[!is.na(v)]), method = "radix") # byte order, as the command sorts them
    v <- match(v, levels) - 1
  } else if (!is.numeric(v)) {
    stop(sprintf("person variable \"%s\" must be numeric, logical, character or a factor", name), call. = FALSE)
  }
  if (!is.null(levels) && (type %in% c("continuous", "count") || (distal && type == "auto")))
    stop(sprintf("person variable \"%s\" (%s) holds text, not numbers", name,
                 if (type == "auto") "a distal outcome" else paste("type", type)), call. = FALSE)
  list(x = as.double(unclass(v)), levels = levels, labels = labels)
}

profile_type_of <- function(type, vars, distal) {
  out <- setNames(rep("auto", length(vars)), vars)
  if (is.null(type)) return(out)
  if (is.list(type)) type <- unlist(type)
  if (!is.character(type) || is.null(names(type)) || any(!nzchar(names(type))))
    stop("type must be a named character vector, e.g. c(income = \"continuous\")", call. = FALSE)
  for (n in names(type)) {
    if (!n %in% vars) stop(sprintf("type names \"%s\", which is not among vars or distal", n), call. = FALSE)
    t <- type[[n]]
    if (!t %in% names(profile_types)[-1])
      stop(sprintf("type of \"%s\": \"%s\" is not binary, categorical, continuous or count", n, t), call. = FALSE)
    if (t == "count" && !n %in% distal)
      stop(sprintf("type of \"%s\": count is a type of distal outcomes (distal =)", n), call. = FALSE)
    out[[n]] <- t
  }
  out
}

gbtm_profile <- function(fit, persons, vars = NULL, distal = NULL, type = NULL, id = NULL, data = NULL) {
  if (!inherits(fit, "gbtm")) stop("gbtm_profile() needs a gbtm fit", call. = FALSE)
  if (!is.data.frame(persons)) stop("persons must be a data frame, one row per person", call. = FALSE)
  for (a in list(vars, distal))
    if (!is.null(a) && (!is.character(a) || anyNA(a) || any(!nzchar(a))))
      stop("vars and distal must be column names of persons", call. = FALSE)
  all_vars <- c(vars, distal)
  if (length(all_vars) == 0L) stop("no variables to profile: give vars = or distal =", call. = FALSE)
  if (anyDuplicated(all_vars))
    stop(sprintf("variable \"%s\" is named twice (vars, distal)", all_vars[anyDuplicated(all_vars)]), call. = FALSE)
  if (is.null(id)) id <- if (is.null(fit$columns)) "id" else fit$columns$id
  pid <- as_ids(column(persons, id, "id of persons"))
  if (anyNA(pid)) stop(sprintf("persons: row %d: the id is missing", which(is.na(pid))[1]), call. = FALSE)
  if (anyDuplicated(pid)) {
    r <- anyDuplicated(pid)
    stop(sprintf("persons: row %d: the id \"%s\" is on row %d too (one row per person)", r, pid[r],
                 match(pid[r], pid)), call. = FALSE)
  }
  cols <- lapply(all_vars, function(n) column(persons, n, "person variable"))
  types <- profile_type_of(type, all_vars, distal)
  is_distal <- all_vars %in% distal
  vals <- Map(profile_values, cols, all_vars, types, is_distal)
  post <- profile_posterior(fit, data)
  N <- length(post$ids)
  row <- match(post$ids, pid)
  present <- !is.na(row)
  counts <- c(model = N, matched = sum(present), not_in_model = length(pid) - sum(present),
              not_in_data = N - sum(present))
  if (counts[["matched"]] == 0L)
    stop(sprintf("no person of persons is a person of the fit (%d persons there, %d in the fit; ids from column \"%s\")",
                 length(pid), N, id), call. = FALSE)
  if (counts[["not_in_model"]] > 0L)
    message(sprintf("%d person%s of persons %s not in the fit (left out)", counts[["not_in_model"]],
                    if (counts[["not_in_model"]] == 1L) "" else "s", if (counts[["not_in_model"]] == 1L) "is" else "are"))
  if (counts[["not_in_data"]] > 0L)
    message(sprintf("%d person%s of the fit %s not in persons (counted in the classification errors only)",
                    counts[["not_in_data"]], if (counts[["not_in_data"]] == 1L) "" else "s",
                    if (counts[["not_in_data"]] == 1L) "is" else "are"))
  x <- lapply(vals, function(v) {
    out <- rep(NA_real_, N)
    out[present] <- v$x[row[present]]
    out
  })
  r <- .Call(C_gbtmr_profile, post$tau, present, x, all_vars, unname(profile_types[types]), is_distal,
             lapply(vals, `[[`, "levels"), lapply(vals, `[[`, "labels"))
  profile_result(r, fit, counts)
}

# The library's profile as data frames.
profile_result <- function(r, fit, counts) {
  K <- fit$groups
  lab <- fit$labels
  est <- list()
  tests <- list()
  pairs <- list()
  info <- list()
  for (v in r$variables) {
    Q <- length(v$quantities)
    M <- if (v$distal) 4L else 3L
    cat_ <- if (v$type %in% c("binary", "categorical")) v$quantities else rep(NA_character_, Q)
    grid <- expand.grid(q = seq_len(Q), group = seq_len(K), m = seq_len(M))
    at <- cbind((grid$group - 1L) * Q + grid$q, grid$m)
    est[[length(est) + 1L]] <- data.frame(variable = v$name, type = v$type, category = cat_[grid$q],
                                          group = grid$group, label = lab[grid$group],
                                          method = profile_methods[grid$m], estimate = v$estimate[at],
                                          se = v$se[at], stringsAsFactors = FALSE)
    for (m in c("bch", if (v$distal) "ml3")) {
      t <- if (m == "bch") v$wald else v$wald_ml3
      tests[[length(tests) + 1L]] <- data.frame(variable = v$name, method = m, statistic = t[1], df = t[2],
                                                p.value = t[3], stringsAsFactors = FALSE)
      p <- if (m == "bch") v$pairs else v$pairs_ml3
      if (nrow(p))
        pairs[[length(pairs) + 1L]] <- data.frame(variable = v$name, method = m, group1 = as.integer(p[, 1]),
                                                  group2 = as.integer(p[, 2]), statistic = p[, 3], df = p[, 4],
                                                  p.value = p[, 5], stringsAsFactors = FALSE)
    }
    info[[length(info) + 1L]] <- data.frame(variable = v$name, type = v$type, distal = v$distal,
                                            n_used = v$n_used, n_missing = v$n_missing, note = v$note,
                                            stringsAsFactors = FALSE)
  }
  bind <- function(l) {
    d <- do.call(rbind, l)
    if (!is.null(d)) {
      d <- d[order(match(d$variable, vapply(r$variables, `[[`, "", "name")), seq_len(nrow(d))), , drop = FALSE]
      rownames(d) <- NULL
    }
    d
  }
  est <- do.call(rbind, est)
  est <- est[order(match(est$variable, unique(est$variable)), est$category, est$group,
                   match(est$method, profile_methods), na.last = FALSE), , drop = FALSE]
  rownames(est) <- NULL
  d <- r$classification_error
  dimnames(d) <- list(group = seq_len(K), modal = seq_len(K))
  structure(list(estimates = est, tests = bind(tests), pairs = bind(pairs), variables = bind(info),
                 classification_error = d, modal_count = setNames(r$modal_count, seq_len(K)),
                 bch_available = r$bch_available, bch_note = r$bch_note, persons = counts, groups = K,
                 labels = lab), class = "gbtm_profile")
}

print.gbtm_profile <- function(x, digits = 3L, ...) {
  p <- x$persons
  cat(sprintf("Profile of the groups: %d persons matched to the fit's %d", p[["matched"]], p[["model"]]))
  if (p[["not_in_model"]] > 0) cat(sprintf("; %d not in the fit", p[["not_in_model"]]))
  cat("\n")
  if (!x$bch_available) cat("BCH not available:", x$bch_note, "\n")
  names_k <- ifelse(nzchar(x$labels), x$labels, paste("group", seq_len(x$groups)))
  for (v in x$variables$variable) {
    vi <- x$variables[x$variables$variable == v, ]
    e <- x$estimates[x$estimates$variable == v, ]
    what <- switch(vi$type, binary = sprintf("the share of \"%s\"", e$category[1]),
                   categorical = "the share of each category", "the mean")
    cat(sprintf("\n%s (%s%s: %s; %d persons, %d missing)\n", v, vi$type, if (vi$distal) ", distal" else "", what,
                as.integer(vi$n_used), as.integer(vi$n_missing)))
    cell <- ifelse(is.na(e$estimate), "-", sprintf("%.*f (%.*f)", digits, e$estimate, digits, e$se))
    key <- if (vi$type == "categorical") paste0(e$category, ": ") else rep("", nrow(e))
    rows <- unique(paste0(key, names_k[e$group]))
    tab <- matrix("", length(rows), length(unique(e$method)), dimnames = list(rows, unique(e$method)))
    tab[cbind(match(paste0(key, names_k[e$group]), rows), match(e$method, colnames(tab)))] <- cell
    print(noquote(tab))
    t <- x$tests[x$tests$variable == v, ]
    for (i in seq_len(nrow(t)))
      cat(sprintf("Wald test of equal groups (%s): chi-square %s on %s df, p = %s\n", t$method[i],
                  format(t$statistic[i], digits = digits + 2L), format(t$df[i]), format(t$p.value[i], digits = 3L)))
    if (nzchar(vi$note)) cat("Note:", vi$note, "\n")
  }
  invisible(x)
}
