/* check_memory_estimate.c: the memory estimate behind --max-memory
 * (engine/fit/memory_estimate.c).
 * - Sizes parse ("512M", "1.5GiB", ...) and malformed ones are refused;
 *   sizes print as "2.3 GB".
 * - The scan of small files counts rows, distinct ids and ages, non-zero
 *   counts and whether the rows come sorted exactly where it can, keeps
 *   them bounds where it cannot (quoted line breaks, lines that never
 *   end), in the long and the wide layout, knows an HDF5 file is not a
 *   CSV and leaves a device or pipe unread; on every file of the
 *   malformed-input corpus that the reader accepts, its figures bound what
 *   the reader finds.
 * - Against the kernel's count of peak resident memory (getrusage
 *   ru_maxrss) of a fresh process that reads a simulated 120 000-person
 *   cohort (the built-in preset, about 2.8 million rows), the estimate of
 *   the read is right within 25%: once with the rows sorted by person and
 *   age, and once ordered by age, which makes the reader sort a copy. The
 *   measurement is skipped in sanitized builds, whose allocator keeps
 *   freed memory and shadow bytes. */
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gbtm.h"
#include "model/model.h"
#include "gbtm_presets.h"
#include "fit/memory_estimate.h"
#include "panel/panel.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define MB ((uint64_t)1 << 20)

static memory_scan scan_text(const char *text) {
  char path[64];
  test_write_file(path, text);
  memory_scan s;
  gbtm_error err;
  ck_assert_int_eq(memory_estimate_scan_csv(path, NULL, &s, &err), GBTM_OK);
  unlink(path);
  return s;
}

/* ---- sizes ----------------------------------------------------------------- */

START_TEST(parse_sizes) {
  static const struct {
    const char *text;
    uint64_t bytes;
  } good[] = {{"512M", 512 * MB},          {"8G", 8192 * MB},        {"1.5G", 1536 * MB},
              {"1000000", 1000000},        {"2gb", 2048 * MB},       {"3GiB", 3072 * MB},
              {"1k", 1024},                {"64KB", 65536},          {"1T", 1048576 * MB},
              {"0.5M", 512 * 1024},        {"100B", 100},            {"7", 7},
              {".5K", 512},                {"2.", 2}};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    uint64_t b = 0;
    ck_assert_msg(memory_estimate_parse_size(good[i].text, &b), "%s refused", good[i].text);
    ck_assert_msg(b == good[i].bytes, "%s: %llu", good[i].text, (unsigned long long)b);
  }
  static const char *const bad[] = {"",    "x",   "-1",  "0",    "1X",   "1 G", "nan", "inf",
                                    "1e30T", "G", " 5M", "5M ", "5MBB", "0.1", ".",   "+5M",
                                    "0x10", "1e3M", "5..2M", ".M"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint64_t b = 0;
    ck_assert_msg(!memory_estimate_parse_size(bad[i], &b), "\"%s\" accepted", bad[i]);
  }
}
END_TEST

START_TEST(format_sizes) {
  char buf[32];
  memory_estimate_format_size(812, buf, sizeof buf);
  ck_assert_str_eq(buf, "812 bytes");
  memory_estimate_format_size(1536, buf, sizeof buf);
  ck_assert_str_eq(buf, "1.5 KB");
  memory_estimate_format_size(23 * MB + 400 * 1024, buf, sizeof buf);
  ck_assert_str_eq(buf, "23.4 MB");
  memory_estimate_format_size(2355 * MB, buf, sizeof buf);
  ck_assert_str_eq(buf, "2.3 GB");
  memory_estimate_format_size(1024 * MB - 1, buf, sizeof buf);
  ck_assert_str_eq(buf, "1.0 GB");
}
END_TEST

START_TEST(available) {
  uint64_t a = memory_estimate_available();
  ck_assert_msg(a > 16 * MB, "MemAvailable %llu", (unsigned long long)a);
  ck_assert(a < ((uint64_t)1 << 50));
}
END_TEST

/* ---- the scan ------------------------------------------------------------ */

