/* text_escape.c: control characters written as \xHH (text_escape.h). */
#include "text_escape.h"

static bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

void text_escape_put(FILE *out, const char *s, bool lines) {
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    if (is_control(*p) && !(lines && (*p == '\n' || *p == '\t')))
      fprintf(out, "\\x%02x", *p);
    else
      fputc(*p, out);
  }
}

const char *text_escaped(char *buf, size_t size, const char *s) {
  static const char hex[] = "0123456789abcdef";
  size_t used = 0;
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    size_t need = is_control(*p) ? 4 : 1;
    if (used + need >= size) break;
    if (need == 4) {
      buf[used++] = '\\';
      buf[used++] = 'x';
      buf[used++] = hex[*p >> 4];
      buf[used++] = hex[*p & 15];
    } else {
      buf[used++] = (char)*p;
    }
  }
  if (size) buf[used] = '\0';
  return buf;
}
