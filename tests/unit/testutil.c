/* testutil.c: helpers shared by the Check suites. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void test_write_file(char *path, const char *text) {
  strcpy(path, "/tmp/gbtm_test_XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) { perror("mkstemp"); exit(1); }
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len) { perror("write"); exit(1); }
  close(fd);
}

const char *test_refdata(char *buf, size_t len, const char *name) {
  const char *dir = getenv("GBTM_REFDATA");
  snprintf(buf, len, "%s/%s", dir ? dir : "datasets/refdata", name);
  return buf;
}
