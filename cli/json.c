/* json.c: the streaming JSON writer of json.h. It keeps, per open container,
 * whether it is an object or an array and how many members it holds, which
 * is all it needs to place commas and line breaks. Validity of the output
 * (every value inside an object has a key, containers are closed in order)
 * is the caller's job and is checked with assert. */
#include "json.h"

#include <assert.h>
#include <math.h>

static void indent(json_writer *w, int depth) {
  fputc('\n', w->out);
  for (int i = 0; i < depth; i++) fputs("  ", w->out);
}

/* Writes what must precede a value: nothing at the top or after a key; in an
 * array a comma and a space, or a line break before a nested container. */
static void before_value(json_writer *w, bool container) {
  if (w->depth == 0) return;
  json_level *parent = &w->level[w->depth - 1];
  if (parent->is_object) {
    assert(w->pending_key && "a value inside an object needs json_key() first");
    w->pending_key = false;
    return;
  }
  if (parent->count > 0) fputc(',', w->out);
  if (container) {
    indent(w, w->depth);
    parent->broken = true;
  } else if (parent->count > 0) {
    fputc(' ', w->out);
  }
  parent->count++;
}

static void begin(json_writer *w, bool is_object) {
  before_value(w, true);
  assert(w->depth < JSON_MAX_DEPTH);
  w->level[w->depth] = (json_level){.is_object = is_object, .count = 0, .broken = false};
  w->depth++;
  fputc(is_object ? '{' : '[', w->out);
}

void json_init(json_writer *w, FILE *out) {
  w->out = out;
  w->depth = 0;
  w->pending_key = false;
}

void json_object_begin(json_writer *w) { begin(w, true); }
void json_array_begin(json_writer *w) { begin(w, false); }

void json_object_end(json_writer *w) {
  assert(w->depth > 0 && w->level[w->depth - 1].is_object && !w->pending_key);
  w->depth--;
  if (w->level[w->depth].count > 0) indent(w, w->depth);
  fputc('}', w->out);
}

void json_array_end(json_writer *w) {
  assert(w->depth > 0 && !w->level[w->depth - 1].is_object);
  w->depth--;
  if (w->level[w->depth].broken) indent(w, w->depth);
  fputc(']', w->out);
}

void json_key(json_writer *w, const char *key) {
  assert(w->depth > 0 && w->level[w->depth - 1].is_object && !w->pending_key);
  json_level *parent = &w->level[w->depth - 1];
  if (parent->count > 0) fputc(',', w->out);
  indent(w, w->depth);
  json_write_string(w->out, key);
  fputs(": ", w->out);
  parent->count++;
  w->pending_key = true;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if the bytes there are
 * not one (overlong forms, surrogates and code points above U+10FFFF are
 * invalid, as in RFC 3629). s[0] >= 0x80. */
static int utf8_length(const unsigned char *s) {
  unsigned char b = s[0];
  unsigned char lo = 0x80, hi = 0xBF;
  int n;
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s[1] < lo || s[1] > hi) return 0;
  for (int i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  return n;
}

void json_write_string(FILE *out, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  fputc('"', out);
  while (*p) {
    unsigned char c = *p;
    if (c >= 0x80) {
      int n = utf8_length(p);
      if (n == 0) {
        fputs("\\ufffd", out);
        p++;
      } else {
        fwrite(p, 1, (size_t)n, out);
        p += n;
      }
      continue;
    }
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\r': fputs("\\r", out); break;
    case '\t': fputs("\\t", out); break;
    case '\b': fputs("\\b", out); break;
    case '\f': fputs("\\f", out); break;
    default:
      if (c < 0x20)
        fprintf(out, "\\u%04x", (unsigned)c);
      else
        fputc(c, out);
    }
    p++;
  }
  fputc('"', out);
}

void json_string(json_writer *w, const char *s) {
  before_value(w, false);
  if (s)
    json_write_string(w->out, s);
  else
    fputs("null", w->out);
}

void json_double(json_writer *w, double x) {
  before_value(w, false);
  if (isfinite(x))
    fprintf(w->out, "%.17g", x);
  else
    fputs("null", w->out);
}

void json_int(json_writer *w, long long x) {
  before_value(w, false);
  fprintf(w->out, "%lld", x);
}

void json_uint(json_writer *w, unsigned long long x) {
  before_value(w, false);
  fprintf(w->out, "%llu", x);
}

void json_bool(json_writer *w, bool x) {
  before_value(w, false);
  fputs(x ? "true" : "false", w->out);
}

void json_null(json_writer *w) {
  before_value(w, false);
  fputs("null", w->out);
}

void json_end(json_writer *w) {
  assert(w->depth == 0);
  fputc('\n', w->out);
}

void json_kv_string(json_writer *w, const char *key, const char *s) {
  json_key(w, key);
  json_string(w, s);
}

void json_kv_double(json_writer *w, const char *key, double x) {
  json_key(w, key);
  json_double(w, x);
}

void json_kv_int(json_writer *w, const char *key, long long x) {
  json_key(w, key);
  json_int(w, x);
}

void json_kv_uint(json_writer *w, const char *key, unsigned long long x) {
  json_key(w, key);
  json_uint(w, x);
}

void json_kv_bool(json_writer *w, const char *key, bool x) {
  json_key(w, key);
  json_bool(w, x);
}

void json_kv_double_array(json_writer *w, const char *key, const double *x, size_t n) {
  json_key(w, key);
  json_array_begin(w);
  for (size_t i = 0; i < n; i++) json_double(w, x[i]);
  json_array_end(w);
}
