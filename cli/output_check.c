/* output_check.c: outputs checked before any work (output_check.h). Files
 * are compared by identity (st_dev, st_ino), never by the strings that
 * name them: ./in.csv, a symbolic link and a hard link are all in.csv. An
 * output not there yet is identified by its folder's identity and its name.
 * A device or FIFO output is written directly, never replaced, so it is
 * compared with nothing. */
#include "output_check.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_util.h"
#include "gbtm.h"
#include "signals.h"

typedef struct identity {
  bool known;         /* a regular file, or a name in a folder */
  dev_t dev;
  ino_t ino;
  const char *name;   /* NULL: the file; else the name in folder dev:ino */
} identity;

static bool same(const identity *a, const identity *b) {
  if (!a->known || !b->known || a->dev != b->dev || a->ino != b->ino) return false;
  if (!a->name || !b->name) return !a->name && !b->name;
  return strcmp(a->name, b->name) == 0;
}

/* The identity of an output's target (links followed); the name points
 * into target. */
static identity output_identity(char *target) {
  identity id = {false, 0, 0, NULL};
  struct stat st;
  if (stat(target, &st) == 0) {
    if (S_ISREG(st.st_mode)) id = (identity){true, st.st_dev, st.st_ino, NULL};
    return id;
  }
  char *slash = strrchr(target, '/');
  int ok;
  if (slash) {
    char keep = slash[1];
    slash[1] = '\0';
    ok = stat(target, &st) == 0;
    slash[1] = keep;
  } else {
    ok = stat(".", &st) == 0;
  }
  if (ok) id = (identity){true, st.st_dev, st.st_ino, slash ? slash + 1 : target};
  return id;
}

/* Whether an output is one of the inputs (reported). */
static bool replaces_an_input(const char *cmd, const cli_file *out, const cli_file *inputs, size_t n_inputs) {
  struct stat st;
  if (stat(out->path, &st) != 0 || !S_ISREG(st.st_mode)) return false; /* links followed */
  for (size_t j = 0; j < n_inputs; j++) {
    struct stat in;
    if (!inputs[j].path || stat(inputs[j].path, &in) != 0) continue; /* the reader reports it */
    if (in.st_dev == st.st_dev && in.st_ino == st.st_ino) {
      cli_error(cmd, "%s %s is the same file as %s %s: an output never replaces an input", out->role,
                out->path, inputs[j].role, inputs[j].path);
      return true;
    }
  }
  return false;
}

bool output_check(const char *cmd, const cli_file *inputs, size_t n_inputs, const cli_file *outputs,
                  size_t n_outputs) {
  signals_install();
  for (size_t i = 0; i < n_outputs; i++)
    if (outputs[i].path && replaces_an_input(cmd, &outputs[i], inputs, n_inputs)) return false;
  char **targets = calloc(n_outputs + 1, sizeof *targets);
  identity *ids = calloc(n_outputs + 1, sizeof *ids);
  bool ok = targets && ids;
  if (!ok) cli_error(cmd, "out of memory");
  for (size_t i = 0; ok && i < n_outputs; i++) {
    const cli_file *out = &outputs[i];
    if (!out->path) continue;
    gbtm_error err = {GBTM_OK, ""};
    if (gbtm_atomic_file_check(out->path, out->by_name, &targets[i], NULL, &err) != GBTM_OK) {
      cli_error(cmd, "%s", err.message);
      ok = false;
      break;
    }
    ids[i] = output_identity(targets[i]);
    for (size_t j = 0; ok && j < i; j++)
      if (same(&ids[i], &ids[j])) {
        cli_error(cmd, "%s %s and %s %s are the same file", outputs[j].role, outputs[j].path, out->role,
                  out->path);
        ok = false;
      }
  }
  for (size_t i = 0; targets && i < n_outputs; i++) free(targets[i]);
  free(targets);
  free(ids);
  return ok;
}
