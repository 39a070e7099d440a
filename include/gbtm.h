/* gbtm.h is the public C API of gbtm, an engine for group-based trajectory
 * models: finite mixtures of Poisson and zero-inflated Poisson regressions of
 * counts on a polynomial in age, one trajectory per person (docs/DESIGN.md).
 *
 * Conventions (shared/STYLE.md):
 * - gbtm_panel, gbtm_model, gbtm_fit_result (and the other results) are
 *   opaque handles; every _new/_copy/_alloc/_read/_fit has a _free, and
 *   _free(NULL) is a no-op. Names are gbtm_<noun>_<verb>.
 * - The library keeps no mutable global state of its own but one-time
 *   initialisation flags (gbtm_blas_threads_init); GSL's and HDF5's are
 *   their own.
 * - A program sees gbtm.h (and gbtm_presets.h, the built-in cohorts) only;
 *   engine/ is the library's inside.
 * - Every fallible function returns a gbtm_status and, when given a non-NULL
 *   gbtm_error, leaves a detailed message there ("data.csv:17:3: ...").
 * - The library never calls exit() or abort() on user input. It uses GSL,
 *   whose default error handler aborts: a program using the library should
 *   call gsl_set_error_handler_off() once, as the gbtm command does.
 * - Borrowed const arguments are used only during the call.
 */
#ifndef GBTM_H
#define GBTM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every declaration up to the matching pop below is the library's public
 * interface: the one exported from libgbtm.so, whose other symbols are
 * hidden (-fvisibility=hidden). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#define GBTM_VERSION "0.1.0"
#define GBTM_MAX_GROUPS 16 /* K at most */
#define GBTM_MAX_ORDER 5   /* polynomial order d at most */
#define GBTM_MAX_COEF (GBTM_MAX_ORDER + 1)
#define GBTM_MAX_RISK 8      /* time-stable risk factors at most */
#define GBTM_MAX_TCOV 4      /* time-varying covariates at most */
#define GBTM_MAX_THREADS 256 /* threads of any parallel region at most: more asked for are capped */
#define GBTM_NAME_MAX 48     /* a covariate's name: at most 47 bytes */

/* ---- status and errors ------------------------------------------------ */

typedef enum gbtm_status {
  GBTM_OK = 0,
  GBTM_ERR_USAGE,    /* an option or argument is invalid */
  GBTM_ERR_IO,       /* a file could not be opened, read or written */
  GBTM_ERR_PARSE,    /* malformed input data (file:line:column in message) */
  GBTM_ERR_DATA,     /* well-formed data that the model cannot use */
  GBTM_ERR_NOMEM,    /* out of memory */
  GBTM_ERR_FIT,      /* no start of the fit succeeded */
  GBTM_ERR_INTERNAL, /* a bug: please report it */
  GBTM_ERR_INTERRUPTED /* gbtm_fit_options.interrupt asked the fit to stop */
} gbtm_status;

/* The fixed text of a status code ("parse error", ...). Never NULL. */
const char *gbtm_status_str(gbtm_status status);

/* The detailed message of the last failure of a call that was given it. */
typedef struct gbtm_error {
  gbtm_status status;
  char message[1024];
} gbtm_error;

/* ---- processes (MPI) ---------------------------------------------------- */

/* The processes of a distributed run (reduce.h). NULL everywhere below
 * means one process. */
typedef struct gbtm_reducer gbtm_reducer;

/* Joins the processes of the run when mpirun started this one (built with
 * GBTM_MPI): *out is then the run's processes, owned by the caller until
 * gbtm_processes_finalize(); else (one process, also a run of one under
 * mpirun) it leaves *out NULL. Call once, first. */
gbtm_status gbtm_processes_init(int *argc, char ***argv, const gbtm_reducer **out, gbtm_error *err);
/* Stops every process of the run procs at once, exit status code (for a
 * failure that the other processes cannot know of); does nothing with one
 * process (procs NULL). */
void gbtm_processes_abort(const gbtm_reducer *procs, int code);
/* Leaves the run (MPI_Finalize) and releases procs (may be NULL: one
 * process, or a failed gbtm_processes_init). Call once, last. */
void gbtm_processes_finalize(const gbtm_reducer *procs);
/* This process's rank, 0 .. gbtm_processes_count(procs) - 1 (0 for NULL). */
int gbtm_processes_rank(const gbtm_reducer *procs);
/* The number of processes of the run (1 for NULL). */
int gbtm_processes_count(const gbtm_reducer *procs);
/* The largest of x over all processes, on every process (x for NULL).
 * Collective: every process calls it, in the same order as its other
 * collective calls. */
double gbtm_processes_max(const gbtm_reducer *procs, double x);

/* ---- BLAS threads -------------------------------------------------------- */

/* Sets OpenBLAS to one thread and ends the threads it started when it
 * loaded (engine/base/blas_threads.c says why: the fits parallelise with
 * OpenMP, and OpenBLAS's idle threads spin on the cores). The library does
 * this itself, once, at its first E-step, so a program need not call it;
 * a program that wants the spinning threads gone from its start (as the
 * gbtm command does) calls it first. Only the first call, from any thread,
 * does anything (a pthread_once flag, the library's only global state). */
void gbtm_blas_threads_init(void);

/* Turns the HDF5 library's own error printing off for the whole process
 * (HDF5's state, not gbtm's). gbtm reports HDF5 failures through
 * gbtm_error and turns HDF5's printing off during its own calls anyway,
 * restoring it after them; but HDF5 1.10 leaks internal blocks on some
 * damaged files and then prints "HDF5: infinite loop closing library" as
 * the process exits, unless its printing is off then. A program that
 * prints no HDF5 errors of its own (as the gbtm command) calls this first. */
void gbtm_hdf5_errors_off(void);

/* ---- output files ------------------------------------------------------- */

/* A file that appears whole or not at all. path's symbolic links are
 * followed to their target, so that a link stays a link. A regular target
 * (or one not there yet) is written under the temporary name
 * .NAME.gbtm-tmp-PID in the target's folder (so an unwritable folder is
 * reported before any work; a name of this process already taken gets
 * ".2", ".3", ...), flushed and fsynced, then renamed over the target; a
 * write that fails removes the temporary file and leaves an earlier file
 * as it was. Opening removes the temporary files of the same target whose
 * process is gone (a write that was killed). A character device or FIFO
 * is never replaced: it is written directly (a file written by name goes
 * to a temporary file in $TMPDIR, or /tmp, copied onto the device at the
 * commit). A folder, socket, block device, or a regular file with more
 * than one hard link (which renaming would split) is refused
 * (GBTM_ERR_USAGE). The library installs no signal handler: a program
 * that wants the temporary file removed when it is interrupted removes
 * tmp itself. A zeroed gbtm_atomic_file is a valid "never opened" one. The
 * members are owned by the library; read fp and tmp only. */
typedef struct gbtm_atomic_file {
  char *path;   /* the final name, as given */
  char *tmp;    /* the temporary name (NULL: a device written directly) */
  FILE *fp;     /* open for writing between open and commit (NULL after
                   gbtm_atomic_file_reserve: the caller writes tmp by name) */
  char *target; /* path with its links followed */
  bool direct;  /* the target is a device or FIFO */
} gbtm_atomic_file;

/* Checks, writing nothing, that path could be written as above: GBTM_OK,
 * or the error gbtm_atomic_file_open() (by_name false) or
 * gbtm_atomic_file_reserve() (by_name true) would give. *target (when not
 * NULL) is path with its links followed, and *tmp (when not NULL) the
 * temporary name the next such write by this process makes first, or NULL
 * for a device written directly; both malloc'd, for the caller to free. */
gbtm_status gbtm_atomic_file_check(const char *path, bool by_name, char **target, char **tmp,
                                   gbtm_error *err);
/* Creates the temporary file, mode 0666 & ~umask, open as f->fp (or opens
 * the device). GBTM_ERR_IO "PATH: cannot create the file: <reason>",
 * GBTM_ERR_USAGE for a target refused above, or GBTM_ERR_NOMEM on failure
 * (f is then zeroed). */
gbtm_status gbtm_atomic_file_open(gbtm_atomic_file *f, const char *path, gbtm_error *err);
/* The same, but closes the stream: for files written by name (a model
 * file: gbtm_model_save_reserved) before the commit. */
gbtm_status gbtm_atomic_file_reserve(gbtm_atomic_file *f, const char *path, gbtm_error *err);
/* Flushes, fsyncs, closes and renames into place (or copies onto the
 * device), and releases f; on failure removes the temporary file:
 * GBTM_ERR_IO "PATH: cannot write the file: <reason>" (e.g. "File too
 * large", "No space left on device"). */
gbtm_status gbtm_atomic_file_commit(gbtm_atomic_file *f, gbtm_error *err);
/* Removes the temporary file of a write that did not get to the end and
 * releases f; a no-op on a committed or zeroed gbtm_atomic_file. */
void gbtm_atomic_file_discard(gbtm_atomic_file *f);

/* ---- panels ------------------------------------------------------------ */

/* The model families (DESIGN §6 Families); a panel reader may be told the
 * family, to refuse a response or exposure it does not take. */
typedef enum gbtm_family_id {
  GBTM_POISSON = 0, /* eq. P */
  GBTM_ZIP = 1,     /* eq. Z */
  GBTM_LOGIT = 2,   /* eq. B: binary response, logit link */
  GBTM_NB = 3,      /* eq. NB: negative binomial (NB2), log link, a dispersion per group */
  GBTM_ZINB = 4,    /* eq. NB with zero inflation */
  GBTM_CNORM = 5,   /* eq. CN: censored normal, identity link, sigma per group */
  GBTM_BETA = 6     /* eq. BE: beta, logit link for the mean, a precision per group */
} gbtm_family_id;

/* A person x age panel of counts, held sparsely (DESIGN §1). */
typedef struct gbtm_panel gbtm_panel;

