/* csv_part.c: one process's block of a CSV file (gbtm_panel_read_part).
 * The data bytes after the header are cut into equal byte ranges, one per
 * process; each cut moves forward to the start of a line, then past the
 * lines whose id is the id of the line before, so that all lines of a
 * person (when they are consecutive) fall in one block. Each process maps
 * the file and touches only the header, its block and the lines at its two
 * cuts. Line numbers in messages stay those of the file: each process
 * counts the lines of its block, and a block's first line is the header's
 * line plus the lines of the blocks before it. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/csv_part.h"

#include "formats/csv_tokens.h"
#include "base/reduce.h"

/* The raw bytes of field number f of the line at p (quotes kept), in
 * [*s, *s + *len); an empty field at the line's end when it has fewer. */
static void raw_field(const char *p, const char *end, size_t f, const char **s, size_t *len) {
  for (size_t k = 0;; k++) {
    const char *q = p;
    bool quoted = false;
    while (q < end && *q != '\n' && (quoted || *q != ',')) {
      if (*q == '"') quoted = !quoted; /* "" inside a quoted field flips twice */
      q++;
    }
    if (k == f || q >= end || *q == '\n') {
      *s = p, *len = k == f ? (size_t)(q - p) : 0;
      if (*len > 0 && p[*len - 1] == '\r') (*len)--;
      return;
    }
    p = q + 1;
  }
}

static const char *line_end(const char *p, const char *end) {
  const char *q = memchr(p, '\n', (size_t)(end - p));
  return q ? q + 1 : end;
}

/* The cut near byte x of map[from..size): the start of a line, not inside
 * a run of lines with one id. */
static size_t cut(const char *map, size_t from, size_t size, size_t x, size_t id_field) {
  if (x <= from) return from;
  if (x >= size) return size;
  const char *end = map + size, *p = map[x - 1] == '\n' ? map + x : line_end(map + x, end);
  while (p < end) {
    const char *prev = p - 1; /* the line before p: back to its start */
    while (prev > map + from && prev[-1] != '\n') prev--;
    const char *a, *b;
    size_t la, lb;
    raw_field(prev, end, id_field, &a, &la);
    raw_field(p, end, id_field, &b, &lb);
    if (la == 0 || la != lb || memcmp(a, b, la) != 0) break;
    p = line_end(p, end);
  }
  return (size_t)(p - map);
}

gbtm_status csv_open_part(csv_reader *r, const char *path, const gbtm_reducer *procs, const char *id_name,
                          gbtm_error *err) {
  *r = (csv_reader){.path = path, .line = 1};
  gbtm_status st = GBTM_OK;
  int fd = open(path, O_RDONLY);
  struct stat sb;
  char *map = NULL;
  size_t size = 0, he = 0, b0 = 0, b1 = 0;
  if (fd < 0 || fstat(fd, &sb) != 0)
    st = gbtm_fail(err, GBTM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  else if (!S_ISREG(sb.st_mode))
    st = gbtm_fail(err, GBTM_ERR_IO, "%s: not a regular file (a distributed read needs one)", path);
  else if ((size = (size_t)sb.st_size) == 0)
    st = gbtm_fail(err, GBTM_ERR_PARSE, "%s:1:1: empty file (expected a header row naming the columns)", path);
  else if ((map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
    map = NULL, st = gbtm_fail(err, GBTM_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
  if (fd >= 0) close(fd);

  /* The header, read by the tokenizer from a copy of the bytes before it. */
  uint64_t data_line = 0;
  if (st == GBTM_OK) {
    size_t hs = size >= 3 && memcmp(map, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (hs < size && (map[hs] == '\n' || (map[hs] == '\r' && hs + 1 < size && map[hs + 1] == '\n')))
      hs += map[hs] == '\n' ? 1 : 2;
    he = (size_t)(line_end(map + hs, map + size) - map);
    csv_reader h = {.path = path, .buf = csv_alloc_large(he + CSV_PAD), .size = he, .line = 1};
    size_t where, fields;
    if (!h.buf) {
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", path);
    } else {
      memcpy(h.buf, map, he);
      h.buf[he] = '\n';
      memset(h.buf + he + 1, 0, CSV_PAD - 1);
      h.pos = hs;
      h.line = 1 + csv_count_lines(map, hs);
      const char *names[1] = {id_name};
      st = csv_read_header(&h, 1, names, &where, &fields, err);
      data_line = h.line;
    }
    free(h.buf);
    if (st == GBTM_OK) {
      size_t R = (size_t)procs->size, q = (size_t)procs->rank, span = size - he;
      b0 = cut(map, he, size, he + (size_t)((double)span * (double)q / (double)R), where);
      b1 = cut(map, he, size, he + (size_t)((double)span * (double)(q + 1) / (double)R), where);
      if (b0 == b1 && span > 0)
        st = gbtm_fail(err, GBTM_ERR_USAGE,
                       "%s: process %d of %d has no persons (a person's lines are not cut): run fewer processes",
                       path, procs->rank, procs->size);
    }
  }
  size_t lines = st == GBTM_OK ? csv_count_lines(map + b0, b1 - b0) : 0, before, total;
  if ((st = reduce_agree(procs, st, err)) == GBTM_OK) reduce_offsets(procs, lines, &before, &total);
  if (st == GBTM_OK) { /* the header, then the block */
    r->buf = csv_alloc_large(he + (b1 - b0) + CSV_PAD);
    if (r->buf) {
      memcpy(r->buf, map, he);
      memcpy(r->buf + he, map + b0, b1 - b0);
      r->size = he + (b1 - b0);
      r->buf[r->size] = '\n';
      memset(r->buf + r->size + 1, 0, CSV_PAD - 1);
      if (r->size >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
      csv_skip_empty_lines(r);
      r->data_line = data_line + before;
    } else {
      st = gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory reading the file", path);
    }
  }
  if (map) munmap(map, size);
  return st;
}
