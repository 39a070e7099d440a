/* write_wide.c: a panel as wide CSV, the layout of PROC TRAJ (one row per
 * person), so that the same data can be fitted from either layout:
 *   id, the risk factors, then for each wave w = 1..W (W the most
 *   observations of any person): age<w>, count<w>, exposure<w> (when any
 *   exposure differs from 1), then <covariate><w> for each time-varying
 *   covariate.
 * A person's w-th observation (ascending in age) is in wave w; waves beyond
 * a person's observations are empty cells. Read it back with
 *   --wide --count-cols count1-countW --age-cols age1-ageW
 *   [--exposure-cols exposure1-exposureW] [--tcov 'NAME=NAME1-NAMEW']. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic_file.h"
#include "panel/panel.h"

/* A name (id or column) quoted when it must be (RFC 4180). */
static void put_field(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, f);
    return;
  }
  putc('"', f);
  for (; *s; s++) {
    if (*s == '"') putc('"', f);
    putc(*s, f);
  }
  putc('"', f);
}

static void header(const gbtm_panel *p, FILE *f, size_t W) {
  fputs("id", f);
  for (int j = 0; j < p->n_risk; j++) {
    putc(',', f);
    put_field(f, p->risk_name[j]);
  }
  for (size_t w = 1; w <= W; w++) {
    fprintf(f, ",age%zu,count%zu", w, w);
    if (p->has_exposure) fprintf(f, ",exposure%zu", w);
    for (int j = 0; j < p->n_tcov; j++) {
      char name[GBTM_NAME_MAX + 24];
      snprintf(name, sizeof name, "%s%zu", p->tcov_name[j], w);
      putc(',', f);
      put_field(f, name);
    }
  }
  putc('\n', f);
}

static bool rows(const gbtm_panel *p, FILE *f, size_t W, uint32_t *t, double *y, double *e) {
  size_t R = (size_t)p->n_risk, C = (size_t)p->n_tcov;
  for (size_t i = 0; i < p->n; i++) {
    size_t nc = panel_person_cells(p, i, t, y, e);
    put_field(f, p->id[i]);
    for (size_t j = 0; j < R; j++) fprintf(f, ",%.17g", p->risk[i * R + j]);
    for (size_t w = 0; w < W; w++) {
      if (w >= nc) {
        fputs(",,", f);
        if (p->has_exposure) putc(',', f);
        for (size_t j = 0; j < C; j++) putc(',', f);
        continue;
      }
      if (panel_count_value(y[w])) fprintf(f, ",%.17g,%d", p->age[t[w]], (int)y[w]);
      else fprintf(f, ",%.17g,%.17g", p->age[t[w]], y[w]); /* a real response */
      if (p->has_exposure) fprintf(f, ",%.17g", e[w]);
      for (size_t j = 0; j < C; j++) fprintf(f, ",%.17g", p->tcov[(p->obs_start[i] + w) * C + j]);
    }
    putc('\n', f);
    if (ferror(f)) return false;
  }
  return true;
}

gbtm_status gbtm_panel_write_wide_csv(const gbtm_panel *p, const char *path, size_t *waves,
                                      gbtm_error *err) {
  size_t W = 0;
  for (size_t i = 0; i < p->n; i++) {
    size_t nc = panel_person_cells(p, i, NULL, NULL, NULL);
    if (nc > W) W = nc;
  }
  if (waves) *waves = W;
  uint32_t *t = malloc((p->T ? p->T : 1) * sizeof *t);
  double *y = malloc((p->T ? p->T : 1) * sizeof *y);
  double *e = malloc((p->T ? p->T : 1) * sizeof *e);
  atomic_file f = {0};
  gbtm_status st = GBTM_OK;
  if (!t || !y || !e) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory writing %s", path);
  if (st == GBTM_OK) st = atomic_file_open(&f, path, err);
  if (st == GBTM_OK) {
    setvbuf(f.fp, NULL, _IOFBF, 1 << 20);
    header(p, f.fp, W);
    if (rows(p, f.fp, W, t, y, e) && !ferror(f.fp))
      st = atomic_file_commit(&f, err);
    else
      st = gbtm_fail(err, GBTM_ERR_IO, "%s: cannot write the file: %s", path, strerror(errno ? errno : EIO));
  }
  atomic_file_discard(&f);
  free(t), free(y), free(e);
  return st;
}
