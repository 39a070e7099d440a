/* html.h: a small writer of HTML pages for `gbtm report`: elements whose
 * text is escaped (& < > " ' as entities, control characters as \xHH, as
 * text_escape.h writes them on a terminal), and tables built row by row,
 * so that every string taken from a model file or the command line (a
 * group's label, the data's name, a title) appears as text, never as
 * markup. */
#ifndef GBTM_CLI_HTML_H
#define GBTM_CLI_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct html {
  FILE *out; /* borrowed */
} html;

/* text escaped for HTML, in element content and in quoted attribute values. */
void html_text(html *h, const char *text);
/* The same for text made with printf's format. */
void html_textf(html *h, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Markup written as it is: a constant of the program, never a file's string. */
void html_raw(html *h, const char *markup);

/* <tag attrs>, with attrs constant markup (NULL: none), and </tag>. */
void html_open(html *h, const char *tag, const char *attrs);
void html_close(html *h, const char *tag);
/* <tag attrs>text</tag>, the text escaped. */
void html_element(html *h, const char *tag, const char *attrs, const char *text);

/* A section: <section class="cls"><h2>title</h2> ... </section>. */
void html_section_begin(html *h, const char *cls, const char *title);
void html_section_end(html *h);

/* A table that is kept on one page in print: a caption (NULL: none) and a
 * header row of n cells; then rows of n cells (the first cell a row
 * heading, left-aligned; the others numbers, right-aligned); a row of one
 * cell spanning n columns as a sub-heading. */
void html_table_begin(html *h, const char *caption, const char *const *headers, size_t n);
void html_table_row(html *h, const char *const *cells, size_t n);
void html_table_subheading(html *h, const char *text, size_t n);
void html_table_end(html *h);

#endif