/* Which columns (or, in an HDF5 panel, datasets) hold the data.
 *
 * Long layout (the default): one row per person and age, with the columns
 * id, age, count and optionally exposure. Wide layout (PROC TRAJ's, wide =
 * true): one row per person, the id column, and waves matching lists of
 * count, age and (optionally) exposure columns; an empty or "." cell is a
 * missing observation (a count and its age must both be missing or both be
 * present).
 *
 * Covariates (DESIGN eq. M, and the time-varying terms of log lambda):
 * - risk[0..n_risk-1]: time-stable risk factors, one value per person (in
 *   the long layout repeated on each of the person's rows, and then equal on
 *   all of them);
 * - tcov[0..n_tcov-1]: time-varying covariates, one value per observed cell.
 *   In the long layout each is a column; in the wide layout tcov[j] is its
 *   name and tcov_cols[j] its waves columns.
 * A covariate cell that is empty, "." or "NA" is missing: an error naming
 * it, or with drop_missing the rows (cells) with a missing time-varying
 * covariate and the persons with a missing risk factor are dropped, and
 * the panel counts what was dropped. */
typedef struct gbtm_csv_columns {
  const char *id;       /* default "id" */
  const char *age;      /* default "age" */
  const char *count;    /* default "count" */
  const char *exposure; /* default NULL: no exposure column */
  int n_risk;
  const char *risk[GBTM_MAX_RISK];
  int n_tcov;
  const char *tcov[GBTM_MAX_TCOV];
  bool drop_missing;
  /* wide layout */
  bool wide;
  size_t waves;
  const char *const *count_cols;    /* [waves] */
  const char *const *age_cols;      /* [waves] */
  const char *const *exposure_cols; /* [waves] or NULL */
  const char *const *tcov_cols[GBTM_MAX_TCOV]; /* [waves] each */
  /* The most bytes of data a read may take in (0, the default: no limit):
   * larger input, a pipe or a device included, is refused as it arrives
   * (GBTM_ERR_USAGE), and so is an HDF5 panel that declares more. */
  uint64_t max_bytes;
  /* The CSV dialect: the delimiter (',', ';' or '\t'; 0, the default:
   * detected from the header, the one of the three found most often) and
   * the decimal mark ('.' or 0, the default; ',' for decimal commas, with
   * a delimiter other than the comma). Native files ignore both. */
  char delimiter, decimal;
  /* The family the data are for (default GBTM_POISSON, which takes every
   * count and exposure): a count or exposure the family does not take (a
   * count other than 0 or 1 for GBTM_LOGIT) is an error naming the file,
   * line and column, or the dataset. */
  gbtm_family_id family;
  /* A censored family's censoring points (cnorm's --min and --max): a
   * response beyond them is an error naming the file, line and column
   * (default -inf and +inf). */
  double ymin, ymax;
  /* The person-level sampling weight column (PROC TRAJ's WEIGHT; default
   * NULL: none). In the long layout repeated on a person's rows and equal
   * on all of them; in the wide layout one column; in an HDF5 panel the
   * dataset /panel/risk/NAME. Values finite and > 0; a missing weight is an
   * error, or with drop_missing the person is dropped. The weights are
   * rescaled to mean 1 over the persons (docs/DESIGN.md eq. W). Not read
   * by blocks (gbtm_panel_read_part with more than one process refuses it). */
  const char *weight;
} gbtm_csv_columns;

gbtm_csv_columns gbtm_csv_columns_default(void);

/* Reads a long CSV file with a header row: one row per person and age, in
 * any order. Ids are strings; ages are finite reals; counts are non-negative
 * integers; exposures are finite and > 0. On failure *out is NULL and err
 * names the file, line and column and what was expected.
 * The caller owns *out and frees it with gbtm_panel_free(). */
gbtm_status gbtm_panel_read_csv(const char *path, const gbtm_csv_columns *columns,
                                gbtm_panel **out, gbtm_error *err);

/* Reads a panel from path, whatever its format: an HDF5 panel (recognised
 * by the HDF5 signature; layout in docs/manual.md "HDF5 panels": datasets
 * /panel/id, /panel/age, /panel/count, optional /panel/exposure, and the
 * covariates under /panel/risk/NAME and /panel/tcov/NAME, one entry per
 * observation), a Stata (.dta), SPSS (.sav, .zsav) or SAS (.sas7bdat,
 * .xpt) file (recognised by its signature or extension, read through
 * ReadStat, its variables named by columns, in the long or wide layout), or
 * else a CSV file in the long or wide layout of columns (in the dialect of
 * columns->delimiter and decimal). Messages name the file and line:column,
 * the dataset, or the row and variable. */
gbtm_status gbtm_panel_read(const char *path, const gbtm_csv_columns *columns, gbtm_panel **out,
                            gbtm_error *err);

/* Writes the panel (with its covariates) as wide CSV, PROC TRAJ's layout:
 * id, the risk factors, then per wave w = 1..W: age<w>, count<w>,
 * exposure<w> (when any exposure differs from 1) and <covariate><w>; W (the
 * most observations of a person) into *waves (may be NULL). Crash-safe. */
gbtm_status gbtm_panel_write_wide_csv(const gbtm_panel *panel, const char *path, size_t *waves,
                                      gbtm_error *err);

/* Writes the panel (with its covariates) as an HDF5 panel, crash-safely
 * (a temporary name, then rename). */
gbtm_status gbtm_panel_write_h5(const gbtm_panel *panel, const char *path, gbtm_error *err);

/* Builds a panel from n rows held in arrays (the rows may come in any
 * order). exposure may be NULL. source names the data in error messages
 * (e.g. "rows"); the row number is reported as the line. Counts are
 * integers; gbtm_panel_from_rows_real() below takes real responses. */
gbtm_status gbtm_panel_from_rows(size_t n, const char *const *id, const double *age,
                                 const int64_t *count, const double *exposure,
                                 const char *source, gbtm_panel **out, gbtm_error *err);

/* gbtm_panel_read() by all processes of procs together, each reading only
 * its own block of persons: an HDF5 panel by hyperslabs of rows, a CSV
 * file by byte ranges; a block ends at a person boundary, so the rows of
 * each person must be consecutive in the file (a person found in two
 * blocks is an error). The panel holds this process's persons and knows
 * the whole: gbtm_fit() and gbtm_select() on it are collective and give
 * every process the answer for all persons. Any process's failure is
 * returned by every process, with that process's message. procs NULL: the
 * same as gbtm_panel_read(). */
gbtm_status gbtm_panel_read_part(const char *path, const gbtm_csv_columns *columns, const gbtm_reducer *procs,
                                 gbtm_panel **out, gbtm_error *err);

void gbtm_panel_free(gbtm_panel *panel);

size_t gbtm_panel_n_persons(const gbtm_panel *panel);
size_t gbtm_panel_n_obs(const gbtm_panel *panel);     /* observed cells */
size_t gbtm_panel_n_nonzero(const gbtm_panel *panel); /* cells with count > 0 (a response != 0) */
size_t gbtm_panel_n_ages(const gbtm_panel *panel);    /* distinct ages T */
/* The T distinct ages, ascending; valid while the panel lives. */
const double *gbtm_panel_ages(const gbtm_panel *panel);
/* The id of person i (0-based, in order of first appearance in the input). */
const char *gbtm_panel_id(const gbtm_panel *panel, size_t i);
bool gbtm_panel_has_exposure(const gbtm_panel *panel); /* any exposure != 1 */
double gbtm_panel_total_count(const gbtm_panel *panel);
/* The SHA-256 of the data file the panel was read from, as 64 lowercase hex
 * digits (what sha256sum prints for the file), taken by the reader while it
 * read: of the bytes of a CSV file, which it reads whole, or of the bytes of
 * an HDF5 panel's file. "" when unknown: a panel from rows, a subset, or a
 * distributed read (gbtm_panel_read_part with more than one process), where
 * no process reads the whole file. Valid while the panel lives; never NULL. */
const char *gbtm_panel_sha256(const gbtm_panel *panel);

/* Covariates of a panel: names, and the values of risk factor j of person
 * i at risk[i * n_risk + j]; of time-varying covariate j of the c-th
 * observed cell of person i (ascending in age) through panel_person_cells
 * order. What gbtm_csv_columns.drop_missing dropped: rows and persons. */
int gbtm_panel_n_risk(const gbtm_panel *panel);
const char *gbtm_panel_risk_name(const gbtm_panel *panel, int j);
const double *gbtm_panel_risk(const gbtm_panel *panel);
int gbtm_panel_n_tcov(const gbtm_panel *panel);
const char *gbtm_panel_tcov_name(const gbtm_panel *panel, int j);
/* Mean of time-varying covariate j over the observed cells. */
double gbtm_panel_tcov_mean(const gbtm_panel *panel, int j);
size_t gbtm_panel_dropped_rows(const gbtm_panel *panel);
size_t gbtm_panel_dropped_persons(const gbtm_panel *panel);

/* Person-level sampling weights (eq. W): sets the weights of the panel's
 * persons (n of them, in person order), finite and > 0, rescaled to mean 1
 * over the persons; name is the column they came from (for reports, at most
 * GBTM_NAME_MAX - 1 bytes). weights NULL removes them. A weight that is not
 * finite or not > 0 is GBTM_ERR_DATA naming the person. */
gbtm_status gbtm_panel_set_weights(gbtm_panel *panel, const double *weights, const char *name,
                                   gbtm_error *err);
/* Whether the panel is weighted; the weight column's name (NULL when not
 * weighted); person i's weight as rescaled (1 when not weighted); the sum,
 * smallest and largest of the weights as given, before rescaling (of all
 * processes' persons). */
bool gbtm_panel_weighted(const gbtm_panel *panel);
const char *gbtm_panel_weight_name(const gbtm_panel *panel);
double gbtm_panel_weight(const gbtm_panel *panel, size_t i);
void gbtm_panel_weight_given(const gbtm_panel *panel, double *sum, double *min, double *max);
/* Cells whose response (count) was missing (".", "NA" or empty in CSV; a
 * missing value of the file's own kinds in .dta, .sav and .sas7bdat): long
 * rows and wide waves that the readers dropped, whatever drop_missing. */
size_t gbtm_panel_missing_responses(const gbtm_panel *panel);

/* Covariates given with gbtm_panel_from_rows_covariates(), per row (NaN =
 * missing): risk[r * n_risk + j] (equal on all rows of a person) and
 * tcov[r * n_tcov + j]. */
typedef struct gbtm_panel_covariates {
  int n_risk;
  const char *risk_name[GBTM_MAX_RISK];
  const double *risk;
  int n_tcov;
  const char *tcov_name[GBTM_MAX_TCOV];
  const double *tcov;
  bool drop_missing;
} gbtm_panel_covariates;