START_TEST(scan_counts) {
  memory_scan s = scan_text("\xEF\xBB\xBF"
                            "id,age,count\r\n"
                            "a,12,0\r\n"
                            "a,13,2\r\n"
                            "\r\n"
                            "b,12,00\r\n"
                            "b,14,+0\r\n"
                            "a,15,1"); /* a comes back; no final newline */
  ck_assert(s.known);
  ck_assert_uint_eq(s.rows, 5);
  ck_assert_uint_eq(s.persons, 2);
  ck_assert_uint_eq(s.ages, 4);
  ck_assert_uint_eq(s.nonzero, 2);
  ck_assert_uint_eq(s.id_bytes, 2);
  ck_assert(!s.sorted); /* the reader will sort: a's rows are apart */

  /* columns found by name, in any order; ages spelled two ways are one */
  s = scan_text("count,x,age,id\n1,\"q,r\",12,p\n0,z,12.0,q\n0,z,13,q\n");
  ck_assert_uint_eq(s.rows, 3);
  ck_assert_uint_eq(s.persons, 2);
  ck_assert_uint_eq(s.ages, 2);
  ck_assert_uint_eq(s.nonzero, 1);

  /* quoted ids, as R's write.csv writes them */
  s = scan_text("\"id\",\"age\",\"count\"\n\"P1\",12,0\n\"P1\",13,1\n\"P2\",12,\"0\"\n");
  ck_assert_uint_eq(s.rows, 3);
  ck_assert_uint_eq(s.persons, 2);
  ck_assert_uint_eq(s.ages, 2);
  ck_assert_uint_eq(s.nonzero, 1);
  ck_assert(s.sorted);

  /* ages that do not ascend within a person: the reader will sort */
  s = scan_text("id,age,count\na,13,0\na,12,0\n");
  ck_assert(!s.sorted);

  /* a quoted line break: two lines of one row, still bounds */
  s = scan_text("id,age,count\n\"x\ny\",12,1\n\"x\ny\",13,0\n");
  ck_assert_uint_ge(s.rows, 2);
  ck_assert_uint_ge(s.persons, 1);
  ck_assert_uint_le(s.rows, 4);
  ck_assert(!s.sorted);

  /* empty file, header only */
  s = scan_text("");
  ck_assert(s.known);
  ck_assert_uint_eq(s.rows, 0);
  s = scan_text("id,age,count\n\n\n");
  ck_assert_uint_eq(s.rows, 0);
  ck_assert_uint_eq(s.bytes, 15);
}
END_TEST

START_TEST(scan_wide) {
  char path[64];
  test_write_file(path, "id,c1,c2,c3,a1,a2,a3\n"
                        "p,0,.,2,12,13,14\n"
                        "q,,1,0,12,13,14\n"
                        "r,.,.,.,12,13,14\n");
  static const char *const counts[] = {"c1", "c2", "c3"}, *const ages[] = {"a1", "a2", "a3"};
  gbtm_csv_columns c = gbtm_csv_columns_default();
  c.wide = true;
  c.waves = 3;
  c.count_cols = counts;
  c.age_cols = ages;
  memory_scan s;
  gbtm_error err;
  ck_assert_int_eq(memory_estimate_scan_csv(path, &c, &s, &err), GBTM_OK);
  unlink(path);
  ck_assert(s.known);
  ck_assert_uint_eq(s.rows, 4);    /* the cells with a count */
  ck_assert_uint_eq(s.persons, 3); /* r has none: the bound keeps it */
  ck_assert_uint_eq(s.ages, 3);
  ck_assert_uint_eq(s.nonzero, 2);
}
END_TEST

START_TEST(scan_missing_columns) {
  /* no id column: every line counts as a new person with new ages */
  memory_scan s = scan_text("who,age,count\na,12,0\na,13,0\n");
  ck_assert_uint_eq(s.rows, 2);
  ck_assert_uint_eq(s.persons, 2);
  ck_assert_uint_eq(s.nonzero, 2);
  /* columns far to the right, lines that stop short */
  s = scan_text("a,b,c,d,e,id,age,count\n1,2,3,4,5,x,12,0\n1,2,3\n");
  ck_assert_uint_eq(s.rows, 1 + 1);
  ck_assert_uint_ge(s.persons, 1);
  ck_assert_uint_eq(s.nonzero, 1);
}
END_TEST

START_TEST(scan_long_line) {
  /* a line longer than the scan's buffer is one opaque row */
  size_t n = (3u << 20) + 7;
  char *text = malloc(n + 64);
  strcpy(text, "id,age,count\na,12,1\n");
  size_t at = strlen(text);
  memset(text + at, 'x', n);
  strcpy(text + at + n, ",13,1\nb,12,0\n");
  memory_scan s = scan_text(text);
  free(text);
  ck_assert_uint_eq(s.rows, 3);
  ck_assert_uint_eq(s.persons, 3);
  ck_assert_uint_eq(s.nonzero, 2);
}
END_TEST

