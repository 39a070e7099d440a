/* fuzz_native.c: libFuzzer target for the reader of Stata, SPSS and SAS
 * files (engine/formats/read_native.c and native_table.c, through
 * ReadStat), gbtm_panel_read(). Every input is read as a file of each
 * format, named by its extension (.dta, .sav, .sas7bdat, .xpt: links to
 * the input), two ways: the long layout (id, age, count, with a risk
 * factor "sex" and missing values dropped) and the wide layout with three
 * waves (y1..y3, t1..t3). A panel that is read must hold what a panel
 * promises: at least one person and one observed cell, ages finite and
 * strictly ascending, a finite total count >= 0; a failure must come with a
 * message that names the file. A crash, a sanitizer report, a leak or a
 * broken promise is a bug. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file(data, size);
  static const char *const ext[] = {".dta", ".sav", ".sas7bdat", ".xpt"};
  static const char *const counts[] = {"y1", "y2", "y3"}, *const ages[] = {"t1", "t2", "t3"};
  for (size_t e = 0; e < sizeof ext / sizeof *ext; e++) {
    char link[4096];
    snprintf(link, sizeof link, "%s%s", path, ext[e]);
    if (access(link, F_OK) != 0 && symlink(path, link) != 0) abort();
    for (int variant = 0; variant < 2; variant++) {
      gbtm_csv_columns c = gbtm_csv_columns_default();
      if (variant == 0) {
        c.n_risk = 1;
        c.risk[0] = "sex";
        c.drop_missing = true;
      } else {
        c.wide = true;
        c.waves = 3;
        c.count_cols = counts;
        c.age_cols = ages;
      }
      gbtm_panel *p = NULL;
      gbtm_error err = {GBTM_OK, ""};
      gbtm_status st = gbtm_panel_read(link, &c, &p, &err);
      if (st == GBTM_OK) {
        if (!p) abort();
        check_panel(p);
      } else if (p || !strstr(err.message, link)) {
        abort();
      }
      gbtm_panel_free(p);
    }
  }
  return 0;
}