gbtm_status gbtm_panel_from_rows_covariates(size_t n, const char *const *id, const double *age,
                                     const int64_t *count, const double *exposure,
                                     const gbtm_panel_covariates *cov, const char *source,
                                     gbtm_panel **out, gbtm_error *err);

/* gbtm_panel_from_rows_covariates() with the responses as reals, for a
 * family whose responses are reals rather than counts: any finite
 * response[r] is kept as it is (a response != 0 is a nonzero cell);
 * integers give the same panel as gbtm_panel_from_rows_covariates(). cov
 * may be NULL. */
gbtm_status gbtm_panel_from_rows_real(size_t n, const char *const *id, const double *age,
                                      const double *response, const double *exposure,
                                      const gbtm_panel_covariates *cov, const char *source,
                                      gbtm_panel **out, gbtm_error *err);

/* Writes the panel as long CSV (id,age,count[,exposure]), persons in panel
 * order, ages ascending; numbers with %.17g. */
gbtm_status gbtm_panel_write_csv(const gbtm_panel *panel, const char *path, gbtm_error *err);

/* ---- models ------------------------------------------------------------ */

/* The families are listed once, in engine/families/family_registry.c
 * (DESIGN §6 Families); their ids run from 0 to gbtm_family_count() - 1. */
int gbtm_family_count(void);
bool gbtm_family_valid(gbtm_family_id family);
/* The id of a family's name ("poisson", "zip"); false for any other text. */
bool gbtm_family_parse(const char *name, gbtm_family_id *out);
/* Its name, "zip", and its title, "Zero-inflated Poisson" ("unknown" for an
 * id out of range). */
const char *gbtm_family_name(gbtm_family_id family);
const char *gbtm_family_title(gbtm_family_id family);
/* The name of what the family's trajectories give, for reports: "expected
 * count" ("unknown" for an id out of range). */
const char *gbtm_family_expected_name(gbtm_family_id family);
/* What the family's linear predictor is ("log rate", "logit") and what exp
 * of a time-varying covariate's coefficient is ("rate ratio", "odds
 * ratio"), for reports ("unknown" for an id out of range). */
const char *gbtm_family_predictor_name(gbtm_family_id family);
const char *gbtm_family_ratio_name(gbtm_family_id family);
/* Whether the family has a zero-inflation part (iorder, alpha); false for an
 * id out of range. */
bool gbtm_family_zero_inflated(gbtm_family_id family);
/* The name of the family's own parameter, one per group ("dispersion" for
 * nb and zinb), or NULL when it has none (or the id is out of range). */
const char *gbtm_family_phi_name(gbtm_family_id family);

/* A fitted (or given) model, an opaque handle: read through the getters
 * below; a program that builds one (gbtm_model_new) sets it through the
 * setters. The models of results (gbtm_fit_result_model) belong to them;
 * those of gbtm_model_new, gbtm_model_copy and gbtm_preset (gbtm_presets.h)
 * to the caller, who frees them with gbtm_model_free.
 * Basis (DESIGN §2): x_t = (1, s, ..., s^d), s = (age - centre) / scale.
 * Membership (eq. M): pi_k(z) = softmax_k(theta_k + z'gamma_k) for a
 * person's risk factors z; the reference group refgroup has theta = 0 and
 * gamma = 0, so theta_k and gamma_kj are log-odds (ratios) of group k
 * against it. Without risk factors share_k = softmax(theta)_k.
 * Rates: log lambda_kt = x_t'beta_k + w_t'delta_k for time-varying
 * covariates w; trajectories are drawn and reported at w = tcov_fixed.
 * iorder(k) = -1 means no zero inflation in group k (alpha unused). */
typedef struct gbtm_model gbtm_model;

/* A new model of family with groups groups (1..GBTM_MAX_GROUPS): every
 * order 0, every iorder -1 (no zero inflation), centre 0, scale 1, age
 * range [0, 0], every coefficient 0, reference group 0, no covariates.
 * GBTM_ERR_USAGE for a family or number of groups out of range (*out
 * NULL), GBTM_ERR_NOMEM. The caller owns *out. */
gbtm_status gbtm_model_new(gbtm_family_id family, int groups, gbtm_model **out, gbtm_error *err);
/* A copy of model owned by the caller, or NULL when out of memory (or
 * model is NULL). */
gbtm_model *gbtm_model_copy(const gbtm_model *model);
void gbtm_model_free(gbtm_model *model);

/* Getters. Groups k are 0-based, 0 <= k < groups; powers j 0-based,
 * 0 <= j <= order(k) (beta) or iorder(k) (alpha); covariates j 0-based,
 * 0 <= j < n_risk (gamma, risk_name) or n_tcov (delta, tcov_name,
 * tcov_fixed). An index out of its range gives NaN (-1 for the integer
 * getters, NULL for the names); names are valid while the model lives. */
gbtm_family_id gbtm_model_family(const gbtm_model *model);
int gbtm_model_groups(const gbtm_model *model);          /* K */
int gbtm_model_order(const gbtm_model *model, int k);    /* d_k, 0..GBTM_MAX_ORDER */
int gbtm_model_iorder(const gbtm_model *model, int k);   /* q_k, -1..GBTM_MAX_ORDER (zip only) */
double gbtm_model_centre(const gbtm_model *model);       /* basis */
double gbtm_model_scale(const gbtm_model *model);
double gbtm_model_age_min(const gbtm_model *model);      /* the fitted age range */
double gbtm_model_age_max(const gbtm_model *model);
double gbtm_model_theta(const gbtm_model *model, int k); /* membership log-odds */
double gbtm_model_beta(const gbtm_model *model, int k, int j);  /* log-rate coefficients */
double gbtm_model_alpha(const gbtm_model *model, int k, int j); /* logit zero-inflation coefficients */
int gbtm_model_refgroup(const gbtm_model *model);        /* 0-based reference group of theta */
int gbtm_model_n_risk(const gbtm_model *model);          /* risk factors R */
const char *gbtm_model_risk_name(const gbtm_model *model, int j);
double gbtm_model_gamma(const gbtm_model *model, int k, int j); /* risk log-odds ratios (0 in refgroup) */
int gbtm_model_n_tcov(const gbtm_model *model);          /* time-varying covariates C */
const char *gbtm_model_tcov_name(const gbtm_model *model, int j);
double gbtm_model_delta(const gbtm_model *model, int k, int j); /* their log-rate coefficients */
double gbtm_model_tcov_fixed(const gbtm_model *model, int j);   /* w at which trajectories are reported */
/* The family's own parameter of group k (gbtm_family_phi_name: NB's
 * dispersion r, Var y = mu + mu^2 / r); NaN for a family without one. */
double gbtm_model_phi(const gbtm_model *model, int k);
/* Whether one phi is shared by every group (then psi holds it once). */
bool gbtm_model_phi_common(const gbtm_model *model);
/* For a censored family (cnorm): true, and its censoring points into *lo
 * and *hi (--min, --max); false for other families (*lo = -inf, *hi = +inf). */
bool gbtm_model_censoring(const gbtm_model *model, double *lo, double *hi);
/* Whether the family censors its response at two points (cnorm's --min and
 * --max); false for an id out of range. */
bool gbtm_family_censored(gbtm_family_id family);
/* Whether the family's responses are reals rather than counts (cnorm,
 * beta); false for an id out of range. */
bool gbtm_family_real_response(gbtm_family_id family);
/* Whether the family reads a number of trials where others read the
 * exposure (logit: a count out of n, binomial); false for an id out of
 * range. */
bool gbtm_family_trials(gbtm_family_id family);
/* Whether the intervals of the family's trajectories are built on the log
 * scale (true but for cnorm, whose mean may be 0 or negative: there on the
 * response's own scale). */
bool gbtm_family_band_log_scale(gbtm_family_id family);

/* Setters, for a program that builds a model (gbtm_model_new). Each checks
 * its arguments and leaves the model as it was on GBTM_ERR_USAGE (a message
 * in err naming the value): k and j as for the getters (j up to
 * GBTM_MAX_ORDER for beta and alpha, whatever the current orders: set the
 * order too), values finite. */
/* centre finite, scale finite and > 0. */
gbtm_status gbtm_model_set_basis(gbtm_model *model, double centre, double scale, gbtm_error *err);
/* age_min <= age_max, both finite. */
gbtm_status gbtm_model_set_age_range(gbtm_model *model, double age_min, double age_max,
                                     gbtm_error *err);
/* order 0..GBTM_MAX_ORDER. */
gbtm_status gbtm_model_set_order(gbtm_model *model, int k, int order, gbtm_error *err);
/* iorder -1..GBTM_MAX_ORDER (read by zip models only). */
gbtm_status gbtm_model_set_iorder(gbtm_model *model, int k, int iorder, gbtm_error *err);
/* theta_k; the reference group's is 0 by convention (pi = softmax(theta)
 * whatever it is). */
gbtm_status gbtm_model_set_theta(gbtm_model *model, int k, double theta, gbtm_error *err);
gbtm_status gbtm_model_set_beta(gbtm_model *model, int k, int j, double beta, gbtm_error *err);
gbtm_status gbtm_model_set_alpha(gbtm_model *model, int k, int j, double alpha, gbtm_error *err);
/* phi finite and > 0, for a family that has one; with common, every
 * group's phi is set to it and shared (k is then ignored). */
gbtm_status gbtm_model_set_phi(gbtm_model *model, int k, double phi, bool common, gbtm_error *err);
/* 0 <= refgroup < groups. */
gbtm_status gbtm_model_set_refgroup(gbtm_model *model, int refgroup, gbtm_error *err);
/* Group k's name in reports and plots (--labels: "early peak"), at most
 * GBTM_NAME_MAX - 1 bytes without control characters; "" for none. */
gbtm_status gbtm_model_set_label(gbtm_model *model, int k, const char *label, gbtm_error *err);
/* Group k's name, "" when it has none. */
const char *gbtm_model_label(const gbtm_model *model, int k);

/* Number of free parameters p = (K-1)(1+R) + sum(d_k+1+C) + sum(q_k+1)
 * (DESIGN §5). */
int gbtm_model_n_params(const gbtm_model *model);
/* Group shares pi_k = softmax(theta) into share[0..K-1] (with risk
 * factors: those of a person whose factors are all 0). */
