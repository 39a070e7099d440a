/* json.h: a small streaming JSON writer for the --json output of the gbtm
 * subcommands. The caller opens and closes objects and arrays in order; the
 * writer places commas, keys and indentation. Objects put one member per
 * line; arrays of plain values stay on one line ([1, 2, 3]) and arrays of
 * objects or arrays put each element on its own line. Strings are escaped
 * (control characters, quotes, backslashes; invalid UTF-8 becomes U+FFFD),
 * doubles are written with %.17g so they read back bit-identical, and NaN or
 * infinities, which JSON cannot hold, are written as null.
 *
 * Printing assumes the "C" numeric locale (the gbtm command sets it). The
 * writer holds no allocation; nesting deeper than JSON_MAX_DEPTH is a bug
 * in the caller and is caught by assert. */
#ifndef GBTM_CLI_JSON_H
#define GBTM_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json_level {
  bool is_object; /* object (keys) or array */
  size_t count;   /* members written so far */
  bool broken;    /* elements were put on their own lines (arrays) */
} json_level;

typedef struct json_writer {
  FILE *out;                        /* borrowed, not closed */
  int depth;                        /* open containers */
  bool pending_key;                 /* a key was written, its value is next */
  json_level level[JSON_MAX_DEPTH]; /* level[0] is the outermost container */
} json_writer;

/* Starts a writer on out (borrowed for the writer's life). */
void json_init(json_writer *w, FILE *out);

/* Containers. Inside an object each value must follow json_key(). */
void json_object_begin(json_writer *w);
void json_object_end(json_writer *w);
void json_array_begin(json_writer *w);
void json_array_end(json_writer *w);
void json_key(json_writer *w, const char *key);

/* Values (s may be NULL: null). json_end() ends the document with a newline. */
void json_string(json_writer *w, const char *s);
void json_double(json_writer *w, double x);
void json_int(json_writer *w, long long x);
void json_uint(json_writer *w, unsigned long long x);
void json_bool(json_writer *w, bool x);
void json_null(json_writer *w);
void json_end(json_writer *w);

/* A key and its value in one call. */
void json_kv_string(json_writer *w, const char *key, const char *s);
void json_kv_double(json_writer *w, const char *key, double x);
void json_kv_int(json_writer *w, const char *key, long long x);
void json_kv_uint(json_writer *w, const char *key, unsigned long long x);
void json_kv_bool(json_writer *w, const char *key, bool x);

/* An array of n doubles (non-finite ones as null). */
void json_kv_double_array(json_writer *w, const char *key, const double *x, size_t n);

/* Writes s to out as a quoted, escaped JSON string. */
void json_write_string(FILE *out, const char *s);

#endif
