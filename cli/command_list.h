/* command_list.h: the subcommands of gbtm, X(name, summary), in the order
 * `gbtm --help` lists them. The launcher (cli/launcher/launcher.c) prints
 * and checks the names; the commands module (main.c) runs cmd_<name>. */
#ifndef GBTM_CLI_COMMAND_LIST_H
#define GBTM_CLI_COMMAND_LIST_H

#define GBTM_COMMANDS(X)                                                                  \
  X(fit, "fit a group-based trajectory model to a panel (CSV or HDF5)")                   \
  X(simulate, "draw a panel from a model or the built-in cohort")                         \
  X(select, "fit a range of group numbers and orders, compare their criteria")            \
  X(plot, "draw trajectories or selection criteria as an SVG figure")                     \
  X(show, "print the report of a model saved by gbtm fit -o")                             \
  X(report, "write the report of a saved model as one self-contained HTML page")          \
  X(classify, "place persons against the groups of a saved model")                        \
  X(convert, "rewrite a panel as an HDF5 panel (fast to read) or as long CSV")            \
  X(test, "Wald tests of linear hypotheses on a saved model's parameters")             \
  X(profile, "person variables and distal outcomes by group, corrected for misclassification")

/* The commands module's entry point, which the launcher looks up: argv[1]
 * is one of the names above; returns the exit status. */
#define GBTM_COMMANDS_ENTRY "gbtm_commands_main"
/* The commands module's file name, in the folder of the gbtm executable. */
#define GBTM_COMMANDS_MODULE "gbtm-commands.so"

#endif
