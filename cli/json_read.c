/* json_read.c: a recursive-descent JSON parser (json_read.h). The file is
 * read whole into memory; the parser keeps its position with line and
 * column for messages, and builds values as it goes, freeing a partial tree
 * on the first error. */
#include "json_read.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
  const char *path;
  const char *s, *end;
  size_t line, col;
  char *why;
  size_t why_size;
  bool failed;
} parser;

static void fail(parser *p, const char *what) {
  if (p->failed) return;
  p->failed = true;
  snprintf(p->why, p->why_size, "%s:%zu:%zu: %s", p->path, p->line, p->col, what);
}

static void advance(parser *p) {
  if (p->s >= p->end) return;
  if (*p->s == '\n') {
    p->line++;
    p->col = 1;
  } else if (((unsigned char)*p->s & 0xC0) != 0x80) { /* count characters, not UTF-8 bytes */
    p->col++;
  }
  p->s++;
}

static void skip_space(parser *p) {
  while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
    advance(p);
}

static bool literal(parser *p, const char *word) {
  size_t len = strlen(word);
  if ((size_t)(p->end - p->s) < len || memcmp(p->s, word, len) != 0) return false;
  for (size_t i = 0; i < len; i++) advance(p);
  return true;
}

/* A growable byte buffer for strings. */
typedef struct buffer {
  char *data;
  size_t len, cap;
} buffer;

static bool put(buffer *b, const char *bytes, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 32;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return false;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, bytes, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

static bool put_utf8(buffer *b, uint32_t c) {
  char u[4];
  size_t n;
  if (c < 0x80) u[0] = (char)c, n = 1;
  else if (c < 0x800) u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F)), n = 2;
  else if (c < 0x10000)
    u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3F)),
    u[2] = (char)(0x80 | (c & 0x3F)), n = 3;
  else
    u[0] = (char)(0xF0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3F)),
    u[2] = (char)(0x80 | ((c >> 6) & 0x3F)), u[3] = (char)(0x80 | (c & 0x3F)), n = 4;
  return put(b, u, n);
}

static int hex4(parser *p) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    if (p->s >= p->end) return -1;
    char c = *p->s;
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = 16 * v + d;
    advance(p);
  }
  return v;
}

