/* memory_estimate.c: the memory that reading a long CSV panel and fitting
 * it will need, estimated before the data is read (memory_estimate.h).
 *
 * The scan streams the file in 1 MiB pieces and looks at no more of a line
 * than up to its id, age and count fields (found by name in the header),
 * so it costs one pass over the file, 1 MiB and two small hash sets (at
 * most about 20 MB, for files of a million persons or more). Every figure
 * it keeps is an upper bound of what the reader will find:
 * - rows: the non-empty lines after the header (a quoted line break makes
 *   two lines of one row);
 * - persons: the distinct ids, counted in a set of their 64-bit hashes
 *   (a collision aside) that holds up to 2^20 of them; beyond that, every
 *   run of rows with one id that is not in the set counts as a person;
 * - ages: the distinct values of the age field;
 * - nonzero: the rows whose count field is not a plain 0;
 * - sorted: whether the rows are sorted by person and age (no id comes
 *   back after another, ages ascend within each run), in which case
 *   panel_build() needs no sorted copy.
 * Quoted fields are split as RFC 4180 says; a line whose quote does not
 * close on it (a quoted line break) counts as a new person, a new age and
 * a non-zero count, which keeps every bound a bound.
 *
 * The bytes then follow the layouts of read_csv.c, panel.c, idtable.c,
 * fit.c and estep.c: the reader holds the file, one panel_row per row (or,
 * for sorted rows without covariates, 12 or 20 bytes of cells) and the id
 * table; panel_build() holds the rows, their sorted copy (unless
 * they came sorted), the ids and the panel it builds; the fit holds the
 * panel and, per worker, the N x K posteriors and the E-step's block
 * partials and per-thread scratch (and the dense N x 3T matrices when the
 * panel may be dense), besides the start profiles and the kept
 * posteriors. Cross-validation builds every fold's training and test
 * panels at once (about one panel per fold); bootstrap refits run in
 * parallel, one simulated panel and one single-threaded fit each. */
#include "fit/memory_estimate.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "panel/panel.h"
#include "formats/panel_read.h"
#include "fit/threads.h"

#define CHUNK ((size_t)1 << 20) /* bytes read at a time; also the longest line split */
#define AGES_MAX ((size_t)1 << 16) /* distinct ages kept; beyond, every row counts as a new age */
#define IDS_MAX ((size_t)1 << 20)  /* distinct ids kept (about 20 MB); beyond, every run counts */

/* Constants of the fit's layout (fit.c, estep.c, starts.c), as bounds. */
#define FIT_STATS_MAX 4               /* sufficient statistics per (k, t): ZIP's S, R, U, V */
#define FIT_BLOCKS_MAX 256            /* E-step blocks of persons at most */
#define FIT_YB_MAX 64                 /* the sparse kernel's small-count codes per age */
#define FIT_NARROW_MAX_AGES 4096      /* 16-bit stream words up to this many ages */
#define FIT_BLOCK_MIN 256             /* persons per block at least */
#define FIT_PROFILE_BINS 6            /* start profiles: bins per person */
#define FIT_PARALLEL_STARTS 4000000.0 /* N x T below which starts run in parallel */
#define FIT_DENSE_MAX ((uint64_t)512 << 20) /* the dense kernel's matrices at most */
#define MALLOC_MIN 32                 /* bytes a small heap block takes at least */
#define PROGRAM_BYTES ((uint64_t)16 << 20) /* gbtm itself: code, libraries, BLAS buffers */

/* ---- the scan ------------------------------------------------------------ */

/* A set of 64-bit keys (the bits of the distinct ages; the hashes of the
 * distinct ids), open addressing, no removal, at most max keys: a full set
 * still answers whether a key is in it. */
typedef struct key_set {
  uint64_t *key;
  unsigned char *used;
  size_t n, cap, max; /* cap: a power of two */
  bool full;          /* no more keys are added */
} key_set;

enum { KEY_PRESENT, KEY_ADDED, KEY_UNKNOWN }; /* KEY_UNKNOWN: absent, and the set is full */

static uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

