/* fuzz_parse.h: the option parsers of gbtm fit, select and classify, each
 * run on its own (parse_fit.c, parse_select.c, parse_classify.c). Each
 * takes the command's arguments (argv[0] is the command's name; getopt
 * reorders argv) and returns the command's parse result: -1 to go on, or
 * the exit status it would end with, after its messages on stderr. */
#ifndef GBTM_FUZZ_PARSE_H
#define GBTM_FUZZ_PARSE_H

int fuzz_parse_fit(int argc, char **argv);
int fuzz_parse_select(int argc, char **argv);
int fuzz_parse_classify(int argc, char **argv);

#endif
