/* What the encoder and the decoder share (rvqspeech.h): media lists, model loading. */
#include "codecs/rvqspeech/rvqspeech.h"
#include "nc/error.h"
#include "nc/log.h"

const int rvqspeech_sample_rates[] = {16000, 0};
const int rvqspeech_channel_counts[] = {1, 0};

int rvq_open_model(NCRvqModel *m, const void *log_ctx, const char *id,
                      const char *explicit_path, const NCIModelPin *pin)
{
    NCModel *file = NULL;
    int ret = nc_model_find(&file, id, explicit_path && *explicit_path ? explicit_path : NULL);
    if (ret < 0) {
        nc_log(log_ctx, NC_LOG_ERROR, "cannot load model %s", id);
        return ret;
    }
    if (pin && (ret = nci_model_pin_check(log_ctx, file, pin)) < 0) {
        nc_model_free(&file);
        return ret;
    }
    return rvq_model_open(m, file);
}
