/* commands.h: the subcommands of the gbtm command, one file each in
 * engine/cli/ (cmd_<name>.c). Each takes the arguments after the gbtm word
 * (argv[0] is the subcommand's name), prints results on stdout and messages
 * on stderr, and returns the exit status: 0 ok, 1 failed fit, 2 bad usage or
 * input (cli_util.h). */
#ifndef GBTM_CLI_COMMANDS_H
#define GBTM_CLI_COMMANDS_H

int cmd_fit(int argc, char **argv);      /* fit a model to a long CSV panel */
int cmd_simulate(int argc, char **argv); /* draw a panel from a model or preset */
int cmd_select(int argc, char **argv);   /* fit and compare a range of K and orders */
int cmd_plot(int argc, char **argv);     /* draw an SVG figure of a model or a selection */
int cmd_show(int argc, char **argv);     /* print the report of a saved model file */
int cmd_report(int argc, char **argv);   /* write the report of a saved model as an HTML page */
int cmd_classify(int argc, char **argv);
int cmd_convert(int argc, char **argv);  /* rewrite a panel as HDF5 or long CSV */
int cmd_test(int argc, char **argv);     /* Wald tests on a saved model's parameters */
int cmd_profile(int argc, char **argv);  /* person variables by group (BCH, ML three-step) */

#endif
