/* check_read_csv.c: the long CSV reader (engine/formats/read_csv.c). The reference
 * files load with their documented sizes and totals (datasets/refdata/
 * README.md); the dialect (byte order mark, CRLF, quotes, empty lines, no
 * final newline, extra and reordered columns) reads as it should; numbers
 * convert exactly as strtod does; and every malformed input fails with its
 * exact status and FILE:LINE:COLUMN message. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gbtm.h"
#include "families/family.h"
#include "fit/estep.h"
#include "formats/read_csv.h"
#include "panel/panel.h"
#include "panel_equal.h"
#include "testutil.h"

static gbtm_panel *read_text(const char *text, const gbtm_csv_columns *cols) {
  char path[64];
  test_write_file(path, text);
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  gbtm_status st = gbtm_panel_read_csv(path, cols, &p, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  unlink(path);
  return p;
}

/* Reads text (as a file) and expects status and the message with every
 * "%s" replaced by the file's path. */
static void expect_error(const char *text, const char *exposure, gbtm_status status,
                         const char *format) {
  char path[64], want[1024];
  test_write_file(path, text);
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  cols.exposure = exposure;
  gbtm_panel *p = (gbtm_panel *)&cols; /* must be reset to NULL */
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_read_csv(path, &cols, &p, &err), status);
  ck_assert_ptr_null(p);
  ck_assert_int_eq(err.status, status);
  snprintf(want, sizeof want, format, path);
  ck_assert_str_eq(err.message, want);
  unlink(path);
}

/* ---- the reference data ---------------------------------------------- */

/* Sums over the file's rows, read independently with sscanf. */
typedef struct ref_sums {
  size_t rows, nonzero;
  double total, logc;
} ref_sums;

static ref_sums sums_of(const char *path, bool exposure) {
  ref_sums s = {0, 0, 0, 0};
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  char line[256];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
  while (fgets(line, sizeof line, f)) {
    long id, y;
    double age, e = 1.0;
    int got = sscanf(line, "%ld,%lf,%ld,%lf", &id, &age, &y, &e);
    ck_assert_int_ge(got, 3);
    if (!exposure) e = 1.0;
    s.rows++;
    s.nonzero += y > 0;
    s.total += (double)y;
    s.logc += (double)y * log(e) - lgamma((double)y + 1.0);
  }
  fclose(f);
  return s;
}

static void check_refdata(const char *name, bool exposure, size_t persons, size_t ages,
                          double age_lo, double age_hi, double total) {
  char path[4096];
  test_refdata(path, sizeof path, name);
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  if (exposure) cols.exposure = "exposure";
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  gbtm_status st = gbtm_panel_read_csv(path, &cols, &p, &err);
  ck_assert_msg(st == GBTM_OK, "%s", err.message);
  ck_assert_uint_eq(gbtm_panel_n_persons(p), persons);
  ck_assert_uint_eq(gbtm_panel_n_ages(p), ages);
  ck_assert_uint_eq(gbtm_panel_n_obs(p), persons * ages); /* balanced panels */
  ck_assert(gbtm_panel_ages(p)[0] == age_lo);
  ck_assert(gbtm_panel_ages(p)[ages - 1] == age_hi);
  ck_assert(gbtm_panel_total_count(p) == total);
  ck_assert(gbtm_panel_has_exposure(p) == exposure);
  ck_assert_str_eq(gbtm_panel_id(p, 0), "1");
  char last[32]; /* ids are the row numbers of the source object */
  snprintf(last, sizeof last, "%zu", persons);
  ck_assert_str_eq(gbtm_panel_id(p, persons - 1), last);
  ref_sums s = sums_of(path, exposure);
  ck_assert_uint_eq(s.rows, persons * ages);
  ck_assert_uint_eq(gbtm_panel_n_nonzero(p), s.nonzero);
  ck_assert(s.total == total);
  double logc = 0;
  for (size_t i = 0; i < p->n; i++) {
    ck_assert_uint_eq(p->lo[i], 0);
    ck_assert_uint_eq(p->hi[i], ages - 1);
    logc += estep_person_constant(p, &gbtm_family_poisson, i);
  }
  ck_assert_double_eq_tol(logc, s.logc, 1e-10 * fabs(s.logc));
  gbtm_panel_free(p);
}

/* Rows grouped by person with ages ascending are read as columns of cells
 * (read_as_cells), any other order as rows (panel_build_covariates): the same
 * panel either way, with and without exposures, gaps, a zero-only person,
 * and a person whose rows come back after another's (rows from there). */
