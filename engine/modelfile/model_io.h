/* model_io.h: the writing half of gbtm_model_save() (engine/modelfile/model_io.c),
 * for callers that reserve the file's temporary name themselves: a command
 * that reports an unwritable folder before hours of fitting, and a test that
 * stops a save between the write and the rename, as a crash would. */
#ifndef GBTM_MODEL_IO_H
#define GBTM_MODEL_IO_H

#include "base/atomic_file.h"
#include "gbtm.h"

/* Writes the model file into f->tmp, a file reserved with
 * atomic_file_reserve(), and closes it; messages name f->path. The caller
 * then publishes it with atomic_file_commit() or drops it with
 * atomic_file_discard(), also after a failure here. */
gbtm_status model_io_write(const gbtm_fit_result *result, const gbtm_save_info *info,
                           const atomic_file *f, gbtm_error *err);

#endif
