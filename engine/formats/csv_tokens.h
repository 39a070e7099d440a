/* csv_tokens.h: the CSV tokenizer and number parsers shared by the long
 * (read_csv.c) and wide (read_wide.c) panel readers.
 *
 * A file is read whole into one buffer, followed by a sentinel line feed and
 * zero padding, and tokenised in place: RFC 4180 fields (double quotes, ""
 * escapes, quoted line breaks), CRLF or LF line ends, an optional UTF-8 byte
 * order mark, a missing final newline, and empty lines skipped. The per-field
 * and per-number functions are static inline here, so that each reader's row
 * loop compiles them in place (the readers' speed rests on it); the cold
 * parts live in csv_tokens.c. Every malformed input is reported as
 * FILE:LINE:COLUMN, with COLUMN the 1-based field number. */
#ifndef GBTM_CSV_TOKENS_H
#define GBTM_CSV_TOKENS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "gbtm.h"
#include "panel/panel.h" /* PANEL_AGE_MAX */

/* How much of a bad field a message quotes. */
#define CSV_SHOW 60
/* Bytes after the file in the buffer: a sentinel line feed, then room for
 * the 8-byte loads of csv_find_delim(). */
#define CSV_PAD 16

typedef struct csv_reader {
  const char *path;
  char *buf;     /* size bytes of the file, a line feed, CSV_PAD - 1 NULs */
  size_t size;
  size_t pos;    /* next byte to read */
  uint64_t line; /* physical line of pos, 1-based */
  uint64_t data_line; /* a block of a file (csv_open_part): the file's line of
                         the block's first byte after the header, else 0 */
  char sha256[65]; /* csv_open(): the SHA-256 of the file's bytes; a block: "" */
} csv_reader;

/* Field terminators returned by csv_next_field. */
enum { CSV_FIELD_ERROR = -1, CSV_FIELD_EOF = 0, CSV_FIELD_COMMA = 1, CSV_FIELD_EOL = 2 };

/* malloc for large arrays written once front to back (with a transparent
 * huge page hint where the system has them). */
void *csv_alloc_large(size_t size);

/* Reads the file path whole into r->buf in one pass (a pipe, a FIFO or
 * /dev/stdin too), taking the SHA-256 of its bytes into r->sha256 as they
 * arrive, skips a byte order mark and the empty lines before the header. An
 * empty file is an error ("FILE:1:1: empty file ..."), and so are a header
 * with a control byte or without a line end in its first MiB (binary data,
 * refused as it arrives), an HDF5 file, and more than max_bytes bytes
 * (0: no limit). On failure r->buf is NULL. A file in another dialect is
 * then rewritten by csv_dialect_apply() (csv_dialect.h). */
gbtm_status csv_open(csv_reader *r, const char *path, uint64_t max_bytes, gbtm_error *err);

/* The header row: for each of n wanted column names (NULL: not wanted),
 * the 0-based index of the field of that name, into where[k]
 * (SIZE_MAX when not wanted); *fields receives the number of fields. A
 * wanted name that is missing is an error naming the file, the header line
 * and the header as found; so is a name given to two columns (empty names
 * aside), naming both columns. */
gbtm_status csv_read_header(csv_reader *r, size_t n, const char *const *names, size_t *where,
                            size_t *fields, gbtm_error *err);


/* Counts line feeds in buf[0..size): an upper bound on the data rows. */
size_t csv_count_lines(const char *buf, size_t size);

/* The rest of csv_next_field() for a field that opens with a quote at p. */
int csv_quoted_field(csv_reader *r, char *p, uint64_t row_line, size_t col, char **text,
                     size_t *len, gbtm_error *err);

/* Appends at most CSV_SHOW bytes of text to buf[*used..cap) for a message,
 * with control bytes and bytes that are not valid UTF-8 written as \xNN. */
void csv_append_shown(char *buf, size_t cap, size_t *used, const char *text, size_t len);

/* The offset of the first ',' or line feed at p (the sentinel guarantees
 * one). Eight bytes at a time where the compiler and byte order allow:
 * a byte b of w is 0 exactly when (b - 1) & ~b has its top bit set, and the
 * lowest such flag is exact. */
