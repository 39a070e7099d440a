/* native_table.c: reads the wanted variables of a Stata, SPSS or SAS file
 * into a table (native_table.h) through ReadStat. The file is read whole
 * once, its SHA-256 taken on the way, and ReadStat parses it from memory
 * through I/O handlers, so that a pipe works and nothing is opened twice.
 * ReadStat's callbacks get the table as their context: no global state. */
#include "formats/native_table.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/sha256.h"

typedef struct native_label {
  char *set;
  double key;
  char *label;
} native_label;

static const unsigned char SAS7BDAT_MAGIC[32] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                                 0x00, 0x00, 0x00, 0x00, 0xc2, 0xea, 0x81, 0x60,
                                                 0xb3, 0x14, 0x11, 0xcf, 0xbd, 0x92, 0x08, 0x00,
                                                 0x09, 0xc7, 0x31, 0x8c, 0x18, 0x1f, 0x10, 0x11};
#define XPT_MAGIC "HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!"

static bool ends_with(const char *path, const char *ext) {
  size_t n = strlen(path), e = strlen(ext);
  return n > e && strcasecmp(path + n - e, ext) == 0;
}

native_format native_format_of(const char *path) {
  unsigned char head[64] = {0};
  size_t got = 0;
  struct stat sb;
  if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
    FILE *f = fopen(path, "rb");
    if (f) {
      got = fread(head, 1, sizeof head, f);
      fclose(f);
    }
  }
  if (got >= 32 && memcmp(head, SAS7BDAT_MAGIC, 32) == 0) return NATIVE_SAS7BDAT;
  if (got >= 4 && (memcmp(head, "$FL2", 4) == 0 || memcmp(head, "$FL3", 4) == 0)) return NATIVE_SAV;
  if (got >= 11 && memcmp(head, "<stata_dta>", 11) == 0) return NATIVE_DTA;
  if (got >= sizeof XPT_MAGIC - 1 && memcmp(head, XPT_MAGIC, sizeof XPT_MAGIC - 1) == 0) return NATIVE_XPT;
  if (ends_with(path, ".dta")) return NATIVE_DTA;
  if (ends_with(path, ".sav") || ends_with(path, ".zsav")) return NATIVE_SAV;
  if (ends_with(path, ".sas7bdat")) return NATIVE_SAS7BDAT;
  if (ends_with(path, ".xpt")) return NATIVE_XPT;
  return NATIVE_NONE;
}

const char *native_format_name(native_format format) {
  switch (format) {
  case NATIVE_DTA: return "Stata .dta";
  case NATIVE_SAV: return "SPSS .sav";
  case NATIVE_SAS7BDAT: return "SAS .sas7bdat";
  case NATIVE_XPT: return "SAS transport .xpt";
  default: return "native";
  }
}

/* ---- the file in memory, and ReadStat's I/O on it ----------------------- */

typedef struct memory_io {
  const unsigned char *data;
  size_t size, pos;
} memory_io;

static int io_open(const char *path, void *ctx) {
  (void)path;
  ((memory_io *)ctx)->pos = 0;
  return 0;
}

static int io_close(void *ctx) {
  (void)ctx;
  return 0;
}

static readstat_off_t io_seek(readstat_off_t offset, readstat_io_flags_t whence, void *ctx) {
  memory_io *m = ctx;
  long long base = whence == READSTAT_SEEK_SET ? 0 : whence == READSTAT_SEEK_CUR ? (long long)m->pos : (long long)m->size;
  long long at = base + (long long)offset;
  if (at < 0 || at > (long long)m->size) return -1;
  m->pos = (size_t)at;
  return (readstat_off_t)at;
}

static ssize_t io_read(void *buf, size_t nbyte, void *ctx) {
  memory_io *m = ctx;
  size_t n = m->size - m->pos < nbyte ? m->size - m->pos : nbyte;
  if (n == 0) return 0; /* ReadStat may ask for 0 bytes into no buffer */
  memcpy(buf, m->data + m->pos, n);
  m->pos += n;
  return (ssize_t)n;
}

