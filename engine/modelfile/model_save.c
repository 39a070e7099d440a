/* model_save.c: gbtm_model_save_reserved() (gbtm.h), the public name of
 * model_io_write() for programs that reserve the file themselves. */
#include "modelfile/model_io.h"

gbtm_status gbtm_model_save_reserved(const gbtm_fit_result *result, const gbtm_save_info *info,
                                     const gbtm_atomic_file *f, gbtm_error *err) {
  return model_io_write(result, info, f, err);
}
