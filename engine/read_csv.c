/* read_csv.c reads a long CSV file (one row per person and age, a header
 * row naming the columns) into a panel (DESIGN §1).
 *
 * The file is read whole into one buffer and tokenised in place by hand:
 * RFC 4180 fields (double quotes, "" escapes, quoted line breaks), CRLF or
 * LF line ends, an optional UTF-8 byte order mark, a missing final newline,
 * and empty lines skipped. Integers and plain decimals are converted by hand
 * (exactly as strtod would: a mantissa below 2^53 divided by an exact power
 * of ten is correctly rounded), other numbers by strtod. The only per-row
 * allocation is the copy of a new person id (idtable.c); a run of rows of
 * the same person costs one memcmp per row instead of a hash lookup.
 * Every malformed input is reported as FILE:LINE:COLUMN, with COLUMN the
 * 1-based field number; duplicates (id, age) are found in panel_build(). */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE, where the system has it */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idtable.h"
#include "panel.h"

/* How much of a bad field a message quotes. */
#define SHOW 60
/* Bytes after the file in the buffer: a sentinel line feed, then room for
 * the 8-byte loads of find_delim(). */
#define PAD 16

typedef struct csv_reader {
  const char *path;
  char *buf;     /* size bytes of the file, a line feed, PAD - 1 NULs */
  size_t size;
  size_t pos;    /* next byte to read */
  uint64_t line; /* physical line of pos, 1-based */
} csv_reader;

/* malloc for the two large arrays (the file, the rows), which are written
 * once front to back: where the system has transparent huge pages, ask for
 * them, which spares most of the page faults. */
static void *alloc_large(size_t size) {
  void *ptr = malloc(size);
#ifdef MADV_HUGEPAGE
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  if (ptr && size >= ((size_t)4 << 20) && page > 0) {
    uintptr_t from = ((uintptr_t)ptr + page - 1) / page * page;
    uintptr_t to = ((uintptr_t)ptr + size) / page * page;
    if (to > from) madvise((void *)from, to - from, MADV_HUGEPAGE); /* a hint: may fail */
  }
#endif
  return ptr;
}

/* Reads the whole file into r->buf. */
static gbtm_status read_file(csv_reader *r, gbtm_error *err) {
  FILE *f = fopen(r->path, "rb");
  if (!f) return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot open: %s", r->path, strerror(errno));
  struct stat st;
  size_t cap = 1 << 16;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
      (uint64_t)st.st_size < SIZE_MAX - PAD - 1)
    cap = (size_t)st.st_size + PAD + 1;
  char *buf = alloc_large(cap);
  size_t size = 0;
  for (;;) {
    if (!buf) {
      fclose(f);
      return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", r->path);
    }
    size += fread(buf + size, 1, cap - PAD - size, f);
    if (ferror(f)) {
      int saved = errno;
      free(buf);
      fclose(f);
      return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot read: %s", r->path,
                       saved ? strerror(saved) : "read error");
    }
    if (feof(f)) break;
    if (size == cap - PAD) { /* full (a pipe, or a file that grew): double */
      char *bigger = cap < SIZE_MAX / 2 ? realloc(buf, 2 * cap) : NULL;
      if (!bigger) free(buf);
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  buf[size] = '\n'; /* the sentinel of next_field() */
  memset(buf + size + 1, 0, PAD - 1);
  r->buf = buf;
  r->size = size;
  return GBTM_OK;
}

/* Field terminators returned by next_field. */
enum { FIELD_ERROR = -1, FIELD_EOF = 0, FIELD_COMMA = 1, FIELD_EOL = 2 };

/* The rest of next_field() for a field that opens with a quote at p:
 * unescapes it in place up to the closing quote. */
static int quoted_field(csv_reader *r, char *p, uint64_t row_line, size_t col, char **text,
                        size_t *len, gbtm_error *err) {
  char *end = r->buf + r->size, *w = p + 1, *q = p + 1;
  for (;;) {
    if (q == end) {
      gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: quoted field not closed (expected '\"')",
                r->path, (unsigned long long)row_line, col);
      return FIELD_ERROR;
    }
    if (*q == '"') {
      if (q + 1 < end && q[1] == '"') {
        *w++ = '"';
        q += 2;
        continue;
      }
      q++;
      break;
    }
    if (*q == '\n') r->line++;
    *w++ = *q++;
  }
  *text = p + 1;
  *len = (size_t)(w - (p + 1));
  if (q == end) {
    r->pos = r->size;
    return FIELD_EOF;
  }
  if (*q == ',') {
    r->pos = (size_t)(q + 1 - r->buf);
    return FIELD_COMMA;
  }
  if (*q == '\r' && q + 1 < end && q[1] == '\n') q++;
  if (*q == '\n' || (*q == '\r' && q + 1 == end)) {
    r->pos = (size_t)(q + 1 - r->buf);
    r->line++;
    return FIELD_EOL;
  }
  gbtm_fail(err, GBTM_ERR_PARSE,
            "%s:%llu:%zu: expected ',' or the end of the line after a closing quote, found '%c'",
            r->path, (unsigned long long)row_line, col, *q);
  return FIELD_ERROR;
}

