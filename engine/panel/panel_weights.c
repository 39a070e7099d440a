/* panel_weights.c: person-level sampling weights (PROC TRAJ's WEIGHT
 * statement; docs/DESIGN.md eq. W): set on a panel, checked finite and
 * > 0, and rescaled to mean 1 over all persons, so that the weighted
 * log-likelihood sum_i w_i log f_i stays on the scale of N persons. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/reduce.h"
#include "panel/panel.h"

gbtm_status gbtm_panel_set_weights(gbtm_panel *p, const double *weights, const char *name, gbtm_error *err) {
  if (!p) return gbtm_fail(err, GBTM_ERR_USAGE, "no panel to weight");
  if (!weights) {
    free(p->weight);
    p->weight = NULL;
    p->weight_total = 0.0;
    p->weight_name[0] = '\0';
    return GBTM_OK;
  }
  if (!name || !name[0]) name = "weight";
  if (strlen(name) >= GBTM_NAME_MAX)
    return gbtm_fail(err, GBTM_ERR_USAGE, "weight name \"%s\" is longer than %d bytes", name, GBTM_NAME_MAX - 1);
  /* every process checks its persons; all agree on the first failure */
  gbtm_status st = GBTM_OK;
  double mn = INFINITY, mx = -INFINITY;
  for (size_t i = 0; i < p->n && st == GBTM_OK; i++) {
    double w = weights[i];
    if (!(isfinite(w) && w > 0.0))
      st = gbtm_fail(err, GBTM_ERR_DATA, "weight \"%s\" of person %s is %.17g; a weight must be finite and > 0", name,
                     p->id[i], w);
    mn = fmin(mn, w), mx = fmax(mx, w);
  }
  if ((st = reduce_agree(p->procs, st, err)) != GBTM_OK) return st;
  mn = -reduce_max(p->procs, -mn);
  mx = reduce_max(p->procs, mx);
  size_t N = panel_n_all(p);
  if (N == 0 || !(mx > 0.0)) return gbtm_fail(err, GBTM_ERR_DATA, "weight \"%s\": no person to weight", name);
  /* the sum taken of w_i / max_j w_j (each in (0, 1], the sum in [1, N]):
   * neither it nor N / it overflows, for weights of 1e300 or 1e-320 alike */
  double sums[2] = {0.0, 0.0}; /* sum_i w_i (as given, reported), sum_i w_i / max */
  for (size_t i = 0; i < p->n; i++) sums[0] += weights[i], sums[1] += weights[i] / mx;
  reduce_sum(p->procs, sums, 2);
  double sum = sums[0], rel = sums[1];
  if (!isfinite(sum))
    return gbtm_fail(err, GBTM_ERR_DATA,
                     "weight \"%s\": the weights sum to more than %.4g (the largest is %.17g); expected weights "
                     "whose sum is a finite number: divide them all by one constant (only their ratios count)",
                     name, DBL_MAX, mx);
  double *copy = malloc((p->n ? p->n : 1) * sizeof *copy);
  if (!copy) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory for the weights");
  /* rescaled to mean 1: w_i N / sum_j w_j = (w_i / max) (N / rel) */
  double scale = (double)N / rel, total = 0.0;
  for (size_t i = 0; i < p->n; i++) total += copy[i] = weights[i] / mx * scale;
  reduce_sum(p->procs, &total, 1);
  free(p->weight);
  p->weight = copy;
  p->weight_total = total;
  snprintf(p->weight_name, sizeof p->weight_name, "%s", name);
  p->weight_given[0] = sum, p->weight_given[1] = mn, p->weight_given[2] = mx;
  return GBTM_OK;
}

bool gbtm_panel_weighted(const gbtm_panel *p) { return p && p->weight; }
const char *gbtm_panel_weight_name(const gbtm_panel *p) { return p && p->weight ? p->weight_name : NULL; }
double gbtm_panel_weight(const gbtm_panel *p, size_t i) { return p && p->weight && i < p->n ? p->weight[i] : 1.0; }

void gbtm_panel_weight_given(const gbtm_panel *p, double *sum, double *min, double *max) {
  bool w = p && p->weight;
  if (sum) *sum = w ? p->weight_given[0] : (double)(p ? panel_n_all(p) : 0);
  if (min) *min = w ? p->weight_given[1] : 1.0;
  if (max) *max = w ? p->weight_given[2] : 1.0;
}
