/* signals.c: removing the temporary files of the outputs on SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT, and ignoring SIGXFSZ (signals.h). The
 * handler does only what is async-signal-safe: it unlinks the names of a
 * fixed table (written before a slot is marked in use), restores the
 * default action and raises the signal again. */
#include "signals.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

enum { SLOTS = 32, PATH_SIZE = 4096 };

static char held[SLOTS][PATH_SIZE];
static volatile sig_atomic_t in_use[SLOTS];
static bool installed;

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void on_signal(int sig) {
  for (int i = 0; i < SLOTS; i++)
    if (in_use[i]) unlink(held[i]);
  signal(sig, SIG_DFL);
  raise(sig); /* pending until this handler returns, then the default action */
}

void signals_install(void) {
  if (installed) return;
  installed = true;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigfillset(&sa.sa_mask); /* one handler at a time */
  for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
    struct sigaction old;
    /* a signal ignored at the start (nohup, a background job) stays ignored */
    if (sigaction(caught[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(caught[i], &sa, NULL);
  }
  signal(SIGXFSZ, SIG_IGN);
}

bool signals_hold(const char *path) {
  size_t len = strlen(path);
  if (len >= PATH_SIZE) return false;
  for (int i = 0; i < SLOTS; i++) {
    if (in_use[i]) continue;
    memcpy(held[i], path, len + 1);
    atomic_thread_fence(memory_order_seq_cst); /* the name before the mark */
    in_use[i] = 1;
    return true;
  }
  return false;
}

void signals_release(const char *path) {
  for (int i = 0; i < SLOTS; i++)
    if (in_use[i] && strcmp(held[i], path) == 0) {
      in_use[i] = 0;
      return;
    }
}
