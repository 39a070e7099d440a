/* atomic_file.c: write to a temporary name, fsync, rename (atomic_file.h).
 * rename() within one folder replaces the old file in one step, so a reader
 * (or a crash) sees the earlier file or the new one, never a part. The
 * name written is the target of path's symbolic links, so that a link
 * stays a link; a device or FIFO is written directly, never replaced. */
#include "base/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/error.h"

#define TMP_MARK ".gbtm-tmp-"
enum { MAX_LINKS = 40, MAX_TRIES = 100 };

static char *copy_string(const char *s) {
  size_t len = strlen(s) + 1;
  char *c = malloc(len);
  if (c) memcpy(c, s, len);
  return c;
}

/* The first n characters of a, then b. */
static char *join(const char *a, size_t n, const char *b) {
  size_t len = strlen(b) + 1;
  char *c = malloc(n + len);
  if (!c) return NULL;
  memcpy(c, a, n);
  memcpy(c + n, b, len);
  return c;
}

/* The length of path's folder part, its final '/' included (0: none). */
static size_t folder_length(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? (size_t)(slash - path) + 1 : 0;
}

/* How a write reaches its target. */
typedef enum { TARGET_FILE, TARGET_DEVICE } target_kind;

typedef struct plan {
  char *target;     /* path with its links followed (malloc'd) */
  target_kind kind; /* a regular file (or none yet), or a device or FIFO */
} plan;

static gbtm_status cannot(gbtm_error *err, const char *path, const char *what, int e) {
  return gbtm_fail(err, e == ENOMEM ? GBTM_ERR_NOMEM : GBTM_ERR_IO, "%s: cannot %s: %s", path, what, strerror(e));
}

/* Follows path's symbolic links to the name a write lands on: the last
 * link's target, which need not exist yet. */
static gbtm_status follow_links(const char *path, char **out, gbtm_error *err) {
  char *cur = copy_string(path);
  for (int hops = 0; cur; hops++) {
    struct stat st;
    if (lstat(cur, &st) != 0) {
      if (errno == ENOENT) break; /* to be created; a missing folder is checked later */
      int e = errno;
      free(cur);
      return cannot(err, path, "write the file", e);
    }
    if (!S_ISLNK(st.st_mode)) break;
    char link[PATH_MAX];
    ssize_t n = hops < MAX_LINKS ? readlink(cur, link, sizeof link - 1) : -1;
    if (n < 0) {
      int e = hops < MAX_LINKS ? errno : ELOOP;
      free(cur);
      return cannot(err, path, "write the file", e);
    }
    link[n] = '\0';
    char *next = link[0] == '/' ? copy_string(link) : join(cur, folder_length(cur), link);
    free(cur);
    cur = next;
  }
  if (!cur) return cannot(err, path, "write the file", ENOMEM);
  *out = cur;
  return GBTM_OK;
}

static const char *kind_name(mode_t mode) {
  return S_ISDIR(mode)    ? "a folder"
         : S_ISSOCK(mode) ? "a socket"
         : S_ISBLK(mode)  ? "a block device"
                          : "a special file";
}

/* Where and how a write to path goes, checked: a regular file with one
 * link or none yet in a writable folder, or a writable device or FIFO. */