START_TEST(scan_not_csv) {
  char path[64];
  test_write_file(path, "\x89HDF\r\n\x1a\n and more bytes of an HDF5 file");
  memory_scan s;
  gbtm_error err;
  ck_assert_int_eq(memory_estimate_scan_csv(path, NULL, &s, &err), GBTM_OK);
  ck_assert(!s.known);
  memory_work w = {.groups = 3, .starts = 10};
  memory_need need = memory_estimate_compute(&s, &w);
  ck_assert_uint_eq(need.peak, 0);
  unlink(path);
  /* an HDF5 file behind a 512-byte user block, as the reader finds it */
  char block[600];
  memset(block, 'x', 512);
  strcpy(block + 512, "\x89HDF\r\n\x1a\n more");
  test_write_file(path, block);
  ck_assert_int_eq(memory_estimate_scan_csv(path, NULL, &s, &err), GBTM_OK);
  ck_assert(!s.known);
  unlink(path);
  /* not a regular file: not read at all (a pipe would be used up) */
  ck_assert_int_eq(memory_estimate_scan_csv("/dev/zero", NULL, &s, &err), GBTM_OK);
  ck_assert(!s.known);
  ck_assert_uint_eq(s.bytes, 0);
  ck_assert_int_eq(memory_estimate_scan_csv("/nonexistent/x.csv", NULL, &s, &err), GBTM_ERR_IO);
  ck_assert_msg(strstr(err.message, "/nonexistent/x.csv: cannot open") != NULL, "%s", err.message);
}
END_TEST

/* The corpus's accepted files: every figure bounds what the reader found. */
START_TEST(scan_bounds_corpus) {
  const char *src = getenv("GBTM_SOURCE");
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/tests/corpus/csv", src ? src : ".");
  DIR *d = opendir(dir);
  ck_assert_msg(d != NULL, "cannot open %s", dir);
  int accepted = 0;
  for (struct dirent *e; (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0) continue;
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    gbtm_panel *p = NULL;
    gbtm_error err;
    if (gbtm_panel_read_csv(path, NULL, &p, &err) != GBTM_OK) continue;
    memory_scan s;
    ck_assert_int_eq(memory_estimate_scan_csv(path, NULL, &s, &err), GBTM_OK);
    ck_assert_msg(s.known && s.rows >= gbtm_panel_n_obs(p) &&
                      s.persons >= gbtm_panel_n_persons(p) && s.ages >= gbtm_panel_n_ages(p) &&
                      s.nonzero >= gbtm_panel_n_nonzero(p),
                  "%s: scan %llu rows %llu persons %llu ages %llu nonzero", e->d_name,
                  (unsigned long long)s.rows, (unsigned long long)s.persons,
                  (unsigned long long)s.ages, (unsigned long long)s.nonzero);
    gbtm_panel_free(p);
    accepted++;
  }
  closedir(d);
  ck_assert_int_ge(accepted, 10);
}
END_TEST

/* The estimate grows with what the work holds. */
START_TEST(compute_monotone) {
  memory_scan s = {.known = true, .bytes = 100 * MB, .rows = 8000000, .persons = 400000,
                   .ages = 30, .nonzero = 1000000, .id_bytes = 2800000, .sorted = true};
  memory_work w = {.groups = 4, .starts = 20, .threads = 2};
  memory_need base = memory_estimate_compute(&s, &w);
  ck_assert(base.peak >= base.read && base.peak >= base.fit);
  ck_assert(base.read > s.bytes + s.rows * (8 + 4)); /* sorted: the file and a column of ages and of counts */
  memory_work more = w;
  more.groups = 16;
  ck_assert(memory_estimate_compute(&s, &more).fit > base.fit);
  more = w;
  more.cv_folds = 10;
  ck_assert(memory_estimate_compute(&s, &more).fit > base.fit);
  more = w;
  more.bootstrap = 100;
  ck_assert(memory_estimate_compute(&s, &more).fit > base.fit);
  memory_scan unsorted = s;
  unsorted.sorted = false;
  ck_assert(memory_estimate_compute(&unsorted, &w).read > s.bytes + s.rows * sizeof(panel_row));
  ck_assert(memory_estimate_compute(&unsorted, &w).read > base.read);
  more = w;
  more.covariates = 2; /* rows, not cells */
  ck_assert(memory_estimate_compute(&s, &more).read > s.bytes + s.rows * sizeof(panel_row));
}
END_TEST

/* ---- against the measured peak ---------------------------------------------- */

static char self[PATH_MAX];

/* Runs this program again with args and returns its one line of output as
 * a number. */
static long long run_self(const char *args) {
  char cmd[2 * PATH_MAX];
  snprintf(cmd, sizeof cmd, "'%s' %s", self, args);
  FILE *f = popen(cmd, "r");
  ck_assert(f != NULL);
  long long v = -1;
  ck_assert_int_eq(fscanf(f, "%lld", &v), 1);
  ck_assert_int_eq(pclose(f), 0);
  return v;
}

/* In a fresh process: the cohort of the built-in preset as long CSV, rows
 * sorted by person and age (path) and ordered by age (by_age). */