void gbtm_model_shares(const gbtm_model *model, double *share);
/* pi_k(z) of eq. M for risk factors z[0..n_risk-1] (NULL: all 0). */
void gbtm_model_shares_at(const gbtm_model *model, const double *z, double *share);
/* Expected count per unit exposure mu = (1-omega) lambda of group k at age,
 * time-varying covariates at tcov_fixed. */
double gbtm_model_expected(const gbtm_model *model, int k, double age);
/* Zero-inflation probability omega of group k at age (0 without inflation). */
double gbtm_model_omega(const gbtm_model *model, int k, double age);

/* Direct evaluation of eq. L at the model, person by person (a reference
 * implementation, independent of the fitting kernels). */
gbtm_status gbtm_model_loglik(const gbtm_model *model, const gbtm_panel *panel,
                              double *loglik, gbtm_error *err);

/* ---- fitting ----------------------------------------------------------- */

typedef enum gbtm_kernel {
  GBTM_KERNEL_AUTO = 0, /* chosen by the panel's density */
  GBTM_KERNEL_DENSE,    /* OpenBLAS dgemm on dense person x age matrices */
  GBTM_KERNEL_SPARSE    /* windows, prefix sums and CSR nonzeros */
} gbtm_kernel;

/* "auto", "dense" or "sparse"; and back (false for any other name). */
const char *gbtm_kernel_name(gbtm_kernel kernel);
bool gbtm_kernel_parse(const char *name, gbtm_kernel *out);

/* Progress of a fit, reported through gbtm_fit_options.progress. */
typedef struct gbtm_progress {
  const char *phase; /* "short", "long" (EM), "newton" (the polish of a long run) */
  int start;         /* start index, 0-based */
  int starts;        /* starts in this phase */
  int iteration;     /* E-steps so far in this start */
  double loglik;
} gbtm_progress;

typedef void (*gbtm_progress_fn)(const gbtm_progress *progress, void *user);

/* Which covariance standard errors and intervals come from (DESIGN §4). */
typedef enum gbtm_se_kind {
  GBTM_SE_MODEL = 0, /* the inverse observed information I^-1 */
  GBTM_SE_ROBUST = 1 /* the sandwich I^-1 (sum_i s_i s_i') I^-1 */
} gbtm_se_kind;

/* gbtm_fit_options.starts: drawn in rounds until the best is replicated. */
#define GBTM_STARTS_AUTO (-1)
/* The largest budget of starts (max_starts) a fit takes. */
#define GBTM_MAX_STARTS_BUDGET 1000000
/* The next-best distinct maxima a fit summary lists. */
#define GBTM_MAX_OTHER_MAXIMA 5

typedef struct gbtm_fit_options {
  gbtm_family_id family;
  int groups;                  /* K >= 1 */
  int order[GBTM_MAX_GROUPS];  /* per-group polynomial order */
  int iorder[GBTM_MAX_GROUPS]; /* per-group zero-inflation order (ZIP) */
  double centre, scale;        /* basis; NaN = from the data's age range */
  /* Random starts: S, a fixed number (0 allowed with start_from), or
   * GBTM_STARTS_AUTO (default): rounds of starts until the best log L is
   * replicated (DESIGN §3, eq. ROUNDS). */
  int starts;
  int max_starts;              /* auto: the budget, in starts drawn (5000) */
  int replications;            /* auto: long runs that must reach the best log L (3) */
  double time_limit;           /* auto: seconds after which no round begins (0 = none, default) */
  uint64_t seed;               /* all starts derive from it (default 1) */
  int short_iterations;        /* E-steps of the short EM of each start (30) */
  double keep_fraction;        /* share of starts run to convergence (0.25) */
  int max_iterations;          /* E-steps per start at most (5000) */
  double tol_gradient;         /* converged when max|grad| <= tol * N (1e-9) */
  bool accelerate;             /* SQUAREM (default true) */
  int threads;                 /* OpenMP threads; 0 = the runtime's default; at most GBTM_MAX_THREADS */
  /* Persons of the pilot subsample on which the starts run on a large panel
   * (DESIGN §3 Starts): -1 = automatic (a pilot of some tens of thousands
   * of persons on panels of a few hundred thousand persons or more, the
   * library's tuning: engine/fit/tuning.h; default), 0 = none, n = about n
   * persons.
   * Not used with start_from or covariates. */
  long pilot;
  gbtm_kernel kernel;
  bool keep_posterior;         /* keep the N x K posterior matrix (true) */
  gbtm_progress_fn progress;   /* may be NULL */
  void *progress_user;
  /* An extra start from given parameters, run to convergence besides the
   * random starts (NULL = none). A model with K groups starts there; one
   * with K-1 groups (the solution one group smaller) has its largest group
   * split in two. It must have the same family and basis. */
  const gbtm_model *start_from;
  /* Inference (DESIGN §4): the observed information at the estimate, a
   * Newton polish of eq. L until the Newton decrement g'I^-1g < 1e-8, and
   * both covariances (default true). */
  bool inference;
  gbtm_se_kind se;             /* which covariance the report uses (model) */
  /* Covariates: the model has the panel's risk factors and time-varying
   * covariates (gbtm_csv_columns). refgroup: 0-based reference group of
   * eq. M (default 0); tcov_fixed: w at which trajectories are reported
   * (NaN = the covariate's mean over the observed cells). */
  int refgroup;
  double tcov_fixed[GBTM_MAX_TCOV];
  /* For a family with its own parameter (gbtm_family_phi_name): one value
   * shared by every group instead of one per group (default false). */
  bool phi_common;
  /* The response's censoring points for a censored family (cnorm's
   * --min/--max): -inf and +inf by default, where a censored family takes
   * the data's range. */
  double ymin, ymax;
  /* Interruption (NULL: none, the default): called on the thread that
   * called gbtm_fit, between E-steps of the runs that thread does and
   * between the phases of the fit, with interrupt_user. Once it returns
   * true the fit stops its runs and returns GBTM_ERR_INTERRUPTED, having
   * freed what it held. A binding checks its host's interrupt there (R's
   * R_CheckUserInterrupt); the library installs no signal handler. */
  bool (*interrupt)(void *user);
  void *interrupt_user;
} gbtm_fit_options;

/* Defaults: Poisson, K = 1, order 2, iorder 0, as documented above. */
gbtm_fit_options gbtm_fit_options_default(void);

/* Checks the options against the panel before any work (K, orders, ages). */
gbtm_status gbtm_fit_options_check(const gbtm_fit_options *options, const gbtm_panel *panel,
                                   gbtm_error *err);

typedef struct gbtm_fit_result gbtm_fit_result;

/* Fits the model by EM from options->starts random starts. A fit that ran
 * out of iterations is a result with converged = false, not an error; a fit
 * where no start succeeded is GBTM_ERR_FIT with the reasons in err.
 * The caller owns *out and frees it with gbtm_fit_result_free(). */
gbtm_status gbtm_fit(const gbtm_panel *panel, const gbtm_fit_options *options,
                     gbtm_fit_result **out, gbtm_error *err);

void gbtm_fit_result_free(gbtm_fit_result *result);

/* What stopped the run of the reported estimate (gbtm_fit_summary.stop). */
typedef enum gbtm_stop {
  GBTM_STOP_CONVERGED = 0, /* it converged */
  GBTM_STOP_MAX_ITER,      /* the iteration limit, max_iterations */
  GBTM_STOP_STALLED,       /* log L stopped rising before the gradient criterion was met
                              (an estimate on a boundary or a flat ridge) */
  GBTM_STOP_NEWTON         /* Newton's method (the polish, or the ascent with covariates)
                              ended with its decrement above the tolerance */
} gbtm_stop;

/* Fit criteria and summaries (DESIGN §5). */
typedef struct gbtm_fit_summary {
  double loglik;
  int n_params;         /* p */
  size_t n_persons;     /* N */
  size_t n_obs;         /* observed cells */
  double bic;           /* -2 log L + p ln N_persons (smaller is better) */
  double bic_obs;       /* -2 log L + p ln N_obs */
  double bic_traj;      /* PROC TRAJ form: log L - 0.5 p ln N_persons */
  double bic_traj_obs;  /* log L - 0.5 p ln N_obs */
  double aic;           /* -2 log L + 2 p */
  double entropy;       /* 1 + sum tau ln tau / (N ln K); 1 when K = 1 */
  bool converged;
  gbtm_stop stop;       /* what stopped it (GBTM_STOP_CONVERGED when converged;
                           not kept in model files) */
  int iterations;       /* E-steps of the best start */
  double gradient_norm; /* max-norm of the gradient of eq. L at the estimate */
  int starts;           /* S started */
  int starts_long;      /* the best of them after the short EM, run on to convergence */
  int starts_converged; /* of those, how many met the gradient criterion */
  int starts_failed;    /* starts that ended degenerate */
  int best_replicated;  /* long runs that ended within 1e-6 of the best log L */
  gbtm_kernel kernel;   /* the kernel used */
  int threads;          /* threads used (per process) */
  int processes;        /* processes (MPI ranks) the persons were spread over; 1 alone */
  size_t pilot_persons; /* persons of the pilot the starts ran on (the start
                           counts above are the pilot's); 0: no pilot */
  double seconds;       /* wall time of gbtm_fit */
  double newton_decrement; /* g'I^-1g at the estimate; NaN when I is not positive definite */
  gbtm_se_kind se;      /* the covariance the intervals use */
  /* --starts auto (DESIGN §3, eq. ROUNDS; not kept in model files): */
  bool starts_auto;     /* the starts were drawn in rounds (starts = how many were drawn) */
  int replications;     /* long runs the best had to be reached by (auto; 0 with fixed starts) */
  bool replicated;      /* auto: the best was reached by that many before the budget ran out */
  bool time_limited;    /* auto: the time limit ended the rounds */
  /* The next-best distinct maxima of the long runs (log L more than 1e-6
   * apart), highest first, and how many long runs reached each. */
  int n_other_maxima;
  double other_loglik[GBTM_MAX_OTHER_MAXIMA];
  int other_count[GBTM_MAX_OTHER_MAXIMA];
} gbtm_fit_summary;

/* Per-group adequacy figures. avepp/occ are NaN where undefined (no person
 * assigned, K = 1, or AvePP = 1); printers show them as null / "-". */
typedef struct gbtm_group_summary {
  double share;          /* pi_k */
  double assigned_share; /* share of persons whose modal group is k */
  double avepp;          /* mean posterior of the persons assigned to k */
  double occ;            /* odds of correct classification */
} gbtm_group_summary;

