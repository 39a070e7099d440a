/* csv_tokens.c: the cold parts of the CSV tokenizer shared by the long and
 * wide panel readers (csv_tokens.h): reading the file whole, quoted fields,
 * empty lines, the header row, line counting and the quoting of bad text in
 * messages. The hot per-field functions are inline in csv_tokens.h. */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE, where the system has it */
#include "formats/csv_tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/idtable.h"
#include "base/sha256.h"

void *csv_alloc_large(size_t size) {
  void *ptr = malloc(size ? size : 1);
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

/* The first line that is not empty (the header) must end within
 * CSV_HEADER_MAX bytes and hold no control byte but a tab or a carriage
 * return: binary data (/dev/zero, /dev/urandom, a compressed file) is
 * refused as its first bytes arrive, not read to its end. */
#define CSV_HEADER_MAX ((size_t)1 << 20)

#define H5_SIGNATURE "\x89HDF\r\n\x1a\n"

/* The header check, resumed on each piece read: *at is the next byte to
 * look at, *start the header's first byte (SIZE_MAX: not found yet), *line
 * its line. 1 when the header is whole and fine, 0 when more bytes are
 * needed, -1 (reported) when it is refused. */
static int check_header(const csv_reader *r, const char *buf, size_t size, bool eof, size_t *at, size_t *start,
                        uint64_t *line, gbtm_error *err) {
  size_t i = *at;
  if (*start == SIZE_MAX) {
    if (i == 0 && size >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (i < size && (buf[i] == '\n' || (buf[i] == '\r' && i + 1 < size && buf[i + 1] == '\n')))
      *line += 1, i += buf[i] == '\n' ? 1 : 2;
    if (i == size || (buf[i] == '\r' && i + 1 == size)) {
      *at = i;
      return eof ? 1 : 0;
    }
    *start = i;
  }
  size_t field = 1;
  bool quoted = false;
  for (size_t k = *start; k < i; k++) /* the fields before where this piece goes on */
    if (buf[k] == '"') quoted = !quoted;
    else if (buf[k] == ',' && !quoted) field++;
  for (; i < size; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c == '\n') return 1;
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) field++;
    else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      gbtm_fail(err, GBTM_ERR_PARSE,
                "%s:%llu:%zu: the header holds the byte \\x%02x, a control character (expected a header row "
                "naming the columns: is this a text file?)",
                r->path, (unsigned long long)*line, field, c);
      return -1;
    }
    if (i - *start >= CSV_HEADER_MAX) {
      gbtm_fail(err, GBTM_ERR_PARSE,
                "%s:%llu:%zu: no line end in the header's first %zu bytes (expected a header row naming the "
                "columns: is this a text file?)",
                r->path, (unsigned long long)*line, field, CSV_HEADER_MAX);
      return -1;
    }
  }
  *at = i;
  return eof ? 1 : 0;
}

/* Reads the file (or pipe, or device) whole into r->buf with one pass,
 * taking its SHA-256 on the way: nothing is read twice, so a pipe, a FIFO
 * or /dev/stdin works, and the fingerprint is that of the bytes read.
 * More than max_bytes (0: no limit) is refused as soon as it arrives. */
