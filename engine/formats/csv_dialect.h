/* csv_dialect.h: CSV dialects other than RFC 4180's comma (csv_dialect.c):
 * the delimiter (comma, semicolon or tab) detected from the header or
 * given, and decimal commas. A file in another dialect is rewritten once,
 * in memory, into the comma dialect the tokenizer reads (csv_tokens.h),
 * with the same lines and fields, so that every message keeps its
 * FILE:LINE:COLUMN. */
#ifndef GBTM_CSV_DIALECT_H
#define GBTM_CSV_DIALECT_H

#include "formats/csv_tokens.h"

/* The delimiter of the header at r->buf + r->pos: delimiter when given
 * (',', ';' or '\t'), else whichever of the three occurs most often outside
 * quotes in the header line (the comma on a tie or when none occurs). */
char csv_dialect_delimiter(const csv_reader *r, char delimiter);

/* Rewrites r->buf (read by csv_open, r->pos at the header) into the comma
 * dialect when the file's delimiter (csv_dialect_delimiter) is not the
 * comma or decimal is ',': each delimiter outside quotes becomes a comma;
 * with decimal ',', an unquoted field that is a number with a decimal comma
 * ("3,5", "-0,25", "1,5e3") gets a point; any other unquoted field holding
 * a comma is quoted. Lines, fields and r->sha256 (the file's bytes) are
 * unchanged. A decimal comma in a comma-separated file is an error. On
 * failure r->buf is freed and NULL. */
gbtm_status csv_dialect_apply(csv_reader *r, char delimiter, char decimal, gbtm_error *err);

#endif
