/* memory_limit.c: the --max-memory check of gbtm fit and gbtm select
 * (memory_limit.h). A run that needs more memory than the machine has is
 * killed by the kernel, or swaps for hours, after the data has been read
 * and the work begun; the check refuses it at once, naming the estimate,
 * the limit and what the estimate rests on, so that the user can give a
 * larger limit, a larger machine or a smaller sample. */
#include "memory_limit.h"

#include <stdio.h>

#include "cli_util.h"

bool cli_memory_limit_parse(const char *text, char *why, size_t why_size) {
  uint64_t bytes;
  if (gbtm_memory_size_parse(text, &bytes)) return true;
  snprintf(why, why_size, "--max-memory: \"%s\" is not a size (e.g. 512M, 8G)", text);
  return false;
}

int cli_memory_limit_check(const char *cmd, const char *limit, const char *data,
                           gbtm_csv_columns *columns, const gbtm_memory_work *work) {
  uint64_t max = 0;
  if (limit && !gbtm_memory_size_parse(limit, &max)) {
    cli_error(cmd, "--max-memory: \"%s\" is not a size (e.g. 512M, 8G)", limit);
    return CLI_EXIT_USAGE;
  }
  if (!limit && (max = gbtm_memory_available()) == 0) return -1; /* no figure to go by */
  columns->max_bytes = max;

  gbtm_error err = {GBTM_OK, ""};
  gbtm_memory_need need;
  if (gbtm_memory_estimate(data, columns, work, &need, &err) != GBTM_OK || !need.known) return -1;
  if (need.peak <= max) return -1;

  char need_text[32], max_text[32], file_text[32];
  gbtm_memory_size_format(need.peak, need_text, sizeof need_text);
  gbtm_memory_size_format(max, max_text, sizeof max_text);
  gbtm_memory_size_format(need.file_bytes, file_text, sizeof file_text);
  char limit_text[96];
  if (limit)
    snprintf(limit_text, sizeof limit_text, "more than --max-memory %s", max_text);
  else
    snprintf(limit_text, sizeof limit_text, "more than the %s of memory available", max_text);
  cli_error(cmd,
            "the data and the fit would need about %s, %s (%s: %s, up to %llu rows and %llu "
            "persons, %d group%s); give a larger --max-memory if the machine has the memory, "
            "or fit a sample of the persons",
            need_text, limit_text, data, file_text, (unsigned long long)need.rows,
            (unsigned long long)need.persons, work->groups, work->groups == 1 ? "" : "s");
  return CLI_EXIT_USAGE;
}