/* The offset of the first ',' or line feed at p (the sentinel guarantees
 * one). Eight bytes at a time where the compiler and byte order allow:
 * a byte b of w is 0 exactly when (b - 1) & ~b has its top bit set, and the
 * lowest such flag is exact. */
static inline size_t find_delim(const char *p) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  for (size_t off = 0;; off += 8) {
    uint64_t w, c, n;
    memcpy(&w, p + off, sizeof w);
    c = w ^ (ones * ','), n = w ^ (ones * '\n');
    uint64_t flags = (((c - ones) & ~c) | ((n - ones) & ~n)) & highs;
    if (flags) return off + (size_t)(__builtin_ctzll(flags) >> 3);
  }
#else
  size_t off = 0;
  while (p[off] != ',' && p[off] != '\n') off++;
  return off;
#endif
}

/* Reads one field at r->pos and says what ended it; a line end is consumed.
 * row_line and col place errors. The scan of an unquoted field needs no
 * bounds check: the buffer ends with a sentinel line feed. */
static inline int next_field(csv_reader *r, uint64_t row_line, size_t col, char **text,
                             size_t *len, gbtm_error *err) {
  char *p = r->buf + r->pos, *end = r->buf + r->size;
  if (*p == '"' && p < end) return quoted_field(r, p, row_line, col, text, len, err);
  char *q = p + find_delim(p);
  *text = p;
  *len = (size_t)(q - p);
  if (*q == ',') {
    r->pos = (size_t)(q + 1 - r->buf);
    return FIELD_COMMA;
  }
  if (*len > 0 && p[*len - 1] == '\r') (*len)--;
  if (q == end) {
    r->pos = r->size;
    return FIELD_EOF;
  }
  r->pos = (size_t)(q + 1 - r->buf);
  r->line++;
  return FIELD_EOL;
}

/* Skips empty lines (LF, CRLF, or a lone CR at the end of the file). */
static void skip_empty_lines(csv_reader *r) {
  for (;;) {
    size_t rest = r->size - r->pos;
    const char *p = r->buf + r->pos;
    if (rest >= 1 && p[0] == '\n') r->pos += 1;
    else if (rest >= 2 && p[0] == '\r' && p[1] == '\n') r->pos += 2;
    else if (rest == 1 && p[0] == '\r') {
      r->pos += 1;
      return;
    } else return;
    r->line++;
  }
}

static inline void trim(const char **s, size_t *len) {
  if (*len == 0 || ((**s != ' ' && **s != '\t') && (*s)[*len - 1] != ' ' && (*s)[*len - 1] != '\t'))
    return;
  while (*len > 0 && (**s == ' ' || **s == '\t')) (*s)++, (*len)--;
  while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

/* Exact powers of ten: 1e0 .. 1e22 are representable doubles. */
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A real number (as strtod reads it, surrounding blanks allowed); false when
 * the field is not one. Non-finite results are the caller's to reject. */
static bool parse_real(const char *s, size_t len, double *out) {
  trim(&s, &len);
  if (len == 0) return false;
  /* Fast path: [+-]digits[.digits], at most 19 digits, mantissa <= 2^53. */
  size_t i = 0, digits = 0, frac = 0;
  bool neg = false, dot = false;
  uint64_t m = 0;
  if (s[0] == '+' || s[0] == '-') neg = s[i++] == '-';
  for (; i < len; i++) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 19) break;
      m = 10 * m + (uint64_t)(c - '0');
      frac += dot;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (i == len && digits > 0 && m <= ((uint64_t)1 << 53) && frac <= 22) {
    double v = (double)m / POW10[frac];
    *out = neg ? -v : v;
    return true;
  }
  char tmp[128];
  if (len >= sizeof tmp) return false;
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  char *endp;
  *out = strtod(tmp, &endp);
  return endp == tmp + len;
}

/* A count: an optional '+' and decimal digits. 0 when fine, 1 when not a
 * non-negative integer, 2 when above INT32_MAX. */
static int parse_count(const char *s, size_t len, int64_t *out) {
  trim(&s, &len);
  if (len > 0 && s[0] == '+') s++, len--;
  if (len == 0) return 1;
  int64_t v = 0;
  bool big = false;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return 1;
    if (!big) {
      v = 10 * v + (s[i] - '0');
      big = v > INT32_MAX;
    }
  }
  *out = v;
  return big ? 2 : 0;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none:
 * a header from a legacy code page (Latin-1 "\xf6") must not reach a
 * terminal as raw bytes. Overlong forms and surrogates count as invalid. */
