/* fuzz_csv.c: libFuzzer target for the CSV panel reader,
 * gbtm_panel_read_csv(). Every input is read as a file six ways: the long
 * layout with the default columns (id, age, count); with an exposure
 * column; with covariate columns (a risk factor "sex" and a time-varying
 * "employed"), missing values an error; the same dropping the rows and
 * persons with missing values; and the wide layout with three waves of
 * count columns c1..c3 and age columns a1..a3; and the long layout with
 * decimal commas (--decimal ,; the delimiter, as in every variant, found
 * from the header). A panel that is read must hold what a
 * panel promises: at least one person and one observed cell, as many
 * persons as ids and no more than cells, nonzero cells among the observed
 * ones, ages finite and strictly ascending, a finite total count >= 0.
 * A failure must come with a message that names the file. A crash, a
 * sanitizer report, a leak or a broken promise is a bug. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"
#include "gbtm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_panel(const gbtm_panel *p) {
  size_t n = gbtm_panel_n_persons(p), obs = gbtm_panel_n_obs(p), T = gbtm_panel_n_ages(p);
  if (n == 0 || obs < n || T == 0 || T > obs || gbtm_panel_n_nonzero(p) > obs) abort();
  const double *age = gbtm_panel_ages(p);
  for (size_t t = 0; t < T; t++)
    if (!isfinite(age[t]) || (t > 0 && !(age[t] > age[t - 1]))) abort();
  for (size_t i = 0; i < n; i++)
    if (!gbtm_panel_id(p, i)) abort();
  double total = gbtm_panel_total_count(p);
  if (!isfinite(total) || total < 0) abort();
  for (int j = 0; j < gbtm_panel_n_tcov(p); j++)
    if (!gbtm_panel_tcov_name(p, j)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file(data, size);
  static const char *const counts[] = {"c1", "c2", "c3"}, *const ages[] = {"a1", "a2", "a3"};
  for (int variant = 0; variant < 6; variant++) {
    gbtm_csv_columns c = gbtm_csv_columns_default();
    if (variant == 5) c.decimal = ',';
    if (variant == 4) {
      c.wide = true;
      c.waves = 3;
      c.count_cols = counts;
      c.age_cols = ages;
    }
    if (variant >= 1 && variant <= 3) c.exposure = "exposure";
    if (variant == 2 || variant == 3) {
      c.n_risk = 1;
      c.risk[0] = "sex";
      c.n_tcov = 1;
      c.tcov[0] = "employed";
      c.drop_missing = variant == 3;
    }
    gbtm_panel *p = NULL;
    gbtm_error err = {GBTM_OK, ""};
    gbtm_status st = gbtm_panel_read_csv(path, &c, &p, &err);
    if (st == GBTM_OK) {
      if (!p) abort();
      check_panel(p);
    } else if (p || !strstr(err.message, path)) {
      abort();
    }
    gbtm_panel_free(p);
  }
  return 0;
}
