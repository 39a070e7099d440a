/* posterior_csv.c: posterior probabilities as CSV (posterior_csv.h). */
#include "posterior_csv.h"

#include <stdbool.h>
#include <string.h>

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

static void write_header(FILE *fp, int K) {
  fputs("id,group", fp);
  for (int k = 0; k < K; k++) fprintf(fp, ",p%d", k + 1);
  fputc('\n', fp);
}

static void write_row(FILE *fp, const char *id, const double *t, int K) {
  write_field(fp, id);
  fprintf(fp, ",%d", posterior_modal(t, K) + 1);
  for (int k = 0; k < K; k++) fprintf(fp, ",%.17g", t[k]);
  fputc('\n', fp);
}

void posterior_csv_write(FILE *fp, const gbtm_panel *panel, const double *tau, int K) {
  write_header(fp, K);
  size_t N = gbtm_panel_n_persons(panel);
  for (size_t i = 0; i < N; i++) write_row(fp, gbtm_panel_id(panel, i), tau + i * (size_t)K, K);
}

void posterior_csv_write_ids(FILE *fp, const char *const *ids, size_t N, const double *tau, int K) {
  write_header(fp, K);
  for (size_t i = 0; i < N; i++) write_row(fp, ids[i], tau + i * (size_t)K, K);
}