static bool key_set_init(key_set *s, size_t max) {
  s->n = 0, s->cap = 64, s->max = max, s->full = false;
  s->key = malloc(s->cap * sizeof *s->key);
  s->used = calloc(s->cap, 1);
  return s->key && s->used;
}

static void key_set_free(key_set *s) {
  free(s->key), free(s->used);
  s->key = NULL, s->used = NULL;
}

/* Doubles the table; false (and the set full) when it may not or cannot. */
static bool key_set_grow(key_set *s) {
  size_t cap = 2 * s->cap;
  uint64_t *key = cap / 2 <= s->max ? malloc(cap * sizeof *key) : NULL;
  unsigned char *used = key ? calloc(cap, 1) : NULL;
  if (!used) {
    free(key);
    s->full = true;
    return false;
  }
  for (size_t i = 0; i < s->cap; i++)
    if (s->used[i]) {
      size_t j = (size_t)mix64(s->key[i]) & (cap - 1);
      while (used[j]) j = (j + 1) & (cap - 1);
      used[j] = 1, key[j] = s->key[i];
    }
  key_set_free(s);
  s->key = key, s->used = used, s->cap = cap;
  return true;
}

static int key_set_add(key_set *s, uint64_t x) {
  size_t j = (size_t)mix64(x) & (s->cap - 1);
  for (; s->used[j]; j = (j + 1) & (s->cap - 1))
    if (s->key[j] == x) return KEY_PRESENT;
  if (s->full) return KEY_UNKNOWN;
  if (2 * (s->n + 1) > s->cap) {
    if (!key_set_grow(s)) return KEY_UNKNOWN;
    for (j = (size_t)mix64(x) & (s->cap - 1); s->used[j]; j = (j + 1) & (s->cap - 1)) {}
  }
  s->used[j] = 1, s->key[j] = x;
  s->n++;
  return KEY_ADDED;
}

/* The scan's state. Long layout: one age and one count column; wide
 * layout: waves of them, and each line is one person. */
typedef struct scanner {
  bool wide;
  const char *id_name;
  size_t waves;                      /* age/count column pairs: 1 in the long layout */
  const char *const *age_name;       /* [waves] */
  const char *const *count_name;     /* [waves] */
  size_t id_col;                     /* field numbers from the header (0-based), */
  size_t *age_col, *count_col;       /* SIZE_MAX: not in the header */
  size_t fields;                     /* how many leading fields a line is split into */
  const char **text;                 /* [fields]: the fields of the current line, */
  size_t *tlen;                      /* and their lengths */
  bool header_done;
  uint64_t prev_hash; /* the previous line's id, */
  size_t prev_len;    /* its length */
  bool have_prev;     /* and whether there is one; */
  double prev_age;    /* its age, */
  bool prev_age_ok;   /* when it could be read */
  key_set ages;       /* the bits of the distinct ages */
  key_set ids;        /* the hashes of the distinct ids */
  memory_scan *out;
} scanner;

static void trim(const char **s, size_t *len) {
  while (*len > 0 && (**s == ' ' || **s == '\t')) (*s)++, (*len)--;
  while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

static uint64_t hash_bytes(const char *s, size_t len) {
  uint64_t h = 14695981039346656037ULL; /* FNV-1a */
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
  return h;
}

static bool same_name(const char *want, const char *name, size_t n) {
  return want && strlen(want) == n && memcmp(want, name, n) == 0;
}

/* The header line: where the columns are. It is split on commas, with the
 * quotes stripped from each name; a column not found leaves the bounds at
 * their loosest. */
static void scan_header(scanner *sc, const char *p, size_t len) {
  if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3, len -= 3;
  size_t field = 0;
  for (const char *end = p + len;; field++) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *stop = comma ? comma : end;
    const char *name = p;
    size_t n = (size_t)(stop - p);
    trim(&name, &n);
    if (n >= 2 && name[0] == '"' && name[n - 1] == '"') name++, n -= 2;
    if (sc->id_col == SIZE_MAX && same_name(sc->id_name, name, n)) sc->id_col = field;
    for (size_t w = 0; w < sc->waves; w++) {
      if (sc->age_col[w] == SIZE_MAX && same_name(sc->age_name[w], name, n)) sc->age_col[w] = field;
      if (sc->count_col[w] == SIZE_MAX && same_name(sc->count_name[w], name, n))
        sc->count_col[w] = field;
    }
    if (!comma) break;
    p = comma + 1;
  }
  sc->fields = sc->id_col == SIZE_MAX ? 0 : sc->id_col + 1;
  for (size_t w = 0; w < sc->waves; w++) {
    if (sc->age_col[w] != SIZE_MAX && sc->age_col[w] + 1 > sc->fields)
      sc->fields = sc->age_col[w] + 1;
    if (sc->count_col[w] != SIZE_MAX && sc->count_col[w] + 1 > sc->fields)
      sc->fields = sc->count_col[w] + 1;
  }
  sc->text = sc->fields ? malloc(sc->fields * sizeof *sc->text) : NULL;
  sc->tlen = sc->fields ? malloc(sc->fields * sizeof *sc->tlen) : NULL;
  if (!sc->text || !sc->tlen) sc->fields = 0, sc->id_col = SIZE_MAX; /* every line opaque */
}