const gbtm_fit_summary *gbtm_fit_result_summary(const gbtm_fit_result *result);
/* The fitted model; valid while the result lives. */
const gbtm_model *gbtm_fit_result_model(const gbtm_fit_result *result);
/* Names the result's groups in their reported order (labels[0] group 1);
 * n must be the number of groups. Saved with the model (model-file
 * version 8). */
gbtm_status gbtm_fit_result_set_labels(gbtm_fit_result *result, const char *const *labels, int n, gbtm_error *err);
const gbtm_group_summary *gbtm_fit_result_group(const gbtm_fit_result *result, int k);
/* The N x K posterior matrix tau (row-major), or NULL when not kept; valid
 * while the result lives. Groups are in the reported order. */
const double *gbtm_fit_result_posterior(const gbtm_fit_result *result);
/* Reasons why starts failed, one per line ("start 3: group 2 emptied"),
 * or "" when none failed; valid while the result lives. */
const char *gbtm_fit_result_failures(const gbtm_fit_result *result);

/* ---- inference (DESIGN §4) ---- */

/* The free parameters psi, in this order: for each group k but the
 * reference group (gbtm_model_refgroup, group 1 unless chosen), theta_k and
 * then its risk factors' log-odds ratios gamma_k (one per risk factor);
 * then for each group k, beta_k (order_k + 1 values), the time-varying
 * covariates' coefficients delta_k (one per covariate) and, in a
 * zero-inflated group, alpha_k (iorder_k + 1 values), and for a family with
 * its own parameter (gbtm_family_phi_name) phi_k.
 * gbtm_model_param_index gives each one's place. Their number is
 * gbtm_fit_summary.n_params. */
const double *gbtm_fit_result_estimates(const gbtm_fit_result *result);
/* "theta[2]", "beta[1][0]", "alpha[3][1]", "dispersion[2]" (1-based
 * groups, 0-based powers; phi by its family's name). */
const char *gbtm_fit_result_param_name(const gbtm_fit_result *result, int j);
/* The P x P covariance of psi (row-major), or NULL when it is not available:
 * inference was off, or the information matrix is not positive definite (then
 * gbtm_fit_result_inference_note says which parameters are involved). */
const double *gbtm_fit_result_covariance(const gbtm_fit_result *result, gbtm_se_kind kind);
/* "" or a note on the information matrix; valid while the result lives. */
const char *gbtm_fit_result_inference_note(const gbtm_fit_result *result);
/* Whether parameter j of psi is on the boundary of the parameter space (a
 * zero inflation held at omega = 0): it has no standard error, its rows and
 * columns of the covariances are 0, and the other parameters' covariances
 * are those given it (eq. V, DESIGN §4). */
bool gbtm_fit_result_on_boundary(const gbtm_fit_result *result, int j);

/* The blocks of psi, each group's parameters of one kind. */
typedef enum gbtm_param_kind {
  GBTM_PARAM_THETA = 0, /* theta_k, the membership intercept (j = 0 only) */
  GBTM_PARAM_GAMMA,     /* gamma_kj, risk factor j's log-odds ratio */
  GBTM_PARAM_BETA,      /* beta_kj, power j of the basis */
  GBTM_PARAM_DELTA,     /* delta_kj, time-varying covariate j */
  GBTM_PARAM_ALPHA,     /* alpha_kj, power j of the zero inflation */
  GBTM_PARAM_PHI        /* phi_k, the family's own parameter (j = 0 only) */
} gbtm_param_kind;

/* The index in psi (gbtm_fit_result_estimates, the rows of
 * gbtm_fit_result_covariance) of parameter j of kind in group k (0-based) of
 * model, or -1 when psi has no such parameter: theta and gamma of the
 * reference group, j beyond the order or the covariates, alpha of a group
 * without zero inflation or of a Poisson model. Psi holds, for each group
 * but the reference, theta_k then gamma_k; then per group beta_k, delta_k,
 * alpha_k and phi_k. */
int gbtm_model_param_index(const gbtm_model *model, gbtm_param_kind kind, int k, int j);

/* The name of power j of the basis for reports ("intercept", "s", "s^2",
 * ...), into buf[size]. */
void gbtm_basis_coef_name(int j, char *buf, size_t size);

/* Group k's coefficients of kind (GBTM_PARAM_BETA or GBTM_PARAM_ALPHA) on
 * the age scale: those of the powers of (age - report_centre) (0: raw age)
 * whose polynomial is the fitted one, into coef[], and their standard
 * errors from covariance se_kind into se[] (NaN where there is none). The
 * basis's coefficients map to them exactly (eq. AB, DESIGN §2). Returns
 * their number (order + 1), 0 when the group has no such part, -1 for a
 * bad k or kind. */
int gbtm_fit_result_age_coefficients(const gbtm_fit_result *result, gbtm_param_kind kind, int k,
                                     double report_centre, gbtm_se_kind se_kind, double *coef, double *se);
/* The name of power j on the age scale about report_centre: "intercept",
 * "age", "age^2", or "(age - 30)", "(age - 30)^2". */
void gbtm_age_coef_name(int j, double report_centre, char *buf, size_t size);

/* Delta-method intervals (95%, or level in (0,1)) from the covariance kind:
 * - a group share: se of pi_k, interval on the logit scale mapped back;
 * - a group's expected count mu = (1 - omega) lambda at an age (E = 1):
 *   the interval of log mu, mapped back.
 * Return GBTM_ERR_DATA (and NaNs) when the covariance is not available. */
gbtm_status gbtm_fit_result_share_interval(const gbtm_fit_result *result, int k, gbtm_se_kind kind,
                                           double level, double *se, double *lower, double *upper);
gbtm_status gbtm_fit_result_trajectory_interval(const gbtm_fit_result *result, int k, double age,
                                                gbtm_se_kind kind, double level, double *mean,
                                                double *lower, double *upper);

/* Wald test of linear hypotheses on psi (in the spirit of PROC TRAJ's
 * %TRAJTEST): expr is one or more equations separated by ',' or ';', each
 * side a sum of terms [number *] name or number, names as
 * gbtm_fit_result_param_name gives them, e.g.
 *   "beta[2][1] = beta[3][1], beta[2][2] = beta[3][2]"   (equal shapes)
 *   "beta[1][2] = 0"                                      (a zero term)
 * chi2 = (R psi - r)' (R V R')^-1 (R psi - r) with df = the number of
 * equations and p = P(chi-square df > chi2). A malformed expression, an
 * unknown name, or dependent equations are GBTM_ERR_USAGE with a message
 * saying where; no covariance is GBTM_ERR_DATA. */
gbtm_status gbtm_wald_test(const gbtm_fit_result *result, gbtm_se_kind kind, const char *expr,
                           double *chi2, int *df, double *p_value, gbtm_error *err);

/* Parametric bootstrap (DESIGN §4): B cohorts drawn from the fitted model
 * on the fitted panel's own design (each person's observed ages and
 * exposures; groups drawn from the shares, counts from the group's
 * distribution), each refitted with starts random starts besides the
 * estimate (GBTM_STARTS_AUTO: rounds until the best is replicated, as
 * gbtm_fit does by default; 0: from the estimate only), in parallel over
 * threads (each refit on one thread, its starts seeded from (seed, b); the
 * answer does not depend on their number). Percentile intervals at level
 * for each share and for each group's expected count at each age of the
 * grid. */
typedef struct gbtm_bootstrap gbtm_bootstrap;

gbtm_status gbtm_bootstrap_run(const gbtm_fit_result *result, const gbtm_panel *panel, int B,
                               int starts, uint64_t seed, int threads, double level,
                               gbtm_bootstrap **out, gbtm_error *err);
void gbtm_bootstrap_free(gbtm_bootstrap *boot);
int gbtm_bootstrap_replicates(const gbtm_bootstrap *boot);  /* refits that succeeded */
size_t gbtm_bootstrap_n_ages(const gbtm_bootstrap *boot);
const double *gbtm_bootstrap_ages(const gbtm_bootstrap *boot);
void gbtm_bootstrap_share(const gbtm_bootstrap *boot, int k, double *lower, double *upper);
void gbtm_bootstrap_trajectory(const gbtm_bootstrap *boot, int k, size_t t, double *lower, double *upper);
/* The interval of group k's own parameter (gbtm_family_phi_name; NaN for a
 * family without one). */
void gbtm_bootstrap_phi(const gbtm_bootstrap *boot, int k, double *lower, double *upper);

/* What the fitted data looked like, kept with the result (and the model
 * file) so that a report can be printed without the data. */
typedef struct gbtm_data_summary {
  size_t persons, observations, ages; /* N, observed cells, distinct ages T */
  double age_min, age_max;
  double zero_share;  /* share of observed cells with count 0 */
  double total_count;
  bool exposure;      /* any exposure != 1 */
  size_t missing_responses; /* cells read with a missing response (., NA, empty), dropped */
  /* person-level sampling weights (eq. W): the column, and the sum,
   * smallest and largest weight as given (before rescaling to mean 1);
   * weight_column "" when the fit is not weighted */
  char weight_column[GBTM_NAME_MAX];
  double weight_sum, weight_min, weight_max;
} gbtm_data_summary;

const gbtm_data_summary *gbtm_fit_result_data(const gbtm_fit_result *result);
/* The person ids of the fitted data, in posterior row order, or NULL when
 * the posteriors are not kept; valid while the result lives. */
const char *const *gbtm_fit_result_ids(const gbtm_fit_result *result);

/* ---- simulation -------------------------------------------------------- */

/* Draws counts from model for n persons. Each person is observed at the
 * integer ages age_lo..end_i, end_i drawn uniformly in [end_lo, age_hi]; a
 * cell is missing with probability gap_prob; with custody_prob > 0 a cell's
 * exposure is drawn uniformly in (0.1, 0.9) with that probability. Group
 * membership is drawn from the model's shares; when group is not NULL it
 * receives each person's true group (0-based, n entries). Ids are
 * "P000001"-style. Deterministic for a seed (GSL mt19937). */
