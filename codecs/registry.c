/* The list nc_codec_iterate() walks: every codec's encoder and decoder, in the
 * order of codec_list in codecs/meson.build, which generates codec_list.h. */
#include <stddef.h>

#include "codecs/registry.h"

#define NC_CODEC(name) extern const NCCodecDef name##_encoder, name##_decoder;
#include "codec_list.h"
#undef NC_CODEC

const NCCodecDef *const nci_registered_codecs[] = {
#define NC_CODEC(name) &name##_encoder, &name##_decoder,
#include "codec_list.h"
#undef NC_CODEC
    NULL,
};