/* A string at p->s (which is '"'); NULL on error. */
static char *parse_string(parser *p) {
  buffer b = {NULL, 0, 0};
  if (!put(&b, "", 0)) goto nomem;
  advance(p); /* the quote */
  for (;;) {
    if (p->s >= p->end) {
      fail(p, "unterminated string");
      goto error;
    }
    unsigned char c = (unsigned char)*p->s;
    if (c == '"') {
      advance(p);
      return b.data;
    }
    if (c < 0x20) {
      fail(p, "control character in a string (write it as an escape)");
      goto error;
    }
    if (c != '\\') {
      if (!put(&b, p->s, 1)) goto nomem;
      advance(p);
      continue;
    }
    advance(p);
    if (p->s >= p->end) {
      fail(p, "unterminated string");
      goto error;
    }
    char e = *p->s, out = 0;
    switch (e) {
    case '"': out = '"'; break;
    case '\\': out = '\\'; break;
    case '/': out = '/'; break;
    case 'b': out = '\b'; break;
    case 'f': out = '\f'; break;
    case 'n': out = '\n'; break;
    case 'r': out = '\r'; break;
    case 't': out = '\t'; break;
    case 'u': {
      advance(p);
      int u = hex4(p);
      if (u < 0) {
        fail(p, "expected four hexadecimal digits after \\u");
        goto error;
      }
      uint32_t cp = (uint32_t)u;
      if (cp >= 0xD800 && cp < 0xDC00) { /* a surrogate pair */
        if (!literal(p, "\\u")) {
          fail(p, "expected the low half of a surrogate pair (\\uDC00-\\uDFFF)");
          goto error;
        }
        int lo = hex4(p);
        if (lo < 0xDC00 || lo > 0xDFFF) {
          fail(p, "expected the low half of a surrogate pair (\\uDC00-\\uDFFF)");
          goto error;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
      } else if (cp >= 0xDC00 && cp < 0xE000) {
        cp = 0xFFFD; /* a lone low surrogate */
      }
      if (!put_utf8(&b, cp)) goto nomem;
      continue;
    }
    default: fail(p, "unknown escape in a string"); goto error;
    }
    if (!put(&b, &out, 1)) goto nomem;
    advance(p);
  }
nomem:
  fail(p, "out of memory");
error:
  free(b.data);
  return NULL;
}

/* The JSON number grammar, then strtod on exactly those characters. */
static bool parse_number(parser *p, double *out) {
  const char *start = p->s;
  const char *q = p->s;
  if (q < p->end && *q == '-') q++;
  if (q < p->end && *q == '0') q++;
  else if (q < p->end && *q >= '1' && *q <= '9')
    while (q < p->end && *q >= '0' && *q <= '9') q++;
  else
    return false;
  if (q < p->end && *q == '.') {
    q++;
    if (!(q < p->end && *q >= '0' && *q <= '9')) return false;
    while (q < p->end && *q >= '0' && *q <= '9') q++;
  }
  if (q < p->end && (*q == 'e' || *q == 'E')) {
    q++;
    if (q < p->end && (*q == '+' || *q == '-')) q++;
    if (!(q < p->end && *q >= '0' && *q <= '9')) return false;
    while (q < p->end && *q >= '0' && *q <= '9') q++;
  }
  char buf[512];
  size_t len = (size_t)(q - start);
  if (len >= sizeof buf) return false;
  memcpy(buf, start, len);
  buf[len] = '\0';
  errno = 0;
  *out = strtod(buf, NULL);
  if (!isfinite(*out)) return false;
  while (p->s < q) advance(p);
  return true;
}

static void value_clear(json_value *v);

static bool parse_value(parser *p, json_value *v, int depth);

static bool grow(json_value *v, size_t *cap, bool keys) {
  if (v->count < *cap) return true;
  size_t c = *cap ? 2 * *cap : 8;
  json_value *items = realloc(v->items, c * sizeof *items);
  if (!items) return false;
  v->items = items;
  if (keys) {
    char **k = realloc(v->keys, c * sizeof *k);
    if (!k) return false;
    v->keys = k;
  }
  *cap = c;
  return true;
}

static bool parse_array(parser *p, json_value *v, int depth) {
  v->type = JSON_ARRAY;
  size_t cap = 0;
  advance(p); /* [ */
  skip_space(p);
  if (p->s < p->end && *p->s == ']') {
    advance(p);
    return true;
  }
  for (;;) {
    if (!grow(v, &cap, false)) {
      fail(p, "out of memory");
      return false;
    }
    memset(&v->items[v->count], 0, sizeof v->items[0]);
    v->count++;
    if (!parse_value(p, &v->items[v->count - 1], depth + 1)) return false;
    skip_space(p);
    if (p->s < p->end && *p->s == ',') {
      advance(p);
      continue;
    }
    if (p->s < p->end && *p->s == ']') {
      advance(p);
      return true;
    }
    fail(p, "expected ',' or ']' in an array");
    return false;
  }
}

static bool parse_object(parser *p, json_value *v, int depth) {
  v->type = JSON_OBJECT;
  size_t cap = 0;
  advance(p); /* { */
  skip_space(p);
  if (p->s < p->end && *p->s == '}') {
    advance(p);
    return true;
  }
  for (;;) {
    skip_space(p);
    if (!(p->s < p->end && *p->s == '"')) {
      fail(p, "expected a member name in double quotes");
      return false;
    }
    if (!grow(v, &cap, true)) {
      fail(p, "out of memory");
      return false;
    }
    memset(&v->items[v->count], 0, sizeof v->items[0]);
    v->keys[v->count] = NULL;
    v->count++;
    if (!(v->keys[v->count - 1] = parse_string(p))) return false;
    skip_space(p);
    if (!(p->s < p->end && *p->s == ':')) {
      fail(p, "expected ':' after a member name");
      return false;
    }
    advance(p);
    if (!parse_value(p, &v->items[v->count - 1], depth + 1)) return false;
    skip_space(p);
    if (p->s < p->end && *p->s == ',') {
      advance(p);
      continue;
    }
    if (p->s < p->end && *p->s == '}') {
      advance(p);
      return true;
    }
    fail(p, "expected ',' or '}' in an object");
    return false;
  }
}

static bool parse_value(parser *p, json_value *v, int depth) {
  if (depth > JSON_READ_MAX_DEPTH) {
    fail(p, "nested too deeply");
    return false;
  }
  skip_space(p);
  if (p->s >= p->end) {
    fail(p, "unexpected end of file, expected a value");
    return false;
  }
  switch (*p->s) {
  case '{': return parse_object(p, v, depth);
  case '[': return parse_array(p, v, depth);
  case '"':
    v->type = JSON_STRING;
    return (v->string = parse_string(p)) != NULL;
  case 't':
  case 'f':
  case 'n':
    if (literal(p, "true")) v->type = JSON_BOOL, v->boolean = true;
    else if (literal(p, "false")) v->type = JSON_BOOL, v->boolean = false;
    else if (literal(p, "null")) v->type = JSON_NULL;
    else break;
    return true;
  default:
    v->type = JSON_NUMBER;
    if (parse_number(p, &v->number)) return true;
    break;
  }
  fail(p, "expected a value (object, array, string, number, true, false or null)");
  return false;
}

static void value_clear(json_value *v) {
  if (v->type == JSON_STRING) free(v->string);
  if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
    for (size_t i = 0; i < v->count; i++) {
      value_clear(&v->items[i]);
      if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
  }
}

void json_value_free(json_value *v) {
  if (!v) return;
  value_clear(v);
  free(v);
}

json_value *json_read_file(const char *path, char *why, size_t why_size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(why, why_size, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  buffer b = {NULL, 0, 0};
  char chunk[65536];
  size_t n;
  bool ok = put(&b, "", 0);
  /* Read once (a pipe cannot be read again), and bounded: JSON holds no NUL
   * byte, and gbtm's own JSON files are far below JSON_READ_MAX_BYTES, so
   * that /dev/zero or an endless pipe ends at once or at the bound. */
  while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    const char *nul = memchr(chunk, '\0', n);
    if (nul || b.len + n > JSON_READ_MAX_BYTES) {
      if (nul)
        snprintf(why, why_size, "%s: the byte \\x00 at offset %zu: not a JSON file (binary input)", path,
                 b.len + (size_t)(nul - chunk));
      else
        snprintf(why, why_size, "%s: larger than %d MiB: not a JSON file of gbtm's", path,
                 JSON_READ_MAX_BYTES >> 20);
      fclose(f);
      free(b.data);
      return NULL;
    }
    ok = put(&b, chunk, n);
  }
  bool read_error = ferror(f);
  fclose(f);
  if (!ok || read_error) {
    snprintf(why, why_size, "%s: %s", path, ok ? "cannot read the file" : "out of memory");
    free(b.data);
    return NULL;
  }
  json_value *root = calloc(1, sizeof *root);
  parser p = {path, b.data, b.data + b.len, 1, 1, why, why_size, false};
  if (!root) {
    snprintf(why, why_size, "%s: out of memory", path);
    free(b.data);
    return NULL;
  }
  if (b.len >= 3 && memcmp(b.data, "\xEF\xBB\xBF", 3) == 0) p.s += 3; /* a byte-order mark */
  if (parse_value(&p, root, 0)) {
    skip_space(&p);
    if (p.s < p.end) fail(&p, "expected the end of the file after the value");
  }
  free(b.data);
  if (p.failed) {
    json_value_free(root);
    return NULL;
  }
  return root;
}

const json_value *json_value_get(const json_value *v, const char *key) {
  if (!v || v->type != JSON_OBJECT) return NULL;
  for (size_t i = 0; i < v->count; i++)
    if (strcmp(v->keys[i], key) == 0) return &v->items[i];
  return NULL;
}

const json_value *json_value_at(const json_value *v, size_t i) {
  if (!v || v->type != JSON_ARRAY || i >= v->count) return NULL;
  return &v->items[i];
}

bool json_value_number(const json_value *v, double *out) {
  if (v && v->type == JSON_NUMBER) {
    *out = v->number;
    return true;
  }
  if (v && v->type == JSON_NULL) {
    *out = NAN;
    return true;
  }
  return false;
}