START_TEST(test_grouped_and_shuffled_same_panel) {
  static const char *grouped =
      "id,age,count,exposure\n"
      "b,12,0,1\nb,13,2,0.5\nb,15,1,1\nb,16,0,1\n"
      "a,12.5,3,1\na,14,0,1\n"
      "c,13,0,1\nc,14,0,1\n"
      "d,12,7,0.25\nd,20,1,1\n";
  static const char *shuffled =
      "id,age,count,exposure\n"
      "b,15,1,1\nd,20,1,1\nb,12,0,1\na,14,0,1\nc,13,0,1\n"
      "b,13,2,0.5\nd,12,7,0.25\nb,16,0,1\na,12.5,3,1\nc,14,0,1\n";
  static const char *split = /* b's rows in two runs, ages within a run descending */
      "id,age,count,exposure\n"
      "b,13,2,0.5\nb,12,0,1\n"
      "a,12.5,3,1\na,14,0,1\nb,15,1,1\nb,16,0,1\n"
      "c,13,0,1\nc,14,0,1\n"
      "d,12,7,0.25\nd,20,1,1\n";
  for (int e = 0; e < 2; e++) {
    gbtm_csv_columns cols = gbtm_csv_columns_default();
    if (e) cols.exposure = "exposure";
    gbtm_panel *g = read_text(grouped, &cols), *s = read_text(shuffled, &cols), *t = read_text(split, &cols);
    ck_assert_uint_eq(g->n, 4);
    ck_assert_str_eq(g->id[0], "b"); /* persons in order of first appearance */
    ck_assert_str_eq(s->id[0], "b");
    ck_assert_str_eq(s->id[1], "d");
    ck_assert_int_eq(g->has_exposure, e);
    gbtm_panel *s_in_g_order = NULL;
    size_t order[4]; /* s's persons in g's order: b d a c -> b a c d */
    for (size_t i = 0; i < 4; i++)
      for (size_t j = 0; j < 4; j++)
        if (strcmp(g->id[i], s->id[j]) == 0) order[i] = j;
    gbtm_error err;
    ck_assert_int_eq(gbtm_panel_subset(s, order, 4, &s_in_g_order, &err), GBTM_OK);
    ck_assert_panels_equal(g, s_in_g_order);
    ck_assert_panels_equal(g, t);
    gbtm_panel_free(s_in_g_order);
    gbtm_panel_free(g);
    gbtm_panel_free(s);
    gbtm_panel_free(t);
  }
}
END_TEST

/* A file large enough to be parsed in chunks by several threads (more
 * than 8 MB a thread; 4 threads asked for) and built by several: persons
 * whose runs straddle the cuts join up, the panel holds every row and is
 * the one the rows reader builds from the same rows, an error in a later chunk
 * is reported with its own line, and an id that comes back in a later
 * chunk sends the file to the rows reader, which merges its rows. */
#define BIG_PERSONS 150000
#define BIG_AGES 12
static void write_big(const char *path, long bad_line, long back_person, bool first_row_last) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "id,age,count\n");
  long line = 1;
  for (long i = 0; i < BIG_PERSONS; i++)
    for (int a = 0; a < BIG_AGES; a++) {
      if (first_row_last && i == 0 && a == 1) continue; /* written last */
      line++;
      long id = back_person >= 0 && i == BIG_PERSONS - 1 && a >= BIG_AGES / 2 ? back_person : i;
      int age = id == i ? 12 + a : 40 + a; /* the returning person's later ages are new to it */
      if (line == bad_line) fprintf(f, "person%06ld,%d,x\n", id, age);
      else fprintf(f, "person%06ld,%d,%ld\n", id, age, (i * 7 + a) % 3);
    }
  if (first_row_last) fprintf(f, "person%06d,%d,%d\n", 0, 13, 1);
  ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_chunks) {
  omp_set_num_threads(4);
  char path[64];
  test_write_file(path, "");
  write_big(path, -1, -1, false);
  gbtm_panel *p = NULL, *rows = NULL;
  gbtm_error err = {0};
  ck_assert_msg(gbtm_panel_read_csv(path, NULL, &p, &err) == GBTM_OK, "%s", err.message);
  write_big(path, -1, -1, true); /* a row of the first person last: read as rows, the same panel */
  ck_assert_msg(gbtm_panel_read_csv(path, NULL, &rows, &err) == GBTM_OK, "%s", err.message);
  ck_assert_panels_equal(p, rows);
  gbtm_panel_free(rows);
  ck_assert_uint_eq(p->n, BIG_PERSONS);
  ck_assert_uint_eq(p->n_obs, (size_t)BIG_PERSONS * BIG_AGES);
  double total = 0;
  for (long i = 0; i < BIG_PERSONS; i++)
    for (int a = 0; a < BIG_AGES; a++) total += (double)((i * 7 + a) % 3);
  ck_assert(p->total == total);
  for (size_t i = 0; i < p->n; i++) {
    char want[32];
    snprintf(want, sizeof want, "person%06zu", i);
    ck_assert_str_eq(p->id[i], want);
    ck_assert_uint_eq(p->lo[i], 0);
    ck_assert_uint_eq(p->hi[i], BIG_AGES - 1);
  }
  gbtm_panel_free(p);

  long bad = 2 + (long)BIG_PERSONS * BIG_AGES * 9 / 10; /* in the last chunk */
  write_big(path, bad, -1, false);
  ck_assert_int_eq(gbtm_panel_read_csv(path, NULL, &p, &err), GBTM_ERR_PARSE);
  char want[256];
  snprintf(want, sizeof want, "%s:%ld:3: count \"x\" is not a non-negative integer", path, bad);
  ck_assert_str_eq(err.message, want);

  write_big(path, -1, 3, false); /* person 3 comes back at the end */
  ck_assert_msg(gbtm_panel_read_csv(path, NULL, &p, &err) == GBTM_OK, "%s", err.message);
  ck_assert_uint_eq(p->n, BIG_PERSONS);
  ck_assert_uint_eq(p->n_obs, (size_t)BIG_PERSONS * BIG_AGES);
  ck_assert_str_eq(p->id[3], "person000003");
  ck_assert_uint_eq(p->hi[3] - p->lo[3] + 1, gbtm_panel_n_ages(p)); /* 12..23 and 46..51: the whole grid */
  gbtm_panel_free(p);
  unlink(path);
  omp_set_num_threads(omp_get_num_procs());
}
END_TEST

