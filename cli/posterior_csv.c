/* posterior_csv.c: posterior probabilities as CSV (posterior_csv.h). */
#include "posterior_csv.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

int posterior_modal(const double *p, int K) {
  int best = 0;
  for (int k = 1; k < K; k++)
    if (p[k] > p[best]) best = k;
  return best;
}

/* A CSV field, quoted (with "" for ") when it needs to be. */
static void write_field(FILE *fp, const char *s) {
  size_t len = strlen(s);
  bool quote = strpbrk(s, ",\"\r\n") != NULL || (len > 0 && (s[0] == ' ' || s[len - 1] == ' '));
  if (!quote) {
    fputs(s, fp);
    return;
  }
  fputc('"', fp);
  for (; *s; s++) {
    if (*s == '"') fputc('"', fp);
    fputc(*s, fp);
  }
  fputc('"', fp);
}

static void write_header(FILE *fp, int K, const posterior_keep *keep) {
  fputs("id,group", fp);
  for (int k = 0; k < K; k++) fprintf(fp, ",p%d", k + 1);
  for (int j = 0; keep && keep->table && j < keep->n; j++) fputc(',', fp), write_field(fp, keep->name[j]);
  fputc('\n', fp);
}

static void write_kept(FILE *fp, const char *id, const posterior_keep *keep) {
  if (!keep || !keep->table) return;
  size_t row = gbtm_person_table_find(keep->table, id);
  for (int j = 0; j < keep->n; j++) {
    fputc(',', fp);
    if (row == SIZE_MAX) continue;
    double x = gbtm_person_table_values(keep->table, (size_t)j)[row];
    if (isnan(x)) continue;
    if (gbtm_person_table_numeric(keep->table, (size_t)j)) fprintf(fp, "%.17g", x);
    else write_field(fp, gbtm_person_table_level(keep->table, (size_t)j, (int)x));
  }
}

static void write_row(FILE *fp, const char *id, const double *t, int K, const posterior_keep *keep) {
  write_field(fp, id);
  fprintf(fp, ",%d", posterior_modal(t, K) + 1);
  for (int k = 0; k < K; k++) fprintf(fp, ",%.17g", t[k]);
  write_kept(fp, id, keep);
  fputc('\n', fp);
}

void posterior_csv_write(FILE *fp, const gbtm_panel *panel, const double *tau, int K) {
  posterior_csv_write_panel_kept(fp, panel, tau, K, NULL);
}

void posterior_csv_write_panel_kept(FILE *fp, const gbtm_panel *panel, const double *tau, int K,
                                    const posterior_keep *keep) {
  write_header(fp, K, keep);
  size_t N = gbtm_panel_n_persons(panel);
  for (size_t i = 0; i < N; i++) write_row(fp, gbtm_panel_id(panel, i), tau + i * (size_t)K, K, keep);
}

void posterior_csv_write_ids(FILE *fp, const char *const *ids, size_t N, const double *tau, int K) {
  posterior_csv_write_kept(fp, ids, N, tau, K, NULL);
}

void posterior_csv_write_kept(FILE *fp, const char *const *ids, size_t N, const double *tau, int K,
                              const posterior_keep *keep) {
  write_header(fp, K, keep);
  for (size_t i = 0; i < N; i++) write_row(fp, ids[i], tau + i * (size_t)K, K, keep);
}

bool posterior_keep_parse(posterior_keep *keep, const char *text, char *why, size_t why_size) {
  for (const char *p = text;;) {
    const char *c = strchr(p, ',');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    bool clash = n == 0 || (n == 2 && memcmp(p, "id", 2) == 0) || (n == 5 && memcmp(p, "group", 5) == 0);
    if (n >= 2 && p[0] == 'p') {
      size_t d = 1;
      while (d < n && p[d] >= '0' && p[d] <= '9') d++;
      clash = clash || d == n;
    }
    for (int j = 0; !clash && j < keep->n; j++) clash = strlen(keep->name[j]) == n && memcmp(keep->name[j], p, n) == 0;
    if (clash) {
      snprintf(why, why_size, "--keep: \"%.*s\" is empty, named twice, or a column of the posterior file (id, group, p1, ...)",
               (int)n, p);
      return false;
    }
    if (keep->n == GBTM_MAX_KEEP || !(keep->name[keep->n] = malloc(n + 1))) {
      snprintf(why, why_size, "--keep: more than %d columns, or out of memory", GBTM_MAX_KEEP);
      return false;
    }
    memcpy(keep->name[keep->n], p, n), keep->name[keep->n++][n] = '\0';
    if (!c) return true;
    p = c + 1;
  }
}

int posterior_keep_read(const char *cmd, posterior_keep *keep, const char *data, const gbtm_csv_columns *columns) {
  gbtm_error err = {.status = GBTM_OK, .message = ""};
  const char *names[GBTM_MAX_KEEP];
  for (int j = 0; j < keep->n; j++) names[j] = keep->name[j];
  gbtm_status st = gbtm_person_table_read(data, columns->id, (size_t)keep->n, names, !columns->wide, columns->delimiter,
                                          columns->decimal, &keep->table, &err);
  if (st == GBTM_OK) return -1;
  cli_error_status(cmd, st, &err);
  return cli_exit_code(st);
}

void posterior_keep_free(posterior_keep *keep) {
  for (int j = 0; j < keep->n; j++) free(keep->name[j]);
  gbtm_person_table_free(keep->table);
  keep->n = 0, keep->table = NULL;
}
