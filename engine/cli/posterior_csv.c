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

void posterior_csv_write(FILE *fp, const gbtm_panel *panel, const double *tau, int K) {
  fputs("id,group", fp);
  for (int k = 0; k < K; k++) fprintf(fp, ",p%d", k + 1);
  fputc('\n', fp);
  size_t N = gbtm_panel_n_persons(panel);
  for (size_t i = 0; i < N; i++) {
    const double *t = tau + i * (size_t)K;
    write_field(fp, gbtm_panel_id(panel, i));
    fprintf(fp, ",%d", posterior_modal(t, K) + 1);
    for (int k = 0; k < K; k++) fprintf(fp, ",%.17g", t[k]);
    fputc('\n', fp);
  }
}
