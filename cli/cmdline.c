/* cmdline.c: a run's command line as one shell-quoted line (cmdline.h). */
#include "cmdline.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Characters a POSIX shell leaves alone in a word. */
static bool plain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         strchr("-_./:=,+@%", c) != NULL;
}

/* Appends word to out (or only counts when out is NULL); returns its length. */
static size_t put_word(char *out, const char *word) {
  bool plain = *word != '\0';
  for (const char *c = word; *c && plain; c++) plain = plain_char(*c);
  size_t n = 0;
  if (plain) {
    n = strlen(word);
    if (out) memcpy(out, word, n);
    return n;
  }
  if (out) out[n] = '\'';
  n++;
  for (const char *c = word; *c; c++) {
    if (*c == '\'') { /* close the quote, an escaped quote, reopen */
      if (out) memcpy(out + n, "'\\''", 4);
      n += 4;
    } else {
      if (out) out[n] = *c;
      n++;
    }
  }
  if (out) out[n] = '\'';
  return n + 1;
}

char *cmdline_text(const char *prog, int argc, char **argv) {
  size_t len = put_word(NULL, prog) + 1;
  for (int i = 0; i < argc; i++) len += 1 + put_word(NULL, argv[i]);
  char *text = malloc(len);
  if (!text) return NULL;
  size_t used = put_word(text, prog);
  for (int i = 0; i < argc; i++) {
    text[used++] = ' ';
    used += put_word(text + used, argv[i]);
  }
  text[used] = '\0';
  return text;
}
