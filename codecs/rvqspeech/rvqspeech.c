/* What the encoder and the decoder share (rvqspeech.h): media lists, model loading. */
#include "codecs/rvqspeech/rvqspeech.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

const int rvqspeech_sample_rates[] = {16000, 0};
const int rvqspeech_channel_counts[] = {1, 0};

int rvq_open_model(NCRvqModel *m, NCCodecContext *log_ctx, const char *id,
                      const char *explicit_path, const NCIModelPin *pin)
{
    NCModel *file = NULL;
    int ret = nci_codec_find_model(log_ctx, &file, id, explicit_path, pin);
    return ret < 0 ? ret : rvq_model_open(m, file);
}