START_TEST(test_refdata_sizes) {
  check_refdata("crimcv_TO1.csv", true, 378, 31, 8, 38, 5682);
  check_refdata("crimcv_TO1adj.csv", false, 378, 31, 8, 38, 10094);
  check_refdata("trajer_ZIP_data01.csv", false, 500, 5, 1, 5, 7736);
  /* Without naming the exposure column, TO1 reads with exposure 1. */
  check_refdata("crimcv_TO1.csv", false, 378, 31, 8, 38, 5682);
}
END_TEST

START_TEST(test_refdata_exposure_cells) {
  /* crimcv_TO1.csv: 7,526 cells with exposure below 1 (datasets/refdata/README.md). */
  char path[4096];
  test_refdata(path, sizeof path, "crimcv_TO1.csv");
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  cols.exposure = "exposure";
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_read_csv(path, &cols, &p, &err), GBTM_OK);
  ck_assert_uint_eq(p->ex_start[p->n], 7526);
  ck_assert_uint_eq(p->skip_start[p->n], 7526); /* no gaps: skip = exceptions */
  double min_e = 1;
  for (size_t j = 0; j < p->ex_start[p->n]; j++) min_e = fmin(min_e, p->ex_e[j]);
  ck_assert(min_e > 0 && min_e < 1e-15);
  gbtm_panel_free(p);
}
END_TEST

/* ---- the dialect -------------------------------------------------------- */

START_TEST(test_bom_crlf_quotes_no_final_newline) {
  gbtm_panel *p = read_text("\xEF\xBB\xBF"
                            "id,age,count\r\n"
                            "\"a,1\",12,0\r\n"
                            "\r\n"
                            "\"a,1\",\"13\",2\r\n"
                            "\"b\"\"q\",12.5,1\r\n"
                            "\n"
                            "\"line\nbreak\",12,+3",
                            NULL);
  ck_assert_uint_eq(p->n, 3);
  ck_assert_str_eq(p->id[0], "a,1");
  ck_assert_str_eq(p->id[1], "b\"q");
  ck_assert_str_eq(p->id[2], "line\nbreak");
  ck_assert_uint_eq(p->T, 3);
  ck_assert(p->age[0] == 12 && p->age[1] == 12.5 && p->age[2] == 13);
  ck_assert_uint_eq(p->n_obs, 4);
  ck_assert(p->total == 6);
  /* a,1: t 0 and 2, a gap at 12.5 */
  ck_assert_uint_eq(p->lo[0], 0);
  ck_assert_uint_eq(p->hi[0], 2);
  ck_assert_uint_eq(p->skip_start[1] - p->skip_start[0], 1);
  ck_assert_uint_eq(p->skip_t[0], 1);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_line_numbers_after_quoted_break) {
  /* A quoted line break counts as a line: the error is on line 4. */
  expect_error("id,age,count\n\"x\ny\",1,0\nz,1,q\n", NULL, GBTM_ERR_PARSE,
               "%s:4:3: count \"q\" is not a non-negative integer");
  /* Empty lines count too. */
  expect_error("id,age,count\n\n\r\nz,1,q\n", NULL, GBTM_ERR_PARSE,
               "%s:4:3: count \"q\" is not a non-negative integer");
}
END_TEST

