/* cli_util.c: messages, exit statuses, strict option parsing and the
 * progress printer shared by the gbtm subcommands (cli_util.h).
 *
 * Option values are parsed strictly because a silently truncated value
 * ("--groups 3x" read as 3) makes a wrong model look like a right one. The
 * progress printer keeps scripts' logs short: on a terminal it redraws one
 * line, elsewhere it stays silent for quick fits and writes one line per
 * start for long ones. */
#include "cli_util.h"
#include "text_escape.h"


#include <getopt.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* The message is written with its control characters escaped
 * (text_escape.h): it may quote ids, names and file contents. */
static void vmessage(const char *cmd, const char *kind, const char *fmt, va_list ap) {
  if (cmd)
    fprintf(stderr, "gbtm %s: %s: ", cmd, kind);
  else
    fprintf(stderr, "gbtm: %s: ", kind);
  char small[1024], *text = small;
  va_list again;
  va_copy(again, ap);
  int len = vsnprintf(small, sizeof small, fmt, ap);
  if (len >= (int)sizeof small && (text = malloc((size_t)len + 1)) != NULL)
    vsnprintf(text, (size_t)len + 1, fmt, again);
  va_end(again);
  text_escape_put(stderr, text ? text : small, true);
  if (text != small) free(text);
  fputc('\n', stderr);
}

void cli_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage(cmd, "error", fmt, ap);
  va_end(ap);
}

void cli_warning(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage(cmd, "warning", fmt, ap);
  va_end(ap);
}

void cli_error_status(const char *cmd, gbtm_status status, const gbtm_error *err) {
  if (err && err->message[0] != '\0') {
    int len = (int)strlen(err->message);
    while (len > 0 && err->message[len - 1] == '\n') len--; /* one line break: ours */
    cli_error(cmd, "%.*s", len, err->message);
  }
  else
    cli_error(cmd, "%s", gbtm_status_str(status));
}

int cli_exit_code(gbtm_status status) {
  switch (status) {
  case GBTM_OK: return CLI_EXIT_OK;
  case GBTM_ERR_USAGE:
  case GBTM_ERR_IO:
  case GBTM_ERR_PARSE:
  case GBTM_ERR_DATA:
  case GBTM_ERR_NOMEM: return CLI_EXIT_USAGE; /* the input is too large for the memory there is */
  case GBTM_ERR_FIT:
  case GBTM_ERR_INTERNAL:
  case GBTM_ERR_INTERRUPTED: return CLI_EXIT_FIT;
  }
  return CLI_EXIT_FIT;
}

/* ---- strict parsing ---------------------------------------------------- */

/* Numbers must start with a sign or a digit (or '.'), so that strto* does
 * not skip leading white space. */
static bool starts_like_number(const char *text) {
  unsigned char c = (unsigned char)text[0];
  return c != '\0' && !isspace(c);
}

bool cli_parse_int(const char *option, const char *text, int lo, int hi, int *out, char *why,
                   size_t why_size) {
  char *end = NULL;
  errno = 0;
  long v = starts_like_number(text) ? strtol(text, &end, 10) : 0;
  if (!starts_like_number(text) || end == text || *end != '\0') {
    snprintf(why, why_size, "%s: \"%s\" is not an integer", option, text);
    return false;
  }
  if (errno == ERANGE || v < lo || v > hi) {
    if (lo == INT_MIN)
      snprintf(why, why_size, "%s: %s is out of range (at most %d)", option, text, hi);
    else if (hi == INT_MAX)
      snprintf(why, why_size, "%s: %s is out of range (at least %d)", option, text, lo);
    else
      snprintf(why, why_size, "%s: %s is out of range (%d to %d)", option, text, lo, hi);
    return false;
  }
  *out = (int)v;
  return true;
}

bool cli_parse_u64(const char *option, const char *text, uint64_t *out, char *why,
                   size_t why_size) {
  char *end = NULL;
  if (!starts_like_number(text) || text[0] == '-') {
    snprintf(why, why_size, "%s: \"%s\" is not a non-negative integer", option, text);
    return false;
  }
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10); /* 64 bits at least */
  if (end == text || *end != '\0') {
    snprintf(why, why_size, "%s: \"%s\" is not a non-negative integer", option, text);
    return false;
  }
  if (errno == ERANGE) {
    snprintf(why, why_size, "%s: %s is out of range (at most %" PRIu64 ")", option, text,
             UINT64_MAX);
    return false;
  }
  *out = (uint64_t)v;
  return true;
}

