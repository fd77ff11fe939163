/* What the encoder and the decoder share: media lists, model loading. */
#include "codecs/semantic/semantic_codec.h"
#include "libnc/codec_internal.h"

const int semantic_sample_rates[] = {SEM_RATE, 0};
const int semantic_channel_counts[] = {1, 0};

int sem_open_model(SemModel *m, NCCodecContext *log_ctx, const char *id,
                   const char *explicit_path, const NCIModelPin *pin)
{
    NCModel *file = NULL;
    int ret = nci_codec_find_model(log_ctx, &file, id, explicit_path, pin);
    return ret < 0 ? ret : sem_model_open(m, file);
}