/* A line that cannot be split: new persons, new ages and non-zero counts
 * for each of its possible rows. */
static void scan_opaque_line(scanner *sc) {
  memory_scan *o = sc->out;
  o->rows += sc->waves, o->persons++, o->ages += sc->waves, o->nonzero += sc->waves;
  o->sorted = false;
  sc->have_prev = false;
}

/* True when the count field is a plain zero ("0", "+00", " 0 "). */
static bool is_zero(const char *s, size_t len) {
  trim(&s, &len);
  if (len > 0 && s[0] == '+') s++, len--;
  if (len == 0) return false;
  for (size_t i = 0; i < len; i++)
    if (s[i] != '0') return false;
  return true;
}

/* True when a wide layout's cell is missing: empty or ".". */
static bool is_missing(const char *s, size_t len) {
  trim(&s, &len);
  return len == 0 || (len == 1 && s[0] == '.');
}

/* The number in the age field; false when it is not one. Whole numbers
 * (most ages) are read by hand, the rest by strtod. */
static bool age_value(const char *s, size_t len, double *out) {
  trim(&s, &len);
  if (len == 0 || len > 15) {
    if (len == 0 || len >= 64) return false;
  } else {
    uint64_t v = 0;
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') v = 10 * v + (uint64_t)(s[i++] - '0');
    if (i == len) {
      *out = (double)v;
      return true;
    }
  }
  char buf[64];
  memcpy(buf, s, len);
  buf[len] = '\0';
  char *end;
  *out = strtod(buf, &end);
  return end == buf + len && !isnan(*out);
}

/* Splits the first sc->fields fields of a line into sc->text/tlen (NULL
 * for fields the line does not reach), RFC 4180 quotes stripped (a doubled
 * quote inside is kept as two). False when a quoted field does not close
 * on this line (a quoted line break) or is followed by more than blanks. */
static bool split_fields(scanner *sc, const char *p, size_t len) {
  const char *end = p + len;
  bool quotes = memchr(p, '"', len) != NULL;
  for (size_t field = 0; field < sc->fields; field++) sc->text[field] = NULL;
  for (size_t field = 0; field < sc->fields; field++) {
    const char *from = p, *to;
    const char *q = p;
    while (quotes && q < end && (*q == ' ' || *q == '\t')) q++;
    if (quotes && q < end && *q == '"') {
      from = ++q;
      for (;;) {
        q = memchr(q, '"', (size_t)(end - q));
        if (!q) return false;
        if (q + 1 < end && q[1] == '"') q += 2;
        else break;
      }
      to = q++;
      while (q < end && (*q == ' ' || *q == '\t')) q++;
      if (q < end && *q != ',') return false;
    } else {
      q = memchr(p, ',', (size_t)(end - p));
      if (!q) q = end;
      to = q;
    }
    sc->text[field] = from, sc->tlen[field] = (size_t)(to - from);
    if (q >= end) break;
    p = q + 1;
  }
  return true;
}

