/* cli_columns.c: the data-column options shared by the commands that read a
 * panel (fit, select, classify, convert; declared in cli_util.h): --id,
 * --age, --count, --exposure, the covariates --risk and --tcov,
 * --drop-missing, the wide layout's --wide, --count-cols, --age-cols and
 * --exposure-cols, and the CSV dialect's --delimiter and --decimal.
 *
 * Options are recorded as given and checked together once all are known,
 * since their meaning depends on one another (--tcov names columns in the
 * long layout but NAME=COLUMNS entries with --wide, whichever comes first).
 * Column lists take ranges, y1-y20 for y1,y2,...,y20, because a wide file
 * has tens of waves; the expanded names are owned here until
 * cli_columns_free(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

#define MAX_EXPANDED 100000 /* columns one list may expand to */

void cli_columns_init(cli_columns *c, gbtm_csv_columns *columns) {
  memset(c, 0, sizeof *c);
  *columns = gbtm_csv_columns_default();
  c->columns = columns;
}

void cli_columns_free(cli_columns *c) {
  if (!c) return;
  for (size_t j = 0; j < c->n_owned; j++) free(c->owned[j]);
  free(c->owned);
  for (size_t j = 0; j < sizeof c->lists / sizeof c->lists[0]; j++) free(c->lists[j]);
  memset(c->lists, 0, sizeof c->lists);
  c->owned = NULL;
  c->n_owned = c->cap_owned = 0;
}

/* Keeps value in list[*n] (at most CLI_LIST_ARGS of them). */
static void record(cli_columns *c, const char *option, const char **list, int *n, const char *value) {
  if (*n < CLI_LIST_ARGS)
    list[(*n)++] = value;
  else if (!c->problem[0])
    snprintf(c->problem, sizeof c->problem, "%s given more than %d times", option, CLI_LIST_ARGS);
}

bool cli_column_option(int opt, const char *arg, cli_columns *c) {
  gbtm_csv_columns *col = c->columns;
  switch (opt) {
  case CLI_OPT_ID: col->id = arg; return true;
  case CLI_OPT_AGE: col->age = arg; c->long_columns = true; return true;
  case CLI_OPT_COUNT: col->count = arg; c->long_columns = true; return true;
  case CLI_OPT_EXPOSURE: col->exposure = arg; c->long_columns = c->exposure_given = true; return true;
  case CLI_OPT_TRIALS: col->exposure = arg; c->long_columns = c->trials_given = true; return true;
  case CLI_OPT_RISK: record(c, "--risk", c->risk, &c->n_risk, arg); return true;
  case CLI_OPT_TCOV: record(c, "--tcov", c->tcov, &c->n_tcov, arg); return true;
  case CLI_OPT_DROP_MISSING: col->drop_missing = true; return true;
  case CLI_OPT_WIDE: c->wide = true; return true;
  case CLI_OPT_COUNT_COLS: c->count_cols = arg; return true;
  case CLI_OPT_AGE_COLS: c->age_cols = arg; return true;
  case CLI_OPT_EXPOSURE_COLS: c->exposure_cols = arg; return true;
  case CLI_OPT_DELIMITER:
    if (strcmp(arg, ",") == 0 || strcmp(arg, "comma") == 0) col->delimiter = ',';
    else if (strcmp(arg, ";") == 0 || strcmp(arg, "semicolon") == 0) col->delimiter = ';';
    else if (strcmp(arg, "tab") == 0 || strcmp(arg, "\t") == 0 || strcmp(arg, "\\t") == 0) col->delimiter = '\t';
    else if (!c->problem[0])
      snprintf(c->problem, sizeof c->problem, "--delimiter is ',', ';' or 'tab', not \"%.60s\"", arg);
    return true;
  case CLI_OPT_DECIMAL:
    if (strcmp(arg, ".") == 0 || strcmp(arg, ",") == 0) col->decimal = arg[0];
    else if (!c->problem[0])
      snprintf(c->problem, sizeof c->problem, "--decimal is '.' or ',', not \"%.60s\"", arg);
    return true;
  }
  return false;
}

/* ---- lists of columns --------------------------------------------------- */

