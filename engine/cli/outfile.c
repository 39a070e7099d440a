/* outfile.c: output files written under a temporary name and renamed into
 * place when complete (outfile.h). */
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"

static char *copy_string(const char *s) {
  size_t len = strlen(s) + 1;
  char *c = malloc(len);
  if (c) memcpy(c, s, len);
  return c;
}

bool outfile_open(outfile *f, const char *cmd, const char *path) {
  memset(f, 0, sizeof *f);
  size_t len = strlen(path);
  f->path = copy_string(path);
  f->tmp = malloc(len + 8);
  if (!f->path || !f->tmp) {
    cli_error(cmd, "out of memory");
    outfile_discard(f);
    return false;
  }
  memcpy(f->tmp, path, len);
  memcpy(f->tmp + len, ".XXXXXX", 8);
  int fd = mkstemp(f->tmp);
  if (fd < 0) {
    cli_error(cmd, "%s: cannot create the file: %s", path, strerror(errno));
    free(f->tmp);
    f->tmp = NULL;
    outfile_discard(f);
    return false;
  }
  mode_t mask = umask(0); /* mkstemp makes 0600; give the usual 0666 & ~umask */
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0 || !(f->fp = fdopen(fd, "w"))) {
    cli_error(cmd, "%s: cannot create the file: %s", path, strerror(errno));
    close(fd);
    outfile_discard(f);
    return false;
  }
  return true;
}

bool outfile_commit(outfile *f, const char *cmd) {
  int error = 0;
  errno = 0;
  if (fflush(f->fp) != 0 || ferror(f->fp)) error = errno ? errno : EIO;
  if (fclose(f->fp) != 0 && !error) error = errno ? errno : EIO;
  f->fp = NULL;
  if (!error && rename(f->tmp, f->path) != 0) error = errno;
  if (error) {
    cli_error(cmd, "%s: cannot write the file: %s", f->path, strerror(error));
    unlink(f->tmp);
  }
  free(f->tmp);
  f->tmp = NULL;
  free(f->path);
  f->path = NULL;
  return !error;
}

void outfile_discard(outfile *f) {
  if (f->fp) fclose(f->fp);
  if (f->tmp) unlink(f->tmp);
  free(f->tmp);
  free(f->path);
  memset(f, 0, sizeof *f);
}