/* Field col of the current line, or false when the header lacks the
 * column or the line does not reach it. */
static bool field(const scanner *sc, size_t col, const char **text, size_t *len) {
  if (col == SIZE_MAX || !sc->text[col]) return false;
  *text = sc->text[col], *len = sc->tlen[col];
  return true;
}

/* Adds an age to the distinct ages (-0 and 0 are one). */
static void scan_age(scanner *sc, bool ok, double age) {
  uint64_t bits = 0;
  if (ok) {
    if (age == 0.0) age = 0.0;
    memcpy(&bits, &age, sizeof bits);
  }
  if (!ok || key_set_add(&sc->ages, bits) != KEY_PRESENT) sc->out->ages++;
}

/* The person of a line with id text (len bytes): a run of lines with one id
 * is one person, once; the rows are sorted while no id comes back after
 * another and ages ascend within a run. */
static void scan_person(scanner *sc, const char *text, size_t len, bool age_ok, double age) {
  memory_scan *o = sc->out;
  uint64_t h = hash_bytes(text, len);
  bool same = sc->have_prev && h == sc->prev_hash && len == sc->prev_len;
  if (same) {
    if (sc->wide || !age_ok || !sc->prev_age_ok || !(age > sc->prev_age)) o->sorted = false;
  } else if (key_set_add(&sc->ids, h) == KEY_PRESENT) {
    o->sorted = false;
  } else {
    o->persons++;
    o->id_bytes += len;
  }
  sc->have_prev = true;
  sc->prev_hash = h, sc->prev_len = len;
  sc->prev_age_ok = age_ok, sc->prev_age = age_ok ? age : 0.0;
}

static void scan_row(scanner *sc, const char *p, size_t len) {
  memory_scan *o = sc->out;
  const char *id, *text;
  size_t id_len, tlen;
  if (!split_fields(sc, p, len) || !field(sc, sc->id_col, &id, &id_len)) {
    scan_opaque_line(sc);
    return;
  }
  double age = 0.0;
  bool age_ok = false;
  for (size_t w = 0; w < sc->waves; w++) {
    bool have_count = field(sc, sc->count_col[w], &text, &tlen);
    if (sc->wide && have_count && is_missing(text, tlen)) continue;
    o->rows++;
    if (!have_count || !is_zero(text, tlen)) o->nonzero++;
    age_ok = field(sc, sc->age_col[w], &text, &tlen) && age_value(text, tlen, &age);
    scan_age(sc, age_ok, age);
  }
  scan_person(sc, id, id_len, age_ok, age);
}

/* One line (without its line feed); cut is true when it was cut at CHUNK
 * bytes and is not split. */
static void scan_line(scanner *sc, const char *p, size_t len, bool cut) {
  if (len > 0 && p[len - 1] == '\r') len--;
  if (len == 0) return; /* the reader skips empty lines */
  if (!sc->header_done) {
    sc->header_done = true;
    if (!cut) scan_header(sc, p, len);
    return;
  }
  if (cut)
    scan_opaque_line(sc);
  else
    scan_row(sc, p, len);
}

/* Streams the file through scan_line(). */
static gbtm_status scan_file(scanner *sc, const char *path, FILE *f, char *buf, gbtm_error *err) {
  memory_scan *out = sc->out;
  size_t have = 0;       /* bytes in buf not yet scanned: the start of a line */
  bool skipping = false; /* inside a line cut at CHUNK bytes: drop up to its end */
  for (;;) {
    size_t got = fread(buf + have, 1, CHUNK - have, f);
    if (ferror(f)) return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    out->bytes += got;
    size_t end = have + got, pos = 0;
    for (const char *nl; (nl = memchr(buf + pos, '\n', end - pos)) != NULL;) {
      size_t len = (size_t)(nl - (buf + pos));
      if (!skipping) scan_line(sc, buf + pos, len, false);
      skipping = false;
      pos += len + 1;
    }
    if (got == 0) { /* the end: a last line without a line feed */
      if (!skipping && end > pos) scan_line(sc, buf + pos, end - pos, false);
      out->known = true;
      return GBTM_OK;
    }
    have = end - pos;
    if (have == CHUNK) { /* one line fills the buffer: count it, drop the rest of it */
      if (!skipping) scan_line(sc, buf, have, true);
      skipping = true;
      have = 0;
    } else {
      memmove(buf, buf + pos, have);
    }
  }
}