typedef struct gbtm_sim_design {
  size_t n;
  double age_lo, end_lo, age_hi;
  double gap_prob;
  double custody_prob;
  uint64_t seed;
  /* With a model that has covariates: each risk factor j of a person is 1
   * with probability risk_prob[j], else 0; each time-varying covariate j of
   * a cell is 1 with probability tcov_prob[j], else 0 (independently).
   * Groups are then drawn from pi(z) (eq. M) and counts at
   * log lambda + w'delta. */
  double risk_prob[GBTM_MAX_RISK];
  double tcov_prob[GBTM_MAX_TCOV];
} gbtm_sim_design;

gbtm_status gbtm_simulate(const gbtm_model *model, const gbtm_sim_design *design,
                          gbtm_panel **out, int *group, gbtm_error *err);

/* ---- memory (an estimate before the data is read) ------------------------ */

/* The work that will follow reading a panel. */
typedef struct gbtm_memory_work {
  int groups;       /* K; for a sweep over K, the largest */
  int starts;       /* random starts S */
  int threads;      /* 0: all cores, as gbtm_fit counts them */
  int covariates;   /* covariate columns read (risk factors and time-varying) */
  bool exposure;    /* an exposure column is read */
  bool posterior;   /* the N x K posteriors are kept with the result */
  int cv_folds;     /* V-fold cross-validation (its fold panels), 0: none */
  int bootstrap;    /* bootstrap refits (run in parallel), 0: none */
} gbtm_memory_work;

/* What reading a long CSV file and doing the work on it will need. When
 * known is false (the file is not a CSV file, e.g. an HDF5 panel, or not a
 * regular file, e.g. a pipe, which a scan would use up) nothing is
 * estimated. The figures are upper bounds of what the reader will find, and
 * estimates of the peak resident memory meant to be right within a small
 * factor, not exact. */
typedef struct gbtm_memory_need {
  bool known;
  uint64_t file_bytes; /* the file's size */
  uint64_t rows;       /* data rows at most */
  uint64_t persons;    /* distinct ids at most */
  uint64_t read;       /* bytes: the read's peak */
  uint64_t fit;        /* bytes: the fit's peak (the panel and its working memory) */
  uint64_t peak;       /* bytes: the larger of the two, the run's peak */
} gbtm_memory_need;

/* Estimates, by one streaming pass over the CSV file at path (columns NULL:
 * the defaults) and the library's own layouts, the memory that reading it
 * and work on it need (engine/fit/memory_estimate.h). A file that cannot be
 * opened or read is GBTM_ERR_IO; a malformed file is not an error here (the
 * reader reports it). */
gbtm_status gbtm_memory_estimate(const char *path, const gbtm_csv_columns *columns,
                                 const gbtm_memory_work *work, gbtm_memory_need *out,
                                 gbtm_error *err);
/* The memory the system can give without swapping: MemAvailable of
 * /proc/meminfo in bytes, or 0 when it cannot be read. */
uint64_t gbtm_memory_available(void);
/* Parses a size: a decimal number (a fraction allowed) with an optional
 * unit K, M, G or T (powers of 1024; a trailing "B" or "iB" is allowed, any
 * case), e.g. "512M", "8G", "1.5GB", "1000000". False unless the whole text
 * is one size of at least 1 byte and below 2^63. */
bool gbtm_memory_size_parse(const char *text, uint64_t *bytes);
/* Writes bytes for people into buf[size]: "812 bytes", "1.5 KB", "23.4 MB"
 * (powers of 1024, one decimal). */
void gbtm_memory_size_format(uint64_t bytes, char *buf, size_t size);

/* ---- panel subsets ------------------------------------------------------ */

/* A new panel holding the persons persons[0..n-1] of panel (0-based indices,
 * distinct, n >= 1), in that order, with all their observed cells. Its age
 * grid is the distinct ages of those persons, so it may be shorter than the
 * panel's: fits of a subset that must share the panel's basis pass
 * gbtm_fit_options.centre and .scale. The caller owns *out. */
gbtm_status gbtm_panel_subset(const gbtm_panel *panel, const size_t *persons, size_t n,
                              gbtm_panel **out, gbtm_error *err);

/* ---- cross-validation (DESIGN §5) --------------------------------------- */

/* V folds of persons: fold[i] in 0..folds-1 for each person i of n. The
 * persons are permuted at random (GSL mt19937 seeded with seed, a Fisher-Yates
 * shuffle) and the j-th person of the permutation goes to fold j mod folds,
 * so the folds differ in size by at most one. The same seed gives the same
 * folds. Needs 2 <= folds <= n. */
gbtm_status gbtm_cv_folds(size_t n, int folds, uint64_t seed, int *fold, gbtm_error *err);

typedef struct gbtm_cv_result {
  int folds;        /* V */
  int folds_failed; /* folds whose fit failed (no start succeeded) */
  /* Held-out log-likelihood: the sum over folds of eq. L of the fold's
   * persons at the parameters fitted to the other V-1 folds; NaN when a fold
   * failed (a sum over fewer persons would not compare). */
  double loglik;
  /* crimCV's cross-validation error: mean |y_it - yhat_it| over the observed
   * cells of the held-out persons, yhat_it = sum_k p_ik (1 - omega_kt)
   * lambda_kt E_it with p_ik person i's posterior group probabilities (from
   * all of i's cells) under the fold's fitted model; over the folds that did
   * not fail. */
  double cve;
  size_t cells; /* held-out observed cells in the CVE */
} gbtm_cv_result;

/* Cross-validates the model that options describes (K, orders, family) over
 * the folds of gbtm_cv_folds(N, folds, seed). Fold v is fitted by gbtm_fit()
 * on gbtm_panel_subset() of the persons outside fold v, in increasing index
 * order, with *options except: centre and scale are those of options or, when
 * NaN, of the whole panel (so every fold shares one basis); start_from is
 * start (NULL: none; normally the fit to all the data); the posteriors are
 * not kept, inference is off and no progress is reported. */
gbtm_status gbtm_cv_run(const gbtm_panel *panel, const gbtm_fit_options *options, int folds,
                        uint64_t seed, const gbtm_model *start, gbtm_cv_result *out,
                        gbtm_error *err);

/* ---- choosing the number of groups (DESIGN §5) -------------------------- */

/* Adequacy rules a model can break (gbtm_select_entry.flags). */
enum {
  GBTM_FLAG_AVEPP = 1,          /* a group's AvePP < 0.7, or no person assigned to it */
  GBTM_FLAG_OCC = 2,            /* a group's OCC < 5 */
  GBTM_FLAG_SMALL_GROUP = 4,    /* a group's share pi_k < 5% */
  GBTM_FLAG_NOT_REPLICATED = 8, /* the best log L reached by one long run only (automatic starts:
                                   by fewer than the replications asked for) */
  GBTM_FLAG_NOT_CONVERGED = 16, /* the best start did not converge */
  GBTM_FLAG_FAILED = 32         /* no start succeeded: there is no fit */
};
#define GBTM_RULE_AVEPP 0.7
#define GBTM_RULE_OCC 5.0
#define GBTM_RULE_SHARE 0.05

/* One model of a sweep. */
typedef struct gbtm_select_entry {
  int groups, order, iorder; /* K, d (every group), q (zip, every group) */
  const gbtm_fit_result *fit; /* NULL when the fit failed; valid while the result lives */
  const char *failure;        /* why the fit failed, or "" */
  double min_avepp;           /* over the groups (NaN: none defined) */
  double min_occ;             /* over the groups with a finite OCC (NaN: none) */
  double min_share;           /* smallest pi_k */
  unsigned flags;             /* GBTM_FLAG_* */
  gbtm_cv_result cv;          /* cv.folds = 0 without cross-validation */
  double seconds;             /* wall time of the fit and its cross-validation */
} gbtm_select_entry;

/* Progress of a sweep, reported before each model ("fit"), before each fold
 * ("cv") and when a model is done ("done", with its entry). */
typedef struct gbtm_select_progress {
  const char *phase;
  int index, count; /* the (K, d) of the sweep: 0-based index, and how many */
  int groups, order;
  int fold, folds;   /* 0-based fold during "cv" */
  const gbtm_select_entry *entry; /* at "done", else NULL */
} gbtm_select_progress;

typedef void (*gbtm_select_progress_fn)(const gbtm_select_progress *progress, void *user);

typedef struct gbtm_select_options {
  /* The fits: family, iorder[0] (zip, used for every group), starts, seed,
   * threads, tolerances, basis (NaN = the data's). groups, order and
   * start_from are set for each model. */
  gbtm_fit_options fit;
  int groups_min, groups_max; /* K range, 1 <= min <= max <= GBTM_MAX_GROUPS */
  int order_min, order_max;   /* d range, the same d in every group */
  int cv_folds;               /* V >= 2, or 0: no cross-validation */
  gbtm_select_progress_fn progress; /* may be NULL */
  void *progress_user;
} gbtm_select_options;

/* Defaults: gbtm_fit_options_default(), K 1..6, d 2..2, no cross-validation. */
gbtm_select_options gbtm_select_options_default(void);

typedef struct gbtm_select_result gbtm_select_result;

/* Fits every (K, d) of the ranges, d in the outer loop and K in the inner,
 * so that each K > groups_min starts, besides its random starts, from the
 * K-1 solution with its largest group split (gbtm_fit_options.start_from).
 * With cv_folds, cross-validates each model with gbtm_cv_run() (seed
 * fit.seed, start: the model's fit to all the data). A model whose fit
 * fails is an entry with GBTM_FLAG_FAILED, not an error; options that no
 * model can use (a d above the ages) are an error before any work.
 * The caller owns *out and frees it with gbtm_select_result_free(). */
gbtm_status gbtm_select(const gbtm_panel *panel, const gbtm_select_options *options,
                        gbtm_select_result **out, gbtm_error *err);

void gbtm_select_result_free(gbtm_select_result *result);
size_t gbtm_select_result_count(const gbtm_select_result *result);
/* Names the groups of every model with n groups (gbtm_fit_result_set_labels);
 * the others keep none. */
gbtm_status gbtm_select_result_set_labels(gbtm_select_result *result, const char *const *labels, int n,
                                          gbtm_error *err);
/* Entry i, in sweep order; valid while the result lives. */
const gbtm_select_entry *gbtm_select_result_entry(const gbtm_select_result *result, size_t i);
/* The index of the entry with the smallest bic (-2 log L + p ln N persons),
 * the first on ties; -1 when no fit succeeded. */
int gbtm_select_result_best(const gbtm_select_result *result);

