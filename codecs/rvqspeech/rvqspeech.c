/* Model loading shared by the encoder and the decoder (rvqspeech.h). */
#include "codecs/rvqspeech/rvqspeech.h"
#include "nc/error.h"
#include "nc/log.h"

int rvq_open_model(NCRvqModel *m, const void *log_ctx, const char *id,
                      const char *explicit_path, const uint8_t *sha256)
{
    NCModel *file = NULL;
    int ret = nc_model_find(&file, id, explicit_path && *explicit_path ? explicit_path : NULL);
    if (ret < 0) {
        nc_log(log_ctx, NC_LOG_ERROR, "rvqspeech: cannot load model %s", id);
        return ret;
    }
    if (sha256 && (ret = nc_model_check(file, id, sha256)) < 0) {
        nc_model_free(&file);
        return ret;
    }
    return rvq_model_open(m, file);
}