gbtm_status memory_estimate_scan_csv(const char *path, const gbtm_csv_columns *columns,
                                     memory_scan *out, gbtm_error *err) {
  memset(out, 0, sizeof *out);
  out->sorted = true;
  gbtm_csv_columns d = gbtm_csv_columns_default();
  if (!columns) columns = &d;
  scanner sc = {.id_name = columns->id ? columns->id : d.id, .waves = 1, .id_col = SIZE_MAX,
                .out = out};
  const char *age_name = columns->age ? columns->age : d.age;
  const char *count_name = columns->count ? columns->count : d.count;
  sc.age_name = &age_name, sc.count_name = &count_name;
  if (columns->wide && columns->waves > 0 && columns->age_cols && columns->count_cols) {
    sc.wide = true;
    sc.waves = columns->waves;
    sc.age_name = columns->age_cols, sc.count_name = columns->count_cols;
  }
  /* Only a regular file is scanned: a pipe (gbtm fit <(zcat data.csv.gz))
   * would be used up, and a device could be endless. */
  struct stat st_file;
  if (stat(path, &st_file) != 0)
    return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  if (!S_ISREG(st_file.st_mode) || panel_is_h5(path)) return GBTM_OK; /* HDF5: not estimated */
  FILE *f = fopen(path, "rb");
  if (!f) return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  char *buf = malloc(CHUNK);
  sc.age_col = malloc(sc.waves * sizeof *sc.age_col);
  sc.count_col = malloc(sc.waves * sizeof *sc.count_col);
  bool sets = key_set_init(&sc.ages, AGES_MAX) && key_set_init(&sc.ids, IDS_MAX);
  gbtm_status st;
  if (!buf || !sc.age_col || !sc.count_col || !sets) {
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory for scanning the file", path);
  } else {
    for (size_t w = 0; w < sc.waves; w++) sc.age_col[w] = sc.count_col[w] = SIZE_MAX;
    st = scan_file(&sc, path, f, buf, err);
  }
  fclose(f);
  free(buf), free(sc.age_col), free(sc.count_col), free(sc.text), free(sc.tlen);
  key_set_free(&sc.ages), key_set_free(&sc.ids);
  if (out->ages > out->rows) out->ages = out->rows;
  if (out->persons > out->rows) out->persons = out->rows;
  return st;
}

/* ---- the bytes ---------------------------------------------------------- */

/* A heap block for len bytes, as glibc's malloc rounds it. */
static uint64_t heap_block(uint64_t len) {
  uint64_t b = (len + 8 + 15) / 16 * 16;
  return b < MALLOC_MIN ? MALLOC_MIN : b;
}

/* The panel panel_build() makes (panel.h): per person its id and its
 * window, CSR starts and constant; per row a nonzero cell or an exception
 * (exposure) cell, and the skipped cells; covariates per row. */
static uint64_t panel_bytes(const memory_scan *s, const memory_work *w, uint64_t id_each) {
  uint64_t P = s->persons, R = s->rows;
  uint64_t per_person = 8 + 2 * 4 + 3 * 8 + 8 + id_each;
  /* a cell's response is a double (panel.h) */
  uint64_t per_row = 4 /* skip */ + (w->exposure ? 4 + 8 + 8 : 0) + 8 * (uint64_t)w->covariates;
  return P * per_person + R * per_row + s->nonzero * (4 + 8) + s->ages * 8 + (P + 1) * 8;
}

/* One worker of the fit: its posteriors and its E-step context
 * (estep_ctx_alloc) for threads threads: the block partials, the
 * coefficient tables (Kp = K rounded up to 4 columns), the per-thread
 * scratch, and either the dense N x 3T matrices or the sparse kernel's
 * stream (a 16-bit word per cell, 32-bit beyond 4096 ages, at most four
 * per large count, four header words and a 4-byte order entry per person)
 * with its table of T (YB + 1) code rows. */