static gbtm_status read_file(csv_reader *r, uint64_t max_bytes, gbtm_error *err) {
  int fd = open(r->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot open: %s", r->path, strerror(errno));
  struct stat st;
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  size_t cap = 1 << 16;
  gbtm_status status = GBTM_OK;
  if (regular && max_bytes && (uint64_t)st.st_size > max_bytes)
    status = gbtm_fail(err, GBTM_ERR_USAGE, "%s: %llu bytes of data, more than the memory limit of the read (%llu bytes, --max-memory)",
                       r->path, (unsigned long long)st.st_size, (unsigned long long)max_bytes);
  else if (regular && (uint64_t)st.st_size < SIZE_MAX - CSV_PAD - 1)
    cap = (size_t)st.st_size + CSV_PAD + 1;
  char *buf = status == GBTM_OK ? csv_alloc_large(cap) : NULL;
  if (status == GBTM_OK && !buf) status = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", r->path);
  sha256_ctx hash;
  sha256_init(&hash);
  size_t size = 0, at = 0, start = SIZE_MAX;
  uint64_t line = 1;
  int header = 0; /* check_header's answer so far */
  while (status == GBTM_OK) {
    if (size == cap - CSV_PAD) { /* full (a pipe, or a file that grew): double, up to the limit and a byte */
      size_t more = cap < SIZE_MAX / 2 ? 2 * cap : 0;
      if (max_bytes && more > max_bytes + CSV_PAD + 1) more = (size_t)max_bytes + CSV_PAD + 1;
      char *bigger = more > cap ? realloc(buf, more) : NULL;
      if (!bigger) {
        status = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file (%zu bytes read)", r->path, size);
        break;
      }
      buf = bigger;
      cap = more;
    }
    size_t want = cap - CSV_PAD - size;
    ssize_t got = read(fd, buf + size, want);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      status = gbtm_fail(err, GBTM_ERR_IO, "%s: cannot read: %s", r->path, strerror(errno));
      break;
    }
    sha256_update(&hash, buf + size, (size_t)got);
    size += (size_t)got;
    if (max_bytes && size > max_bytes) {
      status = gbtm_fail(err, GBTM_ERR_USAGE, "%s: more than %llu bytes of data, the memory limit of the read (--max-memory)",
                         r->path, (unsigned long long)max_bytes);
      break;
    }
    if (size >= 8 && size - (size_t)got < 8 && memcmp(buf, H5_SIGNATURE, 8) == 0) {
      status = regular ? gbtm_fail(err, GBTM_ERR_PARSE, "%s: an HDF5 file, not CSV", r->path)
                       : gbtm_fail(err, GBTM_ERR_USAGE,
                                   "%s: an HDF5 panel read from a pipe or a device: HDF5 is read out of order, "
                                   "so it must be a regular file",
                                   r->path);
      break;
    }
    if (header == 0 && (header = check_header(r, buf, size, got == 0, &at, &start, &line, err)) < 0) {
      status = GBTM_ERR_PARSE;
      break;
    }
    if (got == 0) break;
  }
  close(fd);
  if (status != GBTM_OK) {
    free(buf);
    return status;
  }
  unsigned char digest[32];
  sha256_final(&hash, digest);
  sha256_hex(digest, r->sha256);
  buf[size] = '\n'; /* the sentinel of csv_next_field() */
  memset(buf + size + 1, 0, CSV_PAD - 1);
  r->buf = buf;
  r->size = size;
  return GBTM_OK;
}

