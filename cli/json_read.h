/* json_read.h: a small JSON reader for the files the gbtm command writes
 * and reads back (select.json, the output of --json), so that `gbtm plot`
 * can draw them. It parses a whole file (RFC 8259: objects, arrays,
 * strings with every escape, numbers, true, false, null) into a tree of
 * values; a malformed file is reported as "FILE:LINE:COLUMN: what was
 * expected". Nesting is limited to JSON_READ_MAX_DEPTH levels, so that a
 * hostile file cannot exhaust the stack. */
#ifndef GBTM_CLI_JSON_READ_H
#define GBTM_CLI_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_READ_MAX_DEPTH 64

typedef enum json_type {
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
} json_type;

typedef struct json_value json_value;
struct json_value {
  json_type type;
  bool boolean;      /* JSON_BOOL */
  double number;     /* JSON_NUMBER */
  char *string;      /* JSON_STRING: UTF-8, NUL-terminated (a NUL inside ends it) */
  size_t count;      /* JSON_ARRAY, JSON_OBJECT: elements or members */
  json_value *items; /* count elements, or the members' values */
  char **keys;       /* JSON_OBJECT: count keys */
};

/* The largest JSON file read (bytes). */
#define JSON_READ_MAX_BYTES (256 << 20)

/* Parses the file at path, read once (a pipe works), refusing a NUL byte
 * or more than JSON_READ_MAX_BYTES as it reads. Returns the root value
 * (free it with json_value_free) or NULL with a message in why[why_size]. */
json_value *json_read_file(const char *path, char *why, size_t why_size);

void json_value_free(json_value *v);

/* The member key of object v (the first when repeated), or NULL when v is
 * not an object or has no such member. */
const json_value *json_value_get(const json_value *v, const char *key);
/* Element i of array v, or NULL. */
const json_value *json_value_at(const json_value *v, size_t i);
/* The number of v: its value for a number, NaN for null; false for any
 * other type (and for a missing value, v = NULL). */
bool json_value_number(const json_value *v, double *out);

#endif
