/* memory_estimate.h: how much memory reading a long CSV panel and fitting it
 * will take, estimated before the data is read, so that a command can refuse
 * work that would exhaust the machine (gbtm fit/select --max-memory) instead
 * of being killed by the kernel hours later.
 *
 * The estimate has two parts. memory_estimate_scan_csv() streams the file
 * once, without building anything, and bounds what the reader will hold:
 * rows (non-empty lines after the header), persons (distinct ids), distinct
 * ages, rows with a non-zero count, and whether the rows come sorted.
 * memory_estimate_compute() turns those bounds into bytes with the
 * reader's and the fit's own layouts (the file
 * buffer, one panel_row per row, the id table, the sparse panel; per worker
 * the N x K posteriors, the E-step's block partials and scratch, the dense
 * matrices when the panel may be dense; cross-validation folds and
 * bootstrap refits). The figures are estimates of the peak resident memory,
 * meant to be right within a small factor, not exact. */
#ifndef GBTM_MEMORY_ESTIMATE_H
#define GBTM_MEMORY_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gbtm.h"

/* What one pass over a CSV file tells, all upper bounds of what the reader
 * will find (known is false when the file is not a CSV, e.g. an HDF5
 * panel, or not a regular file, e.g. a pipe, which a scan would use up:
 * nothing is then estimated). */
typedef struct memory_scan {
  bool known;
  uint64_t bytes;    /* the file's size */
  uint64_t rows;     /* non-empty lines after the header */
  uint64_t persons;  /* distinct ids (beyond 2^20 of them, runs of rows with one id) */
  uint64_t ages;     /* distinct ages (rows where the age could not be read count once each) */
  uint64_t nonzero;  /* rows whose count is not 0 */
  uint64_t id_bytes; /* total length of the distinct ids */
  bool sorted;       /* rows by person and age (the reader then sorts nothing) */
} memory_scan;

/* The work that will follow the read: the public gbtm_memory_work (gbtm.h). */
typedef gbtm_memory_work memory_work;

/* The estimate in bytes: the read's peak, the fit's peak (the panel and
 * the fit's working memory) and their maximum, the peak of the run. */
typedef struct memory_need {
  uint64_t read;
  uint64_t fit;
  uint64_t peak;
} memory_need;

/* Scans the CSV file at path with the column names of columns (NULL: the
 * defaults) into *out. A file that cannot be opened or read is GBTM_ERR_IO
 * with a message; a malformed file is not an error here (the reader
 * reports it): its bounds are still bounds. */
gbtm_status memory_estimate_scan_csv(const char *path, const gbtm_csv_columns *columns,
                                     memory_scan *out, gbtm_error *err);

/* The memory that reading the scanned file and doing work on it needs. */
memory_need memory_estimate_compute(const memory_scan *scan, const memory_work *work);

/* The memory the system can give without swapping: MemAvailable of
 * /proc/meminfo in bytes, or 0 when it cannot be read. */
uint64_t memory_estimate_available(void);

/* Parses a size: a decimal number (a fraction allowed) with an optional
 * unit K, M, G or T (powers of 1024; a trailing "B" or "iB" is allowed, any
 * case), e.g. "512M", "8G", "1.5GB", "1000000". False unless the whole text
 * is one size of at least 1 byte and below 2^63. */
bool memory_estimate_parse_size(const char *text, uint64_t *bytes);

/* Writes bytes for people: "812 bytes", "1.5 KB", "23.4 MB", "2.3 GB",
 * "1.1 TB" (powers of 1024, one decimal). */
void memory_estimate_format_size(uint64_t bytes, char *buf, size_t size);

#endif