START_TEST(test_columns_named_and_reordered) {
  gbtm_csv_columns cols = {.id = "person", .age = "yr", .count = "n", .exposure = "risk"};
  gbtm_panel *p = read_text("note,n,yr,risk,person,extra\n"
                            "x,1,20,0.5,p1,\n"
                            "y,0,21,1,p1,zz\n"
                            "z,2,20,1,p2,\"q,r\"\n",
                            &cols);
  ck_assert_uint_eq(p->n, 2);
  ck_assert_str_eq(p->id[0], "p1");
  ck_assert_str_eq(p->id[1], "p2");
  ck_assert(p->has_exposure);
  ck_assert_uint_eq(p->ex_start[p->n], 1);
  ck_assert(p->ex_e[0] == 0.5 && p->ex_y[0] == 1);
  ck_assert(p->total == 3);
  gbtm_panel_free(p);

  /* Blanks around names in the header and around numbers are allowed. */
  p = read_text("id , age,count\na, 12 ,\t3\n", NULL);
  ck_assert(p->age[0] == 12 && p->total == 3);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_numbers_exact) {
  /* Ages convert bit for bit as strtod converts them. */
  const char *ages[] = {"0.1", "12.5", "1e1", "0.30000000000000004", "-3.25", "9007199254740993",
                        "123456789.123456789", "1e300", "-1e300", ".5", "7."};
  char text[1024] = "id,age,count\n";
  for (size_t k = 0; k < sizeof ages / sizeof *ages; k++)
    snprintf(text + strlen(text), sizeof text - strlen(text), "p%zu,%s,0\n", k, ages[k]);
  gbtm_panel *p = read_text(text, NULL);
  ck_assert_uint_eq(p->n, sizeof ages / sizeof *ages);
  for (size_t k = 0; k < p->n; k++) {
    double want = strtod(ages[k], NULL);
    uint32_t t;
    ck_assert_uint_eq(panel_person_cells(p, k, &t, NULL, NULL), 1);
    ck_assert_msg(memcmp(&p->age[t], &want, sizeof want) == 0, "age %s", ages[k]);
  }
  gbtm_panel_free(p);

  /* The largest count is fine. */
  p = read_text("id,age,count\na,1,2147483647\na,2,0007\n", NULL);
  ck_assert(p->total == 2147483647.0 + 7);
  gbtm_panel_free(p);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(test_empty_and_header_only) {
  expect_error("", NULL, GBTM_ERR_PARSE, "%s:1:1: empty file (expected a header row naming the columns)");
  expect_error("\xEF\xBB\xBF\n\r\n", NULL, GBTM_ERR_PARSE, "%s:1:1: empty file (expected a header row naming the columns)");
  expect_error("id,age,count\n", NULL, GBTM_ERR_PARSE, "%s:2:1: no data rows");
  expect_error("id,age,count", NULL, GBTM_ERR_PARSE, "%s:2:1: no data rows");
  expect_error("id,age,count\r\n\r\n\n", NULL, GBTM_ERR_PARSE, "%s:2:1: no data rows");
}
END_TEST

START_TEST(test_missing_column) {
  expect_error("id,age,cnt\n1,2,3\n", NULL, GBTM_ERR_PARSE,
               "%s:1:1: missing column \"count\" in header (found: id,age,cnt)");
  expect_error("id,age,count\n1,2,3\n", "exposure", GBTM_ERR_PARSE,
               "%s:1:1: missing column \"exposure\" in header (found: id,age,count)");
  /* A header in a legacy code page: bytes that are not UTF-8 are shown
   * escaped; valid UTF-8 and the separators are shown as they are. */
  expect_error("id,age,c\xf6unt,gr\xc3\xb6\xc3\x9f""e,\xff\n1,2,3,4,5\n", NULL, GBTM_ERR_PARSE,
               "%s:1:1: missing column \"count\" in header (found: id,age,c\\xf6unt,gr\xc3\xb6\xc3\x9f""e,\\xff)");
}
END_TEST

START_TEST(test_bad_counts) {
  expect_error("id,age,count\n1,12,-1\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"-1\" is not a non-negative integer");
  expect_error("id,age,count\n1,12,0\n1,13,3.5\n", NULL, GBTM_ERR_PARSE,
               "%s:3:3: count \"3.5\" is not a non-negative integer");
  expect_error("id,age,count\n1,12,-2.0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"-2.0\" is not a non-negative integer");
  expect_error("id,age,count\n1,12,2.5e0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"2.5e0\" is not a non-negative integer");
  expect_error("id,age,count\n1,12,1e-1\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"1e-1\" is not a non-negative integer");
  expect_error("id,age,count\n1,12,3e9\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"3e9\" too large (at most 2147483647)");
  expect_error("id,age,count\n1,12,x\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"x\" is not a non-negative integer");
  expect_error("id,age,count\n1,12,\n", NULL, GBTM_ERR_PARSE,
               "%s:2:1: no data rows with a response (1 missing)");
  expect_error("id,age,count\n1,12,NaN\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"NaN\" is not a non-negative integer");
  expect_error("id,age,count\n1,12,inf\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"inf\" is not a non-negative integer");
  expect_error("id,age,count\n1,12,2147483648\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"2147483648\" too large (at most 2147483647)");
  expect_error("id,age,count\n1,12,99999999999999999999999\n", NULL, GBTM_ERR_PARSE,
               "%s:2:3: count \"99999999999999999999999\" too large (at most 2147483647)");
}
END_TEST

/* Integer-valued reals are counts (as pandas writes float columns); a
 * missing count (empty, "." or NA) drops its row, counted, in either
 * reader of the long layout (cells, rows). */
static gbtm_panel *read_file(const char *path, const gbtm_csv_columns *cols) {
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_msg(gbtm_panel_read_csv(path, cols, &p, &err) == GBTM_OK, "%s", err.message);
  return p;
}

START_TEST(test_whole_reals_and_missing_counts) {
  const char *texts[] = {
      "id,age,count\n1,12,3.0\n1,13,0.0\n1,14,3e0\n1,15,\n1,16,NA\n2,17,.\n2,12,+1.\n",
      "id,age,count\n\"1\",12,3.0\n1,13,0.0\n1,14,3e0\n1,15,\n1,16,NA\n2,17,.\n2,12,+1.\n",
  };
  for (size_t j = 0; j < 2; j++) {
    char path[64];
    test_write_file(path, texts[j]);
    gbtm_panel *p = read_file(path, NULL);
    unlink(path);
    ck_assert_uint_eq(p->n, 2);
    ck_assert_uint_eq(p->n_obs, 4);
    ck_assert_double_eq(p->total, 7.0);
    ck_assert_uint_eq(gbtm_panel_missing_responses(p), 3);
    gbtm_panel_free(p);
  }
  /* the same panel as the integers, to the bit */
  char a[64], b[64];
  test_write_file(a, "id,age,count\n1,12,3\n1,13,0\n2,12,1\n");
  test_write_file(b, "id,age,count\n1,12,3.0\n1,13,0e0\n1,14,.\n2,12,1.000\n");
  gbtm_panel *p = read_file(a, NULL), *q = read_file(b, NULL);
  ck_assert_panels_equal(p, q);
  ck_assert_uint_eq(gbtm_panel_missing_responses(p), 0);
  ck_assert_uint_eq(gbtm_panel_missing_responses(q), 1);
  gbtm_panel_free(p), gbtm_panel_free(q);
  unlink(a), unlink(b);
}
END_TEST

/* Semicolon and tab delimiters (detected, or given) and decimal commas
 * read as the comma dialect: the same panel to the bit. */
START_TEST(test_dialects) {
  char a[64], b[64], c[64];
  test_write_file(a, "id,age,count,x\n\"p,1\",12.5,3,0.25\n\"p,1\",13,0,0.25\n2,12.5,1,-1.5e1\n");
  test_write_file(b, "id;age;count;x\np,1;12,5;3;0,25\n\"p,1\";13;0;0,25\n2;12,5;1;-1,5e1\n");
  test_write_file(c, "id\tage\tcount\tx\r\n\"p,1\"\t12.5\t3\t0.25\r\np,1\t13\t0\t.25\r\n2\t12.5\t1\t-15\r\n");
  gbtm_csv_columns ca = gbtm_csv_columns_default(), cb = ca, cc = ca;
  ca.risk[ca.n_risk++] = "x";
  cb = ca, cc = ca;
  cb.decimal = ',';
  gbtm_panel *p = read_file(a, &ca), *q = read_file(b, &cb), *r = read_file(c, &cc);
  ck_assert_panels_equal(p, q);
  ck_assert_panels_equal(p, r);
  ck_assert_str_eq(p->id[0], "p,1");
  ck_assert_str_eq(q->id[0], "p,1");
  gbtm_panel_free(q), gbtm_panel_free(r);
  cc.delimiter = '\t';
  r = read_file(c, &cc);
  ck_assert_panels_equal(p, r);
  gbtm_panel_free(p), gbtm_panel_free(r);
  /* a decimal comma with the comma as the delimiter is refused */
  gbtm_error err = {0};
  test_write_file(a, "id,age,count\n1,12,3\n");
  ca.decimal = ',';
  p = (gbtm_panel *)&err;
  ck_assert_int_eq(gbtm_panel_read_csv(a, &ca, &p, &err), GBTM_ERR_USAGE);
  ck_assert_ptr_null(p);
  unlink(a), unlink(b), unlink(c);
}
END_TEST

/* ---- real responses (a family with real_response) ------------------------ */

/* Reads text (as a file) by panel_read_long_with(), the responses reals
 * (real) or counts. */
static gbtm_status read_with(const char *text, const char *exposure, bool real, gbtm_panel **p, gbtm_error *err,
                             char *path) {
  test_write_file(path, text);
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  cols.exposure = exposure;
  gbtm_status st = panel_read_long_with(path, &cols, NULL, real, p, err);
  unlink(path);
  return st;
}

START_TEST(test_real_responses) {
  char path[64];
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  /* kept exactly as strtod reads them, negative and zero alike; grouped
   * rows and shuffled rows make the same panel */
  const char *grouped = "id,age,count,e\n1,12,0.1,1\n1,13,-2.5,1\n1,14,0,1\n2,12,3,1\n2,13,1e-300,0.5\n"
                        "2,14,0.30000000000000004,1\n";
  const char *shuffled = "id,age,count,e\n1,13,-2.5,1\n2,14,0.30000000000000004,1\n2,12,3,1\n1,14,0,1\n"
                         "1,12,0.1,1\n2,13,1e-300,0.5\n";
  ck_assert_int_eq(read_with(grouped, "e", true, &p, &err, path), GBTM_OK);
  gbtm_panel *q = NULL;
  ck_assert_int_eq(read_with(shuffled, "e", true, &q, &err, path), GBTM_OK);
  ck_assert_panels_equal(p, q);
  gbtm_panel_free(q);
  ck_assert_uint_eq(p->n_obs, 6);
  ck_assert_uint_eq(p->n_nonzero, 5); /* != 0, the negative one too */
  ck_assert_uint_eq(p->nz_start[2], 4);
  const double nz[] = {0.1, -2.5, 3, 0.30000000000000004};
  for (int j = 0; j < 4; j++) ck_assert_msg(p->nz_y[j] == nz[j], "nz_y[%d] = %.17g", j, p->nz_y[j]);
  ck_assert(p->ex_start[2] == 1 && p->ex_y[0] == 1e-300 && p->ex_e[0] == 0.5);
  ck_assert(!panel_integer_responses(p));

  /* written as CSV with %.17g and read back: the same panel */
  char out[64];
  test_write_file(out, "");
  ck_assert_int_eq(gbtm_panel_write_csv(p, out, &err), GBTM_OK);
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  cols.exposure = "exposure";
  ck_assert_int_eq(panel_read_long_with(out, &cols, NULL, true, &q, &err), GBTM_OK);
  ck_assert_panels_equal(p, q);
  gbtm_panel_free(q);
  unlink(out);
  gbtm_panel_free(p);

  /* integers read as reals: the panel of the counts, to the bit */
  const char *ints = "id,age,count\n1,12,0\n1,13,2\n2,12,7\n2,14,1\n";
  ck_assert_int_eq(read_with(ints, NULL, true, &p, &err, path), GBTM_OK);
  ck_assert_int_eq(read_with(ints, NULL, false, &q, &err, path), GBTM_OK);
  ck_assert_panels_equal(p, q);
  ck_assert(panel_integer_responses(p));
  gbtm_panel_free(p), gbtm_panel_free(q);

  /* what a real response is not: FILE:LINE:COLUMN and what was expected */
  const char *bad[] = {"inf", "-inf", "nan", "NaN", "0x1p3", "0X10", "1e400", "x", "1.5.2", "infinity"};
  for (size_t j = 0; j < sizeof bad / sizeof *bad; j++) {
    char text[128], want[256];
    snprintf(text, sizeof text, "id,age,count\n1,12,1.25\n1,13,%s\n", bad[j]);
    p = (gbtm_panel *)&err;
    ck_assert_int_eq(read_with(text, NULL, true, &p, &err, path), GBTM_ERR_PARSE);
    ck_assert_ptr_null(p);
    snprintf(want, sizeof want, "%s:3:3: count \"%s\" is not a finite number (a decimal real)", path, bad[j]);
    ck_assert_str_eq(err.message, want);
  }

  /* a count family refuses a real as before, whichever entry point */
  expect_error("id,age,count\n1,12,0\n1,13,1.5\n", NULL, GBTM_ERR_PARSE,
               "%s:3:3: count \"1.5\" is not a non-negative integer");
  ck_assert_int_eq(read_with("id,age,count\n1,12,0\n1,13,1.5\n", NULL, false, &p, &err, path), GBTM_ERR_PARSE);
  char want[256];
  snprintf(want, sizeof want, "%s:3:3: count \"1.5\" is not a non-negative integer", path);
  ck_assert_str_eq(err.message, want);
}
END_TEST

START_TEST(test_bad_ages) {
  expect_error("id,age,count\n1,nan,0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:2: age \"nan\" is not a finite number");
  expect_error("id,age,count\n1,inf,0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:2: age \"inf\" is not a finite number");
  expect_error("id,age,count\n1,-Infinity,0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:2: age \"-Infinity\" is not a finite number");
  expect_error("id,age,count\n1,1e999,0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:2: age \"1e999\" is not a finite number");
  expect_error("id,age,count\n1,,0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:2: age \"\" is not a finite number");
  expect_error("id,age,count\n1,12y,0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:2: age \"12y\" is not a finite number");
}
END_TEST

/* Reads the n bytes at data (NULs allowed) as a file and expects status
 * and the message, "%s" standing for the path. */
static void expect_bytes_error(const void *data, size_t n, uint64_t max_bytes, gbtm_status status,
                               const char *format) {
  char path[64], want[1024];
  test_write_file(path, "");
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, n, f), n);
  fclose(f);
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  cols.max_bytes = max_bytes;
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_read_csv(path, &cols, &p, &err), status);
  ck_assert_ptr_null(p);
  snprintf(want, sizeof want, format, path);
  ck_assert_str_eq(err.message, want);
  unlink(path);
}

