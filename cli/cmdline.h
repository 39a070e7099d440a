/* cmdline.h: the command line of a run as one line of text, quoted so that
 * a POSIX shell would run the same command again; model files store it, so
 * that a result can be traced to exactly how it was made. */
#ifndef GBTM_CLI_CMDLINE_H
#define GBTM_CLI_CMDLINE_H

/* "prog argv[0] argv[1] ..." with each word that holds anything but
 * letters, digits and -_./:=,+@% put in single quotes ('' for an empty
 * word, '\'' for a quote inside). NULL when out of memory; the caller
 * frees the text. */
char *cmdline_text(const char *prog, int argc, char **argv);

#endif