static int write_cohort(size_t n, const char *path, const char *by_age) {
  gbtm_model m;
  gbtm_sim_design d;
  gbtm_panel *p = NULL;
  gbtm_error err;
  if (!model_preset("rapporteur-2024", n, 11, &m, &d) ||
      gbtm_simulate(&m, &d, &p, NULL, &err) != GBTM_OK ||
      gbtm_panel_write_csv(p, path, &err) != GBTM_OK)
    return 1;
  size_t T = p->T;
  int32_t *cell = malloc(p->n * T * sizeof *cell); /* count, or -1: unobserved */
  uint32_t *t = malloc(T * sizeof *t);
  double *y = malloc(T * sizeof *y);
  double *e = malloc(T * sizeof *e);
  FILE *f = fopen(by_age, "w");
  if (!cell || !t || !y || !e || !f) return 1;
  for (size_t i = 0; i < p->n * T; i++) cell[i] = -1;
  for (size_t i = 0; i < p->n; i++) {
    size_t c = panel_person_cells(p, i, t, y, e);
    for (size_t j = 0; j < c; j++) cell[i * T + t[j]] = (int32_t)y[j];
  }
  fprintf(f, "id,age,count\n");
  for (size_t a = 0; a < T; a++)
    for (size_t i = 0; i < p->n; i++)
      if (cell[i * T + a] >= 0) fprintf(f, "%s,%.17g,%d\n", p->id[i], p->age[a], cell[i * T + a]);
  if (fclose(f) != 0) return 1;
  printf("%zu\n", p->n_obs);
  free(cell), free(t), free(y), free(e);
  gbtm_panel_free(p);
  return 0;
}

/* In a fresh process: reads path and prints the peak resident set in bytes. */
static int read_peak(const char *path) {
  gbtm_panel *p = NULL;
  gbtm_error err;
  if (gbtm_panel_read_csv(path, NULL, &p, &err) != GBTM_OK) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("%lld\n", (long long)ru.ru_maxrss * 1024);
  gbtm_panel_free(p);
  return 0;
}

START_TEST(estimate_against_rss) {
  if (SANITIZED) return; /* the sanitizer's allocator distorts resident memory */
  char dir[] = "/tmp/gbtm_memory_XXXXXX", sorted[64], by_age[64], args[256];
  ck_assert(mkdtemp(dir) != NULL);
  snprintf(sorted, sizeof sorted, "%s/sorted.csv", dir);
  snprintf(by_age, sizeof by_age, "%s/by_age.csv", dir);
  snprintf(args, sizeof args, "--write-cohort 120000 %s %s", sorted, by_age);
  long long rows = run_self(args);
  ck_assert_int_gt(rows, 2000000);
  const char *files[2] = {sorted, by_age};
  for (int f = 0; f < 2; f++) {
    memory_scan s;
    gbtm_error err;
    ck_assert_int_eq(memory_estimate_scan_csv(files[f], NULL, &s, &err), GBTM_OK);
    ck_assert_uint_eq(s.rows, (uint64_t)rows);
    ck_assert(s.sorted == (f == 0));
    ck_assert_uint_eq(s.persons, 120000);
    memory_work w = {.groups = 1, .starts = 1, .threads = 1};
    memory_need need = memory_estimate_compute(&s, &w);
    snprintf(args, sizeof args, "--read-peak %s", files[f]);
    double measured = (double)run_self(args), ratio = measured / (double)need.read;
    fprintf(stderr, "%s: estimated %.1f MB, measured peak %.1f MB (ratio %.2f)\n", files[f],
            (double)need.read / MB, measured / MB, ratio);
    ck_assert_msg(ratio > 0.8 && ratio < 1.25, "ratio %.2f", ratio);
    unlink(files[f]);
  }
  rmdir(dir);
}
END_TEST

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "--write-cohort") == 0)
    return write_cohort((size_t)atol(argv[2]), argv[3], argv[4]);
  if (argc == 3 && strcmp(argv[1], "--read-peak") == 0) return read_peak(argv[2]);
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return EXIT_FAILURE;
  self[len] = '\0';

  Suite *s = suite_create("memory_estimate");
  TCase *tc = tcase_create("estimate");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, parse_sizes);
  tcase_add_test(tc, format_sizes);
  tcase_add_test(tc, available);
  tcase_add_test(tc, scan_counts);
  tcase_add_test(tc, scan_wide);
  tcase_add_test(tc, scan_missing_columns);
  tcase_add_test(tc, scan_long_line);
  tcase_add_test(tc, scan_not_csv);
  tcase_add_test(tc, scan_bounds_corpus);
  tcase_add_test(tc, compute_monotone);
  tcase_add_test(tc, estimate_against_rss);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