static inline size_t csv_find_delim(const char *p) {
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
static inline int csv_next_field(csv_reader *r, uint64_t row_line, size_t col, char **text,
                                 size_t *len, gbtm_error *err) {
  char *p = r->buf + r->pos, *end = r->buf + r->size;
  if (*p == '"' && p < end) return csv_quoted_field(r, p, row_line, col, text, len, err);
  char *q = p + csv_find_delim(p);
  *text = p;
  *len = (size_t)(q - p);
  if (*q == ',') {
    r->pos = (size_t)(q + 1 - r->buf);
    return CSV_FIELD_COMMA;
  }
  if (*len > 0 && p[*len - 1] == '\r') (*len)--;
  if (q == end) {
    r->pos = r->size;
    return CSV_FIELD_EOF;
  }
  r->pos = (size_t)(q + 1 - r->buf);
  r->line++;
  return CSV_FIELD_EOL;
}

/* Skips empty lines (LF, CRLF, or a lone CR at the end of the file). */
static inline void csv_skip_empty_lines(csv_reader *r) {
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

static inline void csv_trim(const char **s, size_t *len) {
  if (*len == 0 || ((**s != ' ' && **s != '\t') && (*s)[*len - 1] != ' ' && (*s)[*len - 1] != '\t'))
    return;
  while (*len > 0 && (**s == ' ' || **s == '\t')) (*s)++, (*len)--;
  while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

/* Exact powers of ten: 1e0 .. 1e22 are representable doubles. */
static const double CSV_POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A real number in decimal (as strtod reads it, surrounding blanks
 * allowed, hexadecimal not: counts are decimal too); false when the field
 * is not one. Non-finite results are the caller's to reject.
 * Integers and plain decimals are converted by hand, exactly as strtod
 * would: a mantissa below 2^53 divided by an exact power of ten is
 * correctly rounded. */
static inline bool csv_parse_real(const char *s, size_t len, double *out) {
  csv_trim(&s, &len);
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
    double v = (double)m / CSV_POW10[frac];
    *out = neg ? -v : v;
    return true;
  }
  char tmp[128];
  if (len >= sizeof tmp || memchr(s, 'x', len) || memchr(s, 'X', len)) return false; /* decimal only, as counts */
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  char *endp;
  *out = strtod(tmp, &endp);
  return endp == tmp + len;
}

/* A count written as a decimal real whose value is a whole number (0.0,
 * 3.0, 3e0, as pandas writes float columns): 0 when fine, 1 when not a
 * non-negative integer (3.5, -1, inf), 2 when above INT32_MAX. */
int csv_parse_count_real(const char *s, size_t len, int64_t *out);

/* A count: an optional '+' and decimal digits, or a real with a whole
 * value (csv_parse_count_real). 0 when fine, 1 when not a non-negative
 * integer, 2 when above INT32_MAX. */
static inline int csv_parse_count(const char *s, size_t len, int64_t *out) {
  csv_trim(&s, &len);
  const char *whole = s;
  size_t whole_len = len;
  if (len > 0 && s[0] == '+') s++, len--;
  if (len == 0) return 1;
  int64_t v = 0;
  bool big = false;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return csv_parse_count_real(whole, whole_len, out);
    if (!big) {
      v = 10 * v + (s[i] - '0');
      big = v > INT32_MAX;
    }
  }
  *out = v;
  return big ? 2 : 0;
}

/* A real response (a family with real_response): a finite decimal real,
 * read by csv_parse_real() as ages are (no hexadecimal, no inf or nan);
 * false when the field is not one. */
static inline bool csv_parse_response(const char *s, size_t len, double *out) {
  return csv_parse_real(s, len, out) && isfinite(*out);
}

/* Whether a field marks a missing value: empty (or blank), "." or "NA". */
static inline bool csv_is_missing(const char *s, size_t len) {
  csv_trim(&s, &len);
  return len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == 'N' && s[1] == 'A');
}

/* A covariate value: a finite number, or NaN for a missing one
 * (csv_is_missing); false when the field is neither. */
static inline bool csv_parse_covariate(const char *s, size_t len, double *out) {
  if (csv_is_missing(s, len)) {
    *out = NAN;
    return true;
  }
  return csv_parse_real(s, len, out) && isfinite(*out);
}

/* An age as read: a finite number of at most PANEL_AGE_MAX in magnitude
 * (panel.h). */
static inline bool csv_age_ok(double age) { return isfinite(age) && fabs(age) <= PANEL_AGE_MAX; }

/* The message of a field refused as what ("age", "count", ...):
 * "FILE:LINE:COL: what "text" why", the text shown with control bytes
 * (a NUL) and bytes that are not UTF-8 as \xNN. */
gbtm_status csv_bad_field(gbtm_error *err, const char *path, uint64_t line, size_t col, const char *what,
                          const char *text, size_t len, const char *why);

/* csv_bad_field() for an age that csv_parse_real() or csv_age_ok() refused. */
gbtm_status csv_bad_age(gbtm_error *err, const char *path, uint64_t line, size_t col, const char *text,
                        size_t len);

/* csv_bad_field() for a count that csv_parse_count() refused with bad. */
gbtm_status csv_bad_count(gbtm_error *err, const char *path, uint64_t line, size_t col, const char *text,
                          size_t len, int bad);

/* csv_bad_field() for a real response that csv_parse_response() refused. */
gbtm_status csv_bad_response(gbtm_error *err, const char *path, uint64_t line, size_t col, const char *text,
                             size_t len);

/* The message of a covariate field that csv_parse_covariate() refused:
 * "FILE:LINE:COL: risk factor "x" is "abc", not a finite number ...". */
gbtm_status csv_bad_covariate(gbtm_error *err, const char *path, uint64_t line, size_t col,
                              bool risk, const char *name, const char *text, size_t len);

#endif