bool cli_parse_double(const char *option, const char *text, double *out, char *why,
                      size_t why_size) {
  char *end = NULL;
  double v = starts_like_number(text) ? strtod(text, &end) : 0.0;
  if (!starts_like_number(text) || end == text || *end != '\0') {
    snprintf(why, why_size, "%s: \"%s\" is not a number", option, text);
    return false;
  }
  if (strpbrk(text, "xX")) { /* strtod reads hexadecimal too; the data's numbers are decimal */
    snprintf(why, why_size, "%s: \"%s\" is not a decimal number", option, text);
    return false;
  }
  if (!isfinite(v)) {
    snprintf(why, why_size, "%s: \"%s\" is not a finite number", option, text);
    return false;
  }
  *out = v;
  return true;
}

static bool family_listed(cli_family_filter which, gbtm_family_id f) {
  return which == CLI_FAMILIES_ALL || (which == CLI_FAMILIES_INFLATED && gbtm_family_zero_inflated(f)) ||
         (which == CLI_FAMILIES_PHI && gbtm_family_phi_name(f)) ||
         (which == CLI_FAMILIES_CENSORED && gbtm_family_censored(f)) ||
         (which == CLI_FAMILIES_REAL && gbtm_family_real_response(f));
}

const char *cli_family_list(cli_family_filter which, bool quoted, char *buf, size_t size) {
  int n = 0, listed = 0;
  for (int f = 0; f < gbtm_family_count(); f++) n += family_listed(which, (gbtm_family_id)f);
  buf[0] = '\0';
  for (int f = 0; f < gbtm_family_count(); f++) {
    if (!family_listed(which, (gbtm_family_id)f)) continue;
    size_t used = strlen(buf);
    const char *sep = listed == 0 ? "" : listed == n - 1 ? " or " : ", ";
    const char *q = quoted ? "\"" : "";
    snprintf(buf + used, size - used, "%s%s%s%s", sep, q, gbtm_family_name((gbtm_family_id)f), q);
    listed++;
  }
  return buf;
}

bool cli_parse_dispersion(const char *arg, bool *common, char *why, size_t why_size) {
  if (strcmp(arg, "group") == 0 || strcmp(arg, "common") == 0) {
    *common = arg[0] == 'c';
    return true;
  }
  snprintf(why, why_size, "--dispersion: \"%s\" is not group or common", arg);
  return false;
}

bool cli_dispersion_applies(const char *cmd, gbtm_family_id family) {
  if (gbtm_family_phi_name(family)) return true;
  char names[128];
  cli_error(cmd, "--dispersion applies only to --family %s", cli_family_list(CLI_FAMILIES_PHI, false, names, sizeof names));
  return false;
}

bool cli_bounds_apply(const char *cmd, const gbtm_fit_options *o) {
  char names[128];
  if (!gbtm_family_censored(o->family)) {
    cli_error(cmd, "--min and --max apply only to --family %s",
              cli_family_list(CLI_FAMILIES_CENSORED, false, names, sizeof names));
    return false;
  }
  if (!(o->ymin < o->ymax)) {
    cli_error(cmd, "--min (%g) must be below --max (%g)", o->ymin, o->ymax);
    return false;
  }
  return true;
}

bool cli_parse_int_list(const char *option, const char *text, int k, int lo, int hi, int *out,
                        char *why, size_t why_size) {
  int n = 1;
  for (const char *c = text; *c; c++)
    if (*c == ',') n++;
  if (n != 1 && n != k) {
    snprintf(why, why_size,
             "%s: %d values given for %d group%s (give one value for all groups, or %d)",
             option, n, k, k == 1 ? "" : "s", k);
    return false;
  }
  const char *p = text;
  for (int i = 0; i < n; i++) {
    size_t len = strcspn(p, ",");
    char token[64];
    if (len >= sizeof token) {
      snprintf(why, why_size, "%s: \"%.*s...\" is not an integer", option, 20, p);
      return false;
    }
    memcpy(token, p, len);
    token[len] = '\0';
    if (!cli_parse_int(option, token, lo, hi, &out[i], why, why_size)) return false;
    p += len + (p[len] == ',' ? 1 : 0);
  }
  for (int i = n; i < k; i++) out[i] = out[0];
  return true;
}

/* ---- progress ---------------------------------------------------------- */

bool cli_ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n > m && strcasecmp(s + n - m, suffix) == 0;
}

bool cli_is_h5_name(const char *name) { return cli_ends_with(name, ".h5") || cli_ends_with(name, ".hdf5"); }

double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_init(cli_progress *p, const char *cmd) {
  memset(p, 0, sizeof *p);
  p->cmd = cmd;
  p->tty = isatty(fileno(stderr)) == 1;
  p->t0 = cli_now();
}

#define PROGRESS_EVERY 10.0 /* seconds between lines of one long start (line mode) */