static uint64_t worker_bytes(uint64_t N, uint64_t R, uint64_t nonzero, uint64_t T, uint64_t K,
                             uint64_t threads, bool dense) {
  uint64_t block = N / FIT_BLOCKS_MAX + 1 > FIT_BLOCK_MIN ? N / FIT_BLOCKS_MAX + 1 : FIT_BLOCK_MIN;
  uint64_t block4 = (block + 3) & ~(uint64_t)3;
  uint64_t nblocks = (N + block - 1) / block;
  uint64_t Kp = (K + 3) & ~(uint64_t)3, KT = K * T;
  uint64_t codes = T * (FIT_YB_MAX + 1);
  uint64_t partial = nblocks * (1 + K + 3 * KT + FIT_STATS_MAX * KT);
  uint64_t scratch = threads * (2 * block4 * Kp + Kp * (T + 1) + 3 * Kp * T + codes * Kp);
  uint64_t coef = Kp * (T + 1) + 5 * Kp * T;
  uint64_t kernel_bytes;
  if (dense) {
    kernel_bytes = N * 3 * T * 8;
    if (kernel_bytes > FIT_DENSE_MAX) kernel_bytes = FIT_DENSE_MAX;
  } else {
    uint64_t word = T > FIT_NARROW_MAX_AGES ? 4 : 2;
    kernel_bytes = word * (R + 3 * nonzero + 4 * N) + 4 * N + 8 * codes * Kp;
  }
  return 8 * (N * K + partial + scratch + coef) + kernel_bytes;
}

memory_need memory_estimate_compute(const memory_scan *s, const memory_work *w) {
  memory_need need = {0, 0, 0};
  if (!s->known) return need;
  uint64_t R = s->rows, P = s->persons, T = s->ages > 0 ? s->ages : 1;
  uint64_t K = w->groups > 0 ? (uint64_t)w->groups : 1;
  uint64_t row = sizeof(panel_row);
  uint64_t id_len = P > 0 ? s->id_bytes / P : 0;
  uint64_t id_string = heap_block(id_len + 1);
  /* the id table while reading: the string, its slot in ids/lens/hashes
   * (grown by doubling) and up to four hash slots */
  uint64_t id_table = P * (id_string + 2 * 24 + 4 * 8);
  uint64_t covariate_rows = R * 8 * (uint64_t)(w->covariates > 0 ? w->covariates : 0);
  uint64_t panel = panel_bytes(s, w, id_string + 8);

  /* read_csv.c: the file, the rows and the ids; then panel_build(): the
   * rows, their sorted copy unless they came sorted, the ids and the panel
   * (and covariate values). Sorted and without covariates, cells instead of
   * rows (read_as_cells): the file, the columns of cells, the persons'
   * starts and the ids; then, the file freed, panel_build_sorted(): the
   * columns, each cell's age index and the panel. */
  uint64_t tokenise = s->bytes + 17 + R * row + id_table + covariate_rows;
  uint64_t build = (s->sorted ? 1 : 2) * R * row + panel + 2 * covariate_rows;
  if (s->sorted && w->covariates == 0) {
    uint64_t cells = R * (8 + 4 + (w->exposure ? 8 : 0)) + P * 8;
    tokenise = s->bytes + 17 + cells + id_table;
    build = cells + R * 4 + panel;
  }
  need.read = tokenise > build ? tokenise : build;

  /* the fit: workers run starts in parallel on small panels (one thread
   * each), or one worker uses every thread; take the larger */
  int nth = fit_threads(w->threads, 0);
  uint64_t threads = nth > 0 ? (uint64_t)nth : 1;
  uint64_t S = w->starts > 0 ? (uint64_t)w->starts : 1;
  bool dense = 2 * s->nonzero >= R; /* density >= 0.5 is possible only then */
  uint64_t one = worker_bytes(P, R, s->nonzero, T, K, threads, dense);
  uint64_t many = 0;
  if (threads > 1 && S > 1 && (double)P * (double)T <= FIT_PARALLEL_STARTS) {
    uint64_t nw = threads < S ? threads : S;
    many = nw * worker_bytes(P, R, s->nonzero, T, K, 1, dense);
  }
  uint64_t work = one > many ? one : many;
  work += P * FIT_PROFILE_BINS * 8;      /* start profiles */
  if (w->posterior) work += P * K * 8;   /* the result's posteriors */
  if (w->cv_folds > 0) work += (uint64_t)w->cv_folds * panel; /* training and test panels */
  if (w->bootstrap > 0) {
    uint64_t refits = (uint64_t)w->bootstrap < threads ? (uint64_t)w->bootstrap : threads;
    work += refits * (panel + worker_bytes(P, R, s->nonzero, T, K, 1, dense));
  }
  need.read += PROGRAM_BYTES;
  need.fit = PROGRAM_BYTES + panel + work;
  need.peak = need.read > need.fit ? need.read : need.fit;
  return need;
}

