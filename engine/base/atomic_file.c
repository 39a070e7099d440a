/* atomic_file.c: write to a temporary name, fsync, rename (atomic_file.h).
 * rename() within one folder replaces the old file in one step, so a reader
 * (or a crash) sees the earlier file or the new one, never a part. */
#include "base/atomic_file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

static char *copy_string(const char *s) {
  size_t len = strlen(s) + 1;
  char *c = malloc(len);
  if (c) memcpy(c, s, len);
  return c;
}

gbtm_status atomic_file_open(atomic_file *f, const char *path, gbtm_error *err) {
  memset(f, 0, sizeof *f);
  size_t len = strlen(path);
  f->path = copy_string(path);
  f->tmp = malloc(len + 8);
  if (!f->path || !f->tmp) { /* nothing created yet: nothing to unlink */
    free(f->path);
    free(f->tmp);
    memset(f, 0, sizeof *f);
    return gbtm_fail(err, GBTM_ERR_NOMEM, "%s: out of memory", path);
  }
  /* O_EXCL on a fresh name, mode 0666: the kernel applies the umask, so
   * the process's umask is never touched (other threads may create files). */
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  unsigned long mix = (unsigned long)getpid() * 2654435761UL ^ (unsigned long)now.tv_nsec ^ (unsigned long)(uintptr_t)f;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
    snprintf(f->tmp, len + 8, "%s.%06lx", path, (mix + 0x9E3779B9UL * (unsigned long)attempt) & 0xffffffUL);
    fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    int e = errno;
    free(f->tmp);
    f->tmp = NULL;
    atomic_file_discard(f);
    return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot create the file: %s", path, strerror(e));
  }
  if (!(f->fp = fdopen(fd, "w"))) {
    int e = errno;
    close(fd);
    atomic_file_discard(f);
    return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot create the file: %s", path, strerror(e));
  }
  return GBTM_OK;
}

gbtm_status atomic_file_reserve(atomic_file *f, const char *path, gbtm_error *err) {
  gbtm_status st = atomic_file_open(f, path, err);
  if (st == GBTM_OK) {
    fclose(f->fp);
    f->fp = NULL;
  }
  return st;
}

gbtm_status atomic_file_commit(atomic_file *f, gbtm_error *err) {
  int error = 0;
  errno = 0;
  if (f->fp) {
    if (fflush(f->fp) != 0 || ferror(f->fp) || fsync(fileno(f->fp)) != 0) error = errno ? errno : EIO;
    if (fclose(f->fp) != 0 && !error) error = errno ? errno : EIO;
    f->fp = NULL;
  } else { /* written by name: fsync it through a descriptor of our own */
    int fd = open(f->tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) error = errno ? errno : EIO;
    if (fd >= 0) close(fd);
  }
  if (!error && rename(f->tmp, f->path) != 0) error = errno;
  gbtm_status st = GBTM_OK;
  if (error) {
    unlink(f->tmp);
    st = gbtm_fail(err, GBTM_ERR_IO, "%s: cannot write the file: %s", f->path, strerror(error));
  }
  free(f->tmp);
  free(f->path);
  memset(f, 0, sizeof *f);
  return st;
}

void atomic_file_discard(atomic_file *f) {
  if (f->fp) fclose(f->fp);
  if (f->tmp) unlink(f->tmp);
  free(f->tmp);
  free(f->path);
  memset(f, 0, sizeof *f);
}

/* ---- the public names (gbtm.h) ------------------------------------------ */

gbtm_status gbtm_atomic_file_open(gbtm_atomic_file *f, const char *path, gbtm_error *err) {
  return atomic_file_open(f, path, err);
}

gbtm_status gbtm_atomic_file_reserve(gbtm_atomic_file *f, const char *path, gbtm_error *err) {
  return atomic_file_reserve(f, path, err);
}

gbtm_status gbtm_atomic_file_commit(gbtm_atomic_file *f, gbtm_error *err) {
  return atomic_file_commit(f, err);
}

void gbtm_atomic_file_discard(gbtm_atomic_file *f) { atomic_file_discard(f); }
