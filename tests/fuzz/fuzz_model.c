/* fuzz_model.c: libFuzzer target for the model-file reader,
 * gbtm_model_load(), and for every command that reads a model file. The
 * input is the file's bytes; the seeds are small valid model files
 * (scripts/fuzz.sh makes them: versions 1, 2 and 3). Each input is loaded
 * by the library and, when it loads, used as the commands use it: the text
 * and JSON reports, classifying a small fixed panel, a Wald test, the share
 * and trajectory intervals, the trajectory table. Then the commands
 * themselves run on it, as `gbtm show` (text and --json), `gbtm test`,
 * `gbtm classify`, `gbtm simulate --model`, `gbtm plot` and `gbtm report` would, their
 * output captured in files beside the input.
 *
 * A crash, a sanitizer report or a leak is a bug; so is a refusal without a
 * message naming the file, a loaded model whose group count is out of
 * range, an exit status other than 0, 1 or 2, or NaN or inf printed as a
 * number ("nan", "-nan", "inf" as a word, in any case) in any output:
 * reports, CSV, SVG, HTML. (Strings of the file are printed too, so a word "nan"
 * or "inf" that the input itself holds is not counted.) */
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "commands.h"
#include "fuzz_file.h"
#include "gbtm.h"
#include "model/model.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gbtm_panel *panel; /* 3 persons at ages 12..15, for classify */
static char folder[300];  /* the input's folder: the commands' files */
static char panel_csv[340], capture[340], out_csv[340], out_svg[340], out_html[340];
static const uint8_t *input; /* this run's bytes, for the words it holds */
static size_t input_size;

static void remove_files(void) {
  unlink(panel_csv);
  unlink(capture);
  unlink(out_csv);
  unlink(out_svg);
  unlink(out_html);
}

static void setup(const char *path) {
  static const char *const id[] = {"a", "a", "a", "b", "b", "c", "c", "c"};
  static const double age[] = {12, 13, 15, 12, 14, 13, 14, 15};
  static const int64_t count[] = {0, 2, 1, 0, 0, 5, 3, 0};
  gbtm_error err;
  if (gbtm_panel_from_rows(8, id, age, count, NULL, "rows", &panel, &err) != GBTM_OK) abort();
  snprintf(folder, sizeof folder, "%s", path);
  char *slash = strrchr(folder, '/');
  if (!slash) abort();
  *slash = '\0';
  snprintf(panel_csv, sizeof panel_csv, "%s/panel.csv", folder);
  snprintf(capture, sizeof capture, "%s/stdout.txt", folder);
  snprintf(out_csv, sizeof out_csv, "%s/out.csv", folder);
  snprintf(out_svg, sizeof out_svg, "%s/out.svg", folder);
  snprintf(out_html, sizeof out_html, "%s/out.html", folder);
  FILE *f = fopen(panel_csv, "w");
  if (!f) abort();
  fputs("id,age,count\na,12,0\na,13,2\nb,12,0\nb,14,1\nc,13,5\nc,15,0\n", f);
  fclose(f);
  atexit(remove_files); /* before fuzz_file's removal of the folder */
}

/* Whether the input holds word (any case). */
static bool input_holds(const char *word) {
  size_t n = strlen(word);
  for (size_t i = 0; i + n <= input_size; i++)
    if (strncasecmp((const char *)input + i, word, n) == 0) return true;
  return false;
}

/* Aborts when text[0..len) holds "nan" or "inf" as a word (any case) that
 * the input does not hold. */
static void no_nonfinite(const char *text, size_t len, const char *what) {
  static const char *const words[] = {"nan", "inf"};
  for (size_t i = 0; i + 3 <= len; i++)
    for (int w = 0; w < 2; w++) {
      if (strncasecmp(text + i, words[w], 3) != 0) continue;
      bool before = i > 0 && isalpha((unsigned char)text[i - 1]);
      bool after = i + 3 < len && isalpha((unsigned char)text[i + 3]);
      if (!before && !after && !input_holds(words[w])) {
        fprintf(stderr, "fuzz_model: %s prints \"%.*s\"\n", what, 3, text + i);
        abort();
      }
    }
}

static void file_no_nonfinite(const char *path, const char *what) {
  FILE *f = fopen(path, "rb");
  if (!f) return; /* the command wrote nothing */
  char buf[1 << 16];
  size_t n;
  char carry[3] = {0};
  while ((n = fread(buf + 3, 1, sizeof buf - 3, f)) > 0) {
    memcpy(buf, carry, 3);
    no_nonfinite(buf, n + 3, what);
    memcpy(carry, buf + n, 3);
  }
  fclose(f);
  unlink(path);
}