/* Ages are decimal, as counts are, and within 1e300 in magnitude, so that
 * their range and the basis of DESIGN §2 stay finite. */
START_TEST(test_impossible_ages) {
  expect_error("id,age,count\n1,0x10,0\n", NULL, GBTM_ERR_PARSE, "%s:2:2: age \"0x10\" is not a finite number");
  expect_error("id,age,count\n1,0x1p4,0\n", NULL, GBTM_ERR_PARSE, "%s:2:2: age \"0x1p4\" is not a finite number");
  expect_error("id,age,count\n1,-1e308,0\n1,1e308,0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:2: age \"-1e308\" is beyond -1e300 to 1e300 (the polynomial in age would overflow)");
  expect_error("id,age,count\n1,1,0\n1,1e308,0\n", NULL, GBTM_ERR_PARSE,
               "%s:3:2: age \"1e308\" is beyond -1e300 to 1e300 (the polynomial in age would overflow)");
  gbtm_panel *p = read_text("id,age,count\n1,-1e300,0\n1,1e300,2\n", NULL);
  ck_assert_uint_eq(p->n_obs, 2);
  gbtm_panel_free(p);
}
END_TEST

/* A name given to two columns is an error naming both. */
START_TEST(test_repeated_column_name) {
  expect_error("id,age,count,age\n1,2,3,4\n", NULL, GBTM_ERR_PARSE,
               "%s:1:4: column \"age\" again, first at column 2 (column names must differ)");
  expect_error("id,x,age,count, x\n1,2,3,4,5\n", NULL, GBTM_ERR_PARSE,
               "%s:1:5: column \"x\" again, first at column 2 (column names must differ)");
  gbtm_panel *p = read_text("id,age,count,,\n1,2,3,,\n", NULL); /* empty names may repeat */
  gbtm_panel_free(p);
}
END_TEST

