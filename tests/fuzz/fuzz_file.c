/* fuzz_file.c: the one input file of a fuzz process (fuzz_file.h). */
#include "fuzz_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char folder[256], path[300]; /* libFuzzer runs one input at a time */
static int fd = -1;

static void remove_file(void) {
  if (fd >= 0) close(fd);
  unlink(path);
  rmdir(folder);
}

const char *fuzz_file(const uint8_t *data, size_t size) {
  if (fd < 0) {
    struct stat st;
    const char *base = getenv("TMPDIR");
    if (!base && stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
      base = "/dev/shm";
    if (!base) base = "/tmp";
    snprintf(folder, sizeof folder, "%s/gbtm-fuzz-XXXXXX", base);
    if (!mkdtemp(folder)) abort();
    snprintf(path, sizeof path, "%s/input", folder);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) abort();
    atexit(remove_file);
  }
  if (ftruncate(fd, 0) != 0) abort();
  size_t done = 0;
  while (done < size) {
    ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
    if (n <= 0) abort();
    done += (size_t)n;
  }
  return path;
}
