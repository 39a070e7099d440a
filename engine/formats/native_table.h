/* native_table.h: the wanted variables of a Stata (.dta), SPSS (.sav,
 * .zsav), SAS (.sas7bdat) or SAS transport (.xpt) file as a table in
 * memory, read through ReadStat (native_table.c). The panel is built from
 * the table by read_native.c. */
#ifndef GBTM_NATIVE_TABLE_H
#define GBTM_NATIVE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gbtm.h"

/* The file formats ReadStat reads here. */
typedef enum native_format {
  NATIVE_NONE = 0,
  NATIVE_DTA,
  NATIVE_SAV,
  NATIVE_SAS7BDAT,
  NATIVE_XPT
} native_format;

/* The format of the file at path, by its signature (read from a regular
 * file) or else by its extension (.dta, .sav, .zsav, .sas7bdat, .xpt, in
 * any case); NATIVE_NONE for any other file. */
native_format native_format_of(const char *path);

/* "Stata .dta", "SPSS .sav", ... for messages. */
const char *native_format_name(native_format format);

/* A cell: a number, a string (a string variable's value, owned), or
 * missing (system missing, Stata's and SAS's .a-.z, SPSS's user-defined
 * missing values). A number with a value label keeps its label too. */
enum { NATIVE_MISSING = 0, NATIVE_NUMBER, NATIVE_STRING };
typedef struct native_cell {
  double number;
  char *string; /* NATIVE_STRING: the value; NATIVE_NUMBER: its value label or NULL (not owned) */
  unsigned char kind;
} native_cell;

typedef struct native_table {
  const char *path;
  native_format format;
  size_t n_wanted;      /* the wanted variables, in the caller's order */
  int *index;           /* [n_wanted] the variable's 1-based position in the file, 0: absent */
  size_t rows;
  native_cell *cells;   /* [rows * n_wanted] */
  char found[256];      /* the file's first variable names, for messages */
  char **label_set;     /* [n_wanted] the name of the variable's value labels, or NULL */
  struct native_label *labels; /* the file's value labels (numeric keys) */
  size_t n_labels, cap_labels;
  char sha256[65];      /* the SHA-256 of the file's bytes */
} native_table;

/* Reads the variables named wanted[0..n) (NULL entries are not wanted; a
 * name given twice is read once per entry) of the file at path, read whole
 * once (max_bytes as gbtm_csv_columns.max_bytes), into table. A variable
 * named but absent leaves its index 0 (the caller says what it was for).
 * A file ReadStat cannot read (damaged, truncated, not of its format) is an
 * error naming the file, its format and the row reached. */
gbtm_status native_table_read(const char *path, native_format format, size_t n, const char *const *wanted,
                              uint64_t max_bytes, native_table *table, gbtm_error *err);

void native_table_free(native_table *table);

#endif