/* The report written by write() into memory, checked. */
static void report_no_nonfinite(void (*write)(FILE *, const char *, const gbtm_fit_result *, const report_view *),
                                const gbtm_fit_result *res, const char *what) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (!mem) abort();
  write(mem, "data.csv", res, NULL); /* coefficients on raw age (report_view_default) */
  fclose(mem);
  no_nonfinite(text, len, what);
  free(text);
}

static void use(const char *path, const gbtm_fit_result *res) {
  const gbtm_model *m = gbtm_fit_result_model(res);
  if (m->groups < 1 || m->groups > GBTM_MAX_GROUPS) abort();
  report_no_nonfinite(report_text, res, "report_text");
  report_no_nonfinite(report_json, res, "report_json");
  double *tau = malloc(gbtm_panel_n_persons(panel) * (size_t)m->groups * sizeof *tau);
  gbtm_error err;
  if (!tau) abort();
  if (gbtm_model_classify(m, panel, tau, &err) == GBTM_OK)
    for (size_t i = 0; i < gbtm_panel_n_persons(panel) * (size_t)m->groups; i++)
      if (!(tau[i] >= 0.0 && tau[i] <= 1.0)) abort();
  gbtm_model_outside_range(m, panel, NULL);
  free(tau);
  double chi2, p, se, lo, hi, mean;
  int df;
  if (gbtm_wald_test(res, GBTM_SE_MODEL, "beta[1][0] = 0", &chi2, &df, &p, &err) == GBTM_OK &&
      !(isfinite(chi2) && p >= 0.0 && p <= 1.0))
    abort();
  for (int k = 0; k < m->groups; k++) {
    gbtm_fit_result_share_interval(res, k, GBTM_SE_ROBUST, 0.95, &se, &lo, &hi);
    gbtm_fit_result_trajectory_interval(res, k, m->age_min, GBTM_SE_MODEL, 0.95, &mean, &lo, &hi);
  }
  gbtm_trajectory_table *table = NULL;
  if (gbtm_trajectory_table_read(path, &table, &err) == GBTM_OK && !table) abort();
  gbtm_trajectory_table_free(table);
}

/* Runs a command on argv (NULL-terminated), its stdout into the capture
 * file, and checks its exit status and what it printed and wrote. */
static void run(int (*cmd)(int, char **), const char *const *words, const char *written) {
  char *argv[16];
  int argc = 0;
  for (; words[argc]; argc++) argv[argc] = strdup(words[argc]);
  argv[argc] = NULL;
  fflush(stdout);
  int saved = dup(STDOUT_FILENO), fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (saved < 0 || fd < 0 || dup2(fd, STDOUT_FILENO) < 0) abort();
  close(fd);
  optind = 0; /* a full restart of getopt's state (glibc), as a new process has */
  int rc = cmd(argc, argv);
  fflush(stdout);
  if (dup2(saved, STDOUT_FILENO) < 0) abort();
  close(saved);
  for (int j = 0; j < argc; j++) free(argv[j]);
  if (rc < 0 || rc > 2) abort();
  file_no_nonfinite(capture, words[0]);
  if (written) file_no_nonfinite(written, words[0]);
}

static void commands(const char *path) {
  run(cmd_show, (const char *const[]){"show", path, NULL}, NULL);
  run(cmd_show, (const char *const[]){"show", path, "--json", NULL}, NULL);
  run(cmd_test, (const char *const[]){"test", path, "beta[1][0] = beta[1][1]", NULL}, NULL);
  run(cmd_classify, (const char *const[]){"classify", path, panel_csv, "-o", out_csv, NULL}, out_csv);
  run(cmd_simulate,
      (const char *const[]){"simulate", "--model", path, "--n", "3", "--seed", "1", "-o", out_csv, NULL},
      out_csv);
  run(cmd_plot, (const char *const[]){"plot", path, "-o", out_svg, NULL}, out_svg);
  run(cmd_report, (const char *const[]){"report", path, "-o", out_html, NULL}, out_html);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file(data, size);
  if (!panel) setup(path);
  input = data;
  input_size = size;
  gbtm_fit_result *res = NULL;
  gbtm_error err = {GBTM_OK, ""};
  gbtm_status st = gbtm_model_load(path, &res, &err);
  if (st == GBTM_OK) {
    if (!res) abort();
    use(path, res);
    commands(path);
  } else if (res || !strstr(err.message, path)) {
    abort();
  }
  gbtm_fit_result_free(res);
  return 0;
}