static gbtm_status make_plan(const char *path, plan *p, gbtm_error *err) {
  p->target = NULL;
  if (!path[0]) return gbtm_fail(err, GBTM_ERR_USAGE, "an empty file name (expected the name of a file to write)");
  gbtm_status st = follow_links(path, &p->target, err);
  if (st != GBTM_OK) return st;
  const char *target = p->target;
  size_t folder = folder_length(target);
  struct stat sb;
  int e = 0;
  if (stat(target, &sb) == 0) {
    if (S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode)) {
      p->kind = TARGET_DEVICE;
      if (access(target, W_OK) == 0) return GBTM_OK;
      e = errno;
    } else if (!S_ISREG(sb.st_mode)) {
      st = gbtm_fail(err, GBTM_ERR_USAGE, "%s: is %s, not a file that can be written", path, kind_name(sb.st_mode));
    } else if (sb.st_nlink > 1) {
      st = gbtm_fail(err, GBTM_ERR_USAGE,
                     "%s: the file has %lu hard links, and a new file renamed into its place would "
                     "split them: remove it first or name another file",
                     path, (unsigned long)sb.st_nlink);
    }
  } else if (errno != ENOENT) {
    e = errno;
  } else if (target[folder] == '\0') {
    st = gbtm_fail(err, GBTM_ERR_USAGE, "%s: names a folder, not a file", path);
  }
  if (st == GBTM_OK && e == 0) {
    p->kind = TARGET_FILE;
    char *dir = folder ? join(target, folder, ".") : copy_string(".");
    if (!dir) e = ENOMEM;
    else if (access(dir, W_OK | X_OK) != 0) e = errno;
    free(dir);
  }
  if (st == GBTM_OK && e) st = cannot(err, path, "create the file", e);
  if (st != GBTM_OK) {
    free(p->target);
    p->target = NULL;
  }
  return st;
}

/* The folder of the temporary file: the target's, or for a device or FIFO
 * written by name the system's temporary folder (never /dev). */
static char *temp_folder(const plan *p) {
  if (p->kind == TARGET_FILE) return join(p->target, folder_length(p->target), "");
  const char *dir = getenv("TMPDIR");
  if (!dir || dir[0] != '/') dir = "/tmp";
  return join(dir, strlen(dir), "/");
}

/* folder/.BASE.gbtm-tmp-PID, with ".n" after it for try n > 0. */
static char *temp_name(const char *folder, const char *target, int n) {
  const char *base = target + folder_length(target);
  size_t len = strlen(folder) + strlen(base) + sizeof TMP_MARK + 48;
  char *name = malloc(len);
  if (!name) return NULL;
  int w = snprintf(name, len, "%s.%s" TMP_MARK "%ld", folder, base, (long)getpid());
  if (n > 0) snprintf(name + w, len - (size_t)w, ".%d", n);
  return name;
}

/* Removes folder/.BASE.gbtm-tmp-PID[.n] files of target whose process is
 * gone: the leftovers of a write that was killed. */
static void remove_stale(const char *folder, const char *target) {
  const char *base = target + folder_length(target);
  DIR *d = opendir(folder[0] ? folder : ".");
  if (!d) return;
  size_t base_len = strlen(base), mark_len = strlen(TMP_MARK);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *name = e->d_name;
    if (name[0] != '.' || strncmp(name + 1, base, base_len) != 0 ||
        strncmp(name + 1 + base_len, TMP_MARK, mark_len) != 0)
      continue;
    const char *digits = name + 1 + base_len + mark_len;
    char *end;
    errno = 0;
    long pid = strtol(digits, &end, 10);
    if (end == digits || *digits < '0' || *digits > '9' || errno || pid <= 0 || pid == (long)getpid()) continue;
    if (*end == '.') { /* a later try's ".n" */
      const char *n = end + 1;
      strtol(n, &end, 10);
      if (end == n) continue;
    }
    if (*end != '\0') continue;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) unlinkat(dirfd(d), name, 0);
  }
  closedir(d);
}

gbtm_status atomic_file_check(const char *path, bool by_name, char **target, char **tmp, gbtm_error *err) {
  plan p;
  gbtm_status st = make_plan(path, &p, err);
  if (st != GBTM_OK) return st;
  char *folder = NULL, *name = NULL;
  if (tmp && (p.kind == TARGET_FILE || by_name)) {
    folder = temp_folder(&p);
    name = folder ? temp_name(folder, p.target, 0) : NULL;
    if (!name) st = cannot(err, path, "write the file", ENOMEM);
  }
  free(folder);
  if (st == GBTM_OK && tmp) *tmp = name;
  else free(name);
  if (st == GBTM_OK && target) *target = p.target;
  else free(p.target);
  return st;
}