static bool push(char ***names, size_t *n, size_t *cap, const char *s, size_t len) {
  if (*n == *cap) {
    size_t grown = *cap ? 2 * *cap : 16;
    char **bigger = realloc(*names, grown * sizeof *bigger);
    if (!bigger) return false;
    *names = bigger;
    *cap = grown;
  }
  char *copy = malloc(len + 1);
  if (!copy) return false;
  memcpy(copy, s, len);
  copy[len] = '\0';
  (*names)[(*n)++] = copy;
  return true;
}

/* The trailing decimal digits of s[0..len): their start. */
static size_t digits_from(const char *s, size_t len) {
  size_t d = len;
  while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9') d--;
  return d;
}

/* Whether item (len bytes) is a range PREFIXm-PREFIXn: its prefix length,
 * numbers and the width of m's digits. Tries each '-' of the item, so that
 * a prefix may hold dashes (wave-1-wave-20). */
static bool is_range(const char *item, size_t len, size_t *prefix, unsigned long *from,
                     unsigned long *to, int *width) {
  for (size_t dash = 1; dash + 1 < len; dash++) {
    if (item[dash] != '-') continue;
    const char *left = item, *right = item + dash + 1;
    size_t llen = dash, rlen = len - dash - 1;
    size_t ld = digits_from(left, llen), rd = digits_from(right, rlen);
    if (ld == llen || rd == rlen || ld != rd || memcmp(left, right, ld) != 0) continue;
    if (llen - ld > 9 || rlen - rd > 9) continue; /* numbers up to 999999999 */
    char a[16], b[16];
    memcpy(a, left + ld, llen - ld);
    a[llen - ld] = '\0';
    memcpy(b, right + rd, rlen - rd);
    b[rlen - rd] = '\0';
    *prefix = ld;
    *from = strtoul(a, NULL, 10);
    *to = strtoul(b, NULL, 10);
    *width = a[0] == '0' && a[1] != '\0' ? (int)(llen - ld) : 0;
    return true;
  }
  return false;
}

bool cli_expand_columns(const char *option, const char *text, char ***names, size_t *n, size_t *cap,
                        char *why, size_t why_size) {
  const char *p = text;
  for (;;) {
    size_t len = strcspn(p, ",");
    if (len == 0) {
      snprintf(why, why_size, "%s: an empty column name in \"%s\"", option, text);
      return false;
    }
    size_t prefix;
    unsigned long from, to;
    int width;
    if (is_range(p, len, &prefix, &from, &to, &width)) {
      if (from > to) {
        snprintf(why, why_size, "%s: the range \"%.*s\" runs backwards", option, (int)len, p);
        return false;
      }
      if (to - from >= MAX_EXPANDED) {
        snprintf(why, why_size, "%s: the range \"%.*s\" has more than %d columns", option, (int)len, p,
                 MAX_EXPANDED);
        return false;
      }
      for (unsigned long v = from; v <= to; v++) {
        char name[256];
        int w = snprintf(name, sizeof name, "%.*s%0*lu", (int)prefix, p, width, v);
        if (w < 0 || (size_t)w >= sizeof name || !push(names, n, cap, name, (size_t)w)) {
          snprintf(why, why_size, "%s: cannot expand \"%.*s\"", option, (int)len, p);
          return false;
        }
      }
    } else if (!push(names, n, cap, p, len)) {
      snprintf(why, why_size, "%s: out of memory", option);
      return false;
    }
    if (p[len] == '\0') return true;
    p += len + 1;
  }
}

/* Hands s (malloc'd) over to c; false, with s freed, when out of memory. */
static bool own(cli_columns *c, char *s) {
  if (c->n_owned == c->cap_owned) {
    size_t cap = c->cap_owned ? 2 * c->cap_owned : 64;
    char **bigger = realloc(c->owned, cap * sizeof *bigger);
    if (!bigger) {
      free(s);
      return false;
    }
    c->owned = bigger;
    c->cap_owned = cap;
  }
  c->owned[c->n_owned++] = s;
  return true;
}

/* A copy of s[0..len) owned by c, or NULL when out of memory. */
static const char *own_copy(cli_columns *c, const char *s, size_t len) {
  char *copy = malloc(len + 1);
  if (!copy) return NULL;
  memcpy(copy, s, len);
  copy[len] = '\0';
  return own(c, copy) ? copy : NULL;
}

