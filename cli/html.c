/* html.c: the HTML writer of `gbtm report` (html.h). */
#include "html.h"

#include <stdarg.h>
#include <stdlib.h>

void html_text(html *h, const char *text) {
  for (const unsigned char *c = (const unsigned char *)text; c && *c; c++) {
    switch (*c) {
    case '&': fputs("&amp;", h->out); break;
    case '<': fputs("&lt;", h->out); break;
    case '>': fputs("&gt;", h->out); break;
    case '"': fputs("&quot;", h->out); break;
    case '\'': fputs("&#39;", h->out); break;
    default:
      if ((*c < 0x20 && *c != '\t' && *c != '\n') || *c == 0x7f) fprintf(h->out, "\\x%02x", *c);
      else fputc(*c, h->out);
    }
  }
}

void html_textf(html *h, const char *format, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, format);
  vsnprintf(buf, sizeof buf, format, ap);
  va_end(ap);
  html_text(h, buf);
}

void html_raw(html *h, const char *markup) { fputs(markup, h->out); }

void html_open(html *h, const char *tag, const char *attrs) {
  fprintf(h->out, "<%s%s%s>", tag, attrs ? " " : "", attrs ? attrs : "");
}

void html_close(html *h, const char *tag) { fprintf(h->out, "</%s>", tag); }

void html_element(html *h, const char *tag, const char *attrs, const char *text) {
  html_open(h, tag, attrs);
  html_text(h, text);
  html_close(h, tag);
  fputc('\n', h->out);
}

void html_section_begin(html *h, const char *cls, const char *title) {
  fprintf(h->out, "<section class=\"%s\">\n", cls);
  html_element(h, "h2", NULL, title);
}

void html_section_end(html *h) { fputs("</section>\n", h->out); }

void html_table_begin(html *h, const char *caption, const char *const *headers, size_t n) {
  fputs("<table>\n", h->out);
  if (caption) html_element(h, "caption", NULL, caption);
  fputs("<thead><tr>", h->out);
  for (size_t j = 0; j < n; j++) {
    html_open(h, "th", j == 0 ? "scope=\"col\" class=\"name\"" : "scope=\"col\"");
    html_text(h, headers[j]);
    html_close(h, "th");
  }
  fputs("</tr></thead>\n<tbody>\n", h->out);
}

void html_table_row(html *h, const char *const *cells, size_t n) {
  fputs("<tr>", h->out);
  for (size_t j = 0; j < n; j++) {
    html_open(h, j == 0 ? "th" : "td", j == 0 ? "scope=\"row\" class=\"name\"" : NULL);
    html_text(h, cells[j]);
    html_close(h, j == 0 ? "th" : "td");
  }
  fputs("</tr>\n", h->out);
}

void html_table_subheading(html *h, const char *text, size_t n) {
  fprintf(h->out, "<tr class=\"sub\"><th colspan=\"%zu\" class=\"name\">", n);
  html_text(h, text);
  fputs("</th></tr>\n", h->out);
}

void html_table_end(html *h) { fputs("</tbody>\n</table>\n", h->out); }
