/* processes.c: the processes of a run (reduce.h). Built with GBTM_MPI
 * (CMake -DGBTM_MPI=ON), a gbtm started by mpirun loads the MPI plugin,
 * gbtm-mpi.so (base/mpi/mpi_plugin.c, the only code that calls MPI), and
 * joins MPI_COMM_WORLD through it; started any other way, or built without
 * MPI, it is one process and loads no MPI at all. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/mpi/mpi_plugin.h"
#include "base/reduce.h"

#ifdef GBTM_MPI_PLUGIN

/* Whether mpirun (or another PMIx launcher) started this process. */
static bool started_by_mpirun(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

/* A run of many processes: the reducer and the plugin's other calls. */
typedef struct mpi_processes {
  gbtm_reducer reducer; /* first: the caller's pointer */
  void (*abort)(int code);
  void (*stop)(void);
} mpi_processes;

/* The plugin: gbtm-mpi.so in the folder of the file that holds this code
 * (the commands module, or a program linking the library), else where the
 * build left it (GBTM_MPI_PLUGIN). Loaded with its symbols global, as Open
 * MPI's own components need; never closed. */
static void *load_plugin(void) {
  static const char name[] = "gbtm-mpi.so";
  Dl_info here;
  void *plugin = NULL;
  if (dladdr((void *)load_plugin, &here) && here.dli_fname) {
    const char *slash = strrchr(here.dli_fname, '/');
    size_t dir = slash ? (size_t)(slash + 1 - here.dli_fname) : 0;
    char *path = malloc(dir + sizeof name);
    if (path) {
      memcpy(path, here.dli_fname, dir);
      memcpy(path + dir, name, sizeof name);
      plugin = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
      free(path);
    }
  }
  if (!plugin) plugin = dlopen(GBTM_MPI_PLUGIN, RTLD_NOW | RTLD_GLOBAL);
  return plugin;
}

gbtm_status gbtm_processes_init(int *argc, char ***argv, const gbtm_reducer **out, gbtm_error *err) {
  *out = NULL;
  if (!started_by_mpirun()) return GBTM_OK;
  void *plugin = load_plugin();
  if (!plugin) return gbtm_fail(err, GBTM_ERR_USAGE, "started by mpirun, but the MPI plugin did not load: %s", dlerror());
  bool (*start)(int *, char ***, int *, int *);
  mpi_processes p = {{0, 0, NULL, NULL, NULL}, NULL, NULL};
  *(void **)&start = dlsym(plugin, "gbtm_mpi_start"); /* POSIX's way to a function */
  *(void **)&p.reducer.sum = dlsym(plugin, "gbtm_mpi_sum");
  *(void **)&p.reducer.gather = dlsym(plugin, "gbtm_mpi_gather");
  *(void **)&p.abort = dlsym(plugin, "gbtm_mpi_abort");
  *(void **)&p.stop = dlsym(plugin, "gbtm_mpi_stop");
  if (!start || !p.reducer.sum || !p.reducer.gather || !p.abort || !p.stop)
    return gbtm_fail(err, GBTM_ERR_INTERNAL, "the MPI plugin lacks a function: %s", dlerror());
  if (!start(argc, argv, &p.reducer.rank, &p.reducer.size)) {
    p.stop();
    return gbtm_fail(err, GBTM_ERR_INTERNAL, "MPI did not start");
  }
  gbtm_status st = GBTM_OK;
  mpi_processes *r = NULL;
  if (p.reducer.size > GBTM_MAX_PROCESSES)
    st = gbtm_fail(err, GBTM_ERR_USAGE, "%d processes: gbtm runs on at most %d", p.reducer.size, GBTM_MAX_PROCESSES);
  else if (p.reducer.size > 1 && !(r = malloc(sizeof *r)))
    st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory starting the processes");
  if (!r) { /* one process (or none started): done with MPI */
    p.stop();
    return st;
  }
  *r = p;
  r->reducer.ctx = r;
  *out = &r->reducer;
  return GBTM_OK;
}

void gbtm_processes_abort(const gbtm_reducer *procs, int code) {
  if (procs) ((const mpi_processes *)procs->ctx)->abort(code);
}

void gbtm_processes_finalize(const gbtm_reducer *procs) {
  if (!procs) return;
  mpi_processes *r = procs->ctx;
  r->stop();
  free(r);
}

#else /* one process */

gbtm_status gbtm_processes_init(int *argc, char ***argv, const gbtm_reducer **out, gbtm_error *err) {
  (void)argc, (void)argv;
  *out = NULL;
  const char *size = getenv("OMPI_COMM_WORLD_SIZE");
  if (size && atoi(size) > 1)
    return gbtm_fail(err, GBTM_ERR_USAGE,
                     "started by mpirun, but this gbtm was built without MPI (configure with -DGBTM_MPI=ON)");
  return GBTM_OK;
}

void gbtm_processes_abort(const gbtm_reducer *procs, int code) { (void)procs, (void)code; }
void gbtm_processes_finalize(const gbtm_reducer *procs) { (void)procs; }

#endif
