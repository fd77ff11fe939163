/* The list nc_codec_iterate() walks. A codec module adds its encoder and decoder
 * descriptors here (and its folder to codecs/meson.build). */
#include <stddef.h>

#include "codecs/registry.h"

extern const NCCodec nc_pclossless_encoder, nc_pclossless_decoder;
extern const NCCodec nc_pclossless_bytes_encoder, nc_pclossless_bytes_decoder;
extern const NCCodec nc_rvqspeech_encoder, nc_rvqspeech_decoder;
extern const NCCodec nc_lmtext_encoder, nc_lmtext_decoder;
extern const NCCodec nc_walloc_encoder, nc_walloc_decoder;

const NCCodec *const nci_registered_codecs[] = {
    &nc_pclossless_encoder, &nc_pclossless_decoder,
    &nc_pclossless_bytes_encoder, &nc_pclossless_bytes_decoder,
    &nc_rvqspeech_encoder, &nc_rvqspeech_decoder,
    &nc_lmtext_encoder, &nc_lmtext_decoder,
    &nc_walloc_encoder, &nc_walloc_decoder,
    NULL,
};