static gbtm_status open_as(atomic_file *f, const char *path, bool by_name, gbtm_error *err) {
  memset(f, 0, sizeof *f);
  plan p;
  gbtm_status st = make_plan(path, &p, err);
  if (st != GBTM_OK) return st;
  f->target = p.target;
  f->direct = p.kind == TARGET_DEVICE;
  if (!(f->path = copy_string(path))) {
    atomic_file_discard(f);
    return cannot(err, path, "create the file", ENOMEM);
  }
  int fd = -1, e = 0;
  if (f->direct && !by_name) { /* never replaced: written as it is */
    fd = open(f->target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) e = errno;
  } else {
    char *folder = temp_folder(&p);
    if (folder) remove_stale(folder, f->target);
    /* O_EXCL on a fresh name, mode 0666: the kernel applies the umask, so
     * the process's umask is never touched (other threads may create files).
     * A name of this process that is taken (another write of the same
     * target, or a killed process that had this number) gets a suffix. */
    for (int n = 0; folder && n < MAX_TRIES && fd < 0; n++) {
      free(f->tmp);
      if (!(f->tmp = temp_name(folder, f->target, n))) break;
      fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0 && errno != EEXIST) break;
    }
    e = fd >= 0 ? 0 : !folder || !f->tmp ? ENOMEM : errno;
    free(folder);
    if (fd < 0) {
      free(f->tmp); /* nothing of ours there to remove */
      f->tmp = NULL;
    }
  }
  if (fd >= 0 && !(f->fp = fdopen(fd, "w"))) {
    e = errno;
    close(fd);
  }
  if (e) {
    atomic_file_discard(f);
    return cannot(err, path, "create the file", e);
  }
  if (by_name) {
    fclose(f->fp);
    f->fp = NULL;
  }
  return GBTM_OK;
}

gbtm_status atomic_file_open(atomic_file *f, const char *path, gbtm_error *err) {
  return open_as(f, path, false, err);
}

gbtm_status atomic_file_reserve(atomic_file *f, const char *path, gbtm_error *err) {
  return open_as(f, path, true, err);
}

/* Copies the file named from onto the device or FIFO named to; 0 or errno. */
static int copy_onto(const char *from, const char *to) {
  int in = open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0) return errno;
  int out = open(to, O_WRONLY | O_CLOEXEC | O_NOCTTY), e = out < 0 ? errno : 0;
  char buf[65536];
  while (!e) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      e = n < 0 ? errno : 0;
      break;
    }
    for (ssize_t done = 0; done < n && !e;) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w > 0) done += w;
      else if (w < 0 && errno != EINTR) e = errno;
      else if (w == 0) e = EIO;
    }
  }
  if (out >= 0 && close(out) != 0 && !e) e = errno;
  close(in);
  return e;
}

gbtm_status atomic_file_commit(atomic_file *f, gbtm_error *err) {
  int error = 0;
  errno = 0;
  if (f->fp) {
    if (fflush(f->fp) != 0 || ferror(f->fp) || (f->tmp && fsync(fileno(f->fp)) != 0)) error = errno ? errno : EIO;
    if (fclose(f->fp) != 0 && !error) error = errno ? errno : EIO;
    f->fp = NULL;
  } else if (f->tmp && !f->direct) { /* written by name: fsync it through a descriptor of our own */
    int fd = open(f->tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) error = errno ? errno : EIO;
    if (fd >= 0) close(fd);
  }
  if (!error && f->tmp) error = f->direct ? copy_onto(f->tmp, f->target) : rename(f->tmp, f->target) != 0 ? errno : 0;
  if (f->tmp && (error || f->direct)) unlink(f->tmp);
  gbtm_status st = error ? cannot(err, f->path, "write the file", error) : GBTM_OK;
  free(f->tmp);
  f->tmp = NULL;
  atomic_file_discard(f);
  return st;
}

void atomic_file_discard(atomic_file *f) {
  if (f->fp) fclose(f->fp);
  if (f->tmp) unlink(f->tmp);
  free(f->tmp);
  free(f->path);
  free(f->target);
  memset(f, 0, sizeof *f);
}

/* ---- the public names (gbtm.h) ------------------------------------------ */

gbtm_status gbtm_atomic_file_check(const char *path, bool by_name, char **target, char **tmp, gbtm_error *err) {
  return atomic_file_check(path, by_name, target, tmp, err);
}

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
