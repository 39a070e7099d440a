/* simfamily.c: draws a synthetic panel from a known model of any family.
 *
 * Builds a model with fixed parameters (below) of the family F, with either
 * four groups and cubic trajectories (--design g4c3, the model of
 * bench/families.sh) or two groups and quadratic trajectories (--design
 * g2c2, the model of bench/coverage_families.sh), draws N persons from it
 * with gbtm_simulate (ages 12..45, end ages 24..45, no missing years, no
 * custody) and writes the panel (HDF5 when the name ends in .h5, else long
 * CSV). With --truth FILE it writes the true parameters as one JSON object,
 * the groups in gbtm's reported order (by increasing mean expected response
 * over the ages 12..45, DESIGN §3 Group order), the family's own parameter
 * under its JSON name (dispersion, sigma or precision):
 *
 *   simfamily --family F [--design g4c3|g2c2] --n N [--seed S] -o FILE
 *             [--truth FILE.json]
 *
 * Censored normal: censoring points 0 and 10 (fit with --min 0 --max 10).
 * The zero-inflated families (zip, zinb) get a constant zero inflation,
 * alpha_0 = -1 (omega = 0.27) in every group (fit with --iorder 0). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbtm.h"
#include "model/model.h"

#define AGE_LO 12.0
#define AGE_HI 45.0
#define END_LO 24.0

typedef struct {
  const char *family;
  double share[4];
  double beta[4][4];
  double phi[4];
} truth_set;

/* Four groups, cubic (coefficients of 1, s, s^2, s^3; s = (age - 28.5) / 16.5). */
static const truth_set G4C3[] = {
    {"poisson",
     {0.36, 0.28, 0.21, 0.15},
     {{-2.5, -0.6, -0.4, 0.3}, {-0.5, -1.5, -1.5, 0.8}, {-0.3, 1.0, -1.2, -0.5}, {0.7, 0.2, -0.6, 0.1}},
     {1, 1, 1, 1}},
    {"zip",
     {0.36, 0.28, 0.21, 0.15},
     {{-2.0, -0.6, -0.4, 0.3}, {-0.1, -1.5, -1.5, 0.8}, {0.1, 1.0, -1.2, -0.5}, {1.0, 0.2, -0.6, 0.1}},
     {1, 1, 1, 1}},
    {"logit",
     {0.36, 0.28, 0.21, 0.15},
     {{-3.5, -0.5, -0.5, 0.3}, {-0.5, -2.0, -1.5, 1.0}, {-0.8, 1.5, -1.0, -0.5}, {0.8, 0.3, -0.8, 0.2}},
     {1, 1, 1, 1}},
    {"nb",
     {0.36, 0.28, 0.21, 0.15},
     {{-2.5, -0.6, -0.4, 0.3}, {-0.5, -1.5, -1.5, 0.8}, {-0.3, 1.0, -1.2, -0.5}, {0.7, 0.2, -0.6, 0.1}},
     {1.5, 2.0, 3.0, 5.0}},
    {"zinb",
     {0.36, 0.28, 0.21, 0.15},
     {{-2.0, -0.6, -0.4, 0.3}, {-0.1, -1.5, -1.5, 0.8}, {0.1, 1.0, -1.2, -0.5}, {1.0, 0.2, -0.6, 0.1}},
     {1.5, 2.0, 3.0, 5.0}},
    {"cnorm",
     {0.36, 0.28, 0.21, 0.15},
     {{0.5, -0.3, -0.5, 0.2}, {4.0, -2.0, -1.5, 1.0}, {3.0, 2.0, -1.0, -0.5}, {7.0, 0.5, -1.0, 0.3}},
     {1.5, 2.0, 2.0, 1.5}},
    {"beta",
     {0.36, 0.28, 0.21, 0.15},
     {{-2.0, -0.3, -0.3, 0.2}, {-0.5, -1.0, -0.8, 0.5}, {0.0, 0.8, -0.6, -0.3}, {1.2, 0.2, -0.4, 0.1}},
     {20.0, 15.0, 10.0, 30.0}},
};

/* Two groups, quadratic. */
static const truth_set G2C2[] = {
    {"poisson", {0.6, 0.4}, {{-1.5, -0.5, -0.5}, {0.5, 0.3, -0.8}}, {1, 1}},
    {"zip", {0.6, 0.4}, {{-1.0, -0.5, -0.5}, {0.8, 0.3, -0.8}}, {1, 1}},
    {"logit", {0.6, 0.4}, {{-2.0, -0.5, -0.5}, {0.3, 0.8, -1.0}}, {1, 1}},
    {"nb", {0.6, 0.4}, {{-1.5, -0.5, -0.5}, {0.5, 0.3, -0.8}}, {2.0, 4.0}},
    {"zinb", {0.6, 0.4}, {{-1.0, -0.5, -0.5}, {0.8, 0.3, -0.8}}, {2.0, 4.0}},
    {"cnorm", {0.6, 0.4}, {{2.0, -1.0, -1.0}, {6.0, 1.0, -1.5}}, {1.5, 2.0}},
    {"beta", {0.6, 0.4}, {{-1.5, -0.3, -0.4}, {0.5, 0.6, -0.5}}, {15.0, 25.0}},
};

static void die(const char *what, const gbtm_error *err) {
  fprintf(stderr, "simfamily: %s%s%s\n", what, err ? ": " : "", err ? err->message : "");
  exit(2);
}

static void check(gbtm_status s, const gbtm_error *err) {
  if (s != GBTM_OK) die("model", err);
}

