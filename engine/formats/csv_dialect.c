/* csv_dialect.c: the CSV dialects of csv_dialect.h: semicolon- and
 * tab-separated files and decimal commas (as Excel writes CSV in most
 * European locales), rewritten in memory into the comma dialect. */
#include "formats/csv_dialect.h"

#include <stdlib.h>
#include <string.h>

char csv_dialect_delimiter(const csv_reader *r, char delimiter) {
  if (delimiter) return delimiter;
  size_t comma = 0, semicolon = 0, tab = 0;
  bool quoted = false;
  for (const char *p = r->buf + r->pos, *end = r->buf + r->size; p < end && (quoted || *p != '\n'); p++) {
    if (*p == '"') quoted = !quoted;
    else if (!quoted) comma += *p == ',', semicolon += *p == ';', tab += *p == '\t';
  }
  if (semicolon > comma && semicolon >= tab) return ';';
  if (tab > comma && tab > semicolon) return '\t';
  return ',';
}

/* Whether text[0..len) is a number with one decimal comma: blanks, an
 * optional sign, digits, a comma, digits (at least one digit in all), an
 * optional exponent, blanks. */
static bool decimal_comma_number(const char *s, size_t len) {
  size_t i = 0, digits = 0;
  while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
  if (i < len && (s[i] == '+' || s[i] == '-')) i++;
  while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
  if (i == len || s[i] != ',') return false;
  for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) digits++;
  if (digits == 0) return false;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    size_t at = ++i;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++, at++;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    if (i == at) return false;
  }
  while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
  return i == len;
}

/* The rewrite of in[0..n) into out (NULL: only counted); the bytes out. */
static size_t rewrite(const char *in, size_t n, char delim, bool decimal_comma, char *out) {
  size_t o = 0, i = 0;
#define PUT(c)                                                                                     \
  do {                                                                                             \
    char put_ = (c);                                                                               \
    if (out) out[o] = put_;                                                                        \
    o++;                                                                                           \
  } while (0)
  while (i < n) {
    if (in[i] == '"') { /* a quoted field, copied to its closing quote */
      PUT(in[i++]);
      while (i < n) {
        if (in[i] == '"' && i + 1 < n && in[i + 1] == '"') {
          PUT('"');
          PUT('"');
          i += 2;
        } else if (in[i] == '"') {
          PUT(in[i++]);
          break;
        } else {
          PUT(in[i++]);
        }
      }
    }
    size_t a = i; /* the unquoted field, or what follows a closing quote */
    while (i < n && in[i] != delim && in[i] != '\n') i++;
    size_t b = i;
    if (b > a && in[b - 1] == '\r' && (b == n || in[b] == '\n')) b--;
    bool comma = memchr(in + a, ',', b - a) != NULL;
    if (comma && decimal_comma && decimal_comma_number(in + a, b - a)) {
      for (size_t k = a; k < b; k++) PUT(in[k] == ',' ? '.' : in[k]);
    } else if (comma && in[a] != '"') {
      PUT('"');
      for (size_t k = a; k < b; k++) {
        if (in[k] == '"') PUT('"');
        PUT(in[k]);
      }
      PUT('"');
    } else {
      for (size_t k = a; k < b; k++) PUT(in[k]);
    }
    for (size_t k = b; k < i; k++) PUT(in[k]); /* a CR before the line end */
    if (i < n) {
      PUT(in[i] == delim ? ',' : in[i]);
      i++;
    }
  }
#undef PUT
  return o;
}

/* csv_dialect_apply() but for freeing the buffer on failure. */
static gbtm_status apply(csv_reader *r, char delimiter, char decimal, gbtm_error *err) {
  if (delimiter && delimiter != ',' && delimiter != ';' && delimiter != '\t')
    return gbtm_fail(err, GBTM_ERR_USAGE, "%s: the delimiter is a comma, a semicolon or a tab", r->path);
  if (decimal && decimal != '.' && decimal != ',')
    return gbtm_fail(err, GBTM_ERR_USAGE, "%s: the decimal mark is a point or a comma", r->path);
  char delim = csv_dialect_delimiter(r, delimiter);
  bool decimal_comma = decimal == ',';
  if (decimal_comma && delim == ',')
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "%s:%llu:1: decimal commas need another delimiter, and the header's is the comma "
                     "(a semicolon or a tab: --delimiter)",
                     r->path, (unsigned long long)r->line);
  if (delim == ',') return GBTM_OK;
  const char *in = r->buf + r->pos;
  size_t n = r->size - r->pos, size = rewrite(in, n, delim, decimal_comma, NULL);
  char *buf = size < SIZE_MAX - CSV_PAD - 1 ? csv_alloc_large(size + CSV_PAD + 1) : NULL;
  if (!buf) return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", r->path);
  rewrite(in, n, delim, decimal_comma, buf);
  buf[size] = '\n'; /* the sentinel of csv_next_field() */
  memset(buf + size + 1, 0, CSV_PAD - 1);
  free(r->buf);
  r->buf = buf;
  r->size = size;
  r->pos = 0;
  return GBTM_OK;
}

gbtm_status csv_dialect_apply(csv_reader *r, char delimiter, char decimal, gbtm_error *err) {
  gbtm_status st = apply(r, delimiter, decimal, err);
  if (st != GBTM_OK) {
    free(r->buf);
    r->buf = NULL;
  }
  return st;
}
