/* What the rvqspeech encoder and decoder share: the registered descriptors and
 * the model loading both do. */
#ifndef NC_RVQSPEECH_RVQSPEECH_H
#define NC_RVQSPEECH_RVQSPEECH_H

#include "codecs/rvqspeech/model.h"
#include "nc/codec.h"

extern const NCCodec nc_rvqspeech_encoder;
extern const NCCodec nc_rvqspeech_decoder;

/* Finds model id (explicit_path: a file or folder, or NULL / "" for the search
 * path), checks its hash when sha256 is not NULL, and opens it. */
int rvq_open_model(NCRvqModel *m, const void *log_ctx, const char *id,
                      const char *explicit_path, const uint8_t *sha256);

#endif