/* ---- refining the orders ------------------------------------------------ */

/* One likelihood-ratio test of gbtm_refine(): a candidate model with one
 * group's order lowered by one. */
typedef struct gbtm_refine_step {
  int step;                     /* 1-based round of candidates */
  int groups;                   /* K */
  int from;                     /* a group of order `from` went to from - 1 */
  int order[GBTM_MAX_GROUPS];   /* the current orders, in the current group order */
  int reduced[GBTM_MAX_GROUPS]; /* the fitted candidate's orders, in its group order */
  double loglik, loglik_reduced;
  double lr;                    /* 2 (log L - log L reduced) */
  double p_value;               /* P(chi-square 1 df > lr); NaN when the candidate failed */
  bool accepted;                /* the round's best candidate, not significant: dropped */
} gbtm_refine_step;

typedef void (*gbtm_refine_step_fn)(const gbtm_refine_step *step, void *user);

/* Refines per-group orders by backward elimination with likelihood-ratio
 * tests. It fits options (K and orders, start_from honoured); then, in
 * rounds, for each distinct order d > 0 among the groups it fits the
 * candidate with one group of order d lowered to d - 1 (random starts, and
 * the current solution with that group's top term dropped, choosing among
 * the groups of order d the one with the smallest |top coefficient|). The
 * groups of a mixture have no fixed identity, so a candidate is the set of
 * orders and the fit decides which trajectory gets the lower order. The
 * round's best candidate (highest log L) replaces the current model when
 * 2 (log L - log L reduced) < 3.841, the 5% point of chi-square with 1 df;
 * otherwise, or when no group has a term left to drop, refinement ends.
 * Each candidate is reported through on_step (may be NULL), after its
 * round is decided. Zero-inflation orders are left as they are. *out is the
 * final fit, owned by the caller. */
gbtm_status gbtm_refine(const gbtm_panel *panel, const gbtm_fit_options *options,
                        gbtm_refine_step_fn on_step, void *user, gbtm_fit_result **out,
                        gbtm_error *err);

/* ---- model files (DESIGN §7) ------------------------------------------- */

/* Model files are HDF5 files, read and written through the serial HDF5
 * library, which is not thread-safe: save and load from one thread at a
 * time. */

/* The newest layout version this gbtm writes (6 for the cnorm and beta
 * families, 5 for the nb and zinb families, 4 for logit, 3 for person ids longer than 64 bytes, else 2 for
 * models with covariates or a reference group other than the first, else
 * 1: docs/model-file.md); it reads this version and older. */
#define GBTM_MODEL_FORMAT_VERSION 11

/* What a model file records besides the fit; every member may be NULL/0. */
typedef struct gbtm_save_info {
  const char *command_line; /* the full command that made the fit */
  const char *data_name;    /* how the data was named (e.g. its file name) */
  /* The data file's SHA-256 (64 hex digits); NULL: the panel's
   * (gbtm_panel_sha256), or "" without a panel. */
  const char *data_sha256;
  uint64_t seed;            /* the fit's seed */
  /* The fitted data, when at hand (may be NULL): the trajectories are then
   * tabulated at its distinct ages, with each group's observed
   * posterior-weighted rate beside the expected one. It must be the panel
   * of the fit (the same persons as the result's posteriors). */
  const gbtm_panel *panel;
} gbtm_save_info;

/* Writes the fit to path as an HDF5 model file (layout: engine/modelfile/model_io.c,
 * docs/model-file.md). The file is written as a gbtm_atomic_file
 * (a temporary name beside path's target, flushed to disk and renamed over
 * it), so an interrupted or failed save leaves an earlier file as it was.
 * info may be NULL. */
gbtm_status gbtm_model_save(const gbtm_fit_result *result, const gbtm_save_info *info,
                            const char *path, gbtm_error *err);

/* gbtm_model_save() into a file the caller reserved with
 * gbtm_atomic_file_reserve() (a command that reports an unwritable folder
 * before hours of fitting): writes f->tmp and closes it, messages naming
 * f->path. The caller then publishes it with gbtm_atomic_file_commit() or
 * drops it with gbtm_atomic_file_discard(), also after a failure here. */
gbtm_status gbtm_model_save_reserved(const gbtm_fit_result *result, const gbtm_save_info *info,
                                     const gbtm_atomic_file *f, gbtm_error *err);

/* Reads a model file into a full fit result: the model, the summary, the
 * group and data summaries, the failures, the inference (estimates, names,
 * covariances) and the posteriors with their ids when the file holds them.
 * A missing file is GBTM_ERR_IO; a file that is not HDF5, damaged, from a
 * newer format version, or whose datasets are missing or of the wrong type
 * or shape is GBTM_ERR_PARSE, with a message naming the file and what is
 * wrong ("model.h5: /params/beta has shape 3x6, expected 4x6"). The caller
 * owns *out (gbtm_fit_result_free). */
gbtm_status gbtm_model_load(const char *path, gbtm_fit_result **out, gbtm_error *err);

/* The root attributes of the file a result was read from. */
typedef struct gbtm_model_file_info {
  int format_version;
  const char *gbtm_version; /* of the gbtm that wrote the file */
  const char *created;      /* ISO 8601 UTC, "2024-05-01T12:00:00Z" */
  const char *command_line;
  const char *data_name;
  const char *data_sha256;
  uint64_t seed;
} gbtm_model_file_info;

/* The file's attributes for a result of gbtm_model_load(), NULL for one of
 * gbtm_fit(); valid while the result lives. */
const gbtm_model_file_info *gbtm_fit_result_file_info(const gbtm_fit_result *result);

/* The trajectory table of a model file (/trajectory): each group's expected
 * count at T ages, its 95% band and, when the data was at hand at save time,
 * the observed posterior-weighted rate. Matrices are K x T, row-major; NaN
 * where a value is undefined (bands without standard errors, observed rates
 * at ages where no person of the data was observed). */
typedef struct gbtm_trajectory_table {
  int groups;            /* K */
  size_t ages;           /* T */
  double *age;           /* [T] */
  double *expected;      /* [K x T] expected count per unit exposure */
  double *lower, *upper; /* [K x T] its 95% band */
  double *observed;      /* [K x T], or NULL when the file holds none */
} gbtm_trajectory_table;

/* Reads the trajectory table of the model file at path, checked as
 * gbtm_model_load() checks it (the same statuses and messages). The caller
 * owns *out (gbtm_trajectory_table_free). */
gbtm_status gbtm_trajectory_table_read(const char *path, gbtm_trajectory_table **out,
                                       gbtm_error *err);
void gbtm_trajectory_table_free(gbtm_trajectory_table *table);

/* Posterior group probabilities of the persons of panel under model (eq. M,
 * eq. L): tau_ik = softmax_k(log pi_k + sum_t log f_k(y_it)), into tau
 * (N x K, row-major, N = gbtm_panel_n_persons). The persons need not be
 * those the model was fitted to; ages outside [age_min, age_max] are
 * extrapolated (see gbtm_model_outside_range). */
gbtm_status gbtm_model_classify(const gbtm_model *model, const gbtm_panel *panel, double *tau,
                                gbtm_error *err);

/* Marks in outside[i] (N entries, may be NULL) whether person i of panel is
 * observed at an age outside the model's fitted range; returns how many are. */
size_t gbtm_model_outside_range(const gbtm_model *model, const gbtm_panel *panel, bool *outside);

/* ---- profiles of the groups (DESIGN §9) -------------------------------- */

/* A table of person variables read from a file with one row per person
 * (CSV in any dialect, or a Stata, SPSS or SAS file): the id column and
 * the wanted variables. A cell that is empty, "." or "NA" (or a native
 * missing value) is missing. */
typedef struct gbtm_person_table gbtm_person_table;

/* Reads the column id and the n variables names[] of the file at path (a
 * CSV file in the dialect delimiter and decimal, as gbtm_csv_columns has
 * them: 0 for the defaults). repeated false: an id on two rows is an error naming the file, line and
 * column; repeated true (a long panel): the rows of one id must agree in
 * every wanted variable, else an error naming the file, line and column of
 * the first that differs. A missing id, or a named column the file lacks,
 * is an error. The caller owns *out (gbtm_person_table_free). */
gbtm_status gbtm_person_table_read(const char *path, const char *id, size_t n, const char *const *names,
                                   bool repeated, char delimiter, char decimal, gbtm_person_table **out,
                                   gbtm_error *err);
void gbtm_person_table_free(gbtm_person_table *table);
size_t gbtm_person_table_rows(const gbtm_person_table *table); /* distinct persons */
const char *gbtm_person_table_id(const gbtm_person_table *table, size_t i);
/* The row of the person id, or SIZE_MAX when absent. */
size_t gbtm_person_table_find(const gbtm_person_table *table, const char *id);
/* Variable j: a numeric one (every cell present a number) gives its values
 * (NaN: missing); one with text cells gives codes 0..L-1 into its sorted
 * levels (gbtm_person_table_level). */
bool gbtm_person_table_numeric(const gbtm_person_table *table, size_t j);
const double *gbtm_person_table_values(const gbtm_person_table *table, size_t j);
int gbtm_person_table_n_levels(const gbtm_person_table *table, size_t j); /* 0 when numeric */
const char *gbtm_person_table_level(const gbtm_person_table *table, size_t j, int l);
/* Value labels of a numeric native variable: their number, and label l's
 * value and text (0 labels for CSV). */
int gbtm_person_table_n_labels(const gbtm_person_table *table, size_t j);
double gbtm_person_table_label_value(const gbtm_person_table *table, size_t j, int l);
const char *gbtm_person_table_label_text(const gbtm_person_table *table, size_t j, int l);
/* GBTM_OK when variable j is numeric, else GBTM_ERR_PARSE with
 * "FILE:LINE:COL: <what> \"x\" is \"abc\", not a number" at its first text
 * cell (what: e.g. "continuous variable"). */
gbtm_status gbtm_person_table_require_numeric(const gbtm_person_table *table, size_t j, const char *what,
                                              gbtm_error *err);

/* The types of a profiled variable (DESIGN §9 Types). */
typedef enum gbtm_profile_type {
  GBTM_PROFILE_AUTO = 0,    /* detected (DESIGN §9 Types) */
  GBTM_PROFILE_BINARY,      /* the share of the second (or the 1) value */
  GBTM_PROFILE_CATEGORICAL, /* a share per category */
  GBTM_PROFILE_CONTINUOUS,  /* the mean */
  GBTM_PROFILE_COUNT        /* the mean (a distal count: a Poisson rate) */
} gbtm_profile_type;
const char *gbtm_profile_type_name(gbtm_profile_type type); /* "binary", ... */