static size_t utf8_length(const unsigned char *s, size_t n) {
  size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
  if (len == 0 || len > n) return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) || (s[0] == 0xF0 && s[1] < 0x90) ||
      (s[0] == 0xF4 && s[1] >= 0x90))
    return 0;
  return len;
}

/* Appends at most SHOW bytes of text to buf[*used..cap) for a message, with
 * control bytes and bytes that are not valid UTF-8 written as \xNN. */
static void append_shown(char *buf, size_t cap, size_t *used, const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  size_t n = len < SHOW ? len : SHOW;
  for (size_t i = 0; i < n && *used + 5 < cap;) {
    size_t k = utf8_length(s + i, n - i);
    if (k == 0 || (k == 1 && (s[i] < 0x20 || s[i] == 0x7F))) {
      *used += (size_t)snprintf(buf + *used, cap - *used, "\\x%02x", s[i]);
      i++;
    } else {
      if (*used + k + 1 > cap) break;
      memcpy(buf + *used, s + i, k);
      *used += k;
      i += k;
    }
  }
  buf[*used] = '\0';
}

/* The header: the 0-based field index of each named column. */
typedef struct csv_header {
  size_t fields;                  /* number of fields */
  size_t id, age, count, exposure; /* SIZE_MAX = exposure not read */
} csv_header;

static gbtm_status read_header(csv_reader *r, const gbtm_csv_columns *cols, csv_header *h,
                               gbtm_error *err) {
  const char *want[4] = {cols->id, cols->age, cols->count, cols->exposure};
  size_t *where[4] = {&h->id, &h->age, &h->count, &h->exposure};
  for (int k = 0; k < 4; k++) *where[k] = SIZE_MAX;
  uint64_t line = r->line;
  char found[512]; /* the header as read, for messages */
  size_t flen = 0;
  found[0] = '\0';
  h->fields = 0;
  int term;
  do {
    char *text;
    size_t len;
    term = next_field(r, line, h->fields + 1, &text, &len, err);
    if (term == FIELD_ERROR) return GBTM_ERR_PARSE;
    const char *name = text;
    size_t name_len = len;
    trim(&name, &name_len);
    for (int k = 0; k < 4; k++)
      if (want[k] && *where[k] == SIZE_MAX && strlen(want[k]) == name_len &&
          memcmp(want[k], name, name_len) == 0)
        *where[k] = h->fields;
    if (h->fields && flen + 2 < sizeof found) found[flen++] = ',', found[flen] = '\0';
    append_shown(found, sizeof found, &flen, text, len);
    h->fields++;
  } while (term == FIELD_COMMA);
  for (int k = 0; k < 4; k++)
    if (want[k] && *where[k] == SIZE_MAX)
      return gbtm_fail(err, GBTM_ERR_PARSE,
                       "%s:%llu:1: missing column \"%s\" in header (found: %s)", r->path,
                       (unsigned long long)line, want[k], found);
  return GBTM_OK;
}

/* Counts line feeds: an upper bound on the number of data rows. Eight
 * bytes at a time: ~(((t & 0x7f..) + 0x7f..) | t | 0x7f..) has the top bit
 * set exactly in the bytes where t = w ^ '\n\n..' is 0. */
static size_t count_lines(const char *buf, size_t size) {
  const uint64_t ones = 0x0101010101010101ULL, lows = 0x7f7f7f7f7f7f7f7fULL;
  size_t n = 0, i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w, t;
    memcpy(&w, buf + i, sizeof w);
    t = w ^ (ones * '\n');
    t = ~(((t & lows) + lows) | t | lows); /* 0x80 per line feed */
    n += (size_t)(((t >> 7) * ones) >> 56); /* their sum, in the top byte */
  }
  for (; i < size; i++) n += buf[i] == '\n';
  return n;
}