/* Line mode: one line for the start held in p. */
static void print_start_line(const cli_progress *p, double elapsed) {
  fprintf(stderr, "gbtm %s: %s phase, start %d of %d: %d iterations, log L %.4f (%.1f s)\n",
          p->cmd, p->phase, p->start + 1, p->starts, p->iteration, p->loglik, elapsed);
}

/* Terminal mode: redraws the one progress line in place. */
static void draw_bar(const cli_progress *p, double elapsed) {
  enum { WIDTH = 20 };
  char bar[WIDTH + 1];
  int filled = p->starts > 0 ? (int)((long long)p->start * WIDTH / p->starts) : 0;
  if (filled > WIDTH) filled = WIDTH;
  for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '.';
  bar[WIDTH] = '\0';
  fprintf(stderr, "\r\033[Kgbtm %s: %-5s [%s] start %d/%d, iteration %d, log L %.4f, %.0f s",
          p->cmd, p->phase, bar, p->start + 1, p->starts, p->iteration, p->loglik, elapsed);
  fflush(stderr);
}

void cli_progress_report(const gbtm_progress *progress, void *user) {
  cli_progress *p = user;
  const char *phase = progress->phase ? progress->phase : "";
  double now = cli_now();
  double elapsed = now - p->t0;
  bool new_start = p->have_last && (progress->start != p->start || strncmp(phase, p->phase,
                                                                           sizeof p->phase) != 0);
  if (!p->tty && new_start && elapsed >= 2.0) {
    print_start_line(p, elapsed);
    p->last_line = now;
  }

  snprintf(p->phase, sizeof p->phase, "%s", phase);
  p->start = progress->start;
  p->starts = progress->starts;
  p->iteration = progress->iteration;
  p->loglik = progress->loglik;
  p->have_last = true;
  /* a start that runs long gets a line every PROGRESS_EVERY seconds */
  if (!p->tty && !new_start && elapsed >= 2.0 && now - (p->last_line > 0.0 ? p->last_line : p->t0) >= PROGRESS_EVERY) {
    print_start_line(p, elapsed);
    p->last_line = now;
  }

  if (p->tty && elapsed >= 0.5 && (!p->drawn || new_start || now - p->last_draw >= 0.1)) {
    draw_bar(p, elapsed);
    p->drawn = true;
    p->last_draw = now;
  }
}

void cli_progress_finish(cli_progress *p) {
  double elapsed = cli_now() - p->t0;
  if (p->tty) {
    if (p->drawn) fputs("\r\033[K", stderr);
    p->drawn = false;
  } else if (p->have_last && elapsed >= 2.0) {
    print_start_line(p, elapsed);
  }
  p->have_last = false;
}

/* "--groups" for a long option's value, "-o" for a short one. */
static const char *option_name(const struct option *table, int val, char *buf, size_t size) {
  for (const struct option *o = table; o->name; o++)
    if (o->val == val) {
      snprintf(buf, size, "--%s", o->name);
      return buf;
    }
  snprintf(buf, size, "-%c", val);
  return buf;
}

bool cli_option_problem(const char *cmd, int opt, char **argv, const struct option *table) {
  char name[64];
  if (opt == ':') {
    cli_error(cmd, "option %s needs a value (see gbtm %s --help)", option_name(table, optopt, name, sizeof name),
              cmd);
    return true;
  }
  if (opt != '?') return false;
  const char *text = argv[optind - 1];
  if (optopt >= CLI_OPT_ID) {
    cli_error(cmd, "option \"%s\" takes no value", text);
    return true;
  }
  if (optopt != 0) {
    cli_error(cmd, "unknown option \"-%c\" (see gbtm %s --help)", optopt, cmd);
    return true;
  }
  /* an unknown long option, or an abbreviation that fits several */
  const char *given = strncmp(text, "--", 2) == 0 ? text + 2 : text;
  size_t len = strcspn(given, "="), used = 0;
  char matches[256] = "";
  int n = 0;
  for (const struct option *o = table; o->name; o++) {
    if (strncmp(o->name, given, len) != 0) continue;
    int w = snprintf(matches + used, sizeof matches - used, "%s--%s", n ? ", " : "", o->name);
    if (w > 0 && (size_t)w < sizeof matches - used) used += (size_t)w;
    n++;
  }
  if (n > 1 && len > 0)
    cli_error(cmd, "ambiguous option \"%s\" (%s)", text, matches);
  else
    cli_error(cmd, "unknown option \"%s\" (see gbtm %s --help)", text, cmd);
  return true;
}

bool cli_option_once(const char *cmd, int opt, const struct option *table, int *longindex, cli_given *given) {
  int index = *longindex;
  *longindex = -1;
  if (opt < 0 || opt >= CLI_OPT_MAX || opt == '?' || opt == ':' || opt == CLI_OPT_RISK || opt == CLI_OPT_TCOV)
    return true;
  if (!given->seen[opt]) {
    given->seen[opt] = true;
    return true;
  }
  if (index >= 0)
    cli_error(cmd, "--%s given twice", table[index].name);
  else
    cli_error(cmd, "-%c given twice", opt);
  return false;
}