gbtm_status csv_open(csv_reader *r, const char *path, uint64_t max_bytes, gbtm_error *err) {
  *r = (csv_reader){.path = path, .line = 1};
  gbtm_status st = read_file(r, max_bytes, err);
  if (st != GBTM_OK) return st;
  if (r->size >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
  csv_skip_empty_lines(r);
  if (r->pos == r->size) {
    free(r->buf);
    r->buf = NULL;
    return gbtm_fail(err, GBTM_ERR_PARSE,
                     "%s:1:1: empty file (expected a header row naming the columns)", path);
  }
  return GBTM_OK;
}

int csv_quoted_field(csv_reader *r, char *p, uint64_t row_line, size_t col, char **text,
                     size_t *len, gbtm_error *err) {
  char *end = r->buf + r->size, *w = p + 1, *q = p + 1;
  for (;;) {
    if (q == end) {
      gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: quoted field not closed (expected '\"')",
                r->path, (unsigned long long)row_line, col);
      return CSV_FIELD_ERROR;
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
    return CSV_FIELD_EOF;
  }
  if (*q == ',') {
    r->pos = (size_t)(q + 1 - r->buf);
    return CSV_FIELD_COMMA;
  }
  if (*q == '\r' && q + 1 < end && q[1] == '\n') q++;
  if (*q == '\n' || (*q == '\r' && q + 1 == end)) {
    r->pos = (size_t)(q + 1 - r->buf);
    r->line++;
    return CSV_FIELD_EOL;
  }
  gbtm_fail(err, GBTM_ERR_PARSE,
            "%s:%llu:%zu: expected ',' or the end of the line after a closing quote, found '%c'",
            r->path, (unsigned long long)row_line, col, *q);
  return CSV_FIELD_ERROR;
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

void csv_append_shown(char *buf, size_t cap, size_t *used, const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  size_t n = len < CSV_SHOW ? len : CSV_SHOW;
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

gbtm_status csv_read_header(csv_reader *r, size_t n, const char *const *names, size_t *where,
                            size_t *fields, gbtm_error *err) {
  size_t *len = malloc((n ? n : 1) * sizeof *len);
  if (!len) return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the header", r->path);
  for (size_t k = 0; k < n; k++) {
    where[k] = SIZE_MAX;
    len[k] = names[k] ? strlen(names[k]) : 0;
  }
  uint64_t line = r->line;
  char found[512]; /* the header as read, for messages */
  size_t flen = 0;
  found[0] = '\0';
  size_t f = 0, *first = NULL, named = 0; /* the field of each distinct name */
  idtable *seen = idtable_alloc(0);
  if (!seen) {
    free(len);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the header", r->path);
  }
  int term;
  do {
    char *text;
    size_t tlen;
    term = csv_next_field(r, line, f + 1, &text, &tlen, err);
    gbtm_status st = term == CSV_FIELD_ERROR ? GBTM_ERR_PARSE : GBTM_OK;
    const char *name = text;
    size_t name_len = tlen;
    if (st == GBTM_OK) csv_trim(&name, &name_len);
    /* Each name names one column: a second column of a name is an error
     * (else the first would be used without a word). Empty names, which
     * no option can give, may repeat (a trailing comma). */
    uint32_t k;
    bool added;
    if (st == GBTM_OK && name_len > 0) {
      if (named % 64 == 0) {
        size_t *more = realloc(first, (named + 64) * sizeof *first);
        if (more) first = more;
        else st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the header", r->path);
      }
      if (st == GBTM_OK && !idtable_intern(seen, name, name_len, &k, &added))
        st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the header", r->path);
      else if (st == GBTM_OK && added)
        first[named++] = f;
      else if (st == GBTM_OK) {
        char shown[4 * CSV_SHOW + 8];
        size_t used = 0;
        csv_append_shown(shown, sizeof shown, &used, name, name_len);
        st = gbtm_fail(err, GBTM_ERR_PARSE,
                       "%s:%llu:%zu: column \"%s\" again, first at column %zu (column names must differ)",
                       r->path, (unsigned long long)line, f + 1, shown, first[k] + 1);
      }
    }
    if (st != GBTM_OK) {
      free(len);
      free(first);
      idtable_free(seen);
      return st;
    }
    for (size_t k = 0; k < n; k++)
      if (names[k] && where[k] == SIZE_MAX && len[k] == name_len && memcmp(names[k], name, name_len) == 0)
        where[k] = f;
    if (f && flen + 2 < sizeof found) found[flen++] = ',', found[flen] = '\0';
    csv_append_shown(found, sizeof found, &flen, text, tlen);
    f++;
  } while (term == CSV_FIELD_COMMA);
  free(len);
  free(first);
  idtable_free(seen);
  *fields = f;
  if (r->data_line) r->line = r->data_line;
  for (size_t k = 0; k < n; k++)
    if (names[k] && where[k] == SIZE_MAX) {
      const char *more = flen + 6 >= sizeof found ? ",..." : "";
      return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:1: missing column \"%s\" in header (found: %s%s)",
                       r->path, (unsigned long long)line, names[k], found, more);
    }
  return GBTM_OK;
}

/* Eight bytes at a time: ~(((t & 0x7f..) + 0x7f..) | t | 0x7f..) has the
 * top bit set exactly in the bytes where t = w ^ '\n\n..' is 0. */
size_t csv_count_lines(const char *buf, size_t size) {
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

gbtm_status csv_bad_covariate(gbtm_error *err, const char *path, uint64_t line, size_t col,
                              bool risk, const char *name, const char *text, size_t len) {
  char shown[4 * CSV_SHOW + 8];
  size_t used = 0;
  shown[0] = '\0';
  csv_append_shown(shown, sizeof shown, &used, text, len);
  return gbtm_fail(err, GBTM_ERR_PARSE,
                   "%s:%llu:%zu: %s \"%s\" is \"%s\", not a finite number (a missing value is "
                   "empty, \".\" or \"NA\")",
                   path, (unsigned long long)line, col, risk ? "risk factor" : "time-varying covariate",
                   name, shown);
}

gbtm_status csv_bad_field(gbtm_error *err, const char *path, uint64_t line, size_t col, const char *what,
                          const char *text, size_t len, const char *why) {
  char shown[4 * CSV_SHOW + 8];
  size_t used = 0;
  shown[0] = '\0';
  csv_append_shown(shown, sizeof shown, &used, text, len);
  return gbtm_fail(err, GBTM_ERR_PARSE, "%s:%llu:%zu: %s \"%s\" %s", path, (unsigned long long)line, col, what,
                   shown, why);
}

gbtm_status csv_bad_age(gbtm_error *err, const char *path, uint64_t line, size_t col, const char *text,
                        size_t len) {
  double age;
  bool large = csv_parse_real(text, len, &age) && isfinite(age);
  return csv_bad_field(err, path, line, col, "age", text, len,
                       large ? "is beyond -1e300 to 1e300 (the polynomial in age would overflow)"
                             : "is not a finite number");
}

gbtm_status csv_bad_response(gbtm_error *err, const char *path, uint64_t line, size_t col, const char *text,
                             size_t len) {
  return csv_bad_field(err, path, line, col, "count", text, len, "is not a finite number (a decimal real)");
}

int csv_parse_count_real(const char *s, size_t len, int64_t *out) {
  double v;
  if (!csv_parse_real(s, len, &v) || !isfinite(v) || !(v >= 0.0) || v != floor(v)) return 1;
  if (v > (double)INT32_MAX) return 2;
  *out = (int64_t)v;
  return 0;
}

gbtm_status csv_bad_count(gbtm_error *err, const char *path, uint64_t line, size_t col, const char *text,
                          size_t len, int bad) {
  return csv_bad_field(err, path, line, col, "count", text, len,
                       bad == 1 ? "is not a non-negative integer" : "too large (at most 2147483647)");
}
