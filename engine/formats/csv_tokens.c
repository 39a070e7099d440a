/* csv_tokens.c: the cold parts of the CSV tokenizer shared by the long and
 * wide panel readers (csv_tokens.h): reading the file whole, quoted fields,
 * empty lines, the header row, line counting and the quoting of bad text in
 * messages. The hot per-field functions are inline in csv_tokens.h. */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE, where the system has it */
#include "formats/csv_tokens.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Reads the whole file into r->buf. */
static gbtm_status read_file(csv_reader *r, gbtm_error *err) {
  FILE *f = fopen(r->path, "rb");
  if (!f) return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot open: %s", r->path, strerror(errno));
  struct stat st;
  size_t cap = 1 << 16;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
      (uint64_t)st.st_size < SIZE_MAX - CSV_PAD - 1)
    cap = (size_t)st.st_size + CSV_PAD + 1;
  char *buf = csv_alloc_large(cap);
  size_t size = 0;
  for (;;) {
    if (!buf) {
      fclose(f);
      return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", r->path);
    }
    size += fread(buf + size, 1, cap - CSV_PAD - size, f);
    if (ferror(f)) {
      int saved = errno;
      free(buf);
      fclose(f);
      return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot read: %s", r->path,
                       saved ? strerror(saved) : "read error");
    }
    if (feof(f)) break;
    if (size == cap - CSV_PAD) { /* full (a pipe, or a file that grew): double */
      char *bigger = cap < SIZE_MAX / 2 ? realloc(buf, 2 * cap) : NULL;
      if (!bigger) free(buf);
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  buf[size] = '\n'; /* the sentinel of csv_next_field() */
  memset(buf + size + 1, 0, CSV_PAD - 1);
  r->buf = buf;
  r->size = size;
  return GBTM_OK;
}

gbtm_status csv_open(csv_reader *r, const char *path, gbtm_error *err) {
  *r = (csv_reader){.path = path, .line = 1};
  gbtm_status st = read_file(r, err);
  if (st != GBTM_OK) return st;
  sha256_hex_of(r->buf, r->size, r->sha256); /* before tokenising changes the buffer */
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
  size_t f = 0;
  int term;
  do {
    char *text;
    size_t tlen;
    term = csv_next_field(r, line, f + 1, &text, &tlen, err);
    if (term == CSV_FIELD_ERROR) {
      free(len);
      return GBTM_ERR_PARSE;
    }
    const char *name = text;
    size_t name_len = tlen;
    csv_trim(&name, &name_len);
    for (size_t k = 0; k < n; k++)
      if (names[k] && where[k] == SIZE_MAX && len[k] == name_len && memcmp(names[k], name, name_len) == 0)
        where[k] = f;
    if (f && flen + 2 < sizeof found) found[flen++] = ',', found[flen] = '\0';
    csv_append_shown(found, sizeof found, &flen, text, tlen);
    f++;
  } while (term == CSV_FIELD_COMMA);
  free(len);
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