/* A NUL is shown, not where the message ends; binary data is refused at
 * its first line; a read stops at its limit. */
START_TEST(test_binary_and_bounds) {
  static const char nul_count[] = "id,age,count\n1,2,1\0\n";
  expect_bytes_error(nul_count, sizeof nul_count - 1, 0, GBTM_ERR_PARSE,
                     "%s:2:3: count \"1\\x00\" is not a non-negative integer");
  static const char nul_age[] = "id,age,count\n1,2\0,1\n";
  expect_bytes_error(nul_age, sizeof nul_age - 1, 0, GBTM_ERR_PARSE, "%s:2:2: age \"2\\x00\" is not a finite number");
  static const char zeros[64] = {0};
  expect_bytes_error(zeros, sizeof zeros, 0, GBTM_ERR_PARSE,
                     "%s:1:1: the header holds the byte \\x00, a control character (expected a header row naming "
                     "the columns: is this a text file?)");
  static const char ctl[] = "\n\nid,age,\x1b[0m\n1,2,3\n";
  expect_bytes_error(ctl, sizeof ctl - 1, 0, GBTM_ERR_PARSE,
                     "%s:3:3: the header holds the byte \\x1b, a control character (expected a header row naming "
                     "the columns: is this a text file?)");
  size_t n = (size_t)3 << 20;
  char *longline = malloc(n);
  ck_assert_ptr_nonnull(longline);
  memset(longline, 'a', n);
  expect_bytes_error(longline, n, 0, GBTM_ERR_PARSE,
                     "%s:1:1: no line end in the header's first 1048576 bytes (expected a header row naming the "
                     "columns: is this a text file?)");
  free(longline);
  static const char ok[] = "id,age,count\n1,2,1\n";
  expect_bytes_error(ok, sizeof ok - 1, 10, GBTM_ERR_USAGE,
                     "%s: 19 bytes of data, more than the memory limit of the read (10 bytes, --max-memory)");
}
END_TEST

