/* What the rvqspeech encoder and decoder share: the registered descriptors and
 * the model loading both do. */
#ifndef NC_RVQSPEECH_RVQSPEECH_H
#define NC_RVQSPEECH_RVQSPEECH_H

#include "codecs/rvqspeech/model.h"
#include "libnc/model_header.h"
#include "nc/codec.h"

/* The public description both descriptors share: 16 kHz mono. */
#define RVQSPEECH_CODEC                                                                    \
    .name = "rvqspeech",                                                                   \
    .long_name = "streaming neural speech codec with residual vector quantization (0.5-6 kbit/s)", \
    .media_type = NC_MEDIA_AUDIO, .sample_rates = rvqspeech_sample_rates,                  \
    .channel_counts = rvqspeech_channel_counts, .model_arch = NC_RVQ_ARCH
extern const int rvqspeech_sample_rates[], rvqspeech_channel_counts[];

/* Finds model id (explicit_path: a file or folder, or NULL / "" for the search
 * path), checks it against pin when pin is not NULL, and opens it. */
int rvq_open_model(NCRvqModel *m, NCCodecContext *log_ctx, const char *id,
                   const char *explicit_path, const NCIModelPin *pin);

#endif