/* The data rows. On success rows[0..*n_rows) and the ids in table. */
static gbtm_status read_rows(csv_reader *r, const csv_header *h, idtable *table, panel_row *rows,
                             size_t *n_rows, gbtm_error *err) {
  size_t n = 0;
  uint32_t last = 0;           /* the person of the previous row, */
  const char *last_id = NULL;  /* its id */
  size_t last_len = 0;         /* and length (0: none yet) */
  for (skip_empty_lines(r); r->pos < r->size; skip_empty_lines(r)) {
    uint64_t line = r->line;
    char *text[4] = {NULL, NULL, NULL, NULL}; /* id, age, count, exposure */
    size_t len[4] = {0, 0, 0, 0};
    size_t f = 0;
    int term;
    do {
      char *t;
      size_t l;
      term = next_field(r, line, f + 1, &t, &l, err);
      if (term == FIELD_ERROR) return GBTM_ERR_PARSE;
      if (f == h->id) text[0] = t, len[0] = l;
      if (f == h->age) text[1] = t, len[1] = l;
      if (f == h->count) text[2] = t, len[2] = l;
      if (f == h->exposure) text[3] = t, len[3] = l;
      f++;
    } while (term == FIELD_COMMA);
    if (f != h->fields)
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: expected %zu fields, found %zu", r->path,
                       (unsigned long long)line, f < h->fields ? f + 1 : h->fields + 1, h->fields,
                       f);
    unsigned long long ln = (unsigned long long)line;
    panel_row *row = &rows[n];
    row->line = line;

    if (len[0] == 0)
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: id is empty", r->path, ln, h->id + 1);
    if (len[0] == last_len && memcmp(text[0], last_id, len[0]) == 0) {
      row->person = last;
    } else {
      if (memchr(text[0], '\0', len[0]))
        return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: id contains a NUL byte", r->path, ln,
                         h->id + 1);
      if (!idtable_intern(table, text[0], len[0], &row->person, NULL))
        return gbtm_fail(err, GBTM_ERR_NOMEM, "%s:%llu: out of memory storing person ids",
                         r->path, ln);
      last = row->person;
      last_id = idtable_id(table, last);
      last_len = len[0];
    }

    if (!parse_real(text[1], len[1], &row->age) || !isfinite(row->age))
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: age \"%.*s\" is not a finite number",
                       r->path, ln, h->age + 1, (int)(len[1] < SHOW ? len[1] : SHOW), text[1]);

    int bad = parse_count(text[2], len[2], &row->count);
    if (bad)
      return gbtm_fail(err, GBTM_ERR_PARSE,
                       bad == 1 ? "%s:%llu:%zu: count \"%.*s\" is not a non-negative integer"
                                : "%s:%llu:%zu: count \"%.*s\" too large (at most 2147483647)",
                       r->path, ln, h->count + 1, (int)(len[2] < SHOW ? len[2] : SHOW), text[2]);

    row->exposure = 1.0;
    if (h->exposure != SIZE_MAX &&
        (!parse_real(text[3], len[3], &row->exposure) || !isfinite(row->exposure) ||
         !(row->exposure > 0.0)))
      return gbtm_fail(err, GBTM_ERR_PARSE,
                       "%s:%llu:%zu: exposure \"%.*s\" is not a finite number > 0", r->path, ln,
                       h->exposure + 1, (int)(len[3] < SHOW ? len[3] : SHOW), text[3]);
    n++;
  }
  *n_rows = n;
  return GBTM_OK;
}

gbtm_status gbtm_panel_read_csv(const char *path, const gbtm_csv_columns *columns,
                                gbtm_panel **out, gbtm_error *err) {
  *out = NULL;
  gbtm_csv_columns cols = gbtm_csv_columns_default();
  if (columns) {
    if (columns->id) cols.id = columns->id;
    if (columns->age) cols.age = columns->age;
    if (columns->count) cols.count = columns->count;
    cols.exposure = columns->exposure;
  }
  csv_reader r = {path, NULL, 0, 0, 1};
  gbtm_status st = read_file(&r, err);
  if (st != GBTM_OK) return st;
  if (r.size >= 3 && memcmp(r.buf, "\xEF\xBB\xBF", 3) == 0) r.pos = 3;
  skip_empty_lines(&r);
  if (r.pos == r.size) {
    free(r.buf);
    return gbtm_fail(err, GBTM_ERR_PARSE, "%s:1:1: empty file (expected a header row naming the columns)",
                     path);
  }
  csv_header h;
  uint64_t header_line = r.line;
  st = read_header(&r, &cols, &h, err);
  if (st != GBTM_OK) {
    free(r.buf);
    return st;
  }
  size_t cap = count_lines(r.buf + r.pos, r.size - r.pos) + 1;
  panel_row *rows = alloc_large(cap * sizeof *rows);
  idtable *table = idtable_alloc(0);
  size_t n_rows = 0;
  if (!rows || !table)
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", path);
  else
    st = read_rows(&r, &h, table, rows, &n_rows, err);
  free(r.buf);
  if (st == GBTM_OK && n_rows == 0)
    st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:1: no data rows", path,
                   (unsigned long long)header_line + 1);
  if (st != GBTM_OK) {
    free(rows);
    idtable_free(table);
    return st;
  }
  size_t n_ids;
  char **ids = idtable_take_ids(table, &n_ids);
  idtable_free(table);
  st = panel_build(rows, n_rows, ids, n_ids, path, h.age + 1, out, err);
  free(rows);
  return st;
}
