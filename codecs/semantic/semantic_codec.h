/* The codec descriptors' shared parts (semantic.c). */
#ifndef NC_CODECS_SEMANTIC_CODEC_H
#define NC_CODECS_SEMANTIC_CODEC_H

#include "codecs/semantic/sem_coding.h"
#include "nc/codec.h"

#define SEMANTIC_CODEC                                                                     \
    .name = SEM_CODEC,                                                                     \
    .long_name = "general audio from semantic and acoustic tokens (0.3-1.5 kbit/s)",       \
    .media_type = NC_MEDIA_AUDIO, .sample_rates = semantic_sample_rates,                   \
    .channel_counts = semantic_channel_counts, .model_arch = SEM_ARCH
extern const int semantic_sample_rates[], semantic_channel_counts[];

/* Finds model id (explicit_path: a file or folder, or NULL / "" for the search
 * path), checks it against pin when not NULL, and opens it. */
int sem_open_model(SemModel *m, NCCodecContext *log_ctx, const char *id,
                   const char *explicit_path, const NCIModelPin *pin);

#endif