/* Expands text; the names go to c (kept until cli_columns_free), and at
 * most max of them (max names "what") to out[*n..]. With list_slot >= 0 the
 * names are instead a new array c->lists[list_slot] of *n entries. */
static bool expand(cli_columns *c, const char *option, const char *text, int list_slot, const char **out,
                   size_t *n, size_t max, const char *what, char *why, size_t why_size) {
  char **names = NULL;
  size_t count = 0, cap = 0;
  bool ok = cli_expand_columns(option, text, &names, &count, &cap, why, why_size);
  if (ok && list_slot >= 0) {
    free(c->lists[list_slot]);
    out = c->lists[list_slot] = malloc((count ? count : 1) * sizeof *out);
    *n = 0;
    max = count;
    if (!out) {
      snprintf(why, why_size, "%s: out of memory", option);
      ok = false;
    }
  }
  if (ok && *n + count > max) {
    snprintf(why, why_size, "%s: more than %zu %s", option, max, what);
    ok = false;
  }
  for (size_t j = 0; j < count; j++) {
    if (!ok) {
      free(names[j]);
    } else if (own(c, names[j])) {
      out[(*n)++] = names[j];
    } else {
      snprintf(why, why_size, "%s: out of memory", option);
      ok = false;
    }
  }
  free(names);
  return ok;
}

/* The names of all the options' values (each a comma list), at most max. */
static bool expand_all(cli_columns *c, const char *option, const char *const *texts, int n_texts,
                       const char **names, int *n, int max, const char *what, char *why, size_t why_size) {
  size_t got = 0;
  for (int t = 0; t < n_texts; t++)
    if (!expand(c, option, texts[t], -1, names, &got, (size_t)max, what, why, why_size)) return false;
  *n = (int)got;
  return true;
}

/* The wide layout's --tcov: NAME=COLUMNS entries, separated by ';'. */
static bool wide_tcov(cli_columns *c, size_t waves, char *why, size_t why_size) {
  gbtm_csv_columns *col = c->columns;
  col->n_tcov = 0;
  for (int t = 0; t < c->n_tcov; t++) {
    const char *p = c->tcov[t];
    for (;;) {
      size_t len = strcspn(p, ";");
      const char *eq = memchr(p, '=', len);
      if (!eq || eq == p || eq + 1 == p + len) {
        snprintf(why, why_size,
                 "--tcov: \"%.*s\" is not NAME=COLUMNS (with --wide each time-varying covariate "
                 "names its column of each wave, e.g. employed=e1-e20)",
                 (int)len, p);
        return false;
      }
      if (col->n_tcov == GBTM_MAX_TCOV) {
        snprintf(why, why_size, "--tcov: more than %d time-varying covariates", GBTM_MAX_TCOV);
        return false;
      }
      int j = col->n_tcov;
      const char *name = own_copy(c, p, (size_t)(eq - p));
      const char *list = own_copy(c, eq + 1, len - (size_t)(eq - p) - 1);
      if (!name || !list) {
        snprintf(why, why_size, "--tcov: out of memory");
        return false;
      }
      char option[GBTM_NAME_MAX + 64];
      snprintf(option, sizeof option, "--tcov %s", name);
      size_t count = 0;
      if (!expand(c, option, list, 3 + j, NULL, &count, 0, "columns", why, why_size)) return false;
      if (count != waves) {
        snprintf(why, why_size, "--tcov %s lists %zu column%s, --count-cols %zu", name, count,
                 count == 1 ? "" : "s", waves);
        return false;
      }
      col->tcov[j] = name;
      col->tcov_cols[j] = c->lists[3 + j];
      col->n_tcov++;
      if (p[len] == '\0') break;
      p += len + 1;
    }
  }
  return true;
}