/* A variable to profile: x[N] in the posterior's person order (NaN:
 * missing). With levels (n_levels > 0), x holds codes 0..n_levels-1 into
 * levels[], the type is binary or categorical. With value labels
 * (n_labels > 0), the numbers label_value[] are shown as label_text[]. */
typedef struct gbtm_profile_var {
  const char *name;
  gbtm_profile_type type;
  bool distal; /* also the ML three-step (eq. ML3); binary, count or continuous */
  const double *x;
  int n_levels;
  const char *const *levels;
  int n_labels;
  const double *label_value;
  const char *const *label_text;
} gbtm_profile_var;

/* The methods of estimating a group's value (DESIGN §9). */
typedef enum gbtm_profile_method {
  GBTM_PROFILE_MODAL = 0,    /* the persons assigned to the group */
  GBTM_PROFILE_PROPORTIONAL, /* posterior-weighted (eq. PW with tau) */
  GBTM_PROFILE_BCH,          /* eq. BCH: corrected for classification error */
  GBTM_PROFILE_ML3           /* eq. ML3, distal outcomes only */
} gbtm_profile_method;
const char *gbtm_profile_method_name(gbtm_profile_method method); /* "modal", ... */

/* The profile of the groups of a model: from the N x K posteriors tau
 * (row-major, as gbtm_fit_result_posterior), and the variables. present
 * (N entries; NULL: all) marks the persons found in the person data (the
 * others are counted neither as used nor as missing). The classification
 * error matrix (eq. D) is taken over all N persons. The caller owns *out
 * (gbtm_profile_free). */
typedef struct gbtm_profile gbtm_profile;
gbtm_status gbtm_profile_run(const double *tau, size_t N, int K, const bool *present,
                             const gbtm_profile_var *vars, int n_vars, gbtm_profile **out, gbtm_error *err);
void gbtm_profile_free(gbtm_profile *profile);

int gbtm_profile_groups(const gbtm_profile *profile);
/* eq. D: D[k*K + s] = P(modal group s | group k). */
const double *gbtm_profile_error_matrix(const gbtm_profile *profile);
/* Whether D could be inverted (the BCH estimates exist); else a note why. */
bool gbtm_profile_bch_available(const gbtm_profile *profile);
const char *gbtm_profile_bch_note(const gbtm_profile *profile);
size_t gbtm_profile_modal_count(const gbtm_profile *profile, int k);
int gbtm_profile_n_vars(const gbtm_profile *profile);

typedef struct gbtm_profile_var_info {
  const char *name;
  gbtm_profile_type type; /* as detected or declared */
  bool distal;
  size_t n_used;          /* persons with a value */
  size_t n_missing;       /* persons present with a missing value */
  int n_quantities;       /* 1, or the categories of a categorical variable */
  double wald_chi2, wald_p; /* eq. WALD on the BCH estimates (NaN: not available) */
  int wald_df;
  double ml3_wald_chi2, ml3_wald_p; /* the same on the ML3 estimates (distal) */
  int ml3_wald_df;
  const char *note;       /* "" or why a test or method is not available */
} gbtm_profile_var_info;
const gbtm_profile_var_info *gbtm_profile_var_info_of(const gbtm_profile *profile, int v);
/* The name of quantity q of variable v: the category, or for a binary
 * variable the value whose share is reported ("" for a mean). */
const char *gbtm_profile_quantity(const gbtm_profile *profile, int v, int q);
/* Variable v's estimate for group k (0-based), quantity q, by method m and
 * its standard error; NaN when not available. */
void gbtm_profile_estimate(const gbtm_profile *profile, int v, int q, int k, gbtm_profile_method m,
                           double *estimate, double *se);
/* The test that groups k and l are equal (BCH estimates, or ML3 with
 * ml3): chi2 with df (1, or C - 1 for a categorical variable), p. */
void gbtm_profile_pair(const gbtm_profile *profile, int v, int k, int l, bool ml3, double *chi2, int *df,
                       double *p);

/* Renders the profile as text tables (one per variable) or as CSV
 * (variable,type,quantity,group,label,method,estimate,se,n_used,n_missing).
 * labels: the groups' names (NULL or NULL entries: numbers). */
void gbtm_profile_write_text(const gbtm_profile *profile, FILE *fp, const char *const *labels);
void gbtm_profile_write_csv(const gbtm_profile *profile, FILE *fp, const char *const *labels);

/* ---- Several outcomes: the group-based multi-trajectory model (eq. MT,
 * DESIGN §10). One group membership, one trajectory per outcome and group;
 * the outcomes are independent given the group. ---- */

#define GBTM_MAX_OUTCOMES 8

typedef struct gbtm_multi_result gbtm_multi_result;

/* Fits eq. MT to n_outcomes panels of the same persons (each outcome's own
 * observed cells; a person may lack cells of some outcomes; persons are
 * matched by id). options[o] gives outcome o's family, orders, iorder,
 * dispersion and censoring points; groups, seed, max_iterations,
 * tol_gradient, threads and kernel are taken from options[0] (every
 * options[o].groups must equal it). names[o] names outcome o in parameter
 * names ("violence:beta[1][0]"). Not yet: risk factors, time-varying
 * covariates, weights, start_from, MPI (GBTM_ERR_USAGE). Starts: the
 * posteriors of each outcome's own fit (gbtm_fit) with K groups, each run
 * to convergence by EM on eq. MT; the best log L is kept. */
gbtm_status gbtm_fit_multi(const gbtm_panel *const *panels, const gbtm_fit_options *options,
                           const char *const *names, int n_outcomes, gbtm_multi_result **out,
                           gbtm_error *err);
void gbtm_multi_result_free(gbtm_multi_result *result);
int gbtm_multi_result_outcomes(const gbtm_multi_result *result);
const char *gbtm_multi_result_name(const gbtm_multi_result *result, int o);
/* Outcome o's model: its family, orders and coefficients, with the shared
 * theta (the same in every outcome's model); valid while result lives. */
const gbtm_model *gbtm_multi_result_model(const gbtm_multi_result *result, int o);
int gbtm_multi_result_groups(const gbtm_multi_result *result);
size_t gbtm_multi_result_persons(const gbtm_multi_result *result);
/* Observed cells of outcome o. */
size_t gbtm_multi_result_cells(const gbtm_multi_result *result, int o);
double gbtm_multi_result_loglik(const gbtm_multi_result *result);
int gbtm_multi_result_n_params(const gbtm_multi_result *result); /* free parameters p */
/* The criteria as gbtm_fit_summary has them (DESIGN §5; N the persons):
 * bic = -2 log L + p ln N and aic = -2 log L + 2 p (smaller is better);
 * bic_traj = log L - p/2 ln N, PROC TRAJ's form (higher is better). */
double gbtm_multi_result_bic(const gbtm_multi_result *result);
double gbtm_multi_result_bic_traj(const gbtm_multi_result *result);
double gbtm_multi_result_aic(const gbtm_multi_result *result);
bool gbtm_multi_result_converged(const gbtm_multi_result *result);
int gbtm_multi_result_iterations(const gbtm_multi_result *result);
double gbtm_multi_result_grad_norm(const gbtm_multi_result *result); /* max |grad| at the estimate */
/* The shares pi_k and the mean posteriors of group k. */
double gbtm_multi_result_share(const gbtm_multi_result *result, int k);
/* N x K posteriors, row-major, persons in the order of ids. */
const double *gbtm_multi_result_posterior(const gbtm_multi_result *result);
const char *const *gbtm_multi_result_ids(const gbtm_multi_result *result);
/* The estimates psi (theta_2..theta_K, then each outcome's beta, alpha
 * and log phi, group by group), their names, and the covariance I^-1 (eq.
 * MTI; NULL when the information is singular). */
int gbtm_multi_result_n_estimates(const gbtm_multi_result *result);
const double *gbtm_multi_result_estimates(const gbtm_multi_result *result);
const char *gbtm_multi_result_param_name(const gbtm_multi_result *result, int j);
const double *gbtm_multi_result_covariance(const gbtm_multi_result *result);
/* The data's name saved with a model file (NULL after gbtm_fit_multi). */
const char *gbtm_multi_result_data_name(const gbtm_multi_result *result);
/* The file's root attributes for a result of gbtm_multi_load(), NULL after
 * gbtm_fit_multi(); valid while the result lives. */
const gbtm_model_file_info *gbtm_multi_result_file_info(const gbtm_multi_result *result);

/* Writes a multi-trajectory fit to path as an HDF5 model file of format
 * version 11 (docs/model-file.md), atomically as gbtm_model_save(); the
 * info's panel is not used (the trajectories are the models'). */
gbtm_status gbtm_multi_save(const gbtm_multi_result *result, const gbtm_save_info *info, const char *path,
                            gbtm_error *err);
/* gbtm_multi_save() into a file the caller reserved (as
 * gbtm_model_save_reserved()). */
gbtm_status gbtm_multi_save_reserved(const gbtm_multi_result *result, const gbtm_save_info *info,
                                     const gbtm_atomic_file *f, gbtm_error *err);
/* Reads a model file written by gbtm_multi_save(); every number as saved.
 * A file of one outcome, from a newer gbtm, or damaged is an error naming
 * the file and what is wrong. */
gbtm_status gbtm_multi_load(const char *path, gbtm_multi_result **out, gbtm_error *err);
/* The posteriors (eq. MTP) of the persons in panels[o], one panel per
 * outcome in the result's order, read with that outcome's family; persons
 * matched by id as gbtm_fit_multi() matches them, a person may lack cells
 * of some outcomes. *tau (n x K, row-major) and *ids (n, each and the array
 * malloc'd) are the caller's to free(). */
gbtm_status gbtm_multi_classify(const gbtm_multi_result *result, const gbtm_panel *const *panels, double **tau,
                                char ***ids, size_t *n, gbtm_error *err);
/* 1 when path is a model file of several outcomes (format version 11 with
 * /multi), 0 when not or unreadable (gbtm_model_load then says why). */
int gbtm_model_file_is_multi(const char *path);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* GBTM_H */