static const char *phi_json_name(gbtm_family_id f) {
  switch (f) {
  case GBTM_NB:
  case GBTM_ZINB:
    return "dispersion";
  case GBTM_CNORM:
    return "sigma";
  case GBTM_BETA:
    return "precision";
  default:
    return NULL;
  }
}

int main(int argc, char **argv) {
  const char *family = NULL, *design = "g4c3", *out = NULL, *truth = NULL;
  size_t n = 0;
  unsigned long long seed = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) die("every option takes a value", NULL);
    if (!strcmp(a, "--family")) family = v;
    else if (!strcmp(a, "--design")) design = v;
    else if (!strcmp(a, "--n")) n = (size_t)strtoull(v, NULL, 10);
    else if (!strcmp(a, "--seed")) seed = strtoull(v, NULL, 10);
    else if (!strcmp(a, "-o")) out = v;
    else if (!strcmp(a, "--truth")) truth = v;
    else die("unknown option (see the header of bench/simfamily.c)", NULL);
    i++;
  }
  if (!family || !out || n == 0) die("usage: simfamily --family F [--design g4c3|g2c2] --n N [--seed S] -o FILE [--truth FILE]", NULL);
  int K, D;
  const truth_set *sets;
  size_t nsets;
  if (!strcmp(design, "g4c3")) K = 4, D = 3, sets = G4C3, nsets = sizeof G4C3 / sizeof *G4C3;
  else if (!strcmp(design, "g2c2")) K = 2, D = 2, sets = G2C2, nsets = sizeof G2C2 / sizeof *G2C2;
  else die("--design is g4c3 or g2c2", NULL);
  const truth_set *ts = NULL;
  for (size_t j = 0; j < nsets; j++)
    if (!strcmp(sets[j].family, family)) ts = &sets[j];
  gbtm_family_id fam;
  if (!ts || !gbtm_family_parse(family, &fam)) die("unknown family", NULL);

  gbtm_error err = {0};
  gbtm_model *m = NULL;
  check(gbtm_model_new(fam, K, &m, &err), &err);
  check(gbtm_model_set_basis(m, 0.5 * (AGE_LO + AGE_HI), 0.5 * (AGE_HI - AGE_LO), &err), &err);
  check(gbtm_model_set_age_range(m, AGE_LO, AGE_HI, &err), &err);
  bool inflated = fam == GBTM_ZIP || fam == GBTM_ZINB;
  const char *phi_name = phi_json_name(fam);
  for (int k = 0; k < K; k++) {
    check(gbtm_model_set_order(m, k, D, &err), &err);
    check(gbtm_model_set_theta(m, k, log(ts->share[k] / ts->share[0]), &err), &err);
    for (int j = 0; j <= D; j++) check(gbtm_model_set_beta(m, k, j, ts->beta[k][j], &err), &err);
    if (inflated) {
      check(gbtm_model_set_iorder(m, k, 0, &err), &err);
      check(gbtm_model_set_alpha(m, k, 0, -1.0, &err), &err);
    }
    if (phi_name) check(gbtm_model_set_phi(m, k, ts->phi[k], false, &err), &err);
  }
  if (fam == GBTM_CNORM) m->ymin = 0.0, m->ymax = 10.0;

  gbtm_sim_design d = {0};
  d.n = n, d.age_lo = AGE_LO, d.end_lo = END_LO, d.age_hi = AGE_HI, d.seed = seed;
  gbtm_panel *p = NULL;
  if (gbtm_simulate(m, &d, &p, NULL, &err) != GBTM_OK) die("simulate", &err);
  size_t len = strlen(out);
  bool h5 = len > 3 && !strcmp(out + len - 3, ".h5");
  if ((h5 ? gbtm_panel_write_h5(p, out, &err) : gbtm_panel_write_csv(p, out, &err)) != GBTM_OK) die("write", &err);
  gbtm_panel_free(p);

  if (truth) {
    /* The groups in gbtm's order: by increasing mean expected response over
     * the integer ages (a stable insertion sort, as group_order does). */
    double mean[4] = {0};
    int ord[4];
    for (int k = 0; k < K; k++) {
      ord[k] = k;
      for (double a = AGE_LO; a <= AGE_HI; a++) mean[k] += gbtm_model_expected(m, k, a);
      mean[k] /= AGE_HI - AGE_LO + 1;
    }
    for (int i = 1; i < K; i++)
      for (int j = i; j > 0 && mean[ord[j]] < mean[ord[j - 1]]; j--) {
        int t = ord[j];
        ord[j] = ord[j - 1], ord[j - 1] = t;
      }
    FILE *f = fopen(truth, "w");
    if (!f) die("cannot write the truth file", NULL);
    fprintf(f, "{\"family\": \"%s\", \"design\": \"%s\", \"n\": %zu, \"seed\": %llu, \"groups\": [", family, design,
            n, seed);
    for (int i = 0; i < K; i++) {
      int k = ord[i];
      fprintf(f, "%s{\"share\": %.17g, \"mean\": %.17g, \"beta\": [", i ? ", " : "", ts->share[k], mean[k]);
      for (int j = 0; j <= D; j++) fprintf(f, "%s%.17g", j ? ", " : "", ts->beta[k][j]);
      fprintf(f, "]");
      if (inflated) fprintf(f, ", \"alpha\": [-1]");
      if (phi_name) fprintf(f, ", \"%s\": %.17g", phi_name, ts->phi[k]);
      fprintf(f, "}");
    }
    fprintf(f, "]}\n");
    fclose(f);
  }
  gbtm_model_free(m);
  return 0;
}