bool cli_data_operand(const char *cmd, int argc, char **argv, const char **data) {
  if (optind >= argc) {
    cli_error(cmd, "missing DATA argument (usage: gbtm %s DATA.csv [options])", cmd);
    return false;
  }
  if (argc - optind > 1) {
    cli_error(cmd, "unexpected argument \"%s\" (usage: gbtm %s DATA.csv [options])", argv[optind + 1], cmd);
    return false;
  }
  *data = argv[optind];
  return true;
}

/* ---- processes ---------------------------------------------------------- */

const gbtm_reducer *cli_procs = NULL;

bool cli_root(void) { return gbtm_processes_rank(cli_procs) == 0; }

int cli_agree(int rc) { return (int)gbtm_processes_max(cli_procs, (double)rc); }

bool cli_parse_pilot(const char *text, long *out, char *why, size_t why_size) {
  if (strcmp(text, "auto") == 0) return *out = -1, true;
  if (strcmp(text, "none") == 0) return *out = 0, true;
  int n;
  if (!cli_parse_int("--pilot", text, 0, INT_MAX, &n, why, why_size)) {
    if (strstr(why, "is not an integer"))
      snprintf(why, why_size, "--pilot: \"%s\" is not auto, none or a number of persons", text);
    return false;
  }
  *out = n;
  return true;
}

bool cli_parse_report_centre(const char *text, double *centre, char *why, size_t why_size) {
  return cli_parse_double("--report-centre", text, centre, why, why_size);
}

bool cli_parse_report_basis(const char *text, bool *basis_s, char *why, size_t why_size) {
  if (strcmp(text, "age") == 0 || strcmp(text, "s") == 0) {
    *basis_s = text[0] == 's';
    return true;
  }
  snprintf(why, why_size, "--report-basis: \"%s\" is not age or s", text);
  return false;
}

bool cli_parse_labels(const char *text, cli_label *labels, int *n, char *why, size_t why_size) {
  *n = 0;
  for (const char *at = text;;) {
    size_t len = strcspn(at, ",");
    if (*n == GBTM_MAX_GROUPS) {
      snprintf(why, why_size, "--labels: more than %d labels", GBTM_MAX_GROUPS);
      return false;
    }
    if (len == 0 || len >= GBTM_NAME_MAX) {
      snprintf(why, why_size, "--labels: label %d is %s (expected 1 to %d bytes)", *n + 1, len ? "too long" : "empty",
               GBTM_NAME_MAX - 1);
      return false;
    }
    memcpy(labels[*n], at, len);
    labels[(*n)++][len] = '\0';
    if (!at[len]) return true;
    at += len + 1;
  }
}

bool cli_parse_starts(const char *text, int *out, char *why, size_t why_size) {
  if (strcmp(text, "auto") == 0) return *out = GBTM_STARTS_AUTO, true;
  int n;
  if (!cli_parse_int("--starts", text, 1, INT_MAX, &n, why, why_size)) {
    if (strstr(why, "is not an integer")) snprintf(why, why_size, "--starts: \"%s\" is not auto or a number of starts", text);
    return false;
  }
  *out = n;
  return true;
}

bool cli_starts_option(int opt, const char *arg, gbtm_fit_options *o, char *why, size_t why_size) {
  switch (opt) {
  case CLI_OPT_STARTS: return cli_parse_starts(arg, &o->starts, why, why_size);
  case CLI_OPT_MAX_STARTS:
    return cli_parse_int("--max-starts", arg, 1, GBTM_MAX_STARTS_BUDGET, &o->max_starts, why, why_size);
  case CLI_OPT_REPLICATIONS: return cli_parse_int("--replications", arg, 1, 1000, &o->replications, why, why_size);
  case CLI_OPT_TIME_LIMIT:
    if (!cli_parse_double("--time-limit", arg, &o->time_limit, why, why_size)) return false;
    if (!(o->time_limit > 0.0) || !isfinite(o->time_limit)) {
      snprintf(why, why_size, "--time-limit: %s is not a number of seconds > 0", arg);
      return false;
    }
    return true;
  }
  return false;
}

bool cli_starts_fixed_only(const char *cmd, const gbtm_fit_options *o, const bool given[3]) {
  static const char *const names[3] = {"--max-starts", "--replications", "--time-limit"};
  for (int j = 0; j < 3; j++)
    if (given[j] && o->starts != GBTM_STARTS_AUTO) {
      cli_error(cmd, "%s applies only to --starts auto", names[j]);
      return false;
    }
  return true;
}