/* Out of memory while reading is GBTM_ERR_NOMEM with a message naming the
 * file: the read runs in a child whose address space is capped a little
 * above what it uses (not under AddressSanitizer, whose shadow memory
 * needs more than any such cap). */
START_TEST(test_out_of_memory) {
#if defined(__SANITIZE_ADDRESS__)
  return;
#else
  char path[64];
  test_write_file(path, "");
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "id,age,count\n");
  for (int i = 0; i < 2000000; i++) fputs("1,1,0\n", f); /* 12 MB of text, rows of 12 to 48 bytes each */
  fclose(f);
  int fd[2];
  ck_assert_int_eq(pipe(fd), 0);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    close(fd[0]);
    long pages = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm || fscanf(statm, "%ld", &pages) != 1) _exit(3);
    fclose(statm);
    struct rlimit cap;
    cap.rlim_cur = cap.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)20 << 20);
    if (setrlimit(RLIMIT_AS, &cap) != 0) _exit(3);
    gbtm_panel *p = NULL;
    gbtm_error err = {0};
    gbtm_status st = gbtm_panel_read_csv(path, NULL, &p, &err);
    dprintf(fd[1], "%d %s", (int)st, err.message);
    _exit(0);
  }
  close(fd[1]);
  char got[1200] = "";
  size_t used = 0;
  ssize_t r;
  while ((r = read(fd[0], got + used, sizeof got - 1 - used)) > 0) used += (size_t)r;
  got[used] = '\0';
  close(fd[0]);
  int status;
  waitpid(child, &status, 0);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  char want[128];
  snprintf(want, sizeof want, "%d %s: out of memory", (int)GBTM_ERR_NOMEM, path);
  ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "got \"%s\", want \"%s...\"", got, want);
  unlink(path);
#endif
}
END_TEST

