/* text_escape.h: strings taken from files or the command line (person ids,
 * a model's command line, the data's name, names of covariates, messages
 * that quote them) printed to a terminal with their control characters
 * escaped, so that they cannot move the cursor, clear the screen or set the
 * window title: each byte below 0x20 and 0x7f is written as \xHH. */
#ifndef GBTM_CLI_TEXT_ESCAPE_H
#define GBTM_CLI_TEXT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes s to out escaped; with lines, line feeds and tabs stay as they are
 * (a message of several lines). */
void text_escape_put(FILE *out, const char *s, bool lines);

/* s escaped into buf (cut short to fit size, at a whole escape); returns
 * buf. For printing a short string with printf's %s. */
const char *text_escaped(char *buf, size_t size, const char *s);

#endif
