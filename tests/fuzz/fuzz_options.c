/* fuzz_options.c: libFuzzer target for the command-line option parsers of
 * gbtm fit, select and classify (fuzz_parse.h). The input is one command
 * line: words separated by single blanks, tabs or line feeds (two
 * separators in a row give an empty word; one final line feed is dropped),
 * the first word naming the command; e.g.
 *   fit data.csv --groups 3 --order 2,3,1 --max-memory 8G
 * The parser runs as the command runs it, on a writable copy of the words,
 * and so does the quoting of the command line that model files store
 * (cmdline_text). Nothing is read, fitted or written: the parsers only
 * parse, report a problem on stderr or print --help on stdout. A crash,
 * a sanitizer report, a leak, or a parse result other than -1, 0 or 2
 * is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "fuzz_parse.h"

#define MAX_WORDS 64
#define MAX_BYTES 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > MAX_BYTES) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  if (size > 0 && text[size - 1] == '\n') text[size - 1] = '\0';
  char *argv[MAX_WORDS + 1];
  int argc = 0;
  for (char *p = text; argc < MAX_WORDS;) {
    argv[argc++] = p;
    size_t len = strcspn(p, " \t\n");
    if (p[len] == '\0') break;
    p[len] = '\0';
    p += len + 1;
  }
  argv[argc] = NULL;

  int (*parse)(int, char **) = NULL;
  if (strcmp(argv[0], "fit") == 0) parse = fuzz_parse_fit;
  else if (strcmp(argv[0], "select") == 0) parse = fuzz_parse_select;
  else if (strcmp(argv[0], "classify") == 0) parse = fuzz_parse_classify;
  if (parse) {
    char *line = cmdline_text("gbtm", argc, argv); /* before getopt reorders argv */
    free(line);
    int rc = parse(argc, argv);
    if (rc != -1 && rc != 0 && rc != 2) abort();
  }
  free(text);
  return 0;
}