bool cli_columns_finish(cli_columns *c, char *why, size_t why_size) {
  gbtm_csv_columns *col = c->columns;
  if (c->problem[0]) {
    snprintf(why, why_size, "%s", c->problem);
    return false;
  }
  if (col->count && strchr(col->count, ',')) { /* gbtm fit takes the list before it gets here (cmd_fit_multi.c) */
    snprintf(why, why_size,
             "--count %s lists several outcomes: only gbtm fit fits several outcomes (a multi-trajectory model) "
             "for now",
             col->count);
    return false;
  }
  if (!expand_all(c, "--risk", c->risk, c->n_risk, col->risk, &col->n_risk, GBTM_MAX_RISK, "risk factors",
                  why, why_size))
    return false;
  if (!c->wide) {
    const char *stray = c->count_cols ? "--count-cols" : c->age_cols ? "--age-cols"
                      : c->exposure_cols ? "--exposure-cols" : NULL;
    if (stray) {
      snprintf(why, why_size, "%s applies only to the wide layout (--wide)", stray);
      return false;
    }
    for (int t = 0; t < c->n_tcov; t++)
      if (strchr(c->tcov[t], '=')) {
        snprintf(why, why_size,
                 "--tcov: \"%s\": NAME=COLUMNS entries are for the wide layout (--wide); in the "
                 "long layout --tcov names columns",
                 c->tcov[t]);
        return false;
      }
    return expand_all(c, "--tcov", c->tcov, c->n_tcov, col->tcov, &col->n_tcov, GBTM_MAX_TCOV,
                      "time-varying covariates", why, why_size);
  }
  if (c->long_columns) {
    snprintf(why, why_size,
             "--age, --count and --exposure name columns of the long layout; with --wide give "
             "--age-cols, --count-cols and --exposure-cols");
    return false;
  }
  if (!c->count_cols || !c->age_cols) {
    snprintf(why, why_size, "--wide needs --count-cols and --age-cols (e.g. --count-cols y1-y20 "
                            "--age-cols t1-t20)");
    return false;
  }
  size_t n_count = 0, n_age = 0, n_exposure = 0;
  if (!expand(c, "--count-cols", c->count_cols, 0, NULL, &n_count, 0, "columns", why, why_size) ||
      !expand(c, "--age-cols", c->age_cols, 1, NULL, &n_age, 0, "columns", why, why_size) ||
      (c->exposure_cols &&
       !expand(c, "--exposure-cols", c->exposure_cols, 2, NULL, &n_exposure, 0, "columns", why, why_size)))
    return false;
  if (n_age != n_count) {
    snprintf(why, why_size, "--count-cols lists %zu column%s, --age-cols %zu", n_count, n_count == 1 ? "" : "s",
             n_age);
    return false;
  }
  if (c->exposure_cols && n_exposure != n_count) {
    snprintf(why, why_size, "--exposure-cols lists %zu column%s, --count-cols %zu", n_exposure,
             n_exposure == 1 ? "" : "s", n_count);
    return false;
  }
  col->wide = true;
  col->waves = n_count;
  col->count_cols = c->lists[0];
  col->age_cols = c->lists[1];
  col->exposure_cols = c->exposure_cols ? c->lists[2] : NULL;
  col->age = col->count = NULL;
  col->exposure = NULL;
  return wide_tcov(c, n_count, why, why_size);
}

void cli_report_dropped(const char *cmd, const gbtm_panel *panel) {
  size_t rows = gbtm_panel_dropped_rows(panel), persons = gbtm_panel_dropped_persons(panel);
  size_t missing = gbtm_panel_missing_responses(panel);
  if (missing > 0)
    fprintf(stderr, "gbtm %s: %zu missing response%s dropped\n", cmd, missing, missing == 1 ? "" : "s");
  if (rows == 0 && persons == 0) return;
  fprintf(stderr, "gbtm %s: dropped %zu row%s and %zu person%s with missing covariates\n", cmd, rows,
          rows == 1 ? "" : "s", persons, persons == 1 ? "" : "s");
}

bool cli_columns_family(const char *cmd, const cli_columns *c, gbtm_family_id family) {
  if (c->exposure_given && c->trials_given) {
    cli_error(cmd, "--exposure and --trials both name the column of the cells' exposure: give one");
    return false;
  }
  if (c->trials_given && !gbtm_family_trials(family)) {
    cli_error(cmd, "--trials applies only to --family logit (a count out of n trials)");
    return false;
  }
  if (c->exposure_given && gbtm_family_trials(family)) {
    cli_error(cmd, "the %s family has no exposure: --trials names the column of its number of trials",
              gbtm_family_name(family));
    return false;
  }
  return true;
}