static readstat_error_t io_update(long file_size, readstat_progress_handler progress, void *user_ctx, void *ctx) {
  (void)file_size, (void)progress, (void)user_ctx, (void)ctx;
  return READSTAT_OK;
}

/* The file whole into *data (*size bytes), its SHA-256 into hex. */
static gbtm_status read_whole(const char *path, uint64_t max_bytes, unsigned char **data, size_t *size, char hex[65],
                              gbtm_error *err) {
  *data = NULL;
  *size = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = malloc(cap);
  gbtm_status st = buf ? GBTM_OK : gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", path);
  sha256_ctx hash;
  sha256_init(&hash);
  while (st == GBTM_OK) {
    if (n == cap) {
      unsigned char *bigger = cap < SIZE_MAX / 2 ? realloc(buf, 2 * cap) : NULL;
      if (!bigger) {
        st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file (%zu bytes read)", path, n);
        break;
      }
      buf = bigger;
      cap *= 2;
    }
    ssize_t got = read(fd, buf + n, cap - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      st = gbtm_fail(err, GBTM_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
      break;
    }
    if (got == 0) break;
    sha256_update(&hash, buf + n, (size_t)got);
    n += (size_t)got;
    if (max_bytes && n > max_bytes)
      st = gbtm_fail(err, GBTM_ERR_USAGE, "%s: more than %llu bytes of data, the memory limit of the read (--max-memory)",
                     path, (unsigned long long)max_bytes);
  }
  close(fd);
  if (st != GBTM_OK) {
    free(buf);
    return st;
  }
  unsigned char digest[32];
  sha256_final(&hash, digest);
  sha256_hex(digest, hex);
  *data = buf;
  *size = n;
  return GBTM_OK;
}

/* ---- the callbacks ---------------------------------------------------------- */

/* The state of one parse: the table, the wanted names, the row reached
 * and the first failure. */
typedef struct parse_ctx {
  native_table *t;
  const char *const *wanted;
  size_t rows_cap;
  long row;          /* the last row a value came from (0-based), -1: none */
  bool nomem;
  char message[256]; /* ReadStat's error message, if any */
} parse_ctx;

static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  if (c) memcpy(c, s, n);
  return c;
}

static int on_variable(int index, readstat_variable_t *variable, const char *val_labels, void *vctx) {
  parse_ctx *c = vctx;
  native_table *t = c->t;
  const char *name = readstat_variable_get_name(variable);
  if (!name) name = "";
  size_t used = strlen(t->found);
  if (used + strlen(name) + 3 < sizeof t->found) {
    snprintf(t->found + used, sizeof t->found - used, "%s%s", used ? ", " : "", name);
  } else if (used + 4 < sizeof t->found && strcmp(t->found + used - 3, "...") != 0) {
    snprintf(t->found + used, sizeof t->found - used, ", ...");
  }
  bool any = false;
  for (size_t k = 0; k < t->n_wanted; k++)
    if (c->wanted[k] && !t->index[k] && strcmp(c->wanted[k], name) == 0) {
      t->index[k] = index + 1;
      any = true;
      if (val_labels && !t->label_set[k] && !(t->label_set[k] = copy_string(val_labels))) {
        c->nomem = true;
        return READSTAT_HANDLER_ABORT;
      }
    }
  return any ? READSTAT_HANDLER_OK : READSTAT_HANDLER_SKIP_VARIABLE;
}

static double number_of(readstat_value_t value) {
  switch (readstat_value_type(value)) {
  case READSTAT_TYPE_INT8: return (double)readstat_int8_value(value);
  case READSTAT_TYPE_INT16: return (double)readstat_int16_value(value);
  case READSTAT_TYPE_INT32: return (double)readstat_int32_value(value);
  case READSTAT_TYPE_FLOAT: return (double)readstat_float_value(value);
  case READSTAT_TYPE_DOUBLE: return readstat_double_value(value);
  default: return NAN;
  }
}