/* ---- the machine and sizes ------------------------------------------------ */

uint64_t memory_estimate_available(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return 0;
  char line[256];
  uint64_t bytes = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long long kb;
    if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
      bytes = (uint64_t)kb * 1024;
      break;
    }
  }
  fclose(f);
  return bytes;
}

bool memory_estimate_parse_size(const char *text, uint64_t *bytes) {
  if (!text) return false;
  size_t digits = strspn(text, "0123456789"), n = digits;
  if (text[n] == '.') n += 1 + strspn(text + n + 1, "0123456789");
  if (n == 0 || n == (text[digits] == '.' ? 1u : 0u)) return false; /* no digit at all */
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (end != text + n || errno == ERANGE || !isfinite(v)) return false;
  double unit = 1.0;
  switch (toupper((unsigned char)*end)) {
  case 'K': unit = 1024.0; break;
  case 'M': unit = 1024.0 * 1024.0; break;
  case 'G': unit = 1024.0 * 1024.0 * 1024.0; break;
  case 'T': unit = 1024.0 * 1024.0 * 1024.0 * 1024.0; break;
  }
  if (unit > 1.0) {
    end++;
    if (toupper((unsigned char)end[0]) == 'I' && toupper((unsigned char)end[1]) == 'B')
      end += 2;
    else if (toupper((unsigned char)end[0]) == 'B')
      end++;
  } else if (toupper((unsigned char)end[0]) == 'B') {
    end++;
  }
  if (*end != '\0') return false;
  double b = floor(v * unit);
  if (!(b >= 1.0) || b >= 9223372036854775808.0) return false;
  *bytes = (uint64_t)b;
  return true;
}

void memory_estimate_format_size(uint64_t bytes, char *buf, size_t size) {
  static const char *const units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 1024) {
    snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
    return;
  }
  double v = (double)bytes / 1024.0;
  int u = 0;
  while (v >= 1023.95 && u < 5) v /= 1024.0, u++;
  snprintf(buf, size, "%.1f %s", v, units[u]);
}

/* ---- the public names (gbtm.h) ------------------------------------------ */

gbtm_status gbtm_memory_estimate(const char *path, const gbtm_csv_columns *columns,
                                 const gbtm_memory_work *work, gbtm_memory_need *out,
                                 gbtm_error *err) {
  *out = (gbtm_memory_need){0};
  memory_scan scan;
  gbtm_status st = memory_estimate_scan_csv(path, columns, &scan, err);
  if (st != GBTM_OK || !scan.known) return st;
  memory_need need = memory_estimate_compute(&scan, work);
  *out = (gbtm_memory_need){true, scan.bytes, scan.rows, scan.persons, need.read, need.fit, need.peak};
  return GBTM_OK;
}

uint64_t gbtm_memory_available(void) { return memory_estimate_available(); }

bool gbtm_memory_size_parse(const char *text, uint64_t *bytes) {
  return memory_estimate_parse_size(text, bytes);
}

void gbtm_memory_size_format(uint64_t bytes, char *buf, size_t size) {
  memory_estimate_format_size(bytes, buf, size);
}