START_TEST(test_bad_exposures) {
  expect_error("id,age,count,exposure\n1,12,0,0\n", "exposure", GBTM_ERR_PARSE,
               "%s:2:4: exposure \"0\" is not a finite number > 0");
  expect_error("id,age,count,exposure\n1,12,0,-0.5\n", "exposure", GBTM_ERR_PARSE,
               "%s:2:4: exposure \"-0.5\" is not a finite number > 0");
  expect_error("id,age,count,exposure\n1,12,0,nan\n", "exposure", GBTM_ERR_PARSE,
               "%s:2:4: exposure \"nan\" is not a finite number > 0");
  expect_error("id,age,count,exposure\n1,12,0,inf\n", "exposure", GBTM_ERR_PARSE,
               "%s:2:4: exposure \"inf\" is not a finite number > 0");
  expect_error("id,age,count,exposure\n1,12,0,\n", "exposure", GBTM_ERR_PARSE,
               "%s:2:4: exposure \"\" is not a finite number > 0");
  /* An exposure column that is not read is not checked. */
  gbtm_panel *p = read_text("id,age,count,exposure\n1,12,0,-1\n", NULL);
  ck_assert(!p->has_exposure);
  gbtm_panel_free(p);
}
END_TEST

START_TEST(test_duplicates) {
  expect_error("id,age,count\na,12,0\nb,12,1\na,13,0\na,12,2\n", NULL, GBTM_ERR_PARSE,
               "%s:5:2: duplicate (id, age) = (a, 12); first seen on line 2");
  /* Same age written differently is the same age. */
  expect_error("x,count,age,id\n,0,12.50,p\n,0,1.25e1,p\n", NULL, GBTM_ERR_PARSE,
               "%s:3:3: duplicate (id, age) = (p, 12.5); first seen on line 2");
}
END_TEST

START_TEST(test_field_counts) {
  expect_error("id,age,count\n1,12\n", NULL, GBTM_ERR_PARSE, "%s:2:3: expected 3 fields, found 2");
  expect_error("id,age,count\n1,12,0\n7\n", NULL, GBTM_ERR_PARSE,
               "%s:3:2: expected 3 fields, found 1");
  expect_error("id,age,count\n1,12,0,5\n", NULL, GBTM_ERR_PARSE,
               "%s:2:4: expected 3 fields, found 4");
  expect_error("id,age,count,exposure\n1,12,0\n", "exposure", GBTM_ERR_PARSE,
               "%s:2:4: expected 4 fields, found 3");
}
END_TEST

START_TEST(test_bad_ids_and_quotes) {
  expect_error("id,age,count\n,12,0\n", NULL, GBTM_ERR_PARSE, "%s:2:1: id is empty");
  expect_error("id,age,count\n\"\",12,0\n", NULL, GBTM_ERR_PARSE, "%s:2:1: id is empty");
  expect_error("id,age,count\n\"a,12,0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:1: quoted field not closed (expected '\"')");
  expect_error("id,age,count\n\"a\"b,12,0\n", NULL, GBTM_ERR_PARSE,
               "%s:2:1: expected ',' or the end of the line after a closing quote, found 'b'");
}
END_TEST

START_TEST(test_missing_file) {
  const char *path = "/nonexistent_gbtm_dir/data.csv";
  gbtm_panel *p = NULL;
  gbtm_error err = {0};
  ck_assert_int_eq(gbtm_panel_read_csv(path, NULL, &p, &err), GBTM_ERR_IO);
  ck_assert_int_eq(err.status, GBTM_ERR_IO);
  char want[256];
  snprintf(want, sizeof want, "%s: cannot open: %s", path, strerror(ENOENT));
  ck_assert_str_eq(err.message, want);
  ck_assert_ptr_null(p);

  /* A directory opens but does not read. */
  ck_assert_int_eq(gbtm_panel_read_csv("/tmp", NULL, &p, &err), GBTM_ERR_IO);
  snprintf(want, sizeof want, "/tmp: cannot read: %s", strerror(EISDIR));
  ck_assert_str_eq(err.message, want);
}
END_TEST

static Suite *read_csv_suite(void) {
  Suite *s = suite_create("read_csv");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_refdata_sizes);
  tcase_add_test(tc, test_grouped_and_shuffled_same_panel);
  tcase_add_test(tc, test_chunks);
  tcase_add_test(tc, test_refdata_exposure_cells);
  tcase_add_test(tc, test_bom_crlf_quotes_no_final_newline);
  tcase_add_test(tc, test_line_numbers_after_quoted_break);
  tcase_add_test(tc, test_columns_named_and_reordered);
  tcase_add_test(tc, test_numbers_exact);
  tcase_add_test(tc, test_empty_and_header_only);
  tcase_add_test(tc, test_missing_column);
  tcase_add_test(tc, test_bad_counts);
  tcase_add_test(tc, test_whole_reals_and_missing_counts);
  tcase_add_test(tc, test_dialects);
  tcase_add_test(tc, test_real_responses);
  tcase_add_test(tc, test_bad_ages);
  tcase_add_test(tc, test_impossible_ages);
  tcase_add_test(tc, test_repeated_column_name);
  tcase_add_test(tc, test_binary_and_bounds);
  tcase_add_test(tc, test_out_of_memory);
  tcase_add_test(tc, test_bad_exposures);
  tcase_add_test(tc, test_duplicates);
  tcase_add_test(tc, test_field_counts);
  tcase_add_test(tc, test_bad_ids_and_quotes);
  tcase_add_test(tc, test_missing_file);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(read_csv_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