/* Room for row (0-based). */
static bool reserve_row(parse_ctx *c, size_t row) {
  native_table *t = c->t;
  if (row < c->rows_cap) return true;
  size_t cap = c->rows_cap ? c->rows_cap : 1024;
  while (cap <= row) cap *= 2;
  if (cap > SIZE_MAX / (t->n_wanted * sizeof *t->cells)) return false;
  native_cell *cells = realloc(t->cells, cap * t->n_wanted * sizeof *cells);
  if (!cells) return false;
  memset(cells + c->rows_cap * t->n_wanted, 0, (cap - c->rows_cap) * t->n_wanted * sizeof *cells);
  t->cells = cells;
  c->rows_cap = cap;
  return true;
}

static int on_value(int obs_index, readstat_variable_t *variable, readstat_value_t value, void *vctx) {
  parse_ctx *c = vctx;
  native_table *t = c->t;
  if (obs_index < 0) return READSTAT_HANDLER_OK;
  size_t row = (size_t)obs_index;
  c->row = obs_index;
  if (!reserve_row(c, row)) {
    c->nomem = true;
    return READSTAT_HANDLER_ABORT;
  }
  if (row + 1 > t->rows) t->rows = row + 1;
  int index = readstat_variable_get_index(variable) + 1;
  for (size_t k = 0; k < t->n_wanted; k++) {
    if (t->index[k] != index) continue;
    native_cell *cell = &t->cells[row * t->n_wanted + k];
    if (readstat_value_is_missing(value, variable)) {
      cell->kind = NATIVE_MISSING;
    } else if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
      const char *s = readstat_string_value(value);
      free(cell->string);
      if (!(cell->string = copy_string(s ? s : ""))) {
        c->nomem = true;
        return READSTAT_HANDLER_ABORT;
      }
      cell->kind = NATIVE_STRING;
    } else {
      cell->number = number_of(value);
      cell->kind = isnan(cell->number) ? NATIVE_MISSING : NATIVE_NUMBER;
    }
  }
  return READSTAT_HANDLER_OK;
}

static int on_value_label(const char *val_labels, readstat_value_t value, const char *label, void *vctx) {
  parse_ctx *c = vctx;
  native_table *t = c->t;
  if (!val_labels || !label || readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING ||
      readstat_value_is_system_missing(value) || readstat_value_is_tagged_missing(value))
    return READSTAT_HANDLER_OK;
  if (t->n_labels == t->cap_labels) {
    size_t cap = t->cap_labels ? 2 * t->cap_labels : 64;
    native_label *bigger = realloc(t->labels, cap * sizeof *bigger);
    if (!bigger) {
      c->nomem = true;
      return READSTAT_HANDLER_ABORT;
    }
    t->labels = bigger;
    t->cap_labels = cap;
  }
  native_label *l = &t->labels[t->n_labels];
  l->set = copy_string(val_labels);
  l->label = copy_string(label);
  l->key = number_of(value);
  if (!l->set || !l->label) {
    free(l->set), free(l->label);
    c->nomem = true;
    return READSTAT_HANDLER_ABORT;
  }
  t->n_labels++;
  return READSTAT_HANDLER_OK;
}

static void on_error(const char *message, void *vctx) {
  parse_ctx *c = vctx;
  if (!c->message[0] && message) {
    snprintf(c->message, sizeof c->message, "%s", message);
    size_t n = strlen(c->message);
    while (n > 0 && strchr("\n\r\t .", c->message[n - 1])) c->message[--n] = '\0';
    for (size_t i = 0; i < n; i++)
      if ((unsigned char)c->message[i] < 0x20) c->message[i] = ' ';
  }
}

/* Each labelled number gets its label (the table's labels are few). */
static void attach_labels(native_table *t) {
  for (size_t k = 0; k < t->n_wanted; k++) {
    if (!t->label_set[k]) continue;
    for (size_t r = 0; r < t->rows; r++) {
      native_cell *cell = &t->cells[r * t->n_wanted + k];
      if (cell->kind != NATIVE_NUMBER) continue;
      for (size_t j = 0; j < t->n_labels; j++)
        if (t->labels[j].key == cell->number && strcmp(t->labels[j].set, t->label_set[k]) == 0) {
          cell->string = t->labels[j].label;
          break;
        }
    }
  }
}

gbtm_status native_table_read(const char *path, native_format format, size_t n, const char *const *wanted,
                              uint64_t max_bytes, native_table *t, gbtm_error *err) {
  memset(t, 0, sizeof *t);
  t->path = path;
  t->format = format;
  t->n_wanted = n;
  t->index = calloc(n ? n : 1, sizeof *t->index);
  t->label_set = calloc(n ? n : 1, sizeof *t->label_set);
  if (!t->index || !t->label_set) {
    native_table_free(t);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", path);
  }
  memory_io io = {0};
  unsigned char *data = NULL;
  gbtm_status st = read_whole(path, max_bytes, &data, &io.size, t->sha256, err);
  if (st != GBTM_OK) {
    native_table_free(t);
    return st;
  }
  io.data = data;
  parse_ctx c = {.t = t, .wanted = wanted, .row = -1};
  readstat_parser_t *parser = readstat_parser_init();
  readstat_error_t rc = READSTAT_ERROR_MALLOC;
  if (parser) {
    readstat_set_open_handler(parser, io_open);
    readstat_set_close_handler(parser, io_close);
    readstat_set_seek_handler(parser, io_seek);
    readstat_set_read_handler(parser, io_read);
    readstat_set_update_handler(parser, io_update);
    readstat_set_io_ctx(parser, &io);
    readstat_set_variable_handler(parser, on_variable);
    readstat_set_value_handler(parser, on_value);
    readstat_set_value_label_handler(parser, on_value_label);
    readstat_set_error_handler(parser, on_error);
    switch (format) {
    case NATIVE_DTA: rc = readstat_parse_dta(parser, path, &c); break;
    case NATIVE_SAV: rc = readstat_parse_sav(parser, path, &c); break;
    case NATIVE_SAS7BDAT: rc = readstat_parse_sas7bdat(parser, path, &c); break;
    case NATIVE_XPT: rc = readstat_parse_xport(parser, path, &c); break;
    default: rc = READSTAT_ERROR_PARSE; break;
    }
    readstat_parser_free(parser);
  }
  free(data);
  if (c.nomem || rc == READSTAT_ERROR_MALLOC)
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", path);
  else if (rc != READSTAT_OK) {
    char where[64] = "";
    if (c.row >= 0) snprintf(where, sizeof where, " after row %ld", c.row + 1);
    st = gbtm_fail(err, GBTM_ERR_PARSE, "%s: cannot read this %s file%s: %s%s%s (is it damaged or truncated?)", path,
                   native_format_name(format), where, readstat_error_message(rc), c.message[0] ? ": " : "",
                   c.message);
  }
  if (st != GBTM_OK) {
    native_table_free(t);
    return st;
  }
  attach_labels(t);
  return GBTM_OK;
}

void native_table_free(native_table *t) {
  if (!t) return;
  for (size_t i = 0; t->cells && i < t->rows * t->n_wanted; i++)
    if (t->cells[i].kind == NATIVE_STRING) free(t->cells[i].string);
  free(t->cells);
  for (size_t k = 0; t->label_set && k < t->n_wanted; k++) free(t->label_set[k]);
  free(t->label_set);
  for (size_t j = 0; j < t->n_labels; j++) free(t->labels[j].set), free(t->labels[j].label);
  free(t->labels);
  free(t->index);
  memset(t, 0, sizeof *t);
}
